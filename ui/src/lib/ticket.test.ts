import { describe, expect, it } from "vitest";
import { btcPerp, caps, lmexPerp, lnmPerp } from "../test/fixtures";
import { InstrumentFormat } from "./format";
import {
  checkTicket,
  estimateAmounts,
  estimateTicket,
  fillReference,
  orderSize,
  sizesByMargin,
  stepSize,
  submitLabel,
  ticketField,
  type TicketDraft,
} from "./ticket";

function draft(over: Partial<TicketDraft> = {}): TicketDraft {
  return {
    side: "buy",
    orderType: "market",
    size: "0.010",
    sizeMode: "contracts",
    price: "",
    trigger: "",
    leverage: "10",
    reduceOnly: false,
    postOnly: false,
    timeInForce: "gtc",
    takeProfit: "",
    stopLoss: "",
    ...over,
  };
}

const btc = btcPerp();

describe("checkTicket", () => {
  it.each<[string, Partial<TicketDraft>, string, RegExp]>([
    ["empty size", { size: "" }, "size", /enter a size/i],
    ["size below minimum", { size: "0.0001" }, "size", /minimum size is 0.001 BTC/i],
    ["negative size", { size: "-1" }, "size", /above zero/i],
    ["size not a number", { size: "abc" }, "size", /must be a number/i],
    ["size above maximum", { size: "101" }, "size", /maximum size is 100/i],
    ["size off the step", { size: "0.0015" }, "size", /multiple of 0.001/i],
    ["limit without price", { orderType: "limit" }, "price", /enter a price/i],
    ["price off the tick", { orderType: "limit", price: "1000.3" }, "price", /tick 0.5/i],
    ["stop without trigger", { orderType: "stop" }, "trigger", /enter a trigger price/i],
    ["trigger off the tick", { orderType: "stop", trigger: "90000.2" }, "trigger", /tick 0.5/i],
    ["leverage too high", { leverage: "125" }, "leverage", /between 1 and 100/i],
    ["leverage below one", { leverage: "0.5" }, "leverage", /between 1 and 100/i],
  ])("%s", (_name, over, field, message) => {
    const check = checkTicket(draft(over), btc, caps());
    expect(check.ticket).toBeNull();
    expect(check.errors[field as keyof typeof check.errors]).toMatch(message);
  });

  it("builds a market ticket without prices", () => {
    const check = checkTicket(draft({ price: "1", trigger: "2", size: " 0.05 " }), btc, caps());
    expect(check.errors).toEqual({});
    expect(check.ticket).toEqual({
      instrument: btc.id,
      side: "buy",
      order_type: "market",
      size: "0.05",
      price: null,
      trigger_price: null,
      time_in_force: "gtc",
      reduce_only: false,
      post_only: false,
      leverage: "10",
      take_profit: null,
      stop_loss: null,
    });
  });

  it("builds limit and stop tickets with their own price", () => {
    const limit = checkTicket(
      draft({ orderType: "limit", price: "90000.5", postOnly: true, timeInForce: "ioc" }),
      btc,
      caps(),
    );
    expect(limit.ticket).toMatchObject({
      price: "90000.5",
      trigger_price: null,
      post_only: true,
      time_in_force: "ioc",
    });
    const stop = checkTicket(
      draft({ orderType: "stop", trigger: "95000", postOnly: true }),
      btc,
      caps(),
    );
    expect(stop.ticket).toMatchObject({ price: null, trigger_price: "95000", post_only: false });
  });

  it("refuses what the venue cannot do", () => {
    const venue = caps({ order_types: ["market", "limit"], post_only: false, reduce_only: false });
    const stop = checkTicket(draft({ orderType: "stop", trigger: "95000" }), btc, venue);
    expect(stop.errors.type).toMatch(/stop orders/);
    const limit = checkTicket(
      draft({ orderType: "limit", price: "1", postOnly: true, reduceOnly: true }),
      btc,
      venue,
    );
    expect(Object.keys(limit.errors).sort()).toEqual(["post_only", "reduce_only"]);
  });
});

describe("ticket presentation", () => {
  const fmt = new InstrumentFormat(btc);

  it("labels the submit button with side, size, unit and price", () => {
    expect(submitLabel(draft({ size: "0.01" }), btc, fmt)).toBe("Buy 0.010 BTC @ Market");
    expect(
      submitLabel(draft({ side: "sell", orderType: "limit", price: "91250.5" }), btc, fmt),
    ).toBe("Sell 0.010 BTC @ 91,250.5");
    expect(submitLabel(draft({ orderType: "stop", trigger: "" }), btc, fmt)).toBe(
      "Buy 0.010 BTC @ Stop …",
    );
    // One contract, two contracts.
    const perp = btcPerp({ size_unit: "contracts", contract_size: "0.0001", size_step: "1" });
    const cfmt = new InstrumentFormat(perp);
    expect(submitLabel(draft({ size: "1" }), perp, cfmt)).toBe("Buy 1 contract @ Market");
    expect(submitLabel(draft({ size: "2" }), perp, cfmt)).toBe("Buy 2 contracts @ Market");
  });

  it("estimates value, margin and fee", () => {
    const e = estimateTicket(draft({ size: "0.1" }), btc, 90000);
    expect(e?.notional).toBeCloseTo(9000);
    expect(e?.margin).toBeCloseTo(900);
    expect(e?.fee).toBeCloseTo(4.5);
    expect(estimateTicket(draft({ size: "" }), btc, 90000)).toBeNull();
    const inverse = btcPerp({ contract: "inverse", size_unit: "contracts", contract_size: "1" });
    expect(estimateTicket(draft({ size: "100" }), inverse, 50000)?.notional).toBeCloseTo(0.002);
  });

  it("prices a limit at its own price, charges post-only at the maker rate, and needs a price", () => {
    const limit = draft({ orderType: "limit", size: "0.1", price: "80000", postOnly: true });
    const e = estimateTicket(limit, btc, 90000);
    expect(e?.notional).toBeCloseTo(8000);
    expect(e?.fee).toBeCloseTo(1.6);
    expect(estimateTicket(draft(), btc, null)).toBeNull();
    const quoteSized = btcPerp({ size_unit: "quote" });
    expect(estimateTicket(draft({ size: "500" }), quoteSized, 90000)?.notional).toBeCloseTo(500);
  });

  it("says which price it worked at", () => {
    expect(estimateTicket(draft(), btc, 90000)?.price).toBe(90000);
    const limit = draft({ orderType: "limit", price: "80000.5" });
    expect(estimateTicket(limit, btc, 90000)?.price).toBe(80000.5);
    const stop = draft({ orderType: "stop", trigger: "95000" });
    expect(estimateTicket(stop, btc, 90000)?.price).toBe(95000);
  });

  it("maps backend field names onto ticket fields", () => {
    expect(ticketField("trigger_price")).toBe("trigger");
    expect(ticketField("size")).toBe("size");
    expect(ticketField("order_type")).toBe("type");
    expect(ticketField(null)).toBe("type");
    expect(ticketField("take_profit")).toBe("take_profit");
    expect(ticketField("stop_loss")).toBe("stop_loss");
  });
});

describe("estimateAmounts", () => {
  // LN Markets: 1 USD contracts, settled in BTC; a 0.05% taker fee in the fixture.
  const lnm = lnmPerp();

  it("shows bitcoin in sats with its USD value at the order's price", () => {
    const e = estimateTicket(draft({ size: "100", leverage: "10" }), lnm, 50001);
    expect(estimateAmounts(e, lnm)).toEqual({
      value: { amount: "199,996", unit: "sats", usd: "100.00" },
      margin: { amount: "20,000", unit: "sats", usd: "10.00" },
      fee: { amount: "100", unit: "sats", usd: "0.05" },
    });
  });

  it("values a limit order at its own price, not the market's", () => {
    const limit = draft({ orderType: "limit", size: "100", price: "40000", leverage: "10" });
    const e = estimateTicket(limit, lnm, 50001);
    expect(estimateAmounts(e, lnm).value).toEqual({
      amount: "250,000",
      unit: "sats",
      usd: "100.00",
    });
  });

  it("keeps other settle currencies as they are", () => {
    const e = estimateTicket(draft({ size: "0.1" }), btc, 90000);
    expect(estimateAmounts(e, btc)).toEqual({
      value: { amount: "9,000.00", unit: "USD", usd: null },
      margin: { amount: "900.00", unit: "USD", usd: null },
      fee: { amount: "4.50", unit: "USD", usd: null },
    });
  });

  it("gives no USD value where the price is not USD per BTC", () => {
    const eurQuoted = lnmPerp({ quote: "EUR" });
    const e = estimateTicket(draft({ size: "100" }), eurQuoted, 50000);
    expect(estimateAmounts(e, eurQuoted).value).toEqual({
      amount: "200,000",
      unit: "sats",
      usd: null,
    });
  });

  it("shows dashes in the settle unit without an estimate", () => {
    expect(estimateAmounts(null, lnm).margin).toEqual({ amount: "—", unit: "sats", usd: null });
    expect(estimateAmounts(null, btc).fee).toEqual({ amount: "—", unit: "USD", usd: null });
  });
});

describe("take-profit and stop-loss with the order", () => {
  const venue = caps({ attached_tp_sl: true });

  it.each<[string, Partial<TicketDraft>, string, "take_profit" | "stop_loss", RegExp]>([
    [
      "buy TP at the fill",
      { takeProfit: "90000" },
      "90000",
      "take_profit",
      /above the fill price 90000/,
    ],
    ["buy TP below", { takeProfit: "89000" }, "90000", "take_profit", /above/],
    ["buy SL above", { stopLoss: "91000" }, "90000", "stop_loss", /below the fill price 90000/],
    ["sell TP above", { side: "sell", takeProfit: "91000" }, "90000", "take_profit", /below/],
    ["sell SL below", { side: "sell", stopLoss: "89000" }, "90000", "stop_loss", /above/],
    ["TP off the tick", { takeProfit: "95000.2" }, "90000", "take_profit", /tick 0.5/],
    ["SL not a number", { stopLoss: "abc" }, "90000", "stop_loss", /must be a number/],
    ["SL zero", { stopLoss: "0" }, "90000", "stop_loss", /above zero/],
  ])("refuses %s", (_name, over, reference, field, message) => {
    const check = checkTicket(draft(over), btc, venue, reference);
    expect(check.ticket).toBeNull();
    expect(check.errors[field]).toMatch(message);
  });

  it("sends them either side of the fill, and null for an empty one", () => {
    const buy = checkTicket(
      draft({ takeProfit: " 95000 ", stopLoss: "85000.5" }),
      btc,
      venue,
      "90000",
    );
    expect(buy.errors).toEqual({});
    expect(buy.ticket).toMatchObject({ take_profit: "95000", stop_loss: "85000.5" });
    const sell = checkTicket(draft({ side: "sell", stopLoss: "95000" }), btc, venue, "90000");
    expect(sell.ticket).toMatchObject({ take_profit: null, stop_loss: "95000" });
  });

  it("checks them against a limit order's own price, not the market", () => {
    const d = draft({ orderType: "limit", price: "80000", takeProfit: "85000" });
    const reference = fillReference(d, { bid: "89999", ask: "90000", last: "90000" });
    expect(reference).toBe("80000");
    expect(checkTicket(d, btc, venue, reference).ticket).toMatchObject({ take_profit: "85000" });
  });

  it("sends nothing to a venue that does not take them, whatever was typed", () => {
    const check = checkTicket(draft({ takeProfit: "1", stopLoss: "999999" }), btc, caps(), "90000");
    expect(check.errors).toEqual({});
    expect(check.ticket).toMatchObject({ take_profit: null, stop_loss: null });
  });

  it("takes the ask for a market buy, the bid for a market sell, the trigger for a stop", () => {
    const quotes = { bid: "100", ask: "101", last: "99" };
    expect(fillReference(draft(), quotes)).toBe("101");
    expect(fillReference(draft({ side: "sell" }), quotes)).toBe("100");
    expect(fillReference(draft({ side: "sell" }), { ...quotes, bid: null })).toBe("99");
    expect(fillReference(draft({ orderType: "stop", trigger: "95" }), quotes)).toBe("95");
    expect(fillReference(draft({ orderType: "limit", price: "x" }), quotes)).toBeNull();
  });
});

describe("sizing by margin", () => {
  // LN Markets: 1 USD contracts, margin in sats.
  const lnm = lnmPerp();
  const margin = (over: Partial<TicketDraft> = {}): TicketDraft =>
    draft({ sizeMode: "margin", size: "20000", leverage: "10", ...over });

  it("is offered only for inverse instruments settled in bitcoin", () => {
    expect(sizesByMargin(lnm)).toBe(true);
    expect(sizesByMargin(btc)).toBe(false);
    expect(sizesByMargin(lnmPerp({ settle: "USD" }))).toBe(false);
    expect(sizesByMargin(btcPerp({ settle: "BTC" }))).toBe(false);
  });

  it("turns sats of margin into whole contracts at the leverage and fill price, rounding down", () => {
    // 20,000 sats × 10 at 50,001 = 100.002 USD → 100 contracts.
    expect(orderSize(margin(), lnm, "50001")).toEqual({ size: "100" });
    // 19,999 sats × 10 at 50,000 = 99.995 → 99.
    expect(orderSize(margin({ size: "19999" }), lnm, "50000")).toEqual({ size: "99" });
    expect(orderSize(margin({ size: "20000", leverage: "2.5" }), lnm, "40000")).toEqual({
      size: "20",
    });
  });

  it("sends the contracts, so the size checks and the venue see contracts", () => {
    const check = checkTicket(margin(), lnm, caps(), "50001");
    expect(check.errors).toEqual({});
    expect(check.ticket?.size).toBe("100");
    const tooMuch = checkTicket(
      margin({ size: "200000000", leverage: "100" }),
      lnm,
      caps(),
      "50001",
    );
    expect(tooMuch.errors.size).toMatch(/maximum size is 500000 contracts/i);
  });

  it.each<[string, Partial<TicketDraft>, string | null, RegExp]>([
    ["zero contracts", { size: "100" }, "50000", /too little margin for one contract/i],
    ["no margin", { size: "" }, "50000", /enter a margin/i],
    ["fractional sats", { size: "100.5" }, "50000", /whole sats/i],
    ["no market price", {}, null, /no market price/i],
    ["a limit without price", { orderType: "limit" }, null, /enter a price/i],
  ])("refuses %s next to the size", (_name, over, reference, message) => {
    const check = checkTicket(margin(over), lnm, caps(), reference);
    expect(check.ticket).toBeNull();
    expect(check.errors.size).toMatch(message);
  });

  it("is ignored where it is not offered: the size stays in the instrument's unit", () => {
    expect(orderSize(margin({ size: "0.5" }), btc, "90000")).toEqual({ size: "0.5" });
  });

  it("estimates and labels the order by its contracts", () => {
    const e = estimateTicket(margin(), lnm, 50001);
    // 100 contracts at 50,001: 0.00199996 BTC, margin a tenth of it.
    expect(e?.notional).toBeCloseTo(100 / 50001, 10);
    expect(e?.margin).toBeCloseTo(100 / 50001 / 10, 10);
    const fmt = new InstrumentFormat(lnm);
    expect(submitLabel(margin(), lnm, fmt, "50001")).toBe("Buy 100 contracts @ Market");
  });
});

describe("sizes in whole contracts", () => {
  const lmex = lmexPerp();

  it("refuses a fraction of a linear contract, saying what one is worth", () => {
    const check = checkTicket(draft({ size: "2.5" }), lmex, caps(), "50000");
    expect(check.ticket).toBeNull();
    expect(check.errors.size).toBe("Size is a whole number of contracts (1 contract = 0.0001 BTC)");
  });

  it("refuses a fraction of an inverse contract in its quote currency", () => {
    const check = checkTicket(draft({ size: "100.5" }), lnmPerp(), caps(), "50000");
    expect(check.errors.size).toBe("Size is a whole number of contracts (1 contract = 1 USD)");
  });

  it("takes whole contracts written with a decimal point", () => {
    const check = checkTicket(draft({ size: "25.0" }), lmex, caps(), "50000");
    expect(check.errors).toEqual({});
    expect(check.ticket?.size).toBe("25.0");
  });

  it("still holds contracts to the minimum, maximum and step", () => {
    const coarse = lmexPerp({ size_step: "5", min_size: "5", max_size: "1000" });
    expect(checkTicket(draft({ size: "0" }), coarse, caps()).errors.size).toMatch(/above zero/);
    expect(checkTicket(draft({ size: "2" }), coarse, caps()).errors.size).toBe(
      "Minimum size is 5 contracts",
    );
    expect(checkTicket(draft({ size: "1005" }), coarse, caps()).errors.size).toBe(
      "Maximum size is 1000 contracts",
    );
    expect(checkTicket(draft({ size: "12" }), coarse, caps()).errors.size).toBe(
      "Size must be a multiple of 5",
    );
  });

  it("labels the order in contracts", () => {
    const fmt = new InstrumentFormat(lmex);
    expect(submitLabel(draft({ size: "25" }), lmex, fmt)).toBe("Buy 25 contracts @ Market");
  });
});

describe("stepSize", () => {
  const lmex = lmexPerp({ max_size: "100" });
  const coarse = lmexPerp({ size_step: "5", min_size: "5", max_size: "100" });

  it.each<[string, Parameters<typeof stepSize>[1], string, 1 | -1, string]>([
    ["up one contract", lmex, "25", 1, "26"],
    ["down one contract", lmex, "25", -1, "24"],
    ["up a step of five", coarse, "25", 1, "30"],
    ["off the grid, up to the next", coarse, "12", 1, "15"],
    ["off the grid, down to the one below", coarse, "12", -1, "10"],
    ["not below the minimum", coarse, "5", -1, "5"],
    ["not above the maximum", coarse, "100", 1, "100"],
    ["from empty to the minimum", lmex, "", 1, "1"],
    ["from unreadable to the minimum", lmex, "abc", -1, "1"],
    ["a fraction of a contract, up", lmex, "2.5", 1, "3"],
    ["a fraction of a contract, down", lmex, "2.5", -1, "2"],
    ["base sizes by their step", btc, "0.010", 1, "0.011"],
    ["base sizes down, exactly", btc, "0.3", -1, "0.299"],
    ["base sizes to the maximum, in the step's digits", btc, "99.9995", 1, "100.000"],
  ])("steps %s", (_name, instrument, text, direction, expected) => {
    expect(stepSize(text, instrument, direction)).toBe(expected);
  });
});

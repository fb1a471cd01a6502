import { describe, expect, it } from "vitest";
import { btcPerp, caps, lnmPerp } from "../test/fixtures";
import { InstrumentFormat } from "./format";
import {
  checkTicket,
  estimateAmounts,
  estimateTicket,
  submitLabel,
  ticketField,
  type TicketDraft,
} from "./ticket";

function draft(over: Partial<TicketDraft> = {}): TicketDraft {
  return {
    side: "buy",
    orderType: "market",
    size: "0.010",
    price: "",
    trigger: "",
    leverage: "10",
    reduceOnly: false,
    postOnly: false,
    timeInForce: "gtc",
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

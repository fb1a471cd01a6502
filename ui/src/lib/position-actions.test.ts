import { describe, expect, it } from "vitest";
import type { Position } from "./bindings/bindings";
import { btcPerp, position } from "../test/fixtures";
import { formatterFor } from "./format";
import {
  checkMargin,
  checkTpSl,
  marginUnit,
  tpSlDraft,
  tpSlSummary,
  type TpSlDraft,
  type TpSlErrors,
  type TpSlRequest,
} from "./position-actions";

// LN Markets-like: prices on a 0.5 tick, margin in BTC.
const lnm = btcPerp({ price_tick: "0.5", settle: "BTC" });
// Both a little under water: the long's mark below its entry, the short's above.
const long = position({ side: "long", entry_price: "90000", mark_price: "89800" });
const short = position({ side: "short", entry_price: "90000", mark_price: "90200" });

function draft(takeProfit: string, stopLoss: string, trailing = false): TpSlDraft {
  return { takeProfit, stopLoss, trailing };
}

describe("checkTpSl", () => {
  interface Case {
    name: string;
    position: Position;
    takeProfit: string;
    stopLoss: string;
    errors: TpSlErrors;
  }

  const cases: Case[] = [
    {
      name: "a number is required",
      position: long,
      takeProfit: "95k",
      stopLoss: "1e5",
      errors: {
        take_profit: "Take-profit must be a number",
        stop_loss: "Stop-loss must be a number",
      },
    },
    {
      name: "prices are positive",
      position: short,
      takeProfit: "0",
      stopLoss: "-5",
      errors: {
        take_profit: "Take-profit must be above zero",
        stop_loss: "Stop-loss must be above zero",
      },
    },
    {
      name: "prices are on the tick",
      position: long,
      takeProfit: "95000.3",
      stopLoss: "85000.25",
      errors: {
        take_profit: "Take-profit must be a multiple of the tick 0.5",
        stop_loss: "Stop-loss must be a multiple of the tick 0.5",
      },
    },
    {
      name: "a long takes profit above its entry and stops below the current price",
      position: long,
      takeProfit: "89000",
      stopLoss: "90500",
      errors: {
        take_profit: "Take-profit must be above the entry price (90,000.0)",
        stop_loss: "Stop-loss must be below the current price (89,800.0)",
      },
    },
    {
      name: "a short takes profit below its entry and stops above the current price",
      position: short,
      takeProfit: "91000",
      stopLoss: "89500",
      errors: {
        take_profit: "Take-profit must be below the entry price (90,000.0)",
        stop_loss: "Stop-loss must be above the current price (90,200.0)",
      },
    },
    {
      name: "a long under water cannot stop between its mark and its entry",
      position: long,
      takeProfit: "",
      stopLoss: "89900",
      errors: { stop_loss: "Stop-loss must be below the current price (89,800.0)" },
    },
    {
      name: "a short under water cannot stop between its entry and its mark",
      position: short,
      takeProfit: "",
      stopLoss: "90100",
      errors: { stop_loss: "Stop-loss must be above the current price (90,200.0)" },
    },
    {
      name: "the entry and the current price themselves are on neither side",
      position: long,
      takeProfit: "90000",
      stopLoss: "89800.0",
      errors: {
        take_profit: "Take-profit must be above the entry price (90,000.0)",
        stop_loss: "Stop-loss must be below the current price (89,800.0)",
      },
    },
    {
      name: "without a mark the stop-loss is held to the entry",
      position: position({ side: "long", entry_price: "90000", mark_price: null }),
      takeProfit: "",
      stopLoss: "90000",
      errors: { stop_loss: "Stop-loss must be below the current price (90,000.0)" },
    },
    {
      name: "one field wrong leaves the other alone",
      position: short,
      takeProfit: "85000",
      stopLoss: "90200",
      errors: { stop_loss: "Stop-loss must be above the current price (90,200.0)" },
    },
    {
      name: "a stop-loss never goes past the take-profit, even with the market beyond it",
      position: position({ side: "long", entry_price: "90000", mark_price: "96000" }),
      takeProfit: "95000",
      stopLoss: "95500",
      errors: { stop_loss: "Stop-loss must be below the take-profit" },
    },
  ];

  it.each(cases)("$name", (c) => {
    const check = checkTpSl(draft(c.takeProfit, c.stopLoss), c.position, lnm);
    expect(check.errors).toEqual(c.errors);
    expect(check.request).toBeNull();
  });

  it("accepts prices on the right sides, sending them as typed", () => {
    expect(checkTpSl(draft(" 95000.5 ", "85000"), long, lnm)).toEqual({
      errors: {},
      request: { takeProfit: "95000.5", stopLoss: "85000", trailing: false },
    });
    expect(checkTpSl(draft("85000", "95000"), short, lnm).request).toEqual({
      takeProfit: "85000",
      stopLoss: "95000",
      trailing: false,
    });
    // Just under the mark, just over it: the nearest stops there are.
    expect(checkTpSl(draft("", "89799.5"), long, lnm).errors).toEqual({});
    expect(checkTpSl(draft("", "90200.5"), short, lnm).errors).toEqual({});
  });

  it("lets a position in profit stop out at or beyond its entry, locking the profit in", () => {
    const winningLong = position({ side: "long", entry_price: "90000", mark_price: "92000" });
    const winningShort = position({ side: "short", entry_price: "90000", mark_price: "88000" });
    expect(checkTpSl(draft("95000", "90000"), winningLong, lnm).request).toEqual({
      takeProfit: "95000",
      stopLoss: "90000",
      trailing: false,
    });
    expect(checkTpSl(draft("", "91500"), winningLong, lnm).errors).toEqual({});
    expect(checkTpSl(draft("85000", "89000"), winningShort, lnm).errors).toEqual({});
    // Past the mark is still the wrong side.
    expect(checkTpSl(draft("", "92500"), winningLong, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be below the current price (92,000.0)",
    });
    expect(checkTpSl(draft("", "87500"), winningShort, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be above the current price (88,000.0)",
    });
  });

  it("removes what is left empty", () => {
    expect(checkTpSl(draft("", "  "), long, lnm)).toEqual({
      errors: {},
      request: { takeProfit: null, stopLoss: null, trailing: false },
    });
    expect(checkTpSl(draft("", "85000"), long, lnm).request).toEqual({
      takeProfit: null,
      stopLoss: "85000",
      trailing: false,
    });
  });

  it("trails a stop-loss only where the venue can, and only when there is one", () => {
    expect(checkTpSl(draft("", "85000", true), long, lnm, true).request).toEqual({
      takeProfit: null,
      stopLoss: "85000",
      trailing: true,
    });
    expect(checkTpSl(draft("", "85000", false), long, lnm, true).request?.trailing).toBe(false);
    expect(checkTpSl(draft("", "85000", true), long, lnm, false).request?.trailing).toBe(false);
    expect(checkTpSl(draft("95000", "", true), long, lnm, true).request).toEqual({
      takeProfit: "95000",
      stopLoss: null,
      trailing: false,
    });
    // A trailing stop is checked like any other.
    expect(checkTpSl(draft("", "90000", true), long, lnm, true).errors).toEqual({
      stop_loss: "Stop-loss must be below the current price (89,800.0)",
    });
  });

  it("keeps take-profit and stop-loss from crossing when no price is known", () => {
    const noEntryLong = position({ side: "long", entry_price: "0", mark_price: null });
    const noEntryShort = position({ side: "short", entry_price: "0", mark_price: null });
    expect(checkTpSl(draft("85000", "95000"), noEntryLong, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be below the take-profit",
    });
    expect(checkTpSl(draft("95000", "85000"), noEntryShort, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be above the take-profit",
    });
    expect(checkTpSl(draft("90000", "90000"), noEntryLong, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be below the take-profit",
    });
    expect(checkTpSl(draft("95000", "85000"), noEntryLong, lnm).request).toEqual({
      takeProfit: "95000",
      stopLoss: "85000",
      trailing: false,
    });
  });

  it("starts from what the position has", () => {
    expect(tpSlDraft(position({ take_profit: "95000", stop_loss: null }))).toEqual({
      takeProfit: "95000",
      stopLoss: "",
      trailing: false,
    });
    expect(tpSlDraft(position({ stop_loss: "89500", stop_loss_trail: "500" }))).toEqual({
      takeProfit: "",
      stopLoss: "89500",
      trailing: true,
    });
  });
});

describe("tpSlSummary", () => {
  const fmt = formatterFor(lnm);
  const say = (had: { take_profit: string | null; stop_loss: string | null }, r: TpSlRequest) =>
    tpSlSummary(had, r, fmt);

  it("says what was set and what was removed", () => {
    const off = { trailing: false };
    expect(
      say({ take_profit: null, stop_loss: null }, { takeProfit: "95000", stopLoss: null, ...off }),
    ).toBe("Take-profit set at 95,000.0");
    expect(
      say(
        { take_profit: "96000", stop_loss: "85000" },
        { takeProfit: null, stopLoss: "86000.5", ...off },
      ),
    ).toBe("Take-profit removed, stop-loss set at 86,000.5");
    expect(
      say(
        { take_profit: "96000", stop_loss: "85000" },
        { takeProfit: null, stopLoss: null, ...off },
      ),
    ).toBe("Take-profit removed, stop-loss removed");
    expect(
      say({ take_profit: null, stop_loss: null }, { takeProfit: null, stopLoss: null, ...off }),
    ).toBe("Take-profit and stop-loss cleared");
  });

  it("says when the stop-loss trails", () => {
    expect(
      say(
        { take_profit: null, stop_loss: null },
        { takeProfit: null, stopLoss: "88000", trailing: true },
      ),
    ).toBe("Trailing stop-loss set at 88,000.0");
  });
});

describe("checkMargin", () => {
  it("takes bitcoin margin in whole sats and sends it as exact BTC", () => {
    expect(marginUnit("BTC")).toBe("sats");
    expect(checkMargin("1000", "BTC")).toEqual({
      error: null,
      amount: { value: "0.00001", label: "1,000 sats" },
    });
    expect(checkMargin(" 1 ", "BTC").amount?.value).toBe("0.00000001");
    // Through floats, 29 × 1e-8 is 2.9000000000000003e-7; here it is exact and never in
    // exponent form.
    expect(checkMargin("29", "BTC").amount?.value).toBe("0.00000029");
    expect(checkMargin("123456789", "BTC").amount?.value).toBe("1.23456789");
    expect(checkMargin("2100000000000000", "BTC").amount?.value).toBe("21000000");
  });

  it.each([
    ["", "Enter an amount of margin in sats"],
    ["lots", "Margin must be a number"],
    ["0", "Margin must be above zero"],
    ["-1000", "Margin must be above zero"],
    ["1000.5", "Margin must be a whole number of sats"],
    ["0.001", "Margin must be a whole number of sats"],
  ])("refuses %j sats", (text, error) => {
    expect(checkMargin(text, "BTC")).toEqual({ error, amount: null });
  });

  it("takes other settle currencies with their decimals", () => {
    expect(marginUnit("USD")).toBe("USD");
    expect(checkMargin("10.50", "USD")).toEqual({
      error: null,
      amount: { value: "10.5", label: "10.50 USD" },
    });
    expect(checkMargin("10.505", "USD")).toEqual({
      error: "Margin can have at most 2 decimal places",
      amount: null,
    });
    expect(checkMargin("", "USDT").error).toBe("Enter an amount of margin in USDT");
    expect(checkMargin("2500", "sats").amount).toEqual({ value: "2500", label: "2,500 sats" });
    expect(checkMargin("2500.5", "sats").error).toBe("Margin must be a whole number of sats");
  });

  it("checks an amount to cash in the same way, in its own words", () => {
    expect(checkMargin("5000", "BTC", "cash_in")).toEqual({
      error: null,
      amount: { value: "0.00005", label: "5,000 sats" },
    });
    expect(checkMargin("", "BTC", "cash_in").error).toBe("Enter an amount to cash in, in sats");
    expect(checkMargin("0", "BTC", "cash_in").error).toBe("Amount must be above zero");
    expect(checkMargin("12.5", "BTC", "cash_in").error).toBe(
      "Amount must be a whole number of sats",
    );
  });
});

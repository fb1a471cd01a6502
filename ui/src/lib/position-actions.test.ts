import { describe, expect, it } from "vitest";
import { btcPerp, position } from "../test/fixtures";
import { formatterFor } from "./format";
import {
  checkMargin,
  checkTpSl,
  marginUnit,
  tpSlDraft,
  tpSlSummary,
  type TpSlErrors,
  type TpSlRequest,
} from "./position-actions";

// LN Markets-like: prices on a 0.5 tick, margin in BTC.
const lnm = btcPerp({ price_tick: "0.5", settle: "BTC" });
const long = position({ side: "long", entry_price: "90000" });
const short = position({ side: "short", entry_price: "90000" });

describe("checkTpSl", () => {
  interface Case {
    name: string;
    side: "long" | "short";
    takeProfit: string;
    stopLoss: string;
    errors: TpSlErrors;
  }

  const cases: Case[] = [
    {
      name: "a number is required",
      side: "long",
      takeProfit: "95k",
      stopLoss: "1e5",
      errors: {
        take_profit: "Take-profit must be a number",
        stop_loss: "Stop-loss must be a number",
      },
    },
    {
      name: "prices are positive",
      side: "short",
      takeProfit: "0",
      stopLoss: "-5",
      errors: {
        take_profit: "Take-profit must be above zero",
        stop_loss: "Stop-loss must be above zero",
      },
    },
    {
      name: "prices are on the tick",
      side: "long",
      takeProfit: "95000.3",
      stopLoss: "85000.25",
      errors: {
        take_profit: "Take-profit must be a multiple of the tick 0.5",
        stop_loss: "Stop-loss must be a multiple of the tick 0.5",
      },
    },
    {
      name: "a long takes profit above its entry and stops below it",
      side: "long",
      takeProfit: "89000",
      stopLoss: "91000",
      errors: {
        take_profit: "Take-profit must be above the entry price (90,000.0)",
        stop_loss: "Stop-loss must be below the entry price (90,000.0)",
      },
    },
    {
      name: "a short takes profit below its entry and stops above it",
      side: "short",
      takeProfit: "91000",
      stopLoss: "89000",
      errors: {
        take_profit: "Take-profit must be below the entry price (90,000.0)",
        stop_loss: "Stop-loss must be above the entry price (90,000.0)",
      },
    },
    {
      name: "the entry itself is on neither side",
      side: "long",
      takeProfit: "90000",
      stopLoss: "90000.0",
      errors: {
        take_profit: "Take-profit must be above the entry price (90,000.0)",
        stop_loss: "Stop-loss must be below the entry price (90,000.0)",
      },
    },
    {
      name: "one field wrong leaves the other alone",
      side: "short",
      takeProfit: "85000",
      stopLoss: "90000",
      errors: { stop_loss: "Stop-loss must be above the entry price (90,000.0)" },
    },
  ];

  it.each(cases)("$name", (c) => {
    const p = c.side === "long" ? long : short;
    const check = checkTpSl({ takeProfit: c.takeProfit, stopLoss: c.stopLoss }, p, lnm);
    expect(check.errors).toEqual(c.errors);
    expect(check.request).toBeNull();
  });

  it("accepts prices on the right sides, sending them as typed", () => {
    expect(checkTpSl({ takeProfit: " 95000.5 ", stopLoss: "85000" }, long, lnm)).toEqual({
      errors: {},
      request: { takeProfit: "95000.5", stopLoss: "85000" },
    });
    expect(checkTpSl({ takeProfit: "85000", stopLoss: "95000" }, short, lnm).request).toEqual({
      takeProfit: "85000",
      stopLoss: "95000",
    });
  });

  it("removes what is left empty", () => {
    expect(checkTpSl({ takeProfit: "", stopLoss: "  " }, long, lnm)).toEqual({
      errors: {},
      request: { takeProfit: null, stopLoss: null },
    });
    expect(checkTpSl({ takeProfit: "", stopLoss: "85000" }, long, lnm).request).toEqual({
      takeProfit: null,
      stopLoss: "85000",
    });
  });

  it("keeps take-profit and stop-loss from crossing when the entry is unknown", () => {
    const noEntryLong = position({ side: "long", entry_price: "0" });
    const noEntryShort = position({ side: "short", entry_price: "0" });
    expect(checkTpSl({ takeProfit: "85000", stopLoss: "95000" }, noEntryLong, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be below the take-profit",
    });
    expect(checkTpSl({ takeProfit: "95000", stopLoss: "85000" }, noEntryShort, lnm).errors).toEqual(
      { stop_loss: "Stop-loss must be above the take-profit" },
    );
    expect(checkTpSl({ takeProfit: "90000", stopLoss: "90000" }, noEntryLong, lnm).errors).toEqual({
      stop_loss: "Stop-loss must be below the take-profit",
    });
    expect(checkTpSl({ takeProfit: "95000", stopLoss: "85000" }, noEntryLong, lnm).request).toEqual(
      { takeProfit: "95000", stopLoss: "85000" },
    );
  });

  it("starts from what the position has", () => {
    expect(tpSlDraft(position({ take_profit: "95000", stop_loss: null }))).toEqual({
      takeProfit: "95000",
      stopLoss: "",
    });
  });
});

describe("tpSlSummary", () => {
  const fmt = formatterFor(lnm);
  const say = (had: { take_profit: string | null; stop_loss: string | null }, r: TpSlRequest) =>
    tpSlSummary(had, r, fmt);

  it("says what was set and what was removed", () => {
    expect(
      say({ take_profit: null, stop_loss: null }, { takeProfit: "95000", stopLoss: null }),
    ).toBe("Take-profit set at 95,000.0");
    expect(
      say({ take_profit: "96000", stop_loss: "85000" }, { takeProfit: null, stopLoss: "86000.5" }),
    ).toBe("Take-profit removed, stop-loss set at 86,000.5");
    expect(
      say({ take_profit: "96000", stop_loss: "85000" }, { takeProfit: null, stopLoss: null }),
    ).toBe("Take-profit removed, stop-loss removed");
    expect(say({ take_profit: null, stop_loss: null }, { takeProfit: null, stopLoss: null })).toBe(
      "Take-profit and stop-loss cleared",
    );
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

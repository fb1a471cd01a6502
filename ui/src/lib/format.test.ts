import { describe, expect, it } from "vitest";
import { btcPerp } from "../test/fixtures";
import {
  compactSize,
  formatAgo,
  formatCountdown,
  formatDateMinute,
  formatDateTime,
  formatDecimal,
  formatExact,
  formatPercent,
  formatUtcMinute,
  formatterFor,
  InstrumentFormat,
  btcFromSats,
  moneyDecimals,
  satsFromBtc,
  settleAmount,
  usdFromBtc,
} from "./format";

describe("compactSize", () => {
  it.each([
    ["0.125", 3, "0.125"],
    ["9850", 0, "9,850"],
    ["99999", 0, "99,999"],
    // From 100,000: four significant digits and a suffix, never wider than six characters.
    ["100000", 0, "100.0k"],
    ["108350", 0, "108.4k"],
    ["108349", 0, "108.3k"],
    ["999949", 0, "999.9k"],
    ["999950", 0, "1.000M"],
    ["1084000", 0, "1.084M"],
    ["25000000", 0, "25.00M"],
    ["108350000", 0, "108.4M"],
    ["2500000000", 0, "2.500B"],
    ["3000000000000", 0, "3.000T"],
    ["123456.789", 3, "123.5k"],
    ["-108350", 0, "-108.4k"],
  ])("%s (%i decimals) reads %s", (text, decimals, expected) => {
    expect(compactSize(text, decimals)).toBe(expected);
  });

  it("shows a dash for missing or unreadable values", () => {
    expect(compactSize(null, 0)).toBe("—");
    expect(compactSize("1e6", 0)).toBe("—");
  });
});

describe("formatDecimal", () => {
  it.each([
    ["91250.5", 1, "91,250.5"],
    ["91250.25", 1, "91,250.3"],
    ["1234567.891", 2, "1,234,567.89"],
    ["0.1", 3, "0.100"],
    ["-1234.5", 0, "-1,235"],
    ["-0.004", 2, "0.00"],
    ["12", 0, "12"],
  ])("%s to %i decimals is %s", (text, decimals, expected) => {
    expect(formatDecimal(text, decimals)).toBe(expected);
  });

  it("shows a dash for missing or unreadable values", () => {
    expect(formatDecimal(null, 2)).toBe("—");
    expect(formatDecimal(undefined, 2)).toBe("—");
    expect(formatDecimal("abc", 2)).toBe("—");
  });

  it("signs positives on request and can drop grouping", () => {
    expect(formatDecimal("12.5", 2, { signed: true })).toBe("+12.50");
    expect(formatDecimal("-12.5", 2, { signed: true })).toBe("-12.50");
    expect(formatDecimal("0", 2, { signed: true })).toBe("0.00");
    expect(formatDecimal("12345", 0, { grouping: false })).toBe("12345");
  });

  it("is exact where floats are not", () => {
    // 0.1 + 0.2 style noise never reaches the screen: the text is rounded as a decimal.
    expect(formatDecimal("0.30000000000000004", 2)).toBe("0.30");
    expect(formatDecimal("1.005", 2)).toBe("1.01");
  });
});

describe("InstrumentFormat", () => {
  it("formats prices to the tick and sizes to the step", () => {
    const f = new InstrumentFormat(btcPerp());
    expect(f.priceDecimals).toBe(1);
    expect(f.sizeDecimals).toBe(3);
    expect(f.price("91250")).toBe("91,250.0");
    expect(f.price("91250.75")).toBe("91,250.8");
    expect(f.size("0.01")).toBe("0.010");
    expect(f.size("2")).toBe("2.000");
  });

  it("follows other ticks and steps", () => {
    const f = new InstrumentFormat(btcPerp({ price_tick: "0.05", size_step: "1", settle: "BTC" }));
    expect(f.price("3120.1")).toBe("3,120.10");
    expect(f.size("15")).toBe("15");
    expect(f.money("0.000123456")).toBe("0.00012346");
    expect(f.money("12.3456", "USD")).toBe("12.35");
  });

  it("caches per instrument and falls back without one", () => {
    const spec = btcPerp();
    expect(formatterFor(spec)).toBe(formatterFor(spec));
    expect(formatterFor(undefined).price("1.234")).toBe("1.23");
  });
});

describe("other formats", () => {
  it("writes funding fractions as percentages", () => {
    expect(formatPercent("0.0001")).toBe("0.0100%");
    expect(formatPercent("-0.00025", 3)).toBe("-0.025%");
    expect(formatPercent("2", 1)).toBe("200.0%");
    expect(formatPercent(null)).toBe("—");
  });

  it("knows money decimals per currency", () => {
    expect(moneyDecimals("USD")).toBe(2);
    expect(moneyDecimals("btc")).toBe(8);
    expect(moneyDecimals("sat")).toBe(0);
  });

  it("counts down to funding", () => {
    expect(formatCountdown(3_723_000)).toBe("1:02:03");
    expect(formatCountdown(-5)).toBe("0:00:00");
  });

  it("writes local date and time, to the second or to the minute", () => {
    const t = new Date(2026, 2, 4, 9, 5, 7).getTime();
    expect(formatDateTime(t)).toBe("03-04 09:05:07");
    expect(formatDateMinute(t)).toBe("03-04 09:05");
  });

  it("writes UTC date and time to the minute, whatever the local zone", () => {
    expect(formatUtcMinute(Date.UTC(2026, 3, 2, 8, 0, 59))).toBe("04-02 08:00");
    expect(formatUtcMinute(Date.UTC(2026, 11, 31, 23, 59))).toBe("12-31 23:59");
  });

  it.each([
    [0, "0 s ago"],
    [-800, "0 s ago"],
    [3_999, "3 s ago"],
    [59_999, "59 s ago"],
    [60_000, "1 min ago"],
    [3_599_999, "59 min ago"],
    [3_600_000, "1 h ago"],
    [86_400_000 * 3 + 5, "3 d ago"],
  ])("says %s ms back was %s", (ms, expected) => {
    expect(formatAgo(ms)).toBe(expected);
  });

  it("writes a decimal with every digit it has", () => {
    expect(formatExact("0.0001")).toBe("0.0001");
    expect(formatExact("1000000")).toBe("1,000,000");
    expect(formatExact("2500.50")).toBe("2,500.50");
    expect(formatExact("x")).toBe("—");
    expect(formatExact(null)).toBe("—");
  });
});

describe("bitcoin amounts", () => {
  it("converts BTC to whole sats exactly", () => {
    expect(satsFromBtc("0.01234567")).toBe("1234567");
    expect(satsFromBtc("0.1")).toBe("10000000");
    expect(satsFromBtc("-0.00000001")).toBe("-1");
    expect(satsFromBtc("0.000000001")).toBeNull();
    expect(satsFromBtc("n/a")).toBeNull();
    expect(satsFromBtc(null)).toBeNull();
  });

  it("converts whole sats to BTC exactly, without trailing zeros", () => {
    expect(btcFromSats("1000")).toBe("0.00001");
    expect(btcFromSats("1")).toBe("0.00000001");
    expect(btcFromSats("123456789")).toBe("1.23456789");
    expect(btcFromSats("100000000")).toBe("1");
    expect(btcFromSats("1000.0")).toBe("0.00001");
    expect(btcFromSats("1000.5")).toBeNull();
    expect(btcFromSats("1,000")).toBeNull();
  });

  it("shows settle amounts in sats for bitcoin, else in the currency", () => {
    expect(settleAmount("0.00045", "BTC")).toEqual({ amount: "45,000", unit: "sats" });
    expect(settleAmount("45000", "sats")).toEqual({ amount: "45,000", unit: "sats" });
    expect(settleAmount("450", "USD")).toEqual({ amount: "450.00", unit: "USD" });
  });

  it("values BTC in USD to the cent, only with a price", () => {
    expect(usdFromBtc("0.1", "50000.5")).toBe("5,000.05");
    expect(usdFromBtc("0.01234567", "91226")).toBe("1,126.25");
    expect(usdFromBtc("0.1", null)).toBeNull();
    expect(usdFromBtc("x", "1")).toBeNull();
  });
});

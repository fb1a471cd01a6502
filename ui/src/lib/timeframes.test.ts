import { TickMarkType, type UTCTimestamp } from "lightweight-charts";
import { describe, expect, it } from "vitest";
import type { Timeframe } from "./bindings/bindings";
import {
  MORE_TIMEFRAMES,
  QUICK_TIMEFRAMES,
  TIMEFRAMES,
  calendarTickMark,
  calendarTime,
  timeframeLabel,
} from "./timeframes";

const at = (iso: string): UTCTimestamp => (Date.parse(iso) / 1000) as UTCTimestamp;

describe("timeframes", () => {
  it("offers every range the backend buckets, each once, quick ones first on buttons", () => {
    expect(TIMEFRAMES).toHaveLength(15);
    expect(new Set(TIMEFRAMES).size).toBe(15);
    expect(QUICK_TIMEFRAMES).toEqual(["1m", "5m", "15m", "1h", "4h", "1d"]);
    expect(MORE_TIMEFRAMES.map(timeframeLabel)).toEqual([
      "3m",
      "10m",
      "30m",
      "45m",
      "2h",
      "3h",
      "1W",
      "1M",
      "3M",
    ]);
  });

  it("labels daily and longer bars by their UTC date, whatever the local zone", () => {
    interface Case {
      tf: Timeframe;
      time: UTCTimestamp;
      expected: string | null;
    }
    const cases: Case[] = [
      { tf: "1d", time: at("2025-03-14T00:00:00Z"), expected: "Mar 14, 2025" },
      { tf: "1w", time: at("2025-03-10T00:00:00Z"), expected: "Mar 10, 2025" },
      { tf: "1month", time: at("2025-04-01T00:00:00Z"), expected: "Apr 2025" },
      { tf: "3months", time: at("2024-10-01T00:00:00Z"), expected: "Oct–Dec 2024" },
      { tf: "3months", time: at("2024-11-01T00:00:00Z"), expected: "Nov 2024–Jan 2025" },
      { tf: "4h", time: at("2025-03-10T00:00:00Z"), expected: null },
    ];
    cases.forEach((c, i) => {
      expect(calendarTime(c.tf, c.time), `case ${String(i)}`).toBe(c.expected);
    });
  });

  it("marks the axis of monthly bars with months and years, not the 1st", () => {
    const april = at("2025-04-01T00:00:00Z");
    expect(calendarTickMark("1month", april, TickMarkType.DayOfMonth)).toBe("Apr");
    expect(calendarTickMark("1month", april, TickMarkType.Month)).toBe("Apr");
    expect(calendarTickMark("1month", at("2025-01-01T00:00:00Z"), TickMarkType.Year)).toBe("2025");
    expect(calendarTickMark("1w", at("2025-03-10T00:00:00Z"), TickMarkType.DayOfMonth)).toBe("10");
    expect(calendarTickMark("1h", april, TickMarkType.Time)).toBeNull();
  });
});

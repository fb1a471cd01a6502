// The candle ranges the chart offers and how their bars' times read. Daily and longer bars
// are buckets of UTC calendar days (weeks from Monday, months from the 1st), so their times
// are shown as UTC dates: in local time a bar opening at 00:00 UTC would read as the evening
// before, and a monthly bar as the last day of the previous month.

import { TickMarkType, type Time } from "lightweight-charts";
import type { Timeframe } from "./bindings/bindings";

/** Every timeframe, shortest first. */
export const TIMEFRAMES: readonly Timeframe[] = [
  "1m",
  "3m",
  "5m",
  "10m",
  "15m",
  "30m",
  "45m",
  "1h",
  "2h",
  "3h",
  "4h",
  "1d",
  "1w",
  "1month",
  "3months",
];

/** The timeframes with a button of their own; the rest are in the "more" list. */
export const QUICK_TIMEFRAMES: readonly Timeframe[] = ["1m", "5m", "15m", "1h", "4h", "1d"];

/** The timeframes in the "more" list, shortest first. */
export const MORE_TIMEFRAMES: readonly Timeframe[] = TIMEFRAMES.filter(
  (tf) => !QUICK_TIMEFRAMES.includes(tf),
);

const LABEL: Record<Timeframe, string> = {
  "1m": "1m",
  "3m": "3m",
  "5m": "5m",
  "10m": "10m",
  "15m": "15m",
  "30m": "30m",
  "45m": "45m",
  "1h": "1h",
  "2h": "2h",
  "3h": "3h",
  "4h": "4h",
  "1d": "1d",
  "1w": "1W",
  "1month": "1M",
  "3months": "3M",
};

/** How a timeframe reads on its button: "15m", "1W", "3M". */
export function timeframeLabel(tf: Timeframe): string {
  return LABEL[tf];
}

/** Whether the timeframe's bars are whole UTC days or longer. */
export function isCalendar(tf: Timeframe): boolean {
  return tf === "1d" || tf === "1w" || tf === "1month" || tf === "3months";
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function utc(time: Time): Date | null {
  if (typeof time === "number") return new Date(time * 1000);
  if (typeof time === "object") return new Date(Date.UTC(time.year, time.month - 1, time.day));
  return null;
}

function month(index: number): string {
  return MONTHS[((index % 12) + 12) % 12] ?? "";
}

/** The crosshair and legend label of a daily-or-longer bar, in UTC: "Mar 10, 2025" (a day or
 * the week starting that Monday), "Mar 2025", "Jan–Mar 2025". Null for intraday timeframes,
 * whose labels stay in local time. */
export function calendarTime(tf: Timeframe, time: Time): string | null {
  if (!isCalendar(tf)) return null;
  const d = utc(time);
  if (d === null) return null;
  const year = String(d.getUTCFullYear());
  const m = d.getUTCMonth();
  switch (tf) {
    case "1month":
      return `${month(m)} ${year}`;
    case "3months":
      return m + 2 < 12
        ? `${month(m)}–${month(m + 2)} ${year}`
        : `${month(m)} ${year}–${month(m + 2)} ${String(d.getUTCFullYear() + 1)}`;
    default:
      return `${month(m)} ${String(d.getUTCDate())}, ${year}`;
  }
}

/** An axis label for a daily-or-longer bar, in UTC: the year, the month, or the day of the
 * month. Null for intraday timeframes. */
export function calendarTickMark(tf: Timeframe, time: Time, kind: TickMarkType): string | null {
  if (!isCalendar(tf)) return null;
  const d = utc(time);
  if (d === null) return null;
  switch (kind) {
    case TickMarkType.Year:
      return String(d.getUTCFullYear());
    case TickMarkType.Month:
      return month(d.getUTCMonth());
    case TickMarkType.DayOfMonth:
    case TickMarkType.Time:
    case TickMarkType.TimeWithSeconds:
      // A monthly bar's mark on its first day reads as the month, not "1".
      return d.getUTCDate() === 1 && tf !== "1d" && tf !== "1w"
        ? month(d.getUTCMonth())
        : String(d.getUTCDate());
  }
}

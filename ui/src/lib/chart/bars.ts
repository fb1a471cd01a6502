// Candles (decimal strings, ms) to the chart's bars (numbers, seconds).

import {
  TickMarkType,
  type CandlestickData,
  type HistogramData,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import type { Candle } from "../bindings/bindings";
import { CHART_COLORS } from "./theme";

/** lightweight-charts counts time in seconds. */
export function toChartTime(ms: number): UTCTimestamp {
  return Math.floor(ms / 1000) as UTCTimestamp;
}

export function candleBar(c: Candle): CandlestickData<UTCTimestamp> {
  return {
    time: toChartTime(c.open_time),
    open: Number(c.open),
    high: Number(c.high),
    low: Number(c.low),
    close: Number(c.close),
  };
}

export function volumeBar(c: Candle): HistogramData<UTCTimestamp> {
  return {
    time: toChartTime(c.open_time),
    value: Number(c.volume),
    color: Number(c.close) >= Number(c.open) ? CHART_COLORS.upVolume : CHART_COLORS.downVolume,
  };
}

function pad2(n: number): string {
  return n < 10 ? "0" + String(n) : String(n);
}

/** Crosshair label in local time: "Mar 14 14:03". */
export function crosshairTime(time: Time): string {
  if (typeof time === "string") return time;
  if (typeof time === "object") return `${String(time.year)}-${pad2(time.month)}-${pad2(time.day)}`;
  const d = new Date(time * 1000);
  const month = d.toLocaleString("en", { month: "short" });
  return `${month} ${String(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** Axis labels in local time; coarser marks show the date. */
export function tickMark(time: Time, kind: TickMarkType): string | null {
  if (typeof time !== "number") return null;
  const d = new Date(time * 1000);
  switch (kind) {
    case TickMarkType.Year:
      return String(d.getFullYear());
    case TickMarkType.Month:
      return d.toLocaleString("en", { month: "short" });
    case TickMarkType.DayOfMonth:
      return String(d.getDate());
    case TickMarkType.Time:
    case TickMarkType.TimeWithSeconds:
      return `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  }
}

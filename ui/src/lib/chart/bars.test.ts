import { describe, expect, it } from "vitest";
import { candle } from "../../test/fixtures";
import { candleBar, toChartTime, volumeBar } from "./bars";
import { CHART_COLORS } from "./theme";

describe("chart bars", () => {
  it("counts time in whole seconds", () => {
    expect(toChartTime(1_700_000_000_999)).toBe(1_700_000_000);
    expect(toChartTime(60_000)).toBe(60);
  });

  it("turns a candle's decimal strings into the chart's numbers", () => {
    const c = candle(2, "91250.5", { open: "91200.0", high: "91300.0", low: "91150.5" });
    expect(candleBar(c)).toEqual({
      time: 120,
      open: 91200,
      high: 91300,
      low: 91150.5,
      close: 91250.5,
    });
  });

  it("colours volume by the candle's direction; an unchanged close counts as up", () => {
    const up = candle(1, "101", { open: "100", volume: "12.5" });
    const down = candle(1, "99", { open: "100" });
    const flat = candle(1, "100", { open: "100" });
    expect(volumeBar(up)).toEqual({ time: 60, value: 12.5, color: CHART_COLORS.upVolume });
    expect(volumeBar(down).color).toBe(CHART_COLORS.downVolume);
    expect(volumeBar(flat).color).toBe(CHART_COLORS.upVolume);
  });
});

import { describe, expect, it } from "vitest";
import { candle } from "../../test/fixtures";
import { CandleSeries } from "./candles";

describe("CandleSeries", () => {
  it("upserts by open time and says what changed", () => {
    const s = new CandleSeries();
    expect(s.upsert(candle(2, "10"))).toBe("append");
    expect(s.upsert(candle(2, "11"))).toBe("update-last");
    expect(s.upsert(candle(2, "11"))).toBe("unchanged");
    expect(s.upsert(candle(4, "12"))).toBe("append");
    expect(s.upsert(candle(2, "9"))).toBe("update-older");
    expect(s.upsert(candle(3, "8"))).toBe("insert-older");
    expect(s.bars.map((c) => c.open_time / 60_000)).toEqual([2, 3, 4]);
  });

  it("merges history under live bars without duplicates", () => {
    const s = new CandleSeries();
    s.upsert(candle(5, "live5"));
    s.upsert(candle(6, "live6"));
    const added = s.mergeHistory([
      candle(3, "h3"),
      candle(4, "h4"),
      candle(5, "h5"),
      candle(5, "dup"),
    ]);
    expect(added).toBe(2);
    expect(s.bars.map((c) => c.close)).toEqual(["h3", "h4", "live5", "live6"]);
    expect(s.mergeHistory([])).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import type { MarketFrame } from "../bindings/bindings";
import { candle, frame, trade } from "../../test/fixtures";
import { FrameBatcher, mergeFrames, type FrameClock } from "./frames";

function manualClock() {
  const paints: (() => void)[] = [];
  const clock: FrameClock = {
    onNextPaint(cb) {
      paints.push(cb);
      return () => {
        const i = paints.indexOf(cb);
        if (i >= 0) paints.splice(i, 1);
      };
    },
    after() {
      return () => undefined;
    },
  };
  const paint = (): void => {
    for (const cb of paints.splice(0)) cb();
  };
  return { clock, paint };
}

describe("mergeFrames", () => {
  it("keeps the latest of everything and concatenates prints", () => {
    const book = { bids: [], asks: [], status: "live" as const, sequence: 1 };
    const a = frame({
      frame: 1,
      book,
      candles: [
        { timeframe: "1m", candle: candle(1, "1") },
        { timeframe: "5m", candle: candle(0, "1") },
      ],
      trades: [trade("a"), trade("b")],
    });
    const b = frame({
      frame: 2,
      status: "reconnecting",
      candles: [{ timeframe: "1m", candle: candle(1, "2") }],
      trades: [trade("c")],
    });
    const m = mergeFrames(a, b, 2);
    expect(m.frame).toBe(2);
    expect(m.status).toBe("reconnecting");
    expect(m.book).toBe(book);
    expect(m.candles.map((u) => [u.timeframe, u.candle.close])).toEqual([
      ["5m", "1"],
      ["1m", "2"],
    ]);
    expect(m.trades.map((t) => t.trade_id)).toEqual(["b", "c"]);
  });
});

describe("FrameBatcher", () => {
  it("applies at most one merged frame per paint", () => {
    const applied: MarketFrame[] = [];
    const { clock, paint } = manualClock();
    const batcher = new FrameBatcher((f) => applied.push(f), 50, clock);
    batcher.push(frame({ frame: 1, trades: [trade("a")] }));
    batcher.push(frame({ frame: 2, trades: [trade("b")] }));
    batcher.push(frame({ frame: 3 }));
    expect(applied).toHaveLength(0);
    paint();
    expect(applied).toHaveLength(1);
    expect(applied[0]?.frame).toBe(3);
    expect(applied[0]?.trades.map((t) => t.trade_id)).toEqual(["a", "b"]);
    paint();
    expect(applied).toHaveLength(1);
    batcher.push(frame({ frame: 4 }));
    batcher.discard();
    paint();
    expect(applied).toHaveLength(1);
  });
});

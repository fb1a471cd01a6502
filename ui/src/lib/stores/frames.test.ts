import { describe, expect, it } from "vitest";
import type { MarketFrame } from "../bindings/bindings";
import { BTC, candle, frame, trade } from "../../test/fixtures";
import { FrameBatcher, mergeFrames, type FrameClock } from "./frames";

function manualClock() {
  const paints: (() => void)[] = [];
  const timers: (() => void)[] = [];
  const queue = (list: (() => void)[], cb: () => void): (() => void) => {
    list.push(cb);
    return () => {
      const i = list.indexOf(cb);
      if (i >= 0) list.splice(i, 1);
    };
  };
  const clock: FrameClock = {
    onNextPaint: (cb) => queue(paints, cb),
    after: (_ms, cb) => queue(timers, cb),
  };
  const paint = (): void => {
    for (const cb of paints.splice(0)) cb();
  };
  /** The stall timer firing because no paint came (a hidden window). */
  const stall = (): void => {
    for (const cb of timers.splice(0)) cb();
  };
  return { clock, paint, stall };
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

  it("lets a later book and ticker replace earlier ones", () => {
    const older = { bids: [], asks: [], status: "live" as const, sequence: 1 };
    const newer = { bids: [], asks: [], status: "resyncing" as const, sequence: 2 };
    const ticker = (last: string) => ({ instrument: BTC, last, ts: 1 });
    const m = mergeFrames(
      frame({ frame: 1, book: older, ticker: ticker("1") }),
      frame({ frame: 2, book: newer, ticker: ticker("2") }),
      50,
    );
    expect(m.book).toBe(newer);
    expect(m.ticker?.last).toBe("2");
  });

  it("keeps every print when under the cap, oldest first", () => {
    const m = mergeFrames(
      frame({ trades: [trade("a")] }),
      frame({ trades: [trade("b"), trade("c")] }),
      50,
    );
    expect(m.trades.map((t) => t.trade_id)).toEqual(["a", "b", "c"]);
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

  it("applies anyway when no paint comes, and only once", () => {
    const applied: MarketFrame[] = [];
    const { clock, paint, stall } = manualClock();
    const batcher = new FrameBatcher((f) => applied.push(f), 50, clock);
    batcher.push(frame({ frame: 1 }));
    batcher.push(frame({ frame: 2 }));
    stall();
    expect(applied.map((f) => f.frame)).toEqual([2]);
    paint(); // the paint callback was cancelled by the flush
    expect(applied).toHaveLength(1);
  });
});

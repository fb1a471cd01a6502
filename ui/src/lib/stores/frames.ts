// Frames arrive up to ~60 times a second; the screen takes at most one per animation frame.
// Frames that arrive in between are merged, so memory stays bounded while a window is hidden.

import type { CandleUpdate, MarketFrame } from "../bindings/bindings";

/** Merges `next` into `prev`: latest ticker, book and status; latest version of every candle;
 * prints concatenated (oldest first) and capped to the last `tapeCap`. */
export function mergeFrames(prev: MarketFrame, next: MarketFrame, tapeCap: number): MarketFrame {
  const candles = new Map<string, CandleUpdate>();
  for (const u of prev.candles) candles.set(`${u.timeframe}@${String(u.candle.open_time)}`, u);
  for (const u of next.candles) {
    const key = `${u.timeframe}@${String(u.candle.open_time)}`;
    candles.delete(key); // re-insert so order follows the newest version
    candles.set(key, u);
  }
  const trades = prev.trades.concat(next.trades);
  return {
    instrument: next.instrument,
    frame: next.frame,
    status: next.status,
    ticker: next.ticker ?? prev.ticker,
    book: next.book ?? prev.book,
    candles: [...candles.values()],
    trades: trades.length > tapeCap ? trades.slice(trades.length - tapeCap) : trades,
  };
}

export interface FrameClock {
  /** Runs `cb` before the next paint; returns a cancel function. */
  onNextPaint(cb: () => void): () => void;
  /** Runs `cb` after `ms`, for when paints stall (hidden window); returns a cancel function. */
  after(ms: number, cb: () => void): () => void;
}

const browserClock: FrameClock = {
  onNextPaint(cb) {
    const id = requestAnimationFrame(() => {
      cb();
    });
    return () => {
      cancelAnimationFrame(id);
    };
  },
  after(ms, cb) {
    const id = setTimeout(cb, ms);
    return () => {
      clearTimeout(id);
    };
  },
};

/** If no paint comes for this long, apply anyway so state does not go stale. */
const STALL_MS = 250;

/** Collects frames and hands one merged frame to `apply` per animation frame. */
export class FrameBatcher {
  #pending: MarketFrame | null = null;
  #cancels: (() => void)[] = [];
  readonly #apply: (frame: MarketFrame) => void;
  readonly #clock: FrameClock;
  readonly #tapeCap: number;

  constructor(
    apply: (frame: MarketFrame) => void,
    tapeCap: number,
    clock: FrameClock = browserClock,
  ) {
    this.#apply = apply;
    this.#tapeCap = tapeCap;
    this.#clock = clock;
  }

  push(frame: MarketFrame): void {
    const first = this.#pending === null;
    this.#pending =
      this.#pending === null ? frame : mergeFrames(this.#pending, frame, this.#tapeCap);
    if (first) {
      const flush = (): void => {
        this.flush();
      };
      this.#cancels = [this.#clock.onNextPaint(flush), this.#clock.after(STALL_MS, flush)];
    }
  }

  /** Applies whatever is pending now. */
  flush(): void {
    for (const cancel of this.#cancels) cancel();
    this.#cancels = [];
    const frame = this.#pending;
    this.#pending = null;
    if (frame !== null) this.#apply(frame);
  }

  /** Drops anything pending (on instrument switch). */
  discard(): void {
    for (const cancel of this.#cancels) cancel();
    this.#cancels = [];
    this.#pending = null;
  }
}

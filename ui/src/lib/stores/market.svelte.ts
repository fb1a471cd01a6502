// Market state for the instrument on screen: ticker, book, tape and candles for every
// timeframe. Frames are applied whole (one per animation frame, see frames.ts); candles are
// not reactive state — the chart is told exactly which bar changed.

import type {
  AppError,
  BookView,
  Candle,
  InstrumentId,
  MarketFrame,
  StreamStatus,
  Ticker,
  Timeframe,
  Trade,
} from "../bindings/bindings";
import { sameInstrument } from "../instrument";
import { TIMEFRAMES } from "../timeframes";
import { CandleSeries, type CandleChange } from "./candles";
import type { Result } from "../ipc/result";

/** Prints kept on the tape. */
export const TAPE_LENGTH = 50;
/** Candles asked for per history request. */
export const HISTORY_PAGE = 500;

/** Every timeframe the backend buckets; the store keeps a series for each. */
export { TIMEFRAMES };

export type FetchCandles = (
  instrument: InstrumentId,
  timeframe: Timeframe,
  before: number | null,
  limit: number,
) => Promise<Result<Candle[], AppError>>;

/** Told of candle changes; `reset` means "redraw the whole series". */
export interface CandleListener {
  bar(timeframe: Timeframe, candle: Candle, change: CandleChange): void;
  reset(timeframe: Timeframe): void;
}

export class MarketStore {
  instrument = $state.raw<InstrumentId | null>(null);
  status = $state<StreamStatus>("connecting");
  ticker = $state.raw<Ticker | null>(null);
  book = $state.raw<BookView | null>(null);
  /** Newest first, at most TAPE_LENGTH. */
  trades = $state.raw<Trade[]>([]);
  /** The last history request failed with this message. */
  historyError = $state<string | null>(null);
  /** Frame counter of the last frame applied. */
  lastFrame = 0;
  /** Bumped by every reset: whoever draws the market starts over when it changes. */
  epoch = $state(0);

  readonly #fetch: FetchCandles;
  readonly #series = new Map<Timeframe, CandleSeries>();
  readonly #listeners = new Set<CandleListener>();
  readonly #inflight = new Map<Timeframe, Promise<void>>();
  #generation = 0;

  constructor(fetchCandles: FetchCandles) {
    this.#fetch = fetchCandles;
    for (const tf of TIMEFRAMES) this.#series.set(tf, new CandleSeries());
  }

  /** The candles of one timeframe. */
  series(timeframe: Timeframe): CandleSeries {
    let s = this.#series.get(timeframe);
    if (s === undefined) {
      s = new CandleSeries();
      this.#series.set(timeframe, s);
    }
    return s;
  }

  /** Registers a candle listener; returns the function that removes it. */
  listen(listener: CandleListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Forgets everything and starts over for `instrument`. */
  reset(instrument: InstrumentId | null): void {
    this.#generation++;
    this.epoch++;
    this.#inflight.clear();
    this.instrument = instrument;
    this.status = "connecting";
    this.ticker = null;
    this.book = null;
    this.trades = [];
    this.historyError = null;
    this.lastFrame = 0;
    for (const [tf, s] of this.#series) {
      s.clear();
      for (const l of this.#listeners) l.reset(tf);
    }
  }

  /** Applies one (possibly merged) frame. Frames for another instrument are ignored. */
  applyFrame(frame: MarketFrame): void {
    if (this.instrument === null || !sameInstrument(frame.instrument, this.instrument)) return;
    this.lastFrame = frame.frame;
    if (frame.status !== this.status) this.status = frame.status;
    if (frame.ticker) this.ticker = frame.ticker;
    if (frame.book) this.book = frame.book;
    if (frame.trades.length > 0)
      this.trades = prependTrades(this.trades, frame.trades, TAPE_LENGTH);
    for (const { timeframe, candle } of frame.candles) {
      const change = this.series(timeframe).upsert(candle);
      if (change === "unchanged") continue;
      for (const l of this.#listeners) l.bar(timeframe, candle, change);
    }
  }

  /** Loads the latest page of history for `timeframe` once; later calls share the result. */
  loadHistory(timeframe: Timeframe): Promise<void> {
    const series = this.series(timeframe);
    if (series.loaded) return Promise.resolve();
    return this.#request(timeframe, null);
  }

  /** Loads the page before the oldest bar (scroll-back). No-op while one is in flight,
   * before the first page, or once the venue has no more. */
  loadOlder(timeframe: Timeframe): Promise<void> {
    const series = this.series(timeframe);
    if (!series.loaded) return this.loadHistory(timeframe);
    if (series.exhausted) return Promise.resolve();
    const oldest = series.oldest;
    if (oldest === undefined) return Promise.resolve();
    return this.#request(timeframe, oldest.open_time);
  }

  /** Whether a history request for `timeframe` is under way. */
  isLoading(timeframe: Timeframe): boolean {
    return this.#inflight.has(timeframe);
  }

  #request(timeframe: Timeframe, before: number | null): Promise<void> {
    const running = this.#inflight.get(timeframe);
    if (running !== undefined) return running;
    const instrument = this.instrument;
    if (instrument === null) return Promise.resolve();
    const generation = this.#generation;
    const request = this.#fetch(instrument, timeframe, before, HISTORY_PAGE).then((result) => {
      if (generation !== this.#generation) return; // the instrument changed meanwhile
      this.#inflight.delete(timeframe);
      const series = this.series(timeframe);
      if (result.status === "error") {
        this.historyError = result.error.message;
        return;
      }
      this.historyError = null;
      const added = series.mergeHistory(result.data);
      series.loaded = true;
      if (before !== null && added === 0) series.exhausted = true;
      if (before === null && result.data.length === 0) series.exhausted = true;
      for (const l of this.#listeners) l.reset(timeframe);
    });
    this.#inflight.set(timeframe, request);
    return request;
  }
}

/** Adds a frame's prints (oldest first) to the tape (newest first), skipping any already on
 * it, keeping at most `cap`. */
export function prependTrades(
  tape: readonly Trade[],
  prints: readonly Trade[],
  cap: number,
): Trade[] {
  const seen = new Set(tape.map((t) => t.trade_id));
  const fresh: Trade[] = [];
  for (let i = prints.length - 1; i >= 0 && fresh.length < cap; i--) {
    const t = prints[i] as Trade;
    if (seen.has(t.trade_id)) continue;
    seen.add(t.trade_id);
    fresh.push(t);
  }
  return fresh.concat(tape.slice(0, Math.max(0, cap - fresh.length)));
}

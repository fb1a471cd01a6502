// Market data over IPC: instruments, candle history, and the per-instrument frame stream.

import {
  commands,
  type AccountId,
  type AppError,
  type Candle,
  type Instrument,
  type InstrumentId,
  type MarketFrame,
  type Timeframe,
} from "../bindings/bindings";
import { settle } from "./result";
import { openStream, type Stream } from "./stream";
import type { Result } from "./result";

/** Instruments on the account's venue. */
export function listInstruments(account: AccountId): Promise<Result<Instrument[], AppError>> {
  return settle(() => commands.listInstruments(account));
}

/** Up to `limit` candles strictly before `before` (ms; null = up to now), oldest first. */
export function candleHistory(
  instrument: InstrumentId,
  timeframe: Timeframe,
  before: number | null,
  limit: number,
): Promise<Result<Candle[], AppError>> {
  return settle(() => commands.candleHistory(instrument, timeframe, before, limit));
}

/** Streams frames for `instrument` (at most one per ~16 ms) to `onFrame` until closed. */
export function openMarketStream(
  instrument: InstrumentId,
  onFrame: (frame: MarketFrame) => void,
): Promise<Result<Stream, AppError>> {
  return openStream<MarketFrame>(
    onFrame,
    (channel) => commands.subscribeMarket(instrument, channel),
    (subscription) => commands.unsubscribeMarket(subscription),
  );
}

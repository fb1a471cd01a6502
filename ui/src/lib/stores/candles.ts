// One timeframe's candles, oldest first, merged from history pages and live frames.

import type { Candle } from "../bindings/bindings";

/** What an upsert did to the series. */
export type CandleChange = "append" | "update-last" | "update-older" | "insert-older" | "unchanged";

function sameCandle(a: Candle, b: Candle): boolean {
  return (
    a.open === b.open &&
    a.high === b.high &&
    a.low === b.low &&
    a.close === b.close &&
    a.volume === b.volume
  );
}

/** Candles keyed by open time, kept sorted; not reactive (the chart is told of changes). */
export class CandleSeries {
  #bars: Candle[] = [];
  /** History has been fetched at least once. */
  loaded = false;
  /** The venue has nothing older than the oldest bar. */
  exhausted = false;

  get length(): number {
    return this.#bars.length;
  }

  /** Every bar, oldest first. Do not mutate. */
  get bars(): readonly Candle[] {
    return this.#bars;
  }

  get oldest(): Candle | undefined {
    return this.#bars[0];
  }

  get latest(): Candle | undefined {
    return this.#bars[this.#bars.length - 1];
  }

  /** Index of the bar opening at `time`, or -(insertion point) - 1. */
  #search(time: number): number {
    let lo = 0;
    let hi = this.#bars.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = (this.#bars[mid] as Candle).open_time;
      if (t < time) lo = mid + 1;
      else if (t > time) hi = mid - 1;
      else return mid;
    }
    return -lo - 1;
  }

  /** Adds or replaces the bar with `candle`'s open time; a live version always wins. */
  upsert(candle: Candle): CandleChange {
    const last = this.latest;
    if (last === undefined || candle.open_time > last.open_time) {
      this.#bars.push(candle);
      return "append";
    }
    const at = this.#search(candle.open_time);
    if (at < 0) {
      this.#bars.splice(-at - 1, 0, candle);
      return "insert-older";
    }
    if (sameCandle(this.#bars[at] as Candle, candle)) return "unchanged";
    this.#bars[at] = candle;
    return at === this.#bars.length - 1 ? "update-last" : "update-older";
  }

  /**
   * Merges a page of history (oldest first). Bars already present keep their version: they
   * came from live frames, which are newer. Returns how many bars were added.
   */
  mergeHistory(page: readonly Candle[]): number {
    if (page.length === 0) return 0;
    const merged: Candle[] = [];
    const old = this.#bars;
    let i = 0;
    let j = 0;
    let added = 0;
    while (i < old.length || j < page.length) {
      const a = old[i];
      const b = page[j];
      if (b === undefined || (a !== undefined && a.open_time < b.open_time)) {
        merged.push(a as Candle);
        i++;
      } else if (a === undefined || b.open_time < a.open_time) {
        if (merged.length === 0 || (merged[merged.length - 1] as Candle).open_time < b.open_time) {
          merged.push(b);
          added++;
        }
        j++;
      } else {
        merged.push(a);
        i++;
        j++;
      }
    }
    this.#bars = merged;
    return added;
  }

  clear(): void {
    this.#bars = [];
    this.loaded = false;
    this.exhausted = false;
  }
}

// An order book view as rows with cumulative depth, for drawing.

import type { BookLevel, BookView } from "../bindings/bindings";

export interface BookRow {
  price: string;
  size: string;
  /** Size at this level and every better one. */
  total: number;
  /** total / the deeper side's total, 0..1, for the depth bar. */
  depth: number;
}

export interface BookRows {
  /** Best (lowest) first. */
  asks: BookRow[];
  /** Best (highest) first. */
  bids: BookRow[];
  spread: number | null;
  mid: number | null;
}

function cumulative(levels: readonly BookLevel[], depth: number): BookRow[] {
  const rows: BookRow[] = [];
  let total = 0;
  for (const level of levels.slice(0, depth)) {
    total += Number(level.size);
    rows.push({ price: level.price, size: level.size, total, depth: 0 });
  }
  return rows;
}

/** Up to `depth` levels a side with cumulative totals scaled to the deeper side. */
export function bookRows(book: BookView | null, depth: number): BookRows {
  if (book === null) return { asks: [], bids: [], spread: null, mid: null };
  const asks = cumulative(book.asks, depth);
  const bids = cumulative(book.bids, depth);
  const max = Math.max(asks[asks.length - 1]?.total ?? 0, bids[bids.length - 1]?.total ?? 0);
  if (max > 0) {
    for (const r of asks) r.depth = r.total / max;
    for (const r of bids) r.depth = r.total / max;
  }
  const bestAsk = asks[0];
  const bestBid = bids[0];
  const spread =
    bestAsk !== undefined && bestBid !== undefined
      ? Number(bestAsk.price) - Number(bestBid.price)
      : null;
  const mid =
    bestAsk !== undefined && bestBid !== undefined
      ? (Number(bestAsk.price) + Number(bestBid.price)) / 2
      : null;
  return { asks, bids, spread, mid };
}

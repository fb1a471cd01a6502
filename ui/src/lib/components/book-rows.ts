// An order book view as rows with cumulative depth, for drawing.

import type { BookLevel, BookView } from "../bindings/bindings";
import { addDec, decToString, parseDec, type Dec } from "../decimal";

export interface BookRow {
  price: string;
  size: string;
  /** Size at this level and every better one, exact as text (contract counts run large). */
  cumulative: string;
  /** The same as a number, for drawing. */
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

const ZERO: Dec = { units: 0n, scale: 0 };

function cumulative(levels: readonly BookLevel[], depth: number): BookRow[] {
  const rows: BookRow[] = [];
  let sum = ZERO;
  for (const level of levels.slice(0, depth)) {
    // A size that does not parse adds nothing rather than poisoning every total below it.
    sum = addDec(sum, parseDec(level.size) ?? ZERO);
    const text = decToString(sum);
    rows.push({
      price: level.price,
      size: level.size,
      cumulative: text,
      total: Number(text),
      depth: 0,
    });
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

// The price ladder (DOM) as rows: one per tick, or per `grouping` ticks, from the highest price
// down, with the book's size at each price and our own working orders beside it.
//
// Prices are whole units of the tick's last decimal (BigInt), so rows and the levels that fall
// in them line up exactly; sizes are summed as decimals and stay text. The book must come in
// book order, as BookView sends it (bids best = highest first, asks best = lowest first): the
// visible part of each side is found by binary search, so a 10 000-level book costs a few
// dozen parses, not ten thousand.
//
// A row stands for `grouping` ticks. A bid (or our buy) goes to the highest row at or below
// its price, an ask (or our sell) to the lowest row at or above it, the way venues aggregate
// their books: the best bid's row is then always below the best ask's. The last price goes to
// the row at or below it. With a grouping of 1 and prices on the tick, each is its own row.

import type { BookLevel, Side } from "../bindings/bindings";
import { addDec, decToString, parseDec, type Dec } from "../decimal";
import { readPrice, readTick } from "./ticks";

/** A working order of ours, as the ladder needs it. `size` is what is left to fill. */
export interface LadderOrder {
  client_order_id: string;
  side: Side;
  price: string;
  size: string;
  status: string;
}

/** Our orders on one side of one row. */
export interface OwnOrders {
  /** Their sizes summed. */
  size: string;
  /** Their client order ids, in the order given. */
  ids: string[];
}

export interface LadderRow {
  /** The row's price, with the tick's decimals. */
  price: string;
  /** Book size at this row (levels summed), or null with none. */
  bidSize: string | null;
  askSize: string | null;
  /** Size / the largest size on either side among the rows, 0..1, for the size bar. */
  bidBar: number;
  askBar: number;
  ownBuy: OwnOrders | null;
  ownSell: OwnOrders | null;
  isBestBid: boolean;
  isBestAsk: boolean;
  isLast: boolean;
}

export interface LadderInput {
  bids: readonly BookLevel[];
  asks: readonly BookLevel[];
  tick: string;
  /** Ticks per row, a whole number ≥ 1 (default 1). */
  grouping?: number;
  /** The price the middle row (index ⌊rows/2⌋) shows, moved to the nearest row price. */
  center: string;
  rows: number;
  orders?: readonly LadderOrder[];
  last?: string | null;
}

/** Statuses of an order that may still be resting on the book. */
const WORKING: ReadonlySet<string> = new Set(["pending", "open", "partially_filled", "unknown"]);

type Rounding = "down" | "up" | "nearest";

/** Rows into which prices fall: all amounts are integers of 10^-scale. */
class Grid {
  readonly scale: number;
  /** One row's height. */
  readonly step: bigint;

  constructor(tick: string, grouping: number) {
    if (!Number.isSafeInteger(grouping) || grouping < 1) {
      throw new RangeError(`grouping must be a whole number of ticks: ${String(grouping)}`);
    }
    const t = readTick(tick);
    this.scale = t.scale;
    this.step = t.units * BigInt(grouping);
  }

  /** `d` as a whole number of 10^-scale, rounded the given way if it has more decimals. */
  units(d: Dec, rounding: Rounding): bigint {
    if (d.scale <= this.scale) return d.units * 10n ** BigInt(this.scale - d.scale);
    return this.round(d.units, 10n ** BigInt(d.scale - this.scale), rounding);
  }

  /** The row price `text` falls in; null when it is not decimal text. */
  row(text: string, rounding: Rounding): bigint | null {
    const d = parseDec(text);
    if (d === null) return null;
    return this.round(this.units(d, rounding), this.step, rounding) * this.step;
  }

  /** Whole multiples of `by` in `u`, rounded down, up or to nearest (halves away from zero). */
  round(u: bigint, by: bigint, rounding: Rounding): bigint {
    let q = u / by;
    const r = u - q * by;
    if (r === 0n) return q;
    if (rounding === "down") {
      if (r < 0n) q -= 1n;
    } else if (rounding === "up") {
      if (r > 0n) q += 1n;
    } else if (2n * (r < 0n ? -r : r) >= by) {
      q += r < 0n ? -1n : 1n;
    }
    return q;
  }

  text(units: bigint): string {
    return decToString({ units, scale: this.scale });
  }
}

/** The first index in [0, n) where `inside` becomes true; `inside` must be monotone. */
function firstWhere(n: number, inside: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (inside(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The row of the first readable level at or after `i`; null when none is left. Keeps the
 * binary search monotone across a level that cannot be read. */
function readableFrom(n: number, i: number, rowOf: (i: number) => bigint | null): bigint | null {
  for (let k = i; k < n; k++) {
    const row = rowOf(k);
    if (row !== null) return row;
  }
  return null;
}

function sum(total: Dec | null, text: string): Dec | null {
  const d = parseDec(text);
  if (d === null) return total;
  return total === null ? d : addDec(total, d);
}

/** The ladder's rows from the highest price down. Throws a TickError for a bad tick or
 * center, and a RangeError for a grouping that is not a whole number ≥ 1. */
export function ladderRows(input: LadderInput): LadderRow[] {
  const grid = new Grid(input.tick, input.grouping ?? 1);
  const step = grid.step;
  const count = Math.max(0, Math.floor(input.rows));
  const centerRow = grid.round(grid.units(readPrice(input.center), "nearest"), step, "nearest");
  if (count === 0) return [];
  const top = (centerRow + BigInt(Math.floor(count / 2))) * step;
  const bottom = top - BigInt(count - 1) * step;
  const indexOf = (row: bigint | null): number =>
    row === null || row > top || row < bottom ? -1 : Number((top - row) / step);

  const bidSizes: (Dec | null)[] = new Array<Dec | null>(count).fill(null);
  const askSizes: (Dec | null)[] = new Array<Dec | null>(count).fill(null);

  // Bids fall from the best: skip those above the top row, stop below the bottom one.
  const bids = input.bids;
  const bidRow = (i: number) => grid.row(bids[i]?.price ?? "", "down");
  const bidFrom = firstWhere(bids.length, (j) => {
    const row = readableFrom(bids.length, j, bidRow);
    return row === null || row <= top;
  });
  for (let i = bidFrom; i < bids.length; i++) {
    const row = bidRow(i);
    if (row === null) continue;
    if (row < bottom) break;
    const at = Number((top - row) / step);
    bidSizes[at] = sum(bidSizes[at] ?? null, bids[i]?.size ?? "");
  }
  const asks = input.asks;
  const askRow = (i: number) => grid.row(asks[i]?.price ?? "", "up");
  const askFrom = firstWhere(asks.length, (j) => {
    const row = readableFrom(asks.length, j, askRow);
    return row === null || row >= bottom;
  });
  for (let i = askFrom; i < asks.length; i++) {
    const row = askRow(i);
    if (row === null) continue;
    if (row > top) break;
    const at = Number((top - row) / step);
    askSizes[at] = sum(askSizes[at] ?? null, asks[i]?.size ?? "");
  }

  const ownBuys: (OwnOrders | null)[] = new Array<OwnOrders | null>(count).fill(null);
  const ownSells: (OwnOrders | null)[] = new Array<OwnOrders | null>(count).fill(null);
  const ownSizes = new Map<OwnOrders, Dec | null>();
  for (const o of input.orders ?? []) {
    if (!WORKING.has(o.status)) continue;
    const buy = o.side === "buy";
    const at = indexOf(grid.row(o.price, buy ? "down" : "up"));
    if (at < 0) continue;
    const column = buy ? ownBuys : ownSells;
    let own = column[at] ?? null;
    if (own === null) {
      own = { size: "0", ids: [] };
      column[at] = own;
    }
    own.ids.push(o.client_order_id);
    const total = sum(ownSizes.get(own) ?? null, o.size);
    ownSizes.set(own, total);
    if (total !== null) own.size = decToString(total);
  }

  const bestBid = bids.length > 0 ? indexOf(bidRow(0)) : -1;
  const bestAsk = asks.length > 0 ? indexOf(askRow(0)) : -1;
  const last =
    input.last === null || input.last === undefined ? -1 : indexOf(grid.row(input.last, "down"));

  const bidText = bidSizes.map((d) => (d === null ? null : decToString(d)));
  const askText = askSizes.map((d) => (d === null ? null : decToString(d)));
  let largest = 0;
  for (const t of [...bidText, ...askText]) {
    if (t !== null) largest = Math.max(largest, Number(t));
  }
  const bar = (t: string | null | undefined) =>
    t === null || t === undefined || largest <= 0 ? 0 : Math.max(0, Number(t) / largest);

  const rows: LadderRow[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      price: grid.text(top - BigInt(i) * step),
      bidSize: bidText[i] ?? null,
      askSize: askText[i] ?? null,
      bidBar: bar(bidText[i]),
      askBar: bar(askText[i]),
      ownBuy: ownBuys[i] ?? null,
      ownSell: ownSells[i] ?? null,
      isBestBid: i === bestBid,
      isBestAsk: i === bestAsk,
      isLast: i === last,
    });
  }
  return rows;
}

/** Where to center the ladder: the last price, else the mid, else whichever best price
 * there is; null with neither. */
export function centerPrice(
  bids: readonly BookLevel[],
  asks: readonly BookLevel[],
  last: string | null | undefined,
): string | null {
  if (last !== null && last !== undefined && parseDec(last) !== null) return last;
  const bid = bids[0] === undefined ? null : parseDec(bids[0].price);
  const ask = asks[0] === undefined ? null : parseDec(asks[0].price);
  if (bid !== null && ask !== null) {
    // (bid + ask) / 2 is exact with one more decimal: ×5 then /10.
    const both = addDec(bid, ask);
    return decToString({ units: both.units * 5n, scale: both.scale + 1 });
  }
  if (bid !== null) return decToString(bid);
  if (ask !== null) return decToString(ask);
  return null;
}

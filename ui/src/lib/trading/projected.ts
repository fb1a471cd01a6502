// Click-to-trade: the order a click on the chart (or ladder) would place, before it is placed.
// The UI draws it as a projected line and, when it would cross the spread, sends it post-only
// by default and asks before sending it as a taker.

import type { Side } from "../bindings/bindings";
import { addDec, decToString, parseDec } from "../decimal";
import { comparePrices, snapToTick } from "./ticks";

export interface ClickInput {
  /** The price under the pointer (a chart coordinate may be a float). */
  clickPrice: string | number;
  tick: string;
  last: string | null;
  bid: string | null;
  ask: string | null;
  /** "modifier": Shift-click buys, Alt-click sells, a plain click places nothing.
   * "sides": a click below the last price buys, above it sells. */
  mode: "modifier" | "sides";
  modifiers: { shift: boolean; alt: boolean };
  size: string;
}

export interface ProjectedOrder {
  side: Side;
  /** The click's price on the nearest tick. */
  price: string;
  /** The size passed in, unchanged. */
  size: string;
  /** A buy at or above the ask, or a sell at or below the bid: it would take liquidity. */
  crossesSpread: boolean;
}

function readable(price: string | null): price is string {
  return price !== null && parseDec(price) !== null;
}

/** The order a click would place, or null: no modifier (or both) in "modifier" mode, a click
 * at the last price or with no price to compare against in "sides" mode, or a click price
 * that cannot be read. In "sides" mode the mid of bid and ask stands in for a missing last. */
export function projectOrder(input: ClickInput): ProjectedOrder | null {
  let price: string;
  try {
    price = snapToTick(input.clickPrice, input.tick);
  } catch {
    return null;
  }

  let side: Side | null = null;
  if (input.mode === "modifier") {
    const { shift, alt } = input.modifiers;
    if (shift !== alt) side = shift ? "buy" : "sell";
  } else {
    const reference = readable(input.last) ? input.last : mid(input.bid, input.ask);
    if (reference !== null) {
      const c = comparePrices(price, reference);
      side = c < 0 ? "buy" : c > 0 ? "sell" : null;
    }
  }
  if (side === null) return null;

  const crossesSpread =
    side === "buy"
      ? readable(input.ask) && comparePrices(price, input.ask) >= 0
      : readable(input.bid) && comparePrices(price, input.bid) <= 0;
  return { side, price, size: input.size, crossesSpread };
}

/** (bid + ask) / 2, exact: the sum times 5 with one more decimal. */
function mid(bid: string | null, ask: string | null): string | null {
  const b = bid === null ? null : parseDec(bid);
  const a = ask === null ? null : parseDec(ask);
  if (b === null || a === null) return null;
  const both = addDec(b, a);
  return decToString({ units: both.units * 5n, scale: both.scale + 1 });
}

// Funding on an inverse perpetual (LN Markets' BTC/USD): what a position pays or receives at
// one funding, and what the account's funding fees add up to. Exact decimals throughout: the
// amounts are a handful of sats, where float error would show in the last digit.

import type { Instrument, LnmFundingFee, Position } from "./bindings/bindings";
import { addDec, decToString, divDec, mulDec, parseDec, signOf, type Dec } from "./decimal";

export type FundingDirection = "pays" | "receives" | "nothing";

export interface FundingEstimate {
  direction: FundingDirection;
  /** Whole sats paid or received, never negative. */
  sats: string;
}

const SATS_PER_BTC: Dec = { units: 100_000_000n, scale: 0 };
const ZERO: Dec = { units: 0n, scale: 0 };

/** The position's size in quote currency (USD), or null when the contract is not sized so. */
function quoteQuantity(
  size: string,
  instrument: Pick<Instrument, "size_unit" | "contract_size">,
): Dec | null {
  const s = parseDec(size);
  if (s === null) return null;
  switch (instrument.size_unit) {
    case "quote":
      return s;
    case "contracts": {
      // An inverse contract's size is in quote units (LN Markets: 1 USD).
      const each = parseDec(instrument.contract_size);
      return each === null ? null : mulDec(s, each);
    }
    case "base":
      return null;
  }
}

/**
 * What `position` pays or receives at one funding at `rate` (a fraction) fixed at `price`, on
 * an inverse contract: BTC = quantity / price × rate. Longs pay shorts when the rate is
 * positive, and receive when it is negative. Null when it cannot be worked out (a linear
 * contract, a missing or zero price).
 */
export function fundingEstimate(
  position: Pick<Position, "side" | "size">,
  instrument: Pick<Instrument, "contract" | "size_unit" | "contract_size">,
  rate: string,
  price: string,
): FundingEstimate | null {
  if (instrument.contract !== "inverse") return null;
  const quantity = quoteQuantity(position.size, instrument);
  const r = parseDec(rate);
  const p = parseDec(price);
  if (quantity === null || r === null || p === null || signOf(p) <= 0) return null;
  const sats = divDec(mulDec(mulDec(quantity, r), SATS_PER_BTC), p, 0);
  if (sats === null) return null;
  // Positive: the position pays.
  const paid = position.side === "long" ? sats.units : -sats.units;
  return {
    direction: paid > 0n ? "pays" : paid < 0n ? "receives" : "nothing",
    sats: (paid < 0n ? -paid : paid).toString(),
  };
}

/** A funding fee from the account's side, in BTC: received is positive, paid negative. */
export function fundingCredit(fee: string): string | null {
  const d = parseDec(fee);
  return d === null ? null : decToString({ units: -d.units, scale: d.scale });
}

/** What the listed fees add up to, in BTC. */
export interface FundingTotals {
  /** Paid in all (not negative). */
  paid: string;
  /** Received in all (not negative). */
  received: string;
  /** From the account's side: received minus paid. */
  net: string;
}

/** Totals of funding fees (positive paid, negative received); unreadable fees are left out. */
export function fundingTotals(fees: readonly Pick<LnmFundingFee, "fee">[]): FundingTotals {
  let paid = ZERO;
  let received = ZERO;
  for (const { fee } of fees) {
    const d = parseDec(fee);
    if (d === null) continue;
    if (signOf(d) > 0) paid = addDec(paid, d);
    else received = addDec(received, { units: -d.units, scale: d.scale });
  }
  const net = addDec(received, { units: -paid.units, scale: paid.scale });
  return { paid: decToString(paid), received: decToString(received), net: decToString(net) };
}

// Sizes the ticket works out instead of taking them typed: from a risk and a stop (lose at most
// this much if the stop is hit), or from a share of the available margin (the 10/25/50/100 %
// buttons). The arithmetic is risk.ts's, exact on decimal text; this file feeds it the
// instrument, the account and the price the order would fill at, and words its refusals for
// the ticket.

import type { Instrument, Side } from "./bindings/bindings";
import { compareDec, decToString, parseDec } from "./decimal";
import { riskAmount, sizeFromMargin, sizeFromRisk } from "./trading/risk";
import type { TicketDraft } from "./ticket";

/** How the risk is given: a percentage of equity, or a fixed amount of the settle currency. */
export type RiskKind = "percent" | "fixed";

export interface RiskInput {
  side: Side;
  orderType: TicketDraft["orderType"];
  kind: RiskKind;
  /** Percent of equity, or an amount in `riskUnit` of the settle currency. */
  value: string;
  stop: string;
}

export type Sized<T> = ({ ok: true; size: string } & T) | { ok: false; message: string };

/** The size risk.ts counts contracts of: the contract size for instruments sized in
 * contracts, else one unit of the currency the size is given in. */
export function contractSizeOf(
  instrument: Pick<Instrument, "size_unit" | "contract_size">,
): string {
  return instrument.size_unit === "contracts" ? instrument.contract_size : "1";
}

/** The unit a fixed risk is typed in: sats for bitcoin, as the ticket shows bitcoin amounts,
 * else the settle currency. */
export function riskUnit(settle: string): string {
  return settle.toUpperCase() === "BTC" ? "sats" : settle;
}

/** `value` typed in `riskUnit` as an amount of the settle currency (sats → BTC). */
function inSettle(value: string, settle: string): string {
  const d = parseDec(value);
  if (d === null || riskUnit(settle) !== "sats") return value;
  return decToString({ units: d.units, scale: d.scale + 8 });
}

function noReference(orderType: TicketDraft["orderType"], what: string): string {
  if (orderType === "market") return `No market price yet to size by ${what}`;
  return `Enter a ${orderType === "stop" ? "trigger price" : "price"} to size by ${what}`;
}

/**
 * The size that loses the risk (a share of `equity`, or a fixed amount) if the price goes
 * from `reference` (where the order would fill) to the stop, with the loss at the stop of
 * that size: never more than the risk, as sizes are floored to the size step.
 */
export function sizeByRisk(
  input: RiskInput,
  instrument: Instrument,
  reference: string | null,
  equity: string | null,
): Sized<{ riskAtStop: string }> {
  const value = input.value.trim();
  const stop = input.stop.trim();
  if (value === "") return { ok: false, message: "Enter the risk" };
  if (stop === "") return { ok: false, message: "Enter a stop price" };
  if (reference === null) return { ok: false, message: noReference(input.orderType, "risk") };
  if (equity === null) return { ok: false, message: "No account balance yet to size by risk" };
  const stopDec = parseDec(stop);
  const entryDec = parseDec(reference);
  if (stopDec !== null && entryDec !== null) {
    const below = input.side === "buy";
    if (compareDec(stopDec, entryDec) !== (below ? -1 : 1)) {
      return {
        ok: false,
        message: `A ${input.side}'s stop must be ${below ? "below" : "above"} the fill price ${reference}`,
      };
    }
  }
  const amount = riskAmount({
    mode: input.kind,
    value: input.kind === "fixed" ? inSettle(value, instrument.settle) : value,
    equity,
  });
  if (!amount.ok) return { ok: false, message: amount.message };
  const sized = sizeFromRisk({
    contract: instrument.contract,
    contractSize: contractSizeOf(instrument),
    sizeStep: instrument.size_step,
    minSize: instrument.min_size,
    maxSize: instrument.max_size,
    entry: reference,
    stop,
    risk: amount.amount,
  });
  if (!sized.ok) return { ok: false, message: sized.message };
  return { ok: true, size: sized.size, riskAtStop: sized.riskAtStop };
}

/** The shares of the available margin the ticket offers, in percent. */
export const MARGIN_SHARES = [10, 25, 50, 100] as const;
export type MarginShare = (typeof MARGIN_SHARES)[number];

/** The size `percent` of the `available` balance opens at the ticket's leverage and
 * `reference`, leaving room for the taker fee. */
export function sizeByMarginShare(
  percent: MarginShare,
  draft: Pick<TicketDraft, "leverage" | "orderType">,
  instrument: Instrument,
  reference: string | null,
  available: string | null,
): Sized<object> {
  if (reference === null) return { ok: false, message: noReference(draft.orderType, "margin") };
  if (available === null) return { ok: false, message: "No account balance yet" };
  const sized = sizeFromMargin({
    contract: instrument.contract,
    contractSize: contractSizeOf(instrument),
    sizeStep: instrument.size_step,
    fraction: decToString({ units: BigInt(percent), scale: 2 }),
    available,
    leverage: draft.leverage.trim(),
    price: reference,
    takerFee: instrument.taker_fee,
  });
  if (!sized.ok) return { ok: false, message: sized.message };
  return { ok: true, size: sized.size };
}

// Changing an open position: its take-profit and stop-loss, margin added to it, and money
// cashed in from it. The user's text is checked exactly, as decimals, before anything is sent:
// prices on the instrument's tick and on the right side of the entry, amounts in the unit
// traders count them in (sats for bitcoin). Rust and the venue check again regardless.

import type { Instrument, Position } from "./bindings/bindings";
import {
  compareDec,
  decToString,
  isMultipleOf,
  parseDec,
  signOf,
  trimDec,
  type Dec,
} from "./decimal";
import { btcFromSats, formatDecimal, formatterFor, moneyDecimals, type FormatSpec } from "./format";

export type TpSlField = "take_profit" | "stop_loss";

/** Messages by field; `editor` is for the editor as a whole. */
export type TpSlErrors = Partial<Record<TpSlField | "editor", string>>;

/** The TP/SL editor's inputs, as the user typed them ("" = none). */
export interface TpSlDraft {
  takeProfit: string;
  stopLoss: string;
}

/** What to send: a price, or null to remove it. */
export interface TpSlRequest {
  takeProfit: string | null;
  stopLoss: string | null;
}

export interface TpSlCheck {
  errors: TpSlErrors;
  /** What to send, when there are no errors. */
  request: TpSlRequest | null;
}

const LABEL: Record<TpSlField, string> = { take_profit: "Take-profit", stop_loss: "Stop-loss" };

/** The editor's starting point: what the position has now. */
export function tpSlDraft(position: Pick<Position, "take_profit" | "stop_loss">): TpSlDraft {
  return { takeProfit: position.take_profit ?? "", stopLoss: position.stop_loss ?? "" };
}

function isDec(value: Dec | string | null): value is Dec {
  return value !== null && typeof value !== "string";
}

/** One typed price: null when empty (remove it), else the price or what is wrong with it. */
function readPrice(field: TpSlField, text: string, priceTick: string): Dec | string | null {
  const t = text.trim();
  if (t === "") return null;
  const d = parseDec(t);
  if (d === null) return `${LABEL[field]} must be a number`;
  if (signOf(d) <= 0) return `${LABEL[field]} must be above zero`;
  const tick = parseDec(priceTick);
  if (tick !== null && !isMultipleOf(d, tick)) {
    return `${LABEL[field]} must be a multiple of the tick ${priceTick}`;
  }
  return d;
}

/** Checks a TP/SL draft against the instrument's tick and the position's side and entry. */
export function checkTpSl(
  draft: TpSlDraft,
  position: Pick<Position, "side" | "entry_price">,
  instrument: FormatSpec,
): TpSlCheck {
  const errors: TpSlErrors = {};
  const tp = readPrice("take_profit", draft.takeProfit, instrument.price_tick);
  const sl = readPrice("stop_loss", draft.stopLoss, instrument.price_tick);
  if (typeof tp === "string") errors.take_profit = tp;
  if (typeof sl === "string") errors.stop_loss = sl;

  // A long takes profit above its entry and stops out below it; a short the other way round.
  const long = position.side === "long";
  const profitWay = long ? 1 : -1;
  const [above, below] = long ? ["above", "below"] : ["below", "above"];
  const entry = parseDec(position.entry_price);
  if (entry !== null && signOf(entry) > 0) {
    const at = formatterFor(instrument).price(position.entry_price);
    if (isDec(tp) && compareDec(tp, entry) !== profitWay) {
      errors.take_profit = `Take-profit must be ${above} the entry price (${at})`;
    }
    if (isDec(sl) && compareDec(sl, entry) !== -profitWay) {
      errors.stop_loss = `Stop-loss must be ${below} the entry price (${at})`;
    }
  }
  // Once each is on its side of a known entry they cannot cross; without an entry (a venue
  // that has not reported it yet) this is the check left. A field already at fault keeps its
  // own message: fixing it may well uncross them.
  if (
    isDec(tp) &&
    isDec(sl) &&
    errors.take_profit === undefined &&
    errors.stop_loss === undefined &&
    compareDec(tp, sl) !== profitWay
  ) {
    errors.stop_loss = `Stop-loss must be ${below} the take-profit`;
  }

  if (Object.keys(errors).length > 0) return { errors, request: null };
  return {
    errors,
    request: {
      takeProfit: tp === null ? null : draft.takeProfit.trim(),
      stopLoss: sl === null ? null : draft.stopLoss.trim(),
    },
  };
}

/** What an accepted request did, in words: "Take-profit set at 95,000.0, stop-loss removed". */
export function tpSlSummary(
  position: Pick<Position, "take_profit" | "stop_loss">,
  request: TpSlRequest,
  fmt: { price(value: string): string },
): string {
  // A removal is only news when there was something to remove.
  const part = (name: string, had: string | null | undefined, value: string | null) =>
    value !== null ? `${name} set at ${fmt.price(value)}` : had ? `${name} removed` : null;
  const parts = [
    part("take-profit", position.take_profit, request.takeProfit),
    part("stop-loss", position.stop_loss, request.stopLoss),
  ].filter((p): p is string => p !== null);
  const text = parts.length > 0 ? parts.join(", ") : "take-profit and stop-loss cleared";
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Messages for the margin editor: its one field, or the editor as a whole. */
export type MarginErrors = Partial<Record<"amount" | "editor", string>>;

/** What the margin editor moves: margin added to a position, or profit then margin taken out
 * of it (LN Markets' cash-in). Both are an amount of the settle currency. */
export type MarginAction = "add" | "cash_in";

/** Margin to add, or an amount to cash in. */
export interface MarginAmount {
  /** What is sent: a decimal in the settle currency ("0.00001" BTC). */
  value: string;
  /** What the user typed, as they count it: "1,000 sats". */
  label: string;
}

export interface MarginCheck {
  error: string | null;
  /** What to send, when there is no error. */
  amount: MarginAmount | null;
}

function isBitcoin(settle: string): boolean {
  return settle.toUpperCase() === "BTC";
}

function isSats(settle: string): boolean {
  const c = settle.toUpperCase();
  return c === "SAT" || c === "SATS";
}

/** The unit margin is typed in: sats for bitcoin, as Lightning traders count it; else the
 * settle currency. */
export function marginUnit(settle: string): string {
  return isBitcoin(settle) || isSats(settle) ? "sats" : settle;
}

function failed(error: string): MarginCheck {
  return { error, amount: null };
}

/** How the messages name the amount, per action. */
const AMOUNT_WORDS: Record<MarginAction, { noun: string; enter: string }> = {
  add: { noun: "Margin", enter: "Enter an amount of margin in" },
  cash_in: { noun: "Amount", enter: "Enter an amount to cash in, in" },
};

/** Checks an amount typed in `marginUnit(settle)` and converts it to the settle currency. */
export function checkMargin(
  text: string,
  settle: Instrument["settle"],
  action: MarginAction = "add",
): MarginCheck {
  const unit = marginUnit(settle);
  const { noun, enter } = AMOUNT_WORDS[action];
  const t = text.trim();
  if (t === "") return failed(`${enter} ${unit}`);
  const parsed = parseDec(t);
  if (parsed === null) return failed(`${noun} must be a number`);
  if (signOf(parsed) <= 0) return failed(`${noun} must be above zero`);
  if (isBitcoin(settle)) {
    // Typed in sats, sent in BTC: exact, 1 sat = 0.00000001.
    const btc = btcFromSats(t);
    if (btc === null) return failed(`${noun} must be a whole number of sats`);
    return { error: null, amount: { value: btc, label: `${formatDecimal(t, 0)} sats` } };
  }
  const decimals = isSats(settle) ? 0 : moneyDecimals(settle);
  const exact = trimDec(parsed);
  if (exact.scale > decimals) {
    return failed(
      decimals === 0
        ? `${noun} must be a whole number of ${unit}`
        : `${noun} can have at most ${String(decimals)} decimal places`,
    );
  }
  return {
    error: null,
    amount: { value: decToString(exact), label: `${formatDecimal(t, decimals)} ${unit}` },
  };
}

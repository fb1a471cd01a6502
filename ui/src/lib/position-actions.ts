// Changing an open position: its take-profit and stop-loss, margin added to it, and money
// cashed in from it. The user's text is checked exactly, as decimals, before anything is sent:
// prices on the instrument's tick, a take-profit on the profit side of the entry and a
// stop-loss on the losing side of the current price, amounts in the unit traders count them in
// (sats for bitcoin). Rust and the venue check again regardless.

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
  /** The stop-loss is to trail the market (venues with a trailing stop only). */
  trailing: boolean;
}

/** What to send: a price, or null to remove it. */
export interface TpSlRequest {
  takeProfit: string | null;
  stopLoss: string | null;
  /** The stop-loss trails the market at its distance from it; false without a stop-loss. */
  trailing: boolean;
}

export interface TpSlCheck {
  errors: TpSlErrors;
  /** What to send, when there are no errors. */
  request: TpSlRequest | null;
}

const LABEL: Record<TpSlField, string> = { take_profit: "Take-profit", stop_loss: "Stop-loss" };

/** The editor's starting point: what the position has now. */
export function tpSlDraft(
  position: Pick<Position, "take_profit" | "stop_loss" | "stop_loss_trail">,
): TpSlDraft {
  return {
    takeProfit: position.take_profit ?? "",
    stopLoss: position.stop_loss ?? "",
    trailing: (position.stop_loss_trail ?? null) !== null,
  };
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

/** A price the position reports, when it is a usable one (above zero). */
function knownPrice(text: string | null | undefined): { dec: Dec; text: string } | null {
  if (text === null || text === undefined) return null;
  const dec = parseDec(text);
  return dec !== null && signOf(dec) > 0 ? { dec, text } : null;
}

/** Checks a TP/SL draft against the instrument's tick and the position's side, entry and
 * current price, as the engine does. `trailingStop`: the venue can trail a stop-loss. */
export function checkTpSl(
  draft: TpSlDraft,
  position: Pick<Position, "side" | "entry_price" | "mark_price">,
  instrument: FormatSpec,
  trailingStop = false,
): TpSlCheck {
  const errors: TpSlErrors = {};
  const tp = readPrice("take_profit", draft.takeProfit, instrument.price_tick);
  const sl = readPrice("stop_loss", draft.stopLoss, instrument.price_tick);
  if (typeof tp === "string") errors.take_profit = tp;
  if (typeof sl === "string") errors.stop_loss = sl;

  // A long takes profit above its entry; a short below. A stop-loss only has to be on the
  // losing side of where the price is now (the mark, else the entry): a long in profit may
  // stop out above its entry and so lock some of that profit in.
  const long = position.side === "long";
  const profitWay = long ? 1 : -1;
  const [above, below] = long ? ["above", "below"] : ["below", "above"];
  const fmt = formatterFor(instrument);
  const entry = knownPrice(position.entry_price);
  const current = knownPrice(position.mark_price) ?? entry;
  if (entry !== null && isDec(tp) && compareDec(tp, entry.dec) !== profitWay) {
    errors.take_profit = `Take-profit must be ${above} the entry price (${fmt.price(entry.text)})`;
  }
  if (current !== null && isDec(sl) && compareDec(sl, current.dec) !== -profitWay) {
    errors.stop_loss = `Stop-loss must be ${below} the current price (${fmt.price(current.text)})`;
  }
  // A stop-loss past the take-profit makes no sense whatever the prices: the rules above allow
  // it only once the market is beyond the take-profit, or when no price is known yet. A field
  // already at fault keeps its own message: fixing it may well uncross them.
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
      trailing: trailingStop && sl !== null && draft.trailing,
    },
  };
}

/** What an accepted request did, in words: "Take-profit set at 95,000.0, stop-loss removed",
 * "Trailing stop-loss set at 88,000.0". */
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
    part(
      request.trailing ? "trailing stop-loss" : "stop-loss",
      position.stop_loss,
      request.stopLoss,
    ),
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

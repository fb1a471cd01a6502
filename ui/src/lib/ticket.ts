// The order ticket's client-side checks: the same instrument rules Rust enforces (size limits
// and step, price tick, leverage range), checked exactly on decimal text so the user hears
// about a mistake next to the field before anything is sent. Rust checks again regardless.
//
// On an inverse instrument settled in bitcoin (LN Markets: 1 USD contracts, margin in sats) the
// size can be typed as sats of margin instead; it is turned into whole contracts here, and
// contracts are what is checked and sent.

import type {
  Capabilities,
  Instrument,
  OrderTicket,
  OrderType,
  Side,
  TimeInForce,
} from "./bindings/bindings";
import {
  compareDec,
  decToString,
  fractionDigits,
  isMultipleOf,
  mulDec,
  parseDec,
  roundDec,
  signOf,
  type Dec,
} from "./decimal";
import { contractHint } from "./contracts";
import { settleAmount, usdFromBtc } from "./format";
import { estimateNotional, sizeUnitLabel } from "./instrument";

/** What the size field counts: contracts (the instrument's own size unit), or sats of margin. */
export type SizeMode = "contracts" | "margin";

/** The ticket's inputs, as the user typed them. */
export interface TicketDraft {
  side: Side;
  orderType: OrderType;
  /** In contracts, or in sats of margin when `sizeMode` is "margin". */
  size: string;
  sizeMode: SizeMode;
  price: string;
  trigger: string;
  leverage: string;
  reduceOnly: boolean;
  postOnly: boolean;
  timeInForce: TimeInForce;
  /** Take-profit and stop-loss for the position the order opens ("" = none). */
  takeProfit: string;
  stopLoss: string;
}

/** Where a message is shown; `type` is the ticket as a whole. */
export type TicketField =
  | "size"
  | "price"
  | "trigger"
  | "leverage"
  | "type"
  | "reduce_only"
  | "post_only"
  | "take_profit"
  | "stop_loss";

export type TicketErrors = Partial<Record<TicketField, string>>;

export interface TicketCheck {
  errors: TicketErrors;
  /** What to send, when there are no errors. */
  ticket: OrderTicket | null;
}

/** The ticket field a backend `field` ("trigger_price", "order_type", …) refers to. */
export function ticketField(field: string | null | undefined): TicketField {
  switch (field) {
    case "size":
    case "price":
    case "leverage":
    case "reduce_only":
    case "post_only":
    case "take_profit":
    case "stop_loss":
      return field;
    case "trigger_price":
    case "trigger":
      return "trigger";
    default:
      return "type";
  }
}

const LABEL: Record<
  "size" | "margin" | "price" | "trigger" | "leverage" | "take_profit" | "stop_loss",
  string
> = {
  size: "Size",
  margin: "Margin",
  price: "Price",
  trigger: "Trigger price",
  leverage: "Leverage",
  take_profit: "Take-profit",
  stop_loss: "Stop-loss",
};

/** Parses a positive number typed into `field`, or says what is wrong with it. */
function positive(field: keyof typeof LABEL, text: string): Dec | string {
  const t = text.trim();
  if (t === "") return `Enter a ${LABEL[field].toLowerCase()}`;
  const d = parseDec(t);
  if (d === null) return `${LABEL[field]} must be a number`;
  if (signOf(d) <= 0) return `${LABEL[field]} must be above zero`;
  return d;
}

/** Whether the size can be typed as margin: inverse instruments settled in bitcoin, whose
 * contracts are worth quote units (LN Markets: 1 USD) and whose margin is counted in sats. */
export function sizesByMargin(instrument: Pick<Instrument, "contract" | "settle">): boolean {
  return instrument.contract === "inverse" && instrument.settle.toUpperCase() === "BTC";
}

/** Best prices and the last trade, as the book and tape have them. */
export interface Quotes {
  bid: string | null;
  ask: string | null;
  last: string | null;
}

/** The price the order would likely fill at, as text: its limit price, its trigger, or for a
 * market order the far side of the book (the ask for a buy, the bid for a sell), else the last
 * trade. Null while there is none that parses above zero. */
export function fillReference(
  draft: Pick<TicketDraft, "side" | "orderType" | "price" | "trigger">,
  quotes: Quotes,
): string | null {
  const text =
    draft.orderType === "limit"
      ? draft.price
      : draft.orderType === "stop"
        ? draft.trigger
        : ((draft.side === "buy" ? quotes.ask : quotes.bid) ?? quotes.last ?? "");
  const t = text.trim();
  const d = parseDec(t);
  return d !== null && signOf(d) > 0 ? t : null;
}

const SATS_PER_BTC: Dec = { units: 100_000_000n, scale: 0 };

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Contracts `sats` of margin opens at `leverage` and `price`: the order value
 * sats / 1e8 × leverage × price in quote units, in whole contracts of `contract_size`, floored
 * to the size step so the margin is never exceeded. */
export function contractsForMargin(
  sats: Dec,
  leverage: Dec,
  price: Dec,
  instrument: Pick<Instrument, "size_unit" | "contract_size" | "size_step">,
): Dec {
  const step = parseDec(instrument.size_step);
  const contract = instrument.size_unit === "contracts" ? parseDec(instrument.contract_size) : null;
  const one: Dec = { units: 1n, scale: 0 };
  const lot = mulDec(
    contract !== null && signOf(contract) > 0 ? contract : one,
    step !== null && signOf(step) > 0 ? step : one,
  );
  const value = mulDec(mulDec(sats, leverage), price);
  const per = mulDec(SATS_PER_BTC, lot);
  const lots = (value.units * pow10(per.scale)) / (per.units * pow10(value.scale));
  return mulDec({ units: lots, scale: 0 }, step !== null && signOf(step) > 0 ? step : one);
}

/** The size to send, in contracts: as typed, or worked out from the sats of margin typed at
 * the leverage and `reference` (the fill price). Or what keeps it from being worked out. */
export function orderSize(
  draft: Pick<TicketDraft, "size" | "sizeMode" | "leverage" | "orderType">,
  instrument: Instrument,
  reference: string | null,
): { size: string } | { error: string } {
  if (draft.sizeMode !== "margin" || !sizesByMargin(instrument)) return { size: draft.size.trim() };
  const sats = positive("margin", draft.size);
  if (typeof sats === "string") return { error: sats };
  if (sats.scale > 0 && !isMultipleOf(sats, { units: 1n, scale: 0 })) {
    return { error: "Margin is counted in whole sats" };
  }
  const leverage = parseDec(draft.leverage.trim());
  if (leverage === null || signOf(leverage) <= 0) {
    return { error: "Set the leverage to size by margin" };
  }
  const price = reference === null ? null : parseDec(reference);
  if (price === null) {
    return {
      error:
        draft.orderType === "market"
          ? "No market price yet to size by margin"
          : `Enter a ${draft.orderType === "stop" ? "trigger price" : "price"} to size by margin`,
    };
  }
  const contracts = contractsForMargin(sats, leverage, price, instrument);
  if (signOf(contracts) <= 0) return { error: "Too little margin for one contract" };
  return { size: decToString(contracts) };
}

/** A take-profit or stop-loss as typed: null when empty (none), else what is wrong with it. A
 * buy takes profit above where it fills and stops out below; a sell the other way round. */
function checkAttached(
  field: "take_profit" | "stop_loss",
  text: string,
  side: Side,
  reference: string | null,
  instrument: Instrument,
): string | null {
  if (text.trim() === "") return null;
  const price = positive(field, text);
  if (typeof price === "string") return price;
  const tick = parseDec(instrument.price_tick);
  if (tick !== null && !isMultipleOf(price, tick)) {
    return `${LABEL[field]} must be a multiple of the tick ${instrument.price_tick}`;
  }
  const ref = reference === null ? null : parseDec(reference);
  if (reference === null || ref === null) return null;
  const above = (side === "buy") === (field === "take_profit");
  if (compareDec(price, ref) !== (above ? 1 : -1)) {
    return `${LABEL[field]} must be ${above ? "above" : "below"} the fill price ${reference}`;
  }
  return null;
}

const ONE: Dec = { units: 1n, scale: 0 };

function checkSize(text: string, instrument: Instrument): string | null {
  const size = positive("size", text);
  if (typeof size === "string") return size;
  // Contracts come whole, whatever the step says; the hint says what one is worth.
  if (instrument.size_unit === "contracts" && !isMultipleOf(size, ONE)) {
    return `Size is a whole number of contracts (${
      instrument.contract === "linear"
        ? contractHint(instrument)
        : `1 contract = ${instrument.contract_size} ${instrument.quote}`
    })`;
  }
  const unit = sizeUnitLabel(instrument);
  const min = parseDec(instrument.min_size);
  const max = parseDec(instrument.max_size);
  const step = parseDec(instrument.size_step);
  if (min !== null && compareDec(size, min) < 0)
    return `Minimum size is ${instrument.min_size} ${unit}`;
  if (max !== null && compareDec(size, max) > 0)
    return `Maximum size is ${instrument.max_size} ${unit}`;
  if (step !== null && !isMultipleOf(size, step))
    return `Size must be a multiple of ${instrument.size_step}`;
  return null;
}

/**
 * The size one step up (`direction` 1) or down (-1) from `text`, for the arrow keys in the size
 * field: on the instrument's size grid and within its limits. A size off the grid goes to the
 * next grid size that way; an empty or unreadable one starts at the minimum.
 */
export function stepSize(
  text: string,
  instrument: Pick<Instrument, "size_step" | "min_size" | "max_size">,
  direction: 1 | -1,
): string {
  const step = parseDec(instrument.size_step);
  const min = parseDec(instrument.min_size);
  const max = parseDec(instrument.max_size);
  const size = parseDec(text.trim());
  if (step === null || signOf(step) <= 0) return text;
  if (size === null || signOf(size) <= 0) return instrument.min_size;
  // Whole steps in `size`, rounded toward zero, then one step further the way asked unless
  // that rounding already moved it (a size off the grid going down).
  const scale = Math.max(step.scale, size.scale);
  const units = (d: Dec): bigint => d.units * 10n ** BigInt(scale - d.scale);
  const perStep = units(step);
  const steps = units(size) / perStep;
  const onGrid = units(size) % perStep === 0n;
  const next = direction > 0 ? steps + 1n : onGrid ? steps - 1n : steps;
  let result: Dec = { units: next * perStep, scale };
  if (min !== null && compareDec(result, min) < 0) result = min;
  if (max !== null && compareDec(result, max) > 0) result = max;
  return decToString(roundDec(result, fractionDigits(instrument.size_step)));
}

function checkPrice(
  field: "price" | "trigger",
  text: string,
  instrument: Instrument,
): string | null {
  const price = positive(field, text);
  if (typeof price === "string") return price;
  const tick = parseDec(instrument.price_tick);
  if (tick !== null && !isMultipleOf(price, tick)) {
    return `${LABEL[field]} must be a multiple of the tick ${instrument.price_tick}`;
  }
  return null;
}

function checkLeverage(text: string, instrument: Instrument): string | null {
  const leverage = positive("leverage", text);
  if (typeof leverage === "string") return leverage;
  const max = parseDec(instrument.max_leverage);
  const one: Dec = { units: 1n, scale: 0 };
  if (compareDec(leverage, one) < 0 || (max !== null && compareDec(leverage, max) > 0)) {
    return `Leverage must be between 1 and ${instrument.max_leverage}`;
  }
  return null;
}

/** Checks a draft against the instrument's rules and the venue's features. `reference` is the
 * price the order would fill at (see `fillReference`): sizes by margin are worked out at it and
 * an attached take-profit and stop-loss must lie either side of it. */
export function checkTicket(
  draft: TicketDraft,
  instrument: Instrument,
  capabilities: Capabilities,
  reference: string | null = null,
): TicketCheck {
  const errors: TicketErrors = {};
  const type = draft.orderType;
  if (!capabilities.order_types.includes(type)) {
    errors.type = `This venue does not take ${type} orders`;
  }
  const sized = orderSize(draft, instrument, reference);
  const size = "error" in sized ? sized.error : checkSize(sized.size, instrument);
  if (size !== null) errors.size = size;
  if (type === "limit") {
    const price = checkPrice("price", draft.price, instrument);
    if (price !== null) errors.price = price;
  }
  if (type === "stop") {
    const trigger = checkPrice("trigger", draft.trigger, instrument);
    if (trigger !== null) errors.trigger = trigger;
  }
  const leverage = checkLeverage(draft.leverage, instrument);
  if (leverage !== null) errors.leverage = leverage;
  const postOnly = draft.postOnly && type === "limit";
  if (postOnly && !capabilities.post_only) errors.post_only = "This venue has no post-only orders";
  if (draft.reduceOnly && !capabilities.reduce_only) {
    errors.reduce_only = "This venue has no reduce-only orders";
  }
  // Only a venue that takes them with the order hears of a take-profit or stop-loss.
  const attached = capabilities.attached_tp_sl;
  if (attached) {
    for (const [field, text] of [
      ["take_profit", draft.takeProfit],
      ["stop_loss", draft.stopLoss],
    ] as const) {
      const error = checkAttached(field, text, draft.side, reference, instrument);
      if (error !== null) errors[field] = error;
    }
  }
  if ("error" in sized || Object.keys(errors).length > 0) return { errors, ticket: null };
  const optional = (text: string): string | null =>
    attached && text.trim() !== "" ? text.trim() : null;
  return {
    errors,
    ticket: {
      instrument: instrument.id,
      side: draft.side,
      order_type: type,
      size: sized.size,
      price: type === "limit" ? draft.price.trim() : null,
      trigger_price: type === "stop" ? draft.trigger.trim() : null,
      time_in_force: type === "market" ? "gtc" : draft.timeInForce,
      reduce_only: draft.reduceOnly,
      post_only: postOnly,
      leverage: draft.leverage.trim(),
      take_profit: optional(draft.takeProfit),
      stop_loss: optional(draft.stopLoss),
    },
  };
}

/** The submit button's words: "Buy 0.010 BTC @ Market", "Sell 2 contracts @ 91,250.5". A size
 * typed as margin reads as the contracts it comes to at `reference`. */
export function submitLabel(
  draft: TicketDraft,
  instrument: Instrument,
  format: { sizeDecimals: number; size(v: string): string; price(v: string): string },
  reference: string | null = null,
): string {
  const verb = draft.side === "buy" ? "Buy" : "Sell";
  const sized = orderSize(draft, instrument, reference);
  const typed = "error" in sized ? "" : sized.size;
  const size = parseDec(typed);
  // Sizes finer than the step are shown as typed, not rounded into something else.
  const sizeText =
    size === null
      ? ""
      : (compareDec(roundDec(size, format.sizeDecimals), size) === 0 ? format.size(typed) : typed) +
        " ";
  const one = size !== null && compareDec(size, parseDec("1") ?? size) === 0;
  const unit = one && instrument.size_unit === "contracts" ? "contract" : sizeUnitLabel(instrument);
  const priced = (text: string): string =>
    parseDec(text.trim()) === null ? "…" : format.price(text.trim());
  const at =
    draft.orderType === "market"
      ? "Market"
      : draft.orderType === "limit"
        ? priced(draft.price)
        : `Stop ${priced(draft.trigger)}`;
  return `${verb} ${sizeText}${unit} @ ${at}`;
}

/** Rough order value, margin and fee in the settle currency, for display only. */
export interface TicketEstimate {
  notional: number;
  margin: number;
  fee: number;
  /** The price they were worked out at: the limit, the trigger, or the market's. */
  price: number;
}

/** Estimates what the order would cost at `reference` (the price it would likely fill at). */
export function estimateTicket(
  draft: TicketDraft,
  instrument: Instrument,
  reference: number | null,
): TicketEstimate | null {
  const price =
    draft.orderType === "limit"
      ? Number(draft.price)
      : draft.orderType === "stop"
        ? Number(draft.trigger)
        : reference;
  // A size typed as margin is valued as the contracts it comes to at this price.
  const sized = orderSize(draft, instrument, price !== null && price > 0 ? String(price) : null);
  const size = "error" in sized ? NaN : Number(sized.size);
  const leverage = Number(draft.leverage);
  if (!(size > 0) || price === null || !(price > 0) || !(leverage >= 1)) return null;
  const notional = estimateNotional(instrument, size, price);
  const feeRate = Number(
    draft.orderType === "limit" && draft.postOnly ? instrument.maker_fee : instrument.taker_fee,
  );
  return { notional, margin: notional / leverage, fee: notional * feeRate, price };
}

/** One estimate as the ticket shows it: "199,996" "sats" ≈ "100.00" USD, or "50.00" "USD". */
export interface EstimateAmount {
  amount: string;
  unit: string;
  /** The USD value, for bitcoin amounts of an instrument priced in USD per BTC. */
  usd: string | null;
}

export interface EstimateAmounts {
  value: EstimateAmount;
  margin: EstimateAmount;
  fee: EstimateAmount;
}

/** The estimate's lines in the unit traders count the settle currency in (sats for bitcoin,
 * as Lightning venues do), bitcoin ones with their USD value at the estimate's own price.
 * Without an estimate, dashes in that unit. */
export function estimateAmounts(
  estimate: TicketEstimate | null,
  instrument: Pick<Instrument, "settle" | "base" | "quote">,
): EstimateAmounts {
  const settle = instrument.settle;
  // The order's price is USD per BTC only on a BTC/USD instrument.
  const usdPerBtc =
    estimate !== null &&
    settle.toUpperCase() === "BTC" &&
    instrument.base.toUpperCase() === "BTC" &&
    instrument.quote.toUpperCase() === "USD"
      ? String(estimate.price)
      : null;
  const unit = settleAmount("0", settle).unit;
  const line = (value: number | undefined): EstimateAmount => {
    if (value === undefined) return { amount: "—", unit, usd: null };
    // Whole sats (8 decimals) at most: an estimate is no finer than the currency.
    const text = value.toFixed(8);
    return { ...settleAmount(text, settle), usd: usdFromBtc(text, usdPerBtc) };
  };
  return {
    value: line(estimate?.notional),
    margin: line(estimate?.margin),
    fee: line(estimate?.fee),
  };
}

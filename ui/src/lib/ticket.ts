// The order ticket's client-side checks: the same instrument rules Rust enforces (size limits
// and step, price tick, leverage range), checked exactly on decimal text so the user hears
// about a mistake next to the field before anything is sent. Rust checks again regardless.

import type {
  Capabilities,
  Instrument,
  OrderTicket,
  OrderType,
  Side,
  TimeInForce,
} from "./bindings/bindings";
import { compareDec, isMultipleOf, parseDec, roundDec, signOf, type Dec } from "./decimal";
import { settleAmount, usdFromBtc } from "./format";
import { estimateNotional, sizeUnitLabel } from "./instrument";

/** The ticket's inputs, as the user typed them. */
export interface TicketDraft {
  side: Side;
  orderType: OrderType;
  size: string;
  price: string;
  trigger: string;
  leverage: string;
  reduceOnly: boolean;
  postOnly: boolean;
  timeInForce: TimeInForce;
}

/** Where a message is shown; `type` is the ticket as a whole. */
export type TicketField =
  "size" | "price" | "trigger" | "leverage" | "type" | "reduce_only" | "post_only";

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
      return field;
    case "trigger_price":
    case "trigger":
      return "trigger";
    default:
      return "type";
  }
}

const LABEL: Record<"size" | "price" | "trigger" | "leverage", string> = {
  size: "Size",
  price: "Price",
  trigger: "Trigger price",
  leverage: "Leverage",
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

function checkSize(text: string, instrument: Instrument): string | null {
  const size = positive("size", text);
  if (typeof size === "string") return size;
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

/** Checks a draft against the instrument's rules and the venue's features. */
export function checkTicket(
  draft: TicketDraft,
  instrument: Instrument,
  capabilities: Capabilities,
): TicketCheck {
  const errors: TicketErrors = {};
  const type = draft.orderType;
  if (!capabilities.order_types.includes(type)) {
    errors.type = `This venue does not take ${type} orders`;
  }
  const size = checkSize(draft.size, instrument);
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
  if (Object.keys(errors).length > 0) return { errors, ticket: null };
  return {
    errors,
    ticket: {
      instrument: instrument.id,
      side: draft.side,
      order_type: type,
      size: draft.size.trim(),
      price: type === "limit" ? draft.price.trim() : null,
      trigger_price: type === "stop" ? draft.trigger.trim() : null,
      time_in_force: type === "market" ? "gtc" : draft.timeInForce,
      reduce_only: draft.reduceOnly,
      post_only: postOnly,
      leverage: draft.leverage.trim(),
    },
  };
}

/** The submit button's words: "Buy 0.010 BTC @ Market", "Sell 2 contracts @ 91,250.5". */
export function submitLabel(
  draft: TicketDraft,
  instrument: Instrument,
  format: { sizeDecimals: number; size(v: string): string; price(v: string): string },
): string {
  const verb = draft.side === "buy" ? "Buy" : "Sell";
  const typed = draft.size.trim();
  const size = parseDec(typed);
  // Sizes finer than the step are shown as typed, not rounded into something else.
  const sizeText =
    size === null
      ? ""
      : (compareDec(roundDec(size, format.sizeDecimals), size) === 0 ? format.size(typed) : typed) +
        " ";
  const unit = sizeUnitLabel(instrument);
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
  const size = Number(draft.size);
  const price =
    draft.orderType === "limit"
      ? Number(draft.price)
      : draft.orderType === "stop"
        ? Number(draft.trigger)
        : reference;
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

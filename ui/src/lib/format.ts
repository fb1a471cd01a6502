// The one place numbers become text. Decimals arrive as strings and stay exact: they are
// rounded as decimals (never through a float) to the instrument's price tick or size step.

import type { Instrument } from "./bindings/bindings";
import { decToString, fractionDigits, parseDec, roundDec, signOf, trimDec } from "./decimal";

/** What the formatter needs from an instrument. */
export type FormatSpec = Pick<Instrument, "price_tick" | "size_step" | "settle">;

export interface FormatOptions {
  /** Thousands separators (default on). */
  grouping?: boolean;
  /** A leading "+" on positive values. */
  signed?: boolean;
}

const DASH = "—";

function group(whole: string): string {
  return whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** `text` rounded to `decimals` digits (halves away from zero); "—" when absent or not a number. */
export function formatDecimal(
  text: string | null | undefined,
  decimals: number,
  options: FormatOptions = {},
): string {
  if (text === null || text === undefined) return DASH;
  const parsed = parseDec(text);
  if (parsed === null) return DASH;
  const rounded = roundDec(parsed, decimals);
  const sign = signOf(rounded);
  const plain = decToString(sign < 0 ? { units: -rounded.units, scale: decimals } : rounded);
  const [whole = "0", frac] = plain.split(".");
  const body = (options.grouping === false ? whole : group(whole)) + (frac ? "." + frac : "");
  if (sign < 0) return "-" + body;
  return options.signed === true && sign > 0 ? "+" + body : body;
}

/** `text` with thousands separators and every digit it has: "0.0025", "1,083.5", "1,000,000";
 * "—" when absent or not a number. */
export function formatExact(text: string | null | undefined): string {
  if (text === null || text === undefined) return DASH;
  const parsed = parseDec(text);
  return parsed === null ? DASH : formatDecimal(text, parsed.scale);
}

/** Sizes from this many up are shortened by `compactSize`. */
export const COMPACT_FROM = 100_000;

const MAGNITUDES: readonly [suffix: string, digits: number][] = [
  ["k", 3],
  ["M", 6],
  ["B", 9],
  ["T", 12],
];

/**
 * A size short enough for a narrow column and quick to compare down it. Below 100,000 it is
 * `formatDecimal(text, decimals)` ("99,850", "0.125"); from there on four significant digits
 * and a suffix, six characters wide: "108.4k", "1.084M", "25.00M". Exact: no floating point.
 * The exact figure is for a tooltip.
 */
export function compactSize(text: string | null | undefined, decimals: number): string {
  if (text === null || text === undefined) return DASH;
  const d = parseDec(text);
  if (d === null) return DASH;
  const abs = d.units < 0n ? -d.units : d.units;
  if (abs < BigInt(COMPACT_FROM) * 10n ** BigInt(d.scale)) return formatDecimal(text, decimals);
  for (const [i, [suffix, digits]] of MAGNITUDES.entries()) {
    const scaled = { units: abs, scale: d.scale + digits };
    const whole = (abs / 10n ** BigInt(scaled.scale)).toString().length;
    const places = Math.max(0, 4 - whole);
    const rounded = roundDec(scaled, places);
    // 999,960 rounds to 1000.0k: that is 1.000M, when there is a next suffix.
    if (rounded.units >= 1000n * 10n ** BigInt(places) && i < MAGNITUDES.length - 1) continue;
    return (d.units < 0n ? "-" : "") + decToString(rounded) + suffix;
  }
  return formatDecimal(text, decimals);
}

/** A BTC amount as whole sats ("0.01234567" → "1234567"); null when it is not plain
 * decimal text or is finer than a sat. Exact: no floating point. */
export function satsFromBtc(btc: string | null | undefined): string | null {
  if (btc === null || btc === undefined) return null;
  const parsed = parseDec(btc);
  if (parsed === null || parsed.scale > 8) return null;
  return decToString({ units: parsed.units * 10n ** BigInt(8 - parsed.scale), scale: 0 });
}

/** Whole sats as a BTC decimal ("1000" → "0.00001"); null when it is not a whole number.
 * Exact: no floating point. */
export function btcFromSats(sats: string): string | null {
  const parsed = parseDec(sats);
  if (parsed === null) return null;
  const whole = trimDec(parsed);
  if (whole.scale > 0) return null;
  return decToString(trimDec({ units: whole.units, scale: 8 }));
}

/** The USD value of a BTC amount at `usdPerBtc`, to the cent; null without a price. */
export function usdFromBtc(
  btc: string | null | undefined,
  usdPerBtc: string | null | undefined,
): string | null {
  if (btc === null || btc === undefined || usdPerBtc === null || usdPerBtc === undefined) {
    return null;
  }
  const a = parseDec(btc);
  const p = parseDec(usdPerBtc);
  if (a === null || p === null) return null;
  return formatDecimal(decToString({ units: a.units * p.units, scale: a.scale + p.scale }), 2);
}

const FIAT = new Set(["USD", "USDT", "USDC", "EUR", "GBP", "JPY", "DAI"]);

/** Decimals worth showing for an amount of `currency`. */
export function moneyDecimals(currency: string): number {
  const c = currency.toUpperCase();
  if (FIAT.has(c)) return 2;
  if (c === "SAT" || c === "SATS") return 0;
  if (c === "BTC") return 8;
  return 4;
}

/** An amount of a settle currency as traders count it: BTC in sats ("45,000" "sats"),
 * others in the currency ("450.00" "USD"). */
export function settleAmount(
  value: string | null | undefined,
  currency: string,
  options: FormatOptions = {},
): { amount: string; unit: string } {
  const c = currency.toUpperCase();
  const sats = c === "BTC" ? satsFromBtc(value) : null;
  if (sats !== null) return { amount: formatDecimal(sats, 0, options), unit: "sats" };
  if (c === "SAT" || c === "SATS") {
    return { amount: formatDecimal(value, 0, options), unit: "sats" };
  }
  return { amount: formatDecimal(value, moneyDecimals(currency), options), unit: currency };
}

/** A fraction ("0.0001") as a percentage ("0.0100%"). */
export function formatPercent(
  fraction: string | null | undefined,
  decimals = 4,
  options: FormatOptions = {},
): string {
  if (fraction === null || fraction === undefined) return DASH;
  const d = parseDec(fraction);
  if (d === null) return DASH;
  // ×100 is exact: shift the decimal point two places.
  const percent =
    d.scale >= 2
      ? { units: d.units, scale: d.scale - 2 }
      : { units: d.units * 10n ** BigInt(2 - d.scale), scale: 0 };
  return formatDecimal(decToString(percent), decimals, options) + "%";
}

/** Formats prices, sizes and money for one instrument. */
export class InstrumentFormat {
  readonly priceDecimals: number;
  readonly sizeDecimals: number;
  readonly settle: string;

  constructor(spec: FormatSpec) {
    this.priceDecimals = fractionDigits(spec.price_tick);
    this.sizeDecimals = fractionDigits(spec.size_step);
    this.settle = spec.settle;
  }

  /** A price to the tick's decimals: tick 0.5 → "91,250.5". */
  price(value: string | null | undefined, options?: FormatOptions): string {
    return formatDecimal(value, this.priceDecimals, options);
  }

  /** A size to the step's decimals: step 0.001 → "0.010". */
  size(value: string | null | undefined, options?: FormatOptions): string {
    return formatDecimal(value, this.sizeDecimals, options);
  }

  /** An amount of the settle currency (or `currency`). */
  money(value: string | null | undefined, currency = this.settle, options?: FormatOptions): string {
    return formatDecimal(value, moneyDecimals(currency), options);
  }
}

const FALLBACK = new InstrumentFormat({ price_tick: "0.01", size_step: "0.0001", settle: "USD" });
const cache = new WeakMap<FormatSpec, InstrumentFormat>();

/** The formatter for an instrument (cached per instrument object); a generic one without. */
export function formatterFor(spec: FormatSpec | null | undefined): InstrumentFormat {
  if (!spec) return FALLBACK;
  let f = cache.get(spec);
  if (f === undefined) {
    f = new InstrumentFormat(spec);
    cache.set(spec, f);
  }
  return f;
}

function pad2(n: number): string {
  return n < 10 ? "0" + String(n) : String(n);
}

/** Local wall-clock time of a timestamp in ms: "14:03:27". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** Local date and time of a timestamp in ms: "03-14 14:03:27". */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${formatTime(ms)}`;
}

/** Local date and time to the minute: "03-14 14:03" (where columns are short of room). */
export function formatDateMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** UTC date and time to the minute: "03-14 08:00" (times the venue fixes in UTC, such as
 * funding). */
export function formatUtcMinute(ms: number): string {
  const d = new Date(ms);
  return `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`;
}

/** How long ago, for a time `elapsedMs` back: "3 s ago", "5 min ago", "2 h ago", "3 d ago".
 * Rounded down; a time a little ahead of the clock reads "0 s ago". */
export function formatAgo(elapsedMs: number): string {
  const s = Math.max(0, Math.floor(elapsedMs / 1000));
  if (s < 60) return `${String(s)} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${String(m)} min ago`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${String(h)} h ago`;
  return `${String(Math.floor(h / 24))} d ago`;
}

/** A duration in ms as "h:mm:ss" (for the funding countdown). */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${String(h)}:${pad2(m)}:${pad2(s)}`;
}

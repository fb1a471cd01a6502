// Prices on an instrument's tick, exactly. Decimal text is scaled to whole units of its last
// digit (BigInt), so 0.1 + 0.2 lands on 0.3 and 91250.25 snaps the same way on every machine.
//
// Inputs are plain decimal text as Rust sends it ("91250.5", "-3", ".5"; surrounding spaces
// and a leading "+" are accepted). Text in exponent form ("1e5"), "NaN", "Infinity" and ""
// are refused. Prices may also be numbers, since the chart hands us floats: a number is read
// through its shortest round-trip text (0.1 + 0.2 → "0.30000000000000004"), and the exponent
// form JavaScript prints for very large or small numbers is expanded.
//
// Every function throws a TickError on input it cannot read or a tick that is not above zero:
// inputs come from Rust or the chart, so garbage here is a bug to surface, not a state to draw.
// Check text typed by a user with `parseDec` (../decimal) before calling in.
//
// A tick's decimals are its significant ones: "0.50" has 1, "5" has 0. Results are printed
// with exactly that many decimals ("91250.0" on a 0.5 tick, "91250" on a 5 tick).

import { compareDec, decToString, parseDec, trimDec, type Dec } from "../decimal";

/** How a price between two ticks is moved onto one. */
export type SnapMode = "nearest" | "down" | "up";

/** Which argument could not be used. */
export type TickErrorKind = "price" | "tick" | "count";

/** A price or tick that is not plain decimal text, a tick not above zero, or a fractional
 * tick count. */
export class TickError extends Error {
  override readonly name = "TickError";
  readonly kind: TickErrorKind;
  /** What was passed in, as text. */
  readonly input: string;

  constructor(kind: TickErrorKind, input: string, message: string) {
    super(message);
    this.kind = kind;
    this.input = input;
  }
}

const EXPONENT = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;

/** A finite number as plain decimal text (its shortest round-trip form); null otherwise. */
function numberText(n: number): string | null {
  if (!Number.isFinite(n)) return null;
  const text = String(n);
  const m = EXPONENT.exec(text);
  if (m === null) return text;
  const [, sign = "", whole = "", frac = "", exp = "0"] = m;
  const digits = whole + frac;
  const point = whole.length + Number(exp);
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + "0".repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A price as an exact decimal, or a TickError. */
export function readPrice(price: string | number, kind: TickErrorKind = "price"): Dec {
  const text = typeof price === "number" ? numberText(price) : price;
  const d = text === null ? null : parseDec(text);
  if (d === null) {
    throw new TickError(kind, String(price), `${kind} is not a plain decimal: ${String(price)}`);
  }
  return d;
}

/** A tick as an exact decimal without trailing zeros; a TickError unless it is above zero. */
export function readTick(tick: string): Dec {
  const d = readPrice(tick, "tick");
  if (d.units <= 0n) throw new TickError("tick", tick, `tick must be above zero: ${tick}`);
  return trimDec(d);
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Both values as integers of one common scale. */
function aligned(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * pow10(scale - a.scale), b.units * pow10(scale - b.scale), scale];
}

/** Significant decimals of a tick: "0.5" → 1, "0.0001" → 4, "0.50" → 1, "5" → 0. */
export function decimalsOf(tick: string): number {
  return readTick(tick).scale;
}

/**
 * `price` moved onto a multiple of `tick`, printed with the tick's decimals.
 * "down" goes toward minus infinity, "up" toward plus infinity. "nearest" sends an exact
 * half-way price away from zero (100.25 on a 0.5 tick → 100.5, -100.25 → -100.5), the same
 * rule the shared formatter rounds by.
 */
export function snapToTick(
  price: string | number,
  tick: string,
  mode: SnapMode = "nearest",
): string {
  const t = readTick(tick);
  const [p, step] = aligned(readPrice(price), t);
  let q = p / step; // toward zero
  const r = p - q * step; // carries the sign of p
  if (r !== 0n) {
    if (mode === "down") {
      if (r < 0n) q -= 1n;
    } else if (mode === "up") {
      if (r > 0n) q += 1n;
    } else if (2n * (r < 0n ? -r : r) >= step) {
      q += r < 0n ? -1n : 1n;
    }
  }
  return decToString({ units: q * t.units, scale: t.scale });
}

/** Whether `price` is a whole number of ticks. */
export function isOnTick(price: string | number, tick: string): boolean {
  const [p, step] = aligned(readPrice(price), readTick(tick));
  return p % step === 0n;
}

/**
 * Whole ticks from `a` up to `b`: positive when b is above a. A part of a tick does not
 * count (the quotient is truncated toward zero), so two prices one and a half ticks apart
 * are 1 tick apart, and -1 the other way round.
 */
export function ticksBetween(a: string | number, b: string | number, tick: string): number {
  const t = readTick(tick);
  const [x, y, scale] = aligned(readPrice(a), readPrice(b));
  const [diff, step] = aligned({ units: y - x, scale }, t);
  return Number(diff / step);
}

/**
 * `price` plus `n` ticks (n may be negative), printed with the tick's decimals or the
 * price's own if it has more: a price off the tick stays off it by the same amount.
 */
export function addTicks(price: string | number, n: number, tick: string): string {
  if (!Number.isSafeInteger(n)) {
    throw new TickError("count", String(n), `tick count must be a whole number: ${String(n)}`);
  }
  const t = readTick(tick);
  const [p, step, scale] = aligned(trimDec(readPrice(price)), t);
  return decToString({ units: p + BigInt(n) * step, scale });
}

/** -1, 0 or 1 as price `a` is below, equal to or above `b` ("100" equals "100.0"). */
export function comparePrices(a: string | number, b: string | number): number {
  return compareDec(readPrice(a), readPrice(b));
}

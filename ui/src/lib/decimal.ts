// Exact decimal arithmetic on the strings Rust sends (rust_decimal crosses IPC as text).
// Prices and sizes are checked against ticks and steps here without binary floating point:
// 0.3 is not a multiple of 0.1 in f64, but it is here.

/** A decimal as an integer number of 10^-scale units. */
export interface Dec {
  readonly units: bigint;
  readonly scale: number;
}

const PLAIN = /^([+-])?(\d*)(?:\.(\d*))?$/;

/** Parses plain decimal text ("12", "-0.50", ".5"); null for anything else (exponents, "inf"). */
export function parseDec(text: string): Dec | null {
  const m = PLAIN.exec(text.trim());
  if (m === null) return null;
  const [, sign, whole = "", frac = ""] = m;
  if (whole === "" && frac === "") return null;
  const units = BigInt((whole || "0") + frac);
  return { units: sign === "-" ? -units : units, scale: frac.length };
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

function aligned(a: Dec, b: Dec): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.units * pow10(scale - a.scale), b.units * pow10(scale - b.scale), scale];
}

/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareDec(a: Dec, b: Dec): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether `value` is a whole number of `step`s. A zero step accepts everything. */
export function isMultipleOf(value: Dec, step: Dec): boolean {
  const [x, y] = aligned(value, step);
  return y === 0n || x % y === 0n;
}

/** The same value without trailing fraction zeros: 0.00001000 → 0.00001, 5.0 → 5. */
export function trimDec(d: Dec): Dec {
  let { units, scale } = d;
  while (scale > 0 && units % 10n === 0n) {
    units /= 10n;
    scale -= 1;
  }
  return { units, scale };
}

/** Digits after the point once trailing zeros are dropped: "0.50" → 1, "5" → 0. */
export function fractionDigits(text: string): number {
  const d = parseDec(text);
  return d === null ? 0 : trimDec(d).scale;
}

/** Rounds to `scale` digits, halves away from zero. */
export function roundDec(d: Dec, scale: number): Dec {
  if (d.scale <= scale) return { units: d.units * pow10(scale - d.scale), scale };
  const div = pow10(d.scale - scale);
  const neg = d.units < 0n;
  const abs = neg ? -d.units : d.units;
  let q = abs / div;
  if ((abs % div) * 2n >= div) q += 1n;
  return { units: neg ? -q : q, scale };
}

/** Plain text with exactly `d.scale` fraction digits, no grouping. */
export function decToString(d: Dec): string {
  const neg = d.units < 0n;
  const digits = (neg ? -d.units : d.units).toString().padStart(d.scale + 1, "0");
  const whole = digits.slice(0, digits.length - d.scale);
  const frac = digits.slice(digits.length - d.scale);
  return (neg ? "-" : "") + whole + (d.scale > 0 ? "." + frac : "");
}

/** Whether the value is below, at or above zero: -1, 0, 1. */
export function signOf(d: Dec): number {
  return d.units < 0n ? -1 : d.units > 0n ? 1 : 0;
}

/** a + b, exact. */
export function addDec(a: Dec, b: Dec): Dec {
  const [x, y, scale] = aligned(a, b);
  return { units: x + y, scale };
}

/** a × b, exact. */
export function mulDec(a: Dec, b: Dec): Dec {
  return { units: a.units * b.units, scale: a.scale + b.scale };
}

/** a ÷ b rounded to `scale` digits, halves away from zero; null when b is zero. */
export function divDec(a: Dec, b: Dec, scale: number): Dec | null {
  if (b.units === 0n) return null;
  // a/b = (a.units · 10^b.scale) / (b.units · 10^a.scale); scaled up by 10^scale to keep digits.
  const num = a.units * pow10(b.scale + scale);
  const den = b.units * pow10(a.scale);
  const neg = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  let q = n / d;
  if ((n % d) * 2n >= d) q += 1n;
  return { units: neg ? -q : q, scale };
}

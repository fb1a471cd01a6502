// Position sizing for chart trading: how many contracts lose a chosen amount at the stop, and
// how many a share of the available margin buys. Exact: every input is decimal text, the
// quotient is taken on BigInt integers, and sizes are floored to the size step, so rounding
// never adds risk or margin.
//
// Sizes are counted in contracts of `contractSize`: base units per contract for a linear
// instrument, quote units for an inverse one (LN Markets: 1 USD). An instrument sized in
// base units (size_unit "base") is a linear one with contractSize "1"; one sized in quote
// units and settled in base is an inverse one with contractSize "1".
//
// Results say what is wrong instead of throwing: `field` is always the key of the input the
// message is about, so a form can show it next to that input.

import type { ContractKind } from "../bindings/bindings";
import {
  compareDec,
  decToString,
  divDec,
  mulDec,
  parseDec,
  signOf,
  trimDec,
  type Dec,
} from "../decimal";

/** Why a size could not be given, and which input to look at. */
export interface Refusal<F extends string> {
  ok: false;
  field: F;
  message: string;
}

export interface RiskSizeInput {
  contract: ContractKind;
  contractSize: string;
  sizeStep: string;
  minSize: string;
  maxSize: string;
  entry: string;
  stop: string;
  /** What may be lost at the stop, in the settle currency. */
  risk: string;
}

export type RiskSize =
  | {
      ok: true;
      /** Contracts, a whole number of size steps, printed with the step's decimals. */
      size: string;
      /** What `size` loses at the stop (≤ risk), in the settle currency, no trailing zeros. */
      riskAtStop: string;
    }
  | Refusal<keyof RiskSizeInput>;

export interface RiskAmountInput {
  /** "percent": `value` is a percentage of equity (0 < p ≤ 100); "fixed": an amount. */
  mode: "percent" | "fixed";
  value: string;
  /** Account equity in the settle currency. */
  equity: string;
}

export type RiskAmount = { ok: true; amount: string } | Refusal<"value" | "equity">;

export interface MarginSizeInput {
  contract: ContractKind;
  contractSize: string;
  sizeStep: string;
  /** Share of the available balance to commit: 0 < fraction ≤ 1 (the 10/25/50/100 % buttons). */
  fraction: string;
  /** Available balance in the settle currency. */
  available: string;
  leverage: string;
  price: string;
  /** Taker fee rate as a fraction ("0.0005"): room is left to pay it on opening. */
  takerFee?: string;
}

export type MarginSize =
  | {
      ok: true;
      /** Contracts, a whole number of size steps, printed with the step's decimals. */
      size: string;
    }
  | Refusal<keyof MarginSizeInput>;

const LABEL: Record<keyof RiskSizeInput | keyof MarginSizeInput | "value" | "equity", string> = {
  contract: "Contract",
  contractSize: "Contract size",
  sizeStep: "Size step",
  minSize: "Minimum size",
  maxSize: "Maximum size",
  entry: "Entry",
  stop: "Stop",
  risk: "Risk",
  fraction: "Fraction",
  available: "Available balance",
  leverage: "Leverage",
  price: "Price",
  takerFee: "Taker fee",
  value: "Risk",
  equity: "Equity",
};

/** The smallest risk shown for an inverse contract, whose loss is not a finite decimal. */
const INVERSE_RISK_DECIMALS = 8;

type Read<F extends string> = Dec | Refusal<F>;

function refuse<F extends keyof typeof LABEL>(field: F, message: string): Refusal<F> {
  return { ok: false, field, message };
}

/** Decimal text in `field`, which must be above zero (or at least zero with `orZero`). */
function read<F extends keyof typeof LABEL>(field: F, text: string, orZero = false): Read<F> {
  const d = parseDec(text);
  if (d === null) return refuse(field, `${LABEL[field]} must be a number`);
  const sign = signOf(d);
  if (sign < 0 || (sign === 0 && !orZero)) {
    return refuse(field, `${LABEL[field]} must be ${orZero ? "zero or more" : "above zero"}`);
  }
  return trimDec(d);
}

function refused<F extends string>(r: Read<F>): r is Refusal<F> {
  return "ok" in r;
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** floor(n / d) for n ≥ 0 and d > 0, exact. */
function floorQuotient(n: Dec, d: Dec): bigint {
  return (n.units * pow10(d.scale)) / (d.units * pow10(n.scale));
}

function sub(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return {
    units: a.units * pow10(scale - a.scale) - b.units * pow10(scale - b.scale),
    scale,
  };
}

function abs(d: Dec): Dec {
  return d.units < 0n ? { units: -d.units, scale: d.scale } : d;
}

const ONE: Dec = { units: 1n, scale: 0 };

function add(a: Dec, b: Dec): Dec {
  return sub(a, { units: -b.units, scale: b.scale });
}

/** `steps` size steps as text with the step's decimals. */
function sizeText(steps: bigint, step: Dec): string {
  return decToString({ units: steps * step.units, scale: step.scale });
}

/**
 * The size that loses at most `risk` if the price goes from `entry` to `stop`, floored to
 * the size step and checked against the size limits.
 * Linear: loss = size × contractSize × |entry − stop|.
 * Inverse: loss = size × contractSize × |1/entry − 1/stop|.
 */
export function sizeFromRisk(input: RiskSizeInput): RiskSize {
  const contractSize = read("contractSize", input.contractSize);
  if (refused(contractSize)) return contractSize;
  const step = read("sizeStep", input.sizeStep);
  if (refused(step)) return step;
  const min = read("minSize", input.minSize, true);
  if (refused(min)) return min;
  const max = read("maxSize", input.maxSize);
  if (refused(max)) return max;
  const entry = read("entry", input.entry);
  if (refused(entry)) return entry;
  const stop = read("stop", input.stop);
  if (refused(stop)) return stop;
  const risk = read("risk", input.risk);
  if (refused(risk)) return risk;

  const distance = abs(sub(entry, stop));
  if (distance.units === 0n) return refuse("stop", "Stop must differ from the entry");

  // Loss per contract as a fraction num/den: linear cs·|e−s| / 1, inverse cs·|e−s| / (e·s).
  const num = mulDec(contractSize, distance);
  const den = input.contract === "inverse" ? mulDec(entry, stop) : ONE;
  // steps = floor(risk / (loss per contract × step)) = floor(risk·den / (num·step)).
  const steps = floorQuotient(mulDec(risk, den), mulDec(num, step));
  const size: Dec = { units: steps * step.units, scale: step.scale };

  if (steps === 0n) {
    return refuse(
      "risk",
      `Risk ${input.risk} is less than one size step (${decToString(step)}) loses at this stop`,
    );
  }
  if (compareDec(size, min) < 0) {
    return refuse(
      "minSize",
      `Size ${decToString(size)} for this risk is below the minimum size ${decToString(min)}`,
    );
  }
  if (compareDec(size, max) > 0) {
    return refuse(
      "maxSize",
      `Size ${decToString(size)} for this risk is above the maximum size ${decToString(max)}`,
    );
  }

  const loss = mulDec(size, num);
  const riskAtStop =
    input.contract === "inverse"
      ? divDec(loss, den, Math.max(risk.scale, INVERSE_RISK_DECIMALS))
      : loss;
  return {
    ok: true,
    size: sizeText(steps, step),
    riskAtStop: decToString(trimDec(riskAtStop ?? loss)),
  };
}

/** The amount to risk in the settle currency: a percentage of equity or a fixed amount. */
export function riskAmount(input: RiskAmountInput): RiskAmount {
  const equity = read("equity", input.equity);
  if (refused(equity)) return equity;
  const value = read("value", input.value);
  if (refused(value)) return value;
  if (input.mode === "percent") {
    if (compareDec(value, { units: 100n, scale: 0 }) > 0) {
      return refuse("value", "Risk must be at most 100% of equity");
    }
    // equity × p / 100 is exact: two more decimal places.
    const amount = mulDec(equity, value);
    return {
      ok: true,
      amount: decToString(trimDec({ units: amount.units, scale: amount.scale + 2 })),
    };
  }
  if (compareDec(value, equity) > 0) {
    return refuse("value", `Risk must be at most the equity (${decToString(equity)})`);
  }
  return { ok: true, amount: decToString(value) };
}

/**
 * The size a share of the available balance opens at `leverage`, floored to the size step.
 * Linear: size = available × leverage × fraction / (price × contractSize).
 * Inverse: size = available × leverage × fraction × price / contractSize.
 * With a taker fee f the position value V must satisfy V/leverage + V×f ≤ available×fraction,
 * so the sizes above are divided by (1 + leverage × f). An estimate at `price`: the fill
 * price, and the venue's own fee and margin rules, decide.
 */
export function sizeFromMargin(input: MarginSizeInput): MarginSize {
  const contractSize = read("contractSize", input.contractSize);
  if (refused(contractSize)) return contractSize;
  const step = read("sizeStep", input.sizeStep);
  if (refused(step)) return step;
  const fraction = read("fraction", input.fraction);
  if (refused(fraction)) return fraction;
  if (compareDec(fraction, ONE) > 0) return refuse("fraction", "Fraction must be at most 1");
  const available = read("available", input.available, true);
  if (refused(available)) return available;
  const leverage = read("leverage", input.leverage);
  if (refused(leverage)) return leverage;
  const price = read("price", input.price);
  if (refused(price)) return price;
  let feeRoom = ONE;
  if (input.takerFee !== undefined && input.takerFee.trim() !== "") {
    const fee = read("takerFee", input.takerFee, true);
    if (refused(fee)) return fee;
    feeRoom = add(ONE, mulDec(leverage, fee));
  }

  const budget = mulDec(mulDec(available, fraction), leverage);
  const steps =
    input.contract === "inverse"
      ? floorQuotient(mulDec(budget, price), mulDec(mulDec(feeRoom, contractSize), step))
      : floorQuotient(budget, mulDec(mulDec(feeRoom, price), mulDec(contractSize, step)));
  if (steps === 0n) {
    return refuse("available", "Not enough available balance for one size step");
  }
  return { ok: true, size: sizeText(steps, step) };
}

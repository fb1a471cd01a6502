// What a count of contracts is worth. A linear contract is a slice of the base currency (LMEX:
// 1 BTC-PERP contract = 0.0001 BTC), so "25" says little until it reads "0.0025 BTC"; wherever
// such a size is shown, its base amount goes beside it. Inverse contracts (LN Markets: 1 USD
// each) already read as money, and sizes in the base currency (the Demo) are the amount
// itself: both are shown as they are. Exact on decimal text, like the rest of the formatting.

import type { Instrument } from "./bindings/bindings";
import { compareDec, decToString, mulDec, parseDec, signOf, trimDec, type Dec } from "./decimal";
import { formatDecimal, formatExact, moneyDecimals, type InstrumentFormat } from "./format";

const ONE: Dec = { units: 1n, scale: 0 };

/** What the arithmetic needs from an instrument. */
export type ContractSpec = Pick<Instrument, "size_unit" | "contract" | "contract_size" | "base">;

/** Whether sizes count linear contracts of `contract_size` base units each. */
export function countsLinearContracts(
  instrument: Pick<Instrument, "size_unit" | "contract">,
): boolean {
  return instrument.size_unit === "contracts" && instrument.contract === "linear";
}

/** `contracts` × the contract size as exact plain text without trailing zeros (25 × 0.0001 →
 * "0.0025"); null when either does not parse. */
export function baseAmount(contracts: string, instrument: ContractSpec): string | null {
  const count = parseDec(contracts);
  const size = parseDec(instrument.contract_size);
  if (count === null || size === null) return null;
  return decToString(trimDec(mulDec(count, size)));
}

/** The size of one contract, for a hint under the size: "1 contract = 0.0001 BTC". */
export function contractHint(instrument: Pick<Instrument, "contract_size" | "base">): string {
  return `1 contract = ${formatExact(instrument.contract_size)} ${instrument.base}`;
}

/** What `contracts` come to: a base amount and, with a price, its value in the settle
 * currency. */
export interface ContractsWorth {
  /** "0.0025" */
  base: string;
  /** "BTC" */
  baseUnit: string;
  /** "125.00"; null without a price to value it at. */
  value: string | null;
  /** "USDT" */
  valueUnit: string;
}

/** The worth of `contracts` of a linear instrument at `price` (the price the order would fill
 * at); null for other instruments, or a size that does not parse or is not above zero. */
export function contractsWorth(
  contracts: string,
  instrument: ContractSpec & Pick<Instrument, "settle">,
  price: string | null,
): ContractsWorth | null {
  if (!countsLinearContracts(instrument)) return null;
  const count = parseDec(contracts.trim());
  const size = parseDec(instrument.contract_size);
  if (count === null || size === null || signOf(count) <= 0) return null;
  const base = trimDec(mulDec(count, size));
  const at = price === null ? null : parseDec(price);
  const value =
    at === null
      ? null
      : formatDecimal(decToString(mulDec(base, at)), moneyDecimals(instrument.settle));
  return {
    base: formatExact(decToString(base)),
    baseUnit: instrument.base,
    value,
    valueUnit: instrument.settle,
  };
}

/** A size as a table shows it. */
export interface SizeCell {
  /** "25 ct" for linear contracts, else the size as the instrument formats it ("0.050"). */
  text: string;
  /** The base amount, "0.0025 BTC", for linear contracts; null otherwise. */
  base: string | null;
  /** The whole story for a tooltip: "25 contracts = 0.0025 BTC". */
  title: string | undefined;
}

/** `size` in a table row: linear contracts as a count with their base amount beside it; other
 * instruments exactly as before (the size alone). */
export function sizeCell(
  size: string,
  instrument: ContractSpec | undefined,
  fmt: Pick<InstrumentFormat, "size">,
): SizeCell {
  const count = fmt.size(size);
  if (instrument === undefined || !countsLinearContracts(instrument)) {
    return { text: count, base: null, title: undefined };
  }
  const base = baseAmount(size, instrument);
  const baseText = base === null ? null : `${formatExact(base)} ${instrument.base}`;
  const parsed = parseDec(size);
  const noun = parsed !== null && compareDec(parsed, ONE) === 0 ? "contract" : "contracts";
  return {
    text: `${count} ct`,
    base: baseText,
    title: baseText === null ? `${count} ${noun}` : `${count} ${noun} = ${baseText}`,
  };
}

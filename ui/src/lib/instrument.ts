// Instrument identity and contract arithmetic for display (estimates use floats; the checks
// that matter use exact decimals and run again in Rust).

import type { Instrument, InstrumentId } from "./bindings/bindings";

/** A stable string key for maps and keyed lists: "demo:BTC-PERP". */
export function instrumentKey(id: InstrumentId): string {
  return `${id.venue}:${id.symbol}`;
}

/** Whether two ids name the same instrument. */
export function sameInstrument(a: InstrumentId, b: InstrumentId): boolean {
  return a.venue === b.venue && a.symbol === b.symbol;
}

/** The unit sizes are typed in: "BTC", "USD" or "contracts". */
export function sizeUnitLabel(instrument: Instrument): string {
  switch (instrument.size_unit) {
    case "base":
      return instrument.base;
    case "quote":
      return instrument.quote;
    case "contracts":
      return "contracts";
  }
}

/** Order value of `size` at `price` in the settle currency; mirrors `Instrument::notional`. */
export function estimateNotional(instrument: Instrument, size: number, price: number): number {
  const units =
    instrument.size_unit === "contracts" ? size * Number(instrument.contract_size) : size;
  if (instrument.contract === "inverse") return price === 0 ? 0 : units / price;
  return instrument.size_unit === "quote" ? units : units * price;
}

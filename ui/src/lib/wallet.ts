// Amounts and destinations for LN Markets deposits and withdrawals, as the user types them.
// Sats are whole numbers well inside a double's exact range (21 million BTC is 2.1e15 sats),
// so they cross IPC as numbers; BTC is shown beside them as an exact decimal.

import { btcFromSats, formatDecimal } from "./format";

/** How money moves in or out: paying or being paid an invoice, or a bitcoin transaction. */
export type WalletNetwork = "lightning" | "on_chain";

/** Every bitcoin there will ever be, in sats: anything above is a typo. */
export const MAX_SATS = 2_100_000_000_000_000;

/** A typed amount: the sats, or why not (null error while the field is empty). */
export type SatsCheck = { sats: number; error: null } | { sats: null; error: string | null };

/** Reads whole sats from the user's text; thousands separators (",", "_", spaces) are fine. */
export function checkSats(text: string): SatsCheck {
  const plain = text.replace(/[\s,_]/g, "");
  if (plain === "") return { sats: null, error: null };
  if (!/^\d+$/.test(plain)) return { sats: null, error: "Whole sats, like 25000" };
  const sats = Number(plain);
  if (sats === 0) return { sats: null, error: "At least 1 sat" };
  if (sats > MAX_SATS) return { sats: null, error: "More sats than there will ever be" };
  return { sats, error: null };
}

/** A typed on-chain address: the address, or why not (null error while the field is empty).
 * Only what is plainly wrong is caught here; the venue checks the address itself. */
export type AddressCheck =
  { address: string; error: null } | { address: null; error: string | null };

export function checkAddress(text: string): AddressCheck {
  const address = text.trim();
  if (address === "") return { address: null, error: null };
  if (/\s/.test(address)) return { address: null, error: "An address has no spaces" };
  if (/^(lightning:)?ln/i.test(address)) {
    return { address: null, error: "That is a Lightning invoice: choose Lightning" };
  }
  return { address, error: null };
}

/** An invoice as pasted, without the "lightning:" a wallet's share button may put in front. */
export function invoiceText(text: string): string {
  return text.trim().replace(/^lightning:/i, "");
}

/** Whole sats with thousands separators: 25000 → "25,000". */
export function formatSats(sats: number, options: { signed?: boolean } = {}): string {
  return formatDecimal(String(sats), 0, options);
}

/** Whole sats as BTC to the sat: 500 → "0.00000500". */
export function satsAsBtc(sats: number): string {
  return formatDecimal(btcFromSats(String(sats)), 8);
}

/** Long text with its middle left out ("lnbc25u1p…q8x7"), for invoices and addresses where
 * both ends are what people compare. Text short enough is returned whole. */
export function shortenMiddle(text: string, head = 12, tail = 8): string {
  if (text.length <= head + tail + 1) return text;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)}`;
}

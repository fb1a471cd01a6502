// Connection states, balances and errors in words a trader understands. The venue's own
// message and code always follow our sentence: nothing the venue said is hidden.

import type { AccountEntry, AppError, Balance, ConnectionState } from "../bindings/bindings";
import { parseDec } from "../decimal";
import { formatDecimal, satsFromBtc } from "../format";
import { describeError } from "../ipc/result";

/** What went wrong, by code; null where the backend's message says it best. */
function sentence(error: AppError): string | null {
  switch (error.code) {
    case "auth_rejected":
      return "The venue rejected the key, secret or passphrase";
    case "permission_denied":
      return "This key lacks the permission (check its scopes on the venue)";
    case "clock_skew":
      return "Your computer's clock is off; sync it and try again";
    case "network":
      return "Could not reach the venue";
    case "venue_unavailable":
      return "The venue is down or in maintenance";
    case "rate_limited": {
      const ms = error.retry_after_ms;
      return ms === null || ms === undefined
        ? "Too many requests — wait a moment"
        : `Too many requests — wait ${String(Math.max(1, Math.ceil(ms / 1000)))}s`;
    }
    case "protocol":
      return "The venue answered in a way Kestrel does not understand";
    case "unsupported":
      return "Kestrel cannot do this on this venue yet";
    case "not_found":
      return "The account is no longer configured";
    // Rust words these itself ("No OS keychain available: …", "… Unlock it and try again").
    case "keychain_unavailable":
    case "keychain_locked":
    case "invalid_input":
    case "insufficient_funds":
    case "invalid_order":
    case "internal":
      return null;
  }
}

/** Our sentence for `error`, then the backend's message and the venue's code. */
export function explainError(error: AppError): string {
  const ours = sentence(error);
  return ours === null ? describeError(error) : `${ours}: ${describeError(error)}`;
}

const STATE: Record<Exclude<ConnectionState, "failed">, string> = {
  connected: "Connected",
  connecting: "Connecting…",
  unsupported: "Not supported yet",
};

/** The account's connection as its row says it. */
export function statusText(entry: Pick<AccountEntry, "state" | "error">): string {
  if (entry.state !== "failed") return STATE[entry.state];
  const error = entry.error ?? null;
  return error === null ? "Failed" : `Failed: ${describeError(error)}`;
}

/**
 * "Balance 1,234,567 sats": the wallet grouped in thousands, with every decimal the venue
 * sent. Bitcoin amounts are shown in sats (how Lightning venues and their traders count),
 * with the BTC figure after them.
 */
export function balanceText(balance: Balance): string {
  const sats = /^btc$/i.test(balance.currency) ? satsFromBtc(balance.wallet) : null;
  if (sats !== null) return `Balance ${formatDecimal(sats, 0)} sats (${balance.wallet} BTC)`;
  const digits = parseDec(balance.wallet)?.scale;
  const amount = digits === undefined ? balance.wallet : formatDecimal(balance.wallet, digits);
  const unit = /^sats?$/i.test(balance.currency) ? "sats" : balance.currency;
  return `Balance ${amount} ${unit}`;
}

/**
 * The newest balance known for an account: from the user's last successful test, or from
 * Rust's own check, whichever is later. `at` in ms; null when Rust did not say when.
 */
export function lastBalance(
  entry: Pick<AccountEntry, "balance" | "checked_at">,
  tested: { balance: Balance; at: number } | null,
): { balance: Balance; at: number | null } | null {
  const at = entry.checked_at ?? null;
  const fromEntry = entry.balance ? { balance: entry.balance, at } : null;
  if (tested === null) return fromEntry;
  if (fromEntry !== null && at !== null && at > tested.at) return fromEntry;
  return tested;
}

// LN Markets' venue-only features over IPC: the LN Markets tab's overview, cash-in, the wallet
// (deposits, withdrawals and their history) and the cross-margin account. Each call sends at
// most once; nothing here retries (cashing in or withdrawing twice would move twice the money).

import {
  commands,
  type AccountId,
  type AppError,
  type DepositInvoice,
  type InstrumentId,
  type LnmCross,
  type LnmCrossDirection,
  type LnmOverview,
  type LnmWithdrawTo,
  type PositionSide,
  type WalletView,
} from "../bindings/bindings";
import { settle, settlePlain } from "./result";
import type { Result } from "./result";

/** Funding settlements, the account's funding fees, the leaderboard and what the venue no
 * longer offers. */
export function lnmOverview(account: AccountId): Promise<Result<LnmOverview, AppError>> {
  return settle(() => commands.lnmOverview(account));
}

/** Takes `amount` (a BTC decimal of whole sats) out of the `side` position: profit first,
 * then margin. Ok means the venue accepted; the position follows as an account event. */
export function lnmCashIn(
  account: AccountId,
  instrument: InstrumentId,
  side: PositionSide,
  amount: string,
): Promise<Result<null, AppError>> {
  return settle(() => commands.lnmCashIn(account, instrument, side, amount));
}

/** The on-chain deposit address (with its QR code) and every deposit and withdrawal. */
export function lnmWallet(account: AccountId): Promise<Result<WalletView, AppError>> {
  return settle(() => commands.lnmWallet(account));
}

/** A new Lightning invoice for `amountSats` into the account, with its QR code. */
export function lnmDepositLightning(
  account: AccountId,
  amountSats: number,
): Promise<Result<DepositInvoice, AppError>> {
  return settle(() => commands.lnmDepositLightning(account, amountSats));
}

/** The whole sats a BOLT11 invoice asks for; null when it names none or is not an invoice.
 * Decoded in Rust, on this machine: nothing goes to the venue. */
export function lnmInvoiceAmount(invoice: string): Promise<Result<number | null, AppError>> {
  return settlePlain(() => commands.lnmInvoiceAmount(invoice));
}

/** Sends a withdrawal, once; ok carries the sats sent. An error of code "network" means the
 * outcome is unknown: the money may have left, so the caller must not send it again. */
export function lnmWithdraw(
  account: AccountId,
  to: LnmWithdrawTo,
): Promise<Result<number, AppError>> {
  return settle(() => commands.lnmWithdraw(account, to));
}

/** The cross-margin account: its wallet, position, leverage, transfers and funding fees. */
export function lnmCross(account: AccountId): Promise<Result<LnmCross, AppError>> {
  return settle(() => commands.lnmCross(account));
}

/** Moves `amountSats` between the account balance and the cross wallet, once; ok carries the
 * cross account after it. An error of code "network" means the outcome is unknown: the move may
 * have happened, so the caller must not send it again. */
export function lnmCrossTransfer(
  account: AccountId,
  direction: LnmCrossDirection,
  amountSats: number,
): Promise<Result<LnmCross, AppError>> {
  return settle(() => commands.lnmCrossTransfer(account, direction, amountSats));
}

/** Sets the cross-margin leverage (whole, 1–100); ok carries the cross account after it. The
 * venue refuses a leverage the margin cannot carry. */
export function lnmCrossLeverage(
  account: AccountId,
  leverage: number,
): Promise<Result<LnmCross, AppError>> {
  return settle(() => commands.lnmCrossLeverage(account, leverage));
}

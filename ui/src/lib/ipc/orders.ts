// Trading over IPC. Each call sends at most once; nothing here retries. `error` means the
// request was refused before anything was sent; the outcome says what the venue did.

import {
  commands,
  type AccountId,
  type AppError,
  type BulkOutcome,
  type ClientOrderId,
  type InstrumentId,
  type OrderOutcome,
  type OrderTicket,
  type PositionSide,
} from "../bindings/bindings";
import { settle } from "./result";
import type { Result } from "./result";

/** Risk-checks the ticket in Rust and sends it exactly once. `clickedAtMs` is when the user
 * asked for it, on the wall clock (`clickTime()`): the backend keeps the click-to-send time. */
export function placeOrder(
  account: AccountId,
  ticket: OrderTicket,
  clickedAtMs: number | null = null,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.placeOrder(account, ticket, clickedAtMs));
}

/** Now on the wall clock with sub-millisecond precision, as the backend measures it. */
export function clickTime(): number {
  return performance.timeOrigin + performance.now();
}

/** Cancels a working order by our client order id. */
export function cancelOrder(
  account: AccountId,
  instrument: InstrumentId,
  clientOrderId: ClientOrderId,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.cancelOrder(account, instrument, clientOrderId));
}

/** Moves a working order to a new `price` and/or `size` (null leaves it as it is). Amended in
 * place where the venue can, else cancelled and replaced under a NEW client order id: an
 * accepted outcome's order carries the id the order goes by from now on. */
export function amendOrder(
  account: AccountId,
  clientOrderId: ClientOrderId,
  price: string | null,
  size: string | null,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.amendOrder(account, clientOrderId, price, size));
}

/** Closes the whole position in `instrument` at market. */
export function closePosition(
  account: AccountId,
  instrument: InstrumentId,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.closePosition(account, instrument));
}

/** Sets (a price) or removes (null) the take-profit and stop-loss of the `side` position; with
 * `stopLossTrailing` the stop-loss trails the market at its distance from it (venues whose
 * capabilities have `trailing_stop` only). Ok means the venue accepted; the new values arrive
 * as a position event. */
export function setTpSl(
  account: AccountId,
  instrument: InstrumentId,
  side: PositionSide,
  takeProfit: string | null,
  stopLoss: string | null,
  stopLossTrailing: boolean,
): Promise<Result<null, AppError>> {
  return settle(() =>
    commands.setTpSl(account, instrument, side, takeProfit, stopLoss, stopLossTrailing),
  );
}

/** Adds `amount` (a decimal in the settle currency: BTC, not sats) of margin to a position. */
export function addMargin(
  account: AccountId,
  instrument: InstrumentId,
  side: PositionSide,
  amount: string,
): Promise<Result<null, AppError>> {
  return settle(() => commands.addMargin(account, instrument, side, amount));
}

/** Cancels every working order of the account, or only those in `instrument`. Sent once; the
 * outcome counts what was cancelled, what is unknown (reconciling) and why the rest failed. */
export function cancelAllOrders(
  account: AccountId,
  instrument: InstrumentId | null,
): Promise<Result<BulkOutcome, AppError>> {
  return settle(() => commands.cancelAllOrders(account, instrument));
}

/** Closes every position of the account at market. Sent once; the outcome counts as above. */
export function closeAllPositions(account: AccountId): Promise<Result<BulkOutcome, AppError>> {
  return settle(() => commands.closeAllPositions(account));
}

// Trading over IPC. Each call sends at most once; nothing here retries. `error` means the
// request was refused before anything was sent; the outcome says what the venue did.

import {
  commands,
  type AccountId,
  type AppError,
  type ClientOrderId,
  type InstrumentId,
  type OrderOutcome,
  type OrderTicket,
  type PositionSide,
} from "../bindings/bindings";
import { settle } from "./result";
import type { Result } from "./result";

/** Risk-checks the ticket in Rust and sends it exactly once. */
export function placeOrder(
  account: AccountId,
  ticket: OrderTicket,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.placeOrder(account, ticket));
}

/** Cancels a working order by our client order id. */
export function cancelOrder(
  account: AccountId,
  instrument: InstrumentId,
  clientOrderId: ClientOrderId,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.cancelOrder(account, instrument, clientOrderId));
}

/** Closes the whole position in `instrument` at market. */
export function closePosition(
  account: AccountId,
  instrument: InstrumentId,
): Promise<Result<OrderOutcome, AppError>> {
  return settle(() => commands.closePosition(account, instrument));
}

/** Sets (a price) or removes (null) the take-profit and stop-loss of the `side` position.
 * Ok means the venue accepted; the new values arrive as a position event. */
export function setTpSl(
  account: AccountId,
  instrument: InstrumentId,
  side: PositionSide,
  takeProfit: string | null,
  stopLoss: string | null,
): Promise<Result<null, AppError>> {
  return settle(() => commands.setTpSl(account, instrument, side, takeProfit, stopLoss));
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

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

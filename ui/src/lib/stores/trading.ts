// Placing, cancelling and closing orders, and changing positions: sends one request, then
// shows what came of it. An unknown outcome is not a failure: the order stays on screen as
// "unknown — reconciling" until the account stream says what the venue did.

import type {
  AccountId,
  AppError,
  ClientOrderId,
  Instrument,
  InstrumentId,
  Order,
  OrderOutcome,
  OrderTicket,
  Position,
  PositionSide,
} from "../bindings/bindings";
import { SILENT, type AlertSink } from "../alerts";
import { formatterFor } from "../format";
import { sizeUnitLabel } from "../instrument";
import { describeError } from "../ipc/result";
import { clickTime } from "../ipc/orders";
import {
  tpSlSummary,
  type MarginAction,
  type MarginAmount,
  type MarginErrors,
  type TpSlErrors,
  type TpSlRequest,
} from "../position-actions";
import { ticketField, type TicketErrors } from "../ticket";
import type { OrdersStore } from "./orders.svelte";
import type { ToastKind, Toasts } from "./toasts.svelte";
import type { Result } from "../ipc/result";

export interface TradingApi {
  placeOrder(
    account: AccountId,
    ticket: OrderTicket,
    clickedAtMs?: number | null,
  ): Promise<Result<OrderOutcome, AppError>>;
  cancelOrder(
    account: AccountId,
    instrument: InstrumentId,
    clientOrderId: ClientOrderId,
  ): Promise<Result<OrderOutcome, AppError>>;
  amendOrder(
    account: AccountId,
    clientOrderId: ClientOrderId,
    price: string | null,
    size: string | null,
  ): Promise<Result<OrderOutcome, AppError>>;
  closePosition(
    account: AccountId,
    instrument: InstrumentId,
  ): Promise<Result<OrderOutcome, AppError>>;
  setTpSl(
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    takeProfit: string | null,
    stopLoss: string | null,
    stopLossTrailing: boolean,
  ): Promise<Result<null, AppError>>;
  addMargin(
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    amount: string,
  ): Promise<Result<null, AppError>>;
  cashIn(
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    amount: string,
  ): Promise<Result<null, AppError>>;
}

/** What came of moving a line on the chart: the venue took it (`ack`), refused it (`reject`,
 * the line goes back), or has not said (`pending`: the ghost stays until the stream tells). */
export type MoveAnswer = { kind: "ack" } | { kind: "reject"; reason: string } | { kind: "pending" };

/** A toast's worth of news. */
export interface Notice {
  kind: ToastKind;
  title: string;
  detail: string | null;
}

/** The local record of an order whose outcome is unknown, built from what was sent. */
export function unknownOrder(
  ticket: OrderTicket,
  id: ClientOrderId,
  reason: string,
  now: number,
): Order {
  return {
    id: null,
    client_order_id: id,
    instrument: ticket.instrument,
    side: ticket.side,
    order_type: ticket.order_type,
    status: "unknown",
    size: ticket.size,
    filled_size: "0",
    price: ticket.price,
    trigger_price: ticket.trigger_price,
    avg_fill_price: null,
    reduce_only: ticket.reduce_only,
    post_only: ticket.post_only,
    leverage: ticket.leverage,
    created_at: now,
    updated_at: now,
    reason,
  };
}

/** Backend errors on a ticket, as messages by field. */
export function ticketErrorsFrom(error: AppError): TicketErrors {
  if (error.code !== "invalid_order") return {};
  return { [ticketField(error.field)]: describeError(error) };
}

/** Backend errors on a TP/SL change: next to the price they name, else for the editor. */
export function tpSlErrorsFrom(error: AppError): TpSlErrors {
  const field = error.code === "invalid_order" ? error.field : null;
  if (field === "take_profit" || field === "stop_loss") return { [field]: describeError(error) };
  return { editor: describeError(error) };
}

/** Backend errors on adding margin or cashing in: next to the amount when it is at fault,
 * else for the editor. */
export function marginErrorsFrom(error: AppError): MarginErrors {
  if (error.code === "invalid_order" && error.field === "amount") {
    return { amount: describeError(error) };
  }
  return { editor: describeError(error) };
}

/** The toast for an AppError (nothing was sent). */
export function errorNotice(action: string, error: AppError): Notice {
  switch (error.code) {
    case "rate_limited":
      return { kind: "warning", title: `${action}: rate limited`, detail: describeError(error) };
    case "network":
    case "venue_unavailable":
      return { kind: "error", title: `${action}: venue unreachable`, detail: describeError(error) };
    case "auth_rejected":
      return {
        kind: "error",
        title: `${action}: credentials rejected`,
        detail: describeError(error),
      };
    case "invalid_order":
      return { kind: "error", title: `${action}: invalid order`, detail: describeError(error) };
    default:
      return { kind: "error", title: `${action} failed`, detail: describeError(error) };
  }
}

export class Trading {
  readonly #api: TradingApi;
  readonly #orders: OrdersStore;
  readonly #toasts: Toasts;
  readonly #now: () => number;
  readonly #alerts: AlertSink;

  /** `alerts` hears of the venue's rejections, besides the toast. */
  constructor(
    api: TradingApi,
    orders: OrdersStore,
    toasts: Toasts,
    now: () => number = Date.now,
    alerts: AlertSink = SILENT,
  ) {
    this.#api = api;
    this.#orders = orders;
    this.#toasts = toasts;
    this.#now = now;
    this.#alerts = alerts;
  }

  #reject(title: string, detail: string): void {
    this.#notify({ kind: "error", title, detail });
    this.#alerts.alert("rejection", title, detail);
  }

  #notify(n: Notice): void {
    this.#toasts.push(n.kind, n.title, n.detail);
  }

  /** Sends a checked ticket once. Returns messages for ticket fields the backend refused.
   * `clickedAtMs` is when the user asked (defaults to now, which a click handler calls
   * synchronously): the backend measures click-to-send from it. */
  async submit(
    account: AccountId,
    ticket: OrderTicket,
    instrument: Instrument,
    clickedAtMs: number = clickTime(),
  ): Promise<TicketErrors> {
    const result = await this.#api.placeOrder(account, ticket, clickedAtMs);
    if (result.status === "error") {
      this.#notify(errorNotice("Order", result.error));
      return ticketErrorsFrom(result.error);
    }
    const outcome = result.data;
    const fmt = formatterFor(instrument);
    const what = `${ticket.side === "buy" ? "Buy" : "Sell"} ${fmt.size(ticket.size)} ${sizeUnitLabel(instrument)} ${instrument.id.symbol}`;
    switch (outcome.outcome) {
      case "accepted":
        this.#orders.apply(outcome.order);
        this.#notify({ kind: "success", title: "Order accepted", detail: what });
        return {};
      case "rejected": {
        this.#reject("Order rejected", describeError(outcome.error));
        const kind = outcome.error.kind;
        return kind.kind === "invalid_order"
          ? { [ticketField(kind.field)]: outcome.error.message }
          : {};
      }
      case "unknown":
        // The engine reports the unknown order on the stream too, and may already have
        // resolved it: only stand in for it when we have heard nothing at all.
        if (!this.#orders.knows(outcome.client_order_id)) {
          this.#orders.apply(
            unknownOrder(ticket, outcome.client_order_id, outcome.reason, this.#now()),
          );
        }
        this.#notify({
          kind: "warning",
          title: "Order outcome unknown — reconciling",
          detail: `${what}: ${outcome.reason}`,
        });
        return {};
    }
  }

  /** Asks the venue to cancel a working order. */
  async cancel(account: AccountId, order: Order): Promise<void> {
    const result = await this.#api.cancelOrder(account, order.instrument, order.client_order_id);
    if (result.status === "error") {
      this.#notify(errorNotice("Cancel", result.error));
      return;
    }
    const outcome = result.data;
    switch (outcome.outcome) {
      case "accepted":
        this.#orders.apply(outcome.order);
        this.#notify({ kind: "success", title: "Order cancelled", detail: null });
        return;
      case "rejected":
        // "Not found" may mean it filled meanwhile: the stream will tell, so no failure toast.
        if (outcome.error.kind.kind === "not_found") {
          this.#notify({ kind: "info", title: "Cancel not confirmed — reconciling", detail: null });
        } else {
          this.#notify({
            kind: "error",
            title: "Cancel rejected",
            detail: describeError(outcome.error),
          });
        }
        return;
      case "unknown":
        this.#notify({
          kind: "warning",
          title: "Cancel outcome unknown — reconciling",
          detail: outcome.reason,
        });
        return;
    }
  }

  /** Moves a working order to `price` (one amend, sent once). An accepted amend may carry a
   * new client order id (cancel-replace): the order is shown under it at once. */
  async amendOrder(account: AccountId, order: Order, price: string): Promise<MoveAnswer> {
    const result = await this.#api.amendOrder(account, order.client_order_id, price, null);
    if (result.status === "error") {
      const notice = errorNotice("Move order", result.error);
      this.#notify(notice);
      return { kind: "reject", reason: notice.detail ?? notice.title };
    }
    const outcome = result.data;
    switch (outcome.outcome) {
      case "accepted":
        this.#orders.apply(outcome.order);
        return { kind: "ack" };
      case "rejected": {
        const reason = describeError(outcome.error);
        this.#notify({ kind: "error", title: "Move rejected", detail: reason });
        return { kind: "reject", reason };
      }
      case "unknown":
        this.#notify({
          kind: "warning",
          title: "Move outcome unknown — reconciling",
          detail: outcome.reason,
        });
        return { kind: "pending" };
    }
  }

  /** Sets a position's take-profit and stop-loss from a line moved on the chart. Unlike the
   * editor there is no field to show a refusal next to, so it is toasted. Success stays
   * pending: the new level shows when the position event carries it. */
  async moveTpSl(
    account: AccountId,
    position: Position,
    instrument: Instrument,
    request: TpSlRequest,
  ): Promise<MoveAnswer> {
    const errors = await this.setTpSl(account, position, instrument, request);
    const reason = errors.take_profit ?? errors.stop_loss ?? errors.editor;
    if (reason === undefined) return { kind: "pending" };
    this.#notify({ kind: "error", title: "TP/SL not changed", detail: reason });
    return { kind: "reject", reason };
  }

  /** Closes a whole position at market. */
  async close(account: AccountId, position: Position): Promise<void> {
    const result = await this.#api.closePosition(account, position.instrument);
    if (result.status === "error") {
      this.#notify(errorNotice("Close", result.error));
      return;
    }
    const outcome = result.data;
    switch (outcome.outcome) {
      case "accepted":
        this.#orders.apply(outcome.order);
        this.#notify({
          kind: "success",
          title: `Closing ${position.instrument.symbol}`,
          detail: null,
        });
        return;
      case "rejected":
        this.#reject("Close rejected", describeError(outcome.error));
        return;
      case "unknown":
        this.#notify({
          kind: "warning",
          title: "Close outcome unknown — reconciling",
          detail: outcome.reason,
        });
        return;
    }
  }

  // Failures below are not toasted: the editor that asked stays open and shows them next to
  // the field at fault, which is where the user will look to fix them.

  /** Sets or removes a position's take-profit and stop-loss (a trailing one when the request
   * says so). Returns messages by field. */
  async setTpSl(
    account: AccountId,
    position: Position,
    instrument: Instrument,
    request: TpSlRequest,
  ): Promise<TpSlErrors> {
    const result = await this.#api.setTpSl(
      account,
      position.instrument,
      position.side,
      request.takeProfit,
      request.stopLoss,
      request.trailing,
    );
    if (result.status === "error") return tpSlErrorsFrom(result.error);
    // The position itself is updated by the account event that follows.
    this.#notify({
      kind: "success",
      title: tpSlSummary(position, request, formatterFor(instrument)),
      detail: `${position.instrument.symbol} ${position.side}`,
    });
    return {};
  }

  /** Adds margin to a position. Returns messages for the amount or the editor. */
  addMargin(account: AccountId, position: Position, amount: MarginAmount): Promise<MarginErrors> {
    return this.#moveMargin("add", account, position, amount);
  }

  /** Takes an amount out of a position, profit first, then margin (LN Markets). Returns
   * messages for the amount or the editor. */
  cashIn(account: AccountId, position: Position, amount: MarginAmount): Promise<MarginErrors> {
    return this.#moveMargin("cash_in", account, position, amount);
  }

  async #moveMargin(
    action: MarginAction,
    account: AccountId,
    position: Position,
    amount: MarginAmount,
  ): Promise<MarginErrors> {
    const method = action === "add" ? "addMargin" : "cashIn";
    const result = await this.#api[method](
      account,
      position.instrument,
      position.side,
      amount.value,
    );
    if (result.status === "error") return marginErrorsFrom(result.error);
    this.#notify({
      kind: "success",
      title: action === "add" ? `Added ${amount.label} of margin` : `Cashed in ${amount.label}`,
      detail: `${position.instrument.symbol} ${position.side}`,
    });
    return {};
  }
}

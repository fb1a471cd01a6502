// The price ladder's trading: a click on a row places a post-only limit order there at the
// ticket's size (while armed), × cancels our orders on a row, and a dragged order is moved by
// one amend (Trading's) whose answer settles the ladder's drag state (acked, or snapped back with why).

import type {
  AccountId,
  ClientOrderId,
  Instrument,
  Order,
  OrderTicket,
  Side,
} from "../bindings/bindings";
import { addDec, decToString, parseDec, signOf } from "../decimal";
import { IDLE, ack, reject, type DragState } from "../trading/drag";
import type { LadderOrder } from "../trading/ladder";
import type { OrdersStore } from "./orders.svelte";
import type { Toasts } from "./toasts.svelte";
import type { MoveAnswer } from "./trading";

export interface LadderDeps {
  trading: {
    /** One amend; toasts a refusal itself. */
    amendOrder(account: AccountId, order: Order, price: string): Promise<MoveAnswer>;
    submit(
      account: AccountId,
      ticket: OrderTicket,
      instrument: Instrument,
      clickedAtMs: number,
    ): Promise<unknown>;
    cancel(account: AccountId, order: Order): Promise<void>;
  };
  orders: OrdersStore;
  toasts: Toasts;
  arming: { readonly armed: boolean };
  clickTime(): number;
}

export const ARM_LADDER = "Arm one-click trading to trade from the ladder";

/** Our working priced orders as the ladder draws them, with what is left to fill. */
export function ladderOrders(orders: readonly Order[]): LadderOrder[] {
  const out: LadderOrder[] = [];
  for (const o of orders) {
    const price = (o.order_type === "stop" ? o.trigger_price : o.price) ?? null;
    const size = parseDec(o.size);
    const filled = parseDec(o.filled_size) ?? { units: 0n, scale: 0 };
    if (price === null || size === null) continue;
    const left = addDec(size, { units: -filled.units, scale: filled.scale });
    out.push({
      client_order_id: o.client_order_id,
      side: o.side,
      price,
      size: decToString(signOf(left) > 0 ? left : size),
      status: o.status,
    });
  }
  return out;
}

export class LadderStore {
  /** Bound to the ladder: drags under way and moves waiting for an answer. */
  drag = $state.raw<DragState>(IDLE);

  readonly #deps: LadderDeps;

  constructor(deps: LadderDeps) {
    this.#deps = deps;
  }

  /** A click on a row: a limit order at `price` of the ticket's size, post-only where the
   *  venue takes post-only orders (`postOnly`). */
  place(
    account: AccountId | null,
    instrument: Instrument | undefined,
    side: Side,
    price: string,
    ticketSize: string,
    leverage: string,
    postOnly = true,
  ): void {
    const clickedAt = this.#deps.clickTime();
    if (!this.#deps.arming.armed) {
      this.#deps.toasts.push("info", ARM_LADDER);
      return;
    }
    if (account === null || instrument === undefined) return;
    const size = parseDec(ticketSize.trim());
    if (size === null || signOf(size) <= 0) {
      this.#deps.toasts.push("info", "Set a size in the order ticket first");
      return;
    }
    const ticket: OrderTicket = {
      instrument: instrument.id,
      side,
      order_type: "limit",
      size: decToString(size),
      price,
      trigger_price: null,
      time_in_force: "gtc",
      reduce_only: false,
      post_only: postOnly,
      leverage: leverage.trim() === "" ? null : leverage.trim(),
      take_profit: null,
      stop_loss: null,
    };
    void this.#deps.trading.submit(account, ticket, instrument, clickedAt);
  }

  /** × on a row: cancels each of our orders there, once each. */
  cancel(account: AccountId | null, ids: readonly ClientOrderId[]): void {
    if (account === null) return;
    for (const id of ids) {
      const order = this.#deps.orders.get(id);
      if (order !== undefined) void this.#deps.trading.cancel(account, order);
    }
  }

  /** Sends the amend a drop asked for, once, and settles the drag with its answer: a refusal
   * snaps the order back with the reason; an unknown outcome drops the ghost, the account
   * stream saying where the order is. */
  async move(account: AccountId | null, id: ClientOrderId, price: string): Promise<void> {
    const order = this.#deps.orders.get(id);
    if (account === null || order === undefined) {
      const reason = account === null ? "No account selected" : "The order is no longer working";
      this.drag = reject(this.drag, id, reason);
      this.#deps.toasts.push("error", "Move refused", reason);
      return;
    }
    const answer = await this.#deps.trading.amendOrder(account, order, price);
    this.drag =
      answer.kind === "reject" ? reject(this.drag, id, answer.reason) : ack(this.drag, id);
  }
}

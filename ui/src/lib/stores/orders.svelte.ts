// Our working orders, keyed by client order id. Terminal orders leave the list; an order whose
// outcome is unknown stays on it, marked so, until the stream resolves it.

import type { ClientOrderId, Order, OrderStatus } from "../bindings/bindings";

/** How many finished client order ids are remembered to ignore late updates. */
const FINISHED_KEPT = 2000;

/** What applying an order update did. */
export type OrderChange =
  | { kind: "added"; order: Order }
  | { kind: "updated"; order: Order; from: OrderStatus }
  | { kind: "finished"; order: Order; from: OrderStatus | null }
  | { kind: "ignored" };

/** Filled, cancelled or rejected: the order can change no more. */
export function isTerminal(status: OrderStatus): boolean {
  return status === "filled" || status === "cancelled" || status === "rejected";
}

/** States we set locally, which any word from the venue supersedes. */
function isProvisional(status: OrderStatus): boolean {
  return status === "pending" || status === "unknown";
}

export class OrdersStore {
  /** Non-terminal orders, newest first. */
  open = $state.raw<Order[]>([]);

  #finished = new Set<ClientOrderId>();

  /** Replaces the list (from a snapshot). */
  load(orders: readonly Order[]): void {
    this.#finished = new Set();
    this.open = orders
      .filter((o) => !isTerminal(o.status))
      .slice()
      .sort((a, b) => b.created_at - a.created_at);
  }

  clear(): void {
    this.open = [];
    this.#finished = new Set();
  }

  get(id: ClientOrderId): Order | undefined {
    return this.open.find((o) => o.client_order_id === id);
  }

  /** Whether this order is on the list or has already finished. */
  knows(id: ClientOrderId): boolean {
    return this.#finished.has(id) || this.get(id) !== undefined;
  }

  /** Applies the latest known state of one order. */
  apply(order: Order): OrderChange {
    const id = order.client_order_id;
    if (this.#finished.has(id)) return { kind: "ignored" };
    const at = this.open.findIndex((o) => o.client_order_id === id);
    const existing = at >= 0 ? this.open[at] : undefined;
    if (
      existing !== undefined &&
      !isProvisional(existing.status) &&
      order.updated_at < existing.updated_at
    ) {
      return { kind: "ignored" }; // stale: an older state arriving late
    }
    if (isTerminal(order.status)) {
      this.#finish(id);
      if (at >= 0) this.open = this.open.filter((o) => o.client_order_id !== id);
      return { kind: "finished", order, from: existing?.status ?? null };
    }
    if (existing === undefined) {
      this.open = [order, ...this.open];
      return { kind: "added", order };
    }
    const open = this.open.slice();
    open[at] = order;
    this.open = open;
    return { kind: "updated", order, from: existing.status };
  }

  #finish(id: ClientOrderId): void {
    this.#finished.add(id);
    if (this.#finished.size > FINISHED_KEPT) {
      const oldest = this.#finished.values().next();
      if (oldest.done !== true) this.#finished.delete(oldest.value);
    }
  }
}

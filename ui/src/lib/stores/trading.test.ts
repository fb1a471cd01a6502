import { describe, expect, it, vi } from "vitest";
import type { AppError, OrderOutcome, OrderTicket } from "../bindings/bindings";
import { BTC, btcPerp, order, position } from "../../test/fixtures";
import { OrdersStore } from "./orders.svelte";
import { Toasts } from "./toasts.svelte";
import { Trading, type TradingApi } from "./trading";
import type { Result } from "../ipc/result";

const ticket: OrderTicket = {
  instrument: BTC,
  side: "buy",
  order_type: "limit",
  size: "0.01",
  price: "90000",
  trigger_price: null,
  time_in_force: "gtc",
  reduce_only: false,
  post_only: false,
  leverage: "10",
};

function setup(outcome: Result<OrderOutcome, AppError>) {
  const closePosition = vi.fn(() => Promise.resolve(outcome));
  const api: TradingApi = {
    placeOrder: vi.fn(() => Promise.resolve(outcome)),
    cancelOrder: vi.fn(() => Promise.resolve(outcome)),
    closePosition,
  };
  const orders = new OrdersStore();
  const toasts = new Toasts({ timers: false });
  return { closePosition, orders, toasts, trading: new Trading(api, orders, toasts, () => 42) };
}

describe("Trading", () => {
  it("shows an accepted order at once", async () => {
    const { trading, orders, toasts } = setup({
      status: "ok",
      data: { outcome: "accepted", order: order("c1") },
    });
    expect(await trading.submit("demo", ticket, btcPerp())).toEqual({});
    expect(orders.get("c1")?.status).toBe("open");
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([["success", "Order accepted"]]);
  });

  it("keeps an unknown outcome on screen as reconciling, not as a failure", async () => {
    const { trading, orders, toasts } = setup({
      status: "ok",
      data: { outcome: "unknown", client_order_id: "c9", reason: "timed out" },
    });
    await trading.submit("demo", ticket, btcPerp());
    const o = orders.get("c9");
    expect(o?.status).toBe("unknown");
    expect(o?.price).toBe("90000");
    expect(o?.created_at).toBe(42);
    expect(toasts.items.some((t) => t.kind === "error")).toBe(false);
    expect(toasts.items[0]?.kind).toBe("warning");
  });

  it("does not let a late unknown outcome undo what the stream already said", async () => {
    const { trading, orders } = setup({
      status: "ok",
      data: { outcome: "unknown", client_order_id: "c9", reason: "timed out" },
    });
    orders.apply(order("c9", { status: "open", updated_at: 1 }));
    await trading.submit("demo", ticket, btcPerp());
    expect(orders.get("c9")?.status).toBe("open");
  });

  it("shows a rejection with the venue's code and the field at fault", async () => {
    const { trading, orders, toasts } = setup({
      status: "ok",
      data: {
        outcome: "rejected",
        error: {
          kind: { kind: "invalid_order", field: "trigger_price" },
          message: "bad trigger",
          venue_code: "E42",
        },
      },
    });
    const errors = await trading.submit("demo", ticket, btcPerp());
    expect(errors).toEqual({ trigger: "bad trigger" });
    expect(orders.open).toEqual([]);
    expect(toasts.items[0]).toMatchObject({
      kind: "error",
      detail: "bad trigger (venue code E42)",
    });
  });

  it("puts an invalid-order AppError next to its field", async () => {
    const { trading, toasts } = setup({
      status: "error",
      error: {
        code: "invalid_order",
        message: "price is 12% from the market",
        retryable: false,
        venue_code: null,
        field: "price",
        retry_after_ms: null,
      },
    });
    expect(await trading.submit("demo", ticket, btcPerp())).toEqual({
      price: "price is 12% from the market",
    });
    expect(toasts.items[0]?.kind).toBe("error");
  });

  it("does not report a not-found cancel as a failure", async () => {
    const { trading, toasts } = setup({
      status: "ok",
      data: {
        outcome: "rejected",
        error: { kind: { kind: "not_found" }, message: "gone", venue_code: null },
      },
    });
    await trading.cancel("demo", order("c1"));
    expect(toasts.items[0]?.kind).toBe("info");
  });

  it("applies a cancelled order and closes positions through the API", async () => {
    const { trading, orders, closePosition } = setup({
      status: "ok",
      data: { outcome: "accepted", order: order("c1", { status: "cancelled", updated_at: 2 }) },
    });
    orders.apply(order("c1", { updated_at: 1 }));
    await trading.cancel("demo", order("c1"));
    expect(orders.open).toEqual([]);
    await trading.close("demo", position());
    expect(closePosition).toHaveBeenCalledWith("demo", BTC);
  });
});

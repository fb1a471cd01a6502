import { describe, expect, it, vi } from "vitest";
import type { AppError, OrderOutcome, OrderTicket } from "../bindings/bindings";
import { BTC, btcPerp, order, position } from "../../test/fixtures";
import type { TpSlRequest } from "../position-actions";
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
    amendOrder: vi.fn(() => Promise.resolve(outcome)),
    closePosition,
    setTpSl: vi.fn(() => Promise.resolve({ status: "ok" as const, data: null })),
    addMargin: vi.fn(() => Promise.resolve({ status: "ok" as const, data: null })),
    cashIn: vi.fn(() => Promise.resolve({ status: "ok" as const, data: null })),
  };
  const orders = new OrdersStore();
  const toasts = new Toasts({ timers: false });
  const alerts = { alert: vi.fn() };
  return {
    closePosition,
    orders,
    toasts,
    alerts,
    trading: new Trading(api, orders, toasts, () => 42, alerts),
  };
}

describe("Trading", () => {
  it("shows an accepted order at once", async () => {
    const { trading, orders, toasts, alerts } = setup({
      status: "ok",
      data: { outcome: "accepted", order: order("c1") },
    });
    expect(await trading.submit("demo", ticket, btcPerp())).toEqual({});
    expect(alerts.alert).not.toHaveBeenCalled();
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
    const { trading, orders, toasts, alerts } = setup({
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
    expect(alerts.alert).toHaveBeenCalledExactlyOnceWith(
      "rejection",
      "Order rejected",
      "bad trigger (venue code E42)",
    );
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

describe("position actions", () => {
  function appError(over: Partial<AppError>): AppError {
    return {
      code: "invalid_order",
      message: "rejected",
      retryable: false,
      venue_code: null,
      field: null,
      retry_after_ms: null,
      ...over,
    };
  }

  function setupActions(result: Result<null, AppError>) {
    const setTpSl = vi.fn(() => Promise.resolve(result));
    const addMargin = vi.fn(() => Promise.resolve(result));
    const cashIn = vi.fn(() => Promise.resolve(result));
    const fail = () => Promise.reject(new Error("not used"));
    const toasts = new Toasts({ timers: false });
    const trading = new Trading(
      {
        placeOrder: fail,
        cancelOrder: fail,
        amendOrder: fail,
        closePosition: fail,
        setTpSl,
        addMargin,
        cashIn,
      },
      new OrdersStore(),
      toasts,
    );
    return { setTpSl, addMargin, cashIn, toasts, trading };
  }

  const lnm = btcPerp({ settle: "BTC", price_tick: "0.5" });
  const set: TpSlRequest = { takeProfit: "95000", stopLoss: null, trailing: false };

  it("sets TP/SL on the position's side and says what changed", async () => {
    const { trading, setTpSl, toasts } = setupActions({ status: "ok", data: null });
    const short = position({ side: "short", stop_loss: "99000" });
    const errors = await trading.setTpSl("lnm-1", short, lnm, {
      takeProfit: "85000",
      stopLoss: null,
      trailing: false,
    });
    expect(errors).toEqual({});
    expect(setTpSl).toHaveBeenCalledWith("lnm-1", BTC, "short", "85000", null, false);
    expect(toasts.items.map((t) => [t.kind, t.title, t.detail])).toEqual([
      ["success", "Take-profit set at 85,000.0, stop-loss removed", "BTC-PERP short"],
    ]);
  });

  it("asks for a trailing stop-loss when the request says so", async () => {
    const { trading, setTpSl, toasts } = setupActions({ status: "ok", data: null });
    const errors = await trading.setTpSl("lnm-1", position(), lnm, {
      takeProfit: null,
      stopLoss: "89000",
      trailing: true,
    });
    expect(errors).toEqual({});
    expect(setTpSl).toHaveBeenCalledWith("lnm-1", BTC, "long", null, "89000", true);
    expect(toasts.items.map((t) => t.title)).toEqual(["Trailing stop-loss set at 89,000.0"]);
  });

  it("puts an invalid price next to the field the backend names", async () => {
    const { trading, toasts } = setupActions({
      status: "error",
      error: appError({
        field: "stop_loss",
        message: "a long stop-loss must be below the current price 90100, not 91000",
        venue_code: "E12",
      }),
    });
    expect(await trading.setTpSl("lnm-1", position(), lnm, set)).toEqual({
      stop_loss:
        "a long stop-loss must be below the current price 90100, not 91000 (venue code E12)",
    });
    // The editor shows it; a toast as well would say the same thing twice.
    expect(toasts.items).toEqual([]);
  });

  it("shows a failure that names no TP/SL field under the editor", async () => {
    const { trading } = setupActions({
      status: "error",
      error: appError({ code: "network", message: "connection reset", field: null }),
    });
    expect(await trading.setTpSl("lnm-1", position(), lnm, set)).toEqual({
      editor: "connection reset",
    });
    const odd = setupActions({
      status: "error",
      error: appError({ field: "price", message: "bad price" }),
    });
    expect(await odd.trading.setTpSl("lnm-1", position(), lnm, set)).toEqual({
      editor: "bad price",
    });
    // Only an invalid value belongs next to a field; an outage is about the whole request.
    const down = setupActions({
      status: "error",
      error: appError({ code: "venue_unavailable", field: "take_profit", message: "maintenance" }),
    });
    expect(await down.trading.setTpSl("lnm-1", position(), lnm, set)).toEqual({
      editor: "maintenance",
    });
  });

  it("adds margin in BTC and toasts it in sats", async () => {
    const { trading, addMargin, toasts } = setupActions({ status: "ok", data: null });
    const errors = await trading.addMargin("lnm-1", position(), {
      value: "0.00001",
      label: "1,000 sats",
    });
    expect(errors).toEqual({});
    expect(addMargin).toHaveBeenCalledWith("lnm-1", BTC, "long", "0.00001");
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([
      ["success", "Added 1,000 sats of margin"],
    ]);
  });

  it("cashes in on the position's side in BTC and toasts it in sats", async () => {
    const { trading, cashIn, addMargin, toasts } = setupActions({ status: "ok", data: null });
    const short = position({ side: "short" });
    const errors = await trading.cashIn("lnm-1", short, { value: "0.00005", label: "5,000 sats" });
    expect(errors).toEqual({});
    expect(cashIn).toHaveBeenCalledWith("lnm-1", BTC, "short", "0.00005");
    expect(addMargin).not.toHaveBeenCalled();
    expect(toasts.items.map((t) => [t.kind, t.title, t.detail])).toEqual([
      ["success", "Cashed in 5,000 sats", "BTC-PERP short"],
    ]);
  });

  it("puts a refused cash-in amount next to it and toasts nothing", async () => {
    const { trading, toasts } = setupActions({
      status: "error",
      error: appError({ field: "amount", message: "LN Markets moves whole sats (at least 1)" }),
    });
    expect(
      await trading.cashIn("lnm-1", position(), { value: "0.00005", label: "5,000 sats" }),
    ).toEqual({ amount: "LN Markets moves whole sats (at least 1)" });
    expect(toasts.items).toEqual([]);
  });

  it("puts a refused amount next to it, anything else under the editor", async () => {
    const amount = { value: "0.00001", label: "1,000 sats" };
    const invalid = setupActions({
      status: "error",
      error: appError({ field: "amount", message: "LN Markets adds margin in whole sats" }),
    });
    expect(await invalid.trading.addMargin("lnm-1", position(), amount)).toEqual({
      amount: "LN Markets adds margin in whole sats",
    });
    const broke = setupActions({
      status: "error",
      error: appError({ code: "insufficient_funds", message: "balance too low", venue_code: "7" }),
    });
    expect(await broke.trading.addMargin("lnm-1", position(), amount)).toEqual({
      editor: "balance too low (venue code 7)",
    });
    expect(broke.toasts.items).toEqual([]);
  });
});

describe("Trading.amendOrder", () => {
  it("sends one amend of the price alone and acks an accepted one, under its new id", async () => {
    const moved = order("c2", { price: "90500", updated_at: 2000 });
    const { trading, orders, toasts } = setup({
      status: "ok",
      data: { outcome: "accepted", order: moved },
    });
    expect(await trading.amendOrder("demo", order("c1"), "90500")).toEqual({ kind: "ack" });
    expect(orders.get("c2")?.price).toBe("90500");
    expect(toasts.items).toEqual([]);
  });

  it("passes the account, the client order id and the price, size untouched", async () => {
    const amendOrder = vi.fn(() =>
      Promise.resolve({
        status: "ok" as const,
        data: { outcome: "accepted" as const, order: order("c1", { price: "90500" }) },
      }),
    );
    const fail = () => Promise.reject(new Error("not used"));
    const trading = new Trading(
      {
        placeOrder: fail,
        cancelOrder: fail,
        amendOrder,
        closePosition: fail,
        setTpSl: fail,
        addMargin: fail,
        cashIn: fail,
      },
      new OrdersStore(),
      new Toasts({ timers: false }),
    );
    await trading.amendOrder("demo", order("c1"), "90500");
    expect(amendOrder).toHaveBeenCalledTimes(1);
    expect(amendOrder).toHaveBeenCalledWith("demo", "c1", "90500", null);
  });

  it("rejects a refused amend with the reason and toasts it", async () => {
    const { trading, orders, toasts } = setup({
      status: "ok",
      data: {
        outcome: "rejected",
        error: {
          kind: { kind: "invalid_order", field: "price" },
          message: "would cross",
          venue_code: null,
        },
      },
    });
    expect(await trading.amendOrder("demo", order("c1"), "90500")).toEqual({
      kind: "reject",
      reason: "would cross",
    });
    expect(orders.open).toEqual([]);
    expect(toasts.items.map((t) => [t.kind, t.title, t.detail])).toEqual([
      ["error", "Move rejected", "would cross"],
    ]);
  });

  it("rejects an amend that was never sent, with the error toasted", async () => {
    const { trading, toasts } = setup({
      status: "error",
      error: {
        code: "rate_limited",
        message: "slow down",
        retryable: true,
        venue_code: null,
        field: null,
        retry_after_ms: 500,
      },
    });
    const answer = await trading.amendOrder("demo", order("c1"), "90500");
    expect(answer.kind).toBe("reject");
    expect(toasts.items[0]?.kind).toBe("warning");
  });

  it("keeps an unknown amend pending and says it is reconciling", async () => {
    const { trading, orders, toasts } = setup({
      status: "ok",
      data: { outcome: "unknown", client_order_id: "c1", reason: "timed out" },
    });
    expect(await trading.amendOrder("demo", order("c1"), "90500")).toEqual({ kind: "pending" });
    expect(orders.open).toEqual([]);
    expect(toasts.items.map((t) => [t.kind, t.title, t.detail])).toEqual([
      ["warning", "Move outcome unknown — reconciling", "timed out"],
    ]);
  });
});

describe("Trading.moveTpSl", () => {
  function withSetTpSl(result: Result<null, AppError>) {
    const setTpSl = vi.fn(() => Promise.resolve(result));
    const fail = () => Promise.reject(new Error("not used"));
    const toasts = new Toasts({ timers: false });
    const trading = new Trading(
      {
        placeOrder: fail,
        cancelOrder: fail,
        amendOrder: fail,
        closePosition: fail,
        setTpSl,
        addMargin: fail,
        cashIn: fail,
      },
      new OrdersStore(),
      toasts,
    );
    return { setTpSl, toasts, trading };
  }
  const request: TpSlRequest = { takeProfit: "95000", stopLoss: "88000", trailing: true };

  it("stays pending on success until the position event carries the level", async () => {
    const { trading, setTpSl } = withSetTpSl({ status: "ok", data: null });
    expect(await trading.moveTpSl("demo", position(), btcPerp(), request)).toEqual({
      kind: "pending",
    });
    expect(setTpSl).toHaveBeenCalledWith("demo", BTC, "long", "95000", "88000", true);
  });

  it("rejects with the field's message and toasts it", async () => {
    const { trading, toasts } = withSetTpSl({
      status: "error",
      error: {
        code: "invalid_order",
        message: "too close",
        retryable: false,
        venue_code: null,
        field: "take_profit",
        retry_after_ms: null,
      },
    });
    expect(await trading.moveTpSl("demo", position(), btcPerp(), request)).toEqual({
      kind: "reject",
      reason: "too close",
    });
    expect(toasts.items.map((t) => [t.kind, t.detail])).toEqual([["error", "too close"]]);
  });
});

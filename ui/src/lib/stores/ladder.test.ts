import { describe, expect, it, vi } from "vitest";
import { BTC, btcPerp, order } from "../../test/fixtures";
import { IDLE, drop, moveDrag, startDrag } from "../trading/drag";
import { Arming } from "./arming.svelte";
import { ARM_LADDER, LadderStore, ladderOrders, type LadderDeps } from "./ladder.svelte";
import { OrdersStore } from "./orders.svelte";
import { Toasts } from "./toasts.svelte";

const CLICK = 1_795_000_000_000.25;

function setup(armed = true) {
  const arming = new Arming();
  arming.armed = armed;
  const orders = new OrdersStore();
  orders.load([order("c1", { side: "buy", price: "99.5" })]);
  const toasts = new Toasts({ timers: false });
  const trading = {
    submit: vi.fn<LadderDeps["trading"]["submit"]>().mockResolvedValue({}),
    cancel: vi.fn<LadderDeps["trading"]["cancel"]>().mockResolvedValue(undefined),
    amendOrder: vi.fn<LadderDeps["trading"]["amendOrder"]>().mockResolvedValue({ kind: "ack" }),
  };
  const ladder = new LadderStore({ trading, orders, toasts, arming, clickTime: () => CLICK });
  return { ladder, trading, toasts, orders };
}

/** The ladder's state after c1 was dragged from 99.5 and dropped on 98.0. */
function dropped() {
  return drop(moveDrag(startDrag(IDLE, "c1", "99.5"), "98.0", "0.5")).state;
}

describe("LadderStore", () => {
  it("places a post-only limit of the ticket's size at the clicked row, once", () => {
    const { ladder, trading } = setup();
    ladder.place("demo", btcPerp(), "sell", "101.0", "0.02", "10");
    expect(trading.submit).toHaveBeenCalledExactlyOnceWith(
      "demo",
      expect.objectContaining({
        instrument: BTC,
        side: "sell",
        order_type: "limit",
        price: "101.0",
        size: "0.02",
        post_only: true,
      }),
      btcPerp(),
      CLICK,
    );
  });

  it("sends a plain limit where the venue has no post-only (LN Markets refuses post-only)", () => {
    const { ladder, trading } = setup();
    ladder.place("lnm", btcPerp(), "buy", "99.0", "100", "10", false);
    expect(trading.submit).toHaveBeenCalledExactlyOnceWith(
      "lnm",
      expect.objectContaining({ order_type: "limit", price: "99.0", post_only: false }),
      btcPerp(),
      CLICK,
    );
  });

  it("places nothing while disarmed or without a size", () => {
    const { ladder, trading, toasts } = setup(false);
    ladder.place("demo", btcPerp(), "buy", "99.0", "0.02", "10");
    expect(toasts.items.map((t) => t.title)).toEqual([ARM_LADDER]);
    const armed = setup();
    armed.ladder.place("demo", btcPerp(), "buy", "99.0", "", "10");
    expect(trading.submit).not.toHaveBeenCalled();
    expect(armed.trading.submit).not.toHaveBeenCalled();
  });

  it("cancels each of our orders on a row", () => {
    const { ladder, trading, orders } = setup();
    ladder.cancel("demo", ["c1", "gone"]);
    expect(trading.cancel).toHaveBeenCalledExactlyOnceWith("demo", orders.get("c1"));
  });

  it("moves a dropped order with one amend and clears its ghost when taken", async () => {
    const { ladder, trading, orders } = setup();
    ladder.drag = dropped();
    await ladder.move("demo", "c1", "98.0");
    expect(trading.amendOrder).toHaveBeenCalledExactlyOnceWith("demo", orders.get("c1"), "98.0");
    expect(ladder.drag.pending.size).toBe(0);
    expect(ladder.drag.snappedBack.size).toBe(0);
  });

  it("snaps a refused move back with the reason", async () => {
    const { ladder, trading } = setup();
    trading.amendOrder.mockResolvedValueOnce({ kind: "reject", reason: "post-only would cross" });
    ladder.drag = dropped();
    await ladder.move("demo", "c1", "98.0");
    expect(ladder.drag.snappedBack.get("c1")).toEqual({
      price: "99.5",
      reason: "post-only would cross",
    });
  });

  it("refuses to move an order no longer working, sending nothing", async () => {
    const { ladder, trading, toasts } = setup();
    ladder.drag = dropped();
    ladder.drag = { ...ladder.drag, pending: new Map([["gone", { ghost: "1", target: "2" }]]) };
    await ladder.move("demo", "gone", "2");
    expect(trading.amendOrder).not.toHaveBeenCalled();
    expect(ladder.drag.snappedBack.has("gone")).toBe(true);
    expect(toasts.items[0]?.detail).toBe("The order is no longer working");
  });
});

describe("ladderOrders", () => {
  it("draws priced orders with what is left to fill, stops at their trigger", () => {
    expect(
      ladderOrders([
        order("a", { price: "99.5", size: "1", filled_size: "0.25" }),
        order("b", { order_type: "market", price: null }),
        order("c", { order_type: "stop", price: null, trigger_price: "95" }),
      ]).map((o) => [o.client_order_id, o.price, o.size]),
    ).toEqual([
      ["a", "99.5", "0.75"],
      ["c", "95", "0.01"],
    ]);
  });
});

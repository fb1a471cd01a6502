// @vitest-environment jsdom
// Orders, the position and click-to-trade over the chart, placed through a fake price scale.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Order, OrderTicket, Position } from "../bindings/bindings";
import { all, button, el, has, settle, text } from "../../test/dom";
import { btcPerp, order, position } from "../../test/fixtures";
import { formatterFor } from "../format";
import type { TpSlRequest } from "../position-actions";
import { arming } from "../stores/arming.svelte";
import type { MoveAnswer } from "../stores/trading";
import type { PriceMapper } from "./overlay";
import TradingOverlay from "./TradingOverlay.svelte";

/** 10 price units a pixel, 100,000 at the top (jsdom puts the overlay at the origin). */
const mapper: PriceMapper = {
  priceToY: (p) => (100000 - p) / 10,
  yToPrice: (y) => 100000 - y * 10,
};

let mounted: Record<string, unknown> | null = null;
let clickTarget: HTMLDivElement | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
  // Arming is app-wide (hotkeys, ladder and chart share it): each test starts disarmed.
  arming.set(false);
});

function show(
  over: { orders?: Order[]; position?: Position; amend?: MoveAnswer; postOnly?: boolean } = {},
) {
  clickTarget = document.createElement("div");
  document.body.append(clickTarget);
  let answer: (a: MoveAnswer) => void = () => {};
  const props = $state({
    orders: over.orders ?? [order("c1")],
    position: over.position,
    instrument: btcPerp(),
    fmt: formatterFor(btcPerp()),
    mapper,
    layout: 0,
    height: 2000,
    axisWidth: 60,
    clickTarget,
    bid: "89999.5",
    ask: "90000.5",
    last: "90000",
    ticketSize: "0.01",
    ticketLeverage: "10",
    postOnly: over.postOnly ?? true,
    onCancel: vi.fn<(o: Order) => void>(),
    onAmend: vi.fn<(o: Order, price: string) => Promise<MoveAnswer>>(
      () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    ),
    onTpSl: vi.fn<(p: Position, r: TpSlRequest) => Promise<MoveAnswer>>(() =>
      Promise.resolve({ kind: "pending" }),
    ),
    onPlace: vi.fn<(t: OrderTicket, at: number) => void>(),
  });
  mounted = mount(TradingOverlay, { target: document.body, props });
  flushSync();
  return {
    props,
    answer: async (a: MoveAnswer) => {
      answer(a);
      await settle();
      flushSync();
    },
  };
}

function pointer(target: EventTarget, type: string, clientY: number): void {
  target.dispatchEvent(new MouseEvent(type, { clientY, bubbles: true, button: 0 }));
  flushSync();
}

function dragLabel(testid: string, toY: number): void {
  const label = el(testid);
  pointer(label, "pointerdown", 0);
  pointer(window, "pointermove", toY - 7);
  pointer(window, "pointermove", toY);
}

function line(id: string): HTMLElement {
  const found = all("order-line").find((l) => l.dataset.clientOrderId === id);
  if (found === undefined) throw new Error(`no order line ${id}`);
  return found;
}

describe("order lines", () => {
  it("draws each order at its price with side, type, size and price", () => {
    show({ orders: [order("c1"), order("c2", { side: "sell", price: "91000" })] });
    expect(line("c1").style.top).toBe("1000px");
    expect(line("c2").dataset.price).toBe("91000");
    expect(line("c2").dataset.status).toBe("open");
    expect(all("order-line-label").map((l) => l.textContent.trim().split("×")[0]?.trim())).toEqual([
      "SELL LIMIT 0.010 @ 91,000.0",
      "BUY LIMIT 0.010 @ 90,000.0",
    ]);
  });

  it("shows unknown orders as reconciling, and does not let them be dragged", () => {
    const { props } = show({ orders: [order("c1", { status: "unknown" })] });
    expect(line("c1").dataset.status).toBe("unknown");
    expect(line("c1").classList.contains("unknown")).toBe(true);
    expect(text("order-line-label")).toContain("unknown — reconciling");
    dragLabel("order-line-label", 900);
    pointer(window, "pointerup", 900);
    expect(props.onAmend).not.toHaveBeenCalled();
  });

  it("cancels through the × without starting a drag", async () => {
    const { props } = show();
    pointer(el("order-line-cancel"), "pointerdown", 1000);
    button("order-line-cancel").click();
    await settle();
    expect(props.onCancel).toHaveBeenCalledWith(props.orders[0]);
    expect(props.onAmend).not.toHaveBeenCalled();
  });

  it("moves on the tick while dragging, sends nothing until released, then one amend", async () => {
    const { props, answer } = show();
    dragLabel("order-line-label", 987.64); // 90123.6 → 90123.5 on a 0.5 tick
    expect(line("c1").dataset.price).toBe("90123.5");
    expect(el("order-line-ghost").style.top).toBe("1000px");
    expect(props.onAmend).not.toHaveBeenCalled();
    pointer(window, "pointerup", 987.64);
    pointer(window, "pointerup", 987.64);
    expect(props.onAmend).toHaveBeenCalledTimes(1);
    expect(props.onAmend).toHaveBeenCalledWith(props.orders[0], "90123.5");
    // the ghost stays at the old price until the venue answers
    expect(has("order-line-ghost")).toBe(true);
    await answer({ kind: "ack" });
    expect(has("order-line-ghost")).toBe(false);
  });

  it("snaps back and shows why when the amend is refused", async () => {
    const { answer } = show();
    dragLabel("order-line-label", 950);
    pointer(window, "pointerup", 950);
    expect(line("c1").dataset.price).toBe("90500.0");
    await answer({ kind: "reject", reason: "would cross" });
    expect(line("c1").dataset.price).toBe("90000");
    expect(has("order-line-ghost")).toBe(false);
    expect(text("order-line-label")).toContain("would cross");
  });

  it("keeps the ghost while the outcome is unknown, until the order shows the new price", async () => {
    const { props, answer } = show();
    dragLabel("order-line-label", 950);
    pointer(window, "pointerup", 950);
    await answer({ kind: "pending" });
    expect(has("order-line-ghost")).toBe(true);
    props.orders = [order("c1", { price: "90500" })];
    flushSync();
    expect(has("order-line-ghost")).toBe(false);
  });

  it("cancels the drag on Esc: back at its price, nothing sent", () => {
    const { props } = show();
    dragLabel("order-line-label", 950);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    flushSync();
    pointer(window, "pointerup", 950);
    expect(line("c1").dataset.price).toBe("90000");
    expect(props.onAmend).not.toHaveBeenCalled();
  });

  it("re-places lines when the scale moves", () => {
    const { props } = show();
    props.mapper = { ...mapper, priceToY: (p) => (100000 - p) / 20 };
    props.layout = 1;
    flushSync();
    expect(line("c1").style.top).toBe("500px");
  });
});

describe("position lines", () => {
  const held = position({ take_profit: "95000", stop_loss: "88000", stop_loss_trail: null });

  it("draws entry with PnL, liquidation, break-even, TP and SL", () => {
    show({ orders: [], position: held });
    expect(text("position-line-label")).toContain("PnL +5");
    expect(el("liquidation-line").dataset.price).toBe("81500");
    expect(el("breakeven-line").dataset.price).toBe("90090.0");
    expect(el("tp-line").dataset.price).toBe("95000");
    expect(el("sl-line").dataset.price).toBe("88000");
  });

  it("moves the TP on release, keeping the SL", async () => {
    const { props } = show({ orders: [], position: held });
    dragLabel("tp-line-label", 400); // 96000
    expect(props.onTpSl).not.toHaveBeenCalled();
    pointer(window, "pointerup", 400);
    await settle();
    expect(props.onTpSl).toHaveBeenCalledTimes(1);
    expect(props.onTpSl).toHaveBeenCalledWith(held, {
      takeProfit: "96000.0",
      stopLoss: "88000",
      trailing: false,
    });
  });

  it("removes the SL with its ×", () => {
    const { props } = show({ orders: [], position: held });
    button("sl-line-cancel").click();
    expect(props.onTpSl).toHaveBeenCalledWith(held, {
      takeProfit: "95000",
      stopLoss: null,
      trailing: false,
    });
  });

  it("makes a stop-loss when the position line is dragged to the losing side", async () => {
    const { props } = show({ orders: [], position: position() });
    dragLabel("position-line-label", 1100); // 89000 under a long's entry
    pointer(window, "pointerup", 1100);
    await settle();
    expect(props.onTpSl).toHaveBeenCalledWith(props.position, {
      takeProfit: null,
      stopLoss: "89000.0",
      trailing: false,
    });
  });
});

describe("click to trade", () => {
  function click(y: number, mods: { shiftKey?: boolean; altKey?: boolean }): void {
    clickTarget?.dispatchEvent(new MouseEvent("click", { clientY: y, bubbles: true, ...mods }));
    flushSync();
  }

  it("is disarmed by default: a Shift-click places nothing", () => {
    const { props } = show();
    expect(button("chart-arm").getAttribute("aria-pressed")).toBe("false");
    click(1050, { shiftKey: true });
    expect(has("projected-line")).toBe(false);
    expect(props.onPlace).not.toHaveBeenCalled();
  });

  it("armed, projects a buy on Shift-click and sends it once on confirm", () => {
    const { props } = show();
    button("chart-arm").click();
    flushSync();
    expect(button("chart-arm").getAttribute("aria-pressed")).toBe("true");
    click(1050.03, { shiftKey: true }); // 89499.7 → 89499.5
    expect(el("projected-line").dataset.side).toBe("buy");
    expect(el("projected-line").dataset.price).toBe("89499.5");
    expect(props.onPlace).not.toHaveBeenCalled();
    button("projected-confirm").click();
    flushSync();
    expect(props.onPlace).toHaveBeenCalledTimes(1);
    const [ticket, at] = props.onPlace.mock.calls[0] ?? [];
    expect(ticket).toMatchObject({
      side: "buy",
      order_type: "limit",
      price: "89499.5",
      size: "0.01",
      post_only: false,
      leverage: "10",
    });
    expect(typeof at).toBe("number");
    expect(has("projected-line")).toBe(false);
  });

  it("projects a sell on Alt-click and discards it", () => {
    const { props } = show();
    button("chart-arm").click();
    click(900, { altKey: true });
    expect(el("projected-line").dataset.side).toBe("sell");
    button("projected-discard").click();
    flushSync();
    expect(has("projected-line")).toBe(false);
    expect(props.onPlace).not.toHaveBeenCalled();
  });

  it("sends a spread-crossing limit post-only, and as a taker only after a second confirm", () => {
    const { props } = show();
    button("chart-arm").click();
    click(900, { shiftKey: true }); // buy at 91000, above the ask
    expect(text("projected-warning")).toContain("takes liquidity");
    button("projected-taker").click();
    flushSync();
    expect(props.onPlace).not.toHaveBeenCalled();
    button("projected-taker").click();
    flushSync();
    expect(props.onPlace).toHaveBeenCalledTimes(1);
    expect(props.onPlace.mock.calls[0]?.[0].post_only).toBe(false);

    click(900, { shiftKey: true });
    button("projected-confirm").click();
    flushSync();
    expect(props.onPlace.mock.calls[1]?.[0].post_only).toBe(true);
  });

  it("on a venue without post-only, a crossing click is sent only as a confirmed taker, even in instant mode", () => {
    const { props } = show({ postOnly: false });
    button("chart-arm").click();
    button("chart-instant").click();
    flushSync();
    click(900, { shiftKey: true }); // buy at 91000, above the ask
    expect(props.onPlace).not.toHaveBeenCalled();
    expect(text("projected-warning")).toContain("no post-only");
    expect(has("projected-confirm")).toBe(false);
    button("projected-taker").click();
    flushSync();
    expect(props.onPlace).not.toHaveBeenCalled();
    button("projected-taker").click();
    flushSync();
    expect(props.onPlace).toHaveBeenCalledTimes(1);
    expect(props.onPlace.mock.calls[0]?.[0].post_only).toBe(false);
    // A resting click is still sent at once.
    click(1100, { shiftKey: true });
    expect(props.onPlace).toHaveBeenCalledTimes(2);
    expect(props.onPlace.mock.calls[1]?.[0].post_only).toBe(false);
  });

  it("in instant mode sends on the click itself", () => {
    const { props } = show();
    button("chart-arm").click();
    button("chart-instant").click();
    flushSync();
    expect(button("chart-instant").getAttribute("aria-pressed")).toBe("true");
    click(1100, { shiftKey: true });
    expect(has("projected-line")).toBe(false);
    expect(props.onPlace).toHaveBeenCalledTimes(1);
    expect(props.onPlace.mock.calls[0]?.[0]).toMatchObject({ price: "89000.0", post_only: false });
  });
});

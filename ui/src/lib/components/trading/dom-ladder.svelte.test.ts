// @vitest-environment jsdom
// The DOM ladder in a DOM: what a click places, what × cancels, and moving an order by drag.
// (A .svelte.test.ts file, so that props can be $state and change under a mounted ladder.)

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BookLevel } from "../../bindings/bindings";
import { formatterFor } from "../../format";
import { IDLE, ack, reject } from "../../trading/drag";
import type { LadderOrder } from "../../trading/ladder";
import { all, click, el, has, text } from "../../../test/dom";
import { btcPerp } from "../../../test/fixtures";
import DomLadder from "./DomLadder.svelte";

const fmt = formatterFor(btcPerp({ price_tick: "0.5", size_step: "0.001" }));

function levels(...pairs: [string, string][]): BookLevel[] {
  return pairs.map(([price, size]) => ({ price, size }));
}

function order(id: string, side: "buy" | "sell", price: string, size: string): LadderOrder {
  return { client_order_id: id, side, price, size, status: "open" };
}

const working = [
  order("a", "buy", "99.5", "1"),
  order("b", "buy", "99.0", "0.5"),
  order("c", "buy", "99.0", "0.25"),
  order("d", "sell", "101.0", "2"),
];

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
  vi.useRealTimers();
});

function show(over: { last?: string | null; bids?: BookLevel[]; asks?: BookLevel[] } = {}) {
  const onplace = vi.fn();
  const oncancel = vi.fn();
  const onmove = vi.fn();
  const props = $state({
    bids: over.bids ?? levels(["100.0", "1"], ["99.5", "2"], ["99.0", "0.5"]),
    asks: over.asks ?? levels(["100.5", "1.5"], ["101.0", "0.25"]),
    last: over.last === undefined ? "100.5" : over.last,
    tick: "0.5",
    grouping: 1,
    rows: 11,
    orders: working,
    fmt,
    drag: IDLE,
    onplace,
    oncancel,
    onmove,
  });
  mounted = mount(DomLadder, { target: document.body, props });
  flushSync();
  return { props, onplace, oncancel, onmove };
}

function pointer(testid: string, type: string): void {
  el(testid).dispatchEvent(new PointerEvent(type, { bubbles: type !== "pointerenter", button: 0 }));
  flushSync();
}

function release(): void {
  window.dispatchEvent(new PointerEvent("pointerup", { button: 0 }));
  flushSync();
}

/** Picks up our order on `from` and lets go over `to`. */
function dragBadge(from: string, to: string): void {
  pointer(from, "pointerdown");
  pointer(to, "pointerenter");
  release();
}

function rowPrices(): string[] {
  return [...document.querySelectorAll('[data-testid^="dom-row-"]')].map(
    (r) => r.getAttribute("data-testid")?.slice("dom-row-".length) ?? "",
  );
}

describe("DomLadder", () => {
  it("shortens large contract counts as the order book does", () => {
    show({ bids: levels(["100.0", "108350"], ["99.5", "2"]), asks: levels(["100.5", "1250000"]) });
    expect(text("dom-bid-100.0")).toBe("108.4k");
    expect(text("dom-bid-99.5")).toBe("2.000");
    expect(text("dom-ask-100.5")).toBe("1.250M");
  });

  it("draws a row per tick around the last price, with the book and our orders", () => {
    show();
    // Centered on the last price (100.5): five rows above, five below.
    expect(rowPrices()).toEqual([
      "103.0",
      "102.5",
      "102.0",
      "101.5",
      "101.0",
      "100.5",
      "100.0",
      "99.5",
      "99.0",
      "98.5",
      "98.0",
    ]);
    expect(text("dom-bid-99.5")).toBe("2.000");
    expect(text("dom-ask-100.5")).toBe("1.500");
    expect(text("dom-bid-101.0")).toBe("");
    expect(el("dom-row-100.0").classList.contains("best-bid")).toBe(true);
    expect(el("dom-row-100.5").classList.contains("best-ask")).toBe(true);
    expect(el("dom-row-100.5").classList.contains("last")).toBe(true);
    expect(all("dom-ladder")).toHaveLength(1);

    expect(text("dom-own-buy-99.5")).toBe("1.000 ×");
    expect(text("dom-own-buy-99.0")).toBe("0.750 ×2 ×");
    expect(text("dom-own-sell-101.0")).toBe("2.000 ×");
    expect(has("dom-own-sell-99.5")).toBe(false);
  });

  it("buys at a row's price from the bid column and sells from the ask column", async () => {
    const { onplace } = show();
    await click("dom-bid-99.5");
    expect(onplace).toHaveBeenLastCalledWith("buy", "99.5");
    await click("dom-ask-101.0");
    expect(onplace).toHaveBeenLastCalledWith("sell", "101.0");
    // Rows without book size take orders too.
    await click("dom-bid-102.0");
    expect(onplace).toHaveBeenLastCalledWith("buy", "102.0");
    expect(onplace).toHaveBeenCalledTimes(3);
  });

  it("cancels every order of a badge with its ×, and places nothing", async () => {
    const { oncancel, onplace } = show();
    await click("dom-cancel-99.0");
    expect(oncancel).toHaveBeenCalledWith(["b", "c"]);
    await click("dom-cancel-101.0");
    expect(oncancel).toHaveBeenLastCalledWith(["d"]);
    expect(onplace).not.toHaveBeenCalled();
  });

  it("moves an order dragged to another row once, with a ghost until the parent acks", () => {
    const { props, onmove } = show();
    pointer("dom-own-buy-99.5", "pointerdown");
    pointer("dom-row-98.5", "pointerenter");
    expect(has("dom-preview-98.5")).toBe(true);
    expect(el("dom-row-98.5").classList.contains("drop")).toBe(true);
    release();
    release();
    expect(onmove).toHaveBeenCalledTimes(1);
    expect(onmove).toHaveBeenCalledWith("a", "98.5");

    // Waiting for the venue: the order is a ghost on its row, the target is marked.
    expect(el("dom-own-buy-99.5").classList.contains("ghost")).toBe(true);
    expect(text("dom-target-buy-98.5")).toBe("→ 1.000");
    expect(props.drag.pending.get("a")).toEqual({ ghost: "99.5", target: "98.5" });

    // It cannot be picked up again meanwhile.
    dragBadge("dom-own-buy-99.5", "dom-row-98.0");
    expect(onmove).toHaveBeenCalledTimes(1);

    // The venue moved it: the parent updates the orders and acks.
    props.orders = working.map((o) => (o.client_order_id === "a" ? { ...o, price: "98.5" } : o));
    props.drag = ack(props.drag, "a");
    flushSync();
    expect(has("dom-own-buy-99.5")).toBe(false);
    expect(has("dom-target-buy-98.5")).toBe(false);
    expect(el("dom-own-buy-98.5").classList.contains("ghost")).toBe(false);
  });

  it("shows a refused move back on its row for a moment", () => {
    vi.useFakeTimers();
    const { props } = show();
    dragBadge("dom-own-sell-101.0", "dom-row-102.0");
    props.drag = reject(props.drag, "d", "Price outside the band");
    flushSync();
    const badge = el("dom-own-sell-101.0");
    expect(badge.classList.contains("refused")).toBe(true);
    expect(badge.classList.contains("ghost")).toBe(false);
    expect(badge.title).toBe("Move refused: Price outside the band");
    expect(has("dom-target-sell-102.0")).toBe(false);

    vi.advanceTimersByTime(2500);
    flushSync();
    expect(el("dom-own-sell-101.0").classList.contains("refused")).toBe(false);
    expect(props.drag).toEqual(IDLE);
  });

  it("moves nothing when Esc cancels the drag or it ends on the same row", () => {
    const { props, onmove } = show();
    pointer("dom-own-buy-99.5", "pointerdown");
    pointer("dom-row-98.0", "pointerenter");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    flushSync();
    expect(has("dom-preview-98.0")).toBe(false);
    release();

    pointer("dom-own-buy-99.5", "pointerdown");
    pointer("dom-row-98.0", "pointerenter");
    pointer("dom-row-99.5", "pointerenter");
    release();

    expect(onmove).not.toHaveBeenCalled();
    expect(props.drag).toEqual(IDLE);
    expect(el("dom-own-buy-99.5").classList.contains("ghost")).toBe(false);
  });

  it("does not drag a badge that holds several orders", () => {
    const { onmove } = show();
    dragBadge("dom-own-buy-99.0", "dom-row-98.0");
    expect(onmove).not.toHaveBeenCalled();
  });

  it("scrolls with the wheel, stays there, and recenters on the button", async () => {
    show();
    const grid = el("dom-ladder").querySelector('[role="grid"]');
    const wheel = () => {
      grid?.dispatchEvent(new WheelEvent("wheel", { deltaY: -100, bubbles: true }));
      flushSync();
    };
    wheel();
    // Three rows up.
    expect(rowPrices()[0]).toBe("104.5");
    wheel();
    wheel();
    // The last price (100.5) is off the rows now, but they were scrolled there by hand.
    expect(rowPrices()[0]).toBe("107.5");
    expect(rowPrices()[10]).toBe("102.5");
    await click("dom-recenter");
    expect(rowPrices()[0]).toBe("103.0");
    grid?.dispatchEvent(new WheelEvent("wheel", { deltaY: 100, bubbles: true }));
    flushSync();
    expect(rowPrices()[0]).toBe("101.5");
  });

  it("moves nothing when a grouped order is dropped back on its own row", () => {
    const { props, onmove } = show();
    // Two ticks a row: our buy at 99.5 sits in the 99.0 row; 100.5 is centered as 101.0.
    props.rows = 5;
    props.grouping = 2;
    props.orders = [order("a", "buy", "99.5", "1")];
    flushSync();
    expect(rowPrices()).toEqual(["103.0", "102.0", "101.0", "100.0", "99.0"]);
    pointer("dom-own-buy-99.0", "pointerdown");
    pointer("dom-row-100.0", "pointerenter");
    pointer("dom-row-99.0", "pointerenter");
    release();
    expect(onmove).not.toHaveBeenCalled();

    // Moved to another row it goes to that row's price.
    dragBadge("dom-own-buy-99.0", "dom-row-100.0");
    expect(onmove).toHaveBeenCalledWith("a", "100.0");
  });

  it("recenters by itself when the price leaves the rows", () => {
    const { props } = show();
    props.last = "101.5";
    flushSync();
    // Still in view: the rows stay put under the pointer.
    expect(rowPrices()[0]).toBe("103.0");
    props.last = "110";
    flushSync();
    expect(rowPrices()[5]).toBe("110.0");
  });

  it("waits for a price before drawing rows", () => {
    const { props } = show({ bids: [], asks: [], last: null });
    expect(rowPrices()).toEqual([]);
    expect(text("dom-ladder")).toContain("Waiting for the book…");
    props.last = "50000";
    flushSync();
    expect(rowPrices()).toHaveLength(11);
    expect(rowPrices()[5]).toBe("50000.0");
  });
});

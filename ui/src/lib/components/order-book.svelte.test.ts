// @vitest-environment jsdom
// The order book in a DOM: sizes that stay readable when they are large contract counts, the
// size column's unit, and a book that is being resynced.

import { flushSync, mount, unmount, type ComponentProps } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { BookLevel, BookView, Instrument } from "../bindings/bindings";
import { formatterFor } from "../format";
import { sizeUnitLabel } from "../instrument";
import { all, has, read, text } from "../../test/dom";
import { btcPerp, lmexPerp } from "../../test/fixtures";
import OrderBook from "./OrderBook.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function levels(...pairs: [string, string][]): BookLevel[] {
  return pairs.map(([price, size]) => ({ price, size }));
}

function book(bids: BookLevel[], asks: BookLevel[], over: Partial<BookView> = {}): BookView {
  return { bids, asks, status: "live", sequence: 1, ...over };
}

function show(instrument: Instrument | undefined, bookView: BookView | null) {
  const props = $state<ComponentProps<typeof OrderBook>>({
    book: bookView,
    last: "50000",
    fmt: formatterFor(instrument),
    unit: instrument ? sizeUnitLabel(instrument) : "",
    ownPrices: new Set<string>(),
    onPrice: vi.fn(),
  });
  mounted = mount(OrderBook, { target: document.body, props });
  flushSync();
  return props;
}

/** The size and total cells of one side's rows, best first for bids. */
function cells(side: "bid" | "ask", testid: "book-size" | "book-total"): HTMLElement[] {
  return all(`book-${side}-row`).map((row) => {
    const cell = row.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
    if (cell === null) throw new Error(`no ${testid}`);
    return cell;
  });
}

const lmexBook = book(
  levels(["50000", "108350"], ["49999.5", "2500"], ["49999", "1000000"]),
  levels(["50000.5", "42"]),
);

describe("OrderBook", () => {
  it("labels the size column with what sizes count", () => {
    show(lmexPerp(), lmexBook);
    expect(text("book-size-head")).toBe("Size (contracts)");
    document.body.innerHTML = "";
    show(btcPerp(), book([], []));
    expect(text("book-size-head")).toBe("Size (BTC)");
    document.body.innerHTML = "";
    show(undefined, null);
    expect(text("book-size-head")).toBe("Size");
  });

  it("shortens large contract counts, keeping the exact figure in a tooltip", () => {
    show(lmexPerp(), lmexBook);
    const sizes = cells("bid", "book-size");
    expect(sizes.map((c) => read(c))).toEqual(["108.4k", "2,500", "1.000M"]);
    expect(sizes.map((c) => c.getAttribute("title"))).toEqual([
      "108,350 contracts",
      null,
      "1,000,000 contracts",
    ]);
    expect(cells("ask", "book-size").map((c) => read(c))).toEqual(["42"]);
  });

  it("adds up the depth exactly, then shortens it the same way", () => {
    show(lmexPerp(), lmexBook);
    const totals = cells("bid", "book-total");
    // 108,350; + 2,500 = 110,850; + 1,000,000 = 1,110,850.
    expect(totals.map((c) => read(c))).toEqual(["108.4k", "110.9k", "1.111M"]);
    expect(totals.map((c) => c.getAttribute("title"))).toEqual([
      "108,350 contracts",
      "110,850 contracts",
      "1,110,850 contracts",
    ]);
  });

  it("shows the Demo's sizes to the size step, as before", () => {
    show(btcPerp(), book(levels(["50000", "0.1"], ["49999.5", "0.2"]), []));
    expect(cells("bid", "book-size").map((c) => read(c))).toEqual(["0.100", "0.200"]);
    const totals = cells("bid", "book-total");
    expect(totals.map((c) => read(c))).toEqual(["0.100", "0.300"]);
    expect(totals.every((c) => !c.hasAttribute("title"))).toBe(true);
  });

  it("puts a clicked level's price in the ticket", () => {
    const props = show(lmexPerp(), lmexBook);
    all("book-bid-row")[1]?.click();
    expect(props.onPrice).toHaveBeenCalledExactlyOnceWith("49999.5");
  });

  it("greys a resyncing book under a notice, and takes no prices from it", () => {
    const props = show(lmexPerp(), lmexBook);
    expect(has("book-resyncing")).toBe(false);
    props.book = { ...lmexBook, status: "resyncing" };
    flushSync();
    const notice = all("book-resyncing")[0];
    expect(read(notice)).toBe("Resyncing book… The levels shown are stale.");
    expect(notice?.getAttribute("role")).toBe("status");
    expect(document.querySelector(".body")?.classList.contains("stale")).toBe(true);
    const rows = all("book-bid-row");
    expect(rows.every((r) => r instanceof HTMLButtonElement && r.disabled)).toBe(true);
    rows[0]?.click();
    expect(props.onPrice).not.toHaveBeenCalled();
    // The fresh snapshot lifts it.
    props.book = { ...lmexBook, status: "live", sequence: 2 };
    flushSync();
    expect(has("book-resyncing")).toBe(false);
    all("book-bid-row")[0]?.click();
    expect(props.onPrice).toHaveBeenCalledExactlyOnceWith("50000");
  });

  it("says it is waiting before the first book", () => {
    show(lmexPerp(), null);
    expect(document.querySelector(".overlay.quiet")?.textContent.trim()).toBe(
      "Waiting for the book…",
    );
  });
});

import { describe, expect, it } from "vitest";
import type { BookLevel, BookView } from "../bindings/bindings";
import { bookRows } from "./book-rows";

function levels(...pairs: [string, string][]): BookLevel[] {
  return pairs.map(([price, size]) => ({ price, size }));
}

function book(bids: BookLevel[], asks: BookLevel[]): BookView {
  return { bids, asks, status: "live", sequence: 1 };
}

describe("bookRows", () => {
  it("adds up sizes from the best level outwards and scales bars to the deeper side", () => {
    const rows = bookRows(
      book(
        levels(["100.0", "1"], ["99.5", "2"], ["99.0", "1"]),
        levels(["100.5", "0.5"], ["101.0", "1.5"]),
      ),
      20,
    );
    expect(rows.bids.map((r) => r.total)).toEqual([1, 3, 4]);
    expect(rows.asks.map((r) => r.total)).toEqual([0.5, 2]);
    // The bid side is deeper (4): it fills the whole width; the asks reach half of it.
    expect(rows.bids.map((r) => r.depth)).toEqual([0.25, 0.75, 1]);
    expect(rows.asks.map((r) => r.depth)).toEqual([0.125, 0.5]);
    // Prices and sizes stay the exact text Rust sent.
    expect(rows.bids[1]).toMatchObject({ price: "99.5", size: "2" });
  });

  it("shows at most `depth` levels a side, and depth is measured over those alone", () => {
    const many = Array.from({ length: 30 }, (_, i): [string, string] => [String(100 - i), "1"]);
    const rows = bookRows(book(levels(...many), levels(["101", "40"])), 20);
    expect(rows.bids).toHaveLength(20);
    expect(rows.bids.at(-1)?.price).toBe("81");
    expect(rows.bids.at(-1)?.depth).toBe(0.5);
    expect(rows.asks[0]?.depth).toBe(1);
  });

  it("adds up exactly: large contract counts and decimal steps alike", () => {
    const contracts = bookRows(
      book(levels(["50000", "108350"], ["49999.5", "9007199254740993"]), []),
      20,
    );
    expect(contracts.bids.map((r) => r.cumulative)).toEqual(["108350", "9007199254849343"]);
    const decimals = bookRows(book(levels(["100", "0.1"], ["99", "0.2"], ["98", "0.4"]), []), 20);
    // In floating point 0.1 + 0.2 is 0.30000000000000004.
    expect(decimals.bids.map((r) => r.cumulative)).toEqual(["0.1", "0.3", "0.7"]);
    expect(decimals.bids.map((r) => r.total)).toEqual([0.1, 0.3, 0.7]);
  });

  it("counts an unreadable size as nothing rather than spoiling the totals below it", () => {
    const rows = bookRows(book(levels(["100", "1"], ["99", "n/a"], ["98", "2"]), []), 20);
    expect(rows.bids.map((r) => r.cumulative)).toEqual(["1", "1", "3"]);
  });

  it("gives the spread and mid from the best prices", () => {
    const rows = bookRows(book(levels(["91250.0", "1"]), levels(["91253.5", "1"])), 20);
    expect(rows.spread).toBe(3.5);
    expect(rows.mid).toBe(91251.75);
  });

  it("has no spread with one side empty, and nothing without a book", () => {
    const oneSided = bookRows(book(levels(["100", "1"]), []), 20);
    expect(oneSided.spread).toBeNull();
    expect(oneSided.mid).toBeNull();
    expect(oneSided.bids[0]?.depth).toBe(1);
    expect(bookRows(null, 20)).toEqual({ asks: [], bids: [], spread: null, mid: null });
  });

  it("draws no bars for an empty-sized book", () => {
    const rows = bookRows(book(levels(["100", "0"]), levels(["101", "0"])), 20);
    expect(rows.bids[0]?.depth).toBe(0);
    expect(rows.asks[0]?.depth).toBe(0);
  });
});

import { describe, expect, it } from "vitest";
import type { BookLevel } from "../bindings/bindings";
import { centerPrice, ladderRows, type LadderInput, type LadderOrder } from "./ladder";
import { TickError } from "./ticks";

function levels(...pairs: [string, string][]): BookLevel[] {
  return pairs.map(([price, size]) => ({ price, size }));
}

function order(
  client_order_id: string,
  side: "buy" | "sell",
  price: string,
  size: string,
  status = "open",
): LadderOrder {
  return { client_order_id, side, price, size, status };
}

const book: Pick<LadderInput, "bids" | "asks"> = {
  bids: levels(["100.0", "1"], ["99.5", "2"], ["98.5", "0.5"], ["98.0", "9"]),
  asks: levels(["100.5", "1.5"], ["101.0", "0.25"], ["102.0", "3"]),
};

describe("ladderRows", () => {
  it("gives one row per tick from the top down, with the book's sizes at their prices", () => {
    const rows = ladderRows({ ...book, tick: "0.5", center: "100", rows: 7, last: "100.5" });
    expect(rows.map((r) => r.price)).toEqual([
      "101.5",
      "101.0",
      "100.5",
      "100.0",
      "99.5",
      "99.0",
      "98.5",
    ]);
    expect(rows.map((r) => r.bidSize)).toEqual([null, null, null, "1", "2", null, "0.5"]);
    expect(rows.map((r) => r.askSize)).toEqual([null, "0.25", "1.5", null, null, null, null]);
    // Bars are scaled to the largest visible size (2), the same on both sides.
    expect(rows.map((r) => r.bidBar)).toEqual([0, 0, 0, 0.5, 1, 0, 0.25]);
    expect(rows.map((r) => r.askBar)).toEqual([0, 0.125, 0.75, 0, 0, 0, 0]);
    expect(rows.findIndex((r) => r.isBestBid)).toBe(3);
    expect(rows.findIndex((r) => r.isBestAsk)).toBe(2);
    expect(rows.filter((r) => r.isLast).map((r) => r.price)).toEqual(["100.5"]);
    expect(rows.every((r) => r.ownBuy === null && r.ownSell === null)).toBe(true);
  });

  it("puts the center on row ⌊rows/2⌋, moved to the nearest row price", () => {
    const even = ladderRows({ bids: [], asks: [], tick: "1", center: "100.4", rows: 4 });
    expect(even.map((r) => r.price)).toEqual(["102", "101", "100", "99"]);
    const halfway = ladderRows({ bids: [], asks: [], tick: "0.5", center: "100.25", rows: 3 });
    expect(halfway.map((r) => r.price)).toEqual(["101.0", "100.5", "100.0"]);
  });

  it("groups ticks: bids down into a row, asks up, sizes summed exactly", () => {
    const rows = ladderRows({
      bids: levels(["100.5", "0.1"], ["100.0", "0.2"], ["99.5", "0.25"], ["99.0", "1"]),
      asks: levels(["101.0", "1"], ["101.5", "0.5"], ["102.0", "2"], ["102.5", "7"]),
      tick: "0.5",
      grouping: 2,
      center: "100",
      rows: 5,
      last: "100.7",
    });
    expect(rows.map((r) => r.price)).toEqual(["102.0", "101.0", "100.0", "99.0", "98.0"]);
    // 0.1 + 0.2 is 0.3 here, not 0.30000000000000004.
    expect(rows.map((r) => r.bidSize)).toEqual([null, null, "0.3", "1.25", null]);
    // 101.5 and 102.0 go up into 102; 102.5 would be 103, above the ladder.
    expect(rows.map((r) => r.askSize)).toEqual(["2.5", "1", null, null, null]);
    expect(rows.findIndex((r) => r.isBestBid)).toBe(2);
    expect(rows.findIndex((r) => r.isBestAsk)).toBe(1);
    expect(rows.findIndex((r) => r.isLast)).toBe(2);
  });

  it("puts off-tick levels in the row on their own side", () => {
    const rows = ladderRows({
      bids: levels(["100.3", "1"]),
      asks: levels(["100.3", "2"]),
      tick: "0.5",
      center: "100",
      rows: 3,
    });
    expect(rows.map((r) => [r.price, r.bidSize, r.askSize])).toEqual([
      ["100.5", null, "2"],
      ["100.0", "1", null],
      ["99.5", null, null],
    ]);
  });

  it("shows our working orders beside their rows, summed per side", () => {
    const rows = ladderRows({
      ...book,
      tick: "0.5",
      center: "100",
      rows: 7,
      orders: [
        order("a", "buy", "99.5", "1"),
        order("b", "buy", "99.5", "0.5", "partially_filled"),
        order("c", "sell", "101", "2", "pending"),
        order("d", "sell", "101.0", "0.1", "unknown"),
        order("e", "buy", "100", "3", "filled"),
        order("f", "buy", "100", "3", "cancelled"),
        order("g", "buy", "100", "3", "rejected"),
        order("h", "buy", "90", "3"),
        order("i", "sell", "x", "3"),
      ],
    });
    const at = (price: string) => rows.find((r) => r.price === price);
    expect(at("99.5")?.ownBuy).toEqual({ size: "1.5", ids: ["a", "b"] });
    expect(at("99.5")?.ownSell).toBeNull();
    expect(at("101.0")?.ownSell).toEqual({ size: "2.1", ids: ["c", "d"] });
    expect(at("100.0")?.ownBuy).toBeNull();
    expect(rows.filter((r) => r.ownBuy !== null || r.ownSell !== null)).toHaveLength(2);
  });

  it("groups our orders the way it groups the book", () => {
    const rows = ladderRows({
      bids: [],
      asks: [],
      tick: "0.5",
      grouping: 2,
      center: "100",
      rows: 5,
      orders: [order("s", "sell", "100.5", "1"), order("b", "buy", "100.5", "1")],
    });
    expect(rows.find((r) => r.ownSell !== null)?.price).toBe("101.0");
    expect(rows.find((r) => r.ownBuy !== null)?.price).toBe("100.0");
  });

  it("marks no best price or last when they are outside the rows", () => {
    const rows = ladderRows({ ...book, tick: "0.5", center: "110", rows: 5, last: "100" });
    expect(rows.some((r) => r.isBestBid || r.isBestAsk || r.isLast)).toBe(false);
    expect(rows.every((r) => r.bidSize === null && r.askSize === null)).toBe(true);
  });

  it("skips a level it cannot read", () => {
    const rows = ladderRows({
      bids: levels(["100", "1"], ["bad", "5"], ["99", "2"]),
      asks: levels(["100.5", "3"], ["", "5"], ["102", "4"]),
      tick: "1",
      center: "100",
      rows: 3,
    });
    expect(rows.map((r) => r.bidSize)).toEqual([null, "1", "2"]);
    expect(rows.map((r) => r.askSize)).toEqual(["3", null, null]);
  });

  it("takes 60 rows out of a 10 000-level book correctly", () => {
    // Bids 50000.0 down, asks 50000.5 up, every 0.5; level k has size (k % 7 + 1) thousandths.
    const thousandths = (k: number) => (k % 7) + 1;
    const size = (n: number) =>
      `${String(Math.floor(n / 1000))}.${String(n % 1000).padStart(3, "0")}`;
    const n = 10_000;
    const bids = Array.from({ length: n }, (_, k) => ({
      price: (50000 - k / 2).toFixed(1),
      size: size(thousandths(k)),
    }));
    const asks = Array.from({ length: n }, (_, k) => ({
      price: (50000.5 + k / 2).toFixed(1),
      size: size(thousandths(k)),
    }));

    const rows = ladderRows({ bids, asks, tick: "0.5", center: "50000", rows: 60, last: "50000" });
    expect(rows).toHaveLength(60);
    expect(rows[0]?.price).toBe("50015.0");
    expect(rows[59]?.price).toBe("49985.5");
    rows.forEach((r, i) => {
      // Row i is 50015 − i/2: asks are rows 0…29 (ask k = 29 − i), bids rows 30…59 (k = i − 30).
      expect(r.askSize).toBe(i < 30 ? size(thousandths(29 - i)) : null);
      expect(r.bidSize).toBe(i >= 30 ? size(thousandths(i - 30)) : null);
    });
    expect(rows.findIndex((r) => r.isBestBid)).toBe(30);
    expect(rows.findIndex((r) => r.isBestAsk)).toBe(29);

    // Grouped by 10 ticks (5.0 a row), far from the touch: each row sums ten levels.
    const grouped = ladderRows({
      bids,
      asks,
      tick: "0.5",
      grouping: 10,
      center: "48000",
      rows: 60,
    });
    expect(grouped[0]?.price).toBe("48150.0");
    grouped.forEach((r) => {
      // Bids k with 50000 − k/2 in [row, row + 5): k from 2 × (50000 − row) − 9 to 2 × (50000 − row).
      const first = 2 * (50000 - Number(r.price)) - 9;
      let total = 0;
      for (let k = first; k < first + 10; k++) total += thousandths(k);
      expect(r.bidSize).toBe(size(total));
      expect(r.askSize).toBeNull();
    });

    // Centered beyond either end of the book, the ladder is empty but still drawn.
    for (const center of ["1000", "99999"]) {
      const away = ladderRows({ bids, asks, tick: "0.5", center, rows: 60 });
      expect(away.every((r) => r.bidSize === null && r.askSize === null)).toBe(true);
    }
  });

  it("draws no rows for a zero count, and refuses a bad tick, center or grouping", () => {
    expect(ladderRows({ ...book, tick: "0.5", center: "100", rows: 0 })).toEqual([]);
    expect(() => ladderRows({ ...book, tick: "0", center: "100", rows: 5 })).toThrow(TickError);
    expect(() => ladderRows({ ...book, tick: "0.5", center: "abc", rows: 5 })).toThrow(TickError);
    for (const grouping of [0, 1.5, -2]) {
      expect(() => ladderRows({ ...book, tick: "0.5", grouping, center: "100", rows: 5 })).toThrow(
        RangeError,
      );
    }
  });
});

describe("centerPrice", () => {
  it("prefers the last price, then the mid, then either best price", () => {
    expect(centerPrice(book.bids, book.asks, "100.5")).toBe("100.5");
    expect(centerPrice(levels(["100", "1"]), levels(["101", "1"]), null)).toBe("100.5");
    expect(centerPrice(levels(["100.5", "1"]), levels(["101", "1"]), "garbage")).toBe("100.75");
    expect(centerPrice(levels(["100.5", "1"]), [], undefined)).toBe("100.5");
    expect(centerPrice([], levels(["101", "1"]), null)).toBe("101");
    expect(centerPrice([], [], null)).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { btcPerp, order, position } from "../../test/fixtures";
import { formatterFor } from "../format";
import { IDLE, drop, moveDrag, reject, startDrag } from "../trading/drag";
import {
  breakEven,
  layoutLabels,
  overlayLines,
  priceAt,
  settledPrice,
  tpSlMove,
  tpSlRemove,
  yOf,
  type PriceMapper,
} from "./overlay";

/** 10 price units a pixel, 100,000 at the top. */
const mapper: PriceMapper = {
  priceToY: (p) => (100000 - p) / 10,
  yToPrice: (y) => 100000 - y * 10,
};
const noScale: PriceMapper = { priceToY: () => null, yToPrice: () => null };
const fmt = formatterFor(btcPerp());

describe("price ↔ pixel", () => {
  it("places decimal prices and reads rows back onto the tick", () => {
    expect(yOf(mapper, "90000")).toBe(1000);
    expect(yOf(mapper, "not a price")).toBeNull();
    expect(yOf(noScale, "90000")).toBeNull();
    expect(priceAt(mapper, 1000.03, "0.5")).toBe("89999.5");
    expect(priceAt(mapper, 1000, "0.5")).toBe("90000.0");
    expect(priceAt(noScale, 10, "0.5")).toBeNull();
    expect(priceAt({ ...mapper, yToPrice: () => Number.NaN }, 10, "0.5")).toBeNull();
  });
});

describe("layoutLabels", () => {
  const at = (ys: (number | null)[]) => ys.map((y, i) => ({ item: `l${String(i)}`, y }));
  const cases: { ys: (number | null)[]; height: number; labels: [string, number][] }[] = [
    // far apart: each label on its own line
    {
      ys: [100, 300],
      height: 500,
      labels: [
        ["l0", 100],
        ["l1", 300],
      ],
    },
    // overlapping: pushed down in price order
    {
      ys: [100, 105, 110],
      height: 500,
      labels: [
        ["l0", 100],
        ["l1", 118],
        ["l2", 136],
      ],
    },
    // at the bottom edge: the stack is pulled back up inside
    {
      ys: [490, 495],
      height: 500,
      labels: [
        ["l0", 473],
        ["l1", 491],
      ],
    },
    // unplaceable and far off-screen lines are left out
    { ys: [null, -100, 200, 900], height: 500, labels: [["l2", 200]] },
  ];
  for (const [i, c] of cases.entries()) {
    it(`case ${String(i)}`, () => {
      const out = layoutLabels(at(c.ys), c.height, 18);
      expect(
        out.map((p) => [p.item, p.labelY]),
        `case ${String(i)}`,
      ).toEqual(c.labels);
    });
  }

  it("keeps each line on its own row whatever its label does", () => {
    const out = layoutLabels(at([100, 101]), 500, 18);
    expect(out.map((p) => p.y)).toEqual([100, 101]);
  });
});

describe("breakEven", () => {
  it("moves the entry by a taker fee each way, exactly, on the tick", () => {
    // 90000 × 1.001 = 90090 exactly: no float drift may round it a tick away
    expect(breakEven({ side: "long", entry_price: "90000" }, "0.0005", "0.5")).toBe("90090.0");
    expect(breakEven({ side: "short", entry_price: "90000" }, "0.0005", "0.5")).toBe("89910.0");
    // 90001 × 1.001 = 90091.001: a long rounds up, a short (89910.999) down
    expect(breakEven({ side: "long", entry_price: "90001" }, "0.0005", "0.5")).toBe("90091.5");
    expect(breakEven({ side: "short", entry_price: "90001" }, "0.0005", "0.5")).toBe("89910.5");
    expect(breakEven({ side: "long", entry_price: "x" }, "0.0005", "0.5")).toBeNull();
  });
});

describe("overlayLines", () => {
  const base = { takerFee: "0.0005", tick: "0.5", fmt, drag: IDLE };

  it("labels orders with side, type, size and price; unknown ones distinctly", () => {
    const lines = overlayLines({
      ...base,
      orders: [
        order("c1", { side: "sell", price: "91000", size: "0.02", filled_size: "0.005" }),
        order("c2", { status: "unknown" }),
        order("c3", { order_type: "stop", price: null, trigger_price: "85000" }),
      ],
      position: undefined,
    });
    expect(lines.map((l) => [l.key, l.kind, l.price, l.draggable, l.removable])).toEqual([
      ["c1", "order", "91000", true, true],
      ["c2", "unknown", "90000", false, true],
      ["c3", "order", "85000", true, true],
    ]);
    expect(lines[0]?.label).toBe("SELL LIMIT 0.015 @ 91,000.0");
    expect(lines[1]?.label).toContain("unknown — reconciling");
    expect(lines[2]?.tone).toBe("stop");
  });

  it("draws a dragged order at its new price with a ghost at the old", () => {
    let drag = startDrag(IDLE, "c1", "90000");
    drag = moveDrag(drag, 90123.3, "0.5");
    const dragging = overlayLines({ ...base, orders: [order("c1")], position: undefined, drag });
    expect(dragging[0]).toMatchObject({ price: "90123.5", ghost: "90000" });
    const pending = drop(drag).state;
    const sent = overlayLines({
      ...base,
      orders: [order("c1")],
      position: undefined,
      drag: pending,
    });
    expect(sent[0]).toMatchObject({ price: "90123.5", ghost: "90000", rejected: null });
    const refused = reject(pending, "c1", "post-only would cross");
    const back = overlayLines({
      ...base,
      orders: [order("c1")],
      position: undefined,
      drag: refused,
    });
    expect(back[0]).toMatchObject({
      price: "90000",
      ghost: null,
      rejected: "post-only would cross",
    });
  });

  it("draws the position's entry with PnL, TP, SL, liquidation and break-even", () => {
    const lines = overlayLines({
      ...base,
      orders: [],
      position: position({ take_profit: "95000", stop_loss: "88000", unrealized_pnl: "5" }),
    });
    expect(lines.map((l) => [l.kind, l.price])).toEqual([
      ["position", "90000"],
      ["tp", "95000"],
      ["sl", "88000"],
      ["liquidation", "81500"],
      ["breakeven", "90090.0"],
    ]);
    expect(lines[0]?.label).toBe("LONG 0.050 @ 90,000.0 · PnL +5 (mark 90,100.0)");
  });

  it("shows a drag off the position as the TP or SL it would make", () => {
    let drag = startDrag(IDLE, "position", "90000");
    drag = moveDrag(drag, 87000, "0.5");
    const lines = overlayLines({ ...base, orders: [], position: position(), drag });
    const made = lines.find((l) => l.key === "position:new");
    expect(made).toMatchObject({ kind: "sl", price: "87000.0" });
    expect(lines.find((l) => l.kind === "position")?.price).toBe("90000");
  });
});

describe("TP/SL requests", () => {
  const p = position({ take_profit: "95000", stop_loss: "88000", stop_loss_trail: "500" });

  it("moves one level and keeps the other and the trailing flag", () => {
    expect(tpSlMove(p, "tp", "96000")).toEqual({
      takeProfit: "96000",
      stopLoss: "88000",
      trailing: true,
    });
    expect(tpSlMove(p, "sl", "87000")).toEqual({
      takeProfit: "95000",
      stopLoss: "87000",
      trailing: true,
    });
  });

  it("turns a drag off the position into a TP on the profit side, an SL on the other", () => {
    const long = position();
    expect(tpSlMove(long, "position", "92000")).toEqual({
      takeProfit: "92000",
      stopLoss: null,
      trailing: false,
    });
    expect(tpSlMove(long, "position", "89000")).toMatchObject({ stopLoss: "89000" });
    const short = position({ side: "short" });
    expect(tpSlMove(short, "position", "89000")).toMatchObject({ takeProfit: "89000" });
    expect(tpSlMove(short, "position", "92000")).toMatchObject({ stopLoss: "92000" });
  });

  it("removes one level, and the trailing flag with the stop-loss", () => {
    expect(tpSlRemove(p, "tp")).toEqual({ takeProfit: null, stopLoss: "88000", trailing: true });
    expect(tpSlRemove(p, "sl")).toEqual({ takeProfit: "95000", stopLoss: null, trailing: false });
  });

  it("finds where a line really is, or that it is gone", () => {
    expect(settledPrice([order("c1")], undefined, "c1", "1")).toBe("90000");
    expect(settledPrice([], undefined, "c1", "1")).toBeUndefined();
    expect(settledPrice([], p, "tp", "1")).toBe("95000");
    expect(settledPrice([], undefined, "sl", "1")).toBeUndefined();
    expect(settledPrice([], p, "position", "99000")).toBe("95000");
    expect(settledPrice([], p, "position", "80000")).toBe("88000");
  });
});

// @vitest-environment jsdom
// The open orders and fills tables in a DOM: sizes in linear contracts read as a count, with
// what they are worth in the base currency on hover; other instruments read as before.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Instrument } from "../bindings/bindings";
import { instrumentKey } from "../instrument";
import { all, read } from "../../test/dom";
import { btcPerp, fill, lmexPerp, lnmPerp, order } from "../../test/fixtures";
import FillsTable from "./FillsTable.svelte";
import OrdersTable from "./OrdersTable.svelte";

const lmex = lmexPerp();
const lnm = lnmPerp();
const demo = btcPerp();

function byKey(...instruments: Instrument[]): Map<string, Instrument> {
  return new Map(instruments.map((i) => [instrumentKey(i.id), i]));
}

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function cells(testid: string): { text: string; title: string | null }[] {
  return all(testid).map((c) => ({ text: read(c), title: c.getAttribute("title") }));
}

describe("OrdersTable", () => {
  it("shows sizes and fills in contracts with their base amount on hover", () => {
    mounted = mount(OrdersTable, {
      target: document.body,
      props: {
        orders: [
          order("c1", { instrument: lmex.id, size: "108350", filled_size: "1" }),
          order("c2", { instrument: lnm.id, size: "250", filled_size: "0" }),
          order("c3", { size: "0.01", filled_size: "0.005" }),
        ],
        instruments: byKey(lmex, lnm, demo),
        onCancel: vi.fn(),
      },
    });
    flushSync();
    expect(cells("order-size")).toEqual([
      { text: "108,350 ct", title: "108,350 contracts = 10.835 BTC" },
      { text: "250", title: null },
      { text: "0.010", title: null },
    ]);
    expect(cells("order-filled")).toEqual([
      { text: "1 ct", title: "1 contract = 0.0001 BTC" },
      { text: "0", title: null },
      { text: "0.005", title: null },
    ]);
  });
});

describe("FillsTable", () => {
  it("shows fill sizes in contracts with their base amount on hover", () => {
    mounted = mount(FillsTable, {
      target: document.body,
      props: {
        fills: [
          fill("t1", { instrument: lmex.id, size: "25" }),
          fill("t2", { instrument: lnm.id, size: "100" }),
          fill("t3", { size: "0.01" }),
        ],
        instruments: byKey(lmex, lnm, demo),
      },
    });
    flushSync();
    expect(cells("fill-size")).toEqual([
      { text: "25 ct", title: "25 contracts = 0.0025 BTC" },
      { text: "100", title: null },
      { text: "0.010", title: null },
    ]);
  });
});

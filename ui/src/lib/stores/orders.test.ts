import { describe, expect, it } from "vitest";
import { order } from "../../test/fixtures";
import { OrdersStore } from "./orders.svelte";

describe("OrdersStore", () => {
  it("walks an order from pending through partial fill to filled", () => {
    const o = new OrdersStore();
    expect(o.apply(order("c1", { status: "pending", updated_at: 1 })).kind).toBe("added");
    expect(o.apply(order("c1", { status: "open", updated_at: 2 }))).toMatchObject({
      kind: "updated",
      from: "pending",
    });
    o.apply(order("c1", { status: "partially_filled", filled_size: "0.004", updated_at: 3 }));
    expect(o.get("c1")?.filled_size).toBe("0.004");
    expect(
      o.apply(order("c1", { status: "filled", filled_size: "0.01", updated_at: 4 })).kind,
    ).toBe("finished");
    expect(o.open).toEqual([]);
  });

  it("ignores stale updates and anything after the end", () => {
    const o = new OrdersStore();
    o.apply(order("c1", { status: "partially_filled", updated_at: 5 }));
    expect(o.apply(order("c1", { status: "open", updated_at: 4 })).kind).toBe("ignored");
    expect(o.get("c1")?.status).toBe("partially_filled");
    o.apply(order("c1", { status: "cancelled", updated_at: 6 }));
    expect(o.apply(order("c1", { status: "open", updated_at: 7 })).kind).toBe("ignored");
    expect(o.open).toEqual([]);
  });

  it("lets the venue's word replace a local unknown whatever its clock says", () => {
    const o = new OrdersStore();
    o.apply(order("c1", { status: "unknown", updated_at: 9_999_999 }));
    expect(o.get("c1")?.status).toBe("unknown");
    expect(o.apply(order("c1", { status: "open", updated_at: 10 }))).toMatchObject({
      kind: "updated",
      from: "unknown",
    });
    expect(o.get("c1")?.status).toBe("open");
  });

  it("keeps terminal orders out of a snapshot and lists newest first", () => {
    const o = new OrdersStore();
    o.load([
      order("old", { created_at: 1 }),
      order("done", { status: "filled", created_at: 2 }),
      order("new", { created_at: 3 }),
    ]);
    expect(o.open.map((x) => x.client_order_id)).toEqual(["new", "old"]);
  });

  it("leaves other rows untouched when one changes", () => {
    const o = new OrdersStore();
    o.apply(order("a", { updated_at: 1 }));
    o.apply(order("b", { updated_at: 1 }));
    const a = o.get("a");
    o.apply(order("b", { status: "partially_filled", updated_at: 2 }));
    expect(o.get("a")).toBe(a);
  });
});

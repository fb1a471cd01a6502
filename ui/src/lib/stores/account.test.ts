import { describe, expect, it } from "vitest";
import type { Balance } from "../bindings/bindings";
import { BTC, ETH, fill, position } from "../../test/fixtures";
import { AccountStore, FILLS_KEPT } from "./account.svelte";

const usd: Balance = {
  currency: "USD",
  wallet: "10000",
  available: "9000",
  margin_used: "1000",
  unrealized_pnl: "5",
  equity: "10005",
};

describe("AccountStore", () => {
  it("loads a snapshot with fills newest first", () => {
    const a = new AccountStore();
    a.loadSnapshot({
      balances: [usd],
      positions: [position(), position({ instrument: ETH, size: "0" })],
      open_orders: [],
      fills: [fill("f1", { ts: 1 }), fill("f2", { ts: 2 })],
    });
    expect(a.balance("USD")).toEqual(usd);
    expect(a.positions).toHaveLength(1);
    expect(a.fills.map((f) => f.trade_id)).toEqual(["f2", "f1"]);
  });

  it("dedupes fills by trade id, including ones from the snapshot", () => {
    const a = new AccountStore();
    a.loadSnapshot({ balances: [], positions: [], open_orders: [], fills: [fill("f1")] });
    expect(a.apply({ type: "fill", fill: fill("f1") })).toEqual({ kind: "ignored" });
    expect(a.apply({ type: "fill", fill: fill("f2") }).kind).toBe("fill");
    expect(a.apply({ type: "fill", fill: fill("f2") }).kind).toBe("ignored");
    expect(a.fills.map((f) => f.trade_id)).toEqual(["f2", "f1"]);
  });

  it("keeps a bounded number of fills", () => {
    const a = new AccountStore();
    for (let i = 0; i < FILLS_KEPT + 5; i++) a.apply({ type: "fill", fill: fill(`f${String(i)}`) });
    expect(a.fills).toHaveLength(FILLS_KEPT);
    expect(a.fills[0]?.trade_id).toBe(`f${String(FILLS_KEPT + 4)}`);
  });

  it("opens, updates and closes positions", () => {
    const a = new AccountStore();
    a.apply({ type: "position", position: position({ size: "0.05", updated_at: 1 }) });
    a.apply({ type: "position", position: position({ size: "0.08", updated_at: 2 }) });
    expect(a.positions).toHaveLength(1);
    expect(a.position(BTC)?.size).toBe("0.08");

    // A late, older update does not undo a newer one.
    expect(
      a.apply({ type: "position", position: position({ size: "0.01", updated_at: 1 }) }).kind,
    ).toBe("ignored");
    expect(a.position(BTC)?.size).toBe("0.08");

    expect(a.apply({ type: "position_closed", instrument: BTC })).toEqual({
      kind: "position_closed",
      instrument: BTC,
    });
    expect(a.positions).toEqual([]);
  });

  it("treats a zero-size position as closed", () => {
    const a = new AccountStore();
    a.apply({ type: "position", position: position({ updated_at: 1 }) });
    expect(
      a.apply({ type: "position", position: position({ size: "0.000", updated_at: 2 }) }).kind,
    ).toBe("position_closed");
    expect(a.positions).toEqual([]);
  });

  it("replaces only the position that changed", () => {
    const a = new AccountStore();
    a.apply({ type: "position", position: position({ updated_at: 1 }) });
    a.apply({ type: "position", position: position({ instrument: ETH, updated_at: 1 }) });
    const eth = a.positions[1];
    a.apply({ type: "position", position: position({ unrealized_pnl: "9", updated_at: 2 }) });
    expect(a.positions[1]).toBe(eth);
    expect(a.positions[0]?.unrealized_pnl).toBe("9");
  });

  it("upserts balances and tracks the stream status", () => {
    const a = new AccountStore();
    a.apply({ type: "balance", balance: usd });
    a.apply({ type: "balance", balance: { ...usd, wallet: "9990" } });
    expect(a.balances).toHaveLength(1);
    expect(a.balance("USD")?.wallet).toBe("9990");
    a.apply({ type: "status", status: "reconnecting" });
    expect(a.streamStatus).toBe("reconnecting");
  });
});

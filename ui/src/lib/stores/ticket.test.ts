import { describe, expect, it } from "vitest";
import { btcPerp } from "../../test/fixtures";
import { TicketStore } from "./ticket.svelte";

describe("TicketStore", () => {
  it("turns a price picked from the book into a limit order at that price", () => {
    const t = new TicketStore();
    expect(t.orderType).toBe("market");
    t.usePrice("91250.5");
    expect(t.orderType).toBe("limit");
    expect(t.price).toBe("91250.5");
    expect(t.trigger).toBe("");
    expect(t.touched.price).toBe(true);
  });

  it("gives a picked price to a stop order as its trigger", () => {
    const t = new TicketStore();
    t.orderType = "stop";
    t.usePrice("90000.0");
    expect(t.orderType).toBe("stop");
    expect(t.trigger).toBe("90000.0");
    expect(t.price).toBe("");
  });

  it("drops the backend's message for a field once it is edited, and the ticket-wide one", () => {
    const t = new TicketStore();
    t.serverErrors = { size: "too small", price: "off band", type: "refused" };
    t.edited("size");
    expect(t.serverErrors).toEqual({ price: "off band" });
    expect(t.touched).toEqual({ size: true });
  });

  it("fits itself to a new instrument: its minimum size, no prices, leverage within its cap", () => {
    const t = new TicketStore();
    t.size = "3";
    t.price = "100";
    t.trigger = "90";
    t.leverage = "100";
    t.edited("size");
    t.serverErrors = { size: "too big" };
    t.resetFor(btcPerp({ min_size: "0.01", max_leverage: "25" }));
    expect(t.size).toBe("0.01");
    expect(t.price).toBe("");
    expect(t.trigger).toBe("");
    expect(t.leverage).toBe("25");
    expect(t.touched).toEqual({});
    expect(t.serverErrors).toEqual({});
  });

  it("keeps a leverage the new instrument allows", () => {
    const t = new TicketStore();
    t.leverage = "5";
    t.resetFor(btcPerp({ max_leverage: "25" }));
    expect(t.leverage).toBe("5");
  });

  it("hands its inputs to the checks as a draft", () => {
    const t = new TicketStore();
    t.side = "sell";
    t.size = "0.05";
    t.reduceOnly = true;
    expect(t.draft).toMatchObject({
      side: "sell",
      orderType: "market",
      size: "0.05",
      reduceOnly: true,
      leverage: "10",
    });
  });
});

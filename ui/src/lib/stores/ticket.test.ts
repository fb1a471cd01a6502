import { describe, expect, it } from "vitest";
import { btcPerp, lnmPerp } from "../../test/fixtures";
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

  it("drops a hidden take-profit and stop-loss, with their messages, when the pair is closed", () => {
    const t = new TicketStore();
    t.toggleTpSl();
    expect(t.tpSlOpen).toBe(true);
    t.takeProfit = "95000";
    t.stopLoss = "85000";
    t.edited("take_profit");
    t.serverErrors = { stop_loss: "the stop-loss must be below 90000", price: "off band" };
    t.toggleTpSl();
    expect(t.tpSlOpen).toBe(false);
    expect(t.draft).toMatchObject({ takeProfit: "", stopLoss: "" });
    expect(t.touched).toEqual({});
    expect(t.serverErrors).toEqual({ price: "off band" });
  });

  it("starts the size over when its unit changes, keeping the contracts a margin came to", () => {
    const t = new TicketStore();
    t.size = "100";
    t.setSizeMode("margin");
    expect(t.draft).toMatchObject({ sizeMode: "margin", size: "" });
    t.size = "20000";
    t.setSizeMode("contracts", "100");
    expect(t.draft).toMatchObject({ sizeMode: "contracts", size: "100" });
    expect(t.touched.size).toBe(true);
  });

  it("keeps sizing by margin only on instruments that offer it, and forgets TP/SL", () => {
    const t = new TicketStore();
    t.setSizeMode("margin");
    t.toggleTpSl();
    t.takeProfit = "95000";
    t.resetFor(lnmPerp());
    expect(t.sizeMode).toBe("margin");
    expect(t.size).toBe("");
    expect(t.tpSlOpen).toBe(false);
    expect(t.takeProfit).toBe("");
    t.resetFor(btcPerp({ min_size: "0.01" }));
    expect(t.sizeMode).toBe("contracts");
    expect(t.size).toBe("0.01");
  });
});

describe("TicketStore sizing by risk", () => {
  it("makes the risk's stop the order's stop-loss where the venue takes one", () => {
    const t = new TicketStore();
    t.setRiskStop("49000", true);
    expect(t.riskStop).toBe("49000");
    expect(t.tpSlOpen).toBe(true);
    expect(t.stopLoss).toBe("49000");
    expect(t.touched.stop_loss).toBe(true);
  });

  it("leaves the stop-loss alone where the venue takes none", () => {
    const t = new TicketStore();
    t.setRiskStop("49000", false);
    expect(t.tpSlOpen).toBe(false);
    expect(t.stopLoss).toBe("");
  });

  it("goes back to a typed size with the size the risk came to", () => {
    const t = new TicketStore();
    t.size = "5";
    t.setRiskMode(true);
    expect(t.riskMode).toBe(true);
    t.setRiskMode(false, "0.100");
    expect(t.draft).toMatchObject({ size: "0.100", sizeMode: "contracts" });
  });

  it("puts a worked-out size in contracts in place of a margin or risk", () => {
    const t = new TicketStore();
    t.setSizeMode("margin");
    t.setRiskMode(true);
    t.useSize("250");
    expect(t.riskMode).toBe(false);
    expect(t.draft).toMatchObject({ size: "250", sizeMode: "contracts" });
  });

  it("forgets the stop on a new instrument", () => {
    const t = new TicketStore();
    t.setRiskStop("49000", false);
    t.resetFor(btcPerp());
    expect(t.riskStop).toBe("");
  });
});

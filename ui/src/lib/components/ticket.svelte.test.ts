// @vitest-environment jsdom
// The order ticket in a DOM: what its estimate lines say, in the unit traders count the settle
// currency in. (A .svelte.test.ts file, so that props can be $state and change under it.)

import { flushSync, mount, unmount, type ComponentProps } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Instrument } from "../bindings/bindings";
import { formatterFor } from "../format";
import { TicketStore } from "../stores/ticket.svelte";
import { button, click, el, has, input, press, text, type } from "../../test/dom";
import { balance, btcPerp, caps, lmexPerp, lnmPerp } from "../../test/fixtures";
import { StopPick } from "../stores/stop-pick.svelte";
import OrderTicket from "./OrderTicket.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function show(
  instrument: Instrument,
  size: string,
  capabilities = caps(),
  extra: Partial<ComponentProps<typeof OrderTicket>> = {},
) {
  const ticket = new TicketStore();
  ticket.size = size;
  const props = $state<ComponentProps<typeof OrderTicket>>({
    ticket,
    instrument,
    capabilities,
    fmt: formatterFor(instrument),
    bid: "50000",
    ask: "50001",
    last: "50000.5",
    onSubmit: vi.fn(),
    ...extra,
  });
  mounted = mount(OrderTicket, { target: document.body, props });
  flushSync();
  return { props, ticket };
}

describe("OrderTicket estimate", () => {
  it("shows a bitcoin-settled order in sats with its USD value at the price it would fill", () => {
    show(lnmPerp(), "100");
    // A market buy fills at the ask: 100 USD of contracts at 50,001 is 0.00199996 BTC.
    expect(text("ticket-value")).toBe("199,996 sats ≈ 100.00 USD");
    expect(text("ticket-margin")).toBe("20,000 sats ≈ 10.00 USD");
    expect(text("ticket-fee")).toBe("100 sats ≈ 0.05 USD");
  });

  it("follows the price the ticket uses: the bid for a sell, the limit for a limit", async () => {
    const { props } = show(lnmPerp(), "100");
    await click("ticket-side-sell");
    expect(text("ticket-value")).toBe("200,000 sats ≈ 100.00 USD");
    await click("ticket-type-limit");
    type("ticket-price", "40000");
    expect(text("ticket-value")).toBe("250,000 sats ≈ 100.00 USD");
    props.bid = null;
    props.ask = null;
    flushSync();
    expect(text("ticket-value")).toBe("250,000 sats ≈ 100.00 USD");
  });

  it("shows dashes in sats while there is nothing to estimate", () => {
    const { props, ticket } = show(lnmPerp(), "");
    expect(text("ticket-value")).toBe("— sats");
    expect(text("ticket-margin")).toBe("— sats");
    props.bid = null;
    props.ask = null;
    props.last = null;
    ticket.size = "100";
    flushSync();
    expect(text("ticket-fee")).toBe("— sats");
  });

  it("keeps other settle currencies in their own unit, without a USD value", () => {
    show(btcPerp(), "0.1");
    // 0.1 BTC at the ask, 50,001 USD.
    expect(text("ticket-value")).toBe("5,000.10 USD");
    expect(text("ticket-margin")).toBe("500.01 USD");
    expect(text("ticket-fee")).toBe("2.50 USD");
  });
});

function selectUnit(value: string): void {
  const select = el("ticket-size-unit");
  if (!(select instanceof HTMLSelectElement)) throw new Error("ticket-size-unit is not a select");
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

describe("OrderTicket take-profit / stop-loss", () => {
  const lnmCaps = caps({ attached_tp_sl: true });

  it("has no TP/SL where the venue takes none with the order", () => {
    show(lnmPerp(), "100");
    expect(has("ticket-tp-toggle")).toBe(false);
    expect(has("ticket-take-profit")).toBe(false);
  });

  it("keeps them folded away until asked, then sends them with the order", async () => {
    const { props } = show(lnmPerp(), "100", lnmCaps);
    expect(has("ticket-take-profit")).toBe(false);
    await click("ticket-tp-toggle");
    type("ticket-take-profit", "55000");
    type("ticket-stop-loss", "45000");
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ size: "100", take_profit: "55000", stop_loss: "45000" }),
    );
  });

  it("sends null for empty ones", async () => {
    const { props } = show(lnmPerp(), "100", lnmCaps);
    await click("ticket-tp-toggle");
    type("ticket-stop-loss", "45000");
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ take_profit: null, stop_loss: "45000" }),
    );
  });

  it("says next to each field when it is on the wrong side of the fill", async () => {
    // A market buy fills at the ask, 50,001.
    const { props } = show(lnmPerp(), "100", lnmCaps);
    await click("ticket-tp-toggle");
    type("ticket-take-profit", "50001");
    type("ticket-stop-loss", "50500");
    expect(text("ticket-error-take_profit")).toMatch(/above the fill price 50001/);
    expect(text("ticket-error-stop_loss")).toMatch(/below the fill price 50001/);
    await click("ticket-side-sell");
    // A market sell fills at the bid, 50,000: both are now where a short wants them.
    expect(has("ticket-error-take_profit")).toBe(true);
    type("ticket-take-profit", "49000");
    expect(has("ticket-error-take_profit")).toBe(false);
    expect(has("ticket-error-stop_loss")).toBe(false);
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledWith(
      expect.objectContaining({ side: "sell", take_profit: "49000", stop_loss: "50500" }),
    );
  });

  it("shows the backend's refusal of one next to it", async () => {
    const { ticket } = show(lnmPerp(), "100", lnmCaps);
    await click("ticket-tp-toggle");
    ticket.serverErrors = { stop_loss: "the stop-loss must be below 50000" };
    flushSync();
    expect(text("ticket-error-stop_loss")).toBe("the stop-loss must be below 50000");
  });
});

describe("OrderTicket size by margin", () => {
  it("is offered on an inverse bitcoin-settled instrument only", () => {
    show(btcPerp(), "0.1");
    expect(has("ticket-size-unit")).toBe(false);
    document.body.innerHTML = "";
    show(lnmPerp(), "100");
    expect(has("ticket-size-unit")).toBe(true);
    expect(has("ticket-size-contracts")).toBe(false);
  });

  it("turns sats of margin into contracts, shows them, and sends contracts", async () => {
    const { props } = show(lnmPerp(), "100");
    selectUnit("margin");
    type("ticket-size", "20000");
    // 20,000 sats at 10× at the ask 50,001 = 100.002 USD → 100 contracts.
    expect(text("ticket-size-contracts")).toBe("= 100 contracts");
    expect(text("ticket-submit")).toBe("Buy 100 contracts @ Market");
    // The estimate lines value the contracts, still in sats with USD.
    expect(text("ticket-value")).toBe("199,996 sats ≈ 100.00 USD");
    expect(text("ticket-margin")).toBe("20,000 sats ≈ 10.00 USD");
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ size: "100", take_profit: null, stop_loss: null }),
    );
  });

  it("works the contracts out at a limit order's own price", async () => {
    show(lnmPerp(), "");
    await click("ticket-type-limit");
    selectUnit("margin");
    type("ticket-size", "20000");
    expect(text("ticket-size-contracts")).toBe("= — contracts");
    type("ticket-price", "40000");
    expect(text("ticket-size-contracts")).toBe("= 80 contracts");
  });

  it("refuses a margin too small for one contract, next to the size", () => {
    show(lnmPerp(), "");
    selectUnit("margin");
    type("ticket-size", "150");
    expect(text("ticket-error-size")).toMatch(/too little margin for one contract/i);
    expect((el("ticket-submit") as HTMLButtonElement).disabled).toBe(true);
  });

  it("goes back to contracts with the contracts the margin came to", () => {
    show(lnmPerp(), "");
    selectUnit("margin");
    type("ticket-size", "20000");
    selectUnit("contracts");
    expect(has("ticket-size-contracts")).toBe(false);
    expect((el("ticket-size") as HTMLInputElement).value).toBe("100");
  });
});

describe("OrderTicket size by risk", () => {
  const usd = balance({ currency: "USD", equity: "10000", available: "1000" });

  it("sizes the order to lose the risk at the stop, shows it, and sends it", async () => {
    const { props } = show(btcPerp(), "0.5", caps(), { balance: usd });
    expect(has("ticket-risk-value")).toBe(false);
    await click("ticket-size-mode-risk");
    expect(has("ticket-size")).toBe(false);
    // 1% of 10,000 USD equity is 100; a market buy fills at the ask, 50,001.
    expect(input("ticket-risk-value").value).toBe("1");
    type("ticket-risk-stop", "49001");
    expect(text("ticket-risk-size")).toBe("= 0.100 BTC · 100.00 USD at stop");
    expect(text("ticket-submit")).toBe("Buy 0.100 BTC @ Market");
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ size: "0.100", stop_loss: null }),
    );
  });

  it("switches between a share of equity and a fixed amount, in sats for bitcoin", async () => {
    show(lnmPerp(), "", caps(), {
      balance: balance({ currency: "BTC", equity: "0.01", available: "0.01" }),
    });
    await click("ticket-size-mode-risk");
    type("ticket-risk-stop", "49001");
    expect(text("ticket-risk-size")).toMatch(/^= 245 contracts · 10,000 sats at stop$/);
    await click("ticket-risk-kind");
    expect(text("ticket-risk-kind")).toBe("sats");
    type("ticket-risk-value", "5000");
    expect(text("ticket-risk-size")).toMatch(/^= 122 contracts · /);
  });

  it("says next to the risk what keeps it from sizing, and does not send", async () => {
    const { props } = show(btcPerp(), "0.5", caps(), { balance: usd });
    await click("ticket-size-mode-risk");
    type("ticket-risk-stop", "51000");
    expect(text("ticket-error-risk")).toBe("A buy's stop must be below the fill price 50001");
    expect(has("ticket-error-size")).toBe(false);
    expect(button("ticket-submit").disabled).toBe(true);
    expect(props.onSubmit).not.toHaveBeenCalled();
  });

  it("needs a balance in the settle currency", async () => {
    show(btcPerp(), "0.5", caps(), { balance: balance({ currency: "BTC", equity: "1" }) });
    await click("ticket-size-mode-risk");
    type("ticket-risk-stop", "49001");
    expect(text("ticket-error-risk")).toBe("No account balance yet to size by risk");
  });

  it("takes the stop from the chart's next click and attaches it as the stop-loss", async () => {
    const stopPick = new StopPick();
    const { props } = show(btcPerp(), "", caps({ attached_tp_sl: true }), {
      balance: usd,
      stopPick,
    });
    await click("ticket-size-mode-risk");
    await click("ticket-risk-pick-stop");
    expect(stopPick.picking).toBe(true);
    expect(text("ticket-risk-pick-stop")).toBe("Click chart…");
    stopPick.pick("49001");
    flushSync();
    expect(input("ticket-risk-stop").value).toBe("49001");
    expect(input("ticket-stop-loss").value).toBe("49001");
    expect(text("ticket-risk-size")).toMatch(/^= 0.100 BTC/);
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledExactlyOnceWith(
      expect.objectContaining({ size: "0.100", stop_loss: "49001" }),
    );
  });

  it("goes back to a typed size with the size the risk came to", async () => {
    show(btcPerp(), "0.5", caps(), { balance: usd });
    await click("ticket-size-mode-risk");
    type("ticket-risk-stop", "49001");
    await click("ticket-size-mode-risk");
    expect(input("ticket-size").value).toBe("0.100");
  });
});

describe("OrderTicket size by share of margin", () => {
  it("fills the size with a share of the available balance at the leverage", async () => {
    const { ticket } = show(btcPerp(), "0.5", caps(), {
      balance: balance({ currency: "USD", equity: "10000", available: "1000" }),
    });
    await click("ticket-pct-25");
    expect(input("ticket-size").value).toBe("0.049");
    ticket.leverage = "20";
    flushSync();
    await click("ticket-pct-100");
    // 1,000 USD × 20 / (1.01 × 50,001) = 0.396 BTC.
    expect(input("ticket-size").value).toBe("0.396");
  });

  it("sizes in contracts even when the size was typed as margin", async () => {
    show(lnmPerp(), "", caps(), {
      balance: balance({ currency: "BTC", equity: "0.01", available: "0.01" }),
    });
    selectUnit("margin");
    await click("ticket-pct-10");
    expect((el("ticket-size-unit") as HTMLSelectElement).value).toBe("contracts");
    // 0.001 BTC × 10 × 50,001 / 1.005 = 497.5 → 497 contracts.
    expect(input("ticket-size").value).toBe("497");
  });

  it("says why it cannot size without a balance", async () => {
    show(btcPerp(), "0.5");
    await click("ticket-pct-50");
    expect(text("ticket-error-pct")).toBe("No account balance yet");
    expect(input("ticket-size").value).toBe("0.5");
  });
});

describe("OrderTicket in linear contracts (LMEX)", () => {
  const lmex = lmexPerp();

  it("says what the contracts are worth in base and in the settle currency", () => {
    show(lmex, "25", caps(), { bid: "49999.5", ask: "50000", last: "50000" });
    // A market buy fills at the ask: 25 × 0.0001 BTC = 0.0025 BTC, at 50,000 = 125 USDT.
    expect(text("ticket-size-base")).toBe("= 0.0025 BTC ≈ 125.00 USDT");
    expect(text("ticket-contract-size")).toBe("1 contract = 0.0001 BTC");
    expect(text("ticket-submit")).toBe("Buy 25 contracts @ Market");
    expect(text("ticket-value")).toBe("125.00 USDT");
  });

  it("follows the size and the price the order would fill at", async () => {
    show(lmex, "25", caps(), { bid: "49999.5", ask: "50000", last: "50000" });
    type("ticket-size", "108350");
    expect(text("ticket-size-base")).toBe("= 10.835 BTC ≈ 541,750.00 USDT");
    await click("ticket-type-limit");
    expect(text("ticket-size-base")).toBe("= 10.835 BTC");
    type("ticket-price", "40000");
    expect(text("ticket-size-base")).toBe("= 10.835 BTC ≈ 433,400.00 USDT");
    type("ticket-size", "");
    expect(text("ticket-size-base")).toBe("= — BTC");
  });

  it("refuses a fraction of a contract before sending", async () => {
    const { props } = show(lmex, "25");
    type("ticket-size", "2.5");
    await click("ticket-submit");
    expect(text("ticket-error-size")).toBe(
      "Size is a whole number of contracts (1 contract = 0.0001 BTC)",
    );
    expect(button("ticket-submit").disabled).toBe(true);
    expect(props.onSubmit).not.toHaveBeenCalled();
    type("ticket-size", "3");
    expect(has("ticket-error-size")).toBe(false);
    await click("ticket-submit");
    expect(props.onSubmit).toHaveBeenCalledExactlyOnceWith(expect.objectContaining({ size: "3" }));
  });

  it("steps the size by the size step with the arrow keys, on a numeric keypad", () => {
    const { ticket } = show(lmexPerp({ size_step: "5", min_size: "5" }), "25");
    expect(input("ticket-size").inputMode).toBe("numeric");
    press("ticket-size", "ArrowUp");
    expect(ticket.size).toBe("30");
    expect(input("ticket-size").value).toBe("30");
    press("ticket-size", "ArrowDown");
    press("ticket-size", "ArrowDown");
    expect(ticket.size).toBe("20");
    type("ticket-size", "12");
    press("ticket-size", "ArrowUp");
    expect(ticket.size).toBe("15");
  });

  it("is not shown for LN Markets' inverse contracts or the Demo's BTC sizes", () => {
    show(lnmPerp(), "100");
    expect(has("ticket-size-base")).toBe(false);
    expect(has("ticket-contract-size")).toBe(false);
    document.body.innerHTML = "";
    show(btcPerp(), "0.1");
    expect(has("ticket-size-base")).toBe(false);
    expect(has("ticket-contract-size")).toBe(false);
    // The Demo's size keeps its decimal keypad, and steps by its own step.
    expect(input("ticket-size").inputMode).toBe("decimal");
    press("ticket-size", "ArrowUp");
    expect(input("ticket-size").value).toBe("0.101");
  });

  it("leaves the arrow keys alone while the size is typed as sats of margin", () => {
    const { ticket } = show(lnmPerp(), "");
    selectUnit("margin");
    type("ticket-size", "20000");
    press("ticket-size", "ArrowUp");
    expect(ticket.size).toBe("20000");
  });
});

// @vitest-environment jsdom
// The order ticket in a DOM: what its estimate lines say, in the unit traders count the settle
// currency in. (A .svelte.test.ts file, so that props can be $state and change under it.)

import { flushSync, mount, unmount, type ComponentProps } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Instrument } from "../bindings/bindings";
import { formatterFor } from "../format";
import { TicketStore } from "../stores/ticket.svelte";
import { click, el, has, text, type } from "../../test/dom";
import { btcPerp, caps, lnmPerp } from "../../test/fixtures";
import OrderTicket from "./OrderTicket.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function show(instrument: Instrument, size: string, capabilities = caps()) {
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

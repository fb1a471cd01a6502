// @vitest-environment jsdom
// The order ticket in a DOM: what its estimate lines say, in the unit traders count the settle
// currency in. (A .svelte.test.ts file, so that props can be $state and change under it.)

import { flushSync, mount, unmount, type ComponentProps } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Instrument } from "../bindings/bindings";
import { formatterFor } from "../format";
import { TicketStore } from "../stores/ticket.svelte";
import { click, text, type } from "../../test/dom";
import { btcPerp, caps, lnmPerp } from "../../test/fixtures";
import OrderTicket from "./OrderTicket.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function show(instrument: Instrument, size: string) {
  const ticket = new TicketStore();
  ticket.size = size;
  const props = $state<ComponentProps<typeof OrderTicket>>({
    ticket,
    instrument,
    capabilities: caps(),
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

// @vitest-environment jsdom
import type { Channel, InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import type { AccountEvent, AccountInfo, AccountSnapshot, MarketFrame } from "../bindings/bindings";
import { BTC, btcPerp, caps, fill, frame, order, trade } from "../../test/fixtures";
import { AccountStore } from "./account.svelte";
import { MarketStore } from "./market.svelte";
import { OrdersStore } from "./orders.svelte";
import { Session, pickInstrument, sortAccounts } from "./session.svelte";
import { TicketStore } from "./ticket.svelte";
import { Toasts } from "./toasts.svelte";

const demo: AccountInfo = {
  id: "demo",
  venue: "demo",
  label: "Demo account",
  network: "testnet",
  capabilities: caps(),
};
const real: AccountInfo = {
  ...demo,
  id: "lmex-1",
  venue: "lmex",
  label: "A real account",
  capabilities: caps({ simulated: false }),
};

const snapshot: AccountSnapshot = {
  balances: [],
  positions: [],
  open_orders: [order("c1")],
  fills: [fill("f1")],
};

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

afterEach(() => {
  clearMocks();
});

describe("session helpers", () => {
  it("lists simulated accounts first", () => {
    expect(sortAccounts([real, demo]).map((a) => a.id)).toEqual(["demo", "lmex-1"]);
  });

  it("keeps the symbol across accounts, else prefers BTC", () => {
    const eth = btcPerp({ id: { venue: "demo", symbol: "ETH-PERP" }, base: "ETH" });
    const btc = btcPerp();
    expect(pickInstrument([eth, btc], "ETH-PERP")).toBe(eth);
    expect(pickInstrument([eth, btc], "SOL-PERP")).toBe(btc);
    expect(pickInstrument([], null)).toBeUndefined();
  });
});

describe("Session", () => {
  it("opens the Demo account, replays events held during the snapshot, and streams the market", async () => {
    let accountChannel: Channel<AccountEvent> | undefined;
    let marketChannel: Channel<MarketFrame> | undefined;
    const commands: string[] = [];
    mockIPC(async (cmd: string, payload?: InvokeArgs) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      commands.push(cmd);
      switch (cmd) {
        case "list_accounts":
          return [real, demo];
        case "subscribe_account":
          accountChannel = args["onEvent"] as Channel<AccountEvent>;
          return 1;
        case "account_snapshot":
          // An event arrives while the snapshot is on its way: one the snapshot already has
          // and one it does not.
          accountChannel?.onmessage({ type: "fill", fill: fill("f1") });
          accountChannel?.onmessage({ type: "fill", fill: fill("f2") });
          await wait(5);
          return snapshot;
        case "list_instruments":
          return [btcPerp()];
        case "subscribe_market":
          marketChannel = args["onFrame"] as Channel<MarketFrame>;
          return 2;
        default:
          return null;
      }
    });
    const stores = {
      market: new MarketStore(() => Promise.resolve({ status: "ok", data: [] })),
      account: new AccountStore(),
      orders: new OrdersStore(),
      ticket: new TicketStore(),
      toasts: new Toasts({ timers: false }),
    };
    const session = new Session(stores);
    await session.start();

    expect(session.accountId).toBe("demo");
    expect(session.instrumentKey).toBe("demo:BTC-PERP");
    expect(stores.market.instrument).toEqual(BTC);
    expect(stores.ticket.size).toBe("0.001");
    expect(stores.orders.open.map((o) => o.client_order_id)).toEqual(["c1"]);
    expect(stores.account.fills.map((f) => f.trade_id)).toEqual(["f2", "f1"]);
    // Replayed events were not news to the user.
    expect(stores.toasts.items).toEqual([]);
    expect(commands.indexOf("subscribe_account")).toBeLessThan(
      commands.indexOf("account_snapshot"),
    );

    marketChannel?.onmessage(frame({ frame: 1, trades: [trade("t1")] }));
    marketChannel?.onmessage(frame({ frame: 2, trades: [trade("t2")] }));
    await wait(300);
    expect(stores.market.lastFrame).toBe(2);
    expect(stores.market.trades.map((t) => t.trade_id)).toEqual(["t2", "t1"]);

    accountChannel?.onmessage({
      type: "fill",
      fill: fill("f3", { side: "sell", price: "91250.5" }),
    });
    expect(stores.toasts.items[0]?.title).toBe("Sold 0.010 BTC BTC-PERP");
    expect(stores.toasts.items[0]?.detail).toBe("@ 91,250.5 · fee 0.45");

    await session.stop();
    expect(commands).toContain("unsubscribe_market");
    expect(commands).toContain("unsubscribe_account");
  });

  it("says so when accounts cannot be listed", async () => {
    mockIPC(() => Promise.reject(new Error("bridge down")));
    const session = new Session({
      market: new MarketStore(() => Promise.resolve({ status: "ok", data: [] })),
      account: new AccountStore(),
      orders: new OrdersStore(),
      ticket: new TicketStore(),
      toasts: new Toasts({ timers: false }),
    });
    await session.start();
    expect(session.problem).toMatch(/bridge down/);
  });
});

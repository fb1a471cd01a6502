// @vitest-environment jsdom
import type { Channel, InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it, vi } from "vitest";
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
      alerts: { alert: vi.fn() },
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
    expect(stores.alerts.alert).not.toHaveBeenCalled();
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
    expect(stores.toasts.items[0]?.detail).toBe("@ 91,250.5 · fee 0.45 USD");
    expect(stores.alerts.alert).toHaveBeenCalledExactlyOnceWith(
      "fill",
      "Sold 0.010 BTC BTC-PERP",
      "@ 91,250.5 · fee 0.45 USD",
    );
    // A working order the venue drops is a rejection too.
    accountChannel?.onmessage({
      type: "order",
      order: order("c1", { status: "rejected", reason: "liquidation", updated_at: 9e12 }),
    });
    expect(stores.toasts.items.at(-1)?.title).toBe("Order rejected");
    expect(stores.alerts.alert).toHaveBeenLastCalledWith(
      "rejection",
      "Order rejected",
      "liquidation",
    );

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

describe("Session and Settings", () => {
  const lmexBtc = btcPerp({ id: { venue: "lmex", symbol: "BTC-PERP" } });
  const lmexEth = btcPerp({ id: { venue: "lmex", symbol: "ETH-PERP" }, base: "ETH" });
  const other: AccountInfo = { ...real, id: "lmex-2", label: "B second account" };

  interface Call {
    cmd: string;
    args: Record<string, unknown>;
  }

  /** A backend listing `accounts()` (read at each call) and an empty snapshot for each. */
  function backend(accounts: () => AccountInfo[]): Call[] {
    const calls: Call[] = [];
    mockIPC((cmd: string, payload?: InvokeArgs) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      switch (cmd) {
        case "list_accounts":
          return accounts();
        case "subscribe_account":
          return 1;
        case "account_snapshot":
          return { balances: [], positions: [], open_orders: [], fills: [] };
        case "list_instruments":
          return args["account"] === "demo" ? [btcPerp()] : [lmexBtc, lmexEth];
        case "subscribe_market":
          return 2;
        default:
          return null;
      }
    });
    return calls;
  }

  function newSession(toasts = new Toasts({ timers: false })): Session {
    return new Session({
      market: new MarketStore(() => Promise.resolve({ status: "ok", data: [] })),
      account: new AccountStore(),
      orders: new OrdersStore(),
      ticket: new TicketStore(),
      toasts,
    });
  }

  function remembered(calls: Call[]): unknown[] {
    return calls.filter((c) => c.cmd === "remember_selection").map((c) => c.args["selection"]);
  }

  it("opens where the user left off: account, instrument and timeframe", async () => {
    const calls = backend(() => [demo, real]);
    const session = newSession();
    await session.start({ account: "lmex-1", instrument: "ETH-PERP", timeframe: "1h" });
    expect(session.accountId).toBe("lmex-1");
    expect(session.instrumentKey).toBe("lmex:ETH-PERP");
    expect(session.timeframe).toBe("1h");
    // Restoring is not a choice of the user's: nothing to remember.
    await wait(0);
    expect(remembered(calls)).toEqual([]);
  });

  it("opens the Demo account when the remembered one is no longer configured", async () => {
    backend(() => [demo, real]);
    const session = newSession();
    await session.start({ account: "gone", instrument: "ETH-PERP", timeframe: null });
    expect(session.accountId).toBe("demo");
    expect(session.instrumentKey).toBe("demo:BTC-PERP");
    expect(session.timeframe).toBe("1m");
  });

  it("remembers each account, instrument and timeframe the user picks", async () => {
    const calls = backend(() => [demo, real]);
    const session = newSession();
    await session.start();
    await session.selectAccount("lmex-1");
    await session.selectInstrument("lmex:ETH-PERP");
    session.selectTimeframe("5m");
    await wait(0);
    expect(remembered(calls)).toEqual([
      { account: "lmex-1", instrument: "BTC-PERP", timeframe: "1m" },
      { account: "lmex-1", instrument: "ETH-PERP", timeframe: "1m" },
      { account: "lmex-1", instrument: "ETH-PERP", timeframe: "5m" },
    ]);
  });

  it("re-lists accounts and keeps the one on screen while it is listed", async () => {
    let listed = [demo, real];
    const calls = backend(() => listed);
    const session = newSession();
    await session.start({ account: "lmex-1", instrument: null, timeframe: null });
    listed = [demo, real, other];
    await session.refreshAccounts();
    expect(session.accounts.map((a) => a.id)).toEqual(["demo", "lmex-1", "lmex-2"]);
    expect(session.accountId).toBe("lmex-1");
    expect(calls.filter((c) => c.cmd === "subscribe_account")).toHaveLength(1);
  });

  it("falls back to the Demo account when the account on screen goes away", async () => {
    let listed = [demo, real];
    const calls = backend(() => listed);
    const toasts = new Toasts({ timers: false });
    const session = newSession(toasts);
    await session.start({ account: "lmex-1", instrument: null, timeframe: null });
    listed = [demo];
    await session.refreshAccounts();
    expect(session.accounts.map((a) => a.id)).toEqual(["demo"]);
    expect(session.accountId).toBe("demo");
    expect(calls.filter((c) => c.cmd === "subscribe_account").at(-1)?.args["account"]).toBe("demo");
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([
      ["info", "A real account is not available"],
    ]);
    // The fallback is not the user's choice: the next start still tries the account.
    await wait(0);
    expect(remembered(calls)).toEqual([]);
  });

  it("opens the remembered account once it has connected, unless the user moved on", async () => {
    let listed = [demo];
    const calls = backend(() => listed);
    const session = newSession();
    await session.start({ account: "lmex-1", instrument: "ETH-PERP", timeframe: "1h" });
    expect(session.accountId).toBe("demo");

    listed = [demo, real];
    await session.refreshAccounts();
    expect(session.accountId).toBe("lmex-1");
    expect(session.instrumentKey).toBe("lmex:ETH-PERP");
    expect(session.timeframe).toBe("1h");
    await wait(0);
    expect(remembered(calls)).toEqual([]);

    // Once restored, later refreshes leave the user's screen alone.
    await session.selectAccount("demo");
    await session.refreshAccounts();
    expect(session.accountId).toBe("demo");
  });

  const picks: [string, (session: Session) => Promise<void>][] = [
    ["an account", (session) => session.selectAccount("demo")],
    ["an instrument", (session) => session.selectInstrument("demo:BTC-PERP")],
    [
      "a timeframe",
      (session) => {
        session.selectTimeframe("15m");
        return Promise.resolve();
      },
    ],
  ];
  for (const [what, pick] of picks) {
    it(`forgets the remembered account once the user picks ${what}`, async () => {
      let listed = [demo];
      backend(() => listed);
      const session = newSession();
      await session.start({ account: "lmex-1", instrument: null, timeframe: null });
      await pick(session);
      listed = [demo, real];
      await session.refreshAccounts();
      expect(session.accountId).toBe("demo");
    });
  }

  it("waits for the first listing before re-listing", async () => {
    const calls = backend(() => [demo]);
    const session = newSession();
    await session.refreshAccounts();
    expect(calls).toEqual([]);

    const starting = session.start();
    const refreshing = session.refreshAccounts();
    await Promise.all([starting, refreshing]);
    expect(calls.filter((c) => c.cmd === "list_accounts")).toHaveLength(2);
    expect(calls.filter((c) => c.cmd === "subscribe_account")).toHaveLength(1);
    expect(session.accountId).toBe("demo");
  });
});

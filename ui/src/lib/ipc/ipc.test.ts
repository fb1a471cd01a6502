// @vitest-environment jsdom
import { Channel, type InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import type {
  AccountForm,
  AppError,
  MarketFrame,
  OrderTicket,
  SettingsView,
} from "../bindings/bindings";
import {
  BTC,
  accountEntry,
  candle,
  depositInvoice,
  frame,
  lmexOverview as lmexView,
  lnmOverview as overview,
  order,
  settingsView,
  walletView,
} from "../../test/fixtures";
import { listAccounts } from "./account";
import { lmexOverview } from "./lmex";
import {
  lnmCashIn,
  lnmDepositLightning,
  lnmInvoiceAmount,
  lnmOverview,
  lnmWallet,
  lnmWithdraw,
} from "./lnmarkets";
import { candleHistory, openMarketStream } from "./market";
import { addMargin, amendOrder, cancelOrder, placeOrder, setTpSl } from "./orders";
import { addAccount, rememberSelection, updateAccount, watchSettings } from "./settings";

interface Call {
  cmd: string;
  args: Record<string, unknown>;
}

function record(handler: (cmd: string, args: Record<string, unknown>) => unknown): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd: string, payload?: InvokeArgs) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    return handler(cmd, args);
  });
  return calls;
}

/** Delivers a message the way Rust does: through the channel's callback with an index. */
function send<T>(channel: Channel<T>, index: number, message: T): void {
  const internals = (
    window as unknown as { __TAURI_INTERNALS__: { runCallback(id: number, data: unknown): void } }
  ).__TAURI_INTERNALS__;
  internals.runCallback(channel.id, { index, message });
}

/** Tauri rejects a failed command with the serialized error itself, not an Error. */
function rejectWith(value: unknown): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- mirrors Tauri
  return Promise.reject(value);
}

const appError: AppError = {
  code: "insufficient_funds",
  message: "not enough margin",
  retryable: false,
  venue_code: "E7",
  field: null,
  retry_after_ms: null,
};

const ticket: OrderTicket = {
  instrument: BTC,
  side: "buy",
  order_type: "market",
  size: "0.05",
  price: null,
  trigger_price: null,
  time_in_force: "gtc",
  reduce_only: false,
  post_only: false,
  leverage: "10",
};

afterEach(() => {
  clearMocks();
});

describe("IPC wrappers", () => {
  it("lists accounts", async () => {
    const calls = record(() => [{ id: "demo" }]);
    const result = await listAccounts();
    expect(calls.map((c) => c.cmd)).toEqual(["list_accounts"]);
    expect(result).toEqual({ status: "ok", data: [{ id: "demo" }] });
  });

  it("sends a ticket under its snake_case command with camelCase arguments", async () => {
    const calls = record((cmd) =>
      cmd === "place_order" ? { outcome: "accepted", order: order("c1") } : undefined,
    );
    const placed = await placeOrder("demo", ticket);
    expect(placed).toEqual({ status: "ok", data: { outcome: "accepted", order: order("c1") } });
    expect(calls[0]).toEqual({
      cmd: "place_order",
      args: { account: "demo", ticket, clickedAtMs: null },
    });
    // A click's time goes along, for the click-to-send measurement.
    await placeOrder("demo", ticket, 1_795_000_000_123.25);
    expect(calls[1]).toEqual({
      cmd: "place_order",
      args: { account: "demo", ticket, clickedAtMs: 1_795_000_000_123.25 },
    });

    await cancelOrder("demo", BTC, "c1");
    expect(calls[2]).toEqual({
      cmd: "cancel_order",
      args: { account: "demo", instrument: BTC, clientOrderId: "c1" },
    });
  });

  it("moves a working order, null leaving a value as it is", async () => {
    // Cancel-and-replace: the accepted order goes by a new client order id.
    const replaced = order("c2", { price: "90500" });
    const calls = record((cmd) =>
      cmd === "amend_order" ? { outcome: "accepted", order: replaced } : undefined,
    );
    expect(await amendOrder("demo", "c1", "90500", null)).toEqual({
      status: "ok",
      data: { outcome: "accepted", order: replaced },
    });
    await amendOrder("demo", "c2", null, "0.02");
    expect(calls).toEqual([
      {
        cmd: "amend_order",
        args: { account: "demo", clientOrderId: "c1", price: "90500", size: null },
      },
      {
        cmd: "amend_order",
        args: { account: "demo", clientOrderId: "c2", price: null, size: "0.02" },
      },
    ]);
  });

  it("changes a position under its commands, null meaning remove", async () => {
    const calls = record(() => null);
    expect(await setTpSl("lnm-1", BTC, "long", "95000", null, false)).toEqual({
      status: "ok",
      data: null,
    });
    await setTpSl("lnm-1", BTC, "short", null, "93000.5", true);
    await addMargin("lnm-1", BTC, "short", "0.00001");
    expect(calls).toEqual([
      {
        cmd: "set_tp_sl",
        args: {
          account: "lnm-1",
          instrument: BTC,
          side: "long",
          takeProfit: "95000",
          stopLoss: null,
          stopLossTrailing: false,
        },
      },
      {
        cmd: "set_tp_sl",
        args: {
          account: "lnm-1",
          instrument: BTC,
          side: "short",
          takeProfit: null,
          stopLoss: "93000.5",
          stopLossTrailing: true,
        },
      },
      {
        cmd: "add_margin",
        args: { account: "lnm-1", instrument: BTC, side: "short", amount: "0.00001" },
      },
    ]);
  });

  it("reads LN Markets' overview and cashes in under their commands", async () => {
    const calls = record((cmd) => (cmd === "lnm_overview" ? overview() : null));
    expect(await lnmOverview("lnm-1")).toEqual({ status: "ok", data: overview() });
    expect(await lnmCashIn("lnm-1", BTC, "long", "0.00005")).toEqual({ status: "ok", data: null });
    expect(calls).toEqual([
      { cmd: "lnm_overview", args: { account: "lnm-1" } },
      {
        cmd: "lnm_cash_in",
        args: { account: "lnm-1", instrument: BTC, side: "long", amount: "0.00005" },
      },
    ]);
  });

  it("reads LMEX's overview for an account and symbol under its command", async () => {
    const calls = record((cmd) => (cmd === "lmex_overview" ? lmexView() : null));
    expect(await lmexOverview("lmex-1", "BTC-PERP")).toEqual({ status: "ok", data: lmexView() });
    expect(calls).toEqual([
      { cmd: "lmex_overview", args: { account: "lmex-1", symbol: "BTC-PERP" } },
    ]);
  });

  it("returns a refused cash-in as an AppError naming the amount", async () => {
    const refused: AppError = {
      ...appError,
      code: "invalid_order",
      message: "LN Markets moves whole sats (at least 1)",
      venue_code: null,
      field: "amount",
    };
    record(() => rejectWith(refused));
    expect(await lnmCashIn("lnm-1", BTC, "short", "0.000000005")).toEqual({
      status: "error",
      error: refused,
    });
  });

  it("reads the wallet, makes invoices, reads their amounts and withdraws under their commands", async () => {
    const calls = record((cmd, args) => {
      switch (cmd) {
        case "lnm_wallet":
          return walletView();
        case "lnm_deposit_lightning":
          return depositInvoice();
        case "lnm_invoice_amount":
          return args["invoice"] === "lnbc5u1p" ? 500 : null;
        default:
          return 500;
      }
    });
    expect(await lnmWallet("lnm-1")).toEqual({ status: "ok", data: walletView() });
    expect(await lnmDepositLightning("lnm-1", 25_000)).toEqual({
      status: "ok",
      data: depositInvoice(),
    });
    expect(await lnmInvoiceAmount("lnbc5u1p")).toEqual({ status: "ok", data: 500 });
    expect(await lnmInvoiceAmount("lnbc1p")).toEqual({ status: "ok", data: null });
    const to = { kind: "on_chain", address: "tb1qxyz", amount_sats: 500 } as const;
    expect(await lnmWithdraw("lnm-1", to)).toEqual({ status: "ok", data: 500 });
    expect(calls).toEqual([
      { cmd: "lnm_wallet", args: { account: "lnm-1" } },
      { cmd: "lnm_deposit_lightning", args: { account: "lnm-1", amountSats: 25_000 } },
      { cmd: "lnm_invoice_amount", args: { invoice: "lnbc5u1p" } },
      { cmd: "lnm_invoice_amount", args: { invoice: "lnbc1p" } },
      { cmd: "lnm_withdraw", args: { account: "lnm-1", to } },
    ]);
  });

  it("returns a withdrawal of unknown outcome as the network error it is, once", async () => {
    const unknown: AppError = {
      ...appError,
      code: "network",
      message: "LN Markets did not confirm the withdrawal (timed out); it may have been sent",
      retryable: false,
      venue_code: null,
    };
    const calls = record(() => rejectWith(unknown));
    const to = { kind: "lightning", invoice: "lnbc5u1p" } as const;
    expect(await lnmWithdraw("lnm-1", to)).toEqual({ status: "error", error: unknown });
    expect(calls).toHaveLength(1);
  });

  it("passes history paging arguments through", async () => {
    const calls = record(() => [candle(1, "100")]);
    const result = await candleHistory(BTC, "15m", null, 500);
    expect(calls[0]).toEqual({
      cmd: "candle_history",
      args: { instrument: BTC, timeframe: "15m", before: null, limit: 500 },
    });
    expect(result.status).toBe("ok");
  });

  it("returns backend errors as AppErrors", async () => {
    record(() => rejectWith(appError));
    expect(await placeOrder("demo", ticket)).toEqual({ status: "error", error: appError });
  });

  it("turns an IPC refusal (a bare string) into an internal AppError", async () => {
    record(() => rejectWith("command place_order not allowed by ACL"));
    const result = await placeOrder("demo", ticket);
    expect(result.status).toBe("error");
    if (result.status === "error") {
      expect(result.error.code).toBe("internal");
      expect(result.error.message).toMatch(/not allowed/);
    }
  });

  it("streams frames over a channel in order until closed", async () => {
    const got: { channel?: Channel<MarketFrame> } = {};
    const calls = record((cmd, args) => {
      if (cmd === "subscribe_market") {
        got.channel = args["onFrame"] as Channel<MarketFrame>;
        return 7;
      }
      return null;
    });
    const frames: number[] = [];
    const opened = await openMarketStream(BTC, (f) => frames.push(f.frame));
    expect(opened.status).toBe("ok");
    const ch = got.channel;
    if (opened.status !== "ok" || ch === undefined) throw new Error("not subscribed");
    expect(calls[0]?.args["instrument"]).toEqual(BTC);
    expect(ch).toBeInstanceOf(Channel);

    // Out-of-order delivery is put back in order by the channel.
    send(ch, 1, frame({ frame: 2 }));
    send(ch, 0, frame({ frame: 1 }));
    expect(frames).toEqual([1, 2]);

    await opened.data.close();
    expect(calls.at(-1)).toEqual({ cmd: "unsubscribe_market", args: { subscription: 7 } });
    send(ch, 2, frame({ frame: 3 }));
    expect(frames).toEqual([1, 2]);
  });

  it("reports a refused subscription", async () => {
    record(() => rejectWith({ ...appError, code: "not_found", message: "no such instrument" }));
    const opened = await openMarketStream(BTC, () => undefined);
    expect(opened).toMatchObject({ status: "error", error: { code: "not_found" } });
  });

  it("sends account forms and the selection under their commands", async () => {
    const form: AccountForm = {
      venue: "ln_markets",
      label: "Main",
      network: "testnet",
      rest_url: null,
      ws_url: null,
      fields: [{ name: "key", value: "pk" }],
    };
    const calls = record((cmd) => (cmd.endsWith("_account") ? accountEntry("a1") : null));
    expect(await addAccount(form)).toEqual({ status: "ok", data: accountEntry("a1") });
    await updateAccount("a1", form);
    await rememberSelection({ account: "a1", instrument: "BTC-PERP", timeframe: "5m" });
    expect(calls).toEqual([
      { cmd: "add_account", args: { form } },
      { cmd: "update_account", args: { id: "a1", form } },
      {
        cmd: "remember_selection",
        args: { selection: { account: "a1", instrument: "BTC-PERP", timeframe: "5m" } },
      },
    ]);
  });

  it("hands every pushed settings view over until the watch is closed", async () => {
    const got: { channel?: Channel<SettingsView> } = {};
    record((cmd, args) => {
      if (cmd === "watch_settings") got.channel = args["onChange"] as Channel<SettingsView>;
      return null;
    });
    const views: number[] = [];
    const watch = await watchSettings((v) => views.push(v.accounts.length));
    const ch = got.channel;
    if (watch.status !== "ok" || ch === undefined) throw new Error("not watching");
    send(ch, 0, settingsView());
    send(ch, 1, settingsView({ accounts: [accountEntry("a1")] }));
    watch.data.close();
    send(ch, 2, settingsView());
    expect(views).toEqual([0, 1]);
  });
});

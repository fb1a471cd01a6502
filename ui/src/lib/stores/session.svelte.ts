// What the user is looking at — account, instrument, timeframe — and the streams that keep
// the other stores current for that choice. The choice is remembered in Rust, so the next
// start opens where the user left off.

import type {
  AccountEvent,
  AccountId,
  AccountInfo,
  Instrument,
  Selection,
  Timeframe,
} from "../bindings/bindings";
import { SILENT, type AlertSink } from "../alerts";
import { formatterFor, settleAmount } from "../format";
import { instrumentKey, sameInstrument, sizeUnitLabel } from "../instrument";
import { accountSnapshot, listAccounts, openAccountStream } from "../ipc/account";
import { listInstruments, openMarketStream } from "../ipc/market";
import { describeError } from "../ipc/result";
import { rememberSelection } from "../ipc/settings";
import type { Stream } from "../ipc/stream";
import type { AccountStore } from "./account.svelte";
import { FrameBatcher } from "./frames";
import { TAPE_LENGTH, type MarketStore } from "./market.svelte";
import type { OrdersStore } from "./orders.svelte";
import type { TicketStore } from "./ticket.svelte";
import type { Toasts } from "./toasts.svelte";

/** Accounts in the order the switcher lists them: simulated (Demo) first, then by label. */
export function sortAccounts(accounts: readonly AccountInfo[]): AccountInfo[] {
  return accounts.slice().sort((a, b) => {
    const sa = a.capabilities.simulated ? 0 : 1;
    const sb = b.capabilities.simulated ? 0 : 1;
    return sa - sb || a.label.localeCompare(b.label);
  });
}

/** The instrument to show after switching accounts: the same symbol if the venue lists it,
 * else BTC, else the first. */
export function pickInstrument(
  instruments: readonly Instrument[],
  previous: string | null,
): Instrument | undefined {
  return (
    instruments.find((i) => i.id.symbol === previous) ??
    instruments.find((i) => i.base === "BTC") ??
    instruments[0]
  );
}

export interface SessionStores {
  market: MarketStore;
  account: AccountStore;
  orders: OrdersStore;
  ticket: TicketStore;
  toasts: Toasts;
  /** Hears of fills and rejections, besides the toast. */
  alerts?: AlertSink;
}

export class Session {
  accounts = $state.raw<AccountInfo[]>([]);
  accountId = $state<AccountId | null>(null);
  instruments = $state.raw<Instrument[]>([]);
  instrumentKey = $state<string | null>(null);
  timeframe = $state<Timeframe>("1m");
  /** Why the screen cannot show live data, if it cannot. */
  problem = $state<string | null>(null);

  readonly account: AccountInfo | undefined = $derived(
    this.accounts.find((a) => a.id === this.accountId),
  );
  readonly instrument: Instrument | undefined = $derived(
    this.instruments.find((i) => instrumentKey(i.id) === this.instrumentKey),
  );

  readonly #s: SessionStores;
  readonly #batcher: FrameBatcher;
  #accountStream: Stream | null = null;
  #marketStream: Stream | null = null;
  #accountGeneration = 0;
  #marketGeneration = 0;
  #listGeneration = 0;
  /** Settles when `start` has; a refresh waits for it rather than race the first listing. */
  #started: Promise<void> | null = null;
  /**
   * A remembered selection whose account was not listed at start: venue accounts are listed
   * once connected, which takes a moment. Opened when it is listed, unless the user has
   * picked something else by then.
   */
  #pending: { account: AccountId; instrument: string | null } | null = null;

  constructor(stores: SessionStores) {
    this.#s = stores;
    this.#batcher = new FrameBatcher((frame) => {
      stores.market.applyFrame(frame);
    }, TAPE_LENGTH);
  }

  /**
   * Lists accounts and opens the remembered selection when its account is listed, else the
   * first account (the Demo account) until the remembered one connects.
   */
  start(restore: Selection | null = null): Promise<void> {
    this.#started = this.#start(restore);
    return this.#started;
  }

  async #start(restore: Selection | null): Promise<void> {
    if (restore?.timeframe) this.timeframe = restore.timeframe;
    const result = await listAccounts();
    if (result.status === "error") {
      this.problem = `Could not list accounts: ${describeError(result.error)}`;
      return;
    }
    this.accounts = sortAccounts(result.data);
    const remembered = this.accounts.find((a) => a.id === restore?.account);
    const first = remembered ?? this.accounts[0];
    if (first === undefined) {
      this.problem = "No accounts are configured.";
      return;
    }
    if (remembered === undefined && restore?.account) {
      this.#pending = { account: restore.account, instrument: restore.instrument ?? null };
    }
    await this.#openAccount(first.id, restore?.instrument ?? null);
  }

  /**
   * Lists accounts again after Settings changed them. The account on screen stays if it is
   * still listed; otherwise the Demo account takes its place (and the remembered selection
   * is left alone, so the next start returns to the account if it is back by then). A
   * remembered account that has just connected is opened.
   */
  async refreshAccounts(): Promise<void> {
    // Before the first listing there is nothing to refresh: `start` lists them anyway.
    if (this.#started === null) return;
    await this.#started;
    const generation = ++this.#listGeneration;
    const result = await listAccounts();
    if (generation !== this.#listGeneration) return;
    if (result.status === "error") {
      this.#s.toasts.push("error", "Could not list accounts", describeError(result.error));
      return;
    }
    const shown = this.account;
    this.accounts = sortAccounts(result.data);
    const pending = this.#pending;
    if (pending !== null && this.accounts.some((a) => a.id === pending.account)) {
      this.#pending = null;
      await this.#openAccount(pending.account, pending.instrument);
      return;
    }
    if (this.accounts.some((a) => a.id === this.accountId)) return;
    const fallback = this.accounts[0];
    if (fallback === undefined) {
      this.problem = "No accounts are configured.";
      return;
    }
    if (shown !== undefined) {
      this.#s.toasts.push("info", `${shown.label} is not available`, `Showing ${fallback.label}`);
    }
    await this.#openAccount(fallback.id);
  }

  /** The user picks another account: its streams, snapshot and instruments. */
  async selectAccount(id: AccountId): Promise<void> {
    this.#pending = null;
    if (await this.#openAccount(id)) this.#remember();
  }

  /** The user picks another market. */
  async selectInstrument(key: string): Promise<void> {
    this.#pending = null;
    if (await this.#openInstrument(key)) this.#remember();
  }

  /** The user picks another candle interval. */
  selectTimeframe(timeframe: Timeframe): void {
    this.#pending = null;
    this.timeframe = timeframe;
    this.#remember();
  }

  /**
   * Switches to another account, keeping `symbol` on screen if its venue lists it. False
   * when a later switch overtook this one.
   */
  async #openAccount(
    id: AccountId,
    symbol: string | null = this.instrument?.id.symbol ?? null,
  ): Promise<boolean> {
    const generation = ++this.#accountGeneration;
    const { account, orders, toasts } = this.#s;
    this.accountId = id;
    this.problem = null;
    const previous = this.#accountStream;
    this.#accountStream = null;
    await previous?.close();
    account.clear();
    orders.clear();

    // Subscribe first and hold events until the snapshot is in, so none falls in between.
    let buffer: AccountEvent[] | null = [];
    const stream = await openAccountStream(id, (event) => {
      if (buffer !== null) buffer.push(event);
      else this.#onAccountEvent(event);
    });
    if (generation !== this.#accountGeneration) {
      if (stream.status === "ok") await stream.data.close();
      return false;
    }
    if (stream.status === "error") {
      toasts.push("error", "Account stream unavailable", describeError(stream.error));
    } else {
      this.#accountStream = stream.data;
    }

    const [snapshot, instruments] = await Promise.all([accountSnapshot(id), listInstruments(id)]);
    if (generation !== this.#accountGeneration) return false;
    if (snapshot.status === "ok") {
      account.loadSnapshot(snapshot.data);
      orders.load(snapshot.data.open_orders);
    } else {
      toasts.push("error", "Could not load the account", describeError(snapshot.error));
    }
    const held = buffer;
    buffer = null;
    for (const event of held) this.#onAccountEvent(event, false);

    if (instruments.status === "error") {
      this.problem = `Could not list instruments: ${describeError(instruments.error)}`;
      this.instruments = [];
      return true;
    }
    this.instruments = instruments.data;
    const next = pickInstrument(instruments.data, symbol);
    if (next === undefined) {
      this.problem = "This venue lists no instruments.";
      return true;
    }
    await this.#openInstrument(instrumentKey(next.id));
    return generation === this.#accountGeneration;
  }

  /** Switches the market on screen. False when the key is unknown or a later switch won. */
  async #openInstrument(key: string): Promise<boolean> {
    const instrument = this.instruments.find((i) => instrumentKey(i.id) === key);
    if (instrument === undefined) return false;
    const generation = ++this.#marketGeneration;
    const { market, ticket, toasts } = this.#s;
    this.instrumentKey = key;
    const previous = this.#marketStream;
    this.#marketStream = null;
    this.#batcher.discard();
    market.reset(instrument.id);
    ticket.resetFor(instrument);
    await previous?.close();
    const stream = await openMarketStream(instrument.id, (frame) => {
      this.#batcher.push(frame);
    });
    if (generation !== this.#marketGeneration) {
      if (stream.status === "ok") await stream.data.close();
      return false;
    }
    if (stream.status === "error") {
      market.status = "closed";
      toasts.push("error", "Market data unavailable", describeError(stream.error));
      return true;
    }
    this.#marketStream = stream.data;
    return true;
  }

  /** Tells Rust what is on screen now; losing this is not worth bothering the user. */
  #remember(): void {
    const selection: Selection = {
      account: this.accountId,
      instrument: this.instrument?.id.symbol ?? null,
      timeframe: this.timeframe,
    };
    void rememberSelection(selection).then((result) => {
      if (result.status === "error") {
        console.warn(`remember_selection failed: ${result.error.message}`);
      }
    });
  }

  /** Closes both streams (window unload). */
  async stop(): Promise<void> {
    this.#batcher.discard();
    const streams = [this.#accountStream, this.#marketStream];
    this.#accountStream = null;
    this.#marketStream = null;
    await Promise.all(streams.filter((s) => s !== null).map((s) => s.close()));
  }

  /** Applies one account event and tells the user what matters. `live` is false for events
   * replayed after the snapshot, which the user has not missed. */
  #onAccountEvent(event: AccountEvent, live = true): void {
    const { account, orders, toasts, alerts = SILENT } = this.#s;
    if (event.type === "order") {
      const change = orders.apply(event.order);
      if (!live) return;
      // A pending order's rejection is reported by the placement call that is waiting for
      // it; later rejections (a working order refused, an unknown one never received) are not.
      if (
        change.kind === "finished" &&
        change.order.status === "rejected" &&
        change.from !== "pending"
      ) {
        toasts.push("error", "Order rejected", change.order.reason);
        alerts.alert("rejection", "Order rejected", change.order.reason ?? null);
      } else if (change.kind === "updated" && change.from === "unknown") {
        toasts.push(
          "info",
          "Order reconciled",
          `${change.order.client_order_id} is ${change.order.status.replace("_", " ")}`,
        );
      }
      return;
    }
    const change = account.apply(event);
    if (!live || change.kind !== "fill") return;
    const fill = change.fill;
    const instrument = this.instruments.find((i) => sameInstrument(i.id, fill.instrument));
    const fmt = formatterFor(instrument);
    const unit = instrument ? sizeUnitLabel(instrument) : "";
    const title = `${fill.side === "buy" ? "Bought" : "Sold"} ${fmt.size(fill.size)} ${unit} ${fill.instrument.symbol}`;
    // The fee in the settle currency, in sats for BTC (as the positions and ticket show it).
    const fee = settleAmount(fill.fee, instrument?.settle ?? fmt.settle);
    const detail = `@ ${fmt.price(fill.price)} · fee ${fee.amount} ${fee.unit}`;
    toasts.push("success", title, detail);
    alerts.alert("fill", title, detail);
  }
}

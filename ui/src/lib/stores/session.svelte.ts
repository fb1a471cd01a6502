// What the user is looking at — account, instrument, timeframe — and the streams that keep
// the other stores current for that choice.

import type {
  AccountEvent,
  AccountId,
  AccountInfo,
  Instrument,
  Timeframe,
} from "../bindings/bindings";
import { formatterFor } from "../format";
import { instrumentKey, sameInstrument, sizeUnitLabel } from "../instrument";
import { accountSnapshot, listAccounts, openAccountStream } from "../ipc/account";
import { listInstruments, openMarketStream } from "../ipc/market";
import { describeError } from "../ipc/result";
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

  constructor(stores: SessionStores) {
    this.#s = stores;
    this.#batcher = new FrameBatcher((frame) => {
      stores.market.applyFrame(frame);
    }, TAPE_LENGTH);
  }

  /** Lists accounts and opens the first (the Demo account). */
  async start(): Promise<void> {
    const result = await listAccounts();
    if (result.status === "error") {
      this.problem = `Could not list accounts: ${describeError(result.error)}`;
      return;
    }
    this.accounts = sortAccounts(result.data);
    const first = this.accounts[0];
    if (first === undefined) {
      this.problem = "No accounts are configured.";
      return;
    }
    await this.selectAccount(first.id);
  }

  /** Switches to another account: its streams, snapshot and instruments. */
  async selectAccount(id: AccountId): Promise<void> {
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
      return;
    }
    if (stream.status === "error") {
      toasts.push("error", "Account stream unavailable", describeError(stream.error));
    } else {
      this.#accountStream = stream.data;
    }

    const [snapshot, instruments] = await Promise.all([accountSnapshot(id), listInstruments(id)]);
    if (generation !== this.#accountGeneration) return;
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
      return;
    }
    const previousSymbol = this.instrument?.id.symbol ?? null;
    this.instruments = instruments.data;
    const next = pickInstrument(instruments.data, previousSymbol);
    if (next === undefined) {
      this.problem = "This venue lists no instruments.";
      return;
    }
    await this.selectInstrument(instrumentKey(next.id));
  }

  /** Switches the market on screen. */
  async selectInstrument(key: string): Promise<void> {
    const instrument = this.instruments.find((i) => instrumentKey(i.id) === key);
    if (instrument === undefined) return;
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
      return;
    }
    if (stream.status === "error") {
      market.status = "closed";
      toasts.push("error", "Market data unavailable", describeError(stream.error));
      return;
    }
    this.#marketStream = stream.data;
  }

  selectTimeframe(timeframe: Timeframe): void {
    this.timeframe = timeframe;
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
    const { account, orders, toasts } = this.#s;
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
    toasts.push(
      "success",
      `${fill.side === "buy" ? "Bought" : "Sold"} ${fmt.size(fill.size)} ${unit} ${fill.instrument.symbol}`,
      `@ ${fmt.price(fill.price)} · fee ${fmt.money(fill.fee)}`,
    );
  }
}

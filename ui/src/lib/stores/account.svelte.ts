// One account's balances, positions and fills, kept current by its event stream. Every
// event is applied as it comes (account events are never coalesced).

import type {
  AccountEvent,
  AccountSnapshot,
  Balance,
  Fill,
  InstrumentId,
  Position,
  StreamStatus,
} from "../bindings/bindings";
import { parseDec, signOf } from "../decimal";
import { instrumentKey, sameInstrument } from "../instrument";

/** Fills kept for the Fills tab. */
export const FILLS_KEPT = 500;

/** What applying an event changed, for toasts. */
export type AccountChange =
  | { kind: "fill"; fill: Fill }
  | { kind: "position"; position: Position }
  | { kind: "position_closed"; instrument: InstrumentId }
  | { kind: "balance"; balance: Balance }
  | { kind: "status"; status: StreamStatus }
  | { kind: "ignored" };

function isFlat(position: Position): boolean {
  const size = parseDec(position.size);
  return size === null || signOf(size) === 0;
}

export class AccountStore {
  balances = $state.raw<Balance[]>([]);
  positions = $state.raw<Position[]>([]);
  /** Newest first. */
  fills = $state.raw<Fill[]>([]);
  streamStatus = $state<StreamStatus>("connecting");

  #fillIds = new Set<string>();

  /** Replaces everything with a snapshot (whose fills are oldest first). */
  loadSnapshot(snapshot: AccountSnapshot): void {
    this.balances = snapshot.balances;
    this.positions = snapshot.positions.filter((p) => !isFlat(p));
    this.#fillIds = new Set();
    const fills: Fill[] = [];
    for (let i = snapshot.fills.length - 1; i >= 0 && fills.length < FILLS_KEPT; i--) {
      const f = snapshot.fills[i] as Fill;
      if (this.#fillIds.has(f.trade_id)) continue;
      this.#fillIds.add(f.trade_id);
      fills.push(f);
    }
    this.fills = fills;
  }

  clear(): void {
    this.balances = [];
    this.positions = [];
    this.fills = [];
    this.#fillIds = new Set();
    this.streamStatus = "connecting";
  }

  /** The balance in `currency`, if the account holds one. */
  balance(currency: string): Balance | undefined {
    return this.balances.find((b) => b.currency === currency);
  }

  /** The open position in `instrument`, if any. */
  position(instrument: InstrumentId): Position | undefined {
    return this.positions.find((p) => sameInstrument(p.instrument, instrument));
  }

  /** Applies one event; order events belong to the orders store and are ignored here. */
  apply(event: AccountEvent): AccountChange {
    switch (event.type) {
      case "fill":
        return this.#fill(event.fill);
      case "position":
        return this.#position(event.position);
      case "position_closed":
        return this.#closed(event.instrument);
      case "balance":
        return this.#balance(event.balance);
      case "status":
        this.streamStatus = event.status;
        return { kind: "status", status: event.status };
      case "order":
        return { kind: "ignored" };
    }
  }

  #fill(fill: Fill): AccountChange {
    if (this.#fillIds.has(fill.trade_id)) return { kind: "ignored" };
    this.#fillIds.add(fill.trade_id);
    const fills = [fill, ...this.fills];
    if (fills.length > FILLS_KEPT) {
      for (const dropped of fills.splice(FILLS_KEPT)) this.#fillIds.delete(dropped.trade_id);
    }
    this.fills = fills;
    return { kind: "fill", fill };
  }

  #position(position: Position): AccountChange {
    const key = instrumentKey(position.instrument);
    const at = this.positions.findIndex((p) => instrumentKey(p.instrument) === key);
    const existing = at >= 0 ? this.positions[at] : undefined;
    if (existing !== undefined && existing.updated_at > position.updated_at) {
      return { kind: "ignored" }; // an older update arriving late
    }
    if (isFlat(position)) return this.#closed(position.instrument);
    const positions = this.positions.slice();
    if (at >= 0) positions[at] = position;
    else positions.push(position);
    this.positions = positions;
    return { kind: "position", position };
  }

  #closed(instrument: InstrumentId): AccountChange {
    const positions = this.positions.filter((p) => !sameInstrument(p.instrument, instrument));
    if (positions.length === this.positions.length) return { kind: "ignored" };
    this.positions = positions;
    return { kind: "position_closed", instrument };
  }

  #balance(balance: Balance): AccountChange {
    const at = this.balances.findIndex((b) => b.currency === balance.currency);
    const balances = this.balances.slice();
    if (at >= 0) balances[at] = balance;
    else balances.push(balance);
    this.balances = balances;
    return { kind: "balance", balance };
  }
}

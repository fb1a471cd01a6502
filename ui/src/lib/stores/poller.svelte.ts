// One thing read from the venue for the account on screen, kept fresh while it is shown: read
// on `show`, on Refresh and on a timer until `hide`. A read already under way is joined, never
// sent twice; a failed read keeps the last good value, with its time, and says what went wrong;
// after a rate limit, timed reads wait it out (Refresh still asks).

import type { AccountId, AppError } from "../bindings/bindings";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";

export type ReadFor<T> = (account: AccountId) => Promise<Result<T, AppError>>;

export class Poller<T> {
  /** The last value read, or null before the first good read. */
  value = $state.raw<T | null>(null);
  /** When `value` was read (ms). */
  loadedAt = $state<number | null>(null);
  loading = $state(false);
  /** Why the last read failed; cleared by the next good one. */
  error = $state<string | null>(null);

  readonly #read: ReadFor<T>;
  readonly #now: () => number;
  readonly #onRead: (value: T) => void;
  #account: AccountId | null = null;
  /** Bumped on every account change: an answer for the previous account is dropped. */
  #generation = 0;
  #shown = false;
  #timer: ReturnType<typeof setInterval> | null = null;
  #period = 0;
  #inflight: Promise<void> | null = null;
  /** After a rate limit, timed reads wait until then (ms). */
  #notBefore = 0;
  /** Bumped by `put`: a read sent before a value was put answers with something older. */
  #puts = 0;

  /** `onRead` hears every good read, after `value` holds it. */
  constructor(read: ReadFor<T>, now: () => number, onRead: (value: T) => void = () => {}) {
    this.#read = read;
    this.#now = now;
    this.#onRead = onRead;
  }

  /** The account read for, or null before the first `show`. */
  get account(): AccountId | null {
    return this.#account;
  }

  /** Changes with the account: work begun under another generation was for another account. */
  get generation(): number {
    return this.#generation;
  }

  /** On screen for `account`: reads now, then every `periodMs` until `hide`. */
  show(account: AccountId, periodMs: number): Promise<void> {
    if (account !== this.#account) {
      // Another account's value must never show under this one, not even briefly.
      this.#account = account;
      this.#generation++;
      this.#inflight = null;
      this.#notBefore = 0;
      this.value = null;
      this.loadedAt = null;
      this.error = null;
      this.loading = false;
    }
    this.#shown = true;
    this.#stopTimer();
    this.setPeriod(periodMs);
    return this.refresh();
  }

  /** Off screen: no more timed reads. What was read stays for the next `show`. */
  hide(): void {
    this.#shown = false;
    this.#stopTimer();
  }

  /** Reads every `periodMs` from now on while shown; a timer already at that pace is left be. */
  setPeriod(periodMs: number): void {
    if (!this.#shown) return;
    if (this.#timer !== null && periodMs === this.#period) return;
    this.#stopTimer();
    this.#period = periodMs;
    this.#timer = setInterval(() => {
      if (this.#now() >= this.#notBefore) void this.refresh();
    }, periodMs);
  }

  /** Takes what the venue answered to an action (the state after it) as the latest read, and
   * tells `onRead`. A read already under way was sent before the action: its answer is dropped. */
  put(value: T): void {
    if (this.#account === null) return;
    this.#puts++;
    this.value = value;
    this.loadedAt = this.#now();
    this.error = null;
    this.#onRead(value);
  }

  /** Reads again; joins a read already under way rather than sending another. */
  refresh(): Promise<void> {
    const account = this.#account;
    if (account === null) return Promise.resolve();
    if (this.#inflight !== null) return this.#inflight;
    const read = this.#readFor(account, this.#generation).finally(() => {
      if (this.#inflight === read) this.#inflight = null;
    });
    this.#inflight = read;
    return read;
  }

  async #readFor(account: AccountId, generation: number): Promise<void> {
    this.loading = true;
    const puts = this.#puts;
    const result = await this.#read(account);
    if (generation !== this.#generation) return;
    this.loading = false;
    if (puts !== this.#puts) return;
    if (result.status === "ok") {
      this.value = result.data;
      this.loadedAt = this.#now();
      this.error = null;
      this.#onRead(result.data);
      return;
    }
    const error = result.error;
    if (error.code === "rate_limited" && error.retry_after_ms) {
      this.#notBefore = this.#now() + error.retry_after_ms;
    }
    this.error = describeError(error);
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

// What the LN Markets tab shows for the account on screen: funding settlements, the account's
// funding fees, the leaderboard and what the venue no longer offers. Read when the tab opens,
// on Refresh, and every minute while the tab is shown. A failed read keeps the last good
// overview on screen, with its time, and says what went wrong.

import type { AccountId, AppError, LnmOverview } from "../bindings/bindings";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";

export type FetchOverview = (account: AccountId) => Promise<Result<LnmOverview, AppError>>;

/** How often the overview is read while the tab is shown. Funding settles every 8 hours and
 * the leaderboard moves slowly; once a minute keeps it fresh without spending rate limit. */
export const REFRESH_EVERY_MS = 60_000;

export class LnMarketsStore {
  /** The last overview read, or null before the first good read. */
  overview = $state.raw<LnmOverview | null>(null);
  /** When `overview` was read (ms). */
  loadedAt = $state<number | null>(null);
  loading = $state(false);
  /** Why the last read failed; cleared by the next good one. */
  error = $state<string | null>(null);

  readonly #fetch: FetchOverview;
  readonly #now: () => number;
  #account: AccountId | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #inflight: Promise<void> | null = null;
  /** Bumped on every account change: a read for the previous account is dropped. */
  #generation = 0;
  /** After a rate limit, timed reads wait until then (ms); Refresh still asks. */
  #notBefore = 0;

  constructor(fetch: FetchOverview, now: () => number = Date.now) {
    this.#fetch = fetch;
    this.#now = now;
  }

  /** The tab is on screen for `account`: reads now, then every minute until `hide`. */
  show(account: AccountId): Promise<void> {
    if (account !== this.#account) {
      // Another account's funding and fees must never show under this one, not even briefly.
      this.#account = account;
      this.#generation++;
      this.#inflight = null;
      this.#notBefore = 0;
      this.overview = null;
      this.loadedAt = null;
      this.error = null;
      this.loading = false;
    }
    this.#stopTimer();
    this.#timer = setInterval(() => {
      if (this.#now() >= this.#notBefore) void this.refresh();
    }, REFRESH_EVERY_MS);
    return this.refresh();
  }

  /** The tab is off screen: no more timed reads. What was read stays for the next `show`. */
  hide(): void {
    this.#stopTimer();
  }

  /** Reads the overview again; joins a read already under way rather than sending another. */
  refresh(): Promise<void> {
    const account = this.#account;
    if (account === null) return Promise.resolve();
    if (this.#inflight !== null) return this.#inflight;
    const read = this.#read(account, this.#generation).finally(() => {
      if (this.#inflight === read) this.#inflight = null;
    });
    this.#inflight = read;
    return read;
  }

  async #read(account: AccountId, generation: number): Promise<void> {
    this.loading = true;
    const result = await this.#fetch(account);
    if (generation !== this.#generation) return;
    this.loading = false;
    if (result.status === "ok") {
      this.overview = result.data;
      this.loadedAt = this.#now();
      this.error = null;
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

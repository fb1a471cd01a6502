// What the LN Markets tab shows for the account on screen: funding settlements, the account's
// funding fees, the leaderboard and what the venue no longer offers. Read when the tab opens,
// on Refresh, and every minute while the tab is shown. A failed read keeps the last good
// overview on screen, with its time, and says what went wrong.

import type { AccountId, LnmOverview } from "../bindings/bindings";
import { Poller, type ReadFor } from "./poller.svelte";

export type FetchOverview = ReadFor<LnmOverview>;

/** How often the overview is read while the tab is shown. Funding settles every 8 hours and
 * the leaderboard moves slowly; once a minute keeps it fresh without spending rate limit. */
export const REFRESH_EVERY_MS = 60_000;

export class LnMarketsStore {
  readonly #poller: Poller<LnmOverview>;

  constructor(fetch: FetchOverview, now: () => number = Date.now) {
    this.#poller = new Poller(fetch, now);
  }

  /** The last overview read, or null before the first good read. */
  get overview(): LnmOverview | null {
    return this.#poller.value;
  }
  /** When `overview` was read (ms). */
  get loadedAt(): number | null {
    return this.#poller.loadedAt;
  }
  get loading(): boolean {
    return this.#poller.loading;
  }
  /** Why the last read failed; cleared by the next good one. */
  get error(): string | null {
    return this.#poller.error;
  }

  /** The tab is on screen for `account`: reads now, then every minute until `hide`. */
  show(account: AccountId): Promise<void> {
    return this.#poller.show(account, REFRESH_EVERY_MS);
  }

  /** The tab is off screen: no more timed reads. What was read stays for the next `show`. */
  hide(): void {
    this.#poller.hide();
  }

  /** Reads the overview again; joins a read already under way rather than sending another. */
  refresh(): Promise<void> {
    return this.#poller.refresh();
  }
}

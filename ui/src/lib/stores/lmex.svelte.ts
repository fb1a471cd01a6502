// What the LMEX tab shows for the account and instrument on screen: the contract's terms, its
// funding, the account's leverage and margin mode, and the dead-man switch. Read when the tab
// opens, on Refresh, and every 10 s while the tab is shown. A failed read keeps the last good
// overview on screen, with its time, and says what went wrong.

import type { AccountId, AppError, LmexOverview } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { Poller } from "./poller.svelte";

export type FetchLmexOverview = (
  account: AccountId,
  symbol: string,
) => Promise<Result<LmexOverview, AppError>>;

/** How often the overview is read while the tab is shown: often enough that the dead-man
 * switch's last re-arm, or its failure, is news within seconds. */
export const REFRESH_EVERY_MS = 10_000;

export class LmexStore {
  readonly #fetch: FetchLmexOverview;
  readonly #now: () => number;
  /** Reads for one symbol; another symbol gets a fresh one, so that neither its overview nor a
   * late answer for the previous symbol ever shows under it. Null before the first `show`. */
  #poller = $state.raw<Poller<LmexOverview> | null>(null);
  #symbol: string | null = null;

  constructor(fetch: FetchLmexOverview, now: () => number = Date.now) {
    this.#fetch = fetch;
    this.#now = now;
  }

  /** The last overview read, or null before the first good read. */
  get overview(): LmexOverview | null {
    return this.#poller?.value ?? null;
  }
  /** When `overview` was read (ms). */
  get loadedAt(): number | null {
    return this.#poller?.loadedAt ?? null;
  }
  get loading(): boolean {
    return this.#poller?.loading ?? false;
  }
  /** Why the last read failed; cleared by the next good one. */
  get error(): string | null {
    return this.#poller?.error ?? null;
  }

  /** The tab is on screen for `account` and `symbol`: reads now, then every 10 s until `hide`. */
  show(account: AccountId, symbol: string): Promise<void> {
    let poller = this.#poller;
    if (poller === null || symbol !== this.#symbol) {
      poller?.hide();
      const fetch = this.#fetch;
      poller = new Poller<LmexOverview>((id) => fetch(id, symbol), this.#now);
      this.#poller = poller;
      this.#symbol = symbol;
    }
    return poller.show(account, REFRESH_EVERY_MS);
  }

  /** The tab is off screen: no more timed reads. What was read stays for the next `show`. */
  hide(): void {
    this.#poller?.hide();
  }

  /** Reads the overview again; joins a read already under way rather than sending another. */
  refresh(): Promise<void> {
    return this.#poller?.refresh() ?? Promise.resolve();
  }
}

// Connection health for the status footer: every connected account's feed lag, last order
// round trip and clock offset, and the click-to-send latency, read once a second. A read
// already under way is joined, never doubled; a failed read keeps the last rows and says why.

import type { AppError, LatencyStats, VenueHealth } from "../bindings/bindings";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";

export interface HealthApi {
  venueHealth(): Promise<Result<VenueHealth[], AppError>>;
  orderLatency(): Promise<Result<LatencyStats, AppError>>;
}

/** How fresh a feed is: "ok", "slow" (amber, lag over 2 s) or "stale" (red, over 10 s). */
export type LagLevel = "ok" | "slow" | "stale";

export const SLOW_LAG_MS = 2_000;
export const STALE_LAG_MS = 10_000;

/** The level of a feed lag; no event yet (null) is not a lag. */
export function lagLevel(lagMs: number | null | undefined): LagLevel {
  if (lagMs === null || lagMs === undefined) return "ok";
  if (lagMs > STALE_LAG_MS) return "stale";
  if (lagMs > SLOW_LAG_MS) return "slow";
  return "ok";
}

export class HealthStore {
  /** One row per connected account, as last read. */
  rows = $state.raw<VenueHealth[]>([]);
  latency = $state.raw<LatencyStats | null>(null);
  /** Why the last read failed; cleared by the next good one. */
  error = $state<string | null>(null);

  readonly #api: HealthApi;
  #timer: ReturnType<typeof setInterval> | null = null;
  #inflight: Promise<void> | null = null;

  constructor(api: HealthApi) {
    this.#api = api;
  }

  /** Reads now, then every `periodMs` until `stop`. */
  start(periodMs = 1_000): Promise<void> {
    this.stop();
    this.#timer = setInterval(() => {
      void this.refresh();
    }, periodMs);
    return this.refresh();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** Reads again; joins a read already under way. */
  refresh(): Promise<void> {
    if (this.#inflight !== null) return this.#inflight;
    const read = this.#read().finally(() => {
      this.#inflight = null;
    });
    this.#inflight = read;
    return read;
  }

  async #read(): Promise<void> {
    const [health, latency] = await Promise.all([
      this.#api.venueHealth(),
      this.#api.orderLatency(),
    ]);
    if (health.status === "ok") {
      this.rows = health.data;
      this.error = null;
    } else {
      this.error = describeError(health.error);
    }
    if (latency.status === "ok") this.latency = latency.data;
  }
}

// Connection health over IPC: per-account feed lag, order round trip and clock offset, and
// the click-to-send latency of the orders sent so far. Reads only; nothing is sent to a venue.

import { commands, type AppError, type LatencyStats, type VenueHealth } from "../bindings/bindings";
import { settlePlain } from "./result";
import type { Result } from "./result";

/** One row per connected account. */
export function venueHealth(): Promise<Result<VenueHealth[], AppError>> {
  return settlePlain(() => commands.venueHealth());
}

/** Click-to-send latency percentiles over the orders sent so far. */
export function orderLatency(): Promise<Result<LatencyStats, AppError>> {
  return settlePlain(() => commands.orderLatency());
}

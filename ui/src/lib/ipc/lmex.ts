// LMEX's venue-only features over IPC: the LMEX tab's overview. Sends once; nothing here
// retries (the tab's own timer reads again).

import { commands, type AccountId, type AppError, type LmexOverview } from "../bindings/bindings";
import { settle } from "./result";
import type { Result } from "./result";

/** The contract's terms, its funding now and lately, the account's leverage and margin mode on
 * `symbol` (the venue's own symbol, "BTC-PERP"), and where the dead-man switch stands. */
export function lmexOverview(
  account: AccountId,
  symbol: string,
): Promise<Result<LmexOverview, AppError>> {
  return settle(() => commands.lmexOverview(account, symbol));
}

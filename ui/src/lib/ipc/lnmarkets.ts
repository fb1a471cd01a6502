// LN Markets' venue-only features over IPC: the LN Markets tab's overview and cash-in. Each
// call sends at most once; nothing here retries (cashing in twice would move twice the money).

import {
  commands,
  type AccountId,
  type AppError,
  type InstrumentId,
  type LnmOverview,
  type PositionSide,
} from "../bindings/bindings";
import { settle } from "./result";
import type { Result } from "./result";

/** Funding settlements, the account's funding fees, the leaderboard and what the venue no
 * longer offers. */
export function lnmOverview(account: AccountId): Promise<Result<LnmOverview, AppError>> {
  return settle(() => commands.lnmOverview(account));
}

/** Takes `amount` (a BTC decimal of whole sats) out of the `side` position: profit first,
 * then margin. Ok means the venue accepted; the position follows as an account event. */
export function lnmCashIn(
  account: AccountId,
  instrument: InstrumentId,
  side: PositionSide,
  amount: string,
): Promise<Result<null, AppError>> {
  return settle(() => commands.lnmCashIn(account, instrument, side, amount));
}

// The LN Markets cross-margin account for store and component tests, and a fake of its
// commands: reads answer at once; transfers and leverage changes wait for the test to answer.

import { vi } from "vitest";
import type { AppError, LnmCross_Serialize } from "../lib/bindings/bindings";
import type { Result } from "../lib/ipc/result";
import type { CrossApi } from "../lib/stores/lncross.svelte";

/** A short of 1,000 contracts at 10× on a 200,000-sat cross wallet, with 1,000,000 sats in the
 * account to deposit from. */
export function lnmCross(over: Partial<LnmCross_Serialize> = {}): LnmCross_Serialize {
  return {
    leverage: 10,
    margin_sats: 200_000,
    quantity: -1_000,
    entry_price: "90000",
    liquidation: "105000.5",
    initial_margin_sats: 11_111,
    maintenance_margin_sats: 5_556,
    running_margin_sats: 201_500,
    unrealized_pl_sats: 1_500,
    realized_pl_sats: -2_300,
    trading_fees_sats: 450,
    funding_fees_sats: 12,
    available_sats: 1_000_000,
    transfers: [{ id: "t-1", amount_sats: 200_000, time: 1_700_000_000_000 }],
    funding_fees: [
      {
        time: 1_700_000_000_000,
        trade_id: "c3d2e1f0-0000-4000-8000-00000000c055",
        fee: "0.00000012",
      },
    ],
    ...over,
  };
}

type Reply = Result<LnmCross_Serialize, AppError>;

/** The cross commands: each read answers with `views` in turn (the last keeps answering). */
export function fakeCrossApi(views: LnmCross_Serialize[] = [lnmCross()]) {
  let reads = 0;
  let pendingTransfer: ((reply: Reply) => void) | null = null;
  let pendingLeverage: ((reply: Reply) => void) | null = null;
  return {
    cross: vi.fn<CrossApi["cross"]>(() => {
      const view = views[Math.min(reads++, views.length - 1)] ?? lnmCross();
      return Promise.resolve<Reply>({ status: "ok", data: view });
    }),
    transfer: vi.fn<CrossApi["transfer"]>(
      () =>
        new Promise<Reply>((resolve) => {
          pendingTransfer = resolve;
        }),
    ),
    leverage: vi.fn<CrossApi["leverage"]>(
      () =>
        new Promise<Reply>((resolve) => {
          pendingLeverage = resolve;
        }),
    ),
    /** Answers the transfer under way. */
    answerTransfer(reply: Reply): void {
      pendingTransfer?.(reply);
    },
    /** Answers the leverage change under way. */
    answerLeverage(reply: Reply): void {
      pendingLeverage?.(reply);
    },
  };
}

export type FakeCrossApi = ReturnType<typeof fakeCrossApi>;

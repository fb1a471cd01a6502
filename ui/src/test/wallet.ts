// A fake of the LN Markets wallet commands for store and component tests.

import { vi } from "vitest";
import type {
  AppError,
  DepositInvoice,
  LnmTransferRow_Serialize,
  WalletView,
} from "../lib/bindings/bindings";
import type { Result } from "../lib/ipc/result";
import type { WalletApi } from "../lib/stores/lnwallet.svelte";
import { depositInvoice, walletView } from "./fixtures";

export function appError(over: Partial<AppError> = {}): AppError {
  return {
    code: "network",
    message: "connection reset",
    retryable: true,
    venue_code: null,
    field: null,
    retry_after_ms: null,
    ...over,
  };
}

export function fail<T>(over: Partial<AppError> = {}): Result<T, AppError> {
  return { status: "error", error: appError(over) };
}

/** An invoice that asks for 500 sats (5 µBTC). */
export const INVOICE_500 = `lnbc5u1pkestrelpp5${"w3rkq9x2".repeat(20)}sp5kes`;
/** An invoice that names no amount. */
export const NO_AMOUNT = "lnbc1pkestrelpp5qz7x3h9d";
/** Where test withdrawals go on chain. */
export const ADDRESS_OUT = "tb1qwithdrawal0destination0k3x9";

/** The wallet commands, answering as a venue would: withdrawals wait for the test to answer. */
export function fakeWalletApi() {
  let reads = 0;
  let history: LnmTransferRow_Serialize[][] = [[]];
  let pendingWithdraw: ((reply: Result<number, AppError>) => void) | null = null;
  return {
    /** What successive wallet reads list (the last keeps answering). */
    get history(): LnmTransferRow_Serialize[][] {
      return history;
    },
    set history(next: LnmTransferRow_Serialize[][]) {
      history = next;
    },
    wallet: vi.fn<WalletApi["wallet"]>(() => {
      const rows = history[Math.min(reads++, history.length - 1)] ?? [];
      return Promise.resolve<Result<WalletView, AppError>>({
        status: "ok",
        data: walletView(rows),
      });
    }),
    depositLightning: vi.fn<WalletApi["depositLightning"]>((_, sats) =>
      Promise.resolve<Result<DepositInvoice, AppError>>({
        status: "ok",
        data: depositInvoice({ amount_sats: sats }),
      }),
    ),
    invoiceAmount: vi.fn<WalletApi["invoiceAmount"]>((invoice) =>
      Promise.resolve<Result<number | null, AppError>>({
        status: "ok",
        data: invoice === INVOICE_500 ? 500 : null,
      }),
    ),
    withdraw: vi.fn<WalletApi["withdraw"]>(
      () =>
        new Promise((resolve) => {
          pendingWithdraw = resolve;
        }),
    ),
    /** Answers the withdrawal under way. */
    answerWithdraw(reply: Result<number, AppError>): void {
      pendingWithdraw?.(reply);
    },
  };
}

export type FakeWalletApi = ReturnType<typeof fakeWalletApi>;

// Accounts over IPC: the list, snapshots, and the per-account event stream.

import {
  commands,
  type AccountEvent,
  type AccountId,
  type AccountInfo,
  type AccountSnapshot,
  type AppError,
} from "../bindings/bindings";
import { settle, settlePlain } from "./result";
import { openStream, type Stream } from "./stream";
import type { Result } from "./result";

/** The configured accounts; the Demo account is always there. */
export function listAccounts(): Promise<Result<AccountInfo[], AppError>> {
  return settlePlain(() => commands.listAccounts());
}

/** Balances, positions, working orders and fills (oldest first). */
export function accountSnapshot(account: AccountId): Promise<Result<AccountSnapshot, AppError>> {
  return settle(() => commands.accountSnapshot(account));
}

/** Streams every event of `account` to `onEvent`, in order and never coalesced. */
export function openAccountStream(
  account: AccountId,
  onEvent: (event: AccountEvent) => void,
): Promise<Result<Stream, AppError>> {
  return openStream<AccountEvent>(
    onEvent,
    (channel) => commands.subscribeAccount(account, channel),
    (subscription) => commands.unsubscribeAccount(subscription),
  );
}

// The LN Markets cross-margin account of the account on screen: its wallet, position and
// leverage, sats on their way between the account balance and the cross wallet, and a new
// leverage on its way to the venue.
//
// Read while the Cross margin view is shown, every 30 s: the position itself streams live to
// the positions panel, and what changes here on the user's own action (a transfer, the
// leverage) comes back in the action's answer, which replaces the read at once.
//
// A transfer goes out in exactly one request per confirmation. A confirmation is spent when it
// is sent, whatever comes back; an unknown outcome (the venue did not answer) is reported as
// such and never sent again: only the transfers list can say whether it happened.

import type { AccountId, AppError, LnmCross, LnmCrossDirection } from "../bindings/bindings";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";
import { checkSats, formatSats } from "../wallet";
import { Poller } from "./poller.svelte";
import type { Toasts } from "./toasts.svelte";

export interface CrossApi {
  cross(account: AccountId): Promise<Result<LnmCross, AppError>>;
  transfer(
    account: AccountId,
    direction: LnmCrossDirection,
    amountSats: number,
  ): Promise<Result<LnmCross, AppError>>;
  leverage(account: AccountId, leverage: number): Promise<Result<LnmCross, AppError>>;
}

/** How often the cross account is read while shown. */
export const REFRESH_MS = 30_000;
/** The venue's cross-margin leverage range. */
export const MIN_LEVERAGE = 1;
export const MAX_LEVERAGE = 100;

/** A transfer ready to send: what goes to the venue, and what the user confirms. */
export interface TransferReview {
  direction: LnmCrossDirection;
  sats: number;
}

/** A transfer whose outcome is unknown: the venue did not answer, and it may have happened.
 * Never offer to send it again. */
export interface TransferProblem {
  message: string;
}

/** A typed leverage: the whole number, or why not (null error while the field is empty). */
export type LeverageCheck =
  { leverage: number; error: null } | { leverage: null; error: string | null };

export function checkLeverage(text: string): LeverageCheck {
  const plain = text.trim().replace(/[x×]$/i, "");
  if (plain === "") return { leverage: null, error: null };
  const range = `A whole number from ${String(MIN_LEVERAGE)} to ${String(MAX_LEVERAGE)}`;
  if (!/^\d+$/.test(plain)) return { leverage: null, error: range };
  const leverage = Number(plain);
  if (leverage < MIN_LEVERAGE || leverage > MAX_LEVERAGE) return { leverage: null, error: range };
  return { leverage, error: null };
}

/** The most `direction` can move: the account balance into the cross wallet, or the cross
 * wallet back out. */
export function transferLimit(view: LnmCross, direction: LnmCrossDirection): number {
  return Math.max(0, direction === "deposit" ? view.available_sats : view.margin_sats);
}

/** A typed amount checked for `direction` against `view`: the transfer, or why not. */
export function checkTransfer(
  text: string,
  direction: LnmCrossDirection,
  view: LnmCross | null,
): { review: TransferReview; error: null } | { review: null; error: string } {
  const amount = checkSats(text);
  if (amount.sats === null) return { review: null, error: amount.error ?? "Enter an amount" };
  if (view === null) return { review: null, error: "The cross account is not loaded yet" };
  const limit = transferLimit(view, direction);
  if (amount.sats > limit) {
    const error =
      direction === "deposit"
        ? `More than the account balance holds (${formatSats(limit)} sats available)`
        : `More than the cross wallet holds (${formatSats(limit)} sats)`;
    return { review: null, error };
  }
  return { review: { direction, sats: amount.sats }, error: null };
}

/** The transfer as the user confirms it: "Deposit 50,000 sats". */
export function transferLabel(review: TransferReview): string {
  const verb = review.direction === "deposit" ? "Deposit" : "Withdraw";
  return `${verb} ${formatSats(review.sats)} sats`;
}

export class LnCrossStore {
  /** The transfer amount as typed (sats). */
  amount = $state("");
  /** Why the amount cannot go, or why the venue refused it; shown next to the field. */
  transferError = $state<string | null>(null);
  /** The transfer awaiting confirmation. */
  review = $state.raw<TransferReview | null>(null);
  sending = $state(false);
  problem = $state.raw<TransferProblem | null>(null);

  /** The new leverage as typed. */
  leverage = $state("");
  settingLeverage = $state(false);
  /** Why the leverage was refused, here or by the venue. */
  leverageError = $state<string | null>(null);

  /** What is wrong with the amount as typed, whichever way it goes (null: nothing yet). */
  readonly amountCheck = $derived(checkSats(this.amount));
  readonly leverageCheck = $derived(checkLeverage(this.leverage));

  readonly #api: CrossApi;
  readonly #toasts: Toasts;
  readonly #poller: Poller<LnmCross>;

  constructor(api: CrossApi, toasts: Toasts, now: () => number = Date.now) {
    this.#api = api;
    this.#toasts = toasts;
    this.#poller = new Poller((account) => api.cross(account), now);
  }

  /** The last cross account read (or answered by an action), or null before the first. */
  get view(): LnmCross | null {
    return this.#poller.value;
  }
  /** When `view` was read (ms). */
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

  /** The view is on screen for `account`: reads now, then every 30 s until `hide`. */
  show(account: AccountId): Promise<void> {
    if (account !== this.#poller.account) this.#reset();
    return this.#poller.show(account, REFRESH_MS);
  }

  /** The view is off screen: no more timed reads. The draft stays for `show`. */
  hide(): void {
    this.#poller.hide();
  }

  /** Reads the cross account again; joins a read already under way rather than sending another. */
  refresh(): Promise<void> {
    return this.#poller.refresh();
  }

  /** Takes the typed amount; a complaint about the last one no longer applies. */
  setAmount(text: string): void {
    this.amount = text;
    this.transferError = null;
  }

  /** Moves the amount to the confirmation step for `direction`; false (with the reason next to
   * the field) if it cannot go that way. */
  reviewTransfer(direction: LnmCrossDirection): boolean {
    if (this.sending || this.review !== null) return false;
    const check = checkTransfer(this.amount, direction, this.view);
    this.transferError = check.error;
    if (check.review === null) return false;
    this.review = check.review;
    this.problem = null;
    return true;
  }

  /** Back from the confirmation step to the amount; nothing is sent. */
  cancelTransfer(): void {
    if (this.sending) return;
    this.review = null;
  }

  /** Sends the reviewed transfer: one request, however often this is called. */
  async confirmTransfer(): Promise<void> {
    const review = this.review;
    const account = this.#poller.account;
    if (review === null || account === null || this.sending) return;
    const generation = this.#poller.generation;
    this.sending = true;
    const result = await this.#api.transfer(account, review.direction, review.sats);
    const here = generation === this.#poller.generation;
    if (here) {
      this.sending = false;
      // Spent, whatever came back: sending again takes a new review.
      this.review = null;
    }
    const what = transferLabel(review);
    if (result.status === "ok") {
      const done =
        review.direction === "deposit"
          ? `Moved ${formatSats(review.sats)} sats into cross margin`
          : `Moved ${formatSats(review.sats)} sats out of cross margin`;
      this.#toasts.push("success", done);
      if (here) {
        this.amount = "";
        this.transferError = null;
        this.#poller.put(result.data);
      }
      return;
    }
    const error = result.error;
    const message = describeError(error);
    if (error.code === "network") {
      // The amount goes too: a transfer that may have happened must not be one click from
      // happening again. The transfers list, read now, is where it will show if it did.
      this.#toasts.push("warning", "Cross transfer outcome unknown", message);
      if (here) {
        this.amount = "";
        this.problem = { message };
        void this.refresh();
      }
      return;
    }
    if (here) this.transferError = message;
    else this.#toasts.push("error", "Cross transfer failed", `${what}: ${message}`);
  }

  dismissProblem(): void {
    this.problem = null;
  }

  /** Takes the typed leverage; a complaint about the last one no longer applies. */
  setLeverage(text: string): void {
    this.leverage = text;
    this.leverageError = null;
  }

  /** Sends the typed leverage, one request at a time; refused here unless whole and 1–100. */
  async applyLeverage(): Promise<void> {
    const account = this.#poller.account;
    if (account === null || this.settingLeverage) return;
    const check = this.leverageCheck;
    if (check.leverage === null) {
      this.leverageError = check.error ?? "Enter a leverage";
      return;
    }
    const generation = this.#poller.generation;
    this.settingLeverage = true;
    this.leverageError = null;
    const result = await this.#api.leverage(account, check.leverage);
    if (generation !== this.#poller.generation) return;
    this.settingLeverage = false;
    if (result.status === "ok") {
      this.leverage = "";
      this.#poller.put(result.data);
      return;
    }
    this.leverageError = describeError(result.error);
    // Unanswered: the leverage on screen may be out of date either way.
    if (result.error.code === "network") void this.refresh();
  }

  #reset(): void {
    // Another account's draft must never show under this one, not even briefly.
    this.amount = "";
    this.transferError = null;
    this.review = null;
    this.sending = false;
    this.problem = null;
    this.leverage = "";
    this.settingLeverage = false;
    this.leverageError = null;
  }
}

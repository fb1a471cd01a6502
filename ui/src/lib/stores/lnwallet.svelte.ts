// The LN Markets wallet of the account on screen: the on-chain deposit address, deposits and
// withdrawals so far, a Lightning invoice waiting to be paid, and a withdrawal on its way
// from draft to review to the one request that sends it.
//
// Read while the Wallet section is shown: every 3 s while an invoice waits to be paid (the
// history is the only place the venue says it was), every 30 s otherwise.
//
// Money leaves through exactly one request per confirmation. A confirmation is spent when it
// is sent, whatever comes back; an unknown outcome (the venue did not answer) is reported as
// such and never sent again: only the history can say whether it went.

import type {
  AccountId,
  AppError,
  DepositInvoice,
  LnmWithdrawTo,
  WalletView,
} from "../bindings/bindings";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";
import { Poller } from "./poller.svelte";
import {
  checkAddress,
  checkSats,
  formatSats,
  invoiceText,
  shortenMiddle,
  type WalletNetwork,
} from "../wallet";
import type { Toasts } from "./toasts.svelte";

export interface WalletApi {
  wallet(account: AccountId): Promise<Result<WalletView, AppError>>;
  depositLightning(
    account: AccountId,
    amountSats: number,
  ): Promise<Result<DepositInvoice, AppError>>;
  invoiceAmount(invoice: string): Promise<Result<number | null, AppError>>;
  withdraw(account: AccountId, to: LnmWithdrawTo): Promise<Result<number, AppError>>;
}

/** How often the wallet is read while an invoice waits: "Paid" should show within moments of
 * the payer's wallet saying so. */
export const WAITING_REFRESH_MS = 3_000;
/** How often otherwise: withdrawals settle in minutes, and the rate limit is shared. */
export const REFRESH_MS = 30_000;

/** A withdrawal ready to send: what goes to the venue, and what the user confirms. */
export interface WithdrawReview {
  to: LnmWithdrawTo;
  sats: number;
  /** The invoice or address, in full. */
  destination: string;
}

/** What the withdrawal form says about its fields (absent: nothing wrong, or still empty). */
export interface WithdrawErrors {
  invoice?: string;
  address?: string;
  amount?: string;
}

export interface WithdrawProblem {
  message: string;
  /** The venue did not answer: the money may have left. Never offer to send it again. */
  unknown: boolean;
}

/** The Lightning invoice on screen, and what was paid into it once the history says so. */
export interface Deposit {
  invoice: DepositInvoice;
  paidSats: number | null;
}

export class LnWalletStore {
  deposit = $state.raw<Deposit | null>(null);
  creating = $state(false);
  depositError = $state<string | null>(null);

  withdrawKind = $state<WalletNetwork>("lightning");
  invoice = $state("");
  /** What `invoice` asks for: undefined while empty or being read, null when it names no
   * amount (or is no invoice at all). */
  invoiceSats = $state<number | null | undefined>(undefined);
  address = $state("");
  amount = $state("");
  /** The withdrawal awaiting confirmation. */
  review = $state.raw<WithdrawReview | null>(null);
  sending = $state(false);
  withdrawProblem = $state.raw<WithdrawProblem | null>(null);

  /** The draft as it stands: what would be sent, or what is wrong with it. */
  readonly draft = $derived.by(() => this.#checkDraft());

  readonly #api: WalletApi;
  readonly #toasts: Toasts;
  readonly #poller: Poller<WalletView>;
  /** Bumped on every invoice edit: only the latest text's amount is shown. */
  #decoding = 0;

  constructor(api: WalletApi, toasts: Toasts, now: () => number = Date.now) {
    this.#api = api;
    this.#toasts = toasts;
    this.#poller = new Poller(
      (account) => api.wallet(account),
      now,
      (view) => {
        this.#notePayment(view);
      },
    );
  }

  /** The last wallet read, or null before the first good read. */
  get view(): WalletView | null {
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

  /** An invoice is on screen and not yet paid. */
  get waiting(): boolean {
    return this.deposit !== null && this.deposit.paidSats === null;
  }

  /** The Wallet section is on screen for `account`: reads now, then on a timer until `hide`. */
  show(account: AccountId): Promise<void> {
    if (account !== this.#poller.account) this.#reset();
    return this.#poller.show(account, this.#period());
  }

  /** The section is off screen: no more timed reads. The invoice and draft stay for `show`. */
  hide(): void {
    this.#poller.hide();
  }

  /** Reads the wallet again; joins a read already under way rather than sending another. */
  refresh(): Promise<void> {
    return this.#poller.refresh();
  }

  /** Asks the venue for a Lightning invoice of `amountSats`; one request at a time. */
  async createInvoice(amountSats: number): Promise<void> {
    const account = this.#poller.account;
    if (account === null || this.creating) return;
    const generation = this.#poller.generation;
    this.creating = true;
    this.depositError = null;
    const result = await this.#api.depositLightning(account, amountSats);
    if (generation !== this.#poller.generation) return;
    this.creating = false;
    if (result.status === "error") {
      this.depositError = describeError(result.error);
      return;
    }
    this.deposit = { invoice: result.data, paidSats: null };
    this.#schedule();
  }

  /** Puts the invoice on screen away, to ask for another. It is no longer watched; if it is
   * paid later, the history still shows it. */
  clearInvoice(): void {
    if (this.creating) return;
    this.deposit = null;
    this.depositError = null;
    this.#schedule();
  }

  /** Takes the invoice text and reads the amount it asks for (in Rust; nothing is sent). */
  async setInvoice(text: string): Promise<void> {
    this.invoice = text;
    const decoding = ++this.#decoding;
    this.invoiceSats = undefined;
    const invoice = invoiceText(text);
    if (invoice === "") return;
    const result = await this.#api.invoiceAmount(invoice);
    if (decoding !== this.#decoding) return;
    this.invoiceSats = result.status === "ok" ? result.data : null;
  }

  /** Moves the draft to the confirmation step; false (and nothing changes) if it is not ready. */
  reviewWithdrawal(): boolean {
    const review = this.draft.review;
    if (review === null || this.sending) return false;
    this.review = review;
    this.withdrawProblem = null;
    return true;
  }

  /** Back from the confirmation step to the draft; nothing is sent. */
  cancelWithdrawal(): void {
    if (this.sending) return;
    this.review = null;
  }

  /** Sends the reviewed withdrawal: one request, however often this is called. */
  async confirmWithdrawal(): Promise<void> {
    const review = this.review;
    const account = this.#poller.account;
    if (review === null || account === null || this.sending) return;
    const generation = this.#poller.generation;
    this.sending = true;
    const result = await this.#api.withdraw(account, review.to);
    const here = generation === this.#poller.generation;
    if (here) {
      this.sending = false;
      // Spent, whatever came back: sending again takes a new review.
      this.review = null;
    }
    const where = review.to.kind === "lightning" ? "Lightning" : "On-chain";
    const to = `${where} to ${shortenMiddle(review.destination)}`;
    if (result.status === "ok") {
      this.#toasts.push("success", `Sent ${formatSats(result.data)} sats`, to);
      if (here) {
        this.#clearDraft();
        void this.refresh();
      }
      return;
    }
    const error = result.error;
    const unknown = error.code === "network";
    const message = describeError(error);
    if (unknown) {
      // The draft goes too: a withdrawal that may have left must not be one click from leaving
      // again. The history, read now, is where it will show if it did.
      this.#toasts.push("warning", "Withdrawal outcome unknown", message);
      if (here) {
        this.#clearDraft();
        void this.refresh();
      }
    } else if (!here) {
      this.#toasts.push("error", "Withdrawal failed", message);
    }
    if (here) this.withdrawProblem = { message, unknown };
  }

  dismissProblem(): void {
    this.withdrawProblem = null;
  }

  #checkDraft(): { review: WithdrawReview | null; errors: WithdrawErrors } {
    if (this.withdrawKind === "lightning") {
      const invoice = invoiceText(this.invoice);
      const sats = this.invoiceSats;
      if (invoice === "" || sats === undefined) return { review: null, errors: {} };
      if (sats === null || sats <= 0) {
        return { review: null, errors: { invoice: "No amount in this invoice" } };
      }
      return {
        review: { to: { kind: "lightning", invoice }, sats, destination: invoice },
        errors: {},
      };
    }
    const address = checkAddress(this.address);
    const amount = checkSats(this.amount);
    const errors: WithdrawErrors = {};
    if (address.error !== null) errors.address = address.error;
    if (amount.error !== null) errors.amount = amount.error;
    if (address.address === null || amount.sats === null) return { review: null, errors };
    return {
      review: {
        to: { kind: "on_chain", address: address.address, amount_sats: amount.sats },
        sats: amount.sats,
        destination: address.address,
      },
      errors,
    };
  }

  #clearDraft(): void {
    this.#decoding++;
    this.invoice = "";
    this.invoiceSats = undefined;
    this.address = "";
    this.amount = "";
  }

  #reset(): void {
    // Another account's invoice and withdrawal must never show under this one, not even briefly.
    this.deposit = null;
    this.creating = false;
    this.depositError = null;
    this.withdrawKind = "lightning";
    this.#clearDraft();
    this.review = null;
    this.sending = false;
    this.withdrawProblem = null;
  }

  /** Marks the invoice on screen paid once its history row says so, once. */
  #notePayment(view: WalletView): void {
    const deposit = this.deposit;
    if (deposit === null || deposit.paidSats !== null) return;
    const row = view.wallet.history.find(
      (r) => r.direction === "deposit" && r.id === deposit.invoice.invoice.deposit_id,
    );
    if (row?.status !== "paid") return;
    this.deposit = { ...deposit, paidSats: row.amount_sats };
    this.#toasts.push(
      "success",
      `Received ${formatSats(row.amount_sats)} sats`,
      "Lightning deposit",
    );
    this.#schedule();
  }

  /** How often the wallet needs reading now. */
  #period(): number {
    return this.waiting ? WAITING_REFRESH_MS : REFRESH_MS;
  }

  /** Keeps the timer at the pace the wallet needs now. */
  #schedule(): void {
    this.#poller.setPeriod(this.#period());
  }
}

// The bulk actions — cancel every working order, close every position — behind a question
// that says what will happen. Confirming sends one request; its outcome comes back as one
// toast that counts what was done, what is unknown (reconciling) and what failed, and why.

import type { AccountId, AppError, BulkOutcome, InstrumentId } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import type { Toasts } from "./toasts.svelte";
import { errorNotice, type Notice } from "./trading";

export interface NukeApi {
  cancelAllOrders(
    account: AccountId,
    instrument: InstrumentId | null,
  ): Promise<Result<BulkOutcome, AppError>>;
  closeAllPositions(account: AccountId): Promise<Result<BulkOutcome, AppError>>;
}

export type NukeKind = "cancel" | "close";

/** A bulk action waiting to be confirmed, or being run. */
export interface NukeRequest {
  kind: NukeKind;
  account: AccountId;
  /** Cancel only this instrument's orders; null for the whole account (always for close). */
  instrument: InstrumentId | null;
  /** What the dialog asks: "Cancel 3 working orders on LNM trader?" */
  question: string;
}

function plural(count: number, one: string, many: string): string {
  return `${String(count)} ${count === 1 ? one : many}`;
}

/** The question for cancelling `count` working orders on `where` (an account or market). */
export function cancelQuestion(count: number, where: string): string {
  return `Cancel ${plural(count, "working order", "working orders")} on ${where}?`;
}

/** The question for closing `count` positions at market on `where`. */
export function closeQuestion(count: number, where: string): string {
  return `Close ${plural(count, "position", "positions")} at market on ${where}?`;
}

/** The toast for what a bulk action did: "Cancelled 3 · 1 unknown · 0 failed", then why each
 * failure failed, one per line. */
export function outcomeNotice(kind: NukeKind, outcome: BulkOutcome): Notice {
  const verb = kind === "cancel" ? "Cancelled" : "Closed";
  const failed = outcome.failed.length;
  return {
    kind: failed > 0 ? "error" : outcome.unknown > 0 ? "warning" : "success",
    title: `${verb} ${String(outcome.done)} · ${String(outcome.unknown)} unknown · ${String(failed)} failed`,
    detail: failed > 0 ? outcome.failed.join("\n") : null,
  };
}

export class NukeStore {
  /** The action the confirmation dialog asks about; null when none is open. */
  pending = $state.raw<NukeRequest | null>(null);
  /** A bulk request is under way. */
  running = $state(false);

  readonly #api: NukeApi;
  readonly #toasts: Toasts;

  constructor(api: NukeApi, toasts: Toasts) {
    this.#api = api;
    this.#toasts = toasts;
  }

  /** Opens the confirmation for `request`; nothing is sent yet. */
  ask(request: NukeRequest): void {
    this.pending = request;
  }

  dismiss(): void {
    this.pending = null;
  }

  /** Sends the action asked about, once: a second confirm finds nothing pending. */
  async confirm(): Promise<BulkOutcome | null> {
    const request = this.pending;
    if (request === null) return null;
    this.pending = null;
    return this.run(request);
  }

  /** Sends `request` at once, without asking, and toasts what came of it. Null when it was
   * refused before anything was sent. */
  async run(
    request: Pick<NukeRequest, "kind" | "account" | "instrument">,
  ): Promise<BulkOutcome | null> {
    this.running = true;
    try {
      const result =
        request.kind === "cancel"
          ? await this.#api.cancelAllOrders(request.account, request.instrument)
          : await this.#api.closeAllPositions(request.account);
      const notice =
        result.status === "ok"
          ? outcomeNotice(request.kind, result.data)
          : errorNotice(request.kind === "cancel" ? "Cancel all" : "Close all", result.error);
      this.#toasts.push(notice.kind, notice.title, notice.detail);
      return result.status === "ok" ? result.data : null;
    } finally {
      this.running = false;
    }
  }
}

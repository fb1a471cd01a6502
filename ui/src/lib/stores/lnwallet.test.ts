import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AccountId, AppError, LnmWithdrawTo, WalletView } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { DEPOSIT_ADDRESS, transferRow, walletView } from "../../test/fixtures";
import {
  ADDRESS_OUT,
  INVOICE_500,
  NO_AMOUNT,
  fail,
  fakeWalletApi,
  type FakeWalletApi,
} from "../../test/wallet";
import { LnWalletStore, REFRESH_MS, WAITING_REFRESH_MS } from "./lnwallet.svelte";
import { Toasts } from "./toasts.svelte";

let clock = 1_000;
const now = () => clock;
let toasts: Toasts;

function setup(): { store: LnWalletStore; fake: FakeWalletApi } {
  const fake = fakeWalletApi();
  return { store: new LnWalletStore(fake, toasts, now), fake };
}

/** Lets the promises the store started (reads, answers) run to their end. */
async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

/** A store shown for "lnm-1", with an on-chain withdrawal of 500 sats reviewed. */
async function reviewed500(): Promise<{ store: LnWalletStore; fake: FakeWalletApi }> {
  const { store, fake } = setup();
  await store.show("lnm-1");
  store.withdrawKind = "on_chain";
  store.address = ADDRESS_OUT;
  store.amount = "500";
  expect(store.reviewWithdrawal()).toBe(true);
  return { store, fake };
}

beforeEach(() => {
  vi.useFakeTimers();
  clock = 1_000;
  toasts = new Toasts({ timers: false });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("LnWalletStore: reading", () => {
  it("reads the account's wallet when shown, every 30 s while shown, and not once hidden", async () => {
    const { store, fake } = setup();
    expect(store.view).toBeNull();
    const shown = store.show("lnm-1");
    expect(store.loading).toBe(true);
    await shown;
    expect(fake.wallet).toHaveBeenCalledWith("lnm-1");
    expect(store.view?.wallet.bitcoin_address).toBe(DEPOSIT_ADDRESS);
    expect(store.loadedAt).toBe(1_000);
    expect(store.loading).toBe(false);

    await vi.advanceTimersByTimeAsync(REFRESH_MS - 1);
    expect(fake.wallet).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.wallet).toHaveBeenCalledTimes(2);

    store.hide();
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 4);
    expect(fake.wallet).toHaveBeenCalledTimes(2);
  });

  it("keeps the last good wallet when a read fails, and says why", async () => {
    const { store, fake } = setup();
    await store.show("lnm-1");
    fake.wallet.mockResolvedValueOnce(fail({ message: "venue down", code: "venue_unavailable" }));
    await store.refresh();
    expect(store.error).toBe("venue down");
    expect(store.view?.wallet.bitcoin_address).toBe(DEPOSIT_ADDRESS);
    await store.refresh();
    expect(store.error).toBeNull();
    store.hide();
  });

  it("never shows one account's wallet or invoice under another", async () => {
    const { store, fake } = setup();
    fake.wallet.mockImplementation((account: AccountId) =>
      Promise.resolve({ status: "ok", data: walletView([], `address of ${account}`) }),
    );
    await store.show("lnm-1");
    await store.createInvoice(25_000);
    let late: (reply: Result<WalletView, AppError>) => void = () => undefined;
    fake.wallet.mockImplementationOnce(
      () =>
        new Promise((resolve) => {
          late = resolve;
        }),
    );
    void store.refresh();
    const switched = store.show("lnm-2");
    expect(store.view).toBeNull();
    expect(store.deposit).toBeNull();
    await switched;
    expect(store.view?.wallet.bitcoin_address).toBe("address of lnm-2");
    // lnm-1's read, answered after the switch, is dropped.
    late({ status: "ok", data: walletView([], "address of lnm-1") });
    await flush();
    expect(store.view?.wallet.bitcoin_address).toBe("address of lnm-2");
    store.hide();
  });
});

describe("LnWalletStore: Lightning deposits", () => {
  it("reads every 3 s while the invoice waits, says paid once, then goes back to 30 s", async () => {
    const { store, fake } = setup();
    const pending = transferRow({ id: "dep-1", status: "pending" });
    const paid = transferRow({ id: "dep-1", status: "paid", amount_sats: 25_000 });
    fake.history = [[], [pending], [paid]];
    await store.show("lnm-1");
    await store.createInvoice(25_000);
    expect(fake.depositLightning).toHaveBeenCalledWith("lnm-1", 25_000);
    expect(store.waiting).toBe(true);

    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS);
    expect(fake.wallet).toHaveBeenCalledTimes(2);
    expect(store.deposit?.paidSats).toBeNull();
    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS);
    expect(fake.wallet).toHaveBeenCalledTimes(3);
    expect(store.deposit?.paidSats).toBe(25_000);
    expect(store.waiting).toBe(false);
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([
      ["success", "Received 25,000 sats"],
    ]);

    // Paid: no more fast reads, and the payment is not announced again.
    await vi.advanceTimersByTimeAsync(REFRESH_MS - 1);
    expect(fake.wallet).toHaveBeenCalledTimes(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.wallet).toHaveBeenCalledTimes(4);
    expect(toasts.items).toHaveLength(1);
    store.hide();
  });

  it("waits only for its own invoice: another paid deposit does not count", async () => {
    const { store, fake } = setup();
    fake.history = [[transferRow({ id: "dep-0", status: "paid" })]];
    await store.show("lnm-1");
    await store.createInvoice(25_000);
    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS * 3);
    expect(fake.wallet).toHaveBeenCalledTimes(4);
    expect(store.waiting).toBe(true);
    expect(toasts.items).toEqual([]);
    store.hide();
  });

  it("does not poll while hidden, even with an invoice waiting, and resumes when shown", async () => {
    const { store, fake } = setup();
    await store.show("lnm-1");
    await store.createInvoice(25_000);
    store.hide();
    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS * 5);
    expect(fake.wallet).toHaveBeenCalledTimes(1);
    await store.show("lnm-1");
    expect(store.deposit).not.toBeNull();
    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS);
    expect(fake.wallet).toHaveBeenCalledTimes(3);
    store.hide();
  });

  it("stops watching an invoice put away for another", async () => {
    const { store, fake } = setup();
    await store.show("lnm-1");
    await store.createInvoice(25_000);
    store.clearInvoice();
    expect(store.deposit).toBeNull();
    await vi.advanceTimersByTimeAsync(REFRESH_MS - 1);
    expect(fake.wallet).toHaveBeenCalledTimes(1);
    store.hide();
  });

  it("asks for one invoice at a time and shows a refusal", async () => {
    const { store, fake } = setup();
    await store.show("lnm-1");
    const first = store.createInvoice(25_000);
    const second = store.createInvoice(25_000);
    await Promise.all([first, second]);
    expect(fake.depositLightning).toHaveBeenCalledTimes(1);

    fake.depositLightning.mockResolvedValueOnce(
      fail({ code: "invalid_order", field: "amount", message: "deposit at least 1 sat" }),
    );
    await store.createInvoice(1);
    expect(store.depositError).toBe("deposit at least 1 sat");
    expect(store.creating).toBe(false);
    store.hide();
  });
});

describe("LnWalletStore: the withdrawal draft", () => {
  it("reads the amount of a pasted invoice, and refuses one without", async () => {
    const { store, fake } = setup();
    await store.show("lnm-1");
    await store.setInvoice(` lightning:${INVOICE_500} `);
    expect(fake.invoiceAmount).toHaveBeenCalledWith(INVOICE_500);
    expect(store.invoiceSats).toBe(500);
    expect(store.draft.review).toEqual({
      to: { kind: "lightning", invoice: INVOICE_500 },
      sats: 500,
      destination: INVOICE_500,
    });

    await store.setInvoice(NO_AMOUNT);
    expect(store.invoiceSats).toBeNull();
    expect(store.draft).toEqual({
      review: null,
      errors: { invoice: "No amount in this invoice" },
    });
    expect(store.reviewWithdrawal()).toBe(false);
    expect(store.review).toBeNull();
    store.hide();
  });

  it("shows the amount of the invoice last typed, not of one read later", async () => {
    const { store, fake } = setup();
    await store.show("lnm-1");
    const answers: ((reply: Result<number | null, AppError>) => void)[] = [];
    fake.invoiceAmount.mockImplementation(
      () =>
        new Promise((resolve) => {
          answers.push(resolve);
        }),
    );
    const first = store.setInvoice(INVOICE_500);
    const second = store.setInvoice(NO_AMOUNT);
    answers[1]?.({ status: "ok", data: null });
    answers[0]?.({ status: "ok", data: 500 });
    await Promise.all([first, second]);
    expect(store.invoiceSats).toBeNull();
    store.hide();
  });

  it("checks an on-chain address and amount before they can be reviewed", async () => {
    const { store } = setup();
    await store.show("lnm-1");
    store.withdrawKind = "on_chain";
    expect(store.draft).toEqual({ review: null, errors: {} });
    store.address = "tb1q with space";
    store.amount = "12.5";
    expect(store.draft).toEqual({
      review: null,
      errors: { address: "An address has no spaces", amount: "Whole sats, like 25000" },
    });
    store.address = ADDRESS_OUT;
    store.amount = "1,500";
    expect(store.draft.review).toEqual({
      to: { kind: "on_chain", address: ADDRESS_OUT, amount_sats: 1_500 },
      sats: 1_500,
      destination: ADDRESS_OUT,
    });
    store.hide();
  });
});

describe("LnWalletStore: sending a withdrawal", () => {
  it("sends once however often it is confirmed, then says what was sent", async () => {
    const { store, fake } = await reviewed500();
    const clicks = [store.confirmWithdrawal(), store.confirmWithdrawal()];
    expect(store.sending).toBe(true);
    void store.confirmWithdrawal();
    expect(fake.withdraw).toHaveBeenCalledTimes(1);
    expect(fake.withdraw).toHaveBeenCalledWith("lnm-1", {
      kind: "on_chain",
      address: ADDRESS_OUT,
      amount_sats: 500,
    } satisfies LnmWithdrawTo);

    fake.answerWithdraw({ status: "ok", data: 500 });
    await Promise.all(clicks);
    expect(store.sending).toBe(false);
    expect(store.review).toBeNull();
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([["success", "Sent 500 sats"]]);
    // The draft is done with, and the history is read to show the withdrawal.
    expect([store.address, store.amount]).toEqual(["", ""]);
    await flush();
    expect(fake.wallet).toHaveBeenCalledTimes(2);

    // The confirmation was spent: confirming again sends nothing.
    await store.confirmWithdrawal();
    expect(fake.withdraw).toHaveBeenCalledTimes(1);
    store.hide();
  });

  it("sends nothing when the review is cancelled, and keeps the draft", async () => {
    const { store, fake } = await reviewed500();
    store.cancelWithdrawal();
    expect(store.review).toBeNull();
    await store.confirmWithdrawal();
    expect(fake.withdraw).not.toHaveBeenCalled();
    expect([store.address, store.amount]).toEqual([ADDRESS_OUT, "500"]);
    store.hide();
  });

  it("cannot be cancelled or re-reviewed while the request is on its way", async () => {
    const { store, fake } = await reviewed500();
    const sent = store.confirmWithdrawal();
    store.cancelWithdrawal();
    expect(store.review).not.toBeNull();
    expect(store.reviewWithdrawal()).toBe(false);
    fake.answerWithdraw({ status: "ok", data: 500 });
    await sent;
    store.hide();
  });

  it("reports an unknown outcome and never sends it again", async () => {
    const { store, fake } = await reviewed500();
    const sent = store.confirmWithdrawal();
    fake.answerWithdraw(
      fail({
        code: "network",
        message:
          "LN Markets did not confirm the withdrawal (timed out); it may have been sent — check the history before trying again",
      }),
    );
    await sent;
    expect(store.withdrawProblem).toEqual({
      message:
        "LN Markets did not confirm the withdrawal (timed out); it may have been sent — check the history before trying again",
      unknown: true,
    });
    expect(store.review).toBeNull();
    // Nothing is left to send it again with one click: the draft went with it.
    expect([store.address, store.amount]).toEqual(["", ""]);
    expect(store.draft.review).toBeNull();
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([
      ["warning", "Withdrawal outcome unknown"],
    ]);

    await store.confirmWithdrawal();
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 3);
    expect(fake.withdraw).toHaveBeenCalledTimes(1);
    // The history is read at once: that is where the withdrawal shows if it went.
    expect(fake.wallet.mock.calls.length).toBeGreaterThanOrEqual(2);
    store.hide();
  });

  it("keeps the draft after a refusal, so it can be fixed and reviewed again", async () => {
    const { store, fake } = await reviewed500();
    const sent = store.confirmWithdrawal();
    fake.answerWithdraw(fail({ code: "insufficient_funds", message: "Not enough balance" }));
    await sent;
    expect(store.withdrawProblem).toEqual({ message: "Not enough balance", unknown: false });
    expect(store.review).toBeNull();
    expect(toasts.items).toEqual([]);
    store.amount = "400";
    expect(store.reviewWithdrawal()).toBe(true);
    // A new review clears the old verdict.
    expect(store.withdrawProblem).toBeNull();
    expect(store.review?.sats).toBe(400);
    store.hide();
  });
});

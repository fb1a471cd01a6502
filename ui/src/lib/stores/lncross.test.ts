import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeCrossApi, lnmCross, type FakeCrossApi } from "../../test/cross";
import { fail } from "../../test/wallet";
import {
  LnCrossStore,
  REFRESH_MS,
  checkLeverage,
  checkTransfer,
  transferLabel,
} from "./lncross.svelte";
import { Toasts } from "./toasts.svelte";

let clock = 1_000;
const now = () => clock;
let toasts: Toasts;

/** A store shown for "lnm-1" and read once. */
async function shown(views = [lnmCross()]): Promise<{ store: LnCrossStore; fake: FakeCrossApi }> {
  const fake = fakeCrossApi(views);
  const store = new LnCrossStore(fake, toasts, now);
  await store.show("lnm-1");
  return { store, fake };
}

/** Lets the promises the store started (reads, answers) run to their end. */
async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

beforeEach(() => {
  vi.useFakeTimers();
  clock = 1_000;
  toasts = new Toasts({ timers: false });
});

afterEach(() => {
  vi.useRealTimers();
});

describe("checkLeverage", () => {
  it("takes a whole number from 1 to 100, and says why not otherwise", () => {
    const range = "A whole number from 1 to 100";
    const cases: [string, number | null, string | null][] = [
      ["", null, null],
      ["  ", null, null],
      ["1", 1, null],
      ["25", 25, null],
      [" 25x ", 25, null],
      ["100×", 100, null],
      ["0", null, range],
      ["101", null, range],
      ["2.5", null, range],
      ["-5", null, range],
      ["1e2", null, range],
      ["ten", null, range],
    ];
    for (const [text, leverage, error] of cases) {
      expect(checkLeverage(text), text).toEqual({ leverage, error });
    }
  });
});

describe("checkTransfer", () => {
  const view = lnmCross({ available_sats: 60_000, margin_sats: 40_000 });

  it("lets a deposit draw on the account balance and a withdrawal on the cross wallet", () => {
    const cases: [string, "deposit" | "withdraw", number | null, string | null][] = [
      ["60,000", "deposit", 60_000, null],
      ["60001", "deposit", null, "More than the account balance holds (60,000 sats available)"],
      ["40000", "withdraw", 40_000, null],
      ["40_001", "withdraw", null, "More than the cross wallet holds (40,000 sats)"],
      ["", "deposit", null, "Enter an amount"],
      ["0", "withdraw", null, "At least 1 sat"],
      ["1.5", "deposit", null, "Whole sats, like 25000"],
    ];
    for (const [text, direction, sats, error] of cases) {
      const check = checkTransfer(text, direction, view);
      expect(check.review?.sats ?? null, `${direction} ${text}`).toBe(sats);
      expect(check.error, `${direction} ${text}`).toBe(error);
    }
    expect(checkTransfer("5", "deposit", null).error).toBe("The cross account is not loaded yet");
  });

  it("names the transfer as it is confirmed", () => {
    expect(transferLabel({ direction: "deposit", sats: 50_000 })).toBe("Deposit 50,000 sats");
    expect(transferLabel({ direction: "withdraw", sats: 1 })).toBe("Withdraw 1 sats");
  });
});

describe("LnCrossStore: reading", () => {
  it("reads the cross account when shown, every 30 s while shown, and not once hidden", async () => {
    const fake = fakeCrossApi();
    const store = new LnCrossStore(fake, toasts, now);
    expect(store.view).toBeNull();
    const showing = store.show("lnm-1");
    expect(store.loading).toBe(true);
    await showing;
    expect(fake.cross).toHaveBeenCalledWith("lnm-1");
    expect(store.view?.margin_sats).toBe(200_000);
    expect(store.loadedAt).toBe(1_000);

    await vi.advanceTimersByTimeAsync(REFRESH_MS - 1);
    expect(fake.cross).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fake.cross).toHaveBeenCalledTimes(2);

    store.hide();
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 4);
    expect(fake.cross).toHaveBeenCalledTimes(2);
  });

  it("keeps the last good read when one fails, and says why", async () => {
    const { store, fake } = await shown();
    fake.cross.mockResolvedValueOnce(fail({ code: "venue_unavailable", message: "venue down" }));
    await store.refresh();
    expect(store.error).toBe("venue down");
    expect(store.view?.margin_sats).toBe(200_000);
    store.hide();
  });

  it("forgets one account's draft when shown for another", async () => {
    const { store } = await shown();
    store.setAmount("5000");
    store.setLeverage("20");
    expect(store.reviewTransfer("deposit")).toBe(true);
    await store.show("lnm-2");
    expect([store.amount, store.leverage, store.review]).toEqual(["", "", null]);
    store.hide();
  });
});

describe("LnCrossStore: a transfer", () => {
  it("reviews, sends once however often confirmed, and shows the venue's answer", async () => {
    const { store, fake } = await shown();
    store.setAmount("50,000");
    expect(store.reviewTransfer("deposit")).toBe(true);
    expect(store.review).toEqual({ direction: "deposit", sats: 50_000 });
    // Under review, neither another review nor a new amount's review takes its place.
    expect(store.reviewTransfer("withdraw")).toBe(false);

    const first = store.confirmTransfer();
    const second = store.confirmTransfer();
    expect(store.sending).toBe(true);
    store.cancelTransfer();
    expect(store.review).not.toBeNull();
    expect(fake.transfer).toHaveBeenCalledTimes(1);
    expect(fake.transfer).toHaveBeenCalledWith("lnm-1", "deposit", 50_000);

    clock = 7_000;
    const after = lnmCross({ margin_sats: 250_000, available_sats: 950_000 });
    fake.answerTransfer({ status: "ok", data: after });
    await Promise.all([first, second]);
    expect(store.view).toEqual(after);
    expect(store.loadedAt).toBe(7_000);
    expect([store.sending, store.review, store.amount]).toEqual([false, null, ""]);
    expect(toasts.items.map((t) => t.title)).toEqual(["Moved 50,000 sats into cross margin"]);
    await store.confirmTransfer();
    expect(fake.transfer).toHaveBeenCalledTimes(1);
    store.hide();
  });

  it("refuses a withdrawal above the cross wallet before sending", async () => {
    const { store, fake } = await shown();
    store.setAmount("200001");
    expect(store.reviewTransfer("withdraw")).toBe(false);
    expect(store.transferError).toBe("More than the cross wallet holds (200,000 sats)");
    await store.confirmTransfer();
    expect(fake.transfer).not.toHaveBeenCalled();
    // Typing again takes the complaint away.
    store.setAmount("200000");
    expect(store.transferError).toBeNull();
    expect(store.reviewTransfer("withdraw")).toBe(true);
    store.hide();
  });

  it("shows a refusal next to the amount and keeps it to fix", async () => {
    const { store, fake } = await shown();
    store.setAmount("150000");
    store.reviewTransfer("withdraw");
    const sent = store.confirmTransfer();
    fake.answerTransfer(fail({ code: "insufficient_funds", message: "Margin in use" }));
    await sent;
    expect(store.transferError).toBe("Margin in use");
    expect(store.amount).toBe("150000");
    expect([store.review, store.problem]).toEqual([null, null]);
    store.hide();
  });

  it("reports an unknown outcome as a problem, clears the amount and reads the list again", async () => {
    const { store, fake } = await shown();
    store.setAmount("50000");
    store.reviewTransfer("deposit");
    const sent = store.confirmTransfer();
    fake.answerTransfer(fail({ code: "network", message: "it may have happened" }));
    await sent;
    await flush();
    expect(store.problem).toEqual({ message: "it may have happened" });
    expect([store.amount, store.review, store.transferError]).toEqual(["", null, null]);
    expect(fake.cross).toHaveBeenCalledTimes(2);
    expect(toasts.items.map((t) => t.title)).toEqual(["Cross transfer outcome unknown"]);
    store.dismissProblem();
    expect(store.problem).toBeNull();
    expect(fake.transfer).toHaveBeenCalledTimes(1);
    store.hide();
  });

  it("tells of a transfer answered after the account changed, and shows it nowhere", async () => {
    const { store, fake } = await shown();
    store.setAmount("50000");
    store.reviewTransfer("deposit");
    const sent = store.confirmTransfer();
    await store.show("lnm-2");
    fake.answerTransfer(fail({ code: "insufficient_funds", message: "Not enough balance" }));
    await sent;
    expect(store.transferError).toBeNull();
    expect(toasts.items.map((t) => [t.title, t.detail])).toEqual([
      ["Cross transfer failed", "Deposit 50,000 sats: Not enough balance"],
    ]);
    store.hide();
  });
});

describe("LnCrossStore: leverage", () => {
  it("refuses 0 and 2.5 without asking the venue", async () => {
    const { store, fake } = await shown();
    for (const text of ["0", "2.5"]) {
      store.setLeverage(text);
      await store.applyLeverage();
      expect(store.leverageError).toBe("A whole number from 1 to 100");
    }
    expect(fake.leverage).not.toHaveBeenCalled();
    store.hide();
  });

  it("sends a whole leverage once and shows the venue's answer", async () => {
    const { store, fake } = await shown();
    store.setLeverage("25");
    const first = store.applyLeverage();
    const second = store.applyLeverage();
    expect(store.settingLeverage).toBe(true);
    expect(fake.leverage).toHaveBeenCalledTimes(1);
    expect(fake.leverage).toHaveBeenCalledWith("lnm-1", 25);
    fake.answerLeverage({ status: "ok", data: lnmCross({ leverage: 25 }) });
    await Promise.all([first, second]);
    expect(store.view?.leverage).toBe(25);
    expect([store.settingLeverage, store.leverage, store.leverageError]).toEqual([false, "", null]);
    store.hide();
  });

  it("shows the venue's refusal and keeps the leverage typed", async () => {
    const { store, fake } = await shown();
    store.setLeverage("100");
    const sent = store.applyLeverage();
    fake.answerLeverage(
      fail({ code: "invalid_order", message: "Not enough margin for this leverage" }),
    );
    await sent;
    expect(store.leverageError).toBe("Not enough margin for this leverage");
    expect(store.leverage).toBe("100");
    expect(store.view?.leverage).toBe(10);
    expect(fake.cross).toHaveBeenCalledTimes(1);
    store.hide();
  });
});

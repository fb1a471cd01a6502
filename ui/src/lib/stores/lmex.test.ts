import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError, LmexOverview } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { lmexDeadMan, lmexOverview } from "../../test/fixtures";
import { LmexStore, REFRESH_EVERY_MS, type FetchLmexOverview } from "./lmex.svelte";

type Reply = Result<LmexOverview, AppError>;

function ok(data: LmexOverview = lmexOverview()): Reply {
  return { status: "ok", data };
}

function failure(over: Partial<AppError> = {}): Reply {
  return {
    status: "error",
    error: {
      code: "network",
      message: "connection reset",
      retryable: true,
      venue_code: null,
      field: null,
      retry_after_ms: null,
      ...over,
    },
  };
}

/** A fetch that answers with `replies` in turn, then keeps giving the last. */
function replying(...replies: Reply[]) {
  let i = 0;
  return vi.fn<FetchLmexOverview>(() => {
    const reply = replies[Math.min(i, replies.length - 1)] ?? ok();
    i++;
    return Promise.resolve(reply);
  });
}

/** A fetch whose answers the test gives, one per call. */
function answering() {
  const pending: ((reply: Reply) => void)[] = [];
  const fetch = vi.fn<FetchLmexOverview>(
    () =>
      new Promise<Reply>((resolve) => {
        pending.push(resolve);
      }),
  );
  return { fetch, answer: (n: number, reply: Reply) => pending[n]?.(reply) };
}

let clock = 1_000;
const now = () => clock;

beforeEach(() => {
  vi.useFakeTimers();
  clock = 1_000;
});

afterEach(() => {
  vi.useRealTimers();
});

describe("LmexStore", () => {
  it("loads the overview of the account and symbol shown, with the time it was read", async () => {
    const fetch = replying(ok());
    const store = new LmexStore(fetch, now);
    expect(store.overview).toBeNull();
    expect(store.loading).toBe(false);
    const shown = store.show("lmex-1", "BTC-PERP");
    expect(store.loading).toBe(true);
    await shown;
    expect(fetch).toHaveBeenCalledWith("lmex-1", "BTC-PERP");
    expect(store.overview).toEqual(lmexOverview());
    expect(store.loadedAt).toBe(1_000);
    expect(store.loading).toBe(false);
    expect(store.error).toBeNull();
    store.hide();
  });

  it("keeps the last good overview when a read fails, and says why", async () => {
    const first = lmexOverview({ dead_man: lmexDeadMan({ timeout_s: 30, armed_at: 900 }) });
    const fetch = replying(ok(first), failure({ venue_code: "503" }), ok());
    const store = new LmexStore(fetch, now);
    await store.show("lmex-1", "BTC-PERP");
    clock = 11_000;
    await store.refresh();
    expect(store.overview).toBe(first);
    expect(store.loadedAt).toBe(1_000);
    expect(store.error).toBe("connection reset (venue code 503)");
    expect(store.loading).toBe(false);

    clock = 21_000;
    await store.refresh();
    expect(store.error).toBeNull();
    expect(store.overview).toEqual(lmexOverview());
    expect(store.loadedAt).toBe(21_000);
    store.hide();
  });

  it("reads every 10 s only while shown", async () => {
    const fetch = replying(ok());
    const store = new LmexStore(fetch, now);
    await store.show("lmex-1", "BTC-PERP");
    expect(REFRESH_EVERY_MS).toBe(10_000);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS - 1);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(3);

    store.hide();
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS * 5);
    expect(fetch).toHaveBeenCalledTimes(3);

    // Shown again: read at once, then every 10 s again (one timer, not two).
    await store.show("lmex-1", "BTC-PERP");
    await store.show("lmex-1", "BTC-PERP");
    expect(fetch).toHaveBeenCalledTimes(5);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(6);
    store.hide();
  });

  it("drops another symbol's overview and a late answer for it, and stops reading it", async () => {
    const { fetch, answer } = answering();
    const store = new LmexStore(fetch, now);
    const first = store.show("lmex-1", "BTC-PERP");
    answer(0, ok());
    await first;
    const slow = store.refresh();
    const other = store.show("lmex-1", "ETH-PERP");
    expect(store.overview).toBeNull();
    expect(fetch).toHaveBeenLastCalledWith("lmex-1", "ETH-PERP");
    answer(1, ok(lmexOverview({ leverage: "50" })));
    await slow;
    expect(store.overview).toBeNull();
    expect(store.loading).toBe(true);
    const eth = lmexOverview({ symbol: "ETH-PERP", contract_size: "0.01", base: "ETH" });
    answer(2, ok(eth));
    await other;
    expect(store.overview).toBe(eth);

    // Only the symbol on screen is read on the timer.
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(fetch).toHaveBeenLastCalledWith("lmex-1", "ETH-PERP");
    answer(3, ok(eth));
    store.hide();
  });

  it("drops another account's overview", async () => {
    const fetch = replying(
      ok(lmexOverview({ leverage: "20" })),
      ok(lmexOverview({ leverage: "5" })),
    );
    const store = new LmexStore(fetch, now);
    await store.show("lmex-1", "BTC-PERP");
    const other = store.show("lmex-2", "BTC-PERP");
    expect(store.overview).toBeNull();
    await other;
    expect(fetch).toHaveBeenLastCalledWith("lmex-2", "BTC-PERP");
    expect(store.overview?.leverage).toBe("5");
    store.hide();
  });

  it("reads nothing before it is shown", async () => {
    const fetch = replying(ok());
    const store = new LmexStore(fetch, now);
    await store.refresh();
    store.hide();
    expect(fetch).not.toHaveBeenCalled();
    expect(store.error).toBeNull();
  });
});

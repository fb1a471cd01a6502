import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError, LnmOverview } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { leader, lnmOverview } from "../../test/fixtures";
import { LnMarketsStore, REFRESH_EVERY_MS, type FetchOverview } from "./lnmarkets.svelte";

type Reply = Result<LnmOverview, AppError>;

function ok(data: LnmOverview = lnmOverview()): Reply {
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
  return vi.fn<FetchOverview>(() => {
    const reply = replies[Math.min(i, replies.length - 1)] ?? ok();
    i++;
    return Promise.resolve(reply);
  });
}

/** A fetch whose answers the test gives, one per call. */
function answering() {
  const pending: ((reply: Reply) => void)[] = [];
  const fetch = vi.fn<FetchOverview>(
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

describe("LnMarketsStore", () => {
  it("loads the account's overview when shown, with the time it was read", async () => {
    const fetch = replying(ok());
    const store = new LnMarketsStore(fetch, now);
    expect(store.overview).toBeNull();
    const shown = store.show("lnm-1");
    expect(store.loading).toBe(true);
    await shown;
    expect(fetch).toHaveBeenCalledWith("lnm-1");
    expect(store.overview).toEqual(lnmOverview());
    expect(store.loadedAt).toBe(1_000);
    expect(store.loading).toBe(false);
    expect(store.error).toBeNull();
    store.hide();
  });

  it("keeps the last good overview when a refresh fails, and says why", async () => {
    const first = lnmOverview({ leaderboard: [leader(1)] });
    const fetch = replying(ok(first), failure({ venue_code: "503" }), ok(lnmOverview()));
    const store = new LnMarketsStore(fetch, now);
    await store.show("lnm-1");
    clock = 5_000;
    await store.refresh();
    expect(store.overview).toBe(first);
    expect(store.loadedAt).toBe(1_000);
    expect(store.error).toBe("connection reset (venue code 503)");
    expect(store.loading).toBe(false);

    clock = 9_000;
    await store.refresh();
    expect(store.error).toBeNull();
    expect(store.loadedAt).toBe(9_000);
    store.hide();
  });

  it("reads every minute only while shown", async () => {
    const fetch = replying(ok());
    const store = new LnMarketsStore(fetch, now);
    await store.show("lnm-1");
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS - 1);
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(3);

    store.hide();
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS * 5);
    expect(fetch).toHaveBeenCalledTimes(3);

    // Shown again: read at once, then on the minute again (one timer, not two).
    await store.show("lnm-1");
    expect(fetch).toHaveBeenCalledTimes(4);
    await store.show("lnm-1");
    expect(fetch).toHaveBeenCalledTimes(5);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(6);
    store.hide();
  });

  it("joins a read under way instead of sending another", async () => {
    const { fetch, answer } = answering();
    const store = new LnMarketsStore(fetch, now);
    const shown = store.show("lnm-1");
    const refreshed = store.refresh();
    expect(fetch).toHaveBeenCalledTimes(1);
    answer(0, ok());
    await Promise.all([shown, refreshed]);
    expect(store.overview).not.toBeNull();
    store.hide();
  });

  it("drops another account's overview, and a late answer for it", async () => {
    const { fetch, answer } = answering();
    const store = new LnMarketsStore(fetch, now);
    const first = store.show("lnm-1");
    answer(0, ok());
    await first;
    const slow = store.refresh();
    const other = store.show("lnm-2");
    expect(store.overview).toBeNull();
    expect(fetch).toHaveBeenLastCalledWith("lnm-2");
    answer(1, ok(lnmOverview({ leaderboard: [leader(7)] })));
    await slow;
    expect(store.overview).toBeNull();
    expect(store.loading).toBe(true);
    const second = lnmOverview({ leaderboard: [] });
    answer(2, ok(second));
    await other;
    expect(store.overview).toBe(second);
    store.hide();
  });

  it("waits out a rate limit before reading on the timer again", async () => {
    const fetch = replying(
      ok(),
      failure({ code: "rate_limited", message: "slow down", retry_after_ms: 90_000 }),
      ok(),
    );
    const store = new LnMarketsStore(fetch, () => Date.now());
    await store.show("lnm-1");
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(store.error).toBe("slow down");
    // 60 s after the refusal is before its 90 s are up: no read.
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(3);
    expect(store.error).toBeNull();
    store.hide();
  });

  it("reads nothing before it is shown", async () => {
    const fetch = replying(ok());
    const store = new LnMarketsStore(fetch, now);
    await store.refresh();
    expect(fetch).not.toHaveBeenCalled();
  });
});

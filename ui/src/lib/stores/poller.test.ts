import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { fail } from "../../test/wallet";
import { Poller, type ReadFor } from "./poller.svelte";

type Reply = Result<string, AppError>;

const EVERY = 10_000;

function ok(data = "value"): Reply {
  return { status: "ok", data };
}

/** A read that answers with `replies` in turn, then keeps giving the last. */
function replying(first: Reply, ...then: Reply[]) {
  const read = vi.fn<ReadFor<string>>().mockResolvedValue(then.at(-1) ?? first);
  for (const reply of [first, ...then.slice(0, -1)]) read.mockResolvedValueOnce(reply);
  return read;
}

/** A read whose answers the test gives, one per call. */
function answering() {
  const pending: ((reply: Reply) => void)[] = [];
  const read = vi.fn<ReadFor<string>>(() => new Promise<Reply>((resolve) => pending.push(resolve)));
  return { read, answer: (n: number, reply: Reply) => pending[n]?.(reply) };
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

describe("Poller", () => {
  it("reads nothing before it is shown", async () => {
    const read = replying(ok());
    const poller = new Poller(read, now);
    await poller.refresh();
    expect(read).not.toHaveBeenCalled();
    expect(poller.account).toBeNull();
  });

  it("reads when shown, with the time it was read, and tells onRead", async () => {
    const read = replying(ok("first"));
    const heard: string[] = [];
    const poller = new Poller(read, now, (v) => heard.push(v));
    const shown = poller.show("acct-1", EVERY);
    expect(poller.loading).toBe(true);
    await shown;
    expect(read).toHaveBeenCalledWith("acct-1");
    expect(poller.value).toBe("first");
    expect(poller.loadedAt).toBe(1_000);
    expect(poller.loading).toBe(false);
    expect(poller.error).toBeNull();
    expect(heard).toEqual(["first"]);
    poller.hide();
  });

  it("keeps the last good value when a read fails, says why, and tells onRead nothing", async () => {
    const read = replying(ok("first"), fail({ venue_code: "503" }), ok("second"));
    const heard: string[] = [];
    const poller = new Poller(read, now, (v) => heard.push(v));
    await poller.show("acct-1", EVERY);
    clock = 5_000;
    await poller.refresh();
    expect(poller.value).toBe("first");
    expect(poller.loadedAt).toBe(1_000);
    expect(poller.error).toBe("connection reset (venue code 503)");
    expect(heard).toEqual(["first"]);

    clock = 9_000;
    await poller.refresh();
    expect(poller.value).toBe("second");
    expect(poller.loadedAt).toBe(9_000);
    expect(poller.error).toBeNull();
    poller.hide();
  });

  it("reads on the timer only while shown, with one timer however often it is shown", async () => {
    const read = replying(ok());
    const poller = new Poller(read, now);
    await poller.show("acct-1", EVERY);
    await vi.advanceTimersByTimeAsync(EVERY - 1);
    expect(read).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(read).toHaveBeenCalledTimes(2);

    poller.hide();
    await vi.advanceTimersByTimeAsync(EVERY * 5);
    expect(read).toHaveBeenCalledTimes(2);

    await poller.show("acct-1", EVERY);
    await poller.show("acct-1", EVERY);
    expect(read).toHaveBeenCalledTimes(4);
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(read).toHaveBeenCalledTimes(5);
    poller.hide();
  });

  it("joins a read under way instead of sending another", async () => {
    const { read, answer } = answering();
    const poller = new Poller(read, now);
    const shown = poller.show("acct-1", EVERY);
    const refreshed = poller.refresh();
    expect(read).toHaveBeenCalledTimes(1);
    answer(0, ok());
    await Promise.all([shown, refreshed]);
    expect(poller.value).toBe("value");
    poller.hide();
  });

  it("drops another account's value, and a late answer for it", async () => {
    const { read, answer } = answering();
    const poller = new Poller(read, now);
    const first = poller.show("acct-1", EVERY);
    answer(0, ok("one's"));
    await first;
    const generation = poller.generation;
    const slow = poller.refresh();
    const other = poller.show("acct-2", EVERY);
    expect(poller.account).toBe("acct-2");
    expect(poller.generation).not.toBe(generation);
    expect(poller.value).toBeNull();
    expect(read).toHaveBeenLastCalledWith("acct-2");
    answer(1, ok("one's, late"));
    await slow;
    expect(poller.value).toBeNull();
    expect(poller.loading).toBe(true);
    answer(2, ok("two's"));
    await other;
    expect(poller.value).toBe("two's");
    poller.hide();
  });

  it("takes a value put as the latest read, and drops a read sent before it", async () => {
    const { read, answer } = answering();
    const heard: string[] = [];
    const poller = new Poller(read, now, (v) => heard.push(v));
    poller.put("before any show");
    expect(poller.value).toBeNull();

    const first = poller.show("acct-1", EVERY);
    answer(0, ok("read"));
    await first;
    const stale = poller.refresh();
    clock = 4_000;
    poller.put("after the action");
    expect([poller.value, poller.loadedAt]).toEqual(["after the action", 4_000]);
    answer(1, ok("from before the action"));
    await stale;
    expect(poller.value).toBe("after the action");
    expect(poller.loading).toBe(false);
    expect(heard).toEqual(["read", "after the action"]);

    const next = poller.refresh();
    answer(2, ok("fresh"));
    await next;
    expect(poller.value).toBe("fresh");
    poller.hide();
  });

  it("waits out a rate limit before reading on the timer again; refresh still asks", async () => {
    const read = replying(
      ok(),
      fail({ code: "rate_limited", message: "slow down", retry_after_ms: 25_000 }),
      ok(),
    );
    const poller = new Poller(read, () => Date.now());
    await poller.show("acct-1", EVERY);
    await vi.advanceTimersByTimeAsync(EVERY);
    expect(read).toHaveBeenCalledTimes(2);
    expect(poller.error).toBe("slow down");
    // 20 s after the refusal is before its 25 s are up: no timed read.
    await vi.advanceTimersByTimeAsync(EVERY * 2);
    expect(read).toHaveBeenCalledTimes(2);
    await poller.refresh();
    expect(read).toHaveBeenCalledTimes(3);
    expect(poller.error).toBeNull();
    poller.hide();
  });

  it("changes pace while shown, keeps a timer already at that pace, and waits for show", async () => {
    const read = replying(ok());
    const poller = new Poller(read, now);
    poller.setPeriod(1_000);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(read).not.toHaveBeenCalled();

    await poller.show("acct-1", EVERY);
    await vi.advanceTimersByTimeAsync(EVERY - 1);
    // Same pace: the reading 1 ms from now is not put off.
    poller.setPeriod(EVERY);
    await vi.advanceTimersByTimeAsync(1);
    expect(read).toHaveBeenCalledTimes(2);

    poller.setPeriod(1_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(read).toHaveBeenCalledTimes(5);

    poller.hide();
    poller.setPeriod(500);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(read).toHaveBeenCalledTimes(5);
  });
});

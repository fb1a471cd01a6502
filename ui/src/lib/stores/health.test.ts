import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError, LatencyStats, VenueHealth } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { HealthStore, lagLevel, type HealthApi } from "./health.svelte";

const row = (over: Partial<VenueHealth> = {}): VenueHealth => ({
  account: "demo",
  venue: "demo",
  feed_lag_ms: 120,
  last_order_rtt_ms: 80,
  clock_offset_ms: -3,
  ...over,
});

const stats: LatencyStats = { count: 2, p50_ms: 4, p99_ms: 9, max_ms: 9 };
const down: AppError = {
  code: "internal",
  message: "bridge gone",
  retryable: false,
  venue_code: null,
  field: null,
  retry_after_ms: null,
};

function api(...replies: Result<VenueHealth[], AppError>[]) {
  const venueHealth = vi.fn<HealthApi["venueHealth"]>();
  for (const r of replies) venueHealth.mockResolvedValueOnce(r);
  venueHealth.mockResolvedValue(replies.at(-1) ?? { status: "ok", data: [] });
  const orderLatency = vi.fn<HealthApi["orderLatency"]>().mockResolvedValue({
    status: "ok",
    data: stats,
  });
  return { venueHealth, orderLatency };
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("lagLevel", () => {
  it("is amber over 2 s and red over 10 s, and calm before the first event", () => {
    const cases: [number | null, string][] = [
      [null, "ok"],
      [0, "ok"],
      [2_000, "ok"],
      [2_001, "slow"],
      [10_000, "slow"],
      [10_001, "stale"],
    ];
    for (const [lag, level] of cases) expect(lagLevel(lag), String(lag)).toBe(level);
  });
});

describe("HealthStore", () => {
  it("reads at start and then every second until stopped", async () => {
    const a = api({ status: "ok", data: [row()] });
    const health = new HealthStore(a);
    await health.start(1_000);
    expect(health.rows).toEqual([row()]);
    expect(health.latency).toEqual(stats);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(a.venueHealth).toHaveBeenCalledTimes(4);
    health.stop();
    await vi.advanceTimersByTimeAsync(3_000);
    expect(a.venueHealth).toHaveBeenCalledTimes(4);
  });

  it("joins a read under way rather than sending another", async () => {
    const a = api();
    let answer: (r: Result<VenueHealth[], AppError>) => void = () => undefined;
    a.venueHealth.mockReset();
    a.venueHealth.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const health = new HealthStore(a);
    const first = health.refresh();
    const second = health.refresh();
    expect(a.venueHealth).toHaveBeenCalledTimes(1);
    answer({ status: "ok", data: [row({ account: "a1" })] });
    await Promise.all([first, second]);
    expect(health.rows.map((r) => r.account)).toEqual(["a1"]);
  });

  it("keeps the last rows when a read fails, and says why until a good one", async () => {
    const health = new HealthStore(
      api(
        { status: "ok", data: [row()] },
        { status: "error", error: down },
        {
          status: "ok",
          data: [row({ feed_lag_ms: 5 })],
        },
      ),
    );
    await health.refresh();
    await health.refresh();
    expect(health.rows).toEqual([row()]);
    expect(health.error).toBe("bridge gone");
    await health.refresh();
    expect(health.error).toBeNull();
    expect(health.rows[0]?.feed_lag_ms).toBe(5);
  });
});

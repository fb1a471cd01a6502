// @vitest-environment jsdom
// The LMEX tab in a DOM: when it is offered, what its panel shows, and when it reads.
// (A .svelte.test.ts file, so that props can be $state and change under a mounted component.)

import { createRawSnippet, flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError, LmexOverview, VenueId } from "../../bindings/bindings";
import { formatTime } from "../../format";
import type { Result } from "../../ipc/result";
import { LmexStore, REFRESH_EVERY_MS, type FetchLmexOverview } from "../../stores/lmex.svelte";
import type { TabId } from "../../tabs";
import { all, button, click, el, has, read, settle, text } from "../../../test/dom";
import { lmexDeadMan, lmexOverview } from "../../../test/fixtures";
import BottomTabs from "../BottomTabs.svelte";
import LmexPanel from "./LmexPanel.svelte";

// 10:00:00 UTC: funding was paid at 08:00 and is next paid at 16:00.
const NOW = Date.UTC(2026, 3, 2, 10, 0, 0);
const HOUR = 3_600_000;

let mounted: Record<string, unknown> | null = null;

beforeEach(() => {
  // Intervals and the clock are the test's; promises and zero-delay timeouts run as usual.
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
  vi.useRealTimers();
});

function snippet(testid: string) {
  return createRawSnippet(() => ({ render: () => `<p data-testid="${testid}">${testid}</p>` }));
}

describe("the LMEX tab", () => {
  function showTabs(venue: VenueId | undefined, active: TabId = "positions") {
    const onSelect = vi.fn();
    const props = $state({
      active,
      counts: {},
      venue,
      onSelect,
      positionsTab: snippet("positions-content"),
      ordersTab: snippet("orders-content"),
      fillsTab: snippet("fills-content"),
      lnmarketsTab: snippet("lnm-content"),
      lmexTab: snippet("lmex-content"),
    });
    mounted = mount(BottomTabs, { target: document.body, props });
    flushSync();
    return { props, onSelect };
  }

  it("appears only when the account on screen is on LMEX, and opens its panel", async () => {
    const { props, onSelect } = showTabs("demo");
    expect(has("tab-lmex")).toBe(false);
    props.venue = "ln_markets";
    flushSync();
    expect(has("tab-lmex")).toBe(false);
    expect(has("tab-lnmarkets")).toBe(true);

    props.venue = "lmex";
    flushSync();
    expect(text("tab-lmex")).toBe("LMEX");
    expect(has("tab-lnmarkets")).toBe(false);
    await click("tab-lmex");
    expect(onSelect).toHaveBeenCalledWith("lmex");
    props.active = "lmex";
    flushSync();
    expect(has("lmex-content")).toBe(true);
    expect(has("lnm-content")).toBe(false);
    expect(el("tab-lmex").getAttribute("aria-selected")).toBe("true");
  });

  it("gives way to Positions on another venue's account, and comes back with it", () => {
    const { props } = showTabs("lmex", "lmex");
    expect(has("lmex-content")).toBe(true);
    props.venue = "ln_markets";
    flushSync();
    expect(has("tab-lmex")).toBe(false);
    expect(has("lmex-content")).toBe(false);
    expect(has("positions-content")).toBe(true);
    expect(el("tab-positions").getAttribute("aria-selected")).toBe("true");
    props.venue = "lmex";
    flushSync();
    expect(has("lmex-content")).toBe(true);
  });
});

type Reply = Result<LmexOverview, AppError>;

const overview = lmexOverview(
  {
    funding_rate: "0.0001",
    // 5 h 59 min 58 s away.
    next_funding_at: NOW + 6 * HOUR - 2_000,
    funding_interval_minutes: 480,
    leverage: "20",
    margin_mode: "CROSS",
  },
  [
    { time: Date.UTC(2026, 3, 2, 8, 0), rate: "0.0001" },
    { time: Date.UTC(2026, 3, 2, 0, 0), rate: "-0.000025" },
    { time: Date.UTC(2026, 3, 1, 16, 0), rate: "0" },
  ],
);

function refused(message: string, code: AppError["code"] = "network"): Reply {
  return {
    status: "error",
    error: { code, message, retryable: true, venue_code: null, field: null, retry_after_ms: null },
  };
}

interface PanelSetup {
  replies?: Reply[];
  symbol?: string | null;
}

function showPanel(setup: PanelSetup = {}) {
  const replies = setup.replies ?? [{ status: "ok", data: overview }];
  let i = 0;
  const fetch = vi.fn<FetchLmexOverview>(() => {
    const reply = replies[Math.min(i++, replies.length - 1)];
    return reply ? Promise.resolve(reply) : Promise.reject(new Error("no reply"));
  });
  const store = new LmexStore(fetch);
  const props = $state({
    store,
    account: "lmex-1",
    symbol: setup.symbol === undefined ? "BTC-PERP" : setup.symbol,
  });
  mounted = mount(LmexPanel, { target: document.body, props });
  flushSync();
  return { fetch, store, props };
}

/** A table row's cells as they read. */
function cells(testid: string): string[][] {
  return all(testid).map((row) => [...row.children].map((cell) => read(cell)));
}

async function loaded(): Promise<void> {
  await settle();
  flushSync();
}

/** Lets the panel's clock tick `ms` on. */
function tick(ms: number): void {
  vi.advanceTimersByTime(ms);
  flushSync();
}

describe("LmexPanel", () => {
  it("reads the account's overview for the symbol on screen and shows the contract", async () => {
    const { fetch } = showPanel();
    expect(fetch).toHaveBeenCalledWith("lmex-1", "BTC-PERP");
    expect(text("lmex-refresh")).toBe("Loading…");
    expect(text("lmex-contract-size")).toBe("—");
    await loaded();
    expect(text("lmex-updated")).toBe(`Updated ${formatTime(NOW)}`);

    expect(text("lmex-contract-size")).toBe("1 contract = 0.0001 BTC");
    expect(text("lmex-tick")).toBe("0.5");
    expect(text("lmex-size-limits")).toBe("1 – 1,000,000 contracts");
    expect(text("lmex-settle")).toBe("USDT");
    expect(el("lmex-contract").contains(el("lmex-contract-size"))).toBe(true);

    expect(text("lmex-leverage")).toBe("20×");
    expect(text("lmex-margin-mode")).toBe("Cross");
  });

  it("shows the funding rate by its sign, counts down to the next funding, and lists past rates in UTC", async () => {
    const { store } = showPanel({
      replies: [
        { status: "ok", data: overview },
        { status: "ok", data: { ...overview, funding_rate: "-0.00015" } },
      ],
    });
    await loaded();
    expect(text("lmex-funding-rate")).toBe("0.0100%");
    expect(el("lmex-funding-rate").classList.contains("up")).toBe(true);
    expect(text("lmex-funding-interval")).toBe("every 8 h");
    expect(text("lmex-funding-countdown")).toBe("5:59:58");
    tick(1000);
    expect(text("lmex-funding-countdown")).toBe("5:59:57");
    tick(3000);
    expect(text("lmex-funding-countdown")).toBe("5:59:54");

    expect(cells("lmex-funding-row")).toEqual([
      ["04-02 08:00", "0.0100%"],
      ["04-02 00:00", "-0.0025%"],
      ["04-01 16:00", "0.0000%"],
    ]);
    const rates = all("lmex-funding-row").map((row) => row.children[1]?.className ?? "");
    expect(rates.map((c) => [c.includes("up"), c.includes("down")])).toEqual([
      [true, false],
      [false, true],
      [false, false],
    ]);

    await store.refresh();
    flushSync();
    expect(text("lmex-funding-rate")).toBe("-0.0150%");
    expect(el("lmex-funding-rate").classList.contains("down")).toBe(true);
  });

  it("shows dashes where the venue gives no funding", async () => {
    showPanel({
      replies: [
        {
          status: "ok",
          data: lmexOverview({
            funding_rate: null,
            next_funding_at: null,
            funding_interval_minutes: null,
            leverage: null,
            margin_mode: null,
          }),
        },
      ],
    });
    await loaded();
    expect(text("lmex-funding-rate")).toBe("—");
    expect(text("lmex-funding-countdown")).toBe("—");
    expect(text("lmex-funding-interval")).toBe("—");
    expect(text("lmex-leverage")).toBe("—");
    expect(text("lmex-margin-mode")).toBe("—");
    expect(has("lmex-funding-row")).toBe(false);
    expect(read(el("lmex-funding").querySelector(".empty"))).toBe("No funding yet");
  });

  it("says the dead-man switch is off, and where to set it", async () => {
    showPanel();
    await loaded();
    expect(el("lmex-dead-man").dataset["state"]).toBe("off");
    expect(text("lmex-dead-man-summary")).toBe("Off — set it in Settings → the account");
    expect(has("lmex-dead-man-rearm")).toBe(false);
    expect(has("lmex-dead-man-error")).toBe(false);
  });

  it("says what the armed switch does and counts up from its last re-arm", async () => {
    const armed = lmexOverview({
      dead_man: lmexDeadMan({ timeout_s: 30, armed_at: NOW - 3_000 }),
    });
    showPanel({ replies: [{ status: "ok", data: armed }] });
    await loaded();
    expect(el("lmex-dead-man").dataset["state"]).toBe("armed");
    expect(text("lmex-dead-man-summary")).toBe("Armed: cancels all orders after 30 s of silence");
    expect(text("lmex-dead-man-rearm")).toBe("re-armed 3 s ago");
    tick(1000);
    expect(text("lmex-dead-man-rearm")).toBe("re-armed 4 s ago");
    expect(has("lmex-dead-man-error")).toBe(false);
  });

  it("shows why the last re-arm failed, in the error colour, instead of when it last worked", async () => {
    const failing = lmexOverview({
      dead_man: lmexDeadMan({
        timeout_s: 30,
        armed_at: NOW - 45_000,
        last_error: "Too many requests (venue code 429)",
      }),
    });
    showPanel({ replies: [{ status: "ok", data: failing }] });
    await loaded();
    expect(text("lmex-dead-man-summary")).toBe("Armed: cancels all orders after 30 s of silence");
    expect(text("lmex-dead-man-error")).toBe(
      "Last re-arm failed: Too many requests (venue code 429)",
    );
    expect(el("lmex-dead-man-error").classList.contains("error")).toBe(true);
    expect(has("lmex-dead-man-rearm")).toBe(false);
  });

  it("keeps what it showed when a read fails, and says since when", async () => {
    const armed = lmexOverview(
      { dead_man: lmexDeadMan({ timeout_s: 30, armed_at: NOW - 1_000 }) },
      overview.funding_history,
    );
    const { fetch } = showPanel({
      replies: [{ status: "ok", data: armed }, refused("connection reset")],
    });
    await loaded();
    vi.setSystemTime(NOW + 5 * 60_000);
    await click("lmex-refresh");
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(text("lmex-error")).toBe(
      `Refresh failed: connection reset. Showing data from ${formatTime(NOW)}.`,
    );
    expect(text("lmex-contract-size")).toBe("1 contract = 0.0001 BTC");
    expect(text("lmex-leverage")).toBe("20×");
    expect(all("lmex-funding-row")).toHaveLength(3);
    expect(text("lmex-dead-man-summary")).toBe("Armed: cancels all orders after 30 s of silence");
  });

  it("says so when the first read fails", async () => {
    showPanel({ replies: [refused("Not an LMEX account", "unsupported")] });
    await loaded();
    expect(text("lmex-error")).toBe("Could not load: Not an LMEX account");
    expect(read(el("lmex-funding").querySelector(".empty"))).toBe("Not loaded");
    expect(text("lmex-contract-size")).toBe("—");
    expect(button("lmex-refresh").disabled).toBe(false);
  });

  it("reads every 10 s while open and stops when closed", async () => {
    const { fetch } = showPanel();
    await loaded();
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(3);
    if (mounted !== null) await unmount(mounted);
    mounted = null;
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS * 3);
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it("reads the new symbol when the instrument changes, and waits for one without", async () => {
    const eth = lmexOverview({ symbol: "ETH-PERP", contract_size: "0.01", base: "ETH" });
    const { fetch, props } = showPanel({
      replies: [
        { status: "ok", data: overview },
        { status: "ok", data: eth },
      ],
    });
    await loaded();
    props.symbol = "ETH-PERP";
    flushSync();
    expect(fetch).toHaveBeenLastCalledWith("lmex-1", "ETH-PERP");
    expect(text("lmex-contract-size")).toBe("—");
    await loaded();
    expect(text("lmex-contract-size")).toBe("1 contract = 0.01 ETH");

    props.symbol = null;
    flushSync();
    expect(has("lmex-no-instrument")).toBe(true);
    expect(has("lmex-refresh")).toBe(false);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS * 3);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

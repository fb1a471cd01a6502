// @vitest-environment jsdom
// The LN Markets tab in a DOM: when it is offered, what its panel shows, and when it reads.
// (A .svelte.test.ts file, so that props can be $state and change under a mounted component.)

import { createRawSnippet, flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AppError, LnmOverview, Position, Ticker, VenueId } from "../../bindings/bindings";
import { formatDateTime } from "../../format";
import type { Result } from "../../ipc/result";
import {
  LnMarketsStore,
  REFRESH_EVERY_MS,
  type FetchOverview,
} from "../../stores/lnmarkets.svelte";
import { LnWalletStore, type WalletApi } from "../../stores/lnwallet.svelte";
import { Toasts } from "../../stores/toasts.svelte";
import { all, button, click, el, has, read, settle, text } from "../../../test/dom";
import {
  fundingFee,
  leader,
  lnmOverview,
  lnmPerp,
  position,
  settlement,
} from "../../../test/fixtures";
import type { TabId } from "../../tabs";
import BottomTabs from "../BottomTabs.svelte";
import LnMarketsPanel from "./LnMarketsPanel.svelte";

const NOW = new Date(2026, 3, 2, 10, 0, 0).getTime();
const lnm = lnmPerp();

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

describe("the LN Markets tab", () => {
  function showTabs(venue: VenueId | undefined, active: TabId = "positions") {
    const onSelect = vi.fn();
    const props = $state({
      active,
      counts: { positions: 1 },
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

  it("appears when the account on screen is on LN Markets, and opens its panel", async () => {
    const { props, onSelect } = showTabs("demo");
    expect(has("tab-lnmarkets")).toBe(false);
    props.venue = "ln_markets";
    flushSync();
    expect(text("tab-lnmarkets")).toBe("LN Markets");
    await click("tab-lnmarkets");
    expect(onSelect).toHaveBeenCalledWith("lnmarkets");
    props.active = "lnmarkets";
    flushSync();
    expect(has("lnm-content")).toBe(true);
    expect(el("tab-lnmarkets").getAttribute("aria-selected")).toBe("true");
  });

  it("gives way to Positions when the account changes to another venue", () => {
    const { props } = showTabs("ln_markets", "lnmarkets");
    expect(has("lnm-content")).toBe(true);
    props.venue = "demo";
    flushSync();
    expect(has("tab-lnmarkets")).toBe(false);
    expect(has("lnm-content")).toBe(false);
    expect(has("positions-content")).toBe(true);
    expect(el("tab-positions").getAttribute("aria-selected")).toBe("true");
  });
});

type Reply = Result<LnmOverview, AppError>;

const overview = lnmOverview({
  settlements: [
    settlement({ time: NOW - 3_600_000, funding_rate: "0.0001", fixing_price: "90000" }),
    settlement({ time: NOW - 8 * 3_600_000, funding_rate: "-0.00005", fixing_price: "89500.5" }),
  ],
  fees: [
    fundingFee({ time: NOW - 3_600_000, fee: "0.00000111" }),
    fundingFee({ time: NOW - 8 * 3_600_000, trade_id: null, fee: "-0.0000005" }),
  ],
  leaderboard: [
    leader(1, { username: "satoshi", pl: "0.0123" }),
    leader(2, { username: "hal", pl: "-0.00001" }),
    leader(3, { username: "nick", pl: "0.000005" }),
  ],
  not_offered: ["Options: gone with v2.", "Volatility index: also v2-only."],
});

// 3 h 12 min 5 s to the next funding, at 0.01 % with the index at 90,000.
const ticker: Ticker = {
  instrument: lnm.id,
  last: "90010",
  bid: "90005",
  ask: "90010",
  mark: "90008",
  index: "90000",
  funding_rate: "0.0001",
  next_funding_at: NOW + (3 * 3600 + 12 * 60 + 5) * 1000,
  volume_24h: null,
  ts: NOW,
};

interface PanelSetup {
  replies?: Reply[];
  positions?: Position[];
  ticker?: Ticker | null;
}

function showPanel(setup: PanelSetup = {}) {
  const replies = setup.replies ?? [{ status: "ok", data: overview }];
  let i = 0;
  const fetch = vi.fn<FetchOverview>(() => {
    const reply = replies[Math.min(i++, replies.length - 1)];
    return reply ? Promise.resolve(reply) : Promise.reject(new Error("no reply"));
  });
  const store = new LnMarketsStore(fetch);
  // The wallet view stays closed here: its store must not be asked for anything.
  const never = () => Promise.reject(new Error("the wallet was read"));
  const walletApi: WalletApi = {
    wallet: vi.fn(never),
    depositLightning: vi.fn(never),
    invoiceAmount: vi.fn(never),
    withdraw: vi.fn(never),
  };
  const wallet = new LnWalletStore(walletApi, new Toasts({ timers: false }));
  const props = $state({
    store,
    wallet,
    account: "lnm-1",
    ticker: setup.ticker === undefined ? ticker : setup.ticker,
    instrument: lnm,
    positions: setup.positions ?? [],
  });
  mounted = mount(LnMarketsPanel, { target: document.body, props });
  flushSync();
  return { fetch, store, props, walletApi };
}

/** A table row's cells as they read. */
function cells(testid: string): string[][] {
  return all(testid).map((row) => [...row.children].map((cell) => read(cell)));
}

async function loaded(): Promise<void> {
  await settle();
  flushSync();
}

describe("LnMarketsPanel", () => {
  it("reads the account's overview when opened and lists it", async () => {
    const { fetch } = showPanel();
    expect(fetch).toHaveBeenCalledWith("lnm-1");
    expect(text("lnm-refresh")).toBe("Loading…");
    await loaded();
    expect(text("lnm-updated")).toBe("Updated 10:00:00");

    expect(cells("lnm-settlement-row")).toEqual([
      [formatDateTime(NOW - 3_600_000), "0.0100%", "90,000.0"],
      [formatDateTime(NOW - 8 * 3_600_000), "-0.0050%", "89,500.5"],
    ]);
    expect(all("lnm-settlement-row")[1]?.children[1]?.classList.contains("down")).toBe(true);

    const fees = all("lnm-fee-row");
    expect(cells("lnm-fee-row")).toEqual([
      [formatDateTime(NOW - 3_600_000), "b7c1e9a4…", "-111"],
      [formatDateTime(NOW - 8 * 3_600_000), "—", "+50"],
    ]);
    expect(fees[0]?.children[2]?.classList.contains("down")).toBe(true);
    expect(fees[1]?.children[2]?.classList.contains("up")).toBe(true);
    expect(fees[0]?.children[1]?.getAttribute("title")).toBe(
      "b7c1e9a4-52d3-4f0e-9a61-0c2f7d3e8b15",
    );
    expect(cells("lnm-fee-totals")).toEqual([["Net (paid 111, received 50)", "-61"]]);
    expect(el("lnm-fee-net").classList.contains("down")).toBe(true);

    expect(cells("lnm-leader-row")).toEqual([
      ["1", "satoshi", "+1,230,000"],
      ["2", "hal", "-1,000"],
      ["3", "nick", "+500"],
    ]);

    expect(all("lnm-not-offered-line").map((l) => read(l))).toEqual([
      "Options: gone with v2.",
      "Volatility index: also v2-only.",
    ]);
    expect(text("lnm-units")).toBe("Quantities are USD contracts; margin and P&L are in sats.");
    expect(el("lnm-units").closest("[data-testid=lnm-not-offered]")).not.toBeNull();
  });

  it("shows the live rate, counts down to the next funding, and what each position pays", async () => {
    showPanel({
      positions: [
        position({ instrument: lnm.id, side: "long", size: "10000" }),
        position({ instrument: lnm.id, side: "short", size: "2500" }),
        // Another instrument's position is not this market's funding.
        position({ side: "long", size: "99999" }),
      ],
    });
    await loaded();
    expect(text("lnm-funding-rate")).toBe("0.0100%");
    expect(text("lnm-funding-countdown")).toBe("3:12:05");
    vi.advanceTimersByTime(1000);
    flushSync();
    expect(text("lnm-funding-countdown")).toBe("3:12:04");

    // 10,000 / 90,000 × 0.0001 BTC = 1,111.1 sats; 2,500 / 90,000 × 0.0001 = 277.8 sats.
    const estimates = all("lnm-funding-estimate");
    expect(estimates.map((e) => [e.dataset["side"], read(e)])).toEqual([
      ["long", "pays 1,111 sats"],
      ["short", "receives 278 sats"],
    ]);
    expect(estimates[0]?.classList.contains("down")).toBe(true);
    expect(estimates[1]?.classList.contains("up")).toBe(true);
  });

  it("says there is nothing to pay without a position, and shows dashes without a ticker", async () => {
    showPanel({ ticker: null });
    await loaded();
    expect(text("lnm-funding-rate")).toBe("—");
    expect(text("lnm-funding-countdown")).toBe("—");
    expect(has("lnm-funding-estimate")).toBe(false);
    expect(has("lnm-funding-estimate-none")).toBe(true);
  });

  it("keeps what it showed when a refresh fails, and says since when", async () => {
    const { fetch } = showPanel({
      replies: [
        { status: "ok", data: overview },
        {
          status: "error",
          error: {
            code: "rate_limited",
            message: "Too many requests",
            retryable: true,
            venue_code: null,
            field: null,
            retry_after_ms: 30_000,
          },
        },
      ],
    });
    await loaded();
    vi.setSystemTime(NOW + 5 * 60_000);
    await click("lnm-refresh");
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(text("lnm-error")).toBe(
      "Refresh failed: Too many requests. Showing data from 10:00:00.",
    );
    expect(all("lnm-settlement-row")).toHaveLength(2);
    expect(all("lnm-leader-row")).toHaveLength(3);
  });

  it("says so when the first read fails", async () => {
    showPanel({
      replies: [
        {
          status: "error",
          error: {
            code: "unsupported",
            message: "Not an LN Markets account",
            retryable: false,
            venue_code: null,
            field: null,
            retry_after_ms: null,
          },
        },
      ],
    });
    await loaded();
    expect(text("lnm-error")).toBe("Could not load: Not an LN Markets account");
    expect(read(el("lnm-panel").querySelector(".empty"))).toBe("Not loaded");
    expect(button("lnm-refresh").disabled).toBe(false);
  });

  it("reads every minute while open and stops when closed", async () => {
    const { fetch } = showPanel();
    await loaded();
    expect(fetch).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS);
    expect(fetch).toHaveBeenCalledTimes(2);
    if (mounted !== null) await unmount(mounted);
    mounted = null;
    await vi.advanceTimersByTimeAsync(REFRESH_EVERY_MS * 3);
    expect(fetch).toHaveBeenCalledTimes(2);
  });
});

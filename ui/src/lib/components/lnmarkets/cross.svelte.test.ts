// @vitest-environment jsdom
// The LN Markets cross-margin view in a DOM: what it shows of the cross account, a transfer from
// amount through confirmation to the venue's answer, an unknown outcome, and the leverage.

import { type InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { LnmCross_Serialize, Ticker } from "../../bindings/bindings";
import { formatDateMinute, formatDateTime } from "../../format";
import { lnmCross as readCross, lnmCrossLeverage, lnmCrossTransfer } from "../../ipc/lnmarkets";
import { LnCrossStore, REFRESH_MS, type CrossApi } from "../../stores/lncross.svelte";
import { LnMarketsStore, type FetchOverview } from "../../stores/lnmarkets.svelte";
import { LnWalletStore } from "../../stores/lnwallet.svelte";
import { Toasts } from "../../stores/toasts.svelte";
import type { LnmView } from "../../tabs";
import { fakeCrossApi, lnmCross } from "../../../test/cross";
import { all, button, click, el, has, input, read, settle, text, type } from "../../../test/dom";
import { lnmOverview, lnmPerp } from "../../../test/fixtures";
import { fail, fakeWalletApi } from "../../../test/wallet";
import LnMarketsPanel from "./LnMarketsPanel.svelte";

const NOW = new Date(2026, 3, 2, 10, 0, 0).getTime();
const lnm = lnmPerp();

// BTC at 90,000 USD: 200,000 sats are 180.00 USD.
const ticker: Ticker = {
  instrument: lnm.id,
  last: "90000",
  bid: "89995",
  ask: "90000",
  mark: "90000",
  index: "90000",
  funding_rate: "0.0001",
  next_funding_at: NOW + 3_600_000,
  volume_24h: null,
  ts: NOW,
};

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
  clearMocks();
  vi.useRealTimers();
});

async function loaded(): Promise<void> {
  await settle();
  flushSync();
}

/** The cells of the rows with `testid`, as they read. */
function cells(testid: string): string[][] {
  return all(testid).map((row) => [...row.children].map((cell) => read(cell)));
}

interface CrossSetup {
  api?: CrossApi;
  views?: LnmCross_Serialize[];
  view?: LnmView;
  /** Leave the cross store out, as a panel made without one. */
  withoutCross?: boolean;
}

function showCross(setup: CrossSetup = {}) {
  const fake = fakeCrossApi(setup.views);
  const toasts = new Toasts({ timers: false });
  const cross = new LnCrossStore(setup.api ?? fake, toasts);
  const overviewFetch = vi.fn<FetchOverview>(() =>
    Promise.resolve({ status: "ok", data: lnmOverview() }),
  );
  const walletApi = fakeWalletApi();
  const props = $state({
    store: new LnMarketsStore(overviewFetch),
    wallet: new LnWalletStore(walletApi, toasts),
    cross: setup.withoutCross === true ? undefined : cross,
    account: "lnm-1",
    ticker,
    instrument: lnm,
    positions: [],
    view: setup.view ?? "cross",
  });
  mounted = mount(LnMarketsPanel, { target: document.body, props });
  flushSync();
  return { fake, toasts, cross, overviewFetch, walletApi, props };
}

/** Types `amount` and asks to move it `direction`. */
async function review(amount: string, direction: "deposit" | "withdraw"): Promise<void> {
  type("lnm-cross-amount", amount);
  await click(`lnm-cross-${direction}`);
}

describe("the Cross margin view", () => {
  it("opens from the LN Markets tab and reads the cross account, not the overview", async () => {
    const { fake, overviewFetch, walletApi } = showCross({ view: "overview" });
    await loaded();
    expect(text("lnm-view-cross")).toBe("Cross margin");
    expect(fake.cross).not.toHaveBeenCalled();
    expect(has("lnm-cross")).toBe(false);

    await click("lnm-view-cross");
    await loaded();
    expect(has("lnm-cross")).toBe(true);
    expect(has("lnm-overview")).toBe(false);
    expect(el("lnm-view-cross").getAttribute("aria-selected")).toBe("true");
    expect(fake.cross).toHaveBeenCalledWith("lnm-1");
    expect(text("cross-updated")).toBe("Updated 10:00:00");
    await vi.advanceTimersByTimeAsync(REFRESH_MS);
    expect(fake.cross).toHaveBeenCalledTimes(2);
    expect(overviewFetch).toHaveBeenCalledTimes(1);
    expect(walletApi.wallet).not.toHaveBeenCalled();

    // Off screen, no more reads.
    await click("lnm-view-wallet");
    await vi.advanceTimersByTimeAsync(REFRESH_MS * 3);
    expect(walletApi.wallet).toHaveBeenCalled();
    expect(fake.cross).toHaveBeenCalledTimes(2);
  });

  it("is not offered by a panel given no cross account", async () => {
    showCross({ view: "overview", withoutCross: true });
    await loaded();
    expect(has("lnm-view-wallet")).toBe(true);
    expect(has("lnm-view-cross")).toBe(false);
  });

  it("shows the wallet, position, prices, margins, P&L and fees, with USD values", async () => {
    showCross();
    await loaded();
    expect(text("lnm-cross")).toContain(
      "Trade cross margin on BTC/USD-CROSS: the ticket, chart and positions work as usual; its margin is this wallet.",
    );
    expect(text("lnm-cross-margin")).toBe("200,000 sats ≈ 180.00 USD");
    expect(text("lnm-cross-position")).toBe("Short 1,000 contracts");
    expect(el("lnm-cross-position").querySelector(".down")).not.toBeNull();
    expect(text("lnm-cross-leverage")).toBe("10×");
    expect(text("lnm-cross-entry")).toBe("90,000.0");
    expect(text("lnm-cross-liquidation")).toBe("105,000.5");
    expect(text("lnm-cross-used")).toBe("11,111 / 5,556 sats");
    expect(text("lnm-cross-running")).toBe("201,500 sats ≈ 181.35 USD");
    expect(text("lnm-cross-upnl")).toBe("+1,500 sats ≈ 1.35 USD");
    expect(el("lnm-cross-upnl").classList.contains("up")).toBe(true);
    expect(text("lnm-cross-realized")).toBe("-2,300 sats ≈ -2.07 USD");
    expect(el("lnm-cross-realized").classList.contains("down")).toBe(true);
    expect(text("lnm-cross-fees")).toBe("450 trading / 12 funding sats");

    expect(cells("lnm-cross-transfer-row")).toEqual([
      [formatDateMinute(1_700_000_000_000), "Deposit", "+200,000"],
    ]);
    expect(all("lnm-cross-transfer-row")[0]?.children[0]?.getAttribute("title")).toBe(
      formatDateTime(1_700_000_000_000),
    );
    expect(cells("lnm-fee-row")).toEqual([[formatDateTime(1_700_000_000_000), "c3d2e1f0…", "-12"]]);
  });

  it("says when there is no position, and shows no USD without a BTC/USD price", async () => {
    const { props } = showCross({
      views: [lnmCross({ quantity: 0, entry_price: null, liquidation: null, transfers: [] })],
    });
    props.ticker = { ...ticker, last: null };
    await loaded();
    expect(text("lnm-cross-position")).toBe("None");
    expect(text("lnm-cross-entry")).toBe("—");
    expect(text("lnm-cross-margin")).toBe("200,000 sats");
    expect(has("lnm-cross-margin-usd")).toBe(false);
    expect(cells("lnm-cross-transfer-row")).toEqual([]);
    expect(text("lnm-cross-transfers")).toContain("No transfers yet");
  });
});

describe("a cross transfer", () => {
  it("repeats the deposit before sending it, and cancel sends nothing", async () => {
    const { fake } = showCross();
    await loaded();
    expect(button("lnm-cross-deposit").disabled).toBe(true);
    await review("50000", "deposit");
    expect(has("lnm-cross-amount")).toBe(false);
    expect(text("lnm-cross-confirm")).toBe("Deposit 50,000 sats");
    expect(text("lnm-cross-confirm-amount")).toBe("50,000 sats ≈ 45.00 USD");
    expect(text("lnm-cross-confirm-step")).toContain("From Account balance To Cross wallet");
    expect(document.activeElement).toBe(el("lnm-cross-cancel"));

    await click("lnm-cross-cancel");
    expect(has("lnm-cross-confirm")).toBe(false);
    expect(input("lnm-cross-amount").value).toBe("50000");
    expect(fake.transfer).not.toHaveBeenCalled();
  });

  it("sends a deposit once, even when confirm is clicked twice, and shows the answer", async () => {
    const { fake, toasts } = showCross();
    await loaded();
    await review("50,000", "deposit");
    const confirm = button("lnm-cross-confirm");
    confirm.click();
    flushSync();
    expect(confirm.disabled).toBe(true);
    expect(text("lnm-cross-confirm")).toBe("Moving…");
    expect(button("lnm-cross-cancel").disabled).toBe(true);
    confirm.click();
    // Even a click the disabled button would swallow cannot get past the store.
    confirm.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    await loaded();
    expect(fake.transfer).toHaveBeenCalledTimes(1);
    expect(fake.transfer).toHaveBeenCalledWith("lnm-1", "deposit", 50_000);

    fake.answerTransfer({
      status: "ok",
      data: lnmCross({
        margin_sats: 250_000,
        available_sats: 950_000,
        transfers: [
          { id: "t-2", amount_sats: 50_000, time: NOW },
          { id: "t-1", amount_sats: 200_000, time: 1_700_000_000_000 },
        ],
      }),
    });
    await loaded();
    expect(has("lnm-cross-confirm-step")).toBe(false);
    expect(input("lnm-cross-amount").value).toBe("");
    expect(text("lnm-cross-margin")).toBe("250,000 sats ≈ 225.00 USD");
    expect(all("lnm-cross-transfer-row").map((r) => r.dataset["id"])).toEqual(["t-2", "t-1"]);
    expect(toasts.items.map((t) => t.title)).toEqual(["Moved 50,000 sats into cross margin"]);
    expect(fake.transfer).toHaveBeenCalledTimes(1);
  });

  it("refuses a withdrawal above the cross wallet before sending", async () => {
    const { fake } = showCross();
    await loaded();
    await review("200001", "withdraw");
    expect(text("lnm-cross-error")).toBe("More than the cross wallet holds (200,000 sats)");
    expect(has("lnm-cross-confirm-step")).toBe(false);
    expect(fake.transfer).not.toHaveBeenCalled();

    type("lnm-cross-amount", "200000");
    expect(has("lnm-cross-error")).toBe(false);
    await click("lnm-cross-withdraw");
    expect(text("lnm-cross-confirm")).toBe("Withdraw 200,000 sats");
    expect(text("lnm-cross-confirm-step")).toContain("From Cross wallet To Account balance");
  });

  it("says why an amount is no amount, and offers neither way", async () => {
    showCross();
    await loaded();
    type("lnm-cross-amount", "12.5");
    expect(text("lnm-cross-error")).toBe("Whole sats, like 25000");
    expect(button("lnm-cross-deposit").disabled).toBe(true);
    expect(button("lnm-cross-withdraw").disabled).toBe(true);
  });

  it("shows the venue's refusal next to the amount, and keeps it to fix", async () => {
    const { fake } = showCross();
    await loaded();
    await review("150000", "withdraw");
    await click("lnm-cross-confirm");
    fake.answerTransfer(fail({ code: "insufficient_funds", message: "Margin in use" }));
    await loaded();
    expect(text("lnm-cross-error")).toBe("Margin in use");
    expect(input("lnm-cross-amount").value).toBe("150000");
    expect(has("lnm-cross-problem")).toBe(false);
  });

  it("shows an unknown outcome prominently and offers the transfers list, not another try", async () => {
    const { fake } = showCross();
    await loaded();
    await review("50000", "deposit");
    await click("lnm-cross-confirm");
    fake.answerTransfer(
      fail({
        code: "network",
        message:
          "LN Markets did not confirm the transfer of 50000 sats (timed out); it may have happened",
      }),
    );
    await loaded();
    const problem = el("lnm-cross-problem");
    expect(problem.getAttribute("role")).toBe("alert");
    expect(read(problem)).toContain("Outcome unknown: this transfer may have happened.");
    expect(read(problem)).toContain("it may have happened");
    expect(read(problem)).toContain("Check the transfers list");
    expect([...problem.querySelectorAll("button")].map((b) => read(b))).toEqual([
      "Check transfers",
      "Dismiss",
    ]);
    expect(has("lnm-cross-confirm")).toBe(false);
    expect(input("lnm-cross-amount").value).toBe("");
    expect(button("lnm-cross-deposit").disabled).toBe(true);

    const reads = fake.cross.mock.calls.length;
    await click("lnm-cross-check-transfers");
    expect(fake.cross.mock.calls.length).toBe(reads + 1);
    expect(document.activeElement).toBe(el("lnm-cross-transfers"));
    await click("lnm-cross-dismiss");
    expect(has("lnm-cross-problem")).toBe(false);
    expect(fake.transfer).toHaveBeenCalledTimes(1);
  });

  it("goes to the venue as one lnm_cross_transfer command", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd: string, payload?: InvokeArgs) => {
      calls.push({ cmd, args: payload });
      return cmd === "lnm_cross_transfer" ? lnmCross({ margin_sats: 250_000 }) : lnmCross();
    });
    showCross({
      api: { cross: readCross, transfer: lnmCrossTransfer, leverage: lnmCrossLeverage },
    });
    await loaded();
    await review("50000", "deposit");
    button("lnm-cross-confirm").click();
    button("lnm-cross-confirm").click();
    await loaded();
    expect(calls).toEqual([
      { cmd: "lnm_cross", args: { account: "lnm-1" } },
      {
        cmd: "lnm_cross_transfer",
        args: { account: "lnm-1", direction: "deposit", amountSats: 50_000 },
      },
    ]);
    expect(text("lnm-cross-margin")).toBe("250,000 sats ≈ 225.00 USD");
  });
});

describe("the cross leverage", () => {
  it("refuses 0 and 2.5 here, without asking the venue", async () => {
    const { fake } = showCross();
    await loaded();
    for (const typed of ["0", "2.5"]) {
      type("lnm-cross-leverage-input", typed);
      expect(text("lnm-cross-leverage-error")).toBe("A whole number from 1 to 100");
      expect(button("lnm-cross-leverage-apply").disabled).toBe(true);
      await click("lnm-cross-leverage-apply");
    }
    expect(fake.leverage).not.toHaveBeenCalled();
  });

  it("sets 25 with one request and shows the leverage the venue answers", async () => {
    const { fake } = showCross();
    await loaded();
    type("lnm-cross-leverage-input", "25");
    expect(has("lnm-cross-leverage-error")).toBe(false);
    const apply = button("lnm-cross-leverage-apply");
    apply.click();
    flushSync();
    expect(apply.disabled).toBe(true);
    expect(text("lnm-cross-leverage-apply")).toBe("Setting…");
    apply.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    await loaded();
    expect(fake.leverage).toHaveBeenCalledTimes(1);
    expect(fake.leverage).toHaveBeenCalledWith("lnm-1", 25);

    fake.answerLeverage({ status: "ok", data: lnmCross({ leverage: 25 }) });
    await loaded();
    expect(text("lnm-cross-leverage")).toBe("25×");
    expect(input("lnm-cross-leverage-input").value).toBe("");
  });

  it("shows the venue's refusal of a leverage the margin cannot carry", async () => {
    const { fake } = showCross();
    await loaded();
    type("lnm-cross-leverage-input", "100");
    await click("lnm-cross-leverage-apply");
    fake.answerLeverage(
      fail({ code: "invalid_order", message: "Not enough margin for this leverage" }),
    );
    await loaded();
    expect(text("lnm-cross-leverage-error")).toBe("Not enough margin for this leverage");
    expect(text("lnm-cross-leverage")).toBe("10×");
    expect(input("lnm-cross-leverage-input").value).toBe("100");
  });
});

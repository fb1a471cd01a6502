// @vitest-environment jsdom
// The LN Markets wallet in a DOM: the QR codes it draws, a Lightning deposit from invoice to
// "Paid", the on-chain address, a withdrawal from draft through confirmation, and the history.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import type { LnmTransferRow_Serialize } from "../../bindings/bindings";
import { formatDateMinute, formatDateTime } from "../../format";
import { qrPath } from "../../qr";
import { LnMarketsStore, type FetchOverview } from "../../stores/lnmarkets.svelte";
import { LnWalletStore, WAITING_REFRESH_MS } from "../../stores/lnwallet.svelte";
import { Toasts } from "../../stores/toasts.svelte";
import type { LnmView } from "../../tabs";
import { all, button, click, el, has, input, read, settle, text, type } from "../../../test/dom";
import {
  DEPOSIT_ADDRESS,
  INVOICE_25K,
  lnmOverview,
  lnmPerp,
  qrCode,
  transferRow,
} from "../../../test/fixtures";
import { coveredCells, darkCells } from "../../../test/qr";
import { ADDRESS_OUT, INVOICE_500, NO_AMOUNT, fail, fakeWalletApi } from "../../../test/wallet";
import QrCode from "../QrCode.svelte";
import LnMarketsPanel from "./LnMarketsPanel.svelte";

const NOW = new Date(2026, 3, 2, 10, 0, 0).getTime();

let mounted: Record<string, unknown> | null = null;
let writeText: Mock<(text: string) => Promise<void>>;

beforeEach(() => {
  // Intervals and the clock are the test's; promises and zero-delay timeouts run as usual.
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(NOW);
  writeText = vi.fn(() => Promise.resolve());
  Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
});

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
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

describe("QrCode", () => {
  it("draws the dark modules as one path on white, with a quiet zone, at the size asked", () => {
    const qr = qrCode();
    mounted = mount(QrCode, { target: document.body, props: { qr, size: 130, label: "test" } });
    const svg = document.querySelector("svg");
    expect(svg?.getAttribute("width")).toBe("130");
    expect(svg?.getAttribute("height")).toBe("130");
    expect(svg?.getAttribute("viewBox")).toBe("0 0 13 13");
    expect(svg?.getAttribute("shape-rendering")).toBe("crispEdges");
    const rect = svg?.querySelector("rect");
    expect([rect?.getAttribute("width"), rect?.getAttribute("fill")]).toEqual(["13", "#fff"]);
    const paths = svg?.querySelectorAll("path") ?? [];
    expect(paths).toHaveLength(1);
    expect(paths[0]?.getAttribute("fill")).toBe("#000");
    expect(coveredCells(paths[0]?.getAttribute("d") ?? "")).toEqual(darkCells(qr.size, qr.modules));
  });

  it("draws no code at all from malformed modules", () => {
    mounted = mount(QrCode, {
      target: document.body,
      props: { qr: { size: 5, modules: "1101" }, label: "test", testid: "qr" },
    });
    expect(document.querySelector("svg")).toBeNull();
    expect(text("qr")).toBe("No QR code");
  });
});

interface WalletSetup {
  history?: LnmTransferRow_Serialize[][];
  view?: LnmView;
}

function showWallet(setup: WalletSetup = {}) {
  const api = fakeWalletApi();
  if (setup.history) api.history = setup.history;
  const toasts = new Toasts({ timers: false });
  const wallet = new LnWalletStore(api, toasts);
  const overviewFetch = vi.fn<FetchOverview>(() =>
    Promise.resolve({ status: "ok", data: lnmOverview() }),
  );
  const props = $state({
    store: new LnMarketsStore(overviewFetch),
    wallet,
    account: "lnm-1",
    ticker: null,
    instrument: lnmPerp(),
    positions: [],
    view: setup.view ?? "wallet",
  });
  mounted = mount(LnMarketsPanel, { target: document.body, props });
  flushSync();
  return { api, toasts, wallet, overviewFetch, props };
}

describe("the Wallet view", () => {
  it("opens from the LN Markets tab and reads the wallet, not the overview", async () => {
    const { api, overviewFetch } = showWallet({ view: "overview" });
    await loaded();
    expect(overviewFetch).toHaveBeenCalledTimes(1);
    expect(api.wallet).not.toHaveBeenCalled();
    expect(has("lnm-wallet")).toBe(false);

    await click("lnm-view-wallet");
    await loaded();
    expect(has("lnm-wallet")).toBe(true);
    expect(has("lnm-overview")).toBe(false);
    expect(el("lnm-view-wallet").getAttribute("aria-selected")).toBe("true");
    expect(api.wallet).toHaveBeenCalledWith("lnm-1");
    expect(text("wallet-updated")).toBe("Updated 10:00:00");
    await vi.advanceTimersByTimeAsync(60_000);
    expect(overviewFetch).toHaveBeenCalledTimes(1);
  });

  it("lists deposits and withdrawals, newest first, signed and with their destination", async () => {
    const invoiceOut = `lnbc1500n1pkestrel${"x".repeat(80)}endq`;
    showWallet({
      history: [
        [
          transferRow({
            id: "w-2",
            direction: "withdrawal",
            network: "on-chain",
            amount_sats: 120_000,
            fee_sats: 1_400,
            destination: ADDRESS_OUT,
            status: "confirmed",
            time: NOW - 60_000,
          }),
          transferRow({
            id: "w-1",
            direction: "withdrawal",
            network: "lightning",
            amount_sats: 150,
            fee_sats: 2,
            destination: invoiceOut,
            status: "paid",
            time: NOW - 120_000,
          }),
          transferRow({ id: "dep-1", status: "pending", time: NOW - 180_000 }),
        ],
      ],
    });
    await loaded();
    expect(cells("wallet-row")).toEqual([
      [
        formatDateMinute(NOW - 60_000),
        "Withdrawal",
        "On-chain",
        "−120,000",
        "1,400",
        "Confirmed",
        "tb1qwi…k3x9",
      ],
      [
        formatDateMinute(NOW - 120_000),
        "Withdrawal",
        "Lightning",
        "−150",
        "2",
        "Paid",
        "lnbc15…endq",
      ],
      [formatDateMinute(NOW - 180_000), "Deposit", "Lightning", "+25,000", "—", "Pending", "—"],
    ]);
    const rows = all("wallet-row");
    expect(rows[0]?.children[3]?.classList.contains("down")).toBe(true);
    expect(rows[2]?.children[3]?.classList.contains("up")).toBe(true);
    expect(rows[0]?.children[0]?.getAttribute("title")).toBe(formatDateTime(NOW - 60_000));
    expect(rows[0]?.children[6]?.getAttribute("title")).toBe(ADDRESS_OUT);
    expect(rows[1]?.children[6]?.getAttribute("title")).toBe(invoiceOut);
  });
});

describe("a Lightning deposit", () => {
  it("shows the invoice's QR and text, copies it, and says when it is paid", async () => {
    const { api, toasts } = showWallet({
      history: [
        [],
        [transferRow({ id: "dep-1", status: "pending" })],
        [transferRow({ id: "dep-1", status: "paid", amount_sats: 25_000 })],
      ],
    });
    await loaded();
    expect(button("create-invoice").disabled).toBe(true);
    type("field-deposit-amount", "25,000");
    expect(button("create-invoice").disabled).toBe(false);
    await click("create-invoice");
    expect(api.depositLightning).toHaveBeenCalledWith("lnm-1", 25_000);

    const path = el("deposit-qr").querySelector("path")?.getAttribute("d");
    expect(path).toBe(qrPath(qrCode()));
    const invoice = el("deposit-invoice-text");
    expect(invoice.getAttribute("title")).toBe(INVOICE_25K);
    expect(read(invoice)).toBe(`${INVOICE_25K.slice(0, 10)}…${INVOICE_25K.slice(-6)}`);
    expect(text("deposit-status")).toBe("Waiting for payment…");

    await click("copy-invoice");
    expect(writeText).toHaveBeenCalledWith(INVOICE_25K);
    expect(text("copy-invoice")).toBe("Copied");

    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS);
    flushSync();
    expect(text("deposit-status")).toBe("Waiting for payment…");
    await vi.advanceTimersByTimeAsync(WAITING_REFRESH_MS);
    flushSync();
    expect(text("deposit-status")).toBe("Paid ✓ 25,000 sats");
    expect(toasts.items.map((t) => t.title)).toEqual(["Received 25,000 sats"]);
    expect(api.wallet).toHaveBeenCalledTimes(3);

    // Another invoice starts from the amount, as typed last time.
    await click("deposit-new");
    expect(has("deposit-qr")).toBe(false);
    expect(input("field-deposit-amount").value).toBe("25,000");
  });

  it("shows the code larger on a click, until clicked again or Esc", async () => {
    showWallet();
    await loaded();
    type("field-deposit-amount", "25000");
    await click("create-invoice");
    expect(has("deposit-qr-zoomed")).toBe(false);
    await click("deposit-qr-enlarge");
    const big = el("deposit-qr-zoomed").querySelector("svg");
    // 13 modules a side with the quiet zone: 27 px each fits the 360 px at most.
    expect(big?.getAttribute("width")).toBe(String(13 * 27));
    expect(big?.querySelector("path")?.getAttribute("d")).toBe(qrPath(qrCode()));
    await click("deposit-qr-zoomed");
    expect(has("deposit-qr-zoomed")).toBe(false);
    await click("deposit-qr-enlarge");
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    flushSync();
    expect(has("deposit-qr-zoomed")).toBe(false);
  });

  it("says why an amount cannot be deposited", async () => {
    const { api } = showWallet();
    await loaded();
    type("field-deposit-amount", "12.5");
    expect(text("deposit-amount-error")).toBe("Whole sats, like 25000");
    expect(button("create-invoice").disabled).toBe(true);
    api.depositLightning.mockResolvedValueOnce(
      fail({ code: "invalid_order", field: "amount", message: "Below the venue's minimum" }),
    );
    type("field-deposit-amount", "1");
    await click("create-invoice");
    expect(text("deposit-error")).toBe("Below the venue's minimum");
    expect(has("deposit-qr")).toBe(false);
  });
});

describe("an on-chain deposit", () => {
  it("shows the address in full, its QR, and copies it", async () => {
    showWallet();
    await loaded();
    await click("deposit-kind-on-chain");
    expect(text("deposit-address")).toBe(DEPOSIT_ADDRESS);
    expect(el("deposit-address-qr").querySelector("path")?.getAttribute("d")).toBe(
      qrPath(qrCode()),
    );
    await click("copy-address");
    expect(writeText).toHaveBeenCalledWith(DEPOSIT_ADDRESS);
    expect(text("copy-address")).toBe("Copied");
  });

  it("says so when the clipboard refuses", async () => {
    showWallet();
    await loaded();
    await click("deposit-kind-on-chain");
    writeText.mockRejectedValueOnce(new Error("denied"));
    await click("copy-address");
    expect(text("copy-address")).toBe("Copy failed");
  });
});

/** Opens the withdraw pane of a freshly shown wallet. */
async function withdrawPane(): Promise<ReturnType<typeof showWallet>> {
  const shown = showWallet();
  await loaded();
  await click("wallet-action-withdraw");
  return shown;
}

describe("a withdrawal", () => {
  it("shows what a pasted invoice asks for", async () => {
    const { api } = await withdrawPane();
    expect(has("withdraw-invoice-amount")).toBe(false);
    type("field-withdraw-invoice", INVOICE_500);
    await loaded();
    expect(api.invoiceAmount).toHaveBeenCalledWith(INVOICE_500);
    expect(text("withdraw-invoice-amount")).toBe("500 sats (0.00000500 BTC)");
    expect(button("withdraw-review").disabled).toBe(false);
  });

  it("says when an invoice names no amount, and will not review it", async () => {
    await withdrawPane();
    type("field-withdraw-invoice", NO_AMOUNT);
    await loaded();
    expect(text("withdraw-invoice-amount")).toBe("No amount in this invoice");
    expect(button("withdraw-review").disabled).toBe(true);
    await click("withdraw-review");
    expect(has("withdraw-confirm-step")).toBe(false);
  });

  it("repeats the amount and the whole destination before sending, and cancel sends nothing", async () => {
    const { api } = await withdrawPane();
    type("field-withdraw-invoice", INVOICE_500);
    await loaded();
    await click("withdraw-review");
    expect(has("withdraw-form")).toBe(false);
    expect(text("withdraw-confirm-amount")).toBe("500 sats (0.00000500 BTC)");
    expect(text("withdraw-confirm-network")).toBe("Lightning");
    const destination = el("withdraw-confirm-destination");
    expect(read(destination)).toBe(INVOICE_500);
    expect(destination.classList.contains("text")).toBe(true);
    expect(text("withdraw-confirm")).toBe("Send 500 sats");
    expect(document.activeElement).toBe(el("withdraw-cancel"));
    // What is under review cannot change underneath it.
    expect(button("withdraw-kind-on-chain").disabled).toBe(true);

    await click("withdraw-cancel");
    expect(has("withdraw-confirm-step")).toBe(false);
    expect(input("field-withdraw-invoice").value).toBe(INVOICE_500);
    expect(api.withdraw).not.toHaveBeenCalled();
  });

  it("sends an on-chain withdrawal once, even when Send is clicked twice", async () => {
    const { api, toasts } = await withdrawPane();
    await click("withdraw-kind-on-chain");
    type("field-withdraw-address", ADDRESS_OUT);
    type("field-withdraw-amount", "500");
    await click("withdraw-review");
    expect(text("withdraw-confirm-destination")).toBe(ADDRESS_OUT);
    expect(text("withdraw-confirm-network")).toBe("On-chain");

    const send = button("withdraw-confirm");
    send.click();
    flushSync();
    expect(send.disabled).toBe(true);
    expect(text("withdraw-confirm")).toBe("Sending…");
    expect(button("withdraw-cancel").disabled).toBe(true);
    send.click();
    // Even a click the disabled button would swallow cannot get past the store.
    send.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    await loaded();
    expect(api.withdraw).toHaveBeenCalledTimes(1);
    expect(api.withdraw).toHaveBeenCalledWith("lnm-1", {
      kind: "on_chain",
      address: ADDRESS_OUT,
      amount_sats: 500,
    });

    api.answerWithdraw({ status: "ok", data: 500 });
    await loaded();
    expect(toasts.items.map((t) => t.title)).toEqual(["Sent 500 sats"]);
    expect(has("withdraw-confirm-step")).toBe(false);
    expect(input("field-withdraw-address").value).toBe("");
    expect(has("withdraw-error")).toBe(false);
  });

  it("shows an unknown outcome prominently and offers the history, not another try", async () => {
    const { api } = await withdrawPane();
    type("field-withdraw-invoice", INVOICE_500);
    await loaded();
    await click("withdraw-review");
    await click("withdraw-confirm");
    api.answerWithdraw(
      fail({
        code: "network",
        message: "LN Markets did not confirm the withdrawal (timed out); it may have been sent",
      }),
    );
    await loaded();
    const problem = el("withdraw-error");
    expect(problem.getAttribute("role")).toBe("alert");
    expect(read(problem)).toContain("Outcome unknown: this withdrawal may have been sent.");
    expect(read(problem)).toContain("it may have been sent");
    expect(has("withdraw-confirm")).toBe(false);
    expect(button("withdraw-review").disabled).toBe(true);
    expect(input("field-withdraw-invoice").value).toBe("");
    expect([...problem.querySelectorAll("button")].map((b) => read(b))).toEqual([
      "Check history",
      "Dismiss",
    ]);

    // Still in sight on the deposit pane.
    await click("wallet-action-deposit");
    expect(has("withdraw-check-history")).toBe(true);

    const reads = api.wallet.mock.calls.length;
    await click("withdraw-check-history");
    expect(api.wallet.mock.calls.length).toBe(reads + 1);
    expect(document.activeElement).toBe(el("wallet-history"));
    expect(api.withdraw).toHaveBeenCalledTimes(1);
  });

  it("shows a refusal and keeps the draft to fix", async () => {
    const { api } = await withdrawPane();
    await click("withdraw-kind-on-chain");
    type("field-withdraw-address", ADDRESS_OUT);
    type("field-withdraw-amount", "500");
    await click("withdraw-review");
    await click("withdraw-confirm");
    api.answerWithdraw(fail({ code: "insufficient_funds", message: "Not enough balance" }));
    await loaded();
    expect(read(el("withdraw-error").querySelector("p"))).toBe("Not enough balance");
    expect(has("withdraw-check-history")).toBe(false);
    expect(input("field-withdraw-amount").value).toBe("500");
    expect(button("withdraw-review").disabled).toBe(false);
  });
});

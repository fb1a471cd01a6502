import { describe, expect, it, vi } from "vitest";
import type { AppError, BulkOutcome } from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { BTC } from "../../test/fixtures";
import {
  NukeStore,
  cancelQuestion,
  closeQuestion,
  outcomeNotice,
  type NukeApi,
  type NukeRequest,
} from "./nuke.svelte";
import { Toasts } from "./toasts.svelte";

const outcome = (over: Partial<BulkOutcome> = {}): BulkOutcome => ({
  done: 3,
  unknown: 0,
  failed: [],
  ...over,
});

function setup(reply: Result<BulkOutcome, AppError> = { status: "ok", data: outcome() }) {
  const api = {
    cancelAllOrders: vi.fn<NukeApi["cancelAllOrders"]>().mockResolvedValue(reply),
    closeAllPositions: vi.fn<NukeApi["closeAllPositions"]>().mockResolvedValue(reply),
  };
  const toasts = new Toasts({ timers: false });
  return { api, toasts, nuke: new NukeStore(api, toasts) };
}

const cancelAll: NukeRequest = {
  kind: "cancel",
  account: "lnm1",
  instrument: null,
  question: cancelQuestion(3, "LNM trader"),
};

describe("the bulk actions' words", () => {
  it("name what will happen, counted", () => {
    expect(cancelQuestion(3, "LNM trader")).toBe("Cancel 3 working orders on LNM trader?");
    expect(cancelQuestion(1, "BTC-PERP (Demo)")).toBe("Cancel 1 working order on BTC-PERP (Demo)?");
    expect(closeQuestion(2, "Demo")).toBe("Close 2 positions at market on Demo?");
  });

  it("count the outcome and list each failure", () => {
    expect(outcomeNotice("cancel", outcome({ unknown: 1 }))).toEqual({
      kind: "warning",
      title: "Cancelled 3 · 1 unknown · 0 failed",
      detail: null,
    });
    expect(
      outcomeNotice("close", outcome({ done: 1, failed: ["ETH: rate limited", "XBT: no"] })),
    ).toEqual({
      kind: "error",
      title: "Closed 1 · 0 unknown · 2 failed",
      detail: "ETH: rate limited\nXBT: no",
    });
    expect(outcomeNotice("cancel", outcome()).kind).toBe("success");
  });
});

describe("NukeStore", () => {
  it("sends nothing until confirmed, then one request, and toasts the outcome", async () => {
    const { api, toasts, nuke } = setup();
    nuke.ask(cancelAll);
    expect(nuke.pending).toEqual(cancelAll);
    expect(api.cancelAllOrders).not.toHaveBeenCalled();
    await Promise.all([nuke.confirm(), nuke.confirm()]);
    expect(api.cancelAllOrders).toHaveBeenCalledTimes(1);
    expect(api.cancelAllOrders).toHaveBeenCalledWith("lnm1", null);
    expect(nuke.pending).toBeNull();
    expect(toasts.items.map((t) => t.title)).toEqual(["Cancelled 3 · 0 unknown · 0 failed"]);
  });

  it("sends nothing when dismissed", async () => {
    const { api, toasts, nuke } = setup();
    nuke.ask({ ...cancelAll, kind: "close", question: closeQuestion(1, "Demo") });
    nuke.dismiss();
    expect(await nuke.confirm()).toBeNull();
    expect(api.closeAllPositions).not.toHaveBeenCalled();
    expect(toasts.items).toEqual([]);
  });

  it("closes all under its own command, and runs a scoped cancel without asking", async () => {
    const { api, nuke } = setup();
    nuke.ask({ ...cancelAll, kind: "close" });
    await nuke.confirm();
    expect(api.closeAllPositions).toHaveBeenCalledExactlyOnceWith("lnm1");
    await nuke.run({ kind: "cancel", account: "demo", instrument: BTC });
    expect(api.cancelAllOrders).toHaveBeenCalledExactlyOnceWith("demo", BTC);
    expect(nuke.running).toBe(false);
  });

  it("toasts a refusal as an error", async () => {
    const error: AppError = {
      code: "network",
      message: "offline",
      retryable: true,
      venue_code: null,
      field: null,
      retry_after_ms: null,
    };
    const { toasts, nuke } = setup({ status: "error", error });
    nuke.ask(cancelAll);
    expect(await nuke.confirm()).toBeNull();
    expect(toasts.items.map((t) => [t.kind, t.title])).toEqual([
      ["error", "Cancel all: venue unreachable"],
    ]);
  });
});

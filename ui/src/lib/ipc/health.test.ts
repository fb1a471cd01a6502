// @vitest-environment jsdom
import { type InvokeArgs } from "@tauri-apps/api/core";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { afterEach, describe, expect, it } from "vitest";
import { BTC } from "../../test/fixtures";
import { orderLatency, venueHealth } from "./health";
import { cancelAllOrders, closeAllPositions } from "./orders";
import { saveKeymap } from "./settings";

function record(reply: (cmd: string) => unknown) {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd: string, payload?: InvokeArgs) => {
    calls.push({ cmd, args: payload ?? {} });
    return reply(cmd);
  });
  return calls;
}

afterEach(() => {
  clearMocks();
});

describe("health, bulk and keymap IPC", () => {
  it("reads venue health and latency under their commands", async () => {
    const calls = record((cmd) =>
      cmd === "venue_health" ? [{ account: "demo" }] : { count: 0, p50_ms: null },
    );
    expect(await venueHealth()).toEqual({ status: "ok", data: [{ account: "demo" }] });
    expect(await orderLatency()).toEqual({ status: "ok", data: { count: 0, p50_ms: null } });
    expect(calls.map((c) => c.cmd)).toEqual(["venue_health", "order_latency"]);
  });

  it("sends the bulk actions once each, scoped as asked", async () => {
    const outcome = { done: 1, unknown: 0, failed: [] };
    const calls = record(() => outcome);
    expect(await cancelAllOrders("demo", BTC)).toEqual({ status: "ok", data: outcome });
    await cancelAllOrders("demo", null);
    await closeAllPositions("demo");
    expect(calls).toEqual([
      { cmd: "cancel_all_orders", args: { account: "demo", instrument: BTC } },
      { cmd: "cancel_all_orders", args: { account: "demo", instrument: null } },
      { cmd: "close_all_positions", args: { account: "demo" } },
    ]);
  });

  it("saves the keymap as given", async () => {
    const calls = record(() => null);
    expect(await saveKeymap({ help: "F1", reverse: null })).toEqual({ status: "ok", data: null });
    expect(calls).toEqual([
      { cmd: "save_keymap", args: { keymap: { help: "F1", reverse: null } } },
    ]);
  });
});

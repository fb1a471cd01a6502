// @vitest-environment jsdom
// The footer's health and the Hotkeys settings section in a DOM.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { VenueHealth } from "../bindings/bindings";
import { DEFAULT_KEYMAP } from "../trading/hotkeys";
import { el, text } from "../../test/dom";
import HealthBar from "./HealthBar.svelte";
import HotkeySettings from "./settings/HotkeySettings.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function row(account: string, lag: number | null): VenueHealth {
  return {
    account,
    venue: "ln_markets",
    feed_lag_ms: lag,
    last_order_rtt_ms: 85,
    clock_offset_ms: -3,
  };
}

describe("HealthBar", () => {
  it("shows each account's lag, round trip and offset, amber over 2 s and red over 10 s", () => {
    mounted = mount(HealthBar, {
      target: document.body,
      props: {
        rows: [row("a1", 120), row("a2", 2_500), row("a3", 12_000)],
        labels: new Map([["a1", "LNM trader"]]),
        latency: null,
        error: null,
      },
    });
    flushSync();
    const a1 = el("health-a1");
    expect(a1.dataset).toMatchObject({ lag: "120", rtt: "85", offset: "-3", level: "ok" });
    expect(text("health-a1")).toBe("LN Markets lag 120 ms rtt 85 ms offset -3 ms");
    expect(el("health-a2").dataset["level"]).toBe("slow");
    expect(el("health-a3").dataset["level"]).toBe("stale");
    expect(el("footer-health").children).toHaveLength(3);
  });
});

describe("HotkeySettings", () => {
  it("rebinds the clicked action to the next key pressed, showing a refusal", async () => {
    const onRebind = vi.fn().mockResolvedValue("Already used by Sell market");
    const onReset = vi.fn().mockResolvedValue(null);
    mounted = mount(HotkeySettings, {
      target: document.body,
      props: { keymap: DEFAULT_KEYMAP, onRebind, onReset },
    });
    flushSync();
    expect(text("hotkey-buyMarket")).toBe("Shift+B");
    el("hotkey-buyMarket").click();
    flushSync();
    expect(text("hotkey-buyMarket")).toBe("Press keys…");
    el("hotkey-buyMarket").dispatchEvent(
      new KeyboardEvent("keydown", { key: "S", code: "KeyS", shiftKey: true, bubbles: true }),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
    expect(onRebind).toHaveBeenCalledExactlyOnceWith("buyMarket", {
      ctrl: false,
      alt: false,
      shift: true,
      meta: false,
      key: "S",
    });
    expect(text("hotkey-problem")).toBe("Already used by Sell market");
    el("hotkey-reset").click();
    expect(onReset).toHaveBeenCalledTimes(1);
  });
});

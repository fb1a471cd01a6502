// @vitest-environment jsdom
// The chart's timeframe picker: quick buttons, and a list for the rest.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Timeframe } from "../bindings/bindings";
import { all, button, click, el } from "../../test/dom";
import TimeframeBar from "./TimeframeBar.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function show(initial: Timeframe) {
  const props = $state({ timeframe: initial, onTimeframe: vi.fn<(tf: Timeframe) => void>() });
  props.onTimeframe.mockImplementation((tf) => {
    props.timeframe = tf;
  });
  mounted = mount(TimeframeBar, { target: document.body, props });
  flushSync();
  return props;
}

function more(): HTMLSelectElement {
  const found = el("timeframe-more");
  if (!(found instanceof HTMLSelectElement)) throw new Error("timeframe-more is not a select");
  return found;
}

function choose(value: string): void {
  more().value = value;
  more().dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
}

describe("TimeframeBar", () => {
  it("keeps six quick buttons and lists the other nine by readable name", () => {
    show("1m");
    expect(all("timeframe-1m")).toHaveLength(1);
    expect(document.querySelectorAll("button.tf")).toHaveLength(6);
    const options = [...more().options].filter((o) => !o.disabled).map((o) => o.text);
    expect(options).toEqual(["3m", "10m", "30m", "45m", "2h", "3h", "1W", "1M", "3M"]);
  });

  it("switches timeframe from the list and highlights the list instead of a button", () => {
    const props = show("1h");
    expect(button("timeframe-1h").classList.contains("active")).toBe(true);
    expect(more().classList.contains("active")).toBe(false);
    expect(more().value).toBe("");

    choose("1w");
    expect(props.onTimeframe).toHaveBeenCalledExactlyOnceWith("1w");
    expect(more().classList.contains("active")).toBe(true);
    expect(more().value).toBe("1w");
    expect(button("timeframe-1h").classList.contains("active")).toBe(false);
    expect(button("timeframe-1h").getAttribute("aria-pressed")).toBe("false");
  });

  it("hands the highlight back to a button picked after the list", async () => {
    const props = show("1month");
    expect(more().value).toBe("1month");
    await click("timeframe-5m");
    expect(props.onTimeframe).toHaveBeenLastCalledWith("5m");
    expect(more().classList.contains("active")).toBe(false);
    expect(more().value).toBe("");
    expect(button("timeframe-5m").classList.contains("active")).toBe(true);
  });
});

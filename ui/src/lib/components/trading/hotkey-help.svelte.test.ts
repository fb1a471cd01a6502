// @vitest-environment jsdom
// The hotkey list: every action with its keys and description; Esc or the button closes it.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ACTIONS, DEFAULT_KEYMAP } from "../../trading/hotkeys";
import { button, click, el, has, read, text } from "../../../test/dom";
import HotkeyHelp from "./HotkeyHelp.svelte";

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function show() {
  const onclose = vi.fn();
  const props = $state({ keymap: { ...DEFAULT_KEYMAP, reverse: null }, onclose });
  mounted = mount(HotkeyHelp, { target: document.body, props });
  flushSync();
  return { props, onclose };
}

describe("HotkeyHelp", () => {
  it("lists every action with its keys and what it does", () => {
    show();
    expect(has("hotkey-help")).toBe(true);
    for (const action of ACTIONS) expect(has(`hotkey-${action}`)).toBe(true);
    expect([...el("hotkey-buyMarket").children].map(read)).toEqual([
      "Buy market",
      "Shift+B",
      "Buy the ticket's size at market",
    ]);
    expect(text("hotkey-buyBid-keys")).toBe("B");
    expect(text("hotkey-help-keys")).toBe("?");
    expect(el("hotkey-cancelAll-keys").querySelectorAll("kbd")).toHaveLength(2);
    // An action without a key says so.
    expect(text("hotkey-reverse-keys")).toBe("—");
  });

  it("follows the keymap it is given", () => {
    const { props } = show();
    props.keymap = { ...props.keymap, flatten: "Ctrl+Alt+F" };
    flushSync();
    expect(text("hotkey-flatten-keys")).toBe("Ctrl+Alt+F");
  });

  it("closes on Esc and on its button, which has the focus", async () => {
    const { onclose } = show();
    expect(document.activeElement).toBe(button("hotkey-help-close"));
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape" }));
    expect(onclose).toHaveBeenCalledTimes(1);
    window.dispatchEvent(new KeyboardEvent("keydown", { key: "b" }));
    expect(onclose).toHaveBeenCalledTimes(1);
    await click("hotkey-help-close");
    expect(onclose).toHaveBeenCalledTimes(2);
  });
});

// @vitest-environment jsdom
// (jsdom for the editable-ancestor check; everything else is plain data.)

import { describe, expect, it } from "vitest";
import {
  ACTIONS,
  ACTION_INFO,
  DEFAULT_KEYMAP,
  actionFor,
  canonicalCombo,
  comboFromEvent,
  comboParts,
  formatCombo,
  isReserved,
  loadKeymap,
  parseCombo,
  rebind,
  type Combo,
  type KeyEventLike,
  type Keymap,
} from "./hotkeys";

function press(key: string, over: Partial<KeyEventLike> = {}): KeyEventLike {
  return { key, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...over };
}

function combo(text: string): Combo {
  const c = parseCombo(text);
  if (c === null) throw new Error(`not a combo: ${text}`);
  return c;
}

function fromEvent(e: KeyEventLike): string | null {
  const c = comboFromEvent(e);
  return c === null ? null : formatCombo(c);
}

describe("the default keymap", () => {
  it("gives every action its own key, none of them Ctrl/Meta or kept by the browser", () => {
    const keys = ACTIONS.map((a) => DEFAULT_KEYMAP[a]);
    expect(keys).toEqual([
      "Shift+B",
      "Shift+S",
      "B",
      "S",
      "Shift+X",
      "Shift+C",
      "Shift+R",
      "Shift+F",
      "Shift+A",
      "?",
    ]);
    expect(new Set(keys).size).toBe(ACTIONS.length);
    for (const k of keys) {
      expect(k).not.toBeNull();
      const c = combo(k ?? "");
      expect(canonicalCombo(k ?? "")).toBe(k);
      expect(isReserved(c)).toBe(false);
      expect(c.ctrl || c.meta).toBe(false);
    }
  });

  it("has a label and a description for every action", () => {
    for (const a of ACTIONS) {
      expect(ACTION_INFO[a].label).not.toBe("");
      expect(ACTION_INFO[a].description).not.toBe("");
    }
    expect(ACTION_INFO.flatten.description).toBe(
      "Cancel every working order, then close the position at market",
    );
  });
});

describe("parseCombo", () => {
  it.each([
    ["ctrl+shift+k", "Ctrl+Shift+K"],
    ["Shift+Ctrl+K", "Ctrl+Shift+K"],
    ["meta+shift+ctrl+alt+p", "Ctrl+Alt+Shift+Meta+P"],
    ["cmd+k", "Meta+K"],
    ["Control+Option+x", "Ctrl+Alt+X"],
    [" Ctrl + K ", "Ctrl+K"],
    ["b", "B"],
    ["?", "?"],
    ["1", "1"],
    ["Alt+1", "Alt+1"],
    ["esc", "Escape"],
    ["Shift+escape", "Shift+Escape"],
    ["f5", "F5"],
    ["space", "Space"],
    ["up", "ArrowUp"],
    ["+", "+"],
    ["Ctrl++", "Ctrl++"],
  ])("reads %j as %s", (text, canonical) => {
    expect(canonicalCombo(text)).toBe(canonical);
  });

  it("gives the parts in canonical order", () => {
    expect(parseCombo("shift+ctrl+k")).toEqual({
      ctrl: true,
      alt: false,
      shift: true,
      meta: false,
      key: "K",
    });
    expect(comboParts(combo("Ctrl++"))).toEqual(["Ctrl", "+"]);
  });

  it.each([
    "",
    "   ",
    "Ctrl",
    "Shift",
    "Ctrl+",
    "Hyper+K",
    "Ctrl+Ctrl+K",
    "Ctrl++K",
    "K+Ctrl",
    "Ctrl+KK",
    "F25",
    "Foo",
    // Shift is part of a symbol or digit: write the character it makes.
    "Shift+?",
    "Shift+1",
    "Ctrl+Shift+/",
  ])("refuses %j", (text) => {
    expect(parseCombo(text)).toBeNull();
  });
});

describe("comboFromEvent", () => {
  it.each([
    [press("B", { shiftKey: true }), "Shift+B"],
    [press("b"), "B"],
    // Caps Lock: an upper-case letter without Shift is still plain B.
    [press("B"), "B"],
    [press("K", { ctrlKey: true, shiftKey: true }), "Ctrl+Shift+K"],
    // Shift made the "?": it is not a separate part of the combination.
    [press("?", { shiftKey: true, code: "Slash" }), "?"],
    [press("!", { shiftKey: true, code: "Digit1" }), "!"],
    [press("?", { shiftKey: true, ctrlKey: true }), "Ctrl+?"],
    [press(" ", { code: "Space" }), "Space"],
    [press("Escape"), "Escape"],
    [press("F2", { shiftKey: true }), "Shift+F2"],
    // macOS Alt+B types "∫"; a Cyrillic layout types "и" on the B key: the key code decides.
    [press("∫", { altKey: true, code: "KeyB" }), "Alt+B"],
    [press("и", { code: "KeyB" }), "B"],
    // AZERTY: the letter typed wins over the key's US position.
    [press("a", { code: "KeyQ" }), "A"],
  ])("reads %j as %s", (e, expected) => {
    expect(fromEvent(e)).toBe(expected);
  });

  it.each([
    press("Shift", { shiftKey: true }),
    press("Control", { ctrlKey: true }),
    press("Dead"),
    press("Unidentified"),
  ])("makes no combination of %j", (e) => {
    expect(comboFromEvent(e)).toBeNull();
  });

  it("makes combinations that read back the same", () => {
    for (const e of [press("?", { shiftKey: true }), press("x", { altKey: true, metaKey: true })]) {
      const text = fromEvent(e) ?? "";
      expect(canonicalCombo(text)).toBe(text);
    }
  });
});

describe("actionFor", () => {
  it("finds the action of a key press", () => {
    expect(actionFor(DEFAULT_KEYMAP, press("B", { shiftKey: true }))).toBe("buyMarket");
    expect(actionFor(DEFAULT_KEYMAP, press("b"))).toBe("buyBid");
    expect(actionFor(DEFAULT_KEYMAP, press("s"))).toBe("sellAsk");
    expect(actionFor(DEFAULT_KEYMAP, press("X", { shiftKey: true }))).toBe("cancelAll");
    expect(actionFor(DEFAULT_KEYMAP, press("?", { shiftKey: true }))).toBe("help");
  });

  it("finds nothing for keys held with no mapping", () => {
    expect(actionFor(DEFAULT_KEYMAP, press("Shift", { shiftKey: true }))).toBeNull();
    expect(actionFor(DEFAULT_KEYMAP, press("b", { ctrlKey: true }))).toBeNull();
    expect(actionFor(DEFAULT_KEYMAP, press("Z", { shiftKey: true }))).toBeNull();
  });

  it("ignores auto-repeat and keys composed by an input method", () => {
    expect(actionFor(DEFAULT_KEYMAP, press("B", { shiftKey: true, repeat: true }))).toBeNull();
    expect(actionFor(DEFAULT_KEYMAP, press("b", { isComposing: true }))).toBeNull();
  });

  it.each([
    { tagName: "INPUT" },
    { tagName: "textarea" },
    { tagName: "SELECT" },
    { isContentEditable: true },
  ])("leaves typing alone (%j)", (target) => {
    expect(actionFor(DEFAULT_KEYMAP, press("b", { target }))).toBeNull();
  });

  it("leaves typing inside an editable element alone, but not in the rest of the page", () => {
    document.body.innerHTML =
      '<div contenteditable="true"><span id="in">x</span></div>' +
      '<div contenteditable="false"><span id="off">x</span></div><button id="btn">b</button>';
    const target = (id: string) => document.getElementById(id);
    expect(actionFor(DEFAULT_KEYMAP, press("b", { target: target("in") }))).toBeNull();
    expect(actionFor(DEFAULT_KEYMAP, press("b", { target: target("off") }))).toBe("buyBid");
    expect(actionFor(DEFAULT_KEYMAP, press("b", { target: target("btn") }))).toBe("buyBid");
    document.body.innerHTML = "";
  });

  it("follows a rebound keymap", () => {
    const r = rebind(DEFAULT_KEYMAP, "buyBid", combo("Alt+1"));
    if (!("keymap" in r)) throw new Error("refused");
    expect(actionFor(r.keymap, press("b"))).toBeNull();
    expect(actionFor(r.keymap, press("1", { altKey: true }))).toBe("buyBid");
  });
});

describe("rebind", () => {
  it("moves an action to a free combination and frees its old one", () => {
    const r = rebind(DEFAULT_KEYMAP, "cancelAll", combo("shift+q"));
    expect(r).toEqual({ keymap: { ...DEFAULT_KEYMAP, cancelAll: "Shift+Q" } });
    expect(DEFAULT_KEYMAP.cancelAll).toBe("Shift+X");
  });

  it("refuses a combination another action has", () => {
    expect(rebind(DEFAULT_KEYMAP, "buyMarket", combo("S"))).toEqual({ conflict: "sellAsk" });
  });

  it("accepts an action's own combination again", () => {
    expect(rebind(DEFAULT_KEYMAP, "sellAsk", combo("S"))).toEqual({ keymap: DEFAULT_KEYMAP });
  });

  it("refuses combinations the browser or OS keep", () => {
    expect(rebind(DEFAULT_KEYMAP, "flatten", combo("Ctrl+W"))).toEqual({ reserved: "Ctrl+W" });
    expect(rebind(DEFAULT_KEYMAP, "flatten", combo("f5"))).toEqual({ reserved: "F5" });
    expect(rebind(DEFAULT_KEYMAP, "help", combo("Esc"))).toEqual({ reserved: "Escape" });
  });

  it("takes a key away with null", () => {
    expect(rebind(DEFAULT_KEYMAP, "reverse", null)).toEqual({
      keymap: { ...DEFAULT_KEYMAP, reverse: null },
    });
  });
});

describe("loadKeymap", () => {
  const custom: Keymap = { ...DEFAULT_KEYMAP, buyBid: "Alt+B", sellAsk: "Alt+S", help: null };

  it("reads back what was saved, as an object or as JSON text", () => {
    expect(loadKeymap(JSON.parse(JSON.stringify(custom)))).toEqual({
      keymap: custom,
      problems: [],
    });
    expect(loadKeymap(JSON.stringify(custom))).toEqual({ keymap: custom, problems: [] });
  });

  it("gives the defaults when nothing was saved", () => {
    expect(loadKeymap(null)).toEqual({ keymap: DEFAULT_KEYMAP, problems: [] });
    expect(loadKeymap(undefined)).toEqual({ keymap: DEFAULT_KEYMAP, problems: [] });
  });

  it.each([
    ["not json{", "Saved hotkeys are not valid JSON; using defaults"],
    [42, "Saved hotkeys are not a keymap; using defaults"],
    [["Shift+B"], "Saved hotkeys are not a keymap; using defaults"],
    ['"Shift+B"', "Saved hotkeys are not a keymap; using defaults"],
  ])("gives the defaults for %j, and says so", (json, problem) => {
    expect(loadKeymap(json)).toEqual({ keymap: DEFAULT_KEYMAP, problems: [problem] });
  });

  it("drops unknown actions", () => {
    expect(loadKeymap({ buyMarket: "Shift+B", launchRocket: "L" })).toEqual({
      keymap: DEFAULT_KEYMAP,
      problems: ['Unknown hotkey action "launchRocket" ignored'],
    });
  });

  it("reports combinations it cannot read and uses the defaults instead", () => {
    const { keymap, problems } = loadKeymap({ buyMarket: "Hyper+K", sellMarket: 5 });
    expect(keymap).toEqual(DEFAULT_KEYMAP);
    expect(problems).toEqual([
      'Buy market: "Hyper+K" is not a key combination',
      "Sell market: (number) is not a key combination",
      "Buy market uses its default, Shift+B",
      "Sell market uses its default, Shift+S",
    ]);
  });

  it("reports combinations the browser keeps", () => {
    expect(loadKeymap({ cancelAll: "ctrl+w" })).toEqual({
      keymap: DEFAULT_KEYMAP,
      problems: [
        "Cancel all: Ctrl+W is kept by the browser or system",
        "Cancel all uses its default, Shift+X",
      ],
    });
  });

  it("writes stored combinations the canonical way", () => {
    expect(loadKeymap({ help: "shift+h" })).toEqual({
      keymap: { ...DEFAULT_KEYMAP, help: "Shift+H" },
      problems: [],
    });
  });

  it("gives a shared combination to the first action only", () => {
    const { keymap, problems } = loadKeymap({ buyMarket: "Shift+Q", sellMarket: "shift+q" });
    expect(keymap).toEqual({ ...DEFAULT_KEYMAP, buyMarket: "Shift+Q", sellMarket: "Shift+S" });
    expect(problems).toEqual([
      "Sell market: Shift+Q is already Buy market",
      "Sell market uses its default, Shift+S",
    ]);
  });

  it("gives missing actions their defaults quietly, unless the default is taken", () => {
    expect(loadKeymap({ help: "H" })).toEqual({
      keymap: { ...DEFAULT_KEYMAP, help: "H" },
      problems: [],
    });
    const { keymap, problems } = loadKeymap({ cancelAll: "B" });
    expect(keymap).toEqual({ ...DEFAULT_KEYMAP, cancelAll: "B", buyBid: null });
    expect(problems).toEqual(["Buy at bid has no key (B is Cancel all)"]);
  });

  it("keeps an action deliberately left without a key", () => {
    expect(loadKeymap({ reverse: null })).toEqual({
      keymap: { ...DEFAULT_KEYMAP, reverse: null },
      problems: [],
    });
  });

  it("always answers with exactly the known actions", () => {
    for (const json of [{}, { x: 1 }, "[]", true, { buyMarket: { nested: 1 } }]) {
      expect(Object.keys(loadKeymap(json).keymap).sort()).toEqual([...ACTIONS].sort());
    }
  });
});

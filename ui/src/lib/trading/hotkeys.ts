// Trading hotkeys: the actions, their default keys, reading and writing key combinations,
// matching a key press to an action, rebinding, and reading a stored keymap back.
//
// A combination is written "Ctrl+Alt+Shift+Meta+Key": modifiers in that order, then one key.
// Letters are upper case ("Shift+B"); named keys are spelled as the browser's KeyboardEvent.key
// spells them ("Escape", "ArrowUp", "F2"), except " " which is "Space". Symbols and digits are
// matched by the character typed, so Shift is part of them: "?" is Shift+/ on a US keyboard,
// and "Shift+?" or "Shift+1" are refused as ambiguous (write "?" or "!").
//
// A keymap stores combinations as that canonical text (null = no key), so it can be kept as
// JSON and compared as strings. Nothing here sends anything: the caller decides what an action
// does, and whether the hotkeys are armed.

/** Every action a hotkey can trigger, in the order the help lists them. */
export const ACTIONS = [
  "buyMarket",
  "sellMarket",
  "buyBid",
  "sellAsk",
  "cancelAll",
  "closePosition",
  "reverse",
  "flatten",
  "toggleArm",
  "help",
] as const;

export type HotkeyAction = (typeof ACTIONS)[number];

export interface ActionInfo {
  label: string;
  description: string;
}

export const ACTION_INFO: Readonly<Record<HotkeyAction, ActionInfo>> = {
  buyMarket: { label: "Buy market", description: "Buy the ticket's size at market" },
  sellMarket: { label: "Sell market", description: "Sell the ticket's size at market" },
  buyBid: { label: "Buy at bid", description: "Place a limit buy at the best bid" },
  sellAsk: { label: "Sell at ask", description: "Place a limit sell at the best ask" },
  cancelAll: {
    label: "Cancel all",
    description: "Cancel every working order on this instrument",
  },
  closePosition: {
    label: "Close position",
    description: "Close the position at market (reduce-only); orders stay",
  },
  reverse: {
    label: "Reverse",
    description: "Turn the position to the same size on the other side, at market",
  },
  flatten: {
    label: "Flatten",
    description: "Cancel every working order, then close the position at market",
  },
  toggleArm: {
    label: "Arm / disarm",
    description: "Turn trading hotkeys and one-click trading on or off",
  },
  help: { label: "Hotkeys", description: "Show or hide this list" },
};

/** Keys per action, as canonical combination text; null for none. */
export type Keymap = Readonly<Record<HotkeyAction, string | null>>;

// Plain letters are for passive orders only (at the bid or ask); anything that takes
// liquidity or closes needs Shift. No Ctrl/Meta: those belong to the browser and the OS.
export const DEFAULT_KEYMAP: Keymap = {
  buyMarket: "Shift+B",
  sellMarket: "Shift+S",
  buyBid: "B",
  sellAsk: "S",
  cancelAll: "Shift+X",
  closePosition: "Shift+C",
  reverse: "Shift+R",
  flatten: "Shift+F",
  toggleArm: "Shift+A",
  help: "?",
};

/** A key combination. */
export interface Combo {
  readonly ctrl: boolean;
  readonly alt: boolean;
  readonly shift: boolean;
  readonly meta: boolean;
  /** "B", "?", "Space", "Escape", "F2", … */
  readonly key: string;
}

/** What `comboFromEvent` and `actionFor` read from a KeyboardEvent. */
export interface KeyEventLike {
  key: string;
  code?: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
  repeat?: boolean;
  isComposing?: boolean;
  target?: unknown;
}

type Modifier = "ctrl" | "alt" | "shift" | "meta";

const MODIFIERS: Readonly<Record<string, Modifier>> = {
  ctrl: "ctrl",
  control: "ctrl",
  alt: "alt",
  option: "alt",
  opt: "alt",
  shift: "shift",
  meta: "meta",
  cmd: "meta",
  command: "meta",
  super: "meta",
  win: "meta",
};

const NAMED_KEYS: ReadonlyMap<string, string> = new Map(
  [
    "Escape",
    "Enter",
    "Space",
    "Tab",
    "Backspace",
    "Delete",
    "Insert",
    "Home",
    "End",
    "PageUp",
    "PageDown",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    ...Array.from({ length: 24 }, (_, i) => `F${String(i + 1)}`),
  ]
    .map((k): [string, string] => [k.toLowerCase(), k])
    .concat([
      ["esc", "Escape"],
      ["return", "Enter"],
      ["spacebar", "Space"],
      [" ", "Space"],
      ["del", "Delete"],
      ["up", "ArrowUp"],
      ["down", "ArrowDown"],
      ["left", "ArrowLeft"],
      ["right", "ArrowRight"],
    ]),
);

/** Combinations the browser, the webview or the OS act on, and Escape, which cancels a drag
 * or closes a dialog. */
const RESERVED: ReadonlySet<string> = new Set([
  "Escape",
  "Tab",
  "Shift+Tab",
  "F5",
  "F11",
  "F12",
  "Ctrl+F5",
  "Alt+F4",
  "Ctrl+A",
  "Ctrl+C",
  "Ctrl+L",
  "Ctrl+N",
  "Ctrl+P",
  "Ctrl+Q",
  "Ctrl+R",
  "Ctrl+T",
  "Ctrl+V",
  "Ctrl+W",
  "Ctrl+X",
  "Ctrl+Z",
  "Ctrl+Tab",
  "Ctrl+Shift+I",
  "Ctrl+Shift+J",
  "Ctrl+Shift+R",
  "Ctrl+Shift+T",
  "Ctrl+Shift+Tab",
  "Meta+A",
  "Meta+C",
  "Meta+H",
  "Meta+M",
  "Meta+Q",
  "Meta+R",
  "Meta+T",
  "Meta+V",
  "Meta+W",
  "Meta+X",
  "Meta+Z",
  "Meta+Tab",
  "Alt+Meta+I",
]);

const LETTER = /^[A-Za-z]$/;
/** One code point ("?", "ß", "и"), not a key name ("Escape"). */
const ONE_CHARACTER = /^.$/su;

/** A key name or character in canonical form; null for modifiers, dead keys and unknowns. */
function canonicalKey(raw: string): string | null {
  const named = NAMED_KEYS.get(raw.toLowerCase());
  if (named !== undefined) return named;
  if (!ONE_CHARACTER.test(raw)) return null;
  if (LETTER.test(raw)) return raw.toUpperCase();
  // One printable character: not a control character, not whitespace.
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(raw) ? raw : null;
}

/** Whether Shift is already in the character: every single character that is not a letter. */
function shiftIsInKey(key: string): boolean {
  return ONE_CHARACTER.test(key) && !LETTER.test(key);
}

/** Reads "Ctrl+Shift+K" (any case, any modifier order); null for unknown modifiers or keys, a
 * repeated modifier, no key, or Shift with a symbol or digit. */
export function parseCombo(text: string): Combo | null {
  let body = text.trim();
  let rawKey: string;
  if (body.endsWith("+")) {
    // The key is "+" itself: "+" or "Ctrl++".
    rawKey = "+";
    body = body.slice(0, -1);
    if (body !== "") {
      if (!body.endsWith("+")) return null;
      body = body.slice(0, -1);
    }
  } else {
    const at = body.lastIndexOf("+");
    rawKey = body.slice(at + 1).trim();
    body = at < 0 ? "" : body.slice(0, at);
  }
  const key = rawKey === "" ? null : canonicalKey(rawKey);
  if (key === null) return null;
  const held: Record<Modifier, boolean> = { ctrl: false, alt: false, shift: false, meta: false };
  if (body !== "") {
    for (const token of body.split("+")) {
      const modifier = MODIFIERS[token.trim().toLowerCase()];
      if (modifier === undefined || held[modifier]) return null;
      held[modifier] = true;
    }
  }
  if (held.shift && shiftIsInKey(key)) return null;
  return { ...held, key };
}

/** Canonical text of a combination: "Ctrl+Alt+Shift+Meta+Key". */
export function formatCombo(combo: Combo): string {
  return comboParts(combo).join("+");
}

/** The parts of a combination, for drawing each as a key cap: ["Shift", "B"]. */
export function comboParts(combo: Combo): string[] {
  const parts: string[] = [];
  if (combo.ctrl) parts.push("Ctrl");
  if (combo.alt) parts.push("Alt");
  if (combo.shift) parts.push("Shift");
  if (combo.meta) parts.push("Meta");
  parts.push(combo.key);
  return parts;
}

/** Combination text in canonical form ("shift+b" → "Shift+B"); null when it is not one. */
export function canonicalCombo(text: string): string | null {
  const combo = parseCombo(text);
  return combo === null ? null : formatCombo(combo);
}

/** Whether the browser, webview or OS already acts on a combination. */
export function isReserved(combo: Combo): boolean {
  return RESERVED.has(formatCombo(combo));
}

/** The combination a key press makes; null for a lone modifier or a key without a name. */
export function comboFromEvent(e: KeyEventLike): Combo | null {
  // With Alt (macOS) or a non-Latin layout the character is not the letter on the key cap;
  // the physical key's code still says which letter it is.
  const code = e.code !== undefined ? /^Key([A-Z])$/.exec(e.code) : null;
  const key = code?.[1] !== undefined && !LETTER.test(e.key) ? code[1] : canonicalKey(e.key);
  if (key === null) return null;
  return {
    ctrl: e.ctrlKey,
    alt: e.altKey,
    shift: e.shiftKey && !shiftIsInKey(key),
    meta: e.metaKey,
    key,
  };
}

const TEXT_ENTRY = new Set(["INPUT", "TEXTAREA", "SELECT"]);

/** Whether a key press is going into something the user types in. */
function typingInto(target: unknown): boolean {
  if (typeof target !== "object" || target === null) return false;
  if ("isContentEditable" in target && target.isContentEditable === true) return true;
  if ("tagName" in target && typeof target.tagName === "string") {
    if (TEXT_ENTRY.has(target.tagName.toUpperCase())) return true;
  }
  // jsdom has no isContentEditable: look for an editable ancestor the long way.
  if (typeof Element !== "undefined" && target instanceof Element) {
    const editable = target.closest("[contenteditable]");
    return editable !== null && editable.getAttribute("contenteditable") !== "false";
  }
  return false;
}

/**
 * The action a key press asks for, or null: when it goes into an input, textarea, select or
 * editable element, when it is an auto-repeat of a held key (holding Shift+B must not send an
 * order per repeat), while an input method is composing, or when no action has the combination.
 */
export function actionFor(keymap: Keymap, e: KeyEventLike): HotkeyAction | null {
  if (e.repeat === true || e.isComposing === true || typingInto(e.target)) return null;
  const combo = comboFromEvent(e);
  if (combo === null) return null;
  const text = formatCombo(combo);
  return ACTIONS.find((a) => keymap[a] === text) ?? null;
}

export type Rebound = { keymap: Keymap } | { conflict: HotkeyAction } | { reserved: string };

/**
 * The keymap with `action` on `combo` (null takes its key away). A combination belongs to one
 * action only: one already in use elsewhere comes back as the conflicting action, and one
 * the browser or OS keeps comes back as `reserved`; the keymap is then unchanged.
 */
export function rebind(keymap: Keymap, action: HotkeyAction, combo: Combo | null): Rebound {
  if (combo === null) return { keymap: { ...keymap, [action]: null } };
  const text = formatCombo(combo);
  if (RESERVED.has(text)) return { reserved: text };
  const holder = ACTIONS.find((a) => a !== action && keymap[a] === text);
  if (holder !== undefined) return { conflict: holder };
  return { keymap: { ...keymap, [action]: text } };
}

function isAction(name: string): name is HotkeyAction {
  return (ACTIONS as readonly string[]).includes(name);
}

/**
 * A keymap read back from storage (parsed JSON, or the JSON text), never throwing.
 * Unknown actions are dropped; a combination that cannot be read, or that the browser keeps,
 * is reported and the action gets its default; when two actions share a combination the
 * first in ACTIONS order keeps it and the other gets its default. An action missing from the
 * stored map gets its default quietly (it may be new since the map was saved); a default
 * already taken by another action's stored key leaves the action without a key, reported.
 * A stored null (no key, by choice) is kept.
 */
export function loadKeymap(json: unknown): { keymap: Keymap; problems: string[] } {
  const problems: string[] = [];
  let stored: unknown = json;
  if (typeof json === "string") {
    try {
      stored = JSON.parse(json);
    } catch {
      return {
        keymap: DEFAULT_KEYMAP,
        problems: ["Saved hotkeys are not valid JSON; using defaults"],
      };
    }
  }
  if (stored === null || stored === undefined) return { keymap: DEFAULT_KEYMAP, problems };
  if (typeof stored !== "object" || Array.isArray(stored)) {
    return { keymap: DEFAULT_KEYMAP, problems: ["Saved hotkeys are not a keymap; using defaults"] };
  }

  const entries = new Map<string, unknown>(Object.entries(stored));
  for (const name of entries.keys()) {
    if (!isAction(name)) problems.push(`Unknown hotkey action "${name}" ignored`);
  }

  const keymap: Record<HotkeyAction, string | null> = { ...DEFAULT_KEYMAP };
  const taken = new Map<string, HotkeyAction>();
  const needDefault: { action: HotkeyAction; quiet: boolean }[] = [];
  for (const action of ACTIONS) {
    const label = ACTION_INFO[action].label;
    if (!entries.has(action)) {
      needDefault.push({ action, quiet: true });
      continue;
    }
    const value = entries.get(action);
    if (value === null) {
      keymap[action] = null;
      continue;
    }
    const combo = typeof value === "string" ? parseCombo(value) : null;
    if (combo === null) {
      const shown = typeof value === "string" ? JSON.stringify(value) : `(${typeof value})`;
      problems.push(`${label}: ${shown} is not a key combination`);
      needDefault.push({ action, quiet: false });
      continue;
    }
    const text = formatCombo(combo);
    if (RESERVED.has(text)) {
      problems.push(`${label}: ${text} is kept by the browser or system`);
      needDefault.push({ action, quiet: false });
      continue;
    }
    const holder = taken.get(text);
    if (holder !== undefined) {
      problems.push(`${label}: ${text} is already ${ACTION_INFO[holder].label}`);
      needDefault.push({ action, quiet: false });
      continue;
    }
    keymap[action] = text;
    taken.set(text, action);
  }

  for (const { action, quiet } of needDefault) {
    const fallback = DEFAULT_KEYMAP[action];
    const label = ACTION_INFO[action].label;
    const holder = fallback === null ? undefined : taken.get(fallback);
    if (fallback === null || holder !== undefined) {
      keymap[action] = null;
      const by = holder === undefined ? "" : ` (${fallback ?? ""} is ${ACTION_INFO[holder].label})`;
      problems.push(`${label} has no key${by}`);
    } else {
      keymap[action] = fallback;
      taken.set(fallback, action);
      if (!quiet) problems.push(`${label} uses its default, ${fallback}`);
    }
  }
  return { keymap, problems };
}

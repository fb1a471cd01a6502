// @vitest-environment jsdom
import { describe, expect, it, vi } from "vitest";
import { BTC, btcPerp, position } from "../../test/fixtures";
import { DEFAULT_KEYMAP, parseCombo, type KeyEventLike } from "../trading/hotkeys";
import { Arming } from "./arming.svelte";
import { ARM_FIRST, HotkeyStore, type HotkeyContext, type HotkeyDeps } from "./hotkeys.svelte";
import { Toasts } from "./toasts.svelte";

const CLICK = 1_795_000_000_123.5;
const instrument = btcPerp();

function setup(armed = true) {
  const arming = new Arming();
  arming.armed = armed;
  const toasts = new Toasts({ timers: false });
  const trading = {
    submit: vi.fn<HotkeyDeps["trading"]["submit"]>().mockResolvedValue({}),
    close: vi.fn<HotkeyDeps["trading"]["close"]>().mockResolvedValue(undefined),
  };
  const nuke = {
    ask: vi.fn<HotkeyDeps["nuke"]["ask"]>(),
    run: vi.fn<HotkeyDeps["nuke"]["run"]>().mockResolvedValue(null),
  };
  const saveKeymap = vi
    .fn<HotkeyDeps["saveKeymap"]>()
    .mockResolvedValue({ status: "ok", data: null });
  const store = new HotkeyStore({
    trading,
    nuke,
    arming,
    toasts,
    saveKeymap,
    clickTime: () => CLICK,
  });
  return { arming, toasts, trading, nuke, saveKeymap, store };
}

function context(over: Partial<HotkeyContext> = {}): HotkeyContext {
  return {
    account: "demo",
    accountLabel: "Demo",
    instrument,
    ticketSize: "0.010",
    leverage: "10",
    bid: "99.5",
    ask: "100.0",
    position: position({ side: "long", size: "0.3" }),
    ordersHere: 2,
    blocked: false,
    ...over,
  };
}

/** A key press of `combo` ("Shift+B", "?"), as the browser sends it. */
function key(combo: string, over: Partial<KeyEventLike> = {}) {
  const c = parseCombo(combo);
  if (c === null) throw new Error(combo);
  const letter = /^[A-Z]$/.test(c.key);
  return {
    key: letter && !c.shift ? c.key.toLowerCase() : c.key,
    code: letter ? `Key${c.key}` : undefined,
    ctrlKey: c.ctrl,
    altKey: c.alt,
    shiftKey: c.shift || c.key === "?",
    metaKey: c.meta,
    preventDefault: vi.fn(),
    ...over,
  };
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

describe("hotkeys while armed", () => {
  it("buys and sells the ticket's size at market, with the key's time", () => {
    const { store, trading } = setup();
    expect(store.handle(key("Shift+B"), context())).toBe("buyMarket");
    expect(trading.submit).toHaveBeenCalledExactlyOnceWith(
      "demo",
      expect.objectContaining({
        instrument: BTC,
        side: "buy",
        order_type: "market",
        size: "0.010",
        price: null,
        post_only: false,
      }),
      instrument,
      CLICK,
    );
    store.handle(key("Shift+S"), context());
    expect(trading.submit).toHaveBeenCalledTimes(2);
    expect(trading.submit.mock.calls[1]?.[1]).toMatchObject({ side: "sell", order_type: "market" });
  });

  it("joins the bid or the ask post-only", () => {
    const { store, trading } = setup();
    store.handle(key("B"), context());
    store.handle(key("S"), context());
    expect(trading.submit.mock.calls.map((c) => c[1])).toEqual([
      expect.objectContaining({ side: "buy", order_type: "limit", price: "99.5", post_only: true }),
      expect.objectContaining({
        side: "sell",
        order_type: "limit",
        price: "100.0",
        post_only: true,
      }),
    ]);
  });

  it("joins without post-only where the venue has none", () => {
    const { store, trading } = setup();
    store.handle(key("B"), { ...context(), postOnly: false });
    expect(trading.submit.mock.calls.map((c) => c[1])).toEqual([
      expect.objectContaining({
        side: "buy",
        order_type: "limit",
        price: "99.5",
        post_only: false,
      }),
    ]);
  });

  it("asks before cancelling the instrument's orders, naming them", () => {
    const { store, nuke, trading } = setup();
    store.handle(key("Shift+X"), context());
    expect(nuke.ask).toHaveBeenCalledExactlyOnceWith({
      kind: "cancel",
      account: "demo",
      instrument: BTC,
      question: "Cancel 2 working orders on BTC-PERP (Demo)?",
    });
    expect(nuke.run).not.toHaveBeenCalled();
    expect(trading.submit).not.toHaveBeenCalled();
  });

  it("closes the instrument's position", () => {
    const { store, trading } = setup();
    const ctx = context();
    store.handle(key("Shift+C"), ctx);
    expect(trading.close).toHaveBeenCalledExactlyOnceWith("demo", ctx.position);
  });

  it("reverses with twice the position the other way, at market", () => {
    const { store, trading } = setup();
    store.handle(key("Shift+R"), context());
    expect(trading.submit).toHaveBeenCalledTimes(1);
    expect(trading.submit.mock.calls[0]?.[1]).toMatchObject({
      side: "sell",
      order_type: "market",
      size: "0.6",
      reduce_only: false,
    });
    store.handle(key("Shift+R"), context({ position: position({ side: "short", size: "5" }) }));
    expect(trading.submit.mock.calls[1]?.[1]).toMatchObject({ side: "buy", size: "10" });
  });

  it("flattens: cancels the instrument's orders, then closes the position", async () => {
    const { store, trading, nuke } = setup();
    const order: string[] = [];
    nuke.run.mockImplementation(() => {
      order.push("cancel");
      return Promise.resolve(null);
    });
    trading.close.mockImplementation(() => {
      order.push("close");
      return Promise.resolve();
    });
    store.handle(key("Shift+F"), context());
    await settle();
    expect(nuke.run).toHaveBeenCalledExactlyOnceWith({
      kind: "cancel",
      account: "demo",
      instrument: BTC,
    });
    expect(trading.close).toHaveBeenCalledTimes(1);
    expect(order).toEqual(["cancel", "close"]);
  });

  it("says what is missing rather than send", () => {
    const { store, trading, toasts } = setup();
    store.handle(key("Shift+B"), context({ ticketSize: "" }));
    store.handle(key("B"), context({ bid: null }));
    store.handle(key("Shift+C"), context({ position: undefined }));
    store.handle(key("Shift+B"), context({ account: null }));
    expect(trading.submit).not.toHaveBeenCalled();
    expect(trading.close).not.toHaveBeenCalled();
    expect(toasts.items.map((t) => t.title)).toEqual([
      "Set a size in the order ticket first",
      "No best bid on BTC-PERP",
      "No BTC-PERP position to close",
      "No market selected",
    ]);
  });
});

describe("hotkeys while disarmed", () => {
  it("send nothing and say how to arm", () => {
    const { store, trading, nuke, toasts } = setup(false);
    for (const combo of [
      "Shift+B",
      "Shift+S",
      "B",
      "S",
      "Shift+X",
      "Shift+C",
      "Shift+R",
      "Shift+F",
    ]) {
      store.handle(key(combo), context());
    }
    expect(trading.submit).not.toHaveBeenCalled();
    expect(trading.close).not.toHaveBeenCalled();
    expect(nuke.ask).not.toHaveBeenCalled();
    expect(nuke.run).not.toHaveBeenCalled();
    expect(toasts.items.every((t) => t.title === ARM_FIRST)).toBe(true);
  });

  it("arm with the arm key, and then trade", () => {
    const { store, arming, trading } = setup(false);
    const heard: boolean[] = [];
    window.addEventListener("kestrel:arm", (e) => {
      heard.push((e as CustomEvent<{ armed: boolean }>).detail.armed);
    });
    store.handle(key("Shift+A"), context());
    expect(arming.armed).toBe(true);
    store.handle(key("Shift+B"), context());
    expect(trading.submit).toHaveBeenCalledTimes(1);
    store.handle(key("Shift+A"), context());
    expect(arming.armed).toBe(false);
    expect(heard).toEqual([true, false]);
  });
});

describe("keys the hotkeys leave alone", () => {
  it("typing in a field, auto-repeat, unbound keys and anything behind a dialog", () => {
    const { store, trading } = setup();
    const field = document.createElement("input");
    document.body.append(field);
    const ignored = [
      store.handle(key("Shift+B", { target: field }), context()),
      store.handle(key("Shift+B", { repeat: true }), context()),
      store.handle(key("Shift+Q"), context()),
      store.handle(key("Shift+B"), context({ blocked: true })),
    ];
    expect(ignored).toEqual([null, null, null, null]);
    expect(trading.submit).not.toHaveBeenCalled();
    field.remove();
  });

  it("only the help key acts while help is open, and it closes it", () => {
    const { store, trading } = setup();
    const press = key("?");
    expect(store.handle(press, context())).toBe("help");
    expect(press.preventDefault).toHaveBeenCalled();
    expect(store.helpOpen).toBe(true);
    expect(store.handle(key("Shift+B"), context())).toBeNull();
    expect(trading.submit).not.toHaveBeenCalled();
    store.handle(key("?"), context());
    expect(store.helpOpen).toBe(false);
  });
});

describe("the keymap", () => {
  it("comes from the saved settings, its problems toasted once", () => {
    const { store, toasts } = setup();
    const saved = { buyMarket: "Ctrl+Shift+B", sellMarket: "Ctrl+W" };
    store.load(saved);
    store.load({ ...saved });
    expect(store.keymap.buyMarket).toBe("Ctrl+Shift+B");
    expect(store.keymap.sellMarket).toBe(DEFAULT_KEYMAP.sellMarket);
    expect(toasts.items).toHaveLength(1);
    expect(toasts.items[0]?.detail).toContain("Ctrl+W is kept by the browser or system");
    store.load({});
    expect(store.keymap).toEqual(DEFAULT_KEYMAP);
  });

  it("rebinds and saves, refusing a key in use or kept by the system", async () => {
    const { store, saveKeymap } = setup();
    expect(await store.rebind("buyMarket", parseCombo("Shift+S"))).toBe(
      "Already used by Sell market",
    );
    expect(await store.rebind("buyMarket", parseCombo("Ctrl+W"))).toBe(
      "Ctrl+W is kept by the browser or system",
    );
    expect(saveKeymap).not.toHaveBeenCalled();
    expect(await store.rebind("buyMarket", parseCombo("Shift+Y"))).toBeNull();
    expect(store.keymap.buyMarket).toBe("Shift+Y");
    expect(saveKeymap).toHaveBeenCalledExactlyOnceWith({ ...DEFAULT_KEYMAP, buyMarket: "Shift+Y" });
    await store.reset();
    expect(store.keymap).toEqual(DEFAULT_KEYMAP);
    expect(saveKeymap).toHaveBeenLastCalledWith({});
  });

  it("goes back to what it was when saving fails", async () => {
    const { store, saveKeymap, toasts } = setup();
    saveKeymap.mockResolvedValueOnce({
      status: "error",
      error: {
        code: "internal",
        message: "disk full",
        retryable: false,
        venue_code: null,
        field: null,
        retry_after_ms: null,
      },
    });
    expect(await store.rebind("help", parseCombo("F1"))).toBe("Hotkeys not saved: disk full");
    expect(store.keymap.help).toBe("?");
    expect(toasts.items[0]?.kind).toBe("error");
  });
});

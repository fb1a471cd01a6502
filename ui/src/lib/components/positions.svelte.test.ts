// @vitest-environment jsdom
// The Positions table in a DOM: which actions a venue gets, and what its editors send.
// (A .svelte.test.ts file, so that props can be $state and change under a mounted table.)

import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Capabilities, Instrument, Position } from "../bindings/bindings";
import type { MarginAmount, MarginErrors, TpSlErrors, TpSlRequest } from "../position-actions";
import { OrdersStore } from "../stores/orders.svelte";
import { Toasts } from "../stores/toasts.svelte";
import { Trading, type TradingApi } from "../stores/trading";
import { button, click, el, has, input, press, read, settle, text, type } from "../../test/dom";
import { BTC, btcPerp, caps, lmexPerp, lnmPerp, position } from "../../test/fixtures";
import { instrumentKey } from "../instrument";
import PositionsTable from "./PositionsTable.svelte";

// LN Markets-like: a 0.5 tick, settled in BTC, with every position action.
const lnm = btcPerp({ price_tick: "0.5", settle: "BTC" });
const everyAction = caps({ position_tp_sl: true, adjust_margin: true, cash_in: true });
const held = position({
  side: "long",
  entry_price: "90000",
  margin: "0.00045",
  unrealized_pnl: "0.0000012",
  liquidation_price: "81500",
  take_profit: "95000",
  stop_loss: null,
});

let mounted: Record<string, unknown> | null = null;

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

interface Setup {
  positions?: Position[];
  capabilities?: Capabilities;
  instruments?: Instrument[];
  onSetTpSl?: (p: Position, i: Instrument, r: TpSlRequest) => Promise<TpSlErrors>;
  onAddMargin?: (p: Position, a: MarginAmount) => Promise<MarginErrors>;
  onCashIn?: (p: Position, a: MarginAmount) => Promise<MarginErrors>;
}

function show(setup: Setup = {}) {
  const onSetTpSl = vi.fn(setup.onSetTpSl ?? (() => Promise.resolve({})));
  const onAddMargin = vi.fn(setup.onAddMargin ?? (() => Promise.resolve({})));
  const onCashIn = vi.fn(setup.onCashIn ?? (() => Promise.resolve({})));
  const onClose = vi.fn();
  const props = $state({
    positions: setup.positions ?? [held],
    instruments: new Map((setup.instruments ?? [lnm]).map((i) => [instrumentKey(i.id), i])),
    capabilities: setup.capabilities ?? everyAction,
    onClose,
    onSetTpSl,
    onAddMargin,
    onCashIn,
  });
  mounted = mount(PositionsTable, { target: document.body, props });
  flushSync();
  return { props, onSetTpSl, onAddMargin, onCashIn, onClose };
}

describe("PositionsTable", () => {
  it("shows take-profit, stop-loss and margin, bitcoin margin in sats", () => {
    show({ capabilities: caps() });
    expect(text("position-tp")).toBe("95,000.0");
    expect(text("position-sl")).toBe("—");
    expect(text("position-margin")).toBe("45,000 sats");
  });

  it("shows linear contracts as a count with their base amount, others as before", () => {
    const lmex = lmexPerp();
    const inverse = lnmPerp();
    show({
      capabilities: caps(),
      instruments: [lnm, lmex, inverse],
      positions: [
        held,
        position({ instrument: lmex.id, size: "25" }),
        position({ instrument: inverse.id, size: "250" }),
      ],
    });
    const [demo, contracts, usd] = document.querySelectorAll<HTMLElement>(
      '[data-testid="position-size"]',
    );
    expect(read(contracts)).toBe("25 ct");
    expect(contracts?.title).toBe("25 contracts = 0.0025 BTC");
    // The Demo's BTC and LN Markets' 1 USD contracts read as they always have.
    expect(read(demo)).toBe("0.050");
    expect(demo?.hasAttribute("title")).toBe(false);
    expect(read(usd)).toBe("250");
    expect(usd?.hasAttribute("title")).toBe(false);
  });

  it("offers only the actions the venue can do", () => {
    show({ capabilities: caps() });
    expect(has("position-close")).toBe(true);
    expect(has("position-tpsl")).toBe(false);
    expect(has("position-add-margin")).toBe(false);
    expect(has("position-cash-in")).toBe(false);
  });

  it("offers TP/SL, margin and cash-in separately, each by its capability", () => {
    const { props } = show({ capabilities: caps({ position_tp_sl: true }) });
    expect(has("position-tpsl")).toBe(true);
    expect(has("position-add-margin")).toBe(false);
    expect(has("position-cash-in")).toBe(false);
    props.capabilities = caps({ adjust_margin: true });
    flushSync();
    expect(has("position-tpsl")).toBe(false);
    expect(has("position-add-margin")).toBe(true);
    expect(has("position-cash-in")).toBe(false);
    props.capabilities = caps({ cash_in: true });
    flushSync();
    expect(has("position-add-margin")).toBe(false);
    expect(has("position-cash-in")).toBe(true);
  });

  it("puts Cash in next to + Margin", () => {
    show();
    expect(el("position-add-margin").nextElementSibling).toBe(el("position-cash-in"));
    expect(text("position-cash-in")).toBe("Cash in");
  });

  it("offers no actions on a position whose instrument is not listed yet", () => {
    show({ instruments: [] });
    expect(has("position-tpsl")).toBe(false);
    expect(has("position-add-margin")).toBe(false);
    expect(has("position-cash-in")).toBe(false);
  });

  it("opens the TP/SL editor under its row, prefilled, and sends what was typed", async () => {
    const { onSetTpSl } = show();
    expect(has("tpsl-editor")).toBe(false);
    await click("position-tpsl");
    const row = el("tpsl-editor").closest("tr");
    expect(row?.previousElementSibling?.getAttribute("data-testid")).toBe("position-row");
    expect(input("field-take-profit").value).toBe("95000");
    expect(input("field-stop-loss").value).toBe("");
    expect(document.activeElement).toBe(input("field-take-profit"));

    type("field-take-profit", "96000.5");
    type("field-stop-loss", "85000");
    await click("save-tpsl");
    expect(onSetTpSl).toHaveBeenCalledTimes(1);
    expect(onSetTpSl).toHaveBeenCalledWith(held, lnm, {
      takeProfit: "96000.5",
      stopLoss: "85000",
      trailing: false,
    });
    expect(has("tpsl-editor")).toBe(false);
  });

  it("sends an emptied field as a removal", async () => {
    const { onSetTpSl } = show();
    await click("position-tpsl");
    type("field-take-profit", "");
    await click("save-tpsl");
    expect(onSetTpSl).toHaveBeenCalledWith(held, lnm, {
      takeProfit: null,
      stopLoss: null,
      trailing: false,
    });
  });

  it("checks prices before sending and says what is wrong next to the field", async () => {
    const { onSetTpSl } = show();
    await click("position-tpsl");
    type("field-take-profit", "95000.3");
    type("field-stop-loss", "91000");
    await click("save-tpsl");
    expect(onSetTpSl).not.toHaveBeenCalled();
    expect(text("tpsl-error-take_profit")).toBe("Take-profit must be a multiple of the tick 0.5");
    expect(text("tpsl-error-stop_loss")).toBe(
      "Stop-loss must be below the current price (90,100.0)",
    );
    expect(input("field-take-profit").getAttribute("aria-invalid")).toBe("true");
  });

  it("lets a long in profit put its stop-loss above the entry", async () => {
    const winning = { ...held, mark_price: "92000" };
    const { onSetTpSl } = show({ positions: [winning] });
    await click("position-tpsl");
    type("field-stop-loss", "91000");
    await click("save-tpsl");
    expect(onSetTpSl).toHaveBeenCalledWith(winning, lnm, {
      takeProfit: "95000",
      stopLoss: "91000",
      trailing: false,
    });
  });

  it("shows the venue's verdict next to the field it names, until that field changes", async () => {
    const { onSetTpSl } = show({
      onSetTpSl: () =>
        Promise.resolve({ stop_loss: "Stop-loss too close to the price (venue code 42)" }),
    });
    await click("position-tpsl");
    type("field-stop-loss", "89999.5");
    await click("save-tpsl");
    expect(onSetTpSl).toHaveBeenCalledTimes(1);
    expect(has("tpsl-editor")).toBe(true);
    expect(text("tpsl-error-stop_loss")).toBe("Stop-loss too close to the price (venue code 42)");
    expect(has("tpsl-error-take_profit")).toBe(false);
    type("field-stop-loss", "88000");
    expect(has("tpsl-error-stop_loss")).toBe(false);
  });

  it("shows a failure that names no field under the editor", async () => {
    show({ onSetTpSl: () => Promise.resolve({ editor: "connection reset" }) });
    await click("position-tpsl");
    await click("save-tpsl");
    expect(text("tpsl-error")).toBe("connection reset");
    expect(has("tpsl-editor")).toBe(true);
  });

  it("disables saving while a change is in flight", async () => {
    let answer: (errors: TpSlErrors) => void = () => undefined;
    const { onSetTpSl } = show({
      onSetTpSl: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    });
    await click("position-tpsl");
    await click("save-tpsl");
    expect(button("save-tpsl").disabled).toBe(true);
    expect(text("save-tpsl")).toBe("Saving…");
    press("field-take-profit", "Enter");
    expect(onSetTpSl).toHaveBeenCalledTimes(1);
    answer({});
    await settle();
    flushSync();
    expect(has("tpsl-editor")).toBe(false);
  });

  it("saves on Enter and cancels on Esc", async () => {
    const { onSetTpSl } = show();
    await click("position-tpsl");
    type("field-take-profit", "97000");
    press("field-take-profit", "Escape");
    expect(has("tpsl-editor")).toBe(false);
    expect(onSetTpSl).not.toHaveBeenCalled();

    await click("position-tpsl");
    expect(input("field-take-profit").value).toBe("95000");
    type("field-take-profit", "97000");
    press("field-take-profit", "Enter");
    await settle();
    expect(onSetTpSl).toHaveBeenCalledWith(held, lnm, {
      takeProfit: "97000",
      stopLoss: null,
      trailing: false,
    });
  });

  it("keeps what was typed while the position updates under it", async () => {
    const { props } = show();
    await click("position-tpsl");
    type("field-take-profit", "97000");
    props.positions = [{ ...held, mark_price: "90500", updated_at: 2000 }];
    flushSync();
    expect(input("field-take-profit").value).toBe("97000");
  });

  it("opens one editor at a time, and the same button closes it", async () => {
    show();
    await click("position-tpsl");
    await click("position-add-margin");
    expect(has("tpsl-editor")).toBe(false);
    expect(has("margin-editor")).toBe(true);
    expect(button("position-add-margin").getAttribute("aria-expanded")).toBe("true");
    await click("position-add-margin");
    expect(has("margin-editor")).toBe(false);
  });

  it("closes a position's editor when the position is closed", async () => {
    const { onClose } = show();
    await click("position-tpsl");
    await click("position-close");
    expect(onClose).toHaveBeenCalledWith(held);
    expect(has("tpsl-editor")).toBe(false);
  });

  it("adds margin typed in sats, sent as BTC", async () => {
    const { onAddMargin } = show();
    await click("position-add-margin");
    expect(input("field-margin-amount").placeholder).toBe("sats");
    expect(text("margin-current")).toContain("Margin now 45,000 sats");
    expect(text("margin-current")).toContain("liquidation at 81,500.0");
    type("field-margin-amount", "1000");
    press("field-margin-amount", "Enter");
    await settle();
    flushSync();
    expect(onAddMargin).toHaveBeenCalledWith(held, { value: "0.00001", label: "1,000 sats" });
    expect(has("margin-editor")).toBe(false);
  });

  it("refuses a fraction of a sat and shows the venue's refusals", async () => {
    const { onAddMargin } = show({
      onAddMargin: () => Promise.resolve({ editor: "balance too low (venue code 7)" }),
    });
    await click("position-add-margin");
    type("field-margin-amount", "10.5");
    await click("save-margin");
    expect(onAddMargin).not.toHaveBeenCalled();
    expect(text("margin-error")).toBe("Margin must be a whole number of sats");

    type("field-margin-amount", "10");
    await click("save-margin");
    expect(onAddMargin).toHaveBeenCalledTimes(1);
    expect(text("margin-error")).toBe("balance too low (venue code 7)");
    press("field-margin-amount", "Escape");
    expect(has("margin-editor")).toBe(false);
  });

  it("adds margin once, however often Enter is pressed while it is in flight", async () => {
    let answer: (errors: MarginErrors) => void = () => undefined;
    const { onAddMargin } = show({
      onAddMargin: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    });
    await click("position-add-margin");
    type("field-margin-amount", "1000");
    press("field-margin-amount", "Enter");
    press("field-margin-amount", "Enter");
    expect(button("save-margin").disabled).toBe(true);
    expect(text("save-margin")).toBe("Adding…");
    expect(onAddMargin).toHaveBeenCalledTimes(1);
    answer({});
    await settle();
    flushSync();
    expect(has("margin-editor")).toBe(false);
  });

  it("types margin in the settle currency when it is not bitcoin", async () => {
    const linear = position({ margin: "450" });
    const { onAddMargin } = show({
      positions: [linear],
      instruments: [btcPerp({ settle: "USD" })],
    });
    expect(text("position-margin")).toBe("450.00 USD");
    await click("position-add-margin");
    expect(input("field-margin-amount").placeholder).toBe("USD");
    type("field-margin-amount", "25.50");
    await click("save-margin");
    expect(onAddMargin).toHaveBeenCalledWith(linear, { value: "25.5", label: "25.50 USD" });
  });

  it("sends the venue the position's instrument, side and prices through Trading", async () => {
    const setTpSl = vi.fn(() => Promise.resolve({ status: "ok" as const, data: null }));
    const addMargin = vi.fn(() => Promise.resolve({ status: "ok" as const, data: null }));
    const cashIn = vi.fn(() => Promise.resolve({ status: "ok" as const, data: null }));
    const api: TradingApi = {
      placeOrder: () => Promise.reject(new Error("not used")),
      cancelOrder: () => Promise.reject(new Error("not used")),
      amendOrder: () => Promise.reject(new Error("not used")),
      closePosition: () => Promise.reject(new Error("not used")),
      setTpSl,
      addMargin,
      cashIn,
    };
    const toasts = new Toasts({ timers: false });
    const trading = new Trading(api, new OrdersStore(), toasts);
    const short = position({ side: "short", entry_price: "90000", margin: "0.001" });
    show({
      positions: [short],
      onSetTpSl: (p, i, r) => trading.setTpSl("lnm-1", p, i, r),
      onAddMargin: (p, a) => trading.addMargin("lnm-1", p, a),
      onCashIn: (p, a) => trading.cashIn("lnm-1", p, a),
    });
    await click("position-tpsl");
    type("field-take-profit", "88000");
    type("field-stop-loss", "93000.5");
    await click("save-tpsl");
    expect(setTpSl).toHaveBeenCalledWith("lnm-1", BTC, "short", "88000", "93000.5", false);

    await click("position-add-margin");
    type("field-margin-amount", "2500");
    await click("save-margin");
    expect(addMargin).toHaveBeenCalledWith("lnm-1", BTC, "short", "0.000025");

    await click("position-cash-in");
    type("field-cashin-amount", "5000");
    await click("save-cashin");
    expect(cashIn).toHaveBeenCalledWith("lnm-1", BTC, "short", "0.00005");
    expect(toasts.items.map((t) => t.title)).toEqual([
      "Take-profit set at 88,000.0, stop-loss set at 93,000.5",
      "Added 2,500 sats of margin",
      "Cashed in 5,000 sats",
    ]);
  });

  it("cashes in an amount typed in sats, sent as BTC", async () => {
    const { onCashIn, onAddMargin } = show();
    await click("position-cash-in");
    expect(button("position-cash-in").getAttribute("aria-expanded")).toBe("true");
    expect(el("cashin-editor").closest("tr")?.previousElementSibling).toBe(el("position-row"));
    expect(input("field-cashin-amount").placeholder).toBe("sats");
    expect(document.activeElement).toBe(input("field-cashin-amount"));
    expect(text("cashin-explain")).toBe(
      "Takes profit first, then margin; moves the liquidation price closer.",
    );
    expect(text("cashin-current")).toBe(
      "Unrealized P&L +120 sats, margin 45,000 sats; liquidation at 81,500.0.",
    );
    type("field-cashin-amount", "5000");
    press("field-cashin-amount", "Enter");
    await settle();
    flushSync();
    expect(onCashIn).toHaveBeenCalledWith(held, { value: "0.00005", label: "5,000 sats" });
    expect(onAddMargin).not.toHaveBeenCalled();
    expect(has("cashin-editor")).toBe(false);
  });

  it("checks a cash-in amount before sending and shows the venue's refusal", async () => {
    const { onCashIn } = show({
      onCashIn: () => Promise.resolve({ amount: "LN Markets moves whole sats (at least 1)" }),
    });
    await click("position-cash-in");
    await click("save-cashin");
    expect(text("cashin-error")).toBe("Enter an amount to cash in, in sats");
    type("field-cashin-amount", "0.5");
    await click("save-cashin");
    expect(onCashIn).not.toHaveBeenCalled();
    expect(text("cashin-error")).toBe("Amount must be a whole number of sats");
    expect(input("field-cashin-amount").getAttribute("aria-invalid")).toBe("true");

    type("field-cashin-amount", "1");
    await click("save-cashin");
    expect(onCashIn).toHaveBeenCalledTimes(1);
    expect(text("cashin-error")).toBe("LN Markets moves whole sats (at least 1)");
    await click("cancel-cashin");
    expect(has("cashin-editor")).toBe(false);
  });

  it("starts afresh when switching between adding margin and cashing in", async () => {
    show();
    await click("position-add-margin");
    type("field-margin-amount", "1000");
    await click("position-cash-in");
    expect(has("margin-editor")).toBe(false);
    expect(input("field-cashin-amount").value).toBe("");
    expect(text("save-cashin")).toBe("Cash in");
    await click("position-add-margin");
    expect(input("field-margin-amount").value).toBe("");
  });
  describe("trailing stop-loss", () => {
    const trails = caps({ position_tp_sl: true, trailing_stop: true });

    it("is offered next to the stop-loss only where the venue trails stops", async () => {
      const { props } = show();
      await click("position-tpsl");
      expect(has("field-stop-loss")).toBe(true);
      expect(has("tpsl-trailing")).toBe(false);
      await click("position-tpsl");
      props.capabilities = trails;
      flushSync();
      await click("position-tpsl");
      expect(input("tpsl-trailing").type).toBe("checkbox");
      expect(el("tpsl-trailing").closest(".field")?.contains(input("field-stop-loss"))).toBe(true);
    });

    it("sends trailing when ticked, and waits for a stop-loss to tick", async () => {
      const { onSetTpSl } = show({ capabilities: trails });
      await click("position-tpsl");
      expect(input("tpsl-trailing").checked).toBe(false);
      expect(input("tpsl-trailing").disabled).toBe(true);
      type("field-stop-loss", "89000");
      expect(input("tpsl-trailing").disabled).toBe(false);
      await click("tpsl-trailing");
      expect(input("tpsl-trailing").checked).toBe(true);
      await click("save-tpsl");
      expect(onSetTpSl).toHaveBeenCalledWith(held, lnm, {
        takeProfit: "95000",
        stopLoss: "89000",
        trailing: true,
      });
    });

    it("does not trail a stop-loss that was emptied", async () => {
      const trailing = { ...held, stop_loss: "89500", stop_loss_trail: "600" };
      const { onSetTpSl } = show({ positions: [trailing], capabilities: trails });
      await click("position-tpsl");
      expect(input("field-stop-loss").value).toBe("89500");
      expect(input("tpsl-trailing").checked).toBe(true);
      type("field-stop-loss", "");
      expect(input("tpsl-trailing").disabled).toBe(true);
      expect(input("tpsl-trailing").checked).toBe(false);
      await click("save-tpsl");
      expect(onSetTpSl).toHaveBeenCalledWith(trailing, lnm, {
        takeProfit: "95000",
        stopLoss: null,
        trailing: false,
      });
    });

    it("reaches the venue as the last argument of set_tp_sl", async () => {
      const setTpSl = vi.fn(() => Promise.resolve({ status: "ok" as const, data: null }));
      const fail = () => Promise.reject(new Error("not used"));
      const toasts = new Toasts({ timers: false });
      const trading = new Trading(
        {
          placeOrder: fail,
          cancelOrder: fail,
          amendOrder: fail,
          closePosition: fail,
          setTpSl,
          addMargin: fail,
          cashIn: fail,
        },
        new OrdersStore(),
        toasts,
      );
      show({ capabilities: trails, onSetTpSl: (p, i, r) => trading.setTpSl("lnm-1", p, i, r) });
      await click("position-tpsl");
      type("field-stop-loss", "88000");
      await click("tpsl-trailing");
      await click("save-tpsl");
      expect(setTpSl).toHaveBeenCalledWith("lnm-1", BTC, "long", "95000", "88000", true);
      expect(toasts.items.map((t) => t.title)).toEqual([
        "Take-profit set at 95,000.0, trailing stop-loss set at 88,000.0",
      ]);
    });

    it("marks a trailing stop-loss in the table with its distance on the tick", () => {
      const { props } = show({
        positions: [{ ...held, stop_loss: "89500", stop_loss_trail: "500" }],
        capabilities: caps(),
      });
      expect(text("position-sl")).toBe("89,500.0");
      expect(text("position-sl-trailing")).toBe("↥ 500.0");
      props.positions = [{ ...held, stop_loss: "89500", stop_loss_trail: null }];
      flushSync();
      expect(has("position-sl-trailing")).toBe(false);
    });
  });
});

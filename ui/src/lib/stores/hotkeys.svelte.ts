// Trading hotkeys at the app level: the keymap (read from the settings view, rebound and saved
// from Settings), the help overlay, and what each key press does. Keys that send or cancel
// orders act only while armed; without it they say how to arm. Nothing is sent behind an open
// dialog, and a key press sends at most one request per action (flatten: a cancel, then a
// close).

import type {
  AccountId,
  AppError,
  Instrument,
  OrderTicket,
  Position,
  Side,
} from "../bindings/bindings";
import { addDec, decToString, parseDec, signOf } from "../decimal";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";
import {
  ACTION_INFO,
  DEFAULT_KEYMAP,
  actionFor,
  loadKeymap,
  rebind,
  type Combo,
  type HotkeyAction,
  type KeyEventLike,
  type Keymap,
} from "../trading/hotkeys";
import { cancelQuestion, type NukeRequest } from "./nuke.svelte";
import type { Toasts } from "./toasts.svelte";

/** What the screen shows when a key is pressed. */
export interface HotkeyContext {
  account: AccountId | null;
  /** The account as the user knows it ("LNM trader"). */
  accountLabel: string;
  instrument: Instrument | undefined;
  /** The order ticket's size and leverage, as typed. */
  ticketSize: string;
  leverage: string;
  /** Whether the venue takes post-only orders: hotkey limits are post-only where it does. */
  postOnly?: boolean;
  bid: string | null;
  ask: string | null;
  /** The position in the instrument, if any. */
  position: Position | undefined;
  /** Working orders in the instrument. */
  ordersHere: number;
  /** A dialog is open: no hotkey acts behind it. */
  blocked: boolean;
}

export interface HotkeyDeps {
  trading: {
    submit(
      account: AccountId,
      ticket: OrderTicket,
      instrument: Instrument,
      clickedAtMs: number,
    ): Promise<unknown>;
    close(account: AccountId, position: Position): Promise<void>;
  };
  nuke: {
    ask(request: NukeRequest): void;
    run(request: Pick<NukeRequest, "kind" | "account" | "instrument">): Promise<unknown>;
  };
  arming: { readonly armed: boolean; toggle(): void };
  toasts: Toasts;
  saveKeymap(keymap: Readonly<Record<string, string | null>>): Promise<Result<null, AppError>>;
  /** When the key was pressed, on the wall clock (the ipc `clickTime`). */
  clickTime(): number;
}

export const ARM_FIRST = "Arm one-click trading to use trading hotkeys";

/** Actions that send or cancel orders: they need arming. */
const TRADING: ReadonlySet<HotkeyAction> = new Set([
  "buyMarket",
  "sellMarket",
  "buyBid",
  "sellAsk",
  "cancelAll",
  "closePosition",
  "reverse",
  "flatten",
]);

/** Why a rebind was refused, in the user's words. */
export function refusal(result: ReturnType<typeof rebind>): string | null {
  if ("conflict" in result) return `Already used by ${ACTION_INFO[result.conflict].label}`;
  if ("reserved" in result) return `${result.reserved} is kept by the browser or system`;
  return null;
}

function positive(text: string): string | null {
  const d = parseDec(text.trim());
  return d !== null && signOf(d) > 0 ? decToString(d) : null;
}

export class HotkeyStore {
  keymap = $state.raw<Keymap>(DEFAULT_KEYMAP);
  helpOpen = $state(false);

  readonly #deps: HotkeyDeps;
  /** The saved keymap last loaded, as JSON: a settings view that repeats it changes nothing
   * and does not repeat its problems. */
  #loaded: string | null = null;

  constructor(deps: HotkeyDeps) {
    this.#deps = deps;
  }

  /** Takes the keymap saved in settings; its problems are toasted once. */
  load(saved: unknown): void {
    const key = JSON.stringify(saved ?? null);
    if (key === this.#loaded) return;
    this.#loaded = key;
    const { keymap, problems } = loadKeymap(saved);
    this.keymap = keymap;
    if (problems.length > 0) {
      this.#deps.toasts.push("warning", "Some hotkeys could not be used", problems.join("\n"));
    }
  }

  /** Puts `action` on `combo` (null: no key) and saves. Returns why it was refused, if it was. */
  async rebind(action: HotkeyAction, combo: Combo | null): Promise<string | null> {
    const result = rebind(this.keymap, action, combo);
    const refused = refusal(result);
    if (refused !== null || !("keymap" in result)) return refused;
    return this.#save(result.keymap, result.keymap);
  }

  /** Every action back on its default key. */
  async reset(): Promise<string | null> {
    return this.#save(DEFAULT_KEYMAP, {});
  }

  async #save(
    keymap: Keymap,
    stored: Readonly<Record<string, string | null>>,
  ): Promise<string | null> {
    const before = this.keymap;
    this.keymap = keymap;
    const saved = await this.#deps.saveKeymap(stored);
    if (saved.status === "ok") return null;
    this.keymap = before;
    const message = `Hotkeys not saved: ${describeError(saved.error)}`;
    this.#deps.toasts.push("error", message);
    return message;
  }

  /** Acts on a key press; returns the action it asked for (acted on or not), else null. */
  handle(e: KeyEventLike & { preventDefault(): void }, ctx: HotkeyContext): HotkeyAction | null {
    const clickedAt = this.#deps.clickTime();
    const action = actionFor(this.keymap, e);
    if (action === null || ctx.blocked) return null;
    if (this.helpOpen && action !== "help") return null;
    e.preventDefault();
    if (action === "help") {
      this.helpOpen = !this.helpOpen;
      return action;
    }
    if (action === "toggleArm") {
      this.#deps.arming.toggle();
      const armed = this.#deps.arming.armed;
      this.#deps.toasts.push(
        armed ? "warning" : "info",
        armed ? "Trading armed" : "Trading disarmed",
      );
      return action;
    }
    if (TRADING.has(action) && !this.#deps.arming.armed) {
      this.#deps.toasts.push("info", ARM_FIRST);
      return action;
    }
    this.#trade(action, ctx, clickedAt);
    return action;
  }

  #say(title: string): void {
    this.#deps.toasts.push("info", title);
  }

  #trade(action: HotkeyAction, ctx: HotkeyContext, clickedAt: number): void {
    const { account, instrument, position } = ctx;
    if (account === null || instrument === undefined) {
      this.#say("No market selected");
      return;
    }
    const send = (side: Side, size: string, price: string | null): void => {
      const ticket: OrderTicket = {
        instrument: instrument.id,
        side,
        order_type: price === null ? "market" : "limit",
        size,
        price,
        trigger_price: null,
        time_in_force: "gtc",
        reduce_only: false,
        post_only: price !== null && (ctx.postOnly ?? true),
        leverage: ctx.leverage.trim() === "" ? null : ctx.leverage.trim(),
        take_profit: null,
        stop_loss: null,
      };
      void this.#deps.trading.submit(account, ticket, instrument, clickedAt);
    };
    const ticketSize = (): string | null => {
      const size = positive(ctx.ticketSize);
      if (size === null) this.#say("Set a size in the order ticket first");
      return size;
    };
    const symbol = instrument.id.symbol;
    switch (action) {
      case "buyMarket":
      case "sellMarket": {
        const size = ticketSize();
        if (size !== null) send(action === "buyMarket" ? "buy" : "sell", size, null);
        return;
      }
      case "buyBid":
      case "sellAsk": {
        const buy = action === "buyBid";
        const price = buy ? ctx.bid : ctx.ask;
        if (price === null) {
          this.#say(`No best ${buy ? "bid" : "ask"} on ${symbol}`);
          return;
        }
        const size = ticketSize();
        if (size !== null) send(buy ? "buy" : "sell", size, price);
        return;
      }
      case "cancelAll":
        if (ctx.ordersHere === 0) {
          this.#say(`No working orders on ${symbol}`);
          return;
        }
        this.#deps.nuke.ask({
          kind: "cancel",
          account,
          instrument: instrument.id,
          question: cancelQuestion(ctx.ordersHere, `${symbol} (${ctx.accountLabel})`),
        });
        return;
      case "closePosition":
        if (position === undefined) {
          this.#say(`No ${symbol} position to close`);
          return;
        }
        void this.#deps.trading.close(account, position);
        return;
      case "reverse": {
        const held = position === undefined ? null : parseDec(position.size);
        if (position === undefined || held === null || signOf(held) <= 0) {
          this.#say(`No ${symbol} position to reverse`);
          return;
        }
        send(position.side === "long" ? "sell" : "buy", decToString(addDec(held, held)), null);
        return;
      }
      case "flatten":
        void this.#flatten(account, instrument, position);
        return;
      default:
        return;
    }
  }

  async #flatten(
    account: AccountId,
    instrument: Instrument,
    position: Position | undefined,
  ): Promise<void> {
    await this.#deps.nuke.run({ kind: "cancel", account, instrument: instrument.id });
    if (position !== undefined) await this.#deps.trading.close(account, position);
  }
}

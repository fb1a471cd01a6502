// The order ticket's inputs and the messages shown next to them.

import type { Instrument, OrderType, Side, TimeInForce } from "../bindings/bindings";
import {
  sizesByMargin,
  type SizeMode,
  type TicketDraft,
  type TicketErrors,
  type TicketField,
} from "../ticket";
import type { RiskKind } from "../ticket-sizing";

export class TicketStore {
  side = $state<Side>("buy");
  orderType = $state<OrderType>("market");
  /** Contracts, or sats of margin in "margin" mode. */
  size = $state("");
  sizeMode = $state<SizeMode>("contracts");
  price = $state("");
  trigger = $state("");
  leverage = $state("10");
  reduceOnly = $state(false);
  postOnly = $state(false);
  timeInForce = $state<TimeInForce>("gtc");
  /** The take-profit / stop-loss pair is shown (venues that take them with the order). */
  tpSlOpen = $state(false);
  takeProfit = $state("");
  stopLoss = $state("");
  /** The size is worked out from a risk and a stop instead of typed. */
  riskMode = $state(false);
  riskKind = $state<RiskKind>("percent");
  /** Percent of equity, or an amount of the settle currency (sats for bitcoin). */
  riskValue = $state("1");
  riskStop = $state("");
  /** Fields the user has edited: only their messages show until a submit is tried. */
  touched = $state<Partial<Record<TicketField, boolean>>>({});
  /** Messages from the backend, shown until the field changes. */
  serverErrors = $state<TicketErrors>({});
  submitting = $state(false);

  get draft(): TicketDraft {
    return {
      side: this.side,
      orderType: this.orderType,
      size: this.size,
      sizeMode: this.sizeMode,
      price: this.price,
      trigger: this.trigger,
      leverage: this.leverage,
      reduceOnly: this.reduceOnly,
      postOnly: this.postOnly,
      timeInForce: this.timeInForce,
      takeProfit: this.takeProfit,
      stopLoss: this.stopLoss,
    };
  }

  /** Marks `field` as edited and drops the backend's stale message for it. */
  edited(field: TicketField): void {
    if (this.touched[field] !== true) this.touched = { ...this.touched, [field]: true };
    if (this.serverErrors[field] !== undefined || this.serverErrors.type !== undefined) {
      this.serverErrors = Object.fromEntries(
        Object.entries(this.serverErrors).filter(([k]) => k !== field && k !== "type"),
      );
    }
  }

  /** Takes a price from the book or chart: limit orders get it as their price. */
  usePrice(price: string): void {
    if (this.orderType === "stop") {
      this.trigger = price;
      this.edited("trigger");
    } else {
      this.orderType = "limit";
      this.price = price;
      this.edited("price");
    }
  }

  /** Shows or hides the take-profit / stop-loss pair. Hiding it drops them: nothing hidden is
   * sent. */
  toggleTpSl(): void {
    this.tpSlOpen = !this.tpSlOpen;
    if (!this.tpSlOpen) this.#clearTpSl();
  }

  #clearTpSl(): void {
    this.takeProfit = "";
    this.stopLoss = "";
    const kept = ([k]: [string, unknown]): boolean => k !== "take_profit" && k !== "stop_loss";
    this.touched = Object.fromEntries(Object.entries(this.touched).filter(kept));
    this.serverErrors = Object.fromEntries(Object.entries(this.serverErrors).filter(kept));
  }

  /** Switches what the size field counts. The typed number means something else in the other
   * unit, so it is not carried over, except that going back to contracts keeps the `contracts`
   * the margin came to. */
  setSizeMode(mode: SizeMode, contracts: string | null = null): void {
    if (mode === this.sizeMode) return;
    this.sizeMode = mode;
    this.size = mode === "contracts" ? (contracts ?? "") : "";
    this.edited("size");
  }

  /** Sizes by risk, or goes back to a typed size (the size the risk came to, if any). */
  setRiskMode(on: boolean, size: string | null = null): void {
    if (on === this.riskMode) return;
    this.riskMode = on;
    if (!on && size !== null) this.useSize(size);
  }

  /** Sets the stop the risk is measured to. With `attach` (venues that take a stop-loss with
   * the order) it becomes the order's stop-loss too, shown in the TP/SL pair. */
  setRiskStop(price: string, attach: boolean): void {
    this.riskStop = price;
    if (!attach) return;
    this.tpSlOpen = true;
    this.stopLoss = price;
    this.edited("stop_loss");
  }

  /** Puts a worked-out size (contracts) in the size field, in place of any risk or margin. */
  useSize(size: string): void {
    this.riskMode = false;
    this.sizeMode = "contracts";
    this.size = size;
    this.edited("size");
  }

  /** Fits the ticket to a newly selected instrument. */
  resetFor(instrument: Instrument): void {
    if (!sizesByMargin(instrument)) this.sizeMode = "contracts";
    this.size = this.sizeMode === "contracts" ? instrument.min_size : "";
    this.price = "";
    this.trigger = "";
    this.riskStop = "";
    this.tpSlOpen = false;
    this.takeProfit = "";
    this.stopLoss = "";
    const max = Number(instrument.max_leverage);
    if (Number(this.leverage) > max) this.leverage = instrument.max_leverage;
    this.touched = {};
    this.serverErrors = {};
  }
}

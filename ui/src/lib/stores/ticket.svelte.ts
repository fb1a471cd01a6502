// The order ticket's inputs and the messages shown next to them.

import type { Instrument, OrderType, Side, TimeInForce } from "../bindings/bindings";
import type { TicketDraft, TicketErrors, TicketField } from "../ticket";

export class TicketStore {
  side = $state<Side>("buy");
  orderType = $state<OrderType>("market");
  size = $state("");
  price = $state("");
  trigger = $state("");
  leverage = $state("10");
  reduceOnly = $state(false);
  postOnly = $state(false);
  timeInForce = $state<TimeInForce>("gtc");
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
      price: this.price,
      trigger: this.trigger,
      leverage: this.leverage,
      reduceOnly: this.reduceOnly,
      postOnly: this.postOnly,
      timeInForce: this.timeInForce,
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

  /** Fits the ticket to a newly selected instrument. */
  resetFor(instrument: Instrument): void {
    this.size = instrument.min_size;
    this.price = "";
    this.trigger = "";
    const max = Number(instrument.max_leverage);
    if (Number(this.leverage) > max) this.leverage = instrument.max_leverage;
    this.touched = {};
    this.serverErrors = {};
  }
}

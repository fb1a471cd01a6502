// A stop price taken from the chart: the ticket's "from chart" button starts a pick, and the
// chart's next click hands its price here instead of doing what a click usually does.
//
// For the chart (integrator): on a click in the plot, first check `stopPick.picking`; when it
// is true, call `stopPick.pick(price)` with the clicked price rounded to the instrument's tick
// (as text, the way it is given to `ticket.usePrice`), and do nothing else with that click —
// no order is placed. Esc, or leaving the chart, may call `stopPick.cancel()`.

export class StopPick {
  /** A pick is pending: the chart's next click is a stop price. */
  picking = $state(false);
  #onPick: ((price: string) => void) | null = null;

  /** Waits for a price; a second call replaces the first. */
  start(onPick: (price: string) => void): void {
    this.#onPick = onPick;
    this.picking = true;
  }

  /** Hands `price` to whoever started the pick, once. Does nothing when none is pending. */
  pick(price: string): void {
    const onPick = this.#onPick;
    this.cancel();
    onPick?.(price);
  }

  cancel(): void {
    this.#onPick = null;
    this.picking = false;
  }
}

/** The app's one pending pick, shared by the ticket and the chart. */
export const stopPick = new StopPick();

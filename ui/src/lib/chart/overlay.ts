// The chart's trading overlay as plain data: which lines to draw (working orders, the
// position, its take-profit, stop-loss, liquidation and break-even), where on screen, and
// labels spread so none hides another. The component only renders what this returns.

import type { Order, Position } from "../bindings/bindings";
import { addDec, decToString, mulDec, parseDec } from "../decimal";
import type { InstrumentFormat } from "../format";
import type { TpSlRequest } from "../position-actions";
import { phaseOf, type DragState } from "../trading/drag";
import { snapToTick } from "../trading/ticks";

/** Price ↔ pixel on the chart's price scale (the candle series' own mapping). Null where the
 * scale has no answer yet (no data, zero height). */
export interface PriceMapper {
  priceToY(price: number): number | null;
  yToPrice(y: number): number | null;
}

/** The y of a decimal price, or null when it cannot be read or placed. */
export function yOf(mapper: PriceMapper, price: string): number | null {
  const n = Number(price);
  if (!Number.isFinite(n)) return null;
  const y = mapper.priceToY(n);
  return y === null || !Number.isFinite(y) ? null : y;
}

/** The price under pixel row `y`, on the tick; null off the scale. */
export function priceAt(mapper: PriceMapper, y: number, tick: string): string | null {
  const p = mapper.yToPrice(y);
  if (p === null || !Number.isFinite(p)) return null;
  try {
    return snapToTick(p, tick);
  } catch {
    return null;
  }
}

/** Keys for lines that are not orders. */
export const POSITION_KEY = "position";
export const TP_KEY = "tp";
export const SL_KEY = "sl";

export type LineKind = "order" | "unknown" | "position" | "liquidation" | "breakeven" | "tp" | "sl";

export interface OverlayLine {
  /** An order's client order id, or one of the keys above. */
  key: string;
  kind: LineKind;
  /** Where the line is drawn now (a dragged or pending line at its new price). */
  price: string;
  /** The order's status, for orders. */
  status: string | null;
  /** Side and colour class: "buy" | "sell" | "stop" | "long" | "short" | kind. */
  tone: string;
  label: string;
  /** The line can be picked up and moved. */
  draggable: boolean;
  /** The line has a × (cancel the order, remove the TP or SL). */
  removable: boolean;
  /** Where it still is while the move is unanswered: drawn as a ghost. */
  ghost: string | null;
  /** Why the last move was refused, shown next to it until the next move. */
  rejected: string | null;
}

/** The price an order rests at: its trigger for a stop, else its limit. */
export function orderPrice(o: Order): string | null {
  return (o.order_type === "stop" ? o.trigger_price : o.price) ?? null;
}

/** Entry moved by a taker fee each way, on the tick: the price at which closing the position
 * at market leaves it even. Null when the entry or fee cannot be read. Long rounds up, short
 * down, so reaching the line never means a loss. */
export function breakEven(
  position: Pick<Position, "side" | "entry_price">,
  takerFee: string,
  tick: string,
): string | null {
  const entry = parseDec(position.entry_price);
  const fee = parseDec(takerFee);
  if (entry === null || fee === null) return null;
  // entry × (1 ± 2·fee), exactly: a float here would land a hair above a tick and round a
  // whole tick away.
  const long = position.side === "long";
  const twice = mulDec(fee, { units: long ? 2n : -2n, scale: 0 });
  const raw = mulDec(entry, addDec({ units: 1n, scale: 0 }, twice));
  try {
    return snapToTick(decToString(raw), tick, long ? "up" : "down");
  } catch {
    return null;
  }
}

/** Applies a line's drag phase: where it is drawn, its ghost and any rejection. */
function placed(
  drag: DragState,
  key: string,
  price: string,
): Pick<OverlayLine, "price" | "ghost" | "rejected"> {
  const phase = phaseOf(drag, key);
  switch (phase.kind) {
    case "dragging":
      return { price: phase.to, ghost: phase.from, rejected: null };
    case "pending":
      return { price: phase.target, ghost: phase.ghost, rejected: null };
    case "snappedBack":
      return { price, ghost: null, rejected: phase.reason };
    case "idle":
      return { price, ghost: null, rejected: null };
  }
}

export interface OverlayInput {
  orders: readonly Order[];
  position: Position | undefined;
  takerFee: string | null;
  tick: string;
  fmt: InstrumentFormat;
  drag: DragState;
}

/** Every line to draw, orders first. */
export function overlayLines(input: OverlayInput): OverlayLine[] {
  const { orders, position, fmt, drag } = input;
  const lines: OverlayLine[] = [];
  for (const o of orders) {
    const price = orderPrice(o);
    if (price === null) continue;
    const remaining = fmt.size(String(Number(o.size) - Number(o.filled_size)));
    const unknown = o.status === "unknown";
    const type = o.order_type === "stop" ? "STOP" : o.order_type.toUpperCase();
    const label = `${o.side.toUpperCase()} ${type} ${remaining} @ ${fmt.price(price)}`;
    lines.push({
      key: o.client_order_id,
      kind: unknown ? "unknown" : "order",
      status: o.status,
      tone: unknown ? "unknown" : o.order_type === "stop" ? "stop" : o.side,
      label: unknown ? `${label} · unknown — reconciling` : label,
      draggable: !unknown && o.order_type !== "market",
      removable: true,
      ...placed(drag, o.client_order_id, price),
    });
  }
  if (position === undefined) return lines;

  const side = position.side.toUpperCase();
  const pnl = Number(position.unrealized_pnl);
  const pnlText = Number.isFinite(pnl)
    ? `${pnl >= 0 ? "+" : ""}${position.unrealized_pnl}`
    : position.unrealized_pnl;
  const mark = position.mark_price ?? null;
  lines.push({
    key: POSITION_KEY,
    kind: "position",
    status: null,
    tone: position.side,
    label: `${side} ${fmt.size(position.size)} @ ${fmt.price(position.entry_price)} · PnL ${pnlText}${mark === null ? "" : ` (mark ${fmt.price(mark)})`}`,
    draggable: true,
    removable: false,
    // Dragging off the position makes a TP or SL; the entry itself never moves.
    price: position.entry_price,
    ghost: null,
    rejected:
      phaseOf(drag, POSITION_KEY).kind === "snappedBack" ? rejection(drag, POSITION_KEY) : null,
  });
  const dragged = phaseOf(drag, POSITION_KEY);
  if (dragged.kind === "dragging" || dragged.kind === "pending") {
    const to = dragged.kind === "dragging" ? dragged.to : dragged.target;
    const tp = profitSide(position, to);
    lines.push({
      key: `${POSITION_KEY}:new`,
      kind: tp ? "tp" : "sl",
      status: null,
      tone: tp ? "tp" : "sl",
      label: `${tp ? "TP" : "SL"} @ ${fmt.price(to)}`,
      draggable: false,
      removable: false,
      price: to,
      ghost: null,
      rejected: null,
    });
  }
  for (const [key, value, name] of [
    [TP_KEY, position.take_profit ?? null, "TP"],
    [SL_KEY, position.stop_loss ?? null, "SL"],
  ] as const) {
    if (value === null) continue;
    const at = placed(drag, key, value);
    lines.push({
      key,
      kind: key,
      status: null,
      tone: key,
      label: `${name} @ ${fmt.price(at.price)}${key === SL_KEY && (position.stop_loss_trail ?? null) !== null ? " (trailing)" : ""}`,
      draggable: true,
      removable: true,
      ...at,
    });
  }
  const liq = position.liquidation_price ?? null;
  if (liq !== null) {
    lines.push(fixed("liquidation", liq, `LIQ @ ${fmt.price(liq)}`));
  }
  const be = input.takerFee === null ? null : breakEven(position, input.takerFee, input.tick);
  if (be !== null) lines.push(fixed("breakeven", be, `BE @ ${fmt.price(be)}`));
  return lines;
}

function rejection(drag: DragState, key: string): string | null {
  const p = phaseOf(drag, key);
  return p.kind === "snappedBack" ? p.reason : null;
}

function fixed(kind: "liquidation" | "breakeven", price: string, label: string): OverlayLine {
  return {
    key: kind,
    kind,
    status: null,
    tone: kind,
    label,
    draggable: false,
    removable: false,
    price,
    ghost: null,
    rejected: null,
  };
}

/** Whether `price` is on the profit side of the position's entry (above for a long). */
export function profitSide(
  position: Pick<Position, "side" | "entry_price">,
  price: string,
): boolean {
  const d = Number(price) - Number(position.entry_price);
  return position.side === "long" ? d > 0 : d < 0;
}

/** A line placed on screen, its label moved off any other label it would cover. */
export interface Placed<T> {
  item: T;
  /** The line's own row. */
  y: number;
  /** Where its label sits (the line's row unless that was taken). */
  labelY: number;
}

/**
 * Lays labels out top to bottom so no two are closer than `gap` pixels, each as near its own
 * line as it can be, keeping to [0, height]. Lines the mapper cannot place (or off screen by
 * more than a label) are left out. A pass down pushes labels apart, a pass up pulls the stack
 * back inside the bottom edge.
 */
export function layoutLabels<T>(
  items: readonly { item: T; y: number | null }[],
  height: number,
  gap: number,
): Placed<T>[] {
  const shown = items
    .filter((i): i is { item: T; y: number } => i.y !== null && i.y >= -gap && i.y <= height + gap)
    .map((i) => ({
      item: i.item,
      y: i.y,
      labelY: Math.min(Math.max(i.y, gap / 2), height - gap / 2),
    }))
    .sort((a, b) => a.y - b.y);
  for (let i = 1; i < shown.length; i++) {
    const prev = shown[i - 1];
    const cur = shown[i];
    if (prev !== undefined && cur !== undefined && cur.labelY - prev.labelY < gap) {
      cur.labelY = prev.labelY + gap;
    }
  }
  const last = shown[shown.length - 1];
  if (last !== undefined && last.labelY > height - gap / 2) {
    last.labelY = height - gap / 2;
    for (let i = shown.length - 2; i >= 0; i--) {
      const next = shown[i + 1];
      const cur = shown[i];
      if (next !== undefined && cur !== undefined && next.labelY - cur.labelY < gap) {
        cur.labelY = next.labelY - gap;
      }
    }
  }
  return shown;
}

/** The TP/SL to send when line `key` is released at `price`: the other level and the
 * trailing flag kept. Released off the position line, it is a take-profit on the profit
 * side and a stop-loss on the losing side. */
export function tpSlMove(
  position: Pick<
    Position,
    "side" | "entry_price" | "take_profit" | "stop_loss" | "stop_loss_trail"
  >,
  key: string,
  price: string,
): TpSlRequest {
  const tp = position.take_profit ?? null;
  const sl = position.stop_loss ?? null;
  const trailing = (position.stop_loss_trail ?? null) !== null;
  const target = key === POSITION_KEY ? (profitSide(position, price) ? TP_KEY : SL_KEY) : key;
  return target === TP_KEY
    ? { takeProfit: price, stopLoss: sl, trailing: sl !== null && trailing }
    : { takeProfit: tp, stopLoss: price, trailing };
}

/** The TP/SL to send when the × on line `key` (TP or SL) is pressed: that level removed. */
export function tpSlRemove(
  position: Pick<Position, "take_profit" | "stop_loss" | "stop_loss_trail">,
  key: typeof TP_KEY | typeof SL_KEY,
): TpSlRequest {
  const sl = key === SL_KEY ? null : (position.stop_loss ?? null);
  return {
    takeProfit: key === TP_KEY ? null : (position.take_profit ?? null),
    stopLoss: sl,
    trailing: sl !== null && (position.stop_loss_trail ?? null) !== null,
  };
}

/** Where line `key` really is now (the venue's word), or undefined when it is gone. For the
 * position line, the level a pending drag off it was turned into. */
export function settledPrice(
  orders: readonly Order[],
  position: Position | undefined,
  key: string,
  target: string,
): string | null | undefined {
  if (key === TP_KEY) return position === undefined ? undefined : (position.take_profit ?? null);
  if (key === SL_KEY) return position === undefined ? undefined : (position.stop_loss ?? null);
  if (key === POSITION_KEY) {
    if (position === undefined) return undefined;
    return profitSide(position, target)
      ? (position.take_profit ?? null)
      : (position.stop_loss ?? null);
  }
  const o = orders.find((x) => x.client_order_id === key);
  return o === undefined ? undefined : orderPrice(o);
}

// Dragging a working order to a new price (a line on the chart, a badge on the ladder), as
// pure transitions over an immutable state: nothing here sends, draws or starts a timer.
//
// Each order is in one phase:
//   idle ── startDrag ──▶ dragging {from, to} ── moveDrag: `to` follows the pointer, on the tick
//   dragging ── drop, to ≠ from ──▶ pending {ghost: from, target: to}   + one amend intent
//   dragging ── drop at `from`, or cancelDrag (Esc) ──▶ idle, no intent
//   pending ── ack ──▶ idle          pending ── reject ──▶ snappedBack {price: from, reason}
//   snappedBack ── clearRejection (or a new drag) ──▶ idle
// One order can be dragged at a time (there is one pointer); other orders may be pending
// meanwhile. An order whose amend is pending cannot be dragged again until it is answered.

import { comparePrices, snapToTick } from "./ticks";

export interface Dragging {
  orderId: string;
  /** The order's price when the drag began. */
  from: string;
  /** Where it would go now, on the tick. */
  to: string;
}

export interface Pending {
  /** Where the order still is until the venue answers: drawn as a ghost. */
  ghost: string;
  /** Where it was asked to go. */
  target: string;
}

export interface SnappedBack {
  /** Where the order stayed. */
  price: string;
  reason: string;
}

export interface DragState {
  readonly dragging: Readonly<Dragging> | null;
  readonly pending: ReadonlyMap<string, Readonly<Pending>>;
  readonly snappedBack: ReadonlyMap<string, Readonly<SnappedBack>>;
}

/** An amend for the caller to send, once. */
export interface AmendIntent {
  kind: "amend";
  orderId: string;
  price: string;
}

/** Where one order stands. */
export type OrderPhase =
  | { kind: "idle" }
  | ({ kind: "dragging" } & Dragging)
  | ({ kind: "pending"; orderId: string } & Pending)
  | ({ kind: "snappedBack"; orderId: string } & SnappedBack);

export const IDLE: DragState = { dragging: null, pending: new Map(), snappedBack: new Map() };

function without<V>(map: ReadonlyMap<string, V>, key: string): ReadonlyMap<string, V> {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

function withEntry<V>(map: ReadonlyMap<string, V>, key: string, value: V): ReadonlyMap<string, V> {
  return new Map(map).set(key, value);
}

/** The phase of `orderId`. */
export function phaseOf(state: DragState, orderId: string): OrderPhase {
  if (state.dragging?.orderId === orderId) return { kind: "dragging", ...state.dragging };
  const pending = state.pending.get(orderId);
  if (pending !== undefined) return { kind: "pending", orderId, ...pending };
  const snapped = state.snappedBack.get(orderId);
  if (snapped !== undefined) return { kind: "snappedBack", orderId, ...snapped };
  return { kind: "idle" };
}

/** Whether `orderId` may be picked up now: nothing else is being dragged and it is not
 * waiting for an answer. */
export function canDrag(state: DragState, orderId: string): boolean {
  return state.dragging === null && !state.pending.has(orderId);
}

/** Picks up `orderId` at its price `from`. Refused (the same state back) while another drag
 * is under way or the order's last amend is unanswered. Clears an old rejection. */
export function startDrag(state: DragState, orderId: string, from: string): DragState {
  if (!canDrag(state, orderId)) return state;
  return {
    ...state,
    dragging: { orderId, from, to: from },
    snappedBack: without(state.snappedBack, orderId),
  };
}

/** Moves the dragged order to `price` snapped to the nearest tick. A price that cannot be
 * read (NaN off the chart's scale) leaves it where it was. */
export function moveDrag(state: DragState, price: string | number, tick: string): DragState {
  if (state.dragging === null) return state;
  let to: string;
  try {
    to = snapToTick(price, tick);
  } catch {
    return state;
  }
  if (to === state.dragging.to) return state;
  return { ...state, dragging: { ...state.dragging, to } };
}

/** Lets go. At a new price the order becomes pending and the intent to amend it is returned;
 * at its old price nothing happens. Without a drag, nothing happens either, so dropping twice
 * sends once. */
export function drop(state: DragState): { state: DragState; intent: AmendIntent | null } {
  const d = state.dragging;
  if (d === null) return { state, intent: null };
  if (comparePrices(d.to, d.from) === 0)
    return { state: { ...state, dragging: null }, intent: null };
  return {
    state: {
      ...state,
      dragging: null,
      pending: withEntry(state.pending, d.orderId, { ghost: d.from, target: d.to }),
    },
    intent: { kind: "amend", orderId: d.orderId, price: d.to },
  };
}

/** Abandons the drag (Esc, or the order went away): back where it was, nothing sent. */
export function cancelDrag(state: DragState): DragState {
  return state.dragging === null ? state : { ...state, dragging: null };
}

/** The venue took the amend (or the order is gone): the ghost goes. */
export function ack(state: DragState, orderId: string): DragState {
  const pending = without(state.pending, orderId);
  return pending === state.pending ? state : { ...state, pending };
}

/** The venue refused the amend: the order is shown back at its old price with the reason. */
export function reject(state: DragState, orderId: string, reason: string): DragState {
  const p = state.pending.get(orderId);
  if (p === undefined) return state;
  return {
    ...state,
    pending: without(state.pending, orderId),
    snappedBack: withEntry(state.snappedBack, orderId, { price: p.ghost, reason }),
  };
}

/** Forgets the rejection of `orderId`, or of every order without one. */
export function clearRejection(state: DragState, orderId?: string): DragState {
  if (orderId === undefined) {
    return state.snappedBack.size === 0 ? state : { ...state, snappedBack: new Map() };
  }
  const snappedBack = without(state.snappedBack, orderId);
  return snappedBack === state.snappedBack ? state : { ...state, snappedBack };
}

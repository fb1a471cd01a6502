import { describe, expect, it } from "vitest";
import {
  IDLE,
  ack,
  canDrag,
  cancelDrag,
  clearRejection,
  drop,
  moveDrag,
  phaseOf,
  reject,
  startDrag,
  type DragState,
} from "./drag";

const TICK = "0.5";

/** Picks up `id` at `from`, moves through `moves`, and lets go. */
function dragged(state: DragState, id: string, from: string, ...moves: (string | number)[]) {
  let s = startDrag(state, id, from);
  for (const m of moves) s = moveDrag(s, m, TICK);
  return drop(s);
}

describe("dragging an order", () => {
  it("follows the pointer on the tick, then sends one amend and waits with a ghost", () => {
    let s = startDrag(IDLE, "o1", "100");
    expect(phaseOf(s, "o1")).toEqual({ kind: "dragging", orderId: "o1", from: "100", to: "100" });
    s = moveDrag(s, "100.3", TICK);
    expect(phaseOf(s, "o1")).toMatchObject({ kind: "dragging", to: "100.5" });
    // A chart coordinate is a float: 101.26 is nearest to 101.5.
    s = moveDrag(s, 101.26, TICK);
    expect(phaseOf(s, "o1")).toMatchObject({ kind: "dragging", from: "100", to: "101.5" });

    const dropped = drop(s);
    expect(dropped.intent).toEqual({ kind: "amend", orderId: "o1", price: "101.5" });
    expect(phaseOf(dropped.state, "o1")).toEqual({
      kind: "pending",
      orderId: "o1",
      ghost: "100",
      target: "101.5",
    });
    // Letting go again sends nothing more.
    expect(drop(dropped.state)).toEqual({ state: dropped.state, intent: null });

    const done = ack(dropped.state, "o1");
    expect(phaseOf(done, "o1")).toEqual({ kind: "idle" });
    expect(done).toEqual(IDLE);
  });

  it("sends nothing when dropped where it started", () => {
    const back = dragged(IDLE, "o1", "100", "101", "100.2");
    expect(back.intent).toBeNull();
    expect(back.state).toEqual(IDLE);
    // "100.0" is the same price as "100".
    expect(dragged(IDLE, "o1", "100", "100.1").intent).toBeNull();
  });

  it("sends nothing when Esc cancels the drag", () => {
    const s = cancelDrag(moveDrag(startDrag(IDLE, "o1", "100"), "105", TICK));
    expect(s).toEqual(IDLE);
    expect(drop(s).intent).toBeNull();
    expect(cancelDrag(IDLE)).toBe(IDLE);
  });

  it("keeps its place when the pointer gives no price", () => {
    const s = moveDrag(startDrag(IDLE, "o1", "100"), "101", TICK);
    expect(moveDrag(s, Number.NaN, TICK)).toBe(s);
    expect(moveDrag(s, "", TICK)).toBe(s);
    expect(moveDrag(s, "101.2", TICK)).toBe(s);
    expect(moveDrag(IDLE, "101", TICK)).toBe(IDLE);
  });

  it("snaps back at the old price with the reason when the venue refuses", () => {
    const { state } = dragged(IDLE, "o1", "100", "98");
    const refused = reject(state, "o1", "Price outside the band");
    expect(phaseOf(refused, "o1")).toEqual({
      kind: "snappedBack",
      orderId: "o1",
      price: "100",
      reason: "Price outside the band",
    });
    expect(canDrag(refused, "o1")).toBe(true);
    expect(clearRejection(refused)).toEqual(IDLE);
    expect(clearRejection(refused, "o1")).toEqual(IDLE);
  });

  it("refuses to drag an order whose amend is unanswered, but not the others", () => {
    const { state } = dragged(IDLE, "o1", "100", "98");
    expect(canDrag(state, "o1")).toBe(false);
    expect(startDrag(state, "o1", "100")).toBe(state);

    const second = dragged(state, "o2", "105", "106");
    expect(second.intent).toEqual({ kind: "amend", orderId: "o2", price: "106.0" });
    expect(phaseOf(second.state, "o1")).toMatchObject({ kind: "pending", target: "98.0" });
    expect(phaseOf(second.state, "o2")).toMatchObject({ kind: "pending", target: "106.0" });

    // Answers arrive in any order and touch only their own order.
    const oneLeft = reject(ack(second.state, "o2"), "o1", "Too far");
    expect(phaseOf(oneLeft, "o2")).toEqual({ kind: "idle" });
    expect(phaseOf(oneLeft, "o1")).toMatchObject({ kind: "snappedBack", price: "100" });
  });

  it("drags one order at a time", () => {
    const s = startDrag(IDLE, "o1", "100");
    expect(canDrag(s, "o2")).toBe(false);
    expect(startDrag(s, "o2", "101")).toBe(s);
  });

  it("forgets an old rejection when the order is dragged again", () => {
    const refused = reject(dragged(IDLE, "o1", "100", "98").state, "o1", "no");
    const again = startDrag(refused, "o1", "100");
    expect(phaseOf(again, "o1")).toMatchObject({ kind: "dragging", from: "100" });
    expect(again.snappedBack.size).toBe(0);
  });

  it("ignores answers about orders it is not waiting for", () => {
    const { state } = dragged(IDLE, "o1", "100", "98");
    expect(ack(state, "nope")).toBe(state);
    expect(reject(state, "nope", "x")).toBe(state);
    expect(clearRejection(state, "o1")).toBe(state);
    expect(clearRejection(state)).toBe(state);
    // A rejection is only for an amend in flight.
    expect(reject(startDrag(IDLE, "o1", "100"), "o1", "x").snappedBack.size).toBe(0);
  });

  it("never changes a state it was given", () => {
    const start = startDrag(IDLE, "o1", "100");
    const moved = moveDrag(start, "103", TICK);
    const { state } = drop(moved);
    reject(state, "o1", "x");
    expect(IDLE).toEqual({ dragging: null, pending: new Map(), snappedBack: new Map() });
    expect(start.dragging).toEqual({ orderId: "o1", from: "100", to: "100" });
    expect(moved.dragging?.to).toBe("103.0");
    expect(state.pending.get("o1")).toEqual({ ghost: "100", target: "103.0" });
  });
});

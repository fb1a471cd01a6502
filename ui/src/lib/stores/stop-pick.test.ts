import { describe, expect, it, vi } from "vitest";
import { StopPick } from "./stop-pick.svelte";

describe("StopPick", () => {
  it("hands the next picked price to whoever started the pick, once", () => {
    const p = new StopPick();
    const onPick = vi.fn();
    p.start(onPick);
    expect(p.picking).toBe(true);
    p.pick("49000.5");
    expect(onPick).toHaveBeenCalledExactlyOnceWith("49000.5");
    expect(p.picking).toBe(false);
    p.pick("48000");
    expect(onPick).toHaveBeenCalledTimes(1);
  });

  it("ignores a click when no pick is pending, or after one is cancelled", () => {
    const p = new StopPick();
    p.pick("1");
    const onPick = vi.fn();
    p.start(onPick);
    p.cancel();
    expect(p.picking).toBe(false);
    p.pick("49000");
    expect(onPick).not.toHaveBeenCalled();
  });
});

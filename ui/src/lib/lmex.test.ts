import { describe, expect, it } from "vitest";
import { lmexDeadMan } from "../test/fixtures";
import {
  deadManState,
  deadManSummary,
  formatLeverage,
  fundingEvery,
  marginModeLabel,
  rearmedLine,
  sizeLimits,
} from "./lmex";

const NOW = 1_775_000_000_000;

describe("fundingEvery", () => {
  it.each([
    [480, "every 8 h"],
    [60, "every 1 h"],
    [30, "every 30 min"],
    [90, "every 1 h 30 min"],
    [0, null],
    [null, null],
    [undefined, null],
  ])("%s minutes reads %s", (minutes, expected) => {
    expect(fundingEvery(minutes)).toBe(expected);
  });
});

describe("the contract and the account", () => {
  it("writes size limits in contracts, every digit kept", () => {
    expect(sizeLimits("1", "1000000")).toBe("1 – 1,000,000 contracts");
    expect(sizeLimits("0.5", "2500.25")).toBe("0.5 – 2,500.25 contracts");
  });

  it.each([
    ["20", "20×"],
    ["20.00", "20×"],
    ["12.5", "12.5×"],
    ["100", "100×"],
    [null, "—"],
    [undefined, "—"],
    ["", "—"],
  ])("leverage %s reads %s", (leverage, expected) => {
    expect(formatLeverage(leverage)).toBe(expected);
  });

  it.each([
    ["CROSS", "Cross"],
    ["ISOLATED", "Isolated"],
    ["isolated", "Isolated"],
    [null, "—"],
    ["", "—"],
  ])("margin mode %s reads %s", (mode, expected) => {
    expect(marginModeLabel(mode)).toBe(expected);
  });
});

describe("the dead-man switch", () => {
  it("is off without a timeout, whatever else it carries", () => {
    const state = deadManState(lmexDeadMan({ armed_at: NOW, last_error: "stale" }));
    expect(state).toEqual({ kind: "off" });
    expect(deadManSummary(state)).toBe("Off — set it in Settings → the account");
    expect(rearmedLine(state, NOW)).toBeNull();
  });

  it("says what it does when armed, and how long ago the venue last accepted a re-arm", () => {
    const state = deadManState(lmexDeadMan({ timeout_s: 30, armed_at: NOW - 3_000 }));
    expect(state).toEqual({ kind: "armed", timeoutS: 30, armedAt: NOW - 3_000, error: null });
    expect(deadManSummary(state)).toBe("Armed: cancels all orders after 30 s of silence");
    expect(rearmedLine(state, NOW)).toBe("re-armed 3 s ago");
    expect(rearmedLine(state, NOW + 1_000)).toBe("re-armed 4 s ago");
    expect(rearmedLine(state, NOW + 120_000)).toBe("re-armed 2 min ago");
  });

  it("says when the venue has not accepted a re-arm yet", () => {
    const state = deadManState(lmexDeadMan({ timeout_s: 60 }));
    expect(rearmedLine(state, NOW)).toBe("not re-armed yet");
  });

  it("gives the failure, not the last success, when the last re-arm failed", () => {
    const state = deadManState(
      lmexDeadMan({ timeout_s: 30, armed_at: NOW - 40_000, last_error: "429 Too Many Requests" }),
    );
    expect(state).toMatchObject({ kind: "armed", error: "429 Too Many Requests" });
    expect(rearmedLine(state, NOW)).toBeNull();
  });

  it("reads fields the backend left out as absent", () => {
    expect(deadManState({})).toEqual({ kind: "off" });
    expect(deadManState({ timeout_s: 10 })).toEqual({
      kind: "armed",
      timeoutS: 10,
      armedAt: null,
      error: null,
    });
  });
});

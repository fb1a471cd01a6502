import { describe, expect, it } from "vitest";
import {
  TickError,
  addTicks,
  comparePrices,
  decimalsOf,
  isOnTick,
  snapToTick,
  ticksBetween,
  type SnapMode,
} from "./ticks";

function thrown(f: () => unknown): TickError {
  try {
    f();
  } catch (e) {
    if (e instanceof TickError) return e;
    throw e;
  }
  throw new Error("did not throw");
}

describe("decimalsOf", () => {
  it.each([
    ["0.5", 1],
    ["0.1", 1],
    ["0.01", 2],
    ["1", 0],
    ["0.0001", 4],
    ["5", 0],
    ["10", 0],
    ["0.50", 1],
  ])("%s has %i significant decimals", (tick, decimals) => {
    expect(decimalsOf(tick)).toBe(decimals);
  });
});

describe("snapToTick", () => {
  const cases: [string | number, string, SnapMode, string][] = [
    ["91250.3", "0.5", "nearest", "91250.5"],
    ["91250.2", "0.5", "nearest", "91250.0"],
    ["91250.3", "0.5", "down", "91250.0"],
    ["91250.2", "0.5", "up", "91250.5"],
    ["91250.5", "0.5", "up", "91250.5"],
    ["91250", "0.5", "nearest", "91250.0"],
    ["12345.67891", "0.0001", "nearest", "12345.6789"],
    ["12345.67891", "0.0001", "up", "12345.6790"],
    ["102.4", "5", "nearest", "100"],
    ["104.99", "5", "down", "100"],
    ["100.01", "5", "up", "105"],
    ["7", "0.1", "nearest", "7.0"],
    ["1", "1", "nearest", "1"],
    ["0.04", "0.1", "nearest", "0.0"],
    ["3.3", "0.50", "nearest", "3.5"],
    [" +5.2 ", "0.5", "nearest", "5.0"],
    // Below zero, "down" and "up" keep their direction on the number line.
    ["-0.3", "0.5", "down", "-0.5"],
    ["-0.3", "0.5", "up", "0.0"],
    ["-0.3", "0.5", "nearest", "-0.5"],
  ];
  it.each(cases)("%j on %s (%s) is %s", (price, tick, mode, expected) => {
    expect(snapToTick(price, tick, mode)).toBe(expected);
  });

  it.each([
    ["100.25", "0.5", "100.5"],
    ["-100.25", "0.5", "-100.5"],
    ["102.5", "5", "105"],
    ["-102.5", "5", "-105"],
    ["0.05", "0.1", "0.1"],
    ["12345.67895", "0.0001", "12345.6790"],
  ])("sends the exact half-way %s on %s away from zero: %s", (price, tick, expected) => {
    expect(snapToTick(price, tick)).toBe(expected);
  });

  it("has no float error: 0.1 + 0.2 snaps to 0.3", () => {
    expect(snapToTick(0.1 + 0.2, "0.1")).toBe("0.3");
    expect(snapToTick(0.1 + 0.2, "0.01")).toBe("0.30");
    // 1.005 is 1.00499999999999989… in binary, but its shortest text is "1.005".
    expect(snapToTick(1.005, "0.01")).toBe("1.01");
    expect(snapToTick(91250.1 + 0.2, "0.5")).toBe("91250.5");
  });

  it("reads numbers JavaScript prints in exponent form", () => {
    expect(snapToTick(1e-7, "0.0000001")).toBe("0.0000001");
    expect(snapToTick(1.5e-7, "0.0001")).toBe("0.0000");
    expect(snapToTick(1e21, "1")).toBe("1000000000000000000000");
    expect(snapToTick(-2.5e-7, "0.0000005", "down")).toBe("-0.0000005");
  });
});

describe("isOnTick", () => {
  it.each([
    ["0.3", "0.1", true],
    ["91250.5", "0.5", true],
    ["91250.50", "0.5", true],
    ["1000.3", "0.5", false],
    ["105", "5", true],
    ["104", "5", false],
    ["-2.5", "0.5", true],
    ["0.0015", "0.001", false],
    ["0.0001", "0.0001", true],
  ])("%s on %s: %s", (price, tick, expected) => {
    expect(isOnTick(price, tick)).toBe(expected);
  });

  it("judges a float by its shortest text, which may be off the tick", () => {
    expect(isOnTick(0.3, "0.1")).toBe(true);
    expect(isOnTick(0.1 + 0.2, "0.1")).toBe(false);
  });
});

describe("ticksBetween", () => {
  it.each([
    ["100", "101.5", "0.5", 3],
    ["101.5", "100", "0.5", -3],
    ["100", "100.75", "0.5", 1],
    ["100.75", "100", "0.5", -1],
    ["0.1", "0.3", "0.1", 2],
    ["91250", "91250.0", "0.5", 0],
    ["100", "200", "5", 20],
    ["0", "1000000", "0.0001", 10_000_000_000],
  ])("from %s to %s on %s is %i", (a, b, tick, expected) => {
    expect(ticksBetween(a, b, tick)).toBe(expected);
  });
});

describe("addTicks", () => {
  it.each([
    ["100.5", 3, "0.5", "102.0"],
    ["100", -1, "0.1", "99.9"],
    ["0.1", 2, "0.1", "0.3"],
    ["100.50", 1, "0.5", "101.0"],
    ["5", -2, "5", "-5"],
    ["0.9999", 1, "0.0001", "1.0000"],
    ["100", 0, "0.01", "100.00"],
    // Off the tick it stays off by the same amount, with its own decimals.
    ["100.25", 1, "0.5", "100.75"],
  ])("%s plus %i ticks of %s is %s", (price, n, tick, expected) => {
    expect(addTicks(price, n, tick)).toBe(expected);
  });

  it("adds to a float read through its shortest text", () => {
    expect(addTicks(0.2, 1, "0.1")).toBe("0.3");
  });
});

describe("comparePrices", () => {
  it("compares values, not text", () => {
    expect(comparePrices("100", "100.0")).toBe(0);
    expect(comparePrices("99.9", "100")).toBe(-1);
    expect(comparePrices("100.05", 100)).toBe(1);
  });
});

describe("garbage", () => {
  it.each([
    ["NaN", () => snapToTick("NaN", "0.5")],
    ["empty", () => snapToTick("", "0.5")],
    ["exponent text", () => snapToTick("1e5", "0.5")],
    ["NaN number", () => snapToTick(Number.NaN, "0.5")],
    ["infinity", () => isOnTick(Number.POSITIVE_INFINITY, "0.5")],
    ["grouped digits", () => ticksBetween("1,000", "1001", "1")],
    ["a word", () => addTicks("abc", 1, "1")],
    ["second price", () => ticksBetween("1", "x", "1")],
  ])("refuses a price that is not plain decimal text (%s)", (_, call) => {
    expect(thrown(call).kind).toBe("price");
  });

  it.each(["0", "-0.5", "", "1e-1", "abc", "0.000"])("refuses the tick %j", (tick) => {
    const e = thrown(() => snapToTick("100", tick));
    expect(e.kind).toBe("tick");
    expect(e.input).toBe(tick);
    expect(() => decimalsOf(tick)).toThrow(TickError);
  });

  it("refuses a fractional tick count", () => {
    const e = thrown(() => addTicks("100", 1.5, "0.5"));
    expect(e.kind).toBe("count");
    expect(e.message).toBe("tick count must be a whole number: 1.5");
    expect(thrown(() => addTicks("100", Number.NaN, "0.5")).kind).toBe("count");
  });

  it("is an Error with a name", () => {
    const e = thrown(() => snapToTick("x", "0.5"));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("TickError");
    expect(e.message).toBe("price is not a plain decimal: x");
  });
});

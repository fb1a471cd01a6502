import { describe, expect, it } from "vitest";
import {
  compareDec,
  decToString,
  fractionDigits,
  isMultipleOf,
  parseDec,
  roundDec,
  trimDec,
} from "./decimal";

function dec(text: string) {
  const d = parseDec(text);
  if (d === null) throw new Error(`not a decimal: ${text}`);
  return d;
}

describe("parseDec", () => {
  it.each([
    ["12", "12"],
    ["-0.50", "-0.50"],
    [".5", "0.5"],
    [" 1.25 ", "1.25"],
    ["+3", "3"],
  ])("reads %j", (text, back) => {
    expect(decToString(dec(text))).toBe(back);
  });

  it.each(["", ".", "-", "1e5", "inf", "NaN", "1.2.3", "0x10", "1,000"])("refuses %j", (text) => {
    expect(parseDec(text)).toBeNull();
  });
});

describe("exact step arithmetic", () => {
  it.each([
    ["0.3", "0.1", true],
    ["91250.5", "0.5", true],
    ["1000.3", "0.5", false],
    ["0.0015", "0.001", false],
    ["0.010", "0.001", true],
    ["7", "0", true],
  ])("%s on step %s is %s", (value, step, expected) => {
    expect(isMultipleOf(dec(value), dec(step))).toBe(expected);
  });

  it("compares across scales", () => {
    expect(compareDec(dec("0.0001"), dec("0.001"))).toBe(-1);
    expect(compareDec(dec("1.50"), dec("1.5"))).toBe(0);
    expect(compareDec(dec("-2"), dec("-10"))).toBe(1);
  });

  it("rounds halves away from zero", () => {
    expect(decToString(roundDec(dec("1.25"), 1))).toBe("1.3");
    expect(decToString(roundDec(dec("-1.25"), 1))).toBe("-1.3");
    expect(decToString(roundDec(dec("1.24"), 1))).toBe("1.2");
    expect(decToString(roundDec(dec("3"), 2))).toBe("3.00");
  });

  it("counts significant fraction digits", () => {
    expect(fractionDigits("0.5")).toBe(1);
    expect(fractionDigits("0.50")).toBe(1);
    expect(fractionDigits("0.001")).toBe(3);
    expect(fractionDigits("1")).toBe(0);
    expect(fractionDigits("10")).toBe(0);
  });

  it("drops trailing fraction zeros and nothing else", () => {
    expect(decToString(trimDec(dec("0.00001000")))).toBe("0.00001");
    expect(decToString(trimDec(dec("5.0")))).toBe("5");
    expect(decToString(trimDec(dec("100")))).toBe("100");
    expect(decToString(trimDec(dec("-0.50")))).toBe("-0.5");
  });
});

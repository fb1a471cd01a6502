import { describe, expect, it } from "vitest";
import {
  addDec,
  compareDec,
  decToString,
  divDec,
  fractionDigits,
  isMultipleOf,
  mulDec,
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

describe("exact sums, products and quotients", () => {
  it("adds and multiplies without floating point", () => {
    expect(decToString(addDec(dec("0.1"), dec("0.2")))).toBe("0.3");
    expect(decToString(addDec(dec("0.00000111"), dec("-0.0000005")))).toBe("0.00000061");
    expect(decToString(mulDec(dec("1.5"), dec("-0.0001")))).toBe("-0.00015");
  });

  it.each([
    ["1", "3", 4, "0.3333"],
    ["2", "3", 4, "0.6667"],
    ["-2", "3", 4, "-0.6667"],
    ["1", "-8", 2, "-0.13"],
    ["5", "2", 0, "3"],
    ["-5", "2", 0, "-3"],
    ["100000000", "90000", 0, "1111"],
    ["0.15", "0.5", 1, "0.3"],
  ])("divides %s by %s to %i places, halves away from zero", (a, b, scale, expected) => {
    const q = divDec(dec(a), dec(b), scale);
    expect(q === null ? null : decToString(q)).toBe(expected);
  });

  it("refuses to divide by zero", () => {
    expect(divDec(dec("1"), dec("0.00"), 2)).toBeNull();
  });
});

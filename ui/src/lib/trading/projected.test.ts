import { describe, expect, it } from "vitest";
import { projectOrder, type ClickInput } from "./projected";

const base: ClickInput = {
  clickPrice: "99.3",
  tick: "0.5",
  last: "100.0",
  bid: "100.0",
  ask: "100.5",
  mode: "modifier",
  modifiers: { shift: false, alt: false },
  size: "0.01",
};

const shift = { shift: true, alt: false };
const alt = { shift: false, alt: true };

describe("projectOrder in modifier mode", () => {
  it("buys on Shift-click and sells on Alt-click, at the nearest tick", () => {
    expect(projectOrder({ ...base, modifiers: shift })).toEqual({
      side: "buy",
      price: "99.5",
      size: "0.01",
      crossesSpread: false,
    });
    expect(projectOrder({ ...base, clickPrice: 101.26, modifiers: alt })).toEqual({
      side: "sell",
      price: "101.5",
      size: "0.01",
      crossesSpread: false,
    });
  });

  it("places nothing on a plain click, or with both modifiers", () => {
    expect(projectOrder(base)).toBeNull();
    expect(projectOrder({ ...base, modifiers: { shift: true, alt: true } })).toBeNull();
  });

  it("says when a click would cross the spread", () => {
    const at = (clickPrice: string, modifiers: typeof shift) =>
      projectOrder({ ...base, clickPrice, modifiers })?.crossesSpread;
    expect(at("100.5", shift)).toBe(true); // a buy at the ask
    expect(at("101", shift)).toBe(true); // a buy above it
    expect(at("100", shift)).toBe(false); // a buy at the bid rests
    expect(at("100", alt)).toBe(true); // a sell at the bid
    expect(at("99", alt)).toBe(true); // a sell below it
    expect(at("100.5", alt)).toBe(false); // a sell at the ask rests
  });

  it("cannot cross a side of the book that is missing", () => {
    const empty = { ...base, bid: null, ask: null };
    expect(projectOrder({ ...empty, clickPrice: "200", modifiers: shift })?.crossesSpread).toBe(
      false,
    );
    expect(projectOrder({ ...empty, clickPrice: "1", modifiers: alt })?.crossesSpread).toBe(false);
  });
});

describe("projectOrder in sides mode", () => {
  const sides: ClickInput = { ...base, mode: "sides", last: "100.0", bid: "99.5", ask: "100.5" };

  it("buys below the last price and sells above it", () => {
    expect(projectOrder({ ...sides, clickPrice: "99.3" })).toMatchObject({
      side: "buy",
      price: "99.5",
    });
    expect(projectOrder({ ...sides, clickPrice: "100.6" })).toMatchObject({
      side: "sell",
      price: "100.5",
    });
    // 100.2 is on the last price's tick: no side.
    expect(projectOrder({ ...sides, clickPrice: "100.2" })).toBeNull();
  });

  it("ignores modifiers", () => {
    expect(projectOrder({ ...sides, clickPrice: "99", modifiers: alt })?.side).toBe("buy");
  });

  it("still warns about crossing: a sell above the last can be at or below the bid", () => {
    // The last traded at 98 while the book moved up: a sell at 99 is above the last and
    // below the bid of 99.5.
    expect(projectOrder({ ...sides, last: "98", clickPrice: "99" })).toEqual({
      side: "sell",
      price: "99.0",
      size: "0.01",
      crossesSpread: true,
    });
  });

  it("uses the mid without a last price, and places nothing with no price at all", () => {
    const noLast = { ...sides, last: null, bid: "100", ask: "101" };
    expect(projectOrder({ ...noLast, clickPrice: "100.5" })).toBeNull();
    expect(projectOrder({ ...noLast, clickPrice: "100" })?.side).toBe("buy");
    expect(projectOrder({ ...noLast, clickPrice: "101" })?.side).toBe("sell");
    expect(projectOrder({ ...noLast, last: "garbage", clickPrice: "101" })?.side).toBe("sell");
    expect(projectOrder({ ...noLast, bid: null, clickPrice: "101" })).toBeNull();
  });
});

describe("projectOrder with a click it cannot read", () => {
  it("places nothing", () => {
    expect(projectOrder({ ...base, clickPrice: Number.NaN, modifiers: shift })).toBeNull();
    expect(projectOrder({ ...base, clickPrice: "abc", modifiers: shift })).toBeNull();
    expect(projectOrder({ ...base, tick: "0", modifiers: shift })).toBeNull();
  });

  it("has no float error on the price", () => {
    expect(
      projectOrder({ ...base, clickPrice: 0.1 + 0.2, tick: "0.1", modifiers: shift })?.price,
    ).toBe("0.3");
  });
});

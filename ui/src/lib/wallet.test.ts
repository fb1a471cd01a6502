import { describe, expect, it } from "vitest";
import {
  checkAddress,
  checkSats,
  formatSats,
  invoiceText,
  satsAsBtc,
  shortenMiddle,
  type AddressCheck,
  type SatsCheck,
} from "./wallet";

describe("checkSats", () => {
  it("reads whole sats, with or without thousands separators", () => {
    const cases: { text: string; expected: SatsCheck }[] = [
      { text: "", expected: { sats: null, error: null } },
      { text: "  ", expected: { sats: null, error: null } },
      { text: "25000", expected: { sats: 25_000, error: null } },
      { text: " 25,000 ", expected: { sats: 25_000, error: null } },
      { text: "1_000_000", expected: { sats: 1_000_000, error: null } },
      { text: "0", expected: { sats: null, error: "At least 1 sat" } },
      { text: "12.5", expected: { sats: null, error: "Whole sats, like 25000" } },
      { text: "-5", expected: { sats: null, error: "Whole sats, like 25000" } },
      { text: "1e3", expected: { sats: null, error: "Whole sats, like 25000" } },
      {
        text: "2100000000000001",
        expected: { sats: null, error: "More sats than there will ever be" },
      },
    ];
    for (const [i, c] of cases.entries()) {
      expect(checkSats(c.text), `case ${String(i)}`).toEqual(c.expected);
    }
  });
});

describe("checkAddress", () => {
  it("takes an address as pasted and catches what is plainly wrong", () => {
    const cases: { text: string; expected: AddressCheck }[] = [
      { text: "", expected: { address: null, error: null } },
      { text: " bc1qxyz \n", expected: { address: "bc1qxyz", error: null } },
      { text: "bc1q xyz", expected: { address: null, error: "An address has no spaces" } },
      {
        text: "lnbc250u1pxyz",
        expected: { address: null, error: "That is a Lightning invoice: choose Lightning" },
      },
    ];
    for (const [i, c] of cases.entries()) {
      expect(checkAddress(c.text), `case ${String(i)}`).toEqual(c.expected);
    }
  });
});

describe("wallet text", () => {
  it("drops the lightning: prefix a wallet's share button adds", () => {
    expect(invoiceText(" lightning:lnbc1xyz ")).toBe("lnbc1xyz");
    expect(invoiceText("LIGHTNING:LNBC1XYZ")).toBe("LNBC1XYZ");
    expect(invoiceText("lnbc1xyz")).toBe("lnbc1xyz");
  });

  it("shows sats grouped and BTC to the sat", () => {
    expect(formatSats(25_000)).toBe("25,000");
    expect(formatSats(25_000, { signed: true })).toBe("+25,000");
    expect(satsAsBtc(500)).toBe("0.00000500");
    expect(satsAsBtc(123_456_789)).toBe("1.23456789");
  });

  it("leaves out the middle of long text and keeps short text whole", () => {
    expect(shortenMiddle("lnbc250u1pabcdefghijklmnopqrstuvwxyz", 6, 4)).toBe("lnbc25…wxyz");
    expect(shortenMiddle("bc1qshort", 6, 4)).toBe("bc1qshort");
    expect(shortenMiddle("abcdefghijk", 6, 4)).toBe("abcdefghijk");
    expect(shortenMiddle("abcdefghijkl", 6, 4)).toBe("abcdef…ijkl");
  });
});

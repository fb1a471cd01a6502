import { describe, expect, it } from "vitest";
import { btcPerp, lnmPerp, position } from "../test/fixtures";
import { fundingCredit, fundingEstimate, fundingTotals, type FundingEstimate } from "./funding";

const lnm = lnmPerp();

describe("fundingEstimate", () => {
  function pays(sats: string): FundingEstimate {
    return { direction: "pays", sats };
  }
  function receives(sats: string): FundingEstimate {
    return { direction: "receives", sats };
  }
  function nothing(): FundingEstimate {
    return { direction: "nothing", sats: "0" };
  }

  interface Case {
    side: "long" | "short";
    size: string;
    rate: string;
    price: string;
    expected: FundingEstimate;
  }
  const cases: Case[] = [
    // 1,000 USD / 100,000 × 0.0001 = 0.000001 BTC = 100 sats.
    { side: "long", size: "1000", rate: "0.0001", price: "100000", expected: pays("100") },
    { side: "short", size: "1000", rate: "0.0001", price: "100000", expected: receives("100") },
    { side: "long", size: "1000", rate: "-0.0001", price: "100000", expected: receives("100") },
    { side: "short", size: "1000", rate: "-0.0001", price: "100000", expected: pays("100") },
    // 10,000 / 90,000 × 0.00015 BTC = 1,666.67 sats: rounded, not cut.
    { side: "long", size: "10000", rate: "0.00015", price: "90000", expected: pays("1667") },
    // 10,000 / 90,000 × 0.0001 BTC = 1,111.11 sats.
    { side: "short", size: "10000", rate: "0.0001", price: "90000", expected: receives("1111") },
    // Exactly half a sat rounds up: 5 / 100,000 × 0.0001 × 1e8 = 0.5.
    { side: "long", size: "5", rate: "0.0001", price: "100000", expected: pays("1") },
    { side: "long", size: "4", rate: "0.0001", price: "100000", expected: nothing() },
    { side: "long", size: "1000", rate: "0", price: "100000", expected: nothing() },
  ];

  it("says who pays and how many sats, exactly", () => {
    for (const [i, c] of cases.entries()) {
      const p = position({ side: c.side, size: c.size });
      expect(fundingEstimate(p, lnm, c.rate, c.price), `case ${String(i)}`).toEqual(c.expected);
    }
  });

  it("counts contracts by their size", () => {
    const p = position({ side: "long", size: "10" });
    expect(fundingEstimate(p, lnmPerp({ contract_size: "100" }), "0.0001", "100000")).toEqual(
      pays("100"),
    );
    expect(fundingEstimate(p, lnmPerp({ size_unit: "quote" }), "0.0001", "100000")).toEqual(
      pays("1"),
    );
  });

  it("gives up on what it cannot work out", () => {
    const p = position({ side: "long", size: "1000" });
    expect(fundingEstimate(p, btcPerp({ contract: "linear" }), "0.0001", "90000")).toBeNull();
    expect(fundingEstimate(p, lnmPerp({ size_unit: "base" }), "0.0001", "90000")).toBeNull();
    expect(fundingEstimate(p, lnm, "0.0001", "0")).toBeNull();
    expect(fundingEstimate(p, lnm, "n/a", "90000")).toBeNull();
  });
});

describe("funding fees", () => {
  it("turns a fee paid into a debit and one received into a credit", () => {
    expect(fundingCredit("0.00000111")).toBe("-0.00000111");
    expect(fundingCredit("-0.0000005")).toBe("0.0000005");
    expect(fundingCredit("x")).toBeNull();
  });

  it("adds up what was paid and received, exactly", () => {
    const totals = fundingTotals([
      { fee: "0.00000111" },
      { fee: "-0.0000005" },
      { fee: "0.00000002" },
      { fee: "bad" },
      { fee: "-0.00000001" },
    ]);
    expect(totals).toEqual({ paid: "0.00000113", received: "0.00000051", net: "-0.00000062" });
  });

  it("adds up nothing to zero", () => {
    expect(fundingTotals([])).toEqual({ paid: "0", received: "0", net: "0" });
  });
});

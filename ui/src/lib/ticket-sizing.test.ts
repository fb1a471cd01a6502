import { describe, expect, it } from "vitest";
import { btcPerp, lnmPerp } from "../test/fixtures";
import { contractSizeOf, sizeByMarginShare, sizeByRisk, type RiskInput } from "./ticket-sizing";

function input(over: Partial<RiskInput> = {}): RiskInput {
  return { side: "buy", orderType: "market", kind: "percent", value: "1", stop: "49001", ...over };
}

describe("sizeByRisk", () => {
  it("sizes a linear order to lose the share of equity at the stop", () => {
    // 1% of 10,000 USD is 100; from 50,001 to 49,001 one BTC loses 1,000.
    expect(sizeByRisk(input(), btcPerp(), "50001", "10000")).toEqual({
      ok: true,
      size: "0.100",
      riskAtStop: "100",
    });
  });

  it("sizes an inverse order in whole contracts, never risking more than asked", () => {
    // 1% of 0.01 BTC; a 1 USD contract loses 1000 / (50001 × 49001) BTC.
    const sized = sizeByRisk(input(), lnmPerp(), "50001", "0.01");
    expect(sized).toMatchObject({ ok: true, size: "245" });
    expect(sized.ok && Number(sized.riskAtStop)).toBeLessThanOrEqual(0.0001);
    expect(sized.ok && Number(sized.riskAtStop)).toBeGreaterThan(0.0000999);
  });

  it("takes a fixed risk in sats on bitcoin-settled instruments", () => {
    const sized = sizeByRisk(input({ kind: "fixed", value: "5000" }), lnmPerp(), "50001", "0.01");
    expect(sized).toMatchObject({ ok: true, size: "122" });
  });

  it("takes a fixed risk in the settle currency otherwise", () => {
    const sized = sizeByRisk(input({ kind: "fixed", value: "50" }), btcPerp(), "50001", "10000");
    expect(sized).toMatchObject({ ok: true, size: "0.050" });
  });

  it("says what is missing or wrong, in the ticket's words", () => {
    const cases: {
      over: Partial<RiskInput>;
      ref: string | null;
      equity: string | null;
      msg: string;
    }[] = [
      { over: { value: " " }, ref: "50001", equity: "10000", msg: "Enter the risk" },
      { over: { stop: "" }, ref: "50001", equity: "10000", msg: "Enter a stop price" },
      { over: {}, ref: null, equity: "10000", msg: "No market price yet to size by risk" },
      {
        over: { orderType: "limit" },
        ref: null,
        equity: "10000",
        msg: "Enter a price to size by risk",
      },
      { over: {}, ref: "50001", equity: null, msg: "No account balance yet to size by risk" },
      {
        over: { stop: "51000" },
        ref: "50001",
        equity: "10000",
        msg: "A buy's stop must be below the fill price 50001",
      },
      {
        over: { side: "sell", stop: "49000" },
        ref: "50000",
        equity: "10000",
        msg: "A sell's stop must be above the fill price 50000",
      },
      {
        over: { value: "150" },
        ref: "50001",
        equity: "10000",
        msg: "Risk must be at most 100% of equity",
      },
      {
        over: { value: "0.001" },
        ref: "50001",
        equity: "10",
        msg: "Risk 0.0001 is less than one size step (0.001) loses at this stop",
      },
    ];
    cases.forEach((c, i) => {
      expect(sizeByRisk(input(c.over), btcPerp(), c.ref, c.equity), `case ${String(i)}`).toEqual({
        ok: false,
        message: c.msg,
      });
    });
  });
});

describe("sizeByMarginShare", () => {
  it("sizes a share of the available balance at the leverage, leaving room for the fee", () => {
    // 25% of 1,000 USD at 10× is 2,500 of value, less the taker fee's room (× 1/1.005).
    expect(
      sizeByMarginShare(25, { leverage: "10", orderType: "market" }, btcPerp(), "50001", "1000"),
    ).toEqual({ ok: true, size: "0.049" });
  });

  it("sizes inverse instruments in contracts", () => {
    // 0.01 BTC at 10× and 50,001 is 5,000.1 USD, / 1.005 for the fee.
    expect(
      sizeByMarginShare(100, { leverage: "10", orderType: "market" }, lnmPerp(), "50001", "0.01"),
    ).toEqual({ ok: true, size: "4975" });
  });

  it("says why it cannot size", () => {
    const draft = { leverage: "10", orderType: "market" as const };
    expect(sizeByMarginShare(10, draft, btcPerp(), null, "1000")).toEqual({
      ok: false,
      message: "No market price yet to size by margin",
    });
    expect(sizeByMarginShare(10, draft, btcPerp(), "50001", null)).toEqual({
      ok: false,
      message: "No account balance yet",
    });
    expect(sizeByMarginShare(10, draft, btcPerp(), "50001", "0")).toEqual({
      ok: false,
      message: "Not enough available balance for one size step",
    });
  });
});

describe("contractSizeOf", () => {
  it("counts instruments sized in a currency in ones of it", () => {
    expect(contractSizeOf(btcPerp({ size_unit: "base", contract_size: "0.01" }))).toBe("1");
    expect(contractSizeOf(btcPerp({ size_unit: "contracts", contract_size: "0.01" }))).toBe("0.01");
  });
});

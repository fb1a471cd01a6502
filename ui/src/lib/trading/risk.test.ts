import { describe, expect, it } from "vitest";
import {
  riskAmount,
  sizeFromMargin,
  sizeFromRisk,
  type MarginSizeInput,
  type RiskSizeInput,
} from "./risk";

// LN Markets-like: inverse, 1 USD contracts, settled in BTC.
const inverse: RiskSizeInput = {
  contract: "inverse",
  contractSize: "1",
  sizeStep: "1",
  minSize: "1",
  maxSize: "500000",
  entry: "50000",
  stop: "49000",
  risk: "0.001",
};

// A BTC-PERP in contracts of 0.001 BTC, settled in USDT.
const linear: RiskSizeInput = {
  contract: "linear",
  contractSize: "0.001",
  sizeStep: "1",
  minSize: "1",
  maxSize: "100000",
  entry: "50000",
  stop: "49500",
  risk: "100",
};

describe("sizeFromRisk", () => {
  it("sizes an inverse contract: 0.001 / (1/49000 − 1/50000) = 2450", () => {
    // 1/49000 − 1/50000 = 1000 / 2 450 000 000, so 0.001 BTC buys 2 450 000 000 × 0.001 / 1000.
    expect(sizeFromRisk(inverse)).toEqual({ ok: true, size: "2450", riskAtStop: "0.001" });
  });

  it("sizes a linear contract: 100 USDT / (0.001 × 500) = 200", () => {
    expect(sizeFromRisk(linear)).toEqual({ ok: true, size: "200", riskAtStop: "100" });
  });

  it("is exact where floats fall one contract short", () => {
    // In floats 0.001 / (1/38000 − 1/40000) is 759.9999999999999; exactly it is
    // 0.001 × 40000 × 38000 / 2000 = 760.
    expect(sizeFromRisk({ ...inverse, entry: "40000", stop: "38000" })).toEqual({
      ok: true,
      size: "760",
      riskAtStop: "0.001",
    });
  });

  it("sizes shorts (stop above entry) the same way", () => {
    // 0.001 × 50000 × 51000 / 1000 = 2550.
    expect(sizeFromRisk({ ...inverse, stop: "51000" })).toMatchObject({ ok: true, size: "2550" });
    expect(sizeFromRisk({ ...linear, stop: "50500" })).toMatchObject({ ok: true, size: "200" });
  });

  it("floors to the size step, so the risk at the stop is never above the risk asked", () => {
    // 100.3 / 0.5 = 200.6 contracts → 200, losing 100.
    expect(sizeFromRisk({ ...linear, risk: "100.3" })).toEqual({
      ok: true,
      size: "200",
      riskAtStop: "100",
    });
    // 0.001 × 50000.5 × 49000 / 1000.5 = 4900049/2001 = 2448.80… → 2448 contracts, which lose
    // 2448 × 1000.5 / (50000.5 × 49000) = 0.000999673… BTC, shown to 8 decimals.
    expect(sizeFromRisk({ ...inverse, entry: "50000.5" })).toEqual({
      ok: true,
      size: "2448",
      riskAtStop: "0.00099967",
    });
  });

  it("prints fractional sizes with the step's decimals", () => {
    // Sized in BTC (contract size 1): 100 / 500 = 0.2 BTC.
    const inBtc = { ...linear, contractSize: "1", sizeStep: "0.001", minSize: "0.001" };
    expect(sizeFromRisk(inBtc)).toEqual({ ok: true, size: "0.200", riskAtStop: "100" });
    // 7.3 / 500 = 0.0146 → 0.014, which loses 7.
    expect(sizeFromRisk({ ...inBtc, risk: "7.3" })).toEqual({
      ok: true,
      size: "0.014",
      riskAtStop: "7",
    });
  });

  it("refuses a size outside the limits, naming the limit", () => {
    // 4 / 0.5 = 8 contracts.
    expect(sizeFromRisk({ ...linear, minSize: "10", risk: "4" })).toEqual({
      ok: false,
      field: "minSize",
      message: "Size 8 for this risk is below the minimum size 10",
    });
    expect(sizeFromRisk({ ...linear, maxSize: "150" })).toEqual({
      ok: false,
      field: "maxSize",
      message: "Size 200 for this risk is above the maximum size 150",
    });
    // Exactly at the limits is fine.
    expect(sizeFromRisk({ ...linear, minSize: "200", maxSize: "200" })).toMatchObject({
      ok: true,
      size: "200",
    });
  });

  it("says when the risk does not cover one size step", () => {
    expect(sizeFromRisk({ ...linear, risk: "0.4", minSize: "0" })).toEqual({
      ok: false,
      field: "risk",
      message: "Risk 0.4 is less than one size step (1) loses at this stop",
    });
  });

  it("refuses a stop at the entry", () => {
    expect(sizeFromRisk({ ...linear, stop: "50000.0" })).toEqual({
      ok: false,
      field: "stop",
      message: "Stop must differ from the entry",
    });
  });

  it.each([
    ["entry", { entry: "abc" }, "Entry must be a number"],
    ["stop", { stop: "" }, "Stop must be a number"],
    ["risk", { risk: "-1" }, "Risk must be above zero"],
    ["risk", { risk: "0" }, "Risk must be above zero"],
    ["sizeStep", { sizeStep: "0" }, "Size step must be above zero"],
    ["contractSize", { contractSize: "1e-3" }, "Contract size must be a number"],
    ["minSize", { minSize: "-1" }, "Minimum size must be zero or more"],
    ["maxSize", { maxSize: "0" }, "Maximum size must be above zero"],
  ])("names the bad input (%s)", (field, over, message) => {
    expect(sizeFromRisk({ ...linear, ...over })).toEqual({ ok: false, field, message });
  });
});

describe("riskAmount", () => {
  it.each([
    ["percent", "1", "10000", "100"],
    ["percent", "0.5", "0.0123", "0.0000615"],
    ["percent", "100", "2500.75", "2500.75"],
    ["percent", "2.5", "1000", "25"],
    ["fixed", "250", "1000", "250"],
    ["fixed", "250.50", "1000", "250.5"],
    ["fixed", "1000", "1000", "1000"],
  ] as const)("%s %s of equity %s is %s", (mode, value, equity, amount) => {
    expect(riskAmount({ mode, value, equity })).toEqual({ ok: true, amount });
  });

  it.each([
    ["percent", "100.01", "1000", "value", "Risk must be at most 100% of equity"],
    ["percent", "0", "1000", "value", "Risk must be above zero"],
    ["percent", "x", "1000", "value", "Risk must be a number"],
    ["fixed", "2000", "1000", "value", "Risk must be at most the equity (1000)"],
    ["fixed", "10", "0", "equity", "Equity must be above zero"],
  ] as const)("refuses %s %s of equity %s", (mode, value, equity, field, message) => {
    expect(riskAmount({ mode, value, equity })).toEqual({ ok: false, field, message });
  });
});

describe("sizeFromMargin", () => {
  const linearMargin: MarginSizeInput = {
    contract: "linear",
    contractSize: "0.001",
    sizeStep: "1",
    fraction: "0.25",
    available: "1000",
    leverage: "10",
    price: "50000",
  };
  const inverseMargin: MarginSizeInput = {
    contract: "inverse",
    contractSize: "1",
    sizeStep: "1",
    fraction: "1",
    available: "0.01",
    leverage: "10",
    price: "50000",
  };

  it.each([
    ["0.1", "20"],
    ["0.25", "50"],
    ["0.5", "100"],
    ["1", "200"],
  ])("linear: %s of 1000 USDT at 10× buys (1000 × 10 × f) / (50000 × 0.001) = %s", (f, size) => {
    expect(sizeFromMargin({ ...linearMargin, fraction: f })).toEqual({ ok: true, size });
  });

  it("inverse: 0.01 BTC at 10× and 50000 buys 0.01 × 10 × 50000 / 1 = 5000 contracts", () => {
    expect(sizeFromMargin(inverseMargin)).toEqual({ ok: true, size: "5000" });
    expect(sizeFromMargin({ ...inverseMargin, fraction: "0.1" })).toEqual({
      ok: true,
      size: "500",
    });
  });

  it("leaves room for the opening fee", () => {
    // Linear: 50 / (1 + 10 × 0.0005) = 49.75 → 49. 49 contracts are worth 2450: margin 245 +
    // fee 1.225 ≤ 250; 50 would need 250 + 1.25.
    expect(sizeFromMargin({ ...linearMargin, takerFee: "0.0005" })).toEqual({
      ok: true,
      size: "49",
    });
    // Inverse: 5000 / (1 + 10 × 0.001) = 4950.49… → 4950: 0.099 BTC of value, margin 0.0099 +
    // fee 0.000099 ≤ 0.01; 4951 would need 0.01000102.
    expect(sizeFromMargin({ ...inverseMargin, takerFee: "0.001" })).toEqual({
      ok: true,
      size: "4950",
    });
    // An empty fee field is no fee.
    expect(sizeFromMargin({ ...linearMargin, takerFee: " " })).toEqual({ ok: true, size: "50" });
  });

  it("floors to the step's decimals", () => {
    // 1000 × 5 × 0.5 / 91250.5 = 0.027397… BTC.
    const inBtc = { ...linearMargin, contractSize: "1", sizeStep: "0.001", leverage: "5" };
    expect(sizeFromMargin({ ...inBtc, fraction: "0.5", price: "91250.5" })).toEqual({
      ok: true,
      size: "0.027",
    });
  });

  it("is exact where floats fall a step short", () => {
    // 0.3 / 0.1 is 2.9999999999999996 in floats.
    const exact = { ...linearMargin, contractSize: "1", available: "0.3", leverage: "1" };
    expect(sizeFromMargin({ ...exact, fraction: "1", price: "0.1" })).toEqual({
      ok: true,
      size: "3",
    });
  });

  it.each([
    ["fraction", { fraction: "1.5" }, "Fraction must be at most 1"],
    ["fraction", { fraction: "0" }, "Fraction must be above zero"],
    ["available", { available: "0" }, "Not enough available balance for one size step"],
    ["available", { available: "0.04" }, "Not enough available balance for one size step"],
    ["available", { available: "-5" }, "Available balance must be zero or more"],
    ["leverage", { leverage: "x" }, "Leverage must be a number"],
    ["price", { price: "0" }, "Price must be above zero"],
    ["takerFee", { takerFee: "-0.001" }, "Taker fee must be zero or more"],
  ])("names the bad input (%s)", (field, over, message) => {
    expect(sizeFromMargin({ ...linearMargin, ...over })).toEqual({ ok: false, field, message });
  });
});

import { describe, expect, it } from "vitest";
import { btcPerp, lmexPerp, lnmPerp } from "../test/fixtures";
import {
  baseAmount,
  contractHint,
  contractsWorth,
  countsLinearContracts,
  sizeCell,
} from "./contracts";
import { formatterFor } from "./format";

const lmex = lmexPerp();
const lmexEth = lmexPerp({
  id: { venue: "lmex", symbol: "ETH-PERP" },
  base: "ETH",
  contract_size: "0.001",
});

describe("countsLinearContracts", () => {
  it("is true for linear contracts only", () => {
    expect(countsLinearContracts(lmex)).toBe(true);
    // LN Markets' contracts are 1 USD each (inverse); the Demo's sizes are the BTC amount.
    expect(countsLinearContracts(lnmPerp())).toBe(false);
    expect(countsLinearContracts(btcPerp())).toBe(false);
  });
});

describe("baseAmount", () => {
  it.each([
    ["25", "0.0025"],
    ["1", "0.0001"],
    ["108350", "10.835"],
    ["10000", "1"],
    ["0", "0"],
  ])("%s contracts of 0.0001 BTC are %s BTC, exactly", (contracts, base) => {
    expect(baseAmount(contracts, lmex)).toBe(base);
  });

  it("is null for text that is not a number", () => {
    expect(baseAmount("abc", lmex)).toBeNull();
    expect(baseAmount("5", lmexPerp({ contract_size: "" }))).toBeNull();
  });
});

describe("contractHint", () => {
  it("says what one contract is in the base currency", () => {
    expect(contractHint(lmex)).toBe("1 contract = 0.0001 BTC");
    expect(contractHint(lmexEth)).toBe("1 contract = 0.001 ETH");
  });
});

describe("contractsWorth", () => {
  it("values contracts in base and, at a price, in the settle currency", () => {
    expect(contractsWorth("25", lmex, "50000")).toEqual({
      base: "0.0025",
      baseUnit: "BTC",
      value: "125.00",
      valueUnit: "USDT",
    });
    // 108,350 × 0.001 ETH = 108.35 ETH at 3,000.05 is 325,055.4175 USDT.
    expect(contractsWorth(" 108350 ", lmexEth, "3000.05")).toEqual({
      base: "108.35",
      baseUnit: "ETH",
      value: "325,055.42",
      valueUnit: "USDT",
    });
    expect(contractsWorth("2000000", lmex, null)?.base).toBe("200");
  });

  it("has no value without a price", () => {
    expect(contractsWorth("25", lmex, null)).toMatchObject({ base: "0.0025", value: null });
  });

  it("is null for other instruments and for sizes that are empty or not above zero", () => {
    expect(contractsWorth("25", lnmPerp(), "50000")).toBeNull();
    expect(contractsWorth("0.025", btcPerp(), "50000")).toBeNull();
    for (const size of ["", "abc", "0", "-5"])
      expect(contractsWorth(size, lmex, "50000")).toBeNull();
  });
});

describe("sizeCell", () => {
  it("shows linear contracts as a count, with their base amount beside and in the tooltip", () => {
    expect(sizeCell("25", lmex, formatterFor(lmex))).toEqual({
      text: "25 ct",
      base: "0.0025 BTC",
      title: "25 contracts = 0.0025 BTC",
    });
    expect(sizeCell("108350", lmex, formatterFor(lmex))).toEqual({
      text: "108,350 ct",
      base: "10.835 BTC",
      title: "108,350 contracts = 10.835 BTC",
    });
    expect(sizeCell("1", lmex, formatterFor(lmex)).title).toBe("1 contract = 0.0001 BTC");
  });

  it("leaves the Demo's and LN Markets' sizes as they were", () => {
    expect(sizeCell("0.05", btcPerp(), formatterFor(btcPerp()))).toEqual({
      text: "0.050",
      base: null,
      title: undefined,
    });
    expect(sizeCell("250", lnmPerp(), formatterFor(lnmPerp()))).toEqual({
      text: "250",
      base: null,
      title: undefined,
    });
  });

  it("formats generically while the instrument is not listed yet", () => {
    expect(sizeCell("25", undefined, formatterFor(undefined)).text).toBe("25.0000");
  });
});

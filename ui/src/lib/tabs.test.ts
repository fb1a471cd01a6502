import { describe, expect, it } from "vitest";
import { tabsFor } from "./tabs";

describe("tabsFor", () => {
  it("adds the LN Markets tab on LN Markets accounts only", () => {
    expect(tabsFor("ln_markets").map((t) => t.id)).toEqual([
      "positions",
      "orders",
      "fills",
      "lnmarkets",
    ]);
    expect(tabsFor("demo").map((t) => t.id)).toEqual(["positions", "orders", "fills"]);
    expect(tabsFor(undefined).map((t) => t.id)).toEqual(["positions", "orders", "fills"]);
  });
});

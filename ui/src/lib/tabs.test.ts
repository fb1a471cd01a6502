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
    expect(tabsFor("lmex").map((t) => t.id)).not.toContain("lnmarkets");
    expect(tabsFor("demo").map((t) => t.id)).toEqual(["positions", "orders", "fills"]);
    expect(tabsFor(undefined).map((t) => t.id)).toEqual(["positions", "orders", "fills"]);
  });

  it("adds the LMEX tab on LMEX accounts only", () => {
    expect(tabsFor("lmex")).toEqual([
      { id: "positions", label: "Positions" },
      { id: "orders", label: "Open orders" },
      { id: "fills", label: "Fills" },
      { id: "lmex", label: "LMEX" },
    ]);
    for (const venue of [
      "demo",
      "ln_markets",
      "levret",
      "limora",
      "light_cx",
      undefined,
    ] as const) {
      expect(
        tabsFor(venue).map((t) => t.id),
        String(venue),
      ).not.toContain("lmex");
    }
  });
});

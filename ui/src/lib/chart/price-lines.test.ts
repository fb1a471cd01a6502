import { describe, expect, it } from "vitest";
import { btcPerp, order, position } from "../../test/fixtures";
import { formatterFor } from "../format";
import { tradingLines } from "./price-lines";

const fmt = formatterFor(btcPerp());

describe("tradingLines", () => {
  it("draws the position's entry, take-profit, stop-loss and liquidation", () => {
    const lines = tradingLines(
      [],
      position({
        entry_price: "100",
        take_profit: "120",
        stop_loss: "95",
        liquidation_price: "90",
      }),
      fmt,
    );
    expect(lines.map((l) => [l.key, l.price, l.title])).toEqual([
      ["position:entry", 100, expect.stringMatching(/^LONG /) as unknown],
      ["position:tp", 120, "TP"],
      ["position:sl", 95, "SL"],
      ["position:liq", 90, "LIQ"],
    ]);
  });

  it("leaves out levels the position does not have, and draws working orders", () => {
    const lines = tradingLines(
      [order("o1", { price: "99" })],
      position({ take_profit: null, stop_loss: null, liquidation_price: null }),
      fmt,
    );
    expect(lines.map((l) => l.key)).toEqual(["order:o1", "position:entry"]);
  });
});

import { describe, expect, it } from "vitest";
import { qrCode } from "../test/fixtures";
import { coveredCells, darkCells } from "../test/qr";
import { QUIET_ZONE, qrPath, qrPixels, qrSide } from "./qr";

describe("qrPath", () => {
  it("covers exactly the dark modules, inside a four-module quiet zone", () => {
    const qr = qrCode();
    const path = qrPath(qr);
    expect(path).not.toBeNull();
    const covered = coveredCells(path ?? "");
    expect(covered).toEqual(darkCells(qr.size, qr.modules));
    // Spelled out for the fixture, so a wrong reading of both sides cannot agree by accident.
    expect([...covered].sort()).toEqual(
      ["4,4", "5,4", "6,4", "4,5", "8,5", "5,7", "6,7", "7,7", "4,8", "5,8", "7,8", "8,8"].sort(),
    );
    const all = [...covered].map((c) => c.split(",").map(Number) as [number, number]);
    expect(Math.min(...all.map(([x]) => x))).toBeGreaterThanOrEqual(QUIET_ZONE);
    expect(Math.max(...all.map(([x]) => x))).toBeLessThan(qr.size + QUIET_ZONE);
  });

  it("draws a run of dark modules as one rectangle, ending at the row's edge", () => {
    expect(qrPath({ size: 3, modules: "011" + "000" + "111" })).toBe("M5 4h2v1h-2zM4 6h3v1h-3z");
  });

  it("draws nothing for an all-light code, and refuses a malformed one", () => {
    expect(qrPath({ size: 2, modules: "0000" })).toBe("");
    const malformed = [
      { size: 2, modules: "101" },
      { size: 2, modules: "10201" },
      { size: 2, modules: "1x01" },
      { size: 0, modules: "" },
      { size: 1.5, modules: "11" },
    ];
    for (const [i, qr] of malformed.entries()) expect(qrPath(qr), `case ${String(i)}`).toBeNull();
  });

  it("sizes the view box and whole-pixel sizes with the quiet zone", () => {
    expect(qrSide(qrCode())).toBe(13);
    expect(qrPixels(qrCode(), 3)).toBe(39);
  });
});

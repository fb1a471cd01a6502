// Reading a drawn QR code back into modules, to check drawings against the code they show.

import { QUIET_ZONE } from "../lib/qr";

/** The cells a path of "M x y h w v 1 h -w z" rectangles covers, as "x,y" in SVG units;
 * throws on anything else, so a path drawn some other way cannot pass by accident. */
export function coveredCells(path: string): Set<string> {
  const rect = /M(\d+) (\d+)h(\d+)v1h-(\d+)z/y;
  const cells = new Set<string>();
  let at = 0;
  while (at < path.length) {
    rect.lastIndex = at;
    const m = rect.exec(path);
    if (m === null) throw new Error(`unexpected path at ${String(at)}: ${path.slice(at)}`);
    const [x, y, w, back] = m.slice(1).map(Number) as [number, number, number, number];
    if (back !== w) throw new Error(`rectangle at ${String(x)},${String(y)} does not close`);
    for (let i = 0; i < w; i++) {
      const cell = `${String(x + i)},${String(y)}`;
      if (cells.has(cell)) throw new Error(`cell ${cell} drawn twice`);
      cells.add(cell);
    }
    at = rect.lastIndex;
  }
  return cells;
}

/** The dark modules of `modules` (size × size), as "x,y" in SVG units (quiet zone added). */
export function darkCells(size: number, modules: string): Set<string> {
  const cells = new Set<string>();
  for (let i = 0; i < modules.length; i++) {
    if (modules[i] === "1") {
      cells.add(`${String((i % size) + QUIET_ZONE)},${String(Math.floor(i / size) + QUIET_ZONE)}`);
    }
  }
  return cells;
}

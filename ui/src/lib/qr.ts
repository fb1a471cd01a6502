// A QR code as Rust encodes it (size × size modules, row by row, "1" dark) drawn as one SVG
// path. One path of unit squares rather than a <rect> per module: a Lightning invoice is a
// few thousand dark modules, and one element keeps the DOM and the repaint small.

import type { QrCode } from "./bindings/bindings";

/** Light modules around the code on every side: the four the QR standard asks for, without
 * which phone cameras often fail to find the code against a dark screen. */
export const QUIET_ZONE = 4;

/** Modules per side including the quiet zone: the SVG's view box. */
export function qrSide(qr: QrCode): number {
  return qr.size + 2 * QUIET_ZONE;
}

/** Whether `qr` is what Rust promises: a positive size and exactly size² ones and zeros. */
export function isWellFormed(qr: QrCode): boolean {
  return (
    Number.isInteger(qr.size) &&
    qr.size > 0 &&
    qr.modules.length === qr.size * qr.size &&
    /^[01]*$/.test(qr.modules)
  );
}

/** The dark modules as an SVG path in module units, offset by the quiet zone; null when
 * the code is malformed (drawing part of a code could scan as something else). Each run of
 * dark modules in a row is one rectangle, which keeps the path a fraction of the size. */
export function qrPath(qr: QrCode): string | null {
  if (!isWellFormed(qr)) return null;
  const n = qr.size;
  const parts: string[] = [];
  for (let y = 0; y < n; y++) {
    let x = 0;
    while (x < n) {
      if (qr.modules[y * n + x] !== "1") {
        x++;
        continue;
      }
      const start = x;
      while (x < n && qr.modules[y * n + x] === "1") x++;
      const run = String(x - start);
      parts.push(`M${String(start + QUIET_ZONE)} ${String(y + QUIET_ZONE)}h${run}v1h-${run}z`);
    }
  }
  return parts.join("");
}

/** A size in px that gives every module the same whole number of pixels (`px` each), so
 * crisp edges never round some modules thinner than others. */
export function qrPixels(qr: QrCode, px: number): number {
  return qrSide(qr) * px;
}

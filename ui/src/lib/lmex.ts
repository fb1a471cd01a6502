// What the LMEX tab says, as text: the contract's terms, how often funding is paid, the
// account's leverage and margin mode, and where the dead-man switch stands. Decimals stay exact
// (format.ts); the clock comes in as `now`, so the live parts are plain functions of it.

import type { LmexDeadMan } from "./bindings/bindings";
import { decToString, parseDec, trimDec } from "./decimal";
import { formatAgo, formatExact } from "./format";

const DASH = "—";

/** How often funding is paid: 480 → "every 8 h", 30 → "every 30 min", 90 → "every 1 h 30 min";
 * null when the venue does not say. */
export function fundingEvery(minutes: number | null | undefined): string | null {
  if (minutes === null || minutes === undefined || !(minutes > 0)) return null;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `every ${String(m)} min`;
  return m === 0 ? `every ${String(h)} h` : `every ${String(h)} h ${String(m)} min`;
}

/** The smallest and largest order, in contracts: "1 – 1,000,000 contracts". */
export function sizeLimits(min: string, max: string): string {
  return `${formatExact(min)} – ${formatExact(max)} contracts`;
}

/** Leverage as traders write it: "20" → "20×", "12.50" → "12.5×"; "—" when unknown. */
export function formatLeverage(leverage: string | null | undefined): string {
  const parsed = leverage === null || leverage === undefined ? null : parseDec(leverage);
  return parsed === null ? DASH : `${formatExact(decToString(trimDec(parsed)))}×`;
}

/** The venue's margin mode ("CROSS", "ISOLATED") as a word: "Cross", "Isolated"; "—" when
 * unknown. */
export function marginModeLabel(mode: string | null | undefined): string {
  const word = mode?.trim().toLowerCase() ?? "";
  return word === "" ? DASH : word.charAt(0).toUpperCase() + word.slice(1);
}

/** Where the dead-man switch stands, from what the backend last saw. */
export type DeadManState =
  | { kind: "off" }
  | {
      kind: "armed";
      timeoutS: number;
      /** When the venue last accepted a re-arm (ms), if it has. */
      armedAt: number | null;
      /** Why the last re-arm failed; null when it did not. */
      error: string | null;
    };

export function deadManState(deadMan: LmexDeadMan): DeadManState {
  const timeoutS = deadMan.timeout_s ?? null;
  if (timeoutS === null) return { kind: "off" };
  return {
    kind: "armed",
    timeoutS,
    armedAt: deadMan.armed_at ?? null,
    error: deadMan.last_error ?? null,
  };
}

/** What the switch does: "Off — set it in Settings → the account", or "Armed: cancels all
 * orders after 30 s of silence". */
export function deadManSummary(state: DeadManState): string {
  return state.kind === "off"
    ? "Off — set it in Settings → the account"
    : `Armed: cancels all orders after ${String(state.timeoutS)} s of silence`;
}

/** The last re-arm at `now`: "re-armed 3 s ago", "not re-armed yet"; null while off or when
 * the last re-arm failed (the error says so instead). */
export function rearmedLine(state: DeadManState, now: number): string | null {
  if (state.kind === "off" || state.error !== null) return null;
  return state.armedAt === null ? "not re-armed yet" : `re-armed ${formatAgo(now - state.armedAt)}`;
}

// The bottom panel's tabs: every venue's, plus a venue's own where it has features no other
// venue shares.

import type { VenueId } from "./bindings/bindings";

export type TabId = "positions" | "orders" | "fills" | "lnmarkets" | "lmex";

/** The LN Markets tab's views: funding and the venue, the wallet, or the cross-margin account. */
export type LnmView = "overview" | "wallet" | "cross";

export interface Tab {
  id: TabId;
  label: string;
}

const COMMON: readonly Tab[] = [
  { id: "positions", label: "Positions" },
  { id: "orders", label: "Open orders" },
  { id: "fills", label: "Fills" },
];

const LN_MARKETS: readonly Tab[] = [...COMMON, { id: "lnmarkets", label: "LN Markets" }];
const LMEX: readonly Tab[] = [...COMMON, { id: "lmex", label: "LMEX" }];

/** The tabs for an account on `venue`. */
export function tabsFor(venue: VenueId | undefined): readonly Tab[] {
  switch (venue) {
    case "ln_markets":
      return LN_MARKETS;
    case "lmex":
      return LMEX;
    default:
      return COMMON;
  }
}

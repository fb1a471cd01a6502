// Venue display names, as the Rust side spells them (`VenueId::name`).

import type { VenueId } from "./bindings/bindings";

const NAMES: Partial<Record<string, string>> = {
  demo: "Demo",
  ln_markets: "LN Markets",
  lmex: "LMEX",
  levret: "Levret",
  limora: "Limora",
  light_cx: "LightCX",
};

export function venueName(venue: VenueId): string {
  return NAMES[venue] ?? venue;
}

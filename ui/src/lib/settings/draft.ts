// What the account form holds while the user types, and the AccountForm it becomes.

import type { AccountEntry, AccountForm, Network, VenueForm, VenueId } from "../bindings/bindings";

/** The form's inputs as typed. Secrets live in `values` only while the form is open. */
export interface AccountDraft {
  venue: VenueId;
  label: string;
  network: Network;
  restUrl: string;
  wsUrl: string;
  /** By FormField name. */
  values: Record<string, string>;
}

/** A blank form for a new account on `venue`. */
export function newDraft(venue: VenueForm): AccountDraft {
  return {
    venue: venue.venue,
    label: "",
    network: "mainnet",
    restUrl: "",
    wsUrl: "",
    values: Object.fromEntries(venue.fields.map((f) => [f.name, ""])),
  };
}

/** The form for editing `entry`: its public values filled in, its secrets blank (= keep). */
export function draftFor(entry: AccountEntry, venue: VenueForm): AccountDraft {
  const stored = new Map(entry.public_fields.map((f) => [f.name, f.value]));
  return {
    venue: entry.venue,
    label: entry.label,
    network: entry.network,
    restUrl: entry.rest_url ?? "",
    wsUrl: entry.ws_url ?? "",
    values: Object.fromEntries(
      venue.fields.map((f) => [f.name, f.secret ? "" : (stored.get(f.name) ?? "")]),
    ),
  };
}

/** Blanks every secret in `draft`, so none outlives the form in state or the DOM. */
export function forgetSecrets(draft: AccountDraft, venue: VenueForm): void {
  for (const field of venue.fields) {
    if (field.secret) draft.values[field.name] = "";
  }
}

function trimmedOrNull(text: string): string | null {
  const t = text.trim();
  return t === "" ? null : t;
}

/**
 * What to send. Public values are trimmed (and sent even when empty, so an edit can clear
 * one). Secrets are sent as typed (Rust trims them) and left out when blank, which on edit
 * keeps the stored secret.
 */
export function toAccountForm(draft: AccountDraft, venue: VenueForm): AccountForm {
  const fields = venue.fields.flatMap((f) => {
    const value = draft.values[f.name] ?? "";
    if (f.secret) return value === "" ? [] : [{ name: f.name, value }];
    return [{ name: f.name, value: value.trim() }];
  });
  return {
    venue: draft.venue,
    label: draft.label.trim(),
    network: draft.network,
    rest_url: trimmedOrNull(draft.restUrl),
    ws_url: trimmedOrNull(draft.wsUrl),
    fields,
  };
}

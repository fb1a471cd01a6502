// An account form's client-side checks, so a typo is flagged next to its field before
// anything is sent. They follow Rust's rules (kestrel_venues::accounts::validate) and are
// never stricter: Rust checks again regardless, and its verdicts arrive as "invalid_input"
// errors naming the same fields.

import type { AccountForm, FieldKind, FormField, Network, VenueForm } from "../bindings/bindings";

/** Messages by field: "venue", "label", "rest_url", "ws_url" or a FormField's name. */
export type FormErrors = Partial<Record<string, string>>;

export const LABEL_MAX = 40;

const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const HEX_KEY = /^(0x)?[0-9a-fA-F]{64}$/;
/** A "seconds" field's limits (Rust's CANCEL_AFTER_SECONDS: LMEX's dead-man switch). */
export const SECONDS_MIN = 10;
export const SECONDS_MAX = 3600;
export const SECONDS_MESSAGE = `Enter whole seconds from ${String(SECONDS_MIN)} to ${String(SECONDS_MAX)}.`;
/** What Rust's `u64` parse reads: ASCII digits, optionally after a "+". */
const WHOLE = /^\+?[0-9]+$/;
const HTTP = ["http:", "https:"];
const WS = ["ws:", "wss:"];

/** The venue's default endpoints for `network`; null where it has none. */
export function defaultEndpoints(
  venue: VenueForm,
  network: Network,
): { rest: string | null; ws: string | null } {
  return network === "mainnet"
    ? { rest: venue.mainnet_rest ?? null, ws: venue.mainnet_ws ?? null }
    : { rest: venue.testnet_rest ?? null, ws: venue.testnet_ws ?? null };
}

/** A field's label as the object of a sentence: "Passphrase" → "passphrase", "API key" stays. */
function noun(label: string): string {
  const second = label.charAt(1);
  return second !== "" && second === second.toUpperCase() && second !== second.toLowerCase()
    ? label
    : label.charAt(0).toLowerCase() + label.slice(1);
}

function checkUrl(value: string, protocols: readonly string[], wrongScheme: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `Enter a full address, e.g. ${protocols[1] ?? ""}//api.example.com`;
  }
  return protocols.includes(url.protocol) ? null : wrongScheme;
}

function checkKind(kind: FieldKind, value: string): string | null {
  switch (kind) {
    case "text":
      return null;
    case "email":
      return EMAIL.test(value) ? null : "Enter an email address like name@example.com";
    case "url":
      // Any web address: Rust accepts WebSocket ones here too.
      return checkUrl(value, [...HTTP, ...WS], "Enter a full URL, like https://example.com");
    case "hex_private_key":
      return HEX_KEY.test(value)
        ? null
        : "A private key is 64 hexadecimal characters (0–9, a–f), with or without 0x in front";
    case "seconds":
      return WHOLE.test(value) && Number(value) >= SECONDS_MIN && Number(value) <= SECONDS_MAX
        ? null
        : SECONDS_MESSAGE;
  }
}

/** Rust trims every value (secrets too) before it checks or stores one. */
function checkField(field: FormField, value: string, editing: boolean): string | null {
  const text = value.trim();
  if (text === "") {
    // On edit a blank secret keeps the one in the keychain.
    if (!field.required || (editing && field.secret)) return null;
    return `Enter the ${noun(field.label)}`;
  }
  return checkKind(field.kind, text);
}

/** An endpoint override; blank means the venue's default. */
function checkEndpoint(
  value: string | null | undefined,
  protocols: readonly string[],
  wrongScheme: string,
): string | null {
  const text = value?.trim() ?? "";
  return text === "" ? null : checkUrl(text, protocols, wrongScheme);
}

/**
 * Checks `form` against what its venue asks for. `editing`: the account exists, so blank
 * secrets mean "keep the stored one". Returns one message per field at fault; empty when
 * the form can be sent.
 */
export function validateAccountForm(
  form: AccountForm,
  venue: VenueForm,
  editing: boolean,
): FormErrors {
  const errors: FormErrors = {};
  if (!venue.available) {
    errors["venue"] = `${venue.name} is not available yet${
      venue.unavailable_reason ? `: ${venue.unavailable_reason}` : ""
    }`;
  }

  const label = form.label.trim();
  if (label === "") errors["label"] = "Enter a label for this account";
  // Counted in code points, as Rust's `chars().count()` counts them.
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points on purpose
  else if ([...label].length > LABEL_MAX) {
    errors["label"] = `Keep the label to ${String(LABEL_MAX)} characters or fewer`;
  }

  const values = new Map(form.fields.map((f) => [f.name, f.value]));
  for (const field of venue.fields) {
    const message = checkField(field, values.get(field.name) ?? "", editing);
    if (message !== null) errors[field.name] = message;
  }

  const rest = checkEndpoint(form.rest_url, HTTP, "A REST URL starts with http:// or https://");
  if (rest !== null) errors["rest_url"] = rest;
  const ws = checkEndpoint(form.ws_url, WS, "A WebSocket URL starts with ws:// or wss://");
  if (ws !== null) errors["ws_url"] = ws;
  return errors;
}

/** Whether a check found nothing wrong. */
export function isValid(errors: FormErrors): boolean {
  return Object.values(errors).every((m) => m === undefined);
}

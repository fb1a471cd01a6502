import { describe, expect, it } from "vitest";
import type { AccountForm, FormField, VenueForm } from "../bindings/bindings";
import { lnmForm } from "../../test/fixtures";
import { LABEL_MAX, isValid, validateAccountForm, type FormErrors } from "./validate";

const HEX = "a1B2c3D4e5F6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2";

function field(name: string, kind: FormField["kind"], over: Partial<FormField> = {}): FormField {
  return { name, label: name, kind, secret: false, required: false, help: null, ...over };
}

/** A venue whose form has one optional field of every kind besides LN Markets' own three. */
const venue: VenueForm = lnmForm({
  fields: [
    ...lnmForm().fields,
    field("email", "email", { label: "Email" }),
    field("callback", "url", { label: "Callback URL" }),
    field("private_key", "hex_private_key", { label: "Private key", secret: true }),
    field("cancel_after_s", "seconds", { label: "Cancel orders if disconnected (s)" }),
  ],
});

/** Rust's words (kestrel_venues::accounts), to the letter. */
const SECONDS = "Enter whole seconds from 10 to 3600.";

function form(over: Partial<AccountForm> = {}, values: Record<string, string> = {}): AccountForm {
  const all: Record<string, string> = {
    key: "pk-1",
    secret: "s3cret",
    passphrase: "pp",
    ...values,
  };
  return {
    venue: "ln_markets",
    label: "Main",
    network: "mainnet",
    rest_url: null,
    ws_url: null,
    fields: Object.entries(all).map(([name, value]) => ({ name, value })),
    ...over,
  };
}

interface Case {
  name: string;
  form: AccountForm;
  editing?: boolean;
  venue?: VenueForm;
  expected: FormErrors;
}

describe("validateAccountForm", () => {
  const cases: Case[] = [
    { name: "a complete form", form: form(), expected: {} },
    {
      name: "a missing label",
      form: form({ label: "   " }),
      expected: { label: "Enter a label for this account" },
    },
    {
      name: "a label of the longest length",
      form: form({ label: "x".repeat(LABEL_MAX) }),
      expected: {},
    },
    {
      name: "a label one character too long",
      form: form({ label: "x".repeat(LABEL_MAX + 1) }),
      expected: { label: "Keep the label to 40 characters or fewer" },
    },
    {
      name: "a label of 40 emoji (code points, not UTF-16 units)",
      form: form({ label: "🦅".repeat(LABEL_MAX) }),
      expected: {},
    },
    {
      name: "blank required fields when adding, named in plain words",
      form: form({}, { key: "", secret: "", passphrase: " " }),
      expected: {
        key: "Enter the API key",
        secret: "Enter the API secret",
        passphrase: "Enter the passphrase",
      },
    },
    {
      name: "blank secrets when editing (kept from the keychain)",
      form: form({}, { secret: "", passphrase: "" }),
      editing: true,
      expected: {},
    },
    {
      name: "secrets left out altogether when editing",
      form: { ...form(), fields: [{ name: "key", value: "pk-1" }] },
      editing: true,
      expected: {},
    },
    {
      name: "a blank public field when editing (it is not kept)",
      form: form({}, { key: "", secret: "", passphrase: "" }),
      editing: true,
      expected: { key: "Enter the API key" },
    },
    { name: "a valid email", form: form({}, { email: "me@example.com" }), expected: {} },
    {
      name: "an email without a domain",
      form: form({}, { email: "me@" }),
      expected: { email: "Enter an email address like name@example.com" },
    },
    {
      name: "an email without a dot in its domain",
      form: form({}, { email: "me@localhost" }),
      expected: { email: "Enter an email address like name@example.com" },
    },
    {
      name: "an email with a space",
      form: form({}, { email: "me @example.com" }),
      expected: { email: "Enter an email address like name@example.com" },
    },
    {
      name: "an https URL field",
      form: form({}, { callback: "https://me.example/cb" }),
      expected: {},
    },
    {
      name: "a URL field that is not a URL",
      form: form({}, { callback: "me.example/cb" }),
      expected: { callback: "Enter a full address, e.g. https://api.example.com" },
    },
    {
      name: "a WebSocket URL field",
      form: form({}, { callback: "wss://me.example" }),
      expected: {},
    },
    {
      name: "a URL field with another scheme",
      form: form({}, { callback: "ftp://me.example" }),
      expected: { callback: "Enter a full URL, like https://example.com" },
    },
    { name: "a 64-hex private key", form: form({}, { private_key: HEX }), expected: {} },
    {
      name: "a 0x-prefixed private key",
      form: form({}, { private_key: "0x" + HEX }),
      expected: {},
    },
    {
      name: "a private key one digit short",
      form: form({}, { private_key: HEX.slice(1) }),
      expected: {
        private_key:
          "A private key is 64 hexadecimal characters (0–9, a–f), with or without 0x in front",
      },
    },
    {
      name: "a private key with a non-hex digit",
      form: form({}, { private_key: "g" + HEX.slice(1) }),
      expected: {
        private_key:
          "A private key is 64 hexadecimal characters (0–9, a–f), with or without 0x in front",
      },
    },
    {
      name: "a private key pasted with spaces around it (Rust trims every value)",
      form: form({}, { private_key: ` ${HEX}\t` }),
      expected: {},
    },
    // Seconds: what Rust's u64 parse reads (digits, an optional "+"), from 10 to 3600.
    { name: "seconds left blank (off)", form: form({}, { cancel_after_s: "  " }), expected: {} },
    { name: "the fewest seconds", form: form({}, { cancel_after_s: "10" }), expected: {} },
    { name: "the most seconds", form: form({}, { cancel_after_s: "3600" }), expected: {} },
    {
      name: "seconds with spaces around",
      form: form({}, { cancel_after_s: " 60 " }),
      expected: {},
    },
    {
      name: "seconds with a plus or leading zeros (Rust reads both)",
      form: form({}, { cancel_after_s: "+060" }),
      expected: {},
    },
    ...[
      ["one second too few", "9"],
      ["one second too many", "3601"],
      ["zero seconds", "0"],
      ["negative seconds", "-30"],
      ["a fraction of a second", "30.5"],
      ["a whole number written as a decimal", "30.0"],
      ["seconds in an exponent", "1e2"],
      ["seconds with a unit", "30s"],
      ["words for seconds", "thirty"],
      ["a plus alone", "+"],
      ["seconds past u64", "99999999999999999999999"],
    ].map(([name = "", value = ""]): Case => ({
      name,
      form: form({}, { cancel_after_s: value }),
      expected: { cancel_after_s: SECONDS },
    })),
    {
      name: "blank seconds when the venue asks for them",
      form: form({}, { cancel_after_s: "" }),
      venue: lnmForm({
        fields: [
          ...lnmForm().fields,
          field("cancel_after_s", "seconds", { label: "Cancel after (s)", required: true }),
        ],
      }),
      expected: { cancel_after_s: "Enter the cancel after (s)" },
    },
    {
      name: "a required secret of spaces only",
      form: form({}, { secret: "   " }),
      expected: { secret: "Enter the API secret" },
    },
    {
      name: "endpoint overrides with the right schemes",
      form: form({ rest_url: "http://127.0.0.1:8080", ws_url: "ws://127.0.0.1:8080/ws" }),
      expected: {},
    },
    {
      name: "endpoint overrides with each other's schemes",
      form: form({ rest_url: "wss://api.example.com", ws_url: "https://api.example.com" }),
      expected: {
        rest_url: "A REST URL starts with http:// or https://",
        ws_url: "A WebSocket URL starts with ws:// or wss://",
      },
    },
    {
      name: "endpoint overrides that do not parse",
      form: form({ rest_url: "api.example.com", ws_url: "wss://" }),
      expected: {
        rest_url: "Enter a full address, e.g. https://api.example.com",
        ws_url: "Enter a full address, e.g. wss://api.example.com",
      },
    },
    {
      name: "no overrides on a network the venue has no default for (Rust decides)",
      form: form({ network: "testnet" }),
      venue: lnmForm({ testnet_rest: null, testnet_ws: null }),
      expected: {},
    },
    {
      name: "a venue without a connector",
      form: form(),
      venue: lnmForm({ available: false, unavailable_reason: "Coming in 0.3" }),
      expected: { venue: "LN Markets is not available yet: Coming in 0.3" },
    },
  ];

  for (const c of cases) {
    it(`checks ${c.name}`, () => {
      const errors = validateAccountForm(c.form, c.venue ?? venue, c.editing ?? false);
      expect(errors).toEqual(c.expected);
      expect(isValid(errors)).toBe(Object.keys(c.expected).length === 0);
    });
  }
});

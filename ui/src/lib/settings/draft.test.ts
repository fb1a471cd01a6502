import { describe, expect, it } from "vitest";
import { accountEntry, lnmForm } from "../../test/fixtures";
import { draftFor, forgetSecrets, newDraft, toAccountForm } from "./draft";

describe("account drafts", () => {
  it("starts a new account blank, on mainnet, with every field of the venue", () => {
    expect(newDraft(lnmForm())).toEqual({
      venue: "ln_markets",
      label: "",
      network: "mainnet",
      restUrl: "",
      wsUrl: "",
      values: { key: "", secret: "", passphrase: "" },
    });
  });

  it("edits an account with its public values filled in and its secrets blank", () => {
    const entry = accountEntry("a1", { rest_url: "https://proxy.example" });
    const draft = draftFor(entry, lnmForm());
    expect(draft.values).toEqual({ key: "pk-123", secret: "", passphrase: "" });
    expect(draft.restUrl).toBe("https://proxy.example");
    expect(draft.wsUrl).toBe("");
    expect(draft.network).toBe("testnet");
  });

  it("trims what is public, sends secrets as typed, and leaves blank secrets out", () => {
    const draft = {
      ...newDraft(lnmForm()),
      label: "  Main ",
      restUrl: " https://proxy.example ",
      wsUrl: "  ",
      values: { key: " pk-1 ", secret: " with spaces ", passphrase: "" },
    };
    expect(toAccountForm(draft, lnmForm())).toEqual({
      venue: "ln_markets",
      label: "Main",
      network: "mainnet",
      rest_url: "https://proxy.example",
      ws_url: null,
      fields: [
        { name: "key", value: "pk-1" },
        { name: "secret", value: " with spaces " },
      ],
    });
  });

  it("forgets the secrets and keeps the rest", () => {
    const draft = { ...newDraft(lnmForm()), values: { key: "pk", secret: "s", passphrase: "p" } };
    forgetSecrets(draft, lnmForm());
    expect(draft.values).toEqual({ key: "pk", secret: "", passphrase: "" });
  });
});

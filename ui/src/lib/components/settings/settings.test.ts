// @vitest-environment jsdom
// The Settings components in a DOM: what a trader sees and what leaves the form.

import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AccountForm as Form, AppError, VenueForm } from "../../bindings/bindings";
import type { Result } from "../../ipc/result";
import { SettingsStore, type SaveResult, type SettingsApi } from "../../stores/settings.svelte";
import { accountEntry, balance, lmexForm, lnmForm, settingsView } from "../../../test/fixtures";
import AccountForm from "./AccountForm.svelte";
import SettingsDialog from "./SettingsDialog.svelte";

const lmex: VenueForm = lnmForm({
  venue: "lmex",
  name: "LMEX",
  available: false,
  unavailable_reason: "No connector yet",
});

let mounted: Record<string, unknown> | null = null;

beforeAll(() => {
  // jsdom has <dialog> but not its modal behaviour; opening it is all the component needs.
  HTMLDialogElement.prototype.showModal = function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close = function (this: HTMLDialogElement) {
    this.open = false;
  };
});

afterEach(() => {
  if (mounted !== null) void unmount(mounted);
  mounted = null;
  document.body.innerHTML = "";
});

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function el(testid: string, root: ParentNode = document): HTMLElement {
  const found = root.querySelector<HTMLElement>(`[data-testid="${testid}"]`);
  if (found === null) throw new Error(`no ${testid}`);
  return found;
}

/** The element by test id, checked to be the kind of element the test expects. */
function typed<T extends HTMLElement>(kind: new () => T, testid: string, root?: ParentNode): T {
  const found = el(testid, root);
  if (!(found instanceof kind)) throw new Error(`${testid} is not a ${kind.name}`);
  return found;
}

/** Text as it reads on screen: runs of whitespace are one space. */
function text(node: Node | null | undefined): string {
  return (node?.textContent ?? "").replace(/\s+/g, " ").trim();
}

function has(testid: string): boolean {
  return document.querySelector(`[data-testid="${testid}"]`) !== null;
}

function type(testid: string, value: string): void {
  const input = typed(HTMLInputElement, testid);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function blur(testid: string): void {
  el(testid).dispatchEvent(new FocusEvent("focusout", { bubbles: true }));
  el(testid).dispatchEvent(new FocusEvent("blur"));
  flushSync();
}

async function submit(): Promise<void> {
  el("save-account").click();
  await settle();
  flushSync();
}

describe("AccountForm", () => {
  function mountForm(props: {
    entry?: ReturnType<typeof accountEntry>;
    onSave?: (form: Form) => Promise<SaveResult>;
  }) {
    const onSave = vi.fn(props.onSave ?? ((form: Form) => Promise.resolve(ok(form))));
    const onClose = vi.fn();
    mounted = mount(AccountForm, {
      target: document.body,
      props: { forms: [lnmForm(), lmex], entry: props.entry, saving: false, onSave, onClose },
    });
    flushSync();
    return { onSave, onClose };
  }

  function ok(form: Form): SaveResult {
    return { status: "ok", entry: accountEntry("a9", { label: form.label }) };
  }

  it("offers venues without a connector disabled, with the reason", () => {
    mountForm({});
    const options = [...typed(HTMLSelectElement, "field-venue").options];
    expect(options.map((o) => [o.value, o.disabled, o.textContent.trim()])).toEqual([
      ["ln_markets", false, "LN Markets"],
      ["lmex", true, "LMEX — No connector yet"],
    ]);
  });

  it("checks on submit and sends nothing while a field is wrong", async () => {
    const { onSave } = mountForm({});
    expect(has("field-error-label")).toBe(false);
    await submit();
    expect(onSave).not.toHaveBeenCalled();
    expect(el("field-error-label").textContent.trim()).toBe("Enter a label for this account");
    expect(el("field-error-secret").textContent.trim()).toBe("Enter the API secret");
    expect(el("field-error-label").getAttribute("role")).toBe("alert");
  });

  it("checks a field when the user leaves it", () => {
    mountForm({});
    blur("field-passphrase");
    expect(el("field-error-passphrase").textContent.trim()).toBe("Enter the passphrase");
    expect(has("field-error-label")).toBe(false);
  });

  it("shows a field's help text", () => {
    mountForm({});
    expect(el("account-form").textContent).toContain("Set when the key was created");
  });

  it("sends a valid form, then blanks the secret inputs and closes", async () => {
    const { onSave, onClose } = mountForm({});
    type("field-label", " Main ");
    type("field-key", "pk-1");
    type("field-secret", "s3cret");
    type("field-passphrase", "pass phrase");
    expect(typed(HTMLInputElement, "field-secret").type).toBe("password");
    // Typed secrets live in the inputs' values, never in the markup.
    expect(document.body.innerHTML).not.toContain("s3cret");
    await submit();
    expect(onSave).toHaveBeenCalledWith({
      venue: "ln_markets",
      label: "Main",
      network: "mainnet",
      rest_url: null,
      ws_url: null,
      fields: [
        { name: "key", value: "pk-1" },
        { name: "secret", value: "s3cret" },
        { name: "passphrase", value: "pass phrase" },
      ],
    });
    expect(onClose).toHaveBeenCalled();
    expect(typed(HTMLInputElement, "field-secret").value).toBe("");
    expect(typed(HTMLInputElement, "field-passphrase").value).toBe("");
    expect(typed(HTMLInputElement, "field-key").value).toBe("pk-1");
  });

  it("blanks the secrets on cancel too", () => {
    const { onClose } = mountForm({});
    type("field-secret", "s3cret");
    el("cancel-form").click();
    flushSync();
    expect(onClose).toHaveBeenCalled();
    expect(typed(HTMLInputElement, "field-secret").value).toBe("");
  });

  it("edits with blank secrets that keep the stored ones", async () => {
    const { onSave } = mountForm({ entry: accountEntry("a1", { label: "Old" }) });
    const secret = typed(HTMLInputElement, "field-secret");
    expect(secret.value).toBe("");
    expect(secret.placeholder).toBe("Stored in keychain — leave blank to keep");
    expect(typed(HTMLSelectElement, "field-venue").disabled).toBe(true);
    expect(typed(HTMLInputElement, "field-key").value).toBe("pk-123");
    type("field-label", "New");
    await submit();
    expect(onSave.mock.calls[0]?.[0].fields).toEqual([{ name: "key", value: "pk-123" }]);
    expect(onSave.mock.calls[0]?.[0].label).toBe("New");
  });

  it("shows the venue's default endpoints for the chosen network", () => {
    mountForm({});
    expect(has("field-rest_url")).toBe(false);
    el("toggle-advanced").click();
    flushSync();
    expect(typed(HTMLInputElement, "field-rest_url").placeholder).toBe("https://api.lnmarkets.com");
    const network = typed(HTMLSelectElement, "field-network");
    network.value = "testnet";
    network.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(typed(HTMLInputElement, "field-ws_url").placeholder).toBe(
      "wss://api.testnet4.lnmarkets.com",
    );
  });

  it("puts Rust's verdict next to its field, opening Advanced to show it", async () => {
    mountForm({
      onSave: () =>
        Promise.resolve({
          status: "error",
          errors: { rest_url: "Unknown host api.lnmarkets.cmo" },
          formError: null,
        }),
    });
    type("field-label", "Main");
    type("field-key", "pk-1");
    type("field-secret", "s");
    type("field-passphrase", "p");
    await submit();
    expect(el("field-error-rest_url").textContent.trim()).toBe("Unknown host api.lnmarkets.cmo");
    // A failed save keeps what was typed, secrets included, for the user to fix and retry.
    expect(typed(HTMLInputElement, "field-secret").value).toBe("s");
  });

  it("shows a keychain failure for the whole form", async () => {
    mountForm({
      onSave: () =>
        Promise.resolve({
          status: "error",
          errors: {},
          formError: "No OS keychain available: Secret Service is not running",
        }),
    });
    type("field-label", "Main");
    type("field-key", "pk-1");
    type("field-secret", "s");
    type("field-passphrase", "p");
    await submit();
    expect(el("form-error").textContent.trim()).toBe(
      "No OS keychain available: Secret Service is not running",
    );
  });
});

describe("AccountForm seconds field (LMEX's dead-man switch)", () => {
  function mountLmex(entry?: ReturnType<typeof accountEntry>) {
    const onSave = vi.fn((form: Form) =>
      Promise.resolve<SaveResult>({
        status: "ok",
        entry: accountEntry("a9", { venue: "lmex", label: form.label }),
      }),
    );
    mounted = mount(AccountForm, {
      target: document.body,
      props: { forms: [lmexForm()], entry, saving: false, onSave, onClose: vi.fn() },
    });
    flushSync();
    return { onSave };
  }

  function fillRequired(): void {
    type("field-label", "LMEX main");
    type("field-key", "lmex-key");
    type("field-secret", "lmex-secret");
  }

  it("is a whole-number input from 10 to 3600, optional, blank meaning off", () => {
    mountLmex();
    const seconds = typed(HTMLInputElement, "field-cancel_after_s");
    expect(seconds.type).toBe("number");
    expect(seconds.inputMode).toBe("numeric");
    expect([seconds.min, seconds.max, seconds.step]).toEqual(["10", "3600", "1"]);
    expect(seconds.placeholder).toBe("Off");
    expect(text(el("account-form"))).toContain("Cancel orders if disconnected (s) (optional)");
  });

  it("sends it blank (off) or as typed, trimmed", async () => {
    const { onSave } = mountLmex();
    fillRequired();
    await submit();
    expect(onSave.mock.calls[0]?.[0].fields).toEqual([
      { name: "key", value: "lmex-key" },
      { name: "secret", value: "lmex-secret" },
      { name: "cancel_after_s", value: "" },
    ]);
  });

  it("refuses seconds out of range next to the field, in Rust's words", async () => {
    const { onSave } = mountLmex();
    fillRequired();
    type("field-cancel_after_s", "9");
    blur("field-cancel_after_s");
    expect(text(el("field-error-cancel_after_s"))).toBe("Enter whole seconds from 10 to 3600.");
    await submit();
    expect(onSave).not.toHaveBeenCalled();
    type("field-cancel_after_s", "30");
    expect(has("field-error-cancel_after_s")).toBe(false);
    await submit();
    expect(onSave.mock.calls[0]?.[0].fields).toContainEqual({
      name: "cancel_after_s",
      value: "30",
    });
  });

  it("refuses what the number input cannot read instead of sending it as off", async () => {
    const { onSave } = mountLmex();
    fillRequired();
    const seconds = typed(HTMLInputElement, "field-cancel_after_s");
    // A browser reports unreadable text in a number input ("3o") as blank, flagged badInput.
    Object.defineProperty(seconds, "validity", { value: { badInput: true }, configurable: true });
    type("field-cancel_after_s", "");
    await submit();
    expect(onSave).not.toHaveBeenCalled();
    expect(text(el("field-error-cancel_after_s"))).toBe("Enter whole seconds from 10 to 3600.");
    Object.defineProperty(seconds, "validity", { value: { badInput: false }, configurable: true });
    type("field-cancel_after_s", "");
    await submit();
    expect(onSave).toHaveBeenCalledOnce();
  });

  it("shows the stored seconds when editing", () => {
    mountLmex(
      accountEntry("a2", {
        venue: "lmex",
        public_fields: [
          { name: "key", value: "lmex-key" },
          { name: "cancel_after_s", value: "120" },
        ],
      }),
    );
    expect(typed(HTMLInputElement, "field-cancel_after_s").value).toBe("120");
  });
});

describe("SettingsDialog", () => {
  function api(over: Partial<SettingsApi> = {}): SettingsApi {
    const fail = <T>(): Promise<Result<T, AppError>> =>
      Promise.resolve({
        status: "error",
        error: {
          code: "internal",
          message: "unused",
          retryable: false,
          venue_code: null,
          field: null,
          retry_after_ms: null,
        },
      });
    return {
      venueForms: () => Promise.resolve({ status: "ok", data: [lnmForm(), lmex] }),
      watchSettings: () => Promise.resolve({ status: "ok", data: { close: () => undefined } }),
      addAccount: fail,
      updateAccount: fail,
      removeAccount: () => Promise.resolve({ status: "ok", data: null }),
      testConnection: () => Promise.resolve({ status: "ok", data: balance() }),
      savePreferences: () => Promise.resolve({ status: "ok", data: null }),
      ...over,
    };
  }

  async function open(views: Parameters<typeof settingsView>[0], over: Partial<SettingsApi> = {}) {
    let push: (v: ReturnType<typeof settingsView>) => void = () => undefined;
    const store = new SettingsStore(
      api({
        watchSettings: (onChange) => {
          push = onChange;
          onChange(settingsView(views));
          return Promise.resolve({ status: "ok", data: { close: () => undefined } });
        },
        ...over,
      }),
    );
    await store.start();
    const onClose = vi.fn();
    mounted = mount(SettingsDialog, { target: document.body, props: { settings: store, onClose } });
    flushSync();
    return {
      store,
      onClose,
      push: (v: ReturnType<typeof settingsView>) => {
        push(v);
      },
    };
  }

  function rows(): HTMLElement[] {
    return [...document.querySelectorAll<HTMLElement>('[data-testid="account-row"]')];
  }

  it("says there are no venue accounts yet, and opens as a modal", async () => {
    await open({});
    expect(typed(HTMLDialogElement, "settings-dialog").open).toBe(true);
    expect(el("accounts-empty").textContent.trim()).toBe(
      "No venue accounts yet. The Demo account is always available.",
    );
    expect(typed(HTMLButtonElement, "add-account").disabled).toBe(false);
  });

  it("warns when there is no keychain and turns adding off", async () => {
    await open({
      keychain: {
        available: false,
        checking: false,
        message: "No OS keychain available: org.freedesktop.secrets was not provided",
      },
      store_notice: "Settings were unreadable and were reset",
    });
    const banner = text(el("keychain-banner"));
    expect(banner).toBe(
      "No OS keychain available: org.freedesktop.secrets was not provided " +
        "Secrets are never stored elsewhere; adding accounts is disabled until a keychain is available.",
    );
    expect(el("store-notice").textContent.trim()).toBe("Settings were unreadable and were reset");
    expect(typed(HTMLButtonElement, "add-account").disabled).toBe(true);
  });

  it("lists each account with its network, key, status and state", async () => {
    await open({
      accounts: [
        accountEntry("a1", { label: "Main", network: "mainnet" }),
        accountEntry("a2", {
          label: "Bot",
          state: "failed",
          error: {
            code: "auth_rejected",
            message: "Invalid key",
            retryable: false,
            venue_code: "401",
            field: null,
            retry_after_ms: null,
          },
        }),
        accountEntry("a3", { state: "connecting" }),
        accountEntry("a4", { state: "unsupported" }),
      ],
    });
    const [main, bot, connecting, unsupported] = rows();
    expect(rows().map((r) => r.dataset["accountId"])).toEqual(["a1", "a2", "a3", "a4"]);
    expect(el("account-network", main).textContent).toBe("MAINNET");
    expect(el("account-network", bot).textContent).toBe("TESTNET");
    expect(main?.textContent).toContain("pk-1…23");
    expect(el("account-status", main).textContent).toBe("Connected");
    expect(el("account-status", bot).textContent).toBe("Failed: Invalid key (venue code 401)");
    expect(el("account-status", connecting).textContent).toBe("Connecting…");
    expect(el("account-status", unsupported).textContent).toBe("Not supported yet");
    expect(typed(HTMLButtonElement, "test-connection", unsupported).disabled).toBe(true);
  });

  it("shows why the last check of a connected account failed", async () => {
    await open({
      accounts: [
        accountEntry("a1", {
          state: "connected",
          error: {
            code: "clock_skew",
            message: "Timestamp outside the window",
            retryable: true,
            venue_code: null,
            field: null,
            retry_after_ms: null,
          },
        }),
      ],
    });
    expect(text(el("account-status"))).toBe("Connected");
    expect(text(el("test-error"))).toBe(
      "Your computer's clock is off; sync it and try again: Timestamp outside the window",
    );
  });

  it("tests a connection: Testing… while it runs, then the balance", async () => {
    let answer: (r: Result<ReturnType<typeof balance>, AppError>) => void = () => undefined;
    await open(
      { accounts: [accountEntry("a1")] },
      {
        testConnection: () =>
          new Promise((resolve) => {
            answer = resolve;
          }),
      },
    );
    const button = typed(HTMLButtonElement, "test-connection");
    button.click();
    flushSync();
    expect(text(button)).toBe("Testing…");
    expect(button.disabled).toBe(true);
    answer({ status: "ok", data: balance() });
    await settle();
    flushSync();
    expect(text(button)).toBe("Test connection");
    expect(el("account-balance").textContent).toBe("Balance 1,234,567 sats");
  });

  it("explains a failed test in a trader's words, with the venue's message", async () => {
    await open(
      { accounts: [accountEntry("a1")] },
      {
        testConnection: () =>
          Promise.resolve({
            status: "error",
            error: {
              code: "rate_limited",
              message: "Too many requests",
              retryable: true,
              venue_code: "429",
              field: null,
              retry_after_ms: 4000,
            },
          }),
      },
    );
    el("test-connection").click();
    await settle();
    flushSync();
    expect(el("test-error").textContent.trim()).toBe(
      "Too many requests — wait 4s: Too many requests (venue code 429)",
    );
  });

  it("asks before removing, and removes on confirmation", async () => {
    const removeAccount = vi.fn(() => Promise.resolve({ status: "ok" as const, data: null }));
    await open({ accounts: [accountEntry("a1", { label: "Main" })] }, { removeAccount });
    el("remove-account").click();
    flushSync();
    expect(text(document.body)).toContain(
      "Remove Main? Its keys are deleted from the OS keychain.",
    );
    el("cancel-remove").click();
    flushSync();
    expect(has("confirm-remove")).toBe(false);
    expect(removeAccount).not.toHaveBeenCalled();

    el("remove-account").click();
    flushSync();
    el("confirm-remove").click();
    await settle();
    flushSync();
    expect(removeAccount).toHaveBeenCalledWith("a1");
    expect(rows()).toEqual([]);
  });

  it("adds an account through the form and shows its row", async () => {
    const addAccount = vi.fn((form: Form) =>
      Promise.resolve({
        status: "ok" as const,
        data: accountEntry("a7", { label: form.label, state: "connecting" }),
      }),
    );
    await open({}, { addAccount });
    el("add-account").click();
    flushSync();
    expect(has("account-form")).toBe(true);
    type("field-label", "Main");
    type("field-key", "pk-1");
    type("field-secret", "s");
    type("field-passphrase", "p");
    await submit();
    expect(addAccount).toHaveBeenCalledTimes(1);
    expect(has("account-form")).toBe(false);
    expect(rows().map((r) => r.dataset["accountId"])).toEqual(["a7"]);
    expect(document.querySelector('input[type="password"]')).toBeNull();
  });

  it("shows the notification preferences and saves a change at once", async () => {
    const savePreferences = vi.fn(() => Promise.resolve({ status: "ok" as const, data: null }));
    const { push } = await open(
      { preferences: { desktop_notifications: true, sounds: false } },
      { savePreferences },
    );
    const desktop = el("pref-desktop-notifications") as HTMLInputElement;
    const sounds = el("pref-sounds") as HTMLInputElement;
    expect([desktop.checked, sounds.checked]).toEqual([true, false]);
    sounds.click();
    flushSync();
    expect(savePreferences).toHaveBeenCalledExactlyOnceWith({
      desktop_notifications: true,
      sounds: true,
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
    expect(sounds.checked).toBe(true);
    // What Rust pushes next is what shows.
    push(settingsView({ preferences: { desktop_notifications: false, sounds: true } }));
    flushSync();
    expect([desktop.checked, sounds.checked]).toEqual([false, true]);
  });

  it("says so and shows the saved preference when one cannot be saved", async () => {
    const savePreferences = vi.fn(() =>
      Promise.resolve({
        status: "error" as const,
        error: {
          code: "internal" as const,
          message: "disk full",
          retryable: false,
          venue_code: null,
          field: null,
          retry_after_ms: null,
        },
      }),
    );
    await open({}, { savePreferences });
    const desktop = el("pref-desktop-notifications") as HTMLInputElement;
    desktop.click();
    await new Promise((resolve) => setTimeout(resolve, 0));
    flushSync();
    expect(desktop.checked).toBe(true);
    expect(el("pref-problem").textContent).toMatch(/^Could not save: /);
  });

  it("closes on Esc and on the close button", async () => {
    const { onClose } = await open({});
    el("settings-dialog").dispatchEvent(new Event("cancel", { cancelable: true }));
    el("close-settings").click();
    expect(onClose).toHaveBeenCalledTimes(2);
  });
});

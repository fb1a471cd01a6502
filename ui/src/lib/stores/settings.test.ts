import { describe, expect, it, vi } from "vitest";
import type {
  AccountEntry,
  AccountForm,
  AppError,
  Balance,
  ErrorCode,
  SettingsView,
} from "../bindings/bindings";
import type { Result } from "../ipc/result";
import { accountEntry, balance, lnmForm, settingsView } from "../../test/fixtures";
import { SettingsStore, type SettingsApi } from "./settings.svelte";

/** As Rust words them (src-tauri/src/keychain.rs). */
const UNAVAILABLE =
  "No OS keychain available: The name org.freedesktop.secrets was not provided by any .service files. Kestrel stores API secrets only in the OS keychain, so it cannot save this one.";
const LOCKED =
  "The OS keychain is locked or refused access: Cannot unlock the collection. Unlock it and try again.";

function appError(code: ErrorCode, over: Partial<AppError> = {}): AppError {
  return {
    code,
    message: "refused",
    retryable: false,
    venue_code: null,
    field: null,
    retry_after_ms: null,
    ...over,
  };
}

function fail<T>(error: AppError): Promise<Result<T, AppError>> {
  return Promise.resolve({ status: "error", error });
}

function ok<T>(data: T): Promise<Result<T, AppError>> {
  return Promise.resolve({ status: "ok", data });
}

const form: AccountForm = {
  venue: "ln_markets",
  label: "Main",
  network: "testnet",
  rest_url: null,
  ws_url: null,
  fields: [
    { name: "key", value: "pk-1" },
    { name: "secret", value: "s3cret" },
    { name: "passphrase", value: "pp" },
  ],
};

/** A store over a fake backend; `push` sends a view the way the settings channel does. */
function setup(api: Partial<SettingsApi> = {}, options: { firstViewTimeoutMs?: number } = {}) {
  let push: (view: SettingsView) => void = () => undefined;
  const close = vi.fn();
  const full: SettingsApi = {
    venueForms: () => ok([lnmForm()]),
    watchSettings: (onChange) => {
      push = onChange;
      onChange(settingsView({ accounts: [accountEntry("a1")] }));
      return ok({ close });
    },
    addAccount: () => fail(appError("internal")),
    updateAccount: () => fail(appError("internal")),
    removeAccount: () => ok(null),
    testConnection: () => ok(balance()),
    savePreferences: () => ok(null),
    ...api,
  };
  const onAccountsChanged = vi.fn();
  const store = new SettingsStore(full, { onAccountsChanged, now: () => 1000, ...options });
  return {
    store,
    onAccountsChanged,
    close,
    push: (view: SettingsView) => {
      push(view);
    },
  };
}

describe("SettingsStore", () => {
  it("starts with the first view and the venue forms", async () => {
    const { store } = setup();
    const first = await store.start();
    expect(first?.accounts.map((a) => a.id)).toEqual(["a1"]);
    expect(store.accounts.map((a) => a.id)).toEqual(["a1"]);
    expect(store.form("ln_markets")?.name).toBe("LN Markets");
    expect(store.problem).toBeNull();
    expect(store.canAdd).toBe(true);
  });

  it("follows pushed views: keychain trouble, the store notice, accounts", async () => {
    const { store, push } = setup();
    await store.start();
    push(
      settingsView({
        keychain: {
          available: false,
          checking: false,
          message: "org.freedesktop.secrets was not provided",
        },
        store_notice: "settings.json was unreadable; it was moved aside and defaults loaded",
        accounts: [accountEntry("a1"), accountEntry("a2")],
      }),
    );
    expect(store.keychainProblem).toBe("org.freedesktop.secrets was not provided");
    expect(store.canAdd).toBe(false);
    expect(store.storeNotice).toMatch(/moved aside/);
    expect(store.accounts.map((a) => a.id)).toEqual(["a1", "a2"]);

    push(settingsView({ keychain: { available: false, checking: false, message: null } }));
    expect(store.keychainProblem).toBe("No OS keychain available");

    // While the backend is still probing, no alarm: adding just waits.
    push(settingsView({ keychain: { available: false, checking: true, message: null } }));
    expect(store.keychainProblem).toBeNull();
    expect(store.canAdd).toBe(false);
  });

  it("tells the session when accounts change, not when only a balance does", async () => {
    const { store, push, onAccountsChanged } = setup();
    await store.start();
    expect(onAccountsChanged).not.toHaveBeenCalled();

    push(settingsView({ accounts: [accountEntry("a1", { balance: balance(), checked_at: 5 })] }));
    expect(onAccountsChanged).not.toHaveBeenCalled();

    push(settingsView({ accounts: [accountEntry("a1", { state: "failed" })] }));
    push(settingsView({ accounts: [accountEntry("a1", { state: "failed", label: "Renamed" })] }));
    push(settingsView({ accounts: [] }));
    expect(onAccountsChanged).toHaveBeenCalledTimes(3);
  });

  it("goes on without settings when the watch fails or the first view is late", async () => {
    const failing = setup({ watchSettings: () => fail(appError("internal", { message: "no" })) });
    expect(await failing.store.start()).toBeNull();
    expect(failing.store.problem).toBe("Could not load the settings: no");

    const silent = setup(
      { watchSettings: () => ok({ close: () => undefined }) },
      {
        firstViewTimeoutMs: 5,
      },
    );
    expect(await silent.store.start()).toBeNull();
    expect(silent.store.view).toBeNull();
    expect(silent.store.canAdd).toBe(false);
  });

  it("adds an account and shows its row before the pushed view arrives", async () => {
    const entry = accountEntry("a2", { label: "Main", state: "connecting" });
    const addAccount = vi.fn(() => ok(entry));
    const { store, push, onAccountsChanged } = setup({ addAccount });
    await store.start();

    const saving = store.save(null, form);
    expect(store.saving).toBe(true);
    expect(await saving).toEqual({ status: "ok", entry });
    expect(store.saving).toBe(false);
    expect(addAccount).toHaveBeenCalledWith(form);
    expect(store.accounts.map((a) => a.id)).toEqual(["a1", "a2"]);

    // The local row does not count as the backend's change; the pushed view does.
    expect(onAccountsChanged).not.toHaveBeenCalled();
    push(settingsView({ accounts: [accountEntry("a1"), entry] }));
    expect(onAccountsChanged).toHaveBeenCalledTimes(1);
  });

  it("keeps a pushed outcome that beat the add's own answer (a venue that connects at once)", async () => {
    const answered = accountEntry("a2", { label: "Fast", state: "connecting", checked_at: null });
    let push: (view: SettingsView) => void = () => undefined;
    const connected = accountEntry("a2", { label: "Fast", state: "connected", checked_at: 2000 });
    const addAccount = vi.fn(() => {
      // The connection finishes and its view is pushed before the add's answer is read.
      push(settingsView({ accounts: [accountEntry("a1"), connected] }));
      return ok(answered);
    });
    const env = setup({ addAccount });
    push = env.push;
    await env.store.start();
    await env.store.save(null, form);
    expect(env.store.accounts.find((a) => a.id === "a2")?.state).toBe("connected");
  });

  it("updates an account in place and forgets its old test result", async () => {
    const updated = accountEntry("a1", { label: "Renamed" });
    const updateAccount = vi.fn(() => ok(updated));
    const { store } = setup({ updateAccount });
    await store.start();
    await store.test("a1");
    expect(store.tests["a1"]?.status).toBe("ok");

    await store.save("a1", { ...form, label: "Renamed" });
    expect(updateAccount).toHaveBeenCalledWith("a1", { ...form, label: "Renamed" });
    expect(store.accounts.map((a) => a.label)).toEqual(["Renamed"]);
    expect(store.tests["a1"]).toBeUndefined();
  });

  it("puts Rust's invalid_input message next to the field it names", async () => {
    const { store } = setup({
      addAccount: () =>
        fail(appError("invalid_input", { field: "rest_url", message: "Unknown host" })),
    });
    await store.start();
    expect(await store.save(null, form)).toEqual({
      status: "error",
      errors: { rest_url: "Unknown host" },
      formError: null,
    });
  });

  it("maps an invalid_input on a venue field, and shows one on an unknown field on the form", async () => {
    const errors: AppError[] = [
      appError("invalid_input", { field: "passphrase", message: "Too short" }),
      appError("invalid_input", { field: "mystery", message: "Bad mystery" }),
    ];
    const { store } = setup({ addAccount: () => fail(errors.shift() ?? appError("internal")) });
    await store.start();
    expect(await store.save(null, form)).toMatchObject({ errors: { passphrase: "Too short" } });
    expect(await store.save(null, form)).toEqual({
      status: "error",
      errors: {},
      formError: "Bad mystery",
    });
  });

  it("surfaces keychain errors on the form, in Rust's own words", async () => {
    const errors: AppError[] = [
      appError("keychain_unavailable", { message: UNAVAILABLE }),
      appError("keychain_locked", { message: LOCKED }),
    ];
    const { store } = setup({ addAccount: () => fail(errors.shift() ?? appError("internal")) });
    await store.start();
    expect(await store.save(null, form)).toEqual({
      status: "error",
      errors: {},
      formError: UNAVAILABLE,
    });
    const locked = await store.save(null, form);
    expect(locked.status === "error" ? locked.formError : null).toBe(LOCKED);
    expect(store.accounts.map((a) => a.id)).toEqual(["a1"]);
  });

  it("tests a connection: busy while it runs, then the balance", async () => {
    let answer: (r: Result<Balance, AppError>) => void = () => undefined;
    const { store } = setup({
      testConnection: () =>
        new Promise((resolve) => {
          answer = resolve;
        }),
    });
    await store.start();
    const testing = store.test("a1");
    expect(store.busy["a1"]).toBe("testing");
    // A second click while busy sends nothing more.
    await store.test("a1");
    answer({ status: "ok", data: balance() });
    await testing;
    expect(store.busy["a1"]).toBeUndefined();
    expect(store.tests["a1"]).toEqual({ status: "ok", balance: balance(), at: 1000 });
  });

  it("keeps a failed test as a typed error with words a trader understands", async () => {
    const error = appError("auth_rejected", { message: "Invalid signature", venue_code: "401" });
    const { store } = setup({ testConnection: () => fail(error) });
    await store.start();
    await store.test("a1");
    expect(store.tests["a1"]).toEqual({
      status: "error",
      error,
      message:
        "The venue rejected the key, secret or passphrase: Invalid signature (venue code 401)",
      at: 1000,
    });
  });

  it("removes an account, or says why it could not", async () => {
    const results: Result<null, AppError>[] = [
      { status: "error", error: appError("keychain_locked", { message: LOCKED }) },
      { status: "ok", data: null },
    ];
    const removeAccount = vi.fn(() =>
      Promise.resolve(results.shift() ?? { status: "ok" as const, data: null }),
    );
    const { store } = setup({ removeAccount });
    await store.start();

    expect(await store.remove("a1")).toBe(false);
    expect(store.removeErrors["a1"]).toBe(`Could not remove: ${LOCKED}`);
    expect(store.accounts.map((a) => a.id)).toEqual(["a1"]);

    expect(await store.remove("a1")).toBe(true);
    expect(removeAccount).toHaveBeenCalledTimes(2);
    expect(store.accounts).toEqual([]);
    expect(store.removeErrors["a1"]).toBeUndefined();
  });

  it("drops results of accounts that a pushed view no longer has", async () => {
    const { store, push } = setup();
    await store.start();
    await store.test("a1");
    push(settingsView({ accounts: [] as AccountEntry[] }));
    expect(store.tests).toEqual({});
  });

  it("stops delivering views when stopped", async () => {
    const { store, close } = setup();
    await store.start();
    store.stop();
    expect(close).toHaveBeenCalled();
  });
});

describe("SettingsStore preferences", () => {
  it("reads them from the pushed view, defaulting to Rust's defaults before it comes", async () => {
    const { store, push } = setup();
    expect(store.preferences).toEqual({ desktop_notifications: true, sounds: false });
    await store.start();
    push(settingsView({ preferences: { desktop_notifications: false, sounds: true } }));
    expect(store.preferences).toEqual({ desktop_notifications: false, sounds: true });
  });

  it("shows a change at once, saves the whole set, and keeps it once saved", async () => {
    let answer: (r: Result<null, AppError>) => void = () => undefined;
    const savePreferences = vi.fn(
      () =>
        new Promise<Result<null, AppError>>((resolve) => {
          answer = resolve;
        }),
    );
    const { store } = setup({ savePreferences });
    await store.start();
    const saving = store.setPreference("sounds", true);
    expect(store.preferences).toEqual({ desktop_notifications: true, sounds: true });
    expect(savePreferences).toHaveBeenCalledExactlyOnceWith({
      desktop_notifications: true,
      sounds: true,
    });
    answer({ status: "ok", data: null });
    expect(await saving).toBeNull();
    expect(store.preferences).toEqual({ desktop_notifications: true, sounds: true });
  });

  it("goes back to the saved ones when Rust refuses, and says why", async () => {
    const { store } = setup({
      savePreferences: () => fail(appError("internal", { message: "x" })),
    });
    await store.start();
    const problem = await store.setPreference("desktop_notifications", false);
    expect(problem).toMatch(/^Could not save: /);
    expect(store.preferences).toEqual({ desktop_notifications: true, sounds: false });
  });
});

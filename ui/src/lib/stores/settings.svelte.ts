// Settings: the view Rust pushes (accounts, keychain health, notices), the venues' account
// forms, and the account actions — add, edit, remove, test — with what came of each.

import type {
  AccountEntry,
  AccountForm,
  AccountId,
  AppError,
  Balance,
  SettingsView,
  VenueForm,
} from "../bindings/bindings";
import { preferencesFrom, type AlertPreferences } from "../alerts";
import { describeError } from "../ipc/result";
import type { Result } from "../ipc/result";
import type { SettingsWatch } from "../ipc/settings";
import { explainError } from "../settings/explain";
import type { FormErrors } from "../settings/validate";

export interface SettingsApi {
  venueForms(): Promise<Result<VenueForm[], AppError>>;
  watchSettings(onChange: (view: SettingsView) => void): Promise<Result<SettingsWatch, AppError>>;
  addAccount(form: AccountForm): Promise<Result<AccountEntry, AppError>>;
  updateAccount(id: AccountId, form: AccountForm): Promise<Result<AccountEntry, AppError>>;
  removeAccount(id: AccountId): Promise<Result<null, AppError>>;
  testConnection(id: AccountId): Promise<Result<Balance, AppError>>;
  savePreferences(preferences: AlertPreferences): Promise<Result<null, AppError>>;
}

/** What an account's row is busy with. */
export type AccountAction = "testing" | "removing";

/** The last "Test connection" of an account; `at` in ms. */
export type TestResult =
  | { status: "ok"; balance: Balance; at: number }
  | { status: "error"; error: AppError; message: string; at: number };

/** What came of saving the account form: messages per field, or for the form as a whole. */
export type SaveResult =
  | { status: "ok"; entry: AccountEntry }
  | { status: "error"; errors: FormErrors; formError: string | null };

export interface SettingsOptions {
  /** Told when accounts come or go, or change label, network or connection state. */
  onAccountsChanged?: () => void;
  now?: () => number;
  /** How long `start` waits for the first view before letting the app go on without it. */
  firstViewTimeoutMs?: number;
}

/** Fields the form always has, besides the venue's own. */
const FORM_FIELDS = ["venue", "label", "network", "rest_url", "ws_url"];

/** What the account switcher depends on: a change here means the session must re-list. */
function accountsKey(view: SettingsView): string {
  return JSON.stringify(view.accounts.map((a) => [a.id, a.label, a.network, a.state]));
}

/** `record` with only the entries `keep` accepts (the same object when that is all). */
function filtered<T>(
  record: Partial<Record<string, T>>,
  keep: (id: string) => boolean,
): Partial<Record<string, T>> {
  const entries = Object.entries(record);
  const kept = entries.filter(([id]) => keep(id));
  return kept.length === entries.length ? record : Object.fromEntries(kept);
}

function without<T>(record: Partial<Record<string, T>>, id: string): Partial<Record<string, T>> {
  return filtered(record, (key) => key !== id);
}

export class SettingsStore {
  /** The latest view from Rust; null until the first arrives. */
  view = $state.raw<SettingsView | null>(null);
  forms = $state.raw<VenueForm[]>([]);
  /** Why Settings cannot show or change accounts, if it cannot. */
  problem = $state<string | null>(null);
  busy = $state.raw<Partial<Record<AccountId, AccountAction>>>({});
  tests = $state.raw<Partial<Record<AccountId, TestResult>>>({});
  removeErrors = $state.raw<Partial<Record<AccountId, string>>>({});
  saving = $state(false);

  readonly accounts: readonly AccountEntry[] = $derived(this.view?.accounts ?? []);
  /**
   * Rust's words for why secrets cannot be stored; none while it is still probing the
   * keychain at startup. Adding accounts is off until the keychain is available.
   */
  readonly keychainProblem: string | null = $derived(
    this.view === null || this.view.keychain.available || this.view.keychain.checking
      ? null
      : (this.view.keychain.message ?? "No OS keychain available"),
  );
  readonly storeNotice: string | null = $derived(this.view?.store_notice ?? null);
  readonly canAdd: boolean = $derived(this.view !== null && this.view.keychain.available);
  /** Preferences changed here that Rust has not answered for yet. */
  #localPreferences = $state.raw<AlertPreferences | null>(null);
  /** How fills and rejections are told: as saved, or as just changed while Rust saves. */
  readonly preferences: AlertPreferences = $derived(
    this.#localPreferences ?? preferencesFrom(this.view?.preferences),
  );

  readonly #api: SettingsApi;
  readonly #onAccountsChanged: () => void;
  readonly #now: () => number;
  readonly #firstViewTimeoutMs: number;
  #watch: SettingsWatch | null = null;
  /** Of the last pushed view; local edits (an added row shown early) do not count. */
  #accountsKey: string | null = null;
  #firstView: ((view: SettingsView | null) => void) | null = null;
  #firstViewTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(api: SettingsApi, options: SettingsOptions = {}) {
    this.#api = api;
    this.#onAccountsChanged = options.onAccountsChanged ?? (() => undefined);
    this.#now = options.now ?? Date.now;
    this.#firstViewTimeoutMs = options.firstViewTimeoutMs ?? 3000;
  }

  /**
   * Loads the venue forms and starts watching. Resolves with the first view, or null if it
   * cannot come (the watch failed, or it is late): the terminal starts either way.
   */
  async start(): Promise<SettingsView | null> {
    const first = new Promise<SettingsView | null>((resolve) => {
      this.#firstView = resolve;
    });
    const [forms, watch] = await Promise.all([
      this.#api.venueForms(),
      this.#api.watchSettings((view) => {
        this.#apply(view);
      }),
    ]);
    if (forms.status === "ok") this.forms = forms.data;
    else this.problem = `Could not load the venues: ${describeError(forms.error)}`;
    if (watch.status === "error") {
      this.problem = `Could not load the settings: ${describeError(watch.error)}`;
      this.#resolveFirst(null);
    } else {
      this.#watch = watch.data;
      if (this.#firstView !== null) {
        this.#firstViewTimer = setTimeout(() => {
          this.#resolveFirst(null);
        }, this.#firstViewTimeoutMs);
      }
    }
    return first;
  }

  stop(): void {
    this.#watch?.close();
    this.#watch = null;
    this.#resolveFirst(null);
  }

  /** The form for `venue`, if the backend offers one. */
  form(venue: string): VenueForm | undefined {
    return this.forms.find((f) => f.venue === venue);
  }

  /** Adds an account (`id` null) or changes one; the row shows as soon as Rust accepts. */
  async save(id: AccountId | null, form: AccountForm): Promise<SaveResult> {
    this.saving = true;
    try {
      const result =
        id === null ? await this.#api.addAccount(form) : await this.#api.updateAccount(id, form);
      if (result.status === "error") return this.#saveError(result.error, form);
      const entry = result.data;
      // The pushed view follows; until it does, show what Rust answered.
      if (this.view !== null) {
        const known = this.view.accounts.some((a) => a.id === entry.id);
        // A view pushed before this answer may already carry a newer outcome (a venue
        // that connects in milliseconds): the row checked later wins.
        const accounts = known
          ? this.view.accounts.map((a) =>
              a.id === entry.id && (a.checked_at ?? -1) <= (entry.checked_at ?? -1) ? entry : a,
            )
          : [...this.view.accounts, entry];
        this.view = { ...this.view, accounts };
      }
      // A test of the old settings says nothing about the new ones.
      this.tests = without(this.tests, entry.id);
      return { status: "ok", entry };
    } finally {
      this.saving = false;
    }
  }

  /** One authenticated call: keeps the balance or the typed error for the account's row. */
  async test(id: AccountId): Promise<void> {
    if (this.busy[id] !== undefined) return;
    this.busy = { ...this.busy, [id]: "testing" };
    const result = await this.#api.testConnection(id);
    this.busy = without(this.busy, id);
    if (!this.accounts.some((a) => a.id === id)) return;
    const at = this.#now();
    const outcome: TestResult =
      result.status === "ok"
        ? { status: "ok", balance: result.data, at }
        : { status: "error", error: result.error, message: explainError(result.error), at };
    this.tests = { ...this.tests, [id]: outcome };
  }

  /** Changes one preference at once on screen and saves it; on a refusal the saved ones
   * come back and the reason is returned. */
  async setPreference(key: keyof AlertPreferences, on: boolean): Promise<string | null> {
    const preferences = { ...this.preferences, [key]: on };
    this.#localPreferences = preferences;
    const result = await this.#api.savePreferences(preferences);
    if (this.#localPreferences !== preferences) return null;
    this.#localPreferences = null;
    if (result.status === "error") return `Could not save: ${explainError(result.error)}`;
    // Until the pushed view carries them, the saved ones are these.
    if (this.view !== null) this.view = { ...this.view, preferences };
    return null;
  }

  /** Removes the account (Rust deletes its keychain entries); false if it could not. */
  async remove(id: AccountId): Promise<boolean> {
    if (this.busy[id] !== undefined) return false;
    this.busy = { ...this.busy, [id]: "removing" };
    this.removeErrors = without(this.removeErrors, id);
    const result = await this.#api.removeAccount(id);
    this.busy = without(this.busy, id);
    if (result.status === "error") {
      this.removeErrors = {
        ...this.removeErrors,
        [id]: `Could not remove: ${explainError(result.error)}`,
      };
      return false;
    }
    if (this.view !== null) {
      this.view = { ...this.view, accounts: this.view.accounts.filter((a) => a.id !== id) };
    }
    this.tests = without(this.tests, id);
    return true;
  }

  #apply(view: SettingsView): void {
    this.view = view;
    const ids = new Set(view.accounts.map((a) => a.id));
    this.tests = filtered(this.tests, (id) => ids.has(id));
    this.removeErrors = filtered(this.removeErrors, (id) => ids.has(id));
    const key = accountsKey(view);
    const changed = this.#accountsKey !== null && key !== this.#accountsKey;
    this.#accountsKey = key;
    this.#resolveFirst(view);
    if (changed) this.#onAccountsChanged();
  }

  #resolveFirst(view: SettingsView | null): void {
    if (this.#firstViewTimer !== null) clearTimeout(this.#firstViewTimer);
    this.#firstViewTimer = null;
    const resolve = this.#firstView;
    this.#firstView = null;
    resolve?.(view);
  }

  /** Rust's field errors go next to their field; anything else is the form's. */
  #saveError(error: AppError, form: AccountForm): SaveResult {
    const venueFields = this.form(form.venue)?.fields.map((f) => f.name) ?? [];
    const field = error.field ?? null;
    if (
      error.code === "invalid_input" &&
      field !== null &&
      (FORM_FIELDS.includes(field) || venueFields.includes(field))
    ) {
      return { status: "error", errors: { [field]: error.message }, formError: null };
    }
    return { status: "error", errors: {}, formError: explainError(error) };
  }
}

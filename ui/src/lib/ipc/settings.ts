// Settings over IPC: venue forms, the pushed settings view, account changes and the
// remembered selection. Secrets travel one way only: in an AccountForm, never back.

import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  type AccountEntry,
  type AccountForm,
  type AccountId,
  type AppError,
  type Balance,
  type Selection,
  type SettingsView,
  type VenueForm,
} from "../bindings/bindings";
import type { AlertPreferences } from "../alerts";
import { settle, settlePlain } from "./result";
import type { Result } from "./result";

/** A settings watch; `close` stops delivery (the backend has no command to unwatch). */
export interface SettingsWatch {
  close(): void;
}

/** The venues an account can be added for, and the fields each one's form asks for. */
export function venueForms(): Promise<Result<VenueForm[], AppError>> {
  return settlePlain(() => commands.venueForms());
}

/** Hands the settings view to `onChange` at once, then again on every change. */
export async function watchSettings(
  onChange: (view: SettingsView) => void,
): Promise<Result<SettingsWatch, AppError>> {
  let open = true;
  const channel = new Channel<SettingsView>((view) => {
    if (open) onChange(view);
  });
  const watched = await settlePlain(() => commands.watchSettings(channel));
  if (watched.status === "error") return watched;
  return {
    status: "ok",
    data: {
      close() {
        open = false;
      },
    },
  };
}

/** Checks the form in Rust, stores its secrets in the OS keychain and connects. */
export function addAccount(form: AccountForm): Promise<Result<AccountEntry, AppError>> {
  return settle(() => commands.addAccount(form));
}

/** Changes an account; a secret left out of `form.fields` keeps the stored one. */
export function updateAccount(
  id: AccountId,
  form: AccountForm,
): Promise<Result<AccountEntry, AppError>> {
  return settle(() => commands.updateAccount(id, form));
}

/** Disconnects the account and deletes its secrets from the OS keychain. */
export function removeAccount(id: AccountId): Promise<Result<null, AppError>> {
  return settle(() => commands.removeAccount(id));
}

/** One authenticated call to the venue: the balance, or a typed reason it failed. */
export function testConnection(id: AccountId): Promise<Result<Balance, AppError>> {
  return settle(() => commands.testConnection(id));
}

/** Remembers what the main window shows, for the next start. */
export function rememberSelection(selection: Selection): Promise<Result<null, AppError>> {
  return settle(() => commands.rememberSelection(selection));
}

/** Stores the hotkeys (action → combination, null for none); `{}` goes back to the defaults.
 * The settings view that follows carries the saved keymap. */
export function saveKeymap(
  keymap: Readonly<Record<string, string | null>>,
): Promise<Result<null, AppError>> {
  return settle(() => commands.saveKeymap({ ...keymap }));
}

/** Stores how fills and rejections are told (desktop notifications, sounds). The settings
 * view that follows carries them. */
export function savePreferences(preferences: AlertPreferences): Promise<Result<null, AppError>> {
  return settle(() => commands.savePreferences(preferences));
}

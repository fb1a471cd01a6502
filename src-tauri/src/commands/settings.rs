//! Settings: venue forms, connected accounts, and what the user last looked at. Secrets
//! travel only inward (the add and update forms); nothing here returns one.

use crate::accounts::{AccountEntry, AccountForm, SettingsView};
use crate::error::AppError;
use crate::settings::Selection;
use crate::state::AppState;
use kestrel_core::{AccountId, Balance, VenueForm};
use tauri::ipc::Channel;
use tauri::State;

/// What each venue's account form asks for.
#[tauri::command]
#[specta::specta]
pub fn venue_forms() -> Vec<VenueForm> {
    kestrel_venues::accounts::forms()
}

/// Sends the Settings view over `on_change` now and after every change.
#[tauri::command]
#[specta::specta]
pub fn watch_settings(state: State<'_, AppState>, on_change: Channel<SettingsView>) {
    state.accounts.watch(Box::new(move |view: &SettingsView| {
        on_change.send(view.clone()).is_ok()
    }));
}

/// Adds an account: secrets to the OS keychain, the rest to settings; then connects.
#[tauri::command]
#[specta::specta]
pub async fn add_account(
    state: State<'_, AppState>,
    form: AccountForm,
) -> Result<AccountEntry, AppError> {
    state.accounts.add(form).await
}

/// Changes an account; blank secret fields keep the stored secrets.
#[tauri::command]
#[specta::specta]
pub async fn update_account(
    state: State<'_, AppState>,
    id: AccountId,
    form: AccountForm,
) -> Result<AccountEntry, AppError> {
    state.accounts.update(&id, form).await
}

/// Disconnects an account and deletes its keychain entries and settings.
#[tauri::command]
#[specta::specta]
pub async fn remove_account(state: State<'_, AppState>, id: AccountId) -> Result<(), AppError> {
    state.accounts.remove(&id).await
}

/// One authenticated call: the balance, or why it failed.
#[tauri::command]
#[specta::specta]
pub async fn test_connection(
    state: State<'_, AppState>,
    id: AccountId,
) -> Result<Balance, AppError> {
    state.accounts.test(&id).await
}

/// Saves the user's rebound hotkeys (action → combination, `null` for none).
#[tauri::command]
#[specta::specta]
pub fn save_keymap(
    state: State<'_, AppState>,
    keymap: std::collections::BTreeMap<String, Option<String>>,
) -> Result<(), AppError> {
    state.accounts.save_keymap(keymap)
}

/// Saves how fills and rejections are announced (desktop notifications, sounds).
#[tauri::command]
#[specta::specta]
pub fn save_preferences(
    state: State<'_, AppState>,
    preferences: crate::settings::Preferences,
) -> Result<(), AppError> {
    state.accounts.save_preferences(preferences)
}

/// Remembers the account, instrument and timeframe on screen for the next start.
#[tauri::command]
#[specta::specta]
pub fn remember_selection(
    state: State<'_, AppState>,
    selection: Selection,
) -> Result<(), AppError> {
    state.accounts.remember(selection)
}

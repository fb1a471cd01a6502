//! Account streams and snapshots.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::engine::SubscriptionId;
use kestrel_core::{AccountEvent, AccountId, AccountSnapshot};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// Streams every event of an account over `on_event`, as it happens (never coalesced).
#[tauri::command]
#[specta::specta]
pub async fn subscribe_account(
    state: State<'_, AppState>,
    account: AccountId,
    on_event: Channel<AccountEvent>,
) -> Result<SubscriptionId, AppError> {
    let sink = Arc::new(move |event: &AccountEvent| on_event.send(event.clone()).is_ok());
    Ok(state.engine.subscribe_account(&account, sink).await?)
}

/// Stops an account stream.
#[tauri::command]
#[specta::specta]
pub fn unsubscribe_account(
    state: State<'_, AppState>,
    subscription: SubscriptionId,
) -> Result<(), AppError> {
    Ok(state.engine.unsubscribe(subscription)?)
}

/// Balances, positions, working orders and fills.
#[tauri::command]
#[specta::specta]
pub async fn account_snapshot(
    state: State<'_, AppState>,
    account: AccountId,
) -> Result<AccountSnapshot, AppError> {
    Ok(state.engine.account_snapshot(&account).await?)
}

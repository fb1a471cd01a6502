//! Placing, cancelling and closing. Every order goes through the engine's risk checks in
//! Rust; `Err` means nothing was sent, the outcome says what the venue did.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::{AccountId, ClientOrderId, InstrumentId, OrderOutcome, OrderTicket};
use tauri::State;

/// Checks and sends an order exactly once.
#[tauri::command]
#[specta::specta]
pub async fn place_order(
    state: State<'_, AppState>,
    account: AccountId,
    ticket: OrderTicket,
) -> Result<OrderOutcome, AppError> {
    Ok(state.engine.place_order(&account, &ticket).await?)
}

/// Cancels a working order.
#[tauri::command]
#[specta::specta]
pub async fn cancel_order(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: InstrumentId,
    client_order_id: ClientOrderId,
) -> Result<OrderOutcome, AppError> {
    Ok(state
        .engine
        .cancel_order(&account, &instrument, &client_order_id)
        .await?)
}

/// Closes a whole position at market.
#[tauri::command]
#[specta::specta]
pub async fn close_position(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: InstrumentId,
) -> Result<OrderOutcome, AppError> {
    Ok(state.engine.close_position(&account, &instrument).await?)
}

//! Placing, cancelling and closing. Every order goes through the engine's risk checks in
//! Rust; `Err` means nothing was sent, the outcome says what the venue did.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::{
    AccountId, ClientOrderId, Decimal, InstrumentId, OrderOutcome, OrderTicket, PositionSide,
};
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

/// Parses a decimal the UI sent as text; `field` names it in the error.
pub(crate) fn decimal(field: &str, text: &str) -> Result<Decimal, AppError> {
    text.trim().parse::<Decimal>().map_err(|_| {
        AppError::from(kestrel_core::Error::invalid_order(
            field,
            format!("'{text}' is not a number"),
        ))
    })
}

/// Sets (text) or removes (null) a position's take-profit and stop-loss.
#[tauri::command]
#[specta::specta]
pub async fn set_tp_sl(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    take_profit: Option<String>,
    stop_loss: Option<String>,
) -> Result<(), AppError> {
    let take_profit = take_profit
        .map(|t| decimal("take_profit", &t))
        .transpose()?;
    let stop_loss = stop_loss.map(|t| decimal("stop_loss", &t)).transpose()?;
    Ok(state
        .engine
        .set_tp_sl(&account, &instrument, side, take_profit, stop_loss)
        .await?)
}

/// Adds `amount` (settle currency) of margin to a position.
#[tauri::command]
#[specta::specta]
pub async fn add_margin(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    amount: String,
) -> Result<(), AppError> {
    let amount = decimal("amount", &amount)?;
    Ok(state
        .engine
        .add_margin(&account, &instrument, side, amount)
        .await?)
}

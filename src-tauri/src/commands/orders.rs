//! Placing, cancelling and closing. Every order goes through the engine's risk checks in
//! Rust; `Err` means nothing was sent, the outcome says what the venue did.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::engine::{BulkOutcome, LatencyStats, VenueHealth};
use kestrel_core::{
    AccountId, ClientOrderId, Decimal, InstrumentId, OrderOutcome, OrderTicket, PositionSide,
    StopLoss,
};
use tauri::State;

/// Checks and sends an order exactly once. `clicked_at_ms` is when the user's click (or key)
/// asked for it, on the wall clock (`performance.timeOrigin + performance.now()`): the time
/// to the request leaving is kept for `order_latency`.
#[tauri::command]
#[specta::specta]
pub async fn place_order(
    state: State<'_, AppState>,
    account: AccountId,
    ticket: OrderTicket,
    clicked_at_ms: Option<f64>,
) -> Result<OrderOutcome, AppError> {
    Ok(state
        .engine
        .place_order_clicked(&account, &ticket, clicked_at_ms)
        .await?)
}

/// Cancels every working order of the account (in `instrument` only, when given): one
/// request per order.
#[tauri::command]
#[specta::specta]
pub async fn cancel_all_orders(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: Option<InstrumentId>,
) -> Result<BulkOutcome, AppError> {
    Ok(state
        .engine
        .cancel_all(&account, instrument.as_ref())
        .await?)
}

/// Closes every position of the account at market.
#[tauri::command]
#[specta::specta]
pub async fn close_all_positions(
    state: State<'_, AppState>,
    account: AccountId,
) -> Result<BulkOutcome, AppError> {
    Ok(state.engine.close_all(&account).await?)
}

/// Each connected account's feed lag, last order round trip and clock offset (the footer).
#[tauri::command]
#[specta::specta]
pub fn venue_health(state: State<'_, AppState>) -> Vec<VenueHealth> {
    state.engine.health()
}

/// Click-to-send latency of the orders placed from a click so far (p50, p99, max).
#[tauri::command]
#[specta::specta]
pub fn order_latency(state: State<'_, AppState>) -> LatencyStats {
    state.engine.order_latency()
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

/// Moves a working order to a new price (and size): amended in place where the venue can,
/// else cancelled and replaced under a new client order id (the outcome carries it).
#[tauri::command]
#[specta::specta]
pub async fn amend_order(
    state: State<'_, AppState>,
    account: AccountId,
    client_order_id: ClientOrderId,
    price: Option<String>,
    size: Option<String>,
) -> Result<OrderOutcome, AppError> {
    let price = price.map(|p| decimal("price", &p)).transpose()?;
    let size = size.map(|s| decimal("size", &s)).transpose()?;
    Ok(state
        .engine
        .amend_order(&account, &client_order_id, price, size)
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

/// Sets (text) or removes (null) a position's take-profit and stop-loss; the stop-loss
/// trails the market when `stop_loss_trailing` (venues with a trailing stop only).
#[tauri::command]
#[specta::specta]
pub async fn set_tp_sl(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    take_profit: Option<String>,
    stop_loss: Option<String>,
    stop_loss_trailing: bool,
) -> Result<(), AppError> {
    let take_profit = take_profit
        .map(|t| decimal("take_profit", &t))
        .transpose()?;
    let stop_loss = stop_loss
        .map(|t| decimal("stop_loss", &t))
        .transpose()?
        .map(|price| StopLoss {
            price,
            trailing: stop_loss_trailing,
        });
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

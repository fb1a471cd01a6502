//! Accounts, instruments, candle history and market streams.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::engine::{FrameSink, MarketFrame, SubscriptionId};
use kestrel_core::{AccountId, AccountInfo, Candle, Instrument, InstrumentId, Timeframe};
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

/// The configured accounts; the Demo account is always there.
#[tauri::command]
#[specta::specta]
pub fn list_accounts(state: State<'_, AppState>) -> Vec<AccountInfo> {
    state.engine.accounts()
}

/// Instruments on the account's venue.
#[tauri::command]
#[specta::specta]
pub async fn list_instruments(
    state: State<'_, AppState>,
    account: AccountId,
) -> Result<Vec<Instrument>, AppError> {
    Ok(state.engine.instruments(&account).await?)
}

/// Up to `limit` candles opening before `before` (ms; none = up to now), oldest first.
#[tauri::command]
#[specta::specta]
pub async fn candle_history(
    state: State<'_, AppState>,
    instrument: InstrumentId,
    timeframe: Timeframe,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<Candle>, AppError> {
    Ok(state
        .engine
        .candles(&instrument, timeframe, before, limit.min(5_000))
        .await?)
}

/// Wraps a channel as an engine sink: one message per frame, at most one per frame interval.
pub fn frame_sink(channel: Channel<MarketFrame>) -> FrameSink {
    Arc::new(move |frame: &MarketFrame| channel.send(frame.clone()).is_ok())
}

/// Streams frames for an instrument over `on_frame` until unsubscribed.
#[tauri::command]
#[specta::specta]
pub async fn subscribe_market(
    state: State<'_, AppState>,
    instrument: InstrumentId,
    on_frame: Channel<MarketFrame>,
) -> Result<SubscriptionId, AppError> {
    Ok(state
        .engine
        .subscribe_market(&instrument, frame_sink(on_frame))
        .await?)
}

/// Stops a market stream.
#[tauri::command]
#[specta::specta]
pub fn unsubscribe_market(
    state: State<'_, AppState>,
    subscription: SubscriptionId,
) -> Result<(), AppError> {
    Ok(state.engine.unsubscribe(subscription)?)
}

//! LN Markets' venue-only features: the panel's funding and leaderboard data, and cash-in.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::{AccountId, InstrumentId, PositionSide};
use kestrel_venues::accounts::Connector;
use kestrel_venues::lnmarkets::extras::LnmOverview;
use kestrel_venues::lnmarkets::LnMarkets;
use std::sync::Arc;
use tauri::State;

fn lnmarkets(state: &AppState, account: &AccountId) -> Result<Arc<LnMarkets>, AppError> {
    match state.accounts.connector(account)? {
        Connector::LnMarkets(c) => Ok(c),
    }
}

/// Funding settlements, the account's funding fees, this week's leaderboard, and what the
/// venue no longer offers.
#[tauri::command]
#[specta::specta]
pub async fn lnm_overview(
    state: State<'_, AppState>,
    account: AccountId,
) -> Result<LnmOverview, AppError> {
    Ok(lnmarkets(&state, &account)?.overview().await?)
}

/// Takes `amount` BTC (whole sats) out of a position: profit first, then margin.
#[tauri::command]
#[specta::specta]
pub async fn lnm_cash_in(
    state: State<'_, AppState>,
    account: AccountId,
    instrument: InstrumentId,
    side: PositionSide,
    amount: String,
) -> Result<(), AppError> {
    let amount = super::orders::decimal("amount", &amount)?;
    tracing::info!(%account, %instrument, ?side, %amount, "LN Markets cash-in");
    lnmarkets(&state, &account)?
        .cash_in(&instrument, side, amount)
        .await?;
    state
        .engine
        .publish_positions(&account, &instrument)
        .await?;
    Ok(())
}

//! LMEX's venue-only commands: the LMEX panel's contract terms, funding and account
//! settings. Orders, positions and market data go through the common commands.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::AccountId;
use kestrel_venues::accounts::Connector;
use kestrel_venues::lmex::extras::LmexOverview;
use kestrel_venues::lmex::Lmex;
use std::sync::Arc;
use tauri::State;

fn lmex(state: &AppState, account: &AccountId) -> Result<Arc<Lmex>, AppError> {
    match state.accounts.connector(account)? {
        Connector::Lmex(c) => Ok(c),
        Connector::LnMarkets(_) => Err(kestrel_core::Error::unsupported(format!(
            "{account} is not an LMEX account"
        ))
        .into()),
    }
}

/// The contract's terms, its funding (now and the last periods), the account's leverage on
/// `symbol`, and the dead-man switch.
#[tauri::command]
#[specta::specta]
pub async fn lmex_overview(
    state: State<'_, AppState>,
    account: AccountId,
    symbol: String,
) -> Result<LmexOverview, AppError> {
    Ok(lmex(&state, &account)?.overview(&symbol).await?)
}

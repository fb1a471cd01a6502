//! LN Markets' venue-only features: the panel's funding and leaderboard data, cash-in,
//! Lightning and on-chain deposits (with QR codes), withdrawals and their history.

use crate::error::AppError;
use crate::state::AppState;
use kestrel_core::{AccountId, InstrumentId, PositionSide};
use kestrel_venues::accounts::Connector;
use kestrel_venues::lnmarkets::cross::{self, LnmCross, LnmCrossDirection};
use kestrel_venues::lnmarkets::extras::{
    invoice_amount_sats, LnmDepositInvoice, LnmOverview, LnmWallet, LnmWithdrawTo,
};
use kestrel_venues::lnmarkets::LnMarkets;
use std::sync::Arc;
use tauri::State;

fn lnmarkets(state: &AppState, account: &AccountId) -> Result<Arc<LnMarkets>, AppError> {
    match state.accounts.connector(account)? {
        Connector::LnMarkets(c) => Ok(c),
        Connector::Lmex(_) => Err(kestrel_core::Error::unsupported(format!(
            "{account} is not an LN Markets account"
        ))
        .into()),
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

/// A QR code as dark and light modules, for the UI to draw.
#[derive(Clone, Debug, serde::Serialize, specta::Type)]
pub struct QrCode {
    /// Modules per side.
    pub size: u32,
    /// `size × size` modules, row by row: `1` dark, `0` light.
    pub modules: String,
}

/// Encodes `text` (an invoice: upper-cased, which wallets accept and QR packs tighter).
fn qr(text: &str) -> Result<QrCode, AppError> {
    let code = qrcode::QrCode::new(text.to_ascii_uppercase().as_bytes())
        .map_err(|e| AppError::internal(format!("could not draw the QR code: {e}")))?;
    let modules = code
        .to_colors()
        .iter()
        .map(|c| if *c == qrcode::Color::Dark { '1' } else { '0' })
        .collect();
    Ok(QrCode {
        size: u32::try_from(code.width()).unwrap_or(0),
        modules,
    })
}

/// A Lightning invoice to pay into the account, with its QR code.
#[derive(Clone, Debug, serde::Serialize, specta::Type)]
pub struct DepositInvoice {
    pub invoice: LnmDepositInvoice,
    pub qr: QrCode,
}

/// Creates a Lightning invoice for `amount_sats`.
#[tauri::command]
#[specta::specta]
pub async fn lnm_deposit_lightning(
    state: State<'_, AppState>,
    account: AccountId,
    amount_sats: u32,
) -> Result<DepositInvoice, AppError> {
    let invoice = lnmarkets(&state, &account)?
        .deposit_lightning(u64::from(amount_sats))
        .await?;
    tracing::info!(%account, amount_sats, deposit = %invoice.deposit_id, "LN Markets deposit invoice");
    let qr = qr(&invoice.payment_request)?;
    Ok(DepositInvoice { invoice, qr })
}

/// The on-chain deposit address (with its QR code) and the deposit and withdrawal history.
#[tauri::command]
#[specta::specta]
pub async fn lnm_wallet(
    state: State<'_, AppState>,
    account: AccountId,
) -> Result<WalletView, AppError> {
    let wallet = lnmarkets(&state, &account)?.wallet().await?;
    // A deposit may have been paid since the last look: the header's balance follows.
    state.engine.publish_balances(&account).await?;
    let address_qr = qr(&wallet.bitcoin_address)?;
    Ok(WalletView { wallet, address_qr })
}

/// The wallet and its deposit address QR code.
#[derive(Clone, Debug, serde::Serialize, specta::Type)]
pub struct WalletView {
    pub wallet: LnmWallet,
    pub address_qr: QrCode,
}

/// The whole-sat amount a Lightning invoice asks for, for the confirmation step.
#[tauri::command]
#[specta::specta]
pub fn lnm_invoice_amount(invoice: String) -> Option<u64> {
    invoice_amount_sats(&invoice)
}

/// Sends a withdrawal exactly once; returns the sats sent.
#[tauri::command]
#[specta::specta]
pub async fn lnm_withdraw(
    state: State<'_, AppState>,
    account: AccountId,
    to: LnmWithdrawTo,
) -> Result<u64, AppError> {
    let network = match &to {
        LnmWithdrawTo::Lightning { .. } => "lightning",
        LnmWithdrawTo::OnChain { .. } => "on-chain",
    };
    tracing::info!(%account, network, "LN Markets withdrawal");
    let sent = lnmarkets(&state, &account)?.withdraw(&to).await?;
    state.engine.publish_balances(&account).await?;
    Ok(sent)
}

/// The cross-margin account: wallet, position, leverage, transfers and funding fees.
#[tauri::command]
#[specta::specta]
pub async fn lnm_cross(
    state: State<'_, AppState>,
    account: AccountId,
) -> Result<LnmCross, AppError> {
    Ok(lnmarkets(&state, &account)?.cross_view().await?)
}

/// Moves sats between the account balance and the cross wallet, once; returns the new view.
#[tauri::command]
#[specta::specta]
pub async fn lnm_cross_transfer(
    state: State<'_, AppState>,
    account: AccountId,
    direction: LnmCrossDirection,
    amount_sats: u32,
) -> Result<LnmCross, AppError> {
    tracing::info!(%account, ?direction, amount_sats, "LN Markets cross transfer");
    let venue = lnmarkets(&state, &account)?;
    venue
        .cross_transfer(direction, u64::from(amount_sats))
        .await?;
    state.engine.publish_balances(&account).await?;
    state
        .engine
        .publish_positions(&account, &cross::instrument().id)
        .await?;
    Ok(venue.cross_view().await?)
}

/// Sets the cross-margin leverage (whole, 1–100); returns the new view.
#[tauri::command]
#[specta::specta]
pub async fn lnm_cross_leverage(
    state: State<'_, AppState>,
    account: AccountId,
    leverage: u32,
) -> Result<LnmCross, AppError> {
    tracing::info!(%account, leverage, "LN Markets cross leverage");
    let venue = lnmarkets(&state, &account)?;
    venue.cross_set_leverage(leverage).await?;
    state
        .engine
        .publish_positions(&account, &cross::instrument().id)
        .await?;
    Ok(venue.cross_view().await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_qr_code_is_a_square_of_modules_with_finder_patterns() {
        let code = qr("lntbs250000n1pqqqsyqcyq5rqwzqf").unwrap_or_else(|e| panic!("{e:?}"));
        let n = code.size as usize;
        assert!(n >= 21, "version 1 or larger: {n}");
        assert_eq!(code.modules.len(), n * n);
        // The top-left finder pattern: a dark 7-module top row, then dark, 5 light, dark.
        let row = |r: usize| &code.modules[r * n..r * n + 7];
        assert_eq!(row(0), "1111111");
        assert_eq!(row(1), "1000001");
    }
}

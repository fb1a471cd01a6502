//! LMEX's venue-only view, as the app's LMEX panel shows it: the contract's terms, funding
//! (the rate now, when it is paid, and its history), the account's leverage on the symbol,
//! and the dead-man switch's state.

use super::{map, Lmex};
use kestrel_core::{Decimal, Error, Result};
use serde::Serialize;

/// Funding periods read per refresh.
const FUNDING_HISTORY: u32 = 24;

/// One past funding rate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LmexFundingRow {
    /// Ms.
    pub time: i64,
    /// A fraction: 0.0001 is 0.01 %.
    pub rate: Decimal,
}

/// Where the dead-man switch stands.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LmexDeadMan {
    /// The timeout it is armed with, in seconds; `None` when the account does not use it.
    pub timeout_s: Option<u64>,
    /// When the venue last accepted a re-arm (ms).
    pub armed_at: Option<i64>,
    /// Why the last re-arm failed, if it did.
    pub last_error: Option<String>,
}

/// What the LMEX panel shows for one symbol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LmexOverview {
    pub symbol: String,
    /// Base units one contract is worth.
    pub contract_size: Decimal,
    pub base: String,
    pub settle: String,
    pub price_tick: Decimal,
    pub min_size: Decimal,
    pub max_size: Decimal,
    pub funding_rate: Option<Decimal>,
    /// Ms.
    pub next_funding_at: Option<i64>,
    pub funding_interval_minutes: Option<i64>,
    /// Newest first.
    pub funding_history: Vec<LmexFundingRow>,
    /// The account's leverage on the symbol, and its margin mode (`CROSS`, `ISOLATED`).
    pub leverage: Option<Decimal>,
    pub margin_mode: Option<String>,
    pub dead_man: LmexDeadMan,
}

impl Lmex {
    /// The contract, its funding and the account's settings on `symbol`.
    pub async fn overview(&self, symbol: &str) -> Result<LmexOverview> {
        let instrument = self.instrument(symbol).await?;
        let summary = self
            .rest
            .markets(Some(symbol))
            .await?
            .into_iter()
            .find(|m| m.symbol == symbol)
            .ok_or_else(|| Error::not_found(format!("LMEX has no {symbol}")))?;
        let history = self.rest.funding_history(symbol, FUNDING_HISTORY).await?;
        let leverage = self.rest.leverage(symbol).await?;
        let ticker = map::ticker(&summary, self.clock.now_ms());
        let mut funding_history: Vec<LmexFundingRow> = history
            .iter()
            .map(|f| LmexFundingRow {
                time: f.time.saturating_mul(1_000),
                rate: f.rate,
            })
            .collect();
        funding_history.sort_by_key(|f| std::cmp::Reverse(f.time));
        Ok(LmexOverview {
            symbol: symbol.to_owned(),
            contract_size: instrument.contract_size,
            base: instrument.base,
            settle: instrument.settle,
            price_tick: instrument.price_tick,
            min_size: instrument.min_size,
            max_size: instrument.max_size,
            funding_rate: ticker.funding_rate,
            next_funding_at: ticker.next_funding_at,
            funding_interval_minutes: summary.funding_interval_minutes,
            funding_history,
            leverage: Some(leverage.leverage),
            margin_mode: leverage.margin_mode,
            dead_man: self.dead_man_state(),
        })
    }
}

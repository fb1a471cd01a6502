//! LN Markets' venue-only features, as the app's LN Markets panel shows them: funding
//! settlements and the account's funding fees, the leaderboard, cash-in, and what the
//! venue's switched-off v2 API had that v3 does not.

use super::{map, maths, rest::CallError, LnMarkets};
use kestrel_core::{Decimal, Error, InstrumentId, PositionSide, Result};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;

/// Settlements and fees read per refresh.
const HISTORY: u32 = 24;
/// Leaderboard rows shown.
const LEADERS: usize = 10;

/// One funding settlement of the market.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmFundingSettlement {
    /// Ms.
    pub time: i64,
    /// A fraction: 0.0001 is 0.01 %.
    pub funding_rate: Decimal,
    pub fixing_price: Decimal,
}

/// Funding paid (positive) or received (negative) by one of the account's trades, in BTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmFundingFee {
    pub time: i64,
    pub trade_id: Option<String>,
    pub fee: Decimal,
}

/// One row of this week's leaderboard; P&L in BTC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmLeader {
    pub rank: u32,
    pub username: String,
    pub pl: Decimal,
}

/// What the LN Markets panel shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmOverview {
    /// Newest first.
    pub settlements: Vec<LnmFundingSettlement>,
    /// Newest first.
    pub fees: Vec<LnmFundingFee>,
    pub leaderboard: Vec<LnmLeader>,
    /// Features of the switched-off v2 API that the venue no longer offers.
    pub not_offered: Vec<String>,
}

/// What LN Markets' v2 had and v3 has not (NOTES.md §1.1).
pub fn not_offered() -> Vec<String> {
    vec![
        "Options: LN Markets' options market existed only in its v2 API, switched off on 31 March 2026; v3 has none, so Kestrel offers none.".into(),
        "Volatility index: also v2-only; there is no v3 source for it.".into(),
    ]
}

impl LnMarkets {
    /// Funding history, the account's funding fees and this week's leaderboard.
    pub async fn overview(&self) -> Result<LnmOverview> {
        let settlements = self
            .rest
            .funding_settlements(HISTORY, None)
            .await?
            .data
            .into_iter()
            .map(|s| {
                Ok(LnmFundingSettlement {
                    time: map::parse_time(&s.time)?,
                    funding_rate: s.funding_rate,
                    fixing_price: s.fixing_price,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let fees = self
            .rest
            .funding_fees(None, HISTORY, None)
            .await?
            .data
            .into_iter()
            .map(|f| {
                Ok(LnmFundingFee {
                    time: map::parse_time(&f.time)?,
                    trade_id: f.trade_id,
                    fee: map::btc(f.fee),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let leaderboard = self
            .rest
            .leaderboard()
            .await?
            .weekly
            .into_iter()
            .take(LEADERS)
            .zip(1..)
            .map(|(l, rank)| LnmLeader {
                rank,
                username: l.username,
                pl: map::btc(l.pl),
            })
            .collect();
        Ok(LnmOverview {
            settlements,
            fees,
            leaderboard,
            not_offered: not_offered(),
        })
    }

    /// Takes `amount` BTC (whole sats) out of the `side` position: profit first, then
    /// margin. Sent once.
    pub async fn cash_in(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        amount: Decimal,
    ) -> Result<()> {
        self.move_sats(instrument, side, amount, SatsMove::CashIn)
            .await
    }

    /// Moves `amount` BTC (whole sats) into or out of the `side` position. Several trades
    /// share it in proportion to their margin. Each call is sent once: an unconfirmed one
    /// is reported, never retried, since repeating it would move the money twice.
    pub(super) async fn move_sats(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        amount: Decimal,
        kind: SatsMove,
    ) -> Result<()> {
        let sats = whole_sats(amount)?;
        let trades = self.running_on(instrument, side).await?;
        let margins: Vec<u64> = trades
            .iter()
            .map(|t| u64::try_from(t.margin).unwrap_or(0))
            .collect();
        for (t, share) in trades.iter().zip(maths::split_pro_rata(sats, &margins)) {
            if share == 0 {
                continue;
            }
            let sent = match kind {
                SatsMove::AddMargin => self.rest.add_margin(&t.id, share).await,
                SatsMove::CashIn => self.rest.cash_in(&t.id, share).await,
            };
            match sent {
                Ok(_) => {}
                Err(CallError::Failed(e)) => return Err(e),
                Err(CallError::Unknown(reason)) => {
                    return Err(Error::network(format!(
                        "LN Markets did not confirm {} {share} sats ({reason}); it may have happened — check the position and balance before trying again",
                        kind.doing()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Which way sats move between the balance and a position.
#[derive(Clone, Copy, Debug)]
pub(super) enum SatsMove {
    AddMargin,
    CashIn,
}

impl SatsMove {
    fn doing(self) -> &'static str {
        match self {
            SatsMove::AddMargin => "adding margin of",
            SatsMove::CashIn => "cashing in",
        }
    }
}

/// `amount` BTC as a positive whole number of sats, or an error naming the field.
pub(super) fn whole_sats(amount: Decimal) -> Result<u64> {
    let sats = amount * Decimal::from(maths::SATS_PER_BTC);
    sats.is_integer()
        .then(|| sats.to_u64())
        .flatten()
        .filter(|s| *s > 0)
        .ok_or_else(|| Error::invalid_order("amount", "LN Markets moves whole sats (at least 1)"))
}

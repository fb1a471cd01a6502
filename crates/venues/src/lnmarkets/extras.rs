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

/// A Lightning invoice to pay into the account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmDepositInvoice {
    pub deposit_id: String,
    pub payment_request: String,
    pub amount_sats: u64,
}

/// A deposit or withdrawal, as the history lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmTransferRow {
    pub id: String,
    /// `deposit` or `withdrawal`.
    pub direction: String,
    /// `lightning` or `on-chain`.
    pub network: String,
    pub amount_sats: i64,
    pub fee_sats: Option<i64>,
    /// Invoice, address or (on-chain deposits) transaction id, when known.
    pub destination: Option<String>,
    /// `pending`, `paid` (Lightning deposits), `mempool`/`confirmed`/`irreversible` (on-chain
    /// deposits), or the venue's withdrawal status.
    pub status: String,
    pub time: i64,
}

/// Deposit and withdrawal history, newest first, with the on-chain deposit address.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmWallet {
    pub bitcoin_address: String,
    pub history: Vec<LnmTransferRow>,
}

/// Where a withdrawal goes.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LnmWithdrawTo {
    /// Pays a BOLT11 invoice; the amount is the invoice's.
    Lightning {
        invoice: String,
    },
    OnChain {
        address: String,
        amount_sats: u64,
    },
}

/// The whole-sat amount a BOLT11 invoice asks for (from its human-readable part), if any.
pub fn invoice_amount_sats(invoice: &str) -> Option<u64> {
    let lower = invoice.trim().to_ascii_lowercase();
    let rest = lower.strip_prefix("ln")?;
    let hrp = &rest[..rest.rfind('1')?];
    let digits_at = hrp.find(|c: char| c.is_ascii_digit())?;
    let amount = &hrp[digits_at..];
    let (number, unit) = match amount.chars().last()? {
        c @ ('m' | 'u' | 'n' | 'p') => (&amount[..amount.len() - 1], Some(c)),
        _ => (amount, None),
    };
    let n: u64 = number.parse().ok()?;
    // Picobitcoin per unit; one sat is 10 000 pBTC.
    let pbtc_per_unit: u64 = match unit {
        Some('m') => 1_000_000_000,
        Some('u') => 1_000_000,
        Some('n') => 1_000,
        Some('p') => 1,
        _ => 1_000_000_000_000,
    };
    let pbtc = n.checked_mul(pbtc_per_unit)?;
    (pbtc % 10_000 == 0).then_some(pbtc / 10_000)
}

impl LnMarkets {
    /// Creates an invoice for `amount_sats`. Not retried: a second call makes a second
    /// invoice, which is harmless but confusing.
    pub async fn deposit_lightning(&self, amount_sats: u64) -> Result<LnmDepositInvoice> {
        if amount_sats == 0 {
            return Err(Error::invalid_order("amount", "deposit at least 1 sat"));
        }
        let invoice = self.rest.deposit_lightning(amount_sats).await?;
        Ok(LnmDepositInvoice {
            deposit_id: invoice.deposit_id,
            payment_request: invoice.payment_request,
            amount_sats,
        })
    }

    /// The on-chain deposit address and every deposit and withdrawal, newest first.
    pub async fn wallet(&self) -> Result<LnmWallet> {
        let bitcoin_address = self.rest.bitcoin_address().await?.address;
        let mut history = Vec::new();
        for d in self.rest.lightning_deposits().await?.data {
            history.push(LnmTransferRow {
                id: d.id,
                direction: "deposit".into(),
                network: "lightning".into(),
                amount_sats: d.amount,
                fee_sats: None,
                destination: None,
                status: if d.settled_at.is_some() {
                    "paid"
                } else {
                    "pending"
                }
                .into(),
                time: map::parse_time(&d.created_at)?,
            });
        }
        for d in self.rest.on_chain_deposits().await?.data {
            history.push(LnmTransferRow {
                id: d.id,
                direction: "deposit".into(),
                network: "on-chain".into(),
                amount_sats: d.amount,
                fee_sats: None,
                destination: Some(d.tx_id),
                // `mempool`, `confirmed` or `irreversible`, with its confirmations once mined.
                status: match d.confirmations {
                    0 => d.status.to_lowercase(),
                    n => format!("{} ({n} conf.)", d.status.to_lowercase()),
                },
                time: map::parse_time(&d.created_at)?,
            });
        }
        for network in ["lightning", "on-chain"] {
            for w in self.rest.withdrawals(network).await?.data {
                history.push(LnmTransferRow {
                    id: w.id,
                    direction: "withdrawal".into(),
                    network: network.into(),
                    amount_sats: w.amount,
                    fee_sats: w.fee,
                    destination: w.destination.or(w.address),
                    status: w.status,
                    time: map::parse_time(&w.created_at)?,
                });
            }
        }
        history.sort_by_key(|row| std::cmp::Reverse(row.time));
        Ok(LnmWallet {
            bitcoin_address,
            history,
        })
    }

    /// Sends a withdrawal once. An unconfirmed one is reported as such, never retried:
    /// the money may already be on its way.
    pub async fn withdraw(&self, to: &LnmWithdrawTo) -> Result<u64> {
        let sent = match to {
            LnmWithdrawTo::Lightning { invoice } => {
                if invoice_amount_sats(invoice).is_none_or(|a| a == 0) {
                    return Err(Error::invalid_order(
                        "invoice",
                        "this is not a Lightning invoice with an amount",
                    ));
                }
                self.rest.withdraw_lightning(invoice.trim()).await
            }
            LnmWithdrawTo::OnChain {
                address,
                amount_sats,
            } => {
                if *amount_sats == 0 || address.trim().is_empty() {
                    return Err(Error::invalid_order(
                        "amount",
                        "enter an address and a positive amount",
                    ));
                }
                self.rest
                    .withdraw_on_chain(address.trim(), *amount_sats)
                    .await
            }
        };
        match sent {
            Ok(ack) => Ok(u64::try_from(ack.amount).unwrap_or(0)),
            Err(CallError::Failed(e)) => Err(e),
            Err(CallError::Unknown(reason)) => Err(Error::network(format!(
                "LN Markets did not confirm the withdrawal ({reason}); it may have been sent — check the history before trying again"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_amounts_follow_bolt11_multipliers() {
        // BOLT 11's own examples.
        assert_eq!(
            invoice_amount_sats("lnbc2500u1pvjluezpp5qqqsyqcyq5rqwzqf"),
            Some(250_000)
        );
        assert_eq!(
            invoice_amount_sats("lnbc20m1pvjluezpp5qqqsyqcyq5rqwzqf"),
            Some(2_000_000)
        );
        assert_eq!(invoice_amount_sats("LNBC2500U1PVJLUEZ"), Some(250_000));
        // Signet prefix, nano-bitcoin: 10 n = 1 sat.
        assert_eq!(invoice_amount_sats("lntbs10000n1pkestrel"), Some(1_000));
        // No amount, a fraction of a sat, or not an invoice.
        assert_eq!(invoice_amount_sats("lnbc1pvjluezpp5qqqsyqcyq5rqwzqf"), None);
        assert_eq!(invoice_amount_sats("lnbc1n1pvjluez"), None);
        assert_eq!(invoice_amount_sats("bc1qxyz"), None);
    }
}

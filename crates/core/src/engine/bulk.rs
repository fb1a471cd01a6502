//! Actions on everything at once — the terminal's "nuke" buttons: cancel every working
//! order, close every position. Each order and position gets its own single request, as a
//! user clicking through them would send; nothing is retried.

use super::Engine;
use crate::error::Result;
use crate::ids::{AccountId, InstrumentId};
use crate::order::{OrderOutcome, OrderStatus};
use serde::Serialize;

/// What a bulk action did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BulkOutcome {
    /// Orders cancelled or positions closed.
    pub done: u32,
    /// Requests whose outcome is unknown (being reconciled).
    pub unknown: u32,
    /// Why the others failed, one line each.
    pub failed: Vec<String>,
}

impl BulkOutcome {
    fn count(&mut self, what: &str, outcome: Result<OrderOutcome>) {
        match outcome {
            Ok(OrderOutcome::Accepted { .. }) => self.done += 1,
            Ok(OrderOutcome::Unknown { .. }) => self.unknown += 1,
            Ok(OrderOutcome::Rejected { error }) | Err(error) => {
                self.failed.push(format!("{what}: {}", error.message));
            }
        }
    }
}

impl Engine {
    /// Cancels every order the venue lists as working for the account (only in
    /// `instrument`, when given).
    pub async fn cancel_all(
        &self,
        account_id: &AccountId,
        instrument: Option<&InstrumentId>,
    ) -> Result<BulkOutcome> {
        let account = self.account(account_id)?;
        let working: Vec<_> = account
            .trading
            .open_orders()
            .await?
            .into_iter()
            .filter(|o| matches!(o.status, OrderStatus::Open | OrderStatus::PartiallyFilled))
            .filter(|o| instrument.is_none_or(|i| &o.instrument == i))
            .collect();
        tracing::info!(account = %account_id, orders = working.len(), "cancelling every working order");
        let mut out = BulkOutcome::default();
        for order in working {
            let outcome = self
                .cancel_order(account_id, &order.instrument, &order.client_order_id)
                .await;
            out.count(order.client_order_id.as_str(), outcome);
        }
        Ok(out)
    }

    /// Closes every open position of the account at market.
    pub async fn close_all(&self, account_id: &AccountId) -> Result<BulkOutcome> {
        let account = self.account(account_id)?;
        let mut instruments: Vec<InstrumentId> = account
            .trading
            .positions()
            .await?
            .into_iter()
            .map(|p| p.instrument)
            .collect();
        instruments.sort_by(|a, b| a.symbol.as_str().cmp(b.symbol.as_str()));
        instruments.dedup();
        tracing::info!(account = %account_id, positions = instruments.len(), "closing every position");
        let mut out = BulkOutcome::default();
        for instrument in instruments {
            let outcome = self.close_position(account_id, &instrument).await;
            out.count(instrument.symbol.as_str(), outcome);
        }
        Ok(out)
    }
}

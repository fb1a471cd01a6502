//! The two traits every venue connector implements. Object-safe, so the engine holds
//! `Arc<dyn MarketData>` and `Arc<dyn Trading>`.

use crate::account::{AccountEvent, Balance, Position};
use crate::capabilities::Capabilities;
use crate::clock::TimestampMs;
use crate::error::Result;
use crate::ids::{ClientOrderId, InstrumentId, VenueId};
use crate::instrument::Instrument;
use crate::market::{Candle, MarketEvent, Timeframe};
use crate::order::{AmendRequest, Fill, Order, OrderOutcome, OrderRequest};
use async_trait::async_trait;
use futures::stream::BoxStream;

/// A stream of market events for one instrument.
pub type MarketStream = BoxStream<'static, MarketEvent>;
/// A stream of one account's events.
pub type AccountStream = BoxStream<'static, AccountEvent>;

/// Public market data from a venue.
#[async_trait]
pub trait MarketData: Send + Sync {
    /// Which venue this is.
    fn venue(&self) -> VenueId;

    /// What the venue can do.
    fn capabilities(&self) -> Capabilities;

    /// The instruments the venue lists.
    async fn instruments(&self) -> Result<Vec<Instrument>>;

    /// Up to `limit` candles ending before `before` (exclusive; `None` means now),
    /// oldest first.
    async fn candles(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        before: Option<TimestampMs>,
        limit: u32,
    ) -> Result<Vec<Candle>>;

    /// Live ticker, trades and book for one instrument. The stream begins with a book
    /// snapshot where the venue has a book. Dropping it unsubscribes.
    async fn subscribe(&self, instrument: &InstrumentId) -> Result<MarketStream>;
}

/// One account's trading on a venue.
#[async_trait]
pub trait Trading: Send + Sync {
    /// Balances per currency.
    async fn balances(&self) -> Result<Vec<Balance>>;

    /// Open positions.
    async fn positions(&self) -> Result<Vec<Position>>;

    /// Working orders.
    async fn open_orders(&self) -> Result<Vec<Order>>;

    /// The order with our client id, if the venue knows it; used to reconcile unknowns.
    async fn order_by_client_id(&self, id: &ClientOrderId) -> Result<Option<Order>>;

    /// Fills at or after `since`, oldest first.
    async fn fills(&self, since: Option<TimestampMs>) -> Result<Vec<Fill>>;

    /// Sends the order exactly once. Never retried inside.
    async fn place_order(&self, request: &OrderRequest) -> OrderOutcome;

    /// Changes a working order's price or size.
    async fn amend_order(&self, request: &AmendRequest) -> OrderOutcome;

    /// Cancels a working order. "Not found" is ambiguous (it may have filled): the caller
    /// reconciles rather than reporting failure.
    async fn cancel_order(&self, instrument: &InstrumentId, id: &ClientOrderId) -> OrderOutcome;

    /// Closes the whole position in `instrument` at market.
    async fn close_position(&self, instrument: &InstrumentId) -> OrderOutcome;

    /// Orders, fills, positions and balances as they change.
    async fn account_stream(&self) -> Result<AccountStream>;
}

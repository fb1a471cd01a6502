//! The two traits every venue connector implements. Object-safe, so the engine holds
//! `Arc<dyn MarketData>` and `Arc<dyn Trading>`.

use crate::account::{AccountEvent, Balance, Position, PositionSide, StopLoss};
use crate::capabilities::Capabilities;
use crate::clock::TimestampMs;
use crate::error::{Error, Result};
use crate::ids::{ClientOrderId, InstrumentId, VenueId};
use crate::instrument::Instrument;
use crate::market::{Candle, MarketEvent, Timeframe};
use crate::order::{AmendRequest, Fill, Order, OrderOutcome, OrderRequest};
use async_trait::async_trait;
use futures::stream::BoxStream;
use rust_decimal::Decimal;

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

    /// The venue's clock minus ours in ms, when the connector measures it.
    fn clock_offset_ms(&self) -> Option<i64> {
        None
    }

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

    /// Sets (`Some`) or removes (`None`) the take-profit and stop-loss of the `side`
    /// position in `instrument`. Venues without `Capabilities::position_tp_sl` refuse, and
    /// a trailing stop-loss needs `Capabilities::trailing_stop`.
    async fn set_tp_sl(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        take_profit: Option<Decimal>,
        stop_loss: Option<StopLoss>,
    ) -> Result<()> {
        let _ = (instrument, side, take_profit, stop_loss);
        Err(Error::unsupported(
            "this venue has no take-profit or stop-loss on positions",
        ))
    }

    /// Adds `amount` (settle currency) of isolated margin to the `side` position in
    /// `instrument`. Venues without `Capabilities::adjust_margin` refuse.
    async fn add_margin(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        amount: Decimal,
    ) -> Result<()> {
        let _ = (instrument, side, amount);
        Err(Error::unsupported(
            "this venue cannot add margin to a position",
        ))
    }
}

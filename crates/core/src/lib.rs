//! Kestrel's domain model: instruments, orders, positions, market data, the two venue
//! traits every connector implements, and the engine that turns venue streams into
//! UI-ready frames. No network, no GUI: it compiles and tests in seconds.

pub mod account;
pub mod capabilities;
pub mod clock;
pub mod engine;
pub mod error;
pub mod forms;
pub mod ids;
pub mod instrument;
pub mod market;
pub mod order;
pub mod risk;
pub mod venue;

pub use account::{
    AccountEvent, AccountInfo, AccountSnapshot, Balance, MarginMode, Network, Position,
    PositionSide, StopLoss,
};
pub use capabilities::Capabilities;
pub use clock::{Clock, ManualClock, SystemClock, TimestampMs};
pub use error::{Error, ErrorKind, Result};
pub use forms::{FieldKind, FieldValue, FormField, VenueForm};
pub use ids::{AccountId, ClientOrderId, InstrumentId, OrderId, Symbol, TradeId, VenueId};
pub use instrument::{ContractKind, Instrument, InstrumentKind, SizeUnit};
pub use market::{
    BookDelta, BookLevel, BookSnapshot, Candle, LevelChange, MarketEvent, StreamStatus, Ticker,
    Timeframe, Trade,
};
pub use order::{
    AmendRequest, Fill, Liquidity, Order, OrderOutcome, OrderRequest, OrderStatus, OrderTicket,
    OrderType, Side, TimeInForce,
};
pub use rust_decimal::Decimal;
pub use venue::{AccountStream, MarketData, MarketStream, Trading};

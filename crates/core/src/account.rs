//! Account state: positions, balances, and the events that change them.

use crate::clock::TimestampMs;
use crate::ids::InstrumentId;
use crate::market::StreamStatus;
use crate::order::{Fill, Order};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Long or short.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum PositionSide {
    Long,
    Short,
}

/// How margin is shared between positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum MarginMode {
    Isolated,
    Cross,
}

/// An open position.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Position {
    pub instrument: InstrumentId,
    pub side: PositionSide,
    /// Absolute size, in the instrument's size unit.
    pub size: Decimal,
    pub entry_price: Decimal,
    pub mark_price: Option<Decimal>,
    /// Margin held for the position, in the settle currency.
    pub margin: Decimal,
    pub leverage: Decimal,
    pub margin_mode: MarginMode,
    pub liquidation_price: Option<Decimal>,
    pub unrealized_pnl: Decimal,
    pub realized_pnl: Decimal,
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
    /// The distance a trailing stop-loss keeps from the market; `None` when it is fixed.
    pub stop_loss_trail: Option<Decimal>,
    pub updated_at: TimestampMs,
}

/// A position's stop-loss: a price, fixed or trailing. A trailing one keeps the distance
/// between the market and `price` as the market moves the position's way, and never moves back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StopLoss {
    pub price: Decimal,
    pub trailing: bool,
}

impl StopLoss {
    /// A stop-loss that stays at `price`.
    pub fn fixed(price: Decimal) -> Self {
        Self {
            price,
            trailing: false,
        }
    }
}

impl Position {
    /// Signed size: positive long, negative short.
    pub fn signed_size(&self) -> Decimal {
        match self.side {
            PositionSide::Long => self.size,
            PositionSide::Short => -self.size,
        }
    }
}

/// Funds in one currency.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Balance {
    pub currency: String,
    /// Cash: deposits plus realized PnL minus fees.
    pub wallet: Decimal,
    /// What new orders may use.
    pub available: Decimal,
    /// Held as position and order margin.
    pub margin_used: Decimal,
    pub unrealized_pnl: Decimal,
    /// Wallet plus unrealized PnL.
    pub equity: Decimal,
}

/// A change to an account, from the venue's private stream or from polling.
/// Never coalesced: every event reaches the UI and the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccountEvent {
    Order { order: Order },
    Fill { fill: Fill },
    Position { position: Position },
    PositionClosed { instrument: InstrumentId },
    Balance { balance: Balance },
    Status { status: StreamStatus },
}

/// Which of a venue's environments an account lives on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Network {
    Mainnet,
    Testnet,
}

/// A configured account as the UI lists it. Holds no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountInfo {
    pub id: crate::ids::AccountId,
    pub venue: crate::ids::VenueId,
    pub label: String,
    pub network: Network,
    pub capabilities: crate::capabilities::Capabilities,
}

/// Everything the account panels show, fetched in one go.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AccountSnapshot {
    pub balances: Vec<Balance>,
    pub positions: Vec<Position>,
    /// Working orders, plus our own pending and unknown ones.
    pub open_orders: Vec<Order>,
    /// Oldest first.
    pub fills: Vec<Fill>,
}

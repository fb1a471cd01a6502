//! Orders: what the user asks for, what the venue holds, and what came of a request.

use crate::clock::TimestampMs;
use crate::error::{Error, Result};
use crate::ids::{ClientOrderId, InstrumentId, OrderId, TradeId};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Buy or sell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for buy, −1 for sell.
    pub fn sign(self) -> Decimal {
        match self {
            Side::Buy => Decimal::ONE,
            Side::Sell => Decimal::NEGATIVE_ONE,
        }
    }

    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// How an order executes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderType {
    Market,
    Limit,
    /// A market order that arms when the trigger price trades.
    Stop,
}

/// How long an order stays working.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    #[default]
    Gtc,
    Ioc,
    Fok,
}

/// A validated request to place an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderRequest {
    pub instrument: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub side: Side,
    pub order_type: OrderType,
    pub size: Decimal,
    /// Limit price; required for limit orders.
    pub price: Option<Decimal>,
    /// Trigger price; required for stop orders.
    pub trigger_price: Option<Decimal>,
    pub time_in_force: TimeInForce,
    pub reduce_only: bool,
    pub post_only: bool,
    pub leverage: Option<Decimal>,
    /// Take-profit and stop-loss attached to the order, set on the position it opens
    /// (venues with `Capabilities::attached_tp_sl`).
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
}

/// An order as typed into a ticket: numbers still as text, not yet trusted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OrderTicket {
    pub instrument: InstrumentId,
    pub side: Side,
    pub order_type: OrderType,
    pub size: String,
    pub price: Option<String>,
    pub trigger_price: Option<String>,
    pub time_in_force: TimeInForce,
    pub reduce_only: bool,
    pub post_only: bool,
    pub leverage: Option<String>,
    pub take_profit: Option<String>,
    pub stop_loss: Option<String>,
}

impl OrderTicket {
    /// Parses the ticket's numbers and checks its shape (not the instrument's limits: that
    /// is the risk check's job). The client order id is assigned here.
    pub fn parse(&self, client_order_id: ClientOrderId) -> Result<OrderRequest> {
        let size = parse_positive("size", &self.size)?;
        let price = self
            .price
            .as_deref()
            .map(|p| parse_positive("price", p))
            .transpose()?;
        let trigger_price = self
            .trigger_price
            .as_deref()
            .map(|p| parse_positive("trigger_price", p))
            .transpose()?;
        let leverage = self
            .leverage
            .as_deref()
            .map(|l| parse_positive("leverage", l))
            .transpose()?;
        let attached = |field: &str, text: &Option<String>| {
            text.as_deref()
                .filter(|t| !t.trim().is_empty())
                .map(|t| parse_positive(field, t))
                .transpose()
        };
        let take_profit = attached("take_profit", &self.take_profit)?;
        let stop_loss = attached("stop_loss", &self.stop_loss)?;
        let (price, trigger_price) = match self.order_type {
            OrderType::Market => (None, None),
            OrderType::Limit => (
                Some(price.ok_or_else(|| Error::invalid_order("price", "enter a limit price"))?),
                None,
            ),
            OrderType::Stop => (
                None,
                Some(trigger_price.ok_or_else(|| {
                    Error::invalid_order("trigger_price", "enter a trigger price")
                })?),
            ),
        };
        if self.post_only && self.order_type != OrderType::Limit {
            return Err(Error::invalid_order(
                "post_only",
                "post-only applies to limit orders",
            ));
        }
        Ok(OrderRequest {
            instrument: self.instrument.clone(),
            client_order_id,
            side: self.side,
            order_type: self.order_type,
            size,
            price,
            trigger_price,
            time_in_force: self.time_in_force,
            reduce_only: self.reduce_only,
            post_only: self.post_only,
            leverage,
            take_profit,
            stop_loss,
        })
    }
}

/// Parses a user-entered decimal that must be finite and above zero.
pub fn parse_positive(field: &str, text: &str) -> Result<Decimal> {
    let text = text.trim();
    if text.is_empty() {
        return Err(Error::invalid_order(field, format!("{field} is empty")));
    }
    let value = Decimal::from_str(text)
        .map_err(|_| Error::invalid_order(field, format!("{field} '{text}' is not a number")))?;
    if value <= Decimal::ZERO {
        return Err(Error::invalid_order(
            field,
            format!("{field} must be above zero"),
        ));
    }
    Ok(value)
}

/// A request to change a working order's price or size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct AmendRequest {
    pub instrument: InstrumentId,
    pub client_order_id: ClientOrderId,
    pub order_id: Option<OrderId>,
    pub price: Option<Decimal>,
    pub trigger_price: Option<Decimal>,
    pub size: Option<Decimal>,
}

/// Where an order is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Recorded locally, not yet answered by the venue.
    Pending,
    Open,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    /// The request was sent but its outcome is not known; it is being reconciled.
    Unknown,
}

impl OrderStatus {
    /// Whether the order can change no more.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected
        )
    }

    /// Whether the order can still trade.
    pub fn is_working(self) -> bool {
        matches!(self, OrderStatus::Open | OrderStatus::PartiallyFilled)
    }
}

/// An order as the venue (or our record of it) holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Order {
    pub id: Option<OrderId>,
    pub client_order_id: ClientOrderId,
    pub instrument: InstrumentId,
    pub side: Side,
    pub order_type: OrderType,
    pub status: OrderStatus,
    pub size: Decimal,
    pub filled_size: Decimal,
    pub price: Option<Decimal>,
    pub trigger_price: Option<Decimal>,
    pub avg_fill_price: Option<Decimal>,
    pub reduce_only: bool,
    pub post_only: bool,
    pub leverage: Option<Decimal>,
    pub created_at: TimestampMs,
    pub updated_at: TimestampMs,
    /// Why the venue rejected or cancelled it, when it said.
    pub reason: Option<String>,
}

impl Order {
    /// The local record of a request not yet sent.
    pub fn pending(req: &OrderRequest, now: TimestampMs) -> Self {
        Self {
            id: None,
            client_order_id: req.client_order_id.clone(),
            instrument: req.instrument.clone(),
            side: req.side,
            order_type: req.order_type,
            status: OrderStatus::Pending,
            size: req.size,
            filled_size: Decimal::ZERO,
            price: req.price,
            trigger_price: req.trigger_price,
            avg_fill_price: None,
            reduce_only: req.reduce_only,
            post_only: req.post_only,
            leverage: req.leverage,
            created_at: now,
            updated_at: now,
            reason: None,
        }
    }

    /// Size still to fill.
    pub fn remaining(&self) -> Decimal {
        (self.size - self.filled_size).max(Decimal::ZERO)
    }
}

/// What came of a request to place, amend or cancel an order. Deliberately not a
/// `Result`: an unknown outcome is neither success nor failure and must be reconciled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OrderOutcome {
    /// The venue accepted; the order as it now stands.
    Accepted { order: Order },
    /// The venue (or our risk check) refused; nothing happened.
    Rejected { error: Error },
    /// We cannot tell whether the venue acted (timeout, 5xx, dropped connection).
    Unknown {
        client_order_id: ClientOrderId,
        reason: String,
    },
}

/// Whether we added or took liquidity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Liquidity {
    Maker,
    Taker,
}

/// One execution of one of our orders.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Fill {
    pub trade_id: TradeId,
    pub order_id: Option<OrderId>,
    pub client_order_id: Option<ClientOrderId>,
    pub instrument: InstrumentId,
    pub side: Side,
    pub price: Decimal,
    pub size: Decimal,
    /// Fee paid, in the settle currency (negative is a rebate).
    pub fee: Decimal,
    pub liquidity: Liquidity,
    /// PnL realized by this fill, where it reduced a position.
    pub realized_pnl: Decimal,
    pub ts: TimestampMs,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::ids::VenueId;
    use rust_decimal_macros::dec;

    fn ticket(order_type: OrderType, size: &str, price: Option<&str>) -> OrderTicket {
        OrderTicket {
            instrument: InstrumentId::new(VenueId::Demo, "BTC-PERP"),
            side: Side::Buy,
            order_type,
            size: size.into(),
            price: price.map(Into::into),
            trigger_price: None,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
            post_only: false,
            leverage: None,
            take_profit: None,
            stop_loss: None,
        }
    }

    #[test]
    fn ticket_parsing_rejects_bad_numbers_with_the_field_named() {
        struct Case {
            ticket: OrderTicket,
            field: &'static str,
        }
        let cases = [
            Case {
                ticket: ticket(OrderType::Market, "NaN", None),
                field: "size",
            },
            Case {
                ticket: ticket(OrderType::Market, "-1", None),
                field: "size",
            },
            Case {
                ticket: ticket(OrderType::Market, "0", None),
                field: "size",
            },
            Case {
                ticket: ticket(OrderType::Market, "", None),
                field: "size",
            },
            Case {
                ticket: ticket(OrderType::Market, "inf", None),
                field: "size",
            },
            Case {
                ticket: ticket(OrderType::Limit, "1", None),
                field: "price",
            },
            Case {
                ticket: ticket(OrderType::Limit, "1", Some("abc")),
                field: "price",
            },
            Case {
                ticket: ticket(OrderType::Limit, "1", Some("-5")),
                field: "price",
            },
            Case {
                ticket: ticket(OrderType::Stop, "1", None),
                field: "trigger_price",
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            let err = c.ticket.parse(ClientOrderId::from("c1")).unwrap_err();
            assert_eq!(
                err.kind,
                ErrorKind::InvalidOrder {
                    field: c.field.into()
                },
                "case {i}"
            );
        }
    }

    #[test]
    fn market_ticket_drops_a_stray_price() {
        let req = ticket(OrderType::Market, " 0.5 ", Some("100"))
            .parse("c1".into())
            .unwrap();
        assert_eq!(req.size, dec!(0.5));
        assert_eq!(req.price, None);
    }
}

//! The order state machine: every order we know of, keyed by our client order id, moved
//! only along legal transitions, with fills deduplicated by trade id.

use crate::clock::TimestampMs;
use crate::ids::{ClientOrderId, TradeId};
use crate::order::{Fill, Order, OrderOutcome, OrderRequest, OrderStatus};
use std::collections::{HashMap, HashSet, VecDeque};

/// What applying an update did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The order changed.
    Changed,
    /// The update was older than what we hold, or illegal; ignored.
    Stale,
}

/// Whether an order may move from `from` to `to`.
pub fn can_transition(from: OrderStatus, to: OrderStatus) -> bool {
    use OrderStatus::*;
    match (from, to) {
        // Nothing leaves a final state.
        (Filled | Cancelled | Rejected, _) => false,
        // Our own record and an unresolved request may become anything the venue says.
        (Pending | Unknown, _) => true,
        (Open, Open | PartiallyFilled | Filled | Cancelled | Unknown) => true,
        (Open, Pending | Rejected) => false,
        (PartiallyFilled, PartiallyFilled | Filled | Cancelled | Unknown) => true,
        (PartiallyFilled, Pending | Open | Rejected) => false,
    }
}

/// Every order of one account, and the fills seen.
#[derive(Debug)]
pub struct OrderTracker {
    orders: HashMap<ClientOrderId, Order>,
    seen_fills: HashSet<TradeId>,
    fills: VecDeque<Fill>,
    max_fills: usize,
}

impl Default for OrderTracker {
    fn default() -> Self {
        Self::new(10_000)
    }
}

impl OrderTracker {
    /// A tracker keeping the newest `max_fills` fills.
    pub fn new(max_fills: usize) -> Self {
        Self {
            orders: HashMap::new(),
            seen_fills: HashSet::new(),
            fills: VecDeque::new(),
            max_fills,
        }
    }

    /// Records an order about to be sent, before it is sent.
    pub fn record_intent(&mut self, request: &OrderRequest, now: TimestampMs) -> Order {
        let order = Order::pending(request, now);
        self.orders
            .insert(order.client_order_id.clone(), order.clone());
        order
    }

    /// Applies the venue's answer to a place / amend / cancel request.
    pub fn apply_outcome(
        &mut self,
        outcome: &OrderOutcome,
        now: TimestampMs,
    ) -> Option<(Order, Applied)> {
        match outcome {
            OrderOutcome::Accepted { order } => {
                Some((order.clone(), self.apply_order(order.clone())))
            }
            OrderOutcome::Rejected { .. } => None,
            OrderOutcome::Unknown {
                client_order_id,
                reason,
            } => {
                let order = self.orders.get_mut(client_order_id)?;
                if order.status == OrderStatus::Pending {
                    order.status = OrderStatus::Unknown;
                    order.reason = Some(reason.clone());
                    order.updated_at = now;
                    return Some((order.clone(), Applied::Changed));
                }
                None
            }
        }
    }

    /// Marks a working order unknown: a request about it (an amend) got no answer.
    pub fn mark_unknown(
        &mut self,
        id: &ClientOrderId,
        reason: &str,
        now: TimestampMs,
    ) -> Option<Order> {
        let order = self.orders.get_mut(id)?;
        if !can_transition(order.status, OrderStatus::Unknown) {
            return None;
        }
        order.status = OrderStatus::Unknown;
        order.reason = Some(reason.to_owned());
        order.updated_at = now;
        Some(order.clone())
    }

    /// Marks a pending order rejected (the venue or a check refused it).
    pub fn reject(&mut self, id: &ClientOrderId, reason: &str, now: TimestampMs) -> Option<Order> {
        let order = self.orders.get_mut(id)?;
        if !can_transition(order.status, OrderStatus::Rejected) {
            return None;
        }
        order.status = OrderStatus::Rejected;
        order.reason = Some(reason.to_owned());
        order.updated_at = now;
        Some(order.clone())
    }

    /// Applies an order update from the venue, ignoring stale or illegal ones.
    pub fn apply_order(&mut self, update: Order) -> Applied {
        match self.orders.get_mut(&update.client_order_id) {
            None => {
                self.orders.insert(update.client_order_id.clone(), update);
                Applied::Changed
            }
            Some(current) => {
                let legal = can_transition(current.status, update.status);
                let older_fill = update.filled_size < current.filled_size;
                if !legal || older_fill {
                    return Applied::Stale;
                }
                *current = update;
                Applied::Changed
            }
        }
    }

    /// Records a fill; returns false if this trade id was already seen.
    pub fn apply_fill(&mut self, fill: Fill) -> bool {
        if !self.seen_fills.insert(fill.trade_id.clone()) {
            return false;
        }
        self.fills.push_back(fill);
        while self.fills.len() > self.max_fills {
            if let Some(old) = self.fills.pop_front() {
                self.seen_fills.remove(&old.trade_id);
            }
        }
        true
    }

    /// The order with this client id.
    pub fn get(&self, id: &ClientOrderId) -> Option<&Order> {
        self.orders.get(id)
    }

    /// Orders whose outcome we do not know yet.
    pub fn unresolved(&self) -> impl Iterator<Item = &Order> {
        self.orders
            .values()
            .filter(|o| matches!(o.status, OrderStatus::Pending | OrderStatus::Unknown))
    }

    /// Orders that are working or unresolved: what the open-orders panel shows.
    pub fn live(&self) -> Vec<Order> {
        let mut out: Vec<Order> = self
            .orders
            .values()
            .filter(|o| !o.status.is_terminal())
            .cloned()
            .collect();
        out.sort_by_key(|o| o.created_at);
        out
    }

    /// Fills seen, oldest first.
    pub fn fills(&self) -> impl Iterator<Item = &Fill> {
        self.fills.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{InstrumentId, VenueId};
    use crate::order::{Liquidity, OrderType, Side, TimeInForce};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;
    use OrderStatus::*;

    #[test]
    fn transition_table() {
        struct Case {
            from: OrderStatus,
            to: OrderStatus,
            legal: bool,
        }
        let cases = [
            Case {
                from: Pending,
                to: Open,
                legal: true,
            },
            Case {
                from: Pending,
                to: Rejected,
                legal: true,
            },
            Case {
                from: Pending,
                to: Unknown,
                legal: true,
            },
            Case {
                from: Unknown,
                to: Filled,
                legal: true,
            },
            Case {
                from: Unknown,
                to: Rejected,
                legal: true,
            },
            Case {
                from: Open,
                to: PartiallyFilled,
                legal: true,
            },
            Case {
                from: Open,
                to: Cancelled,
                legal: true,
            },
            Case {
                from: Open,
                to: Rejected,
                legal: false,
            },
            Case {
                from: PartiallyFilled,
                to: Open,
                legal: false,
            },
            Case {
                from: PartiallyFilled,
                to: Filled,
                legal: true,
            },
            Case {
                from: Filled,
                to: Open,
                legal: false,
            },
            Case {
                from: Cancelled,
                to: Open,
                legal: false,
            },
            Case {
                from: Rejected,
                to: Open,
                legal: false,
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            assert_eq!(can_transition(c.from, c.to), c.legal, "case {i}");
        }
    }

    fn request() -> OrderRequest {
        OrderRequest {
            instrument: InstrumentId::new(VenueId::Demo, "X"),
            client_order_id: "c1".into(),
            side: Side::Buy,
            order_type: OrderType::Limit,
            size: dec!(2),
            price: Some(dec!(100)),
            trigger_price: None,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
            post_only: false,
            leverage: None,
            take_profit: None,
            stop_loss: None,
        }
    }

    fn with(status: OrderStatus, filled: Decimal) -> Order {
        let mut o = Order::pending(&request(), 0);
        o.status = status;
        o.filled_size = filled;
        o
    }

    #[test]
    fn unknown_outcome_is_kept_until_the_venue_says_otherwise() {
        let mut t = OrderTracker::default();
        t.record_intent(&request(), 1);
        let unknown = OrderOutcome::Unknown {
            client_order_id: "c1".into(),
            reason: "timeout".into(),
        };
        let (o, _) = t.apply_outcome(&unknown, 2).unwrap();
        assert_eq!(o.status, Unknown);
        assert_eq!(t.unresolved().count(), 1);
        assert_eq!(t.apply_order(with(Open, dec!(0))), Applied::Changed);
        assert_eq!(t.unresolved().count(), 0);
    }

    #[test]
    fn out_of_order_updates_never_move_an_order_backwards() {
        let mut t = OrderTracker::default();
        t.record_intent(&request(), 1);
        assert_eq!(
            t.apply_order(with(PartiallyFilled, dec!(1))),
            Applied::Changed
        );
        assert_eq!(t.apply_order(with(Open, dec!(0))), Applied::Stale);
        assert_eq!(t.apply_order(with(Filled, dec!(2))), Applied::Changed);
        assert_eq!(t.apply_order(with(Cancelled, dec!(2))), Applied::Stale);
        assert_eq!(t.get(&"c1".into()).unwrap().status, Filled);
        assert!(t.live().is_empty());
    }

    #[test]
    fn fills_are_deduplicated_by_trade_id() {
        let mut t = OrderTracker::new(2);
        let fill = |id: &str| Fill {
            trade_id: id.into(),
            order_id: None,
            client_order_id: Some("c1".into()),
            instrument: InstrumentId::new(VenueId::Demo, "X"),
            side: Side::Buy,
            price: dec!(100),
            size: dec!(1),
            fee: dec!(0.05),
            liquidity: Liquidity::Taker,
            realized_pnl: Decimal::ZERO,
            ts: 0,
        };
        assert!(t.apply_fill(fill("t1")));
        assert!(!t.apply_fill(fill("t1")));
        assert!(t.apply_fill(fill("t2")));
        assert_eq!(t.fills().count(), 2);
    }
}

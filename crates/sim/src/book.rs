//! The matching book: resting orders per price level in arrival order, matched by
//! price-time priority. It knows nothing of accounts or margin; the exchange does.

use kestrel_core::{BookLevel, LevelChange, Side};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Identifies a resting order inside one book.
pub type RestingId = u64;

/// Who owns a resting order: a liquidity agent or an account's order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The simulation's own market maker.
    Agent,
    /// An account's order, by index into the exchange's account table and client order id.
    Account {
        account: usize,
        client_order_id: kestrel_core::ClientOrderId,
    },
}

/// One order waiting in the book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resting {
    pub id: RestingId,
    pub owner: Owner,
    pub size: Decimal,
}

/// One match between an incoming order and a resting one, at the resting order's price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    pub maker: RestingId,
    pub maker_owner: Owner,
    pub price: Decimal,
    pub size: Decimal,
    /// Whether the resting order is now fully filled and gone from the book.
    pub maker_done: bool,
}

/// What an incoming order did to the book.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchResult {
    pub executions: Vec<Execution>,
    /// Resting orders of the same account removed instead of trading with it
    /// (self-trade prevention, cancel-resting).
    pub self_trade_cancels: Vec<(RestingId, Owner)>,
    /// Size that did not match.
    pub remaining: Decimal,
}

impl MatchResult {
    /// Size matched.
    pub fn filled(&self) -> Decimal {
        self.executions.iter().map(|e| e.size).sum()
    }
}

#[derive(Clone, Debug, Default)]
struct Level {
    orders: VecDeque<Resting>,
    total: Decimal,
}

/// A price-time priority limit order book.
#[derive(Clone, Debug, Default)]
pub struct MatchingBook {
    bids: BTreeMap<Decimal, Level>,
    asks: BTreeMap<Decimal, Level>,
    index: HashMap<RestingId, (Side, Decimal)>,
    next_id: RestingId,
    /// Levels changed since the last `take_changes`.
    dirty: BTreeSet<(SideKey, Decimal)>,
}

/// `Side` ordered, for the dirty set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum SideKey {
    Bid,
    Ask,
}

impl From<Side> for SideKey {
    fn from(side: Side) -> Self {
        match side {
            Side::Buy => SideKey::Bid,
            Side::Sell => SideKey::Ask,
        }
    }
}

impl MatchingBook {
    /// An empty book.
    pub fn new() -> Self {
        Self::default()
    }

    /// Highest bid.
    pub fn best_bid(&self) -> Option<Decimal> {
        self.bids.keys().next_back().copied()
    }

    /// Lowest ask.
    pub fn best_ask(&self) -> Option<Decimal> {
        self.asks.keys().next().copied()
    }

    /// Number of resting orders.
    pub fn order_count(&self) -> usize {
        self.index.len()
    }

    /// Where a resting order sits, if it still does.
    pub fn locate(&self, id: RestingId) -> Option<(Side, Decimal)> {
        self.index.get(&id).copied()
    }

    /// Size resting at a price on one side.
    pub fn level_size(&self, side: Side, price: Decimal) -> Decimal {
        self.side(side)
            .get(&price)
            .map_or(Decimal::ZERO, |l| l.total)
    }

    /// Up to `depth` levels a side, best first.
    pub fn levels(&self, depth: usize) -> (Vec<BookLevel>, Vec<BookLevel>) {
        let level = |(p, l): (&Decimal, &Level)| BookLevel {
            price: *p,
            size: l.total,
        };
        let bids = self.bids.iter().rev().take(depth).map(level).collect();
        let asks = self.asks.iter().take(depth).map(level).collect();
        (bids, asks)
    }

    /// Resting orders at one level in priority order.
    pub fn queue(&self, side: Side, price: Decimal) -> Vec<Resting> {
        self.side(side)
            .get(&price)
            .map(|l| l.orders.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Size available to an order on `side` at prices no worse than `limit`.
    pub fn liquidity(&self, side: Side, limit: Option<Decimal>) -> Decimal {
        match side {
            Side::Buy => self
                .asks
                .iter()
                .take_while(|(p, _)| limit.is_none_or(|l| **p <= l))
                .map(|(_, l)| l.total)
                .sum(),
            Side::Sell => self
                .bids
                .iter()
                .rev()
                .take_while(|(p, _)| limit.is_none_or(|l| **p >= l))
                .map(|(_, l)| l.total)
                .sum(),
        }
    }

    /// Whether an order on `side` at `price` would trade on arrival.
    pub fn crosses(&self, side: Side, price: Decimal) -> bool {
        match side {
            Side::Buy => self.best_ask().is_some_and(|a| price >= a),
            Side::Sell => self.best_bid().is_some_and(|b| price <= b),
        }
    }

    /// Matches an incoming order against the opposite side, best price first and, within a
    /// price, oldest first. `limit` of `None` is a market order. Resting orders of
    /// `taker`'s own account are cancelled rather than traded against.
    pub fn match_order(
        &mut self,
        side: Side,
        limit: Option<Decimal>,
        size: Decimal,
        taker: &Owner,
    ) -> MatchResult {
        let mut result = MatchResult {
            remaining: size,
            ..MatchResult::default()
        };
        while result.remaining > Decimal::ZERO {
            let best = match side {
                Side::Buy => self.best_ask(),
                Side::Sell => self.best_bid(),
            };
            let Some(price) = best else { break };
            let acceptable = match (side, limit) {
                (_, None) => true,
                (Side::Buy, Some(l)) => price <= l,
                (Side::Sell, Some(l)) => price >= l,
            };
            if !acceptable {
                break;
            }
            let maker_side = side.opposite();
            self.dirty.insert((maker_side.into(), price));
            let book = match maker_side {
                Side::Buy => &mut self.bids,
                Side::Sell => &mut self.asks,
            };
            let Some(level) = book.get_mut(&price) else {
                break;
            };
            while result.remaining > Decimal::ZERO {
                let Some(front) = level.orders.front_mut() else {
                    break;
                };
                if same_account(&front.owner, taker) {
                    let gone = level.orders.pop_front();
                    if let Some(gone) = gone {
                        level.total -= gone.size;
                        self.index.remove(&gone.id);
                        result.self_trade_cancels.push((gone.id, gone.owner));
                    }
                    continue;
                }
                let traded = front.size.min(result.remaining);
                front.size -= traded;
                level.total -= traded;
                result.remaining -= traded;
                let maker_done = front.size.is_zero();
                result.executions.push(Execution {
                    maker: front.id,
                    maker_owner: front.owner.clone(),
                    price,
                    size: traded,
                    maker_done,
                });
                if maker_done {
                    let id = front.id;
                    level.orders.pop_front();
                    self.index.remove(&id);
                }
            }
            if level.orders.is_empty() {
                book.remove(&price);
            }
        }
        result
    }

    /// Puts an order at the back of its price level's queue. The caller has matched it
    /// first, so it does not cross.
    pub fn rest(&mut self, side: Side, price: Decimal, size: Decimal, owner: Owner) -> RestingId {
        self.next_id += 1;
        let id = self.next_id;
        let level = self.side_mut(side).entry(price).or_default();
        level.orders.push_back(Resting { id, owner, size });
        level.total += size;
        self.index.insert(id, (side, price));
        self.dirty.insert((side.into(), price));
        id
    }

    /// Removes a resting order; returns what was left of it.
    pub fn cancel(&mut self, id: RestingId) -> Option<Resting> {
        let (side, price) = self.index.remove(&id)?;
        self.dirty.insert((side.into(), price));
        let book = self.side_mut(side);
        let level = book.get_mut(&price)?;
        let at = level.orders.iter().position(|o| o.id == id)?;
        let gone = level.orders.remove(at)?;
        level.total -= gone.size;
        if level.orders.is_empty() {
            book.remove(&price);
        }
        Some(gone)
    }

    /// Shrinks a resting order in place, keeping its priority.
    pub fn reduce(&mut self, id: RestingId, new_size: Decimal) -> bool {
        let Some(&(side, price)) = self.index.get(&id) else {
            return false;
        };
        let Some(level) = self.side_mut(side).get_mut(&price) else {
            return false;
        };
        let Some(order) = level.orders.iter_mut().find(|o| o.id == id) else {
            return false;
        };
        if new_size <= Decimal::ZERO || new_size > order.size {
            return false;
        }
        level.total -= order.size - new_size;
        order.size = new_size;
        self.dirty.insert((side.into(), price));
        true
    }

    /// The levels that changed since the last call, with their new total (zero: gone).
    pub fn take_changes(&mut self) -> Vec<LevelChange> {
        let dirty = std::mem::take(&mut self.dirty);
        dirty
            .into_iter()
            .map(|(side, price)| {
                let side = match side {
                    SideKey::Bid => Side::Buy,
                    SideKey::Ask => Side::Sell,
                };
                LevelChange {
                    side,
                    price,
                    size: self.level_size(side, price),
                }
            })
            .collect()
    }

    fn side(&self, side: Side) -> &BTreeMap<Decimal, Level> {
        match side {
            Side::Buy => &self.bids,
            Side::Sell => &self.asks,
        }
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<Decimal, Level> {
        match side {
            Side::Buy => &mut self.bids,
            Side::Sell => &mut self.asks,
        }
    }
}

fn same_account(a: &Owner, b: &Owner) -> bool {
    match (a, b) {
        (Owner::Account { account: x, .. }, Owner::Account { account: y, .. }) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kestrel_core::ClientOrderId;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn user(account: usize, cid: &str) -> Owner {
        Owner::Account {
            account,
            client_order_id: ClientOrderId::from(cid),
        }
    }

    #[test]
    fn matches_best_price_first_then_oldest_first() {
        let mut book = MatchingBook::new();
        let a = book.rest(Side::Sell, dec!(101), dec!(1), Owner::Agent);
        let b = book.rest(Side::Sell, dec!(100), dec!(1), user(1, "b"));
        let c = book.rest(Side::Sell, dec!(100), dec!(2), user(2, "c"));
        let result = book.match_order(Side::Buy, Some(dec!(101)), dec!(3.5), &user(0, "t"));
        let got: Vec<_> = result
            .executions
            .iter()
            .map(|e| (e.maker, e.price, e.size, e.maker_done))
            .collect();
        assert_eq!(
            got,
            vec![
                (b, dec!(100), dec!(1), true),
                (c, dec!(100), dec!(2), true),
                (a, dec!(101), dec!(0.5), false),
            ]
        );
        assert_eq!(result.remaining, Decimal::ZERO);
        assert_eq!(book.level_size(Side::Sell, dec!(101)), dec!(0.5));
        assert_eq!(book.best_ask(), Some(dec!(101)));
    }

    #[test]
    fn a_limit_stops_at_its_price_and_a_market_order_takes_what_there_is() {
        struct Case {
            limit: Option<Decimal>,
            size: Decimal,
            filled: Decimal,
            remaining: Decimal,
        }
        let cases = [
            Case {
                limit: Some(dec!(99)),
                size: dec!(1),
                filled: dec!(0),
                remaining: dec!(1),
            },
            Case {
                limit: Some(dec!(100)),
                size: dec!(5),
                filled: dec!(2),
                remaining: dec!(3),
            },
            Case {
                limit: None,
                size: dec!(10),
                filled: dec!(5),
                remaining: dec!(5),
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            let mut book = MatchingBook::new();
            book.rest(Side::Sell, dec!(100), dec!(2), Owner::Agent);
            book.rest(Side::Sell, dec!(102), dec!(3), Owner::Agent);
            let r = book.match_order(Side::Buy, c.limit, c.size, &Owner::Agent);
            assert_eq!(r.filled(), c.filled, "case {i}");
            assert_eq!(r.remaining, c.remaining, "case {i}");
        }
    }

    #[test]
    fn an_account_never_trades_with_itself() {
        let mut book = MatchingBook::new();
        let own = book.rest(Side::Buy, dec!(100), dec!(1), user(3, "own"));
        book.rest(Side::Buy, dec!(100), dec!(1), Owner::Agent);
        let r = book.match_order(Side::Sell, None, dec!(1), &user(3, "t"));
        assert_eq!(r.self_trade_cancels.len(), 1);
        assert_eq!(r.self_trade_cancels[0].0, own);
        assert_eq!(r.executions.len(), 1);
        assert_eq!(r.executions[0].maker_owner, Owner::Agent);
        assert_eq!(book.order_count(), 0);
    }

    #[test]
    fn reducing_keeps_priority_and_cancel_reports_every_touched_level() {
        let mut book = MatchingBook::new();
        let first = book.rest(Side::Buy, dec!(100), dec!(2), user(0, "a"));
        book.rest(Side::Buy, dec!(100), dec!(2), Owner::Agent);
        book.take_changes();
        assert!(book.reduce(first, dec!(1)));
        assert!(!book.reduce(first, dec!(5)), "reduce never grows an order");
        assert_eq!(book.queue(Side::Buy, dec!(100))[0].id, first);
        assert_eq!(book.cancel(first).map(|r| r.size), Some(dec!(1)));
        assert_eq!(book.cancel(first), None);
        let changes = book.take_changes();
        assert_eq!(
            changes,
            vec![LevelChange {
                side: Side::Buy,
                price: dec!(100),
                size: dec!(2)
            }]
        );
    }

    #[derive(Clone, Debug)]
    enum Op {
        Limit { buy: bool, tick: i64, size: i64 },
        Market { buy: bool, size: i64 },
        Cancel { nth: usize },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (any::<bool>(), 90i64..110, 1i64..50).prop_map(|(buy, tick, size)| Op::Limit { buy, tick, size }),
            1 => (any::<bool>(), 1i64..80).prop_map(|(buy, size)| Op::Market { buy, size }),
            1 => (0usize..64).prop_map(|nth| Op::Cancel { nth }),
        ]
    }

    proptest! {
        /// Whatever arrives, the book never crosses, levels hold exactly their orders'
        /// sizes, size is conserved, and applying the reported changes to a copy of the
        /// levels reproduces the book.
        #[test]
        fn book_invariants_hold_under_any_order_flow(ops in prop::collection::vec(op(), 1..200)) {
            let mut book = MatchingBook::new();
            let mut live: Vec<RestingId> = Vec::new();
            let mut mirror: BTreeMap<(SideKey, Decimal), Decimal> = BTreeMap::new();
            let mut resting_total = Decimal::ZERO;
            for op in ops {
                match op {
                    Op::Limit { buy, tick, size } => {
                        let side = if buy { Side::Buy } else { Side::Sell };
                        let price = Decimal::new(tick, 0);
                        let size = Decimal::new(size, 1);
                        let r = book.match_order(side, Some(price), size, &Owner::Agent);
                        prop_assert_eq!(r.filled() + r.remaining, size);
                        for e in &r.executions {
                            match side {
                                Side::Buy => prop_assert!(e.price <= price),
                                Side::Sell => prop_assert!(e.price >= price),
                            }
                        }
                        resting_total -= r.filled();
                        if r.remaining > Decimal::ZERO {
                            live.push(book.rest(side, price, r.remaining, Owner::Agent));
                            resting_total += r.remaining;
                        }
                    }
                    Op::Market { buy, size } => {
                        let side = if buy { Side::Buy } else { Side::Sell };
                        let size = Decimal::new(size, 1);
                        let available = book.liquidity(side, None);
                        let r = book.match_order(side, None, size, &Owner::Agent);
                        prop_assert_eq!(r.filled(), size.min(available));
                        resting_total -= r.filled();
                    }
                    Op::Cancel { nth } => {
                        if !live.is_empty() {
                            let id = live.remove(nth % live.len());
                            if let Some(gone) = book.cancel(id) {
                                resting_total -= gone.size;
                            }
                        }
                    }
                }
                if let (Some(b), Some(a)) = (book.best_bid(), book.best_ask()) {
                    prop_assert!(b < a, "crossed: {} >= {}", b, a);
                }
                let (bids, asks) = book.levels(usize::MAX);
                let total: Decimal = bids.iter().chain(&asks).map(|l| l.size).sum();
                prop_assert_eq!(total, resting_total);
                for (side, levels) in [(Side::Buy, &bids), (Side::Sell, &asks)] {
                    for l in levels {
                        let queued: Decimal = book.queue(side, l.price).iter().map(|o| o.size).sum();
                        prop_assert_eq!(queued, l.size);
                    }
                }
                for change in book.take_changes() {
                    let key = (SideKey::from(change.side), change.price);
                    if change.size.is_zero() {
                        mirror.remove(&key);
                    } else {
                        mirror.insert(key, change.size);
                    }
                }
                let expected: BTreeMap<_, _> = bids
                    .iter()
                    .map(|l| ((SideKey::Bid, l.price), l.size))
                    .chain(asks.iter().map(|l| ((SideKey::Ask, l.price), l.size)))
                    .collect();
                prop_assert_eq!(&mirror, &expected);
            }
        }
    }
}

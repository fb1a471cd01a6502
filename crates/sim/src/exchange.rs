//! The simulated exchange: markets with matching books and liquidity agents, accounts with
//! isolated-margin positions, stops, funding and liquidation. Single-threaded and driven
//! by `step(now)`; everything it does is reported through `drain_events`.

use crate::agents;
use crate::book::{Execution, MatchingBook, Owner, RestingId};
use crate::margin::{self, PositionState};
use crate::price::PricePath;
use kestrel_core::{
    AccountEvent, AccountId, AmendRequest, Balance, BookDelta, BookSnapshot, ClientOrderId, Error,
    ErrorKind, Fill, Instrument, InstrumentId, Liquidity, MarginMode, MarketEvent, Order, OrderId,
    OrderRequest, OrderStatus, OrderType, Position, Result, Side, StopLoss, Ticker, TimeInForce,
    TimestampMs, Trade, TradeId,
};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::prelude::{FromPrimitive, Signed, ToPrimitive};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// Leverage used when an order names none.
pub const DEFAULT_LEVERAGE: Decimal = Decimal::from_parts(10, 0, 0, false, 0);
/// One simulation step of the price path.
const STEP_MS: i64 = 100;
/// Longest stretch `step` catches up on at once (after a pause the path jumps instead).
const MAX_CATCH_UP_STEPS: i64 = 600;
/// How often positions are re-marked to their owners.
const MARK_PUSH_MS: i64 = 1_000;
/// Fills kept per account.
const FILLS_KEPT: usize = 10_000;
/// Funding rate bounds per period.
const FUNDING_CAP: f64 = 0.00375;
/// Interest part of the funding rate per period.
const FUNDING_INTEREST: f64 = 0.0001;

/// What a market trades and how its price moves.
#[derive(Clone, Debug)]
pub struct MarketSpec {
    pub instrument: Instrument,
    pub start_price: Decimal,
    /// Annualized volatility of the fair price (0.55 = 55 %).
    pub annual_volatility: f64,
    pub funding_interval_ms: i64,
}

/// Something the exchange did that a client would hear about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimEvent {
    /// Public market data.
    Market(MarketEvent),
    /// A private event for one account.
    Account {
        account: AccountId,
        event: AccountEvent,
    },
}

struct Market {
    instrument: Instrument,
    book: MatchingBook,
    path: PricePath,
    rng: ChaCha8Rng,
    /// The maker's quotes: resting id → (side, price).
    quotes: BTreeMap<RestingId, (Side, Decimal)>,
    /// Basis of the book over the fair price, mean-reverting; it drives funding.
    basis: f64,
    last: Option<Decimal>,
    sequence: u64,
    trades: u64,
    /// Traded size per minute over the last day.
    volume: VecDeque<(TimestampMs, Decimal)>,
    funding_interval_ms: i64,
    next_funding_at: TimestampMs,
    /// Working stop orders: (account index, client order id).
    stops: Vec<(usize, ClientOrderId)>,
    last_step: TimestampMs,
}

impl Market {
    fn fair(&self) -> f64 {
        self.path.price()
    }

    fn mid(&self) -> Option<Decimal> {
        match (self.book.best_bid(), self.book.best_ask()) {
            (Some(b), Some(a)) => Some((b + a) / Decimal::TWO),
            _ => None,
        }
    }

    fn mark(&self) -> Decimal {
        self.mid()
            .or(self.last)
            .unwrap_or_else(|| Decimal::from_f64(self.fair()).unwrap_or(Decimal::ZERO))
    }

    fn index(&self) -> Decimal {
        self.instrument
            .round_to_tick(Decimal::from_f64(self.fair()).unwrap_or(Decimal::ZERO))
    }

    fn funding_rate(&self) -> Decimal {
        let rate = (self.basis + FUNDING_INTEREST).clamp(-FUNDING_CAP, FUNDING_CAP);
        Decimal::from_f64(rate).unwrap_or(Decimal::ZERO).round_dp(6)
    }

    fn record_volume(&mut self, ts: TimestampMs, size: Decimal) {
        let minute = ts - ts.rem_euclid(60_000);
        match self.volume.back_mut() {
            Some((m, v)) if *m == minute => *v += size,
            _ => self.volume.push_back((minute, size)),
        }
        while self
            .volume
            .front()
            .is_some_and(|(m, _)| *m <= ts - 86_400_000)
        {
            self.volume.pop_front();
        }
    }
}

struct OrderRecord {
    order: Order,
    time_in_force: TimeInForce,
    leverage: Decimal,
    /// Margin held for the unfilled part.
    reserved: Decimal,
    resting: Option<RestingId>,
}

struct Account {
    id: AccountId,
    currency: String,
    wallet: Decimal,
    positions: BTreeMap<InstrumentId, PositionState>,
    orders: HashMap<ClientOrderId, OrderRecord>,
    working: BTreeSet<ClientOrderId>,
    fills: VecDeque<Fill>,
}

/// Who sent an order into the book.
#[derive(Clone)]
enum Taker {
    Agent,
    Account(usize, ClientOrderId),
}

/// A simulated derivatives exchange.
pub struct Exchange {
    seed: u64,
    now: TimestampMs,
    markets: BTreeMap<InstrumentId, Market>,
    accounts: Vec<Account>,
    account_index: HashMap<AccountId, usize>,
    events: Vec<SimEvent>,
    next_order_id: u64,
    next_close_id: u64,
    last_mark_push: TimestampMs,
    /// Set while TP/SL closes run: their own fills must not trigger them again.
    exiting: bool,
}

impl Exchange {
    /// An exchange with no markets, its randomness fixed by `seed`.
    pub fn new(seed: u64, now: TimestampMs) -> Self {
        Self {
            seed,
            now,
            markets: BTreeMap::new(),
            accounts: Vec::new(),
            account_index: HashMap::new(),
            events: Vec::new(),
            next_order_id: 0,
            next_close_id: 0,
            last_mark_push: now,
            exiting: false,
        }
    }

    /// Lists a market and lets its maker quote the opening book.
    pub fn add_market(&mut self, spec: MarketSpec) {
        let id = spec.instrument.id.clone();
        let n = self.markets.len() as u64;
        let start = spec.start_price.to_f64().unwrap_or(1.0);
        let interval = spec.funding_interval_ms.max(60_000);
        let market = Market {
            book: MatchingBook::new(),
            path: PricePath::new(start, spec.annual_volatility, STEP_MS),
            rng: ChaCha8Rng::seed_from_u64(self.seed.wrapping_mul(31).wrapping_add(n)),
            quotes: BTreeMap::new(),
            basis: 0.0,
            last: Some(spec.instrument.round_to_tick(spec.start_price)),
            sequence: 0,
            trades: 0,
            volume: VecDeque::new(),
            funding_interval_ms: interval,
            next_funding_at: self.now - self.now.rem_euclid(interval) + interval,
            stops: Vec::new(),
            last_step: self.now,
            instrument: spec.instrument,
        };
        self.markets.insert(id.clone(), market);
        self.requote(&id);
        self.flush_book(&id);
    }

    /// Opens an account holding `deposit` of `currency`.
    pub fn open_account(&mut self, id: AccountId, currency: &str, deposit: Decimal) {
        if self.account_index.contains_key(&id) {
            return;
        }
        self.account_index.insert(id.clone(), self.accounts.len());
        self.accounts.push(Account {
            id,
            currency: currency.to_owned(),
            wallet: deposit,
            positions: BTreeMap::new(),
            orders: HashMap::new(),
            working: BTreeSet::new(),
            fills: VecDeque::new(),
        });
    }

    /// Every listed instrument.
    pub fn instruments(&self) -> Vec<Instrument> {
        self.markets
            .values()
            .map(|m| m.instrument.clone())
            .collect()
    }

    /// The book's top `depth` levels a side, with the sequence the next delta follows.
    pub fn book(&self, id: &InstrumentId, depth: usize) -> Option<BookSnapshot> {
        let market = self.markets.get(id)?;
        let (bids, asks) = market.book.levels(depth);
        Some(BookSnapshot {
            instrument: id.clone(),
            bids,
            asks,
            sequence: Some(market.sequence),
            ts: self.now,
        })
    }

    /// The current ticker.
    pub fn ticker(&self, id: &InstrumentId) -> Option<Ticker> {
        let market = self.markets.get(id)?;
        Some(self.ticker_of(market))
    }

    /// Removes and returns everything that happened since the last call, in order.
    pub fn drain_events(&mut self) -> Vec<SimEvent> {
        std::mem::take(&mut self.events)
    }

    /// The account's balance.
    pub fn balances(&self, account: &AccountId) -> Vec<Balance> {
        self.account_index
            .get(account)
            .map(|&a| vec![self.balance(a)])
            .unwrap_or_default()
    }

    /// The account's open positions.
    pub fn positions(&self, account: &AccountId) -> Vec<Position> {
        let Some(&a) = self.account_index.get(account) else {
            return Vec::new();
        };
        self.accounts[a]
            .positions
            .iter()
            .filter(|(_, p)| !p.is_flat())
            .filter_map(|(id, _)| self.position(a, id))
            .collect()
    }

    /// The account's working orders, oldest first.
    pub fn open_orders(&self, account: &AccountId) -> Vec<Order> {
        let Some(&a) = self.account_index.get(account) else {
            return Vec::new();
        };
        let acc = &self.accounts[a];
        let mut orders: Vec<Order> = acc
            .working
            .iter()
            .filter_map(|cid| acc.orders.get(cid).map(|r| r.order.clone()))
            .collect();
        orders.sort_by_key(|o| o.created_at);
        orders
    }

    /// Any order the account ever placed, by its client id.
    pub fn order_by_client_id(&self, account: &AccountId, id: &ClientOrderId) -> Option<Order> {
        let &a = self.account_index.get(account)?;
        self.accounts[a].orders.get(id).map(|r| r.order.clone())
    }

    /// The account's fills at or after `since`, oldest first.
    pub fn fills(&self, account: &AccountId, since: Option<TimestampMs>) -> Vec<Fill> {
        let Some(&a) = self.account_index.get(account) else {
            return Vec::new();
        };
        let since = since.unwrap_or(TimestampMs::MIN);
        self.accounts[a]
            .fills
            .iter()
            .filter(|f| f.ts >= since)
            .cloned()
            .collect()
    }

    /// Places an order. Every check happens before anything changes: a rejected order
    /// leaves no trace but the error.
    pub fn place(
        &mut self,
        account: &AccountId,
        request: &OrderRequest,
        now: TimestampMs,
    ) -> Result<Order> {
        self.advance_clock(now);
        let a = self.account(account)?;
        let market = self.market(&request.instrument)?;
        let instrument = market.instrument.clone();
        validate(request, &instrument)?;
        if self.accounts[a]
            .orders
            .contains_key(&request.client_order_id)
        {
            return Err(Error::invalid_order(
                "client_order_id",
                format!(
                    "client order id {} was already used; an order is sent once",
                    request.client_order_id
                ),
            ));
        }
        let leverage = request.leverage.unwrap_or(DEFAULT_LEVERAGE);
        let held = self.accounts[a]
            .positions
            .get(&request.instrument)
            .map_or(Decimal::ZERO, |p| p.size);
        let opposing = if (held > Decimal::ZERO && request.side == Side::Sell)
            || (held < Decimal::ZERO && request.side == Side::Buy)
        {
            held.abs()
        } else {
            Decimal::ZERO
        };
        let mut size = request.size;
        if request.reduce_only {
            if opposing.is_zero() {
                return Err(Error::invalid_order(
                    "reduce_only",
                    "reduce-only order has no position to reduce on this side",
                ));
            }
            size = size.min(opposing);
        }
        if request.post_only {
            if let Some(price) = request.price {
                if market.book.crosses(request.side, price) {
                    return Err(Error::invalid_order(
                        "post_only",
                        format!("post-only order at {price} would take liquidity"),
                    ));
                }
            }
        }
        let last = market.last.unwrap_or_else(|| market.mark());
        if let Some(trigger) = request.trigger_price {
            let fires_now = match request.side {
                Side::Buy => last >= trigger,
                Side::Sell => last <= trigger,
            };
            if fires_now {
                let side = match request.side {
                    Side::Buy => "above",
                    Side::Sell => "below",
                };
                return Err(Error::invalid_order(
                    "trigger_price",
                    format!(
                        "a {:?} stop must trigger {side} the last price {last}",
                        request.side
                    )
                    .to_lowercase(),
                ));
            }
        }
        let reference = request
            .price
            .or(request.trigger_price)
            .or(match request.side {
                Side::Buy => market.book.best_ask(),
                Side::Sell => market.book.best_bid(),
            })
            .unwrap_or(last);
        let opening = if request.reduce_only {
            Decimal::ZERO
        } else {
            (size - opposing).max(Decimal::ZERO)
        };
        let required = margin::initial_margin(&instrument, opening, reference, leverage)
            + margin::fee(&instrument, size, reference, instrument.taker_fee);
        let available = self.balance(a).available;
        if required > available {
            return Err(Error::new(
                ErrorKind::InsufficientFunds,
                format!(
                    "needs {} {} of margin and fees, {} available",
                    required.round_dp(2),
                    self.accounts[a].currency,
                    available.round_dp(2)
                ),
            ));
        }
        let fok_short = request.time_in_force == TimeInForce::Fok
            && request.order_type != OrderType::Stop
            && market.book.liquidity(request.side, request.price) < size;

        self.next_order_id += 1;
        let mut order = Order::pending(request, now);
        order.id = Some(OrderId(self.next_order_id.to_string()));
        order.size = size;
        order.leverage = Some(leverage);
        order.status = OrderStatus::Open;
        let cid = request.client_order_id.clone();
        let reserve_price = request.price.or(request.trigger_price).unwrap_or(reference);
        let record = OrderRecord {
            reserved: margin::initial_margin(&instrument, opening, reserve_price, leverage),
            order,
            time_in_force: request.time_in_force,
            leverage,
            resting: None,
        };
        let acc = &mut self.accounts[a];
        acc.orders.insert(cid.clone(), record);
        acc.working.insert(cid.clone());
        if fok_short {
            self.finish(
                a,
                &cid,
                OrderStatus::Cancelled,
                Some("fill-or-kill: not enough liquidity to fill at once"),
            );
        } else if request.order_type == OrderType::Stop {
            if let Some(m) = self.markets.get_mut(&request.instrument) {
                m.stops.push((a, cid.clone()));
            }
            self.emit_order(a, &cid);
            self.emit_balance(a);
        } else {
            self.execute(a, &cid);
        }
        self.settle_market(&request.instrument);
        self.liquidate();
        self.order(a, &cid)
    }

    /// Changes a working order's price, trigger or size. A pure size decrease keeps its
    /// place in the queue; anything else re-queues it.
    pub fn amend(
        &mut self,
        account: &AccountId,
        request: &AmendRequest,
        now: TimestampMs,
    ) -> Result<Order> {
        self.advance_clock(now);
        let a = self.account(account)?;
        let instrument = self.market(&request.instrument)?.instrument.clone();
        let cid = &request.client_order_id;
        let record = self.working_record(a, cid)?;
        let old = record.order.clone();
        let new_size = request.size.unwrap_or(old.size);
        let new_price = request.price.or(old.price);
        let new_trigger = request.trigger_price.or(old.trigger_price);
        if new_size <= old.filled_size || !instrument.is_on_step(new_size) {
            return Err(Error::invalid_order(
                "size",
                format!(
                    "size must be above the {} already filled and a multiple of {}",
                    old.filled_size, instrument.size_step
                ),
            ));
        }
        if new_size > instrument.max_size {
            return Err(Error::invalid_order(
                "size",
                format!("size above the maximum {}", instrument.max_size),
            ));
        }
        for (field, value) in [("price", new_price), ("trigger_price", new_trigger)] {
            if let Some(v) = value {
                if v <= Decimal::ZERO || !instrument.is_on_tick(v) {
                    return Err(Error::invalid_order(
                        field,
                        format!(
                            "{field} must be a positive multiple of {}",
                            instrument.price_tick
                        ),
                    ));
                }
            }
        }
        let market = self.market(&request.instrument)?;
        if old.post_only {
            if let Some(p) = new_price {
                if Some(p) != old.price && market.book.crosses(old.side, p) {
                    return Err(Error::invalid_order(
                        "post_only",
                        format!("post-only order at {p} would take liquidity"),
                    ));
                }
            }
        }
        let remaining = new_size - old.filled_size;
        let reserve_price = new_price.or(new_trigger).unwrap_or_else(|| market.mark());
        let new_reserved = if old.reduce_only {
            Decimal::ZERO
        } else {
            margin::initial_margin(&instrument, remaining, reserve_price, record.leverage)
        };
        let available = self.balance(a).available + record.reserved;
        if new_reserved > available {
            return Err(Error::new(
                ErrorKind::InsufficientFunds,
                format!(
                    "the amended order needs {} margin, {} available",
                    new_reserved.round_dp(2),
                    available.round_dp(2)
                ),
            ));
        }
        let keeps_place =
            new_price == old.price && new_trigger == old.trigger_price && new_size < old.size;
        let resting = record.resting;
        if let Some(r) = self.accounts[a].orders.get_mut(cid) {
            r.order.size = new_size;
            r.order.price = new_price;
            r.order.trigger_price = new_trigger;
            r.order.updated_at = now;
            r.reserved = new_reserved;
        }
        match (old.order_type, resting) {
            (OrderType::Limit, Some(id)) if keeps_place => {
                if let Some(m) = self.markets.get_mut(&request.instrument) {
                    m.book.reduce(id, remaining);
                }
                self.emit_order(a, cid);
            }
            (OrderType::Limit, Some(id)) => {
                if let Some(m) = self.markets.get_mut(&request.instrument) {
                    m.book.cancel(id);
                }
                if let Some(r) = self.accounts[a].orders.get_mut(cid) {
                    r.resting = None;
                }
                self.execute(a, cid);
            }
            _ => self.emit_order(a, cid),
        }
        self.emit_balance(a);
        self.settle_market(&request.instrument);
        self.order(a, cid)
    }

    /// Cancels a working order. An order that is not working is `NotFound`, with its
    /// final state in the message.
    pub fn cancel(
        &mut self,
        account: &AccountId,
        instrument: &InstrumentId,
        id: &ClientOrderId,
        now: TimestampMs,
    ) -> Result<Order> {
        self.advance_clock(now);
        let a = self.account(account)?;
        self.working_record(a, id)?;
        self.finish(a, id, OrderStatus::Cancelled, None);
        self.flush_book(instrument);
        self.order(a, id)
    }

    /// Closes the account's position in `instrument` with a reduce-only market order.
    pub fn close_position(
        &mut self,
        account: &AccountId,
        instrument: &InstrumentId,
        now: TimestampMs,
    ) -> Result<Order> {
        let a = self.account(account)?;
        let held = self.accounts[a]
            .positions
            .get(instrument)
            .map_or(Decimal::ZERO, |p| p.size);
        if held.is_zero() {
            return Err(Error::not_found(format!(
                "no open position in {}",
                instrument.symbol
            )));
        }
        self.next_close_id += 1;
        let request = OrderRequest {
            instrument: instrument.clone(),
            client_order_id: ClientOrderId(format!("close-{}-{}", now, self.next_close_id)),
            side: if held > Decimal::ZERO {
                Side::Sell
            } else {
                Side::Buy
            },
            order_type: OrderType::Market,
            size: held.abs(),
            price: None,
            trigger_price: None,
            time_in_force: TimeInForce::Ioc,
            reduce_only: true,
            post_only: false,
            leverage: None,
            take_profit: None,
            stop_loss: None,
        };
        self.place(account, &request, now)
    }

    /// Sets (`Some`) or removes (`None`) the position's take-profit and stop-loss. A
    /// stop-loss beyond the liquidation price would never fire first: refused. A trailing
    /// one keeps its distance from the last price when it was set.
    pub fn set_tp_sl(
        &mut self,
        account: &AccountId,
        instrument: &InstrumentId,
        take_profit: Option<Decimal>,
        stop_loss: Option<StopLoss>,
    ) -> Result<()> {
        let a = self.account(account)?;
        let market = self
            .markets
            .get(instrument)
            .ok_or_else(|| Error::not_found(format!("no market {}", instrument.symbol)))?;
        let liquidation = self.accounts[a]
            .positions
            .get(instrument)
            .filter(|p| !p.is_flat())
            .ok_or_else(|| Error::not_found(format!("no open position in {}", instrument.symbol)))?
            .liquidation_price(&market.instrument);
        let last = market.last.unwrap_or_else(|| market.mark());
        let position = self.accounts[a]
            .positions
            .get_mut(instrument)
            .ok_or_else(|| Error::not_found("no open position"))?;
        let long = position.size > Decimal::ZERO;
        if let (Some(sl), Some(liq)) = (stop_loss, liquidation) {
            if (long && sl.price <= liq) || (!long && sl.price >= liq) {
                return Err(Error::invalid_order(
                    "stop_loss",
                    format!("the stop-loss must come before the liquidation price {liq}"),
                ));
            }
        }
        let trail = match stop_loss {
            Some(sl) if sl.trailing => {
                let distance = if long {
                    last - sl.price
                } else {
                    sl.price - last
                };
                if distance <= Decimal::ZERO {
                    return Err(Error::invalid_order(
                        "stop_loss",
                        format!("a trailing stop-loss must start on the losing side of the last price {last}"),
                    ));
                }
                Some(distance)
            }
            _ => None,
        };
        position.take_profit = take_profit;
        position.stop_loss = stop_loss.map(|s| s.price);
        position.stop_loss_trail = trail;
        self.emit_position(a, instrument);
        Ok(())
    }

    /// Moves `amount` from the wallet's available funds into the position's margin,
    /// pushing its liquidation price away.
    pub fn add_margin(
        &mut self,
        account: &AccountId,
        instrument: &InstrumentId,
        amount: Decimal,
    ) -> Result<()> {
        let a = self.account(account)?;
        if amount <= Decimal::ZERO {
            return Err(Error::invalid_order("amount", "add a positive amount"));
        }
        let available = self.balance(a).available;
        if amount > available {
            return Err(Error::new(
                ErrorKind::InsufficientFunds,
                format!("only {available} available"),
            ));
        }
        let position = self.accounts[a]
            .positions
            .get_mut(instrument)
            .filter(|p| !p.is_flat())
            .ok_or_else(|| {
                Error::not_found(format!("no open position in {}", instrument.symbol))
            })?;
        position.margin += amount;
        self.emit_position(a, instrument);
        self.emit_balance(a);
        Ok(())
    }

    /// Closes, at market, every position whose take-profit or stop-loss the last price
    /// in `id` has reached.
    fn trigger_exits(&mut self, id: &InstrumentId) {
        if self.exiting {
            return;
        }
        let Some((last, instrument)) = self
            .markets
            .get(id)
            .and_then(|m| Some((m.last?, m.instrument.clone())))
        else {
            return;
        };
        // Trailing stops follow the price first; each that moved is published.
        let mut moved = Vec::new();
        for (a, acc) in self.accounts.iter_mut().enumerate() {
            if acc
                .positions
                .get_mut(id)
                .is_some_and(|p| p.trail(&instrument, last))
            {
                moved.push(a);
            }
        }
        for a in moved {
            self.emit_position(a, id);
        }
        let due: Vec<AccountId> = self
            .accounts
            .iter()
            .filter(|acc| {
                acc.positions
                    .get(id)
                    .is_some_and(|p| p.exit_triggered_at(last))
            })
            .map(|acc| acc.id.clone())
            .collect();
        let now = self.now;
        self.exiting = true;
        for account in due {
            if let Err(e) = self.close_position(&account, id, now) {
                tracing::warn!(%account, instrument = %id, error = %e, "TP/SL close failed");
            }
        }
        self.exiting = false;
    }

    /// Advances the simulation to `now`: prices move, the maker re-quotes, takers trade,
    /// stops fire, funding is paid and under-margined positions are liquidated.
    pub fn step(&mut self, now: TimestampMs) {
        self.advance_clock(now);
        let ids: Vec<InstrumentId> = self.markets.keys().cloned().collect();
        for id in &ids {
            let Some(market) = self.markets.get_mut(id) else {
                continue;
            };
            let steps = (now - market.last_step) / STEP_MS;
            if steps <= 0 {
                continue;
            }
            let dt = steps.min(MAX_CATCH_UP_STEPS) * STEP_MS;
            for _ in 0..steps.min(MAX_CATCH_UP_STEPS) {
                market.path.step(&mut market.rng);
                // The basis is an Ornstein–Uhlenbeck process: it wanders, then returns.
                let noise: f64 =
                    rand_distr::Distribution::sample(&rand_distr::StandardNormal, &mut market.rng);
                market.basis += -0.002 * market.basis + 0.000_01 * noise;
            }
            market.last_step += steps * STEP_MS;
            self.requote(id);
            self.run_takers(id, dt);
            self.settle_market(id);
            self.pay_funding(id);
        }
        self.liquidate();
        if now - self.last_mark_push >= MARK_PUSH_MS {
            self.last_mark_push = now;
            self.push_marks();
        }
        for id in &ids {
            if let Some(m) = self.markets.get(id) {
                let ticker = self.ticker_of(m);
                self.events
                    .push(SimEvent::Market(MarketEvent::Ticker(ticker)));
            }
        }
    }

    fn advance_clock(&mut self, now: TimestampMs) {
        self.now = self.now.max(now);
    }

    fn account(&self, id: &AccountId) -> Result<usize> {
        self.account_index
            .get(id)
            .copied()
            .ok_or_else(|| Error::not_found(format!("no account {id}")))
    }

    fn market(&self, id: &InstrumentId) -> Result<&Market> {
        self.markets
            .get(id)
            .ok_or_else(|| Error::not_found(format!("no instrument {}", id.symbol)))
    }

    fn order(&self, a: usize, cid: &ClientOrderId) -> Result<Order> {
        self.accounts[a]
            .orders
            .get(cid)
            .map(|r| r.order.clone())
            .ok_or_else(|| Error::not_found(format!("no order {cid}")))
    }

    fn working_record(&self, a: usize, cid: &ClientOrderId) -> Result<&OrderRecord> {
        let record = self.accounts[a]
            .orders
            .get(cid)
            .ok_or_else(|| Error::not_found(format!("no order with client id {cid}")))?;
        if !record.order.status.is_working() {
            return Err(Error::not_found(
                format!(
                    "order {cid} is no longer working ({:?})",
                    record.order.status
                )
                .to_lowercase(),
            ));
        }
        Ok(record)
    }

    /// Sends an account's order (or its remainder) into the book: match, then rest or end.
    fn execute(&mut self, a: usize, cid: &ClientOrderId) {
        let Some(record) = self.accounts[a].orders.get(cid) else {
            return;
        };
        let order = &record.order;
        let (instrument, side, price, remaining) = (
            order.instrument.clone(),
            order.side,
            order.price,
            order.remaining(),
        );
        let limit = match order.order_type {
            OrderType::Limit => price,
            OrderType::Market | OrderType::Stop => None,
        };
        let rests =
            order.order_type == OrderType::Limit && record.time_in_force == TimeInForce::Gtc;
        let taker = Taker::Account(a, cid.clone());
        let filled = self.match_into(&instrument, side, limit, remaining, &taker);
        let left = remaining - filled;
        if left.is_zero() {
            return;
        }
        match (rests, limit) {
            (true, Some(price)) => {
                let owner = Owner::Account {
                    account: a,
                    client_order_id: cid.clone(),
                };
                if let Some(m) = self.markets.get_mut(&instrument) {
                    let id = m.book.rest(side, price, left, owner);
                    if let Some(r) = self.accounts[a].orders.get_mut(cid) {
                        r.resting = Some(id);
                    }
                }
                self.emit_order(a, cid);
                self.emit_balance(a);
            }
            _ => {
                let reason = if filled.is_zero() {
                    "no liquidity at an acceptable price"
                } else {
                    "the unfilled rest was cancelled"
                };
                self.finish(a, cid, OrderStatus::Cancelled, Some(reason));
            }
        }
    }

    /// Matches an order and settles every execution; returns the size filled.
    fn match_into(
        &mut self,
        instrument: &InstrumentId,
        side: Side,
        limit: Option<Decimal>,
        size: Decimal,
        taker: &Taker,
    ) -> Decimal {
        let owner = match taker {
            Taker::Agent => Owner::Agent,
            Taker::Account(a, cid) => Owner::Account {
                account: *a,
                client_order_id: cid.clone(),
            },
        };
        let Some(market) = self.markets.get_mut(instrument) else {
            return Decimal::ZERO;
        };
        let result = market.book.match_order(side, limit, size, &owner);
        for (id, _) in &result.self_trade_cancels {
            market.quotes.remove(id);
        }
        for (_, owner) in &result.self_trade_cancels {
            if let Owner::Account {
                account,
                client_order_id,
            } = owner
            {
                if let Some(r) = self.accounts[*account].orders.get_mut(client_order_id) {
                    r.resting = None;
                }
                self.finish(
                    *account,
                    client_order_id,
                    OrderStatus::Cancelled,
                    Some("self-trade prevention: your own resting order was cancelled"),
                );
            }
        }
        let filled = result.filled();
        for execution in result.executions {
            self.settle_execution(instrument, side, taker, execution);
        }
        filled
    }

    fn settle_execution(
        &mut self,
        instrument: &InstrumentId,
        side: Side,
        taker: &Taker,
        e: Execution,
    ) {
        let now = self.now;
        let Some(market) = self.markets.get_mut(instrument) else {
            return;
        };
        market.trades += 1;
        market.last = Some(e.price);
        market.record_volume(now, e.size);
        if e.maker_done {
            market.quotes.remove(&e.maker);
        }
        let trade_id = TradeId(format!("{}-{}", instrument.symbol, market.trades));
        self.events.push(SimEvent::Market(MarketEvent::Trade(Trade {
            instrument: instrument.clone(),
            trade_id: trade_id.clone(),
            price: e.price,
            size: e.size,
            taker_side: side,
            ts: now,
        })));
        if let Taker::Account(a, cid) = taker {
            self.apply_fill(*a, cid, &trade_id, e.price, e.size, Liquidity::Taker);
        }
        if let Owner::Account {
            account,
            client_order_id,
        } = &e.maker_owner
        {
            if e.maker_done {
                if let Some(r) = self.accounts[*account].orders.get_mut(client_order_id) {
                    r.resting = None;
                }
            }
            self.apply_fill(
                *account,
                client_order_id,
                &trade_id,
                e.price,
                e.size,
                Liquidity::Maker,
            );
        }
    }

    /// Books one fill to an account: position, margin, fee, wallet, order state, events.
    fn apply_fill(
        &mut self,
        a: usize,
        cid: &ClientOrderId,
        trade_id: &TradeId,
        price: Decimal,
        size: Decimal,
        liquidity: Liquidity,
    ) {
        let now = self.now;
        let Some(record) = self.accounts[a].orders.get(cid) else {
            return;
        };
        let instrument_id = record.order.instrument.clone();
        let Some(instrument) = self
            .markets
            .get(&instrument_id)
            .map(|m| m.instrument.clone())
        else {
            return;
        };
        let acc = &mut self.accounts[a];
        let Some(record) = acc.orders.get_mut(cid) else {
            return;
        };
        let side = record.order.side;
        let remaining_before = record.order.remaining();
        let position = acc.positions.entry(instrument_id.clone()).or_default();
        let effect = position.apply_fill(&instrument, side, price, size, record.leverage);
        let rate = match liquidity {
            Liquidity::Maker => instrument.maker_fee,
            Liquidity::Taker => instrument.taker_fee,
        };
        let fee = margin::fee(&instrument, size, price, rate);
        acc.wallet += effect.realized - fee;
        if !remaining_before.is_zero() {
            let release = (record.reserved * size / remaining_before)
                .round_dp(8)
                .min(record.reserved);
            record.reserved -= release;
        }
        let order = &mut record.order;
        let filled_value =
            order.avg_fill_price.unwrap_or(Decimal::ZERO) * order.filled_size + price * size;
        order.filled_size += size;
        order.avg_fill_price = Some(
            instrument
                .round_to_tick(filled_value / order.filled_size)
                .max(Decimal::ZERO),
        );
        order.status = if order.remaining().is_zero() {
            OrderStatus::Filled
        } else {
            OrderStatus::PartiallyFilled
        };
        order.updated_at = now;
        let fill = Fill {
            trade_id: trade_id.clone(),
            order_id: order.id.clone(),
            client_order_id: Some(cid.clone()),
            instrument: instrument_id.clone(),
            side,
            price,
            size,
            fee,
            liquidity,
            realized_pnl: effect.realized,
            ts: now,
        };
        if order.status == OrderStatus::Filled {
            record.reserved = Decimal::ZERO;
            acc.working.remove(cid);
        }
        acc.fills.push_back(fill.clone());
        while acc.fills.len() > FILLS_KEPT {
            acc.fills.pop_front();
        }
        self.emit(a, AccountEvent::Fill { fill });
        self.emit_order(a, cid);
        self.emit_position(a, &instrument_id);
        self.emit_balance(a);
    }

    /// Ends a working order: takes it off the book or the stop list, frees its margin.
    fn finish(&mut self, a: usize, cid: &ClientOrderId, status: OrderStatus, reason: Option<&str>) {
        let now = self.now;
        let acc = &mut self.accounts[a];
        let Some(record) = acc.orders.get_mut(cid) else {
            return;
        };
        let instrument = record.order.instrument.clone();
        let resting = record.resting.take();
        record.reserved = Decimal::ZERO;
        record.order.status = status;
        record.order.updated_at = now;
        record.order.reason = reason.map(str::to_owned);
        acc.working.remove(cid);
        if let Some(m) = self.markets.get_mut(&instrument) {
            if let Some(id) = resting {
                m.book.cancel(id);
            }
            m.stops.retain(|(owner, c)| !(*owner == a && c == cid));
        }
        self.emit_order(a, cid);
        self.emit_balance(a);
    }

    /// After anything traded: fire stops the last price has reached, then publish the
    /// book's changes as one sequenced delta.
    fn settle_market(&mut self, id: &InstrumentId) {
        for _ in 0..100 {
            let Some(market) = self.markets.get(id) else {
                return;
            };
            let Some(last) = market.last else { break };
            let fired: Vec<(usize, ClientOrderId)> = market
                .stops
                .iter()
                .filter(|(a, cid)| {
                    self.accounts[*a].orders.get(cid).is_some_and(|r| {
                        let trigger = r.order.trigger_price.unwrap_or(Decimal::ZERO);
                        match r.order.side {
                            Side::Buy => last >= trigger,
                            Side::Sell => last <= trigger,
                        }
                    })
                })
                .cloned()
                .collect();
            if fired.is_empty() {
                break;
            }
            if let Some(m) = self.markets.get_mut(id) {
                m.stops.retain(|s| !fired.contains(s));
            }
            for (a, cid) in fired {
                self.execute(a, &cid);
            }
        }
        self.trigger_exits(id);
        self.flush_book(id);
    }

    fn flush_book(&mut self, id: &InstrumentId) {
        let now = self.now;
        let Some(market) = self.markets.get_mut(id) else {
            return;
        };
        let changes = market.book.take_changes();
        if changes.is_empty() {
            return;
        }
        let prev = market.sequence;
        market.sequence += 1;
        self.events
            .push(SimEvent::Market(MarketEvent::BookDelta(BookDelta {
                instrument: id.clone(),
                changes,
                sequence: Some(market.sequence),
                prev_sequence: Some(prev),
                ts: now,
            })));
    }

    /// The maker moves its ladder to the fair price: it pulls quotes that are off the
    /// ladder, adds the missing ones, and now and then re-sizes one.
    fn requote(&mut self, id: &InstrumentId) {
        let Some(market) = self.markets.get_mut(id) else {
            return;
        };
        let fair = market.fair() * (1.0 + market.basis);
        let targets = agents::ladder_prices(&market.instrument, fair, market.path.heat());
        market
            .quotes
            .retain(|rid, _| market.book.locate(*rid).is_some());
        let wanted: BTreeSet<(bool, Decimal)> =
            targets.iter().map(|(s, p)| (*s == Side::Buy, *p)).collect();
        let resize = agents::resize_pick(&mut market.rng).and_then(|n| targets.get(n).cloned());
        let stale: Vec<RestingId> = market
            .quotes
            .iter()
            .filter(|(_, (s, p))| {
                !wanted.contains(&(*s == Side::Buy, *p)) || resize == Some((*s, *p))
            })
            .map(|(rid, _)| *rid)
            .collect();
        for rid in stale {
            market.book.cancel(rid);
            market.quotes.remove(&rid);
        }
        let quoted: BTreeSet<(bool, Decimal)> = market
            .quotes
            .values()
            .map(|(s, p)| (*s == Side::Buy, *p))
            .collect();
        let mut missing = Vec::new();
        for (depth, (side, price)) in targets.iter().enumerate() {
            if !quoted.contains(&(*side == Side::Buy, *price)) {
                let size =
                    agents::level_size(&market.instrument, *price, depth / 2, &mut market.rng);
                missing.push((*side, *price, size));
            }
        }
        for (side, price, size) in missing {
            // The maker's quote can cross a customer's resting order: it trades first.
            let filled = self.match_into(id, side, Some(price), size, &Taker::Agent);
            let left = size - filled;
            if left > Decimal::ZERO {
                if let Some(m) = self.markets.get_mut(id) {
                    let rid = m.book.rest(side, price, left, Owner::Agent);
                    m.quotes.insert(rid, (side, price));
                }
            }
        }
    }

    fn run_takers(&mut self, id: &InstrumentId, dt_ms: i64) {
        let Some(market) = self.markets.get_mut(id) else {
            return;
        };
        let fair = market.fair() * (1.0 + market.basis);
        let mid = market.mid();
        let heat = market.path.heat();
        let orders =
            agents::taker_flow(&market.instrument, fair, mid, heat, dt_ms, &mut market.rng);
        for o in orders {
            self.match_into(id, o.side, None, o.size, &Taker::Agent);
        }
    }

    fn pay_funding(&mut self, id: &InstrumentId) {
        let now = self.now;
        let Some(market) = self.markets.get_mut(id) else {
            return;
        };
        if now < market.next_funding_at {
            return;
        }
        let rate = market.funding_rate();
        let mark = market.mark();
        let instrument = market.instrument.clone();
        while market.next_funding_at <= now {
            market.next_funding_at += market.funding_interval_ms;
        }
        for a in 0..self.accounts.len() {
            let acc = &mut self.accounts[a];
            let Some(position) = acc.positions.get_mut(id) else {
                continue;
            };
            if position.is_flat() {
                continue;
            }
            // Longs pay shorts when the rate is positive.
            let payment =
                (instrument.notional(position.size.abs(), mark) * rate * position.size.signum())
                    .round_dp(8);
            acc.wallet -= payment;
            position.realized -= payment;
            self.emit_position(a, id);
            self.emit_balance(a);
        }
    }

    /// Closes every position whose mark has reached its liquidation price. The position's
    /// margin is the most it can lose; the rest is the insurance fund's problem.
    fn liquidate(&mut self) {
        let now = self.now;
        for a in 0..self.accounts.len() {
            let doomed: Vec<(InstrumentId, Decimal)> = self.accounts[a]
                .positions
                .iter()
                .filter_map(|(id, p)| {
                    let market = self.markets.get(id)?;
                    let mark = market.mark();
                    p.is_liquidated_at(&market.instrument, mark).then(|| {
                        (
                            id.clone(),
                            p.liquidation_price(&market.instrument).unwrap_or(mark),
                        )
                    })
                })
                .collect();
            for (id, price) in doomed {
                let Some(instrument) = self.markets.get(&id).map(|m| m.instrument.clone()) else {
                    continue;
                };
                self.next_order_id += 1;
                self.next_close_id += 1;
                let acc = &mut self.accounts[a];
                let Some(position) = acc.positions.get_mut(&id) else {
                    continue;
                };
                let side = if position.size > Decimal::ZERO {
                    Side::Sell
                } else {
                    Side::Buy
                };
                let size = position.size.abs();
                let loss = position
                    .unrealized(&instrument, price)
                    .max(-position.margin);
                acc.wallet += loss;
                *position = PositionState::default();
                let cid = ClientOrderId(format!("liquidation-{now}-{}", self.next_close_id));
                let order = Order {
                    id: Some(OrderId(self.next_order_id.to_string())),
                    client_order_id: cid.clone(),
                    instrument: id.clone(),
                    side,
                    order_type: OrderType::Market,
                    status: OrderStatus::Filled,
                    size,
                    filled_size: size,
                    price: None,
                    trigger_price: None,
                    avg_fill_price: Some(price),
                    reduce_only: true,
                    post_only: false,
                    leverage: None,
                    created_at: now,
                    updated_at: now,
                    reason: Some("liquidated: margin fell to the maintenance level".into()),
                };
                let fill = Fill {
                    trade_id: TradeId(format!("{}-liq-{}", id.symbol, self.next_close_id)),
                    order_id: order.id.clone(),
                    client_order_id: Some(cid.clone()),
                    instrument: id.clone(),
                    side,
                    price,
                    size,
                    fee: Decimal::ZERO,
                    liquidity: Liquidity::Taker,
                    realized_pnl: loss,
                    ts: now,
                };
                acc.fills.push_back(fill.clone());
                acc.orders.insert(
                    cid,
                    OrderRecord {
                        order: order.clone(),
                        time_in_force: TimeInForce::Ioc,
                        leverage: Decimal::ONE,
                        reserved: Decimal::ZERO,
                        resting: None,
                    },
                );
                self.emit(a, AccountEvent::Order { order });
                self.emit(a, AccountEvent::Fill { fill });
                self.emit_position(a, &id);
                self.emit_balance(a);
            }
        }
    }

    fn push_marks(&mut self) {
        for a in 0..self.accounts.len() {
            let open: Vec<InstrumentId> = self.accounts[a]
                .positions
                .iter()
                .filter(|(_, p)| !p.is_flat())
                .map(|(id, _)| id.clone())
                .collect();
            if open.is_empty() {
                continue;
            }
            for id in &open {
                self.emit_position(a, id);
            }
            self.emit_balance(a);
        }
    }

    fn ticker_of(&self, market: &Market) -> Ticker {
        let volume: Decimal = market.volume.iter().map(|(_, v)| *v).sum();
        Ticker {
            instrument: market.instrument.id.clone(),
            last: market.last,
            bid: market.book.best_bid(),
            ask: market.book.best_ask(),
            mark: Some(market.instrument.round_to_tick(market.mark())),
            index: Some(market.index()),
            funding_rate: Some(market.funding_rate()),
            next_funding_at: Some(market.next_funding_at),
            volume_24h: Some(volume),
            ts: self.now,
        }
    }

    fn balance(&self, a: usize) -> Balance {
        let acc = &self.accounts[a];
        let (mut margin_used, mut upnl) = (Decimal::ZERO, Decimal::ZERO);
        for (id, p) in &acc.positions {
            if let Some(m) = self.markets.get(id) {
                upnl += p.unrealized(&m.instrument, m.mark());
            }
            margin_used += p.margin;
        }
        for cid in &acc.working {
            margin_used += acc.orders.get(cid).map_or(Decimal::ZERO, |r| r.reserved);
        }
        Balance {
            currency: acc.currency.clone(),
            wallet: acc.wallet.round_dp(8),
            available: (acc.wallet - margin_used).round_dp(8),
            margin_used: margin_used.round_dp(8),
            unrealized_pnl: upnl.round_dp(8),
            equity: (acc.wallet + upnl).round_dp(8),
        }
    }

    fn position(&self, a: usize, id: &InstrumentId) -> Option<Position> {
        let p = self.accounts[a].positions.get(id)?;
        let market = self.markets.get(id)?;
        let side = p.side()?;
        let mark = market.instrument.round_to_tick(market.mark());
        Some(Position {
            instrument: id.clone(),
            side,
            size: p.size.abs(),
            entry_price: market.instrument.round_to_tick(p.entry),
            mark_price: Some(mark),
            margin: p.margin,
            leverage: p.leverage(&market.instrument),
            margin_mode: MarginMode::Isolated,
            liquidation_price: p.liquidation_price(&market.instrument),
            unrealized_pnl: p.unrealized(&market.instrument, mark),
            realized_pnl: p.realized,
            take_profit: p.take_profit,
            stop_loss: p.stop_loss,
            stop_loss_trail: p.stop_loss_trail,
            updated_at: self.now,
        })
    }

    fn emit(&mut self, a: usize, event: AccountEvent) {
        let account = self.accounts[a].id.clone();
        self.events.push(SimEvent::Account { account, event });
    }

    fn emit_order(&mut self, a: usize, cid: &ClientOrderId) {
        if let Some(r) = self.accounts[a].orders.get(cid) {
            let order = r.order.clone();
            self.emit(a, AccountEvent::Order { order });
        }
    }

    fn emit_balance(&mut self, a: usize) {
        let balance = self.balance(a);
        self.emit(a, AccountEvent::Balance { balance });
    }

    fn emit_position(&mut self, a: usize, id: &InstrumentId) {
        match self.position(a, id) {
            Some(position) => self.emit(a, AccountEvent::Position { position }),
            None => self.emit(
                a,
                AccountEvent::PositionClosed {
                    instrument: id.clone(),
                },
            ),
        }
    }
}

/// The exchange's own checks, mirroring what a real venue rejects.
fn validate(request: &OrderRequest, instrument: &Instrument) -> Result<()> {
    let size = request.size;
    if size <= Decimal::ZERO || !instrument.is_on_step(size) {
        return Err(Error::invalid_order(
            "size",
            format!(
                "size must be a positive multiple of {}",
                instrument.size_step
            ),
        ));
    }
    if size < instrument.min_size || size > instrument.max_size {
        return Err(Error::invalid_order(
            "size",
            format!(
                "size must be between {} and {}",
                instrument.min_size, instrument.max_size
            ),
        ));
    }
    let (needs_price, needs_trigger) = match request.order_type {
        OrderType::Market => (false, false),
        OrderType::Limit => (true, false),
        OrderType::Stop => (false, true),
    };
    for (field, value, needed) in [
        ("price", request.price, needs_price),
        ("trigger_price", request.trigger_price, needs_trigger),
    ] {
        match value {
            None if needed => {
                return Err(Error::invalid_order(
                    field,
                    format!("a {field} is required"),
                ));
            }
            Some(v) if v <= Decimal::ZERO || !instrument.is_on_tick(v) => {
                return Err(Error::invalid_order(
                    field,
                    format!(
                        "{field} must be a positive multiple of {}",
                        instrument.price_tick
                    ),
                ));
            }
            _ => {}
        }
    }
    if let Some(leverage) = request.leverage {
        if leverage < Decimal::ONE || leverage > instrument.max_leverage {
            return Err(Error::invalid_order(
                "leverage",
                format!("leverage must be between 1 and {}", instrument.max_leverage),
            ));
        }
    }
    if request.post_only && request.order_type != OrderType::Limit {
        return Err(Error::invalid_order(
            "post_only",
            "post-only applies to limit orders",
        ));
    }
    Ok(())
}

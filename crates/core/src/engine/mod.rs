//! The engine: holds the connected venues, turns their streams into UI frames, tracks
//! orders, and runs every order through the risk checks before it is sent exactly once.
//!
//! Market data: venue stream → [`MarketState`] → one [`MarketFrame`] per frame interval
//! to every subscriber of that instrument. Account data: venue stream → [`OrderTracker`]
//! → every event to every subscriber of that account, immediately.

mod book;
mod bulk;
mod candles;
mod coalescer;
mod feed;
mod health;
mod orders;
mod subscriptions;
#[cfg(test)]
mod tests;

pub use book::{BookError, BookView, OrderBook};
pub use bulk::BulkOutcome;
pub use candles::{CandleSeries, CandleSet, CandleUpdate};
pub use coalescer::Coalescer;
pub use feed::{MarketFrame, MarketState};
pub use health::{LatencyStats, VenueHealth};
pub use orders::{can_transition, Applied, OrderTracker};
pub use subscriptions::SubscriptionId;

use crate::account::{AccountEvent, AccountInfo, AccountSnapshot, PositionSide, StopLoss};
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{AccountId, ClientOrderId, InstrumentId, VenueId};
use crate::instrument::Instrument;
use crate::market::{Candle, Timeframe};
use crate::order::{
    AmendRequest, Order, OrderOutcome, OrderRequest, OrderStatus, OrderTicket, TimeInForce,
};
use crate::risk::{self, RiskLimits};
use crate::venue::{MarketData, Trading};
use futures::StreamExt;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
use subscriptions::Subscribers;
use tokio_util::sync::CancellationToken;

/// Receives market frames; returns false once its receiver is gone.
pub type FrameSink = Arc<dyn Fn(&MarketFrame) -> bool + Send + Sync>;
/// Receives account events; returns false once its receiver is gone.
pub type AccountSink = Arc<dyn Fn(&AccountEvent) -> bool + Send + Sync>;

/// Tunables of the engine.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// At most one frame per instrument per interval (about one display frame).
    pub frame_interval: Duration,
    /// Book levels a side in a frame.
    pub book_depth: usize,
    /// Prints per frame, at most.
    pub tape_len: usize,
    /// Candles kept per timeframe.
    pub candle_capacity: usize,
    /// Delays between reconciliation queries for an order in the unknown state.
    pub reconcile_backoff: Vec<Duration>,
    pub risk: RiskLimits,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            frame_interval: Duration::from_millis(16),
            book_depth: 20,
            tape_len: 50,
            candle_capacity: 20_000,
            reconcile_backoff: [250, 500, 1_000, 2_000, 4_000, 8_000, 16_000]
                .into_iter()
                .map(Duration::from_millis)
                .collect(),
            risk: RiskLimits::default(),
        }
    }
}

struct Account {
    info: AccountInfo,
    trading: Arc<dyn Trading>,
    orders: Mutex<OrderTracker>,
    sinks: Subscribers<AccountSink>,
    stream: Mutex<Option<CancellationToken>>,
    /// Send to answer of the last order request, in ms.
    last_rtt_ms: Mutex<Option<f64>>,
}

struct Feed {
    state: Arc<Mutex<MarketState>>,
    sinks: Arc<Subscribers<FrameSink>>,
    cancel: CancellationToken,
}

struct Inner {
    clock: Arc<dyn Clock>,
    config: EngineConfig,
    risk: RwLock<RiskLimits>,
    markets: RwLock<HashMap<VenueId, Arc<dyn MarketData>>>,
    accounts: RwLock<HashMap<AccountId, Arc<Account>>>,
    instruments: RwLock<HashMap<InstrumentId, Instrument>>,
    feeds: Mutex<HashMap<InstrumentId, Feed>>,
    subscriptions: Mutex<HashMap<SubscriptionId, Subscription>>,
    next_id: AtomicU64,
    shutdown: CancellationToken,
    /// Click-to-send latency of orders placed from a click.
    send_latency: Mutex<health::Latencies>,
}

#[derive(Clone)]
enum Subscription {
    Market(InstrumentId),
    Account(AccountId),
}

/// The trading engine. Cheap to clone; all clones share state.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks cannot leave the data half-written in a
    // way later readers would trust less than a lost update, so poisoning is ignored.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn read<T>(m: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    m.read().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(m: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    m.write().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Engine {
    /// An engine with no venues yet.
    pub fn new(clock: Arc<dyn Clock>, config: EngineConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                clock,
                risk: RwLock::new(config.risk.clone()),
                config,
                markets: RwLock::new(HashMap::new()),
                accounts: RwLock::new(HashMap::new()),
                instruments: RwLock::new(HashMap::new()),
                feeds: Mutex::new(HashMap::new()),
                subscriptions: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(1),
                send_latency: Mutex::new(health::Latencies::new(10_000)),
                shutdown: CancellationToken::new(),
            }),
        }
    }

    /// Registers a venue's public market data.
    pub fn add_market(&self, market: Arc<dyn MarketData>) {
        write(&self.inner.markets).insert(market.venue(), market);
    }

    /// Forgets a venue's market data (its last account was removed). Running feeds end
    /// when their subscribers leave.
    pub fn remove_market(&self, venue: VenueId) {
        write(&self.inner.markets).remove(&venue);
    }

    /// Replaces the limits every order is checked against.
    pub fn set_risk_limits(&self, limits: RiskLimits) {
        *write(&self.inner.risk) = limits;
    }

    /// The limits every order is checked against.
    pub fn risk_limits(&self) -> RiskLimits {
        read(&self.inner.risk).clone()
    }

    /// Registers an account and its trading connection.
    pub fn add_account(&self, info: AccountInfo, trading: Arc<dyn Trading>) {
        let account = Account {
            info: info.clone(),
            trading,
            orders: Mutex::new(OrderTracker::default()),
            sinks: Subscribers::default(),
            stream: Mutex::new(None),
            last_rtt_ms: Mutex::new(None),
        };
        write(&self.inner.accounts).insert(info.id, Arc::new(account));
    }

    /// Removes an account and stops its stream.
    pub fn remove_account(&self, id: &AccountId) {
        if let Some(account) = write(&self.inner.accounts).remove(id) {
            if let Some(cancel) = lock(&account.stream).take() {
                cancel.cancel();
            }
        }
    }

    /// The configured accounts, in the order venues are listed.
    pub fn accounts(&self) -> Vec<AccountInfo> {
        let mut out: Vec<AccountInfo> = read(&self.inner.accounts)
            .values()
            .map(|a| a.info.clone())
            .collect();
        out.sort_by(|a, b| (a.venue, &a.label).cmp(&(b.venue, &b.label)));
        out
    }

    /// The clock the engine runs on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    fn account(&self, id: &AccountId) -> Result<Arc<Account>> {
        read(&self.inner.accounts)
            .get(id)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("no account '{id}'")))
    }

    fn market(&self, venue: VenueId) -> Result<Arc<dyn MarketData>> {
        read(&self.inner.markets)
            .get(&venue)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("{venue} is not connected")))
    }

    /// Instruments of the account's venue (fetched once, then cached).
    pub async fn instruments(&self, account: &AccountId) -> Result<Vec<Instrument>> {
        let venue = self.account(account)?.info.venue;
        let cached: Vec<Instrument> = read(&self.inner.instruments)
            .values()
            .filter(|i| i.id.venue == venue)
            .cloned()
            .collect();
        if !cached.is_empty() {
            let mut cached = cached;
            cached.sort_by(|a, b| a.id.cmp(&b.id));
            return Ok(cached);
        }
        let list = self.market(venue)?.instruments().await?;
        let mut map = write(&self.inner.instruments);
        for i in &list {
            map.insert(i.id.clone(), i.clone());
        }
        Ok(list)
    }

    async fn instrument(&self, account: &AccountId, id: &InstrumentId) -> Result<Instrument> {
        if let Some(i) = read(&self.inner.instruments).get(id) {
            return Ok(i.clone());
        }
        self.instruments(account)
            .await?
            .into_iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| Error::invalid_order("instrument", format!("unknown instrument {id}")))
    }

    /// Candle history before `before`, oldest first, merged with what the live feed built.
    pub async fn candles(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Candle>> {
        let history = self
            .market(instrument.venue)?
            .candles(instrument, timeframe, before, limit)
            .await?;
        let state = lock(&self.inner.feeds)
            .get(instrument)
            .map(|f| f.state.clone());
        let Some(state) = state else {
            return Ok(history);
        };
        let mut state = lock(&state);
        let Some(series) = state.candles_mut().series_mut(timeframe) else {
            return Ok(history);
        };
        series.merge_history(&history);
        Ok(series.range_before(before, limit as usize))
    }

    /// Subscribes `sink` to frames for `instrument`. The first subscriber opens the venue
    /// stream; the last one to leave closes it.
    pub async fn subscribe_market(
        &self,
        instrument: &InstrumentId,
        sink: FrameSink,
    ) -> Result<SubscriptionId> {
        let id = self.next_id();
        let opened = {
            let mut feeds = lock(&self.inner.feeds);
            match feeds.get(instrument) {
                Some(feed) => {
                    feed.sinks.add(id, sink);
                    lock(&feed.state).mark_all_dirty();
                    None
                }
                None => {
                    let cfg = &self.inner.config;
                    let state = Arc::new(Mutex::new(MarketState::new(
                        instrument.clone(),
                        cfg.book_depth,
                        cfg.tape_len,
                        cfg.candle_capacity,
                    )));
                    let sinks = Arc::new(Subscribers::default());
                    sinks.add(id, sink);
                    let cancel = self.inner.shutdown.child_token();
                    feeds.insert(
                        instrument.clone(),
                        Feed {
                            state: state.clone(),
                            sinks: sinks.clone(),
                            cancel: cancel.clone(),
                        },
                    );
                    Some((state, sinks, cancel))
                }
            }
        };
        lock(&self.inner.subscriptions).insert(id, Subscription::Market(instrument.clone()));
        if let Some((state, sinks, cancel)) = opened {
            let stream = match self.market(instrument.venue) {
                Ok(market) => market.subscribe(instrument).await,
                Err(e) => Err(e),
            };
            let stream = match stream {
                Ok(s) => s,
                Err(e) => {
                    lock(&self.inner.feeds).remove(instrument);
                    lock(&self.inner.subscriptions).remove(&id);
                    return Err(e);
                }
            };
            let interval = self.inner.config.frame_interval;
            tokio::spawn(run_feed(
                instrument.clone(),
                stream,
                state,
                sinks,
                cancel,
                interval,
            ));
        }
        Ok(id)
    }

    /// Ends a market or account subscription.
    pub fn unsubscribe(&self, id: SubscriptionId) -> Result<()> {
        let sub = lock(&self.inner.subscriptions)
            .remove(&id)
            .ok_or_else(|| Error::not_found(format!("no subscription {id}")))?;
        match sub {
            Subscription::Market(instrument) => {
                let mut feeds = lock(&self.inner.feeds);
                let empty = feeds.get(&instrument).is_some_and(|f| f.sinks.remove(id));
                if empty {
                    if let Some(feed) = feeds.remove(&instrument) {
                        feed.cancel.cancel();
                    }
                }
            }
            Subscription::Account(account) => {
                if let Ok(a) = self.account(&account) {
                    if a.sinks.remove(id) {
                        if let Some(cancel) = lock(&a.stream).take() {
                            cancel.cancel();
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Subscribes `sink` to every event of `account`, delivered as it happens.
    pub async fn subscribe_account(
        &self,
        account_id: &AccountId,
        sink: AccountSink,
    ) -> Result<SubscriptionId> {
        let account = self.account(account_id)?;
        let id = self.next_id();
        account.sinks.add(id, sink);
        lock(&self.inner.subscriptions).insert(id, Subscription::Account(account_id.clone()));
        let needs_stream = lock(&account.stream).is_none();
        if needs_stream {
            let stream = match account.trading.account_stream().await {
                Ok(s) => s,
                Err(e) => {
                    account.sinks.remove(id);
                    lock(&self.inner.subscriptions).remove(&id);
                    return Err(e);
                }
            };
            let cancel = self.inner.shutdown.child_token();
            let mut slot = lock(&account.stream);
            if slot.is_none() {
                *slot = Some(cancel.clone());
                tokio::spawn(run_account_stream(account.clone(), stream, cancel));
            }
        }
        Ok(id)
    }

    /// Balances, positions, working orders and recent fills of an account.
    pub async fn account_snapshot(&self, account_id: &AccountId) -> Result<AccountSnapshot> {
        let account = self.account(account_id)?;
        let (balances, positions, open_orders, fills) = futures::try_join!(
            account.trading.balances(),
            account.trading.positions(),
            account.trading.open_orders(),
            account.trading.fills(None),
        )?;
        let mut tracker = lock(&account.orders);
        for order in open_orders {
            tracker.apply_order(order);
        }
        for fill in fills {
            tracker.apply_fill(fill);
        }
        Ok(AccountSnapshot {
            balances,
            positions,
            open_orders: tracker.live(),
            fills: tracker.fills().cloned().collect(),
        })
    }

    fn next_id(&self) -> SubscriptionId {
        SubscriptionId(self.inner.next_id.fetch_add(1, Ordering::Relaxed))
    }

    fn next_client_order_id(&self) -> ClientOrderId {
        let n = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let ms = self.inner.clock.now_ms();
        ClientOrderId(format!("k{ms:x}{n:x}"))
    }

    /// Checks and sends an order exactly once. Returns `Err` when the engine refused it
    /// (nothing was sent); otherwise the venue's three-way outcome.
    pub async fn place_order(
        &self,
        account_id: &AccountId,
        ticket: &OrderTicket,
    ) -> Result<OrderOutcome> {
        self.place_order_clicked(account_id, ticket, None).await
    }

    /// `place_order` for an order the user clicked at `clicked_at_ms` (wall-clock ms, as
    /// the web view stamps it): the time from that click to the request leaving is kept
    /// for `order_latency`.
    pub async fn place_order_clicked(
        &self,
        account_id: &AccountId,
        ticket: &OrderTicket,
        clicked_at_ms: Option<f64>,
    ) -> Result<OrderOutcome> {
        let account = self.account(account_id)?;
        if ticket.instrument.venue != account.info.venue {
            return Err(Error::invalid_order(
                "instrument",
                "instrument is not on this account's venue",
            ));
        }
        let instrument = self.instrument(account_id, &ticket.instrument).await?;
        let request = ticket.parse(self.next_client_order_id())?;
        let ticker = lock(&self.inner.feeds)
            .get(&request.instrument)
            .and_then(|f| lock(&f.state).ticker().cloned());
        let now = self.inner.clock.now_ms();
        risk::check_order(
            &request,
            &instrument,
            &account.info.capabilities,
            ticker.as_ref(),
            &read(&self.inner.risk),
            now,
        )?;

        let pending = lock(&account.orders).record_intent(&request, now);
        tracing::info!(account = %account_id, client_order_id = %request.client_order_id,
            instrument = %request.instrument, side = ?request.side, kind = ?request.order_type,
            size = %request.size, price = ?request.price, "sending order");
        account.sinks.emit(&AccountEvent::Order { order: pending });

        let sent_at = health::wall_ms();
        if let Some(clicked) = clicked_at_ms {
            lock(&self.inner.send_latency).push(sent_at - clicked);
        }
        let outcome = account.trading.place_order(&request).await;
        *lock(&account.last_rtt_ms) = Some(health::wall_ms() - sent_at);
        self.settle_outcome(&account, &request.client_order_id, &outcome);
        Ok(outcome)
    }

    /// Click-to-send latency of the orders placed from a click so far.
    pub fn order_latency(&self) -> LatencyStats {
        lock(&self.inner.send_latency).stats()
    }

    /// Every account's feed lag, last order round trip and clock offset.
    pub fn health(&self) -> Vec<VenueHealth> {
        let now = self.inner.clock.now_ms();
        let newest: HashMap<VenueId, i64> =
            lock(&self.inner.feeds)
                .iter()
                .fold(HashMap::new(), |mut acc, (id, feed)| {
                    if let Some(ts) = lock(&feed.state).ticker().map(|t| t.ts) {
                        let e = acc.entry(id.venue).or_insert(ts);
                        *e = (*e).max(ts);
                    }
                    acc
                });
        let markets = read(&self.inner.markets);
        let mut out: Vec<VenueHealth> = read(&self.inner.accounts)
            .values()
            .map(|a| VenueHealth {
                account: a.info.id.clone(),
                venue: a.info.venue,
                feed_lag_ms: newest.get(&a.info.venue).map(|ts| now - ts),
                last_order_rtt_ms: *lock(&a.last_rtt_ms),
                clock_offset_ms: markets.get(&a.info.venue).and_then(|m| m.clock_offset_ms()),
            })
            .collect();
        out.sort_by(|a, b| a.account.as_str().cmp(b.account.as_str()));
        out
    }

    /// Cancels a working order. A "not found" from the venue is reconciled (the order may
    /// have filled) rather than reported as a failure.
    pub async fn cancel_order(
        &self,
        account_id: &AccountId,
        instrument: &InstrumentId,
        id: &ClientOrderId,
    ) -> Result<OrderOutcome> {
        let account = self.account(account_id)?;
        let outcome = account.trading.cancel_order(instrument, id).await;
        if let OrderOutcome::Rejected { error } = &outcome {
            if error.kind == ErrorKind::NotFound {
                if let Ok(Some(order)) = account.trading.order_by_client_id(id).await {
                    self.apply_order(&account, order.clone());
                    return Ok(OrderOutcome::Accepted { order });
                }
            }
        }
        self.settle_outcome(&account, id, &outcome);
        Ok(outcome)
    }

    /// Moves a working order to `price` (and `size`, when given), checked like a new order.
    /// Where the venue amends in place (`Capabilities::amend`) that is one request; a refused
    /// amend leaves the order where it was, an unknown one is reconciled. Elsewhere the order
    /// is cancelled and, only once the cancel is confirmed, placed again under a new client
    /// order id: the outcome then carries the replacement. Never sends anything twice.
    pub async fn amend_order(
        &self,
        account_id: &AccountId,
        id: &ClientOrderId,
        price: Option<Decimal>,
        size: Option<Decimal>,
    ) -> Result<OrderOutcome> {
        let account = self.account(account_id)?;
        let current = lock(&account.orders)
            .get(id)
            .cloned()
            .filter(|o| matches!(o.status, OrderStatus::Open | OrderStatus::PartiallyFilled))
            .ok_or_else(|| Error::invalid_order("order", format!("{id} is not a working order")))?;
        if price.is_none() && size.is_none() {
            return Err(Error::invalid_order("price", "nothing to change"));
        }
        let instrument = self.instrument(account_id, &current.instrument).await?;
        let request = OrderRequest {
            instrument: current.instrument.clone(),
            client_order_id: id.clone(),
            side: current.side,
            order_type: current.order_type,
            size: size.unwrap_or_else(|| current.remaining()),
            price: price.or(current.price),
            trigger_price: current.trigger_price,
            time_in_force: TimeInForce::Gtc,
            reduce_only: current.reduce_only,
            post_only: current.post_only,
            leverage: current.leverage,
            take_profit: None,
            stop_loss: None,
        };
        let ticker = lock(&self.inner.feeds)
            .get(&request.instrument)
            .and_then(|f| lock(&f.state).ticker().cloned());
        let now = self.inner.clock.now_ms();
        risk::check_order(
            &request,
            &instrument,
            &account.info.capabilities,
            ticker.as_ref(),
            &read(&self.inner.risk),
            now,
        )?;
        tracing::info!(account = %account_id, client_order_id = %id, ?price, ?size,
            in_place = account.info.capabilities.amend, "amending order");
        if account.info.capabilities.amend {
            let amend = AmendRequest {
                instrument: current.instrument.clone(),
                client_order_id: id.clone(),
                order_id: current.id.clone(),
                price,
                trigger_price: None,
                size,
            };
            let outcome = account.trading.amend_order(&amend).await;
            match &outcome {
                OrderOutcome::Accepted { order } => self.apply_order(&account, order.clone()),
                OrderOutcome::Rejected { error } => {
                    tracing::info!(client_order_id = %id, error = %error.message, "amend refused; the order stays")
                }
                OrderOutcome::Unknown { reason, .. } => {
                    let marked = lock(&account.orders).mark_unknown(id, reason, now);
                    if let Some(order) = marked {
                        account.sinks.emit(&AccountEvent::Order { order });
                    }
                    self.spawn_reconcile(&account, id);
                }
            }
            return Ok(outcome);
        }
        // Cancel, then replace: the replacement goes out only after a confirmed cancel.
        match self
            .cancel_order(account_id, &current.instrument, id)
            .await?
        {
            OrderOutcome::Accepted { order } if order.status == OrderStatus::Cancelled => {}
            OrderOutcome::Accepted { order } => {
                return Ok(OrderOutcome::Rejected {
                    error: Error::invalid_order(
                        "order",
                        format!("the order is {:?} and can no longer move", order.status)
                            .to_lowercase(),
                    ),
                })
            }
            other => return Ok(other),
        }
        let replacement = OrderRequest {
            client_order_id: self.next_client_order_id(),
            ..request
        };
        let pending = lock(&account.orders).record_intent(&replacement, now);
        account.sinks.emit(&AccountEvent::Order { order: pending });
        let outcome = account.trading.place_order(&replacement).await;
        self.settle_outcome(&account, &replacement.client_order_id, &outcome);
        Ok(outcome)
    }

    /// Closes the position in `instrument` at market.
    pub async fn close_position(
        &self,
        account_id: &AccountId,
        instrument: &InstrumentId,
    ) -> Result<OrderOutcome> {
        let account = self.account(account_id)?;
        let outcome = account.trading.close_position(instrument).await;
        if let OrderOutcome::Accepted { order } = &outcome {
            self.apply_order(&account, order.clone());
        }
        Ok(outcome)
    }

    /// Sets or removes the take-profit and stop-loss of a position. Prices must be on the
    /// instrument's tick; a take-profit on the profit side of the entry (a long's above
    /// it), a stop-loss on the losing side of the current price (a long's below the mark,
    /// so a stop can lock in profit above the entry). The venue checks its own rules too.
    pub async fn set_tp_sl(
        &self,
        account_id: &AccountId,
        instrument: &InstrumentId,
        side: PositionSide,
        take_profit: Option<Decimal>,
        stop_loss: Option<StopLoss>,
    ) -> Result<()> {
        let account = self.account(account_id)?;
        let caps = &account.info.capabilities;
        if !caps.position_tp_sl {
            return Err(Error::unsupported(format!(
                "{} has no take-profit or stop-loss on positions",
                account.info.venue
            )));
        }
        if stop_loss.is_some_and(|s| s.trailing) && !caps.trailing_stop {
            return Err(Error::invalid_order(
                "stop_loss",
                format!("{} has no trailing stop-loss", account.info.venue),
            ));
        }
        let spec = self.instrument(account_id, instrument).await?;
        let sl_price = stop_loss.map(|s| s.price);
        for (field, price) in [("take_profit", take_profit), ("stop_loss", sl_price)] {
            if let Some(p) = price {
                if p <= Decimal::ZERO || !spec.is_on_tick(p) {
                    return Err(Error::invalid_order(
                        field,
                        format!("{p} is not a price on the {} tick", spec.price_tick),
                    ));
                }
            }
        }
        let position = account
            .trading
            .positions()
            .await?
            .into_iter()
            .find(|p| &p.instrument == instrument && p.side == side)
            .ok_or_else(|| {
                Error::not_found(format!("no {side:?} position in {instrument}").to_lowercase())
            })?;
        let entry = position.entry_price;
        let now = position.mark_price.unwrap_or(entry);
        let long = side == PositionSide::Long;
        let (way, against) = if long {
            ("above", "below")
        } else {
            ("below", "above")
        };
        let profit_side = |p: Decimal, of: Decimal| if long { p > of } else { p < of };
        if let Some(tp) = take_profit.filter(|tp| !profit_side(*tp, entry)) {
            return Err(Error::invalid_order(
                "take_profit",
                format!("a {side:?} take-profit must be {way} the entry price {entry}, not {tp}")
                    .to_lowercase(),
            ));
        }
        if let Some(sl) = sl_price.filter(|sl| profit_side(*sl, now) || *sl == now) {
            return Err(Error::invalid_order(
                "stop_loss",
                format!("a {side:?} stop-loss must be {against} the current price {now}, not {sl}")
                    .to_lowercase(),
            ));
        }
        tracing::info!(account = %account_id, %instrument, ?side, ?take_profit, ?stop_loss, "setting TP/SL");
        account
            .trading
            .set_tp_sl(instrument, side, take_profit, stop_loss)
            .await?;
        self.refresh_positions(&account, instrument).await;
        Ok(())
    }

    /// Adds isolated margin to a position (settle currency).
    pub async fn add_margin(
        &self,
        account_id: &AccountId,
        instrument: &InstrumentId,
        side: PositionSide,
        amount: Decimal,
    ) -> Result<()> {
        let account = self.account(account_id)?;
        if !account.info.capabilities.adjust_margin {
            return Err(Error::unsupported(format!(
                "{} cannot add margin to a position",
                account.info.venue
            )));
        }
        if amount <= Decimal::ZERO {
            return Err(Error::invalid_order(
                "amount",
                "add a positive amount of margin",
            ));
        }
        tracing::info!(account = %account_id, %instrument, ?side, %amount, "adding margin");
        account.trading.add_margin(instrument, side, amount).await?;
        self.refresh_positions(&account, instrument).await;
        Ok(())
    }

    /// Reads the account's positions in `instrument` from the venue and sends them to its
    /// subscribers: after a venue-only action (such as a cash-in) changed them.
    pub async fn publish_positions(
        &self,
        account_id: &AccountId,
        instrument: &InstrumentId,
    ) -> Result<()> {
        let account = self.account(account_id)?;
        self.refresh_positions(&account, instrument).await;
        Ok(())
    }

    /// Reads the account's balances from the venue and sends them to its subscribers:
    /// after money moved outside trading (a deposit or withdrawal).
    pub async fn publish_balances(&self, account_id: &AccountId) -> Result<()> {
        let account = self.account(account_id)?;
        for balance in account.trading.balances().await? {
            account.sinks.emit(&AccountEvent::Balance { balance });
        }
        Ok(())
    }

    /// Sends the venue's current positions in `instrument` to the account's subscribers
    /// (the stream will too, but the user who just acted sees it at once).
    async fn refresh_positions(&self, account: &Arc<Account>, instrument: &InstrumentId) {
        match account.trading.positions().await {
            Ok(positions) => {
                for position in positions
                    .into_iter()
                    .filter(|p| &p.instrument == instrument)
                {
                    account.sinks.emit(&AccountEvent::Position { position });
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not refresh positions"),
        }
    }

    fn settle_outcome(&self, account: &Arc<Account>, id: &ClientOrderId, outcome: &OrderOutcome) {
        let now = self.inner.clock.now_ms();
        match outcome {
            OrderOutcome::Accepted { order } => self.apply_order(account, order.clone()),
            OrderOutcome::Rejected { error } => {
                let rejected = lock(&account.orders).reject(id, &error.message, now);
                if let Some(order) = rejected {
                    account.sinks.emit(&AccountEvent::Order { order });
                }
            }
            OrderOutcome::Unknown { reason, .. } => {
                tracing::warn!(client_order_id = %id, %reason, "order outcome unknown; reconciling");
                // A new order (pending) or a working one whose cancel got no answer: either
                // way it is unknown until the venue says.
                let changed = {
                    let mut orders = lock(&account.orders);
                    match orders.apply_outcome(outcome, now) {
                        Some((order, Applied::Changed)) => Some(order),
                        _ => orders.mark_unknown(id, reason, now),
                    }
                };
                if let Some(order) = changed {
                    account.sinks.emit(&AccountEvent::Order { order });
                }
                self.spawn_reconcile(account, id);
            }
        }
    }

    /// Asks the venue about an order in the unknown state until it answers.
    fn spawn_reconcile(&self, account: &Arc<Account>, id: &ClientOrderId) {
        let backoff = self.inner.config.reconcile_backoff.clone();
        let cancel = self.inner.shutdown.child_token();
        let clock = self.inner.clock.clone();
        tokio::spawn(reconcile(
            account.clone(),
            id.clone(),
            backoff,
            clock,
            cancel,
        ));
    }

    fn apply_order(&self, account: &Arc<Account>, order: Order) {
        let applied = lock(&account.orders).apply_order(order.clone());
        if applied == Applied::Changed {
            account.sinks.emit(&AccountEvent::Order { order });
        }
    }

    /// Orders of an account as the engine tracks them (working, pending and unknown).
    pub fn tracked_orders(&self, account_id: &AccountId) -> Result<Vec<Order>> {
        Ok(lock(&self.account(account_id)?.orders).live())
    }

    /// Stops every stream and background task.
    pub fn shutdown(&self) {
        self.inner.shutdown.cancel();
    }
}

async fn run_feed(
    instrument: InstrumentId,
    mut stream: crate::venue::MarketStream,
    state: Arc<Mutex<MarketState>>,
    sinks: Arc<Subscribers<FrameSink>>,
    cancel: CancellationToken,
    interval: Duration,
) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            biased;
            () = cancel.cancelled() => break,
            _ = ticker.tick() => {
                let frame = lock(&state).take_frame();
                if let Some(frame) = frame {
                    sinks.emit(&frame);
                }
            }
            event = stream.next() => match event {
                Some(event) => lock(&state).apply(event),
                None => {
                    tracing::info!(%instrument, "market stream ended");
                    lock(&state).apply(crate::market::MarketEvent::Status {
                        instrument: instrument.clone(),
                        status: crate::market::StreamStatus::Closed,
                    });
                    if let Some(frame) = lock(&state).take_frame() {
                        sinks.emit(&frame);
                    }
                    break;
                }
            },
        }
    }
}

async fn run_account_stream(
    account: Arc<Account>,
    mut stream: crate::venue::AccountStream,
    cancel: CancellationToken,
) {
    loop {
        let event = tokio::select! {
            () = cancel.cancelled() => break,
            event = stream.next() => event,
        };
        let Some(event) = event else {
            account.sinks.emit(&AccountEvent::Status {
                status: crate::market::StreamStatus::Closed,
            });
            break;
        };
        let forward = match &event {
            AccountEvent::Order { order } => {
                lock(&account.orders).apply_order(order.clone()) == Applied::Changed
            }
            AccountEvent::Fill { fill } => lock(&account.orders).apply_fill(fill.clone()),
            _ => true,
        };
        if forward {
            account.sinks.emit(&event);
        }
    }
}

/// Asks the venue about an order whose outcome is unknown until it answers.
async fn reconcile(
    account: Arc<Account>,
    id: ClientOrderId,
    backoff: Vec<Duration>,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
) {
    for delay in backoff {
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(delay) => {}
        }
        let resolved = lock(&account.orders)
            .get(&id)
            .is_none_or(|o| o.status != OrderStatus::Unknown);
        if resolved {
            return;
        }
        match account.trading.order_by_client_id(&id).await {
            Ok(Some(order)) => {
                tracing::info!(client_order_id = %id, status = ?order.status, "reconciled");
                let applied = lock(&account.orders).apply_order(order.clone());
                if applied == Applied::Changed {
                    account.sinks.emit(&AccountEvent::Order { order });
                }
                return;
            }
            Ok(None) => {}
            Err(e) => tracing::warn!(client_order_id = %id, error = %e, "reconcile query failed"),
        }
    }
    // The venue has no record after every attempt: the request never reached it.
    let now = clock.now_ms();
    let rejected = lock(&account.orders).reject(&id, "the venue never received this order", now);
    if let Some(order) = rejected {
        account.sinks.emit(&AccountEvent::Order { order });
    }
}

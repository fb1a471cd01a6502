//! LMEX (BTSE's futures API v2.3, NOTES.md §2; the subset spoken is docs/venues/lmex-wire.md):
//! linear USDT-margined perpetuals in integer contracts, an L2 book with sequenced deltas,
//! HMAC-SHA384.
//!
//! Choices where BTSE's documentation is silent (easy to change after a testnet check):
//! - the account trades in the cross wallet (`CROSS@`, one-way positions); leverage is set
//!   per symbol with `marginMode: CROSS` when an order asks for a different one;
//! - orders are looked up and amended by our client id (`clOrderID`);
//! - the market stream keeps its own copy of the book to check each delta: a gap or a crossed
//!   book marks it resyncing and resubscribes, which brings a fresh snapshot;
//! - the dead-man switch (`cancelAllAfter`) is re-armed at a third of its timeout while the
//!   account stream runs, when the account asks for it.

pub mod auth;
pub mod candles;
pub mod extras;
pub mod map;
pub mod rest;
pub mod wire;
pub mod ws;

use crate::net::{CallError, ClockOffset, ReconnectingSocket, WsConfig, WsEvent};
use async_trait::async_trait;
use auth::LmexCredentials;
use futures::stream::{self, StreamExt};
use kestrel_core::engine::OrderBook;
use kestrel_core::{
    AccountEvent, AccountId, AccountInfo, AccountStream, AmendRequest, Balance, Candle,
    Capabilities, ClientOrderId, Clock, Error, ErrorKind, Fill, Instrument, InstrumentId,
    MarketData, MarketEvent, MarketStream, Network, Order, OrderId, OrderOutcome, OrderRequest,
    OrderType, Position, PositionSide, Result, Side, StopLoss, StreamStatus, Ticker, Timeframe,
    Trading, VenueId,
};
use map::AckVerdict;
use rest::{Amend, LmexRest, NewOrder};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wire::{LmexBookUpdate, LmexFill, LmexOrder, LmexOrderAck, LmexPosition, LmexTrade};

/// Fills read per page of trade history.
const FILLS_PAGE: u32 = 500;
/// How often the market stream re-reads the market summary (mark, funding, volume).
const SUMMARY_EVERY: Duration = Duration::from_secs(5);
/// How long a resubscribed book may wait for its snapshot before asking again.
const RESYNC_PATIENCE: Duration = Duration::from_secs(5);
/// Levels per side of the book's first read.
const BOOK_DEPTH: u32 = 50;

/// Where an account connects and with what.
#[derive(Clone, Debug)]
pub struct LmexConfig {
    pub account: AccountId,
    pub label: String,
    pub network: Network,
    /// REST mount, e.g. [`rest::MAINNET`].
    pub rest_url: String,
    /// WebSocket host, e.g. [`ws::MAINNET`]; `/ws/futures` and `/ws/oss/futures` are appended.
    pub ws_url: String,
    pub credentials: Option<LmexCredentials>,
    /// An `Origin` header for the sockets, if the venue wants one.
    pub origin: Option<String>,
    /// Arms the venue's dead-man switch with this timeout while the account is connected.
    pub cancel_all_after: Option<Duration>,
}

impl LmexConfig {
    /// The production or test network endpoints for `network`.
    pub fn for_network(
        account: AccountId,
        label: String,
        network: Network,
        credentials: Option<LmexCredentials>,
    ) -> Self {
        let (rest_url, ws_url) = match network {
            Network::Mainnet => (rest::MAINNET, ws::MAINNET),
            Network::Testnet => (rest::TESTNET, ws::TESTNET),
        };
        Self {
            account,
            label,
            network,
            rest_url: rest_url.into(),
            ws_url: ws_url.into(),
            credentials,
            origin: None,
            cancel_all_after: None,
        }
    }
}

/// One LMEX account (or public data only, without credentials).
#[derive(Clone)]
pub struct Lmex {
    config: LmexConfig,
    rest: Arc<LmexRest>,
    clock: Arc<ClockOffset>,
    /// Instruments by symbol, read once.
    markets: Arc<Mutex<HashMap<String, Instrument>>>,
    /// The leverage last set per symbol.
    leverage: Arc<Mutex<HashMap<String, Decimal>>>,
    /// How the dead-man switch's re-arming goes.
    dead_man: Arc<Mutex<extras::LmexDeadMan>>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The ack that answers a change (`ours`: the client id it is for), or the outcome to report
/// instead: a refusal, or an unknown outcome for an answer that does not say. With
/// `not_found_is_unknown` a "not found" is unknown too (an amended order may have filled).
fn settle(
    sent: std::result::Result<Vec<LmexOrderAck>, CallError>,
    cid: &ClientOrderId,
    ours: Option<&str>,
    not_found_is_unknown: bool,
) -> std::result::Result<LmexOrderAck, Box<OrderOutcome>> {
    let acks = sent.map_err(|e| Box::new(outcome_of(cid, e)))?;
    let ack = rest::pick_ack(acks, ours).map_err(|e| Box::new(outcome_of(cid, e)))?;
    let unknown = |reason: String| {
        Box::new(OrderOutcome::Unknown {
            client_order_id: cid.clone(),
            reason,
        })
    };
    match map::ack_verdict(&ack) {
        AckVerdict::Done => Ok(ack),
        AckVerdict::Refused(e) if not_found_is_unknown && e.kind == ErrorKind::NotFound => {
            Err(unknown(e.message))
        }
        AckVerdict::Refused(error) => Err(Box::new(OrderOutcome::Rejected { error })),
        AckVerdict::Unclear(reason) => Err(unknown(reason)),
    }
}

fn outcome_of(client_order_id: &ClientOrderId, e: CallError) -> OrderOutcome {
    match e {
        CallError::Unknown(reason) => OrderOutcome::Unknown {
            client_order_id: client_order_id.clone(),
            reason,
        },
        CallError::Failed(error) => OrderOutcome::Rejected { error },
    }
}

impl Lmex {
    /// A connector for `config`; nothing is sent until asked.
    pub fn new(config: LmexConfig, clock: Arc<dyn Clock>) -> Result<Arc<Self>> {
        let clock = Arc::new(ClockOffset::new(clock));
        let rest = Arc::new(LmexRest::new(
            &config.rest_url,
            config.credentials.clone(),
            clock.clone(),
        )?);
        Ok(Arc::new(Self {
            config,
            rest,
            clock,
            markets: Arc::default(),
            leverage: Arc::default(),
            dead_man: Arc::default(),
        }))
    }

    /// The account as the UI lists it.
    pub fn account_info(&self) -> AccountInfo {
        AccountInfo {
            id: self.config.account.clone(),
            venue: VenueId::Lmex,
            label: self.config.label.clone(),
            network: self.config.network,
            capabilities: self.capabilities(),
        }
    }

    /// Measures the clock offset, then makes one authenticated call: the "test connection"
    /// button. Returns the balance.
    pub async fn test_connection(&self) -> Result<Balance> {
        let symbol = self.any_symbol().await?;
        self.rest.book(&symbol, 1).await?;
        let wallets = self.rest.wallet().await?;
        Ok(map::balance(&wallets))
    }

    async fn any_symbol(&self) -> Result<String> {
        if let Some(s) = lock(&self.markets).keys().next() {
            return Ok(s.clone());
        }
        self.instruments()
            .await?
            .first()
            .map(|i| i.id.symbol.as_str().to_owned())
            .ok_or_else(|| Error::protocol("LMEX lists no markets"))
    }

    /// The instrument `symbol`, from the cache or a fresh market summary.
    async fn instrument(&self, symbol: &str) -> Result<Instrument> {
        if let Some(i) = lock(&self.markets).get(symbol) {
            return Ok(i.clone());
        }
        self.instruments().await?;
        lock(&self.markets)
            .get(symbol)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("LMEX has no {symbol}")))
    }

    fn contract_size(&self, symbol: &str) -> Decimal {
        lock(&self.markets)
            .get(symbol)
            .map_or(Decimal::ONE, |i| i.contract_size)
    }

    /// `size` as whole contracts within the instrument's limits.
    fn contracts(instrument: &Instrument, size: Decimal) -> Result<u64> {
        let field = |m: String| Error::invalid_order("size", m);
        if !size.fract().is_zero() || !instrument.is_on_step(size) {
            return Err(field(format!(
                "LMEX sizes are whole contracts (of {} {}); {size} is not",
                instrument.contract_size.normalize(),
                instrument.base
            )));
        }
        if size < instrument.min_size || size > instrument.max_size {
            return Err(field(format!(
                "size must be between {} and {} contracts",
                instrument.min_size, instrument.max_size
            )));
        }
        size.to_u64()
            .ok_or_else(|| field(format!("{size} is not a contract count")))
    }

    /// Sets the symbol's leverage when the order asks for one it does not have yet.
    async fn ensure_leverage(&self, symbol: &str, wanted: Option<Decimal>) -> Result<()> {
        let Some(wanted) = wanted.filter(|l| *l > Decimal::ZERO) else {
            return Ok(());
        };
        if lock(&self.leverage).get(symbol) == Some(&wanted) {
            return Ok(());
        }
        self.rest.set_leverage(symbol, wanted).await?;
        lock(&self.leverage).insert(symbol.to_owned(), wanted);
        Ok(())
    }

    fn positions_of(&self, rows: &[LmexPosition]) -> Result<Vec<Position>> {
        let now = self.clock.now_ms();
        let mut out = Vec::new();
        for row in rows {
            if let Some(p) = map::position(row, self.contract_size(&row.symbol), now)? {
                out.push(p);
            }
        }
        Ok(out)
    }

    /// The order as the venue answered it: the request's record with the ack's state.
    fn acked(&self, mut order: Order, ack: &LmexOrder) -> Order {
        let now = self.clock.now_ms();
        if let Ok(from_venue) = map::order(ack, now) {
            order.status = from_venue.status;
            order.filled_size = from_venue.filled_size;
            order.avg_fill_price = from_venue.avg_fill_price.or(order.avg_fill_price);
            order.id = from_venue.id.or(order.id);
            if from_venue.price.is_some() && order.order_type != OrderType::Market {
                order.price = from_venue.price;
            }
            order.size = from_venue.size;
            order.created_at = from_venue.created_at;
        } else {
            order.id = ack.order_id.clone().map(OrderId).or(order.id);
            if let Some(status) = ack.status.and_then(map::order_status) {
                order.status = status;
            }
        }
        order.updated_at = now;
        order
    }

    /// The order named `id`, from the venue (for answers that do not carry it whole).
    async fn current(&self, id: &ClientOrderId) -> Result<Order> {
        let row = self
            .rest
            .order_by_client_id(id.as_str())
            .await?
            .ok_or_else(|| Error::not_found(format!("LMEX does not know order {id}")))?;
        map::order(&row, self.clock.now_ms())
    }

    /// Keeps the dead-man switch armed while `alive` is held.
    /// Each re-arm gets a third of the timeout and skips any 429 backoff, so one slow or
    /// refused call leaves two more chances before the switch lapses.
    fn arm_dead_man(&self) -> Option<tokio::task::JoinHandle<()>> {
        let timeout = self.config.cancel_all_after?.max(Duration::from_secs(1));
        let ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        let period = timeout / 3;
        let rest = self.rest.clone();
        let clock = self.clock.clone();
        let state = self.dead_man.clone();
        Some(tokio::spawn(async move {
            let mut every = tokio::time::interval(period);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                every.tick().await;
                let failed = match tokio::time::timeout(period, rest.cancel_all_after(ms)).await {
                    Ok(Ok(_)) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(_) => Some(format!("no answer within {period:?}")),
                };
                let mut s = lock(&state);
                match failed {
                    None => {
                        s.armed_at = Some(clock.now_ms());
                        s.last_error = None;
                    }
                    Some(why) => {
                        tracing::warn!(error = %why, "LMEX dead-man switch not re-armed");
                        s.last_error = Some(why);
                    }
                }
            }
        }))
    }

    /// The dead-man switch as the LMEX panel shows it.
    pub fn dead_man_state(&self) -> extras::LmexDeadMan {
        extras::LmexDeadMan {
            timeout_s: self.config.cancel_all_after.map(|d| d.as_secs()),
            ..lock(&self.dead_man).clone()
        }
    }
}

#[async_trait]
impl MarketData for Lmex {
    fn venue(&self) -> VenueId {
        VenueId::Lmex
    }

    fn clock_offset_ms(&self) -> Option<i64> {
        Some(self.clock.offset_ms())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            order_types: vec![OrderType::Market, OrderType::Limit, OrderType::Stop],
            reduce_only: true,
            post_only: true,
            amend: true,
            position_tp_sl: true,
            trailing_stop: true,
            attached_tp_sl: true,
            adjust_margin: false,
            cash_in: false,
            cross_margin: true,
            isolated_margin: false,
            book_depth: BOOK_DEPTH,
            private_stream: true,
            query_by_client_id: true,
            simulated: false,
        }
    }

    async fn instruments(&self) -> Result<Vec<Instrument>> {
        let markets = self.rest.markets(None).await?;
        let list: Vec<Instrument> = markets
            .iter()
            .filter(|m| m.active && !m.contract_size.is_zero())
            .map(map::instrument)
            .collect();
        let mut cache = lock(&self.markets);
        for i in &list {
            cache.insert(i.id.symbol.as_str().to_owned(), i.clone());
        }
        Ok(list)
    }

    async fn candles(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Candle>> {
        let symbol = self
            .instrument(instrument.symbol.as_str())
            .await?
            .id
            .symbol
            .as_str()
            .to_owned();
        let to = before.unwrap_or_else(|| self.clock.now_ms() + timeframe.millis());
        candles::fetch(&self.rest, &symbol, timeframe, to, limit).await
    }

    async fn subscribe(&self, instrument: &InstrumentId) -> Result<MarketStream> {
        let symbol = self
            .instrument(instrument.symbol.as_str())
            .await?
            .id
            .symbol
            .as_str()
            .to_owned();
        let summary = self.rest.markets(Some(&symbol)).await?;
        let now = self.clock.now_ms();
        let ticker = summary
            .iter()
            .find(|m| m.symbol == symbol)
            .map(|m| map::ticker(m, now))
            .ok_or_else(|| Error::not_found(format!("LMEX has no {symbol}")))?;
        let book_topic = ws::book_topic(&symbol);
        let trades_topic = ws::trades_topic(&symbol);
        let (book_socket, book_events) = {
            let topic = book_topic.clone();
            ReconnectingSocket::spawn(
                self.socket_config(ws::BOOK_PATH),
                Arc::new(move || vec![ws::subscribe(&[topic.as_str()])]),
            )
        };
        let (trade_socket, trade_events) = {
            let topic = trades_topic.clone();
            ReconnectingSocket::spawn(
                self.socket_config(ws::MAIN_PATH),
                Arc::new(move || vec![ws::subscribe(&[topic.as_str()])]),
            )
        };
        let (summary_tx, summaries) = tokio::sync::mpsc::channel(4);
        let poller = AbortOnDrop(tokio::spawn(poll_summary(
            self.rest.clone(),
            self.clock.clone(),
            symbol.clone(),
            summary_tx,
        )));
        let mut watchdog = tokio::time::interval(Duration::from_secs(1));
        watchdog.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let state = MarketCursor {
            instrument: instrument.clone(),
            symbol,
            book_topic,
            trades_topic,
            book_socket,
            _trade_socket: trade_socket,
            book_events,
            trade_events,
            queued: VecDeque::from([MarketEvent::Status {
                instrument: instrument.clone(),
                status: StreamStatus::Connecting,
            }]),
            book: OrderBook::default(),
            ticker,
            summaries,
            _poller: poller,
            watchdog,
            resyncing_since: None,
            resyncs: 0,
        };
        Ok(stream::unfold(state, |mut s| async move {
            loop {
                if let Some(e) = s.queued.pop_front() {
                    return Some((e, s));
                }
                tokio::select! {
                    e = s.book_events.recv() => s.on_book(e?),
                    e = s.trade_events.recv() => s.on_trades(e?),
                    Some(fresh) = s.summaries.recv() => s.on_summary(&fresh),
                    _ = s.watchdog.tick() => s.check_resync(),
                }
            }
        })
        .boxed())
    }
}

impl Lmex {
    fn socket_config(&self, path: &str) -> WsConfig {
        let mut c = WsConfig::new(ws::url(&self.config.ws_url, path));
        c.ping_text = Some("ping".into());
        c.origin.clone_from(&self.config.origin);
        // BTSE drops sockets idle for 60 s; a pong comes back to every ping.
        c.stale_after = Duration::from_secs(40);
        c
    }
}

/// The market stream's state; holding the sockets keeps them open.
struct MarketCursor {
    instrument: InstrumentId,
    symbol: String,
    book_topic: String,
    trades_topic: String,
    book_socket: ReconnectingSocket,
    _trade_socket: ReconnectingSocket,
    book_events: tokio::sync::mpsc::Receiver<WsEvent>,
    trade_events: tokio::sync::mpsc::Receiver<WsEvent>,
    queued: VecDeque<MarketEvent>,
    /// Our copy of the venue's book, to check every delta.
    book: OrderBook,
    ticker: Ticker,
    /// Mark, index, funding and volume, read by a task of their own so the stream never
    /// waits on REST.
    summaries: tokio::sync::mpsc::Receiver<Ticker>,
    _poller: AbortOnDrop,
    watchdog: tokio::time::Interval,
    /// When the book was found broken, until its snapshot arrives.
    resyncing_since: Option<tokio::time::Instant>,
    /// Times the book was found broken and re-snapshotted.
    resyncs: u64,
}

impl MarketCursor {
    fn status(&mut self, status: StreamStatus) {
        self.queued.push_back(MarketEvent::Status {
            instrument: self.instrument.clone(),
            status,
        });
    }

    fn on_book(&mut self, event: WsEvent) {
        match event {
            // Live once the snapshot arrives.
            WsEvent::Open => {}
            WsEvent::Closed { .. } => {
                // The levels on screen are no longer kept: clear them, then say why.
                self.book.invalidate();
                self.resyncing_since = None;
                self.status(StreamStatus::Resyncing);
                self.status(StreamStatus::Reconnecting);
            }
            WsEvent::Text(text) => match ws::parse_book(&text) {
                Some(push) if push.topic == self.book_topic => self.on_book_update(&push.data),
                _ => self.on_book_frame(&text),
            },
        }
    }

    fn on_book_frame(&mut self, text: &str) {
        match ws::parse(text) {
            Ok(ws::Frame::Push { topic, data }) if topic == self.book_topic => {
                match serde_json::from_value::<LmexBookUpdate>(data) {
                    Ok(update) => self.on_book_update(&update),
                    Err(e) => {
                        tracing::warn!(error = %e, "unreadable LMEX book message; resyncing");
                        self.resync();
                    }
                }
            }
            Ok(ws::Frame::Event { event, message }) if event == "error" => {
                tracing::warn!(?message, "LMEX book socket error");
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "skipping an LMEX book frame"),
        }
    }

    fn on_book_update(&mut self, update: &LmexBookUpdate) {
        match map::book_message(&self.instrument, update) {
            map::BookMessage::Snapshot(snapshot) => {
                self.resyncing_since = None;
                self.book.apply_snapshot(&snapshot);
                self.queued.push_back(MarketEvent::BookSnapshot(snapshot));
                self.status(StreamStatus::Live);
                self.quote_changed(update.timestamp);
            }
            map::BookMessage::Delta(delta) => {
                if self.book.status() != StreamStatus::Live {
                    // Deltas of a broken book wait for the snapshot the resubscribe brings.
                    return;
                }
                match self.book.apply_delta(&delta) {
                    Ok(()) => {
                        self.queued.push_back(MarketEvent::BookDelta(delta));
                        self.quote_changed(update.timestamp);
                    }
                    Err(e) => {
                        tracing::info!(symbol = %self.symbol, error = ?e, "LMEX book broken; resubscribing");
                        self.resync();
                    }
                }
            }
        }
    }

    /// Marks the book resyncing and asks the venue for a fresh snapshot, once: more broken
    /// messages while it comes do not ask again (the watchdog does, if it never comes).
    fn resync(&mut self) {
        if self.resyncing_since.is_some() {
            return;
        }
        self.resyncs += 1;
        self.resyncing_since = Some(tokio::time::Instant::now());
        self.book.invalidate();
        self.status(StreamStatus::Resyncing);
        self.resubscribe();
    }

    fn resubscribe(&self) {
        let topic = [self.book_topic.as_str()];
        self.book_socket.send(ws::unsubscribe(&topic));
        self.book_socket.send(ws::subscribe(&topic));
    }

    /// A snapshot asked for and not arriving is asked for again.
    fn check_resync(&mut self) {
        if let Some(since) = self.resyncing_since {
            if since.elapsed() > RESYNC_PATIENCE {
                tracing::info!(symbol = %self.symbol, resyncs = self.resyncs, "LMEX snapshot overdue; asking again");
                self.resyncing_since = Some(tokio::time::Instant::now());
                self.resubscribe();
            }
        }
    }

    fn on_summary(&mut self, fresh: &Ticker) {
        self.ticker.mark = fresh.mark.or(self.ticker.mark);
        self.ticker.index = fresh.index.or(self.ticker.index);
        self.ticker.funding_rate = fresh.funding_rate.or(self.ticker.funding_rate);
        self.ticker.next_funding_at = fresh.next_funding_at.or(self.ticker.next_funding_at);
        self.ticker.volume_24h = fresh.volume_24h.or(self.ticker.volume_24h);
        if self.ticker.last.is_none() {
            self.ticker.last = fresh.last;
        }
        self.queued
            .push_back(MarketEvent::Ticker(self.ticker.clone()));
    }

    fn quote_changed(&mut self, ts: i64) {
        let bid = self.book.best_bid().map(|l| l.price);
        let ask = self.book.best_ask().map(|l| l.price);
        if bid != self.ticker.bid || ask != self.ticker.ask {
            self.ticker.bid = bid;
            self.ticker.ask = ask;
            self.ticker.ts = ts;
            self.queued
                .push_back(MarketEvent::Ticker(self.ticker.clone()));
        }
    }

    fn on_trades(&mut self, event: WsEvent) {
        let WsEvent::Text(text) = event else {
            return;
        };
        match ws::parse(&text) {
            Ok(ws::Frame::Push { topic, data }) if topic == self.trades_topic => {
                match serde_json::from_value::<Vec<LmexTrade>>(data) {
                    Ok(mut trades) => {
                        trades.sort_by_key(|t| t.timestamp);
                        for t in &trades {
                            if let Some(trade) = map::trade(&self.symbol, t) {
                                self.ticker.last = Some(trade.price);
                                self.ticker.ts = trade.ts;
                                self.queued.push_back(MarketEvent::Trade(trade));
                            }
                        }
                        if !trades.is_empty() {
                            self.queued
                                .push_back(MarketEvent::Ticker(self.ticker.clone()));
                        }
                    }
                    Err(e) => tracing::debug!(error = %e, "skipping an LMEX trades push"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "skipping an LMEX frame"),
        }
    }
}

/// Reads the market summary and prices every few seconds, for the market stream.
async fn poll_summary(
    rest: Arc<LmexRest>,
    clock: Arc<ClockOffset>,
    symbol: String,
    out: tokio::sync::mpsc::Sender<Ticker>,
) {
    let mut every = tokio::time::interval(SUMMARY_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        let mut fresh = match rest.markets(Some(&symbol)).await {
            Ok(markets) => match markets.iter().find(|m| m.symbol == symbol) {
                Some(m) => map::ticker(m, clock.now_ms()),
                None => continue,
            },
            Err(e) => {
                tracing::debug!(error = %e, "LMEX market summary not refreshed");
                continue;
            }
        };
        // The summary's `last` is no mark: the mark and index come from `price`.
        fresh.mark = None;
        match rest.price(&symbol).await {
            Ok(Some(p)) => {
                fresh.mark = p.mark_price;
                fresh.index = p.index_price;
            }
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "LMEX mark and index not refreshed"),
        }
        if out.send(fresh).await.is_err() {
            return;
        }
    }
}

#[async_trait]
impl Trading for Lmex {
    async fn balances(&self) -> Result<Vec<Balance>> {
        Ok(vec![map::balance(&self.rest.wallet().await?)])
    }

    async fn positions(&self) -> Result<Vec<Position>> {
        if lock(&self.markets).is_empty() {
            self.instruments().await?;
        }
        let rows = self.rest.positions().await?;
        self.positions_of(&rows)
    }

    async fn open_orders(&self) -> Result<Vec<Order>> {
        let now = self.clock.now_ms();
        self.rest
            .open_orders()
            .await?
            .iter()
            .map(|row| map::order(row, now))
            .collect()
    }

    async fn order_by_client_id(&self, id: &ClientOrderId) -> Result<Option<Order>> {
        match self.rest.order_by_client_id(id.as_str()).await? {
            Some(row) => Ok(Some(map::order(&row, self.clock.now_ms())?)),
            None => Ok(None),
        }
    }

    async fn fills(&self, since: Option<i64>) -> Result<Vec<Fill>> {
        let rows = self.rest.trade_history(since, FILLS_PAGE).await?;
        let mut out = rows.iter().map(map::fill).collect::<Result<Vec<_>>>()?;
        out.retain(|f| since.is_none_or(|s| f.ts >= s));
        out.sort_by_key(|f| f.ts);
        Ok(out)
    }

    async fn place_order(&self, request: &OrderRequest) -> OrderOutcome {
        let cid = &request.client_order_id;
        let instrument = match self.instrument(request.instrument.symbol.as_str()).await {
            Ok(i) => i,
            Err(error) => return OrderOutcome::Rejected { error },
        };
        let size = match Self::contracts(&instrument, request.size) {
            Ok(s) => s,
            Err(error) => return OrderOutcome::Rejected { error },
        };
        let missing = match request.order_type {
            OrderType::Limit if request.price.is_none() => {
                Some(("price", "a limit order needs a price"))
            }
            OrderType::Stop if request.trigger_price.is_none() => {
                Some(("trigger_price", "a stop order needs a trigger price"))
            }
            _ => None,
        };
        if let Some((field, message)) = missing {
            return OrderOutcome::Rejected {
                error: Error::invalid_order(field, message),
            };
        }
        if let Err(error) = self
            .ensure_leverage(instrument.id.symbol.as_str(), request.leverage)
            .await
        {
            return OrderOutcome::Rejected { error };
        }
        let order = NewOrder {
            symbol: instrument.id.symbol.as_str().to_owned(),
            side: request.side,
            order_type: request.order_type,
            size,
            // A stop is a stop-market: it carries a trigger, not a price.
            price: if request.order_type == OrderType::Limit {
                request.price
            } else {
                None
            },
            trigger_price: request.trigger_price,
            time_in_force: request.time_in_force,
            post_only: request.post_only,
            reduce_only: request.reduce_only,
            client_order_id: cid.0.clone(),
            take_profit: request.take_profit,
            stop_loss: request.stop_loss,
        };
        let ack = match settle(
            self.rest.place(&order).await,
            cid,
            Some(cid.as_str()),
            false,
        ) {
            Ok(a) => a,
            Err(outcome) => return *outcome,
        };
        let pending = Order::pending(request, self.clock.now_ms());
        OrderOutcome::Accepted {
            order: self.acked(pending, &ack),
        }
    }

    async fn amend_order(&self, request: &AmendRequest) -> OrderOutcome {
        let cid = &request.client_order_id;
        let instrument = match self.instrument(request.instrument.symbol.as_str()).await {
            Ok(i) => i,
            Err(error) => return OrderOutcome::Rejected { error },
        };
        let size = match request
            .size
            .map(|s| Self::contracts(&instrument, s))
            .transpose()
        {
            Ok(s) => s,
            Err(error) => return OrderOutcome::Rejected { error },
        };
        let change = match (request.price, size, request.trigger_price) {
            (Some(price), Some(size), _) => Amend::All { price, size },
            (Some(price), None, _) => Amend::Price(price),
            (None, Some(size), _) => Amend::Size(size),
            (None, None, Some(trigger)) => Amend::Trigger(trigger),
            (None, None, None) => {
                return OrderOutcome::Rejected {
                    error: Error::invalid_order("price", "nothing to change"),
                }
            }
        };
        let sent = self
            .rest
            .amend(instrument.id.symbol.as_str(), cid.as_str(), &change)
            .await;
        let ack = match settle(sent, cid, Some(cid.as_str()), true) {
            Ok(a) => a,
            Err(outcome) => return *outcome,
        };
        match self.current(cid).await {
            Ok(order) => OrderOutcome::Accepted { order },
            // The amend was accepted; only the read-back failed.
            Err(_) => match map::order(&ack, self.clock.now_ms()) {
                Ok(order) => OrderOutcome::Accepted { order },
                Err(e) => OrderOutcome::Unknown {
                    client_order_id: cid.clone(),
                    reason: e.message,
                },
            },
        }
    }

    async fn cancel_order(&self, instrument: &InstrumentId, id: &ClientOrderId) -> OrderOutcome {
        let sent = self
            .rest
            .cancel(instrument.symbol.as_str(), Some(id.as_str()))
            .await;
        // "Not found" stays a refusal: the trait's caller reconciles it.
        let ack = match settle(sent, id, Some(id.as_str()), false) {
            Ok(a) => a,
            Err(outcome) => return *outcome,
        };
        match map::order(&ack, self.clock.now_ms()) {
            Ok(order) => OrderOutcome::Accepted { order },
            Err(_) => match self.current(id).await {
                Ok(order) => OrderOutcome::Accepted { order },
                Err(e) => OrderOutcome::Unknown {
                    client_order_id: id.clone(),
                    reason: e.message,
                },
            },
        }
    }

    async fn close_position(&self, instrument: &InstrumentId) -> OrderOutcome {
        let placeholder = ClientOrderId(format!("close-{}", instrument.symbol));
        let sent = self.rest.close_position(instrument.symbol.as_str()).await;
        let ack = match settle(sent, &placeholder, None, false) {
            Ok(a) => a,
            Err(outcome) => return *outcome,
        };
        match map::order(&ack, self.clock.now_ms()) {
            Ok(order) => OrderOutcome::Accepted { order },
            Err(e) => OrderOutcome::Unknown {
                client_order_id: placeholder,
                reason: e.message,
            },
        }
    }

    async fn set_tp_sl(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        take_profit: Option<Decimal>,
        stop_loss: Option<StopLoss>,
    ) -> Result<()> {
        let held = self
            .positions()
            .await?
            .into_iter()
            .find(|p| &p.instrument == instrument && p.side == side)
            .ok_or_else(|| {
                Error::not_found(format!("no {side:?} position in {}", instrument.symbol))
            })?;
        let closing = match side {
            PositionSide::Long => Side::Sell,
            PositionSide::Short => Side::Buy,
        };
        let trail = stop_loss.filter(|s| s.trailing).map(|s| {
            let market = held.mark_price.unwrap_or(held.entry_price);
            (market - s.price).abs()
        });
        let acks = self
            .rest
            .bind_tp_sl(
                instrument.symbol.as_str(),
                closing,
                take_profit,
                stop_loss.map(|s| s.price),
                trail,
            )
            .await?;
        for ack in &acks {
            match map::ack_verdict(ack) {
                AckVerdict::Done => {}
                AckVerdict::Refused(error) => return Err(error),
                AckVerdict::Unclear(reason) => return Err(Error::network(reason)),
            }
        }
        Ok(())
    }

    async fn account_stream(&self) -> Result<AccountStream> {
        let Some(credentials) = self.config.credentials.clone() else {
            return Err(Error::new(
                ErrorKind::Auth,
                "this LMEX account has no API key",
            ));
        };
        // One signed call first: a bad key is a clear error now, not a silent stream.
        let symbol = self.any_symbol().await?;
        self.rest.book(&symbol, 1).await?;
        let held: BTreeSet<InstrumentId> = self
            .positions()
            .await?
            .into_iter()
            .map(|p| p.instrument)
            .collect();
        let clock = self.clock.clone();
        let login = credentials.clone();
        let (socket, events) = ReconnectingSocket::spawn(
            self.socket_config(ws::MAIN_PATH),
            Arc::new(move || vec![auth::ws_auth(&login, clock.now_ms())]),
        );
        let state = AccountCursor {
            socket,
            _dead_man: self.arm_dead_man().map(AbortOnDrop),
            events,
            queued: VecDeque::new(),
            venue: self.clone(),
            credentials,
            held,
            logins: 0,
            login_failures: 0,
            last_fill_at: Some(self.clock.now_ms()),
            recent_fills: VecDeque::new(),
        };
        Ok(stream::unfold(state, |mut s| async move {
            loop {
                if let Some(e) = s.queued.pop_front() {
                    return Some((e, s));
                }
                let event = s.events.recv().await?;
                s.absorb(event).await;
            }
        })
        .boxed())
    }
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The account stream's state; holding the socket keeps it open.
struct AccountCursor {
    socket: ReconnectingSocket,
    _dead_man: Option<AbortOnDrop>,
    events: tokio::sync::mpsc::Receiver<WsEvent>,
    queued: VecDeque<AccountEvent>,
    venue: Lmex,
    credentials: LmexCredentials,
    /// Instruments with a position, to report the ones that close.
    held: BTreeSet<InstrumentId>,
    /// Successful logins so far: every one after the first catches up on what was missed.
    logins: u32,
    /// Refused logins in a row on this connection.
    login_failures: u32,
    /// The newest fill seen, and the ids of fills at or near it (a catch-up re-reads them).
    last_fill_at: Option<i64>,
    recent_fills: VecDeque<String>,
}

/// Refused logins retried (after re-measuring the clock) before the stream gives up.
const LOGIN_RETRIES: u32 = 3;
/// Fill ids remembered against duplicates from a catch-up.
const RECENT_FILLS: usize = 256;

impl AccountCursor {
    async fn absorb(&mut self, event: WsEvent) {
        let text = match event {
            WsEvent::Open => return,
            WsEvent::Closed { .. } => {
                self.queued.push_back(AccountEvent::Status {
                    status: StreamStatus::Reconnecting,
                });
                return;
            }
            WsEvent::Text(text) => text,
        };
        match ws::parse(&text) {
            Ok(ws::Frame::Login { success: true, .. }) => {
                // Private topics are asked for only once logged in; the subscription's ack
                // makes the stream live.
                self.login_failures = 0;
                self.socket
                    .send(ws::subscribe(&[ws::ORDERS, ws::FILLS, ws::POSITIONS]));
            }
            Ok(ws::Frame::Event { event, .. }) if event == "subscribe" => {
                self.logins += 1;
                if self.logins > 1 {
                    self.catch_up().await;
                }
                self.queued.push_back(AccountEvent::Status {
                    status: StreamStatus::Live,
                });
                self.balance().await;
            }
            Ok(ws::Frame::Login {
                success: false,
                message,
            }) => {
                self.login_failures += 1;
                tracing::warn!(
                    ?message,
                    attempt = self.login_failures,
                    "LMEX refused the stream login"
                );
                if self.login_failures > LOGIN_RETRIES {
                    self.queued.push_back(AccountEvent::Status {
                        status: StreamStatus::Closed,
                    });
                    return;
                }
                // A nonce outside the venue's window is the usual cause: measure the clock
                // again, then log in again on the same connection.
                if let Ok(symbol) = self.venue.any_symbol().await {
                    if let Err(e) = self.venue.rest.book(&symbol, 1).await {
                        tracing::debug!(error = %e, "LMEX clock not re-measured");
                    }
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
                self.socket
                    .send(auth::ws_auth(&self.credentials, self.venue.clock.now_ms()));
            }
            Ok(ws::Frame::Push { topic, data }) => {
                if let Err(e) = self.push(&topic, data).await {
                    tracing::debug!(%topic, error = %e, "skipping an LMEX push");
                }
            }
            Ok(ws::Frame::Event { event, message }) if event == "error" => {
                tracing::warn!(?message, "LMEX stream error");
            }
            Ok(_) => {}
            Err(e) => tracing::debug!(error = %e, "skipping an LMEX frame"),
        }
    }

    async fn push(&mut self, topic: &str, data: serde_json::Value) -> Result<()> {
        let bad = |e: serde_json::Error| Error::protocol(format!("{topic}: {e}"));
        let now = self.venue.clock.now_ms();
        match topic {
            ws::ORDERS => {
                let rows: Vec<LmexOrder> = serde_json::from_value(data).map_err(bad)?;
                for row in &rows {
                    match map::order(row, now) {
                        Ok(order) => self.queued.push_back(AccountEvent::Order { order }),
                        Err(e) => tracing::debug!(error = %e, "skipping an LMEX order push"),
                    }
                }
            }
            ws::FILLS => {
                let rows: Vec<LmexFill> = serde_json::from_value(data).map_err(bad)?;
                for row in &rows {
                    let fill = map::fill(row)?;
                    self.fill(fill);
                }
                // The balance is read again with the position push every fill brings.
            }
            ws::POSITIONS => {
                let rows: Vec<LmexPosition> = serde_json::from_value(data).map_err(bad)?;
                let positions = self.venue.positions_of(&rows)?;
                self.positions(positions);
                self.balance().await;
            }
            _ => {}
        }
        Ok(())
    }

    /// Queues a fill once, however often it is read.
    fn fill(&mut self, fill: Fill) {
        let id = fill.trade_id.as_str().to_owned();
        if self.recent_fills.contains(&id) {
            return;
        }
        if self.recent_fills.len() == RECENT_FILLS {
            self.recent_fills.pop_front();
        }
        self.recent_fills.push_back(id);
        self.last_fill_at = Some(self.last_fill_at.map_or(fill.ts, |t| t.max(fill.ts)));
        self.queued.push_back(AccountEvent::Fill { fill });
    }

    /// After a reconnect: what changed while the socket was down, read over REST (orders,
    /// fills since the newest seen, positions against those held).
    async fn catch_up(&mut self) {
        match self.venue.open_orders().await {
            Ok(orders) => self.queued.extend(
                orders
                    .into_iter()
                    .map(|order| AccountEvent::Order { order }),
            ),
            Err(e) => tracing::warn!(error = %e, "LMEX orders not caught up"),
        }
        match self.venue.fills(self.last_fill_at).await {
            Ok(fills) => {
                for fill in fills {
                    self.fill(fill);
                }
            }
            Err(e) => tracing::warn!(error = %e, "LMEX fills not caught up"),
        }
        match self.venue.positions().await {
            Ok(positions) => self.positions(positions),
            Err(e) => tracing::warn!(error = %e, "LMEX positions not caught up"),
        }
    }

    /// Every position now held, and the ones no longer held as closed.
    fn positions(&mut self, positions: Vec<Position>) {
        let now_held: BTreeSet<InstrumentId> =
            positions.iter().map(|p| p.instrument.clone()).collect();
        for gone in self.held.difference(&now_held) {
            self.queued.push_back(AccountEvent::PositionClosed {
                instrument: gone.clone(),
            });
        }
        for position in positions {
            self.queued.push_back(AccountEvent::Position { position });
        }
        self.held = now_held;
    }

    async fn balance(&mut self) {
        match self.venue.balances().await {
            Ok(balances) => self.queued.extend(
                balances
                    .into_iter()
                    .map(|balance| AccountEvent::Balance { balance }),
            ),
            Err(e) => tracing::debug!(error = %e, "LMEX balance not refreshed"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn sizes_must_be_whole_contracts_within_the_limits() {
        let m: wire::LmexMarket = serde_json::from_str(
            r#"{"symbol":"BTC-PERP","active":true,"contractSize":0.0001,"minPriceIncrement":0.5,
                "minOrderSize":1,"maxOrderSize":1000,"minSizeIncrement":1,"base":"BTC","quote":"USDT"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let i = map::instrument(&m);
        assert_eq!(Lmex::contracts(&i, dec!(25)).ok(), Some(25));
        for bad in [dec!(0.5), dec!(0), dec!(1001)] {
            let e = Lmex::contracts(&i, bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} refused"));
            assert!(
                matches!(e.kind, ErrorKind::InvalidOrder { .. }),
                "{bad}: {e:?}"
            );
        }
    }
}

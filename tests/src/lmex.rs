//! An LMEX server speaking BTSE's futures API v2.3 as docs/venues/lmex-wire.md describes it
//! (NOTES.md §2): REST under `/futures/api/v2.3/`, signed with HMAC-SHA384 over the path
//! below the `/futures` mount, the nonce and the body; the main socket `/ws/futures` (login,
//! public trades, own orders, fills and positions) and the book socket `/ws/oss/futures` (a
//! snapshot, then deltas chained by sequence numbers).
//!
//! Behind it runs `kestrel_sim::Exchange`: a matching book kept full by liquidity agents,
//! isolated-margin positions in integer contracts margined in USDT, stops, take-profits and
//! stop-losses (trailing too), funding and liquidation. Every change the simulation reports
//! is pushed to the sockets that asked for it, to the owning account only.
//!
//! It checks signatures with its own code, written from BTSE's documentation, so a
//! connector that signs wrongly is refused here as it would be there.
//!
//! Where the contract leaves a choice, the server makes the one written in the contract;
//! where the contract is silent, the choice is said at the place it is made.

use crate::server::{status_fault, url_params, Fault, Faults, ServerClock, TestServer};
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use futures::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use kestrel_core::engine::CandleSeries;
use kestrel_core::{
    AccountEvent, AccountId, AmendRequest, Balance, BookLevel, ClientOrderId, Decimal, ErrorKind,
    Fill, Instrument, InstrumentId, Liquidity, MarketEvent, Order, OrderRequest, OrderStatus,
    OrderType, Position, PositionSide, Side, SizeUnit, StopLoss, TimeInForce, Timeframe,
    TimestampMs, VenueId,
};
use kestrel_sim::margin::MAINTENANCE_MARGIN;
use kestrel_sim::{Exchange, MarketSpec, SimEvent, DEFAULT_LEVERAGE};
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value};
use sha2::Sha384;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::sync::mpsc;

/// Where the REST API is mounted; signatures cover the path below it.
pub const MOUNT: &str = "/futures";
/// Every REST route lives below this.
const API: &str = "/futures/api/v2.3/";
/// The path the main socket's `authKeyExpires` signs.
const WS_AUTH_PATH: &str = "/ws/futures";
/// How far a nonce may be from the server's clock (a choice of the contract).
const NONCE_WINDOW_MS: i64 = 30_000;
/// Levels a side in a book-stream snapshot.
const SNAPSHOT_LEVELS: usize = 50;
/// Rows `ohlcv` answers at most.
const OHLCV_ROWS: usize = 300;
/// Minutes of synthetic history each market starts with.
const HISTORY_MINUTES: usize = 14 * 24 * 60;
/// Public trades kept per market for `GET trades`.
const TRADES_KEPT: usize = 1_000;
const FUNDING_INTERVAL_MINUTES: i64 = 480;
/// How often the server steps the simulation, checks dead-man switches and pushes marks.
const TICK: Duration = Duration::from_millis(100);
/// Sockets that send nothing for this long are closed, as BTSE's are.
const DEFAULT_IDLE: Duration = Duration::from_secs(60);
/// The only wallet of a unified-futures account.
const WALLET: &str = "CROSS@";
const SETTLE: &str = "USDT";
/// The account `move_market` trades from; it has no API key.
const MOVER: &str = "__kestrel-market-mover";

/// Order status codes (BTSE's API enum).
mod status {
    pub(super) const INSERTED: i64 = 2;
    pub(super) const FULLY_TRANSACTED: i64 = 4;
    pub(super) const PARTIALLY_TRANSACTED: i64 = 5;
    pub(super) const CANCELLED: i64 = 6;
    pub(super) const INSUFFICIENT_BALANCE: i64 = 8;
    pub(super) const TRIGGER_INSERTED: i64 = 9;
    pub(super) const REJECTED: i64 = 15;
    pub(super) const NOT_FOUND: i64 = 16;
    pub(super) const FAILED: i64 = 17;
    pub(super) const AMENDED: i64 = 123;
}

/// An API key the server accepts; each key is one account.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub key: String,
    pub secret: String,
}

/// How a server starts.
#[derive(Clone, Debug)]
pub struct LmexConfig {
    /// USDT in each account's wallet.
    pub wallet_usdt: Decimal,
    /// Fixes the simulated market's randomness and its history.
    pub seed: u64,
}

impl Default for LmexConfig {
    fn default() -> Self {
        Self {
            wallet_usdt: Decimal::from(100_000),
            seed: 7,
        }
    }
}

/// `hex(HMAC-SHA384(secret, path + nonce + body))`: the `request-sign` header as BTSE's
/// documentation defines it, and the `authKeyExpires` signature with path `/ws/futures` and
/// an empty body. The server's own code, written from the documentation.
pub fn signature(secret: &str, path: &str, nonce: &str, body: &str) -> String {
    // HMAC takes keys of any length; the error branch cannot occur.
    let Ok(mut mac) = Hmac::<Sha384>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(path.as_bytes());
    mac.update(nonce.as_bytes());
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The markets the server lists: instrument, opening price, annual volatility.
fn markets() -> Vec<(Instrument, Decimal, f64)> {
    vec![
        (
            perpetual("BTC-PERP", "BTC", Decimal::new(5, 1), Decimal::new(1, 4)),
            Decimal::from(91_250),
            0.55,
        ),
        (
            perpetual("ETH-PERP", "ETH", Decimal::new(5, 2), Decimal::new(1, 3)),
            Decimal::from(3_120),
            0.7,
        ),
    ]
}

/// A linear USDT perpetual in whole contracts of `contract_size` base units.
fn perpetual(symbol: &str, base: &str, tick: Decimal, contract_size: Decimal) -> Instrument {
    let max = Decimal::from(1_000_000);
    Instrument {
        display_name: format!("{base}/{SETTLE} perpetual"),
        size_unit: SizeUnit::Contracts,
        contract_size,
        ..Instrument::linear_perpetual(
            InstrumentId::new(VenueId::Lmex, symbol),
            base,
            SETTLE,
            tick,
            Decimal::ONE,
            max,
        )
    }
}

/// Take-profit and stop-loss prices sent with an order, set on the position it fills into.
#[derive(Clone, Copy, Debug)]
struct Exits {
    take_profit: Option<Decimal>,
    stop_loss: Option<Decimal>,
}

/// What `POST leverage` set for one symbol.
#[derive(Clone, Copy, Debug)]
struct LeverageSetting {
    leverage: Decimal,
    cross: bool,
}

impl Default for LeverageSetting {
    fn default() -> Self {
        // The simulation margins every position on its own: isolated is the truthful default.
        Self {
            leverage: DEFAULT_LEVERAGE,
            cross: false,
        }
    }
}

/// Whether a position's exits trigger on the last price (`true`) or the mark, as
/// `bind/tpsl` said. The simulation fires both on the last price.
#[derive(Clone, Copy, Debug)]
struct ExitTriggers {
    take_profit_last: bool,
    stop_loss_last: bool,
}

struct Account {
    api: ApiKey,
    id: AccountId,
    leverage: HashMap<String, LeverageSetting>,
    triggers: HashMap<String, ExitTriggers>,
    /// When the dead-man switch cancels every working order, if armed.
    cancel_at: Option<TimestampMs>,
    /// The venue's order id → the order's client id, for every order the account had.
    order_ids: HashMap<String, ClientOrderId>,
    time_in_force: HashMap<ClientOrderId, &'static str>,
    attached: HashMap<ClientOrderId, Exits>,
    next_client_id: u64,
}

/// One print of the public tape.
struct PublicTrade {
    price: Decimal,
    size: Decimal,
    side: Side,
    serial: u64,
    ts: TimestampMs,
}

struct Inner {
    exchange: Exchange,
    instruments: Vec<Instrument>,
    accounts: Vec<Account>,
    mover: AccountId,
    mover_orders: u64,
    /// Whether the simulation steps on its own.
    live: bool,
    /// One-minute candles per symbol: synthetic history, then the simulation's prints.
    candles: HashMap<String, CandleSeries>,
    trades: HashMap<String, VecDeque<PublicTrade>>,
    next_serial: u64,
    last_position_push: TimestampMs,
}

impl Inner {
    fn instrument(&self, symbol: &str) -> Option<&Instrument> {
        self.instruments
            .iter()
            .find(|i| i.id.symbol.as_str() == symbol)
    }

    fn account_index(&self, id: &AccountId) -> Option<usize> {
        self.accounts.iter().position(|a| &a.id == id)
    }

    /// The client id an order id or client id names, if the account ever had that order.
    fn resolve(
        &self,
        a: usize,
        order_id: Option<&str>,
        client_id: Option<&str>,
    ) -> Option<ClientOrderId> {
        let account = &self.accounts[a];
        if let Some(cid) = client_id.filter(|c| !c.is_empty()) {
            let cid = ClientOrderId::from(cid);
            return self
                .exchange
                .order_by_client_id(&account.id, &cid)
                .map(|_| cid);
        }
        order_id
            .filter(|o| !o.is_empty())
            .and_then(|o| account.order_ids.get(o).cloned())
    }

    fn time_in_force(&self, a: usize, cid: &ClientOrderId) -> &'static str {
        self.accounts[a]
            .time_in_force
            .get(cid)
            .copied()
            .unwrap_or("GTC")
    }
}

/// Which socket a connection is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Channel {
    /// `/ws/futures`: login, trades, own orders, fills, positions.
    Main,
    /// `/ws/oss/futures`: order books.
    Book,
}

/// What a session task sends next.
enum Outbound {
    Text(String),
    Close,
}

/// One book subscription on one socket.
struct BookFeed {
    topic: String,
    /// Drop the next delta (the `book_gap` fault).
    skip_next: bool,
}

struct Socket {
    id: u64,
    tx: mpsc::UnboundedSender<Outbound>,
    account: Option<usize>,
    topics: Vec<String>,
    books: Vec<BookFeed>,
}

impl Socket {
    fn send(&self, text: String) {
        // A socket whose task has ended is removed shortly; nothing to do meanwhile.
        let _ = self.tx.send(Outbound::Text(text));
    }

    fn wants(&self, account: usize, topic: &str) -> bool {
        self.account == Some(account) && self.topics.iter().any(|t| t == topic)
    }
}

/// The server's state, shared with the test that drives it.
pub struct LmexState {
    inner: Mutex<Inner>,
    pub clock: ServerClock,
    pub faults: Faults,
    sockets: Mutex<Vec<Socket>>,
    requests: Mutex<HashMap<String, u32>>,
    idle_ms: AtomicI64,
    wallet: Decimal,
}

/// A running LMEX test server.
pub struct LmexServer {
    pub server: TestServer,
    pub state: Arc<LmexState>,
}

impl LmexServer {
    /// Starts a server with one account for `api` holding 100 000 USDT, its market held
    /// still until `drive` (orders still trade against the standing book).
    pub async fn start(api: ApiKey) -> anyhow::Result<Self> {
        Self::start_with(api, LmexConfig::default()).await
    }

    /// Starts a server as `config` says, with one account for `api`.
    pub async fn start_with(api: ApiKey, config: LmexConfig) -> anyhow::Result<Self> {
        let clock = ServerClock::default();
        let now = clock.now_ms();
        let mut exchange = Exchange::new(config.seed, now);
        let mut candles = HashMap::new();
        let mut instruments = Vec::new();
        for (n, (instrument, start_price, vol)) in markets().into_iter().enumerate() {
            let history = kestrel_sim::history::synthetic_candles(
                config.seed.wrapping_add(n as u64),
                start_price,
                now,
                HISTORY_MINUTES,
                vol,
                instrument.price_tick,
            );
            let mut series = CandleSeries::new(Timeframe::M1, HISTORY_MINUTES * 2);
            // History volume comes in base units; the venue counts contracts.
            let in_contracts: Vec<_> = history
                .into_iter()
                .map(|mut c| {
                    c.volume = (c.volume / instrument.contract_size).round();
                    c
                })
                .collect();
            series.merge_history(&in_contracts);
            candles.insert(instrument.id.symbol.0.clone(), series);
            instruments.push(instrument.clone());
            exchange.add_market(MarketSpec {
                instrument,
                start_price,
                annual_volatility: vol,
                funding_interval_ms: FUNDING_INTERVAL_MINUTES * 60_000,
            });
        }
        let mover = AccountId::from(MOVER);
        exchange.open_account(mover.clone(), SETTLE, Decimal::from(1_000_000_000_000_i64));
        // The opening book is not news: nobody is subscribed yet.
        exchange.drain_events();
        let state = Arc::new(LmexState {
            inner: Mutex::new(Inner {
                exchange,
                instruments,
                accounts: Vec::new(),
                mover,
                mover_orders: 0,
                live: false,
                candles,
                trades: HashMap::new(),
                next_serial: 0,
                last_position_push: now,
            }),
            clock,
            faults: Faults::default(),
            sockets: Mutex::new(Vec::new()),
            requests: Mutex::new(HashMap::new()),
            idle_ms: AtomicI64::new(millis(DEFAULT_IDLE)),
            wallet: config.wallet_usdt,
        });
        state.add_account(api);
        let router = Router::new()
            .route("/ws/futures", get(main_upgrade))
            .route("/ws/oss/futures", get(book_upgrade))
            .fallback(dispatch)
            .with_state(state.clone());
        let server = TestServer::start(router).await?;
        let weak = Arc::downgrade(&state);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(TICK);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tick.tick().await;
                let Some(state) = weak.upgrade() else { break };
                state.tick();
            }
        });
        Ok(Self { server, state })
    }

    /// The REST mount, `http://127.0.0.1:<port>/futures` (routes are `<mount>/api/v2.3/…`).
    pub fn base_url(&self) -> String {
        format!("{}{MOUNT}", self.server.base_url())
    }

    /// `http://127.0.0.1:<port>`, where `/__kestrel/…` test control lives.
    pub fn root_url(&self) -> String {
        self.server.base_url()
    }

    /// `ws://127.0.0.1:<port>`; the sockets are `/ws/futures` and `/ws/oss/futures` below it.
    pub fn ws_url(&self) -> String {
        self.server.ws_url()
    }

    /// Makes the market live: the simulation steps every 100 ms (prices walk, the maker
    /// re-quotes, takers print trades), so the book streams several deltas a second.
    pub fn drive(&self) {
        self.state.lock().live = true;
    }

    /// Holds the market still again (orders still trade against the standing book).
    pub fn hold(&self) {
        self.state.lock().live = false;
    }

    /// The market moves once and the change is pushed: the simulation catches up to now,
    /// then a market order takes the whole best level (alternately the ask and the bid) of
    /// every market, printing a trade and changing the top of the book.
    pub fn move_market(&self) {
        self.state.move_market();
    }

    /// Opens another account for `api` with the configured wallet.
    pub fn add_account(&self, api: ApiKey) {
        self.state.add_account(api);
    }

    /// Skips one sequence number on every book subscription open now: each one's next
    /// delta is never sent, so the one after names a `prevSeqNum` the client never saw.
    pub fn book_gap(&self) {
        self.state.book_gap();
    }

    /// Closes every socket (clients are expected to come back).
    pub fn drop_streams(&self) {
        self.state.drop_streams();
    }

    /// The next request to `path` (`/futures/api/v2.3/order`, or `/api/v2.3/order` below the
    /// mount) is carried out, then answered 502: an answer lost after the venue acted.
    pub fn lose_next_answer(&self, path: &str) {
        self.state.faults.inject(
            &full_path(path),
            Fault::StatusAfter {
                status: 502,
                body: "<html>502 Bad Gateway</html>".into(),
            },
        );
    }

    /// Queues any fault for the next request to `path` (full or below the mount).
    pub fn inject(&self, path: &str, fault: Fault) {
        self.state.faults.inject(&full_path(path), fault);
    }

    /// How many requests reached `method path` (the full path, `/futures/api/v2.3/order`).
    pub fn requests(&self, method: &str, path: &str) -> u32 {
        self.state.requests(method, &full_path(path))
    }

    /// The book's top `depth` levels a side as the server holds it: bids best first, asks
    /// best first.
    pub fn book(&self, symbol: &str, depth: usize) -> (Vec<BookLevel>, Vec<BookLevel>) {
        let inner = self.state.lock();
        inner
            .instrument(symbol)
            .and_then(|i| inner.exchange.book(&i.id, depth))
            .map(|b| (b.bids, b.asks))
            .unwrap_or_default()
    }

    /// The last traded price of `symbol`.
    pub fn last_price(&self, symbol: &str) -> Option<Decimal> {
        let inner = self.state.lock();
        let id = inner.instrument(symbol)?.id.clone();
        inner.exchange.ticker(&id)?.last
    }

    /// Whether a connected socket is subscribed to `topic` (`update:BTC-PERP_0`,
    /// `notificationApiV2`, `tradeHistoryApi:BTC-PERP`, …).
    pub fn has_subscriber(&self, topic: &str) -> bool {
        self.state.has_subscriber(topic)
    }

    /// Connected sockets, both kinds.
    pub fn stream_clients(&self) -> usize {
        self.state.sockets().len()
    }

    /// Closes sockets opened from now on once idle for `timeout` instead of 60 s (for tests
    /// of the heartbeat).
    pub fn set_idle_timeout(&self, timeout: Duration) {
        self.state.idle_ms.store(millis(timeout), Ordering::Relaxed);
    }

    /// The working orders of `key`'s account, as the server holds them.
    pub fn open_orders(&self, key: &str) -> Vec<Order> {
        self.with_account(key, |ex, id| ex.open_orders(id))
            .unwrap_or_default()
    }

    /// The open positions of `key`'s account.
    pub fn positions(&self, key: &str) -> Vec<Position> {
        self.with_account(key, |ex, id| ex.positions(id))
            .unwrap_or_default()
    }

    /// The USDT balance of `key`'s account.
    pub fn balance(&self, key: &str) -> Option<Balance> {
        self.with_account(key, |ex, id| ex.balances(id).into_iter().next())
            .flatten()
    }

    fn with_account<T>(&self, key: &str, f: impl FnOnce(&Exchange, &AccountId) -> T) -> Option<T> {
        let inner = self.state.lock();
        let account = inner.accounts.iter().find(|a| a.api.key == key)?;
        Some(f(&inner.exchange, &account.id))
    }
}

/// `/api/v2.3/order` → `/futures/api/v2.3/order`; a full path stays as it is.
fn full_path(path: &str) -> String {
    if path.starts_with("/api/") {
        format!("{MOUNT}{path}")
    } else {
        path.to_owned()
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl LmexState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sockets(&self) -> MutexGuard<'_, Vec<Socket>> {
        self.sockets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn add_account(&self, api: ApiKey) {
        let mut inner = self.lock();
        let id = AccountId::from(format!("lmex-{}", inner.accounts.len() + 1));
        inner.exchange.open_account(id.clone(), SETTLE, self.wallet);
        inner.accounts.push(Account {
            api,
            id,
            leverage: HashMap::new(),
            triggers: HashMap::new(),
            cancel_at: None,
            order_ids: HashMap::new(),
            time_in_force: HashMap::new(),
            attached: HashMap::new(),
            next_client_id: 0,
        });
        inner.exchange.drain_events();
    }

    /// How many requests reached `method path`.
    pub fn requests(&self, method: &str, path: &str) -> u32 {
        self.requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }

    fn count(&self, method: &str, path: &str) {
        *self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(format!("{method} {path}"))
            .or_default() += 1;
    }

    /// Whether a connected socket is subscribed to `topic`.
    pub fn has_subscriber(&self, topic: &str) -> bool {
        self.sockets().iter().any(|s| {
            s.topics.iter().any(|t| t == topic) || s.books.iter().any(|b| b.topic == topic)
        })
    }

    /// Closes every socket.
    pub fn drop_streams(&self) {
        for s in self.sockets().iter() {
            let _ = s.tx.send(Outbound::Close);
        }
    }

    /// Drops the next delta of every book subscription open now.
    pub fn book_gap(&self) {
        for s in self.sockets().iter_mut() {
            for feed in &mut s.books {
                feed.skip_next = true;
            }
        }
    }

    /// One beat of the server: the market steps (when live), expired dead-man switches
    /// cancel, a still market's positions are re-pushed every second, and everything that
    /// happened goes out.
    fn tick(&self) {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        if inner.live {
            inner.exchange.step(now);
        }
        let expired: Vec<usize> = (0..inner.accounts.len())
            .filter(|a| inner.accounts[*a].cancel_at.is_some_and(|t| t <= now))
            .collect();
        for a in expired {
            inner.accounts[a].cancel_at = None;
            let cancelled = cancel_working(&mut inner, a, None, now);
            tracing::debug!(
                account = a,
                orders = cancelled.len(),
                "dead-man switch fired"
            );
        }
        // A live simulation re-marks positions itself every second.
        if !inner.live && now - inner.last_position_push >= 1_000 {
            inner.last_position_push = now;
            let sockets = self.sockets();
            for a in 0..inner.accounts.len() {
                let id = inner.accounts[a].id.clone();
                if !inner.exchange.positions(&id).is_empty() {
                    push_positions(&inner, a, &sockets);
                }
            }
        }
        self.publish(&mut inner);
    }

    fn move_market(&self) {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        inner.exchange.step(now);
        inner.mover_orders += 1;
        let side = if inner.mover_orders % 2 == 1 {
            Side::Buy
        } else {
            Side::Sell
        };
        for instrument in inner.instruments.clone() {
            let Some(book) = inner.exchange.book(&instrument.id, 1) else {
                continue;
            };
            let best = match side {
                Side::Buy => book.asks.first(),
                Side::Sell => book.bids.first(),
            };
            let Some(best) = best else { continue };
            let request = OrderRequest {
                instrument: instrument.id.clone(),
                client_order_id: ClientOrderId(format!(
                    "mover-{}-{}",
                    inner.mover_orders, instrument.id.symbol
                )),
                side,
                order_type: OrderType::Market,
                size: best.size,
                price: None,
                trigger_price: None,
                time_in_force: TimeInForce::Ioc,
                reduce_only: false,
                post_only: false,
                leverage: None,
                take_profit: None,
                stop_loss: None,
            };
            let mover = inner.mover.clone();
            if let Err(e) = inner.exchange.place(&mover, &request, now) {
                tracing::debug!(error = %e, "market mover's order refused");
            }
        }
        self.publish(&mut inner);
    }

    /// Sends what the simulation reported since the last call to the sockets that want it,
    /// and sets the exits attached to orders that filled.
    fn publish(&self, inner: &mut Inner) {
        // Setting exits reports position changes; a few rounds settle it.
        for _ in 0..4 {
            let events = inner.exchange.drain_events();
            if events.is_empty() {
                return;
            }
            let mut exits_due: Vec<(usize, InstrumentId, Exits)> = Vec::new();
            let mut positions_changed = BTreeSet::new();
            let mut sockets = self.sockets();
            for event in events {
                match event {
                    SimEvent::Market(MarketEvent::BookDelta(delta)) => {
                        let topic = book_topic(delta.instrument.symbol.as_str());
                        let (mut bids, mut asks) = (Vec::new(), Vec::new());
                        for c in &delta.changes {
                            let level = json!([text(c.price), text(c.size)]);
                            match c.side {
                                Side::Buy => bids.push(level),
                                Side::Sell => asks.push(level),
                            }
                        }
                        let frame = json!({ "topic": topic, "data": {
                            "symbol": delta.instrument.symbol.as_str(), "type": "delta",
                            "seqNum": delta.sequence, "prevSeqNum": delta.prev_sequence,
                            "bids": bids, "asks": asks, "timestamp": delta.ts,
                        }})
                        .to_string();
                        for s in sockets.iter_mut() {
                            let mut send = false;
                            for feed in s.books.iter_mut().filter(|f| f.topic == topic) {
                                if feed.skip_next {
                                    feed.skip_next = false;
                                } else {
                                    send = true;
                                }
                            }
                            if send {
                                s.send(frame.clone());
                            }
                        }
                    }
                    SimEvent::Market(MarketEvent::Trade(t)) => {
                        inner.next_serial += 1;
                        let serial = inner.next_serial;
                        let symbol = t.instrument.symbol.0.clone();
                        if let Some(series) = inner.candles.get_mut(&symbol) {
                            series.apply_trade(t.price, t.size, t.ts);
                        }
                        let tape = inner.trades.entry(symbol.clone()).or_default();
                        tape.push_back(PublicTrade {
                            price: t.price,
                            size: t.size,
                            side: t.taker_side,
                            serial,
                            ts: t.ts,
                        });
                        while tape.len() > TRADES_KEPT {
                            tape.pop_front();
                        }
                        let topic = format!("tradeHistoryApi:{symbol}");
                        let frame = json!({ "topic": topic, "data": [{
                            "symbol": symbol, "side": side_text(t.taker_side), "size": number(t.size),
                            "price": number(t.price), "tradeId": serial, "timestamp": t.ts,
                        }]})
                        .to_string();
                        for s in sockets.iter().filter(|s| s.topics.contains(&topic)) {
                            s.send(frame.clone());
                        }
                    }
                    SimEvent::Market(_) => {}
                    SimEvent::Account { account, event } => {
                        // The market mover has no key and nobody listens to it.
                        let Some(a) = inner.account_index(&account) else {
                            continue;
                        };
                        match event {
                            AccountEvent::Order { order } => {
                                let acc = &mut inner.accounts[a];
                                if let Some(id) = &order.id {
                                    acc.order_ids
                                        .entry(id.0.clone())
                                        .or_insert_with(|| order.client_order_id.clone());
                                }
                                if !order.status.is_working() {
                                    acc.attached.remove(&order.client_order_id);
                                }
                                let frame = json!({ "topic": "notificationApiV2",
                                    "data": [notification(&order)] })
                                .to_string();
                                for s in sockets.iter().filter(|s| s.wants(a, "notificationApiV2"))
                                {
                                    s.send(frame.clone());
                                }
                            }
                            AccountEvent::Fill { fill } => {
                                if let Some(exits) = fill
                                    .client_order_id
                                    .as_ref()
                                    .and_then(|c| inner.accounts[a].attached.get(c))
                                {
                                    exits_due.push((a, fill.instrument.clone(), *exits));
                                }
                                let frame = json!({ "topic": "fills",
                                    "data": [fill_push(&fill)] })
                                .to_string();
                                for s in sockets.iter().filter(|s| s.wants(a, "fills")) {
                                    s.send(frame.clone());
                                }
                            }
                            AccountEvent::Position { .. } | AccountEvent::PositionClosed { .. } => {
                                positions_changed.insert(a);
                            }
                            AccountEvent::Balance { .. } | AccountEvent::Status { .. } => {}
                        }
                    }
                }
            }
            for a in positions_changed {
                push_positions(inner, a, &sockets);
            }
            drop(sockets);
            for (a, instrument, exits) in exits_due {
                let id = inner.accounts[a].id.clone();
                let stop_loss = exits.stop_loss.map(StopLoss::fixed);
                if let Err(e) =
                    inner
                        .exchange
                        .set_tp_sl(&id, &instrument, exits.take_profit, stop_loss)
                {
                    tracing::debug!(error = %e, "attached exits not set");
                }
            }
        }
    }

    /// Answers one text frame from socket `id`.
    fn on_text(&self, id: u64, channel: Channel, text: &str) {
        if text.trim() == "ping" {
            self.send_to(id, "pong".into());
            return;
        }
        let Ok(request) = serde_json::from_str::<Value>(text) else {
            self.send_to(id, ws_error("the request is not JSON"));
            return;
        };
        let args: Vec<Value> = request
            .get("args")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        match (channel, request.get("op").and_then(Value::as_str)) {
            (Channel::Main, Some("authKeyExpires")) => self.login(id, &args),
            (_, Some("subscribe")) => self.subscribe(id, channel, &args),
            (_, Some("unsubscribe")) => self.unsubscribe(id, &args),
            _ => self.send_to(id, ws_error("unknown op")),
        }
    }

    fn send_to(&self, id: u64, text: String) {
        if let Some(s) = self.sockets().iter().find(|s| s.id == id) {
            s.send(text);
        }
    }

    /// `authKeyExpires [key, nonce, hex(HMAC-SHA384(secret, "/ws/futures" + nonce))]`.
    fn login(&self, id: u64, args: &[Value]) {
        let arg = |n: usize| match args.get(n) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(x)) => x.to_string(),
            _ => String::new(),
        };
        let (key, nonce, sign) = (arg(0), arg(1), arg(2));
        let verdict = {
            let inner = self.lock();
            match inner.accounts.iter().position(|a| a.api.key == key) {
                None => Err("unknown API key"),
                Some(a) => match nonce.parse::<i64>() {
                    Err(_) => Err("the nonce must be milliseconds since the epoch"),
                    Ok(n) if (n - self.clock.now_ms()).abs() > NONCE_WINDOW_MS => {
                        Err("the nonce is more than 30 s from the server's clock")
                    }
                    Ok(_)
                        if signature(&inner.accounts[a].api.secret, WS_AUTH_PATH, &nonce, "")
                            != sign =>
                    {
                        Err("invalid signature")
                    }
                    Ok(_) => Ok(a),
                },
            }
        };
        let mut sockets = self.sockets();
        let Some(socket) = sockets.iter_mut().find(|s| s.id == id) else {
            return;
        };
        match verdict {
            Ok(a) => {
                socket.account = Some(a);
                socket.send(json!({ "event": "login", "success": true }).to_string());
            }
            Err(why) => socket.send(
                json!({ "event": "login", "success": false, "message": format!("AUTH_FAILED: {why}") })
                    .to_string(),
            ),
        }
    }

    fn subscribe(&self, id: u64, channel: Channel, args: &[Value]) {
        let topics: Vec<String> = args
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let inner = self.lock();
        let mut sockets = self.sockets();
        let Some(socket) = sockets.iter_mut().find(|s| s.id == id) else {
            return;
        };
        let known = |symbol: &str| inner.instrument(symbol).is_some();
        let unknown: Vec<&String> = topics
            .iter()
            .filter(|t| match channel {
                Channel::Main => {
                    !(PRIVATE_TOPICS.contains(&t.as_str())
                        || t.strip_prefix("tradeHistoryApi:").is_some_and(known))
                }
                Channel::Book => book_symbol(t).is_none_or(|s| !known(s)),
            })
            .collect();
        if topics.is_empty() || !unknown.is_empty() {
            socket.send(ws_error(&format!(
                "unknown topic(s) on this socket: {unknown:?}; nothing was subscribed"
            )));
            return;
        }
        // (choice) A request naming a private topic before login subscribes nothing.
        let private = topics.iter().any(|t| PRIVATE_TOPICS.contains(&t.as_str()));
        if private && socket.account.is_none() {
            socket.send(ws_error(
                "log in with authKeyExpires before subscribing to private topics; nothing was subscribed",
            ));
            return;
        }
        socket.send(json!({ "event": "subscribe", "channel": topics }).to_string());
        for topic in &topics {
            match channel {
                Channel::Main => {
                    if !socket.topics.contains(topic) {
                        socket.topics.push(topic.clone());
                    }
                }
                Channel::Book => {
                    // Subscribing again restarts the feed with a fresh snapshot.
                    socket.books.retain(|f| f.topic != *topic);
                    socket.books.push(BookFeed {
                        topic: topic.clone(),
                        skip_next: false,
                    });
                    if let Some(frame) = book_snapshot(&inner, topic) {
                        socket.send(frame);
                    }
                }
            }
        }
        // (choice) allPosition starts with the account's positions as they stand.
        if let (Some(a), true) = (socket.account, topics.iter().any(|t| t == "allPosition")) {
            socket.send(positions_frame(&inner, a));
        }
    }

    fn unsubscribe(&self, id: u64, args: &[Value]) {
        let topics: Vec<String> = args
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        let mut sockets = self.sockets();
        let Some(socket) = sockets.iter_mut().find(|s| s.id == id) else {
            return;
        };
        socket.topics.retain(|t| !topics.contains(t));
        socket.books.retain(|f| !topics.contains(&f.topic));
        socket.send(json!({ "event": "unsubscribe", "channel": topics }).to_string());
    }
}

const PRIVATE_TOPICS: [&str; 3] = ["notificationApiV2", "fills", "allPosition"];

fn book_topic(symbol: &str) -> String {
    format!("update:{symbol}_0")
}

/// `update:BTC-PERP_0` → `BTC-PERP`; only grouping 0 (no grouping) is served.
fn book_symbol(topic: &str) -> Option<&str> {
    let (symbol, grouping) = topic.strip_prefix("update:")?.rsplit_once('_')?;
    (grouping == "0").then_some(symbol)
}

fn book_snapshot(inner: &Inner, topic: &str) -> Option<String> {
    let instrument = inner.instrument(book_symbol(topic)?)?;
    let book = inner.exchange.book(&instrument.id, SNAPSHOT_LEVELS)?;
    let side = |levels: &[BookLevel]| -> Vec<Value> {
        levels
            .iter()
            .map(|l| json!([text(l.price), text(l.size)]))
            .collect()
    };
    let seq = book.sequence.unwrap_or(0);
    Some(
        json!({ "topic": topic, "data": {
            "symbol": instrument.id.symbol.as_str(), "type": "snapshot",
            "seqNum": seq, "prevSeqNum": seq.saturating_sub(1),
            "bids": side(&book.bids), "asks": side(&book.asks), "timestamp": book.ts,
        }})
        .to_string(),
    )
}

fn ws_error(message: &str) -> String {
    json!({ "event": "error", "message": message }).to_string()
}

fn positions_frame(inner: &Inner, a: usize) -> String {
    json!({ "topic": "allPosition", "data": position_rows(inner, a, None) }).to_string()
}

fn push_positions(inner: &Inner, a: usize, sockets: &[Socket]) {
    let wanted: Vec<&Socket> = sockets
        .iter()
        .filter(|s| s.wants(a, "allPosition"))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let frame = positions_frame(inner, a);
    for s in wanted {
        s.send(frame.clone());
    }
}

async fn main_upgrade(State(state): State<Arc<LmexState>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(state, socket, Channel::Main))
}

async fn book_upgrade(State(state): State<Arc<LmexState>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| session(state, socket, Channel::Book))
}

/// One socket: frames from the client are answered, pushes queued for it are sent, and it
/// is closed when it stays silent past the idle timeout.
async fn session(state: Arc<LmexState>, socket: WebSocket, channel: Channel) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let (tx, mut rx) = mpsc::unbounded_channel();
    state.sockets().push(Socket {
        id,
        tx,
        account: None,
        topics: Vec::new(),
        books: Vec::new(),
    });
    let idle = Duration::from_millis(
        u64::try_from(state.idle_ms.load(Ordering::Relaxed)).unwrap_or(60_000),
    );
    let (mut sink, mut stream) = socket.split();
    let mut deadline = tokio::time::Instant::now() + idle;
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(Outbound::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outbound::Close) | None => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
            },
            frame = stream.next() => {
                deadline = tokio::time::Instant::now() + idle;
                match frame {
                    Some(Ok(Message::Text(text))) => state.on_text(id, channel, text.as_str()),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                    Some(Ok(_)) => {}
                }
            }
            () = tokio::time::sleep_until(deadline) => {
                let _ = sink.send(Message::Close(None)).await;
                break;
            }
        }
    }
    state.sockets().retain(|s| s.id != id);
}

async fn dispatch(
    State(state): State<Arc<LmexState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or("").to_owned();
    let body = String::from_utf8_lossy(&body).into_owned();
    state.count(method.as_str(), &path);
    let fault = state.faults.take(&path);
    if let Some(Fault::Status {
        status,
        body,
        retry_after_s,
    }) = &fault
    {
        let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (code, body.clone()).into_response();
        if let Some(v) = retry_after_s.and_then(|s| s.to_string().parse().ok()) {
            response.headers_mut().insert("retry-after", v);
        }
        return response;
    }
    let response = state.handle(&method, &path, &query, &headers, &body);
    let response = dated(response, state.clock.now_ms());
    match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            response
        }
        Some(Fault::Garbage(text)) => (StatusCode::OK, text).into_response(),
        Some(Fault::StatusAfter { status, body }) => {
            let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
            (code, body).into_response()
        }
        _ => response,
    }
}

/// Every answer carries the server's (possibly skewed) clock in `Date`, as a venue's does.
fn dated(mut response: Response, now: TimestampMs) -> Response {
    let at =
        std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(now).unwrap_or(0));
    if let Ok(v) = httpdate::fmt_http_date(at).parse() {
        response.headers_mut().insert("date", v);
    }
    response
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// BTSE's error envelope.
fn error(status: StatusCode, code: i64, message: &str) -> Response {
    reply(
        status,
        json!({ "status": status.as_u16(), "errorCode": code, "message": message, "extraData": null }),
    )
}

fn bad_request(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, -2, message)
}

/// A request refused with BTSE's error envelope before anything happened.
struct WireError {
    status: StatusCode,
    code: i64,
    message: String,
}

impl IntoResponse for WireError {
    fn into_response(self) -> Response {
        error(self.status, self.code, &self.message)
    }
}

/// An invalid field: HTTP 400, error code −2.
fn invalid(message: &str) -> WireError {
    WireError {
        status: StatusCode::BAD_REQUEST,
        code: -2,
        message: message.to_owned(),
    }
}

fn ok(body: Value) -> Response {
    reply(StatusCode::OK, body)
}

type Params = HashMap<String, String>;

impl LmexState {
    fn handle(
        &self,
        method: &Method,
        path: &str,
        query: &str,
        headers: &HeaderMap,
        body: &str,
    ) -> Response {
        let params = url_params(query);
        match (method.as_str(), path) {
            // Test control, not the venue's: faults and request counts for tests that drive
            // the standalone server from another process.
            ("POST", "/__kestrel/fault") => return self.control_fault(body),
            ("POST", "/__kestrel/move_market") => {
                self.move_market();
                return ok(json!({ "moved": true }));
            }
            ("GET", "/__kestrel/requests") => {
                let count = self.requests(
                    params.get("method").map_or("", String::as_str),
                    params.get("path").map_or("", String::as_str),
                );
                return ok(json!({ "count": count }));
            }
            _ => {}
        }
        let Some(route) = path.strip_prefix(API) else {
            return error(
                StatusCode::NOT_FOUND,
                -2,
                &format!("no route {method} {path}"),
            );
        };
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let response = match (method.as_str(), route) {
            ("GET", "market_summary") => market_summary(&inner, &params, now),
            ("GET", "price") => prices(&inner, &params),
            ("GET", "ohlcv") => ohlcv(&inner, &params, now),
            ("GET", "orderbook/L2") => order_book(&inner, &params, now),
            ("GET", "trades") => trades(&inner, &params),
            ("GET", "funding_history") => funding_history(&inner, &params, now),
            _ => {
                let signed_path = &path[MOUNT.len()..];
                let a = match authenticate(&inner, headers, signed_path, body, now) {
                    Ok(a) => a,
                    Err(refusal) => return refusal.into_response(),
                };
                let json_body = if matches!(method.as_str(), "POST" | "PUT") {
                    match serde_json::from_str::<Value>(body) {
                        Ok(v) if v.is_object() => v,
                        _ => return bad_request("the body must be a JSON object"),
                    }
                } else {
                    Value::Null
                };
                private(
                    &mut inner,
                    a,
                    method.as_str(),
                    route,
                    &params,
                    &json_body,
                    now,
                )
            }
        };
        self.publish(&mut inner);
        response
    }

    /// `POST /__kestrel/fault`: `{"kind":"book_gap"}`, `{"kind":"drop_streams"}`, or
    /// `{"path","status","body"?,"after"?}` — the next request to `path` is answered with
    /// `status`; with `"after": true` it is carried out first (a lost answer).
    fn control_fault(&self, body: &str) -> Response {
        let Ok(spec) = serde_json::from_str::<Value>(body) else {
            return bad_request("a JSON body is required");
        };
        match spec.get("kind").and_then(Value::as_str) {
            Some("book_gap") => {
                self.book_gap();
                return ok(json!({ "queued": "book_gap" }));
            }
            Some("drop_streams") => {
                self.drop_streams();
                return ok(json!({ "queued": "drop_streams" }));
            }
            Some(other) => return bad_request(&format!("unknown fault kind {other}")),
            None => {}
        }
        let Some((path, fault)) = status_fault(&spec) else {
            return bad_request("kind, or path and status, are required");
        };
        self.faults.inject(&full_path(&path), fault);
        ok(json!({ "queued": path }))
    }
}

/// Checks `request-api`, `request-nonce` and `request-sign`; returns the account.
fn authenticate(
    inner: &Inner,
    headers: &HeaderMap,
    path: &str,
    body: &str,
    now: TimestampMs,
) -> Result<usize, WireError> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    };
    // BTSE answers a failed authentication 400 with code −7 and says no more (ccxt's btse
    // map quotes `{"status":400,"errorCode":-7,"message":"Authenticate failed"}`).
    let refuse = |why: &str| {
        tracing::debug!(why, "LMEX test server refused a signature");
        WireError {
            status: StatusCode::BAD_REQUEST,
            code: -7,
            message: "Authenticate failed".into(),
        }
    };
    let (key, nonce, sign) = (
        header("request-api"),
        header("request-nonce"),
        header("request-sign"),
    );
    if key.is_empty() || nonce.is_empty() || sign.is_empty() {
        return Err(refuse(
            "request-api, request-nonce and request-sign are required",
        ));
    }
    let Some(a) = inner.accounts.iter().position(|a| a.api.key == key) else {
        return Err(refuse("unknown API key"));
    };
    let Ok(n) = nonce.parse::<i64>() else {
        return Err(refuse("request-nonce must be milliseconds since the epoch"));
    };
    if (n - now).abs() > NONCE_WINDOW_MS {
        return Err(refuse(
            "request-nonce is more than 30 s from the server's clock",
        ));
    }
    if signature(&inner.accounts[a].api.secret, path, nonce, body) != sign {
        return Err(refuse("invalid signature"));
    }
    Ok(a)
}

/// The instrument `symbol` names: missing → −2, unknown → −7006.
fn instrument_of(inner: &Inner, symbol: Option<&str>) -> Result<Instrument, WireError> {
    match symbol.filter(|s| !s.is_empty()) {
        None => Err(invalid("symbol is required")),
        Some(s) => inner.instrument(s).cloned().ok_or_else(|| WireError {
            status: StatusCode::BAD_REQUEST,
            code: -7006,
            message: format!("UNSUPPORTED_SYMBOL: {s}"),
        }),
    }
}

/// An optional `symbol` filter; unknown → −7006.
fn symbol_filter(inner: &Inner, params: &Params) -> Result<Option<String>, WireError> {
    match params.get("symbol").filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => instrument_of(inner, Some(s)).map(|i| Some(i.id.symbol.0)),
    }
}

/// `GET price[?symbol=]`: `[{symbol, indexPrice, lastPrice, markPrice}]`.
fn prices(inner: &Inner, params: &Params) -> Response {
    let only = match symbol_filter(inner, params) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let rows: Vec<Value> = inner
        .instruments
        .iter()
        .filter(|i| only.as_deref().is_none_or(|s| s == i.id.symbol.as_str()))
        .filter_map(|i| {
            let t = inner.exchange.ticker(&i.id)?;
            Some(json!({
                "symbol": i.id.symbol.as_str(), "indexPrice": t.index.map(number),
                "lastPrice": t.last.map(number), "markPrice": t.mark.map(number),
            }))
        })
        .collect();
    ok(Value::Array(rows))
}

fn market_summary(inner: &Inner, params: &Params, now: TimestampMs) -> Response {
    let only = match symbol_filter(inner, params) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let rows: Vec<Value> = inner
        .instruments
        .iter()
        .filter(|i| only.as_deref().is_none_or(|s| s == i.id.symbol.as_str()))
        .map(|i| {
            let t = inner.exchange.ticker(&i.id);
            let last = t.as_ref().and_then(|t| t.last);
            let day: Vec<_> = inner
                .candles
                .get(i.id.symbol.as_str())
                .map(|s| s.range(now - 86_400_000, now + 1).cloned().collect())
                .unwrap_or_default();
            let high = day.iter().map(|c| c.high).chain(last).max();
            let low = day.iter().map(|c| c.low).chain(last).min();
            let volume: Decimal = day.iter().map(|c| c.volume).sum();
            let change = match (day.first(), last) {
                (Some(c), Some(l)) if !c.open.is_zero() => {
                    ((l - c.open) / c.open * Decimal::ONE_HUNDRED).round_dp(4)
                }
                _ => Decimal::ZERO,
            };
            let open_interest: Decimal = inner
                .accounts
                .iter()
                .map(|a| &a.id)
                .chain(std::iter::once(&inner.mover))
                .flat_map(|a| inner.exchange.positions(a))
                .filter(|p| p.instrument == i.id && p.side == PositionSide::Long)
                .map(|p| p.size)
                .sum();
            json!({
                "symbol": i.id.symbol.as_str(), "last": last.map(number),
                "lowestAsk": t.as_ref().and_then(|t| t.ask).map(number),
                "highestBid": t.as_ref().and_then(|t| t.bid).map(number),
                "percentageChange": number(change), "volume": number(volume),
                "high24Hr": high.map(number), "low24Hr": low.map(number),
                "base": i.base, "quote": i.quote, "active": true,
                "minPriceIncrement": number(i.price_tick), "minOrderSize": number(i.min_size),
                "maxOrderSize": number(i.max_size), "minSizeIncrement": number(i.size_step),
                "openInterest": number(open_interest),
                "fundingRate": t.as_ref().and_then(|t| t.funding_rate).map(number),
                "fundingTime": t.as_ref().and_then(|t| t.next_funding_at),
                "fundingIntervalMinutes": FUNDING_INTERVAL_MINUTES,
                "contractSize": number(i.contract_size), "timeBasedContract": false, "futures": true,
            })
        })
        .collect();
    ok(Value::Array(rows))
}

/// The open time of the `resolution`-minute candle holding `ts`: weeks from Monday,
/// months from the 1st, anything else on multiples of its length since the epoch.
fn bucket(resolution: i64, ts: TimestampMs) -> TimestampMs {
    match resolution {
        10_080 => Timeframe::W1.bucket(ts),
        43_200 => Timeframe::Month1.bucket(ts),
        r => ts - ts.rem_euclid(r * 60_000),
    }
}

const RESOLUTIONS: [i64; 10] = [1, 5, 15, 30, 60, 240, 360, 1_440, 10_080, 43_200];

fn ohlcv(inner: &Inner, params: &Params, now: TimestampMs) -> Response {
    let instrument = match instrument_of(inner, params.get("symbol").map(String::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let Some(resolution) = params
        .get("resolution")
        .and_then(|r| r.parse::<i64>().ok())
        .filter(|r| RESOLUTIONS.contains(r))
    else {
        return bad_request(&format!(
            "resolution must be one of {RESOLUTIONS:?} (minutes)"
        ));
    };
    let seconds = |key: &str| -> Result<Option<i64>, WireError> {
        match params.get(key).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(|s| Some(s * 1_000))
                .map_err(|_| invalid(&format!("{key} must be seconds since the epoch"))),
        }
    };
    let (start, end) = match (seconds("start"), seconds("end")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r.into_response(),
    };
    let end = end.unwrap_or(now + 1);
    // Fold whole candles: from the start of the candle holding `start`.
    let from = start.map_or(i64::MIN, |s| bucket(resolution, s));
    let Some(series) = inner.candles.get(instrument.id.symbol.as_str()) else {
        return ok(json!([]));
    };
    // Read one candle past `end` so the last row that belongs is whole.
    let longest = if resolution == 43_200 {
        31 * 86_400_000
    } else {
        resolution * 60_000
    };
    let mut rows: BTreeMap<TimestampMs, [Decimal; 5]> = BTreeMap::new();
    for c in series.range(from.max(0), end.saturating_add(longest)) {
        let b = bucket(resolution, c.open_time);
        rows.entry(b)
            .and_modify(|r| {
                r[1] = r[1].max(c.high);
                r[2] = r[2].min(c.low);
                r[3] = c.close;
                r[4] += c.volume;
            })
            .or_insert([c.open, c.high, c.low, c.close, c.volume]);
    }
    let out: Vec<Value> = rows
        .into_iter()
        .rev()
        .filter(|(t, _)| start.is_none_or(|s| *t >= s) && *t < end)
        .take(OHLCV_ROWS)
        .map(|(t, [o, h, l, c, v])| {
            json!([
                t / 1_000,
                number(o),
                number(h),
                number(l),
                number(c),
                number(v)
            ])
        })
        .collect();
    ok(Value::Array(out))
}

/// The L2 book as it stands at `now` (the answer's time, as a venue whose book changes many
/// times a second reports it).
fn order_book(inner: &Inner, params: &Params, now: TimestampMs) -> Response {
    let instrument = match instrument_of(inner, params.get("symbol").map(String::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let depth = params
        .get("depth")
        .and_then(|d| d.parse::<usize>().ok())
        .unwrap_or(SNAPSHOT_LEVELS)
        .clamp(1, 500);
    let Some(book) = inner.exchange.book(&instrument.id, depth) else {
        return ok(json!({}));
    };
    let side = |levels: &[BookLevel]| -> Vec<Value> {
        levels
            .iter()
            .map(|l| json!({ "price": text(l.price), "size": text(l.size) }))
            .collect()
    };
    ok(json!({
        "symbol": instrument.id.symbol.as_str(), "timestamp": now,
        "buyQuote": side(&book.bids), "sellQuote": side(&book.asks),
    }))
}

fn count_param(params: &Params, default: usize, max: usize) -> usize {
    params
        .get("count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(default)
        .clamp(1, max)
}

fn trades(inner: &Inner, params: &Params) -> Response {
    let instrument = match instrument_of(inner, params.get("symbol").map(String::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let symbol = instrument.id.symbol.as_str();
    let rows: Vec<Value> = inner
        .trades
        .get(symbol)
        .into_iter()
        .flat_map(|tape| tape.iter().rev())
        .take(count_param(params, 50, 500))
        .map(|t| {
            json!({ "price": number(t.price), "size": number(t.size), "side": side_text(t.side),
                    "symbol": symbol, "serialId": t.serial, "timestamp": t.ts })
        })
        .collect();
    ok(Value::Array(rows))
}

fn funding_history(inner: &Inner, params: &Params, now: TimestampMs) -> Response {
    let instrument = match instrument_of(inner, params.get("symbol").map(String::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let symbol = instrument.id.symbol.0;
    let period = FUNDING_INTERVAL_MINUTES * 60_000;
    let last = now - now.rem_euclid(period);
    // The simulation's interest part; its history is not kept.
    let rate = Decimal::new(1, 4);
    let rows: Vec<Value> = (0..count_param(params, 10, 100))
        .map(|n| {
            let t = last - period * i64::try_from(n).unwrap_or(0);
            json!({ "time": t / 1_000, "rate": number(rate), "symbol": symbol })
        })
        .collect();
    let mut by_symbol = serde_json::Map::new();
    by_symbol.insert(symbol, Value::Array(rows));
    ok(Value::Object(by_symbol))
}

/// A private route, for account `a`.
fn private(
    inner: &mut Inner,
    a: usize,
    method: &str,
    route: &str,
    params: &Params,
    body: &Value,
    now: TimestampMs,
) -> Response {
    match (method, route) {
        ("GET", "user/wallet") => wallet(inner, a, params),
        ("GET", "user/positions") => match symbol_filter(inner, params) {
            Ok(only) => ok(Value::Array(position_rows(inner, a, only.as_deref()))),
            Err(r) => r.into_response(),
        },
        ("GET", "user/open_orders") => match symbol_filter(inner, params) {
            Ok(only) => {
                let id = &inner.accounts[a].id;
                let rows: Vec<Value> = inner
                    .exchange
                    .open_orders(id)
                    .iter()
                    .filter(|o| {
                        only.as_deref()
                            .is_none_or(|s| o.instrument.symbol.as_str() == s)
                    })
                    .map(|o| order_row(inner, a, o))
                    .collect();
                ok(Value::Array(rows))
            }
            Err(r) => r.into_response(),
        },
        ("GET", "order") => {
            let cid = inner.resolve(
                a,
                params.get("orderID").map(String::as_str),
                params.get("clOrderID").map(String::as_str),
            );
            if !params.contains_key("orderID") && !params.contains_key("clOrderID") {
                return bad_request("orderID or clOrderID is required");
            }
            let order =
                cid.and_then(|c| inner.exchange.order_by_client_id(&inner.accounts[a].id, &c));
            match order {
                // (choice of the contract) An unknown order is HTTP 200 with status 16.
                None => ok(json!({ "status": status::NOT_FOUND, "message": "order not found" })),
                Some(o) => {
                    let mut row = order_row(inner, a, &o);
                    if let Some(map) = row.as_object_mut() {
                        map.insert("status".into(), json!(status_code(&o)));
                    }
                    ok(row)
                }
            }
        }
        ("GET", "user/trade_history") => trade_history(inner, a, params),
        ("POST", "order") => place(inner, a, body, now),
        ("PUT", "order") => amend(inner, a, body, now),
        ("DELETE", "order") => cancel(inner, a, params, now),
        ("POST", "order/cancelAllAfter") => {
            let Some(timeout) = body
                .get("timeout")
                .and_then(Value::as_i64)
                .filter(|t| *t >= 0)
            else {
                return bad_request("timeout must be a whole number of milliseconds, 0 to disarm");
            };
            inner.accounts[a].cancel_at = (timeout > 0).then_some(now + timeout);
            ok(json!({ "timeout": timeout }))
        }
        ("POST", "order/close_position") => close_position(inner, a, body, now),
        ("POST", "order/bind/tpsl") => bind_tp_sl(inner, a, body),
        ("POST", "leverage") => {
            let instrument = match instrument_of(inner, body.get("symbol").and_then(Value::as_str))
            {
                Ok(i) => i,
                Err(r) => return r.into_response(),
            };
            let Some(leverage) = body
                .get("leverage")
                .and_then(decimal)
                .filter(|l| *l >= Decimal::ONE && *l <= instrument.max_leverage)
            else {
                return bad_request(&format!(
                    "leverage must be between 1 and {}",
                    instrument.max_leverage
                ));
            };
            let setting = inner.accounts[a]
                .leverage
                .entry(instrument.id.symbol.0.clone())
                .or_default();
            match body.get("marginMode").and_then(Value::as_str) {
                None => {}
                Some("CROSS") => setting.cross = true,
                Some("ISOLATED") => setting.cross = false,
                Some(_) => return bad_request("marginMode must be CROSS or ISOLATED"),
            }
            setting.leverage = leverage;
            ok(leverage_json(instrument.id.symbol.as_str(), *setting))
        }
        ("GET", "leverage") => match instrument_of(inner, params.get("symbol").map(String::as_str))
        {
            Ok(i) => {
                let setting = leverage_of(inner, a, i.id.symbol.as_str());
                ok(leverage_json(i.id.symbol.as_str(), setting))
            }
            Err(r) => r.into_response(),
        },
        _ => error(
            StatusCode::NOT_FOUND,
            -2,
            &format!("no route {method} {API}{route}"),
        ),
    }
}

fn leverage_of(inner: &Inner, a: usize, symbol: &str) -> LeverageSetting {
    inner.accounts[a]
        .leverage
        .get(symbol)
        .copied()
        .unwrap_or_default()
}

fn leverage_json(symbol: &str, s: LeverageSetting) -> Value {
    json!({ "symbol": symbol, "leverage": number(s.leverage),
            "marginMode": if s.cross { "CROSS" } else { "ISOLATED" } })
}

fn wallet(inner: &Inner, a: usize, params: &Params) -> Response {
    if params.get("wallet").is_some_and(|w| w != WALLET) {
        return bad_request("this account has one wallet, CROSS@");
    }
    let id = &inner.accounts[a].id;
    let Some(b) = inner.exchange.balances(id).into_iter().next() else {
        return ok(json!([]));
    };
    let maintenance: Decimal = inner
        .exchange
        .positions(id)
        .iter()
        .filter_map(|p| {
            let i = inner.instrument(p.instrument.symbol.as_str())?;
            Some(i.notional(p.size, p.mark_price.unwrap_or(p.entry_price)) * MAINTENANCE_MARGIN)
        })
        .sum();
    ok(json!([{
        "wallet": WALLET, "totalValue": number(b.equity), "marginBalance": number(b.equity),
        "availableBalance": number(b.available), "unrealisedProfitLoss": number(b.unrealized_pnl),
        "maintenanceMargin": number(maintenance.round_dp(8)),
        "assets": [{ "balance": number(b.wallet), "assetPrice": 1, "currency": SETTLE }],
        "assetsInUse": [{ "balance": number(b.margin_used), "assetPrice": 1, "currency": SETTLE }],
    }]))
}

fn position_rows(inner: &Inner, a: usize, only: Option<&str>) -> Vec<Value> {
    let account = &inner.accounts[a];
    inner
        .exchange
        .positions(&account.id)
        .iter()
        .filter(|p| only.is_none_or(|s| p.instrument.symbol.as_str() == s))
        .filter_map(|p| {
            let symbol = p.instrument.symbol.as_str();
            let i = inner.instrument(symbol)?;
            let mark = p.mark_price.unwrap_or(p.entry_price);
            let setting = leverage_of(inner, a, symbol);
            let closing = match p.side {
                PositionSide::Long => "SELL",
                PositionSide::Short => "BUY",
            };
            let triggers = account.triggers.get(symbol);
            let take_profit = p.take_profit.map(|tp| {
                json!({ "orderId": format!("tp-{symbol}"), "side": closing, "triggerPrice": number(tp),
                        "triggerUseLastPrice": triggers.is_none_or(|t| t.take_profit_last) })
            });
            let stop_loss = p.stop_loss.map(|sl| {
                json!({ "orderId": format!("sl-{symbol}"), "side": closing, "triggerPrice": number(sl),
                        "triggerUseLastPrice": triggers.is_none_or(|t| t.stop_loss_last),
                        "trailValue": p.stop_loss_trail.map(number) })
            });
            Some(json!({
                "symbol": symbol, "side": if p.side == PositionSide::Long { "BUY" } else { "SELL" },
                "size": number(p.size), "entryPrice": number(p.entry_price), "markPrice": number(mark),
                "liquidationPrice": p.liquidation_price.map(number),
                "unrealizedProfitLoss": number(p.unrealized_pnl),
                "totalMaintenanceMargin": number((i.notional(p.size, mark) * MAINTENANCE_MARGIN).round_dp(8)),
                "orderValue": number(i.notional(p.size, mark).round_dp(8)),
                "marginType": if setting.cross { 91 } else { 92 },
                "isolatedLeverage": number(setting.leverage), "currentLeverage": number(p.leverage),
                "contractSize": number(i.contract_size), "settleWithAsset": SETTLE,
                "positionMode": "ONE_WAY", "positionId": format!("{symbol}-{SETTLE}"), "walletName": WALLET,
                "timestamp": p.updated_at, "takeProfitOrder": take_profit, "stopLossOrder": stop_loss,
            }))
        })
        .collect()
}

fn side_text(side: Side) -> &'static str {
    match side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    }
}

/// 76 limit, 77 market, 80 algo (a stop).
fn order_type_code(o: &Order) -> i64 {
    match o.order_type {
        OrderType::Limit => 76,
        OrderType::Market => 77,
        OrderType::Stop => 80,
    }
}

/// The status code of an order as it stands.
fn status_code(o: &Order) -> i64 {
    match o.status {
        OrderStatus::Open if o.order_type == OrderType::Stop => status::TRIGGER_INSERTED,
        OrderStatus::Open | OrderStatus::Pending | OrderStatus::Unknown => status::INSERTED,
        OrderStatus::PartiallyFilled => status::PARTIALLY_TRANSACTED,
        OrderStatus::Filled => status::FULLY_TRANSACTED,
        OrderStatus::Cancelled => status::CANCELLED,
        OrderStatus::Rejected => status::REJECTED,
    }
}

fn order_row(inner: &Inner, a: usize, o: &Order) -> Value {
    let symbol = o.instrument.symbol.as_str();
    let value = inner
        .instrument(symbol)
        .map(|i| {
            i.notional(
                o.size,
                o.price
                    .or(o.avg_fill_price)
                    .or(o.trigger_price)
                    .unwrap_or(Decimal::ZERO),
            )
        })
        .unwrap_or_default();
    json!({
        "orderID": o.id.as_ref().map(|i| i.0.clone()), "clOrderID": o.client_order_id.as_str(),
        "symbol": symbol, "side": side_text(o.side), "orderType": order_type_code(o),
        "price": number(o.price.unwrap_or_default()), "size": number(o.size),
        "filledSize": number(o.filled_size), "averageFillPrice": number(o.avg_fill_price.unwrap_or_default()),
        "orderValue": number(value.round_dp(8)), "timestamp": o.created_at,
        "timeInForce": inner.time_in_force(a, &o.client_order_id),
        "postOnly": o.post_only, "reduceOnly": o.reduce_only,
        "triggerOrder": o.order_type == OrderType::Stop, "triggerPrice": number(o.trigger_price.unwrap_or_default()),
        "triggerOrderType": (o.order_type == OrderType::Stop).then_some(1001),
        "trailValue": 0,
        "orderState": if o.status.is_working() { "STATUS_ACTIVE" } else { "STATUS_INACTIVE" },
        "positionMode": "ONE_WAY", "positionId": format!("{symbol}-{SETTLE}"),
    })
}

/// A push on `notificationApiV2`: `size` is what remains to work (choice: the contract
/// names `size` and `originalSize` without saying; two fields suggest they differ).
fn notification(o: &Order) -> Value {
    json!({
        "symbol": o.instrument.symbol.as_str(), "orderID": o.id.as_ref().map(|i| i.0.clone()),
        "clOrderID": o.client_order_id.as_str(), "side": side_text(o.side), "type": order_type_code(o),
        "price": number(o.price.unwrap_or_default()), "size": number(o.remaining()), "originalSize": number(o.size),
        "avgFillPrice": number(o.avg_fill_price.unwrap_or_default()), "fillSize": number(o.filled_size),
        "status": status_code(o), "timestamp": o.updated_at, "postOnly": o.post_only,
        "reduceOnly": o.reduce_only, "txType": if o.order_type == OrderType::Stop { "STOP" } else { "LIMIT" },
        "triggerPrice": number(o.trigger_price.unwrap_or_default()), "message": o.reason.clone().unwrap_or_default(),
    })
}

/// A trade id's number: `BTC-PERP-42` → 42.
fn serial_of(fill: &Fill) -> u64 {
    fill.trade_id
        .as_str()
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// A push on `fills`.
fn fill_push(f: &Fill) -> Value {
    json!({
        "orderId": f.order_id.as_ref().map(|i| i.0.clone()),
        "clOrderID": f.client_order_id.as_ref().map(|c| c.0.clone()),
        "tradeId": f.trade_id.as_str(), "serialId": serial_of(f), "symbol": f.instrument.symbol.as_str(),
        "side": side_text(f.side), "price": number(f.price), "size": number(f.size),
        "feeAmount": number(f.fee), "feeCurrency": SETTLE, "maker": f.liquidity == Liquidity::Maker,
        "timestamp": f.ts,
    })
}

fn trade_history(inner: &Inner, a: usize, params: &Params) -> Response {
    let only = match symbol_filter(inner, params) {
        Ok(s) => s,
        Err(r) => return r.into_response(),
    };
    let ms = |k: &str| params.get(k).and_then(|v| v.parse::<i64>().ok());
    let (start, end) = (ms("startTime"), ms("endTime"));
    let id = &inner.accounts[a].id;
    let rows: Vec<Value> = inner
        .exchange
        .fills(id, start)
        .iter()
        .rev()
        .filter(|f| end.is_none_or(|e| f.ts <= e))
        .filter(|f| only.as_deref().is_none_or(|s| f.instrument.symbol.as_str() == s))
        .take(count_param(params, 100, 500))
        .map(|f| {
            let symbol = f.instrument.symbol.as_str();
            let order = f
                .client_order_id
                .as_ref()
                .and_then(|c| inner.exchange.order_by_client_id(id, c));
            let contract = inner.instrument(symbol).map_or(Decimal::ONE, |i| i.contract_size);
            json!({
                "tradeId": f.trade_id.as_str(), "orderId": f.order_id.as_ref().map(|i| i.0.clone()),
                "clOrderID": f.client_order_id.as_ref().map(|c| c.0.clone()), "symbol": symbol,
                "side": side_text(f.side), "orderType": order.as_ref().map_or(77, order_type_code),
                "price": number(order.as_ref().and_then(|o| o.price).unwrap_or(f.price)),
                "size": number(order.as_ref().map_or(f.size, |o| o.size)),
                "filledPrice": number(f.price), "filledSize": number(f.size),
                "feeAmount": number(f.fee), "feeCurrency": SETTLE, "realizedPnl": number(f.realized_pnl),
                "maker": f.liquidity == Liquidity::Maker, "serialId": serial_of(f), "timestamp": f.ts,
                "contractSize": number(contract), "positionId": format!("{symbol}-{SETTLE}"),
            })
        })
        .collect();
    ok(Value::Array(rows))
}

/// An order answer: one ack, or for an IOC or market order that filled in part, the
/// partial fill (5) and then the cancellation of the rest (6).
fn acks(o: &Order, time_in_force: &str) -> Value {
    let reason = o.reason.as_deref().unwrap_or("");
    let rows = match o.status {
        OrderStatus::Cancelled if !o.filled_size.is_zero() => vec![
            ack(o, status::PARTIALLY_TRANSACTED, time_in_force, ""),
            ack(o, status::CANCELLED, time_in_force, reason),
        ],
        _ => vec![ack(o, status_code(o), time_in_force, reason)],
    };
    Value::Array(rows)
}

fn ack(o: &Order, code: i64, time_in_force: &str, message: &str) -> Value {
    json!({
        "status": code, "symbol": o.instrument.symbol.as_str(), "orderType": order_type_code(o),
        "price": number(o.price.or(o.avg_fill_price).unwrap_or_default()), "side": side_text(o.side),
        "size": number(o.size), "orderID": o.id.as_ref().map(|i| i.0.clone()),
        "clOrderID": o.client_order_id.as_str(), "timestamp": o.updated_at,
        "triggerPrice": number(o.trigger_price.unwrap_or_default()), "trigger": o.order_type == OrderType::Stop,
        "message": message, "averageFillPrice": number(o.avg_fill_price.unwrap_or_default()),
        "fillSize": number(o.filled_size), "postOnly": o.post_only, "reduceOnly": o.reduce_only,
        "time_in_force": time_in_force,
    })
}

/// The ack of a request refused before it became an order.
fn refusal(
    code: i64,
    symbol: &str,
    client_id: Option<&str>,
    message: &str,
    now: TimestampMs,
) -> Value {
    json!([{
        "status": code, "symbol": symbol, "orderID": null, "clOrderID": client_id,
        "timestamp": now, "message": message, "fillSize": 0, "averageFillPrice": 0,
    }])
}

/// What a refusal from the simulation answers: 8 for money, 16 for an order it does not
/// know, 15 for a rule (post-only crossing, reduce-only with nothing to reduce, a reused
/// client id, a trigger on the wrong side).
fn refusal_code(kind: &ErrorKind) -> i64 {
    match kind {
        ErrorKind::InsufficientFunds => status::INSUFFICIENT_BALANCE,
        ErrorKind::NotFound => status::NOT_FOUND,
        ErrorKind::InvalidOrder { .. } => status::REJECTED,
        _ => status::FAILED,
    }
}

/// A decimal from a JSON number (BTSE sends numbers; strings are refused).
fn decimal(v: &Value) -> Option<Decimal> {
    let n = v.as_number()?.to_string();
    Decimal::from_str(&n)
        .or_else(|_| Decimal::from_scientific(&n))
        .ok()
}

/// An optional positive price on the tick; absent or 0 is `None`.
fn price_field(body: &Value, key: &str, i: &Instrument) -> Result<Option<Decimal>, WireError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match decimal(v) {
            Some(p) if p.is_zero() => Ok(None),
            Some(p) if p > Decimal::ZERO && i.is_on_tick(p) => Ok(Some(p)),
            _ => Err(invalid(&format!(
                "{key} must be a positive number on the {} tick",
                i.price_tick
            ))),
        },
    }
}

/// A size: a whole number of contracts within the market's limits.
fn size_field(v: Option<&Value>, key: &str, i: &Instrument) -> Result<Decimal, WireError> {
    match v.and_then(decimal) {
        Some(s) if s.fract().is_zero() && s >= i.min_size && s <= i.max_size => Ok(s.normalize()),
        _ => Err(invalid(&format!(
            "{key} must be a whole number of contracts from {} to {}",
            i.min_size, i.max_size
        ))),
    }
}

fn flag(body: &Value, key: &str) -> Result<bool, WireError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(&format!("{key} must be true or false"))),
    }
}

fn trigger_field(body: &Value, key: &str) -> Result<bool, WireError> {
    match body.get(key).and_then(Value::as_str) {
        None | Some("lastPrice") => Ok(true),
        Some("markPrice") => Ok(false),
        Some(_) => Err(invalid(&format!("{key} must be markPrice or lastPrice"))),
    }
}

/// A new order as `POST order` describes it, checked field by field.
struct NewOrder {
    request: OrderRequest,
    time_in_force: &'static str,
    exits: Option<Exits>,
}

fn new_order(inner: &mut Inner, a: usize, body: &Value) -> Result<NewOrder, WireError> {
    let i = instrument_of(inner, body.get("symbol").and_then(Value::as_str))?;
    let side = match body.get("side").and_then(Value::as_str) {
        Some("BUY") => Side::Buy,
        Some("SELL") => Side::Sell,
        _ => return Err(invalid("side must be BUY or SELL")),
    };
    let limit = match body.get("type").and_then(Value::as_str) {
        Some("LIMIT") => true,
        Some("MARKET") => false,
        _ => return Err(invalid("type must be LIMIT or MARKET")),
    };
    let size = size_field(body.get("size"), "size", &i)?;
    let price = price_field(body, "price", &i)?;
    if limit && price.is_none() {
        return Err(invalid("a LIMIT order needs a price"));
    }
    let (tif, time_in_force) = match body.get("time_in_force").and_then(Value::as_str) {
        None | Some("GTC") => (TimeInForce::Gtc, "GTC"),
        Some("IOC") => (TimeInForce::Ioc, "IOC"),
        Some("FOK") => (TimeInForce::Fok, "FOK"),
        Some(other) => {
            return Err(invalid(&format!(
                "time_in_force {other} is not served here: GTC, IOC or FOK"
            )))
        }
    };
    let stop = match body.get("txType").and_then(Value::as_str) {
        None | Some("LIMIT") => false,
        Some("STOP" | "TRIGGER") => true,
        Some(_) => return Err(invalid("txType must be LIMIT, STOP or TRIGGER")),
    };
    let trigger_price = price_field(body, "triggerPrice", &i)?;
    let order_type = match (stop, limit) {
        (false, true) => OrderType::Limit,
        (false, false) => OrderType::Market,
        (true, false) if trigger_price.is_some() => OrderType::Stop,
        (true, false) => return Err(invalid("a STOP order needs a triggerPrice")),
        // The simulation's stops are stop-market orders.
        (true, true) => {
            return Err(invalid(
                "stop-limit orders are not served here: send type MARKET with txType STOP",
            ))
        }
    };
    let post_only = flag(body, "postOnly")?;
    let reduce_only = flag(body, "reduceOnly")?;
    let take_profit = price_field(body, "takeProfitPrice", &i)?;
    let stop_loss = price_field(body, "stopLossPrice", &i)?;
    trigger_field(body, "takeProfitTrigger")?;
    trigger_field(body, "stopLossTrigger")?;
    let account = &mut inner.accounts[a];
    let client_id = match body.get("clOrderID") {
        Some(Value::String(c)) if !c.is_empty() => c.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => {
            account.next_client_id += 1;
            format!("lmex-{}", account.next_client_id)
        }
        Some(_) => return Err(invalid("clOrderID must be a string")),
    };
    let leverage = account
        .leverage
        .get(i.id.symbol.as_str())
        .copied()
        .unwrap_or_default()
        .leverage;
    Ok(NewOrder {
        request: OrderRequest {
            instrument: i.id,
            client_order_id: ClientOrderId(client_id),
            side,
            order_type,
            size,
            price: if order_type == OrderType::Limit {
                price
            } else {
                None
            },
            trigger_price: if order_type == OrderType::Stop {
                trigger_price
            } else {
                None
            },
            time_in_force: if order_type == OrderType::Market && tif == TimeInForce::Gtc {
                TimeInForce::Ioc
            } else {
                tif
            },
            reduce_only,
            post_only,
            leverage: Some(leverage),
            take_profit,
            stop_loss,
        },
        time_in_force,
        exits: (take_profit.is_some() || stop_loss.is_some()).then_some(Exits {
            take_profit,
            stop_loss,
        }),
    })
}

fn place(inner: &mut Inner, a: usize, body: &Value, now: TimestampMs) -> Response {
    let order = match new_order(inner, a, body) {
        Ok(o) => o,
        Err(r) => return r.into_response(),
    };
    let account = inner.accounts[a].id.clone();
    let cid = order.request.client_order_id.clone();
    if let Some(exits) = order.exits {
        // Set before the order trades, so a fill in this very request finds them.
        if inner.exchange.order_by_client_id(&account, &cid).is_none() {
            inner.accounts[a].attached.insert(cid.clone(), exits);
        }
    }
    match inner.exchange.place(&account, &order.request, now) {
        Ok(o) => {
            let acc = &mut inner.accounts[a];
            acc.time_in_force.insert(cid, order.time_in_force);
            if let Some(id) = &o.id {
                acc.order_ids
                    .insert(id.0.clone(), o.client_order_id.clone());
            }
            if order.exits.is_some() {
                acc.triggers.insert(
                    o.instrument.symbol.0.clone(),
                    ExitTriggers {
                        take_profit_last: trigger_field(body, "takeProfitTrigger").unwrap_or(true),
                        stop_loss_last: trigger_field(body, "stopLossTrigger").unwrap_or(true),
                    },
                );
            }
            ok(acks(&o, order.time_in_force))
        }
        Err(e) => {
            if inner.exchange.order_by_client_id(&account, &cid).is_none() {
                inner.accounts[a].attached.remove(&cid);
            }
            ok(refusal(
                refusal_code(&e.kind),
                order.request.instrument.symbol.as_str(),
                Some(cid.as_str()),
                &e.message,
                now,
            ))
        }
    }
}

fn amend(inner: &mut Inner, a: usize, body: &Value, now: TimestampMs) -> Response {
    let i = match instrument_of(inner, body.get("symbol").and_then(Value::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let kind = body.get("type").and_then(Value::as_str).unwrap_or("");
    let parsed = match kind {
        "PRICE" => price_field(body, "value", &i).map(|p| (p, None, None)),
        "SIZE" => size_field(body.get("value"), "value", &i).map(|s| (None, Some(s), None)),
        "TRIGGERPRICE" => price_field(body, "value", &i).map(|t| (None, None, t)),
        "ALL" => price_field(body, "orderPrice", &i).and_then(|p| {
            let s = size_field(body.get("orderSize"), "orderSize", &i)?;
            let t = price_field(body, "triggerPrice", &i)?;
            Ok((p, Some(s), t))
        }),
        _ => return bad_request("type must be PRICE, SIZE, TRIGGERPRICE or ALL"),
    };
    let (price, size, trigger_price) = match parsed {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    if price.is_none() && size.is_none() && trigger_price.is_none() {
        return bad_request("nothing to amend: give value (or orderPrice and orderSize)");
    }
    let order_id = body.get("orderID").and_then(Value::as_str);
    let client_id = body.get("clOrderID").and_then(Value::as_str);
    let account = inner.accounts[a].id.clone();
    let found = inner
        .resolve(a, order_id, client_id)
        .and_then(|c| inner.exchange.order_by_client_id(&account, &c))
        .filter(|o| o.instrument == i.id);
    let Some(order) = found else {
        return ok(refusal(
            status::NOT_FOUND,
            i.id.symbol.as_str(),
            client_id,
            "order not found",
            now,
        ));
    };
    let tif = inner.time_in_force(a, &order.client_order_id);
    let request = AmendRequest {
        instrument: i.id.clone(),
        client_order_id: order.client_order_id.clone(),
        order_id: order.id.clone(),
        price,
        trigger_price,
        size,
    };
    match inner.exchange.amend(&account, &request, now) {
        Ok(o) => ok(json!([ack(&o, status::AMENDED, tif, "")])),
        Err(e) => ok(json!([ack(&order, refusal_code(&e.kind), tif, &e.message)])),
    }
}

/// Cancels `a`'s working orders (of `symbol`, or all); returns them as they ended.
fn cancel_working(
    inner: &mut Inner,
    a: usize,
    symbol: Option<&InstrumentId>,
    now: TimestampMs,
) -> Vec<Order> {
    let account = inner.accounts[a].id.clone();
    let working: Vec<Order> = inner
        .exchange
        .open_orders(&account)
        .into_iter()
        .filter(|o| symbol.is_none_or(|s| o.instrument == *s))
        .collect();
    working
        .iter()
        .filter_map(|o| {
            inner
                .exchange
                .cancel(&account, &o.instrument, &o.client_order_id, now)
                .ok()
        })
        .collect()
}

fn cancel(inner: &mut Inner, a: usize, params: &Params, now: TimestampMs) -> Response {
    let i = match instrument_of(inner, params.get("symbol").map(String::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let order_id = params
        .get("orderID")
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    let client_id = params
        .get("clOrderID")
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    if order_id.is_none() && client_id.is_none() {
        let cancelled = cancel_working(inner, a, Some(&i.id), now);
        let rows: Vec<Value> = cancelled
            .iter()
            .map(|o| {
                ack(
                    o,
                    status::CANCELLED,
                    inner.time_in_force(a, &o.client_order_id),
                    "",
                )
            })
            .collect();
        return ok(Value::Array(rows));
    }
    let account = inner.accounts[a].id.clone();
    let found = inner
        .resolve(a, order_id, client_id)
        .and_then(|c| inner.exchange.order_by_client_id(&account, &c))
        .filter(|o| o.instrument == i.id);
    let Some(order) = found else {
        return ok(refusal(
            status::NOT_FOUND,
            i.id.symbol.as_str(),
            client_id,
            "order not found",
            now,
        ));
    };
    let tif = inner.time_in_force(a, &order.client_order_id);
    match inner
        .exchange
        .cancel(&account, &i.id, &order.client_order_id, now)
    {
        Ok(o) => ok(json!([ack(&o, status::CANCELLED, tif, "")])),
        // Already filled or cancelled: the venue no longer has it working.
        Err(e) => ok(json!([ack(&order, status::NOT_FOUND, tif, &e.message)])),
    }
}

fn close_position(inner: &mut Inner, a: usize, body: &Value, now: TimestampMs) -> Response {
    let i = match instrument_of(inner, body.get("symbol").and_then(Value::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    match body.get("type").and_then(Value::as_str) {
        None | Some("MARKET") => {}
        Some(_) => return bad_request("type must be MARKET: limit closes are not served here"),
    }
    let account = inner.accounts[a].id.clone();
    match inner.exchange.close_position(&account, &i.id, now) {
        Ok(o) => {
            if let Some(id) = &o.id {
                inner.accounts[a]
                    .order_ids
                    .insert(id.0.clone(), o.client_order_id.clone());
            }
            inner.accounts[a]
                .time_in_force
                .insert(o.client_order_id.clone(), "IOC");
            ok(acks(&o, "IOC"))
        }
        Err(e) => ok(refusal(
            status::REJECTED,
            i.id.symbol.as_str(),
            None,
            &e.message,
            now,
        )),
    }
}

/// `bind/tpsl`: sets the position's exits to exactly what is given — a price left out is
/// removed (choice; the contract says so for both at once) — with `trailValue` > 0 making
/// the stop-loss trail the last price.
fn bind_tp_sl(inner: &mut Inner, a: usize, body: &Value) -> Response {
    let i = match instrument_of(inner, body.get("symbol").and_then(Value::as_str)) {
        Ok(i) => i,
        Err(r) => return r.into_response(),
    };
    let symbol = i.id.symbol.0.clone();
    let side = match body.get("side").and_then(Value::as_str) {
        Some("BUY") => Side::Buy,
        Some("SELL") => Side::Sell,
        _ => return bad_request("side must be BUY or SELL (the side that closes the position)"),
    };
    let ExitRequest {
        take_profit,
        stop_loss,
        trail,
        triggers,
    } = match exit_request(body, &i) {
        Ok(r) => r,
        Err(r) => return r.into_response(),
    };
    let account = inner.accounts[a].id.clone();
    let now = inner.exchange.ticker(&i.id).map_or(0, |t| t.ts);
    let Some(position) = inner
        .exchange
        .positions(&account)
        .into_iter()
        .find(|p| p.instrument == i.id)
    else {
        return ok(refusal(
            status::REJECTED,
            &symbol,
            None,
            &format!("no open position in {symbol}"),
            now,
        ));
    };
    let long = position.side == PositionSide::Long;
    if (side == Side::Sell) != long {
        return ok(refusal(
            status::REJECTED,
            &symbol,
            None,
            &format!(
                "side must be {}, the side that closes this position",
                if long { "SELL" } else { "BUY" }
            ),
            now,
        ));
    }
    // (choice) With both, the stop starts at `stopLossPrice` and keeps the distance it starts
    // at from the last price (the simulation's trailing stop); alone, `trailValue` places
    // it that far from the last price.
    let stop_loss = match (trail, stop_loss) {
        (Some(_), Some(p)) => Some(StopLoss {
            price: p,
            trailing: true,
        }),
        (Some(t), None) => {
            let Some(last) = inner.exchange.ticker(&i.id).and_then(|t| t.last) else {
                return ok(refusal(
                    status::REJECTED,
                    &symbol,
                    None,
                    "no last price to trail",
                    now,
                ));
            };
            Some(StopLoss {
                price: if long { last - t } else { last + t },
                trailing: true,
            })
        }
        (None, Some(p)) => Some(StopLoss::fixed(p)),
        (None, None) => None,
    };
    if let Err(e) = inner
        .exchange
        .set_tp_sl(&account, &i.id, take_profit, stop_loss)
    {
        return ok(refusal(
            refusal_code(&e.kind),
            &symbol,
            None,
            &e.message,
            now,
        ));
    }
    inner.accounts[a].triggers.insert(symbol.clone(), triggers);
    let exit = |kind: &str, price: Decimal| {
        json!({
            "status": status::TRIGGER_INSERTED, "symbol": symbol, "orderType": 80,
            "price": number(price), "side": side_text(side), "size": number(position.size),
            "orderID": format!("{kind}-{symbol}"), "clOrderID": null, "timestamp": now,
            "triggerPrice": number(price), "trigger": true, "message": "",
            "averageFillPrice": 0, "fillSize": 0, "postOnly": false, "reduceOnly": true,
            "time_in_force": "GTC",
        })
    };
    let mut rows = Vec::new();
    if let Some(tp) = take_profit {
        rows.push(exit("tp", tp));
    }
    if let Some(sl) = stop_loss {
        rows.push(exit("sl", sl.price));
    }
    ok(Value::Array(rows))
}

/// What `bind/tpsl` asks for, checked.
struct ExitRequest {
    take_profit: Option<Decimal>,
    stop_loss: Option<Decimal>,
    /// The trailing distance, when the stop-loss trails.
    trail: Option<Decimal>,
    triggers: ExitTriggers,
}

fn exit_request(body: &Value, i: &Instrument) -> Result<ExitRequest, WireError> {
    let trail = match body.get("trailValue") {
        None | Some(Value::Null) => None,
        Some(v) => match decimal(v) {
            Some(t) if t.is_zero() => None,
            Some(t) if t > Decimal::ZERO && i.is_on_tick(t) => Some(t),
            _ => {
                return Err(invalid(&format!(
                    "trailValue must be a positive number on the {} tick",
                    i.price_tick
                )))
            }
        },
    };
    Ok(ExitRequest {
        take_profit: price_field(body, "takeProfitPrice", i)?,
        stop_loss: price_field(body, "stopLossPrice", i)?,
        trail,
        triggers: ExitTriggers {
            take_profit_last: trigger_field(body, "takeProfitTrigger")?,
            stop_loss_last: trigger_field(body, "stopLossTrigger")?,
        },
    })
}

/// A decimal as the text the book uses: `"91250.5"`, `"1200"`.
fn text(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A decimal as a JSON number: an integer when it is whole.
fn number(d: Decimal) -> Value {
    let d = d.normalize();
    match d.to_i64() {
        Some(i) if d.fract().is_zero() => json!(i),
        _ => d.to_f64().map_or(Value::Null, |f| json!(f)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_btse_documentation_vectors() {
        let secret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx";
        let body = r#"{"postOnly":false,"price":8500.0,"reduceOnly":false,"side":"BUY","size":1,"stopPrice":0.0,"symbol":"BTCPFC","time_in_force":"GTC","trailValue":0.0,"triggerPrice":0.0,"txType":"LIMIT","type":"LIMIT"}"#;
        struct Case {
            path: &'static str,
            nonce: &'static str,
            body: &'static str,
            expected: &'static str,
        }
        let cases = [
            Case {
                path: "/api/v2.1/user/wallet",
                nonce: "1624984297330",
                body: "",
                expected: "ea4f1f2b43a0f4d750ae560c5274d6214d140fcab3093da5f4a83e36828535bd2ba7b12160cd12199596f422c8883333",
            },
            Case {
                path: "/api/v2.1/order",
                nonce: "1624985375123",
                body,
                expected: "943adfce43b609a28506274976b96e08cf4bdc4ea53ca0b4cac0eb2cf0773a7d0807efc0aeab779d47fadcd9a60eea13",
            },
        ];
        for (n, c) in cases.into_iter().enumerate() {
            assert_eq!(
                signature(secret, c.path, c.nonce, c.body),
                c.expected,
                "case {n}"
            );
        }
    }

    #[test]
    fn book_topics_name_a_symbol_with_grouping_zero() {
        assert_eq!(book_symbol("update:BTC-PERP_0"), Some("BTC-PERP"));
        assert_eq!(book_symbol("update:BTC-PERP_5"), None);
        assert_eq!(book_symbol("tradeHistoryApi:BTC-PERP"), None);
    }
}

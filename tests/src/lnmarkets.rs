//! An LN Markets server speaking REST v3 as the venue does (../shared/venues/NOTES.md §1):
//! `lnm-access-*` HMAC-SHA256 authentication with the 30 s timestamp window, the futures
//! ticker with size tiers, paginated candles, the account, and isolated trades (market and
//! limit, cancel, close) with margin, fees, liquidation and PnL in sats.
//!
//! It verifies signatures with its own code, written from the venue's documentation, so a
//! connector that signs wrongly is refused here as it would be there.

use crate::server::{status_fault, url_params, Fault, Faults, ServerClock, TestServer};
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use futures::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use tokio::sync::mpsc;

/// Ids are UUIDs, as the venue's are.
const ACCOUNT_UUID: &str = "a0000000-0000-4000-8000-000000000001";
const USER_UUID: &str = "b0000000-0000-4000-8000-000000000001";
const CROSS_UUID: &str = "c0000000-0000-4000-8000-000000000001";

fn uuid(n: u64) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

/// How far a request's timestamp may be from the server's clock.
const TIMESTAMP_WINDOW_MS: i64 = 30_000;
/// Tier-1 trading fee.
const FEE_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
const SATS: i64 = 100_000_000;

/// An API key the server accepts.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub key: String,
    pub secret: String,
    pub passphrase: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TradeState {
    Open,
    Running,
    Closed,
    Canceled,
}

#[derive(Clone, Debug)]
struct Trade {
    id: String,
    limit: bool,
    buy: bool,
    price: Decimal,
    quantity: i64,
    margin: i64,
    leverage: Decimal,
    entry: Option<Decimal>,
    exit: Option<Decimal>,
    pl: i64,
    opening_fee: i64,
    closing_fee: i64,
    stoploss: Decimal,
    /// A trailing stop-loss's distance from the market; zero when fixed.
    stoploss_trail: Decimal,
    takeprofit: Decimal,
    created_at: i64,
    filled_at: Option<i64>,
    closed_at: Option<i64>,
    state: TradeState,
    client_id: Option<String>,
    sum_funding_fees: i64,
}

struct Account {
    api: ApiKey,
    id: String,
    balance: i64,
    trades: Vec<Trade>,
    /// (fee, settlement id, time, trade id)
    funding_fees: Vec<(i64, String, i64, String)>,
    cross: Cross,
    wallet: Wallet,
}

/// Deposits and withdrawals of one account.
#[derive(Default)]
struct Wallet {
    /// (id, sats, payment hash, created, settled)
    lightning_deposits: Vec<(String, i64, String, i64, Option<i64>)>,
    /// (id, sats, transaction id, created, block height)
    on_chain_deposits: Vec<(String, i64, String, i64, i64)>,
    /// (id, kind `lightning` | `on-chain`, sats, destination, created)
    withdrawals: Vec<(String, &'static str, i64, String, i64)>,
}

/// How long the test server's Lightning deposits take to be paid.
const DEPOSIT_SETTLES_AFTER_MS: i64 = 3_000;

/// `/v3/account/...` money routes; `None` for any other route.
fn wallet_route(
    account: &mut Account,
    next_id: &mut u64,
    method: &str,
    path: &str,
    body: &Value,
    now: i64,
) -> Option<Response> {
    // Invoices are paid by `LnmState::settle_deposits`, which also pushes the payment.
    let page =
        |rows: Vec<Value>| reply(StatusCode::OK, json!({ "data": rows, "nextCursor": null }));
    let address = format!(
        "tb1q{}",
        account.id.replace('-', "").get(..32).unwrap_or("")
    );
    Some(match (method, path) {
        ("GET", "/v3/account/address/bitcoin") => reply(StatusCode::OK, json!({ "address": address })),
        ("POST", "/v3/account/address/bitcoin") => {
            reply(StatusCode::OK, json!({ "address": address, "createdAt": iso(now) }))
        }
        ("POST", "/v3/account/deposit/lightning") => {
            let Some(amount) = body.get("amount").and_then(Value::as_i64).filter(|a| *a > 0) else {
                return Some(fail(StatusCode::BAD_REQUEST, "amount must be a positive number of sats", "BAD_REQUEST"));
            };
            *next_id += 1;
            let id = uuid(*next_id);
            let hash = format!("{:064x}", *next_id);
            // The data part uses bech32's alphabet (no `1`), so the last `1` is the separator.
            let data: String = hash[40..]
                .bytes()
                .map(|b| char::from(b"qpzry9x8gf2tvdw0"[usize::from(b % 16)]))
                .collect();
            let invoice = format!("lntbs{}n1p{data}", amount * 10);
            account.wallet.lightning_deposits.push((id.clone(), amount, hash, now, None));
            reply(StatusCode::OK, json!({ "depositId": id, "paymentRequest": invoice }))
        }
        ("GET", "/v3/account/deposits/lightning") => page(
            account
                .wallet
                .lightning_deposits
                .iter()
                .rev()
                .map(|(id, amount, hash, created, settled)| {
                    json!({ "id": id, "amount": amount, "paymentHash": hash, "createdAt": iso(*created),
                            "settledAt": settled.map(iso), "comment": null })
                })
                .collect(),
        ),
        ("GET", "/v3/account/deposits/on-chain") => page(
            account
                .wallet
                .on_chain_deposits
                .iter()
                .rev()
                .map(|(id, amount, tx, created, height)| {
                    json!({ "id": id, "amount": amount, "txId": tx, "createdAt": iso(*created),
                            "status": "CONFIRMED", "confirmations": 1, "blockHeight": height })
                })
                .collect(),
        ),
        ("POST", "/v3/account/withdraw/lightning" | "/v3/account/withdraw/on-chain") => {
            let lightning = path.ends_with("lightning");
            let (amount, destination) = if lightning {
                let invoice = body.get("invoice").and_then(Value::as_str).unwrap_or("");
                match kestrel_venues::lnmarkets::extras::invoice_amount_sats(invoice)
                    .and_then(|a| i64::try_from(a).ok())
                {
                    Some(a) if a > 0 => (a, invoice.to_owned()),
                    _ => return Some(fail(StatusCode::BAD_REQUEST, "invalid or zero-amount invoice", "INVALID_INVOICE")),
                }
            } else {
                let address = body.get("address").and_then(Value::as_str).unwrap_or("");
                match body.get("amount").and_then(Value::as_i64) {
                    Some(a) if a > 0 && address.starts_with("tb1") => (a, address.to_owned()),
                    _ => return Some(fail(StatusCode::BAD_REQUEST, "a signet address (tb1…) and a positive amount are required", "BAD_REQUEST")),
                }
            };
            if amount > account.balance {
                return Some(fail(StatusCode::BAD_REQUEST, "insufficient balance", "INSUFFICIENT_BALANCE"));
            }
            account.balance -= amount;
            *next_id += 1;
            let id = uuid(*next_id);
            let kind = if lightning { "lightning" } else { "on-chain" };
            account.wallet.withdrawals.push((id.clone(), kind, amount, destination.clone(), now));
            if lightning {
                reply(StatusCode::OK, json!({ "id": id, "amount": amount, "maxFees": 0, "paymentHash": format!("{:064x}", *next_id) }))
            } else {
                reply(StatusCode::OK, json!({ "id": id, "uid": USER_UUID, "address": destination, "amount": amount, "fee": null,
                    "status": "pending", "txId": null, "createdAt": iso(now), "updatedAt": iso(now) }))
            }
        }
        ("GET", "/v3/account/withdrawals/lightning" | "/v3/account/withdrawals/on-chain") => {
            let kind = if path.ends_with("lightning") { "lightning" } else { "on-chain" };
            page(
                account
                    .wallet
                    .withdrawals
                    .iter()
                    .rev()
                    .filter(|w| w.1 == kind)
                    .map(|(id, _, amount, destination, created)| {
                        if kind == "lightning" {
                            json!({ "id": id, "amount": amount, "fee": 0, "destination": destination,
                                    "paymentHash": format!("{:064x}", id.len()), "status": "processed", "createdAt": iso(*created) })
                        } else {
                            json!({ "id": id, "amount": amount, "fee": null, "address": destination,
                                    "status": "pending", "txId": null, "createdAt": iso(*created) })
                        }
                    })
                    .collect(),
            )
        }
        _ => return None,
    })
}

/// The cross-margin wallet and its one position.
#[derive(Default)]
struct Cross {
    margin: i64,
    leverage: i64,
    /// Signed contracts: short below zero.
    quantity: i64,
    entry: Option<Decimal>,
    trading_fees: i64,
    realized: i64,
    orders: Vec<CrossOrder>,
    /// (id, amount, time); positive is a deposit.
    transfers: Vec<(String, i64, i64)>,
    updated_at: i64,
}

#[derive(Clone)]
struct CrossOrder {
    id: String,
    limit: bool,
    buy: bool,
    price: Decimal,
    quantity: i64,
    fee: i64,
    created_at: i64,
    filled_at: Option<i64>,
    canceled_at: Option<i64>,
}

impl Cross {
    fn required(&self, quantity: i64, entry: Option<Decimal>) -> i64 {
        match entry {
            Some(e) if !e.is_zero() && quantity != 0 => (Decimal::from(quantity.abs() * SATS)
                / (e * Decimal::from(self.leverage.max(1))))
            .ceil()
            .to_i64()
            .unwrap_or(i64::MAX),
            _ => 0,
        }
    }

    /// Applies a fill; refuses one the margin cannot carry.
    fn fill(
        &mut self,
        buy: bool,
        quantity: i64,
        price: Decimal,
        now: i64,
    ) -> Result<i64, &'static str> {
        let signed = if buy { quantity } else { -quantity };
        let fee = fee_sats(quantity, price);
        let (mut q, mut entry, mut margin) = (self.quantity, self.entry, self.margin - fee);
        let mut realized = 0;
        if q != 0 && (q > 0) != (signed > 0) {
            let closing = quantity.min(q.abs());
            let e = entry.unwrap_or(price);
            realized = inverse_pnl(q > 0, closing, e, price);
            margin += realized;
            q += if q > 0 { -closing } else { closing };
            let rest = quantity - closing;
            if q == 0 {
                entry = None;
            }
            if rest > 0 {
                q = if buy { rest } else { -rest };
                entry = Some(price);
            }
        } else {
            let held = Decimal::from(q.abs());
            let add = Decimal::from(quantity);
            entry = Some(match entry {
                Some(e) if q != 0 => (held + add) / (held / e + add / price),
                _ => price,
            });
            q += signed;
        }
        if margin < self.required(q, entry) {
            return Err("Insufficient margin");
        }
        self.quantity = q;
        self.entry = entry;
        self.margin = margin;
        self.trading_fees += fee;
        self.realized += realized;
        self.updated_at = now;
        Ok(fee)
    }

    fn position_json(&self, bid: Decimal, ask: Decimal) -> Value {
        let delta = match self.entry {
            Some(e) if self.quantity != 0 => {
                let exit = if self.quantity > 0 { bid } else { ask };
                inverse_pnl(self.quantity > 0, self.quantity.abs(), e, exit)
            }
            _ => 0,
        };
        let required = self.required(self.quantity, self.entry);
        let liquidation = self
            .entry
            .map(|e| inverse_liquidation(self.quantity > 0, self.quantity.abs(), e, self.margin))
            .filter(|l| !l.is_zero())
            .map(number);
        json!({
            "id": CROSS_UUID, "uid": USER_UUID, "quantity": self.quantity, "entryPrice": self.entry.map(number),
            "leverage": self.leverage, "liquidation": liquidation, "margin": self.margin, "initialMargin": required,
            "maintenanceMargin": required / 2, "runningMargin": self.margin + delta, "deltaPl": delta,
            "totalPl": self.realized, "tradingFees": self.trading_fees, "fundingFees": 0, "updatedAt": iso(self.updated_at),
        })
    }
}

fn cross_order_json(o: &CrossOrder) -> Value {
    json!({
        "id": o.id, "uid": USER_UUID, "type": if o.limit { "limit" } else { "market" },
        "side": if o.buy { "buy" } else { "sell" }, "price": number(o.price), "quantity": o.quantity,
        "tradingFee": o.fee, "createdAt": iso(o.created_at), "filledAt": o.filled_at.map(iso),
        "canceledAt": o.canceled_at.map(iso), "open": o.filled_at.is_none() && o.canceled_at.is_none(),
        "filled": o.filled_at.is_some(), "canceled": o.canceled_at.is_some(),
    })
}

struct Market {
    bid: Decimal,
    ask: Decimal,
    index: Decimal,
    funding_rate: Decimal,
    /// One-minute candles by open time.
    minutes: BTreeMap<i64, [Decimal; 5]>,
}

struct Inner {
    accounts: Vec<Account>,
    market: Market,
    next_id: u64,
    requests: HashMap<String, u32>,
    /// Authenticated requests a second the server allows (none: unlimited), and when the
    /// recent ones arrived.
    rate_limit: Option<usize>,
    recent: std::collections::VecDeque<i64>,
}

/// The server's state, shared with the test that drives it.
pub struct LnmState {
    inner: Mutex<Inner>,
    pub clock: ServerClock,
    streams: Mutex<Vec<StreamClient>>,
    stream_counts: Mutex<HashMap<String, u32>>,
    pub faults: Faults,
}

/// A running LN Markets test server.
pub struct LnmServer {
    pub server: TestServer,
    pub state: Arc<LnmState>,
}

impl LnmServer {
    /// Starts a server with one account holding `balance_sats`, quoting `bid`/`ask`, and
    /// `history_minutes` of one-minute candles ending now.
    pub async fn start(
        api: ApiKey,
        balance_sats: i64,
        bid: Decimal,
        ask: Decimal,
        history_minutes: i64,
    ) -> anyhow::Result<Self> {
        let clock = ServerClock::default();
        let now = clock.now_ms();
        let mut minutes = BTreeMap::new();
        let last = now - now.rem_euclid(60_000);
        for i in 0..history_minutes {
            let t = last - i * 60_000;
            // A gentle deterministic wave so candles differ.
            let wiggle = Decimal::from((i * 37) % 41) / Decimal::TWO;
            let close = bid - wiggle;
            minutes.insert(
                t,
                [
                    close - Decimal::ONE,
                    close + Decimal::TWO,
                    close - Decimal::TWO,
                    close,
                    Decimal::from(1000 + i % 7),
                ],
            );
        }
        let state = Arc::new(LnmState {
            inner: Mutex::new(Inner {
                accounts: vec![Account {
                    id: ACCOUNT_UUID.into(),
                    api,
                    balance: balance_sats,
                    trades: Vec::new(),
                    funding_fees: Vec::new(),
                    cross: Cross {
                        leverage: 1,
                        ..Cross::default()
                    },
                    wallet: Wallet::default(),
                }],
                market: Market {
                    bid,
                    ask,
                    index: (bid + ask) / Decimal::TWO,
                    funding_rate: Decimal::new(1, 4),
                    minutes,
                },
                next_id: 0,
                requests: HashMap::new(),
                rate_limit: None,
                recent: std::collections::VecDeque::new(),
            }),
            clock,
            streams: Mutex::new(Vec::new()),
            stream_counts: Mutex::new(HashMap::new()),
            faults: Faults::default(),
        });
        let router = Router::new()
            .route("/v1", get(stream_upgrade))
            .fallback(dispatch)
            .with_state(state.clone());
        let server = TestServer::start(router).await?;
        // Invoices are paid on time even when nobody asks, and the payment is pushed.
        let weak = Arc::downgrade(&state);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(std::time::Duration::from_millis(250));
            loop {
                tick.tick().await;
                let Some(state) = weak.upgrade() else { break };
                state.settle_deposits();
            }
        });
        Ok(Self { server, state })
    }

    /// The REST base URL (the connector appends `/v3/...`).
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }

    /// Makes the market live: every `step` the quote follows a `kestrel-sim` price path
    /// (geometric walk with clustered volatility, `annual_volatility` 0.55 = 55 %), so pushes,
    /// candles, limit fills and P&L move as on the venue. Stops with the server.
    pub fn drive(&self, seed: u64, annual_volatility: f64, step: std::time::Duration) {
        use rand::SeedableRng;
        let weak = Arc::downgrade(&self.state);
        let start = self.state.lock().market.bid.to_f64().unwrap_or(50_000.0);
        let step_ms = i64::try_from(step.as_millis()).unwrap_or(1_000);
        tokio::spawn(async move {
            let mut path = kestrel_sim::price::PricePath::new(start, annual_volatility, step_ms);
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut tick = tokio::time::interval(step);
            loop {
                tick.tick().await;
                let Some(state) = weak.upgrade() else { break };
                let price = Decimal::from_f64_retain(path.step(&mut rng)).unwrap_or(Decimal::ONE);
                // On the venue's 0.5 tick, one dollar wide.
                let bid = (price * Decimal::TWO).floor() / Decimal::TWO;
                state.set_quote(bid, bid + Decimal::ONE);
            }
        });
    }
}

impl LnmState {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Moves the quote; open limit orders the new quote reaches are filled.
    pub fn set_quote(&self, bid: Decimal, ask: Decimal) {
        let now = self.clock.now_ms();
        self.publish("futures/inverse/btc_usd/buckets", json!({
            "time": now,
            "buckets": [{ "minSize": 1, "maxSize": 100000, "bidPrice": number(bid), "askPrice": number(ask) }],
        }));
        self.publish(
            "futures/inverse/btc_usd/lastPrice",
            json!({ "time": now, "lastPrice": number(bid) }),
        );
        self.publish(
            "futures/inverse/btc_usd/ticker",
            json!({
                "time": now, "lastPrice": number(bid), "index": number((bid + ask) / Decimal::TWO),
                "funding": { "rate": 0.0001, "time": null },
            }),
        );
        // The running minute candle follows the bid, for the REST history and the push.
        let minute = now - now.rem_euclid(60_000);
        let candle = {
            let mut inner = self.lock();
            let c =
                inner
                    .market
                    .minutes
                    .entry(minute)
                    .or_insert([bid, bid, bid, bid, Decimal::ZERO]);
            c[1] = c[1].max(bid);
            c[2] = c[2].min(bid);
            c[3] = bid;
            c[4] += Decimal::TEN;
            *c
        };
        self.publish("futures/inverse/btc_usd/ohlc/1m", json!({
            "time": minute, "open": number(candle[0]), "high": number(candle[1]), "low": number(candle[2]),
            "close": number(candle[3]), "volume": number(candle[4]),
        }));
        let mut inner = self.lock();
        inner.market.bid = bid;
        inner.market.ask = ask;
        inner.market.index = (bid + ask) / Decimal::TWO;
        for (a, account) in inner.accounts.iter_mut().enumerate() {
            for t in &mut account.trades {
                let reached = (t.buy && ask <= t.price) || (!t.buy && bid >= t.price);
                if t.state == TradeState::Open && reached {
                    t.state = TradeState::Running;
                    t.entry = Some(t.price);
                    t.filled_at = Some(now);
                    self.publish_trade(a, "filled", t);
                } else if let Some(event) = on_quote(t, &mut account.balance, bid, ask, now) {
                    self.publish_trade(a, event, t);
                }
            }
            // Resting cross limits the quote reaches fill at their price, if the margin
            // carries them; one it cannot is cancelled, as the venue does.
            let c = &mut account.cross;
            let mut changed = false;
            for i in 0..c.orders.len() {
                let o = c.orders[i].clone();
                let reached = (o.buy && ask <= o.price) || (!o.buy && bid >= o.price);
                if o.filled_at.is_some() || o.canceled_at.is_some() || !reached {
                    continue;
                }
                changed = true;
                match c.fill(o.buy, o.quantity, o.price, now) {
                    Ok(fee) => {
                        c.orders[i].fee = fee;
                        c.orders[i].filled_at = Some(now);
                    }
                    Err(_) => c.orders[i].canceled_at = Some(now),
                }
            }
            if changed {
                self.publish_cross(a, c, bid, ask, now, "limit");
            }
        }
    }

    /// Charges one funding period at `rate` to every running trade (longs pay when the rate
    /// is positive), from its margin, as the venue does at 04:00, 12:00 and 20:00 UTC.
    pub fn settle_funding(&self, rate: Decimal) {
        let now = self.clock.now_ms();
        let mut inner = self.lock();
        let bid = inner.market.bid;
        let settlement = uuid(u64::try_from(now).unwrap_or(0) % 1_000_000_000_000);
        for account in &mut inner.accounts {
            for t in account
                .trades
                .iter_mut()
                .filter(|t| t.state == TradeState::Running)
            {
                let sign = if t.buy {
                    Decimal::ONE
                } else {
                    Decimal::NEGATIVE_ONE
                };
                let fee = (sign * Decimal::from(t.quantity) / bid * rate * Decimal::from(SATS))
                    .floor()
                    .to_i64()
                    .unwrap_or(0);
                t.margin -= fee;
                t.sum_funding_fees += fee;
                account
                    .funding_fees
                    .push((fee, settlement.clone(), now, t.id.clone()));
            }
        }
    }

    /// Enforces the venue's documented limit on authenticated requests (LN Markets: 5 a
    /// second), answering 429 with `Retry-After` beyond it.
    pub fn enforce_rate_limit(&self, per_second: usize) {
        self.lock().rate_limit = Some(per_second);
    }

    /// How many requests were refused with 429.
    pub fn rate_limited(&self) -> u32 {
        self.lock().requests.get("429").copied().unwrap_or(0)
    }

    fn over_rate_limit(&self, now: i64) -> bool {
        let mut inner = self.lock();
        let Some(limit) = inner.rate_limit else {
            return false;
        };
        while inner.recent.front().is_some_and(|t| *t <= now - 1_000) {
            inner.recent.pop_front();
        }
        if inner.recent.len() >= limit {
            *inner.requests.entry("429".into()).or_default() += 1;
            return true;
        }
        inner.recent.push_back(now);
        false
    }

    /// The account's balance in sats.
    pub fn balance(&self) -> i64 {
        self.lock().accounts.first().map_or(0, |a| a.balance)
    }

    /// How many requests reached `method path` (for exactly-once checks).
    pub fn requests(&self, method: &str, path: &str) -> u32 {
        self.lock()
            .requests
            .get(&format!("{method} {path}"))
            .copied()
            .unwrap_or(0)
    }
}

fn iso(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn parse_iso(text: &str) -> Option<i64> {
    let t = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

fn reply(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn fail(status: StatusCode, message: &str, code: &str) -> Response {
    reply(status, json!({ "message": message, "code": code }))
}

fn number(d: Decimal) -> Value {
    let d = d.normalize();
    match d.to_i64() {
        Some(i) if d.fract().is_zero() => json!(i),
        _ => d.to_f64().map_or(Value::Null, |f| json!(f)),
    }
}

async fn dispatch(
    State(state): State<Arc<LnmState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query = uri.query().unwrap_or("").to_owned();
    let body = String::from_utf8_lossy(&body).into_owned();
    *state
        .lock()
        .requests
        .entry(format!("{method} {path}"))
        .or_default() += 1;
    let fault = state.faults.take(&path);
    if let Some(Fault::Status {
        status,
        body,
        retry_after_s,
    }) = &fault
    {
        let code = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (code, body.clone()).into_response();
        if let Some(s) = retry_after_s {
            if let Ok(v) = s.to_string().parse() {
                response.headers_mut().insert("retry-after", v);
            }
        }
        return response;
    }
    let response = handle(&state, &method, &path, &query, &headers, &body);
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

fn handle(
    state: &LnmState,
    method: &Method,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &str,
) -> Response {
    let now = state.clock.now_ms();
    let params: HashMap<String, String> = url_params(query);
    match (method.as_str(), path) {
        // Test control, not the venue's: faults and request counts for tests that drive the
        // standalone server from another process (the app's end-to-end tests).
        ("POST", "/__kestrel/fault") => control_fault(state, body),
        ("GET", "/__kestrel/requests") => {
            let count = state.requests(
                params.get("method").map_or("", String::as_str),
                params.get("path").map_or("", String::as_str),
            );
            reply(StatusCode::OK, json!({ "count": count }))
        }
        ("GET", "/v3/time") => reply(StatusCode::OK, json!({ "time": iso(now) })),
        ("GET", "/v3/futures/ticker") => ticker(state, now),
        ("GET", "/v3/futures/candles") => candles(state, &params),
        ("GET", "/v3/futures/funding-settlements") => {
            let bid = state.lock().market.bid;
            let period = 8 * 3_600_000;
            let last = now - (now - 4 * 3_600_000).rem_euclid(period);
            let data: Vec<Value> = (0..10)
                .map(|i| {
                    let t = last - i * period;
                    json!({ "id": uuid(u64::try_from(t).unwrap_or(0) % 1_000_000_000_000), "time": iso(t), "fundingRate": 0.0001, "fixingPrice": number(bid) })
                })
                .collect();
            reply(StatusCode::OK, json!({ "data": data, "nextCursor": null }))
        }
        ("GET", "/v3/futures/leaderboard") => {
            let rows = json!([{ "username": "satoshi", "pl": 1_000_000, "direction": 1 }, { "username": "hal", "pl": -5_000, "direction": -1 }]);
            reply(
                StatusCode::OK,
                json!({ "daily": rows, "weekly": rows, "monthly": rows, "all-time": rows }),
            )
        }
        _ => {
            let account =
                match authenticate(state, method.as_str(), path, query, headers, body, now) {
                    Ok(a) => a,
                    Err(refusal) => return refusal.into_response(),
                };
            if state.over_rate_limit(now) {
                let mut response = fail(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many requests",
                    "RATE_LIMITED",
                );
                response
                    .headers_mut()
                    .insert("retry-after", axum::http::HeaderValue::from_static("1"));
                return response;
            }
            let json_body: Value = if body.is_empty() {
                json!({})
            } else {
                match serde_json::from_str(body) {
                    Ok(v) => v,
                    Err(_) => {
                        return fail(
                            StatusCode::BAD_REQUEST,
                            "Body is not valid JSON",
                            "BAD_REQUEST",
                        )
                    }
                }
            };
            private(
                state,
                account,
                method.as_str(),
                path,
                &params,
                &json_body,
                now,
            )
        }
    }
}

/// Why a request was refused before it was handled.
struct Refusal(StatusCode, &'static str);

impl Refusal {
    fn into_response(self) -> Response {
        let code = if self.0 == StatusCode::UNAUTHORIZED {
            "UNAUTHORIZED"
        } else {
            "INTERNAL"
        };
        fail(self.0, self.1, code)
    }
}

/// Checks the four `lnm-access-*` headers; returns the account index.
fn authenticate(
    state: &LnmState,
    method: &str,
    path: &str,
    query: &str,
    headers: &HeaderMap,
    body: &str,
    now: i64,
) -> Result<usize, Refusal> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let (key, passphrase, timestamp, signature) = (
        header("lnm-access-key"),
        header("lnm-access-passphrase"),
        header("lnm-access-timestamp"),
        header("lnm-access-signature"),
    );
    if key.is_empty() || signature.is_empty() {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "Missing API key or signature",
        ));
    }
    let inner = state.lock();
    let Some(index) = inner.accounts.iter().position(|a| a.api.key == key) else {
        return Err(Refusal(StatusCode::UNAUTHORIZED, "Invalid API key"));
    };
    let api = &inner.accounts[index].api;
    if passphrase != api.passphrase {
        return Err(Refusal(StatusCode::UNAUTHORIZED, "Invalid passphrase"));
    }
    let Ok(ts) = timestamp.parse::<i64>() else {
        return Err(Refusal(StatusCode::UNAUTHORIZED, "Invalid timestamp"));
    };
    if (ts - now).abs() > TIMESTAMP_WINDOW_MS {
        return Err(Refusal(
            StatusCode::UNAUTHORIZED,
            "Timestamp is too far from server time",
        ));
    }
    let data = if !body.is_empty() {
        body.to_owned()
    } else if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let payload = format!("{ts}{}{path}{data}", method.to_lowercase());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(api.secret.as_bytes()) else {
        return Err(Refusal(StatusCode::INTERNAL_SERVER_ERROR, "hmac"));
    };
    mac.update(payload.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if expected != signature {
        return Err(Refusal(StatusCode::UNAUTHORIZED, "Invalid signature"));
    }
    Ok(index)
}

fn ticker(state: &LnmState, now: i64) -> Response {
    let inner = state.lock();
    let m = &inner.market;
    let next_funding = {
        let period = 8 * 3_600_000;
        let anchor = 4 * 3_600_000; // 04:00, 12:00, 20:00 UTC
        now - (now - anchor).rem_euclid(period) + period
    };
    let wider = Decimal::from(5);
    reply(
        StatusCode::OK,
        json!({
            "index": number(m.index),
            "lastPrice": number(m.bid),
            "fundingRate": number(m.funding_rate),
            "fundingTime": iso(next_funding),
            "prices": [
                { "minSize": 1, "maxSize": 100000, "bidPrice": number(m.bid), "askPrice": number(m.ask) },
                { "minSize": 100000, "maxSize": 500000, "bidPrice": number(m.bid - wider), "askPrice": number(m.ask + wider) },
            ],
        }),
    )
}

/// A v3 candle range (`1m` … `3months`), as the venue names them.
fn range_of(range: &str) -> Option<kestrel_core::Timeframe> {
    kestrel_core::Timeframe::ALL
        .into_iter()
        .find(|tf| tf.as_str() == range)
}

/// Candles newest first; `nextCursor` is the open time of the oldest one returned.
fn candles(state: &LnmState, params: &HashMap<String, String>) -> Response {
    let Some(from) = params.get("from").and_then(|f| parse_iso(f)) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "from must be an ISO date",
            "BAD_REQUEST",
        );
    };
    let range = params.get("range").map_or("1m", String::as_str);
    let Some(timeframe) = range_of(range) else {
        return fail(StatusCode::BAD_REQUEST, "Invalid range", "BAD_REQUEST");
    };
    let to = params
        .get("to")
        .and_then(|t| parse_iso(t))
        .unwrap_or(i64::MAX);
    let upper = params
        .get("cursor")
        .and_then(|c| parse_iso(c))
        .map_or(to, |c| c.min(to));
    let limit = params
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 1000);
    let inner = state.lock();
    let mut buckets: BTreeMap<i64, [Decimal; 5]> = BTreeMap::new();
    for (t, [o, h, l, c, v]) in inner.market.minutes.range(from..upper) {
        let b = timeframe.bucket(*t);
        if b < from {
            continue;
        }
        buckets
            .entry(b)
            .and_modify(|x| {
                x[1] = x[1].max(*h);
                x[2] = x[2].min(*l);
                x[3] = *c;
                x[4] += *v;
            })
            .or_insert([*o, *h, *l, *c, *v]);
    }
    let page: Vec<(i64, [Decimal; 5])> = buckets.into_iter().rev().take(limit).collect();
    let next = if page.len() == limit {
        page.last().map(|(t, _)| iso(*t))
    } else {
        None
    };
    let data: Vec<Value> = page
        .iter()
        .map(|(t, [o, h, l, c, v])| json!({ "time": iso(*t), "open": number(*o), "high": number(*h), "low": number(*l), "close": number(*c), "volume": number(*v) }))
        .collect();
    reply(StatusCode::OK, json!({ "data": data, "nextCursor": next }))
}

fn trade_json(t: &Trade) -> Value {
    let liq = liquidation(t);
    json!({
        "id": t.id, "uid": USER_UUID, "type": if t.limit { "limit" } else { "market" },
        "side": if t.buy { "buy" } else { "sell" },
        "price": number(t.price), "quantity": t.quantity, "margin": t.margin,
        "leverage": number(t.leverage), "liquidation": number(liq),
        "maintenanceMargin": t.opening_fee + t.closing_fee,
        "openingFee": t.opening_fee, "closingFee": t.closing_fee,
        "entryMargin": t.margin,
        "entryPrice": t.entry.map(number), "exitPrice": t.exit.map(number),
        "pl": t.pl, "stoploss": number(t.stoploss), "takeprofit": number(t.takeprofit),
        "stoplossTrailingDistance": number(t.stoploss_trail), "sumCashInMargin": 0, "sumCashInPl": 0, "sumFundingFees": t.sum_funding_fees,
        "createdAt": iso(t.created_at), "filledAt": t.filled_at.map(iso), "closedAt": t.closed_at.map(iso),
        "open": t.state == TradeState::Open, "running": t.state == TradeState::Running,
        "closed": t.state == TradeState::Closed, "canceled": t.state == TradeState::Canceled,
        "clientId": t.client_id,
    })
}

/// Closes a running trade at `exit`: P&L realized, margin, P&L and the reserved closing fee
/// back to the balance less the fee actually charged.
fn close_at(t: &mut Trade, balance: &mut i64, exit: Decimal, now: i64) {
    t.pl = pnl(t, exit);
    t.exit = Some(exit);
    t.state = TradeState::Closed;
    t.closed_at = Some(now);
    *balance += t.margin + t.pl + t.closing_fee - fee_sats(t.quantity, exit);
}

/// What the quote does to a running trade: a trailing stop follows it (never back), and a
/// take-profit or stop-loss it reaches closes the trade at market. The event, if it closed.
fn on_quote(
    t: &mut Trade,
    balance: &mut i64,
    bid: Decimal,
    ask: Decimal,
    now: i64,
) -> Option<&'static str> {
    if t.state != TradeState::Running {
        return None;
    }
    let exit = if t.buy { bid } else { ask };
    if !t.stoploss_trail.is_zero() && !t.stoploss.is_zero() {
        let half = |x: Decimal, strategy| {
            (x * Decimal::TWO).round_dp_with_strategy(0, strategy) / Decimal::TWO
        };
        if t.buy {
            let moved = half(
                exit - t.stoploss_trail,
                RoundingStrategy::ToNegativeInfinity,
            );
            t.stoploss = t.stoploss.max(moved);
        } else {
            let moved = half(
                exit + t.stoploss_trail,
                RoundingStrategy::ToPositiveInfinity,
            );
            t.stoploss = t.stoploss.min(moved);
        }
    }
    let reached = |level: Decimal, up: bool| {
        !level.is_zero() && if up { exit >= level } else { exit <= level }
    };
    let event = if reached(t.takeprofit, t.buy) {
        "takeprofit"
    } else if reached(t.stoploss, !t.buy) {
        "stoploss"
    } else {
        return None;
    };
    close_at(t, balance, exit, now);
    Some(event)
}

fn liquidation(t: &Trade) -> Decimal {
    inverse_liquidation(t.buy, t.quantity, t.entry.unwrap_or(t.price), t.margin)
}

/// The isolated formula (NOTES.md §1.7): `1 / (1/P ± m/(1e8·Q))`, zero when there is none;
/// the cross position uses it with its whole wallet as `m`.
fn inverse_liquidation(buy: bool, quantity: i64, entry: Decimal, margin: i64) -> Decimal {
    if entry.is_zero() || quantity == 0 {
        return Decimal::ZERO;
    }
    let per = Decimal::from(margin) / Decimal::from(SATS * quantity);
    let inv = Decimal::ONE / entry;
    let d = if buy { inv + per } else { inv - per };
    if d <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let strategy = if buy {
        RoundingStrategy::ToPositiveInfinity
    } else {
        RoundingStrategy::ToNegativeInfinity
    };
    (Decimal::ONE / d * Decimal::TWO).round_dp_with_strategy(0, strategy) / Decimal::TWO
}

fn fee_sats(quantity: i64, price: Decimal) -> i64 {
    if price.is_zero() {
        return 0;
    }
    (Decimal::from(quantity) / price * FEE_RATE * Decimal::from(SATS))
        .floor()
        .to_i64()
        .unwrap_or(0)
}

fn pnl(t: &Trade, exit: Decimal) -> i64 {
    inverse_pnl(t.buy, t.quantity, t.entry.unwrap_or(t.price), exit)
}

/// PnL in sats of `quantity` USD contracts from `entry` to `exit`, as LN Markets rounds it.
fn inverse_pnl(long: bool, quantity: i64, entry: Decimal, exit: Decimal) -> i64 {
    if entry.is_zero() || exit.is_zero() {
        return 0;
    }
    let sign = if long {
        Decimal::ONE
    } else {
        Decimal::NEGATIVE_ONE
    };
    (sign
        * Decimal::from(quantity)
        * Decimal::from(SATS)
        * (Decimal::ONE / entry - Decimal::ONE / exit))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

/// The fields every new order carries, checked as the venue checks them; `price` is the
/// limit, or the touch a market order takes.
struct OrderBody {
    limit: bool,
    buy: bool,
    quantity: i64,
    price: Decimal,
}

fn order_body(body: &Value, bid: Decimal, ask: Decimal) -> Result<OrderBody, &'static str> {
    let limit = match body.get("type").and_then(Value::as_str) {
        Some("limit") => true,
        Some("market") => false,
        _ => return Err("type must be 'market' or 'limit'"),
    };
    let buy = match body.get("side").and_then(Value::as_str) {
        Some("buy") => true,
        Some("sell") => false,
        _ => return Err("side must be 'buy' or 'sell'"),
    };
    let quantity = body
        .get("quantity")
        .and_then(Value::as_i64)
        .filter(|q| (1..=500_000).contains(q))
        .ok_or("quantity must be an integer between 1 and 500000")?;
    let price = if limit {
        body.get("price")
            .and_then(|v| Decimal::from_str(&v.to_string()).ok())
            .filter(|p| *p > Decimal::ZERO && (*p * Decimal::TWO).fract().is_zero())
            .ok_or("price must be a positive multiple of 0.5")?
    } else if buy {
        ask
    } else {
        bid
    };
    Ok(OrderBody {
        limit,
        buy,
        quantity,
        price,
    })
}

fn private(
    state: &LnmState,
    a: usize,
    method: &str,
    path: &str,
    params: &HashMap<String, String>,
    body: &Value,
    now: i64,
) -> Response {
    let mut inner = state.lock();
    let Inner {
        accounts,
        market,
        next_id,
        ..
    } = &mut *inner;
    let account = &mut accounts[a];
    let id_of = |body: &Value| {
        body.get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if let Some(response) = wallet_route(account, next_id, method, path, body, now) {
        if path.starts_with("/v3/account/withdraw/") && response.status() == StatusCode::OK {
            if let Some((id, kind, amount, _, _)) = account.wallet.withdrawals.last() {
                let network = if *kind == "lightning" {
                    "lightning"
                } else {
                    "bitcoin"
                };
                state.publish_private(a, "wallet/withdrawal", json!({ "currency": "btc", "network": network, "id": id,
                    "amount": amount, "fee": 0, "balance": account.balance, "status": "pending", "txId": null }));
            }
        }
        return response;
    }
    match (method, path) {
        ("GET", "/v3/account") => reply(
            StatusCode::OK,
            json!({
                "id": account.id, "username": "kestrel-test", "email": "trader@kestrel.test", "balance": account.balance,
                "feeTier": 0, "linkingPublicKey": null, "syntheticUsdBalance": 0,
            }),
        ),
        ("GET", "/v3/futures/isolated/trades/open") => list(account, TradeState::Open),
        ("GET", "/v3/futures/isolated/trades/running") => list(account, TradeState::Running),
        ("GET", "/v3/futures/isolated/trades/closed" | "/v3/futures/isolated/trades/canceled") => {
            let limit = params
                .get("limit")
                .and_then(|l| l.parse::<usize>().ok())
                .unwrap_or(100)
                .clamp(1, 1000);
            let wanted = if path.ends_with("closed") {
                TradeState::Closed
            } else {
                TradeState::Canceled
            };
            let mut closed: Vec<&Trade> = account
                .trades
                .iter()
                .filter(|t| t.state == wanted)
                .collect();
            closed.sort_by_key(|t| std::cmp::Reverse(t.closed_at));
            let data: Vec<Value> = closed.iter().take(limit).map(|t| trade_json(t)).collect();
            reply(StatusCode::OK, json!({ "data": data, "nextCursor": null }))
        }
        ("POST", "/v3/futures/isolated/trade") => {
            let response = new_trade(account, market, next_id, body, now);
            if let Some(t) = account.trades.last().filter(|t| t.created_at == now) {
                let event = if t.state == TradeState::Running {
                    "filled"
                } else {
                    "open"
                };
                state.publish_trade(a, event, t);
            }
            response
        }
        ("POST", "/v3/futures/isolated/trade/cancel") => {
            let id = id_of(body);
            let Some(t) = account
                .trades
                .iter_mut()
                .find(|t| t.id == id && t.state == TradeState::Open)
            else {
                return fail(StatusCode::NOT_FOUND, "Trade not found", "NOT_FOUND");
            };
            t.state = TradeState::Canceled;
            t.closed_at = Some(now);
            account.balance += t.margin + t.opening_fee + t.closing_fee;
            state.publish_trade(a, "canceled", t);
            reply(StatusCode::OK, trade_json(t))
        }
        ("POST", "/v3/futures/isolated/trade/close") => {
            let id = id_of(body);
            let Some(t) = account
                .trades
                .iter_mut()
                .find(|t| t.id == id && t.state == TradeState::Running)
            else {
                return fail(StatusCode::NOT_FOUND, "Trade not found", "NOT_FOUND");
            };
            let exit = if t.buy { market.bid } else { market.ask };
            close_at(t, &mut account.balance, exit, now);
            state.publish_trade(a, "closed", t);
            reply(StatusCode::OK, trade_json(t))
        }
        ("PUT", "/v3/futures/isolated/trade/takeprofit")
        | ("PUT", "/v3/futures/isolated/trade/stoploss") => {
            let id = id_of(body);
            let Some(value) = body
                .get("value")
                .and_then(|v| Decimal::from_str(&v.to_string()).ok())
            else {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "value must be a number",
                    "BAD_REQUEST",
                );
            };
            let Some(t) = account
                .trades
                .iter_mut()
                .find(|t| t.id == id && matches!(t.state, TradeState::Open | TradeState::Running))
            else {
                return fail(StatusCode::NOT_FOUND, "Trade not found", "NOT_FOUND");
            };
            let reference = t.entry.unwrap_or(t.price);
            if path.ends_with("takeprofit") {
                if (t.buy && value <= reference) || (!t.buy && value >= reference) {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        "takeprofit must be beyond the entry price",
                        "BAD_REQUEST",
                    );
                }
                t.takeprofit = value;
            } else {
                // NOTES.md §1.7: liquidation ≤ SL < market for a long (mirrored for a short);
                // an open limit trade is judged against its price.
                let market_now = match (t.state, t.buy) {
                    (TradeState::Running, true) => market.bid,
                    (TradeState::Running, false) => market.ask,
                    _ => reference,
                };
                let liq = liquidation(t);
                let ok = if t.buy {
                    value < market_now && value >= liq
                } else {
                    value > market_now && (liq.is_zero() || value <= liq)
                };
                if !ok {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        "stoploss must lie between the liquidation and the market price",
                        "BAD_REQUEST",
                    );
                }
                let trailing = match body.get("mode").and_then(Value::as_str) {
                    None | Some("fixed") => false,
                    Some("trailing") => true,
                    Some(_) => {
                        return fail(
                            StatusCode::BAD_REQUEST,
                            "mode must be 'fixed' or 'trailing'",
                            "BAD_REQUEST",
                        )
                    }
                };
                t.stoploss = value;
                t.stoploss_trail = if trailing {
                    (market_now - value).abs()
                } else {
                    Decimal::ZERO
                };
            }
            reply(StatusCode::OK, trade_json(t))
        }
        ("DELETE", "/v3/futures/isolated/trade/takeprofit")
        | ("DELETE", "/v3/futures/isolated/trade/stoploss") => {
            let id = params.get("id").cloned().unwrap_or_default();
            let Some(t) = account
                .trades
                .iter_mut()
                .find(|t| t.id == id && matches!(t.state, TradeState::Open | TradeState::Running))
            else {
                return fail(StatusCode::NOT_FOUND, "Trade not found", "NOT_FOUND");
            };
            if path.ends_with("takeprofit") {
                t.takeprofit = Decimal::ZERO;
            } else {
                t.stoploss = Decimal::ZERO;
                t.stoploss_trail = Decimal::ZERO;
            }
            reply(StatusCode::OK, trade_json(t))
        }
        ("POST", "/v3/futures/isolated/trade/add-margin")
        | ("POST", "/v3/futures/isolated/trade/cash-in") => {
            let id = id_of(body);
            let Some(amount) = body
                .get("amount")
                .and_then(Value::as_i64)
                .filter(|a| *a > 0)
            else {
                return fail(
                    StatusCode::BAD_REQUEST,
                    "amount must be a positive integer (sats)",
                    "BAD_REQUEST",
                );
            };
            let Some(t) = account
                .trades
                .iter_mut()
                .find(|t| t.id == id && t.state == TradeState::Running)
            else {
                return fail(StatusCode::NOT_FOUND, "Trade not found", "NOT_FOUND");
            };
            let entry = t.entry.unwrap_or(t.price);
            if path.ends_with("add-margin") {
                if amount > account.balance {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        "Insufficient balance",
                        "BAD_REQUEST",
                    );
                }
                account.balance -= amount;
                t.margin += amount;
            } else {
                // Margin may fall to what 100x leverage needs, no further.
                let floor = (Decimal::from(t.quantity * SATS) / (entry * Decimal::from(100)))
                    .ceil()
                    .to_i64()
                    .unwrap_or(i64::MAX);
                if t.margin - amount < floor {
                    return fail(
                        StatusCode::BAD_REQUEST,
                        "cash-in amount would take the margin below the minimum",
                        "BAD_REQUEST",
                    );
                }
                t.margin -= amount;
                account.balance += amount;
            }
            t.leverage =
                (Decimal::from(t.quantity * SATS) / (entry * Decimal::from(t.margin))).round_dp(2);
            reply(StatusCode::OK, trade_json(t))
        }
        ("POST", "/v3/futures/isolated/trades/cancel-all") => {
            let mut cancelled = Vec::new();
            for t in account
                .trades
                .iter_mut()
                .filter(|t| t.state == TradeState::Open)
            {
                t.state = TradeState::Canceled;
                t.closed_at = Some(now);
                account.balance += t.margin + t.opening_fee + t.closing_fee;
                cancelled.push(trade_json(t));
            }
            reply(StatusCode::OK, Value::Array(cancelled))
        }
        ("GET", "/v3/futures/isolated/funding-fees") => {
            let trade = params.get("tradeId");
            let data: Vec<Value> = account
                .funding_fees
                .iter()
                .rev()
                .filter(|(_, _, _, t)| trade.is_none_or(|x| x == t))
                .map(|(fee, settlement, time, t)| json!({ "fee": fee, "settlementId": settlement, "time": iso(*time), "tradeId": t }))
                .collect();
            reply(StatusCode::OK, json!({ "data": data, "nextCursor": null }))
        }
        (_, p) if p.starts_with("/v3/futures/cross/") => {
            let response = cross(account, market, next_id, method, p, params, body, now);
            if method != "GET" && response.status() == StatusCode::OK {
                let event = match p.rsplit('/').next().unwrap_or("") {
                    "cancel" | "cancel-all" => "cancel",
                    "leverage" => "leverage",
                    "deposit" => "deposit",
                    "withdraw" => "withdraw",
                    _ => "new",
                };
                state.publish_cross(a, &account.cross, market.bid, market.ask, now, event);
            }
            response
        }
        _ => fail(
            StatusCode::NOT_FOUND,
            &format!("Route {method} {path} not found"),
            "NOT_FOUND",
        ),
    }
}

/// `POST /__kestrel/fault {"path", "status", "body"?, "after"?}`: the next request to `path`
/// is answered with `status`; with `"after": true` it is carried out first (a lost answer).
fn control_fault(state: &LnmState, body: &str) -> Response {
    let Ok(spec) = serde_json::from_str::<Value>(body) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "a JSON body is required",
            "BAD_REQUEST",
        );
    };
    let Some((path, fault)) = status_fault(&spec) else {
        return fail(
            StatusCode::BAD_REQUEST,
            "path and status are required",
            "BAD_REQUEST",
        );
    };
    state.faults.inject(&path, fault);
    reply(StatusCode::OK, json!({ "queued": path }))
}

fn list(account: &Account, state: TradeState) -> Response {
    let data: Vec<Value> = account
        .trades
        .iter()
        .filter(|t| t.state == state)
        .map(trade_json)
        .collect();
    reply(StatusCode::OK, Value::Array(data))
}

fn new_trade(
    account: &mut Account,
    market: &Market,
    next_id: &mut u64,
    body: &Value,
    now: i64,
) -> Response {
    let bad = |m: &str| fail(StatusCode::BAD_REQUEST, m, "BAD_REQUEST");
    let decimal = |key: &str| {
        body.get(key)
            .and_then(|v| Decimal::from_str(&v.to_string()).ok())
    };
    let Some(leverage) =
        decimal("leverage").filter(|l| *l >= Decimal::ONE && *l <= Decimal::from(100))
    else {
        return bad("leverage must be between 1 and 100");
    };
    let OrderBody {
        limit,
        buy,
        quantity,
        price,
    } = match order_body(body, market.bid, market.ask) {
        Ok(o) => o,
        Err(m) => return bad(m),
    };
    let margin = (Decimal::from(quantity) * Decimal::from(SATS) / (price * leverage))
        .floor()
        .to_i64()
        .unwrap_or(0);
    let opening_fee = fee_sats(quantity, price);
    let mut trade = Trade {
        id: {
            *next_id += 1;
            uuid(*next_id)
        },
        limit,
        buy,
        price,
        quantity,
        margin,
        leverage,
        entry: None,
        exit: None,
        pl: 0,
        opening_fee,
        closing_fee: 0,
        stoploss: decimal("stoploss").unwrap_or(Decimal::ZERO),
        stoploss_trail: Decimal::ZERO,
        takeprofit: decimal("takeprofit").unwrap_or(Decimal::ZERO),
        created_at: now,
        filled_at: None,
        closed_at: None,
        state: TradeState::Open,
        client_id: body
            .get("clientId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        sum_funding_fees: 0,
    };
    let liq = liquidation(&trade);
    trade.closing_fee = fee_sats(quantity, liq.max(Decimal::ONE));
    let cost = margin + opening_fee + trade.closing_fee;
    if cost > account.balance {
        return bad("Insufficient balance");
    }
    let fills_now = !limit || (buy && market.ask <= price) || (!buy && market.bid >= price);
    if fills_now {
        trade.state = TradeState::Running;
        trade.entry = Some(price);
        trade.filled_at = Some(now);
    }
    account.balance -= cost;
    let out = trade_json(&trade);
    account.trades.push(trade);
    reply(StatusCode::OK, out)
}

/// One connected Stream v1 client.
struct StreamClient {
    id: u64,
    tx: mpsc::UnboundedSender<String>,
    topics: Vec<String>,
    account: Option<usize>,
}

/// Sent down a client's queue to make the server close its socket.
const CLOSE: &str = "\u{0}close";

impl LnmState {
    fn streams(&self) -> MutexGuard<'_, Vec<StreamClient>> {
        self.streams
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn count(&self, what: &str) {
        *self
            .stream_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(what.to_owned())
            .or_default() += 1;
    }

    /// How many stream requests of `method` (authenticate, subscribe, …) arrived.
    pub fn stream_requests(&self, method: &str) -> u32 {
        self.stream_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Connected stream clients.
    pub fn stream_clients(&self) -> usize {
        self.streams().len()
    }

    /// Whether a connected stream client is subscribed to `topic`.
    pub fn has_subscriber(&self, topic: &str) -> bool {
        self.streams()
            .iter()
            .any(|c| c.topics.iter().any(|t| t == topic))
    }

    /// Closes every stream connection (clients are expected to come back).
    pub fn drop_streams(&self) {
        for c in self.streams().iter() {
            let _ = c.tx.send(CLOSE.into());
        }
    }

    /// Sends `text` as is to every stream client (malformed frames, unknown messages).
    pub fn publish_raw(&self, text: &str) {
        for c in self.streams().iter() {
            let _ = c.tx.send(text.to_owned());
        }
    }

    /// Pushes `data` on `topic` to every client subscribed to it.
    pub fn publish(&self, topic: &str, data: Value) {
        let frame = json!({ "jsonrpc": "2.0", "method": "subscription", "params": { "topic": topic, "data": data } }).to_string();
        for c in self
            .streams()
            .iter()
            .filter(|c| c.topics.iter().any(|t| t == topic))
        {
            let _ = c.tx.send(frame.clone());
        }
    }

    /// Pushes the cross orders that changed at `now` on `.../cross/orders`, then the cross
    /// position on `.../cross/position` after `event` (`new`, `limit`, `cancel`, `leverage`,
    /// `deposit`, `withdraw`), to the account's authenticated clients, in the Stream API's
    /// shapes (`@ln-markets/sdk` `CrossOrderEvent`, `CrossPositionData`: times in ms).
    fn publish_cross(
        &self,
        account: usize,
        c: &Cross,
        bid: Decimal,
        ask: Decimal,
        now: i64,
        event: &str,
    ) {
        let mut pushes: Vec<(&str, Value)> = c
            .orders
            .iter()
            .filter(|o| o.created_at == now || o.filled_at == Some(now) || o.canceled_at == Some(now))
            .map(|o| {
                let kind = if o.canceled_at.is_some() { "canceled" } else if o.created_at == now { "new" } else { "limit" };
                let mut order = json!({
                    "id": o.id, "side": if o.buy { "buy" } else { "sell" }, "type": if o.limit { "limit" } else { "market" },
                    "quantity": o.quantity, "price": number(o.price), "tradingFee": o.fee, "clientId": null, "createdAt": o.created_at,
                });
                if let (Some(at), Some(map)) = (o.filled_at, order.as_object_mut()) {
                    map.insert("filledAt".into(), json!(at));
                }
                if let (Some(at), Some(map)) = (o.canceled_at, order.as_object_mut()) {
                    map.insert("canceledAt".into(), json!(at));
                }
                ("futures/inverse/btc_usd/cross/orders", json!({ "pair": "btc_usd", "event": kind, "order": order }))
            })
            .collect();
        let mut position = c.position_json(bid, ask);
        if let Some(map) = position.as_object_mut() {
            map.remove("id");
            map.remove("uid");
            map.insert("updatedAt".into(), json!(c.updated_at));
        }
        pushes.push((
            "futures/inverse/btc_usd/cross/position",
            json!({ "pair": "btc_usd", "event": event, "position": position }),
        ));
        for (topic, data) in pushes {
            self.publish_private(account, topic, data);
        }
    }

    /// How many pushes went out on `topic` (one per message, whatever the number of clients).
    pub fn stream_pushes(&self, topic: &str) -> u32 {
        self.stream_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&format!("push {topic}"))
            .copied()
            .unwrap_or(0)
    }

    /// Pushes `data` on a private `topic` to `account`'s authenticated, subscribed clients.
    fn publish_private(&self, account: usize, topic: &str, data: Value) {
        *self
            .stream_counts
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(format!("push {topic}"))
            .or_default() += 1;
        let frame = json!({ "jsonrpc": "2.0", "method": "subscription", "params": { "topic": topic, "data": data } }).to_string();
        for c in self
            .streams()
            .iter()
            .filter(|c| c.account == Some(account) && c.topics.iter().any(|x| x == topic))
        {
            let _ = c.tx.send(frame.clone());
        }
    }

    /// Receives `amount` sats on-chain into the first account, confirmed in one block, and
    /// pushes it on `wallet/deposit` (network `bitcoin`). Returns the transaction id.
    pub fn receive_on_chain(&self, amount: i64) -> String {
        let now = self.clock.now_ms();
        let (tx, data) = {
            let mut inner = self.lock();
            inner.next_id += 1;
            let n = inner.next_id;
            let id = uuid(n);
            let tx = format!("{n:064x}");
            let Some(account) = inner.accounts.first_mut() else {
                return tx;
            };
            account.balance += amount;
            let height =
                900_000 + i64::try_from(account.wallet.on_chain_deposits.len()).unwrap_or(0);
            account
                .wallet
                .on_chain_deposits
                .push((id.clone(), amount, tx.clone(), now, height));
            let data = json!({ "currency": "btc", "network": "bitcoin", "id": id, "amount": amount,
                "balance": account.balance, "status": "CONFIRMED", "txId": tx });
            (tx, data)
        };
        self.publish_private(0, "wallet/deposit", data);
        tx
    }

    /// Pays the Lightning invoices that are due (as the user's wallet would) and pushes each
    /// on `wallet/deposit` (`@ln-markets/sdk` `WalletDepositData`).
    pub fn settle_deposits(&self) {
        let now = self.clock.now_ms();
        let mut paid = Vec::new();
        {
            let mut inner = self.lock();
            for (a, account) in inner.accounts.iter_mut().enumerate() {
                for d in &mut account.wallet.lightning_deposits {
                    if d.4.is_none() && now - d.3 >= DEPOSIT_SETTLES_AFTER_MS {
                        d.4 = Some(now);
                        account.balance += d.1;
                        paid.push((a, json!({ "currency": "btc", "network": "lightning", "id": d.0, "amount": d.1,
                            "balance": account.balance, "status": "paid", "txId": d.2 })));
                    }
                }
            }
        }
        for (a, data) in paid {
            self.publish_private(a, "wallet/deposit", data);
        }
    }

    fn publish_trade(&self, account: usize, event: &str, t: &Trade) {
        self.publish_private(account, "futures/inverse/btc_usd/isolated/trades", json!({
            "pair": "btc_usd", "event": event,
            "trade": { "id": t.id, "clientId": t.client_id, "side": if t.buy { "buy" } else { "sell" },
                "quantity": t.quantity, "margin": t.margin, "price": number(t.price),
                "createdAt": t.created_at, "closedAt": t.closed_at, "pl": t.pl },
        }));
    }

    /// Answers one JSON-RPC request from client `id`.
    fn rpc(&self, id: u64, text: &str) -> String {
        let Ok(request) = serde_json::from_str::<Value>(text) else {
            return json!({ "jsonrpc": "2.0", "id": null, "error": { "code": -32700, "message": "Parse error" } }).to_string();
        };
        let rid = request.get("id").cloned().unwrap_or(Value::Null);
        let method = request.get("method").and_then(Value::as_str).unwrap_or("");
        let params = request.get("params").cloned().unwrap_or(Value::Null);
        self.count(method);
        let result: Result<Value, (i64, &str)> = match method {
            "ping" => Ok(json!("pong")),
            "time" => Ok(json!({ "time": self.clock.now_ms() })),
            "authenticate" => self.stream_auth(&params).map(|account| {
                if let Some(c) = self.streams().iter_mut().find(|c| c.id == id) {
                    c.account = Some(account);
                }
                json!(true)
            }),
            "subscribe" => {
                let topics: Vec<String> = params
                    .get("topics")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect()
                    })
                    .unwrap_or_default();
                let mut streams = self.streams();
                match streams.iter_mut().find(|c| c.id == id) {
                    Some(c) => {
                        let private = |t: &String| {
                            t.contains("/isolated/")
                                || t.contains("/cross/")
                                || t.starts_with("wallet/")
                        };
                        if c.account.is_none() && topics.iter().any(private) {
                            Err((401, "Authenticate before subscribing to private topics"))
                        } else {
                            c.topics.extend(topics.iter().cloned());
                            Ok(json!(topics))
                        }
                    }
                    None => Err((500, "unknown client")),
                }
            }
            _ => Err((-32601, "Method not found")),
        };
        match result {
            Ok(r) => json!({ "jsonrpc": "2.0", "id": rid, "result": r }).to_string(),
            Err((code, message)) => json!({ "jsonrpc": "2.0", "id": rid, "error": { "code": code, "message": message } }).to_string(),
        }
    }

    /// `signature = base64(HMAC-SHA256(secret, timestamp + nonce))`, checked like REST.
    fn stream_auth(&self, params: &Value) -> Result<usize, (i64, &'static str)> {
        let field = |k: &str| {
            params
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        let timestamp = params
            .get("timestamp")
            .and_then(Value::as_i64)
            .ok_or((400, "timestamp must be a number"))?;
        let inner = self.lock();
        let index = inner
            .accounts
            .iter()
            .position(|a| a.api.key == field("key"))
            .ok_or((401, "Invalid API key"))?;
        let api = &inner.accounts[index].api;
        if field("passphrase") != api.passphrase {
            return Err((401, "Invalid passphrase"));
        }
        if (timestamp - self.clock.now_ms()).abs() > TIMESTAMP_WINDOW_MS {
            return Err((401, "Timestamp is too far from server time"));
        }
        let mut mac =
            Hmac::<Sha256>::new_from_slice(api.secret.as_bytes()).map_err(|_| (500, "hmac"))?;
        mac.update(format!("{timestamp}{}", field("nonce")).as_bytes());
        let expected =
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
        if expected != field("signature") {
            return Err((401, "Invalid signature"));
        }
        Ok(index)
    }
}

async fn stream_upgrade(State(state): State<Arc<LnmState>>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| stream_session(state, socket))
}

async fn stream_session(state: Arc<LnmState>, socket: WebSocket) {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (tx, mut rx) = mpsc::unbounded_channel::<String>();
    state.streams().push(StreamClient {
        id,
        tx,
        topics: Vec::new(),
        account: None,
    });
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            out = rx.recv() => match out {
                Some(text) if text == CLOSE => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
                Some(text) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                None => break,
            },
            frame = stream.next() => match frame {
                Some(Ok(Message::Text(text))) => {
                    let answer = state.rpc(id, text.as_str());
                    if sink.send(Message::Text(answer.into())).await.is_err() {
                        break;
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    state.streams().retain(|c| c.id != id);
}

#[allow(clippy::too_many_arguments)] // one route table, as the venue's
fn cross(
    account: &mut Account,
    market: &Market,
    next_id: &mut u64,
    method: &str,
    path: &str,
    params: &HashMap<String, String>,
    body: &Value,
    now: i64,
) -> Response {
    let bad = |m: &str| fail(StatusCode::BAD_REQUEST, m, "BAD_REQUEST");
    let amount = body
        .get("amount")
        .and_then(Value::as_i64)
        .filter(|a| *a > 0);
    let (bid, ask) = (market.bid, market.ask);
    let c = &mut account.cross;
    let page = |items: Vec<Value>| {
        let limit = params
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(100)
            .clamp(1, 1000);
        let data: Vec<Value> = items.into_iter().take(limit).collect();
        reply(StatusCode::OK, json!({ "data": data, "nextCursor": null }))
    };
    match (method, path) {
        ("GET", "/v3/futures/cross/position") => reply(StatusCode::OK, c.position_json(bid, ask)),
        ("POST", "/v3/futures/cross/deposit") => {
            let Some(amount) = amount else { return bad("amount must be a positive integer (sats)") };
            if amount > account.balance {
                return bad("Insufficient balance");
            }
            account.balance -= amount;
            c.margin += amount;
            *next_id += 1;
            c.transfers.push((uuid(*next_id), amount, now));
            reply(StatusCode::OK, c.position_json(bid, ask))
        }
        ("POST", "/v3/futures/cross/withdraw") => {
            let Some(amount) = amount else { return bad("amount must be a positive integer (sats)") };
            if c.margin - amount < c.required(c.quantity, c.entry) {
                return bad("Insufficient margin: the position needs it");
            }
            c.margin -= amount;
            account.balance += amount;
            *next_id += 1;
            c.transfers.push((uuid(*next_id), -amount, now));
            reply(StatusCode::OK, c.position_json(bid, ask))
        }
        ("PUT", "/v3/futures/cross/leverage") => {
            let Some(leverage) = body.get("leverage").and_then(Value::as_i64).filter(|l| (1..=100).contains(l)) else {
                return bad("leverage must be an integer between 1 and 100");
            };
            let before = c.leverage;
            c.leverage = leverage;
            if c.margin < c.required(c.quantity, c.entry) {
                c.leverage = before;
                return bad("Insufficient margin for this leverage");
            }
            reply(StatusCode::OK, c.position_json(bid, ask))
        }
        ("POST", "/v3/futures/cross/order") | ("POST", "/v3/futures/cross/position/close") => {
            let closing = path.ends_with("/close");
            let (limit, buy, quantity, price) = if closing {
                if c.quantity == 0 {
                    return fail(StatusCode::NOT_FOUND, "No open position", "NOT_FOUND");
                }
                let buy = c.quantity < 0;
                (false, buy, c.quantity.abs(), if buy { ask } else { bid })
            } else {
                match order_body(body, bid, ask) {
                    Ok(o) => (o.limit, o.buy, o.quantity, o.price),
                    Err(m) => return bad(m),
                }
            };
            *next_id += 1;
            let mut order = CrossOrder { id: uuid(*next_id), limit, buy, price, quantity, fee: 0, created_at: now, filled_at: None, canceled_at: None };
            let crosses = !limit || (buy && ask <= price) || (!buy && bid >= price);
            if crosses {
                match c.fill(buy, quantity, if limit { price } else { order.price }, now) {
                    Ok(fee) => {
                        order.fee = fee;
                        order.filled_at = Some(now);
                    }
                    Err(m) => return bad(m),
                }
            }
            let out = cross_order_json(&order);
            c.orders.push(order);
            reply(StatusCode::OK, out)
        }
        ("POST", "/v3/futures/cross/order/cancel") => {
            let id = body.get("id").and_then(Value::as_str).unwrap_or("");
            let Some(o) = c.orders.iter_mut().find(|o| o.id == id && o.filled_at.is_none() && o.canceled_at.is_none()) else {
                return fail(StatusCode::NOT_FOUND, "Order not found", "NOT_FOUND");
            };
            o.canceled_at = Some(now);
            reply(StatusCode::OK, cross_order_json(o))
        }
        ("POST", "/v3/futures/cross/orders/cancel-all") => {
            let mut out = Vec::new();
            for o in c.orders.iter_mut().filter(|o| o.filled_at.is_none() && o.canceled_at.is_none()) {
                o.canceled_at = Some(now);
                out.push(cross_order_json(o));
            }
            reply(StatusCode::OK, Value::Array(out))
        }
        ("GET", "/v3/futures/cross/orders/open") => {
            let open: Vec<Value> = c.orders.iter().filter(|o| o.filled_at.is_none() && o.canceled_at.is_none()).map(cross_order_json).collect();
            reply(StatusCode::OK, Value::Array(open))
        }
        ("GET", "/v3/futures/cross/orders/filled") => page(c.orders.iter().rev().filter(|o| o.filled_at.is_some()).map(cross_order_json).collect()),
        ("GET", "/v3/futures/cross/transfers") => page(
            c.transfers.iter().rev().map(|(id, amount, time)| json!({ "id": id, "uid": USER_UUID, "amount": amount, "time": iso(*time) })).collect(),
        ),
        ("GET", "/v3/futures/cross/funding-fees") => page(Vec::new()),
        _ => fail(StatusCode::NOT_FOUND, &format!("Route {method} {path} not found"), "NOT_FOUND"),
    }
}

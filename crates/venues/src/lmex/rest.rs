//! LMEX REST (BTSE futures API v2.3): one function per endpoint, typed in and out. Every
//! request is paced by the shared limiters and sent once; a request that may have reached
//! the venue without an answer is reported as such, never retried. Only a 429 on a read is
//! tried again, after a backoff every request then waits out.

use super::auth::{self, LmexCredentials};
use super::map;
use super::wire::{
    LmexBook, LmexCandle, LmexFill, LmexFunding, LmexLeverage, LmexMarket, LmexOrder, LmexOrderAck,
    LmexPosition, LmexPrice, LmexTrade, LmexWallet,
};
use crate::net::http::encode_query;
use crate::net::{call, CallError, ClockOffset, HttpClient, HttpRequest, Method, RateLimiter};
use kestrel_core::{Error, ErrorKind, OrderType, Side, TimeInForce, TimestampMs};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The seed doc's 10 requests a second on order routes (stricter than BTSE's 75).
const ORDERS_PER_SECOND: u32 = 10;
/// BTSE: 15 a second per query endpoint, 30 a second per user.
const QUERIES_PER_SECOND: u32 = 15;
const USER_PER_SECOND: u32 = 30;
/// How long a request may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Backoff after a 429 without `Retry-After`: doubles per 429 in a row, up to the cap.
const BACKOFF_MIN: Duration = Duration::from_millis(500);
const BACKOFF_MAX: Duration = Duration::from_secs(8);
/// The longest `Retry-After` honoured as it is (a longer one is waited out in steps).
const RETRY_AFTER_MAX: Duration = Duration::from_secs(30);
/// Reads tried again after a 429.
const READ_RETRIES: u32 = 3;
/// Rows `ohlcv` returns at most.
pub const OHLCV_MAX_ROWS: u32 = 300;

/// Production and test network REST mounts.
pub const MAINNET: &str = "https://api.lmex.io/futures";
pub const TESTNET: &str = "https://test-api.lmex.io/futures";
/// Where the v2.3 routes live below the mount.
const PREFIX: &str = "/api/v2.3";

/// A new order, in the venue's terms.
#[derive(Clone, Debug)]
pub struct NewOrder {
    pub symbol: String,
    pub side: Side,
    pub order_type: OrderType,
    /// Whole contracts.
    pub size: u64,
    pub price: Option<Decimal>,
    pub trigger_price: Option<Decimal>,
    pub time_in_force: TimeInForce,
    pub post_only: bool,
    pub reduce_only: bool,
    pub client_order_id: String,
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
}

/// A change to a working order (`PUT order`).
#[derive(Clone, Debug)]
pub enum Amend {
    Price(Decimal),
    Size(u64),
    Trigger(Decimal),
    All { price: Decimal, size: u64 },
}

/// A decimal as a JSON number (`50000`, `50000.5`).
pub fn json_number(d: Decimal) -> Value {
    let d = d.normalize();
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return Value::from(i);
        }
    }
    // The text of a normalized decimal is a valid JSON number.
    serde_json::from_str(&d.to_string()).unwrap_or(Value::Null)
}

/// The REST client for one account (or for public data only, with no credentials).
pub struct LmexRest {
    http: HttpClient,
    credentials: Option<LmexCredentials>,
    clock: Arc<ClockOffset>,
    /// Every change (orders, exits, leverage, the dead-man switch) spends from one bucket.
    orders: Arc<Bucket>,
    user: RateLimiter,
    /// One bucket per query endpoint.
    queries: Mutex<HashMap<&'static str, Arc<Bucket>>>,
}

#[derive(Default)]
struct Backoff {
    until: Option<Instant>,
    next: Option<Duration>,
}

impl LmexRest {
    /// A client for the REST mount `base_url` (e.g. [`MAINNET`]).
    pub fn new(
        base_url: &str,
        credentials: Option<LmexCredentials>,
        clock: Arc<ClockOffset>,
    ) -> Result<Self, Error> {
        Ok(Self {
            http: HttpClient::new(base_url.trim_end_matches('/'), TIMEOUT)?,
            credentials,
            clock,
            orders: Arc::new(Bucket::new(ORDERS_PER_SECOND)),
            user: RateLimiter::per_second(USER_PER_SECOND),
            queries: Mutex::default(),
        })
    }

    // ---- public ----

    /// Every market, or one.
    pub async fn markets(&self, symbol: Option<&str>) -> Result<Vec<LmexMarket>, CallError> {
        let query: Vec<(&str, String)> = symbol
            .map(|s| ("symbol", s.to_owned()))
            .into_iter()
            .collect();
        self.get("market_summary", &query, false).await
    }

    /// Index, last and mark price of `symbol`.
    pub async fn price(&self, symbol: &str) -> Result<Option<LmexPrice>, CallError> {
        let rows: Vec<LmexPrice> = self
            .get("price", &[("symbol", symbol.to_owned())], false)
            .await?;
        Ok(rows.into_iter().find(|p| p.symbol == symbol))
    }

    /// Up to 300 candles of `resolution` minutes with `start <= time < end` (seconds).
    pub async fn ohlcv(
        &self,
        symbol: &str,
        resolution: u32,
        start_s: i64,
        end_s: i64,
    ) -> Result<Vec<LmexCandle>, CallError> {
        let query = [
            ("symbol", symbol.to_owned()),
            ("resolution", resolution.to_string()),
            ("start", start_s.to_string()),
            ("end", end_s.to_string()),
        ];
        self.get("ohlcv", &query, false).await
    }

    /// The L2 book; its timestamp refines our clock's offset from the venue's (within what
    /// the answer's `Date` header allows, so a stale book cannot skew it).
    pub async fn book(&self, symbol: &str, depth: u32) -> Result<LmexBook, CallError> {
        let sent_at = self.clock.local_ms();
        let query = [("symbol", symbol.to_owned()), ("depth", depth.to_string())];
        let book: LmexBook = self.get("orderbook/L2", &query, false).await?;
        self.clock
            .observe(book.timestamp, sent_at, self.clock.local_ms());
        Ok(book)
    }

    /// Recent public trades, newest first.
    pub async fn trades(&self, symbol: &str, count: u32) -> Result<Vec<LmexTrade>, CallError> {
        let query = [("symbol", symbol.to_owned()), ("count", count.to_string())];
        self.get("trades", &query, false).await
    }

    /// Past funding rates, newest first.
    pub async fn funding_history(
        &self,
        symbol: &str,
        count: u32,
    ) -> Result<Vec<LmexFunding>, CallError> {
        let query = [("symbol", symbol.to_owned()), ("count", count.to_string())];
        let mut by_symbol: HashMap<String, Vec<LmexFunding>> =
            self.get("funding_history", &query, false).await?;
        Ok(by_symbol.remove(symbol).unwrap_or_default())
    }

    // ---- private reads ----

    /// The cross wallet.
    pub async fn wallet(&self) -> Result<Vec<LmexWallet>, CallError> {
        self.get("user/wallet", &[("wallet", "CROSS@".to_owned())], true)
            .await
    }

    /// Open positions.
    pub async fn positions(&self) -> Result<Vec<LmexPosition>, CallError> {
        self.get("user/positions", &[], true).await
    }

    /// Working orders.
    pub async fn open_orders(&self) -> Result<Vec<LmexOrder>, CallError> {
        self.get("user/open_orders", &[], true).await
    }

    /// The order with our client id, or `None` when the venue does not know it.
    pub async fn order_by_client_id(&self, id: &str) -> Result<Option<LmexOrder>, CallError> {
        let row: LmexOrder = self
            .get("order", &[("clOrderID", id.to_owned())], true)
            .await?;
        Ok(match row.status {
            Some(16) => None,
            _ if row.symbol.is_none() => None,
            _ => Some(row),
        })
    }

    /// Own fills from `since` (ms), newest first.
    pub async fn trade_history(
        &self,
        since: Option<TimestampMs>,
        count: u32,
    ) -> Result<Vec<LmexFill>, CallError> {
        let mut query = Vec::new();
        if let Some(since) = since {
            query.push(("startTime", since.to_string()));
        }
        query.push(("count", count.to_string()));
        self.get("user/trade_history", &query, true).await
    }

    // ---- trading (each sent once) ----

    /// `POST order`.
    pub async fn place(&self, o: &NewOrder) -> Result<Vec<LmexOrderAck>, CallError> {
        let mut body = Map::new();
        body.insert("symbol".into(), json!(o.symbol));
        body.insert("side".into(), json!(side_text(o.side)));
        let limit = o.price.is_some();
        body.insert("type".into(), json!(if limit { "LIMIT" } else { "MARKET" }));
        body.insert("size".into(), json!(o.size));
        if let Some(p) = o.price {
            body.insert("price".into(), json_number(p));
        }
        body.insert(
            "time_in_force".into(),
            json!(match o.time_in_force {
                TimeInForce::Gtc => "GTC",
                TimeInForce::Ioc => "IOC",
                TimeInForce::Fok => "FOK",
            }),
        );
        let stop = o.order_type == OrderType::Stop;
        body.insert("txType".into(), json!(if stop { "STOP" } else { "LIMIT" }));
        if let Some(t) = o.trigger_price {
            body.insert("triggerPrice".into(), json_number(t));
        }
        body.insert("postOnly".into(), json!(o.post_only));
        body.insert("reduceOnly".into(), json!(o.reduce_only));
        body.insert("clOrderID".into(), json!(o.client_order_id));
        if let Some(tp) = o.take_profit {
            body.insert("takeProfitPrice".into(), json_number(tp));
            body.insert("takeProfitTrigger".into(), json!("markPrice"));
        }
        if let Some(sl) = o.stop_loss {
            body.insert("stopLossPrice".into(), json_number(sl));
            body.insert("stopLossTrigger".into(), json!("markPrice"));
        }
        self.send(Method::Post, "order", &[], Some(Value::Object(body)), true)
            .await
    }

    /// `PUT order`, naming the order by our client id.
    pub async fn amend(
        &self,
        symbol: &str,
        client_order_id: &str,
        change: &Amend,
    ) -> Result<Vec<LmexOrderAck>, CallError> {
        let mut body = Map::new();
        body.insert("symbol".into(), json!(symbol));
        body.insert("clOrderID".into(), json!(client_order_id));
        match change {
            Amend::Price(p) => {
                body.insert("type".into(), json!("PRICE"));
                body.insert("value".into(), json_number(*p));
            }
            Amend::Size(s) => {
                body.insert("type".into(), json!("SIZE"));
                body.insert("value".into(), json!(s));
            }
            Amend::Trigger(t) => {
                body.insert("type".into(), json!("TRIGGERPRICE"));
                body.insert("value".into(), json_number(*t));
            }
            Amend::All { price, size } => {
                body.insert("type".into(), json!("ALL"));
                body.insert("orderPrice".into(), json_number(*price));
                body.insert("orderSize".into(), json!(size));
            }
        }
        self.send(Method::Put, "order", &[], Some(Value::Object(body)), true)
            .await
    }

    /// `DELETE order` by our client id; with `None`, every working order of `symbol`.
    pub async fn cancel(
        &self,
        symbol: &str,
        client_order_id: Option<&str>,
    ) -> Result<Vec<LmexOrderAck>, CallError> {
        let mut query = vec![("symbol", symbol.to_owned())];
        if let Some(id) = client_order_id {
            query.push(("clOrderID", id.to_owned()));
        }
        self.send(Method::Delete, "order", &query, None, true).await
    }

    /// Arms (or with 0, disarms) the dead-man switch: every working order is cancelled
    /// unless this is called again within `timeout_ms`.
    /// Skips any 429 backoff: a lapsed switch cancels every working order.
    pub async fn cancel_all_after(&self, timeout_ms: u64) -> Result<Value, CallError> {
        let body = json!({ "timeout": timeout_ms });
        self.call(
            Method::Post,
            "order/cancelAllAfter",
            &[],
            Some(body),
            true,
            true,
        )
        .await
    }

    /// Closes the position in `symbol` at market.
    pub async fn close_position(&self, symbol: &str) -> Result<Vec<LmexOrderAck>, CallError> {
        let body = json!({ "symbol": symbol, "type": "MARKET" });
        self.send(Method::Post, "order/close_position", &[], Some(body), true)
            .await
    }

    /// Binds (or with both `None`, removes) a position's take-profit and stop-loss;
    /// `trail` makes the stop-loss trail the market at that distance.
    pub async fn bind_tp_sl(
        &self,
        symbol: &str,
        closing_side: Side,
        take_profit: Option<Decimal>,
        stop_loss: Option<Decimal>,
        trail: Option<Decimal>,
    ) -> Result<Vec<LmexOrderAck>, CallError> {
        let mut body = Map::new();
        body.insert("symbol".into(), json!(symbol));
        body.insert("side".into(), json!(side_text(closing_side)));
        if let Some(tp) = take_profit {
            body.insert("takeProfitPrice".into(), json_number(tp));
            body.insert("takeProfitTrigger".into(), json!("markPrice"));
        }
        if let Some(sl) = stop_loss {
            body.insert("stopLossPrice".into(), json_number(sl));
            body.insert("stopLossTrigger".into(), json!("markPrice"));
        }
        if let Some(t) = trail {
            body.insert("trailValue".into(), json_number(t));
        }
        self.send(
            Method::Post,
            "order/bind/tpsl",
            &[],
            Some(Value::Object(body)),
            true,
        )
        .await
    }

    /// Sets the leverage of `symbol` (cross margin).
    pub async fn set_leverage(
        &self,
        symbol: &str,
        leverage: Decimal,
    ) -> Result<LmexLeverage, CallError> {
        let body =
            json!({ "symbol": symbol, "leverage": json_number(leverage), "marginMode": "CROSS" });
        self.send(Method::Post, "leverage", &[], Some(body), true)
            .await
    }

    /// The leverage of `symbol`.
    pub async fn leverage(&self, symbol: &str) -> Result<LmexLeverage, CallError> {
        self.get("leverage", &[("symbol", symbol.to_owned())], true)
            .await
    }

    // ---- plumbing ----

    async fn get<T: DeserializeOwned>(
        &self,
        route: &'static str,
        query: &[(&str, String)],
        signed: bool,
    ) -> Result<T, CallError> {
        self.send(Method::Get, route, query, None, signed).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        route: &'static str,
        query: &[(&str, String)],
        body: Option<Value>,
        signed: bool,
    ) -> Result<T, CallError> {
        self.call(method, route, query, body, signed, false).await
    }

    /// The bucket a route spends from: its own for each read, one for every change.
    fn bucket(&self, method: Method, route: &'static str) -> Arc<Bucket> {
        if method != Method::Get {
            return self.orders.clone();
        }
        let mut buckets = self
            .queries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        buckets
            .entry(route)
            .or_insert_with(|| Arc::new(Bucket::new(QUERIES_PER_SECOND)))
            .clone()
    }

    /// Sends one request. Anything but a GET changes something at the venue, so an answer
    /// that never came (or a 5xx, or one we cannot read) is an unknown outcome, never a
    /// refusal. `urgent` skips the wait after a 429 (the dead-man switch must not lapse
    /// because a read was rate limited).
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        route: &'static str,
        query: &[(&str, String)],
        body: Option<Value>,
        signed: bool,
        urgent: bool,
    ) -> Result<T, CallError> {
        let path = format!("{PREFIX}/{route}");
        let changes = method != Method::Get;
        // How `call::answer` and `call::parse` sort failures: as a write or as a read.
        let class = if changes { Method::Post } else { Method::Get };
        let bucket = self.bucket(method, route);
        let mut tries = 0;
        loop {
            tries += 1;
            let mut request = HttpRequest::new(method, path.as_str());
            request.query = encode_query(query);
            request.body = body.as_ref().map(Value::to_string);
            request.headers.push(("accept", "application/json".into()));
            bucket.limiter.acquire().await;
            if !urgent {
                bucket.wait_out_backoff().await;
            }
            if signed {
                let credentials = self.credentials.as_ref().ok_or_else(|| {
                    CallError::Failed(Error::new(
                        ErrorKind::Auth,
                        "this LMEX account has no API key",
                    ))
                })?;
                self.user.acquire().await;
                request.headers.extend(auth::rest_headers(
                    credentials,
                    &path,
                    self.clock.now_ms(),
                    request.body.as_deref().unwrap_or(""),
                ));
            }
            let sent_at = self.clock.local_ms();
            let sent = self.http.send(&request).await;
            if let Some(date) = sent.as_ref().ok().and_then(|r| r.date_ms) {
                self.clock
                    .observe_date(date, sent_at, self.clock.local_ms());
            }
            let status = sent.as_ref().ok().map(|r| r.status);
            let retry_after = match &sent {
                Ok(r) if r.status == 429 => Some(bucket.back_off(r.retry_after_ms)),
                Ok(r) if r.is_success() => {
                    bucket.calm();
                    None
                }
                _ => None,
            };
            if retry_after.is_some() && !changes && tries <= READ_RETRIES {
                tracing::debug!(route, tries, "LMEX rate limited a read; trying again");
                continue;
            }
            let answered = call::answer(class, sent, |r| {
                let mut error = map::error(r.status, &r.body);
                if let ErrorKind::RateLimited { retry_after_ms } = &mut error.kind {
                    *retry_after_ms = retry_after
                        .and_then(|d| u64::try_from(d.as_millis()).ok())
                        .or(r.retry_after_ms);
                }
                tracing::debug!(status = r.status, route, kind = ?error.kind, "LMEX refused");
                error
            });
            let response = match answered {
                // A 5xx can come after the venue acted (a 500, a proxy's 520/524).
                Err(CallError::Failed(e)) if changes && status.is_some_and(|s| s >= 500) => {
                    return Err(CallError::Unknown(e.message))
                }
                other => other?,
            };
            return call::parse(class, "LMEX", &path, &response.body);
        }
    }
}

/// A rate limiter and the backoff its 429s set.
struct Bucket {
    limiter: RateLimiter,
    backoff: Mutex<Backoff>,
}

impl Bucket {
    fn new(per_second: u32) -> Self {
        Self {
            limiter: RateLimiter::per_second(per_second),
            backoff: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Backoff> {
        self.backoff
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn wait_out_backoff(&self) {
        let until = self.lock().until;
        if let Some(until) = until {
            tokio::time::sleep_until(until).await;
        }
    }

    /// Records a 429: this bucket waits `retry_after` (capped) or the next backoff step.
    fn back_off(&self, retry_after_ms: Option<u64>) -> Duration {
        let mut b = self.lock();
        let step = b.next.unwrap_or(BACKOFF_MIN);
        let wait = retry_after_ms
            .map_or(step, Duration::from_millis)
            .min(RETRY_AFTER_MAX);
        b.until = Some(Instant::now() + wait);
        b.next = Some((step * 2).min(BACKOFF_MAX));
        wait
    }

    fn calm(&self) {
        self.lock().next = None;
    }
}

/// `BUY` / `SELL`.
pub fn side_text(side: Side) -> &'static str {
    match side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    }
}

/// The ack that says where an order stands: the last one for our client id (an IOC that
/// partly fills answers `[5, 6]`: partly filled, then the rest cancelled), else the last.
/// An empty answer to a change is an unknown outcome.
pub fn pick_ack(
    acks: Vec<LmexOrderAck>,
    client_order_id: Option<&str>,
) -> Result<LmexOrderAck, CallError> {
    let ours =
        |a: &LmexOrderAck| client_order_id.is_some_and(|id| a.cl_order_id.as_deref() == Some(id));
    let chosen = match acks.iter().rposition(ours) {
        Some(at) => acks.into_iter().nth(at),
        None => acks.into_iter().next_back(),
    };
    chosen.ok_or_else(|| CallError::Unknown("LMEX answered an order request with no order".into()))
}

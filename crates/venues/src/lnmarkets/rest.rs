//! LN Markets REST v3: one function per endpoint, typed in and out. Every request is paced
//! by the shared limiters and sent once; a request that may have reached the venue without
//! an answer is reported as such, never retried here.

use super::auth::{self, LnmCredentials};
use super::map;
use super::wire::{
    LnmAccount, LnmAddress, LnmCandle, LnmCrossOrder, LnmCrossPosition, LnmFundingFee,
    LnmFundingSettlement, LnmInvoice, LnmLeaderboard, LnmLightningDeposit, LnmOnChainDeposit,
    LnmPage, LnmStoplossMode, LnmTicker, LnmTime, LnmTrade, LnmTransfer, LnmWithdrawal,
    LnmWithdrawalAck,
};
use crate::net::http::encode_query;
use crate::net::{call, ClockOffset, HttpClient, HttpRequest, Method, RateLimiter};
use kestrel_core::{Error, ErrorKind, Side, TimestampMs};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use std::sync::Arc;
use std::time::Duration;

/// Documented limits: 5 authenticated and 1 public request a second.
const AUTH_PER_SECOND: u32 = 5;
const PUBLIC_PER_SECOND: u32 = 1;
/// How long a request may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Production and test network REST hosts.
pub const MAINNET: &str = "https://api.lnmarkets.com";
pub const SIGNET: &str = "https://api.signet.lnmarkets.com";

pub use crate::net::CallError;

/// A new isolated trade.
#[derive(Clone, Debug)]
pub struct NewTrade {
    pub side: Side,
    /// Contracts (USD).
    pub quantity: u64,
    pub leverage: Decimal,
    /// Limit price; `None` for a market order.
    pub price: Option<Decimal>,
    pub stoploss: Option<Decimal>,
    pub takeprofit: Option<Decimal>,
    pub client_id: Option<String>,
}

/// A decimal as the JSON number the venue's SDK would send (`90000`, not `90000.0`).
pub fn json_number(d: Decimal) -> Value {
    let d = d.normalize();
    if d.fract().is_zero() {
        if let Some(i) = d.to_i64() {
            return Value::from(i);
        }
    }
    d.to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// The REST client for one account (or for public data only, with no credentials).
pub struct LnmRest {
    http: HttpClient,
    credentials: Option<LnmCredentials>,
    clock: Arc<ClockOffset>,
    auth_limit: RateLimiter,
    public_limit: RateLimiter,
}

impl LnmRest {
    /// A client for `base_url` (e.g. [`MAINNET`]).
    pub fn new(
        base_url: &str,
        credentials: Option<LnmCredentials>,
        clock: Arc<ClockOffset>,
    ) -> Result<Self, Error> {
        Ok(Self {
            http: HttpClient::new(base_url, TIMEOUT)?,
            credentials,
            clock,
            auth_limit: RateLimiter::per_second(AUTH_PER_SECOND),
            public_limit: RateLimiter::per_second(PUBLIC_PER_SECOND),
        })
    }

    /// The venue's time; also measures our clock's offset from it.
    pub async fn sync_time(&self) -> Result<TimestampMs, CallError> {
        let sent_at = self.clock.local_ms();
        let t: LnmTime = self.get("/v3/time", &[], false).await?;
        let received_at = self.clock.local_ms();
        let server = map::parse_time(&t.time).map_err(CallError::Failed)?;
        self.clock.observe(server, sent_at, received_at);
        Ok(server)
    }

    /// The ticker with its size tiers.
    pub async fn ticker(&self) -> Result<LnmTicker, CallError> {
        self.get("/v3/futures/ticker", &[], false).await
    }

    /// One page of candles of `range` (`1m`, `5m`, … `1d`) from `from` to `to` (ms).
    pub async fn candles(
        &self,
        range: &str,
        from: TimestampMs,
        to: Option<TimestampMs>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmCandle>, CallError> {
        let mut query = vec![("from", iso(from)?)];
        if let Some(to) = to {
            query.push(("to", iso(to)?));
        }
        query.push(("range", range.to_owned()));
        query.push(("limit", limit.clamp(1, 1000).to_string()));
        if let Some(c) = cursor {
            query.push(("cursor", c.to_owned()));
        }
        self.get("/v3/futures/candles", &query, false).await
    }

    /// The account and its balance.
    pub async fn account(&self) -> Result<LnmAccount, CallError> {
        self.get("/v3/account", &[], true).await
    }

    /// Opens an isolated trade (market) or places a limit order. Sent once.
    pub async fn new_trade(&self, t: &NewTrade) -> Result<LnmTrade, CallError> {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(if t.price.is_some() { "limit" } else { "market" }),
        );
        body.insert(
            "side".into(),
            json!(match t.side {
                Side::Buy => "buy",
                Side::Sell => "sell",
            }),
        );
        body.insert("leverage".into(), json_number(t.leverage));
        body.insert("quantity".into(), json!(t.quantity));
        if let Some(p) = t.price {
            body.insert("price".into(), json_number(p));
        }
        if let Some(p) = t.stoploss {
            body.insert("stoploss".into(), json_number(p));
        }
        if let Some(p) = t.takeprofit {
            body.insert("takeprofit".into(), json_number(p));
        }
        if let Some(c) = &t.client_id {
            body.insert("clientId".into(), json!(c));
        }
        self.send(
            Method::Post,
            "/v3/futures/isolated/trade",
            &[],
            Some(Value::Object(body)),
            true,
        )
        .await
    }

    /// Cancels an open limit order.
    pub async fn cancel_trade(&self, id: &str) -> Result<LnmTrade, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/isolated/trade/cancel",
            &[],
            Some(json!({ "id": id })),
            true,
        )
        .await
    }

    /// Closes a running trade at market.
    pub async fn close_trade(&self, id: &str) -> Result<LnmTrade, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/isolated/trade/close",
            &[],
            Some(json!({ "id": id })),
            true,
        )
        .await
    }

    /// Open limit orders.
    pub async fn open_trades(&self) -> Result<Vec<LnmTrade>, CallError> {
        self.get("/v3/futures/isolated/trades/open", &[], true)
            .await
    }

    /// Running trades (positions).
    pub async fn running_trades(&self) -> Result<Vec<LnmTrade>, CallError> {
        self.get("/v3/futures/isolated/trades/running", &[], true)
            .await
    }

    /// One page of closed trades, newest first.
    pub async fn closed_trades(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmTrade>, CallError> {
        self.get(
            "/v3/futures/isolated/trades/closed",
            &page_query(limit, cursor),
            true,
        )
        .await
    }

    /// Canceled limit trades, newest first (paginated).
    pub async fn canceled_trades(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmTrade>, CallError> {
        self.get(
            "/v3/futures/isolated/trades/canceled",
            &page_query(limit, cursor),
            true,
        )
        .await
    }

    /// Sets a trade's take-profit.
    pub async fn update_takeprofit(&self, id: &str, value: Decimal) -> Result<LnmTrade, CallError> {
        let body = json!({ "id": id, "value": json_number(value) });
        self.send(
            Method::Put,
            "/v3/futures/isolated/trade/takeprofit",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Removes a trade's take-profit.
    pub async fn remove_takeprofit(&self, id: &str) -> Result<LnmTrade, CallError> {
        self.send(
            Method::Delete,
            "/v3/futures/isolated/trade/takeprofit",
            &[("id", id.to_owned())],
            None,
            true,
        )
        .await
    }

    /// Sets a trade's stop-loss, fixed or trailing.
    pub async fn update_stoploss(
        &self,
        id: &str,
        value: Decimal,
        mode: LnmStoplossMode,
    ) -> Result<LnmTrade, CallError> {
        let body = json!({ "id": id, "value": json_number(value), "mode": mode.as_str() });
        self.send(
            Method::Put,
            "/v3/futures/isolated/trade/stoploss",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Removes a trade's stop-loss.
    pub async fn remove_stoploss(&self, id: &str) -> Result<LnmTrade, CallError> {
        self.send(
            Method::Delete,
            "/v3/futures/isolated/trade/stoploss",
            &[("id", id.to_owned())],
            None,
            true,
        )
        .await
    }

    /// Adds `amount` sats of margin to a running trade (its liquidation price moves away).
    pub async fn add_margin(&self, id: &str, amount: u64) -> Result<LnmTrade, CallError> {
        let body = json!({ "id": id, "amount": amount });
        self.send(
            Method::Post,
            "/v3/futures/isolated/trade/add-margin",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Takes `amount` sats out of a running trade, profit first.
    pub async fn cash_in(&self, id: &str, amount: u64) -> Result<LnmTrade, CallError> {
        let body = json!({ "id": id, "amount": amount });
        self.send(
            Method::Post,
            "/v3/futures/isolated/trade/cash-in",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Cancels every open limit order; returns what was cancelled.
    pub async fn cancel_all(&self) -> Result<Vec<LnmTrade>, CallError> {
        let value: Value = self
            .send(
                Method::Post,
                "/v3/futures/isolated/trades/cancel-all",
                &[],
                None,
                true,
            )
            .await?;
        // The SDK types this as one trade; accept an array or a single object.
        let list = match value {
            Value::Array(items) => items,
            Value::Null => Vec::new(),
            one => vec![one],
        };
        list.into_iter()
            .map(|v| {
                serde_json::from_value(v)
                    .map_err(|e| CallError::Failed(Error::protocol(format!("cancel-all: {e}"))))
            })
            .collect()
    }

    /// Funding fees charged to isolated trades (one trade's, with `trade_id`).
    pub async fn funding_fees(
        &self,
        trade_id: Option<&str>,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmFundingFee>, CallError> {
        let mut query = Vec::new();
        if let Some(c) = cursor {
            query.push(("cursor", c.to_owned()));
        }
        query.push(("limit", limit.clamp(1, 1000).to_string()));
        if let Some(t) = trade_id {
            query.push(("tradeId", t.to_owned()));
        }
        self.get("/v3/futures/isolated/funding-fees", &query, true)
            .await
    }

    /// The market's funding settlements, newest first.
    pub async fn funding_settlements(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmFundingSettlement>, CallError> {
        let mut query = Vec::new();
        if let Some(c) = cursor {
            query.push(("cursor", c.to_owned()));
        }
        query.push(("limit", limit.clamp(1, 1000).to_string()));
        self.get("/v3/futures/funding-settlements", &query, false)
            .await
    }

    /// Creates a Lightning invoice for `amount` sats. Sent once.
    pub async fn deposit_lightning(&self, amount: u64) -> Result<LnmInvoice, CallError> {
        let body = json!({ "amount": amount });
        self.send(
            Method::Post,
            "/v3/account/deposit/lightning",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Lightning deposits, newest first.
    pub async fn lightning_deposits(&self) -> Result<LnmPage<LnmLightningDeposit>, CallError> {
        self.get("/v3/account/deposits/lightning", &[], true).await
    }

    /// On-chain deposits, newest first.
    pub async fn on_chain_deposits(&self) -> Result<LnmPage<LnmOnChainDeposit>, CallError> {
        self.get("/v3/account/deposits/on-chain", &[], true).await
    }

    /// The account's Bitcoin deposit address.
    pub async fn bitcoin_address(&self) -> Result<LnmAddress, CallError> {
        self.get("/v3/account/address/bitcoin", &[], true).await
    }

    /// Pays `invoice` from the balance. Sent once.
    pub async fn withdraw_lightning(&self, invoice: &str) -> Result<LnmWithdrawalAck, CallError> {
        let body = json!({ "invoice": invoice });
        self.send(
            Method::Post,
            "/v3/account/withdraw/lightning",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Sends `amount` sats on-chain to `address`. Sent once.
    pub async fn withdraw_on_chain(
        &self,
        address: &str,
        amount: u64,
    ) -> Result<LnmWithdrawalAck, CallError> {
        let body = json!({ "address": address, "amount": amount });
        self.send(
            Method::Post,
            "/v3/account/withdraw/on-chain",
            &[],
            Some(body),
            true,
        )
        .await
    }

    /// Withdrawals of one kind (`lightning` or `on-chain`), newest first.
    pub async fn withdrawals(&self, kind: &str) -> Result<LnmPage<LnmWithdrawal>, CallError> {
        self.get(&format!("/v3/account/withdrawals/{kind}"), &[], true)
            .await
    }

    /// The public leaderboard.
    pub async fn leaderboard(&self) -> Result<LnmLeaderboard, CallError> {
        self.get("/v3/futures/leaderboard", &[], false).await
    }

    /// Places a cross-margin order (market without `price`). Sent once.
    pub async fn cross_new_order(
        &self,
        side: Side,
        quantity: u64,
        price: Option<Decimal>,
    ) -> Result<LnmCrossOrder, CallError> {
        let mut body = Map::new();
        body.insert(
            "type".into(),
            json!(if price.is_some() { "limit" } else { "market" }),
        );
        body.insert(
            "side".into(),
            json!(match side {
                Side::Buy => "buy",
                Side::Sell => "sell",
            }),
        );
        body.insert("quantity".into(), json!(quantity));
        if let Some(p) = price {
            body.insert("price".into(), json_number(p));
        }
        self.send(
            Method::Post,
            "/v3/futures/cross/order",
            &[],
            Some(Value::Object(body)),
            true,
        )
        .await
    }

    /// Cancels a cross-margin limit order.
    pub async fn cross_cancel(&self, id: &str) -> Result<LnmCrossOrder, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/cross/order/cancel",
            &[],
            Some(json!({ "id": id })),
            true,
        )
        .await
    }

    /// Cancels every open cross-margin order.
    pub async fn cross_cancel_all(&self) -> Result<Value, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/cross/orders/cancel-all",
            &[],
            None,
            true,
        )
        .await
    }

    /// Open cross-margin orders.
    pub async fn cross_open_orders(&self) -> Result<Vec<LnmCrossOrder>, CallError> {
        self.get("/v3/futures/cross/orders/open", &[], true).await
    }

    /// Filled cross-margin orders, newest first.
    pub async fn cross_filled_orders(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmCrossOrder>, CallError> {
        self.get(
            "/v3/futures/cross/orders/filled",
            &page_query(limit, cursor),
            true,
        )
        .await
    }

    /// The cross-margin position.
    pub async fn cross_position(&self) -> Result<LnmCrossPosition, CallError> {
        self.get("/v3/futures/cross/position", &[], true).await
    }

    /// Closes the cross-margin position at market.
    pub async fn cross_close(&self) -> Result<LnmCrossOrder, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/cross/position/close",
            &[],
            None,
            true,
        )
        .await
    }

    /// Sets the cross-margin leverage (whole number, 1–100).
    pub async fn cross_set_leverage(&self, leverage: u32) -> Result<LnmCrossPosition, CallError> {
        self.send(
            Method::Put,
            "/v3/futures/cross/leverage",
            &[],
            Some(json!({ "leverage": leverage })),
            true,
        )
        .await
    }

    /// Moves `amount` sats from the account to the cross-margin wallet.
    pub async fn cross_deposit(&self, amount: u64) -> Result<LnmCrossPosition, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/cross/deposit",
            &[],
            Some(json!({ "amount": amount })),
            true,
        )
        .await
    }

    /// Moves `amount` sats from the cross-margin wallet back to the account.
    pub async fn cross_withdraw(&self, amount: u64) -> Result<LnmCrossPosition, CallError> {
        self.send(
            Method::Post,
            "/v3/futures/cross/withdraw",
            &[],
            Some(json!({ "amount": amount })),
            true,
        )
        .await
    }

    /// Transfers between the account and the cross-margin wallet.
    pub async fn cross_transfers(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmTransfer>, CallError> {
        self.get(
            "/v3/futures/cross/transfers",
            &page_query(limit, cursor),
            true,
        )
        .await
    }

    /// Funding fees charged to the cross-margin position.
    pub async fn cross_funding_fees(
        &self,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<LnmPage<LnmFundingFee>, CallError> {
        self.get(
            "/v3/futures/cross/funding-fees",
            &page_query(limit, cursor),
            true,
        )
        .await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        signed: bool,
    ) -> Result<T, CallError> {
        self.send(Method::Get, path, query, None, signed).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
        signed: bool,
    ) -> Result<T, CallError> {
        let mut request = HttpRequest::new(method, path);
        request.query = encode_query(query);
        request.body = body.map(|b| b.to_string());
        request.headers.push(("accept", "application/json".into()));
        if signed {
            let credentials = self.credentials.as_ref().ok_or_else(|| {
                CallError::Failed(Error::new(
                    ErrorKind::Auth,
                    "this LN Markets account has no API key",
                ))
            })?;
            self.auth_limit.acquire().await;
            request.headers.extend(auth::rest_headers(
                credentials,
                self.clock.now_ms(),
                method,
                path,
                &request.query,
                request.body.as_deref(),
            ));
        } else {
            self.public_limit.acquire().await;
        }
        let response = call::answer(method, self.http.send(&request).await, |r| {
            let error = map::error(r.status, &r.body, r.retry_after_ms);
            tracing::debug!(status = r.status, path, kind = ?error.kind, "LN Markets refused");
            error
        })?;
        call::parse(method, "LN Markets", path, &response.body)
    }
}

fn page_query(limit: u32, cursor: Option<&str>) -> Vec<(&'static str, String)> {
    let mut query = Vec::new();
    if let Some(c) = cursor {
        query.push(("cursor", c.to_owned()));
    }
    query.push(("limit", limit.clamp(1, 1000).to_string()));
    query
}

fn iso(ms: TimestampMs) -> Result<String, CallError> {
    map::format_time(ms).map_err(CallError::Failed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn decimals_become_the_numbers_the_sdk_sends() {
        assert_eq!(json_number(dec!(90000)).to_string(), "90000");
        assert_eq!(json_number(dec!(90000.0)).to_string(), "90000");
        assert_eq!(json_number(dec!(91250.5)).to_string(), "91250.5");
        assert_eq!(json_number(dec!(10)).to_string(), "10");
    }
}

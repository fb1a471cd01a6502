//! LMEX's own JSON, named as BTSE's futures API v2.3 names it (NOTES.md §2.4–2.5).

use rust_decimal::Decimal;
use serde::Deserialize;

/// One market of `GET /api/v2.3/market_summary`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexMarket {
    pub symbol: String,
    pub active: bool,
    pub last: Option<Decimal>,
    pub lowest_ask: Option<Decimal>,
    pub highest_bid: Option<Decimal>,
    #[serde(default)]
    pub funding_rate: Option<Decimal>,
    /// Ms.
    #[serde(default)]
    pub funding_time: Option<i64>,
    /// Base units one contract is worth (BTC-PERP on BTSE: 0.00001 BTC).
    pub contract_size: Decimal,
    pub min_price_increment: Decimal,
    pub min_order_size: Decimal,
    pub max_order_size: Decimal,
    pub min_size_increment: Decimal,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub quote: Option<String>,
}

/// One level of the REST L2 book: prices and sizes arrive as strings, sizes in contracts.
#[derive(Clone, Debug, Deserialize)]
pub struct LmexQuote {
    pub price: Decimal,
    pub size: Decimal,
}

/// `GET /api/v2.3/orderbook/L2`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexBook {
    pub symbol: String,
    /// Ms.
    pub timestamp: i64,
    pub buy_quote: Vec<LmexQuote>,
    pub sell_quote: Vec<LmexQuote>,
}

/// A message on the OSS book stream `update:<SYMBOL>_0`: a snapshot, then deltas each
/// naming the sequence number it follows. A size of 0 removes the level.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexBookUpdate {
    pub symbol: String,
    /// `snapshot` or `delta`.
    #[serde(rename = "type")]
    pub kind: String,
    pub seq_num: u64,
    #[serde(default)]
    pub prev_seq_num: Option<u64>,
    /// `[price, size]` pairs as strings.
    pub bids: Vec<[Decimal; 2]>,
    pub asks: Vec<[Decimal; 2]>,
    pub timestamp: i64,
}

/// The envelope of every topic push: `{"topic": "...", "data": ...}`.
#[derive(Clone, Debug, Deserialize)]
pub struct LmexPush<T> {
    pub topic: String,
    pub data: T,
}

/// One entry of the (array) answer to `POST /api/v2.3/order`, `PUT` or `DELETE order`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexOrderAck {
    pub status: i64,
    pub symbol: Option<String>,
    #[serde(rename = "orderID")]
    pub order_id: Option<String>,
    #[serde(rename = "clOrderID")]
    pub cl_order_id: Option<String>,
    /// 76 limit, 77 market, 80 algo.
    pub order_type: Option<i64>,
    pub side: Option<String>,
    pub price: Option<Decimal>,
    pub size: Option<Decimal>,
    #[serde(default)]
    pub filled_size: Option<Decimal>,
    #[serde(default)]
    pub avg_fill_price: Option<Decimal>,
    #[serde(default)]
    pub message: Option<String>,
    /// Ms.
    #[serde(default)]
    pub timestamp: Option<i64>,
}

/// The error envelope: `{"status":400,"errorCode":-2,"message":"...","extraData":null}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexError {
    pub status: Option<i64>,
    pub error_code: Option<i64>,
    pub message: Option<String>,
}

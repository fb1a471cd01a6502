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
    /// 24 h volume.
    #[serde(default)]
    pub volume: Option<Decimal>,
    #[serde(default)]
    pub funding_rate: Option<Decimal>,
    /// Ms.
    #[serde(default)]
    pub funding_time: Option<i64>,
    #[serde(default)]
    pub funding_interval_minutes: Option<i64>,
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

/// One entry of the (array) answer to `POST`, `PUT` or `DELETE order`: an order row whose
/// `status` says whether it worked.
pub type LmexOrderAck = LmexOrder;

/// The error envelope: `{"status":400,"errorCode":-2,"message":"...","extraData":null}`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexError {
    pub status: Option<i64>,
    pub error_code: Option<i64>,
    pub message: Option<String>,
}

/// One row of `GET ohlcv`: `[time_s, open, high, low, close, volume]`.
pub type LmexCandle = (i64, Decimal, Decimal, Decimal, Decimal, Decimal);

/// One public trade, from `GET trades` or the `tradeHistoryApi:<SYMBOL>` topic.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexTrade {
    pub price: Decimal,
    pub size: Decimal,
    pub side: String,
    #[serde(default)]
    pub symbol: Option<String>,
    /// `serialId` on REST, `tradeId` on the stream.
    #[serde(default, alias = "serialId")]
    pub trade_id: Option<serde_json::Value>,
    /// Ms.
    pub timestamp: i64,
}

/// One entry of `GET funding_history` (`{"BTC-PERP": [...]}`).
#[derive(Clone, Debug, Deserialize)]
pub struct LmexFunding {
    /// Seconds.
    pub time: i64,
    pub rate: Decimal,
}

/// One amount of one currency in a wallet.
#[derive(Clone, Debug, Deserialize)]
pub struct LmexAsset {
    pub balance: Decimal,
    pub currency: String,
}

/// One wallet of `GET user/wallet`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexWallet {
    pub wallet: String,
    pub total_value: Decimal,
    pub margin_balance: Decimal,
    pub available_balance: Decimal,
    #[serde(default)]
    pub unrealised_profit_loss: Decimal,
    #[serde(default)]
    pub maintenance_margin: Decimal,
    #[serde(default)]
    pub assets: Vec<LmexAsset>,
    #[serde(default)]
    pub assets_in_use: Vec<LmexAsset>,
}

/// A position's take-profit or stop-loss order.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexExit {
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(default)]
    pub trigger_price: Option<Decimal>,
    /// The distance a trailing stop keeps (Kestrel's test server and BTSE's `trailValue`).
    #[serde(default)]
    pub trail_value: Option<Decimal>,
}

/// One row of `GET user/positions` and of the `allPosition` topic.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexPosition {
    pub symbol: String,
    pub side: String,
    /// Contracts.
    pub size: Decimal,
    pub entry_price: Decimal,
    #[serde(default)]
    pub mark_price: Option<Decimal>,
    #[serde(default)]
    pub liquidation_price: Option<Decimal>,
    #[serde(default)]
    pub unrealized_profit_loss: Decimal,
    #[serde(default)]
    pub total_maintenance_margin: Decimal,
    /// 91 cross, 92 isolated.
    #[serde(default)]
    pub margin_type: Option<i64>,
    #[serde(default)]
    pub isolated_leverage: Option<Decimal>,
    #[serde(default)]
    pub current_leverage: Option<Decimal>,
    #[serde(default)]
    pub timestamp: Option<i64>,
    #[serde(default)]
    pub take_profit_order: Option<LmexExit>,
    #[serde(default)]
    pub stop_loss_order: Option<LmexExit>,
}

/// An order as `GET user/open_orders`, `GET order` and the `notificationApiV2` topic show
/// it. The two spell a few fields differently; both spellings are read.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexOrder {
    /// The status code; `GET order` and pushes carry it, open-order rows do not.
    #[serde(default)]
    pub status: Option<i64>,
    #[serde(default)]
    pub symbol: Option<String>,
    #[serde(rename = "orderID", alias = "orderId", default)]
    pub order_id: Option<String>,
    #[serde(rename = "clOrderID", alias = "clOrderId", default)]
    pub cl_order_id: Option<String>,
    #[serde(default)]
    pub side: Option<String>,
    /// 76 limit, 77 market, 80 algo.
    #[serde(alias = "type", default)]
    pub order_type: Option<i64>,
    #[serde(default)]
    pub price: Option<Decimal>,
    /// Contracts (what remains to work, on pushes; see `original_size`).
    #[serde(default)]
    pub size: Option<Decimal>,
    /// The order's size as placed, on pushes.
    #[serde(default)]
    pub original_size: Option<Decimal>,
    #[serde(alias = "fillSize", default)]
    pub filled_size: Option<Decimal>,
    #[serde(alias = "avgFillPrice", default)]
    pub average_fill_price: Option<Decimal>,
    #[serde(default)]
    pub trigger_price: Option<Decimal>,
    #[serde(default)]
    pub trigger_order: Option<bool>,
    #[serde(default)]
    pub tx_type: Option<String>,
    #[serde(default)]
    pub post_only: Option<bool>,
    #[serde(default)]
    pub reduce_only: Option<bool>,
    #[serde(default)]
    pub order_state: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
    #[serde(default)]
    pub timestamp: Option<i64>,
}

/// One own fill, from `GET user/trade_history` or the `fills` topic.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexFill {
    #[serde(default)]
    pub trade_id: Option<serde_json::Value>,
    #[serde(default)]
    pub serial_id: Option<serde_json::Value>,
    #[serde(default)]
    pub order_id: Option<String>,
    #[serde(rename = "clOrderID", alias = "clOrderId", default)]
    pub cl_order_id: Option<String>,
    pub symbol: String,
    pub side: String,
    /// The fill price on the stream; the order's price on REST, which puts the fill's in
    /// `filled_price`.
    #[serde(default)]
    pub price: Option<Decimal>,
    /// Contracts: the fill on the stream, the order on REST (see `filled_size`).
    #[serde(default)]
    pub size: Option<Decimal>,
    #[serde(default)]
    pub filled_price: Option<Decimal>,
    #[serde(default)]
    pub filled_size: Option<Decimal>,
    #[serde(default)]
    pub fee_amount: Decimal,
    #[serde(default)]
    pub realized_pnl: Decimal,
    #[serde(default)]
    pub maker: Option<bool>,
    pub timestamp: i64,
}

/// `POST leverage` / `GET leverage`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexLeverage {
    pub symbol: String,
    pub leverage: Decimal,
    #[serde(default)]
    pub margin_mode: Option<String>,
}

/// One entry of `GET price`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LmexPrice {
    pub symbol: String,
    #[serde(default)]
    pub index_price: Option<Decimal>,
    #[serde(default)]
    pub last_price: Option<Decimal>,
    #[serde(default)]
    pub mark_price: Option<Decimal>,
}

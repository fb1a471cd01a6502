//! LN Markets' own JSON (REST v3), named as the venue names it. Numbers arrive as JSON
//! numbers; timestamps as ISO-8601 strings.

use rust_decimal::Decimal;
use serde::Deserialize;

/// `GET /v3/time`.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmTime {
    pub time: String,
}

/// One tier of the ticker's size-tiered quote.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmPriceTier {
    pub min_size: Decimal,
    pub max_size: Decimal,
    pub bid_price: Decimal,
    pub ask_price: Decimal,
}

/// `GET /v3/futures/ticker`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmTicker {
    pub index: Decimal,
    pub last_price: Decimal,
    pub funding_rate: Decimal,
    pub funding_time: String,
    pub prices: Vec<LnmPriceTier>,
}

/// One candle of `GET /v3/futures/candles`.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmCandle {
    pub time: String,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

/// A cursor-paginated list.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmPage<T> {
    pub data: Vec<T>,
    pub next_cursor: Option<String>,
}

/// `GET /v3/account`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmAccount {
    pub id: String,
    pub username: String,
    /// Sats.
    pub balance: i64,
    pub fee_tier: i64,
    #[serde(default)]
    pub synthetic_usd_balance: Decimal,
}

/// An isolated trade (order or position) in any state.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmTrade {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: LnmTradeType,
    pub side: LnmSide,
    pub price: Decimal,
    pub quantity: u64,
    /// Sats.
    pub margin: i64,
    pub leverage: Decimal,
    pub liquidation: Decimal,
    pub maintenance_margin: i64,
    pub opening_fee: i64,
    pub closing_fee: i64,
    pub entry_price: Option<Decimal>,
    pub exit_price: Option<Decimal>,
    /// Sats.
    pub pl: i64,
    pub stoploss: Decimal,
    /// How far a trailing stop-loss keeps from the market; 0 when it is fixed.
    #[serde(default)]
    pub stoploss_trailing_distance: Decimal,
    pub takeprofit: Decimal,
    #[serde(default)]
    pub sum_funding_fees: i64,
    pub created_at: String,
    pub filled_at: Option<String>,
    pub closed_at: Option<String>,
    pub open: bool,
    pub running: bool,
    pub closed: bool,
    pub canceled: bool,
    pub client_id: Option<String>,
}

/// `market` or `limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LnmTradeType {
    Market,
    Limit,
}

/// `buy` or `sell`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LnmSide {
    Buy,
    Sell,
}

/// The error body: `{message, code, details}`.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmError {
    pub message: Option<String>,
    pub code: Option<serde_json::Value>,
}

/// Stream v1 `futures/inverse/btc_usd/ticker` data.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmStreamTicker {
    pub time: i64,
    pub last_price: Option<Decimal>,
    pub index: Option<Decimal>,
    pub funding: Option<LnmStreamFunding>,
}

/// The funding part of the stream ticker.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmStreamFunding {
    pub rate: Option<Decimal>,
    pub time: Option<i64>,
}

/// Stream v1 `.../buckets` data: the size-tiered quote.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmStreamBuckets {
    pub time: i64,
    pub buckets: Vec<LnmStreamBucket>,
}

/// One tier of the streamed quote; a side may be missing.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmStreamBucket {
    pub min_size: Decimal,
    pub max_size: Decimal,
    pub bid_price: Option<Decimal>,
    pub ask_price: Option<Decimal>,
}

/// Stream v1 `.../lastPrice` data.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmStreamLastPrice {
    pub time: i64,
    pub last_price: Decimal,
}

/// Stream v1 `.../isolated/trades` data: something happened to one of our trades.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmStreamTradeEvent {
    pub event: LnmTradeEventKind,
    pub trade: LnmStreamTrade,
}

/// What happened to the trade.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LnmTradeEventKind {
    Open,
    Filled,
    Closed,
    Canceled,
    Liquidation,
    Stoploss,
    Takeprofit,
    Funding,
}

/// The fields any trade event may carry (each event carries a subset).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmStreamTrade {
    pub id: String,
    pub client_id: Option<String>,
    pub side: Option<LnmSide>,
    #[serde(rename = "type")]
    pub kind: Option<LnmTradeType>,
    pub quantity: Option<u64>,
    pub margin: Option<i64>,
    pub leverage: Option<Decimal>,
    pub price: Option<Decimal>,
    pub exit_price: Option<Decimal>,
    pub pl: Option<i64>,
    pub closing_fee: Option<i64>,
    pub opening_fee: Option<i64>,
    pub funding_fee: Option<i64>,
    pub created_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// Stream v1 `.../ohlc/<range>` data.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmStreamOhlc {
    pub time: i64,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

/// `PUT .../trade/stoploss` mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LnmStoplossMode {
    Fixed,
    Trailing,
}

impl LnmStoplossMode {
    /// The venue's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            LnmStoplossMode::Fixed => "fixed",
            LnmStoplossMode::Trailing => "trailing",
        }
    }
}

/// One funding fee charged to (or paid to) a trade.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmFundingFee {
    /// Sats; positive is paid.
    pub fee: i64,
    pub settlement_id: String,
    pub time: String,
    pub trade_id: Option<String>,
}

/// One funding settlement of the market.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmFundingSettlement {
    pub id: String,
    pub time: String,
    pub funding_rate: Decimal,
    pub fixing_price: Decimal,
}

/// One leaderboard row.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmLeader {
    pub username: String,
    /// Sats.
    pub pl: i64,
    pub direction: i64,
}

/// `GET /v3/futures/leaderboard`.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmLeaderboard {
    pub daily: Vec<LnmLeader>,
    pub weekly: Vec<LnmLeader>,
    pub monthly: Vec<LnmLeader>,
    #[serde(rename = "all-time")]
    pub all_time: Vec<LnmLeader>,
}

/// A cross-margin order.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmCrossOrder {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub side: LnmSide,
    pub price: Decimal,
    pub quantity: u64,
    /// Sats.
    pub trading_fee: i64,
    pub created_at: String,
    pub filled_at: Option<String>,
    pub canceled_at: Option<String>,
    pub open: bool,
    pub filled: bool,
    pub canceled: bool,
}

/// A push on `futures/inverse/btc_usd/cross/orders` (`@ln-markets/sdk` `CrossOrderEvent`):
/// `new`, `limit` (a resting limit filled) or `canceled`.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmStreamCrossOrderEvent {
    pub event: String,
    pub order: LnmStreamCrossOrder,
}

/// A cross order as the stream sends it: times in ms.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmStreamCrossOrder {
    pub id: String,
    pub side: LnmSide,
    #[serde(rename = "type")]
    pub kind: String,
    pub quantity: u64,
    pub price: Decimal,
    /// Sats; absent on a cancellation.
    #[serde(default)]
    pub trading_fee: i64,
    pub client_id: Option<String>,
    pub created_at: i64,
    pub filled_at: Option<i64>,
    pub canceled_at: Option<i64>,
}

/// The cross-margin position (one per account); `quantity` is signed, short below zero.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmCrossPosition {
    pub id: String,
    pub quantity: i64,
    pub entry_price: Option<Decimal>,
    pub leverage: Decimal,
    pub liquidation: Option<Decimal>,
    /// Sats, all below.
    pub margin: i64,
    pub initial_margin: i64,
    pub maintenance_margin: i64,
    pub running_margin: i64,
    pub delta_pl: i64,
    pub total_pl: i64,
    pub trading_fees: i64,
    pub funding_fees: i64,
    pub updated_at: String,
}

/// A transfer between the account and its cross-margin wallet (positive: deposit).
#[derive(Clone, Debug, Deserialize)]
pub struct LnmTransfer {
    pub id: String,
    pub amount: i64,
    pub time: String,
}

/// `POST /v3/account/deposit/lightning`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmInvoice {
    pub deposit_id: String,
    pub payment_request: String,
}

/// One Lightning deposit (`GET /v3/account/deposits/lightning`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmLightningDeposit {
    pub id: String,
    /// Sats.
    pub amount: i64,
    pub created_at: String,
    pub settled_at: Option<String>,
}

/// One on-chain deposit (`GET /v3/account/deposits/on-chain`; `@ln-markets/sdk`
/// `BitcoinDeposit`): `MEMPOOL`, `CONFIRMED` or `IRREVERSIBLE`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmOnChainDeposit {
    pub id: String,
    /// Sats.
    pub amount: i64,
    pub status: String,
    pub confirmations: u32,
    pub tx_id: String,
    pub created_at: String,
}

/// A Bitcoin deposit address.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmAddress {
    pub address: String,
}

/// One withdrawal, Lightning or on-chain (`GET /v3/account/withdrawals/...`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LnmWithdrawal {
    pub id: String,
    /// Sats.
    pub amount: i64,
    pub fee: Option<i64>,
    /// Lightning: the invoice paid (when known).
    #[serde(default)]
    pub destination: Option<String>,
    /// On-chain: the address paid.
    #[serde(default)]
    pub address: Option<String>,
    pub status: String,
    pub created_at: String,
}

/// `POST /v3/account/withdraw/{lightning,on-chain}`: enough to identify it.
#[derive(Clone, Debug, Deserialize)]
pub struct LnmWithdrawalAck {
    pub id: String,
    /// Sats.
    pub amount: i64,
}

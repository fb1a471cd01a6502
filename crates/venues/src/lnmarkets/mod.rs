//! LN Markets (REST v3 + Stream v1): the BTC/USD inverse perpetual, isolated margin.
//!
//! The v2 API of the seed doc was switched off on 31 Mar 2026; its options market and
//! volatility index have no v3 equivalent and are not built. Isolated trades map onto the
//! core model as: an open limit trade is a working order; running trades are summed per
//! side into a long and a short position; each trade's fill and close are fills.
//! Cross margin is a second instrument of the same market (`cross.rs`).

pub mod auth;
pub mod cross;
pub mod extras;
pub mod map;
pub mod maths;
pub mod rest;
pub mod wire;
pub mod ws;

use crate::net::{ClockOffset, ReconnectingSocket, WsConfig, WsEvent};
use async_trait::async_trait;
use auth::LnmCredentials;
use futures::stream::{self, StreamExt};
use kestrel_core::{
    AccountEvent, AccountId, AccountInfo, AccountStream, AmendRequest, Balance, Candle,
    Capabilities, ClientOrderId, Clock, Error, ErrorKind, Fill, Instrument, InstrumentId,
    Liquidity, MarketData, MarketEvent, MarketStream, Network, Order, OrderOutcome, OrderRequest,
    OrderStatus, OrderType, Position, PositionSide, Result, Side, StopLoss, StreamStatus, Ticker,
    Timeframe, TradeId, Trading, VenueId,
};
use rest::{CallError, LnmRest, NewTrade};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::VecDeque;
use std::sync::Arc;
use wire::{LnmStreamBuckets, LnmStreamLastPrice, LnmStreamTicker, LnmTrade, LnmTradeEventKind};

/// Leverage used when an order names none.
const DEFAULT_LEVERAGE: u32 = 10;
/// Closed trades read when reconstructing fills or looking up an order.
const CLOSED_PAGE: u32 = 100;

/// Where an account connects and with what.
#[derive(Clone, Debug)]
pub struct LnmConfig {
    pub account: AccountId,
    pub label: String,
    pub network: Network,
    /// REST base, e.g. [`rest::MAINNET`].
    pub rest_url: String,
    /// Stream URL, e.g. [`ws::MAINNET`].
    pub stream_url: String,
    pub credentials: Option<LnmCredentials>,
}

impl LnmConfig {
    /// The production or signet endpoints for `network`.
    pub fn for_network(
        account: AccountId,
        label: String,
        network: Network,
        credentials: Option<LnmCredentials>,
    ) -> Self {
        let (rest_url, stream_url) = match network {
            Network::Mainnet => (rest::MAINNET, ws::MAINNET),
            Network::Testnet => (rest::SIGNET, ws::SIGNET),
        };
        Self {
            account,
            label,
            network,
            rest_url: rest_url.into(),
            stream_url: stream_url.into(),
            credentials,
        }
    }
}

/// One LN Markets account (or public data only, without credentials).
#[derive(Clone)]
pub struct LnMarkets {
    config: LnmConfig,
    rest: Arc<LnmRest>,
    clock: Arc<ClockOffset>,
    cross: Arc<cross::CrossBook>,
}

/// LN Markets names its candle ranges as Kestrel does: every v3 range is a `Timeframe`.
fn timeframe_range(tf: Timeframe) -> &'static str {
    tf.as_str()
}

/// `instrument` when it is one of LN Markets' two (isolated and cross share one market).
fn market_of(instrument: &InstrumentId) -> Result<&InstrumentId> {
    if instrument == &map::instrument().id || cross::is_cross(instrument) {
        Ok(instrument)
    } else {
        Err(Error::not_found(format!(
            "LN Markets has no {}",
            instrument.symbol
        )))
    }
}

fn ohlc_topic(tf: Timeframe) -> String {
    format!("futures/inverse/btc_usd/ohlc/{}", timeframe_range(tf))
}

impl LnMarkets {
    /// A connector for `config`; nothing is sent until asked.
    pub fn new(config: LnmConfig, clock: Arc<dyn Clock>) -> Result<Arc<Self>> {
        let clock = Arc::new(ClockOffset::new(clock));
        let rest = Arc::new(LnmRest::new(
            &config.rest_url,
            config.credentials.clone(),
            clock.clone(),
        )?);
        Ok(Arc::new(Self {
            config,
            rest,
            clock,
            cross: Arc::default(),
        }))
    }

    /// The account as the UI lists it.
    pub fn account_info(&self) -> AccountInfo {
        AccountInfo {
            id: self.config.account.clone(),
            venue: VenueId::LnMarkets,
            label: self.config.label.clone(),
            network: self.config.network,
            capabilities: self.capabilities(),
        }
    }

    /// Measures the clock offset, then makes one authenticated call: the "test connection"
    /// button. Returns the balance.
    pub async fn test_connection(&self) -> Result<Balance> {
        self.rest.sync_time().await?;
        let balances = self.balances().await?;
        balances
            .into_iter()
            .next()
            .ok_or_else(|| Error::protocol("LN Markets returned no balance"))
    }

    /// The running trades that make up the `side` position in `instrument`.
    async fn running_on(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
    ) -> Result<Vec<LnmTrade>> {
        if cross::is_cross(instrument) {
            return Err(Error::unsupported(
                "LN Markets cross margin has no take-profit, stop-loss or per-position margin; transfer to the cross wallet instead",
            ));
        }
        market_of(instrument)?;
        let wanted = match side {
            PositionSide::Long => wire::LnmSide::Buy,
            PositionSide::Short => wire::LnmSide::Sell,
        };
        let trades: Vec<LnmTrade> = self
            .rest
            .running_trades()
            .await?
            .into_iter()
            .filter(|t| t.side == wanted)
            .collect();
        if trades.is_empty() {
            return Err(Error::not_found(format!(
                "no {} position in {}",
                if side == PositionSide::Long {
                    "long"
                } else {
                    "short"
                },
                instrument.symbol
            )));
        }
        Ok(trades)
    }

    async fn quote(&self) -> Result<(Decimal, Decimal)> {
        let t = map::ticker(&self.rest.ticker().await?, self.clock.now_ms());
        match (t.bid, t.ask) {
            (Some(b), Some(a)) => Ok((b, a)),
            _ => Err(Error::protocol("LN Markets ticker has no bid or ask")),
        }
    }

    async fn snapshot(&self) -> Result<Snapshot> {
        let account = self.rest.account().await?;
        let open = self.rest.open_trades().await?;
        let running = self.rest.running_trades().await?;
        let cross = self.rest.cross_position().await?;
        let (bid, ask) = self.quote().await?;
        Ok(Snapshot {
            account,
            open,
            running,
            cross,
            bid,
            ask,
        })
    }

    async fn find_open(&self, id: &ClientOrderId) -> Result<Option<LnmTrade>> {
        Ok(self
            .rest
            .open_trades()
            .await?
            .into_iter()
            .find(|t| t.client_id.as_deref() == Some(id.as_str()) || t.id == id.as_str()))
    }
}

/// What the account views are derived from, read once: the account, its open and running
/// trades, its cross position, and the quote they are valued at.
struct Snapshot {
    account: wire::LnmAccount,
    open: Vec<LnmTrade>,
    running: Vec<LnmTrade>,
    cross: wire::LnmCrossPosition,
    bid: Decimal,
    ask: Decimal,
}

impl Snapshot {
    /// The BTC balance: the account's free sats plus what its trades and cross wallet hold.
    fn balance(&self) -> Balance {
        let held: i64 = self
            .running
            .iter()
            .chain(&self.open)
            .map(|t| t.margin + t.maintenance_margin)
            .sum::<i64>()
            + self.cross.margin;
        let upnl: i64 = self
            .running
            .iter()
            .filter_map(|t| {
                let entry = t.entry_price?;
                let (side, exit) = match t.side {
                    wire::LnmSide::Buy => (Side::Buy, self.bid),
                    wire::LnmSide::Sell => (Side::Sell, self.ask),
                };
                Some(maths::pnl_sats(side, t.quantity, entry, exit))
            })
            .sum::<i64>()
            + self.cross.delta_pl;
        let wallet = map::btc(self.account.balance + held);
        Balance {
            currency: "BTC".into(),
            wallet,
            available: map::btc(self.account.balance),
            margin_used: map::btc(held),
            unrealized_pnl: map::btc(upnl),
            equity: wallet + map::btc(upnl),
        }
    }
}

/// Running trades summed per side.
fn positions_of(
    running: &[LnmTrade],
    bid: Decimal,
    ask: Decimal,
    now: i64,
) -> Result<Vec<Position>> {
    let mut out = Vec::new();
    for side in [wire::LnmSide::Buy, wire::LnmSide::Sell] {
        let trades: Vec<&LnmTrade> = running.iter().filter(|t| t.side == side).collect();
        let Some(first) = trades.first() else {
            continue;
        };
        let mut p = map::position(first, bid, ask, now)?;
        for t in &trades[1..] {
            let q = map::position(t, bid, ask, now)?;
            // Inverse contracts average their entries harmonically.
            let total = p.size + q.size;
            p.entry_price = map::instrument()
                .round_to_tick(total / (p.size / p.entry_price + q.size / q.entry_price));
            p.size = total;
            p.margin += q.margin;
            p.unrealized_pnl += q.unrealized_pnl;
            p.realized_pnl += q.realized_pnl;
            p.liquidation_price = None; // several trades, several liquidation prices
            p.take_profit = None;
            p.stop_loss = None;
            p.leverage = Decimal::ZERO;
        }
        if p.leverage.is_zero() && !p.margin.is_zero() {
            p.leverage = (map::instrument().notional(p.size, p.entry_price) / p.margin).round_dp(2);
        }
        out.push(p);
    }
    Ok(out)
}

/// A trade's fills: its opening and, once closed, its closing.
fn fills_of(t: &LnmTrade) -> Result<Vec<Fill>> {
    let mut out = Vec::new();
    let side = match t.side {
        wire::LnmSide::Buy => Side::Buy,
        wire::LnmSide::Sell => Side::Sell,
    };
    let client = t.client_id.clone().map(ClientOrderId);
    if let (Some(at), Some(entry)) = (t.filled_at.as_deref(), t.entry_price) {
        out.push(Fill {
            trade_id: TradeId(format!("{}-open", t.id)),
            order_id: Some(kestrel_core::OrderId(t.id.clone())),
            client_order_id: client.clone(),
            instrument: map::instrument().id,
            side,
            price: entry,
            size: Decimal::from(t.quantity),
            fee: map::btc(t.opening_fee),
            liquidity: if t.kind == wire::LnmTradeType::Limit {
                Liquidity::Maker
            } else {
                Liquidity::Taker
            },
            realized_pnl: Decimal::ZERO,
            ts: map::parse_time(at)?,
        });
    }
    if let (Some(at), Some(exit), true) = (t.closed_at.as_deref(), t.exit_price, t.closed) {
        out.push(Fill {
            trade_id: TradeId(format!("{}-close", t.id)),
            order_id: Some(kestrel_core::OrderId(t.id.clone())),
            client_order_id: client,
            instrument: map::instrument().id,
            side: side.opposite(),
            price: exit,
            size: Decimal::from(t.quantity),
            fee: map::btc(t.closing_fee),
            liquidity: Liquidity::Taker,
            realized_pnl: map::btc(t.pl),
            ts: map::parse_time(at)?,
        });
    }
    Ok(out)
}

#[async_trait]
impl MarketData for LnMarkets {
    fn venue(&self) -> VenueId {
        VenueId::LnMarkets
    }

    fn clock_offset_ms(&self) -> Option<i64> {
        Some(self.clock.offset_ms())
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            order_types: vec![OrderType::Market, OrderType::Limit],
            reduce_only: false,
            post_only: false,
            amend: false,
            position_tp_sl: true,
            trailing_stop: true,
            attached_tp_sl: true,
            adjust_margin: true,
            cash_in: true,
            cross_margin: false,
            isolated_margin: true,
            book_depth: 2,
            private_stream: true,
            query_by_client_id: true,
            simulated: false,
        }
    }

    async fn instruments(&self) -> Result<Vec<Instrument>> {
        Ok(vec![map::instrument(), cross::instrument()])
    }

    async fn candles(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Candle>> {
        market_of(instrument)?;
        let limit = limit.clamp(1, 5_000);
        let to = before.unwrap_or_else(|| self.clock.now_ms() + timeframe.millis());
        // From the start of the oldest candle wanted (weeks and months start on calendar
        // boundaries, not at a multiple of their length).
        let from = timeframe.bucket(to - i64::from(limit) * timeframe.millis());
        let mut out: Vec<Candle> = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .rest
                .candles(
                    timeframe_range(timeframe),
                    from,
                    Some(to),
                    limit.min(1_000),
                    cursor.as_deref(),
                )
                .await?;
            for c in &page.data {
                let c = map::candle(c)?;
                if c.open_time < to && c.open_time >= from {
                    out.push(c);
                }
            }
            match page.next_cursor {
                Some(next)
                    if out.len() < limit as usize
                        && !page.data.is_empty()
                        && cursor.as_ref() != Some(&next) =>
                {
                    cursor = Some(next)
                }
                _ => break,
            }
        }
        out.sort_by_key(|c| c.open_time);
        out.dedup_by_key(|c| c.open_time);
        let skip = out.len().saturating_sub(limit as usize);
        Ok(out.split_off(skip))
    }

    async fn subscribe(&self, instrument: &InstrumentId) -> Result<MarketStream> {
        market_of(instrument)?;
        let now = self.clock.now_ms();
        let snapshot = self.rest.ticker().await?;
        let mut ticker = map::ticker(&snapshot, now);
        ticker.instrument = instrument.clone();
        let mut book = map::tier_book(&snapshot, now);
        book.instrument = instrument.clone();
        let queued = VecDeque::from([
            MarketEvent::Status {
                instrument: instrument.clone(),
                status: StreamStatus::Connecting,
            },
            MarketEvent::BookSnapshot(book),
            MarketEvent::Ticker(ticker.clone()),
        ]);
        let mut topics: Vec<String> =
            vec![ws::TICKER.into(), ws::BUCKETS.into(), ws::LAST_PRICE.into()];
        topics.extend(Timeframe::ALL.iter().map(|tf| ohlc_topic(*tf)));
        let greeting_topics = topics.clone();
        let clock = self.clock.clone();
        let (socket, events) = ReconnectingSocket::spawn(
            WsConfig::new(self.config.stream_url.clone()),
            Arc::new(move || {
                let refs: Vec<&str> = greeting_topics.iter().map(String::as_str).collect();
                ws::greeting(None, &clock, &refs)
            }),
        );
        let state = MarketCursor {
            instrument: instrument.clone(),
            _socket: socket,
            events,
            queued,
            ticker,
        };
        Ok(stream::unfold(state, |mut s| async move {
            loop {
                if let Some(e) = s.queued.pop_front() {
                    return Some((e, s));
                }
                let event = s.events.recv().await?;
                s.absorb(event);
            }
        })
        .boxed())
    }
}

/// The market stream's state; holding the socket keeps it open.
struct MarketCursor {
    /// The instrument the events are for (isolated or cross: one market).
    instrument: InstrumentId,
    /// Dropped with the stream, which closes the socket.
    _socket: ReconnectingSocket,
    events: tokio::sync::mpsc::Receiver<WsEvent>,
    queued: VecDeque<MarketEvent>,
    ticker: Ticker,
}

impl MarketCursor {
    fn absorb(&mut self, event: WsEvent) {
        let instrument = self.instrument.clone();
        match event {
            WsEvent::Open => self.queued.push_back(MarketEvent::Status {
                instrument,
                status: StreamStatus::Live,
            }),
            WsEvent::Closed { .. } => self.queued.push_back(MarketEvent::Status {
                instrument,
                status: StreamStatus::Reconnecting,
            }),
            WsEvent::Text(text) => match ws::parse(&text) {
                Ok(ws::StreamMessage::Push { topic, data }) => {
                    if let Err(e) = self.push(&topic, data) {
                        tracing::debug!(%topic, error = %e, "skipping an LN Markets push");
                    }
                }
                Ok(ws::StreamMessage::Answer { error: Some(e), id }) => {
                    tracing::warn!(%id, error = %e, "LN Markets stream refused a request")
                }
                Ok(ws::StreamMessage::Answer { .. }) => {}
                Err(e) => tracing::debug!(error = %e, "skipping an LN Markets frame"),
            },
        }
    }

    fn push(&mut self, topic: &str, data: serde_json::Value) -> Result<()> {
        let bad = |e: serde_json::Error| Error::protocol(format!("{topic}: {e}"));
        match topic {
            ws::TICKER => {
                let t: LnmStreamTicker = serde_json::from_value(data).map_err(bad)?;
                self.ticker.last = t.last_price.or(self.ticker.last);
                self.ticker.index = t.index.or(self.ticker.index);
                self.ticker.mark = self.ticker.index;
                if let Some(f) = t.funding {
                    self.ticker.funding_rate = f.rate.or(self.ticker.funding_rate);
                    self.ticker.next_funding_at = f.time.or(self.ticker.next_funding_at);
                }
                self.ticker.ts = t.time;
                self.queued
                    .push_back(MarketEvent::Ticker(self.ticker.clone()));
            }
            ws::LAST_PRICE => {
                let t: LnmStreamLastPrice = serde_json::from_value(data).map_err(bad)?;
                self.ticker.last = Some(t.last_price);
                self.ticker.ts = t.time;
                self.queued
                    .push_back(MarketEvent::Ticker(self.ticker.clone()));
            }
            ws::BUCKETS => {
                let b: LnmStreamBuckets = serde_json::from_value(data).map_err(bad)?;
                let mut tiers = b.buckets;
                tiers.sort_by_key(|t| t.min_size);
                let level = |price: Option<Decimal>, t: &wire::LnmStreamBucket| {
                    price.map(|price| kestrel_core::BookLevel {
                        price,
                        size: (t.max_size - t.min_size).max(Decimal::ONE),
                    })
                };
                let bids: Vec<_> = tiers.iter().filter_map(|t| level(t.bid_price, t)).collect();
                let asks: Vec<_> = tiers.iter().filter_map(|t| level(t.ask_price, t)).collect();
                self.ticker.bid = bids.first().map(|l| l.price).or(self.ticker.bid);
                self.ticker.ask = asks.first().map(|l| l.price).or(self.ticker.ask);
                self.ticker.ts = b.time;
                self.queued
                    .push_back(MarketEvent::BookSnapshot(kestrel_core::BookSnapshot {
                        instrument: self.instrument.clone(),
                        bids,
                        asks,
                        sequence: None,
                        ts: b.time,
                    }));
                self.queued
                    .push_back(MarketEvent::Ticker(self.ticker.clone()));
            }
            _ => {
                let Some(tf) = Timeframe::ALL
                    .into_iter()
                    .find(|tf| ohlc_topic(*tf) == topic)
                else {
                    return Ok(());
                };
                let c: wire::LnmStreamOhlc = serde_json::from_value(data).map_err(bad)?;
                self.queued.push_back(MarketEvent::Candle {
                    instrument: self.instrument.clone(),
                    timeframe: tf,
                    candle: Candle {
                        open_time: tf.bucket(c.time),
                        open: c.open,
                        high: c.high,
                        low: c.low,
                        close: c.close,
                        volume: c.volume,
                    },
                });
            }
        }
        Ok(())
    }
}

#[async_trait]
impl Trading for LnMarkets {
    async fn balances(&self) -> Result<Vec<Balance>> {
        Ok(vec![self.snapshot().await?.balance()])
    }

    async fn positions(&self) -> Result<Vec<Position>> {
        let running = self.rest.running_trades().await?;
        let (bid, ask) = self.quote().await?;
        let mut out = positions_of(&running, bid, ask, self.clock.now_ms())?;
        out.extend(self.cross_position(bid, ask).await?);
        Ok(out)
    }

    async fn open_orders(&self) -> Result<Vec<Order>> {
        let mut out = self
            .rest
            .open_trades()
            .await?
            .iter()
            .map(map::order)
            .collect::<Result<Vec<_>>>()?;
        out.extend(self.cross_open_orders().await?);
        Ok(out)
    }

    async fn order_by_client_id(&self, id: &ClientOrderId) -> Result<Option<Order>> {
        if let Some(found) = self.cross_order_by_client_id(id).await? {
            return Ok(found);
        }
        let matches = |t: &LnmTrade| t.client_id.as_deref() == Some(id.as_str());
        if let Some(t) = self.rest.open_trades().await?.iter().find(|t| matches(t)) {
            return map::order(t).map(Some);
        }
        if let Some(t) = self
            .rest
            .running_trades()
            .await?
            .iter()
            .find(|t| matches(t))
        {
            return map::order(t).map(Some);
        }
        // Finished trades last: closed ones, then canceled limits (a cancel being reconciled).
        for page in [
            self.rest.closed_trades(CLOSED_PAGE, None).await?,
            self.rest.canceled_trades(CLOSED_PAGE, None).await?,
        ] {
            if let Some(t) = page.data.iter().find(|t| matches(t)) {
                return map::order(t).map(Some);
            }
        }
        Ok(None)
    }

    async fn fills(&self, since: Option<i64>) -> Result<Vec<Fill>> {
        let mut trades = self.rest.running_trades().await?;
        trades.extend(self.rest.closed_trades(CLOSED_PAGE, None).await?.data);
        let mut fills = self.cross_fills().await?;
        for t in &trades {
            fills.extend(fills_of(t)?);
        }
        let since = since.unwrap_or(i64::MIN);
        fills.retain(|f| f.ts >= since);
        fills.sort_by_key(|f| f.ts);
        Ok(fills)
    }

    async fn place_order(&self, request: &OrderRequest) -> OrderOutcome {
        let reject = |field: &str, message: &str| OrderOutcome::Rejected {
            error: Error::invalid_order(field, message),
        };
        if request.reduce_only {
            return reject(
                "reduce_only",
                "LN Markets has no reduce-only orders: close the position instead",
            );
        }
        if request.post_only {
            return reject("post_only", "LN Markets has no post-only orders");
        }
        let price = match request.order_type {
            OrderType::Market => None,
            OrderType::Limit => request.price,
            OrderType::Stop => {
                return reject(
                    "order_type",
                    "LN Markets has no stop orders; use a stop-loss on the trade",
                )
            }
        };
        let Some(quantity) = request.size.to_u64().filter(|q| {
            request.size.fract().is_zero() && *q >= maths::MIN_QUANTITY && *q <= maths::MAX_QUANTITY
        }) else {
            return reject(
                "size",
                "LN Markets trades whole USD contracts, 1 to 500 000",
            );
        };
        if cross::is_cross(&request.instrument) {
            if request.take_profit.is_some() || request.stop_loss.is_some() {
                return reject(
                    "take_profit",
                    "LN Markets cross-margin orders carry no take-profit or stop-loss",
                );
            }
            return self.cross_place(request, quantity, price).await;
        }
        let leverage = request.leverage.unwrap_or(Decimal::from(DEFAULT_LEVERAGE));
        let trade = NewTrade {
            side: request.side,
            quantity,
            leverage,
            price,
            stoploss: request.stop_loss,
            takeprofit: request.take_profit,
            client_id: Some(request.client_order_id.0.clone()),
        };
        match self.rest.new_trade(&trade).await {
            Ok(t) => match map::order(&t) {
                Ok(mut order) => {
                    order.client_order_id = request.client_order_id.clone();
                    OrderOutcome::Accepted { order }
                }
                Err(e) => OrderOutcome::Unknown {
                    client_order_id: request.client_order_id.clone(),
                    reason: e.message,
                },
            },
            Err(CallError::Unknown(reason)) => OrderOutcome::Unknown {
                client_order_id: request.client_order_id.clone(),
                reason,
            },
            Err(CallError::Failed(error)) => OrderOutcome::Rejected { error },
        }
    }

    async fn amend_order(&self, _request: &AmendRequest) -> OrderOutcome {
        OrderOutcome::Rejected {
            error: Error::unsupported(
                "LN Markets orders cannot be amended; cancel and place again",
            ),
        }
    }

    async fn cancel_order(&self, instrument: &InstrumentId, id: &ClientOrderId) -> OrderOutcome {
        if cross::is_cross(instrument) {
            return self.cross_cancel(id).await;
        }
        let trade = match self.find_open(id).await {
            Ok(Some(t)) => t,
            Ok(None) => {
                return OrderOutcome::Rejected {
                    error: Error::not_found(format!("no open LN Markets order {id}")),
                }
            }
            Err(error) => return OrderOutcome::Rejected { error },
        };
        match self.rest.cancel_trade(&trade.id).await {
            Ok(t) => match map::order(&t) {
                Ok(mut order) => {
                    order.client_order_id = id.clone();
                    order.status = OrderStatus::Cancelled;
                    OrderOutcome::Accepted { order }
                }
                Err(error) => OrderOutcome::Rejected { error },
            },
            Err(CallError::Unknown(reason)) => OrderOutcome::Unknown {
                client_order_id: id.clone(),
                reason,
            },
            Err(CallError::Failed(error)) => OrderOutcome::Rejected { error },
        }
    }

    async fn set_tp_sl(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        take_profit: Option<Decimal>,
        stop_loss: Option<StopLoss>,
    ) -> Result<()> {
        // A position is the running trades on one side; each gets the same levels.
        for t in self.running_on(instrument, side).await? {
            match take_profit {
                Some(v) => {
                    self.rest.update_takeprofit(&t.id, v).await?;
                }
                None if !t.takeprofit.is_zero() => {
                    self.rest.remove_takeprofit(&t.id).await?;
                }
                None => {}
            }
            match stop_loss {
                Some(sl) => {
                    let mode = if sl.trailing {
                        wire::LnmStoplossMode::Trailing
                    } else {
                        wire::LnmStoplossMode::Fixed
                    };
                    self.rest.update_stoploss(&t.id, sl.price, mode).await?;
                }
                None if !t.stoploss.is_zero() => {
                    self.rest.remove_stoploss(&t.id).await?;
                }
                None => {}
            }
        }
        Ok(())
    }

    async fn add_margin(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        amount: Decimal,
    ) -> Result<()> {
        if cross::is_cross(instrument) {
            // Cross margin is the cross wallet: adding margin is a transfer into it.
            let sats = extras::whole_sats(amount)?;
            return self
                .cross_transfer(cross::LnmCrossDirection::Deposit, sats)
                .await;
        }
        self.move_sats(instrument, side, amount, extras::SatsMove::AddMargin)
            .await
    }

    async fn close_position(&self, instrument: &InstrumentId) -> OrderOutcome {
        if cross::is_cross(instrument) {
            return self.cross_close().await;
        }
        let running = match self.rest.running_trades().await {
            Ok(r) => r,
            Err(e) => return OrderOutcome::Rejected { error: e.into() },
        };
        if running.is_empty() {
            return OrderOutcome::Rejected {
                error: Error::not_found(format!("no open position in {}", instrument.symbol)),
            };
        }
        let mut last = None;
        for t in &running {
            match self.rest.close_trade(&t.id).await {
                Ok(closed) => last = Some(closed),
                Err(CallError::Unknown(reason)) => {
                    return OrderOutcome::Unknown {
                        client_order_id: ClientOrderId(
                            t.client_id.clone().unwrap_or_else(|| t.id.clone()),
                        ),
                        reason,
                    };
                }
                Err(CallError::Failed(error)) => return OrderOutcome::Rejected { error },
            }
        }
        match last.as_ref().map(map::order) {
            Some(Ok(order)) => OrderOutcome::Accepted { order },
            Some(Err(error)) => OrderOutcome::Rejected { error },
            None => OrderOutcome::Rejected {
                error: Error::new(ErrorKind::Protocol, "nothing closed"),
            },
        }
    }

    async fn account_stream(&self) -> Result<AccountStream> {
        let Some(credentials) = self.config.credentials.clone() else {
            return Err(Error::new(
                ErrorKind::Auth,
                "this LN Markets account has no API key",
            ));
        };
        self.rest.sync_time().await?;
        // One signed call first: a bad key is a clear error now, not a silent stream.
        self.rest.account().await?;
        let clock = self.clock.clone();
        let topics = [
            ws::ISOLATED_TRADES,
            ws::CROSS_ORDERS,
            ws::CROSS_POSITION,
            ws::WALLET_DEPOSIT,
            ws::WALLET_WITHDRAWAL,
        ];
        let (socket, events) = ReconnectingSocket::spawn(
            WsConfig::new(self.config.stream_url.clone()),
            Arc::new(move || ws::greeting(Some(&credentials), &clock, &topics)),
        );
        let me = AccountCursor {
            _socket: socket,
            events,
            queued: VecDeque::new(),
        };
        let rest_view = AccountRefresh {
            venue: self.clone(),
        };
        Ok(stream::unfold((me, rest_view), |(mut s, view)| async move {
            loop {
                if let Some(e) = s.queued.pop_front() {
                    return Some((e, (s, view)));
                }
                let event = s.events.recv().await?;
                match event {
                    WsEvent::Open => s.queued.push_back(AccountEvent::Status { status: StreamStatus::Live }),
                    WsEvent::Closed { .. } => s.queued.push_back(AccountEvent::Status { status: StreamStatus::Reconnecting }),
                    WsEvent::Text(text) => match ws::parse(&text) {
                        Ok(ws::StreamMessage::Push { topic, data }) if topic == ws::ISOLATED_TRADES => {
                            match serde_json::from_value::<wire::LnmStreamTradeEvent>(data) {
                                Ok(e) => s.queued.extend(view.refresh(&e).await),
                                Err(e) => tracing::debug!(error = %e, "skipping an LN Markets trade event"),
                            }
                        }
                        Ok(ws::StreamMessage::Push { topic, data }) if topic == ws::CROSS_ORDERS || topic == ws::CROSS_POSITION => {
                            s.queued.extend(view.cross(data).await)
                        }
                        Ok(ws::StreamMessage::Push { .. }) => s.queued.extend(view.balance_only().await),
                        Ok(ws::StreamMessage::Answer { error: Some(e), .. }) => {
                            tracing::warn!(error = %e, "LN Markets stream refused");
                            s.queued.push_back(AccountEvent::Status { status: StreamStatus::Closed });
                        }
                        Ok(ws::StreamMessage::Answer { .. }) => {}
                        Err(e) => tracing::debug!(error = %e, "skipping an LN Markets frame"),
                    },
                }
            }
        })
        .boxed())
    }
}

/// The account stream's state; holding the socket keeps it open.
struct AccountCursor {
    /// Dropped with the stream, which closes the socket.
    _socket: ReconnectingSocket,
    events: tokio::sync::mpsc::Receiver<WsEvent>,
    queued: VecDeque<AccountEvent>,
}

/// Turns a pushed trade event into full account events by reading the venue's current
/// state (pushes carry only part of a trade).
struct AccountRefresh {
    venue: LnMarkets,
}

impl AccountRefresh {
    /// One read of the account (and one page of closed trades) becomes the order, its fills,
    /// the positions and the balance.
    async fn refresh(&self, event: &wire::LnmStreamTradeEvent) -> Vec<AccountEvent> {
        let snapshot = match self.venue.snapshot().await {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "LN Markets account refresh failed");
                return Vec::new();
            }
        };
        let closed = match self.venue.rest.closed_trades(CLOSED_PAGE, None).await {
            Ok(page) => page.data,
            Err(e) => {
                tracing::debug!(error = %e, "LN Markets closed trades refresh failed");
                Vec::new()
            }
        };
        let mut out = Vec::new();
        let wanted = event.trade.client_id.as_deref();
        let trade = snapshot
            .open
            .iter()
            .chain(&snapshot.running)
            .chain(&closed)
            .find(|t| {
                t.id == event.trade.id || (wanted.is_some() && t.client_id.as_deref() == wanted)
            });
        if let Some(trade) = trade {
            match (fills_of(trade), map::order(trade)) {
                (Ok(fills), Ok(mut order)) => {
                    if matches!(event.event, LnmTradeEventKind::Canceled) {
                        order.status = OrderStatus::Cancelled;
                    }
                    out.extend(fills.into_iter().map(|fill| AccountEvent::Fill { fill }));
                    out.push(AccountEvent::Order { order });
                }
                (Err(e), _) | (_, Err(e)) => {
                    tracing::debug!(error = %e, "unreadable LN Markets trade")
                }
            }
        }
        match positions_of(
            &snapshot.running,
            snapshot.bid,
            snapshot.ask,
            self.venue.clock.now_ms(),
        ) {
            Ok(positions) => {
                for side in [PositionSide::Long, PositionSide::Short] {
                    if !positions.iter().any(|p| p.side == side) {
                        out.push(AccountEvent::PositionClosed {
                            instrument: map::instrument().id,
                        });
                        break;
                    }
                }
                out.extend(
                    positions
                        .into_iter()
                        .map(|position| AccountEvent::Position { position }),
                );
            }
            Err(e) => tracing::debug!(error = %e, "LN Markets positions refresh failed"),
        }
        out.push(AccountEvent::Balance {
            balance: snapshot.balance(),
        });
        out
    }

    /// A cross push: the pushed order, the cross position and the balance.
    async fn cross(&self, pushed: serde_json::Value) -> Vec<AccountEvent> {
        let snapshot = match self.venue.snapshot().await {
            Ok(s) => s,
            Err(e) => {
                tracing::debug!(error = %e, "LN Markets account refresh failed");
                return Vec::new();
            }
        };
        let mut out = self
            .venue
            .cross_events(pushed, snapshot.bid, snapshot.ask)
            .await;
        out.push(AccountEvent::Balance {
            balance: snapshot.balance(),
        });
        out
    }

    async fn balance_only(&self) -> Vec<AccountEvent> {
        match self.venue.snapshot().await {
            Ok(s) => vec![AccountEvent::Balance {
                balance: s.balance(),
            }],
            Err(e) => {
                tracing::debug!(error = %e, "LN Markets balance refresh failed");
                Vec::new()
            }
        }
    }
}

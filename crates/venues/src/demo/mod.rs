//! The Demo venue: a `kestrel-sim` exchange running in-process with a synthetic price
//! path, so a new user sees live candles and a book and can trade with no account.
//! Everything it shows is simulated and labelled so.

mod history;
mod stream;

use async_trait::async_trait;
use history::MinuteHistory;
use kestrel_core::account::{AccountInfo, Network};
use kestrel_core::{
    AccountEvent, AccountId, AccountStream, AmendRequest, Balance, Candle, Capabilities,
    ClientOrderId, Clock, Decimal, Error, Fill, Instrument, InstrumentId, MarketData, MarketEvent,
    MarketStream, Order, OrderOutcome, OrderRequest, OrderType, Position, PositionSide, Result,
    StopLoss, Timeframe, Trading, VenueId,
};
use kestrel_sim::{Exchange, MarketSpec, SimEvent};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

/// The Demo account's id.
pub const DEMO_ACCOUNT: &str = "demo";
/// What the Demo account starts with.
pub const DEMO_DEPOSIT_USD: i64 = 10_000;
/// Days of one-minute history generated at start.
const HISTORY_DAYS: usize = 30;
/// How often the simulation advances.
const STEP: Duration = Duration::from_millis(100);

/// The in-process simulated venue.
pub struct DemoVenue {
    exchange: Mutex<Exchange>,
    history: Mutex<MinuteHistory>,
    market_tx: broadcast::Sender<MarketEvent>,
    account_tx: broadcast::Sender<AccountEvent>,
    account: AccountId,
    clock: Arc<dyn Clock>,
    cancel: CancellationToken,
    me: Weak<DemoVenue>,
}

fn usd(n: i64) -> Decimal {
    Decimal::from(n)
}

fn perpetual(symbol: &str, base: &str, tick: Decimal, step: Decimal, max: i64) -> Instrument {
    let id = InstrumentId::new(VenueId::Demo, symbol);
    let mut instrument =
        Instrument::linear_perpetual(id, base, "USD", tick, step, Decimal::from(max));
    instrument.display_name = format!("{base}/USD perpetual (simulated)");
    instrument
}

impl DemoVenue {
    /// Starts the simulation and its driver task. `seed` fixes the price path.
    pub fn start(clock: Arc<dyn Clock>, seed: u64) -> Arc<Self> {
        let now = clock.now_ms();
        let account = AccountId::from(DEMO_ACCOUNT);
        let markets = [
            (
                perpetual(
                    "BTC-PERP",
                    "BTC",
                    Decimal::new(5, 1),
                    Decimal::new(1, 3),
                    50,
                ),
                usd(91_250),
                0.55,
            ),
            (
                perpetual(
                    "ETH-PERP",
                    "ETH",
                    Decimal::new(5, 2),
                    Decimal::new(1, 2),
                    1_000,
                ),
                usd(3_120),
                0.7,
            ),
        ];
        let mut exchange = Exchange::new(seed, now);
        let mut history = MinuteHistory::default();
        for (n, (instrument, start_price, vol)) in markets.into_iter().enumerate() {
            let candles = kestrel_sim::history::synthetic_candles(
                seed.wrapping_add(n as u64),
                start_price,
                now,
                HISTORY_DAYS * 24 * 60,
                vol,
                instrument.price_tick,
            );
            history.insert(instrument.id.clone(), candles);
            exchange.add_market(MarketSpec {
                instrument,
                start_price,
                annual_volatility: vol,
                funding_interval_ms: 8 * 3_600_000,
            });
        }
        exchange.open_account(account.clone(), "USD", usd(DEMO_DEPOSIT_USD));
        let (market_tx, _) = broadcast::channel(1 << 16);
        let (account_tx, _) = broadcast::channel(1 << 12);
        let venue = Arc::new_cyclic(|me| Self {
            exchange: Mutex::new(exchange),
            history: Mutex::new(history),
            market_tx,
            account_tx,
            account,
            clock,
            cancel: CancellationToken::new(),
            me: me.clone(),
        });
        tokio::spawn(drive(Arc::downgrade(&venue), venue.cancel.clone()));
        venue
    }

    /// The Demo account as the UI lists it.
    pub fn account_info(&self) -> AccountInfo {
        AccountInfo {
            id: self.account.clone(),
            venue: VenueId::Demo,
            label: "Demo account".into(),
            network: Network::Testnet,
            capabilities: self.capabilities(),
        }
    }

    /// Stops the simulation.
    pub fn stop(&self) {
        self.cancel.cancel();
    }

    fn exchange(&self) -> MutexGuard<'_, Exchange> {
        self.exchange
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Publishes what the exchange produced. Called with the exchange locked, so a new
    /// subscriber's snapshot and the deltas after it are never interleaved wrongly.
    fn publish(&self, exchange: &mut Exchange) {
        let events = exchange.drain_events();
        if events.is_empty() {
            return;
        }
        let mut history = self
            .history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for event in events {
            match event {
                SimEvent::Market(mut event) => {
                    match &mut event {
                        MarketEvent::Trade(t) => history.apply_trade(t),
                        // The simulation only knows the day since it started; the history
                        // knows the whole day.
                        MarketEvent::Ticker(t) => {
                            t.volume_24h = history.volume_24h(&t.instrument, t.ts).or(t.volume_24h);
                        }
                        _ => {}
                    }
                    // No receivers is fine: nobody is watching.
                    let _ = self.market_tx.send(event);
                }
                SimEvent::Account { account, event } if account == self.account => {
                    let _ = self.account_tx.send(event);
                }
                SimEvent::Account { .. } => {}
            }
        }
    }

    fn step(&self) {
        let now = self.clock.now_ms();
        let mut exchange = self.exchange();
        exchange.step(now);
        self.publish(&mut exchange);
    }

    /// The simulator nets one position per instrument: it must be on `side`.
    fn check_side(
        &self,
        exchange: &Exchange,
        instrument: &InstrumentId,
        side: PositionSide,
    ) -> Result<()> {
        let held = exchange
            .positions(&self.account)
            .into_iter()
            .find(|p| &p.instrument == instrument);
        match held {
            Some(p) if p.side == side => Ok(()),
            _ => Err(Error::not_found(format!(
                "no {} position in {}",
                if side == PositionSide::Long {
                    "long"
                } else {
                    "short"
                },
                instrument.symbol
            ))),
        }
    }

    fn order_call(&self, call: impl FnOnce(&mut Exchange, i64) -> Result<Order>) -> OrderOutcome {
        let now = self.clock.now_ms();
        let mut exchange = self.exchange();
        let result = call(&mut exchange, now);
        self.publish(&mut exchange);
        match result {
            Ok(order) => OrderOutcome::Accepted { order },
            Err(error) => OrderOutcome::Rejected { error },
        }
    }
}

impl Drop for DemoVenue {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

async fn drive(venue: Weak<DemoVenue>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(STEP);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            _ = tick.tick() => {}
        }
        let Some(venue) = venue.upgrade() else { return };
        venue.step();
    }
}

#[async_trait]
impl MarketData for DemoVenue {
    fn venue(&self) -> VenueId {
        VenueId::Demo
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            order_types: vec![OrderType::Market, OrderType::Limit, OrderType::Stop],
            reduce_only: true,
            post_only: true,
            amend: true,
            position_tp_sl: true,
            trailing_stop: true,
            attached_tp_sl: false,
            adjust_margin: true,
            cash_in: false,
            cross_margin: false,
            isolated_margin: true,
            book_depth: 50,
            private_stream: true,
            query_by_client_id: true,
            simulated: true,
        }
    }

    async fn instruments(&self) -> Result<Vec<Instrument>> {
        Ok(self.exchange().instruments())
    }

    async fn candles(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        before: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Candle>> {
        let history = self
            .history
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        history.candles(instrument, timeframe, before, limit.min(5_000) as usize)
    }

    async fn subscribe(&self, instrument: &InstrumentId) -> Result<MarketStream> {
        let exchange = self.exchange();
        let snapshot = exchange
            .book(instrument, 200)
            .ok_or_else(|| Error::not_found(format!("no instrument {instrument}")))?;
        let ticker = exchange.ticker(instrument).map(|mut t| {
            let history = self
                .history
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            t.volume_24h = history.volume_24h(instrument, t.ts).or(t.volume_24h);
            t
        });
        // Subscribing while the exchange is locked: nothing is published in between.
        let rx = self.market_tx.subscribe();
        drop(exchange);
        Ok(stream::market(
            instrument.clone(),
            snapshot,
            ticker,
            rx,
            self.me.clone(),
        ))
    }
}

#[async_trait]
impl Trading for DemoVenue {
    async fn balances(&self) -> Result<Vec<Balance>> {
        Ok(self.exchange().balances(&self.account))
    }

    async fn positions(&self) -> Result<Vec<Position>> {
        Ok(self.exchange().positions(&self.account))
    }

    async fn open_orders(&self) -> Result<Vec<Order>> {
        Ok(self.exchange().open_orders(&self.account))
    }

    async fn order_by_client_id(&self, id: &ClientOrderId) -> Result<Option<Order>> {
        Ok(self.exchange().order_by_client_id(&self.account, id))
    }

    async fn fills(&self, since: Option<i64>) -> Result<Vec<Fill>> {
        Ok(self.exchange().fills(&self.account, since))
    }

    async fn place_order(&self, request: &OrderRequest) -> OrderOutcome {
        self.order_call(|ex, now| ex.place(&self.account, request, now))
    }

    async fn amend_order(&self, request: &AmendRequest) -> OrderOutcome {
        self.order_call(|ex, now| ex.amend(&self.account, request, now))
    }

    async fn cancel_order(&self, instrument: &InstrumentId, id: &ClientOrderId) -> OrderOutcome {
        self.order_call(|ex, now| ex.cancel(&self.account, instrument, id, now))
    }

    async fn close_position(&self, instrument: &InstrumentId) -> OrderOutcome {
        self.order_call(|ex, now| ex.close_position(&self.account, instrument, now))
    }

    async fn set_tp_sl(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        take_profit: Option<Decimal>,
        stop_loss: Option<StopLoss>,
    ) -> Result<()> {
        let mut exchange = self.exchange();
        self.check_side(&exchange, instrument, side)?;
        let result = exchange.set_tp_sl(&self.account, instrument, take_profit, stop_loss);
        self.publish(&mut exchange);
        result
    }

    async fn add_margin(
        &self,
        instrument: &InstrumentId,
        side: PositionSide,
        amount: Decimal,
    ) -> Result<()> {
        let mut exchange = self.exchange();
        self.check_side(&exchange, instrument, side)?;
        let result = exchange.add_margin(&self.account, instrument, amount);
        self.publish(&mut exchange);
        result
    }

    async fn account_stream(&self) -> Result<AccountStream> {
        Ok(stream::account(self.account_tx.subscribe()))
    }
}

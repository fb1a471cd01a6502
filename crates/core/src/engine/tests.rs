//! The engine against a scripted venue: frame pacing and coalescing, reference-counted
//! streams, exactly-once sends, reconciliation of unknown outcomes, account events.

use super::*;
use crate::account::{Balance, Network, Position};
use crate::capabilities::Capabilities;
use crate::clock::ManualClock;
use crate::ids::TradeId;
use crate::instrument::tests::btc_linear;
use crate::market::{MarketEvent, Ticker, Trade};
use crate::order::{AmendRequest, Fill, Liquidity, OrderRequest, OrderType, Side, TimeInForce};
use crate::venue::{AccountStream, MarketStream};
use async_trait::async_trait;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::sync::atomic::AtomicUsize;
use tokio::sync::mpsc;

#[derive(Default)]
struct Script {
    market_rx: Option<mpsc::UnboundedReceiver<MarketEvent>>,
    account_rx: Option<mpsc::UnboundedReceiver<AccountEvent>>,
    place_outcome: Option<OrderOutcome>,
    /// What order_by_client_id answers, in turn; the last answer repeats.
    lookups: Vec<Option<Order>>,
}

struct FakeVenue {
    script: Mutex<Script>,
    subscribes: AtomicUsize,
    places: AtomicUsize,
    lookups: AtomicUsize,
}

fn caps() -> Capabilities {
    Capabilities {
        order_types: vec![OrderType::Market, OrderType::Limit],
        reduce_only: true,
        post_only: true,
        amend: false,
        position_tp_sl: false,
        trailing_stop: false,
        attached_tp_sl: false,
        adjust_margin: false,
        cash_in: false,
        cross_margin: false,
        isolated_margin: true,
        book_depth: 20,
        private_stream: true,
        query_by_client_id: true,
        simulated: true,
    }
}

fn rx_stream<T: Send + 'static>(rx: mpsc::UnboundedReceiver<T>) -> BoxStream<T> {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) }).boxed()
}

type BoxStream<T> = futures::stream::BoxStream<'static, T>;

#[async_trait]
impl MarketData for FakeVenue {
    fn venue(&self) -> VenueId {
        VenueId::Demo
    }
    fn capabilities(&self) -> Capabilities {
        caps()
    }
    async fn instruments(&self) -> Result<Vec<Instrument>> {
        Ok(vec![btc_linear()])
    }
    async fn candles(
        &self,
        _: &InstrumentId,
        _: Timeframe,
        _: Option<i64>,
        _: u32,
    ) -> Result<Vec<Candle>> {
        Ok(vec![])
    }
    async fn subscribe(&self, _: &InstrumentId) -> Result<MarketStream> {
        self.subscribes.fetch_add(1, Ordering::SeqCst);
        let rx = lock(&self.script).market_rx.take();
        rx.map(rx_stream)
            .ok_or_else(|| Error::protocol("no market stream scripted"))
    }
}

#[async_trait]
impl Trading for FakeVenue {
    async fn balances(&self) -> Result<Vec<Balance>> {
        Ok(vec![])
    }
    async fn positions(&self) -> Result<Vec<Position>> {
        Ok(vec![])
    }
    async fn open_orders(&self) -> Result<Vec<Order>> {
        Ok(vec![])
    }
    async fn order_by_client_id(&self, _: &ClientOrderId) -> Result<Option<Order>> {
        let n = self.lookups.fetch_add(1, Ordering::SeqCst);
        let script = lock(&self.script);
        Ok(script
            .lookups
            .get(n)
            .or(script.lookups.last())
            .cloned()
            .flatten())
    }
    async fn fills(&self, _: Option<i64>) -> Result<Vec<Fill>> {
        Ok(vec![])
    }
    async fn place_order(&self, request: &OrderRequest) -> OrderOutcome {
        self.places.fetch_add(1, Ordering::SeqCst);
        let scripted = lock(&self.script).place_outcome.clone();
        match scripted {
            Some(OrderOutcome::Unknown { reason, .. }) => OrderOutcome::Unknown {
                client_order_id: request.client_order_id.clone(),
                reason,
            },
            Some(other) => other,
            None => {
                let mut order = Order::pending(request, 0);
                order.status = OrderStatus::Open;
                OrderOutcome::Accepted { order }
            }
        }
    }
    async fn amend_order(&self, _: &AmendRequest) -> OrderOutcome {
        OrderOutcome::Rejected {
            error: Error::unsupported("no amend"),
        }
    }
    async fn cancel_order(&self, _: &InstrumentId, _: &ClientOrderId) -> OrderOutcome {
        OrderOutcome::Rejected {
            error: Error::not_found("gone"),
        }
    }
    async fn close_position(&self, _: &InstrumentId) -> OrderOutcome {
        OrderOutcome::Rejected {
            error: Error::not_found("no position"),
        }
    }
    async fn account_stream(&self) -> Result<AccountStream> {
        let rx = lock(&self.script).account_rx.take();
        rx.map(rx_stream)
            .ok_or_else(|| Error::protocol("no account stream scripted"))
    }
}

struct Harness {
    engine: Engine,
    venue: Arc<FakeVenue>,
    market_tx: mpsc::UnboundedSender<MarketEvent>,
    account_tx: mpsc::UnboundedSender<AccountEvent>,
    clock: Arc<ManualClock>,
}

fn harness() -> Harness {
    let (market_tx, market_rx) = mpsc::unbounded_channel();
    let (account_tx, account_rx) = mpsc::unbounded_channel();
    let venue = Arc::new(FakeVenue {
        script: Mutex::new(Script {
            market_rx: Some(market_rx),
            account_rx: Some(account_rx),
            ..Script::default()
        }),
        subscribes: AtomicUsize::new(0),
        places: AtomicUsize::new(0),
        lookups: AtomicUsize::new(0),
    });
    let clock = Arc::new(ManualClock::new(1_700_000_000_000));
    let engine = Engine::new(clock.clone(), EngineConfig::default());
    engine.add_market(venue.clone());
    engine.add_account(
        AccountInfo {
            id: "acc".into(),
            venue: VenueId::Demo,
            label: "test".into(),
            network: Network::Testnet,
            capabilities: caps(),
        },
        venue.clone(),
    );
    Harness {
        engine,
        venue,
        market_tx,
        account_tx,
        clock,
    }
}

fn trade(n: u32, ts: i64) -> MarketEvent {
    MarketEvent::Trade(Trade {
        instrument: btc_linear().id,
        trade_id: TradeId(format!("t{n}")),
        price: Decimal::from(50_000 + n % 10),
        size: Decimal::ONE,
        taker_side: Side::Buy,
        ts,
    })
}

fn frames() -> (FrameSink, Arc<Mutex<Vec<MarketFrame>>>) {
    let got: Arc<Mutex<Vec<MarketFrame>>> = Arc::default();
    let sink_got = got.clone();
    (
        Arc::new(move |f: &MarketFrame| {
            lock(&sink_got).push(f.clone());
            true
        }),
        got,
    )
}

fn events() -> (AccountSink, Arc<Mutex<Vec<AccountEvent>>>) {
    let got: Arc<Mutex<Vec<AccountEvent>>> = Arc::default();
    let sink_got = got.clone();
    (
        Arc::new(move |e: &AccountEvent| {
            lock(&sink_got).push(e.clone());
            true
        }),
        got,
    )
}

fn limit_ticket(size: &str, price: &str) -> OrderTicket {
    OrderTicket {
        instrument: btc_linear().id,
        side: Side::Buy,
        order_type: OrderType::Limit,
        size: size.into(),
        price: Some(price.into()),
        trigger_price: None,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
        leverage: None,
        take_profit: None,
        stop_loss: None,
    }
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_market_events_leaves_as_one_frame_per_interval() {
    let h = harness();
    let (sink, got) = frames();
    h.engine
        .subscribe_market(&btc_linear().id, sink)
        .await
        .unwrap();
    for n in 0..10_000 {
        h.market_tx.send(trade(n, 1_700_000_000_000)).unwrap();
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    let got = lock(&got).clone();
    let with_trades: Vec<_> = got.iter().filter(|f| !f.trades.is_empty()).collect();
    let total_prints: usize = with_trades.iter().map(|f| f.trades.len()).sum();
    assert!(
        with_trades.len() <= 4,
        "{} frames for one burst",
        with_trades.len()
    );
    assert!(total_prints <= 4 * 50);
    let last = with_trades.last().unwrap();
    assert_eq!(last.trades.last().unwrap().trade_id.as_str(), "t9999");
    assert_eq!(last.candles.len(), Timeframe::ALL.len());
}

#[tokio::test(start_paused = true)]
async fn frames_are_paced_no_faster_than_the_interval() {
    let h = harness();
    let (sink, got) = frames();
    h.engine
        .subscribe_market(&btc_linear().id, sink)
        .await
        .unwrap();
    // One print every millisecond for a simulated second.
    for n in 0..1_000 {
        h.market_tx
            .send(trade(n, 1_700_000_000_000 + i64::from(n)))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let count = lock(&got).len();
    assert!((55..=66).contains(&count), "{count} frames in one second");
}

#[tokio::test(start_paused = true)]
async fn the_venue_stream_opens_once_and_closes_with_the_last_subscriber() {
    let h = harness();
    let (a, _) = frames();
    let (b, got_b) = frames();
    let sub_a = h
        .engine
        .subscribe_market(&btc_linear().id, a)
        .await
        .unwrap();
    let sub_b = h
        .engine
        .subscribe_market(&btc_linear().id, b)
        .await
        .unwrap();
    assert_eq!(h.venue.subscribes.load(Ordering::SeqCst), 1);
    h.engine.unsubscribe(sub_a).unwrap();
    h.market_tx.send(trade(1, 1_700_000_000_000)).unwrap();
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert!(
        lock(&got_b).iter().any(|f| !f.trades.is_empty()),
        "b still receives"
    );
    assert!(!h.market_tx.is_closed());
    h.engine.unsubscribe(sub_b).unwrap();
    tokio::time::sleep(Duration::from_millis(40)).await;
    assert!(
        h.market_tx.is_closed(),
        "venue stream dropped after the last unsubscribe"
    );
    assert!(h.engine.unsubscribe(sub_b).is_err());
}

#[tokio::test(start_paused = true)]
async fn a_refused_ticket_sends_nothing() {
    let h = harness();
    for ticket in [
        limit_ticket("0.0001", "50000"),
        limit_ticket("1", "50000.2"),
        limit_ticket("NaN", "1"),
    ] {
        let err = h
            .engine
            .place_order(&"acc".into(), &ticket)
            .await
            .unwrap_err();
        assert!(
            matches!(err.kind, ErrorKind::InvalidOrder { .. }),
            "{err:?}"
        );
    }
    assert_eq!(h.venue.places.load(Ordering::SeqCst), 0);
    assert!(h.engine.tracked_orders(&"acc".into()).unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_unknown_outcome_is_reconciled_by_client_id_and_never_resent() {
    let h = harness();
    let (sink, got) = events();
    h.engine
        .subscribe_account(&"acc".into(), sink)
        .await
        .unwrap();
    lock(&h.venue.script).place_outcome = Some(OrderOutcome::Unknown {
        client_order_id: "x".into(),
        reason: "read timeout".into(),
    });

    let outcome = h
        .engine
        .place_order(&"acc".into(), &limit_ticket("0.01", "50000"))
        .await
        .unwrap();
    let OrderOutcome::Unknown {
        client_order_id, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    let tracked = h.engine.tracked_orders(&"acc".into()).unwrap();
    assert_eq!(tracked[0].status, OrderStatus::Unknown);

    // The venue first has no record, then shows the order working.
    let mut found = tracked[0].clone();
    found.status = OrderStatus::Open;
    found.id = Some("v1".into());
    lock(&h.venue.script).lookups = vec![None, Some(found)];
    tokio::time::sleep(Duration::from_secs(2)).await;

    assert_eq!(h.venue.places.load(Ordering::SeqCst), 1, "never re-sent");
    let tracked = h.engine.tracked_orders(&"acc".into()).unwrap();
    assert_eq!(tracked[0].status, OrderStatus::Open);
    assert_eq!(tracked[0].client_order_id, client_order_id);
    let statuses: Vec<OrderStatus> = lock(&got)
        .iter()
        .filter_map(|e| match e {
            AccountEvent::Order { order } => Some(order.status),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            OrderStatus::Pending,
            OrderStatus::Unknown,
            OrderStatus::Open
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn an_order_the_venue_never_saw_ends_rejected_after_reconciling() {
    let h = harness();
    lock(&h.venue.script).place_outcome = Some(OrderOutcome::Unknown {
        client_order_id: "x".into(),
        reason: "connection reset".into(),
    });
    h.engine
        .place_order(&"acc".into(), &limit_ticket("0.01", "50000"))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(h.venue.lookups.load(Ordering::SeqCst), 7);
    assert_eq!(h.venue.places.load(Ordering::SeqCst), 1);
    assert!(h.engine.tracked_orders(&"acc".into()).unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn account_events_arrive_at_once_and_fills_only_once() {
    let h = harness();
    let (sink, got) = events();
    h.engine
        .subscribe_account(&"acc".into(), sink)
        .await
        .unwrap();
    let fill = Fill {
        trade_id: "f1".into(),
        order_id: None,
        client_order_id: None,
        instrument: btc_linear().id,
        side: Side::Buy,
        price: dec!(50000),
        size: dec!(0.01),
        fee: dec!(0.25),
        liquidity: Liquidity::Taker,
        realized_pnl: Decimal::ZERO,
        ts: 0,
    };
    h.account_tx
        .send(AccountEvent::Fill { fill: fill.clone() })
        .unwrap();
    h.account_tx.send(AccountEvent::Fill { fill }).unwrap();
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(lock(&got).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn market_orders_need_a_fresh_price_from_the_feed() {
    let h = harness();
    let (sink, _) = frames();
    let mut ticket = limit_ticket("0.01", "1");
    ticket.order_type = OrderType::Market;
    ticket.price = None;
    let err = h
        .engine
        .place_order(&"acc".into(), &ticket)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        ErrorKind::InvalidOrder {
            field: "order_type".into()
        }
    );

    h.engine
        .subscribe_market(&btc_linear().id, sink)
        .await
        .unwrap();
    h.market_tx
        .send(MarketEvent::Ticker(Ticker {
            instrument: btc_linear().id,
            last: Some(dec!(50000)),
            bid: Some(dec!(49999.5)),
            ask: Some(dec!(50000.5)),
            mark: None,
            index: None,
            funding_rate: None,
            next_funding_at: None,
            volume_24h: None,
            ts: h.clock.now_ms(),
        }))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let outcome = h.engine.place_order(&"acc".into(), &ticket).await.unwrap();
    assert!(matches!(outcome, OrderOutcome::Accepted { .. }));
    assert_eq!(h.venue.places.load(Ordering::SeqCst), 1);
}

//! The Demo venue end to end through the engine: live data, market and limit orders,
//! cancels, closing a position, and exactly-once on a repeated client order id.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use futures::{FutureExt, StreamExt};
use kestrel_core::engine::{Engine, EngineConfig, MarketFrame};
use kestrel_core::{
    AccountEvent, AccountId, ClientOrderId, Decimal, ErrorKind, InstrumentId, MarketData,
    MarketEvent, OrderOutcome, OrderRequest, OrderStatus, OrderTicket, OrderType, Side,
    SystemClock, TimeInForce, Trading, VenueId,
};
use kestrel_venues::demo::DemoVenue;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn btc() -> InstrumentId {
    InstrumentId::new(VenueId::Demo, "BTC-PERP")
}

fn demo() -> AccountId {
    AccountId::from("demo")
}

async fn engine() -> (Engine, Arc<DemoVenue>) {
    let venue = DemoVenue::start(Arc::new(SystemClock), 7);
    let engine = Engine::new(Arc::new(SystemClock), EngineConfig::default());
    engine.add_market(venue.clone());
    engine.add_account(venue.account_info(), venue.clone());
    (engine, venue)
}

fn ticket(side: Side, order_type: OrderType, size: &str, price: Option<String>) -> OrderTicket {
    OrderTicket {
        instrument: btc(),
        side,
        order_type,
        size: size.into(),
        price,
        trigger_price: None,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
        leverage: Some("10".into()),
        take_profit: None,
        stop_loss: None,
    }
}

async fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    for _ in 0..100 {
        if let Some(v) = f() {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stream_opens_with_a_snapshot_then_sequenced_deltas_and_prints() {
    let venue = DemoVenue::start(Arc::new(SystemClock), 1);
    let mut stream = venue.subscribe(&btc()).await.unwrap();
    let Some(MarketEvent::BookSnapshot(snapshot)) = stream.next().await else {
        panic!("first event must be the book snapshot")
    };
    assert!(snapshot.bids.len() >= 20 && snapshot.asks.len() >= 20);
    assert!(snapshot.bids[0].price < snapshot.asks[0].price);
    let mut seq = snapshot.sequence.unwrap();
    let (mut deltas, mut trades) = (0, 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while tokio::time::Instant::now() < deadline && (deltas < 5 || trades < 1) {
        match tokio::time::timeout(Duration::from_secs(1), stream.next()).await {
            Ok(Some(MarketEvent::BookDelta(d))) => {
                assert_eq!(
                    d.prev_sequence,
                    Some(seq),
                    "deltas follow the snapshot without a gap"
                );
                seq = d.sequence.unwrap();
                deltas += 1;
            }
            Ok(Some(MarketEvent::Trade(_))) => trades += 1,
            Ok(Some(_)) | Err(_) => {}
            Ok(None) => panic!("stream ended"),
        }
    }
    assert!(
        deltas >= 5 && trades >= 1,
        "{deltas} deltas, {trades} prints in 5 s"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_reaches_back_days_and_every_timeframe_aggregates() {
    let venue = DemoVenue::start(Arc::new(SystemClock), 3);
    for tf in kestrel_core::Timeframe::ALL {
        let candles = venue.candles(&btc(), tf, None, 300).await.unwrap();
        assert!(!candles.is_empty(), "{tf:?}");
        assert!(
            candles
                .windows(2)
                .all(|w| tf.bucket(w[1].open_time - 1) == w[0].open_time),
            "{tf:?} contiguous (months have their calendar lengths)"
        );
        let older = venue
            .candles(&btc(), tf, Some(candles[0].open_time), 100)
            .await
            .unwrap();
        assert!(
            older
                .last()
                .is_none_or(|c| c.open_time < candles[0].open_time),
            "{tf:?} scroll-back"
        );
    }
    let minutes = venue
        .candles(&btc(), kestrel_core::Timeframe::M1, None, 5_000)
        .await
        .unwrap();
    assert_eq!(minutes.len(), 5_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_market_buy_fills_opens_a_position_and_closing_realizes_pnl() {
    let (engine, _venue) = engine().await;
    let frames: Arc<Mutex<Vec<MarketFrame>>> = Arc::default();
    let sink_frames = frames.clone();
    engine
        .subscribe_market(
            &btc(),
            Arc::new(move |f: &MarketFrame| {
                sink_frames.lock().unwrap().push(f.clone());
                true
            }),
        )
        .await
        .unwrap();
    let events: Arc<Mutex<Vec<AccountEvent>>> = Arc::default();
    let sink_events = events.clone();
    engine
        .subscribe_account(
            &demo(),
            Arc::new(move |e: &AccountEvent| {
                sink_events.lock().unwrap().push(e.clone());
                true
            }),
        )
        .await
        .unwrap();
    eventually("a ticker", || {
        frames.lock().unwrap().iter().find_map(|f| f.ticker.clone())
    })
    .await;

    let outcome = engine
        .place_order(&demo(), &ticket(Side::Buy, OrderType::Market, "0.05", None))
        .await
        .unwrap();
    let OrderOutcome::Accepted { order } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(order.status, OrderStatus::Filled);
    eventually("the fill event", || {
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, AccountEvent::Fill { .. }))
            .then_some(())
    })
    .await;
    let snapshot = engine.account_snapshot(&demo()).await.unwrap();
    assert_eq!(snapshot.positions.len(), 1);
    assert_eq!(snapshot.positions[0].size, Decimal::new(5, 2));
    assert!(snapshot.balances[0].margin_used > Decimal::ZERO);

    let outcome = engine.close_position(&demo(), &btc()).await.unwrap();
    assert!(
        matches!(outcome, OrderOutcome::Accepted { .. }),
        "{outcome:?}"
    );
    let snapshot = engine.account_snapshot(&demo()).await.unwrap();
    assert!(snapshot.positions.is_empty());
    let closing = snapshot.fills.last().unwrap();
    assert_eq!(closing.side, Side::Sell);
    assert_ne!(
        closing.realized_pnl,
        Decimal::ZERO,
        "spread and fees make a round trip non-zero"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_order_rests_and_cancels_and_a_second_cancel_is_reconciled() {
    let (engine, venue) = engine().await;
    let bid = venue.subscribe(&btc()).await.unwrap().next().await;
    let Some(MarketEvent::BookSnapshot(book)) = bid else {
        panic!()
    };
    let price = (book.bids[0].price * Decimal::new(98, 2) / Decimal::new(5, 1)).floor()
        * Decimal::new(5, 1);
    let outcome = engine
        .place_order(
            &demo(),
            &ticket(Side::Buy, OrderType::Limit, "0.02", Some(price.to_string())),
        )
        .await
        .unwrap();
    let OrderOutcome::Accepted { order } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(engine.tracked_orders(&demo()).unwrap().len(), 1);

    let cancel = engine
        .cancel_order(&demo(), &btc(), &order.client_order_id)
        .await
        .unwrap();
    let OrderOutcome::Accepted { order: cancelled } = cancel else {
        panic!("{cancel:?}")
    };
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(engine.tracked_orders(&demo()).unwrap().is_empty());
    // Cancelling again: the venue says not found; the engine looks the order up instead.
    let again = engine
        .cancel_order(&demo(), &btc(), &order.client_order_id)
        .await
        .unwrap();
    let OrderOutcome::Accepted { order: looked_up } = again else {
        panic!("{again:?}")
    };
    assert_eq!(looked_up.status, OrderStatus::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_moved_through_the_engine_is_amended_in_place_and_checked_first() {
    let (engine, venue) = engine().await;
    let Some(MarketEvent::BookSnapshot(book)) = venue.subscribe(&btc()).await.unwrap().next().await
    else {
        panic!()
    };
    let half = Decimal::new(5, 1);
    let price = (book.bids[0].price * Decimal::new(98, 2) / half).floor() * half;
    let OrderOutcome::Accepted { order } = engine
        .place_order(
            &demo(),
            &ticket(Side::Buy, OrderType::Limit, "0.02", Some(price.to_string())),
        )
        .await
        .unwrap()
    else {
        panic!("not accepted")
    };
    let id = order.client_order_id.clone();
    // Off the tick: refused before anything is sent; the order stays.
    let off = engine
        .amend_order(&demo(), &id, Some(price - Decimal::new(3, 1)), None)
        .await
        .unwrap_err();
    assert!(matches!(off.kind, ErrorKind::InvalidOrder { ref field } if field == "price"));
    let lower = price - Decimal::from(100);
    let moved = engine
        .amend_order(&demo(), &id, Some(lower), None)
        .await
        .unwrap();
    let OrderOutcome::Accepted { order: amended } = moved else {
        panic!("{moved:?}")
    };
    assert_eq!(
        amended.client_order_id, id,
        "amended in place, same client id"
    );
    assert_eq!(amended.price, Some(lower));
    let tracked = engine.tracked_orders(&demo()).unwrap();
    assert_eq!(tracked.len(), 1);
    assert_eq!(tracked[0].price, Some(lower));
    assert_eq!(venue.open_orders().await.unwrap()[0].price, Some(lower));
    // A cancelled order cannot move.
    engine.cancel_order(&demo(), &btc(), &id).await.unwrap();
    let gone = engine
        .amend_order(&demo(), &id, Some(price), None)
        .await
        .unwrap_err();
    assert!(matches!(gone.kind, ErrorKind::InvalidOrder { ref field } if field == "order"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_client_order_id_never_makes_two_orders() {
    let venue = DemoVenue::start(Arc::new(SystemClock), 5);
    let request = OrderRequest {
        instrument: btc(),
        client_order_id: ClientOrderId::from("dup-1"),
        side: Side::Buy,
        order_type: OrderType::Limit,
        size: Decimal::new(1, 2),
        price: Some(Decimal::from(50_000)),
        trigger_price: None,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
        leverage: None,
        take_profit: None,
        stop_loss: None,
    };
    assert!(matches!(
        venue.place_order(&request).await,
        OrderOutcome::Accepted { .. }
    ));
    let OrderOutcome::Rejected { error } = venue.place_order(&request).await else {
        panic!()
    };
    assert!(
        matches!(error.kind, ErrorKind::InvalidOrder { .. }),
        "{error:?}"
    );
    assert_eq!(venue.open_orders().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_all_and_close_all_clear_the_account_one_request_each() {
    let (engine, venue) = engine().await;
    let Some(MarketEvent::BookSnapshot(book)) = venue.subscribe(&btc()).await.unwrap().next().await
    else {
        panic!()
    };
    engine
        .subscribe_market(&btc(), Arc::new(|_f: &MarketFrame| true))
        .await
        .unwrap();
    let half = Decimal::new(5, 1);
    let low = (book.bids[0].price * Decimal::new(97, 2) / half).floor() * half;
    for (i, price) in [low, low - Decimal::from(50)].into_iter().enumerate() {
        let outcome = engine
            .place_order(
                &demo(),
                &ticket(Side::Buy, OrderType::Limit, "0.01", Some(price.to_string())),
            )
            .await
            .unwrap();
        assert!(
            matches!(outcome, OrderOutcome::Accepted { .. }),
            "order {i}: {outcome:?}"
        );
    }
    eventually("a live price", || {
        engine
            .place_order(&demo(), &ticket(Side::Buy, OrderType::Market, "0.02", None))
            .now_or_never()
            .and_then(Result::ok)
    })
    .await;
    let cancelled = engine.cancel_all(&demo(), None).await.unwrap();
    assert_eq!((cancelled.done, cancelled.unknown), (2, 0), "{cancelled:?}");
    assert!(venue.open_orders().await.unwrap().is_empty());
    let closed = engine.close_all(&demo()).await.unwrap();
    assert_eq!(closed.done, 1, "{closed:?}");
    assert!(venue.positions().await.unwrap().is_empty());
    // Nothing left: both are no-ops.
    assert_eq!(engine.cancel_all(&demo(), None).await.unwrap().done, 0);
    assert_eq!(engine.close_all(&demo()).await.unwrap().done, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_feed_lag_and_round_trip_and_latency_counts_clicked_orders() {
    let (engine, _venue) = engine().await;
    engine
        .subscribe_market(&btc(), Arc::new(|_f: &MarketFrame| true))
        .await
        .unwrap();
    let before = engine.health();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].last_order_rtt_ms, None, "no order yet");
    assert_eq!(
        before[0].clock_offset_ms, None,
        "the Demo measures no clock"
    );
    let clicked = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64()
            * 1_000.0
    };
    for _ in 0..3 {
        eventually("a market order accepted", || {
            engine
                .place_order_clicked(
                    &demo(),
                    &ticket(Side::Buy, OrderType::Market, "0.01", None),
                    Some(clicked()),
                )
                .now_or_never()
                .and_then(Result::ok)
        })
        .await;
    }
    let health = engine.health();
    assert!(
        health[0].feed_lag_ms.is_some_and(|lag| lag < 5_000),
        "{health:?}"
    );
    assert!(
        health[0].last_order_rtt_ms.is_some_and(|rtt| rtt >= 0.0),
        "{health:?}"
    );
    let latency = engine.order_latency();
    assert!(latency.count >= 3, "{latency:?}");
    assert!(
        latency.p50_ms.is_some_and(|p| (0.0..1_000.0).contains(&p)),
        "{latency:?}"
    );
    // Orders without a click are not counted.
    let n = latency.count;
    engine
        .place_order(
            &demo(),
            &ticket(Side::Sell, OrderType::Market, "0.01", None),
        )
        .await
        .unwrap();
    assert_eq!(engine.order_latency().count, n);
}

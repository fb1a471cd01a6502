//! The LMEX connector end to end against the local LMEX server (BTSE futures v2.3 REST and
//! both sockets): instruments and candles, the sequenced book (a gap is detected, the book
//! re-snapshotted and equal to the server's), trading with exactly-once answers, the
//! private stream, rate limits and the dead-man switch.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use futures::StreamExt;
use kestrel_core::engine::OrderBook;
use kestrel_core::{
    AccountEvent, AccountId, AmendRequest, ClientOrderId, ErrorKind, InstrumentId, MarketData,
    MarketEvent, Network, OrderOutcome, OrderRequest, OrderStatus, OrderType, PositionSide, Side,
    SizeUnit, StopLoss, StreamStatus, SystemClock, TimeInForce, Timeframe, Trading, VenueId,
};
use kestrel_tests::lmex::{ApiKey, LmexServer};
use kestrel_tests::server::{next_matching, Fault};
use kestrel_venues::lmex::auth::LmexCredentials;
use kestrel_venues::lmex::{Lmex, LmexConfig};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const ORDER_PATH: &str = "/futures/api/v2.3/order";

fn btc() -> InstrumentId {
    InstrumentId::new(VenueId::Lmex, "BTC-PERP")
}

fn api() -> ApiKey {
    ApiKey {
        key: "lmex-key-1".into(),
        secret: "lmex-secret-1".into(),
    }
}

fn config_for(server: &LmexServer, secret: &str) -> LmexConfig {
    let mut config = LmexConfig::for_network(
        AccountId::from("lmex-1"),
        "LMEX test".into(),
        Network::Testnet,
        Some(LmexCredentials {
            key: "lmex-key-1".into(),
            secret: SecretString::from(secret),
        }),
    );
    config.rest_url = server.base_url();
    config.ws_url = server.ws_url();
    config
}

async fn setup() -> (LmexServer, Arc<Lmex>) {
    let server = LmexServer::start(api()).await.unwrap();
    let venue = Lmex::new(config_for(&server, "lmex-secret-1"), Arc::new(SystemClock)).unwrap();
    (server, venue)
}

fn order(
    cid: &str,
    side: Side,
    order_type: OrderType,
    size: Decimal,
    price: Option<Decimal>,
) -> OrderRequest {
    OrderRequest {
        instrument: btc(),
        client_order_id: ClientOrderId(cid.into()),
        side,
        order_type,
        size,
        price,
        trigger_price: None,
        time_in_force: if order_type == OrderType::Market {
            TimeInForce::Ioc
        } else {
            TimeInForce::Gtc
        },
        reduce_only: false,
        post_only: false,
        leverage: Some(dec!(10)),
        take_profit: None,
        stop_loss: None,
    }
}

/// The account stream, once it is live.
async fn live_account(venue: &Lmex) -> kestrel_core::AccountStream {
    let mut account = venue.account_stream().await.unwrap();
    next_matching(&mut account, "the stream live", |e| {
        matches!(
            e,
            AccountEvent::Status {
                status: StreamStatus::Live
            }
        )
    })
    .await;
    account
}

/// Applies market events to `book` until none arrives for `quiet`.
async fn drain_into(
    stream: &mut kestrel_core::MarketStream,
    book: &mut OrderBook,
    quiet: Duration,
    seen: &mut Vec<StreamStatus>,
) {
    while let Ok(Some(event)) = tokio::time::timeout(quiet, stream.next()).await {
        apply(book, event, seen);
    }
}

fn apply(book: &mut OrderBook, event: MarketEvent, seen: &mut Vec<StreamStatus>) {
    match event {
        MarketEvent::BookSnapshot(s) => book.apply_snapshot(&s),
        MarketEvent::BookDelta(d) => book.apply_delta(&d).unwrap(),
        MarketEvent::Status { status, .. } => seen.push(status),
        _ => {}
    }
}

/// The book as the connector's events built it equals the server's, level for level.
fn assert_same_book(book: &OrderBook, server: &LmexServer) {
    let (bids, asks) = server.book("BTC-PERP", 50);
    let view = book.view(50);
    assert!(
        !bids.is_empty() && !asks.is_empty(),
        "the server has a book"
    );
    assert_eq!(view.bids, bids, "bids as the server has them");
    assert_eq!(view.asks, asks, "asks as the server has them");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instruments_are_linear_contracts_and_candles_cover_every_timeframe() {
    let (_server, venue) = setup().await;
    let list = venue.instruments().await.unwrap();
    let btc = list
        .iter()
        .find(|i| i.id == btc())
        .expect("BTC-PERP listed");
    assert_eq!(btc.size_unit, SizeUnit::Contracts);
    assert_eq!(btc.contract_size, dec!(0.0001));
    assert_eq!(btc.price_tick, dec!(0.5));
    assert_eq!(btc.settle, "USDT");
    let m1 = venue
        .candles(&btc.id, Timeframe::M1, None, 400)
        .await
        .unwrap();
    // Two pages of 300 rows, cut to the limit (the current minute may have no candle yet
    // while the market is held).
    assert!((399..=400).contains(&m1.len()), "{}", m1.len());
    assert!(
        m1.windows(2)
            .all(|w| w[1].open_time - w[0].open_time == 60_000),
        "contiguous minutes, oldest first"
    );
    // 3 minutes are built from minutes: each bucket is the three minutes it spans.
    let m3 = venue
        .candles(&btc.id, Timeframe::M3, None, 50)
        .await
        .unwrap();
    assert!((49..=50).contains(&m3.len()), "{}", m3.len());
    assert!(m3.iter().all(|c| c.open_time % 180_000 == 0));
    let last = m3.last().unwrap();
    let minutes: Vec<_> = m1
        .iter()
        .filter(|c| c.open_time >= last.open_time && c.open_time < last.open_time + 180_000)
        .collect();
    if minutes.len() == 3 {
        assert_eq!(last.open, minutes[0].open);
        assert_eq!(last.close, minutes[2].close);
        assert_eq!(last.high, minutes.iter().map(|c| c.high).max().unwrap());
    }
    // Scroll-back: the page before the oldest minute ends where it began.
    let older = venue
        .candles(&btc.id, Timeframe::M1, Some(m1[0].open_time), 100)
        .await
        .unwrap();
    assert_eq!(
        older.last().map(|c| c.open_time + 60_000),
        Some(m1[0].open_time)
    );
    let hours = venue
        .candles(&btc.id, Timeframe::H4, None, 10)
        .await
        .unwrap();
    assert!(!hours.is_empty() && hours.iter().all(|c| c.open_time % 14_400_000 == 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_book_streams_in_sequence_and_a_gap_is_resnapshotted_to_the_servers_book() {
    let (server, venue) = setup().await;
    server.drive();
    let mut stream = venue.subscribe(&btc()).await.unwrap();
    let mut book = OrderBook::default();
    let mut seen = Vec::new();
    // The snapshot, then deltas in sequence.
    let mut deltas = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while deltas < 20 && tokio::time::Instant::now() < deadline {
        let event = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap();
        if matches!(event, MarketEvent::BookDelta(_)) {
            deltas += 1;
        }
        apply(&mut book, event, &mut seen);
    }
    assert!(deltas >= 20, "a live market streams deltas");
    assert!(seen.contains(&StreamStatus::Live));
    server.hold();
    drain_into(
        &mut stream,
        &mut book,
        Duration::from_millis(500),
        &mut seen,
    )
    .await;
    assert_same_book(&book, &server);

    // A sequence gap: detected, marked resyncing, re-snapshotted.
    seen.clear();
    server.book_gap();
    server.drive();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !(seen.contains(&StreamStatus::Resyncing) && seen.last() == Some(&StreamStatus::Live)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the gap is noticed and repaired: {seen:?}"
        );
        let event = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .unwrap()
            .unwrap();
        apply(&mut book, event, &mut seen);
    }
    server.hold();
    drain_into(
        &mut stream,
        &mut book,
        Duration::from_millis(500),
        &mut seen,
    )
    .await;
    assert_same_book(&book, &server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_limit_rests_is_amended_in_place_and_cancelled_once() {
    let (server, venue) = setup().await;
    let (bids, _) = server.book("BTC-PERP", 1);
    let below = bids[0].price - dec!(500);
    let OrderOutcome::Accepted { order } = venue
        .place_order(&order(
            "l-1",
            Side::Buy,
            OrderType::Limit,
            dec!(25),
            Some(below),
        ))
        .await
    else {
        panic!("limit accepted");
    };
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(order.size, dec!(25));
    assert!(order.id.is_some(), "the venue's order id");
    let open = venue.open_orders().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].client_order_id.0, "l-1");
    assert_eq!(open[0].price, Some(below));

    let amend = AmendRequest {
        instrument: btc(),
        client_order_id: ClientOrderId("l-1".into()),
        order_id: order.id.clone(),
        price: Some(below - dec!(10)),
        trigger_price: None,
        size: Some(dec!(30)),
    };
    let OrderOutcome::Accepted { order: amended } = venue.amend_order(&amend).await else {
        panic!("amend accepted");
    };
    assert_eq!(amended.price, Some(below - dec!(10)));
    assert_eq!(amended.size, dec!(30));
    assert_eq!(amended.client_order_id.0, "l-1", "amended in place");
    let on_server = server.open_orders("lmex-key-1");
    assert_eq!(on_server.len(), 1);
    assert_eq!(on_server[0].price, Some(below - dec!(10)));

    let OrderOutcome::Accepted { order: cancelled } = venue
        .cancel_order(&btc(), &ClientOrderId("l-1".into()))
        .await
    else {
        panic!("cancel accepted");
    };
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(venue.open_orders().await.unwrap().is_empty());
    // A second cancel finds nothing: "not found", for the caller to reconcile.
    let OrderOutcome::Rejected { error } = venue
        .cancel_order(&btc(), &ClientOrderId("l-1".into()))
        .await
    else {
        panic!("a second cancel is refused");
    };
    assert_eq!(error.kind, ErrorKind::NotFound);
    let found = venue
        .order_by_client_id(&ClientOrderId("l-1".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, OrderStatus::Cancelled);
    assert_eq!(server.requests("POST", ORDER_PATH), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_are_typed_and_send_nothing_twice() {
    let (server, venue) = setup().await;
    // Half a contract never leaves the connector.
    let OrderOutcome::Rejected { error } = venue
        .place_order(&order("f-1", Side::Buy, OrderType::Market, dec!(0.5), None))
        .await
    else {
        panic!("refused");
    };
    assert!(
        matches!(error.kind, ErrorKind::InvalidOrder { .. }),
        "{error:?}"
    );
    assert!(
        error.message.contains("whole contracts"),
        "{}",
        error.message
    );
    assert_eq!(server.requests("POST", ORDER_PATH), 0);
    // A post-only buy at the ask would take: the venue answers 200 with status 15.
    let (_, asks) = server.book("BTC-PERP", 1);
    let mut post = order(
        "p-1",
        Side::Buy,
        OrderType::Limit,
        dec!(1),
        Some(asks[0].price),
    );
    post.post_only = true;
    let OrderOutcome::Rejected { error } = venue.place_order(&post).await else {
        panic!("post-only crossing refused");
    };
    assert_eq!(error.venue_code.as_deref(), Some("15"), "{error:?}");
    assert!(venue.open_orders().await.unwrap().is_empty());
    // Off the tick: 400 errorCode −2.
    let OrderOutcome::Rejected { error } = venue
        .place_order(&order(
            "t-1",
            Side::Buy,
            OrderType::Limit,
            dec!(1),
            Some(dec!(40000.3)),
        ))
        .await
    else {
        panic!("off-tick refused");
    };
    assert!(
        matches!(error.kind, ErrorKind::InvalidOrder { .. }),
        "{error:?}"
    );
    // A wrong secret: typed auth error, nothing traded.
    let wrong = Lmex::new(config_for(&server, "not-the-secret"), Arc::new(SystemClock)).unwrap();
    let e = wrong.balances().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Auth, "{e:?}");
    assert_eq!(e.venue_code.as_deref(), Some("-7"));
    assert!(
        !format!("{e:?}").contains("not-the-secret"),
        "the secret stays out of errors"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_market_buy_opens_a_position_with_exits_then_closes_with_fills_on_the_stream() {
    let (server, venue) = setup().await;
    let mut account = live_account(&venue).await;
    let OrderOutcome::Accepted { order } = venue
        .place_order(&order("m-1", Side::Buy, OrderType::Market, dec!(40), None))
        .await
    else {
        panic!("market buy accepted");
    };
    assert_eq!(order.status, OrderStatus::Filled);
    let fill = next_matching(&mut account, "the fill", |e| {
        matches!(e, AccountEvent::Fill { .. })
    })
    .await;
    let AccountEvent::Fill { fill } = fill else {
        unreachable!()
    };
    assert_eq!(
        fill.client_order_id.as_ref().map(|c| c.0.as_str()),
        Some("m-1")
    );
    assert_eq!(fill.side, Side::Buy);
    let pushed = next_matching(&mut account, "the position", |e| {
        matches!(e, AccountEvent::Position { .. })
    })
    .await;
    let AccountEvent::Position { position } = pushed else {
        unreachable!()
    };
    assert_eq!(position.size, dec!(40));
    assert_eq!(position.side, PositionSide::Long);
    let held = venue.positions().await.unwrap();
    assert_eq!(held.len(), 1);
    let p = &held[0];
    assert!(
        p.liquidation_price.is_some_and(|l| l < p.entry_price),
        "a long's liquidation is below entry: {p:?}"
    );
    // 40 contracts of 0.0001 BTC at 10×: margin = 0.004 BTC × entry / 10.
    assert_eq!(
        p.margin,
        (dec!(0.004) * p.entry_price / dec!(10)).round_dp(8)
    );
    let balance = venue.balances().await.unwrap().remove(0);
    assert_eq!(balance.currency, "USDT");
    assert!(balance.available < balance.equity);

    // Exits bound to the position, one of them trailing.
    let tp = p.entry_price + dec!(2000);
    let sl = p.entry_price - dec!(1500);
    venue
        .set_tp_sl(
            &btc(),
            PositionSide::Long,
            Some(tp),
            Some(StopLoss {
                price: sl,
                trailing: true,
            }),
        )
        .await
        .unwrap();
    let p = venue.positions().await.unwrap().remove(0);
    assert_eq!(p.take_profit, Some(tp));
    assert_eq!(p.stop_loss, Some(sl));
    assert!(p.stop_loss_trail.is_some(), "trailing: {p:?}");

    let OrderOutcome::Accepted { order: close } = venue.close_position(&btc()).await else {
        panic!("close accepted");
    };
    assert_eq!(close.side, Side::Sell);
    next_matching(&mut account, "the position closed", |e| {
        matches!(e, AccountEvent::PositionClosed { .. })
    })
    .await;
    assert!(venue.positions().await.unwrap().is_empty());
    let fills = venue.fills(None).await.unwrap();
    assert_eq!(
        fills
            .iter()
            .filter(|f| f.side == Side::Buy)
            .map(|f| f.size)
            .sum::<Decimal>(),
        dec!(40)
    );
    assert_eq!(
        fills
            .iter()
            .filter(|f| f.side == Side::Sell)
            .map(|f| f.size)
            .sum::<Decimal>(),
        dec!(40)
    );
    assert!(fills.windows(2).all(|w| w[0].ts <= w[1].ts), "oldest first");
    assert_eq!(server.requests("POST", ORDER_PATH), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_unknown_and_reconciles_to_the_one_order() {
    let (server, venue) = setup().await;
    let (bids, _) = server.book("BTC-PERP", 1);
    server.lose_next_answer(ORDER_PATH);
    let outcome = venue
        .place_order(&order(
            "u-1",
            Side::Buy,
            OrderType::Limit,
            dec!(5),
            Some(bids[0].price - dec!(300)),
        ))
        .await;
    assert!(
        matches!(outcome, OrderOutcome::Unknown { .. }),
        "{outcome:?}"
    );
    let found = venue
        .order_by_client_id(&ClientOrderId("u-1".into()))
        .await
        .unwrap()
        .expect("the venue has it");
    assert_eq!(found.status, OrderStatus::Open);
    assert_eq!(server.requests("POST", ORDER_PATH), 1, "never resent");
    assert_eq!(
        venue
            .order_by_client_id(&ClientOrderId("never-sent".into()))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_delays_reads_which_are_tried_again_but_never_an_order() {
    let (server, venue) = setup().await;
    let busy = || Fault::Status {
        status: 429,
        body: r#"{"status":429,"errorCode":-1,"message":"Too many requests"}"#.into(),
        retry_after_s: None,
    };
    server.inject("/futures/api/v2.3/user/positions", busy());
    assert!(
        venue.positions().await.unwrap().is_empty(),
        "the read succeeds after a backoff"
    );
    assert_eq!(
        server.requests("GET", "/futures/api/v2.3/user/positions"),
        2
    );
    server.inject(ORDER_PATH, busy());
    let OrderOutcome::Rejected { error } = venue
        .place_order(&order("r-1", Side::Buy, OrderType::Market, dec!(1), None))
        .await
    else {
        panic!("a rate-limited order is refused, not retried");
    };
    assert!(
        matches!(
            error.kind,
            ErrorKind::RateLimited {
                retry_after_ms: Some(_)
            }
        ),
        "{error:?}"
    );
    assert_eq!(server.requests("POST", ORDER_PATH), 1);
    assert!(venue.open_orders().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dead_man_switch_cancels_working_orders_once_kestrel_goes_silent() {
    let server = LmexServer::start(api()).await.unwrap();
    let mut config = config_for(&server, "lmex-secret-1");
    config.cancel_all_after = Some(Duration::from_millis(1_500));
    let venue = Lmex::new(config, Arc::new(SystemClock)).unwrap();
    let account = venue.account_stream().await.unwrap();
    let (bids, _) = server.book("BTC-PERP", 1);
    let OrderOutcome::Accepted { .. } = venue
        .place_order(&order(
            "d-1",
            Side::Buy,
            OrderType::Limit,
            dec!(3),
            Some(bids[0].price - dec!(400)),
        ))
        .await
    else {
        panic!("accepted");
    };
    // Connected: re-armed every 500 ms, the order stays.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(venue.open_orders().await.unwrap().len(), 1);
    assert!(server.requests("POST", "/futures/api/v2.3/order/cancelAllAfter") >= 3);
    // Gone silent (the stream, and with it the re-arming, is dropped): the venue cancels.
    drop(account);
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert!(
        venue.open_orders().await.unwrap().is_empty(),
        "cancelled by the venue"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skewed_clock_is_measured_and_signed_calls_still_pass() {
    let (server, venue) = setup().await;
    // The venue's clock runs a minute ahead of ours: nonces from our clock are refused.
    server.state.clock.skew(60_000);
    let balance = venue.test_connection().await.unwrap();
    assert_eq!(balance.currency, "USDT");
    let offset = MarketData::clock_offset_ms(venue.as_ref()).unwrap();
    assert!(
        (59_000..=61_000).contains(&offset),
        "measured offset {offset}"
    );
    assert!(venue.open_orders().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_that_do_not_say_what_happened_are_unknown_never_refused() {
    let (server, venue) = setup().await;
    let (bids, _) = server.book("BTC-PERP", 1);
    let rest_at = bids[0].price - dec!(600);
    // The venue acts, then a 500 (not only 502/504) comes back: unknown.
    server.inject(
        ORDER_PATH,
        Fault::StatusAfter {
            status: 500,
            body: "Internal Server Error".into(),
        },
    );
    let outcome = venue
        .place_order(&order(
            "x-1",
            Side::Buy,
            OrderType::Limit,
            dec!(2),
            Some(rest_at),
        ))
        .await;
    assert!(
        matches!(outcome, OrderOutcome::Unknown { .. }),
        "{outcome:?}"
    );
    // The venue acts, then answers 200 with a body we cannot read, or with no order.
    server.inject(
        ORDER_PATH,
        Fault::Garbage("<html>maintenance</html>".into()),
    );
    let outcome = venue
        .place_order(&order(
            "x-2",
            Side::Buy,
            OrderType::Limit,
            dec!(2),
            Some(rest_at),
        ))
        .await;
    assert!(
        matches!(outcome, OrderOutcome::Unknown { .. }),
        "{outcome:?}"
    );
    server.inject(ORDER_PATH, Fault::Garbage("[]".into()));
    let outcome = venue
        .place_order(&order(
            "x-3",
            Side::Buy,
            OrderType::Limit,
            dec!(2),
            Some(rest_at),
        ))
        .await;
    assert!(
        matches!(outcome, OrderOutcome::Unknown { .. }),
        "{outcome:?}"
    );
    // An amend whose answer is lost: unknown too (the order may have moved), not refused.
    server.inject(
        ORDER_PATH,
        Fault::StatusAfter {
            status: 502,
            body: "Bad Gateway".into(),
        },
    );
    let amend = AmendRequest {
        instrument: btc(),
        client_order_id: ClientOrderId("x-1".into()),
        order_id: None,
        price: Some(rest_at - dec!(5)),
        trigger_price: None,
        size: None,
    };
    let outcome = venue.amend_order(&amend).await;
    assert!(
        matches!(outcome, OrderOutcome::Unknown { .. }),
        "{outcome:?}"
    );
    // Every one of them happened exactly once, and is found by its client id.
    let open = venue.open_orders().await.unwrap();
    assert_eq!(open.len(), 3, "{open:?}");
    let moved = venue
        .order_by_client_id(&ClientOrderId("x-1".into()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.price, Some(rest_at - dec!(5)));
    assert_eq!(server.requests("POST", ORDER_PATH), 3);
    assert_eq!(server.requests("PUT", ORDER_PATH), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_dropped_socket_the_account_stream_catches_up_and_reports_each_fill_once() {
    let (server, venue) = setup().await;
    let mut account = live_account(&venue).await;
    server.drop_streams();
    let OrderOutcome::Accepted { .. } = venue
        .place_order(&order("c-1", Side::Buy, OrderType::Market, dec!(7), None))
        .await
    else {
        panic!("accepted");
    };
    // The fill arrives (pushed, or read back on the re-login), once; the stream comes back.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(4);
    let mut fills = 0;
    let mut position = None;
    let mut statuses = Vec::new();
    while let Ok(Some(event)) = tokio::time::timeout_at(deadline, account.next()).await {
        match event {
            AccountEvent::Fill { fill }
                if fill.client_order_id.as_ref().map(|c| c.0.as_str()) == Some("c-1") =>
            {
                fills += 1
            }
            AccountEvent::Position { position: p } => position = Some(p),
            AccountEvent::Status { status } => statuses.push(status),
            _ => {}
        }
    }
    assert_eq!(fills, 1, "the fill, exactly once");
    assert_eq!(position.map(|p| p.size), Some(dec!(7)));
    assert_eq!(
        statuses.first(),
        Some(&StreamStatus::Reconnecting),
        "{statuses:?}"
    );
    assert_eq!(statuses.last(), Some(&StreamStatus::Live), "{statuses:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lmex_panel_reads_the_contract_its_funding_the_leverage_and_the_dead_man_switch() {
    let server = LmexServer::start(api()).await.unwrap();
    let mut config = config_for(&server, "lmex-secret-1");
    config.cancel_all_after = Some(Duration::from_secs(3));
    let venue = Lmex::new(config, Arc::new(SystemClock)).unwrap();
    let _account = venue.account_stream().await.unwrap();
    // An order at 20× sets the symbol's leverage first.
    let mut buy = order("o-1", Side::Buy, OrderType::Market, dec!(1), None);
    buy.leverage = Some(dec!(20));
    assert!(matches!(
        venue.place_order(&buy).await,
        OrderOutcome::Accepted { .. }
    ));
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let view = venue.overview("BTC-PERP").await.unwrap();
    assert_eq!(view.contract_size, dec!(0.0001));
    assert_eq!(view.base, "BTC");
    assert_eq!(view.settle, "USDT");
    assert!(view.funding_rate.is_some());
    assert!(view.next_funding_at.is_some_and(|t| t > 0));
    assert!(!view.funding_history.is_empty());
    assert!(
        view.funding_history
            .windows(2)
            .all(|w| w[0].time > w[1].time),
        "newest first"
    );
    assert_eq!(view.leverage, Some(dec!(20)));
    assert_eq!(view.dead_man.timeout_s, Some(3));
    assert!(view.dead_man.armed_at.is_some(), "{:?}", view.dead_man);
    assert_eq!(view.dead_man.last_error, None);
    let none = venue.overview("NOPE-PERP").await.unwrap_err();
    assert_eq!(none.kind, ErrorKind::NotFound);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amend_through_the_market_fills_and_its_answer_is_the_newest_state() {
    let (server, venue) = setup().await;
    let mut account = live_account(&venue).await;
    let (bids, asks) = server.book("BTC-PERP", 1);
    let buy = order(
        "a-1",
        Side::Buy,
        OrderType::Limit,
        dec!(10),
        Some(bids[0].price - dec!(100)),
    );
    let OrderOutcome::Accepted { .. } = venue.place_order(&buy).await else {
        panic!("accepted");
    };
    let pushed = next_matching(
        &mut account,
        "the resting order",
        |e| matches!(e, AccountEvent::Order { order } if order.status == OrderStatus::Open),
    )
    .await;
    let AccountEvent::Order { order: resting } = pushed else {
        unreachable!()
    };
    let amend = AmendRequest {
        instrument: btc(),
        client_order_id: ClientOrderId("a-1".into()),
        order_id: None,
        price: Some(asks[0].price + dec!(500)),
        trigger_price: None,
        size: None,
    };
    let OrderOutcome::Accepted { order: filled } = venue.amend_order(&amend).await else {
        panic!("amend accepted");
    };
    assert_eq!(filled.status, OrderStatus::Filled);
    assert_eq!(filled.filled_size, dec!(10));
    // A UI that keeps the newest state must take this answer over the earlier push.
    assert!(
        filled.updated_at >= resting.updated_at,
        "{} < {}",
        filled.updated_at,
        resting.updated_at
    );
}

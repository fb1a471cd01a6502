//! The LN Markets connector end to end against the local LN Markets server (REST v3 and
//! Stream v1): live data, reconnect with re-authentication and resubscription, the private
//! stream, and trading through the engine.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use futures::StreamExt;
use kestrel_core::engine::{Engine, EngineConfig};
use kestrel_core::{
    AccountEvent, AccountId, ErrorKind, InstrumentId, MarketData, MarketEvent, Network,
    OrderOutcome, OrderStatus, OrderTicket, OrderType, PositionSide, Side, StopLoss, StreamStatus,
    SystemClock, TimeInForce, Timeframe, Trading, VenueId,
};
use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use kestrel_tests::server::next_matching;
use kestrel_venues::lnmarkets::auth::LnmCredentials;
use kestrel_venues::lnmarkets::{LnMarkets, LnmConfig};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

fn btc_usd() -> InstrumentId {
    InstrumentId::new(VenueId::LnMarkets, "BTC/USD")
}

async fn setup(passphrase: &str) -> (LnmServer, Arc<LnMarkets>) {
    let api = ApiKey {
        key: "key-1".into(),
        secret: "secret-1".into(),
        passphrase: "pass-1".into(),
    };
    let server = LnmServer::start(api, 10_000_000, dec!(50000), dec!(50001), 2_000)
        .await
        .unwrap();
    let config = LnmConfig {
        account: AccountId::from("lnm-1"),
        label: "LN Markets test".into(),
        network: Network::Testnet,
        rest_url: server.base_url(),
        stream_url: format!("{}/v1", server.server.ws_url()),
        credentials: Some(LnmCredentials {
            key: "key-1".into(),
            secret: SecretString::from("secret-1"),
            passphrase: SecretString::from(passphrase),
        }),
    };
    let venue = LnMarkets::new(config, Arc::new(SystemClock)).unwrap();
    (server, venue)
}

/// An engine trading the connector's account `lnm-1`.
fn engine_for(venue: &Arc<LnMarkets>) -> (Engine, AccountId) {
    let engine = Engine::new(Arc::new(SystemClock), EngineConfig::default());
    engine.add_market(venue.clone());
    engine.add_account(venue.account_info(), venue.clone());
    (engine, AccountId::from("lnm-1"))
}

/// Subscribes to BTC/USD so market orders have a fresh price.
async fn live_price(engine: &Engine) {
    engine
        .subscribe_market(
            &btc_usd(),
            Arc::new(|_f: &kestrel_core::engine::MarketFrame| true),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
}

async fn eventually(mut f: impl FnMut() -> bool, what: &str) {
    for _ in 0..100 {
        if f() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_connection_returns_the_balance_and_names_a_bad_passphrase() {
    let (_server, venue) = setup("pass-1").await;
    let balance = venue.test_connection().await.unwrap();
    assert_eq!(balance.available, dec!(0.1));
    let (_server, bad) = setup("wrong").await;
    let err = bad.test_connection().await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Auth);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_market_stream_snapshots_then_streams_and_survives_a_dropped_connection() {
    let (server, venue) = setup("pass-1").await;
    let mut stream = venue.subscribe(&btc_usd()).await.unwrap();
    let first = stream.next().await.unwrap();
    assert!(matches!(
        first,
        MarketEvent::Status {
            status: StreamStatus::Connecting,
            ..
        }
    ));
    let MarketEvent::BookSnapshot(book) = stream.next().await.unwrap() else {
        panic!("tier book first")
    };
    assert_eq!(book.bids[0].price, dec!(50000));
    next_matching(&mut stream, "live", |e| {
        matches!(
            e,
            MarketEvent::Status {
                status: StreamStatus::Live,
                ..
            }
        )
    })
    .await;
    // Subscriptions are registered by the time the server answered; give it a moment.
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.state.set_quote(dec!(50100), dec!(50101.5));
    next_matching(&mut stream, "the new quote", |e| matches!(e, MarketEvent::Ticker(t) if t.bid == Some(dec!(50100)) && t.ask == Some(dec!(50101.5)))).await;
    next_matching(&mut stream, "a 1m candle", |e| {
        matches!(
            e,
            MarketEvent::Candle {
                timeframe: Timeframe::M1,
                ..
            }
        )
    })
    .await;

    server.state.drop_streams();
    next_matching(&mut stream, "reconnecting", |e| {
        matches!(
            e,
            MarketEvent::Status {
                status: StreamStatus::Reconnecting,
                ..
            }
        )
    })
    .await;
    next_matching(&mut stream, "live again", |e| {
        matches!(
            e,
            MarketEvent::Status {
                status: StreamStatus::Live,
                ..
            }
        )
    })
    .await;
    eventually(
        || server.state.stream_requests("subscribe") == 2,
        "resubscribed after the reconnect",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    server.state.set_quote(dec!(49900), dec!(49901));
    next_matching(
        &mut stream,
        "a quote after the reconnect",
        |e| matches!(e, MarketEvent::Ticker(t) if t.bid == Some(dec!(49900))),
    )
    .await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        server.state.stream_clients(),
        0,
        "dropping the stream closes the socket"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn candle_history_pages_back_oldest_first() {
    let (_server, venue) = setup("pass-1").await;
    let recent = venue
        .candles(&btc_usd(), Timeframe::M1, None, 300)
        .await
        .unwrap();
    assert!(recent.len() >= 299, "{}", recent.len());
    assert!(recent
        .windows(2)
        .all(|w| w[1].open_time - w[0].open_time == 60_000));
    let older = venue
        .candles(&btc_usd(), Timeframe::M1, Some(recent[0].open_time), 1_500)
        .await
        .unwrap();
    assert_eq!(
        older.last().unwrap().open_time,
        recent[0].open_time - 60_000
    );
    assert!(older.len() >= 1_400, "{}", older.len());
    let hours = venue
        .candles(&btc_usd(), Timeframe::H1, None, 10)
        .await
        .unwrap();
    assert!(!hours.is_empty() && hours.len() <= 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_private_stream_authenticates_and_reports_trades_then_reauthenticates_after_a_drop() {
    let (server, venue) = setup("pass-1").await;
    let mut events = venue.account_stream().await.unwrap();
    next_matching(&mut events, "live", |e| {
        matches!(
            e,
            AccountEvent::Status {
                status: StreamStatus::Live
            }
        )
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let request = kestrel_core::OrderRequest {
        instrument: btc_usd(),
        client_order_id: "c-1".into(),
        side: Side::Buy,
        order_type: OrderType::Market,
        size: dec!(100),
        price: None,
        trigger_price: None,
        time_in_force: TimeInForce::Ioc,
        reduce_only: false,
        post_only: false,
        leverage: Some(dec!(10)),
        take_profit: None,
        stop_loss: None,
    };
    let OrderOutcome::Accepted { order } = venue.place_order(&request).await else {
        panic!()
    };
    assert_eq!(order.status, OrderStatus::Filled);
    let (mut position, mut fill) = (false, false);
    next_matching(&mut events, "the position and the fill", |e| {
        match e {
            AccountEvent::Position { position: p } => {
                position |= p.side == PositionSide::Long && p.size == dec!(100)
            }
            AccountEvent::Fill { fill: f } => {
                fill |= f.client_order_id.as_ref().map(|c| c.as_str()) == Some("c-1")
            }
            _ => {}
        }
        position && fill
    })
    .await;

    server.state.drop_streams();
    next_matching(&mut events, "live again", |e| {
        matches!(
            e,
            AccountEvent::Status {
                status: StreamStatus::Live
            }
        )
    })
    .await;
    eventually(
        || server.state.stream_requests("authenticate") == 2,
        "re-authenticated after the reconnect",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_key_is_refused_before_the_private_stream_opens() {
    let (_server, venue) = setup("wrong").await;
    // The key is checked with one signed call before the stream opens.
    let Err(e) = venue.account_stream().await else {
        panic!("a bad key opened a stream")
    };
    assert_eq!(e.kind, ErrorKind::Auth);
}

fn ticket(side: Side, order_type: OrderType, size: &str, price: Option<&str>) -> OrderTicket {
    OrderTicket {
        instrument: btc_usd(),
        side,
        order_type,
        size: size.into(),
        price: price.map(Into::into),
        trigger_price: None,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
        leverage: Some("10".into()),
        take_profit: None,
        stop_loss: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trading_through_the_engine_opens_lists_cancels_and_closes() {
    let (server, venue) = setup("pass-1").await;
    let (engine, account) = engine_for(&venue);
    // The engine's price-band check needs a price: open the market feed first.
    let frames = Arc::new(std::sync::Mutex::new(0_u32));
    let seen = frames.clone();
    engine
        .subscribe_market(
            &btc_usd(),
            Arc::new(move |_f: &kestrel_core::engine::MarketFrame| {
                *seen.lock().unwrap() += 1;
                true
            }),
        )
        .await
        .unwrap();
    for _ in 0..50 {
        if *frames.lock().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let outcome = engine
        .place_order(&account, &ticket(Side::Buy, OrderType::Market, "250", None))
        .await
        .unwrap();
    let OrderOutcome::Accepted { order } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(order.status, OrderStatus::Filled);
    let snapshot = engine.account_snapshot(&account).await.unwrap();
    assert_eq!(snapshot.positions.len(), 1);
    assert_eq!(snapshot.positions[0].size, dec!(250));
    assert_eq!(snapshot.balances[0].currency, "BTC");

    // TP/SL and margin on the position: checked by the engine, applied by the venue.
    let long = PositionSide::Long;
    let field_of = |e: kestrel_core::Error| match e.kind {
        ErrorKind::InvalidOrder { field } => field,
        other => panic!("{other:?}: {}", e.message),
    };
    let below_entry = engine
        .set_tp_sl(&account, &btc_usd(), long, Some(dec!(49000)), None)
        .await
        .unwrap_err();
    assert_eq!(field_of(below_entry), "take_profit");
    let off_tick = engine
        .set_tp_sl(
            &account,
            &btc_usd(),
            long,
            None,
            Some(StopLoss::fixed(dec!(45000.3))),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(off_tick), "stop_loss");
    engine
        .set_tp_sl(
            &account,
            &btc_usd(),
            long,
            Some(dec!(55000)),
            Some(StopLoss::fixed(dec!(47000.5))),
        )
        .await
        .unwrap();
    let p = engine.account_snapshot(&account).await.unwrap().positions[0].clone();
    assert_eq!(
        (p.take_profit, p.stop_loss),
        (Some(dec!(55000)), Some(dec!(47000.5)))
    );

    let adds = || {
        server
            .state
            .requests("POST", "/v3/futures/isolated/trade/add-margin")
    };
    let fraction = engine
        .add_margin(&account, &btc_usd(), long, dec!(0.000000005))
        .await
        .unwrap_err();
    assert_eq!(field_of(fraction), "amount");
    assert_eq!(adds(), 0, "a fraction of a sat is refused before sending");
    engine
        .add_margin(&account, &btc_usd(), long, dec!(0.0001))
        .await
        .unwrap();
    assert_eq!(adds(), 1);
    let q = engine.account_snapshot(&account).await.unwrap().positions[0].clone();
    assert_eq!(q.margin, p.margin + dec!(0.0001), "10 000 sats more margin");
    assert!(
        q.liquidation_price < p.liquidation_price,
        "a long's liquidation price falls: {:?} → {:?}",
        p.liquidation_price,
        q.liquidation_price
    );
    // Cash-in (LN Markets only): 5 000 sats back out of the position.
    venue
        .cash_in(&btc_usd(), long, dec!(0.00005))
        .await
        .unwrap();
    let c = engine.account_snapshot(&account).await.unwrap().positions[0].clone();
    assert_eq!(c.margin, q.margin - dec!(0.00005));
    let sub_sat = venue.cash_in(&btc_usd(), long, dec!(0.000000001)).await;
    assert!(matches!(sub_sat, Err(ref e) if matches!(e.kind, ErrorKind::InvalidOrder { .. })));

    // The panel's data: a funding settlement charges the long, the leaderboard ranks.
    server.state.settle_funding(dec!(0.0001));
    let overview = venue.overview().await.unwrap();
    assert_eq!(overview.settlements[0].funding_rate, dec!(0.0001));
    assert!(
        overview.fees.iter().any(|f| f.fee > Decimal::ZERO),
        "a long pays a positive rate: {:?}",
        overview.fees
    );
    let ranks: Vec<(u32, &str)> = overview
        .leaderboard
        .iter()
        .map(|l| (l.rank, l.username.as_str()))
        .collect();
    assert_eq!(ranks, vec![(1, "satoshi"), (2, "hal")]);
    assert_eq!(overview.leaderboard[0].pl, dec!(0.01));
    assert!(overview.not_offered.iter().any(|n| n.contains("Options")));

    engine
        .set_tp_sl(&account, &btc_usd(), long, None, None)
        .await
        .unwrap();
    let r = engine.account_snapshot(&account).await.unwrap().positions[0].clone();
    assert_eq!((r.take_profit, r.stop_loss), (None, None));

    let outcome = engine
        .place_order(
            &account,
            &ticket(Side::Buy, OrderType::Limit, "100", Some("49500")),
        )
        .await
        .unwrap();
    let OrderOutcome::Accepted { order: limit } = outcome else {
        panic!("{outcome:?}")
    };
    assert_eq!(limit.status, OrderStatus::Open);
    let cancel = engine
        .cancel_order(&account, &btc_usd(), &limit.client_order_id)
        .await
        .unwrap();
    assert!(
        matches!(cancel, OrderOutcome::Accepted { ref order } if order.status == OrderStatus::Cancelled),
        "{cancel:?}"
    );

    // A fractional contract count is refused before anything is sent.
    let before = server.state.requests("POST", "/v3/futures/isolated/trade");
    let bad = engine
        .place_order(&account, &ticket(Side::Buy, OrderType::Market, "1.5", None))
        .await;
    let refused = match bad {
        Err(e) => e,
        Ok(OrderOutcome::Rejected { error }) => error,
        Ok(other) => panic!("{other:?}"),
    };
    assert!(
        matches!(refused.kind, ErrorKind::InvalidOrder { .. }),
        "{refused:?}"
    );
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        before
    );

    server.state.set_quote(dec!(52000), dec!(52001));
    let closed = engine.close_position(&account, &btc_usd()).await.unwrap();
    assert!(
        matches!(closed, OrderOutcome::Accepted { .. }),
        "{closed:?}"
    );
    let snapshot = engine.account_snapshot(&account).await.unwrap();
    assert!(snapshot.positions.is_empty());
    let realized: Decimal = snapshot.fills.iter().map(|f| f.realized_pnl).sum();
    assert!(
        realized > Decimal::ZERO,
        "a winning long realizes a profit: {realized}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gateway_error_after_the_venue_acted_is_reconciled_to_exactly_one_order() {
    use kestrel_tests::server::Fault;
    let (server, venue) = setup("pass-1").await;
    let (engine, account) = engine_for(&venue);
    live_price(&engine).await;
    server.state.faults.inject(
        "/v3/futures/isolated/trade",
        Fault::StatusAfter {
            status: 502,
            body: "<html>Bad Gateway</html>".into(),
        },
    );
    let outcome = engine
        .place_order(&account, &ticket(Side::Buy, OrderType::Market, "300", None))
        .await
        .unwrap();
    let OrderOutcome::Unknown {
        client_order_id, ..
    } = outcome
    else {
        panic!("{outcome:?}")
    };
    // The engine asks the venue by client id and finds the trade; nothing is resent.
    eventually(
        || {
            engine
                .tracked_orders(&account)
                .map(|orders| orders.iter().all(|o| o.client_order_id != client_order_id))
                .unwrap_or(false)
        },
        "the unknown order reconciled",
    )
    .await;
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        1,
        "sent exactly once"
    );
    let order = venue
        .order_by_client_id(&client_order_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, OrderStatus::Filled);
    assert_eq!(venue.positions().await.unwrap()[0].size, dec!(300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_stream_frames_are_skipped_and_the_stream_goes_on() {
    let (server, venue) = setup("pass-1").await;
    let mut stream = venue.subscribe(&btc_usd()).await.unwrap();
    next_matching(&mut stream, "live", |e| {
        matches!(
            e,
            MarketEvent::Status {
                status: StreamStatus::Live,
                ..
            }
        )
    })
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    for junk in [
        "not json at all",
        r#"{"jsonrpc":"2.0","method":"subscription","params":{"topic":"futures/inverse/btc_usd/lastPrice","data":{"lastPrice":"x"}}}"#,
        r#"{"jsonrpc":"2.0","method":"subscription","params":{"data":{}}}"#,
        r#"{"unexpected":true}"#,
    ] {
        server.state.publish_raw(junk);
    }
    server.state.set_quote(dec!(50200), dec!(50201));
    next_matching(
        &mut stream,
        "the quote after the junk",
        |e| matches!(e, MarketEvent::Ticker(t) if t.bid == Some(dec!(50200))),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deposits_and_withdrawals_move_the_balance_and_fill_the_history() {
    use kestrel_venues::lnmarkets::extras::LnmWithdrawTo;
    let (server, venue) = setup("pass-1").await;
    let start = server.state.balance();

    let invoice = venue.deposit_lightning(25_000).await.unwrap();
    assert!(invoice.payment_request.starts_with("lntbs"));
    assert_eq!(
        kestrel_venues::lnmarkets::extras::invoice_amount_sats(&invoice.payment_request),
        Some(25_000)
    );
    let wallet = venue.wallet().await.unwrap();
    assert!(wallet.bitcoin_address.starts_with("tb1q"));
    assert_eq!(wallet.history[0].status, "pending");
    // The test server's "wallet" pays invoices after three seconds.
    server.state.clock.skew(4_000);
    let wallet = venue.wallet().await.unwrap();
    assert_eq!(
        (
            wallet.history[0].direction.as_str(),
            wallet.history[0].status.as_str()
        ),
        ("deposit", "paid")
    );
    assert_eq!(server.state.balance(), start + 25_000);

    let paid = venue
        .withdraw(&LnmWithdrawTo::Lightning {
            invoice: "lntbs5000n1pqqqsyqcyq5rqwzqf".into(),
        })
        .await
        .unwrap();
    assert_eq!(paid, 500);
    venue
        .withdraw(&LnmWithdrawTo::OnChain {
            address: "tb1qkestreltestaddress".into(),
            amount_sats: 1_000,
        })
        .await
        .unwrap();
    assert_eq!(server.state.balance(), start + 25_000 - 500 - 1_000);
    let kinds: Vec<(String, String, i64)> = venue
        .wallet()
        .await
        .unwrap()
        .history
        .into_iter()
        .map(|r| (r.direction, r.network, r.amount_sats))
        .collect();
    assert_eq!(kinds.len(), 3, "{kinds:?}");
    assert!(kinds.contains(&("withdrawal".into(), "on-chain".into(), 1_000)));
    assert!(kinds.contains(&("withdrawal".into(), "lightning".into(), 500)));

    // Refused before sending: no amount in the invoice. Refused by the venue: too much.
    let sent = server
        .state
        .requests("POST", "/v3/account/withdraw/lightning");
    let bad = venue
        .withdraw(&LnmWithdrawTo::Lightning {
            invoice: "lntbs1pqqqsyqcyq5rqwzqf".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(bad.kind, ErrorKind::InvalidOrder { ref field } if field == "invoice"));
    assert_eq!(
        server
            .state
            .requests("POST", "/v3/account/withdraw/lightning"),
        sent
    );
    let too_much = venue
        .withdraw(&LnmWithdrawTo::OnChain {
            address: "tb1qkestrel".into(),
            amount_sats: 1_000_000_000,
        })
        .await
        .unwrap_err();
    assert_eq!(too_much.venue_code.as_deref(), Some("INSUFFICIENT_BALANCE"));
    assert_eq!(too_much.kind, ErrorKind::InsufficientFunds, "{too_much:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resting_cross_limit_filled_by_the_market_arrives_on_the_private_stream() {
    use kestrel_core::{MarginMode, OrderRequest};
    use kestrel_venues::lnmarkets::cross::{self, LnmCrossDirection};
    let (server, venue) = setup("pass-1").await;
    venue
        .cross_transfer(LnmCrossDirection::Deposit, 500_000)
        .await
        .unwrap();
    let mut events = venue.account_stream().await.unwrap();
    next_matching(&mut events, "live", |e| {
        matches!(
            e,
            AccountEvent::Status {
                status: StreamStatus::Live
            }
        )
    })
    .await;
    eventually(
        || {
            server
                .state
                .has_subscriber("futures/inverse/btc_usd/cross/orders")
        },
        "subscribed to cross orders",
    )
    .await;
    let request = OrderRequest {
        instrument: cross::instrument().id,
        client_order_id: kestrel_core::ClientOrderId("k-cross-1".into()),
        side: Side::Buy,
        order_type: OrderType::Limit,
        size: Decimal::from(200),
        price: Some(dec!(49000)),
        trigger_price: None,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
        post_only: false,
        leverage: Some(Decimal::from(20)),
        take_profit: None,
        stop_loss: None,
    };
    let OrderOutcome::Accepted { order } = venue.place_order(&request).await else {
        panic!("cross limit not accepted")
    };
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(venue.cross_view().await.unwrap().leverage, 20);
    // The market falls through the limit: the venue fills it and pushes the order and
    // the position; the connector turns them into a fill under our client id.
    server.state.set_quote(dec!(48990), dec!(48991));
    let fill = next_matching(
        &mut events,
        "the cross fill",
        |e| matches!(e, AccountEvent::Fill { fill } if cross::is_cross(&fill.instrument)),
    )
    .await;
    let AccountEvent::Fill { fill } = fill else {
        unreachable!()
    };
    assert_eq!(fill.client_order_id.unwrap().0, "k-cross-1");
    assert_eq!(fill.price, dec!(49000));
    assert_eq!(fill.size, dec!(200));
    let position = next_matching(&mut events, "the cross position", |e| {
        matches!(e, AccountEvent::Position { position } if cross::is_cross(&position.instrument))
    })
    .await;
    let AccountEvent::Position { position } = position else {
        unreachable!()
    };
    assert_eq!(position.margin_mode, MarginMode::Cross);
    assert_eq!(position.side, PositionSide::Long);
    assert_eq!(position.size, dec!(200));
    assert_eq!(position.leverage, dec!(20));
    // The balance counts the cross wallet: nothing was lost moving sats into it.
    let balance = next_matching(&mut events, "the balance", |e| {
        matches!(e, AccountEvent::Balance { .. })
    })
    .await;
    let AccountEvent::Balance { balance } = balance else {
        unreachable!()
    };
    assert_eq!(balance.available, dec!(0.095));
    assert!(balance.wallet > dec!(0.0999) && balance.wallet <= dec!(0.1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_deposit_and_a_withdrawal_are_pushed_and_move_the_balance() {
    use kestrel_venues::lnmarkets::extras::LnmWithdrawTo;
    let (server, venue) = setup("pass-1").await;
    let mut events = venue.account_stream().await.unwrap();
    eventually(
        || server.state.has_subscriber("wallet/deposit"),
        "subscribed to wallet deposits",
    )
    .await;
    venue.deposit_lightning(25_000).await.unwrap();
    // Nothing polls: the wallet/deposit push makes the connector read the balance.
    let paid = next_matching(
        &mut events,
        "the deposit's balance",
        |e| matches!(e, AccountEvent::Balance { balance } if balance.available == dec!(0.10025)),
    )
    .await;
    drop(paid);
    assert_eq!(server.state.stream_pushes("wallet/deposit"), 1);
    venue
        .withdraw(&LnmWithdrawTo::OnChain {
            address: "tb1qkestrel".into(),
            amount_sats: 5_000,
        })
        .await
        .unwrap();
    next_matching(
        &mut events,
        "the withdrawal's balance",
        |e| matches!(e, AccountEvent::Balance { balance } if balance.available == dec!(0.10020)),
    )
    .await;
    // An on-chain deposit confirms: pushed, and listed with its transaction id.
    let tx = server.state.receive_on_chain(70_000);
    next_matching(
        &mut events,
        "the on-chain deposit's balance",
        |e| matches!(e, AccountEvent::Balance { balance } if balance.available == dec!(0.10090)),
    )
    .await;
    let wallet = venue.wallet().await.unwrap();
    let row = wallet
        .history
        .iter()
        .find(|r| r.network == "on-chain" && r.direction == "deposit")
        .unwrap();
    assert_eq!(row.amount_sats, 70_000);
    assert_eq!(row.status, "confirmed (1 conf.)");
    assert_eq!(row.destination.as_deref(), Some(tx.as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moving_an_order_on_a_venue_without_amend_cancels_then_replaces_it_once() {
    let (server, venue) = setup("pass-1").await;
    let (engine, account) = engine_for(&venue);
    let OrderOutcome::Accepted { order } = engine
        .place_order(
            &account,
            &ticket(Side::Buy, OrderType::Limit, "100", Some("45000")),
        )
        .await
        .unwrap()
    else {
        panic!("limit not accepted")
    };
    let moved = engine
        .amend_order(&account, &order.client_order_id, Some(dec!(44500.5)), None)
        .await
        .unwrap();
    let OrderOutcome::Accepted { order: replacement } = moved else {
        panic!("{moved:?}")
    };
    assert_ne!(
        replacement.client_order_id, order.client_order_id,
        "a new client id"
    );
    assert_eq!(replacement.price, Some(dec!(44500.5)));
    assert_eq!(replacement.size, dec!(100));
    assert_eq!(
        server
            .state
            .requests("POST", "/v3/futures/isolated/trade/cancel"),
        1
    );
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        2
    );
    let open = venue.open_orders().await.unwrap();
    assert_eq!(open.len(), 1, "only the replacement works: {open:?}");
    assert_eq!(open[0].client_order_id, replacement.client_order_id);
    let tracked = engine.tracked_orders(&account).unwrap();
    assert_eq!(tracked.len(), 1);
    assert_eq!(tracked[0].client_order_id, replacement.client_order_id);
    // A refused cancel (the venue is down) sends no replacement.
    server.state.faults.inject(
        "/v3/futures/isolated/trade/cancel",
        kestrel_tests::server::Fault::Status {
            status: 400,
            body: r#"{"message":"Trading engine busy","code":"BAD_REQUEST"}"#.into(),
            retry_after_s: None,
        },
    );
    let refused = engine
        .amend_order(
            &account,
            &replacement.client_order_id,
            Some(dec!(44000)),
            None,
        )
        .await
        .unwrap();
    assert!(
        matches!(refused, OrderOutcome::Rejected { .. }),
        "{refused:?}"
    );
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        2,
        "no replacement"
    );
    assert_eq!(
        venue.open_orders().await.unwrap()[0].price,
        Some(dec!(44500.5))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trailing_stop_loss_follows_the_bid_up_and_closes_the_trade_when_reached() {
    let (server, venue) = setup("pass-1").await;
    let (engine, account) = engine_for(&venue);
    // Market orders need a live price.
    live_price(&engine).await;
    engine
        .place_order(&account, &ticket(Side::Buy, OrderType::Market, "100", None))
        .await
        .unwrap();
    let trailing = StopLoss {
        price: dec!(49500),
        trailing: true,
    };
    engine
        .set_tp_sl(
            &account,
            &btc_usd(),
            PositionSide::Long,
            None,
            Some(trailing),
        )
        .await
        .unwrap();
    let p = venue.positions().await.unwrap()[0].clone();
    assert_eq!(
        (p.stop_loss, p.stop_loss_trail),
        (Some(dec!(49500)), Some(dec!(500)))
    );
    // Up 1 000: the stop follows to 500 below the bid.
    server.state.set_quote(dec!(51000), dec!(51001));
    let p = venue.positions().await.unwrap()[0].clone();
    assert_eq!(p.stop_loss, Some(dec!(50500)));
    // Down again: the stop stays, then the bid reaches it and the trade closes at market.
    server.state.set_quote(dec!(50700), dec!(50701));
    assert_eq!(
        venue.positions().await.unwrap()[0].stop_loss,
        Some(dec!(50500))
    );
    server.state.set_quote(dec!(50400), dec!(50401));
    assert!(
        venue.positions().await.unwrap().is_empty(),
        "closed by the stop"
    );
    let close = venue
        .fills(None)
        .await
        .unwrap()
        .into_iter()
        .rfind(|f| f.side == Side::Sell)
        .unwrap();
    assert_eq!(close.price, dec!(50400));
    assert!(
        close.realized_pnl > Decimal::ZERO,
        "the stop locked in profit"
    );
    // A stop-loss above the market is refused by the engine before it is sent.
    engine
        .place_order(&account, &ticket(Side::Buy, OrderType::Market, "100", None))
        .await
        .unwrap();
    let above = engine
        .set_tp_sl(
            &account,
            &btc_usd(),
            PositionSide::Long,
            None,
            Some(StopLoss::fixed(dec!(50500))),
        )
        .await
        .unwrap_err();
    assert!(matches!(above.kind, ErrorKind::InvalidOrder { ref field } if field == "stop_loss"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_whose_answer_is_lost_is_reconciled_from_the_canceled_list() {
    use kestrel_tests::server::Fault;
    let (server, venue) = setup("pass-1").await;
    let (engine, account) = engine_for(&venue);
    let OrderOutcome::Accepted { order } = engine
        .place_order(
            &account,
            &ticket(Side::Buy, OrderType::Limit, "100", Some("45000")),
        )
        .await
        .unwrap()
    else {
        panic!("limit not accepted")
    };
    server.state.faults.inject(
        "/v3/futures/isolated/trade/cancel",
        Fault::StatusAfter {
            status: 504,
            body: "<html>Gateway Timeout</html>".into(),
        },
    );
    let outcome = engine
        .cancel_order(&account, &btc_usd(), &order.client_order_id)
        .await
        .unwrap();
    assert!(
        matches!(outcome, OrderOutcome::Unknown { .. }),
        "{outcome:?}"
    );
    eventually(
        || {
            engine
                .tracked_orders(&account)
                .map(|o| o.is_empty())
                .unwrap_or(false)
        },
        "the cancelled order reconciled and gone from the working orders",
    )
    .await;
    let found = venue
        .order_by_client_id(&order.client_order_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.status, OrderStatus::Cancelled);
    assert_eq!(
        server
            .state
            .requests("POST", "/v3/futures/isolated/trade/cancel"),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trade_opened_with_take_profit_and_stop_loss_carries_them() {
    let (server, venue) = setup("pass-1").await;
    let (engine, account) = engine_for(&venue);
    let mut limit = ticket(Side::Buy, OrderType::Limit, "100", Some("49000"));
    limit.take_profit = Some("52000".into());
    limit.stop_loss = Some("49000".into());
    // A stop-loss at the order's own price is refused before sending.
    let refused = engine.place_order(&account, &limit).await.unwrap_err();
    assert!(matches!(refused.kind, ErrorKind::InvalidOrder { ref field } if field == "stop_loss"));
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        0
    );
    limit.stop_loss = Some("47000.5".into());
    let OrderOutcome::Accepted { .. } = engine.place_order(&account, &limit).await.unwrap() else {
        panic!("not accepted")
    };
    // Filled by the market: the position has both.
    server.state.set_quote(dec!(48990), dec!(48991));
    let p = venue.positions().await.unwrap()[0].clone();
    assert_eq!(
        (p.take_profit, p.stop_loss),
        (Some(dec!(52000)), Some(dec!(47000.5)))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_v3_candle_range_reads_back_on_its_calendar_boundaries() {
    let (_server, venue) = setup("pass-1").await;
    for tf in Timeframe::ALL {
        let candles = venue.candles(&btc_usd(), tf, None, 5).await.unwrap();
        assert!(!candles.is_empty(), "{tf:?}: no candles");
        for c in &candles {
            assert_eq!(
                tf.bucket(c.open_time),
                c.open_time,
                "{tf:?} candle off its boundary"
            );
        }
    }
    // Weeks open on Mondays (1970-01-05 was one).
    let week = venue
        .candles(&btc_usd(), Timeframe::W1, None, 1)
        .await
        .unwrap()[0]
        .open_time;
    assert_eq!((week / 86_400_000 - 4).rem_euclid(7), 0);
}

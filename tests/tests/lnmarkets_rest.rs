//! The LN Markets REST client against the local LN Markets server: signing accepted, wrong
//! credentials and clock skew refused with the right error, trades opened, listed,
//! cancelled and closed with the venue's sats arithmetic, pagination, rate limits, and
//! answers that never come.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_core::{Clock, ErrorKind, Side, SystemClock};
use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use kestrel_tests::server::Fault;
use kestrel_venues::lnmarkets::auth::LnmCredentials;
use kestrel_venues::lnmarkets::map;
use kestrel_venues::lnmarkets::maths;
use kestrel_venues::lnmarkets::rest::{CallError, LnmRest, NewTrade};
use kestrel_venues::net::ClockOffset;
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;

const BALANCE: i64 = 10_000_000; // 0.1 BTC

fn api() -> ApiKey {
    ApiKey {
        key: "key-1".into(),
        secret: "secret-1".into(),
        passphrase: "pass-1".into(),
    }
}

fn credentials(passphrase: &str) -> LnmCredentials {
    LnmCredentials {
        key: "key-1".into(),
        secret: SecretString::from("secret-1"),
        passphrase: SecretString::from(passphrase),
    }
}

async fn setup() -> (LnmServer, LnmRest) {
    let server = LnmServer::start(api(), BALANCE, dec!(50000), dec!(50001), 3_000)
        .await
        .unwrap();
    let rest = client(&server, "pass-1");
    (server, rest)
}

fn client(server: &LnmServer, passphrase: &str) -> LnmRest {
    let clock = Arc::new(ClockOffset::new(Arc::new(SystemClock)));
    LnmRest::new(&server.base_url(), Some(credentials(passphrase)), clock).unwrap()
}

fn market(side: Side, quantity: u64) -> NewTrade {
    NewTrade {
        side,
        quantity,
        leverage: dec!(10),
        price: None,
        stoploss: None,
        takeprofit: None,
        client_id: Some(format!("k-{quantity}")),
    }
}

#[tokio::test]
async fn signed_requests_are_accepted_and_the_account_reads_back() {
    let (_server, rest) = setup().await;
    let account = rest.account().await.unwrap();
    assert_eq!(account.balance, BALANCE);
    let ticker = rest.ticker().await.unwrap();
    let t = map::ticker(&ticker, 0);
    assert_eq!((t.bid, t.ask), (Some(dec!(50000)), Some(dec!(50001))));
}

#[tokio::test]
async fn wrong_passphrase_is_an_auth_error_with_the_venue_code() {
    let (server, _) = setup().await;
    let bad = client(&server, "not-the-passphrase");
    let CallError::Failed(e) = bad.account().await.unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind, ErrorKind::Auth);
    assert_eq!(e.venue_code.as_deref(), Some("UNAUTHORIZED"));
    assert!(e.message.contains("passphrase"), "{}", e.message);
}

#[tokio::test]
async fn clock_skew_is_detected_then_corrected_by_syncing_time() {
    let (server, rest) = setup().await;
    server.state.clock.skew(90_000);
    let CallError::Failed(e) = rest.account().await.unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind, ErrorKind::ClockSkew);
    rest.sync_time().await.unwrap();
    assert_eq!(rest.account().await.unwrap().balance, BALANCE);
}

#[tokio::test]
async fn a_market_trade_runs_with_the_venues_margin_and_closes_with_its_pnl() {
    let (server, rest) = setup().await;
    let trade = rest.new_trade(&market(Side::Buy, 1_000)).await.unwrap();
    assert!(trade.running);
    assert_eq!(trade.entry_price, Some(dec!(50001)));
    assert_eq!(
        Some(trade.margin),
        maths::margin_sats(1_000, dec!(50001), dec!(10))
    );
    assert_eq!(trade.client_id.as_deref(), Some("k-1000"));
    let running = rest.running_trades().await.unwrap();
    assert_eq!(running.len(), 1);
    let position = map::position(&running[0], dec!(50000), dec!(50001), 0).unwrap();
    assert_eq!(position.size, dec!(1000));
    assert_eq!(
        position.liquidation_price,
        maths::liquidation_price(Side::Buy, 1_000, dec!(50001), trade.margin)
    );

    server.state.set_quote(dec!(55000), dec!(55001));
    let closed = rest.close_trade(&trade.id).await.unwrap();
    assert!(closed.closed);
    assert_eq!(
        closed.pl,
        maths::pnl_sats(Side::Buy, 1_000, dec!(50001), dec!(55000))
    );
    let page = rest.closed_trades(10, None).await.unwrap();
    assert_eq!(page.data.len(), 1);
    assert!(
        server.state.balance() > BALANCE,
        "a winning trade grows the balance"
    );
}

#[tokio::test]
async fn a_limit_order_rests_until_cancelled_and_a_second_cancel_is_not_found() {
    let (server, rest) = setup().await;
    let order = NewTrade {
        price: Some(dec!(45000.5)),
        ..market(Side::Buy, 500)
    };
    let t = rest.new_trade(&order).await.unwrap();
    assert!(t.open && !t.running);
    assert_eq!(rest.open_trades().await.unwrap().len(), 1);
    let cancelled = rest.cancel_trade(&t.id).await.unwrap();
    assert!(cancelled.canceled);
    assert_eq!(
        server.state.balance(),
        BALANCE,
        "cancelling returns margin and fees"
    );
    let CallError::Failed(e) = rest.cancel_trade(&t.id).await.unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[tokio::test]
async fn a_limit_order_fills_when_the_market_reaches_it() {
    let (server, rest) = setup().await;
    let t = rest
        .new_trade(&NewTrade {
            price: Some(dec!(49000)),
            ..market(Side::Buy, 100)
        })
        .await
        .unwrap();
    server.state.set_quote(dec!(48990), dec!(48999));
    let running = rest.running_trades().await.unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(running[0].id, t.id);
    assert_eq!(
        map::order(&running[0]).unwrap().status,
        kestrel_core::OrderStatus::Filled
    );
}

#[tokio::test]
async fn invalid_orders_name_the_field_and_leave_the_balance_alone() {
    let (server, rest) = setup().await;
    struct Case {
        trade: NewTrade,
        kind: ErrorKind,
    }
    let cases = [
        Case {
            trade: NewTrade {
                leverage: dec!(150),
                ..market(Side::Buy, 10)
            },
            kind: ErrorKind::InvalidOrder {
                field: "leverage".into(),
            },
        },
        Case {
            trade: NewTrade {
                price: Some(dec!(50000.3)),
                ..market(Side::Buy, 10)
            },
            kind: ErrorKind::InvalidOrder {
                field: "price".into(),
            },
        },
        Case {
            trade: NewTrade {
                leverage: dec!(1),
                ..market(Side::Buy, 500_000)
            },
            kind: ErrorKind::InsufficientFunds,
        },
    ];
    for (i, c) in cases.into_iter().enumerate() {
        let CallError::Failed(e) = rest.new_trade(&c.trade).await.unwrap_err() else {
            panic!("case {i}")
        };
        assert_eq!(e.kind, c.kind, "case {i}: {}", e.message);
    }
    assert_eq!(server.state.balance(), BALANCE);
}

#[tokio::test]
async fn candles_page_back_through_history_with_the_cursor() {
    let (_server, rest) = setup().await;
    let now = SystemClock.now_ms();
    let from = now - 3_000 * 60_000;
    let first = rest.candles("1m", from, None, 1_000, None).await.unwrap();
    assert_eq!(first.data.len(), 1_000);
    let cursor = first.next_cursor.clone().unwrap();
    let second = rest
        .candles("1m", from, None, 1_000, Some(&cursor))
        .await
        .unwrap();
    let oldest_first = map::candle(first.data.last().unwrap()).unwrap().open_time;
    let newest_second = map::candle(&second.data[0]).unwrap().open_time;
    assert_eq!(
        newest_second,
        oldest_first - 60_000,
        "pages meet without gap or overlap"
    );
    let hours = rest.candles("1h", from, None, 100, None).await.unwrap();
    assert!(
        hours.data.len() >= 49 && hours.data.len() <= 51,
        "{}",
        hours.data.len()
    );
}

#[tokio::test]
async fn rate_limits_carry_the_retry_after() {
    let (server, rest) = setup().await;
    server.state.faults.inject(
        "/v3/account",
        Fault::Status {
            status: 429,
            body: r#"{"message":"Too many requests"}"#.into(),
            retry_after_s: Some(3),
        },
    );
    let CallError::Failed(e) = rest.account().await.unwrap_err() else {
        panic!()
    };
    assert_eq!(
        e.kind,
        ErrorKind::RateLimited {
            retry_after_ms: Some(3_000)
        }
    );
}

#[tokio::test]
async fn an_order_whose_answer_never_comes_is_unknown_and_was_sent_once() {
    let (server, rest) = setup().await;
    server.state.faults.inject(
        "/v3/futures/isolated/trade",
        Fault::Delay(Duration::from_secs(12)),
    );
    let err = rest.new_trade(&market(Side::Sell, 200)).await.unwrap_err();
    assert!(matches!(err, CallError::Unknown(_)), "{err:?}");
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        1,
        "never retried"
    );
    // The venue did act: reconciling finds the trade by its client id.
    let running = rest.running_trades().await.unwrap();
    assert_eq!(running[0].client_id.as_deref(), Some("k-200"));
}

#[tokio::test]
async fn unreadable_answers_are_protocol_errors_not_panics() {
    let (server, rest) = setup().await;
    server.state.faults.inject(
        "/v3/futures/ticker",
        Fault::Garbage("{\"index\":\"oops".into()),
    );
    let CallError::Failed(e) = rest.ticker().await.unwrap_err() else {
        panic!()
    };
    assert_eq!(e.kind, ErrorKind::Protocol);
    server.state.faults.inject(
        "/v3/futures/isolated/trade",
        Fault::Garbage("<html>".into()),
    );
    let err = rest.new_trade(&market(Side::Buy, 50)).await.unwrap_err();
    assert!(
        matches!(err, CallError::Unknown(_)),
        "a yes we cannot read is an unknown outcome: {err:?}"
    );
}

#[tokio::test]
async fn take_profit_and_stop_loss_follow_the_venue_rules_and_can_be_removed() {
    let (_server, rest) = setup().await;
    let t = rest.new_trade(&market(Side::Buy, 1_000)).await.unwrap();
    let with_tp = rest.update_takeprofit(&t.id, dec!(60000)).await.unwrap();
    assert_eq!(with_tp.takeprofit, dec!(60000));
    let CallError::Failed(e) = rest
        .update_takeprofit(&t.id, dec!(40000))
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!(
        e.kind,
        ErrorKind::InvalidOrder {
            field: "take_profit".into()
        }
    );
    let with_sl = rest
        .update_stoploss(
            &t.id,
            dec!(48000),
            kestrel_venues::lnmarkets::wire::LnmStoplossMode::Trailing,
        )
        .await
        .unwrap();
    assert_eq!(with_sl.stoploss, dec!(48000));
    let below_liq = rest
        .update_stoploss(
            &t.id,
            dec!(1000),
            kestrel_venues::lnmarkets::wire::LnmStoplossMode::Fixed,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(below_liq, CallError::Failed(ref e) if e.kind == ErrorKind::InvalidOrder { field: "stop_loss".into() }),
        "{below_liq:?}"
    );
    assert_eq!(
        rest.remove_takeprofit(&t.id).await.unwrap().takeprofit,
        dec!(0)
    );
    assert_eq!(rest.remove_stoploss(&t.id).await.unwrap().stoploss, dec!(0));
}

#[tokio::test]
async fn adding_margin_moves_the_liquidation_price_away_and_cash_in_brings_it_back() {
    let (server, rest) = setup().await;
    let t = rest.new_trade(&market(Side::Buy, 1_000)).await.unwrap();
    let more = rest.add_margin(&t.id, 10_000).await.unwrap();
    assert_eq!(more.margin, t.margin + 10_000);
    assert!(
        more.liquidation < t.liquidation,
        "{} vs {}",
        more.liquidation,
        t.liquidation
    );
    assert!(more.leverage < t.leverage);
    let balance = server.state.balance();
    let less = rest.cash_in(&t.id, 5_000).await.unwrap();
    assert_eq!(less.margin, more.margin - 5_000);
    assert_eq!(server.state.balance(), balance + 5_000);
    let CallError::Failed(e) = rest
        .cash_in(&t.id, u64::try_from(less.margin).unwrap())
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert!(matches!(e.kind, ErrorKind::InvalidOrder { .. }), "{e:?}");
}

#[tokio::test]
async fn cancel_all_cancels_every_open_order() {
    let (_server, rest) = setup().await;
    for (n, price) in [dec!(45000), dec!(44000.5), dec!(43000)]
        .into_iter()
        .enumerate()
    {
        let t = NewTrade {
            price: Some(price),
            client_id: Some(format!("l-{n}")),
            ..market(Side::Buy, 100)
        };
        rest.new_trade(&t).await.unwrap();
    }
    let cancelled = rest.cancel_all().await.unwrap();
    assert_eq!(cancelled.len(), 3);
    assert!(cancelled.iter().all(|t| t.canceled));
    assert!(rest.open_trades().await.unwrap().is_empty());
}

#[tokio::test]
async fn funding_fees_per_trade_and_the_markets_settlements_and_leaderboard_read() {
    let (server, rest) = setup().await;
    let long = rest.new_trade(&market(Side::Buy, 5_000)).await.unwrap();
    server.state.settle_funding(dec!(0.0001));
    let fees = rest.funding_fees(Some(&long.id), 50, None).await.unwrap();
    assert_eq!(fees.data.len(), 1);
    // 5 000 USD at 50 000 × 0.01 % = 0.00001 BTC = 1 000 sats, paid by the long.
    assert_eq!(fees.data[0].fee, 1_000);
    let running = rest.running_trades().await.unwrap();
    assert_eq!(running[0].sum_funding_fees, 1_000);
    assert_eq!(running[0].margin, long.margin - 1_000);
    let settlements = rest.funding_settlements(10, None).await.unwrap();
    assert_eq!(settlements.data.len(), 10);
    assert_eq!(settlements.data[0].funding_rate, dec!(0.0001));
    let board = rest.leaderboard().await.unwrap();
    assert_eq!(board.all_time[0].username, "satoshi");
}

#[tokio::test]
async fn a_tampered_body_or_a_wrong_secret_is_refused_as_the_venue_does() {
    use hmac::{Hmac, Mac};
    let (server, _) = setup().await;
    let sign = |secret: &str, payload: &str| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(payload.as_bytes());
        base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            mac.finalize().into_bytes(),
        )
    };
    let ts = SystemClock.now_ms();
    let signed_body = r#"{"id":"a"}"#;
    let sent_body = r#"{"id":"b"}"#;
    let path = "/v3/futures/isolated/trade/cancel";
    let cases = [
        ("secret-1", signed_body, sent_body, "Invalid signature"),
        ("wrong-secret", sent_body, sent_body, "Invalid signature"),
        ("secret-1", sent_body, sent_body, "Trade not found"),
    ];
    let base = server.base_url();
    for (i, (secret, signed, sent, expected)) in cases.into_iter().enumerate() {
        let signature = sign(secret, &format!("{ts}post{path}{signed}"));
        let (status, body) = raw_post(&base, path, sent, ts, &signature).await;
        assert!(body.contains(expected), "case {i}: {status} {body}");
    }
}

/// A bare HTTP/1.1 POST over a TCP socket, so the request is exactly what the test says.
async fn raw_post(base: &str, path: &str, body: &str, ts: i64, signature: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let request = format!(
        "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\nlnm-access-key: key-1\r\nlnm-access-passphrase: pass-1\r\nlnm-access-timestamp: {ts}\r\nlnm-access-signature: {signature}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).await.unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

#[tokio::test]
async fn cross_margin_deposits_trades_closes_and_withdraws() {
    let (server, rest) = setup().await;
    let position = rest.cross_deposit(1_000_000).await.unwrap();
    assert_eq!(position.margin, 1_000_000);
    assert_eq!(server.state.balance(), BALANCE - 1_000_000);
    assert_eq!(
        rest.cross_set_leverage(10).await.unwrap().leverage,
        dec!(10)
    );
    let CallError::Failed(e) = rest.cross_set_leverage(101).await.unwrap_err() else {
        panic!()
    };
    assert_eq!(
        e.kind,
        ErrorKind::InvalidOrder {
            field: "leverage".into()
        }
    );

    let bought = rest.cross_new_order(Side::Buy, 1_000, None).await.unwrap();
    assert!(bought.filled && bought.trading_fee > 0);
    let position = rest.cross_position().await.unwrap();
    assert_eq!(
        (position.quantity, position.entry_price),
        (1_000, Some(dec!(50001)))
    );
    assert!(position.initial_margin > 0);

    let resting = rest
        .cross_new_order(Side::Sell, 500, Some(dec!(60000)))
        .await
        .unwrap();
    assert!(resting.open);
    assert_eq!(rest.cross_open_orders().await.unwrap().len(), 1);
    assert!(rest.cross_cancel(&resting.id).await.unwrap().canceled);

    // The position needs its margin: withdrawing all of it is refused.
    assert!(rest.cross_withdraw(1_000_000).await.is_err());
    server.state.set_quote(dec!(55000), dec!(55001));
    let closed = rest.cross_close().await.unwrap();
    assert!(closed.filled);
    let position = rest.cross_position().await.unwrap();
    assert_eq!(position.quantity, 0);
    assert!(
        position.total_pl > 0,
        "a winning long: {}",
        position.total_pl
    );
    let free = u64::try_from(position.margin).unwrap();
    rest.cross_withdraw(free).await.unwrap();
    let transfers = rest.cross_transfers(10, None).await.unwrap();
    assert_eq!(transfers.data.len(), 2);
    assert_eq!(transfers.data[0].amount, -position.margin);
    assert_eq!(
        rest.cross_filled_orders(10, None).await.unwrap().data.len(),
        2
    );
    assert!(server.state.balance() > BALANCE - 1_000_000 + 900_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_paces_itself_to_the_documented_limit_and_a_burst_past_it_is_refused() {
    let (server, rest) = setup().await;
    server.state.enforce_rate_limit(5);
    let rest = Arc::new(rest);
    let calls: Vec<_> = (0..15)
        .map(|_| {
            let rest = rest.clone();
            tokio::spawn(async move { rest.account().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(
        server.state.rate_limited(),
        0,
        "15 calls through one client never hit 429"
    );
    // Three clients that do not share a limiter go over it, and are told when to come back.
    let others: Vec<LnmRest> = (0..3).map(|_| client(&server, "pass-1")).collect();
    let mut refused = None;
    for _ in 0..3 {
        for other in &others {
            if let Err(CallError::Failed(e)) = other.account().await {
                refused = Some(e);
            }
        }
    }
    let e = refused.expect("a burst past the limit is refused");
    assert_eq!(
        e.kind,
        ErrorKind::RateLimited {
            retry_after_ms: Some(1_000)
        }
    );
}

//! Peer check: the community Rust client `lnm-sdk` (flemosr/lnm-sdk, not ours) against our
//! LN Markets server, over its endpoint override. It signs with its own code and parses
//! with its own strict models, so both sides of the wire protocol are checked.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use lnm_sdk::rest::v3::models::{
    Leverage, OrderQuantity, Price, TradeExecution, TradeSide, TradeSize,
};
use lnm_sdk::rest::v3::{RestClient, RestClientConfig};
use rust_decimal_macros::dec;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lnm_sdk_reads_the_market_and_opens_manages_and_closes_a_trade() {
    let api = ApiKey {
        key: "peer-key".into(),
        secret: "peer-secret".into(),
        passphrase: "peer-pass".into(),
    };
    let server = LnmServer::start(api, 10_000_000, dec!(50000), dec!(50001), 100)
        .await
        .unwrap();
    let config = RestClientConfig::new(Duration::from_secs(10))
        .with_endpoint(format!("{}/v3", server.base_url()))
        .with_rate_limiter_active(false);
    let rest =
        RestClient::with_credentials(config, "peer-key", "peer-secret", "peer-pass").unwrap();

    rest.utilities.time().await.unwrap();
    let ticker = rest.futures_data.get_ticker().await.unwrap();
    drop(ticker);
    let account = rest.account.get_account().await.unwrap();
    assert_eq!(account.balance(), 10_000_000);

    let trade = rest
        .futures_isolated
        .new_trade(
            TradeSide::Buy,
            TradeSize::Quantity(OrderQuantity::try_from(100_u32).unwrap()),
            Leverage::try_from(10.0).unwrap(),
            TradeExecution::Market,
            None,
            None,
            None,
        )
        .await
        .unwrap();
    let id = trade.id();
    let with_tp = rest
        .futures_isolated
        .update_takeprofit(id, Some(Price::try_from(60_000.0).unwrap()))
        .await
        .unwrap();
    assert!(with_tp.takeprofit().is_some());
    let with_sl = rest
        .futures_isolated
        .update_stoploss(id, Some(Price::try_from(48_000.0).unwrap()))
        .await
        .unwrap();
    assert!(with_sl.stoploss().is_some());
    let running = rest.futures_isolated.get_running_trades().await.unwrap();
    assert_eq!(running.len(), 1);
    let closed = rest.futures_isolated.close_trade(id).await.unwrap();
    assert_eq!(closed.id(), id);
    assert_eq!(
        server.state.requests("POST", "/v3/futures/isolated/trade"),
        1
    );
}

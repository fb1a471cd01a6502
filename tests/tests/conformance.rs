//! The conformance suite (tests/src/conformance.rs) for every connector.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_core::{AccountId, Decimal, InstrumentId, MarketData, Network, SystemClock, VenueId};
use kestrel_tests::conformance::{self, Subject};
use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use kestrel_venues::demo::DemoVenue;
use kestrel_venues::lnmarkets::auth::LnmCredentials;
use kestrel_venues::lnmarkets::{LnMarkets, LnmConfig};
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::sync::Arc;

async fn run_all(subject: &Subject<'_>) {
    conformance::market_buy_then_close(subject).await.unwrap();
    conformance::limit_rests_and_cancels_once(subject)
        .await
        .unwrap();
    conformance::refused_orders_leave_nothing(subject)
        .await
        .unwrap();
    conformance::tp_sl_and_margin_where_supported(subject)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_venue_conforms() {
    let venue = DemoVenue::start(Arc::new(SystemClock), 21);
    let subject = Subject {
        venue: venue.as_ref(),
        instrument: InstrumentId::new(VenueId::Demo, "BTC-PERP"),
        size: dec!(0.01),
        resting_bid: dec!(60000),
        tag: "demo",
        capabilities: MarketData::capabilities(venue.as_ref()),
        tick: dec!(0.5),
        margin_unit: dec!(0.01),
    };
    run_all(&subject).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lnmarkets_conforms() {
    let api = ApiKey {
        key: "k".into(),
        secret: "s".into(),
        passphrase: "p".into(),
    };
    let server = LnmServer::start(api, 10_000_000, dec!(50000), dec!(50001), 10)
        .await
        .unwrap();
    let venue = LnMarkets::new(
        LnmConfig {
            account: AccountId::from("lnm"),
            label: "LN Markets".into(),
            network: Network::Testnet,
            rest_url: server.base_url(),
            stream_url: format!("{}/v1", server.server.ws_url()),
            credentials: Some(LnmCredentials {
                key: "k".into(),
                secret: SecretString::from("s"),
                passphrase: SecretString::from("p"),
            }),
        },
        Arc::new(SystemClock),
    )
    .unwrap();
    let subject = Subject {
        venue: venue.as_ref(),
        instrument: InstrumentId::new(VenueId::LnMarkets, "BTC/USD"),
        size: Decimal::from(100),
        resting_bid: dec!(40000),
        tag: "lnm",
        capabilities: MarketData::capabilities(venue.as_ref()),
        tick: dec!(0.5),
        margin_unit: dec!(0.00000001),
    };
    run_all(&subject).await;
}

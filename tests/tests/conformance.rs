//! The conformance suite (tests/src/conformance.rs) for every connector.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use kestrel_core::{
    AccountId, Capabilities, Decimal, InstrumentId, MarketData, Network, SystemClock, VenueId,
};
use kestrel_tests::conformance::{self, Faults, Subject};
use kestrel_tests::lmex::LmexServer;
use kestrel_tests::lnmarkets::{ApiKey, LnmServer};
use kestrel_tests::server::Fault;
use kestrel_venues::demo::DemoVenue;
use kestrel_venues::lmex::auth::LmexCredentials;
use kestrel_venues::lmex::{Lmex, LmexConfig};
use kestrel_venues::lnmarkets::auth::LnmCredentials;
use kestrel_venues::lnmarkets::cross::{self, LnmCrossDirection};
use kestrel_venues::lnmarkets::{LnMarkets, LnmConfig};
use rust_decimal_macros::dec;
use secrecy::SecretString;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
    conformance::amend_where_supported(subject).await.unwrap();
    conformance::unknown_outcome_leaves_exactly_one_order(subject)
        .await
        .unwrap();
    conformance::market_stream_reconnects(subject)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_venue_conforms() {
    let venue = DemoVenue::start(Arc::new(SystemClock), 21);
    let subject = Subject {
        venue: venue.as_ref(),
        market: venue.as_ref(),
        faults: None,
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

/// The LN Markets server's faults, as the suite asks for them.
struct LnmFaults<'a> {
    server: &'a LnmServer,
    /// The quote's next bid, moved a tick per call.
    bid: AtomicI64,
}

impl LnmFaults<'_> {
    /// Up to 5 s for a stream client subscribed to the ticker.
    fn wait_for_ticker_subscriber(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !self
            .server
            .state
            .has_subscriber("futures/inverse/btc_usd/ticker")
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Faults for LnmFaults<'_> {
    fn lose_next_order_answer(&self, instrument: &InstrumentId) {
        let route = if cross::is_cross(instrument) {
            "/v3/futures/cross/order"
        } else {
            "/v3/futures/isolated/trade"
        };
        self.server.state.faults.inject(
            route,
            Fault::StatusAfter {
                status: 502,
                body: "<html>Bad Gateway</html>".into(),
            },
        );
    }

    fn drop_streams(&self) {
        // The client may see its socket open before the server has listed it: drop only a
        // connection the server knows (and has subscribed), or there is nothing to drop.
        self.wait_for_ticker_subscriber();
        self.server.state.drop_streams();
    }

    fn move_market(&self) {
        // Wait for the reconnected client's subscription, then move the quote.
        self.wait_for_ticker_subscriber();
        let bid = Decimal::from(self.bid.fetch_add(1, Ordering::Relaxed));
        self.server.state.set_quote(bid, bid + Decimal::ONE);
    }
}

async fn lnm_venue(server: &LnmServer) -> Arc<LnMarkets> {
    LnMarkets::new(
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
    .unwrap()
}

async fn lnm_server() -> LnmServer {
    let api = ApiKey {
        key: "k".into(),
        secret: "s".into(),
        passphrase: "p".into(),
    };
    LnmServer::start(api, 10_000_000, dec!(50000), dec!(50001), 10)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lnmarkets_conforms() {
    let server = lnm_server().await;
    let venue = lnm_venue(&server).await;
    let faults = LnmFaults {
        server: &server,
        bid: AtomicI64::new(50_010),
    };
    let subject = Subject {
        venue: venue.as_ref(),
        market: venue.as_ref(),
        faults: Some(&faults),
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

/// Cross margin is its own instrument: orders, position, reconciliation and streams pass the
/// same suite once the cross wallet holds margin. It has no TP/SL; adding margin to the
/// position is a transfer into the cross wallet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lnmarkets_cross_margin_conforms() {
    let server = lnm_server().await;
    let venue = lnm_venue(&server).await;
    venue
        .cross_transfer(LnmCrossDirection::Deposit, 1_000_000)
        .await
        .unwrap();
    assert_eq!(server.state.balance(), 9_000_000);
    let faults = LnmFaults {
        server: &server,
        bid: AtomicI64::new(50_010),
    };
    let subject = Subject {
        venue: venue.as_ref(),
        market: venue.as_ref(),
        faults: Some(&faults),
        instrument: cross::instrument().id,
        size: Decimal::from(100),
        resting_bid: dec!(40000),
        tag: "lnm-cross",
        capabilities: Capabilities {
            position_tp_sl: false,
            ..MarketData::capabilities(venue.as_ref())
        },
        tick: dec!(0.5),
        margin_unit: dec!(0.00000001),
    };
    run_all(&subject).await;
}

/// The LMEX server's faults, as the suite asks for them.
struct LmexFaults<'a> {
    server: &'a LmexServer,
}

impl LmexFaults<'_> {
    /// Up to 5 s for a client subscribed to the book.
    fn wait_for_book_subscriber(&self) {
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while !self.server.has_subscriber("update:BTC-PERP_0")
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Faults for LmexFaults<'_> {
    fn lose_next_order_answer(&self, _instrument: &InstrumentId) {
        self.server.lose_next_answer("/futures/api/v2.3/order");
    }

    fn drop_streams(&self) {
        self.wait_for_book_subscriber();
        self.server.drop_streams();
    }

    fn move_market(&self) {
        self.wait_for_book_subscriber();
        self.server.move_market();
    }
}

/// LMEX: linear contracts, an L2 book, amend in place, exits bound to the position.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lmex_conforms() {
    let server = LmexServer::start(kestrel_tests::lmex::ApiKey {
        key: "k".into(),
        secret: "s".into(),
    })
    .await
    .unwrap();
    let mut config = LmexConfig::for_network(
        AccountId::from("lmex"),
        "LMEX".into(),
        Network::Testnet,
        Some(LmexCredentials {
            key: "k".into(),
            secret: SecretString::from("s"),
        }),
    );
    config.rest_url = server.base_url();
    config.ws_url = server.ws_url();
    let venue = Lmex::new(config, Arc::new(SystemClock)).unwrap();
    let (bids, _) = server.book("BTC-PERP", 1);
    let faults = LmexFaults { server: &server };
    let subject = Subject {
        venue: venue.as_ref(),
        market: venue.as_ref(),
        faults: Some(&faults),
        instrument: InstrumentId::new(VenueId::Lmex, "BTC-PERP"),
        size: Decimal::from(20),
        resting_bid: (bids[0].price * dec!(0.8)).round(),
        tag: "lmex",
        capabilities: MarketData::capabilities(venue.as_ref()),
        tick: dec!(0.5),
        margin_unit: dec!(0.00000001),
    };
    run_all(&subject).await;
}

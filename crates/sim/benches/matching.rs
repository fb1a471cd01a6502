//! Matching and simulation throughput: how fast the book matches, and how much of a core
//! one simulation step costs (the Demo venue steps every 100 ms).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use kestrel_core::{
    AccountId, ClientOrderId, Decimal, Instrument, InstrumentId, OrderRequest, OrderType, Side,
    TimeInForce, VenueId,
};
use kestrel_sim::book::{MatchingBook, Owner};
use kestrel_sim::{Exchange, MarketSpec};
use std::hint::black_box;

fn instrument() -> Instrument {
    Instrument::linear_perpetual(
        InstrumentId::new(VenueId::Demo, "BTC-PERP"),
        "BTC",
        "USD",
        Decimal::new(5, 1),
        Decimal::new(1, 3),
        Decimal::from(500),
    )
}

/// 200 levels a side, 50 orders a level.
fn deep_book() -> MatchingBook {
    let mut book = MatchingBook::new();
    for level in 0..200i64 {
        for _ in 0..50 {
            book.rest(
                Side::Buy,
                Decimal::from(100_000 - level),
                Decimal::new(1, 2),
                Owner::Agent,
            );
            book.rest(
                Side::Sell,
                Decimal::from(100_001 + level),
                Decimal::new(1, 2),
                Owner::Agent,
            );
        }
    }
    book
}

fn bench_book(c: &mut Criterion) {
    let book = deep_book();
    c.bench_function("book/rest_then_cancel", |b| {
        let mut book = book.clone();
        b.iter(|| {
            let id = book.rest(Side::Buy, Decimal::from(99_950), Decimal::ONE, Owner::Agent);
            black_box(book.cancel(id));
        });
    });
    c.bench_function("book/market_order_sweeping_10_levels_500_fills", |b| {
        b.iter_batched(
            || book.clone(),
            |mut book| {
                black_box(book.match_order(Side::Buy, None, Decimal::from(5), &Owner::Agent))
            },
            BatchSize::LargeInput,
        );
    });
}

fn exchange() -> Exchange {
    let mut ex = Exchange::new(1, 0);
    ex.add_market(MarketSpec {
        instrument: instrument(),
        start_price: Decimal::from(100_000),
        annual_volatility: 0.55,
        funding_interval_ms: 8 * 3_600_000,
    });
    ex.open_account(AccountId::from("a"), "USD", Decimal::from(1_000_000_000));
    ex
}

fn bench_exchange(c: &mut Criterion) {
    c.bench_function("exchange/step_100ms", |b| {
        let mut ex = exchange();
        let mut now = 0;
        b.iter(|| {
            now += 100;
            ex.step(now);
            black_box(ex.drain_events());
        });
    });
    c.bench_function("exchange/place_and_cancel_limit", |b| {
        let mut ex = exchange();
        let mut n = 0u64;
        let account = AccountId::from("a");
        b.iter(|| {
            n += 1;
            let cid = ClientOrderId(format!("b{n}"));
            let request = OrderRequest {
                instrument: instrument().id,
                client_order_id: cid.clone(),
                side: Side::Buy,
                order_type: OrderType::Limit,
                size: Decimal::new(1, 2),
                price: Some(Decimal::from(99_000)),
                trigger_price: None,
                time_in_force: TimeInForce::Gtc,
                reduce_only: false,
                post_only: false,
                leverage: None,
                take_profit: None,
                stop_loss: None,
            };
            let _ = black_box(ex.place(&account, &request, 0));
            let _ = black_box(ex.cancel(&account, &request.instrument, &cid, 0));
            ex.drain_events();
        });
    });
}

criterion_group!(benches, bench_book, bench_exchange);
criterion_main!(benches);

//! The engine's hot path: applying a book delta, folding a trade into the candles of all
//! six timeframes, coalescing, and a whole market event through `MarketState`.

use criterion::{black_box, criterion_group, criterion_main, BatchSize, Criterion};
use kestrel_core::engine::{CandleSet, Coalescer, MarketState, OrderBook};
use kestrel_core::{
    BookDelta, BookLevel, BookSnapshot, Decimal, InstrumentId, LevelChange, MarketEvent, Side,
    Trade, VenueId,
};

fn id() -> InstrumentId {
    InstrumentId::new(VenueId::Demo, "BTC-PERP")
}

fn deep_book() -> OrderBook {
    let level = |p: i64| BookLevel {
        price: Decimal::new(p, 1),
        size: Decimal::ONE,
    };
    let mut book = OrderBook::default();
    book.apply_snapshot(&BookSnapshot {
        instrument: id(),
        bids: (0..500).map(|i| level(900_000 - i * 5)).collect(),
        asks: (0..500).map(|i| level(900_005 + i * 5)).collect(),
        sequence: Some(0),
        ts: 0,
    });
    book
}

fn delta(seq: u64) -> BookDelta {
    let offset = (seq % 40) as i64 * 5;
    BookDelta {
        instrument: id(),
        changes: vec![
            LevelChange {
                side: Side::Buy,
                price: Decimal::new(900_000 - offset, 1),
                size: Decimal::new(seq as i64 % 7, 0),
            },
            LevelChange {
                side: Side::Sell,
                price: Decimal::new(900_005 + offset, 1),
                size: Decimal::new(2, 0),
            },
        ],
        sequence: Some(seq + 1),
        prev_sequence: Some(seq),
        ts: 0,
    }
}

fn benches(c: &mut Criterion) {
    c.bench_function("book: apply a two-level delta to a 500-level book", |b| {
        let mut book = deep_book();
        let mut seq = 0u64;
        b.iter(|| {
            let d = delta(seq);
            seq += 1;
            black_box(book.apply_delta(&d)).ok();
        });
    });

    c.bench_function("book: top-20 view", |b| {
        let book = deep_book();
        b.iter(|| black_box(book.view(20)));
    });

    c.bench_function("candles: fold one trade into six timeframes", |b| {
        let mut set = CandleSet::new(20_000);
        let mut ts = 1_700_000_000_000i64;
        b.iter(|| {
            ts += 37;
            let n = set
                .apply_trade(Decimal::new(900_005, 1), Decimal::ONE, ts)
                .count();
            black_box(n);
        });
    });

    c.bench_function("coalescer: 1000 updates over 20 keys, then drain", |b| {
        b.iter_batched(
            Coalescer::<u32, u64>::default,
            |mut c| {
                for i in 0..1000u64 {
                    c.insert((i % 20) as u32, i);
                }
                black_box(c.drain())
            },
            BatchSize::SmallInput,
        );
    });

    c.bench_function("feed: one trade event into MarketState", |b| {
        let mut state = MarketState::new(id(), 20, 50, 20_000);
        let mut n = 0i64;
        b.iter(|| {
            n += 1;
            state.apply(MarketEvent::Trade(Trade {
                instrument: id(),
                trade_id: "t".into(),
                price: Decimal::new(900_000 + n % 50, 1),
                size: Decimal::ONE,
                taker_side: Side::Buy,
                ts: 1_700_000_000_000 + n,
            }));
            if n % 100 == 0 {
                black_box(state.take_frame());
            }
        });
    });
}

criterion_group!(engine, benches);
criterion_main!(engine);

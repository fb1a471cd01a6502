//! LMEX's hot path: a book stream message read from its JSON text and applied to the
//! sequenced book, as the market stream does for every `update:<SYMBOL>_0` push (one core).

#![allow(clippy::panic)] // a bench that measured a refused delta would measure nothing

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use kestrel_core::engine::OrderBook;
use kestrel_venues::lmex::map::{book_message, instrument_id, BookMessage};
use kestrel_venues::lmex::ws::parse_book;
use serde_json::json;
use std::hint::black_box;

/// Deltas per measured batch.
const DELTAS: usize = 10_000;

/// A 50-level snapshot then `DELTAS` valid deltas of one to three level changes each, as
/// BTSE sends them (prices and sizes as strings), from a fixed xorshift.
fn stream() -> (String, Vec<String>) {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let price = |ticks: u64| {
        format!(
            "{}.{}",
            ticks / 2,
            if ticks.is_multiple_of(2) { 0 } else { 5 }
        )
    };
    let bid = |i: u64| 199_999 - i;
    let ask = |i: u64| 200_000 + i;
    let level = |p: String, s: u64| json!([p, s.to_string()]);
    let bids: Vec<_> = (0..50)
        .map(|i| level(price(bid(i)), 1_000 + i * 37))
        .collect();
    let asks: Vec<_> = (0..50)
        .map(|i| level(price(ask(i)), 1_200 + i * 41))
        .collect();
    let snapshot = json!({"topic": "update:BTC-PERP_0", "data": {"symbol": "BTC-PERP",
        "type": "snapshot", "seqNum": 1, "prevSeqNum": 0, "bids": bids, "asks": asks,
        "timestamp": 1_700_000_000_000_i64}})
    .to_string();
    let deltas = (0..DELTAS as u64)
        .map(|n| {
            let (mut b, mut a) = (Vec::new(), Vec::new());
            for _ in 0..=(next() % 3) {
                let depth = next() % 60;
                let size = if next() % 5 == 0 {
                    0
                } else {
                    next() % 200_000 + 1
                };
                if next() % 2 == 0 {
                    b.push(level(price(bid(depth)), size));
                } else {
                    a.push(level(price(ask(depth)), size));
                }
            }
            json!({"topic": "update:BTC-PERP_0", "data": {"symbol": "BTC-PERP",
                "type": "delta", "seqNum": n + 2, "prevSeqNum": n + 1, "bids": b, "asks": a,
                "timestamp": 1_700_000_000_000_i64 + n as i64}})
            .to_string()
        })
        .collect();
    (snapshot, deltas)
}

fn apply(book: &mut OrderBook, text: &str) {
    let Some(push) = parse_book(text) else {
        panic!("not a book push: {text}");
    };
    match book_message(&instrument_id("BTC-PERP"), &push.data) {
        BookMessage::Snapshot(s) => book.apply_snapshot(&s),
        BookMessage::Delta(d) => {
            if let Err(e) = book.apply_delta(&d) {
                panic!("a valid delta was refused: {e:?}");
            }
        }
    }
}

fn bench(c: &mut Criterion) {
    let (snapshot, deltas) = stream();
    let mut group = c.benchmark_group("lmex");
    group.throughput(Throughput::Elements(DELTAS as u64));
    group.bench_function("book delta parse + apply", |b| {
        b.iter_batched_ref(
            || {
                let mut book = OrderBook::default();
                apply(&mut book, &snapshot);
                book
            },
            |book| {
                for text in &deltas {
                    apply(book, black_box(text));
                }
                black_box(book.best_bid());
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

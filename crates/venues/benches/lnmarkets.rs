//! LN Markets hot paths: parsing Stream v1 price pushes and signing a REST request.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kestrel_venues::lnmarkets::auth::{rest_headers, LnmCredentials};
use kestrel_venues::lnmarkets::wire::{LnmStreamBuckets, LnmStreamLastPrice};
use kestrel_venues::lnmarkets::ws::{parse, StreamMessage};
use kestrel_venues::net::Method;
use secrecy::SecretString;
use std::hint::black_box;

const LAST_PRICE: &str = r#"{"jsonrpc":"2.0","method":"subscription","params":{"topic":"futures/inverse/btc_usd/lastPrice","data":{"time":1700000000000,"lastPrice":91250.5}}}"#;
const BUCKETS: &str = r#"{"jsonrpc":"2.0","method":"subscription","params":{"topic":"futures/inverse/btc_usd/buckets","data":{"time":1700000000000,"buckets":[{"minSize":1,"maxSize":100000,"bidPrice":91250,"askPrice":91252.5},{"minSize":100000,"maxSize":500000,"bidPrice":91240,"askPrice":91262.5}]}}}"#;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("lnmarkets");
    group.throughput(Throughput::Elements(1));
    group.bench_function("parse lastPrice push", |b| {
        b.iter(|| {
            let Ok(StreamMessage::Push { data, .. }) = parse(black_box(LAST_PRICE)) else {
                return;
            };
            black_box(serde_json::from_value::<LnmStreamLastPrice>(data).ok());
        });
    });
    group.bench_function("parse buckets push", |b| {
        b.iter(|| {
            let Ok(StreamMessage::Push { data, .. }) = parse(black_box(BUCKETS)) else {
                return;
            };
            black_box(serde_json::from_value::<LnmStreamBuckets>(data).ok());
        });
    });
    let credentials = LnmCredentials {
        key: "key".into(),
        secret: SecretString::from("secret-0123456789abcdef"),
        passphrase: SecretString::from("passphrase"),
    };
    let body = r#"{"clientId":"k-1","leverage":10,"quantity":100,"side":"buy","type":"market"}"#;
    group.bench_function("sign a POST", |b| {
        b.iter(|| {
            black_box(rest_headers(
                &credentials,
                1_700_000_000_000,
                Method::Post,
                "/v3/futures/isolated/trade",
                "",
                Some(black_box(body)),
            ))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

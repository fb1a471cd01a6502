//! The LMEX test server on the wire, checked with raw HTTP and WebSocket: signatures
//! accepted and refused, the order round trip, refusals as HTTP 200 with a failing status,
//! the book stream's snapshot and chained deltas, its faults, the dead-man switch, and the
//! main socket's login and private pushes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code may fail loudly

use futures::{SinkExt, StreamExt};
use kestrel_core::{BookLevel, Decimal};
use kestrel_tests::lmex::{signature, ApiKey, LmexServer};
use kestrel_venues::net::{HttpClient, HttpRequest, Method};
use rust_decimal_macros::dec;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio_tungstenite::tungstenite::Message;

const ORDER: &str = "/futures/api/v2.3/order";

fn api(n: u32) -> ApiKey {
    ApiKey {
        key: format!("key-{n}"),
        secret: format!("secret-{n}"),
    }
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// A raw REST client that signs as BTSE documents it.
struct Rest {
    http: HttpClient,
    api: ApiKey,
}

/// How a test spoils a request's signature.
#[derive(Clone, Default)]
struct Signing {
    key: Option<String>,
    secret: Option<String>,
    nonce_offset_ms: i64,
    /// Sign this path instead of the one below the mount.
    path: Option<String>,
    /// Sign this body instead of the one sent.
    body: Option<String>,
    extra_headers: Vec<(&'static str, String)>,
}

impl Rest {
    fn new(server: &LmexServer, api: ApiKey) -> Self {
        Self {
            http: HttpClient::new(&server.base_url(), Duration::from_secs(5)).unwrap(),
            api,
        }
    }

    async fn call(
        &self,
        method: Method,
        route: &str,
        query: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call_with(method, route, query, body, Signing::default())
            .await
    }

    async fn get(&self, route: &str, query: &str) -> (u16, Value) {
        self.call(Method::Get, route, query, None).await
    }

    async fn post(&self, route: &str, body: Value) -> (u16, Value) {
        self.call(Method::Post, route, "", Some(body)).await
    }

    async fn call_with(
        &self,
        method: Method,
        route: &str,
        query: &str,
        body: Option<Value>,
        s: Signing,
    ) -> (u16, Value) {
        let path = format!("/api/v2.3/{route}");
        let text = body.map(|b| b.to_string());
        let nonce = (now_ms() + s.nonce_offset_ms).to_string();
        let secret = s.secret.unwrap_or_else(|| self.api.secret.clone());
        let signed_path = s.path.unwrap_or_else(|| path.clone());
        let signed_body = s.body.or_else(|| text.clone()).unwrap_or_default();
        let sign = signature(&secret, &signed_path, &nonce, &signed_body);
        let mut headers = vec![
            ("request-api", s.key.unwrap_or_else(|| self.api.key.clone())),
            ("request-nonce", nonce),
            ("request-sign", sign),
        ];
        headers.extend(s.extra_headers);
        let request = HttpRequest {
            method,
            path,
            query: query.to_owned(),
            body: text,
            headers,
        };
        let response = self.http.send(&request).await.unwrap();
        let value = serde_json::from_str(&response.body).unwrap_or(Value::String(response.body));
        (response.status, value)
    }
}

/// A decimal as a JSON number (serde would write `Decimal` as a string).
fn num(d: Decimal) -> Value {
    serde_json::from_str(&d.to_string()).unwrap()
}

fn limit_buy(cid: &str, price: Decimal, size: i64) -> Value {
    json!({ "symbol": "BTC-PERP", "side": "BUY", "type": "LIMIT", "size": size, "price": num(price),
            "time_in_force": "GTC", "txType": "LIMIT", "postOnly": false, "reduceOnly": false, "clOrderID": cid })
}

fn market(side: &str, size: i64) -> Value {
    json!({ "symbol": "BTC-PERP", "side": side, "type": "MARKET", "size": size, "txType": "LIMIT" })
}

fn dec_of(v: &Value) -> Decimal {
    match v {
        Value::String(s) => Decimal::from_str(s).unwrap(),
        other => Decimal::from_str(&other.to_string()).unwrap(),
    }
}

async fn start() -> (LmexServer, Rest) {
    let server = LmexServer::start(api(1)).await.unwrap();
    let rest = Rest::new(&server, api(1));
    (server, rest)
}

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(server: &LmexServer, path: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{}{path}", server.ws_url()))
        .await
        .unwrap();
    ws
}

async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text.to_owned())).await.unwrap();
}

/// The next text frame, `None` when the socket closed or nothing came within `wait`.
async fn next_text(ws: &mut Ws, wait: Duration) -> Option<String> {
    loop {
        match tokio::time::timeout(wait, ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) => return Some(t.to_string()),
            Ok(Some(Ok(Message::Close(_)) | Err(_))) | Ok(None) | Err(_) => return None,
            Ok(Some(Ok(_))) => {}
        }
    }
}

async fn next_json(ws: &mut Ws) -> Value {
    let text = next_text(ws, Duration::from_secs(5))
        .await
        .expect("a message within 5 s");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
}

/// Reads until a message matching `want` arrives (within 5 s), returning it.
async fn until(ws: &mut Ws, want: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let text = next_text(ws, left)
            .await
            .expect("the expected message within 5 s");
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            if want(&v) {
                return v;
            }
        }
    }
}

/// Everything that arrives until the socket is quiet for `quiet`.
async fn drain(ws: &mut Ws, quiet: Duration) -> Vec<Value> {
    let mut out = Vec::new();
    while let Some(text) = next_text(ws, quiet).await {
        out.push(serde_json::from_str(&text).unwrap_or(Value::String(text)));
    }
    out
}

fn topic_is(v: &Value, topic: &str) -> bool {
    v["topic"] == topic
}

async fn login(ws: &mut Ws, api: &ApiKey) -> Value {
    let nonce = now_ms().to_string();
    let sign = signature(&api.secret, "/ws/futures", &nonce, "");
    send(
        ws,
        &json!({ "op": "authKeyExpires", "args": [api.key, nonce, sign] }).to_string(),
    )
    .await;
    until(ws, |v| v["event"] == "login").await
}

/// A book kept from a stream, as a client keeps it.
#[derive(Default)]
struct LocalBook {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

impl LocalBook {
    fn apply(&mut self, data: &Value) {
        if data["type"] == "snapshot" {
            self.bids.clear();
            self.asks.clear();
        }
        for (key, side) in [("bids", &mut self.bids), ("asks", &mut self.asks)] {
            for level in data[key].as_array().unwrap() {
                let (price, size) = (dec_of(&level[0]), dec_of(&level[1]));
                if size.is_zero() {
                    side.remove(&price);
                } else {
                    side.insert(price, size);
                }
            }
        }
    }

    fn top(&self, depth: usize) -> (Vec<BookLevel>, Vec<BookLevel>) {
        let level = |(p, s): (&Decimal, &Decimal)| BookLevel {
            price: *p,
            size: *s,
        };
        (
            self.bids.iter().rev().take(depth).map(level).collect(),
            self.asks.iter().take(depth).map(level).collect(),
        )
    }
}

#[test]
fn the_verifier_agrees_with_btse_vectors_and_with_the_connectors_signing() {
    let secret = "848db84ac252b6726e5f6e7a711d9c96d9fd77d020151b45839a5b59c37203bx";
    assert_eq!(
        signature(secret, "/api/v2.1/user/wallet", "1624984297330", ""),
        "ea4f1f2b43a0f4d750ae560c5274d6214d140fcab3093da5f4a83e36828535bd2ba7b12160cd12199596f422c8883333"
    );
    let cases = [
        ("/api/v2.3/user/open_orders", "1700000000000", ""),
        (
            "/api/v2.3/order",
            "1700000000001",
            r#"{"symbol":"BTC-PERP","size":1}"#,
        ),
        ("/ws/futures", "1700000000002", ""),
    ];
    for (n, (path, nonce, body)) in cases.into_iter().enumerate() {
        let ours = kestrel_venues::lmex::auth::sign(
            &secrecy::SecretString::from(secret),
            path,
            nonce,
            body,
        );
        assert_eq!(signature(secret, path, nonce, body), ours, "case {n}");
    }
}

#[tokio::test]
async fn signed_requests_are_accepted_and_bad_ones_refused_with_400_and_code_minus_7() {
    let (server, rest) = start().await;
    server.add_account(api(2));
    struct Case {
        name: &'static str,
        signing: Signing,
        status: u16,
    }
    let cases = [
        Case {
            name: "well signed",
            signing: Signing::default(),
            status: 200,
        },
        Case {
            name: "with ccxt's BROKER-ID and Content-Type on a GET",
            signing: Signing {
                extra_headers: vec![
                    ("BROKER-ID", "ccxt".into()),
                    ("content-type", "application/json".into()),
                ],
                ..Signing::default()
            },
            status: 200,
        },
        Case {
            name: "wrong secret",
            signing: Signing {
                secret: Some("not-it".into()),
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "another account's secret",
            signing: Signing {
                secret: Some("secret-2".into()),
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "unknown key",
            signing: Signing {
                key: Some("nobody".into()),
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "the path with the /futures mount signed",
            signing: Signing {
                path: Some("/futures/api/v2.3/user/open_orders".into()),
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "the query signed too",
            signing: Signing {
                path: Some("/api/v2.3/user/open_orders?symbol=BTC-PERP".into()),
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "a nonce 31 s old",
            signing: Signing {
                nonce_offset_ms: -31_000,
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "a nonce 31 s ahead",
            signing: Signing {
                nonce_offset_ms: 31_000,
                ..Signing::default()
            },
            status: 400,
        },
        Case {
            name: "a nonce 20 s old",
            signing: Signing {
                nonce_offset_ms: -20_000,
                ..Signing::default()
            },
            status: 200,
        },
    ];
    for c in cases {
        let (status, body) = rest
            .call_with(
                Method::Get,
                "user/open_orders",
                "symbol=BTC-PERP",
                None,
                c.signing,
            )
            .await;
        assert_eq!(status, c.status, "{}: {body}", c.name);
        if status == 400 {
            assert_eq!(body["errorCode"], -7, "{}", c.name);
            assert_eq!(body["status"], 400, "{}", c.name);
            assert_eq!(body["message"], "Authenticate failed", "{}", c.name);
        } else {
            assert!(body.is_array(), "{}: {body}", c.name);
        }
    }
    // The body is signed exactly as sent: a body that differs from the signed one is refused.
    let (status, _) = rest
        .call_with(
            Method::Post,
            "order/cancelAllAfter",
            "",
            Some(json!({ "timeout": 0 })),
            Signing {
                body: Some(r#"{"timeout": 0}"#.into()),
                ..Signing::default()
            },
        )
        .await;
    assert_eq!(status, 400);
    // A private route without any header.
    let bare = HttpClient::new(&server.base_url(), Duration::from_secs(5)).unwrap();
    let response = bare
        .send(&HttpRequest::new(Method::Get, "/api/v2.3/user/wallet"))
        .await
        .unwrap();
    assert_eq!(response.status, 400);
}

#[tokio::test]
async fn a_limit_order_is_placed_amended_queried_and_cancelled() {
    let (server, rest) = start().await;
    let (status, acks) = rest.post("order", limit_buy("rt-1", dec!(80000), 25)).await;
    assert_eq!(status, 200, "{acks}");
    let ack = &acks.as_array().expect("an array of acks")[0];
    assert_eq!(ack["status"], 2, "{ack}");
    assert_eq!(ack["clOrderID"], "rt-1");
    assert_eq!(ack["orderType"], 76);
    assert_eq!(ack["size"], 25);
    let order_id = ack["orderID"].as_str().unwrap().to_owned();

    let (_, open) = rest.get("user/open_orders", "symbol=BTC-PERP").await;
    assert_eq!(open.as_array().unwrap().len(), 1);
    assert_eq!(open[0]["orderID"], order_id.as_str());
    assert_eq!(open[0]["orderState"], "STATUS_ACTIVE");
    assert_eq!(open[0]["timeInForce"], "GTC");
    assert_eq!(server.open_orders("key-1").len(), 1);

    // Amend by order id, then by client id; the ids stay.
    let (status, amended) = rest
        .call(Method::Put, "order", "", Some(json!({ "symbol": "BTC-PERP", "orderID": order_id, "type": "PRICE", "value": 80100.5 })))
        .await;
    assert_eq!(status, 200);
    assert_eq!(amended[0]["status"], 123, "{amended}");
    assert_eq!(amended[0]["orderID"], order_id.as_str());
    let (_, amended) = rest
        .call(
            Method::Put,
            "order",
            "",
            Some(json!({ "symbol": "BTC-PERP", "clOrderID": "rt-1", "type": "SIZE", "value": 40 })),
        )
        .await;
    assert_eq!(amended[0]["status"], 123, "{amended}");
    let (_, amended) = rest
        .call(Method::Put, "order", "", Some(json!({ "symbol": "BTC-PERP", "clOrderID": "rt-1", "type": "ALL", "orderPrice": 80200, "orderSize": 30 })))
        .await;
    assert_eq!(amended[0]["status"], 123, "{amended}");
    let (_, row) = rest.get("order", &format!("orderID={order_id}")).await;
    assert_eq!(
        (
            row["price"].clone(),
            row["size"].clone(),
            row["status"].clone()
        ),
        (json!(80200), json!(30), json!(2))
    );
    let (_, unknown) = rest
        .call(Method::Put, "order", "", Some(json!({ "symbol": "BTC-PERP", "clOrderID": "nope", "type": "PRICE", "value": 80000 })))
        .await;
    assert_eq!(unknown[0]["status"], 16);

    let (status, cancelled) = rest
        .call(
            Method::Delete,
            "order",
            "symbol=BTC-PERP&clOrderID=rt-1",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(cancelled[0]["status"], 6, "{cancelled}");
    let (_, open) = rest.get("user/open_orders", "").await;
    assert_eq!(open, json!([]));
    let (_, again) = rest
        .call(
            Method::Delete,
            "order",
            &format!("symbol=BTC-PERP&orderID={order_id}"),
            None,
        )
        .await;
    assert_eq!(
        again[0]["status"], 16,
        "a finished order is no longer found: {again}"
    );
    // Finished orders stay queryable.
    let (_, row) = rest.get("order", "clOrderID=rt-1").await;
    assert_eq!(row["status"], 6);
    assert_eq!(row["orderState"], "STATUS_INACTIVE");

    // Without an id, DELETE cancels every working order of the symbol, one ack each.
    for n in 0..3 {
        rest.post("order", limit_buy(&format!("all-{n}"), dec!(80000), 1))
            .await;
    }
    let (_, all) = rest
        .call(Method::Delete, "order", "symbol=BTC-PERP", None)
        .await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    assert!(all.as_array().unwrap().iter().all(|a| a["status"] == 6));
}

#[tokio::test]
async fn refusals_answer_http_200_with_a_failing_status() {
    let (server, rest) = start().await;
    let (_, asks) = server.book("BTC-PERP", 1);
    let best_ask = asks[0].price;
    struct Case {
        name: &'static str,
        route: &'static str,
        body: Value,
        status: i64,
    }
    let cases = [
        Case {
            name: "more than the wallet carries",
            route: "order",
            body: limit_buy("big", dec!(80000), 1_000_000),
            status: 8,
        },
        Case {
            name: "a post-only buy at the ask would take",
            route: "order",
            body: json!({ "symbol": "BTC-PERP", "side": "BUY", "type": "LIMIT", "size": 1, "price": num(best_ask), "postOnly": true }),
            status: 15,
        },
        Case {
            name: "reduce-only with nothing to reduce",
            route: "order",
            body: json!({ "symbol": "BTC-PERP", "side": "SELL", "type": "MARKET", "size": 1, "reduceOnly": true }),
            status: 15,
        },
        Case {
            name: "a sell stop above the last price",
            route: "order",
            body: json!({ "symbol": "BTC-PERP", "side": "SELL", "type": "MARKET", "size": 1, "txType": "STOP", "triggerPrice": num(best_ask + dec!(1000)) }),
            status: 15,
        },
        Case {
            name: "closing a position there is none of",
            route: "order/close_position",
            body: json!({ "symbol": "BTC-PERP", "type": "MARKET" }),
            status: 15,
        },
        Case {
            name: "exits for a position there is none of",
            route: "order/bind/tpsl",
            body: json!({ "symbol": "BTC-PERP", "side": "SELL", "takeProfitPrice": 100000 }),
            status: 15,
        },
    ];
    for c in cases {
        let (status, acks) = rest.post(c.route, c.body).await;
        assert_eq!(status, 200, "{}: {acks}", c.name);
        assert_eq!(acks[0]["status"], c.status, "{}: {acks}", c.name);
        assert!(
            !acks[0]["message"].as_str().unwrap_or("").is_empty(),
            "{}",
            c.name
        );
    }
    // A working client id used again.
    rest.post("order", limit_buy("dup", dec!(80000), 1)).await;
    let (_, acks) = rest.post("order", limit_buy("dup", dec!(80000), 1)).await;
    assert_eq!(acks[0]["status"], 15, "{acks}");
    // An order nobody knows.
    let (status, body) = rest.get("order", "orderID=does-not-exist").await;
    assert_eq!((status, body["status"].clone()), (200, json!(16)));
    assert_eq!(
        server.open_orders("key-1").len(),
        1,
        "refusals left no trace"
    );
}

#[tokio::test]
async fn invalid_fields_answer_400_with_the_btse_error_code() {
    let (_server, rest) = start().await;
    let base = limit_buy("x", dec!(80000), 1);
    let with = |key: &str, value: Value| {
        let mut body = base.clone();
        body[key] = value;
        body
    };
    let cases = [
        ("a fractional size", with("size", json!(1.5)), -2),
        ("a size of zero", with("size", json!(0)), -2),
        (
            "a size above the maximum",
            with("size", json!(1_000_001)),
            -2,
        ),
        ("a size as a string", with("size", json!("1")), -2),
        (
            "a price off the 0.5 tick",
            with("price", json!(80000.3)),
            -2,
        ),
        ("a limit without price", with("price", Value::Null), -2),
        ("an unknown side", with("side", json!("LONG")), -2),
        (
            "an unknown time in force",
            with("time_in_force", json!("GTD")),
            -2,
        ),
        (
            "an unknown symbol",
            with("symbol", json!("DOGE-PERP")),
            -7006,
        ),
    ];
    for (name, body, code) in cases {
        let (status, answer) = rest.post("order", body).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(answer["errorCode"], code, "{name}: {answer}");
        assert_eq!(answer["status"], 400, "{name}");
    }
    let (status, answer) = rest.get("market_summary", "symbol=DOGE-PERP").await;
    assert_eq!((status, answer["errorCode"].clone()), (400, json!(-7006)));
}

#[tokio::test]
async fn market_data_routes_answer_in_the_contracts_shapes() {
    let (server, rest) = start().await;
    let (status, markets) = rest.get("market_summary", "").await;
    assert_eq!(status, 200);
    let symbols: Vec<&str> = markets
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["symbol"].as_str().unwrap())
        .collect();
    assert_eq!(symbols, ["BTC-PERP", "ETH-PERP"]);
    let (_, btc) = rest.get("market_summary", "symbol=BTC-PERP").await;
    let btc = &btc[0];
    for (field, value) in [
        ("contractSize", json!(0.0001)),
        ("minPriceIncrement", json!(0.5)),
        ("minOrderSize", json!(1)),
        ("minSizeIncrement", json!(1)),
        ("maxOrderSize", json!(1_000_000)),
        ("quote", json!("USDT")),
        ("active", json!(true)),
        ("fundingIntervalMinutes", json!(480)),
    ] {
        assert_eq!(btc[field], value, "{field}");
    }
    assert!(dec_of(&btc["highestBid"]) < dec_of(&btc["lowestAsk"]));
    assert!(btc["fundingTime"].as_i64().unwrap() > now_ms());
    let (_, eth) = rest.get("market_summary", "symbol=ETH-PERP").await;
    assert_eq!(
        (
            eth[0]["contractSize"].clone(),
            eth[0]["minPriceIncrement"].clone()
        ),
        (json!(0.001), json!(0.05))
    );

    let (_, book) = rest.get("orderbook/L2", "symbol=BTC-PERP&depth=5").await;
    assert_eq!(book["buyQuote"].as_array().unwrap().len(), 5);
    assert!(book["sellQuote"][0]["price"].is_string() && book["sellQuote"][0]["size"].is_string());
    let (bids, _) = server.book("BTC-PERP", 5);
    assert_eq!(dec_of(&book["buyQuote"][0]["price"]), bids[0].price);
    assert!((book["timestamp"].as_i64().unwrap() - now_ms()).abs() < 10_000);

    // Candles: seconds, newest first, at most 300, `start <= time < end`.
    let (_, rows) = rest.get("ohlcv", "symbol=BTC-PERP&resolution=1").await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 300);
    let times: Vec<i64> = rows.iter().map(|r| r[0].as_i64().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] - w[1] == 60),
        "newest first, a minute apart"
    );
    assert!(
        (times[0] - now_ms() / 1_000).abs() < 180,
        "seconds, recent: {}",
        times[0]
    );
    for r in rows {
        let [o, h, l, c] = [1, 2, 3, 4].map(|n| dec_of(&r[n]));
        assert!(l <= o.min(c) && h >= o.max(c), "{r}");
    }
    let end = times[10];
    let start = end - 3_600;
    let (_, hours) = rest
        .get(
            "ohlcv",
            &format!("symbol=BTC-PERP&resolution=15&start={start}&end={end}"),
        )
        .await;
    let hours: Vec<i64> = hours
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect();
    assert!(!hours.is_empty());
    assert!(
        hours
            .iter()
            .all(|t| *t >= start && *t < end && t % 900 == 0),
        "{hours:?}"
    );
    let (status, _) = rest.get("ohlcv", "symbol=BTC-PERP&resolution=7").await;
    assert_eq!(status, 400);

    server.move_market();
    let (_, trades) = rest.get("trades", "symbol=BTC-PERP&count=5").await;
    let trades = trades.as_array().unwrap();
    assert!(!trades.is_empty());
    assert!(
        trades
            .windows(2)
            .all(|w| w[0]["serialId"].as_u64() > w[1]["serialId"].as_u64()),
        "newest first"
    );
    assert!(["BUY", "SELL"].contains(&trades[0]["side"].as_str().unwrap()));

    let (_, funding) = rest.get("funding_history", "symbol=BTC-PERP&count=3").await;
    let funding = funding["BTC-PERP"].as_array().unwrap();
    assert_eq!(funding.len(), 3);
    assert_eq!(
        funding[0]["time"].as_i64().unwrap() - funding[1]["time"].as_i64().unwrap(),
        8 * 3_600
    );
}

#[tokio::test]
async fn the_book_stream_sends_a_snapshot_then_chained_deltas_that_rebuild_the_servers_book() {
    let (server, _rest) = start().await;
    server.drive();
    let mut ws = connect(&server, "/ws/oss/futures").await;
    send(
        &mut ws,
        r#"{"op":"subscribe","args":["update:BTC-PERP_0"]}"#,
    )
    .await;
    let ack = next_json(&mut ws).await;
    assert_eq!(
        ack,
        json!({ "event": "subscribe", "channel": ["update:BTC-PERP_0"] })
    );
    let snapshot = next_json(&mut ws).await;
    assert_eq!(snapshot["topic"], "update:BTC-PERP_0");
    let data = &snapshot["data"];
    assert_eq!(data["type"], "snapshot");
    assert!(
        data["bids"].as_array().unwrap().len() <= 50
            && !data["bids"].as_array().unwrap().is_empty()
    );
    assert!(data["asks"][0][0].is_string() && data["asks"][0][1].is_string());
    let mut book = LocalBook::default();
    book.apply(data);
    let mut last = data["seqNum"].as_u64().unwrap();

    let started = tokio::time::Instant::now();
    for _ in 0..15 {
        let delta = next_json(&mut ws).await;
        let data = &delta["data"];
        assert_eq!(data["type"], "delta");
        assert_eq!(data["prevSeqNum"].as_u64(), Some(last), "contiguous");
        last = data["seqNum"].as_u64().unwrap();
        book.apply(data);
        let (bids, asks) = book.top(1);
        assert!(bids[0].price < asks[0].price, "never crossed");
    }
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "several deltas a second: {:?}",
        started.elapsed()
    );

    server.hold();
    for v in drain(&mut ws, Duration::from_millis(400)).await {
        assert_eq!(v["data"]["prevSeqNum"].as_u64(), Some(last));
        last = v["data"]["seqNum"].as_u64().unwrap();
        book.apply(&v["data"]);
    }
    assert_eq!(
        book.top(20),
        server.book("BTC-PERP", 20),
        "the client's book is the server's"
    );
}

#[tokio::test]
async fn a_book_gap_breaks_the_chain_and_resubscribing_brings_a_fresh_snapshot() {
    let (server, _rest) = start().await;
    server.drive();
    let mut ws = connect(&server, "/ws/oss/futures").await;
    send(
        &mut ws,
        r#"{"op":"subscribe","args":["update:BTC-PERP_0"]}"#,
    )
    .await;
    let snapshot = until(&mut ws, |v| v["data"]["type"] == "snapshot").await;
    let mut last = snapshot["data"]["seqNum"].as_u64().unwrap();
    for _ in 0..2 {
        let d = next_json(&mut ws).await;
        assert_eq!(d["data"]["prevSeqNum"].as_u64(), Some(last));
        last = d["data"]["seqNum"].as_u64().unwrap();
    }
    // Through the HTTP test control, as the app's end-to-end tests do.
    let control = HttpClient::new(&server.root_url(), Duration::from_secs(5)).unwrap();
    let mut fault = HttpRequest::new(Method::Post, "/__kestrel/fault");
    fault.body = Some(r#"{"kind":"book_gap"}"#.into());
    assert_eq!(control.send(&fault).await.unwrap().status, 200);
    let mut gapped = false;
    for _ in 0..3 {
        let d = next_json(&mut ws).await;
        let prev = d["data"]["prevSeqNum"].as_u64().unwrap();
        gapped |= prev != last;
        last = d["data"]["seqNum"].as_u64().unwrap();
    }
    assert!(
        gapped,
        "a delta names a sequence number the client never saw"
    );

    send(
        &mut ws,
        r#"{"op":"subscribe","args":["update:BTC-PERP_0"]}"#,
    )
    .await;
    let fresh = until(&mut ws, |v| v["data"]["type"] == "snapshot").await;
    let mut last = fresh["data"]["seqNum"].as_u64().unwrap();
    for _ in 0..3 {
        let d = next_json(&mut ws).await;
        assert_eq!(
            d["data"]["prevSeqNum"].as_u64(),
            Some(last),
            "chained again after the snapshot"
        );
        last = d["data"]["seqNum"].as_u64().unwrap();
    }
}

#[tokio::test]
async fn unsubscribing_stops_the_topic() {
    let (server, _rest) = start().await;
    server.drive();
    let mut ws = connect(&server, "/ws/oss/futures").await;
    send(
        &mut ws,
        r#"{"op":"subscribe","args":["update:ETH-PERP_0"]}"#,
    )
    .await;
    until(&mut ws, |v| v["data"]["type"] == "snapshot").await;
    assert!(server.has_subscriber("update:ETH-PERP_0"));
    send(
        &mut ws,
        r#"{"op":"unsubscribe","args":["update:ETH-PERP_0"]}"#,
    )
    .await;
    until(&mut ws, |v| v["event"] == "unsubscribe").await;
    assert!(!server.has_subscriber("update:ETH-PERP_0"));
    assert!(
        drain(&mut ws, Duration::from_millis(600)).await.is_empty(),
        "nothing after the unsubscribe ack"
    );
    // Unknown symbols and groupings are refused.
    for topic in [
        "update:DOGE-PERP_0",
        "update:BTC-PERP_5",
        "tradeHistoryApi:BTC-PERP",
    ] {
        send(
            &mut ws,
            &json!({ "op": "subscribe", "args": [topic] }).to_string(),
        )
        .await;
        assert_eq!(next_json(&mut ws).await["event"], "error", "{topic}");
    }
}

#[tokio::test]
async fn the_dead_man_switch_cancels_working_orders_when_it_expires_and_zero_disarms_it() {
    let (server, rest) = start().await;
    let (status, armed) = rest
        .post("order/cancelAllAfter", json!({ "timeout": 400 }))
        .await;
    assert_eq!((status, armed), (200, json!({ "timeout": 400 })));
    rest.post("order", limit_buy("dm-1", dec!(80000), 1)).await;
    rest.post("order", limit_buy("dm-2", dec!(80000), 1)).await;
    assert_eq!(server.open_orders("key-1").len(), 2);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        server.open_orders("key-1").is_empty(),
        "cancelled when the switch expired"
    );
    let (_, row) = rest.get("order", "clOrderID=dm-1").await;
    assert_eq!(row["status"], 6);

    // Calling again before it expires re-arms it; 0 disarms.
    rest.post("order/cancelAllAfter", json!({ "timeout": 600 }))
        .await;
    rest.post("order", limit_buy("dm-3", dec!(80000), 1)).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    rest.post("order/cancelAllAfter", json!({ "timeout": 600 }))
        .await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(server.open_orders("key-1").len(), 1, "re-armed in time");
    let (_, disarmed) = rest
        .post("order/cancelAllAfter", json!({ "timeout": 0 }))
        .await;
    assert_eq!(disarmed, json!({ "timeout": 0 }));
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(server.open_orders("key-1").len(), 1, "disarmed");
}

#[tokio::test]
async fn the_main_socket_answers_ping_logs_in_and_pushes_only_the_accounts_own_events() {
    let (server, rest) = start().await;
    server.add_account(api(2));
    let other = Rest::new(&server, api(2));
    let mut ws = connect(&server, "/ws/futures").await;
    send(&mut ws, "ping").await;
    assert_eq!(
        next_text(&mut ws, Duration::from_secs(5)).await.as_deref(),
        Some("pong")
    );

    send(
        &mut ws,
        r#"{"op":"subscribe","args":["notificationApiV2"]}"#,
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await["event"],
        "error",
        "private topics need a login"
    );
    assert!(!server.has_subscriber("notificationApiV2"));

    let bad = ApiKey {
        key: "key-1".into(),
        secret: "wrong".into(),
    };
    assert_eq!(login(&mut ws, &bad).await["success"], false);
    assert_eq!(
        login(&mut ws, &api(1)).await,
        json!({ "event": "login", "success": true })
    );
    let topics = [
        "notificationApiV2",
        "fills",
        "allPosition",
        "tradeHistoryApi:BTC-PERP",
    ];
    send(
        &mut ws,
        &json!({ "op": "subscribe", "args": topics }).to_string(),
    )
    .await;
    assert_eq!(
        next_json(&mut ws).await,
        json!({ "event": "subscribe", "channel": topics })
    );
    assert_eq!(
        next_json(&mut ws).await,
        json!({ "topic": "allPosition", "data": [] }),
        "flat to start"
    );

    // Another account's order: the public trade arrives, nothing private does.
    other.post("order", market("BUY", 10)).await;
    let seen = drain(&mut ws, Duration::from_millis(500)).await;
    assert!(
        seen.iter().any(|v| topic_is(v, "tradeHistoryApi:BTC-PERP")),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|v| topic_is(v, "notificationApiV2")
            || topic_is(v, "fills")
            || topic_is(v, "allPosition")),
        "{seen:?}"
    );

    let (_, acks) = rest.post("order", json!({ "symbol": "BTC-PERP", "side": "BUY", "type": "MARKET", "size": 7, "clOrderID": "mine" })).await;
    assert_eq!(acks[0]["status"], 4, "{acks}");
    let seen = drain(&mut ws, Duration::from_millis(500)).await;
    let find = |topic: &str| {
        seen.iter()
            .find(|v| topic_is(v, topic))
            .unwrap_or_else(|| panic!("no {topic} push in {seen:?}"))
            .clone()
    };
    let note = find("notificationApiV2");
    assert_eq!(note["data"][0]["clOrderID"], "mine");
    assert_eq!(note["data"][0]["status"], 4);
    assert_eq!(note["data"][0]["type"], 77);
    let fill = find("fills");
    assert_eq!(
        (
            fill["data"][0]["clOrderID"].clone(),
            fill["data"][0]["size"].clone()
        ),
        (json!("mine"), json!(7))
    );
    assert_eq!(fill["data"][0]["feeCurrency"], "USDT");
    let positions = find("allPosition");
    assert_eq!(positions["data"][0]["symbol"], "BTC-PERP");
    assert_eq!(positions["data"][0]["size"], 7);
    assert_eq!(positions["data"][0]["side"], "BUY");
    let (_, rows) = rest.get("user/positions", "").await;
    assert_eq!(rows[0]["size"], 7);
    assert_eq!(rows[0]["positionId"], "BTC-PERP-USDT");

    rest.post(
        "order/close_position",
        json!({ "symbol": "BTC-PERP", "type": "MARKET" }),
    )
    .await;
    let flat = until(&mut ws, |v| {
        topic_is(v, "allPosition") && v["data"] == json!([])
    })
    .await;
    assert_eq!(flat["data"], json!([]), "an empty array when flat");
}

#[tokio::test]
async fn a_lost_answer_is_carried_out_once_and_counted() {
    let (server, rest) = start().await;
    server.lose_next_answer(ORDER);
    let (status, _) = rest
        .post("order", limit_buy("lost-1", dec!(80000), 1))
        .await;
    assert_eq!(status, 502);
    assert_eq!(
        server.open_orders("key-1").len(),
        1,
        "carried out before the answer was lost"
    );
    assert_eq!(server.requests("POST", ORDER), 1);
    // The same through the HTTP test control.
    let control = HttpClient::new(&server.root_url(), Duration::from_secs(5)).unwrap();
    let mut fault = HttpRequest::new(Method::Post, "/__kestrel/fault");
    fault.body = Some(json!({ "path": ORDER, "status": 504, "after": true }).to_string());
    control.send(&fault).await.unwrap();
    let (status, _) = rest
        .post("order", limit_buy("lost-2", dec!(80000), 1))
        .await;
    assert_eq!(status, 504);
    let (status, acks) = rest
        .post("order", limit_buy("lost-3", dec!(80000), 1))
        .await;
    assert_eq!(
        (status, acks[0]["status"].clone()),
        (200, json!(2)),
        "one request only"
    );
    let mut count = HttpRequest::new(Method::Get, "/__kestrel/requests");
    count.query = format!("method=POST&path={ORDER}");
    let answer = control.send(&count).await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&answer.body).unwrap(),
        json!({ "count": 3 })
    );
}

#[tokio::test]
async fn drop_streams_closes_every_socket_and_idle_ones_are_closed() {
    let (server, _rest) = start().await;
    let mut main = connect(&server, "/ws/futures").await;
    let mut book = connect(&server, "/ws/oss/futures").await;
    send(
        &mut book,
        r#"{"op":"subscribe","args":["update:BTC-PERP_0"]}"#,
    )
    .await;
    until(&mut book, |v| v["data"]["type"] == "snapshot").await;
    send(&mut main, "ping").await;
    next_text(&mut main, Duration::from_secs(5)).await;
    assert_eq!(server.stream_clients(), 2);
    server.drop_streams();
    assert_eq!(next_text(&mut main, Duration::from_secs(5)).await, None);
    assert_eq!(next_text(&mut book, Duration::from_secs(5)).await, None);

    server.set_idle_timeout(Duration::from_millis(400));
    let mut kept = connect(&server, "/ws/futures").await;
    let mut idle = connect(&server, "/ws/futures").await;
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        send(&mut kept, "ping").await;
        assert_eq!(
            next_text(&mut kept, Duration::from_secs(2))
                .await
                .as_deref(),
            Some("pong")
        );
    }
    assert_eq!(
        next_text(&mut idle, Duration::from_secs(2)).await,
        None,
        "closed when idle"
    );
}

#[tokio::test]
async fn exits_bind_to_the_position_trail_it_and_are_removed_when_omitted() {
    let (server, rest) = start().await;
    rest.post("order", market("BUY", 50)).await;
    let last = server.last_price("BTC-PERP").unwrap();
    let (status, acks) = rest
        .post(
            "order/bind/tpsl",
            json!({ "symbol": "BTC-PERP", "side": "SELL", "takeProfitPrice": 99000,
            "takeProfitTrigger": "markPrice", "stopLossTrigger": "lastPrice", "trailValue": 500 }),
        )
        .await;
    assert_eq!(status, 200, "{acks}");
    assert_eq!(acks.as_array().unwrap().len(), 2);
    assert!(acks.as_array().unwrap().iter().all(|a| a["status"] == 9));
    let (_, rows) = rest.get("user/positions", "symbol=BTC-PERP").await;
    let p = &rows[0];
    assert_eq!(dec_of(&p["takeProfitOrder"]["triggerPrice"]), dec!(99000));
    assert_eq!(p["takeProfitOrder"]["triggerUseLastPrice"], false);
    assert_eq!(
        dec_of(&p["stopLossOrder"]["triggerPrice"]),
        last - dec!(500)
    );
    assert_eq!(p["stopLossOrder"]["trailValue"], 500);
    assert_eq!(p["stopLossOrder"]["side"], "SELL");

    // With a price too, the stop starts there and trails.
    let (_, acks) = rest
        .post(
            "order/bind/tpsl",
            json!({ "symbol": "BTC-PERP", "side": "SELL", "stopLossPrice": num(last - dec!(800)),
            "stopLossTrigger": "markPrice", "trailValue": 800 }),
        )
        .await;
    assert_eq!(acks.as_array().unwrap().len(), 1, "{acks}");
    let (_, rows) = rest.get("user/positions", "symbol=BTC-PERP").await;
    assert_eq!(
        dec_of(&rows[0]["stopLossOrder"]["triggerPrice"]),
        last - dec!(800)
    );
    assert_eq!(dec_of(&rows[0]["stopLossOrder"]["trailValue"]), dec!(800));
    assert_eq!(
        rows[0]["takeProfitOrder"],
        Value::Null,
        "left out, so removed"
    );

    let (_, wrong_side) = rest
        .post(
            "order/bind/tpsl",
            json!({ "symbol": "BTC-PERP", "side": "BUY", "takeProfitPrice": 99000 }),
        )
        .await;
    assert_eq!(wrong_side[0]["status"], 15);

    let (_, removed) = rest
        .post(
            "order/bind/tpsl",
            json!({ "symbol": "BTC-PERP", "side": "SELL" }),
        )
        .await;
    assert_eq!(removed, json!([]));
    let (_, rows) = rest.get("user/positions", "").await;
    assert_eq!(
        (
            rows[0]["takeProfitOrder"].clone(),
            rows[0]["stopLossOrder"].clone()
        ),
        (Value::Null, Value::Null)
    );

    // Exits sent with an order are set on the position it fills into.
    let (_, acks) = rest
        .post(
            "order",
            json!({ "symbol": "BTC-PERP", "side": "BUY", "type": "MARKET", "size": 5,
            "takeProfitPrice": 98000, "stopLossPrice": 85000 }),
        )
        .await;
    assert_eq!(acks[0]["status"], 4);
    let (_, rows) = rest.get("user/positions", "").await;
    assert_eq!(
        dec_of(&rows[0]["takeProfitOrder"]["triggerPrice"]),
        dec!(98000)
    );
    assert_eq!(
        dec_of(&rows[0]["stopLossOrder"]["triggerPrice"]),
        dec!(85000)
    );
}

#[tokio::test]
async fn leverage_is_set_read_back_and_used_for_margin() {
    let (server, rest) = start().await;
    let (_, default) = rest.get("leverage", "symbol=BTC-PERP").await;
    assert_eq!(
        default,
        json!({ "symbol": "BTC-PERP", "leverage": 10, "marginMode": "ISOLATED" })
    );
    let (status, set) = rest
        .post(
            "leverage",
            json!({ "symbol": "BTC-PERP", "leverage": 5, "marginMode": "CROSS" }),
        )
        .await;
    assert_eq!(
        (status, set),
        (
            200,
            json!({ "symbol": "BTC-PERP", "leverage": 5, "marginMode": "CROSS" })
        )
    );
    let (status, _) = rest
        .post("leverage", json!({ "symbol": "BTC-PERP", "leverage": 500 }))
        .await;
    assert_eq!(status, 400);
    rest.post("order", market("BUY", 1_000)).await;
    let position = &server.positions("key-1")[0];
    assert_eq!(position.leverage.round(), dec!(5));
    let (_, rows) = rest.get("user/positions", "").await;
    assert_eq!(
        (
            rows[0]["marginType"].clone(),
            rows[0]["isolatedLeverage"].clone()
        ),
        (json!(91), json!(5))
    );
    let (_, wallet) = rest.get("user/wallet", "wallet=CROSS@").await;
    let w = &wallet[0];
    assert_eq!(w["wallet"], "CROSS@");
    assert_eq!(w["assets"][0]["currency"], "USDT");
    assert!(dec_of(&w["availableBalance"]) < dec!(100000));
    assert!(dec_of(&w["assetsInUse"][0]["balance"]) > Decimal::ZERO);
    let (_, fills) = rest.get("user/trade_history", "symbol=BTC-PERP").await;
    assert_eq!(fills[0]["filledSize"], 1_000);
    assert_eq!(fills[0]["contractSize"], 0.0001);
}

#[tokio::test]
async fn move_market_takes_the_top_of_the_book_and_pushes_it() {
    let (server, _rest) = start().await;
    let mut main = connect(&server, "/ws/futures").await;
    send(
        &mut main,
        r#"{"op":"subscribe","args":["tradeHistoryApi:BTC-PERP"]}"#,
    )
    .await;
    until(&mut main, |v| v["event"] == "subscribe").await;
    let mut book = connect(&server, "/ws/oss/futures").await;
    send(
        &mut book,
        r#"{"op":"subscribe","args":["update:BTC-PERP_0"]}"#,
    )
    .await;
    let snapshot = until(&mut book, |v| v["data"]["type"] == "snapshot").await;
    let before = server.book("BTC-PERP", 1);
    server.move_market();
    let delta = until(&mut book, |v| v["data"]["type"] == "delta").await;
    assert_eq!(delta["data"]["prevSeqNum"], snapshot["data"]["seqNum"]);
    let trade = until(&mut main, |v| topic_is(v, "tradeHistoryApi:BTC-PERP")).await;
    assert!(dec_of(&trade["data"][0]["size"]) > Decimal::ZERO);
    assert_ne!(
        server.book("BTC-PERP", 1),
        before,
        "the top of the book moved"
    );
}

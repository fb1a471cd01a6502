//! LN Markets Stream API v1: JSON-RPC 2.0 over one WebSocket. On every (re)connect the
//! client authenticates (when it has a key) and subscribes to its topics again; pushes
//! arrive as `{"method":"subscription","params":{"topic","data"}}`.

use super::auth::{self, LnmCredentials};
use crate::net::ClockOffset;
use kestrel_core::{Error, ErrorKind};
use rand::RngCore;
use serde_json::{json, Value};

/// Production and test network stream endpoints.
pub const MAINNET: &str = "wss://stream.lnmarkets.com/v1";
pub const SIGNET: &str = "wss://stream.signet.lnmarkets.com/v1";

/// Public topics.
pub const TICKER: &str = "futures/inverse/btc_usd/ticker";
pub const LAST_PRICE: &str = "futures/inverse/btc_usd/lastPrice";
pub const INDEX: &str = "futures/inverse/btc_usd/index";
pub const BUCKETS: &str = "futures/inverse/btc_usd/buckets";
pub const OHLC_1M: &str = "futures/inverse/btc_usd/ohlc/1m";
/// Private topics (need `authenticate`).
pub const ISOLATED_TRADES: &str = "futures/inverse/btc_usd/isolated/trades";
pub const CROSS_ORDERS: &str = "futures/inverse/btc_usd/cross/orders";
pub const CROSS_POSITION: &str = "futures/inverse/btc_usd/cross/position";
pub const WALLET_DEPOSIT: &str = "wallet/deposit";
pub const WALLET_WITHDRAWAL: &str = "wallet/withdrawal";

/// Request ids the client uses, so answers can be told apart.
pub const AUTH_ID: &str = "kestrel-auth";
pub const SUBSCRIBE_ID: &str = "kestrel-subscribe";

/// The `authenticate` request: `signature = base64(HMAC-SHA256(secret, timestamp + nonce))`.
pub fn authenticate_request(credentials: &LnmCredentials, timestamp: i64, nonce: &str) -> String {
    use secrecy::ExposeSecret;
    json!({
        "jsonrpc": "2.0",
        "id": AUTH_ID,
        "method": "authenticate",
        "params": {
            "key": credentials.key,
            "signature": auth::stream_signature(&credentials.secret, timestamp, nonce),
            "timestamp": timestamp,
            "passphrase": credentials.passphrase.expose_secret(),
            "nonce": nonce,
        },
    })
    .to_string()
}

/// The `subscribe` request.
pub fn subscribe_request(topics: &[&str]) -> String {
    json!({ "jsonrpc": "2.0", "id": SUBSCRIBE_ID, "method": "subscribe", "params": { "topics": topics } })
        .to_string()
}

/// What to send on each connection: authenticate first when private topics are wanted.
pub fn greeting(
    credentials: Option<&LnmCredentials>,
    clock: &ClockOffset,
    topics: &[&str],
) -> Vec<String> {
    let mut messages = Vec::with_capacity(2);
    if let Some(c) = credentials {
        let mut nonce = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut nonce);
        let hex: String = nonce.iter().map(|b| format!("{b:02x}")).collect();
        messages.push(authenticate_request(c, clock.now_ms(), &hex));
    }
    messages.push(subscribe_request(topics));
    messages
}

/// One message from the stream.
#[derive(Clone, Debug, PartialEq)]
pub enum StreamMessage {
    /// A push on a topic.
    Push { topic: String, data: Value },
    /// The answer to one of our requests.
    Answer { id: String, error: Option<Error> },
}

/// Parses a frame. Anything that is not JSON-RPC is a protocol error (logged and skipped by
/// the caller, never a panic).
pub fn parse(text: &str) -> Result<StreamMessage, Error> {
    let v: Value = serde_json::from_str(text)
        .map_err(|e| Error::protocol(format!("LN Markets stream sent non-JSON: {e}")))?;
    if v.get("method").and_then(Value::as_str) == Some("subscription") {
        let params = v.get("params").cloned().unwrap_or(Value::Null);
        let topic = params
            .get("topic")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("LN Markets stream push without a topic"))?
            .to_owned();
        let data = params.get("data").cloned().unwrap_or(Value::Null);
        return Ok(StreamMessage::Push { topic, data });
    }
    let id = match v.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => {
            return Err(Error::protocol(format!(
                "LN Markets stream sent an unknown message: {text:.200}"
            )))
        }
    };
    let error = v.get("error").map(|e| {
        let message = e
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("stream request failed")
            .to_owned();
        let code = e.get("code").map(|c| c.to_string()).unwrap_or_default();
        let kind = if id == AUTH_ID {
            ErrorKind::Auth
        } else {
            ErrorKind::Protocol
        };
        Error::new(kind, message).with_venue_code(code)
    });
    Ok(StreamMessage::Answer { id, error })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::SecretString;

    #[test]
    fn authenticate_carries_the_sdk_shape_and_signature() {
        let c = LnmCredentials {
            key: "lnm-test-key".into(),
            secret: SecretString::from("lnm-test-secret-0123456789abcdef"),
            passphrase: SecretString::from("lnm-test-passphrase"),
        };
        let v: Value = serde_json::from_str(&authenticate_request(
            &c,
            1_700_000_000_000,
            "0123456789abcdef0123456789abcdef",
        ))
        .unwrap();
        assert_eq!(v["method"], "authenticate");
        assert_eq!(v["params"]["timestamp"], 1_700_000_000_000_i64);
        // The vector the official SDK computed for this timestamp and nonce.
        assert_eq!(
            v["params"]["signature"],
            "VUkpPl/VOqIxGezp5FwDSdJiV+5dBsuEZWS1vZoni/0="
        );
    }

    #[test]
    fn frames_parse_into_pushes_answers_or_typed_errors() {
        let push = parse(r#"{"jsonrpc":"2.0","method":"subscription","params":{"topic":"futures/inverse/btc_usd/lastPrice","data":{"time":1,"lastPrice":91000.5}}}"#).unwrap();
        assert!(matches!(push, StreamMessage::Push { ref topic, .. } if topic == LAST_PRICE));
        let refused = parse(r#"{"jsonrpc":"2.0","id":"kestrel-auth","error":{"code":401,"message":"Invalid signature"}}"#).unwrap();
        let StreamMessage::Answer { error: Some(e), .. } = refused else {
            panic!()
        };
        assert_eq!(e.kind, ErrorKind::Auth);
        assert!(parse("not json").is_err());
        assert!(parse(r#"{"jsonrpc":"2.0","method":"subscription","params":{}}"#).is_err());
        assert!(parse(r#"{"hello":1}"#).is_err());
    }
}

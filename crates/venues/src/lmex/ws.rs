//! LMEX's two sockets (BTSE futures WS): `/ws/futures` for trades, authentication and the
//! private topics, and `/ws/oss/futures` for the sequenced order book. Plain-text `ping` /
//! `pong` keeps both alive.

use super::wire::{LmexBookUpdate, LmexPush};
use serde_json::{json, Value};

/// Production and test network WebSocket hosts; the paths below are appended.
pub const MAINNET: &str = "wss://ws.lmex.io";
pub const TESTNET: &str = "wss://ws.test-api.lmex.io";
/// The main socket's path.
pub const MAIN_PATH: &str = "/ws/futures";
/// The order book socket's path.
pub const BOOK_PATH: &str = "/ws/oss/futures";
/// What the venue answers a `ping` with.
pub const PONG: &str = "pong";

/// Private topics.
pub const ORDERS: &str = "notificationApiV2";
pub const FILLS: &str = "fills";
pub const POSITIONS: &str = "allPosition";

/// The book topic of `symbol`, ungrouped.
pub fn book_topic(symbol: &str) -> String {
    format!("update:{symbol}_0")
}

/// The public trades topic of `symbol`.
pub fn trades_topic(symbol: &str) -> String {
    format!("tradeHistoryApi:{symbol}")
}

/// The socket URL for `path` on `host` (`wss://ws.lmex.io` or a test server's `ws://…`).
/// A host given with a path already ending in `path` is kept as it is.
pub fn url(host: &str, path: &str) -> String {
    let host = host.trim_end_matches('/');
    if host.ends_with(path) {
        return host.to_owned();
    }
    // A host given as the main socket's URL still finds the book socket beside it.
    let host = host.strip_suffix(MAIN_PATH).unwrap_or(host);
    format!("{host}{path}")
}

/// `{"op":"subscribe","args":[...]}`.
pub fn subscribe(topics: &[&str]) -> String {
    json!({ "op": "subscribe", "args": topics }).to_string()
}

/// `{"op":"unsubscribe","args":[...]}`.
pub fn unsubscribe(topics: &[&str]) -> String {
    json!({ "op": "unsubscribe", "args": topics }).to_string()
}

/// A frame from either socket.
#[derive(Debug, PartialEq)]
pub enum Frame {
    /// A topic push.
    Push { topic: String, data: Value },
    /// The answer to the login.
    Login {
        success: bool,
        message: Option<String>,
    },
    /// Any other event (`subscribe`, `unsubscribe`, `error`, …).
    Event {
        event: String,
        message: Option<String>,
    },
    /// The heartbeat's answer.
    Pong,
}

/// Reads a book push straight into its type (the hot path: no intermediate JSON tree);
/// `None` for any other frame, which [`parse`] then reads.
pub fn parse_book(text: &str) -> Option<LmexPush<LmexBookUpdate>> {
    if !text.starts_with('{') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// Reads one text frame.
pub fn parse(text: &str) -> Result<Frame, serde_json::Error> {
    if text.trim() == PONG {
        return Ok(Frame::Pong);
    }
    let mut v: Value = serde_json::from_str(text)?;
    let message = v.get("message").and_then(Value::as_str).map(str::to_owned);
    if let Some(topic) = v.get("topic").and_then(Value::as_str).map(str::to_owned) {
        let data = v.get_mut("data").map(Value::take).unwrap_or(Value::Null);
        return Ok(Frame::Push { topic, data });
    }
    let event = v
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if event == "login" {
        let success = v.get("success").and_then(Value::as_bool).unwrap_or(false);
        return Ok(Frame::Login { success, message });
    }
    Ok(Frame::Event { event, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_built_from_the_host_or_kept() {
        assert_eq!(url(MAINNET, BOOK_PATH), "wss://ws.lmex.io/ws/oss/futures");
        assert_eq!(
            url("ws://127.0.0.1:9/", MAIN_PATH),
            "ws://127.0.0.1:9/ws/futures"
        );
        assert_eq!(
            url("ws://127.0.0.1:9/ws/futures", BOOK_PATH),
            "ws://127.0.0.1:9/ws/oss/futures"
        );
        assert_eq!(
            url("ws://127.0.0.1:9/ws/futures", MAIN_PATH),
            "ws://127.0.0.1:9/ws/futures"
        );
    }

    #[test]
    fn frames_parse() -> Result<(), serde_json::Error> {
        assert_eq!(parse("pong")?, Frame::Pong);
        assert_eq!(
            parse(r#"{"event":"login","success":false,"message":"bad signature"}"#)?,
            Frame::Login {
                success: false,
                message: Some("bad signature".into())
            }
        );
        assert!(matches!(
            parse(r#"{"event":"subscribe","channel":["fills"]}"#)?,
            Frame::Event { event, .. } if event == "subscribe"
        ));
        let Frame::Push { topic, data } = parse(r#"{"topic":"fills","data":[{"a":1}]}"#)? else {
            panic!("a push");
        };
        assert_eq!(topic, "fills");
        assert_eq!(data[0]["a"], 1);
        assert!(parse("{not json").is_err());
        let sub: Value = serde_json::from_str(&subscribe(&["update:BTC-PERP_0"]))?;
        assert_eq!(
            sub,
            json!({"op": "subscribe", "args": ["update:BTC-PERP_0"]})
        );
        Ok(())
    }
}

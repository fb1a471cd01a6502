//! LMEX ↔ core: order status codes, error codes, and the sequenced book stream.

use super::wire::{LmexBookUpdate, LmexError, LmexOrderAck};
use kestrel_core::{
    BookDelta, BookLevel, BookSnapshot, Error, ErrorKind, InstrumentId, LevelChange, OrderStatus,
    Side, VenueId,
};

/// What an order status code means (NOTES.md §2.4, from BTSE: 2 inserted, 4 fully
/// transacted, 5 partially transacted, 6 cancelled, 9 trigger inserted, 10 trigger
/// activated, 15 rejected, 16 not found). `None` for any other code: it reports a failure
/// instead of an order.
pub fn order_status(code: i64) -> Option<OrderStatus> {
    Some(match code {
        2 | 9 | 10 => OrderStatus::Open,
        4 => OrderStatus::Filled,
        5 => OrderStatus::PartiallyFilled,
        6 => OrderStatus::Cancelled,
        15 => OrderStatus::Rejected,
        _ => return None,
    })
}

/// An order answer that came back HTTP 200 but failed: a status the venue gives for
/// refusals (15 rejected, 16 not found, or any code that is not an order state) becomes a
/// typed error carrying the venue's message and code.
pub fn ack_error(ack: &LmexOrderAck) -> Option<Error> {
    let status = order_status(ack.status);
    let failed = matches!(status, None | Some(OrderStatus::Rejected)) || ack.status == 16;
    if !failed {
        return None;
    }
    let message = ack
        .message
        .clone()
        .unwrap_or_else(|| format!("LMEX refused the order (status {})", ack.status));
    let kind = match ack.status {
        16 => ErrorKind::NotFound,
        _ => ErrorKind::InvalidOrder {
            field: "order".into(),
        },
    };
    let mut e = Error::new(kind, message);
    e.venue_code = Some(ack.status.to_string());
    Some(e)
}

/// A non-2xx answer as a typed error (BTSE error codes: −1 system, −2 bad request, −7 auth,
/// −7006 unsupported symbol, …; HTTP 429 rate limit).
pub fn error(http: u16, body: &str) -> Error {
    let parsed: Option<LmexError> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| format!("LMEX answered HTTP {http}"));
    let code = parsed.as_ref().and_then(|e| e.error_code);
    let kind = match (http, code) {
        (429, _) => ErrorKind::RateLimited {
            retry_after_ms: None,
        },
        (401 | 403, _) | (_, Some(-7)) => ErrorKind::Auth,
        (_, Some(-7006)) => ErrorKind::NotFound,
        (404, _) => ErrorKind::NotFound,
        (500..=599, _) => ErrorKind::VenueUnavailable,
        _ => ErrorKind::InvalidOrder {
            field: "order".into(),
        },
    };
    let mut e = Error::new(kind, message);
    e.venue_code = code.map(|c| c.to_string());
    e
}

/// `BUY` / `SELL`.
pub fn side(text: &str) -> Option<Side> {
    match text {
        "BUY" | "buy" => Some(Side::Buy),
        "SELL" | "sell" => Some(Side::Sell),
        _ => None,
    }
}

/// A book stream message in the core model: a snapshot resets the book; a delta carries
/// the sequence it follows, so the engine's book detects a gap (and a crossed book).
pub enum BookMessage {
    Snapshot(BookSnapshot),
    Delta(BookDelta),
}

/// Maps one `update:<SYMBOL>_0` message for `instrument`.
pub fn book_message(instrument: &InstrumentId, u: &LmexBookUpdate) -> BookMessage {
    let level = |[price, size]: [rust_decimal::Decimal; 2]| BookLevel { price, size };
    if u.kind == "snapshot" {
        return BookMessage::Snapshot(BookSnapshot {
            instrument: instrument.clone(),
            bids: u.bids.iter().copied().map(level).collect(),
            asks: u.asks.iter().copied().map(level).collect(),
            sequence: Some(u.seq_num),
            ts: u.timestamp,
        });
    }
    let change = |side: Side| {
        move |[price, size]: [rust_decimal::Decimal; 2]| LevelChange { side, price, size }
    };
    let mut changes: Vec<LevelChange> = u.bids.iter().copied().map(change(Side::Buy)).collect();
    changes.extend(u.asks.iter().copied().map(change(Side::Sell)));
    BookMessage::Delta(BookDelta {
        instrument: instrument.clone(),
        changes,
        sequence: Some(u.seq_num),
        prev_sequence: u.prev_seq_num,
        ts: u.timestamp,
    })
}

/// LMEX's instrument id for a symbol.
pub fn instrument_id(symbol: &str) -> InstrumentId {
    InstrumentId::new(VenueId::Lmex, symbol)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lmex::wire::{LmexBook, LmexMarket, LmexPush};
    use kestrel_core::engine::OrderBook;
    use rust_decimal_macros::dec;

    fn parse<T: serde::de::DeserializeOwned>(json: &str) -> T {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn an_order_that_comes_back_200_with_a_failing_status_is_an_error() {
        let ok: LmexOrderAck = parse(
            r#"{"status":2,"symbol":"BTC-PERP","orderID":"o-1","clOrderID":"k-1","orderType":76,
                "side":"BUY","price":"50000","size":"10","timestamp":1700000000000}"#,
        );
        assert!(ack_error(&ok).is_none());
        assert_eq!(order_status(ok.status), Some(OrderStatus::Open));
        let refused: LmexOrderAck =
            parse(r#"{"status":135,"message":"Order price out of range","clOrderID":"k-2"}"#);
        let e = ack_error(&refused).unwrap_or_else(|| panic!("an error"));
        assert_eq!(e.message, "Order price out of range");
        assert_eq!(e.venue_code.as_deref(), Some("135"));
        let gone: LmexOrderAck = parse(r#"{"status":16}"#);
        assert_eq!(ack_error(&gone).map(|e| e.kind), Some(ErrorKind::NotFound));
    }

    #[test]
    fn error_codes_map_onto_the_core_kinds() {
        let auth = error(
            400,
            r#"{"status":400,"errorCode":-7,"message":"AUTHENTICATION_FAILED"}"#,
        );
        assert_eq!(auth.kind, ErrorKind::Auth);
        assert_eq!(auth.venue_code.as_deref(), Some("-7"));
        assert_eq!(
            error(400, r#"{"errorCode":-7006,"message":"symbol"}"#).kind,
            ErrorKind::NotFound
        );
        assert!(matches!(error(429, "").kind, ErrorKind::RateLimited { .. }));
        assert_eq!(error(503, "<html>").kind, ErrorKind::VenueUnavailable);
        assert!(matches!(
            error(400, r#"{"errorCode":-2,"message":"bad size"}"#).kind,
            ErrorKind::InvalidOrder { .. }
        ));
    }

    #[test]
    fn rest_shapes_from_the_docs_parse() {
        let m: Vec<LmexMarket> = parse(
            r#"[{"symbol":"BTC-PERP","active":true,"last":77054.5,"lowestAsk":77055.0,"highestBid":77054.5,
                 "fundingRate":0.0001,"fundingTime":1700006400000,"contractSize":0.00001,
                 "minPriceIncrement":0.5,"minOrderSize":1,"maxOrderSize":2000000,"minSizeIncrement":1,
                 "base":"BTC","quote":"USDT"}]"#,
        );
        assert_eq!(m[0].contract_size, dec!(0.00001));
        let book: LmexBook = parse(
            r#"{"symbol":"BTC-PERP","timestamp":1700000000000,
                "buyQuote":[{"price":"77054.5","size":"108350"}],
                "sellQuote":[{"price":"77055.0","size":"20"}]}"#,
        );
        assert_eq!(book.buy_quote[0].size, dec!(108350));
    }

    #[test]
    fn a_delta_after_a_gap_is_refused_by_the_book_and_a_snapshot_repairs_it() {
        let id = instrument_id("BTC-PERP");
        let msg = |json: &str| {
            let push: LmexPush<LmexBookUpdate> = parse(json);
            book_message(&id, &push.data)
        };
        let mut book = OrderBook::default();
        let apply = |book: &mut OrderBook, m: BookMessage| match m {
            BookMessage::Snapshot(s) => {
                book.apply_snapshot(&s);
                Ok(())
            }
            BookMessage::Delta(d) => book.apply_delta(&d),
        };
        let snapshot = r#"{"topic":"update:BTC-PERP_0","data":{"symbol":"BTC-PERP","type":"snapshot","seqNum":10,
            "bids":[["100.0","5"],["99.5","3"]],"asks":[["100.5","4"]],"timestamp":1}}"#;
        apply(&mut book, msg(snapshot)).unwrap_or_else(|e| panic!("{e:?}"));
        // In sequence: 99.5 removed (size 0), 100.5 changed.
        let next = r#"{"topic":"update:BTC-PERP_0","data":{"symbol":"BTC-PERP","type":"delta","seqNum":11,"prevSeqNum":10,
            "bids":[["99.5","0"]],"asks":[["100.5","7"]],"timestamp":2}}"#;
        apply(&mut book, msg(next)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(book.best_ask().map(|l| l.size), Some(dec!(7)));
        assert_eq!(book.view(10).bids.len(), 1);
        // 12 is missing: the delta naming 12 as its predecessor is a gap.
        let gap = r#"{"topic":"update:BTC-PERP_0","data":{"symbol":"BTC-PERP","type":"delta","seqNum":13,"prevSeqNum":12,
            "bids":[["100.0","1"]],"asks":[],"timestamp":3}}"#;
        assert!(apply(&mut book, msg(gap)).is_err(), "a gap is detected");
        apply(&mut book, msg(snapshot)).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(book.best_bid().map(|l| l.price), Some(dec!(100.0)));
    }
}

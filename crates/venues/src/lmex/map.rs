//! LMEX ↔ core: order status codes, error codes, and the sequenced book stream.

use super::wire::{
    LmexBookUpdate, LmexCandle, LmexError, LmexFill, LmexMarket, LmexOrder, LmexOrderAck,
    LmexPosition, LmexTrade, LmexWallet,
};
use kestrel_core::{
    Balance, BookDelta, BookLevel, BookSnapshot, Candle, ClientOrderId, ContractKind, Error,
    ErrorKind, Fill, Instrument, InstrumentId, InstrumentKind, LevelChange, Liquidity, MarginMode,
    Order, OrderId, OrderStatus, OrderType, Position, PositionSide, Result, Side, SizeUnit, Ticker,
    TimestampMs, Trade, TradeId, VenueId,
};
use rust_decimal::Decimal;

/// What an order status code means (BTSE: 2 inserted, 3 and 4 transacted, 5 partially
/// transacted, 6 cancelled, 7 refunded, 9 trigger inserted, 10 trigger activated, 15
/// rejected, 123 amended). `None` for any other code.
pub fn order_status(code: i64) -> Option<OrderStatus> {
    Some(match code {
        2 | 9 | 10 | 123 => OrderStatus::Open,
        3 | 4 => OrderStatus::Filled,
        5 => OrderStatus::PartiallyFilled,
        6 | 7 => OrderStatus::Cancelled,
        15 => OrderStatus::Rejected,
        _ => return None,
    })
}

/// Status codes that refuse a request: nothing was created or changed (1 market
/// unavailable, 8 insufficient balance, 12 and 41 risk limit, 15 rejected, 16 not found, 17
/// request failed, 64 liquidation under way, 101 price beyond liquidation, 135 price out of
/// range).
const REFUSALS: [i64; 10] = [1, 8, 12, 15, 16, 17, 41, 64, 101, 135];

/// What an order answer (HTTP 200) says happened.
#[derive(Debug)]
pub enum AckVerdict {
    /// The order is in a state the answer names.
    Done,
    /// Refused: nothing was created or changed.
    Refused(Error),
    /// An answer we cannot read as either (no status, or a code we do not know on an order
    /// the venue gave an id): the outcome is unknown, for the caller to reconcile.
    Unclear(String),
}

/// Sorts an order answer: an order can come back HTTP 200 with a failing status.
pub fn ack_verdict(ack: &LmexOrderAck) -> AckVerdict {
    let Some(code) = ack.status else {
        return AckVerdict::Unclear("LMEX answered an order request without a status".into());
    };
    let known = order_status(code);
    if known.is_some() && known != Some(OrderStatus::Rejected) {
        return AckVerdict::Done;
    }
    if known.is_none()
        && !REFUSALS.contains(&code)
        && ack.order_id.as_deref().is_some_and(|id| !id.is_empty())
    {
        return AckVerdict::Unclear(format!(
            "LMEX answered status {code} for order {}",
            ack.order_id.as_deref().unwrap_or_default()
        ));
    }
    let message = ack
        .message
        .clone()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| format!("LMEX refused the order (status {code})"));
    let kind = match code {
        16 => ErrorKind::NotFound,
        _ => ErrorKind::InvalidOrder {
            field: "order".into(),
        },
    };
    let mut e = Error::new(kind, message);
    e.venue_code = Some(code.to_string());
    AckVerdict::Refused(e)
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

/// An instrument from its `market_summary` entry: linear, sized in whole contracts of
/// `contractSize` base units, margined and settled in USDT.
pub fn instrument(m: &LmexMarket) -> Instrument {
    let base = m
        .base
        .clone()
        .unwrap_or_else(|| m.symbol.split('-').next().unwrap_or(&m.symbol).to_owned());
    let quote = "USDT".to_owned();
    Instrument {
        id: instrument_id(&m.symbol),
        display_name: format!("{base}/{quote} perpetual"),
        kind: InstrumentKind::Perpetual,
        contract: ContractKind::Linear,
        base,
        quote: quote.clone(),
        settle: quote,
        price_tick: m.min_price_increment,
        size_step: m.min_size_increment.max(Decimal::ONE),
        min_size: m.min_order_size.max(Decimal::ONE),
        max_size: m.max_order_size,
        size_unit: SizeUnit::Contracts,
        contract_size: m.contract_size,
        max_leverage: Decimal::from(100),
        maker_fee: Decimal::new(2, 4),
        taker_fee: Decimal::new(5, 4),
    }
}

/// The ticker a `market_summary` entry describes.
pub fn ticker(m: &LmexMarket, now: TimestampMs) -> Ticker {
    Ticker {
        instrument: instrument_id(&m.symbol),
        last: m.last,
        bid: m.highest_bid.filter(|p| !p.is_zero()),
        ask: m.lowest_ask.filter(|p| !p.is_zero()),
        mark: m.last,
        index: None,
        funding_rate: m.funding_rate,
        next_funding_at: m.funding_time,
        volume_24h: m.volume,
        ts: now,
    }
}

/// A candle from an `ohlcv` row (its time is in seconds).
pub fn candle(row: &LmexCandle) -> Candle {
    let (time_s, open, high, low, close, volume) = *row;
    Candle {
        open_time: time_s.saturating_mul(1_000),
        open,
        high,
        low,
        close,
        volume,
    }
}

/// What kind of order a row is: 76 limit, 77 market, 80 algo (a stop, or a trigger).
fn order_type(row: &LmexOrder) -> OrderType {
    let algo = row.order_type == Some(80)
        || row.trigger_order == Some(true)
        || matches!(row.tx_type.as_deref(), Some("STOP" | "TRIGGER"));
    match row.order_type {
        _ if algo => OrderType::Stop,
        Some(77) => OrderType::Market,
        _ => OrderType::Limit,
    }
}

/// An order row in the core model. Rows without a status code are working orders (open
/// order rows carry `orderState` instead).
pub fn order(row: &LmexOrder, now: TimestampMs) -> Result<Order> {
    let symbol = row
        .symbol
        .as_deref()
        .ok_or_else(|| Error::protocol("LMEX order without a symbol"))?;
    let side = row
        .side
        .as_deref()
        .and_then(side)
        .ok_or_else(|| Error::protocol("LMEX order without a side"))?;
    let client_order_id = row
        .cl_order_id
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| row.order_id.clone())
        .ok_or_else(|| Error::protocol("LMEX order without an id"))?;
    let size = row
        .original_size
        .or(row.size)
        .ok_or_else(|| Error::protocol("LMEX order without a size"))?;
    let filled = row.filled_size.unwrap_or(Decimal::ZERO);
    let status = match row.status {
        // A working order with fills is partly filled, whatever code says it works.
        Some(code) if order_status(code) == Some(OrderStatus::Open) && filled > Decimal::ZERO => {
            OrderStatus::PartiallyFilled
        }
        Some(code) => order_status(code).ok_or_else(|| {
            Error::protocol(format!(
                "LMEX order {client_order_id} in unknown state {code}"
            ))
        })?,
        None if row.order_state.as_deref() == Some("STATUS_INACTIVE") => OrderStatus::Cancelled,
        None if filled > Decimal::ZERO => OrderStatus::PartiallyFilled,
        None => OrderStatus::Open,
    };
    let kind = order_type(row);
    let price = row.price.filter(|p| !p.is_zero());
    let ts = row.timestamp.unwrap_or(now);
    Ok(Order {
        id: row.order_id.clone().map(OrderId),
        client_order_id: ClientOrderId(client_order_id),
        instrument: instrument_id(symbol),
        side,
        order_type: kind,
        status,
        size,
        filled_size: filled,
        price: if kind == OrderType::Market {
            None
        } else {
            price
        },
        trigger_price: row.trigger_price.filter(|p| !p.is_zero()),
        avg_fill_price: row.average_fill_price.filter(|p| !p.is_zero()),
        reduce_only: row.reduce_only.unwrap_or(false),
        post_only: row.post_only.unwrap_or(false),
        leverage: None,
        created_at: ts,
        // The state is as of now: REST rows carry the order's creation time, and a state
        // read now must not look older than one pushed a moment ago.
        updated_at: ts.max(now),
        reason: row.message.clone().filter(|m| !m.is_empty()),
    })
}

/// A position row in the core model; `None` for a flat row.
pub fn position(
    row: &LmexPosition,
    contract_size: Decimal,
    now: TimestampMs,
) -> Result<Option<Position>> {
    if row.size.is_zero() {
        return Ok(None);
    }
    let side = match side(&row.side) {
        Some(Side::Buy) => PositionSide::Long,
        Some(Side::Sell) => PositionSide::Short,
        None => return Err(Error::protocol(format!("LMEX position side {}", row.side))),
    };
    let size = row.size.abs();
    let isolated = row.margin_type == Some(92);
    let leverage = if isolated {
        row.isolated_leverage.or(row.current_leverage)
    } else {
        row.current_leverage.or(row.isolated_leverage)
    }
    .filter(|l| *l > Decimal::ZERO)
    .unwrap_or(Decimal::ONE);
    let notional = size
        .checked_mul(contract_size)
        .and_then(|n| n.checked_mul(row.entry_price))
        .ok_or_else(|| Error::protocol(format!("LMEX position {} out of range", row.symbol)))?;
    let margin = notional.checked_div(leverage).unwrap_or(notional);
    let stop = row.stop_loss_order.as_ref();
    Ok(Some(Position {
        instrument: instrument_id(&row.symbol),
        side,
        size,
        entry_price: row.entry_price,
        mark_price: row.mark_price,
        margin: margin.round_dp(8),
        leverage,
        margin_mode: if isolated {
            MarginMode::Isolated
        } else {
            MarginMode::Cross
        },
        liquidation_price: row.liquidation_price.filter(|p| !p.is_zero()),
        unrealized_pnl: row.unrealized_profit_loss,
        realized_pnl: Decimal::ZERO,
        take_profit: row
            .take_profit_order
            .as_ref()
            .and_then(|e| e.trigger_price)
            .filter(|p| !p.is_zero()),
        stop_loss: stop.and_then(|e| e.trigger_price).filter(|p| !p.is_zero()),
        stop_loss_trail: stop.and_then(|e| e.trail_value).filter(|t| !t.is_zero()),
        updated_at: row.timestamp.unwrap_or(now),
    }))
}

/// An own fill in the core model.
pub fn fill(row: &LmexFill) -> Result<Fill> {
    let side = side(&row.side).ok_or_else(|| Error::protocol("LMEX fill without a side"))?;
    let price = row
        .filled_price
        .or(row.price)
        .filter(|p| !p.is_zero())
        .ok_or_else(|| Error::protocol("LMEX fill without a price"))?;
    let size = row
        .filled_size
        .or(row.size)
        .ok_or_else(|| Error::protocol("LMEX fill without a size"))?;
    let id = row
        .trade_id
        .as_ref()
        .or(row.serial_id.as_ref())
        .map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .ok_or_else(|| Error::protocol("LMEX fill without an id"))?;
    Ok(Fill {
        trade_id: TradeId(id),
        order_id: row.order_id.clone().map(OrderId),
        client_order_id: row
            .cl_order_id
            .clone()
            .filter(|c| !c.is_empty())
            .map(ClientOrderId),
        instrument: instrument_id(&row.symbol),
        side,
        price,
        size,
        fee: row.fee_amount,
        liquidity: if row.maker == Some(true) {
            Liquidity::Maker
        } else {
            Liquidity::Taker
        },
        realized_pnl: row.realized_pnl,
        ts: row.timestamp,
    })
}

/// The account's USDT balance from its wallets (the cross wallet holds it on a unified
/// futures account).
pub fn balance(wallets: &[LmexWallet]) -> Balance {
    let mut b = Balance {
        currency: "USDT".into(),
        wallet: Decimal::ZERO,
        available: Decimal::ZERO,
        margin_used: Decimal::ZERO,
        unrealized_pnl: Decimal::ZERO,
        equity: Decimal::ZERO,
    };
    let add = |a: Decimal, b: Decimal| a.checked_add(b).unwrap_or(a);
    for w in wallets {
        let cash = w
            .assets
            .iter()
            .filter(|a| a.currency == "USDT")
            .fold(Decimal::ZERO, |sum, a| add(sum, a.balance));
        b.wallet = add(
            b.wallet,
            if w.assets.is_empty() {
                w.total_value
            } else {
                cash
            },
        );
        b.available = add(b.available, w.available_balance);
        b.unrealized_pnl = add(b.unrealized_pnl, w.unrealised_profit_loss);
        b.equity = add(b.equity, w.margin_balance);
    }
    b.margin_used = b
        .equity
        .checked_sub(b.available)
        .unwrap_or(Decimal::ZERO)
        .max(Decimal::ZERO);
    b
}

/// A public trade.
pub fn trade(symbol: &str, t: &LmexTrade) -> Option<Trade> {
    Some(Trade {
        instrument: instrument_id(symbol),
        trade_id: TradeId(match t.trade_id.as_ref()? {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        }),
        price: t.price,
        size: t.size,
        taker_side: side(&t.side)?,
        ts: t.timestamp,
    })
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
        assert!(matches!(ack_verdict(&ok), AckVerdict::Done));
        assert_eq!(
            order_status(ok.status.unwrap_or(0)),
            Some(OrderStatus::Open)
        );
        let refused: LmexOrderAck =
            parse(r#"{"status":135,"message":"Order price out of range","clOrderID":"k-2"}"#);
        let AckVerdict::Refused(e) = ack_verdict(&refused) else {
            panic!("a refusal");
        };
        assert_eq!(e.message, "Order price out of range");
        assert_eq!(e.venue_code.as_deref(), Some("135"));
        let gone: LmexOrderAck = parse(r#"{"status":16}"#);
        assert!(
            matches!(ack_verdict(&gone), AckVerdict::Refused(e) if e.kind == ErrorKind::NotFound)
        );
        // No status, or a code we do not know on an order the venue named: unknown, never
        // a refusal (the order may be live).
        let bare: LmexOrderAck = parse(r#"{"orderID":"o-9","clOrderID":"k-9"}"#);
        assert!(matches!(ack_verdict(&bare), AckVerdict::Unclear(_)));
        let odd: LmexOrderAck = parse(r#"{"status":1003,"orderID":"o-9","clOrderID":"k-9"}"#);
        assert!(matches!(ack_verdict(&odd), AckVerdict::Unclear(_)));
        let odd_without_id: LmexOrderAck = parse(r#"{"status":1003,"clOrderID":"k-9"}"#);
        assert!(matches!(
            ack_verdict(&odd_without_id),
            AckVerdict::Refused(_)
        ));
        // Working with fills is partly filled.
        let part: LmexOrderAck = parse(
            r#"{"status":2,"symbol":"BTC-PERP","orderID":"o-1","clOrderID":"k-1","side":"BUY",
                "price":50000,"size":10,"filledSize":4}"#,
        );
        assert_eq!(
            order(&part, 0).map(|o| o.status).ok(),
            Some(OrderStatus::PartiallyFilled)
        );
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

/// The book stream against a reference book: whatever valid sequence of changes the venue
/// sends, the book rebuilt from its JSON equals the venue's; a lost message is always caught.
#[cfg(test)]
mod book_stream {
    use super::*;
    use crate::lmex::ws;
    use kestrel_core::engine::OrderBook;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    /// The venue's side of the story: levels by price, and the JSON it would send.
    #[derive(Default)]
    struct Venue {
        bids: BTreeMap<i64, u64>,
        asks: BTreeMap<i64, u64>,
        seq: u64,
    }

    /// Prices in half-dollar ticks: bids below 100 000, asks at or above, so never crossed.
    fn price(ticks: i64) -> String {
        Decimal::new(ticks * 5, 1).normalize().to_string()
    }

    fn levels(side: &BTreeMap<i64, u64>) -> Vec<[String; 2]> {
        side.iter()
            .map(|(p, s)| [price(*p), s.to_string()])
            .collect()
    }

    impl Venue {
        fn snapshot(&mut self) -> String {
            self.seq += 1;
            serde_json::json!({"topic": "update:BTC-PERP_0", "data": {"symbol": "BTC-PERP",
                "type": "snapshot", "seqNum": self.seq, "prevSeqNum": self.seq - 1,
                "bids": levels(&self.bids), "asks": levels(&self.asks), "timestamp": 1}})
            .to_string()
        }

        /// One delta: `(bid, tick offset, size)` changes; size 0 removes the level.
        fn delta(&mut self, changes: &[(bool, i64, u64)]) -> String {
            let (mut bids, mut asks) = (Vec::new(), Vec::new());
            for &(bid, offset, size) in changes {
                let (book, out, p) = if bid {
                    (&mut self.bids, &mut bids, 199_999 - offset)
                } else {
                    (&mut self.asks, &mut asks, 200_000 + offset)
                };
                if size == 0 {
                    book.remove(&p);
                } else {
                    book.insert(p, size);
                }
                out.push([price(p), size.to_string()]);
            }
            let prev = self.seq;
            self.seq += 1;
            serde_json::json!({"topic": "update:BTC-PERP_0", "data": {"symbol": "BTC-PERP",
                "type": "delta", "seqNum": self.seq, "prevSeqNum": prev,
                "bids": bids, "asks": asks, "timestamp": 2}})
            .to_string()
        }
    }

    fn apply(book: &mut OrderBook, text: &str) -> std::result::Result<(), String> {
        let push = ws::parse_book(text).ok_or("not a book push")?;
        match book_message(&instrument_id("BTC-PERP"), &push.data) {
            BookMessage::Snapshot(s) => {
                book.apply_snapshot(&s);
                Ok(())
            }
            BookMessage::Delta(d) => book.apply_delta(&d).map_err(|e| format!("{e:?}")),
        }
    }

    fn same(book: &OrderBook, venue: &Venue) -> bool {
        let view = book.view(usize::MAX);
        let bids: Vec<(String, String)> = view
            .bids
            .iter()
            .map(|l| (l.price.normalize().to_string(), l.size.to_string()))
            .collect();
        let asks: Vec<(String, String)> = view
            .asks
            .iter()
            .map(|l| (l.price.normalize().to_string(), l.size.to_string()))
            .collect();
        let want_bids: Vec<(String, String)> = venue
            .bids
            .iter()
            .rev()
            .map(|(p, s)| (price(*p), s.to_string()))
            .collect();
        let want_asks: Vec<(String, String)> = venue
            .asks
            .iter()
            .map(|(p, s)| (price(*p), s.to_string()))
            .collect();
        bids == want_bids && asks == want_asks
    }

    fn change() -> impl Strategy<Value = (bool, i64, u64)> {
        (
            any::<bool>(),
            0i64..60,
            prop_oneof![Just(0u64), 1u64..500_000],
        )
    }

    proptest! {
        #[test]
        fn a_valid_delta_stream_rebuilds_the_venues_book(
            start in proptest::collection::vec(change(), 0..60),
            deltas in proptest::collection::vec(proptest::collection::vec(change(), 1..6), 1..120),
            lost in any::<prop::sample::Index>(),
        ) {
            let mut venue = Venue::default();
            venue.delta(&start);
            let mut book = OrderBook::default();
            prop_assert!(apply(&mut book, &venue.snapshot()).is_ok());
            prop_assert!(same(&book, &venue));
            let texts: Vec<String> = deltas.iter().map(|d| venue.delta(d)).collect();
            for text in &texts {
                prop_assert!(apply(&mut book, text).is_ok(), "{}", text);
            }
            prop_assert!(same(&book, &venue));

            // The same stream with one message lost: the next one is refused, and the book
            // is repaired by the snapshot a resubscribe brings.
            let mut replay = OrderBook::default();
            let mut venue2 = Venue::default();
            venue2.delta(&start);
            prop_assert!(apply(&mut replay, &venue2.snapshot()).is_ok());
            let texts: Vec<String> = deltas.iter().map(|d| venue2.delta(d)).collect();
            let skip = lost.index(texts.len());
            let mut refused = false;
            for (i, text) in texts.iter().enumerate() {
                if i == skip {
                    continue;
                }
                if apply(&mut replay, text).is_err() {
                    refused = true;
                    break;
                }
            }
            prop_assert!(refused || skip == texts.len() - 1, "a lost delta is caught at the next one");
            prop_assert!(apply(&mut replay, &venue2.snapshot()).is_ok());
            prop_assert!(same(&replay, &venue2));
        }
    }
}

//! LN Markets wire types → Kestrel's model, and the venue's errors → `kestrel_core::Error`.

use super::maths::{self, SATS_PER_BTC};
use super::wire::{LnmCandle, LnmError, LnmSide, LnmTicker, LnmTrade, LnmTradeType};
use kestrel_core::{
    BookLevel, BookSnapshot, Candle, ClientOrderId, ContractKind, Error, ErrorKind, Instrument,
    InstrumentId, InstrumentKind, MarginMode, Order, OrderId, OrderStatus, OrderType, Position,
    PositionSide, Side, SizeUnit, Ticker, TimestampMs, VenueId,
};
use rust_decimal::Decimal;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The venue's one market's symbol.
pub const SYMBOL: &str = "BTC/USD";

/// The BTC/USD inverse perpetual, isolated margin.
pub fn instrument() -> Instrument {
    Instrument {
        id: InstrumentId::new(VenueId::LnMarkets, SYMBOL),
        display_name: "BTC/USD inverse perpetual".into(),
        kind: InstrumentKind::Perpetual,
        contract: ContractKind::Inverse,
        base: "BTC".into(),
        quote: "USD".into(),
        settle: "BTC".into(),
        price_tick: maths::PRICE_TICK,
        size_step: Decimal::ONE,
        min_size: Decimal::from(maths::MIN_QUANTITY),
        max_size: Decimal::from(maths::MAX_QUANTITY),
        size_unit: SizeUnit::Contracts,
        contract_size: Decimal::ONE,
        max_leverage: Decimal::from(maths::MAX_LEVERAGE),
        maker_fee: Decimal::new(1, 3),
        taker_fee: Decimal::new(1, 3),
    }
}

/// Sats as a BTC amount (exact).
pub fn btc(sats: i64) -> Decimal {
    Decimal::from(sats) / Decimal::from(SATS_PER_BTC)
}

/// An ISO-8601 timestamp as epoch milliseconds.
pub fn parse_time(text: &str) -> Result<TimestampMs, Error> {
    let t = OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| Error::protocol(format!("LN Markets sent the time '{text}': {e}")))?;
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| Error::protocol(format!("LN Markets sent the time '{text}' out of range")))
}

/// Epoch milliseconds as the ISO-8601 string the venue's query parameters take.
pub fn format_time(ms: TimestampMs) -> Result<String, Error> {
    let t = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .map_err(|e| Error::protocol(format!("time {ms} out of range: {e}")))?;
    t.format(&Rfc3339)
        .map_err(|e| Error::protocol(format!("time {ms}: {e}")))
}

/// The ticker, quoting the best (smallest-size) tier.
pub fn ticker(t: &LnmTicker, now: TimestampMs) -> Ticker {
    let best = t.prices.iter().min_by_key(|p| p.min_size);
    Ticker {
        instrument: instrument().id,
        last: Some(t.last_price),
        bid: best.map(|p| p.bid_price),
        ask: best.map(|p| p.ask_price),
        mark: Some(t.index),
        index: Some(t.index),
        funding_rate: Some(t.funding_rate),
        next_funding_at: parse_time(&t.funding_time).ok(),
        volume_24h: None,
        ts: now,
    }
}

/// The size-tiered quote as a small book: each tier is a level holding the sizes it covers.
pub fn tier_book(t: &LnmTicker, now: TimestampMs) -> BookSnapshot {
    let mut tiers: Vec<_> = t.prices.iter().collect();
    tiers.sort_by_key(|p| p.min_size);
    let level = |price: Decimal, p: &super::wire::LnmPriceTier| BookLevel {
        price,
        size: (p.max_size - p.min_size).max(Decimal::ONE),
    };
    BookSnapshot {
        instrument: instrument().id,
        bids: tiers.iter().map(|p| level(p.bid_price, p)).collect(),
        asks: tiers.iter().map(|p| level(p.ask_price, p)).collect(),
        sequence: None,
        ts: now,
    }
}

/// One candle.
pub fn candle(c: &LnmCandle) -> Result<Candle, Error> {
    Ok(Candle {
        open_time: parse_time(&c.time)?,
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
    })
}

fn side(s: LnmSide) -> Side {
    match s {
        LnmSide::Buy => Side::Buy,
        LnmSide::Sell => Side::Sell,
    }
}

/// A trade as an order: open limit orders are working, running and closed trades filled.
pub fn order(t: &LnmTrade) -> Result<Order, Error> {
    let created_at = parse_time(&t.created_at)?;
    let filled_at = t.filled_at.as_deref().map(parse_time).transpose()?;
    let closed_at = t.closed_at.as_deref().map(parse_time).transpose()?;
    let status = if t.canceled {
        OrderStatus::Cancelled
    } else if t.running || t.closed || filled_at.is_some() {
        OrderStatus::Filled
    } else {
        OrderStatus::Open
    };
    let quantity = Decimal::from(t.quantity);
    Ok(Order {
        id: Some(OrderId(t.id.clone())),
        client_order_id: ClientOrderId(t.client_id.clone().unwrap_or_else(|| t.id.clone())),
        instrument: instrument().id,
        side: side(t.side),
        order_type: match t.kind {
            LnmTradeType::Market => OrderType::Market,
            LnmTradeType::Limit => OrderType::Limit,
        },
        status,
        size: quantity,
        filled_size: if status == OrderStatus::Filled {
            quantity
        } else {
            Decimal::ZERO
        },
        price: (t.kind == LnmTradeType::Limit).then_some(t.price),
        trigger_price: None,
        avg_fill_price: t.entry_price,
        reduce_only: false,
        post_only: false,
        leverage: Some(t.leverage),
        created_at,
        updated_at: closed_at.or(filled_at).unwrap_or(created_at),
        reason: None,
    })
}

/// A running trade as a position, valued at the bid (long) or offer (short).
pub fn position(
    t: &LnmTrade,
    bid: Decimal,
    ask: Decimal,
    now: TimestampMs,
) -> Result<Position, Error> {
    let entry = t
        .entry_price
        .ok_or_else(|| Error::protocol(format!("running trade {} has no entry price", t.id)))?;
    let s = side(t.side);
    let exit = match s {
        Side::Buy => bid,
        Side::Sell => ask,
    };
    let optional = |d: Decimal| (d > Decimal::ZERO).then_some(d);
    Ok(Position {
        instrument: instrument().id,
        side: match s {
            Side::Buy => PositionSide::Long,
            Side::Sell => PositionSide::Short,
        },
        size: Decimal::from(t.quantity),
        entry_price: entry,
        mark_price: Some(exit),
        margin: btc(t.margin),
        leverage: t.leverage,
        margin_mode: MarginMode::Isolated,
        liquidation_price: optional(t.liquidation),
        unrealized_pnl: btc(maths::pnl_sats(s, t.quantity, entry, exit)),
        realized_pnl: btc(-t.sum_funding_fees),
        take_profit: optional(t.takeprofit),
        stop_loss: optional(t.stoploss),
        stop_loss_trail: optional(t.stoploss_trailing_distance),
        updated_at: now,
    })
}

/// A non-2xx answer as a typed error, keeping the venue's code.
pub fn error(status: u16, body: &str, retry_after_ms: Option<u64>) -> Error {
    let parsed: Option<LnmError> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| format!("LN Markets answered HTTP {status}"));
    let code = parsed.and_then(|e| e.code).map(|c| match c {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    });
    let lower = message.to_lowercase();
    let kind = match status {
        401 if lower.contains("timestamp") => ErrorKind::ClockSkew,
        401 => ErrorKind::Auth,
        403 => ErrorKind::Permission,
        404 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited { retry_after_ms },
        400 | 422 if lower.contains("balance") || lower.contains("insufficient") => {
            ErrorKind::InsufficientFunds
        }
        400 | 422 => ErrorKind::InvalidOrder {
            field: field_of(&lower).into(),
        },
        500..=599 => ErrorKind::VenueUnavailable,
        _ => ErrorKind::Protocol,
    };
    let error = Error::new(kind, message);
    match code {
        Some(code) => error.with_venue_code(code),
        None => error.with_venue_code(status.to_string()),
    }
}

/// Which ticket field a validation message is about, from its wording.
fn field_of(message: &str) -> &'static str {
    for (needle, field) in [
        ("leverage", "leverage"),
        ("quantity", "size"),
        ("margin", "size"),
        ("stoploss", "stop_loss"),
        ("takeprofit", "take_profit"),
        ("price", "price"),
    ] {
        if message.contains(needle) {
            return field;
        }
    }
    "order"
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ticker_json() -> LnmTicker {
        serde_json::from_str(
            r#"{"index":91250.12,"lastPrice":91251.5,"fundingRate":0.0001,
                "fundingTime":"2026-11-23T12:00:00.000Z",
                "prices":[{"minSize":100000,"maxSize":500000,"bidPrice":91240,"askPrice":91262.5},
                          {"minSize":1,"maxSize":100000,"bidPrice":91250,"askPrice":91252.5}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_ticker_quotes_the_smallest_tier_and_the_tiers_form_a_book() {
        let t = ticker_json();
        let k = ticker(&t, 5);
        assert_eq!(
            (k.bid, k.ask, k.last),
            (Some(dec!(91250)), Some(dec!(91252.5)), Some(dec!(91251.5)))
        );
        assert_eq!(k.funding_rate, Some(dec!(0.0001)));
        assert_eq!(k.next_funding_at, Some(1_795_435_200_000));
        let book = tier_book(&t, 5);
        assert_eq!(book.bids[0].price, dec!(91250));
        assert_eq!(book.asks[1].price, dec!(91262.5));
        assert_eq!(book.bids[1].size, dec!(400000));
    }

    #[test]
    fn times_round_trip_through_iso_8601() {
        let ms = parse_time("2023-11-14T22:13:20.000Z").unwrap();
        assert_eq!(ms, 1_700_000_000_000);
        assert_eq!(format_time(ms).unwrap(), "2023-11-14T22:13:20Z");
        assert!(parse_time("yesterday").is_err());
    }

    #[test]
    fn venue_errors_become_typed_errors_with_the_venue_code() {
        struct Case {
            status: u16,
            body: &'static str,
            kind: ErrorKind,
        }
        let cases = [
            Case {
                status: 401,
                body: r#"{"message":"Invalid signature","code":"UNAUTHORIZED"}"#,
                kind: ErrorKind::Auth,
            },
            Case {
                status: 401,
                body: r#"{"message":"Timestamp is too far from server time"}"#,
                kind: ErrorKind::ClockSkew,
            },
            Case {
                status: 403,
                body: r#"{"message":"Missing permission futures:isolated:write"}"#,
                kind: ErrorKind::Permission,
            },
            Case {
                status: 429,
                body: "",
                kind: ErrorKind::RateLimited {
                    retry_after_ms: Some(2_000),
                },
            },
            Case {
                status: 400,
                body: r#"{"message":"Insufficient balance"}"#,
                kind: ErrorKind::InsufficientFunds,
            },
            Case {
                status: 400,
                body: r#"{"message":"leverage must be <= 100"}"#,
                kind: ErrorKind::InvalidOrder {
                    field: "leverage".into(),
                },
            },
            Case {
                status: 503,
                body: "<html>",
                kind: ErrorKind::VenueUnavailable,
            },
            Case {
                status: 404,
                body: r#"{"message":"Trade not found"}"#,
                kind: ErrorKind::NotFound,
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            let e = error(c.status, c.body, Some(2_000));
            assert_eq!(e.kind, c.kind, "case {i}");
            assert!(e.venue_code.is_some() && !e.message.is_empty(), "case {i}");
        }
        assert_eq!(
            error(401, r#"{"message":"x","code":"UNAUTHORIZED"}"#, None)
                .venue_code
                .as_deref(),
            Some("UNAUTHORIZED")
        );
    }

    #[test]
    fn trades_become_orders_and_positions() {
        let t: LnmTrade = serde_json::from_str(
            r#"{"id":"t1","uid":"u","type":"market","side":"buy","price":50000,"quantity":100,
                "margin":20000,"leverage":10,"liquidation":45455,"maintenanceMargin":400,
                "openingFee":200,"closingFee":220,"entryPrice":50000,"exitPrice":null,"pl":0,
                "stoploss":0,"takeprofit":60000,"sumFundingFees":12,"entryMargin":20000,
                "createdAt":"2023-11-14T22:13:20.000Z","filledAt":"2023-11-14T22:13:20.000Z",
                "closedAt":null,"open":false,"running":true,"closed":false,"canceled":false,
                "clientId":"k-1","stoplossTrailingDistance":0,"sumCashInMargin":0,"sumCashInPl":0}"#,
        )
        .unwrap();
        let o = order(&t).unwrap();
        assert_eq!(
            (o.status, o.client_order_id.as_str()),
            (OrderStatus::Filled, "k-1")
        );
        let p = position(&t, dec!(100000), dec!(100001), 0).unwrap();
        assert_eq!(p.unrealized_pnl, dec!(0.001));
        assert_eq!(p.margin, dec!(0.0002));
        assert_eq!(p.take_profit, Some(dec!(60000)));
        assert_eq!(p.stop_loss, None);
        assert_eq!(p.realized_pnl, dec!(-0.00000012));
    }
}

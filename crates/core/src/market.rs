//! Market data: tickers, trades, candles and order books.

use crate::clock::TimestampMs;
use crate::ids::{InstrumentId, TradeId};
use crate::order::Side;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Best prices and reference prices for an instrument.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Ticker {
    pub instrument: InstrumentId,
    pub last: Option<Decimal>,
    pub bid: Option<Decimal>,
    pub ask: Option<Decimal>,
    pub mark: Option<Decimal>,
    pub index: Option<Decimal>,
    /// Funding rate for the current period, as a fraction.
    pub funding_rate: Option<Decimal>,
    pub next_funding_at: Option<TimestampMs>,
    pub volume_24h: Option<Decimal>,
    pub ts: TimestampMs,
}

impl Ticker {
    /// Midpoint of bid and ask, or the last price when one side is missing.
    pub fn mid(&self) -> Option<Decimal> {
        match (self.bid, self.ask) {
            (Some(b), Some(a)) => Some((b + a) / Decimal::TWO),
            _ => self.last.or(self.mark),
        }
    }
}

/// One public trade print.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Trade {
    pub instrument: InstrumentId,
    pub trade_id: TradeId,
    pub price: Decimal,
    pub size: Decimal,
    /// The side of the aggressor.
    pub taker_side: Side,
    pub ts: TimestampMs,
}

/// Candle intervals: every range LN Markets' v3 offers (the widest set of the venues).
/// Weeks start on Monday 00:00 UTC, months on the 1st, quarters in January, April, July
/// and October.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Timeframe {
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "3m")]
    M3,
    #[serde(rename = "5m")]
    M5,
    #[serde(rename = "10m")]
    M10,
    #[serde(rename = "15m")]
    M15,
    #[serde(rename = "30m")]
    M30,
    #[serde(rename = "45m")]
    M45,
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "2h")]
    H2,
    #[serde(rename = "3h")]
    H3,
    #[serde(rename = "4h")]
    H4,
    #[serde(rename = "1d")]
    D1,
    #[serde(rename = "1w")]
    W1,
    #[serde(rename = "1month")]
    Month1,
    #[serde(rename = "3months")]
    Month3,
}

const MINUTE: i64 = 60_000;
const DAY: i64 = 86_400_000;

impl Timeframe {
    /// Every timeframe, shortest first.
    pub const ALL: [Timeframe; 15] = [
        Timeframe::M1,
        Timeframe::M3,
        Timeframe::M5,
        Timeframe::M10,
        Timeframe::M15,
        Timeframe::M30,
        Timeframe::M45,
        Timeframe::H1,
        Timeframe::H2,
        Timeframe::H3,
        Timeframe::H4,
        Timeframe::D1,
        Timeframe::W1,
        Timeframe::Month1,
        Timeframe::Month3,
    ];

    /// The short name, as it crosses IPC (and as LN Markets names its ranges): `1m` … `3months`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Timeframe::M1 => "1m",
            Timeframe::M3 => "3m",
            Timeframe::M5 => "5m",
            Timeframe::M10 => "10m",
            Timeframe::M15 => "15m",
            Timeframe::M30 => "30m",
            Timeframe::M45 => "45m",
            Timeframe::H1 => "1h",
            Timeframe::H2 => "2h",
            Timeframe::H3 => "3h",
            Timeframe::H4 => "4h",
            Timeframe::D1 => "1d",
            Timeframe::W1 => "1w",
            Timeframe::Month1 => "1month",
            Timeframe::Month3 => "3months",
        }
    }

    /// Length of one candle in milliseconds; nominal (30 and 91 days) for months, whose
    /// real lengths vary — `bucket` is exact.
    pub const fn millis(self) -> i64 {
        match self {
            Timeframe::M1 => MINUTE,
            Timeframe::M3 => 3 * MINUTE,
            Timeframe::M5 => 5 * MINUTE,
            Timeframe::M10 => 10 * MINUTE,
            Timeframe::M15 => 15 * MINUTE,
            Timeframe::M30 => 30 * MINUTE,
            Timeframe::M45 => 45 * MINUTE,
            Timeframe::H1 => 60 * MINUTE,
            Timeframe::H2 => 120 * MINUTE,
            Timeframe::H3 => 180 * MINUTE,
            Timeframe::H4 => 240 * MINUTE,
            Timeframe::D1 => DAY,
            Timeframe::W1 => 7 * DAY,
            Timeframe::Month1 => 30 * DAY,
            Timeframe::Month3 => 91 * DAY,
        }
    }

    /// Start of the candle that contains `ts`.
    pub const fn bucket(self, ts: TimestampMs) -> TimestampMs {
        match self {
            // 1970-01-01 was a Thursday: weeks are counted from Monday the 5th.
            Timeframe::W1 => ts - (ts - 4 * DAY).rem_euclid(7 * DAY),
            Timeframe::Month1 => month_start(ts, 1),
            Timeframe::Month3 => month_start(ts, 3),
            _ => ts - ts.rem_euclid(self.millis()),
        }
    }
}

/// Midnight UTC on the first day of the `every`-month period (counted from January) that
/// holds `ts`.
const fn month_start(ts: TimestampMs, every: i64) -> TimestampMs {
    let (year, month, _) = civil_from_days(ts.div_euclid(DAY));
    let month = month - (month - 1) % every;
    days_from_civil(year, month, 1) * DAY
}

/// Days since 1970-01-01 → (year, month 1–12, day 1–31), proleptic Gregorian (H. Hinnant's
/// `civil_from_days`).
const fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year, month, day)
}

/// (year, month, day) → days since 1970-01-01 (the inverse of `civil_from_days`).
const fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// One OHLCV candle; `open_time` is the start of its interval.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Candle {
    pub open_time: TimestampMs,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

impl Candle {
    /// A candle opened by a single print.
    pub fn from_print(open_time: TimestampMs, price: Decimal, size: Decimal) -> Self {
        Self {
            open_time,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: size,
        }
    }

    /// Folds one more print into the candle.
    pub fn absorb(&mut self, price: Decimal, size: Decimal) {
        self.high = self.high.max(price);
        self.low = self.low.min(price);
        self.close = price;
        self.volume += size;
    }
}

/// One price level of an order book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookLevel {
    pub price: Decimal,
    pub size: Decimal,
}

/// A full order book: bids best (highest) first, asks best (lowest) first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookSnapshot {
    pub instrument: InstrumentId,
    pub bids: Vec<BookLevel>,
    pub asks: Vec<BookLevel>,
    /// The venue's sequence number, where it sequences its book.
    pub sequence: Option<u64>,
    pub ts: TimestampMs,
}

/// One level's new size; zero removes the level.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LevelChange {
    pub side: Side,
    pub price: Decimal,
    pub size: Decimal,
}

/// Incremental changes to a book.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookDelta {
    pub instrument: InstrumentId,
    pub changes: Vec<LevelChange>,
    pub sequence: Option<u64>,
    /// The sequence this delta follows; a mismatch is a gap.
    pub prev_sequence: Option<u64>,
    pub ts: TimestampMs,
}

/// Health of a market or account stream, as the UI shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum StreamStatus {
    Connecting,
    Live,
    Reconnecting,
    /// The book had a gap and is being re-snapshotted: do not trust it.
    Resyncing,
    Closed,
}

/// A normalized market data event from a venue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MarketEvent {
    Ticker(Ticker),
    Trade(Trade),
    BookSnapshot(BookSnapshot),
    BookDelta(BookDelta),
    /// A candle the venue itself built (venues that stream OHLC).
    Candle {
        instrument: InstrumentId,
        timeframe: Timeframe,
        candle: Candle,
    },
    Status {
        instrument: InstrumentId,
        status: StreamStatus,
    },
}

impl MarketEvent {
    /// The instrument the event is about.
    pub fn instrument(&self) -> &InstrumentId {
        match self {
            MarketEvent::Ticker(t) => &t.instrument,
            MarketEvent::Trade(t) => &t.instrument,
            MarketEvent::BookSnapshot(b) => &b.instrument,
            MarketEvent::BookDelta(d) => &d.instrument,
            MarketEvent::Candle { instrument, .. } | MarketEvent::Status { instrument, .. } => {
                instrument
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_timestamps_to_the_candle_start() {
        assert_eq!(Timeframe::M1.bucket(125_000), 120_000);
        assert_eq!(Timeframe::M5.bucket(299_999), 0);
        assert_eq!(Timeframe::H1.bucket(3_600_000), 3_600_000);
        assert_eq!(Timeframe::M1.bucket(-1), -60_000);
        assert_eq!(Timeframe::M45.bucket(45 * 60_000 + 1), 45 * 60_000);
    }

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        const DAY: i64 = 86_400_000;
        // 2026-11-23 is a Monday (20 780 days after 1970-01-01); 13:45 UTC that day.
        let monday = 20_780 * DAY;
        let ts = monday + 13 * 3_600_000 + 45 * 60_000;
        assert_eq!(Timeframe::W1.bucket(ts), monday);
        assert_eq!(
            Timeframe::W1.bucket(monday - 1),
            monday - 7 * DAY,
            "Sunday night"
        );
        // November 2026 starts on day 20 758; the quarter on 1 October, day 20 727.
        assert_eq!(Timeframe::Month1.bucket(ts), 20_758 * DAY);
        assert_eq!(Timeframe::Month3.bucket(ts), 20_727 * DAY);
        // Leap day 2024-02-29 (day 19 782) is in February's month and the first quarter.
        assert_eq!(Timeframe::Month1.bucket(19_782 * DAY + 5), 19_754 * DAY);
        assert_eq!(Timeframe::Month3.bucket(19_782 * DAY), 19_723 * DAY);
        // Before 1970 too.
        assert_eq!(Timeframe::Month1.bucket(-1), -31 * DAY);
        for tf in Timeframe::ALL {
            let b = tf.bucket(ts);
            assert!(b <= ts && tf.bucket(b) == b, "{tf:?} is idempotent");
        }
    }

    #[test]
    fn short_names_are_the_serde_names() {
        for tf in Timeframe::ALL {
            assert_eq!(serde_json_string(&tf), format!("\"{}\"", tf.as_str()));
        }
    }

    #[test]
    fn timeframes_cross_ipc_as_their_short_names() {
        let s = serde_json_string(&Timeframe::M15);
        assert_eq!(s, "\"15m\"");
    }

    fn serde_json_string<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap()
    }
}

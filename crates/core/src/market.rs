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

/// Candle intervals the chart offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Timeframe {
    #[serde(rename = "1m")]
    M1,
    #[serde(rename = "5m")]
    M5,
    #[serde(rename = "15m")]
    M15,
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "4h")]
    H4,
    #[serde(rename = "1d")]
    D1,
}

impl Timeframe {
    /// Every timeframe, shortest first.
    pub const ALL: [Timeframe; 6] = [
        Timeframe::M1,
        Timeframe::M5,
        Timeframe::M15,
        Timeframe::H1,
        Timeframe::H4,
        Timeframe::D1,
    ];

    /// Length of one candle in milliseconds.
    pub const fn millis(self) -> i64 {
        match self {
            Timeframe::M1 => 60_000,
            Timeframe::M5 => 300_000,
            Timeframe::M15 => 900_000,
            Timeframe::H1 => 3_600_000,
            Timeframe::H4 => 14_400_000,
            Timeframe::D1 => 86_400_000,
        }
    }

    /// Start of the candle that contains `ts`.
    pub const fn bucket(self, ts: TimestampMs) -> TimestampMs {
        ts - ts.rem_euclid(self.millis())
    }
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

//! One instrument's market state and the frame it sends to the UI: the latest ticker and
//! book, every candle touched, and the prints since the last frame.

use super::book::{BookView, OrderBook};
use super::candles::{CandleSet, CandleUpdate};
use super::coalescer::Coalescer;
use crate::clock::TimestampMs;
use crate::ids::InstrumentId;
use crate::market::{MarketEvent, StreamStatus, Ticker, Timeframe, Trade};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// What changed for one instrument since the previous frame. Sent at most once per frame
/// interval, and only when something changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MarketFrame {
    pub instrument: InstrumentId,
    /// Counts frames for this instrument from 1.
    pub frame: u32,
    pub status: StreamStatus,
    pub ticker: Option<Ticker>,
    pub book: Option<BookView>,
    /// The latest version of every candle touched, for all timeframes.
    pub candles: Vec<CandleUpdate>,
    /// Prints since the last frame, oldest first, capped at the tape length.
    pub trades: Vec<Trade>,
}

/// Market state for one instrument plus what the next frame must carry.
#[derive(Debug)]
pub struct MarketState {
    instrument: InstrumentId,
    book: OrderBook,
    candles: CandleSet,
    ticker: Option<Ticker>,
    status: StreamStatus,
    frame: u32,
    book_depth: usize,
    tape_len: usize,
    dirty_ticker: bool,
    dirty_book: bool,
    dirty_status: bool,
    dirty_candles: Coalescer<(Timeframe, TimestampMs), CandleUpdate>,
    new_trades: VecDeque<Trade>,
}

impl MarketState {
    /// Empty state for `instrument`.
    pub fn new(
        instrument: InstrumentId,
        book_depth: usize,
        tape_len: usize,
        candle_cap: usize,
    ) -> Self {
        Self {
            instrument,
            book: OrderBook::default(),
            candles: CandleSet::new(candle_cap),
            ticker: None,
            status: StreamStatus::Connecting,
            frame: 0,
            book_depth,
            tape_len,
            dirty_ticker: false,
            dirty_book: false,
            dirty_status: true,
            dirty_candles: Coalescer::default(),
            new_trades: VecDeque::new(),
        }
    }

    /// Folds one venue event into the state.
    pub fn apply(&mut self, event: MarketEvent) {
        match event {
            MarketEvent::Ticker(t) => {
                self.ticker = Some(t);
                self.dirty_ticker = true;
            }
            MarketEvent::Trade(t) => {
                for update in self.candles.apply_trade(t.price, t.size, t.ts) {
                    self.dirty_candles
                        .insert((update.timeframe, update.candle.open_time), update);
                }
                if self.new_trades.len() == self.tape_len {
                    self.new_trades.pop_front();
                }
                self.new_trades.push_back(t);
                // A print shows a feed coming up, but not one that is reconnecting or
                // resyncing its book (trades may come over another socket): only the venue's
                // status or a snapshot ends those.
                if self.status == StreamStatus::Connecting {
                    self.set_status(StreamStatus::Live);
                }
            }
            MarketEvent::BookSnapshot(s) => {
                self.book.apply_snapshot(&s);
                self.dirty_book = true;
                self.set_status(StreamStatus::Live);
            }
            MarketEvent::BookDelta(d) => {
                if let Err(e) = self.book.apply_delta(&d) {
                    tracing::warn!(instrument = %self.instrument, error = %e, "book out of sequence");
                }
                self.dirty_book = true;
            }
            MarketEvent::Candle {
                timeframe, candle, ..
            } => {
                if let Some(series) = self.candles.series_mut(timeframe) {
                    series.apply_candle(candle.clone());
                }
                self.dirty_candles.insert(
                    (timeframe, candle.open_time),
                    CandleUpdate { timeframe, candle },
                );
            }
            MarketEvent::Status { status, .. } => {
                if status == StreamStatus::Resyncing {
                    self.book.invalidate();
                    self.dirty_book = true;
                }
                self.set_status(status);
            }
        }
    }

    fn set_status(&mut self, status: StreamStatus) {
        if self.status != status {
            self.status = status;
            self.dirty_status = true;
        }
    }

    /// Makes the next frame carry everything (for a new subscriber).
    pub fn mark_all_dirty(&mut self) {
        self.dirty_ticker = self.ticker.is_some();
        self.dirty_book = true;
        self.dirty_status = true;
    }

    /// The next frame, if anything changed since the last one.
    pub fn take_frame(&mut self) -> Option<MarketFrame> {
        let changed = self.dirty_ticker
            || self.dirty_book
            || self.dirty_status
            || !self.dirty_candles.is_empty()
            || !self.new_trades.is_empty();
        if !changed {
            return None;
        }
        self.frame = self.frame.wrapping_add(1);
        let frame = MarketFrame {
            instrument: self.instrument.clone(),
            frame: self.frame,
            status: self.status,
            ticker: if self.dirty_ticker {
                self.ticker.clone()
            } else {
                None
            },
            book: if self.dirty_book {
                Some(self.book.view(self.book_depth))
            } else {
                None
            },
            candles: self.dirty_candles.drain(),
            trades: self.new_trades.drain(..).collect(),
        };
        self.dirty_ticker = false;
        self.dirty_book = false;
        self.dirty_status = false;
        Some(frame)
    }

    /// The latest ticker.
    pub fn ticker(&self) -> Option<&Ticker> {
        self.ticker.as_ref()
    }

    /// The candle series.
    pub fn candles(&self) -> &CandleSet {
        &self.candles
    }

    /// The candle series, mutably (to merge history).
    pub fn candles_mut(&mut self) -> &mut CandleSet {
        &mut self.candles
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::VenueId;
    use crate::order::Side;
    use rust_decimal::Decimal;

    #[test]
    fn a_burst_of_ten_thousand_trades_becomes_one_bounded_frame() {
        let id = InstrumentId::new(VenueId::Demo, "X");
        let mut state = MarketState::new(id.clone(), 20, 50, 1000);
        for i in 0..10_000 {
            state.apply(MarketEvent::Trade(Trade {
                instrument: id.clone(),
                trade_id: format!("t{i}").into(),
                price: Decimal::from(100 + i % 7),
                size: Decimal::ONE,
                taker_side: Side::Buy,
                ts: 60_000 + i64::from(i),
            }));
        }
        let frame = state.take_frame().unwrap();
        assert_eq!(frame.trades.len(), 50);
        assert_eq!(frame.trades.last().unwrap().trade_id.as_str(), "t9999");
        // One candle per timeframe: all prints fall in the same minute.
        assert_eq!(frame.candles.len(), Timeframe::ALL.len());
        assert_eq!(frame.candles[0].candle.volume, Decimal::from(10_000));
        assert!(state.take_frame().is_none());
    }

    #[test]
    fn a_print_brings_a_feed_up_but_never_ends_a_resync() {
        let id = InstrumentId::new(VenueId::Lmex, "X");
        let mut state = MarketState::new(id.clone(), 20, 50, 1000);
        let print = |n: i64| {
            MarketEvent::Trade(Trade {
                instrument: id.clone(),
                trade_id: format!("t{n}").into(),
                price: Decimal::from(100),
                size: Decimal::ONE,
                taker_side: Side::Buy,
                ts: 60_000 + n,
            })
        };
        state.apply(print(1));
        assert_eq!(
            state.take_frame().map(|f| f.status),
            Some(StreamStatus::Live)
        );
        for status in [StreamStatus::Resyncing, StreamStatus::Reconnecting] {
            state.apply(MarketEvent::Status {
                instrument: id.clone(),
                status,
            });
            state.apply(print(2));
            assert_eq!(state.take_frame().map(|f| f.status), Some(status));
        }
    }
}

//! Order book state for one instrument, kept in step with a venue's snapshot + delta feed.

use crate::market::{BookDelta, BookLevel, BookSnapshot, LevelChange, StreamStatus};
use crate::order::Side;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::BTreeMap;

/// The top of a book as the UI draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BookView {
    /// Best (highest) first.
    pub bids: Vec<BookLevel>,
    /// Best (lowest) first.
    pub asks: Vec<BookLevel>,
    pub status: StreamStatus,
    pub sequence: Option<u64>,
}

/// Why a delta was not applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    /// The delta does not follow the last applied sequence.
    #[error("sequence gap: expected {expected}, got {got}")]
    Gap { expected: u64, got: u64 },
    /// After the delta the best bid is at or above the best ask.
    #[error("book crossed")]
    Crossed,
    /// The book has no snapshot yet (or lost it); deltas wait for the next one.
    #[error("book is resyncing")]
    Resyncing,
}

/// A price-level order book.
#[derive(Clone, Debug)]
pub struct OrderBook {
    bids: BTreeMap<Reverse<Decimal>, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    sequence: Option<u64>,
    status: StreamStatus,
}

impl Default for OrderBook {
    fn default() -> Self {
        Self {
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
            sequence: None,
            status: StreamStatus::Connecting,
        }
    }
}

impl OrderBook {
    /// Replaces the whole book and marks it live.
    pub fn apply_snapshot(&mut self, snapshot: &BookSnapshot) {
        self.bids = snapshot
            .bids
            .iter()
            .filter(|l| l.size > Decimal::ZERO)
            .map(|l| (Reverse(l.price), l.size))
            .collect();
        self.asks = snapshot
            .asks
            .iter()
            .filter(|l| l.size > Decimal::ZERO)
            .map(|l| (l.price, l.size))
            .collect();
        self.sequence = snapshot.sequence;
        self.status = StreamStatus::Live;
    }

    /// Applies a delta. A gap or a crossed result is terminal for this book: it is cleared
    /// and marked resyncing until the next snapshot, never shown stale as live.
    pub fn apply_delta(&mut self, delta: &BookDelta) -> Result<(), BookError> {
        if self.status != StreamStatus::Live {
            return Err(BookError::Resyncing);
        }
        if let (Some(current), Some(prev)) = (self.sequence, delta.prev_sequence) {
            if prev != current {
                self.invalidate();
                return Err(BookError::Gap {
                    expected: current,
                    got: prev,
                });
            }
        } else if let (Some(current), Some(next)) = (self.sequence, delta.sequence) {
            // Venues without prev_sequence must count up by one.
            if next != current + 1 {
                self.invalidate();
                return Err(BookError::Gap {
                    expected: current + 1,
                    got: next,
                });
            }
        }
        for change in &delta.changes {
            self.apply_change(change);
        }
        self.sequence = delta.sequence.or(self.sequence);
        if let (Some(bid), Some(ask)) = (self.best_bid(), self.best_ask()) {
            if bid.price >= ask.price {
                self.invalidate();
                return Err(BookError::Crossed);
            }
        }
        Ok(())
    }

    fn apply_change(&mut self, change: &LevelChange) {
        let remove = change.size <= Decimal::ZERO;
        match (change.side, remove) {
            (Side::Buy, true) => {
                self.bids.remove(&Reverse(change.price));
            }
            (Side::Buy, false) => {
                self.bids.insert(Reverse(change.price), change.size);
            }
            (Side::Sell, true) => {
                self.asks.remove(&change.price);
            }
            (Side::Sell, false) => {
                self.asks.insert(change.price, change.size);
            }
        }
    }

    /// Drops the book's contents and waits for a snapshot.
    pub fn invalidate(&mut self) {
        self.bids.clear();
        self.asks.clear();
        self.sequence = None;
        self.status = StreamStatus::Resyncing;
    }

    /// Sets the status shown with the book (e.g. reconnecting).
    pub fn set_status(&mut self, status: StreamStatus) {
        self.status = status;
    }

    /// The current status.
    pub fn status(&self) -> StreamStatus {
        self.status
    }

    /// The highest bid.
    pub fn best_bid(&self) -> Option<BookLevel> {
        self.bids.iter().next().map(|(p, s)| BookLevel {
            price: p.0,
            size: *s,
        })
    }

    /// The lowest ask.
    pub fn best_ask(&self) -> Option<BookLevel> {
        self.asks.iter().next().map(|(p, s)| BookLevel {
            price: *p,
            size: *s,
        })
    }

    /// The top `depth` levels a side.
    pub fn view(&self, depth: usize) -> BookView {
        BookView {
            bids: self
                .bids
                .iter()
                .take(depth)
                .map(|(p, s)| BookLevel {
                    price: p.0,
                    size: *s,
                })
                .collect(),
            asks: self
                .asks
                .iter()
                .take(depth)
                .map(|(p, s)| BookLevel {
                    price: *p,
                    size: *s,
                })
                .collect(),
            status: self.status,
            sequence: self.sequence,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InstrumentId;
    use crate::ids::VenueId;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;
    use std::collections::BTreeMap as Map;

    fn id() -> InstrumentId {
        InstrumentId::new(VenueId::Demo, "X")
    }

    fn snapshot(seq: u64) -> BookSnapshot {
        BookSnapshot {
            instrument: id(),
            bids: vec![
                BookLevel {
                    price: dec!(99),
                    size: dec!(1),
                },
                BookLevel {
                    price: dec!(98),
                    size: dec!(2),
                },
            ],
            asks: vec![
                BookLevel {
                    price: dec!(101),
                    size: dec!(1),
                },
                BookLevel {
                    price: dec!(102),
                    size: dec!(3),
                },
            ],
            sequence: Some(seq),
            ts: 0,
        }
    }

    fn delta(prev: u64, changes: Vec<(Side, Decimal, Decimal)>) -> BookDelta {
        BookDelta {
            instrument: id(),
            changes: changes
                .into_iter()
                .map(|(side, price, size)| LevelChange { side, price, size })
                .collect(),
            sequence: Some(prev + 1),
            prev_sequence: Some(prev),
            ts: 0,
        }
    }

    #[test]
    fn applies_deltas_in_sequence_and_detects_gaps_and_crosses() {
        struct Case {
            delta: BookDelta,
            expected: Result<(), BookError>,
            status: StreamStatus,
        }
        let cases = [
            Case {
                delta: delta(10, vec![(Side::Buy, dec!(100), dec!(1))]),
                expected: Ok(()),
                status: StreamStatus::Live,
            },
            Case {
                delta: delta(10, vec![(Side::Buy, dec!(99), dec!(0))]),
                expected: Ok(()),
                status: StreamStatus::Live,
            },
            Case {
                delta: delta(12, vec![(Side::Buy, dec!(100), dec!(1))]),
                expected: Err(BookError::Gap {
                    expected: 10,
                    got: 12,
                }),
                status: StreamStatus::Resyncing,
            },
            Case {
                delta: delta(10, vec![(Side::Buy, dec!(101), dec!(1))]),
                expected: Err(BookError::Crossed),
                status: StreamStatus::Resyncing,
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            let mut book = OrderBook::default();
            book.apply_snapshot(&snapshot(10));
            assert_eq!(book.apply_delta(&c.delta), c.expected, "case {i}");
            assert_eq!(book.status(), c.status, "case {i}");
        }
    }

    #[test]
    fn a_resyncing_book_ignores_deltas_until_the_next_snapshot() {
        let mut book = OrderBook::default();
        book.apply_snapshot(&snapshot(10));
        assert!(book.apply_delta(&delta(11, vec![])).is_err());
        assert_eq!(
            book.apply_delta(&delta(12, vec![])),
            Err(BookError::Resyncing)
        );
        assert!(book.view(20).bids.is_empty());
        book.apply_snapshot(&snapshot(20));
        assert_eq!(book.apply_delta(&delta(20, vec![])), Ok(()));
        assert_eq!(book.view(20).sequence, Some(21));
    }

    proptest! {
        /// Applying any stream of level changes gives the same book as a plain map of
        /// price → size per side.
        #[test]
        fn matches_a_reference_map(changes in prop::collection::vec(
            (any::<bool>(), 1u32..60, 0u32..5), 0..200)
        ) {
            let mut book = OrderBook::default();
            book.apply_snapshot(&BookSnapshot { instrument: id(), bids: vec![], asks: vec![], sequence: Some(0), ts: 0 });
            let mut bids: Map<Decimal, Decimal> = Map::new();
            let mut asks: Map<Decimal, Decimal> = Map::new();
            for (n, (is_bid, price, size)) in changes.into_iter().enumerate() {
                // Bids live below 100, asks above, so the book never crosses.
                let (side, price, map) = if is_bid {
                    (Side::Buy, Decimal::from(price), &mut bids)
                } else {
                    (Side::Sell, Decimal::from(price + 100), &mut asks)
                };
                let size = Decimal::from(size);
                if size.is_zero() { map.remove(&price); } else { map.insert(price, size); }
                let d = delta(n as u64, vec![(side, price, size)]);
                prop_assert_eq!(book.apply_delta(&d), Ok(()));
            }
            let view = book.view(usize::MAX);
            let want_bids: Vec<_> = bids.iter().rev().map(|(p, s)| BookLevel { price: *p, size: *s }).collect();
            let want_asks: Vec<_> = asks.iter().map(|(p, s)| BookLevel { price: *p, size: *s }).collect();
            prop_assert_eq!(view.bids, want_bids);
            prop_assert_eq!(view.asks, want_asks);
        }
    }
}

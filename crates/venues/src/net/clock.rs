//! The venue's clock as seen from ours. Signed requests carry timestamps the venue checks
//! against its own clock (LN Markets allows 30 s); a machine whose clock drifts must not be
//! locked out, so timestamps are taken from the venue-corrected clock.

use kestrel_core::{Clock, TimestampMs};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Our clock plus the measured offset to a venue's.
pub struct ClockOffset {
    clock: Arc<dyn Clock>,
    offset_ms: AtomicI64,
    /// The offsets the last `Date` header allows (`NO_WINDOW` before one is seen).
    window_lo: AtomicI64,
    window_hi: AtomicI64,
}

const NO_WINDOW: i64 = i64::MIN;
/// How far outside a `Date` window a precise reading may fall (rounding of the header).
const WINDOW_SLACK_MS: i64 = 250;

impl ClockOffset {
    /// No offset measured yet.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            offset_ms: AtomicI64::new(0),
            window_lo: AtomicI64::new(NO_WINDOW),
            window_hi: AtomicI64::new(NO_WINDOW),
        }
    }

    /// Our local time.
    pub fn local_ms(&self) -> TimestampMs {
        self.clock.now_ms()
    }

    /// The venue's time now, as best we know it.
    pub fn now_ms(&self) -> TimestampMs {
        self.clock.now_ms() + self.offset_ms()
    }

    /// The last measured offset (venue minus local).
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }

    /// Records a time query: the venue said `server_ms` somewhere between `sent_at` and
    /// `received_at` (local); the midpoint is the best guess of when.
    /// A reading the last `Date` header rules out (a stale timestamp) is ignored.
    pub fn observe(&self, server_ms: TimestampMs, sent_at: TimestampMs, received_at: TimestampMs) {
        let midpoint = sent_at + (received_at - sent_at).max(0) / 2;
        let offset = server_ms - midpoint;
        let (lo, hi) = (
            self.window_lo.load(Ordering::Relaxed),
            self.window_hi.load(Ordering::Relaxed),
        );
        if lo != NO_WINDOW && (offset < lo - WINDOW_SLACK_MS || offset > hi + WINDOW_SLACK_MS) {
            tracing::debug!(
                offset,
                lo,
                hi,
                "a venue timestamp disagrees with its Date header; ignored"
            );
            return;
        }
        self.offset_ms.store(offset, Ordering::Relaxed);
    }

    /// Records an HTTP `Date` header: the venue's clock read a time within
    /// `[second_ms, second_ms + 1000)` somewhere between `sent_at` and `received_at` (local).
    /// The offset is kept while it agrees and moved to the middle of what agrees otherwise.
    pub fn observe_date(
        &self,
        second_ms: TimestampMs,
        sent_at: TimestampMs,
        received_at: TimestampMs,
    ) {
        let lo = second_ms - received_at.max(sent_at);
        let hi = second_ms + 1_000 - sent_at;
        self.window_lo.store(lo, Ordering::Relaxed);
        self.window_hi.store(hi, Ordering::Relaxed);
        let current = self.offset_ms();
        if current < lo - WINDOW_SLACK_MS || current > hi + WINDOW_SLACK_MS {
            self.offset_ms.store(lo + (hi - lo) / 2, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kestrel_core::ManualClock;

    #[test]
    fn venue_time_is_local_time_plus_the_offset_at_the_round_trip_midpoint() {
        let clock = Arc::new(ManualClock::new(1_000_000));
        let offset = ClockOffset::new(clock.clone());
        assert_eq!(offset.now_ms(), 1_000_000);
        // Sent at 1 000 000, answered at 1 000 200, venue said 1 045 100: offset 45 000.
        offset.observe(1_045_100, 1_000_000, 1_000_200);
        assert_eq!(offset.offset_ms(), 45_000);
        clock.advance(1_000);
        assert_eq!(offset.now_ms(), 1_046_000);
        // A clock ahead of the venue gives a negative offset.
        offset.observe(900_000, 1_001_000, 1_001_000);
        assert_eq!(offset.offset_ms(), -101_000);
    }

    #[test]
    fn a_date_header_corrects_an_offset_it_rules_out_and_vetoes_stale_timestamps() {
        let clock = Arc::new(ManualClock::new(10_000_500));
        let offset = ClockOffset::new(clock);
        // The venue's clock is 5 s ahead; its Date header (whole seconds) says 10 005 000.
        offset.observe_date(10_005_000, 10_000_400, 10_000_500);
        let first = offset.offset_ms();
        assert!((4_500..=5_600).contains(&first), "{first}");
        // A precise reading inside the window is taken.
        offset.observe(10_005_520, 10_000_400, 10_000_500);
        assert_eq!(offset.offset_ms(), 5_070);
        // A stale timestamp (a book last changed 5 s ago) is ignored.
        offset.observe(10_000_100, 10_000_400, 10_000_500);
        assert_eq!(offset.offset_ms(), 5_070);
        // A new Date that still agrees keeps the precise offset.
        offset.observe_date(10_005_000, 10_000_400, 10_000_500);
        assert_eq!(offset.offset_ms(), 5_070);
    }
}

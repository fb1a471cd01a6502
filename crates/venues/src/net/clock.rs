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
}

impl ClockOffset {
    /// No offset measured yet.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            offset_ms: AtomicI64::new(0),
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
    pub fn observe(&self, server_ms: TimestampMs, sent_at: TimestampMs, received_at: TimestampMs) {
        let midpoint = sent_at + (received_at - sent_at).max(0) / 2;
        self.offset_ms
            .store(server_ms - midpoint, Ordering::Relaxed);
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
}

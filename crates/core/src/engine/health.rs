//! How each connected venue is doing, for the status footer — feed lag, the last order's
//! round trip, the clock offset — and how long an order takes from the user's click to the
//! moment its request leaves for the venue.

use crate::ids::{AccountId, VenueId};
use serde::Serialize;
use std::collections::VecDeque;
use std::time::{SystemTime, UNIX_EPOCH};

/// One account's connection health.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct VenueHealth {
    pub account: AccountId,
    pub venue: VenueId,
    /// Local time minus the venue's timestamp of its newest market event (includes any
    /// clock difference); `None` before the first event.
    pub feed_lag_ms: Option<i64>,
    /// Send to answer of the account's last order request.
    pub last_order_rtt_ms: Option<f64>,
    /// The venue's clock minus ours, when the connector measures it.
    pub clock_offset_ms: Option<i64>,
}

/// Click-to-send latency over the orders sent so far.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LatencyStats {
    pub count: u32,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub max_ms: Option<f64>,
}

/// The newest latency samples, in milliseconds.
#[derive(Debug)]
pub(crate) struct Latencies {
    samples: VecDeque<f64>,
    capacity: usize,
}

impl Latencies {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            samples: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Records one sample; a negative or non-finite one (a click stamped by a clock that
    /// jumped) is dropped.
    pub(crate) fn push(&mut self, ms: f64) {
        if !ms.is_finite() || ms < 0.0 {
            return;
        }
        if self.samples.len() == self.capacity {
            self.samples.pop_front();
        }
        self.samples.push_back(ms);
    }

    /// Nearest-rank percentiles of the kept samples.
    pub(crate) fn stats(&self) -> LatencyStats {
        let mut sorted: Vec<f64> = self.samples.iter().copied().collect();
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| -> Option<f64> {
            if sorted.is_empty() {
                return None;
            }
            let n = sorted.len() as f64;
            let i = ((p * n).ceil() as usize).clamp(1, sorted.len()) - 1;
            sorted.get(i).copied()
        };
        LatencyStats {
            count: u32::try_from(sorted.len()).unwrap_or(u32::MAX),
            p50_ms: rank(0.50),
            p99_ms: rank(0.99),
            max_ms: sorted.last().copied(),
        }
    }
}

/// Wall-clock milliseconds since the epoch with sub-millisecond precision: the scale the
/// web view's `performance.timeOrigin + performance.now()` stamps clicks on.
pub(crate) fn wall_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank_over_the_newest_samples() {
        let mut l = Latencies::new(100);
        assert_eq!(l.stats(), LatencyStats::default());
        for i in 1..=200 {
            l.push(f64::from(i));
        }
        l.push(-1.0);
        l.push(f64::NAN);
        let s = l.stats();
        // Only the newest 100 (101..=200) are kept; bad samples are dropped.
        assert_eq!(s.count, 100);
        assert_eq!(s.p50_ms, Some(150.0));
        assert_eq!(s.p99_ms, Some(199.0));
        assert_eq!(s.max_ms, Some(200.0));
    }
}

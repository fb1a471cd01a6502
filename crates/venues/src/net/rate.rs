//! One limiter per metered scope (per venue and key, or per IP for public data), shared by
//! everything that spends from it, pacing requests to the venue's documented limits.

use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;

/// A token bucket refilled at a fixed rate.
pub struct RateLimiter {
    inner: DefaultDirectRateLimiter,
}

impl RateLimiter {
    /// At most `per_second` requests a second, evenly spaced with a tenth of the gap to
    /// spare: the venue counts arrivals over a sliding window, and a request delayed on its
    /// way (a new connection, a busy machine) must not land within 1/`per_second` s of the
    /// next one. No burst allowance, for the same reason.
    pub fn per_second(per_second: u32) -> Self {
        let n = u64::from(per_second.max(1));
        let gap_us = 1_000_000 / n;
        let period = std::time::Duration::from_micros(gap_us + gap_us / 10);
        let quota = Quota::with_period(period)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::MIN);
        Self {
            inner: DefaultDirectRateLimiter::direct(quota),
        }
    }

    /// `per_minute` requests a minute, with bursts of up to `burst`.
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let b = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: DefaultDirectRateLimiter::direct(Quota::per_minute(n).allow_burst(b)),
        }
    }

    /// Waits until a request may be sent.
    pub async fn acquire(&self) {
        self.inner.until_ready().await;
    }

    /// Takes a permit if one is free now.
    pub fn try_acquire(&self) -> bool {
        self.inner.check().is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_spaced_not_burst() {
        let limiter = RateLimiter::per_second(5);
        let granted = (0..20).filter(|_| limiter.try_acquire()).count();
        assert_eq!(granted, 1, "the next permit comes 220 ms later");
        let minute = RateLimiter::per_minute(60, 10);
        assert_eq!((0..20).filter(|_| minute.try_acquire()).count(), 10);
    }
}

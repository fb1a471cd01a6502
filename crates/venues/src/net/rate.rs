//! One limiter per metered scope (per venue and key, or per IP for public data), shared by
//! everything that spends from it, pacing requests to the venue's documented limits.

use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;

/// A token bucket refilled at a fixed rate.
pub struct RateLimiter {
    inner: DefaultDirectRateLimiter,
}

impl RateLimiter {
    /// `per_second` requests a second, evenly spaced: no one-second window, however it is
    /// placed, ever holds more than `per_second` (a burst allowance would break venues that
    /// count over a sliding window).
    pub fn per_second(per_second: u32) -> Self {
        let n = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: DefaultDirectRateLimiter::direct(
                Quota::per_second(n).allow_burst(NonZeroU32::MIN),
            ),
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
        assert_eq!(granted, 1, "the next permit comes 200 ms later");
        let minute = RateLimiter::per_minute(60, 10);
        assert_eq!((0..20).filter(|_| minute.try_acquire()).count(), 10);
    }
}

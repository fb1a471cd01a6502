//! One limiter per metered scope (per venue and key, or per IP for public data), shared by
//! everything that spends from it, pacing requests to the venue's documented limits.

use governor::{DefaultDirectRateLimiter, Quota};
use std::num::NonZeroU32;

/// A token bucket refilled at a fixed rate.
pub struct RateLimiter {
    inner: DefaultDirectRateLimiter,
}

impl RateLimiter {
    /// `per_second` requests a second, with bursts of the same size.
    pub fn per_second(per_second: u32) -> Self {
        let n = NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: DefaultDirectRateLimiter::direct(Quota::per_second(n)),
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
    fn a_burst_is_capped_at_the_quota() {
        let limiter = RateLimiter::per_second(5);
        let granted = (0..20).filter(|_| limiter.try_acquire()).count();
        assert_eq!(granted, 5);
    }
}

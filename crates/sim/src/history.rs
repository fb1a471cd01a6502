//! Synthetic candle history that ends where the live simulation starts, so the chart has a
//! past to scroll back into on first launch.

use crate::price::PricePath;
use kestrel_core::{Candle, Timeframe, TimestampMs};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, LogNormal};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;

/// Price steps simulated inside each minute (for its high and low).
const STEPS_PER_MINUTE: i64 = 12;
/// Typical traded value per minute, in quote currency.
const NOTIONAL_PER_MINUTE: f64 = 500_000.0;

/// `count` one-minute candles, oldest first, the last one closing at `end_price` in the
/// minute before the one containing `end_ms`. Prices are on the `tick` grid.
pub fn synthetic_candles(
    seed: u64,
    end_price: Decimal,
    end_ms: TimestampMs,
    count: usize,
    annual_volatility: f64,
    tick: Decimal,
) -> Vec<Candle> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut path = PricePath::new(1.0, annual_volatility, 60_000 / STEPS_PER_MINUTE);
    let Ok(volume_noise) = LogNormal::new(0.0, 0.6) else {
        return Vec::new();
    };
    // Walk forward from 1.0, then scale so the walk ends at `end_price`: a geometric walk
    // looks the same at any scale.
    let mut raw = Vec::with_capacity(count);
    for _ in 0..count {
        let open = path.price();
        let (mut high, mut low) = (open, open);
        for _ in 0..STEPS_PER_MINUTE {
            let p = path.step(&mut rng);
            high = high.max(p);
            low = low.min(p);
        }
        let activity = path.heat() * volume_noise.sample(&mut rng);
        raw.push([open, high, low, path.price(), activity]);
    }
    let end = end_price.to_string().parse::<f64>().unwrap_or(0.0);
    let last_close = raw.last().map_or(1.0, |c| c[3]);
    let scale = if last_close > 0.0 {
        end / last_close
    } else {
        0.0
    };
    let first_open = Timeframe::M1.bucket(end_ms) - 60_000 * count as i64;
    let on_grid = |x: f64| {
        let d = Decimal::from_f64(x * scale).unwrap_or(Decimal::ZERO);
        if tick.is_zero() {
            d.round_dp(2)
        } else {
            ((d / tick).round() * tick).normalize()
        }
    };
    raw.into_iter()
        .enumerate()
        .map(|(n, [open, high, low, close, activity])| {
            let open_d = on_grid(open);
            let close_d = on_grid(close);
            let volume = NOTIONAL_PER_MINUTE / end.max(f64::MIN_POSITIVE) * activity;
            Candle {
                open_time: first_open + 60_000 * n as i64,
                open: open_d,
                high: on_grid(high).max(open_d).max(close_d),
                low: on_grid(low).min(open_d).min(close_d),
                close: close_d,
                volume: Decimal::from_f64(volume)
                    .unwrap_or(Decimal::ZERO)
                    .round_dp(3),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn history_is_contiguous_consistent_and_ends_at_the_live_price() {
        let end_ms = 1_700_000_123_456;
        let candles = synthetic_candles(5, dec!(91250), end_ms, 2_000, 0.55, dec!(0.5));
        assert_eq!(candles.len(), 2_000);
        assert!(candles
            .windows(2)
            .all(|w| w[1].open_time - w[0].open_time == 60_000));
        let last = candles.last().unwrap();
        assert_eq!(last.open_time, Timeframe::M1.bucket(end_ms) - 60_000);
        assert_eq!(last.close, dec!(91250));
        for c in &candles {
            assert!(
                c.low <= c.open.min(c.close) && c.high >= c.open.max(c.close),
                "{c:?}"
            );
            assert!(c.volume > Decimal::ZERO);
            assert!((c.close % dec!(0.5)).is_zero());
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_history() {
        let a = synthetic_candles(1, dec!(100), 0, 50, 0.5, dec!(0.01));
        assert_eq!(a, synthetic_candles(1, dec!(100), 0, 50, 0.5, dec!(0.01)));
        assert_ne!(a, synthetic_candles(2, dec!(100), 0, 50, 0.5, dec!(0.01)));
    }
}

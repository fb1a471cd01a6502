//! The synthetic fair price: a geometric random walk whose variance follows GARCH(1,1), so
//! calm and busy spells alternate the way real markets do. Seeded, hence repeatable.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Milliseconds in a year, for scaling annual volatility.
const YEAR_MS: f64 = 365.0 * 24.0 * 3_600_000.0;
/// Weight of the last shock in the next variance.
const ALPHA: f64 = 0.08;
/// Weight of the last variance in the next.
const BETA: f64 = 0.90;

/// A price path with volatility clustering.
#[derive(Clone, Debug)]
pub struct PricePath {
    log_price: f64,
    /// Long-run variance of one step.
    long_run: f64,
    /// Current variance of one step.
    variance: f64,
    step_ms: i64,
}

impl PricePath {
    /// A path starting at `price` with `annual_volatility` (0.55 = 55 %), moving in steps of
    /// `step_ms`.
    pub fn new(price: f64, annual_volatility: f64, step_ms: i64) -> Self {
        let step_ms = step_ms.max(1);
        let long_run = annual_volatility.max(0.0).powi(2) * step_ms as f64 / YEAR_MS;
        Self {
            log_price: price.max(f64::MIN_POSITIVE).ln(),
            long_run,
            variance: long_run,
            step_ms,
        }
    }

    /// The current price.
    pub fn price(&self) -> f64 {
        self.log_price.exp()
    }

    /// Length of one step.
    pub fn step_ms(&self) -> i64 {
        self.step_ms
    }

    /// The current volatility relative to its long-run level (1.0 = normal).
    pub fn heat(&self) -> f64 {
        if self.long_run > 0.0 {
            (self.variance / self.long_run).sqrt()
        } else {
            1.0
        }
    }

    /// Advances one step and returns the new price.
    pub fn step(&mut self, rng: &mut impl Rng) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        let shock = self.variance.sqrt() * z;
        // Martingale in price: the drift term cancels the convexity of exp.
        self.log_price += shock - self.variance / 2.0;
        let omega = self.long_run * (1.0 - ALPHA - BETA);
        // Cap the variance so one freak shock cannot blow the path up.
        self.variance =
            (omega + ALPHA * shock * shock + BETA * self.variance).min(self.long_run * 25.0);
        self.price()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn returns(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut path = PricePath::new(100.0, 0.6, 60_000);
        let mut last = path.price();
        (0..n)
            .map(|_| {
                let p = path.step(&mut rng);
                let r = (p / last).ln();
                last = p;
                r
            })
            .collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_path() {
        assert_eq!(returns(9, 100), returns(9, 100));
        assert_ne!(returns(9, 100), returns(10, 100));
    }

    #[test]
    fn realized_volatility_matches_the_annual_figure() {
        let r = returns(1, 200_000);
        let var = r.iter().map(|x| x * x).sum::<f64>() / r.len() as f64;
        let annual = (var * YEAR_MS / 60_000.0).sqrt();
        assert!((annual - 0.6).abs() < 0.06, "annualized {annual}");
    }

    #[test]
    fn volatility_clusters() {
        // Squared returns are positively autocorrelated under GARCH; i.i.d. noise is not.
        let r = returns(2, 100_000);
        let sq: Vec<f64> = r.iter().map(|x| x * x).collect();
        let mean = sq.iter().sum::<f64>() / sq.len() as f64;
        let (mut num, mut den) = (0.0, 0.0);
        for w in sq.windows(2) {
            num += (w[0] - mean) * (w[1] - mean);
        }
        for x in &sq {
            den += (x - mean) * (x - mean);
        }
        let rho = num / den;
        assert!(rho > 0.03, "lag-1 autocorrelation of squared returns {rho}");
    }
}

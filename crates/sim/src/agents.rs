//! The simulation's liquidity: a market maker that keeps a ladder of quotes around the
//! fair price, and a crowd of takers whose market orders print trades. Both are seeded.

use kestrel_core::{ContractKind, Instrument, Side, SizeUnit};
use rand::Rng;
use rand_distr::{Distribution, LogNormal, Poisson};
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

/// Levels the market maker quotes on each side.
pub const LADDER_LEVELS: usize = 25;
/// Distance between the maker's levels, as a fraction of price.
const LEVEL_SPACING: f64 = 0.00005;
/// Notional the maker shows at its best level, in quote currency.
const LEVEL_NOTIONAL: f64 = 30_000.0;
/// Taker market orders per second in a calm market.
const TAKER_RATE_PER_S: f64 = 2.5;
/// Median taker order, in quote currency.
const TAKER_MEDIAN_NOTIONAL: f64 = 2_200.0;
/// Chance per step that the maker re-sizes one of its levels.
const RESIZE_CHANCE: f64 = 0.35;

/// One quote the maker wants in the book.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quote {
    pub side: Side,
    pub price: Decimal,
    pub size: Decimal,
}

/// One market order from the taker crowd.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TakerOrder {
    pub side: Side,
    pub size: Decimal,
}

/// Grid distance between two of the maker's levels for an instrument at `fair`.
pub fn level_spacing(instrument: &Instrument, fair: f64) -> Decimal {
    let raw = Decimal::from_f64(fair * LEVEL_SPACING).unwrap_or(Decimal::ZERO);
    instrument.round_to_tick(raw).max(instrument.price_tick)
}

/// The prices the maker wants to quote around `fair`, best first on each side. The spread
/// widens when volatility (`heat`) is high.
pub fn ladder_prices(instrument: &Instrument, fair: f64, heat: f64) -> Vec<(Side, Decimal)> {
    let Some(fair_d) = Decimal::from_f64(fair) else {
        return Vec::new();
    };
    let spacing = level_spacing(instrument, fair);
    let half_spread = Decimal::from_f64(fair * LEVEL_SPACING * 0.5 * heat.clamp(0.5, 4.0))
        .unwrap_or(Decimal::ZERO);
    let best_bid = instrument.floor_to_tick(fair_d - half_spread);
    let mut best_ask = instrument.ceil_to_tick(fair_d + half_spread);
    if best_ask <= best_bid {
        best_ask = best_bid + instrument.price_tick;
    }
    let mut prices = Vec::with_capacity(LADDER_LEVELS * 2);
    for i in 0..LADDER_LEVELS {
        let offset = spacing * Decimal::from(i);
        let bid = best_bid - offset;
        if bid > Decimal::ZERO {
            prices.push((Side::Buy, bid));
        }
        prices.push((Side::Sell, best_ask + offset));
    }
    prices
}

/// A size for the maker's level `depth` (0 = best), random around a notional that grows
/// with depth.
pub fn level_size(
    instrument: &Instrument,
    price: Decimal,
    depth: usize,
    rng: &mut impl Rng,
) -> Decimal {
    let price = price.to_f64().unwrap_or(0.0).max(f64::MIN_POSITIVE);
    let notional = LEVEL_NOTIONAL * (1.0 + 0.18 * depth as f64) * rng.gen_range(0.35..1.65);
    to_size(
        instrument,
        in_size_unit(instrument, notional / price, price),
    )
}

/// Whether the maker re-sizes a level this step, and which.
pub fn resize_pick(rng: &mut impl Rng) -> Option<usize> {
    rng.gen_bool(RESIZE_CHANCE)
        .then(|| rng.gen_range(0..LADDER_LEVELS * 2))
}

/// Market orders arriving over `dt_ms`. Takers lean towards the fair price: when the book's
/// mid is below fair, more of them buy.
pub fn taker_flow(
    instrument: &Instrument,
    fair: f64,
    mid: Option<Decimal>,
    heat: f64,
    dt_ms: i64,
    rng: &mut impl Rng,
) -> Vec<TakerOrder> {
    let lambda = TAKER_RATE_PER_S * heat.clamp(0.3, 5.0) * dt_ms.max(0) as f64 / 1_000.0;
    let Ok(arrivals) = Poisson::new(lambda.max(1e-9)) else {
        return Vec::new();
    };
    let n = arrivals.sample(rng) as usize;
    let lean = match mid.and_then(|m| m.to_f64()) {
        Some(mid) if mid > 0.0 => ((fair - mid) / (fair * LEVEL_SPACING)).clamp(-3.0, 3.0) * 0.1,
        _ => 0.0,
    };
    let Ok(size_dist) = LogNormal::new(
        (TAKER_MEDIAN_NOTIONAL / fair.max(f64::MIN_POSITIVE)).ln(),
        0.9,
    ) else {
        return Vec::new();
    };
    (0..n.min(50))
        .map(|_| {
            let side = if rng.gen_bool((0.5 + lean).clamp(0.05, 0.95)) {
                Side::Buy
            } else {
                Side::Sell
            };
            let size = to_size(
                instrument,
                in_size_unit(instrument, size_dist.sample(rng), fair)
                    .min(instrument.max_size.to_f64().unwrap_or(1.0) / 20.0),
            );
            TakerOrder { side, size }
        })
        .collect()
}

/// An amount of the base currency at `price`, expressed in the unit the instrument's sizes
/// are counted in: contracts (of `contract_size` base units when linear, quote units when
/// inverse), base or quote.
fn in_size_unit(instrument: &Instrument, base_amount: f64, price: f64) -> f64 {
    let contract = instrument.contract_size.to_f64().unwrap_or(0.0);
    match (instrument.size_unit, instrument.contract) {
        (SizeUnit::Base, _) => base_amount,
        (SizeUnit::Quote, _) => base_amount * price,
        (SizeUnit::Contracts, _) if contract <= 0.0 => base_amount,
        (SizeUnit::Contracts, ContractKind::Linear) => base_amount / contract,
        (SizeUnit::Contracts, ContractKind::Inverse) => base_amount * price / contract,
    }
}

/// A float amount in the instrument's size unit as a valid order size: on the step grid,
/// at least the minimum.
fn to_size(instrument: &Instrument, amount: f64) -> Decimal {
    let size = Decimal::from_f64(amount).unwrap_or(Decimal::ZERO);
    instrument.floor_to_step(size).max(instrument.min_size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{inverse, linear};
    use kestrel_core::{InstrumentId, VenueId};
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rust_decimal_macros::dec;

    #[test]
    fn the_ladder_is_on_the_grid_uncrossed_and_deep() {
        let i = linear();
        let prices = ladder_prices(&i, 91_250.3, 1.0);
        let bids: Vec<_> = prices
            .iter()
            .filter(|(s, _)| *s == Side::Buy)
            .map(|(_, p)| *p)
            .collect();
        let asks: Vec<_> = prices
            .iter()
            .filter(|(s, _)| *s == Side::Sell)
            .map(|(_, p)| *p)
            .collect();
        assert_eq!((bids.len(), asks.len()), (LADDER_LEVELS, LADDER_LEVELS));
        assert!(bids[0] < asks[0]);
        assert!(prices.iter().all(|(_, p)| i.is_on_tick(*p)));
        assert!(bids.windows(2).all(|w| w[0] > w[1]));
        assert!(asks.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn takers_lean_towards_fair_value() {
        let i = linear();
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let orders: Vec<_> = (0..6_000)
            .flat_map(|_| {
                taker_flow(
                    &i,
                    100_000.0,
                    Some(Decimal::from(99_980)),
                    1.0,
                    100,
                    &mut rng,
                )
            })
            .collect();
        let buys = orders.iter().filter(|o| o.side == Side::Buy).count();
        // 2.5 a second for 10 minutes.
        assert!(
            (1_300..1_700).contains(&orders.len()),
            "{} orders in 10 minutes",
            orders.len()
        );
        assert!(buys * 2 > orders.len(), "{buys} buys of {}", orders.len());
        assert!(orders
            .iter()
            .all(|o| o.size >= i.min_size && i.is_on_step(o.size)));
    }

    /// A linear perpetual in contracts of 0.0001 BTC (LMEX's BTC-PERP).
    fn linear_in_contracts() -> Instrument {
        Instrument {
            size_unit: kestrel_core::SizeUnit::Contracts,
            contract_size: dec!(0.0001),
            size_step: Decimal::ONE,
            min_size: Decimal::ONE,
            max_size: dec!(1000000),
            settle: "USDT".into(),
            ..Instrument::linear_perpetual(
                InstrumentId::new(VenueId::Lmex, "BTC-PERP"),
                "BTC",
                "USDT",
                dec!(0.5),
                dec!(1),
                dec!(1000000),
            )
        }
    }

    #[test]
    fn sizes_in_contracts_carry_the_notional_of_sizes_in_base() {
        struct Case {
            instrument: Instrument,
            price: Decimal,
        }
        let cases = [
            Case {
                instrument: linear(),
                price: dec!(100000),
            },
            Case {
                instrument: linear_in_contracts(),
                price: dec!(100000),
            },
            Case {
                instrument: inverse(),
                price: dec!(100000),
            },
        ];
        for (n, c) in cases.into_iter().enumerate() {
            let i = &c.instrument;
            let mut rng = ChaCha8Rng::seed_from_u64(9);
            let levels: Vec<Decimal> = (0..200)
                .map(|_| level_size(i, c.price, 0, &mut rng))
                .collect();
            assert!(
                levels.iter().all(|s| i.is_on_step(*s) && *s >= i.min_size),
                "case {n}: sizes on the grid"
            );
            // The best level shows about LEVEL_NOTIONAL (0.35× to 1.65×), whatever the unit.
            let value: Vec<Decimal> = levels.iter().map(|s| i.notional(*s, c.price)).collect();
            let in_quote = |v: Decimal| match i.contract {
                ContractKind::Linear => v,
                ContractKind::Inverse => v * c.price,
            };
            assert!(
                value
                    .iter()
                    .all(|v| (dec!(10000)..=dec!(50000)).contains(&in_quote(*v))),
                "case {n}: {:?}",
                &value[..3]
            );
            let takers: Vec<TakerOrder> = (0..2_000)
                .flat_map(|_| taker_flow(i, 100_000.0, None, 1.0, 100, &mut rng))
                .collect();
            let total: Decimal = takers
                .iter()
                .map(|o| in_quote(i.notional(o.size, c.price)))
                .sum();
            let mean = total / Decimal::from(takers.len().max(1));
            // Log-normal around a 2 200 median: the mean sits near 3 300.
            assert!(
                (dec!(1500)..=dec!(6000)).contains(&mean),
                "case {n}: mean taker notional {mean}"
            );
        }
    }
}

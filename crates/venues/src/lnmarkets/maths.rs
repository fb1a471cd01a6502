//! LN Markets contract maths for the isolated inverse BTC/USD future: one contract is one
//! USD, margin and PnL are whole satoshis, prices tick by 0.5 USD. Formulas as the venue
//! computes them (see ../shared/venues/NOTES.md §1.7).

use kestrel_core::{Error, Side};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};

/// Satoshis in one bitcoin.
pub const SATS_PER_BTC: i64 = 100_000_000;
/// The price grid.
pub const PRICE_TICK: Decimal = Decimal::from_parts(5, 0, 0, false, 1);
/// Contracts per trade.
pub const MIN_QUANTITY: u64 = 1;
pub const MAX_QUANTITY: u64 = 500_000;
pub const MAX_LEVERAGE: u32 = 100;

fn sats() -> Decimal {
    Decimal::from(SATS_PER_BTC)
}

/// Margin in sats for `quantity` contracts at `price` and `leverage`: ⌊Q·10⁸ / (P·L)⌋.
pub fn margin_sats(quantity: u64, price: Decimal, leverage: Decimal) -> Option<i64> {
    if price <= Decimal::ZERO || leverage <= Decimal::ZERO {
        return None;
    }
    (Decimal::from(quantity) * sats() / (price * leverage))
        .floor()
        .to_i64()
}

/// The isolated liquidation price: long `1 / (1/P + m/(10⁸·Q))`, short `1 / (1/P − m/(10⁸·Q))`
/// (none when the short can never be liquidated). On the grid, rounded towards the entry so
/// it is never later than the venue's.
pub fn liquidation_price(
    side: Side,
    quantity: u64,
    entry: Decimal,
    margin_sats: i64,
) -> Option<Decimal> {
    if quantity == 0 || entry <= Decimal::ZERO {
        return None;
    }
    let per_contract = Decimal::from(margin_sats) / (sats() * Decimal::from(quantity));
    let inverse = Decimal::ONE / entry;
    let denominator = match side {
        Side::Buy => inverse + per_contract,
        Side::Sell => inverse - per_contract,
    };
    if denominator <= Decimal::ZERO {
        return None;
    }
    let price = Decimal::ONE / denominator;
    let strategy = match side {
        Side::Buy => RoundingStrategy::ToPositiveInfinity,
        Side::Sell => RoundingStrategy::ToNegativeInfinity,
    };
    Some(((price / PRICE_TICK).round_dp_with_strategy(0, strategy) * PRICE_TICK).normalize())
}

/// PnL in sats of `quantity` contracts from `entry` to `exit`: round(±Q·10⁸·(1/entry − 1/exit)).
/// A long is valued at the bid, a short at the offer.
pub fn pnl_sats(side: Side, quantity: u64, entry: Decimal, exit: Decimal) -> i64 {
    if entry <= Decimal::ZERO || exit <= Decimal::ZERO {
        return 0;
    }
    let raw = side.sign()
        * Decimal::from(quantity)
        * sats()
        * (Decimal::ONE / entry - Decimal::ONE / exit);
    raw.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

/// Funding paid (positive) or received in sats over one period: Q / price · rate · 10⁸,
/// longs paying when the rate is positive.
pub fn funding_sats(side: Side, quantity: u64, price: Decimal, rate: Decimal) -> Decimal {
    if price <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    side.sign() * Decimal::from(quantity) / price * rate * sats()
}

/// The venue's stop-loss rule: a long's stop lies in [liquidation, reference), a short's in
/// (reference, liquidation]; `reference` is the entry (or the market for a new order).
pub fn check_stoploss(
    side: Side,
    reference: Decimal,
    liquidation: Option<Decimal>,
    stop: Decimal,
) -> Result<(), Error> {
    let ok = match side {
        Side::Buy => stop < reference && liquidation.is_none_or(|l| stop >= l),
        Side::Sell => stop > reference && liquidation.is_none_or(|l| stop <= l),
    };
    if ok {
        return Ok(());
    }
    let rule = match side {
        Side::Buy => {
            "a long's stop-loss must be below the entry and at or above the liquidation price"
        }
        Side::Sell => {
            "a short's stop-loss must be above the entry and at or below the liquidation price"
        }
    };
    Err(Error::invalid_order("stop_loss", rule))
}

/// The venue's take-profit rule: above the entry for a long, below it for a short.
pub fn check_takeprofit(side: Side, entry: Decimal, target: Decimal) -> Result<(), Error> {
    let ok = match side {
        Side::Buy => target > entry,
        Side::Sell => target < entry,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_order(
            "take_profit",
            match side {
                Side::Buy => "a long's take-profit must be above the entry",
                Side::Sell => "a short's take-profit must be below the entry",
            },
        ))
    }
}

/// Splits `total` in proportion to `weights`, in whole units, summing exactly to `total`;
/// the rounding remainder goes to the heaviest. Zero weights share equally.
pub fn split_pro_rata(total: u64, weights: &[u64]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    let mut shares: Vec<u64> = if sum == 0 {
        vec![total / weights.len() as u64; weights.len()]
    } else {
        weights
            .iter()
            .map(|w| u64::try_from(u128::from(total) * u128::from(*w) / sum).unwrap_or(0))
            .collect()
    };
    let given: u64 = shares.iter().sum();
    let heaviest = weights
        .iter()
        .enumerate()
        .max_by_key(|(_, w)| **w)
        .map_or(0, |(i, _)| i);
    shares[heaviest] += total - given;
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pro_rata_shares_sum_exactly_and_follow_the_weights() {
        assert_eq!(split_pro_rata(1_000, &[500]), vec![1_000]);
        assert_eq!(split_pro_rata(1_000, &[100, 300]), vec![250, 750]);
        assert_eq!(split_pro_rata(1_000, &[1, 1, 2]), vec![250, 250, 500]);
        // The rounding remainder goes to the heaviest (the last of equals).
        assert_eq!(split_pro_rata(10, &[1, 1, 1]), vec![3, 3, 4]);
        assert_eq!(split_pro_rata(7, &[0, 0]), vec![3, 4]);
        assert!(split_pro_rata(5, &[]).is_empty());
    }
    use kestrel_core::ErrorKind;
    use rust_decimal_macros::dec;

    #[test]
    fn margin_is_floored_sats() {
        // 100 USD at 50 000 and 10×: 0.0002 BTC = 20 000 sats.
        assert_eq!(margin_sats(100, dec!(50000), dec!(10)), Some(20_000));
        // 1 USD at 91 250.5 and 3×: 365.29… → 365.
        assert_eq!(margin_sats(1, dec!(91250.5), dec!(3)), Some(365));
        assert_eq!(margin_sats(1, dec!(0), dec!(3)), None);
    }

    #[test]
    fn liquidation_prices_follow_the_venue_formula() {
        struct Case {
            side: Side,
            margin: i64,
            liq: Option<Decimal>,
        }
        let cases = [
            // 1/(1/50000 + 20000/1e10) = 45 454.54… → 45 455
            Case {
                side: Side::Buy,
                margin: 20_000,
                liq: Some(dec!(45455)),
            },
            // 1/(1/50000 − 20000/1e10) = 55 555.55… → 55 555.5
            Case {
                side: Side::Sell,
                margin: 20_000,
                liq: Some(dec!(55555.5)),
            },
            // A 1× short (margin = 200 000 sats) can never be liquidated.
            Case {
                side: Side::Sell,
                margin: 200_000,
                liq: None,
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            assert_eq!(
                liquidation_price(c.side, 100, dec!(50000), c.margin),
                c.liq,
                "case {i}"
            );
        }
    }

    #[test]
    fn pnl_is_inverse_and_signed() {
        assert_eq!(pnl_sats(Side::Buy, 100, dec!(50000), dec!(100000)), 100_000);
        assert_eq!(
            pnl_sats(Side::Sell, 100, dec!(50000), dec!(100000)),
            -100_000
        );
        assert_eq!(pnl_sats(Side::Sell, 100, dec!(50000), dec!(40000)), 50_000);
        assert_eq!(pnl_sats(Side::Buy, 100, dec!(50000), dec!(50000)), 0);
    }

    #[test]
    fn funding_is_paid_by_longs_when_the_rate_is_positive() {
        assert_eq!(
            funding_sats(Side::Buy, 1000, dec!(50000), dec!(0.0001)),
            dec!(200)
        );
        assert_eq!(
            funding_sats(Side::Sell, 1000, dec!(50000), dec!(0.0001)),
            dec!(-200)
        );
    }

    #[test]
    fn stop_loss_and_take_profit_rules() {
        let liq = Some(dec!(45455));
        assert!(check_stoploss(Side::Buy, dec!(50000), liq, dec!(48000)).is_ok());
        assert!(check_stoploss(Side::Buy, dec!(50000), liq, dec!(45455)).is_ok());
        let below_liq = check_stoploss(Side::Buy, dec!(50000), liq, dec!(45000)).unwrap_err();
        assert_eq!(
            below_liq.kind,
            ErrorKind::InvalidOrder {
                field: "stop_loss".into()
            }
        );
        assert!(check_stoploss(Side::Buy, dec!(50000), liq, dec!(50000)).is_err());
        assert!(check_stoploss(Side::Sell, dec!(50000), Some(dec!(55555.5)), dec!(52000)).is_ok());
        assert!(check_stoploss(Side::Sell, dec!(50000), Some(dec!(55555.5)), dec!(56000)).is_err());
        assert!(check_takeprofit(Side::Buy, dec!(50000), dec!(51000)).is_ok());
        assert!(check_takeprofit(Side::Sell, dec!(50000), dec!(51000)).is_err());
    }
}

//! Instruments and the arithmetic of their price ticks and size steps.

use crate::clock::TimestampMs;
use crate::ids::InstrumentId;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

/// What kind of contract an instrument is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InstrumentKind {
    Perpetual,
    DatedFuture {
        expiry: TimestampMs,
    },
    BinaryOption {
        strike: Decimal,
        expiry: TimestampMs,
        payout: Decimal,
    },
}

/// How the contract's value relates to price.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ContractKind {
    /// Margined and settled in the quote currency: PnL = size × (exit − entry).
    Linear,
    /// Margined and settled in the base currency: PnL = size × (1/entry − 1/exit).
    Inverse,
}

/// The unit an order's size is expressed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum SizeUnit {
    /// Whole contracts of `contract_size` each.
    Contracts,
    /// The base currency (BTC for BTC/USD).
    Base,
    /// The quote currency (USD for BTC/USD).
    Quote,
}

/// A tradable instrument with its trading rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Instrument {
    pub id: InstrumentId,
    /// Human name, e.g. "BTC/USD perpetual".
    pub display_name: String,
    pub kind: InstrumentKind,
    pub contract: ContractKind,
    pub base: String,
    pub quote: String,
    /// The currency margin and PnL are held in.
    pub settle: String,
    pub price_tick: Decimal,
    pub size_step: Decimal,
    pub min_size: Decimal,
    pub max_size: Decimal,
    pub size_unit: SizeUnit,
    /// Value of one contract: base units for linear, quote units for inverse.
    pub contract_size: Decimal,
    pub max_leverage: Decimal,
    /// Initial margin fee rates, as fractions.
    pub maker_fee: Decimal,
    pub taker_fee: Decimal,
}

impl Instrument {
    /// A linear perpetual sized in the base currency, margined in the quote, with the usual
    /// retail schedule: 0.02 % maker, 0.05 % taker, up to 100× leverage, minimum one step.
    pub fn linear_perpetual(
        id: InstrumentId,
        base: &str,
        quote: &str,
        price_tick: Decimal,
        size_step: Decimal,
        max_size: Decimal,
    ) -> Self {
        Self {
            id,
            display_name: format!("{base}/{quote} perpetual"),
            kind: InstrumentKind::Perpetual,
            contract: ContractKind::Linear,
            base: base.into(),
            quote: quote.into(),
            settle: quote.into(),
            price_tick,
            size_step,
            min_size: size_step,
            max_size,
            size_unit: SizeUnit::Base,
            contract_size: Decimal::ONE,
            max_leverage: Decimal::from(100),
            maker_fee: Decimal::new(2, 4),
            taker_fee: Decimal::new(5, 4),
        }
    }

    /// Whether `price` lies on the price grid.
    pub fn is_on_tick(&self, price: Decimal) -> bool {
        self.price_tick.is_zero() || (price % self.price_tick).is_zero()
    }

    /// The nearest price on the grid (ties away from zero).
    pub fn round_to_tick(&self, price: Decimal) -> Decimal {
        round_to_step(
            price,
            self.price_tick,
            RoundingStrategy::MidpointAwayFromZero,
        )
    }

    /// The grid price at or below `price`.
    pub fn floor_to_tick(&self, price: Decimal) -> Decimal {
        round_to_step(price, self.price_tick, RoundingStrategy::ToNegativeInfinity)
    }

    /// The grid price at or above `price`.
    pub fn ceil_to_tick(&self, price: Decimal) -> Decimal {
        round_to_step(price, self.price_tick, RoundingStrategy::ToPositiveInfinity)
    }

    /// Whether `size` is a whole number of size steps.
    pub fn is_on_step(&self, size: Decimal) -> bool {
        self.size_step.is_zero() || (size % self.size_step).is_zero()
    }

    /// The largest valid size not above `size`.
    pub fn floor_to_step(&self, size: Decimal) -> Decimal {
        round_to_step(size, self.size_step, RoundingStrategy::ToZero)
    }

    /// Notional value of `size` at `price`, in the settle currency.
    pub fn notional(&self, size: Decimal, price: Decimal) -> Decimal {
        let units = match self.size_unit {
            SizeUnit::Contracts => size * self.contract_size,
            SizeUnit::Base | SizeUnit::Quote => size,
        };
        match (self.contract, self.size_unit) {
            // Inverse contracts are quoted in USD; their notional in the settle coin is
            // units / price.
            (ContractKind::Inverse, _) if price.is_zero() => Decimal::ZERO,
            (ContractKind::Inverse, _) => units / price,
            (ContractKind::Linear, SizeUnit::Quote) => units,
            (ContractKind::Linear, _) => units * price,
        }
    }

    /// Profit of a position of `size` (positive long, negative short) from `entry` to `exit`,
    /// in the settle currency.
    pub fn pnl(&self, size: Decimal, entry: Decimal, exit: Decimal) -> Decimal {
        let units = match self.size_unit {
            SizeUnit::Contracts => size * self.contract_size,
            SizeUnit::Base | SizeUnit::Quote => size,
        };
        match self.contract {
            ContractKind::Linear => units * (exit - entry),
            ContractKind::Inverse if entry.is_zero() || exit.is_zero() => Decimal::ZERO,
            ContractKind::Inverse => units * (Decimal::ONE / entry - Decimal::ONE / exit),
        }
    }
}

fn round_to_step(value: Decimal, step: Decimal, strategy: RoundingStrategy) -> Decimal {
    if step.is_zero() {
        return value;
    }
    let steps = (value / step).round_dp_with_strategy(0, strategy);
    (steps * step).normalize()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::VenueId;
    use rust_decimal_macros::dec;

    pub(crate) fn btc_linear() -> Instrument {
        Instrument::linear_perpetual(
            InstrumentId::new(VenueId::Demo, "BTC-PERP"),
            "BTC",
            "USD",
            dec!(0.5),
            dec!(0.001),
            dec!(100),
        )
    }

    #[test]
    fn snaps_prices_to_the_tick() {
        let i = btc_linear();
        struct Case {
            price: Decimal,
            round: Decimal,
            floor: Decimal,
            ceil: Decimal,
        }
        let cases = [
            Case {
                price: dec!(100.2),
                round: dec!(100),
                floor: dec!(100),
                ceil: dec!(100.5),
            },
            Case {
                price: dec!(100.25),
                round: dec!(100.5),
                floor: dec!(100),
                ceil: dec!(100.5),
            },
            Case {
                price: dec!(100.5),
                round: dec!(100.5),
                floor: dec!(100.5),
                ceil: dec!(100.5),
            },
            Case {
                price: dec!(99.99),
                round: dec!(100),
                floor: dec!(99.5),
                ceil: dec!(100),
            },
        ];
        for (n, c) in cases.into_iter().enumerate() {
            assert_eq!(i.round_to_tick(c.price), c.round, "case {n}");
            assert_eq!(i.floor_to_tick(c.price), c.floor, "case {n}");
            assert_eq!(i.ceil_to_tick(c.price), c.ceil, "case {n}");
            assert!(i.is_on_tick(i.round_to_tick(c.price)), "case {n}");
        }
    }

    #[test]
    fn linear_and_inverse_pnl_have_the_right_sign_and_size() {
        let mut i = btc_linear();
        assert_eq!(i.pnl(dec!(2), dec!(100), dec!(110)), dec!(20));
        assert_eq!(i.pnl(dec!(-2), dec!(100), dec!(110)), dec!(-20));
        i.contract = ContractKind::Inverse;
        i.size_unit = SizeUnit::Contracts;
        // 100 USD contracts long from 50 000 to 100 000 earn 0.001 BTC.
        assert_eq!(i.pnl(dec!(100), dec!(50000), dec!(100000)), dec!(0.001));
        assert_eq!(i.notional(dec!(100), dec!(50000)), dec!(0.002));
    }
}

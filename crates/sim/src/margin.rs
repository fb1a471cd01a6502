//! Isolated-margin position arithmetic: averaging in, realizing on the way out, margin held
//! and released, and the liquidation price. Works for linear and inverse contracts.

use kestrel_core::{ContractKind, Instrument, PositionSide, Side, SizeUnit};
use rust_decimal::prelude::Signed;
use rust_decimal::Decimal;

/// Decimal places kept for prices and money inside the simulation.
const DP: u32 = 8;

/// Maintenance margin rate: the position is liquidated when its margin plus unrealized
/// PnL falls to this fraction of its notional.
pub const MAINTENANCE_MARGIN: Decimal = Decimal::from_parts(5, 0, 0, false, 3);

/// One isolated position in one instrument.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PositionState {
    /// Signed size: positive long, negative short.
    pub size: Decimal,
    /// Average entry price of the open size.
    pub entry: Decimal,
    /// Margin held for the position, in the settle currency.
    pub margin: Decimal,
    /// PnL realized since the position was opened.
    pub realized: Decimal,
    /// Closes the position at market when the last price reaches it.
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
    /// A trailing stop-loss's distance from the last price; `None` when fixed.
    pub stop_loss_trail: Option<Decimal>,
}

/// What one fill did to a position.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FillEffect {
    /// PnL realized by the part of the fill that reduced the position.
    pub realized: Decimal,
    /// Margin released by the reducing part (returned to the wallet).
    pub released: Decimal,
    /// Margin newly held by the part that opened or increased the position.
    pub added: Decimal,
}

impl PositionState {
    /// Whether there is no position.
    pub fn is_flat(&self) -> bool {
        self.size.is_zero()
    }

    /// Long or short, if open.
    pub fn side(&self) -> Option<PositionSide> {
        if self.size > Decimal::ZERO {
            Some(PositionSide::Long)
        } else if self.size < Decimal::ZERO {
            Some(PositionSide::Short)
        } else {
            None
        }
    }

    /// Applies a fill of `size` (positive) at `price`; new exposure is margined at
    /// `leverage`.
    pub fn apply_fill(
        &mut self,
        instrument: &Instrument,
        side: Side,
        price: Decimal,
        size: Decimal,
        leverage: Decimal,
    ) -> FillEffect {
        let mut effect = FillEffect::default();
        let signed = side.sign() * size;
        let opposing =
            !self.size.is_zero() && (self.size > Decimal::ZERO) != (signed > Decimal::ZERO);
        let mut opening = size;
        if opposing {
            let held = self.size.abs();
            let closing = size.min(held);
            let closed_signed = closing * self.size.signum();
            effect.realized = instrument
                .pnl(closed_signed, self.entry, price)
                .round_dp(DP);
            effect.released = if closing == held {
                self.margin
            } else {
                (self.margin * closing / held).round_dp(DP)
            };
            self.margin -= effect.released;
            self.realized += effect.realized;
            self.size -= closed_signed;
            opening = size - closing;
            if self.size.is_zero() {
                self.entry = Decimal::ZERO;
                self.margin = Decimal::ZERO;
                self.take_profit = None;
                self.stop_loss = None;
                self.stop_loss_trail = None;
            }
        }
        if opening > Decimal::ZERO {
            let held = self.size.abs();
            self.entry = if held.is_zero() {
                price
            } else {
                average_entry(instrument.contract, held, self.entry, opening, price)
            };
            effect.added = initial_margin(instrument, opening, price, leverage);
            self.margin += effect.added;
            self.size += side.sign() * opening;
            if held.is_zero() {
                // A flip or a fresh position starts its realized PnL count anew.
                self.realized = Decimal::ZERO;
            }
        }
        effect
    }

    /// Unrealized PnL at `mark`.
    pub fn unrealized(&self, instrument: &Instrument, mark: Decimal) -> Decimal {
        if self.is_flat() {
            return Decimal::ZERO;
        }
        instrument.pnl(self.size, self.entry, mark).round_dp(DP)
    }

    /// Effective leverage: notional at entry over margin.
    pub fn leverage(&self, instrument: &Instrument) -> Decimal {
        if self.margin.is_zero() {
            return Decimal::ZERO;
        }
        (instrument.notional(self.size.abs(), self.entry) / self.margin).round_dp(2)
    }

    /// The mark price at which margin plus unrealized PnL reaches maintenance margin, on the
    /// price grid (rounded towards the position, so it is never later than the truth).
    pub fn liquidation_price(&self, instrument: &Instrument) -> Option<Decimal> {
        if self.is_flat() || self.entry.is_zero() {
            return None;
        }
        let u = units(instrument, self.size.abs());
        let (m, e, mmr) = (self.margin, self.entry, MAINTENANCE_MARGIN);
        let one = Decimal::ONE;
        let long = self.size > Decimal::ZERO;
        let price = match (instrument.contract, long) {
            (ContractKind::Linear, true) => (u * e - m) / (u * (one - mmr)),
            (ContractKind::Linear, false) => (m + u * e) / (u * (one + mmr)),
            (ContractKind::Inverse, true) => u * (one + mmr) / (m + u / e),
            (ContractKind::Inverse, false) => {
                let denominator = u / e - m;
                if denominator <= Decimal::ZERO {
                    return None;
                }
                u * (one - mmr) / denominator
            }
        };
        if price <= Decimal::ZERO {
            return None;
        }
        Some(if long {
            instrument.ceil_to_tick(price)
        } else {
            instrument.floor_to_tick(price)
        })
    }

    /// Moves a trailing stop-loss after a last price `last` that went the position's way,
    /// keeping its distance (on the tick, never loosening). Whether it moved.
    pub fn trail(&mut self, instrument: &Instrument, last: Decimal) -> bool {
        let (Some(trail), Some(sl)) = (self.stop_loss_trail, self.stop_loss) else {
            return false;
        };
        let long = self.size > Decimal::ZERO;
        let moved = if long {
            instrument.floor_to_tick(last - trail)
        } else {
            instrument.ceil_to_tick(last + trail)
        };
        let tighter = if long { moved > sl } else { moved < sl };
        if tighter && !self.is_flat() {
            self.stop_loss = Some(moved);
        }
        tighter
    }

    /// Whether the last price `last` reaches the take-profit or the stop-loss.
    pub fn exit_triggered_at(&self, last: Decimal) -> bool {
        let long = self.size > Decimal::ZERO;
        let tp = self
            .take_profit
            .is_some_and(|tp| if long { last >= tp } else { last <= tp });
        let sl = self
            .stop_loss
            .is_some_and(|sl| if long { last <= sl } else { last >= sl });
        !self.is_flat() && (tp || sl)
    }

    /// Whether a mark at `mark` liquidates the position.
    pub fn is_liquidated_at(&self, instrument: &Instrument, mark: Decimal) -> bool {
        match self.liquidation_price(instrument) {
            Some(liq) if self.size > Decimal::ZERO => mark <= liq,
            Some(liq) => mark >= liq,
            None => false,
        }
    }
}

/// Margin to open `size` at `price` with `leverage`.
pub fn initial_margin(
    instrument: &Instrument,
    size: Decimal,
    price: Decimal,
    leverage: Decimal,
) -> Decimal {
    if leverage <= Decimal::ZERO {
        return instrument.notional(size, price).round_dp(DP);
    }
    (instrument.notional(size, price) / leverage).round_dp(DP)
}

/// Fee on `size` at `price` at `rate`.
pub fn fee(instrument: &Instrument, size: Decimal, price: Decimal, rate: Decimal) -> Decimal {
    (instrument.notional(size, price) * rate).round_dp(DP)
}

fn units(instrument: &Instrument, size: Decimal) -> Decimal {
    match instrument.size_unit {
        SizeUnit::Contracts => size * instrument.contract_size,
        SizeUnit::Base | SizeUnit::Quote => size,
    }
}

/// Size-weighted entry for linear contracts; the harmonic mean (weighted by contracts) for
/// inverse ones, which is what makes inverse PnL add up.
fn average_entry(
    contract: ContractKind,
    held: Decimal,
    entry: Decimal,
    added: Decimal,
    price: Decimal,
) -> Decimal {
    let total = held + added;
    match contract {
        ContractKind::Linear => ((held * entry + added * price) / total).round_dp(DP),
        ContractKind::Inverse => (total / (held / entry + added / price)).round_dp(DP),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{inverse, linear};
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    #[test]
    fn averaging_in_and_realizing_out_on_a_linear_contract() {
        let i = linear();
        let mut p = PositionState::default();
        let e = p.apply_fill(&i, Side::Buy, dec!(100), dec!(1), dec!(10));
        assert_eq!(e.added, dec!(10));
        p.apply_fill(&i, Side::Buy, dec!(110), dec!(1), dec!(10));
        assert_eq!(p.entry, dec!(105));
        assert_eq!(p.margin, dec!(21));
        let e = p.apply_fill(&i, Side::Sell, dec!(120), dec!(0.5), dec!(10));
        assert_eq!(e.realized, dec!(7.5));
        assert_eq!(e.released, dec!(5.25));
        assert_eq!(p.size, dec!(1.5));
        assert_eq!(p.entry, dec!(105));
        // Selling 2.5 closes 1.5 and opens 1 short at 90.
        let e = p.apply_fill(&i, Side::Sell, dec!(90), dec!(2.5), dec!(5));
        assert_eq!(e.realized, dec!(-22.5));
        assert_eq!(e.released, dec!(15.75));
        assert_eq!(e.added, dec!(18));
        assert_eq!((p.size, p.entry, p.margin), (dec!(-1), dec!(90), dec!(18)));
    }

    #[test]
    fn inverse_entry_is_the_harmonic_mean_and_pnl_is_in_the_coin() {
        let i = inverse();
        let mut p = PositionState::default();
        p.apply_fill(&i, Side::Buy, dec!(50000), dec!(100), dec!(10));
        p.apply_fill(&i, Side::Buy, dec!(100000), dec!(100), dec!(10));
        // 200 contracts over (100/50000 + 100/100000) = 66 666.67
        assert_eq!(p.entry.round_dp(2), dec!(66666.67));
        let e = p.apply_fill(&i, Side::Sell, dec!(100000), dec!(200), dec!(10));
        // Each leg's PnL in BTC: 100/50000 - 100/100000 = 0.001
        assert_eq!(e.realized.round_dp(8), dec!(0.001));
        assert!(p.is_flat());
    }

    #[test]
    fn liquidation_prices_sit_where_margin_meets_maintenance() {
        struct Case {
            instrument: Instrument,
            side: Side,
            leverage: Decimal,
            liq: Decimal,
        }
        let cases = [
            // Long 1 @ 100 at 10×: margin 10, L = (100 - 10) / 0.995 = 90.45 → ceil 90.5
            Case {
                instrument: linear(),
                side: Side::Buy,
                leverage: dec!(10),
                liq: dec!(90.5),
            },
            // Short 1 @ 100 at 10×: L = 110 / 1.005 = 109.45 → floor 109
            Case {
                instrument: linear(),
                side: Side::Sell,
                leverage: dec!(10),
                liq: dec!(109),
            },
            // Short at 1×, inverse: never liquidated.
            Case {
                instrument: inverse(),
                side: Side::Sell,
                leverage: dec!(1),
                liq: dec!(-1),
            },
        ];
        for (n, c) in cases.into_iter().enumerate() {
            let mut p = PositionState::default();
            p.apply_fill(&c.instrument, c.side, dec!(100), dec!(1), c.leverage);
            let liq = p.liquidation_price(&c.instrument).unwrap_or(dec!(-1));
            assert_eq!(liq, c.liq, "case {n}");
        }
    }

    proptest! {
        /// At the exact (unrounded) liquidation price, margin plus unrealized PnL equals
        /// maintenance margin, for both contract kinds and sides.
        #[test]
        fn margin_meets_maintenance_at_the_liquidation_price(
            entry in 1_000i64..100_000,
            lev in 2i64..100,
            long in any::<bool>(),
            inverse_kind in any::<bool>(),
        ) {
            let mut i = if inverse_kind { inverse() } else { linear() };
            i.price_tick = Decimal::new(1, 8);
            let side = if long { Side::Buy } else { Side::Sell };
            let size = if inverse_kind { dec!(1000) } else { dec!(1) };
            let mut p = PositionState::default();
            p.apply_fill(&i, side, Decimal::from(entry), size, Decimal::from(lev));
            let liq = p.liquidation_price(&i).unwrap();
            let equity = p.margin + p.unrealized(&i, liq);
            let maintenance = i.notional(size, liq) * MAINTENANCE_MARGIN;
            let tolerance = i.notional(size, liq) * dec!(0.000001);
            prop_assert!((equity - maintenance).abs() <= tolerance, "{} vs {}", equity, maintenance);
            prop_assert!(p.is_liquidated_at(&i, liq));
        }

        /// However a position is built and unwound, the realized PnL is the sum of each
        /// fill's cash flow and all margin comes back.
        #[test]
        fn a_round_trip_returns_all_margin_and_realizes_the_cash_flow(
            fills in prop::collection::vec((any::<bool>(), 1i64..20, 90i64..110), 1..30),
            exit in 90i64..110,
        ) {
            let i = linear();
            let mut p = PositionState::default();
            let (mut cash, mut realized, mut margin_flow) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
            for (buy, size, price) in fills {
                let side = if buy { Side::Buy } else { Side::Sell };
                let (size, price) = (Decimal::from(size), Decimal::from(price));
                cash -= side.sign() * size * price;
                let e = p.apply_fill(&i, side, price, size, dec!(10));
                realized += e.realized;
                margin_flow += e.added - e.released;
                prop_assert_eq!(p.margin, margin_flow);
            }
            if !p.is_flat() {
                let side = if p.size > Decimal::ZERO { Side::Sell } else { Side::Buy };
                let size = p.size.abs();
                cash -= side.sign() * size * Decimal::from(exit);
                let e = p.apply_fill(&i, side, Decimal::from(exit), size, dec!(10));
                realized += e.realized;
                margin_flow += e.added - e.released;
            }
            prop_assert!(p.is_flat());
            prop_assert_eq!(margin_flow, Decimal::ZERO);
            prop_assert!((realized - cash).abs() < dec!(0.0001), "{} vs {}", realized, cash);
        }
    }
}

//! A simulated derivatives exchange for the Demo venue and for tests: a price-time priority
//! matching book; market, limit and stop orders with reduce-only, post-only, IOC and FOK;
//! isolated-margin positions with leverage, liquidation and funding; a seeded price path
//! with volatility clustering; and liquidity agents that keep the book full and print
//! trades.

pub mod agents;
pub mod book;
pub mod exchange;
pub mod history;
pub mod margin;
pub mod price;

pub use exchange::{Exchange, MarketSpec, SimEvent, DEFAULT_LEVERAGE};

#[cfg(test)]
pub(crate) mod fixtures {
    use kestrel_core::{ContractKind, Instrument, InstrumentId, SizeUnit, VenueId};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    /// A BTC/USD linear perpetual like the Demo venue's.
    pub(crate) fn linear() -> Instrument {
        Instrument::linear_perpetual(
            InstrumentId::new(VenueId::Demo, "BTC-PERP"),
            "BTC",
            "USD",
            dec!(0.5),
            dec!(0.001),
            dec!(100),
        )
    }

    /// An inverse perpetual in one-USD contracts, settled in BTC.
    pub(crate) fn inverse() -> Instrument {
        Instrument {
            contract: ContractKind::Inverse,
            size_unit: SizeUnit::Contracts,
            size_step: Decimal::ONE,
            min_size: Decimal::ONE,
            max_size: dec!(1000000),
            settle: "BTC".into(),
            ..linear()
        }
    }
}

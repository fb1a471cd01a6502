//! Identifiers. Each is its own type so a venue symbol can never be passed where an order
//! id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A trading venue Kestrel can connect to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum VenueId {
    Demo,
    LnMarkets,
    Lmex,
    Levret,
    Limora,
    LightCx,
}

impl VenueId {
    /// Every venue, in the order the UI lists them.
    pub const ALL: [VenueId; 6] = [
        VenueId::Demo,
        VenueId::LnMarkets,
        VenueId::Lmex,
        VenueId::Levret,
        VenueId::Limora,
        VenueId::LightCx,
    ];

    /// The venue's display name.
    pub fn name(self) -> &'static str {
        match self {
            VenueId::Demo => "Demo",
            VenueId::LnMarkets => "LN Markets",
            VenueId::Lmex => "LMEX",
            VenueId::Levret => "Levret",
            VenueId::Limora => "Limora",
            VenueId::LightCx => "LightCX",
        }
    }
}

impl fmt::Display for VenueId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            /// The id as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                Self(s)
            }
        }
    };
}

string_id!(
    /// A configured account (several per venue are allowed).
    AccountId
);
string_id!(
    /// A venue-scoped instrument symbol, spelled as the venue spells it (`BTCPFC`, `BTC-PERP`).
    Symbol
);
string_id!(
    /// The venue's id for an order.
    OrderId
);
string_id!(
    /// Our id for an order, assigned before it is sent so the outcome can be reconciled.
    ClientOrderId
);
string_id!(
    /// The venue's id for one execution; fills are deduplicated on it.
    TradeId
);

/// An instrument on a venue.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct InstrumentId {
    pub venue: VenueId,
    pub symbol: Symbol,
}

impl InstrumentId {
    /// Builds an id from a venue and its symbol.
    pub fn new(venue: VenueId, symbol: impl Into<Symbol>) -> Self {
        Self {
            venue,
            symbol: symbol.into(),
        }
    }
}

impl fmt::Display for InstrumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.venue.name(), self.symbol)
    }
}

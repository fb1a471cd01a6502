//! LN Markets (REST v3 + Stream v1). The v2 API of the seed doc was switched off on
//! 31 Mar 2026; its options market and volatility index have no v3 equivalent and are not
//! built.
//!
//! Status: signing, contract maths, wire types, mapping and the REST client are in place
//! and tested against a local server that speaks the venue's wire protocol
//! (tests/src/lnmarkets.rs). The `MarketData`/`Trading` connector and the Stream v1 client
//! are not yet written, so the venue is not offered in the app.

pub mod auth;
pub mod map;
pub mod maths;
pub mod rest;
pub mod wire;

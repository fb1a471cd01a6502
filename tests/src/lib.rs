//! Venue test servers: each speaks its venue's real wire protocol on 127.0.0.1 so the
//! connectors can be tested end to end without the network, with faults a test can inject
//! (errors, rate limits, answers that never arrive, clock skew).

pub mod conformance;
pub mod lmex;
pub mod lnmarkets;
pub mod server;

//! Venue connectors. Each venue module has the same anatomy (see docs/ARCHITECTURE.md);
//! the Demo venue runs a simulated exchange in-process.

pub mod accounts;
pub mod demo;
pub mod lmex;
pub mod lnmarkets;
pub mod net;

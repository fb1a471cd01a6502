//! IPC commands, one module per domain. Each is a few lines: parse, call the engine,
//! map the result.

pub mod account;
pub mod lmex;
pub mod lnmarkets;
pub mod market;
pub mod orders;
pub mod settings;

include!("names.rs");

/// Every app command's IPC name, as listed for the ACL in build.rs.
pub fn names() -> &'static [&'static str] {
    COMMANDS
}

//! LMEX (BTSE's futures API v2.3, NOTES.md §2): linear USDT-margined perpetuals in integer
//! contracts, an L2 book with sequenced deltas, HMAC-SHA384. Being built: signing is done
//! and checked against BTSE's vectors; the connector, its venue server and the peer check
//! come next, so LMEX accounts stay unavailable in Settings until then.

pub mod auth;
pub mod map;
pub mod wire;

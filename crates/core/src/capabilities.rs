//! What a venue can do, so the UI shows only what works.

use crate::order::OrderType;
use serde::{Deserialize, Serialize};

/// A venue's features.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Capabilities {
    pub order_types: Vec<OrderType>,
    pub reduce_only: bool,
    pub post_only: bool,
    /// Working orders can be amended in place (otherwise cancel-and-replace).
    pub amend: bool,
    /// Take-profit / stop-loss attached to a position.
    pub position_tp_sl: bool,
    /// A position's stop-loss can trail the market at a fixed distance.
    pub trailing_stop: bool,
    /// An order can carry a take-profit and stop-loss for the position it opens.
    pub attached_tp_sl: bool,
    pub adjust_margin: bool,
    /// Profit (then margin) can be taken out of a running position (LN Markets' cash-in).
    pub cash_in: bool,
    pub cross_margin: bool,
    pub isolated_margin: bool,
    /// Levels per side the venue publishes (0 when it has no book).
    pub book_depth: u32,
    /// Account changes arrive on a stream (otherwise they are polled).
    pub private_stream: bool,
    /// Orders can be looked up by our client order id.
    pub query_by_client_id: bool,
    /// The venue is a simulation, not a real market.
    pub simulated: bool,
}

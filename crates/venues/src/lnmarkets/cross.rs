//! LN Markets cross margin, offered as a second instrument of the same market:
//! `BTC/USD-CROSS`. Orders on it go to the cross routes, its position is the account's one
//! cross position, and its margin is the cross wallet, which the trader fills and empties
//! with transfers from the account balance. Market data is the isolated market's.
//!
//! v3 cross orders carry no client id, so the connector remembers which venue id answered
//! which client id. An order whose answer was lost is looked for among the orders created
//! after it was sent, matched on side, size and (for a limit) price — never sent again.

use super::{map, rest::CallError, wire, LnMarkets};
use kestrel_core::{
    AccountEvent, ClientOrderId, Decimal, Error, Fill, Instrument, InstrumentId, Liquidity,
    MarginMode, Order, OrderId, OrderOutcome, OrderRequest, OrderStatus, OrderType, Position,
    PositionSide, Result, Side, TradeId, VenueId,
};
use rust_decimal::prelude::ToPrimitive;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use wire::{LnmCrossOrder, LnmCrossPosition, LnmSide};

/// The cross-margin instrument's symbol.
pub const SYMBOL: &str = "BTC/USD-CROSS";
/// Filled orders read when listing fills or reconciling.
const FILLED_PAGE: u32 = 100;
/// Transfers and funding fees the panel lists.
const HISTORY: u32 = 50;
/// How far before its send time a reconciled order may have been stamped (venue clock).
const RECONCILE_SLACK_MS: i64 = 5_000;

/// The cross-margin market: the isolated instrument under another symbol.
pub fn instrument() -> Instrument {
    let mut i = map::instrument();
    i.id = InstrumentId::new(VenueId::LnMarkets, SYMBOL);
    i.display_name = "BTC/USD inverse perpetual, cross margin".into();
    i
}

/// Whether `id` names the cross-margin instrument.
pub fn is_cross(id: &InstrumentId) -> bool {
    id.venue == VenueId::LnMarkets && id.symbol.as_str() == SYMBOL
}

/// An order sent whose answer has not arrived.
#[derive(Clone, Debug)]
struct Intent {
    side: Side,
    quantity: u64,
    price: Option<Decimal>,
    sent_at: i64,
}

/// Client ids ↔ venue ids of cross orders, and the orders still in flight.
#[derive(Default)]
pub(super) struct CrossBook {
    inner: Mutex<CrossBookInner>,
}

#[derive(Default)]
struct CrossBookInner {
    by_venue: HashMap<String, ClientOrderId>,
    by_client: HashMap<ClientOrderId, String>,
    pending: HashMap<ClientOrderId, Intent>,
    /// The cross leverage last seen, so an order at the same leverage sends no update.
    leverage: Option<u32>,
}

impl CrossBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, CrossBookInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn link(&self, client: &ClientOrderId, venue: &str) {
        let mut inner = self.lock();
        inner.pending.remove(client);
        inner.by_venue.insert(venue.to_owned(), client.clone());
        inner.by_client.insert(client.clone(), venue.to_owned());
    }

    /// The client id an order is known by: ours if we sent it, else the venue's id.
    fn client_of(&self, venue: &str) -> ClientOrderId {
        self.lock()
            .by_venue
            .get(venue)
            .cloned()
            .unwrap_or_else(|| ClientOrderId(venue.to_owned()))
    }

    fn venue_of(&self, client: &ClientOrderId) -> Option<String> {
        self.lock().by_client.get(client).cloned()
    }

    fn knows(&self, client: &ClientOrderId) -> bool {
        let inner = self.lock();
        inner.by_client.contains_key(client) || inner.pending.contains_key(client)
    }

    fn seen_leverage(&self, leverage: Decimal) {
        self.lock().leverage = leverage.to_u32();
    }
}

fn side_of(s: LnmSide) -> Side {
    match s {
        LnmSide::Buy => Side::Buy,
        LnmSide::Sell => Side::Sell,
    }
}

/// A cross order as either wire shape tells it (REST: ISO times; stream: ms).
struct Facts {
    id: String,
    limit: bool,
    side: Side,
    price: Decimal,
    quantity: u64,
    fee: i64,
    created_at: i64,
    filled_at: Option<i64>,
    canceled_at: Option<i64>,
}

impl Facts {
    fn from_rest(o: &LnmCrossOrder) -> Result<Self> {
        let time = |t: Option<&str>, set: bool| t.filter(|_| set).map(map::parse_time).transpose();
        Ok(Self {
            id: o.id.clone(),
            limit: o.kind == "limit",
            side: side_of(o.side),
            price: o.price,
            quantity: o.quantity,
            fee: o.trading_fee,
            created_at: map::parse_time(&o.created_at)?,
            filled_at: time(o.filled_at.as_deref(), o.filled)?,
            canceled_at: time(o.canceled_at.as_deref(), o.canceled)?,
        })
    }

    fn from_stream(o: &wire::LnmStreamCrossOrder) -> Self {
        Self {
            id: o.id.clone(),
            limit: o.kind == "limit",
            side: side_of(o.side),
            price: o.price,
            quantity: o.quantity,
            fee: o.trading_fee,
            created_at: o.created_at,
            filled_at: o.filled_at,
            canceled_at: o.canceled_at,
        }
    }
}

/// A cross order in the core model, known by `client`.
fn order(o: &LnmCrossOrder, client: ClientOrderId) -> Result<Order> {
    Ok(order_of(&Facts::from_rest(o)?, client))
}

fn order_of(o: &Facts, client: ClientOrderId) -> Order {
    let status = if o.canceled_at.is_some() {
        OrderStatus::Cancelled
    } else if o.filled_at.is_some() {
        OrderStatus::Filled
    } else {
        OrderStatus::Open
    };
    let filled = o.filled_at.is_some();
    let size = Decimal::from(o.quantity);
    let limit = o.limit;
    Order {
        id: Some(OrderId(o.id.clone())),
        client_order_id: client,
        instrument: instrument().id,
        side: o.side,
        order_type: if limit {
            OrderType::Limit
        } else {
            OrderType::Market
        },
        status,
        size,
        filled_size: if filled { size } else { Decimal::ZERO },
        price: limit.then_some(o.price),
        trigger_price: None,
        avg_fill_price: filled.then_some(o.price),
        reduce_only: false,
        post_only: false,
        leverage: None,
        created_at: o.created_at,
        updated_at: o.canceled_at.or(o.filled_at).unwrap_or(o.created_at),
        reason: None,
    }
}

/// A filled cross order's one fill.
fn fill(o: &LnmCrossOrder, client: ClientOrderId) -> Result<Option<Fill>> {
    Ok(fill_of(&Facts::from_rest(o)?, client))
}

fn fill_of(o: &Facts, client: ClientOrderId) -> Option<Fill> {
    let at = o.filled_at?;
    Some(Fill {
        trade_id: TradeId(format!("{}-fill", o.id)),
        order_id: Some(OrderId(o.id.clone())),
        client_order_id: Some(client),
        instrument: instrument().id,
        side: o.side,
        price: o.price,
        size: Decimal::from(o.quantity),
        fee: map::btc(o.fee),
        liquidity: if o.limit {
            Liquidity::Maker
        } else {
            Liquidity::Taker
        },
        realized_pnl: Decimal::ZERO,
        ts: at,
    })
}

/// The cross position in the core model; none when flat.
pub(super) fn position(
    p: &LnmCrossPosition,
    bid: Decimal,
    ask: Decimal,
    now: i64,
) -> Option<Position> {
    let entry = p.entry_price.filter(|_| p.quantity != 0)?;
    let long = p.quantity > 0;
    Some(Position {
        instrument: instrument().id,
        side: if long {
            PositionSide::Long
        } else {
            PositionSide::Short
        },
        size: Decimal::from(p.quantity.unsigned_abs()),
        entry_price: entry,
        mark_price: Some(if long { bid } else { ask }),
        margin: map::btc(p.margin),
        leverage: p.leverage,
        margin_mode: MarginMode::Cross,
        liquidation_price: p.liquidation.filter(|l| *l > Decimal::ZERO),
        unrealized_pnl: map::btc(p.delta_pl),
        realized_pnl: map::btc(p.total_pl - p.funding_fees),
        take_profit: None,
        stop_loss: None,
        stop_loss_trail: None,
        updated_at: now,
    })
}

fn unknown_or_rejected(client: &ClientOrderId, e: CallError) -> OrderOutcome {
    match e {
        CallError::Unknown(reason) => OrderOutcome::Unknown {
            client_order_id: client.clone(),
            reason,
        },
        CallError::Failed(error) => OrderOutcome::Rejected { error },
    }
}

impl LnMarkets {
    /// Places a cross order once. A leverage other than the cross account's is set first
    /// (an idempotent update): in cross margin it applies to the whole position.
    pub(super) async fn cross_place(
        &self,
        request: &OrderRequest,
        quantity: u64,
        price: Option<Decimal>,
    ) -> OrderOutcome {
        let client = &request.client_order_id;
        if let Some(leverage) = request.leverage {
            let Some(whole) = leverage
                .is_integer()
                .then(|| leverage.to_u32())
                .flatten()
                .filter(|l| (1..=100).contains(l))
            else {
                return OrderOutcome::Rejected {
                    error: Error::invalid_order(
                        "leverage",
                        "cross-margin leverage is a whole number from 1 to 100",
                    ),
                };
            };
            if self.cross.lock().leverage != Some(whole) {
                match self.rest.cross_set_leverage(whole).await {
                    Ok(p) => self.cross.seen_leverage(p.leverage),
                    Err(e) => return OrderOutcome::Rejected { error: e.into() },
                }
            }
        }
        self.cross.lock().pending.insert(
            client.clone(),
            Intent {
                side: request.side,
                quantity,
                price,
                sent_at: self.clock.now_ms(),
            },
        );
        match self
            .rest
            .cross_new_order(request.side, quantity, price)
            .await
        {
            Ok(o) => {
                self.cross.link(client, &o.id);
                match order(&o, client.clone()) {
                    Ok(order) => OrderOutcome::Accepted { order },
                    Err(e) => OrderOutcome::Unknown {
                        client_order_id: client.clone(),
                        reason: e.message,
                    },
                }
            }
            Err(CallError::Failed(error)) => {
                self.cross.lock().pending.remove(client);
                OrderOutcome::Rejected { error }
            }
            Err(e @ CallError::Unknown(_)) => unknown_or_rejected(client, e),
        }
    }

    /// Cancels an open cross order by our client id (or the venue's id).
    pub(super) async fn cross_cancel(&self, client: &ClientOrderId) -> OrderOutcome {
        let venue = self
            .cross
            .venue_of(client)
            .unwrap_or_else(|| client.0.clone());
        match self.rest.cross_cancel(&venue).await {
            Ok(o) => match order(&o, client.clone()) {
                Ok(mut order) => {
                    order.status = OrderStatus::Cancelled;
                    OrderOutcome::Accepted { order }
                }
                Err(error) => OrderOutcome::Rejected { error },
            },
            Err(e) => unknown_or_rejected(client, e),
        }
    }

    /// Closes the cross position at market.
    pub(super) async fn cross_close(&self) -> OrderOutcome {
        match self.rest.cross_close().await {
            Ok(o) => {
                let client = self.cross.client_of(&o.id);
                match order(&o, client) {
                    Ok(order) => OrderOutcome::Accepted { order },
                    Err(error) => OrderOutcome::Rejected { error },
                }
            }
            Err(CallError::Unknown(reason)) => OrderOutcome::Unknown {
                client_order_id: ClientOrderId("cross-close".into()),
                reason,
            },
            Err(CallError::Failed(error)) => OrderOutcome::Rejected { error },
        }
    }

    /// Open cross orders.
    pub(super) async fn cross_open_orders(&self) -> Result<Vec<Order>> {
        self.rest
            .cross_open_orders()
            .await?
            .iter()
            .map(|o| order(o, self.cross.client_of(&o.id)))
            .collect()
    }

    /// Fills of the latest filled cross orders.
    pub(super) async fn cross_fills(&self) -> Result<Vec<Fill>> {
        let mut out = Vec::new();
        for o in self.rest.cross_filled_orders(FILLED_PAGE, None).await?.data {
            out.extend(fill(&o, self.cross.client_of(&o.id))?);
        }
        Ok(out)
    }

    /// The cross position read now, valued at `bid`/`ask`.
    pub(super) async fn cross_position(
        &self,
        bid: Decimal,
        ask: Decimal,
    ) -> Result<Option<Position>> {
        let p = self.rest.cross_position().await?;
        self.cross.seen_leverage(p.leverage);
        Ok(position(&p, bid, ask, self.clock.now_ms()))
    }

    /// The cross order known by `client`, if it is one of ours: `None` when the id is not a
    /// cross order's, `Some(None)` when the venue has no such order.
    pub(super) async fn cross_order_by_client_id(
        &self,
        client: &ClientOrderId,
    ) -> Result<Option<Option<Order>>> {
        if !self.cross.knows(client) {
            return Ok(None);
        }
        let open = self.rest.cross_open_orders().await?;
        let filled = self.rest.cross_filled_orders(FILLED_PAGE, None).await?.data;
        let all = || open.iter().chain(&filled);
        if let Some(venue) = self.cross.venue_of(client) {
            return all()
                .find(|o| o.id == venue)
                .map(|o| order(o, client.clone()))
                .transpose()
                .map(Some);
        }
        let Some(intent) = self.cross.lock().pending.get(client).cloned() else {
            return Ok(Some(None));
        };
        let claimed = |id: &str| self.cross.lock().by_venue.contains_key(id);
        let mut candidates: Vec<&LnmCrossOrder> = Vec::new();
        for o in all() {
            let created = map::parse_time(&o.created_at)?;
            let price_matches = match intent.price {
                Some(p) => o.kind == "limit" && o.price == p,
                None => o.kind == "market",
            };
            if side_of(o.side) == intent.side
                && o.quantity == intent.quantity
                && price_matches
                && created >= intent.sent_at - RECONCILE_SLACK_MS
                && !claimed(&o.id)
            {
                candidates.push(o);
            }
        }
        // The earliest match is ours: later ones were sent after it.
        candidates.sort_by(|a, b| a.created_at.cmp(&b.created_at));
        match candidates.first() {
            Some(o) => {
                self.cross.link(client, &o.id);
                order(o, client.clone()).map(|o| Some(Some(o)))
            }
            None => Ok(Some(None)),
        }
    }

    /// What a cross push changes: the pushed order (on `cross/orders`) with its fill, then
    /// the cross position read anew — the caller adds the balance.
    pub(super) async fn cross_events(
        &self,
        pushed: serde_json::Value,
        bid: Decimal,
        ask: Decimal,
    ) -> Vec<AccountEvent> {
        let mut out = Vec::new();
        if let Ok(e) = serde_json::from_value::<wire::LnmStreamCrossOrderEvent>(pushed) {
            let facts = Facts::from_stream(&e.order);
            let client = e
                .order
                .client_id
                .clone()
                .map(ClientOrderId)
                .unwrap_or_else(|| self.cross.client_of(&facts.id));
            out.extend(fill_of(&facts, client.clone()).map(|fill| AccountEvent::Fill { fill }));
            out.push(AccountEvent::Order {
                order: order_of(&facts, client),
            });
        }
        match self.cross_position(bid, ask).await {
            Ok(position) => {
                out.push(AccountEvent::PositionClosed {
                    instrument: instrument().id,
                });
                out.extend(position.map(|position| AccountEvent::Position { position }));
            }
            Err(e) => tracing::debug!(error = %e, "LN Markets cross position refresh failed"),
        }
        out
    }
}

/// Which way a cross transfer goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum LnmCrossDirection {
    /// Account balance → cross wallet.
    Deposit,
    /// Cross wallet → account balance.
    Withdraw,
}

/// One transfer between the account and the cross wallet; positive is a deposit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmCrossTransfer {
    pub id: String,
    pub amount_sats: i64,
    pub time: i64,
}

/// The cross account as the LN Markets tab shows it; amounts in sats.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LnmCross {
    pub leverage: u32,
    /// The cross wallet: what the position's margin is drawn from.
    pub margin_sats: i64,
    /// Signed contracts: short below zero.
    pub quantity: i64,
    pub entry_price: Option<Decimal>,
    pub liquidation: Option<Decimal>,
    pub initial_margin_sats: i64,
    pub maintenance_margin_sats: i64,
    /// Margin plus unrealized P&L.
    pub running_margin_sats: i64,
    pub unrealized_pl_sats: i64,
    pub realized_pl_sats: i64,
    pub trading_fees_sats: i64,
    pub funding_fees_sats: i64,
    /// The account balance a deposit can draw on.
    pub available_sats: i64,
    /// Newest first.
    pub transfers: Vec<LnmCrossTransfer>,
    /// Funding charged to the cross position, newest first.
    pub funding_fees: Vec<super::extras::LnmFundingFee>,
}

impl LnMarkets {
    /// The cross account, its transfers and funding fees.
    pub async fn cross_view(&self) -> Result<LnmCross> {
        let p = self.rest.cross_position().await?;
        self.cross.seen_leverage(p.leverage);
        let account = self.rest.account().await?;
        let transfers = self
            .rest
            .cross_transfers(HISTORY, None)
            .await?
            .data
            .into_iter()
            .map(|t| {
                Ok(LnmCrossTransfer {
                    time: map::parse_time(&t.time)?,
                    id: t.id,
                    amount_sats: t.amount,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let funding_fees = self
            .rest
            .cross_funding_fees(HISTORY, None)
            .await?
            .data
            .into_iter()
            .map(|f| {
                Ok(super::extras::LnmFundingFee {
                    time: map::parse_time(&f.time)?,
                    trade_id: f.trade_id,
                    fee: map::btc(f.fee),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LnmCross {
            leverage: p.leverage.to_u32().unwrap_or(0),
            margin_sats: p.margin,
            quantity: p.quantity,
            entry_price: p.entry_price.filter(|_| p.quantity != 0),
            liquidation: p.liquidation.filter(|l| *l > Decimal::ZERO),
            initial_margin_sats: p.initial_margin,
            maintenance_margin_sats: p.maintenance_margin,
            running_margin_sats: p.running_margin,
            unrealized_pl_sats: p.delta_pl,
            realized_pl_sats: p.total_pl,
            trading_fees_sats: p.trading_fees,
            funding_fees_sats: p.funding_fees,
            available_sats: account.balance,
            transfers,
            funding_fees,
        })
    }

    /// Moves `amount_sats` between the account and the cross wallet. Sent once: an
    /// unconfirmed transfer is reported, never repeated.
    pub async fn cross_transfer(
        &self,
        direction: LnmCrossDirection,
        amount_sats: u64,
    ) -> Result<()> {
        if amount_sats == 0 {
            return Err(Error::invalid_order("amount", "transfer at least 1 sat"));
        }
        let sent = match direction {
            LnmCrossDirection::Deposit => self.rest.cross_deposit(amount_sats).await,
            LnmCrossDirection::Withdraw => self.rest.cross_withdraw(amount_sats).await,
        };
        match sent {
            Ok(p) => {
                self.cross.seen_leverage(p.leverage);
                Ok(())
            }
            Err(CallError::Failed(e)) => Err(e),
            Err(CallError::Unknown(reason)) => Err(Error::network(format!(
                "LN Markets did not confirm the transfer of {amount_sats} sats ({reason}); it may have happened — check the cross wallet before trying again"
            ))),
        }
    }

    /// Sets the cross leverage (whole, 1–100); the venue refuses one the margin cannot carry.
    pub async fn cross_set_leverage(&self, leverage: u32) -> Result<()> {
        if !(1..=100).contains(&leverage) {
            return Err(Error::invalid_order(
                "leverage",
                "cross-margin leverage is a whole number from 1 to 100",
            ));
        }
        let p = self.rest.cross_set_leverage(leverage).await?;
        self.cross.seen_leverage(p.leverage);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire_order(json: &str) -> LnmCrossOrder {
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_filled_cross_order_is_an_order_and_one_fill_on_the_cross_instrument() {
        let o = wire_order(
            r#"{"id":"o-1","type":"market","side":"sell","price":50000.5,"quantity":300,
                "tradingFee":600,"createdAt":"2026-11-23T10:00:00.000Z",
                "filledAt":"2026-11-23T10:00:00.000Z","canceledAt":null,
                "open":false,"filled":true,"canceled":false}"#,
        );
        let client = ClientOrderId("k-7".into());
        let order = order(&o, client.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(order.instrument.symbol.as_str(), SYMBOL);
        assert_eq!(order.status, OrderStatus::Filled);
        assert_eq!(order.filled_size, Decimal::from(300));
        assert_eq!(order.client_order_id, client);
        let fill = fill(&o, client)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("a fill"));
        assert_eq!(fill.side, Side::Sell);
        assert_eq!(fill.fee, Decimal::new(600, 8));
        assert_eq!(fill.liquidity, Liquidity::Taker);
    }

    #[test]
    fn a_flat_cross_position_is_none_and_a_short_one_has_its_side() {
        let p = |q: i64, entry: &str| -> LnmCrossPosition {
            serde_json::from_str(&format!(
                r#"{{"id":"c","quantity":{q},"entryPrice":{entry},"leverage":5,"liquidation":null,
                    "margin":100000,"initialMargin":1000,"maintenanceMargin":500,"runningMargin":99000,
                    "deltaPl":-1000,"totalPl":0,"tradingFees":10,"fundingFees":0,
                    "updatedAt":"2026-11-23T10:00:00.000Z"}}"#
            ))
            .unwrap_or_else(|e| panic!("{e}"))
        };
        let d = Decimal::from;
        assert!(position(&p(0, "null"), d(1), d(2), 0).is_none());
        let short = position(&p(-250, "50000"), d(49_999), d(50_001), 7)
            .unwrap_or_else(|| panic!("a position"));
        assert_eq!(short.side, PositionSide::Short);
        assert_eq!(short.size, d(250));
        assert_eq!(short.mark_price, Some(d(50_001)));
        assert_eq!(short.margin_mode, MarginMode::Cross);
        assert_eq!(short.unrealized_pnl, Decimal::new(-1000, 8));
    }

    #[test]
    fn the_cross_instrument_is_the_isolated_market_under_its_own_symbol() {
        let i = instrument();
        assert!(is_cross(&i.id));
        assert!(!is_cross(&map::instrument().id));
        assert_eq!(i.price_tick, map::instrument().price_tick);
    }
}

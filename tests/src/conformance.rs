//! The conformance suite every connector passes: the same checks, written once against the
//! venue traits, run for the Demo venue and for each real venue against its test server.

use futures::StreamExt;
use kestrel_core::{
    AmendRequest, Capabilities, ClientOrderId, Decimal, ErrorKind, InstrumentId, MarketData,
    MarketEvent, OrderOutcome, OrderRequest, OrderStatus, OrderType, Position, PositionSide, Side,
    StopLoss, StreamStatus, TimeInForce, Trading,
};
use std::time::Duration;

/// What a venue's test server lets the suite break. In-process venues (the Demo) have no
/// wire to break and pass `None`.
pub trait Faults: Sync {
    /// The next order submission on `instrument` is carried out, but its answer is lost
    /// (a gateway error after the venue acted).
    fn lose_next_order_answer(&self, instrument: &InstrumentId);
    /// Every open stream connection drops.
    fn drop_streams(&self);
    /// The market moves, and the server pushes the new price to its subscribers.
    fn move_market(&self);
}

/// What a venue needs the suite to know.
pub struct Subject<'a> {
    pub venue: &'a dyn Trading,
    /// The same connector's market data.
    pub market: &'a dyn MarketData,
    pub faults: Option<&'a dyn Faults>,
    pub instrument: InstrumentId,
    /// A valid order size.
    pub size: Decimal,
    /// A limit buy price far enough below the market never to fill during the test.
    pub resting_bid: Decimal,
    /// Distinguishes this run's client order ids.
    pub tag: &'a str,
    /// What the venue says it can do; checks of features it lacks expect a refusal.
    pub capabilities: Capabilities,
    /// The instrument's price tick.
    pub tick: Decimal,
    /// The smallest amount of margin the venue moves (one sat for LN Markets).
    pub margin_unit: Decimal,
}

fn request(
    s: &Subject<'_>,
    cid: &str,
    order_type: OrderType,
    price: Option<Decimal>,
) -> OrderRequest {
    OrderRequest {
        instrument: s.instrument.clone(),
        client_order_id: ClientOrderId(format!("{}-{cid}", s.tag)),
        side: Side::Buy,
        order_type,
        size: s.size,
        price,
        trigger_price: None,
        time_in_force: if order_type == OrderType::Market {
            TimeInForce::Ioc
        } else {
            TimeInForce::Gtc
        },
        reduce_only: false,
        post_only: false,
        leverage: Some(Decimal::from(10)),
        take_profit: None,
        stop_loss: None,
    }
}

/// A market buy fills, shows as a long position, is found by client id, and closing it
/// leaves no position and a closing fill.
pub async fn market_buy_then_close(s: &Subject<'_>) -> anyhow::Result<()> {
    let req = request(s, "market", OrderType::Market, None);
    let OrderOutcome::Accepted { order } = s.venue.place_order(&req).await else {
        anyhow::bail!("market buy not accepted");
    };
    anyhow::ensure!(
        order.status == OrderStatus::Filled,
        "market buy is {:?}",
        order.status
    );
    let found = s.venue.order_by_client_id(&req.client_order_id).await?;
    anyhow::ensure!(
        found.is_some_and(|o| o.status == OrderStatus::Filled),
        "order not found by client id"
    );
    let positions = s.venue.positions().await?;
    let long = positions
        .iter()
        .find(|p| p.instrument == s.instrument && p.side == PositionSide::Long);
    anyhow::ensure!(
        long.is_some_and(|p| p.size >= s.size),
        "no long position of {}: {positions:?}",
        s.size
    );
    let closed = s.venue.close_position(&s.instrument).await;
    anyhow::ensure!(
        matches!(closed, OrderOutcome::Accepted { .. }),
        "close: {closed:?}"
    );
    let positions = s.venue.positions().await?;
    anyhow::ensure!(
        !positions.iter().any(|p| p.instrument == s.instrument),
        "position still open: {positions:?}"
    );
    let fills = s.venue.fills(None).await?;
    anyhow::ensure!(
        fills
            .iter()
            .any(|f| f.side == Side::Sell && f.instrument == s.instrument),
        "no closing fill"
    );
    Ok(())
}

/// A limit order away from the market rests, is listed, cancels once, and a second cancel
/// is "not found" (which the engine reconciles rather than reports).
pub async fn limit_rests_and_cancels_once(s: &Subject<'_>) -> anyhow::Result<()> {
    let req = request(s, "limit", OrderType::Limit, Some(s.resting_bid));
    let OrderOutcome::Accepted { order } = s.venue.place_order(&req).await else {
        anyhow::bail!("limit buy not accepted");
    };
    anyhow::ensure!(
        order.status == OrderStatus::Open,
        "limit is {:?}",
        order.status
    );
    let open = s.venue.open_orders().await?;
    anyhow::ensure!(
        open.iter()
            .any(|o| o.client_order_id == req.client_order_id),
        "not listed: {open:?}"
    );
    let cancel = s
        .venue
        .cancel_order(&s.instrument, &req.client_order_id)
        .await;
    anyhow::ensure!(
        matches!(cancel, OrderOutcome::Accepted { ref order } if order.status == OrderStatus::Cancelled),
        "cancel: {cancel:?}"
    );
    let open = s.venue.open_orders().await?;
    anyhow::ensure!(
        !open
            .iter()
            .any(|o| o.client_order_id == req.client_order_id),
        "still listed"
    );
    let again = s
        .venue
        .cancel_order(&s.instrument, &req.client_order_id)
        .await;
    anyhow::ensure!(
        matches!(again, OrderOutcome::Rejected { ref error } if error.kind == ErrorKind::NotFound),
        "second cancel: {again:?}"
    );
    Ok(())
}

/// An order the venue refuses is rejected with a typed error and leaves nothing behind.
pub async fn refused_orders_leave_nothing(s: &Subject<'_>) -> anyhow::Result<()> {
    let mut req = request(s, "too-big", OrderType::Market, None);
    req.size = s.size * Decimal::from(1_000_000);
    req.leverage = Some(Decimal::ONE);
    let outcome = s.venue.place_order(&req).await;
    let OrderOutcome::Rejected { error } = outcome else {
        anyhow::bail!("an oversized order was not rejected: {outcome:?}");
    };
    anyhow::ensure!(
        matches!(
            error.kind,
            ErrorKind::InsufficientFunds | ErrorKind::InvalidOrder { .. }
        ),
        "rejected as {:?}",
        error.kind
    );
    anyhow::ensure!(
        s.venue
            .order_by_client_id(&req.client_order_id)
            .await?
            .is_none(),
        "a refused order exists"
    );
    Ok(())
}

async fn long_position(s: &Subject<'_>) -> anyhow::Result<Position> {
    let positions = s.venue.positions().await?;
    positions
        .into_iter()
        .find(|p| p.instrument == s.instrument && p.side == PositionSide::Long)
        .ok_or_else(|| anyhow::anyhow!("no long position"))
}

/// Where the venue has them: take-profit and stop-loss are set on an open position, show
/// on it, and are removed; margin added shows on the position and moves a long's
/// liquidation price down. Where it has not, both are refused as unsupported.
pub async fn tp_sl_and_margin_where_supported(s: &Subject<'_>) -> anyhow::Result<()> {
    let req = request(s, "tpsl", OrderType::Market, None);
    let OrderOutcome::Accepted { .. } = s.venue.place_order(&req).await else {
        anyhow::bail!("market buy not accepted");
    };
    let p = long_position(s).await?;
    let on_tick = |x: Decimal| (x / s.tick).round() * s.tick;
    let tp = on_tick(p.entry_price * Decimal::new(105, 2));
    let sl = on_tick(p.entry_price * Decimal::new(97, 2));
    let set = s
        .venue
        .set_tp_sl(
            &s.instrument,
            PositionSide::Long,
            Some(tp),
            Some(StopLoss::fixed(sl)),
        )
        .await;
    if s.capabilities.position_tp_sl {
        set?;
        let p = long_position(s).await?;
        anyhow::ensure!(
            p.take_profit == Some(tp) && p.stop_loss == Some(sl),
            "TP/SL not on the position: {:?} / {:?}",
            p.take_profit,
            p.stop_loss
        );
        s.venue
            .set_tp_sl(&s.instrument, PositionSide::Long, None, None)
            .await?;
        let p = long_position(s).await?;
        anyhow::ensure!(
            p.take_profit.is_none() && p.stop_loss.is_none(),
            "TP/SL not removed"
        );
        if s.capabilities.trailing_stop {
            let trailing = StopLoss {
                price: sl,
                trailing: true,
            };
            s.venue
                .set_tp_sl(&s.instrument, PositionSide::Long, None, Some(trailing))
                .await?;
            let p = long_position(s).await?;
            anyhow::ensure!(
                p.stop_loss == Some(sl) && p.stop_loss_trail.is_some_and(|d| d > Decimal::ZERO),
                "trailing stop-loss not on the position: {:?} trailing {:?}",
                p.stop_loss,
                p.stop_loss_trail
            );
            s.venue
                .set_tp_sl(&s.instrument, PositionSide::Long, None, None)
                .await?;
            anyhow::ensure!(
                long_position(s).await?.stop_loss_trail.is_none(),
                "trailing stop-loss not removed"
            );
        }
    } else {
        anyhow::ensure!(
            matches!(set, Err(ref e) if e.kind == ErrorKind::Unsupported),
            "TP/SL without the capability: {set:?}"
        );
    }
    let amount = s.margin_unit * Decimal::from(10_000);
    let before = long_position(s).await?;
    let added = s
        .venue
        .add_margin(&s.instrument, PositionSide::Long, amount)
        .await;
    if s.capabilities.adjust_margin {
        added?;
        let after = long_position(s).await?;
        anyhow::ensure!(
            after.margin == before.margin + amount,
            "margin {} → {}, expected +{amount}",
            before.margin,
            after.margin
        );
        anyhow::ensure!(
            after.liquidation_price < before.liquidation_price,
            "liquidation price did not fall: {:?} → {:?}",
            before.liquidation_price,
            after.liquidation_price
        );
    } else {
        anyhow::ensure!(
            matches!(added, Err(ref e) if e.kind == ErrorKind::Unsupported),
            "add margin without the capability: {added:?}"
        );
    }
    let closed = s.venue.close_position(&s.instrument).await;
    anyhow::ensure!(
        matches!(closed, OrderOutcome::Accepted { .. }),
        "close: {closed:?}"
    );
    Ok(())
}

/// Where the venue amends: a resting limit moves to a new price in place, keeping its
/// client id. Where it does not, the amend is refused and the order stays where it was.
pub async fn amend_where_supported(s: &Subject<'_>) -> anyhow::Result<()> {
    let req = request(s, "amend", OrderType::Limit, Some(s.resting_bid));
    let OrderOutcome::Accepted { .. } = s.venue.place_order(&req).await else {
        anyhow::bail!("limit buy not accepted");
    };
    let moved = s.resting_bid - s.tick * Decimal::from(10);
    let amend = AmendRequest {
        instrument: s.instrument.clone(),
        client_order_id: req.client_order_id.clone(),
        order_id: None,
        price: Some(moved),
        trigger_price: None,
        size: None,
    };
    let outcome = s.venue.amend_order(&amend).await;
    let expected = if s.capabilities.amend {
        anyhow::ensure!(
            matches!(outcome, OrderOutcome::Accepted { ref order } if order.price == Some(moved)),
            "amend: {outcome:?}"
        );
        moved
    } else {
        anyhow::ensure!(
            matches!(outcome, OrderOutcome::Rejected { ref error } if error.kind == ErrorKind::Unsupported),
            "amend without the capability: {outcome:?}"
        );
        s.resting_bid
    };
    let open = s.venue.open_orders().await?;
    let listed: Vec<_> = open
        .iter()
        .filter(|o| o.client_order_id == req.client_order_id)
        .collect();
    anyhow::ensure!(
        listed.len() == 1 && listed[0].price == Some(expected),
        "after amend the venue lists {listed:?}, expected one order at {expected}"
    );
    let cancel = s
        .venue
        .cancel_order(&s.instrument, &req.client_order_id)
        .await;
    anyhow::ensure!(
        matches!(cancel, OrderOutcome::Accepted { .. }),
        "cancel: {cancel:?}"
    );
    Ok(())
}

/// An order whose answer is lost is `Unknown`, never resent; asking by client id finds the
/// one order the venue carried out, and the position holds it once.
pub async fn unknown_outcome_leaves_exactly_one_order(s: &Subject<'_>) -> anyhow::Result<()> {
    let Some(faults) = s.faults else {
        return Ok(());
    };
    let before = s
        .venue
        .positions()
        .await?
        .into_iter()
        .filter(|p| p.instrument == s.instrument && p.side == PositionSide::Long)
        .map(|p| p.size)
        .sum::<Decimal>();
    faults.lose_next_order_answer(&s.instrument);
    let req = request(s, "lost", OrderType::Market, None);
    let outcome = s.venue.place_order(&req).await;
    anyhow::ensure!(
        matches!(outcome, OrderOutcome::Unknown { ref client_order_id, .. } if *client_order_id == req.client_order_id),
        "a lost answer is not an unknown outcome: {outcome:?}"
    );
    let found = s.venue.order_by_client_id(&req.client_order_id).await?;
    anyhow::ensure!(
        found
            .as_ref()
            .is_some_and(|o| o.status == OrderStatus::Filled && o.size == s.size),
        "reconciliation found {found:?}"
    );
    let after = s
        .venue
        .positions()
        .await?
        .into_iter()
        .filter(|p| p.instrument == s.instrument && p.side == PositionSide::Long)
        .map(|p| p.size)
        .sum::<Decimal>();
    anyhow::ensure!(
        after == before + s.size,
        "position {before} → {after}: the order was carried out {} times",
        (after - before) / s.size
    );
    let closed = s.venue.close_position(&s.instrument).await;
    anyhow::ensure!(
        matches!(closed, OrderOutcome::Accepted { .. }),
        "close: {closed:?}"
    );
    Ok(())
}

/// A dropped stream reports `Reconnecting`, comes back `Live` on its own, and carries
/// market data again.
pub async fn market_stream_reconnects(s: &Subject<'_>) -> anyhow::Result<()> {
    let Some(faults) = s.faults else {
        return Ok(());
    };
    let mut stream = s.market.subscribe(&s.instrument).await?;
    let status = |e: &MarketEvent, want: StreamStatus| matches!(e, MarketEvent::Status { status, .. } if *status == want);
    let mut next = async |what: &str, f: &dyn Fn(&MarketEvent) -> bool| -> anyhow::Result<()> {
        tokio::time::timeout(Duration::from_secs(15), async {
            while let Some(e) = stream.next().await {
                if f(&e) {
                    return Ok(());
                }
            }
            anyhow::bail!("stream ended waiting for {what}")
        })
        .await
        .map_err(|_| anyhow::anyhow!("no {what} within 15 s"))?
    };
    next("live", &|e| status(e, StreamStatus::Live)).await?;
    faults.drop_streams();
    next("reconnecting", &|e| status(e, StreamStatus::Reconnecting)).await?;
    next("live again", &|e| status(e, StreamStatus::Live)).await?;
    // Resubscribed: the server's next price reaches the new connection.
    faults.move_market();
    next("a ticker after reconnecting", &|e| {
        matches!(e, MarketEvent::Ticker(_))
    })
    .await?;
    Ok(())
}

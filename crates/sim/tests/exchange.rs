//! The exchange through its public API: order types and flags, margin, stops, liquidation,
//! funding, and a book feed that a client can rebuild exactly.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use kestrel_core::engine::OrderBook;
use kestrel_core::{
    AccountEvent, AccountId, ClientOrderId, Decimal, ErrorKind, Instrument, InstrumentId,
    MarketEvent, OrderRequest, OrderStatus, OrderType, Side, StopLoss, TimeInForce, VenueId,
};
use kestrel_sim::{Exchange, MarketSpec, SimEvent};
use proptest::prelude::*;
use rust_decimal_macros::dec;

const T0: i64 = 1_700_000_000_000;

fn btc() -> InstrumentId {
    InstrumentId::new(VenueId::Demo, "BTC-PERP")
}

fn instrument() -> Instrument {
    Instrument::linear_perpetual(btc(), "BTC", "USD", dec!(0.5), dec!(0.001), dec!(500))
}

fn trader() -> AccountId {
    AccountId::from("trader")
}

fn whale() -> AccountId {
    AccountId::from("whale")
}

fn exchange(seed: u64) -> Exchange {
    let mut ex = Exchange::new(seed, T0);
    ex.add_market(MarketSpec {
        instrument: instrument(),
        start_price: dec!(100000),
        annual_volatility: 0.5,
        funding_interval_ms: 8 * 3_600_000,
    });
    ex.open_account(trader(), "USD", dec!(10000));
    ex.open_account(whale(), "USD", dec!(100000000));
    ex
}

struct Req {
    side: Side,
    order_type: OrderType,
    size: Decimal,
    price: Option<Decimal>,
    trigger: Option<Decimal>,
    tif: TimeInForce,
    reduce_only: bool,
    post_only: bool,
    leverage: Option<Decimal>,
}

impl Req {
    fn market(side: Side, size: Decimal) -> Self {
        Self {
            side,
            order_type: OrderType::Market,
            size,
            price: None,
            trigger: None,
            tif: TimeInForce::Ioc,
            reduce_only: false,
            post_only: false,
            leverage: Some(dec!(10)),
        }
    }

    fn limit(side: Side, size: Decimal, price: Decimal) -> Self {
        Self {
            order_type: OrderType::Limit,
            price: Some(price),
            tif: TimeInForce::Gtc,
            ..Self::market(side, size)
        }
    }

    fn build(self, cid: &str) -> OrderRequest {
        OrderRequest {
            instrument: btc(),
            client_order_id: ClientOrderId::from(cid),
            side: self.side,
            order_type: self.order_type,
            size: self.size,
            price: self.price,
            trigger_price: self.trigger,
            time_in_force: self.tif,
            reduce_only: self.reduce_only,
            post_only: self.post_only,
            leverage: self.leverage,
            take_profit: None,
            stop_loss: None,
        }
    }
}

fn best(ex: &Exchange) -> (Decimal, Decimal) {
    let book = ex.book(&btc(), 1).unwrap();
    (book.bids[0].price, book.asks[0].price)
}

#[test]
fn a_market_buy_takes_the_ask_and_opens_a_margined_position() {
    let mut ex = exchange(1);
    let (_, ask) = best(&ex);
    let order = ex
        .place(
            &trader(),
            &Req::market(Side::Buy, dec!(0.05)).build("m1"),
            T0,
        )
        .unwrap();
    assert_eq!(order.status, OrderStatus::Filled);
    assert_eq!(order.avg_fill_price, Some(ask));
    let position = &ex.positions(&trader())[0];
    assert_eq!(position.size, dec!(0.05));
    assert_eq!(position.entry_price, ask);
    let balance = &ex.balances(&trader())[0];
    let fee = ask * dec!(0.05) * dec!(0.0005);
    assert_eq!(balance.wallet, dec!(10000) - fee);
    assert_eq!(balance.margin_used, ask * dec!(0.05) / dec!(10));
    let fills = ex.fills(&trader(), None);
    assert_eq!(fills.len(), 1);
    assert_eq!(fills[0].fee, fee);
    let events = ex.drain_events();
    assert!(events.iter().any(
        |e| matches!(e, SimEvent::Market(MarketEvent::Trade(t)) if t.taker_side == Side::Buy)
    ));
    assert!(events.iter().any(|e| matches!(
        e,
        SimEvent::Account {
            event: AccountEvent::Fill { .. },
            ..
        }
    )));
}

#[test]
fn a_limit_order_rests_in_the_book_until_cancelled_and_only_once() {
    let mut ex = exchange(2);
    let (bid, _) = best(&ex);
    let price = bid - dec!(50);
    let before = ex.book(&btc(), 200).unwrap();
    let level = |b: &kestrel_core::BookSnapshot| {
        b.bids
            .iter()
            .find(|l| l.price == price)
            .map_or(Decimal::ZERO, |l| l.size)
    };
    let order = ex
        .place(
            &trader(),
            &Req::limit(Side::Buy, dec!(0.2), price).build("l1"),
            T0,
        )
        .unwrap();
    assert_eq!(order.status, OrderStatus::Open);
    assert_eq!(ex.open_orders(&trader()).len(), 1);
    assert_eq!(
        level(&ex.book(&btc(), 200).unwrap()),
        level(&before) + dec!(0.2)
    );
    assert!(
        ex.balances(&trader())[0].margin_used > Decimal::ZERO,
        "a resting order holds margin"
    );

    let cancelled = ex.cancel(&trader(), &btc(), &"l1".into(), T0).unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(ex.open_orders(&trader()).is_empty());
    assert_eq!(ex.balances(&trader())[0].margin_used, Decimal::ZERO);
    let again = ex.cancel(&trader(), &btc(), &"l1".into(), T0).unwrap_err();
    assert_eq!(again.kind, ErrorKind::NotFound);
    let dup = ex
        .place(
            &trader(),
            &Req::limit(Side::Buy, dec!(0.2), price).build("l1"),
            T0,
        )
        .unwrap_err();
    assert_eq!(
        dup.kind,
        ErrorKind::InvalidOrder {
            field: "client_order_id".into()
        }
    );
}

#[test]
fn order_flags_and_rules_are_enforced_with_the_field_named() {
    let (bid, ask) = best(&exchange(3));
    struct Case {
        req: Req,
        field: &'static str,
    }
    let cases = [
        Case {
            req: Req {
                post_only: true,
                ..Req::limit(Side::Buy, dec!(0.1), ask)
            },
            field: "post_only",
        },
        Case {
            req: Req {
                reduce_only: true,
                ..Req::market(Side::Sell, dec!(0.1))
            },
            field: "reduce_only",
        },
        Case {
            req: Req::market(Side::Buy, dec!(0.0015)),
            field: "size",
        },
        Case {
            req: Req::market(Side::Buy, dec!(0.0001)),
            field: "size",
        },
        Case {
            req: Req::limit(Side::Buy, dec!(0.1), bid - dec!(0.25)),
            field: "price",
        },
        Case {
            req: Req {
                leverage: Some(dec!(101)),
                ..Req::market(Side::Buy, dec!(0.1))
            },
            field: "leverage",
        },
        Case {
            req: Req {
                order_type: OrderType::Stop,
                trigger: Some(bid - dec!(100)),
                ..Req::market(Side::Buy, dec!(0.1))
            },
            field: "trigger_price",
        },
    ];
    for (i, c) in cases.into_iter().enumerate() {
        let mut ex = exchange(3);
        let err = ex.place(&trader(), &c.req.build("x"), T0).unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::InvalidOrder {
                field: c.field.into()
            },
            "case {i}: {err}"
        );
        assert!(
            ex.open_orders(&trader()).is_empty() && ex.fills(&trader(), None).is_empty(),
            "case {i}"
        );
    }
}

#[test]
fn too_big_for_the_wallet_is_insufficient_funds_and_changes_nothing() {
    let mut ex = exchange(4);
    let req = Req {
        leverage: Some(dec!(1)),
        ..Req::market(Side::Buy, dec!(1))
    };
    let err = ex.place(&trader(), &req.build("big"), T0).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InsufficientFunds);
    assert_eq!(ex.balances(&trader())[0].wallet, dec!(10000));
    assert!(ex.order_by_client_id(&trader(), &"big".into()).is_none());
}

#[test]
fn ioc_cancels_the_rest_and_fok_fills_all_or_nothing() {
    let mut ex = exchange(5);
    let (_, ask) = best(&ex);
    let at_best = ex.book(&btc(), 1).unwrap().asks[0].size;
    let ioc = Req {
        tif: TimeInForce::Ioc,
        ..Req::limit(Side::Buy, at_best + dec!(0.01), ask)
    };
    let order = ex.place(&trader(), &ioc.build("ioc"), T0).unwrap();
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert_eq!(order.filled_size, at_best);
    assert!(ex.open_orders(&trader()).is_empty());

    let mut ex = exchange(5);
    let fok = Req {
        tif: TimeInForce::Fok,
        ..Req::limit(Side::Buy, at_best + dec!(0.01), ask)
    };
    let order = ex.place(&trader(), &fok.build("fok"), T0).unwrap();
    assert_eq!(
        (order.status, order.filled_size),
        (OrderStatus::Cancelled, Decimal::ZERO)
    );
    assert!(ex.fills(&trader(), None).is_empty());
}

#[test]
fn reduce_only_is_clipped_to_the_position() {
    let mut ex = exchange(6);
    ex.place(
        &trader(),
        &Req::market(Side::Buy, dec!(0.03)).build("open"),
        T0,
    )
    .unwrap();
    let req = Req {
        reduce_only: true,
        ..Req::market(Side::Sell, dec!(0.5))
    };
    let order = ex.place(&trader(), &req.build("reduce"), T0).unwrap();
    assert_eq!(
        (order.size, order.status),
        (dec!(0.03), OrderStatus::Filled)
    );
    assert!(ex.positions(&trader()).is_empty());
}

#[test]
fn a_sell_stop_fires_when_the_price_trades_through_it() {
    let mut ex = exchange(7);
    ex.place(
        &trader(),
        &Req::market(Side::Buy, dec!(0.05)).build("open"),
        T0,
    )
    .unwrap();
    let (bid, _) = best(&ex);
    let trigger = bid - dec!(20);
    let stop = Req {
        order_type: OrderType::Stop,
        trigger: Some(trigger),
        reduce_only: true,
        ..Req::market(Side::Sell, dec!(0.05))
    };
    let order = ex.place(&trader(), &stop.build("stop"), T0).unwrap();
    assert_eq!(order.status, OrderStatus::Open);
    // The whale dumps through the trigger.
    let dump = ex
        .book(&btc(), 200)
        .unwrap()
        .bids
        .iter()
        .take_while(|l| l.price >= trigger - dec!(10))
        .map(|l| l.size)
        .sum::<Decimal>();
    ex.place(&whale(), &Req::market(Side::Sell, dump).build("dump"), T0)
        .unwrap();
    let fired = ex.order_by_client_id(&trader(), &"stop".into()).unwrap();
    assert_eq!(fired.status, OrderStatus::Filled, "{fired:?}");
    assert!(fired.avg_fill_price.unwrap() <= trigger);
    assert!(ex.positions(&trader()).is_empty());
}

#[test]
fn a_position_past_its_liquidation_price_is_liquidated_losing_only_its_margin() {
    let mut ex = exchange(8);
    let req = Req {
        leverage: Some(dec!(100)),
        ..Req::market(Side::Buy, dec!(0.5))
    };
    ex.place(&trader(), &req.build("yolo"), T0).unwrap();
    let position = ex.positions(&trader())[0].clone();
    let liq = position.liquidation_price.unwrap();
    assert!(
        liq < position.entry_price && liq > position.entry_price * dec!(0.99),
        "{liq}"
    );
    let wallet_before = ex.balances(&trader())[0].wallet;
    ex.drain_events();
    // The whale takes every bid, then quotes the market below the liquidation price.
    let all_bids = ex
        .book(&btc(), usize::MAX)
        .unwrap()
        .bids
        .iter()
        .map(|l| l.size)
        .sum::<Decimal>();
    ex.place(
        &whale(),
        &Req::market(Side::Sell, all_bids).build("dump"),
        T0,
    )
    .unwrap();
    ex.place(
        &whale(),
        &Req::limit(Side::Sell, dec!(1), liq - dec!(50)).build("offer"),
        T0,
    )
    .unwrap();
    ex.place(
        &whale(),
        &Req::limit(Side::Buy, dec!(1), liq - dec!(200)).build("bid"),
        T0,
    )
    .unwrap();
    ex.step(T0 + 100);
    assert!(ex.positions(&trader()).is_empty(), "liquidated");
    let wallet_after = ex.balances(&trader())[0].wallet;
    assert!(
        wallet_before - wallet_after <= position.margin,
        "{wallet_before} → {wallet_after}"
    );
    let events = ex.drain_events();
    assert!(events.iter().any(|e| matches!(
        e,
        SimEvent::Account {
            event: AccountEvent::PositionClosed { .. },
            ..
        }
    )));
    let last_fill = ex.fills(&trader(), None).pop().unwrap();
    assert!(last_fill.realized_pnl < Decimal::ZERO);
}

#[test]
fn funding_moves_money_from_longs_to_shorts_at_the_interval() {
    let mut ex = exchange(9);
    ex.place(
        &trader(),
        &Req::market(Side::Buy, dec!(0.05)).build("long"),
        T0,
    )
    .unwrap();
    let wallet = ex.balances(&trader())[0].wallet;
    let ticker = ex.ticker(&btc()).unwrap();
    let next = ticker.next_funding_at.unwrap();
    let mut t = T0;
    while t < next - 1_000 {
        t += 60_000.min(next - 1_000 - t).max(100);
        ex.step(t);
    }
    let rate = ex.ticker(&btc()).unwrap().funding_rate.unwrap();
    ex.step(next + 50);
    let paid = wallet - ex.balances(&trader())[0].wallet;
    assert!(!rate.is_zero());
    assert_eq!(
        paid.is_sign_positive(),
        rate.is_sign_positive(),
        "rate {rate}, paid {paid}"
    );
    assert!(ex.ticker(&btc()).unwrap().next_funding_at.unwrap() > next);
}

#[test]
fn a_client_rebuilds_the_book_exactly_from_a_snapshot_and_deltas() {
    let mut ex = exchange(10);
    ex.drain_events();
    let mut book = OrderBook::default();
    book.apply_snapshot(&ex.book(&btc(), usize::MAX).unwrap());
    let mut prints = 0;
    for n in 1..=600 {
        ex.step(T0 + n * 100);
        if n % 50 == 0 {
            let (bid, _) = best(&ex);
            let _ = ex.place(
                &trader(),
                &Req::limit(Side::Buy, dec!(0.01), bid - dec!(5)).build(&format!("c{n}")),
                T0 + n * 100,
            );
        }
        for event in ex.drain_events() {
            match event {
                SimEvent::Market(MarketEvent::BookDelta(d)) => book.apply_delta(&d).unwrap(),
                SimEvent::Market(MarketEvent::Trade(_)) => prints += 1,
                _ => {}
            }
        }
        let truth = ex.book(&btc(), usize::MAX).unwrap();
        let view = book.view(usize::MAX);
        assert_eq!((view.bids, view.asks), (truth.bids, truth.asks), "step {n}");
    }
    assert!(prints > 50, "{prints} prints in a minute");
}

#[test]
fn the_same_seed_replays_the_same_market() {
    let run = |seed| {
        let mut ex = exchange(seed);
        (1..=100).for_each(|n| ex.step(T0 + n * 100));
        ex.drain_events()
    };
    assert_eq!(run(11), run(11));
    assert_ne!(run(11), run(12));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Under any mix of user orders and market moves: the book never crosses, an account's
    /// position is the signed sum of its fills, its wallet is the deposit plus realized PnL
    /// minus fees, and no order is both working and finished.
    #[test]
    fn accounts_stay_consistent_under_any_order_flow(
        seed in 0u64..1000,
        ops in prop::collection::vec((0u8..6, any::<bool>(), 1i64..80, -40i64..40), 1..40),
    ) {
        let mut ex = exchange(seed);
        let mut t = T0;
        for (n, (kind, buy, size, offset)) in ops.into_iter().enumerate() {
            t += 250;
            let side = if buy { Side::Buy } else { Side::Sell };
            let size = Decimal::new(size, 3);
            let (bid, ask) = best(&ex);
            let mid = ((bid + ask) / dec!(2) / dec!(0.5)).floor() * dec!(0.5);
            let price = mid + Decimal::from(offset) * dec!(0.5);
            let cid = format!("o{n}");
            let _ = match kind {
                0 => ex.place(&trader(), &Req::market(side, size).build(&cid), t),
                1 | 2 => ex.place(&trader(), &Req::limit(side, size, price).build(&cid), t),
                3 => ex.place(&trader(), &Req { reduce_only: true, ..Req::market(side, size) }.build(&cid), t),
                4 => match ex.open_orders(&trader()).first() {
                    Some(o) => ex.cancel(&trader(), &btc(), &o.client_order_id, t),
                    None => ex.close_position(&trader(), &btc(), t),
                },
                _ => { ex.step(t); continue; }
            };
            ex.step(t + 100);
            let (bid, ask) = best(&ex);
            prop_assert!(bid < ask);
            let fills = ex.fills(&trader(), None);
            let net: Decimal = fills.iter().map(|f| f.side.sign() * f.size).sum();
            let held: Decimal = ex.positions(&trader()).iter().map(|p| p.signed_size()).sum();
            prop_assert_eq!(net, held);
            let cash: Decimal = fills.iter().map(|f| f.realized_pnl - f.fee).sum();
            let balance = &ex.balances(&trader())[0];
            prop_assert!((dec!(10000) + cash - balance.wallet).abs() < dec!(0.01),
                "wallet {} vs {}", balance.wallet, dec!(10000) + cash);
            for o in ex.open_orders(&trader()) {
                prop_assert!(o.status.is_working(), "{:?}", o);
            }
        }
    }
}

#[test]
fn a_stop_loss_closes_the_position_when_the_price_trades_through_it() {
    let mut ex = exchange(11);
    ex.place(
        &trader(),
        &Req::market(Side::Buy, dec!(0.05)).build("open"),
        T0,
    )
    .unwrap();
    let p = ex.positions(&trader())[0].clone();
    let liq = p.liquidation_price.unwrap();
    // Beyond the liquidation price it could never fire first.
    let err = ex
        .set_tp_sl(
            &trader(),
            &btc(),
            None,
            Some(StopLoss::fixed(liq - dec!(1))),
        )
        .unwrap_err();
    assert!(matches!(err.kind, ErrorKind::InvalidOrder { ref field } if field == "stop_loss"));
    let (bid, _) = best(&ex);
    let sl = bid - dec!(20);
    ex.set_tp_sl(
        &trader(),
        &btc(),
        Some(bid + dec!(5000)),
        Some(StopLoss::fixed(sl)),
    )
    .unwrap();
    let p = &ex.positions(&trader())[0];
    assert_eq!(
        (p.take_profit, p.stop_loss),
        (Some(bid + dec!(5000)), Some(sl))
    );
    // The whale dumps through the stop-loss.
    let dump = ex
        .book(&btc(), 200)
        .unwrap()
        .bids
        .iter()
        .take_while(|l| l.price >= sl - dec!(10))
        .map(|l| l.size)
        .sum::<Decimal>();
    ex.place(&whale(), &Req::market(Side::Sell, dump).build("dump"), T0)
        .unwrap();
    assert!(
        ex.positions(&trader()).is_empty(),
        "closed at the stop-loss"
    );
    let exit = ex
        .fills(&trader(), None)
        .into_iter()
        .rfind(|f| f.side == Side::Sell)
        .unwrap();
    assert!(
        exit.price <= sl,
        "sold at {} after the {sl} stop",
        exit.price
    );
}

#[test]
fn a_trailing_stop_loss_follows_the_price_up_then_closes_the_position_on_the_way_down() {
    let mut ex = exchange(13);
    ex.place(
        &trader(),
        &Req::market(Side::Buy, dec!(0.05)).build("open"),
        T0,
    )
    .unwrap();
    let last = |ex: &Exchange| ex.ticker(&btc()).unwrap().last.unwrap();
    let start = last(&ex) - dec!(50);
    let trailing = StopLoss {
        price: start,
        trailing: true,
    };
    ex.set_tp_sl(&trader(), &btc(), None, Some(trailing))
        .unwrap();
    let p = ex.positions(&trader())[0].clone();
    assert_eq!(p.stop_loss, Some(start));
    let trail = p.stop_loss_trail.unwrap();
    assert_eq!(trail, dec!(50));
    // The whale lifts the offers: the last price rises and the stop follows, 50 below it.
    let lift: Decimal = ex
        .book(&btc(), 200)
        .unwrap()
        .asks
        .iter()
        .take(8)
        .map(|l| l.size)
        .sum();
    ex.place(&whale(), &Req::market(Side::Buy, lift).build("lift"), T0)
        .unwrap();
    let high = last(&ex);
    let raised = ex.positions(&trader())[0].stop_loss.unwrap();
    assert!(high > start + trail, "the price rose: {high}");
    assert_eq!(raised, high - trail, "the stop keeps its distance");
    // Down again: the stop stays where it got to, then fires above where it started.
    let dump: Decimal = ex
        .book(&btc(), 400)
        .unwrap()
        .bids
        .iter()
        .take_while(|l| l.price >= raised - dec!(10))
        .map(|l| l.size)
        .sum();
    ex.place(&whale(), &Req::market(Side::Sell, dump).build("dump"), T0)
        .unwrap();
    assert!(
        ex.positions(&trader()).is_empty(),
        "closed by the trailing stop"
    );
    let exit = ex
        .fills(&trader(), None)
        .into_iter()
        .rfind(|f| f.side == Side::Sell)
        .unwrap();
    assert!(
        exit.price > start,
        "sold at {} after the stop rose from {start}",
        exit.price
    );
}

#[test]
fn added_margin_comes_from_available_funds_and_moves_the_liquidation_price() {
    let mut ex = exchange(12);
    ex.place(
        &trader(),
        &Req::market(Side::Buy, dec!(0.05)).build("open"),
        T0,
    )
    .unwrap();
    let before = ex.positions(&trader())[0].clone();
    let available = ex.balances(&trader())[0].available;
    ex.add_margin(&trader(), &btc(), dec!(100)).unwrap();
    let after = ex.positions(&trader())[0].clone();
    assert_eq!(after.margin, before.margin + dec!(100));
    assert!(after.liquidation_price.unwrap() < before.liquidation_price.unwrap());
    assert_eq!(ex.balances(&trader())[0].available, available - dec!(100));
    let err = ex.add_margin(&trader(), &btc(), dec!(1000000)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::InsufficientFunds);
    ex.close_position(&trader(), &btc(), T0).unwrap();
    let err = ex.add_margin(&trader(), &btc(), dec!(1)).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NotFound);
}

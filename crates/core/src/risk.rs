//! Pre-trade risk checks. They run in Rust on every order, so a compromised or buggy web
//! view cannot bypass them.

use crate::capabilities::Capabilities;
use crate::clock::TimestampMs;
use crate::error::{Error, Result};
use crate::instrument::Instrument;
use crate::market::Ticker;
use crate::order::{OrderRequest, OrderType};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Limits applied to every order before it is sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RiskLimits {
    /// Largest order value, in the instrument's settle currency.
    pub max_notional: Decimal,
    /// Largest distance of a limit or trigger price from mid, as a fraction (0.1 = 10 %).
    pub price_band: Decimal,
    /// A market order needs a price no older than this.
    pub max_price_age_ms: i64,
}

impl Default for RiskLimits {
    fn default() -> Self {
        Self {
            max_notional: Decimal::from(1_000_000),
            price_band: Decimal::new(10, 2),
            max_price_age_ms: 5_000,
        }
    }
}

/// Checks `req` against the instrument's rules, the venue's features and `limits`.
/// `ticker` is the latest known market; `now` is the current time.
pub fn check_order(
    req: &OrderRequest,
    instrument: &Instrument,
    capabilities: &Capabilities,
    ticker: Option<&Ticker>,
    limits: &RiskLimits,
    now: TimestampMs,
) -> Result<()> {
    if !capabilities.order_types.contains(&req.order_type) {
        return Err(Error::invalid_order(
            "order_type",
            "this venue does not take that order type",
        ));
    }
    if req.post_only && !capabilities.post_only {
        return Err(Error::invalid_order(
            "post_only",
            "this venue has no post-only orders",
        ));
    }
    if req.reduce_only && !capabilities.reduce_only {
        return Err(Error::invalid_order(
            "reduce_only",
            "this venue has no reduce-only orders",
        ));
    }
    check_size(req.size, instrument)?;
    if let Some(leverage) = req.leverage {
        if leverage < Decimal::ONE || leverage > instrument.max_leverage {
            return Err(Error::invalid_order(
                "leverage",
                format!("leverage must be between 1 and {}", instrument.max_leverage),
            ));
        }
    }
    for (field, price) in [("price", req.price), ("trigger_price", req.trigger_price)] {
        if let Some(price) = price {
            if !instrument.is_on_tick(price) {
                return Err(Error::invalid_order(
                    field,
                    format!(
                        "{price} is not a multiple of the tick {}",
                        instrument.price_tick
                    ),
                ));
            }
        }
    }

    let mid = ticker.and_then(Ticker::mid);
    let reference = match req.order_type {
        OrderType::Market => {
            let fresh = ticker.is_some_and(|t| now - t.ts <= limits.max_price_age_ms);
            match mid {
                Some(mid) if fresh => mid,
                _ => {
                    return Err(Error::invalid_order(
                        "order_type",
                        "no fresh price: market orders are blocked until the feed is live",
                    ))
                }
            }
        }
        OrderType::Limit | OrderType::Stop => {
            let price = req.price.or(req.trigger_price).unwrap_or_default();
            if let Some(mid) = mid.filter(|m| !m.is_zero()) {
                let distance = ((price - mid) / mid).abs();
                if distance > limits.price_band {
                    let field = if req.order_type == OrderType::Limit {
                        "price"
                    } else {
                        "trigger_price"
                    };
                    return Err(Error::invalid_order(
                        field,
                        format!(
                            "{price} is {}% from the market {}: the band is {}%",
                            (distance * Decimal::ONE_HUNDRED).round_dp(1),
                            mid.round_dp(2),
                            (limits.price_band * Decimal::ONE_HUNDRED).normalize()
                        ),
                    ));
                }
            }
            price
        }
    };
    check_attached(req, instrument, capabilities, reference)?;
    let notional = instrument.notional(req.size, reference);
    if notional > limits.max_notional {
        return Err(Error::invalid_order(
            "size",
            format!(
                "order value {} {} exceeds the limit {}",
                notional.round_dp(2),
                instrument.settle,
                limits.max_notional
            ),
        ));
    }
    Ok(())
}

/// An attached take-profit must lie on the profit side of where the order fills
/// (`reference`: its price, or the market for a market order), its stop-loss on the other.
fn check_attached(
    req: &OrderRequest,
    instrument: &Instrument,
    capabilities: &Capabilities,
    reference: Decimal,
) -> Result<()> {
    let buy = req.side == crate::order::Side::Buy;
    for (field, price, profit) in [
        ("take_profit", req.take_profit, true),
        ("stop_loss", req.stop_loss, false),
    ] {
        let Some(price) = price else { continue };
        if !capabilities.attached_tp_sl {
            return Err(Error::invalid_order(
                field,
                "this venue takes no take-profit or stop-loss with the order; set them on the position",
            ));
        }
        if !instrument.is_on_tick(price) {
            return Err(Error::invalid_order(
                field,
                format!(
                    "{price} is not a multiple of the tick {}",
                    instrument.price_tick
                ),
            ));
        }
        let above = buy == profit;
        if (above && price <= reference) || (!above && price >= reference) {
            let what = if profit { "take-profit" } else { "stop-loss" };
            let side = if above { "above" } else { "below" };
            return Err(Error::invalid_order(
                field,
                format!("the {what} must be {side} {}", reference.normalize()),
            ));
        }
    }
    Ok(())
}

/// Checks a size against the instrument's minimum, maximum and step.
pub fn check_size(size: Decimal, instrument: &Instrument) -> Result<()> {
    if size < instrument.min_size {
        return Err(Error::invalid_order(
            "size",
            format!("size {size} is below the minimum {}", instrument.min_size),
        ));
    }
    if size > instrument.max_size {
        return Err(Error::invalid_order(
            "size",
            format!("size {size} is above the maximum {}", instrument.max_size),
        ));
    }
    if !instrument.is_on_step(size) {
        return Err(Error::invalid_order(
            "size",
            format!(
                "size {size} is not a multiple of the step {}",
                instrument.size_step
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::ids::ClientOrderId;
    use crate::instrument::tests::btc_linear;
    use crate::order::{Side, TimeInForce};
    use rust_decimal_macros::dec;

    fn caps() -> Capabilities {
        Capabilities {
            order_types: vec![OrderType::Market, OrderType::Limit, OrderType::Stop],
            reduce_only: true,
            post_only: true,
            amend: true,
            position_tp_sl: false,
            trailing_stop: false,
            attached_tp_sl: false,
            adjust_margin: false,
            cash_in: false,
            cross_margin: false,
            isolated_margin: true,
            book_depth: 20,
            private_stream: true,
            query_by_client_id: true,
            simulated: true,
        }
    }

    fn request(order_type: OrderType, size: Decimal, price: Option<Decimal>) -> OrderRequest {
        OrderRequest {
            instrument: btc_linear().id,
            client_order_id: ClientOrderId::from("c1"),
            side: Side::Buy,
            order_type,
            size,
            price,
            trigger_price: None,
            time_in_force: TimeInForce::Gtc,
            reduce_only: false,
            post_only: false,
            leverage: None,
            take_profit: None,
            stop_loss: None,
        }
    }

    fn ticker(ts: TimestampMs) -> Ticker {
        Ticker {
            instrument: btc_linear().id,
            last: Some(dec!(50000)),
            bid: Some(dec!(49999.5)),
            ask: Some(dec!(50000.5)),
            mark: None,
            index: None,
            funding_rate: None,
            next_funding_at: None,
            volume_24h: None,
            ts,
        }
    }

    #[test]
    fn refuses_orders_that_break_the_rules_naming_the_field() {
        struct Case {
            req: OrderRequest,
            ticker: Option<Ticker>,
            field: Option<&'static str>,
        }
        let now = 1_000_000;
        let cases = [
            Case {
                req: request(OrderType::Market, dec!(0.01), None),
                ticker: Some(ticker(now)),
                field: None,
            },
            Case {
                req: request(OrderType::Market, dec!(0.0001), None),
                ticker: Some(ticker(now)),
                field: Some("size"),
            },
            Case {
                req: request(OrderType::Market, dec!(0.0015), None),
                ticker: Some(ticker(now)),
                field: Some("size"),
            },
            Case {
                req: request(OrderType::Market, dec!(101), None),
                ticker: Some(ticker(now)),
                field: Some("size"),
            },
            Case {
                req: request(OrderType::Market, dec!(30), None),
                ticker: Some(ticker(now)),
                field: Some("size"),
            },
            Case {
                req: request(OrderType::Market, dec!(0.01), None),
                ticker: None,
                field: Some("order_type"),
            },
            Case {
                req: request(OrderType::Market, dec!(0.01), None),
                ticker: Some(ticker(now - 60_000)),
                field: Some("order_type"),
            },
            Case {
                req: request(OrderType::Limit, dec!(0.01), Some(dec!(49000.5))),
                ticker: Some(ticker(now)),
                field: None,
            },
            Case {
                req: request(OrderType::Limit, dec!(0.01), Some(dec!(49000.3))),
                ticker: Some(ticker(now)),
                field: Some("price"),
            },
            Case {
                req: request(OrderType::Limit, dec!(0.01), Some(dec!(30000))),
                ticker: Some(ticker(now)),
                field: Some("price"),
            },
        ];
        for (i, c) in cases.into_iter().enumerate() {
            let got = check_order(
                &c.req,
                &btc_linear(),
                &caps(),
                c.ticker.as_ref(),
                &RiskLimits::default(),
                now,
            );
            match c.field {
                None => assert!(got.is_ok(), "case {i}: {got:?}"),
                Some(field) => assert_eq!(
                    got.unwrap_err().kind,
                    ErrorKind::InvalidOrder {
                        field: field.into()
                    },
                    "case {i}"
                ),
            }
        }
    }

    #[test]
    fn attached_take_profit_and_stop_loss_sit_either_side_of_the_fill() {
        let field_of = |req: &OrderRequest, caps: &Capabilities| {
            check_order(
                req,
                &btc_linear(),
                caps,
                Some(&ticker(0)),
                &RiskLimits::default(),
                0,
            )
            .err()
            .map(|e| match e.kind {
                ErrorKind::InvalidOrder { field } => field,
                other => panic!("{other:?}"),
            })
        };
        let with = Capabilities {
            attached_tp_sl: true,
            ..caps()
        };
        let mut buy = request(OrderType::Limit, dec!(0.01), Some(dec!(49000)));
        buy.take_profit = Some(dec!(52000));
        buy.stop_loss = Some(dec!(48000));
        assert_eq!(field_of(&buy, &with), None);
        assert_eq!(
            field_of(&buy, &caps()).as_deref(),
            Some("take_profit"),
            "no capability"
        );
        buy.stop_loss = Some(dec!(49000));
        assert_eq!(
            field_of(&buy, &with).as_deref(),
            Some("stop_loss"),
            "at the fill price"
        );
        buy.stop_loss = Some(dec!(48000.3));
        assert_eq!(
            field_of(&buy, &with).as_deref(),
            Some("stop_loss"),
            "off the tick"
        );
        let mut sell = request(OrderType::Limit, dec!(0.01), Some(dec!(51000)));
        sell.side = Side::Sell;
        sell.take_profit = Some(dec!(52000));
        assert_eq!(
            field_of(&sell, &with).as_deref(),
            Some("take_profit"),
            "a short profits below"
        );
        sell.take_profit = Some(dec!(50000));
        sell.stop_loss = Some(dec!(52000));
        assert_eq!(field_of(&sell, &with), None);
    }

    #[test]
    fn refuses_leverage_above_the_instrument_maximum() {
        let mut req = request(OrderType::Limit, dec!(0.01), Some(dec!(50000)));
        req.leverage = Some(dec!(125));
        let err = check_order(
            &req,
            &btc_linear(),
            &caps(),
            None,
            &RiskLimits::default(),
            0,
        )
        .unwrap_err();
        assert_eq!(
            err.kind,
            ErrorKind::InvalidOrder {
                field: "leverage".into()
            }
        );
    }
}

//! Candles for every Kestrel timeframe from LMEX's `ohlcv` resolutions (1, 5, 15, 30, 60,
//! 240, 360, 1440, 10080, 43200 minutes, at most 300 rows a request). A timeframe LMEX
//! lacks is built from the longest resolution that divides it (3m from 1m, 45m from 15m,
//! 2h and 3h from 1h); weeks, months and quarters are built from days, so they start on
//! Kestrel's calendar boundaries (Monday, the 1st) whatever the venue's own week is.

use super::map;
use super::rest::{LmexRest, OHLCV_MAX_ROWS};
use kestrel_core::{Candle, Result, Timeframe, TimestampMs};

/// Requests one call for candles may make (300 rows each).
const MAX_PAGES: u32 = 10;
const MINUTE_MS: i64 = 60_000;

/// The venue resolution (minutes) a timeframe is built from, and whether it must be
/// aggregated.
pub fn source(tf: Timeframe) -> (u32, bool) {
    match tf {
        Timeframe::M1 => (1, false),
        Timeframe::M3 => (1, true),
        Timeframe::M5 => (5, false),
        Timeframe::M10 => (5, true),
        Timeframe::M15 => (15, false),
        Timeframe::M30 => (30, false),
        Timeframe::M45 => (15, true),
        Timeframe::H1 => (60, false),
        Timeframe::H2 | Timeframe::H3 => (60, true),
        Timeframe::H4 => (240, false),
        Timeframe::D1 => (1440, false),
        Timeframe::W1 | Timeframe::Month1 | Timeframe::Month3 => (1440, true),
    }
}

/// Rolls `rows` (any order, possibly overlapping pages) up into `tf` candles, oldest first.
pub fn aggregate(mut rows: Vec<Candle>, tf: Timeframe) -> Vec<Candle> {
    rows.sort_by_key(|c| c.open_time);
    rows.dedup_by_key(|c| c.open_time);
    let mut out: Vec<Candle> = Vec::new();
    for row in rows {
        let bucket = tf.bucket(row.open_time);
        match out.last_mut() {
            Some(c) if c.open_time == bucket => {
                c.high = c.high.max(row.high);
                c.low = c.low.min(row.low);
                c.close = row.close;
                c.volume = c.volume.checked_add(row.volume).unwrap_or(c.volume);
            }
            _ => out.push(Candle {
                open_time: bucket,
                ..row
            }),
        }
    }
    out
}

/// Up to `limit` candles of `tf` opening before `to` (ms), oldest first.
pub async fn fetch(
    rest: &LmexRest,
    symbol: &str,
    tf: Timeframe,
    to: TimestampMs,
    limit: u32,
) -> Result<Vec<Candle>> {
    let limit = limit.clamp(1, 5_000);
    let (resolution, _) = source(tf);
    let step = i64::from(resolution) * MINUTE_MS;
    let from = tf.bucket(to - i64::from(limit) * tf.millis());
    let mut rows: Vec<Candle> = Vec::new();
    let mut end = to;
    for _ in 0..MAX_PAGES {
        if end <= from {
            break;
        }
        let start = (end - i64::from(OHLCV_MAX_ROWS) * step).max(from);
        let page = rest
            .ohlcv(
                symbol,
                resolution,
                start.div_euclid(1_000),
                end.div_euclid(1_000),
            )
            .await?;
        let before = rows.len();
        rows.extend(
            page.iter()
                .map(map::candle)
                .filter(|c| c.open_time >= from && c.open_time < to),
        );
        if rows.len() == before {
            // Nothing older: the market's history starts here.
            break;
        }
        end = start;
    }
    let mut out = aggregate(rows, tf);
    out.retain(|c| c.open_time < to);
    let skip = out.len().saturating_sub(limit as usize);
    Ok(out.split_off(skip))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn c(t: i64, o: i64, h: i64, l: i64, cl: i64, v: i64) -> Candle {
        Candle {
            open_time: t,
            open: Decimal::from(o),
            high: Decimal::from(h),
            low: Decimal::from(l),
            close: Decimal::from(cl),
            volume: Decimal::from(v),
        }
    }

    #[test]
    fn minutes_roll_up_into_three_minute_candles() {
        // 00:00 … 00:04: buckets 00:00 (three rows) and 00:03 (two rows), given out of order.
        let rows = vec![
            c(3 * MINUTE_MS, 13, 14, 12, 13, 1),
            c(0, 10, 11, 9, 10, 1),
            c(MINUTE_MS, 10, 15, 10, 12, 2),
            c(2 * MINUTE_MS, 12, 12, 8, 11, 3),
            c(4 * MINUTE_MS, 13, 16, 13, 15, 4),
            c(MINUTE_MS, 10, 15, 10, 12, 2), // a page overlap
        ];
        let out = aggregate(rows, Timeframe::M3);
        assert_eq!(
            out,
            vec![c(0, 10, 15, 8, 11, 6), c(3 * MINUTE_MS, 13, 16, 12, 15, 5)]
        );
    }

    #[test]
    fn weeks_start_on_monday_from_days() {
        // 2024-01-01 was a Monday.
        let monday = 1_704_067_200_000;
        let day = 86_400_000;
        let rows: Vec<Candle> = (-1..8)
            .map(|d| c(monday + d * day, 1, 2, 1, 2, 1))
            .collect();
        let out = aggregate(rows, Timeframe::W1);
        assert_eq!(out.len(), 3);
        assert_eq!(out[1].open_time, monday);
        assert_eq!(out[1].volume, Decimal::from(7));
        assert_eq!(source(Timeframe::Month1), (1440, true));
        assert_eq!(source(Timeframe::H4), (240, false));
    }
}

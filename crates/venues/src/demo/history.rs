//! One-minute candle history per instrument (synthetic past plus the live prints since
//! start), aggregated on request into any timeframe.

use kestrel_core::engine::CandleSeries;
use kestrel_core::{Candle, Decimal, Error, InstrumentId, Result, Timeframe, Trade};
use std::collections::HashMap;

/// Minute bars kept per instrument: 60 days.
const CAPACITY: usize = 60 * 24 * 60;

/// Minute candles per instrument.
#[derive(Default)]
pub(super) struct MinuteHistory {
    series: HashMap<InstrumentId, CandleSeries>,
}

impl MinuteHistory {
    /// Seeds an instrument with generated history (oldest first).
    pub(super) fn insert(&mut self, instrument: InstrumentId, candles: Vec<Candle>) {
        let mut series = CandleSeries::new(Timeframe::M1, CAPACITY);
        series.merge_history(&candles);
        self.series.insert(instrument, series);
    }

    /// Folds a live print into its minute.
    pub(super) fn apply_trade(&mut self, trade: &Trade) {
        if let Some(series) = self.series.get_mut(&trade.instrument) {
            series.apply_trade(trade.price, trade.size, trade.ts);
        }
    }

    /// Size traded in the 24 hours up to `now`.
    pub(super) fn volume_24h(&self, instrument: &InstrumentId, now: i64) -> Option<Decimal> {
        let series = self.series.get(instrument)?;
        Some(
            series
                .range(now - 86_400_000, now + 1)
                .map(|c| c.volume)
                .sum(),
        )
    }

    /// Up to `limit` candles of `timeframe` opening before `before`, oldest first.
    pub(super) fn candles(
        &self,
        instrument: &InstrumentId,
        timeframe: Timeframe,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<Candle>> {
        let series = self
            .series
            .get(instrument)
            .ok_or_else(|| Error::not_found(format!("no history for {instrument}")))?;
        let upper = before.unwrap_or(i64::MAX);
        let Some(last) = series.range_before(Some(upper), 1).pop() else {
            return Ok(Vec::new());
        };
        if limit == 0 {
            return Ok(Vec::new());
        }
        let newest_bucket = timeframe.bucket(last.open_time);
        let from = newest_bucket - (limit as i64 - 1) * timeframe.millis();
        let mut out: Vec<Candle> = Vec::with_capacity(limit);
        for bar in series.range(from, upper) {
            let bucket = timeframe.bucket(bar.open_time);
            match out.last_mut() {
                Some(c) if c.open_time == bucket => {
                    c.high = c.high.max(bar.high);
                    c.low = c.low.min(bar.low);
                    c.close = bar.close;
                    c.volume += bar.volume;
                }
                _ => out.push(Candle {
                    open_time: bucket,
                    ..bar.clone()
                }),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kestrel_core::VenueId;
    use rust_decimal_macros::dec;

    fn minute(i: i64, close: Decimal) -> Candle {
        Candle {
            open_time: i * 60_000,
            open: close,
            high: close,
            low: close,
            close,
            volume: dec!(1),
        }
    }

    #[test]
    fn aggregates_minutes_into_larger_timeframes_before_a_cursor() {
        let id = InstrumentId::new(VenueId::Demo, "X");
        let mut h = MinuteHistory::default();
        h.insert(
            id.clone(),
            (0..20).map(|i| minute(i, Decimal::from(i))).collect(),
        );
        let five = h.candles(&id, Timeframe::M5, None, 10).unwrap();
        assert_eq!(five.len(), 4);
        assert_eq!(
            five[1],
            Candle {
                open_time: 300_000,
                open: dec!(5),
                high: dec!(9),
                low: dec!(5),
                close: dec!(9),
                volume: dec!(5)
            }
        );
        let older = h.candles(&id, Timeframe::M5, Some(600_000), 1).unwrap();
        assert_eq!(older.len(), 1);
        assert_eq!(older[0].open_time, 300_000);
        assert!(h
            .candles(&id, Timeframe::M5, Some(0), 10)
            .unwrap()
            .is_empty());
    }
}

//! Candle series built from trades, for every timeframe, merged with venue history.

use crate::clock::TimestampMs;
use crate::market::{Candle, Timeframe};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A candle that changed, with its timeframe.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CandleUpdate {
    pub timeframe: Timeframe,
    pub candle: Candle,
}

/// One timeframe's candles, keyed by open time.
#[derive(Clone, Debug)]
pub struct CandleSeries {
    timeframe: Timeframe,
    bars: BTreeMap<TimestampMs, Candle>,
    max_len: usize,
}

impl CandleSeries {
    /// An empty series that keeps at most `max_len` bars (the oldest are dropped).
    pub fn new(timeframe: Timeframe, max_len: usize) -> Self {
        Self {
            timeframe,
            bars: BTreeMap::new(),
            max_len: max_len.max(1),
        }
    }

    /// Folds a trade into its candle and returns the candle as it now stands, or `None`
    /// for a late print older than everything the full series still holds.
    pub fn apply_trade(
        &mut self,
        price: Decimal,
        size: Decimal,
        ts: TimestampMs,
    ) -> Option<&Candle> {
        let open_time = self.timeframe.bucket(ts);
        if !self.bars.contains_key(&open_time) && self.bars.len() >= self.max_len {
            if self
                .bars
                .keys()
                .next()
                .is_some_and(|first| open_time < *first)
            {
                return None;
            }
            self.bars.pop_first();
        }
        Some(
            self.bars
                .entry(open_time)
                .and_modify(|c| c.absorb(price, size))
                .or_insert_with(|| Candle::from_print(open_time, price, size)),
        )
    }

    /// Replaces or inserts a candle the venue built itself.
    pub fn apply_candle(&mut self, candle: Candle) {
        self.bars.insert(candle.open_time, candle);
        self.trim();
    }

    /// Merges venue history. Where a history bar and a live bar share an interval, the
    /// venue's open is kept (it saw the start), highs and lows are widened, and the live
    /// close is kept (it is newer). Volume takes the larger: the two overlap by an amount
    /// nobody can know exactly.
    pub fn merge_history(&mut self, history: &[Candle]) {
        for h in history {
            let aligned = self.timeframe.bucket(h.open_time);
            match self.bars.get_mut(&aligned) {
                Some(live) => {
                    live.open = h.open;
                    live.high = live.high.max(h.high);
                    live.low = live.low.min(h.low);
                    live.volume = live.volume.max(h.volume);
                }
                None => {
                    let mut bar = h.clone();
                    bar.open_time = aligned;
                    self.bars.insert(aligned, bar);
                }
            }
        }
        self.trim();
    }

    /// Up to `limit` bars strictly before `before` (or the newest), oldest first.
    pub fn range_before(&self, before: Option<TimestampMs>, limit: usize) -> Vec<Candle> {
        let upper = before.unwrap_or(TimestampMs::MAX);
        let mut out: Vec<Candle> = self
            .bars
            .range(..upper)
            .rev()
            .take(limit)
            .map(|(_, c)| c.clone())
            .collect();
        out.reverse();
        out
    }

    /// Bars opening in `[from, to)`, oldest first.
    pub fn range(&self, from: TimestampMs, to: TimestampMs) -> impl Iterator<Item = &Candle> {
        self.bars.range(from..to.max(from)).map(|(_, c)| c)
    }

    /// The newest bar.
    pub fn last(&self) -> Option<&Candle> {
        self.bars.values().next_back()
    }

    /// Number of bars held.
    pub fn len(&self) -> usize {
        self.bars.len()
    }

    /// Whether the series is empty.
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }

    fn trim(&mut self) {
        while self.bars.len() > self.max_len {
            self.bars.pop_first();
        }
    }
}

/// Candle series for all six timeframes of one instrument.
#[derive(Clone, Debug)]
pub struct CandleSet {
    series: Vec<CandleSeries>,
}

impl CandleSet {
    /// Series for every timeframe, each capped at `max_len` bars.
    pub fn new(max_len: usize) -> Self {
        Self {
            series: Timeframe::ALL
                .iter()
                .map(|tf| CandleSeries::new(*tf, max_len))
                .collect(),
        }
    }

    /// Folds a trade into every timeframe and reports the changed candles.
    pub fn apply_trade(
        &mut self,
        price: Decimal,
        size: Decimal,
        ts: TimestampMs,
    ) -> impl Iterator<Item = CandleUpdate> + '_ {
        self.series.iter_mut().filter_map(move |s| {
            let timeframe = s.timeframe;
            s.apply_trade(price, size, ts).map(|c| CandleUpdate {
                timeframe,
                candle: c.clone(),
            })
        })
    }

    /// The series for one timeframe.
    pub fn series(&self, timeframe: Timeframe) -> Option<&CandleSeries> {
        self.series.iter().find(|s| s.timeframe == timeframe)
    }

    /// The series for one timeframe, mutably.
    pub fn series_mut(&mut self, timeframe: Timeframe) -> Option<&mut CandleSeries> {
        self.series.iter_mut().find(|s| s.timeframe == timeframe)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn candle(t: i64, o: Decimal, h: Decimal, l: Decimal, c: Decimal, v: Decimal) -> Candle {
        Candle {
            open_time: t,
            open: o,
            high: h,
            low: l,
            close: c,
            volume: v,
        }
    }

    #[test]
    fn builds_ohlcv_from_trades() {
        let mut s = CandleSeries::new(Timeframe::M1, 100);
        s.apply_trade(dec!(10), dec!(1), 60_000);
        s.apply_trade(dec!(12), dec!(2), 61_000);
        s.apply_trade(dec!(9), dec!(1), 119_999);
        let c = s.apply_trade(dec!(11), dec!(1), 120_000).cloned().unwrap();
        assert_eq!(
            c,
            candle(120_000, dec!(11), dec!(11), dec!(11), dec!(11), dec!(1))
        );
        assert_eq!(
            s.range_before(Some(120_000), 10),
            vec![candle(
                60_000,
                dec!(10),
                dec!(12),
                dec!(9),
                dec!(9),
                dec!(4)
            )]
        );
    }

    #[test]
    fn history_merges_under_live_bars_without_losing_either() {
        let mut s = CandleSeries::new(Timeframe::M1, 100);
        s.apply_trade(dec!(105), dec!(1), 120_500);
        s.merge_history(&[
            candle(60_000, dec!(90), dec!(95), dec!(89), dec!(94), dec!(7)),
            candle(120_000, dec!(94), dec!(110), dec!(93), dec!(100), dec!(5)),
        ]);
        assert_eq!(
            s.range_before(None, 10),
            vec![
                candle(60_000, dec!(90), dec!(95), dec!(89), dec!(94), dec!(7)),
                candle(120_000, dec!(94), dec!(110), dec!(93), dec!(105), dec!(5)),
            ]
        );
    }

    #[test]
    fn keeps_at_most_max_len_bars_dropping_the_oldest() {
        let mut s = CandleSeries::new(Timeframe::M1, 3);
        for i in 0..5 {
            s.apply_trade(dec!(1), dec!(1), i * 60_000);
        }
        assert_eq!(s.len(), 3);
        assert_eq!(s.range_before(None, 10)[0].open_time, 120_000);
    }

    #[test]
    fn one_trade_updates_every_timeframe() {
        let mut set = CandleSet::new(10);
        // 01:01:01 on Thursday 1970-01-01.
        let updates: Vec<_> = set
            .apply_trade(dec!(5), dec!(1), 3_600_000 + 61_000)
            .collect();
        let opens: Vec<_> = updates.iter().map(|u| u.candle.open_time).collect();
        let monday_before = -3 * 86_400_000;
        assert_eq!(
            opens,
            vec![
                3_660_000, // 1m
                3_600_000, // 3m
                3_600_000, // 5m
                3_600_000, // 10m
                3_600_000, // 15m
                3_600_000, // 30m
                2_700_000, // 45m
                3_600_000, // 1h
                0,         // 2h
                0,         // 3h
                0,         // 4h
                0,         // 1d
                monday_before,
                0, // 1 month
                0, // 3 months
            ]
        );
    }
}

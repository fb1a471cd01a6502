//! Measures how long a market event takes from entering the engine to leaving through a
//! real `tauri::ipc::Channel` (serialised, as the web view receives it), at 1 000 and
//! 100 000 events per second. Prints p50 / p99 / max per rate.
//!
//! Run: `cargo run --release -p kestrel-app --bin ipc-latency-probe`

use async_trait::async_trait;
use futures::stream::StreamExt;
use kestrel_app::commands::market::frame_sink;
use kestrel_core::engine::{Engine, EngineConfig};
use kestrel_core::{
    Candle, Capabilities, Decimal, Instrument, InstrumentId, MarketData, MarketEvent, MarketStream,
    Result, Side, SystemClock, Timeframe, Trade, VenueId,
};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::ipc::{Channel, InvokeResponseBody};
use tokio::sync::mpsc;

/// A venue whose only instrument prints whatever the probe pushes.
struct ProbeVenue {
    feed: Mutex<Option<mpsc::Receiver<MarketEvent>>>,
}

#[async_trait]
impl MarketData for ProbeVenue {
    fn venue(&self) -> VenueId {
        VenueId::Demo
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            order_types: vec![],
            reduce_only: false,
            post_only: false,
            amend: false,
            position_tp_sl: false,
            trailing_stop: false,
            attached_tp_sl: false,
            adjust_margin: false,
            cash_in: false,
            cross_margin: false,
            isolated_margin: false,
            book_depth: 0,
            private_stream: false,
            query_by_client_id: false,
            simulated: true,
        }
    }
    async fn instruments(&self) -> Result<Vec<Instrument>> {
        Ok(vec![])
    }
    async fn candles(
        &self,
        _: &InstrumentId,
        _: Timeframe,
        _: Option<i64>,
        _: u32,
    ) -> Result<Vec<Candle>> {
        Ok(vec![])
    }
    async fn subscribe(&self, _: &InstrumentId) -> Result<MarketStream> {
        let rx = self.feed.lock().ok().and_then(|mut f| f.take());
        let rx = rx.ok_or_else(|| kestrel_core::Error::protocol("probe feed already taken"))?;
        Ok(tokio_stream::wrappers::ReceiverStream::new(rx).boxed())
    }
}

struct Report {
    rate: u32,
    events: usize,
    frames: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

async fn measure(rate: u32, seconds: u32) -> anyhow::Result<Report> {
    let (tx, rx) = mpsc::channel(1 << 20);
    let venue = Arc::new(ProbeVenue {
        feed: Mutex::new(Some(rx)),
    });
    let engine = Engine::new(Arc::new(SystemClock), EngineConfig::default());
    engine.add_market(venue);
    let instrument = InstrumentId::new(VenueId::Demo, "PROBE");

    // Each frame that leaves: when, and the newest event it carries.
    let out: Arc<Mutex<Vec<(Instant, u64)>>> = Arc::default();
    let out_sink = out.clone();
    let channel = Channel::new(move |body: InvokeResponseBody| {
        let left = Instant::now();
        if let InvokeResponseBody::Json(json) = body {
            let frame: serde_json::Value = serde_json::from_str(&json)?;
            let newest = frame["trades"]
                .as_array()
                .and_then(|t| t.last())
                .and_then(|t| t["trade_id"].as_str())
                .and_then(|id| id.parse::<u64>().ok());
            if let (Some(newest), Ok(mut out)) = (newest, out_sink.lock()) {
                out.push((left, newest));
            }
        }
        Ok(())
    });
    let sub = engine
        .subscribe_market(&instrument, frame_sink(channel))
        .await?;

    let total = (rate * seconds) as usize;
    let mut entered = Vec::with_capacity(total);
    let per_ms = (rate / 1000).max(1) as usize;
    let tick = if rate >= 1000 {
        Duration::from_millis(1)
    } else {
        Duration::from_millis(1000 / u64::from(rate))
    };
    let mut interval = tokio::time::interval(tick);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start_ms = 1_700_000_000_000i64;
    while entered.len() < total {
        interval.tick().await;
        for _ in 0..per_ms.min(total - entered.len()) {
            let seq = entered.len() as u64;
            let event = MarketEvent::Trade(Trade {
                instrument: instrument.clone(),
                trade_id: seq.to_string().into(),
                price: Decimal::from(50_000 + (seq % 100)),
                size: Decimal::ONE,
                taker_side: if seq.is_multiple_of(2) {
                    Side::Buy
                } else {
                    Side::Sell
                },
                ts: start_ms + (seq as i64) / 100,
            });
            entered.push(Instant::now());
            tx.send(event).await?;
        }
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    engine.unsubscribe(sub)?;

    let frames = out.lock().map(|o| o.clone()).unwrap_or_default();
    let mut latencies = Vec::with_capacity(total);
    let mut next = 0usize;
    for (left, newest) in &frames {
        let newest = *newest as usize;
        while next <= newest && next < entered.len() {
            latencies.push(left.saturating_duration_since(entered[next]));
            next += 1;
        }
    }
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q) as usize)
            .copied()
            .unwrap_or_default()
    };
    Ok(Report {
        rate,
        events: latencies.len(),
        frames: frames.len(),
        p50: pick(0.5),
        p99: pick(0.99),
        max: pick(1.0),
    })
}

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    println!("event → engine → coalescer → tauri::ipc::Channel (serialised), frame interval 16 ms");
    for rate in [1_000u32, 100_000] {
        let r = runtime.block_on(measure(rate, 5))?;
        println!(
            "{:>7} events/s: {} events in {} frames  p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
            r.rate,
            r.events,
            r.frames,
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
            r.max.as_secs_f64() * 1e3
        );
    }
    Ok(())
}

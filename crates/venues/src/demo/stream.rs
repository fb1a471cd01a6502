//! Adapts the Demo venue's broadcast channels into the engine's event streams.

use super::DemoVenue;
use futures::stream::{self, StreamExt};
use kestrel_core::{
    AccountEvent, AccountStream, BookSnapshot, InstrumentId, MarketEvent, MarketStream,
    StreamStatus, Ticker,
};
use std::collections::VecDeque;
use std::sync::Weak;
use tokio::sync::broadcast::{self, error::RecvError};

struct MarketCursor {
    instrument: InstrumentId,
    rx: broadcast::Receiver<MarketEvent>,
    queued: VecDeque<MarketEvent>,
    book_sequence: Option<u64>,
    venue: Weak<DemoVenue>,
}

/// The market stream for one instrument: a snapshot, then live events. If this reader
/// falls behind the broadcast buffer it re-snapshots and skips deltas the snapshot covers.
pub(super) fn market(
    instrument: InstrumentId,
    snapshot: BookSnapshot,
    ticker: Option<Ticker>,
    rx: broadcast::Receiver<MarketEvent>,
    venue: Weak<DemoVenue>,
) -> MarketStream {
    let mut queued = VecDeque::new();
    let book_sequence = snapshot.sequence;
    queued.push_back(MarketEvent::BookSnapshot(snapshot));
    if let Some(t) = ticker {
        queued.push_back(MarketEvent::Ticker(t));
    }
    let cursor = MarketCursor {
        instrument,
        rx,
        queued,
        book_sequence,
        venue,
    };
    stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(event) = c.queued.pop_front() {
                return Some((event, c));
            }
            match c.rx.recv().await {
                Ok(event) if event.instrument() != &c.instrument => {}
                Ok(MarketEvent::BookDelta(d))
                    if d.sequence.zip(c.book_sequence).is_some_and(|(s, b)| s <= b) => {}
                Ok(event) => {
                    if let MarketEvent::BookDelta(d) = &event {
                        c.book_sequence = d.sequence;
                    }
                    return Some((event, c));
                }
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(instrument = %c.instrument, missed, "demo feed lagged; re-snapshotting");
                    let venue = c.venue.upgrade()?;
                    let snapshot = venue.exchange().book(&c.instrument, 200)?;
                    c.book_sequence = snapshot.sequence;
                    c.queued.push_back(MarketEvent::BookSnapshot(snapshot));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    })
    .boxed()
}

/// The Demo account's events. Falling behind loses nothing silently: the stream says it
/// is resyncing so the UI reloads the account.
pub(super) fn account(rx: broadcast::Receiver<AccountEvent>) -> AccountStream {
    // In-process: the stream is live the moment it exists.
    let live = stream::iter([AccountEvent::Status {
        status: StreamStatus::Live,
    }]);
    let events = stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(event) => Some((event, rx)),
            Err(RecvError::Lagged(missed)) => {
                tracing::error!(missed, "demo account stream lagged");
                Some((
                    AccountEvent::Status {
                        status: StreamStatus::Resyncing,
                    },
                    rx,
                ))
            }
            Err(RecvError::Closed) => None,
        }
    });
    live.chain(events).boxed()
}

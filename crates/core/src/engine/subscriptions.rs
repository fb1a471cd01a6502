//! Subscriber lists: the engine opens a venue stream for the first subscriber and closes
//! it when the last one leaves (reference counting by list length).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::{Arc, Mutex};

/// Identifies one subscription, market or account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(transparent)]
pub struct SubscriptionId(pub u64);

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A list of sinks that all receive the same values.
pub(crate) struct Subscribers<S> {
    sinks: Mutex<Vec<(SubscriptionId, S)>>,
}

impl<S> Default for Subscribers<S> {
    fn default() -> Self {
        Self {
            sinks: Mutex::new(Vec::new()),
        }
    }
}

impl<S: Clone> Subscribers<S> {
    fn list(&self) -> std::sync::MutexGuard<'_, Vec<(SubscriptionId, S)>> {
        self.sinks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a sink.
    pub(crate) fn add(&self, id: SubscriptionId, sink: S) {
        self.list().push((id, sink));
    }

    /// Removes a sink; returns true if none are left.
    pub(crate) fn remove(&self, id: SubscriptionId) -> bool {
        let mut list = self.list();
        list.retain(|(i, _)| *i != id);
        list.is_empty()
    }

    fn snapshot(&self) -> Vec<(SubscriptionId, S)> {
        self.list().clone()
    }
}

impl<T: ?Sized> Subscribers<Arc<dyn Fn(&T) -> bool + Send + Sync>> {
    /// Sends `value` to every sink, dropping the ones whose receiver is gone. Sinks are
    /// called outside the lock.
    pub(crate) fn emit(&self, value: &T) {
        let dead: Vec<SubscriptionId> = self
            .snapshot()
            .into_iter()
            .filter(|(_, sink)| !sink(value))
            .map(|(id, _)| id)
            .collect();
        if !dead.is_empty() {
            self.list().retain(|(i, _)| !dead.contains(i));
        }
    }
}

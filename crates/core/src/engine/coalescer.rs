//! Keeps the latest value per key between flushes, so a burst of updates becomes one paint.

use std::collections::HashMap;
use std::hash::Hash;

/// Latest-value-per-key buffer, drained in the order keys were first touched.
#[derive(Debug)]
pub struct Coalescer<K, V> {
    slots: HashMap<K, usize>,
    values: Vec<V>,
}

impl<K, V> Default for Coalescer<K, V> {
    fn default() -> Self {
        Self {
            slots: HashMap::new(),
            values: Vec::new(),
        }
    }
}

impl<K: Hash + Eq, V> Coalescer<K, V> {
    /// Records `value` as the latest for `key`, replacing any earlier one.
    pub fn insert(&mut self, key: K, value: V) {
        match self.slots.get(&key) {
            Some(&slot) => self.values[slot] = value,
            None => {
                self.slots.insert(key, self.values.len());
                self.values.push(value);
            }
        }
    }

    /// Takes every pending value, leaving the coalescer empty.
    pub fn drain(&mut self) -> Vec<V> {
        self.slots.clear();
        std::mem::take(&mut self.values)
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Number of distinct keys pending.
    pub fn len(&self) -> usize {
        self.values.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_latest_value_per_key_in_first_touch_order() {
        let mut c = Coalescer::default();
        for i in 0..10_000 {
            c.insert(i % 3, i);
        }
        assert_eq!(c.len(), 3);
        assert_eq!(c.drain(), vec![9_999, 9_997, 9_998]);
        assert!(c.is_empty());
        c.insert(7, 1);
        assert_eq!(c.drain(), vec![1]);
    }
}

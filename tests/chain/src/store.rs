//! The chain's key-value state with nested write layers, like the SDK's cache-wrapped stores:
//! a transaction, a submessage and a query each open a layer, then commit or drop it.

use std::collections::BTreeMap;
use std::ops::Bound;

use cosmwasm_std::Order;

/// The module stores. Gas counts a key as the module store sees it, without this tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum StoreKey {
    /// x/wasm: code and contract records, contract storage (`0x03 | address | key`).
    Wasm = 0,
    Bank = 1,
    Auth = 2,
    /// The engine's typed copies of records whose wasmd-shaped bytes live in the metered
    /// stores. Never metered; kept here so they roll back with everything else.
    Meta = 3,
}

fn tagged(store: StoreKey, key: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(key.len() + 1);
    full.push(store as u8);
    full.extend_from_slice(key);
    full
}

/// Committed state plus open layers of pending writes (`None` marks a delete).
#[derive(Default)]
pub(crate) struct KvStore {
    committed: BTreeMap<Vec<u8>, Vec<u8>>,
    layers: Vec<BTreeMap<Vec<u8>, Option<Vec<u8>>>>,
}

impl KvStore {
    pub fn begin(&mut self) {
        self.layers.push(BTreeMap::new());
    }

    /// Moves the top layer's writes into the layer below (or the committed state).
    pub fn commit(&mut self) {
        let top = self.layers.pop().expect("commit without an open layer");
        match self.layers.last_mut() {
            Some(below) => below.extend(top),
            None => {
                for (key, value) in top {
                    match value {
                        Some(value) => self.committed.insert(key, value),
                        None => self.committed.remove(&key),
                    };
                }
            }
        }
    }

    pub fn rollback(&mut self) {
        self.layers.pop().expect("rollback without an open layer");
    }

    pub fn get(&self, store: StoreKey, key: &[u8]) -> Option<Vec<u8>> {
        self.get_full(&tagged(store, key))
    }

    fn get_full(&self, full_key: &[u8]) -> Option<Vec<u8>> {
        for layer in self.layers.iter().rev() {
            if let Some(value) = layer.get(full_key) {
                return value.clone();
            }
        }
        self.committed.get(full_key).cloned()
    }

    pub fn set(&mut self, store: StoreKey, key: &[u8], value: Vec<u8>) {
        self.write(tagged(store, key), Some(value));
    }

    pub fn remove(&mut self, store: StoreKey, key: &[u8]) {
        self.write(tagged(store, key), None);
    }

    fn write(&mut self, full_key: Vec<u8>, value: Option<Vec<u8>>) {
        match self.layers.last_mut() {
            Some(layer) => {
                layer.insert(full_key, value);
            }
            None => match value {
                Some(value) => {
                    self.committed.insert(full_key, value);
                }
                None => {
                    self.committed.remove(&full_key);
                }
            },
        }
    }

    /// The first live entry of `store` in `[start, end)` strictly after `after` in `order`
    /// (`after` = `None`: from the start of the range). Keys are returned without the tag.
    pub fn next_entry(
        &self,
        store: StoreKey,
        start: Option<&[u8]>,
        end: Option<&[u8]>,
        order: Order,
        after: Option<&[u8]>,
    ) -> Option<(Vec<u8>, Vec<u8>)> {
        let low = tagged(store, start.unwrap_or_default());
        let high = match end {
            Some(end) => Bound::Excluded(tagged(store, end)),
            None => Bound::Excluded(vec![store as u8 + 1]),
        };
        if let Bound::Excluded(high_key) = &high {
            if low >= *high_key {
                return None;
            }
        }
        let mut cursor: Option<Vec<u8>> = after.map(|after| tagged(store, after));
        loop {
            let (lower, upper) = match (order, &cursor) {
                (Order::Ascending, Some(c)) => (Bound::Excluded(c.clone()), high.clone()),
                (Order::Ascending, None) => (Bound::Included(low.clone()), high.clone()),
                (Order::Descending, Some(c)) => {
                    (Bound::Included(low.clone()), Bound::Excluded(c.clone()))
                }
                (Order::Descending, None) => (Bound::Included(low.clone()), high.clone()),
            };
            let candidate = self.nearest_key(order, &lower, &upper)?;
            if let Some(value) = self.get_full(&candidate) {
                return Some((candidate[1..].to_vec(), value));
            }
            // Deleted in a pending layer: step over it.
            cursor = Some(candidate);
        }
    }

    /// The smallest (ascending) or largest (descending) key present in any layer, deletes
    /// included, within the bounds.
    fn nearest_key(
        &self,
        order: Order,
        lower: &Bound<Vec<u8>>,
        upper: &Bound<Vec<u8>>,
    ) -> Option<Vec<u8>> {
        let range = (lower.clone(), upper.clone());
        let pick = |keys: &mut dyn DoubleEndedIterator<Item = &Vec<u8>>| match order {
            Order::Ascending => keys.next().cloned(),
            Order::Descending => keys.next_back().cloned(),
        };
        let mut best = pick(&mut self.committed.range(range.clone()).map(|(k, _)| k));
        for layer in &self.layers {
            if let Some(key) = pick(&mut layer.range(range.clone()).map(|(k, _)| k)) {
                best = match (best, order) {
                    (None, _) => Some(key),
                    (Some(b), Order::Ascending) => Some(b.min(key)),
                    (Some(b), Order::Descending) => Some(b.max(key)),
                };
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(kv: &KvStore, order: Order) -> Vec<Vec<u8>> {
        let mut keys = Vec::new();
        let mut after = None;
        while let Some((key, _)) = kv.next_entry(
            StoreKey::Wasm,
            Some(b"a"),
            Some(b"z"),
            order,
            after.as_deref(),
        ) {
            after = Some(key.clone());
            keys.push(key);
        }
        keys
    }

    #[test]
    fn layers_commit_and_roll_back() {
        let mut kv = KvStore::default();
        kv.set(StoreKey::Wasm, b"a", b"1".to_vec());
        kv.begin();
        kv.set(StoreKey::Wasm, b"b", b"2".to_vec());
        kv.remove(StoreKey::Wasm, b"a");
        kv.begin();
        kv.set(StoreKey::Wasm, b"c", b"3".to_vec());
        kv.rollback();
        assert_eq!(kv.get(StoreKey::Wasm, b"c"), None);
        assert_eq!(kv.get(StoreKey::Wasm, b"a"), None);
        kv.commit();
        assert_eq!(kv.get(StoreKey::Wasm, b"b"), Some(b"2".to_vec()));
        assert_eq!(kv.get(StoreKey::Wasm, b"a"), None);
        // Other stores do not see these keys.
        assert_eq!(kv.get(StoreKey::Bank, b"b"), None);
    }

    #[test]
    fn iteration_merges_layers_in_both_orders() {
        let mut kv = KvStore::default();
        for key in [b"b", b"d", b"f"] {
            kv.set(StoreKey::Wasm, key, b"x".to_vec());
        }
        kv.set(StoreKey::Bank, b"c", b"other store".to_vec());
        kv.begin();
        kv.set(StoreKey::Wasm, b"c", b"y".to_vec());
        kv.remove(StoreKey::Wasm, b"d");
        assert_eq!(
            collect(&kv, Order::Ascending),
            vec![b"b".to_vec(), b"c".to_vec(), b"f".to_vec()]
        );
        assert_eq!(
            collect(&kv, Order::Descending),
            vec![b"f".to_vec(), b"c".to_vec(), b"b".to_vec()]
        );
        // Unbounded ranges stay inside the store.
        let all = kv.next_entry(StoreKey::Wasm, None, None, Order::Descending, None);
        assert_eq!(all.map(|(k, _)| k), Some(b"f".to_vec()));
    }
}

//! A capped key-value table with deterministic clock eviction, used by every stateful detector.
//!
//! Entries live in a slot vector; a hash index maps keys to slots. When the table is full, a
//! clock hand sweeps the slots, giving each recently used entry a second chance, and evicts
//! the first one not used since the last sweep. Decisions never depend on the hash index's
//! iteration order, so a table saved and reloaded (slots, hand and flags in order) evicts
//! exactly as the original would: a reload gives bit-identical decisions.

use core::hash::Hash;

use hashbrown::HashMap;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Fill and eviction counters of one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct TableStats {
    /// Entries held now.
    pub len: usize,
    /// The configured maximum.
    pub cap: usize,
    /// Entries evicted to make room since the table was created (or loaded).
    pub evictions: u64,
}

impl TableStats {
    /// The sum of two tables' counters.
    pub fn merge(self, o: Self) -> Self {
        Self {
            len: self.len + o.len,
            cap: self.cap + o.cap,
            evictions: self.evictions + o.evictions,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Slot<K, V> {
    key: K,
    val: V,
    used: bool,
}

/// A table of at most `cap` entries with clock (second-chance) eviction.
#[derive(Debug, Clone)]
pub struct BoundedMap<K, V> {
    index: HashMap<K, u32>,
    slots: Vec<Slot<K, V>>,
    cap: usize,
    hand: usize,
    evictions: u64,
}

impl<K: Copy + Eq + Hash, V> BoundedMap<K, V> {
    /// An empty table holding at most `cap` entries (`cap` is clamped to `u32::MAX`).
    /// Memory grows with use up to the cap, never past it.
    pub fn new(cap: usize) -> Self {
        Self {
            index: HashMap::new(),
            slots: Vec::new(),
            cap: cap.min(u32::MAX as usize),
            hand: 0,
            evictions: 0,
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True if the table holds nothing.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Counters.
    pub fn stats(&self) -> TableStats {
        TableStats {
            len: self.slots.len(),
            cap: self.cap,
            evictions: self.evictions,
        }
    }

    /// The value of `key`, without marking it used.
    pub fn get(&self, key: &K) -> Option<&V> {
        let i = *self.index.get(key)? as usize;
        self.slots.get(i).map(|s| &s.val)
    }

    /// True if `key` is present.
    pub fn contains(&self, key: &K) -> bool {
        self.index.contains_key(key)
    }

    /// The value of `key`, marking it used.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = *self.index.get(key)? as usize;
        self.slots.get_mut(i).map(|s| {
            s.used = true;
            &mut s.val
        })
    }

    /// The value of `key`, inserting `make()` first if absent (evicting if full). Returns the
    /// value and whether it was inserted; `None` only when the cap is 0.
    pub fn get_or_insert_with(
        &mut self,
        key: K,
        make: impl FnOnce() -> V,
    ) -> Option<(&mut V, bool)> {
        let inserted = if self.index.contains_key(&key) {
            false
        } else {
            self.insert_new(key, make())?;
            true
        };
        let i = *self.index.get(&key)? as usize;
        let s = self.slots.get_mut(i)?;
        // A new entry earns its second chance by being used again.
        s.used |= !inserted;
        Some((&mut s.val, inserted))
    }

    /// Inserts a key known to be absent; returns its slot.
    fn insert_new(&mut self, key: K, val: V) -> Option<usize> {
        if self.cap == 0 {
            return None;
        }
        // Keep the index at most half full: removals then insertions at the cap rehash in
        // place instead of reallocating, so a full table never allocates again.
        let want = (self.slots.len() + 1)
            .saturating_mul(2)
            .min(self.cap.saturating_mul(2));
        if self.index.capacity() < want {
            self.index.reserve(want.saturating_sub(self.index.len()));
        }
        if self.slots.len() < self.cap {
            let i = self.slots.len();
            self.slots.push(Slot {
                key,
                val,
                used: false,
            });
            self.index.insert(key, u32::try_from(i).ok()?);
            return Some(i);
        }
        // Clock sweep: at most two passes find an entry whose used bit is clear.
        let n = self.slots.len();
        for _ in 0..2 * n {
            let h = self.hand % n;
            self.hand = (h + 1) % n;
            let slot = self.slots.get_mut(h)?;
            if slot.used {
                slot.used = false;
                continue;
            }
            let old = core::mem::replace(
                slot,
                Slot {
                    key,
                    val,
                    used: false,
                },
            );
            self.index.remove(&old.key);
            self.index.insert(key, u32::try_from(h).ok()?);
            self.evictions += 1;
            return Some(h);
        }
        None
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let i = self.index.remove(key)? as usize;
        if i >= self.slots.len() {
            return None;
        }
        let last = self.slots.len() - 1;
        let removed = self.slots.swap_remove(i);
        if i != last {
            if let Some(moved) = self.slots.get(i) {
                self.index.insert(moved.key, u32::try_from(i).ok()?);
            }
        }
        if self.hand >= self.slots.len() {
            self.hand = 0;
        }
        Some(removed.val)
    }

    /// Every entry, in slot order (deterministic across save and load).
    pub fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.slots.iter().map(|s| (&s.key, &s.val))
    }

    /// Every entry, mutably, in slot order (does not mark entries used).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&K, &mut V)> {
        self.slots.iter_mut().map(|s| (&s.key, &mut s.val))
    }

    /// Drops every entry (counters are kept).
    pub fn clear(&mut self) {
        self.slots.clear();
        self.index.clear();
        self.hand = 0;
    }
}

/// The saved form of a [`BoundedMap`].
#[derive(Serialize, Deserialize)]
#[serde(bound(
    serialize = "K: Serialize, V: Serialize",
    deserialize = "K: DeserializeOwned, V: DeserializeOwned"
))]
struct Saved<K, V> {
    cap: usize,
    hand: usize,
    evictions: u64,
    slots: Vec<Slot<K, V>>,
}

impl<K: Copy + Eq + Hash + Serialize, V: Serialize> Serialize for BoundedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Ref<'a, K, V> {
            cap: usize,
            hand: usize,
            evictions: u64,
            slots: &'a [Slot<K, V>],
        }
        Ref {
            cap: self.cap,
            hand: self.hand,
            evictions: self.evictions,
            slots: &self.slots,
        }
        .serialize(s)
    }
}

impl<'de, K: Copy + Eq + Hash + DeserializeOwned, V: DeserializeOwned> Deserialize<'de>
    for BoundedMap<K, V>
{
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let saved = Saved::<K, V>::deserialize(d)?;
        let cap = saved.cap.min(u32::MAX as usize);
        if saved.slots.len() > cap {
            return Err(serde::de::Error::custom(
                "table holds more entries than its cap",
            ));
        }
        let mut index = HashMap::with_capacity(saved.slots.len());
        for (i, s) in saved.slots.iter().enumerate() {
            let i = u32::try_from(i).map_err(serde::de::Error::custom)?;
            if index.insert(s.key, i).is_some() {
                return Err(serde::de::Error::custom("duplicate key in saved table"));
            }
        }
        let hand = if saved.slots.is_empty() {
            0
        } else {
            saved.hand % saved.slots.len()
        };
        Ok(Self {
            index,
            slots: saved.slots,
            cap,
            hand,
            evictions: saved.evictions,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_and_evicts() {
        let mut m = BoundedMap::new(4);
        for k in 0u32..100 {
            m.get_or_insert_with(k, || k * 2).unwrap();
            assert!(m.len() <= 4);
        }
        assert_eq!(m.stats().evictions, 96);
        assert_eq!(m.get(&99), Some(&198));
    }

    #[test]
    fn second_chance_keeps_hot_keys() {
        let mut m = BoundedMap::new(3);
        m.get_or_insert_with(1u8, || 0).unwrap();
        m.get_or_insert_with(2u8, || 0).unwrap();
        m.get_or_insert_with(3u8, || 0).unwrap();
        for k in 10u8..20 {
            m.get_mut(&1);
            m.get_or_insert_with(k, || 0).unwrap();
        }
        assert!(m.contains(&1));
    }

    #[test]
    fn remove_keeps_index_consistent() {
        let mut m = BoundedMap::new(8);
        for k in 0u8..8 {
            m.get_or_insert_with(k, || k).unwrap();
        }
        assert_eq!(m.remove(&2), Some(2));
        for k in [0u8, 1, 3, 4, 5, 6, 7] {
            assert_eq!(m.get(&k), Some(&k));
        }
        assert_eq!(m.get(&2), None);
    }

    #[test]
    fn zero_cap_holds_nothing() {
        let mut m: BoundedMap<u8, u8> = BoundedMap::new(0);
        assert!(m.get_or_insert_with(1, || 1).is_none());
        assert!(m.is_empty());
    }

    #[test]
    fn save_load_evicts_identically() {
        let mut a = BoundedMap::new(5);
        for k in 0u16..7 {
            a.get_or_insert_with(k, || k).unwrap();
            if k % 2 == 0 {
                a.get_mut(&0);
            }
        }
        let json = serde_json::to_string(&a).unwrap();
        let mut b: BoundedMap<u16, u16> = serde_json::from_str(&json).unwrap();
        for k in 100u16..120 {
            a.get_or_insert_with(k, || k).unwrap();
            b.get_or_insert_with(k, || k).unwrap();
            let ka: Vec<_> = a.iter().map(|(k, _)| *k).collect();
            let kb: Vec<_> = b.iter().map(|(k, _)| *k).collect();
            assert_eq!(ka, kb);
        }
    }
}

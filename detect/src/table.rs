//! A capped key-value table with deterministic clock eviction, used by every stateful detector.
//!
//! Entries live in a slot vector; a hash index maps keys to slots. When the table is full, a
//! clock hand sweeps the slots, giving each recently used entry a second chance, and evicts
//! the first one not used since the last sweep. Decisions never depend on the hash index's
//! iteration order, so a table saved and reloaded (slots, hand and flags in order) evicts
//! exactly as the original would: a reload gives bit-identical decisions.

use core::hash::{BuildHasher, Hash};

use hashbrown::{DefaultHashBuilder, HashTable};
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

/// A position in a table's slot vector, remembered by a caller to find an entry again
/// without hashing its key (see [`BoundedMap::get_or_insert_with_hint`]).
///
/// A hint is only ever a guess: it is checked against the key at that slot, so a stale
/// hint (the entry was evicted, removed or moved) costs one comparison and never changes
/// a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hint(u32);

impl Hint {
    /// A hint that points nowhere.
    pub const NONE: Self = Self(u32::MAX);

    /// The hint for the slot after this one (entries inserted one after another, such as
    /// consecutive addresses of one PDU, sit in consecutive slots). `NONE.next()` is `NONE`.
    pub const fn next(self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl Default for Hint {
    fn default() -> Self {
        Self::NONE
    }
}

/// A fixed array of [`Hint`]s chosen by a caller's number (typically a mix of the event's
/// flow id and signature): it remembers where a flow's entries were, so the next event of
/// that flow finds them without hashing. Not saved with a baseline: a hint only ever saves
/// time, it never changes a result.
#[derive(Debug, Clone)]
pub struct HintCache<const N: usize> {
    hints: [Hint; N],
    spare: Hint,
}

impl<const N: usize> HintCache<N> {
    /// Every hint pointing nowhere.
    pub const fn new() -> Self {
        Self {
            hints: [Hint::NONE; N],
            spare: Hint::NONE,
        }
    }

    /// The hint for `key` (any number; equal keys share a hint, others may too).
    pub fn at(&mut self, key: u64) -> &mut Hint {
        // Fibonacci hashing: the high bits of a multiplication by 2^64 / phi.
        let i = (key.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize % N.max(1);
        match self.hints.get_mut(i) {
            Some(h) => h,
            None => &mut self.spare,
        }
    }
}

impl<const N: usize> Default for HintCache<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// A number standing for an event's flow, for [`HintCache::at`]: the caller's flow id mixed
/// with the ends' ports and low address bytes (callers that number no flows still get
/// distinct hints per flow).
pub(crate) fn flow_hint(ev: &crate::event::Event<'_>) -> u64 {
    let [.., a, b, c, d] = ev.flow.client.ip;
    let [.., e, f, g, h] = ev.flow.server.ip;
    let ends = u64::from(u32::from_le_bytes([a, b, c, d]))
        ^ u64::from(u32::from_le_bytes([e, f, g, h])).rotate_left(23)
        ^ (u64::from(ev.flow.client.port) << 48 | u64::from(ev.flow.server.port) << 32);
    ev.flow_id.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ ends
}

/// A table of at most `cap` entries with clock (second-chance) eviction.
#[derive(Clone)]
pub struct BoundedMap<K, V> {
    /// Slot numbers, found by the hash of the slot's key.
    index: HashTable<u32>,
    hasher: DefaultHashBuilder,
    slots: Vec<Slot<K, V>>,
    cap: usize,
    hand: usize,
    evictions: u64,
}

impl<K: core::fmt::Debug, V: core::fmt::Debug> core::fmt::Debug for BoundedMap<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BoundedMap")
            .field("slots", &self.slots)
            .field("cap", &self.cap)
            .field("hand", &self.hand)
            .field("evictions", &self.evictions)
            .finish()
    }
}

/// The index entry (slot number) of `key`, if present.
fn find_slot<K: Eq, V>(
    index: &HashTable<u32>,
    slots: &[Slot<K, V>],
    hash: u64,
    key: &K,
) -> Option<usize> {
    index
        .find(hash, |&i| {
            slots.get(i as usize).is_some_and(|s| s.key == *key)
        })
        .map(|&i| i as usize)
}

/// The hash of the key in slot `i` (for rehashing the index).
fn slot_hash<K: Copy + Hash, V>(hasher: &DefaultHashBuilder, slots: &[Slot<K, V>], i: u32) -> u64 {
    slots.get(i as usize).map_or(0, |s| hasher.hash_one(s.key))
}

impl<K: Copy + Eq + Hash, V> BoundedMap<K, V> {
    /// An empty table holding at most `cap` entries (`cap` is clamped to `u32::MAX`).
    /// Memory grows with use up to the cap, never past it.
    pub fn new(cap: usize) -> Self {
        Self {
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
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

    fn find(&self, key: &K) -> Option<usize> {
        find_slot(&self.index, &self.slots, self.hasher.hash_one(key), key)
    }

    /// The value of `key`, without marking it used.
    pub fn get(&self, key: &K) -> Option<&V> {
        let i = self.find(key)?;
        self.slots.get(i).map(|s| &s.val)
    }

    /// True if `key` is present.
    pub fn contains(&self, key: &K) -> bool {
        self.find(key).is_some()
    }

    /// The value of `key`, marking it used.
    pub fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let i = self.find(key)?;
        self.slots.get_mut(i).map(|s| {
            s.used = true;
            &mut s.val
        })
    }

    /// [`BoundedMap::get_mut`], trying the slot `hint` names first; on return `hint` names
    /// the entry's slot (or nothing if `key` is absent). The result is exactly
    /// `get_mut(key)`'s.
    #[inline(always)]
    pub fn get_mut_with_hint(&mut self, hint: &mut Hint, key: &K) -> Option<&mut V> {
        let i = match self.slots.get(hint.0 as usize) {
            Some(s) if s.key == *key => hint.0 as usize,
            _ => {
                let found = self.find_cold(key);
                *hint = found.map_or(Hint::NONE, |i| Hint(i as u32));
                found?
            }
        };
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
        let mut hint = Hint::NONE;
        self.get_or_insert_with_hint(&mut hint, key, make)
    }

    /// [`BoundedMap::get_or_insert_with`], trying the slot `hint` names first; on return
    /// `hint` names the entry's slot. The result, and the table afterwards, are exactly
    /// those of `get_or_insert_with(key, make)`.
    #[inline(always)]
    pub fn get_or_insert_with_hint(
        &mut self,
        hint: &mut Hint,
        key: K,
        make: impl FnOnce() -> V,
    ) -> Option<(&mut V, bool)> {
        let (i, inserted) = match self.slots.get(hint.0 as usize) {
            Some(s) if s.key == key => (hint.0 as usize, false),
            _ => self.find_or_insert(key, make)?,
        };
        *hint = Hint(i as u32);
        let s = self.slots.get_mut(i)?;
        // A new entry earns its second chance by being used again.
        s.used |= !inserted;
        Some((&mut s.val, inserted))
    }

    /// [`BoundedMap::find`] kept out of line, so that a hint that hits stays short.
    #[inline(never)]
    fn find_cold(&self, key: &K) -> Option<usize> {
        self.find(key)
    }

    /// The slot of `key`, inserting `make()` if absent; and whether it was inserted.
    #[inline(never)]
    fn find_or_insert(&mut self, key: K, make: impl FnOnce() -> V) -> Option<(usize, bool)> {
        let hash = self.hasher.hash_one(key);
        match find_slot(&self.index, &self.slots, hash, &key) {
            Some(i) => Some((i, false)),
            None => Some((self.insert_new(hash, key, make())?, true)),
        }
    }

    /// Inserts a key known to be absent; returns its slot.
    fn insert_new(&mut self, hash: u64, key: K, val: V) -> Option<usize> {
        if self.cap == 0 {
            return None;
        }
        let Self {
            index,
            hasher,
            slots,
            ..
        } = self;
        // Keep the index at most half full: removals then insertions at the cap rehash in
        // place instead of reallocating, so a full table never allocates again.
        let want = (slots.len() + 1)
            .saturating_mul(2)
            .min(self.cap.saturating_mul(2));
        if index.capacity() < want {
            index.reserve(want.saturating_sub(index.len()), |&i| {
                slot_hash(hasher, slots, i)
            });
        }
        if slots.len() < self.cap {
            let i = slots.len();
            let n = u32::try_from(i).ok()?;
            slots.push(Slot {
                key,
                val,
                used: false,
            });
            index.insert_unique(hash, n, |&j| slot_hash(hasher, slots, j));
            return Some(i);
        }
        // Clock sweep: at most two passes find an entry whose used bit is clear.
        let n = slots.len();
        for _ in 0..2 * n {
            let h = self.hand % n;
            self.hand = (h + 1) % n;
            let slot = slots.get_mut(h)?;
            if slot.used {
                slot.used = false;
                continue;
            }
            let hn = u32::try_from(h).ok()?;
            let old_hash = hasher.hash_one(slot.key);
            if let Ok(e) = index.find_entry(old_hash, |&j| j == hn) {
                e.remove();
            }
            *slot = Slot {
                key,
                val,
                used: false,
            };
            index.insert_unique(hash, hn, |&j| slot_hash(hasher, slots, j));
            self.evictions += 1;
            return Some(h);
        }
        None
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &K) -> Option<V> {
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        let (i, _) = self
            .index
            .find_entry(hash, |&i| {
                slots.get(i as usize).is_some_and(|s| s.key == *key)
            })
            .ok()?
            .remove();
        let i = i as usize;
        if i >= self.slots.len() {
            return None;
        }
        let last = self.slots.len() - 1;
        let removed = self.slots.swap_remove(i);
        if i != last {
            if let Some(moved) = self.slots.get(i) {
                let h = self.hasher.hash_one(moved.key);
                if let Some(e) = self.index.find_mut(h, |&j| j as usize == last) {
                    *e = u32::try_from(i).ok()?;
                }
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

/// A bounded set of facts learned from traffic (what a client did, which client asked).
impl<K: Copy + Eq + Hash> BoundedMap<K, ()> {
    /// While `learning`, remembers `k` and says whether it is new; afterwards says whether
    /// it was not learned.
    pub fn first_or_unlearned(&mut self, k: K, learning: bool) -> bool {
        if learning {
            self.get_or_insert_with(k, || ())
                .is_some_and(|(_, inserted)| inserted)
        } else {
            !self.contains(&k)
        }
    }

    /// While `learning`, remembers `k` (and says yes); afterwards says whether it was
    /// learned.
    pub fn learned(&mut self, k: K, learning: bool) -> bool {
        if learning {
            let _ = self.get_or_insert_with(k, || ());
            true
        } else {
            self.contains(&k)
        }
    }
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
        let hasher = DefaultHashBuilder::default();
        let mut index = HashTable::with_capacity(saved.slots.len());
        for (i, s) in saved.slots.iter().enumerate() {
            let n = u32::try_from(i).map_err(serde::de::Error::custom)?;
            let hash = hasher.hash_one(s.key);
            let slots = saved.slots.get(..i).unwrap_or(&[]);
            if find_slot(&index, slots, hash, &s.key).is_some() {
                return Err(serde::de::Error::custom("duplicate key in saved table"));
            }
            index.insert_unique(hash, n, |&j| slot_hash(&hasher, &saved.slots, j));
        }
        let hand = if saved.slots.is_empty() {
            0
        } else {
            saved.hand % saved.slots.len()
        };
        Ok(Self {
            index,
            hasher,
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
    fn hints_never_change_results() {
        // Two tables see the same operations, one through (often stale) hints; they must
        // agree on every result, every slot and every counter.
        let mut plain = BoundedMap::new(16);
        let mut hinted = BoundedMap::new(16);
        let mut hint = Hint::NONE;
        let mut rng = 0x1234_5678_u64;
        for step in 0..5000u32 {
            rng = rng
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let k = ((rng >> 33) % 40) as u16;
            match (rng >> 20) % 8 {
                0 => assert_eq!(plain.remove(&k), hinted.remove(&k)),
                1..=3 => {
                    let a = plain.get_mut(&k).map(|v| *v);
                    let b = hinted.get_mut_with_hint(&mut hint, &k).map(|v| *v);
                    assert_eq!(a, b);
                }
                _ => {
                    let a = plain.get_or_insert_with(k, || step).map(|(v, n)| (*v, n));
                    let b = hinted
                        .get_or_insert_with_hint(&mut hint, k, || step)
                        .map(|(v, n)| (*v, n));
                    assert_eq!(a, b);
                    if (rng >> 40) % 2 == 0 {
                        hint = hint.next();
                    }
                }
            }
            let ka: Vec<_> = plain.slots.iter().map(|s| (s.key, s.val, s.used)).collect();
            let kb: Vec<_> = hinted
                .slots
                .iter()
                .map(|s| (s.key, s.val, s.used))
                .collect();
            assert_eq!(ka, kb);
            assert_eq!(
                (plain.hand, plain.evictions),
                (hinted.hand, hinted.evictions)
            );
        }
        assert!(plain.stats().evictions > 0);
        for k in 0..40u16 {
            assert_eq!(plain.get(&k), hinted.get(&k));
        }
    }

    #[test]
    fn consecutive_inserts_take_consecutive_slots() {
        let mut m = BoundedMap::new(64);
        let mut hint = Hint::NONE;
        for k in 0u32..10 {
            hint = hint.next();
            m.get_or_insert_with_hint(&mut hint, k, || k).unwrap();
        }
        // Walking the same keys again follows the hint from slot to slot.
        let mut hint = Hint::NONE;
        for k in 0u32..10 {
            hint = hint.next();
            assert_eq!(m.get_mut_with_hint(&mut hint, &k), Some(&mut { k }));
            assert_eq!(hint, Hint(k));
        }
        assert_eq!(Hint::NONE.next(), Hint::NONE);
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

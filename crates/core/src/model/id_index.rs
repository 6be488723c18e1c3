//! A panel's records by id: an open-addressing table of handles, each slot holding the handle and 31 bits
//! of its id's hash together.
//!
//! A first read puts a million ids into it, each at a random place of a table of megabytes: a cache miss
//! for every record on the thread that applies them, which nothing else can do meanwhile. Here the bits
//! that are compared and the handle share a slot (one cache line to read and write, where a table of
//! control bytes and a table of handles take two), and the line an id will need can be fetched ahead
//! ([`IdIndex::prefetch`]) while the records before it are applied. The hash bits kept also say where a
//! slot belongs, so the table grows without reading any id again.

use super::store::Handle;

/// No handle here; a look for an id ends at one.
const EMPTY: u64 = u64::MAX;
/// A handle was removed from here; a look for an id goes on past it.
const GONE: u64 = u64::MAX - 1;
/// The hash bits kept: a real slot's top bit is clear, which sets it apart from [`EMPTY`] and [`GONE`].
const KEPT: u64 = 0x7FFF_FFFF;
/// Slots in a cache line: the table's size is a multiple of it, and a look starts at a line's first slot.
const LINE: usize = 8;

/// Handles by the hash of their id; what the id of a handle is, the caller says (see [`IdIndex::find`]).
#[derive(Debug, Default)]
pub struct IdIndex {
    /// A power of two of slots (at least [`LINE`]), or none before the first insert.
    slots: Vec<u64>,
    len: usize,
    gone: usize,
}

impl IdIndex {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The slot a look for `hash` starts at (a line's first), when there are slots.
    fn home(&self, hash: u64) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        Some(((hash & KEPT) as usize * LINE) & mask)
    }

    /// The handle whose id has this hash and for which `is` says yes (it compares the id).
    pub fn find(&self, hash: u64, mut is: impl FnMut(Handle) -> bool) -> Option<Handle> {
        self.slot_of(hash, &mut is).map(|at| self.slots[at] as Handle)
    }

    fn slot_of(&self, hash: u64, is: &mut impl FnMut(Handle) -> bool) -> Option<usize> {
        let mut at = self.home(hash)?;
        let mask = self.slots.len() - 1;
        for _ in 0..self.slots.len() {
            let slot = self.slots[at];
            if slot == EMPTY {
                return None;
            }
            if slot >> 32 == hash & KEPT && is(slot as Handle) {
                return Some(at);
            }
            at = (at + 1) & mask;
        }
        None
    }

    /// Adds a handle whose id is not in the table yet.
    pub fn insert(&mut self, hash: u64, h: Handle) {
        if (self.len + self.gone + 1) * 8 > self.slots.len() * 7 {
            self.resize(self.len + 1);
        }
        self.put((hash & KEPT) << 32 | u64::from(h));
        self.len += 1;
    }

    /// Puts a slot at the first free place from its home (a removed one counts as free).
    fn put(&mut self, slot: u64) {
        let mask = self.slots.len() - 1;
        let mut at = ((slot >> 32) as usize * LINE) & mask;
        loop {
            match self.slots[at] {
                EMPTY => break,
                GONE => {
                    self.gone -= 1;
                    break;
                }
                _ => at = (at + 1) & mask,
            }
        }
        self.slots[at] = slot;
    }

    /// Removes and gives the handle whose id has this hash and for which `is` says yes.
    pub fn remove(&mut self, hash: u64, mut is: impl FnMut(Handle) -> bool) -> Option<Handle> {
        let at = self.slot_of(hash, &mut is)?;
        let h = self.slots[at] as Handle;
        let next = self.slots[(at + 1) & (self.slots.len() - 1)];
        // A look for another id ends at the next empty slot: this one can be empty too when the next is.
        if next == EMPTY {
            self.slots[at] = EMPTY;
        } else {
            self.slots[at] = GONE;
            self.gone += 1;
        }
        self.len -= 1;
        Some(h)
    }

    /// Room for `n` more handles without growing.
    pub fn reserve(&mut self, n: usize) {
        if (self.len + self.gone + n) * 8 > self.slots.len() * 7 {
            self.resize(self.len + n);
        }
    }

    /// A table with room for `n` handles (removed slots cleared), the handles put in it again.
    fn resize(&mut self, n: usize) {
        let size = (n.max(1) * 8 / 7 + 1).next_power_of_two().max(LINE).max(self.slots.len());
        // Twice the size when the table is full of handles, the same size when it is full of removed slots.
        let size = if (n + 1) * 8 > size * 7 { size * 2 } else { size };
        let old = std::mem::replace(&mut self.slots, vec![EMPTY; size]);
        self.gone = 0;
        for slot in old.into_iter().filter(|&s| s < GONE) {
            self.put(slot);
        }
    }

    /// Fetches the line a look for `hash` starts at into the cache, without waiting for it: for the id of a
    /// record applied a few records later.
    pub fn prefetch(&self, hash: u64) {
        if let Some(at) = self.home(hash) {
            crate::cache::prefetch(&self.slots[at]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    proptest! {
        /// Any run of inserts and removes (hashes squeezed into a few values, so that they collide, wrap
        /// around the table's end and leave removed slots behind) finds what a map of ids finds.
        #[test]
        fn the_index_finds_what_a_map_finds(
            steps in prop::collection::vec((any::<bool>(), 0u32..300, 0u64..40), 1..600),
        ) {
            let mut index = IdIndex::default();
            // id -> (hash, handle); each id's hash is fixed, handles are the order of insertion.
            let mut map: HashMap<u32, (u64, Handle)> = HashMap::new();
            let mut hashes: HashMap<u32, u64> = HashMap::new();
            let mut next: Handle = 0;
            let mut ids_of: HashMap<Handle, u32> = HashMap::new();
            for (add, id, bits) in steps {
                // Hashes that differ only above the kept bits, or not at all.
                let hash = *hashes.entry(id).or_insert(bits | (u64::from(id) << 40));
                if add && !map.contains_key(&id) {
                    index.insert(hash, next);
                    map.insert(id, (hash, next));
                    ids_of.insert(next, id);
                    next += 1;
                } else if !add {
                    let removed = index.remove(hash, |h| ids_of.get(&h) == Some(&id));
                    prop_assert_eq!(removed, map.remove(&id).map(|(_, h)| h));
                }
                prop_assert_eq!(index.len(), map.len());
                for (&id, &(hash, h)) in &map {
                    prop_assert_eq!(index.find(hash, |x| ids_of.get(&x) == Some(&id)), Some(h));
                }
                prop_assert_eq!(index.find(hash, |h| ids_of.get(&h) == Some(&id)), map.get(&id).map(|&(_, h)| h));
            }
        }
    }

    #[test]
    fn reserved_room_is_kept_and_growth_keeps_every_handle() {
        let mut index = IdIndex::default();
        index.reserve(1000);
        let size = index.slots.len();
        assert!(size * 7 >= 1000 * 8);
        for h in 0..1000u32 {
            index.insert(u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15), h);
        }
        assert_eq!(index.slots.len(), size, "no growth within what was reserved");
        for h in 1000..5000u32 {
            index.insert(u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15), h);
        }
        for h in 0..5000u32 {
            assert_eq!(index.find(u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15), |x| x == h), Some(h));
        }
        index.prefetch(7);
    }
}

//! One copy of each value that repeats across a store's records (authorities, programmes, reasons,
//! countries, ...), numbered once, shared by every thread that packs or reads the store's records.
//!
//! Reading is what every record does many times (a rule, a filter, a row), on every core at once: it takes
//! no lock. The copies are kept in segments that are never moved (the first holds 1,024, each next one
//! twice as many), each copy set once; numbers are handed out under a lock, which only a value its
//! [`Packer`] has not seen yet takes. Each store has its own copies: two stores share nothing.

use crate::model::record::Text;
use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Shared copies of the values that repeat, at most this many (past that, values are written out).
const MAX_SHARED: usize = 262_144;

/// The first segment holds `1 << FIRST_BITS` copies.
const FIRST_BITS: u32 = 10;
/// Segments enough for [`MAX_SHARED`] copies.
const SEGMENTS: usize = (MAX_SHARED.ilog2() - FIRST_BITS + 1) as usize;

/// Every shared value, by number.
pub struct Table {
    segments: [OnceLock<Box<[OnceLock<Text>]>>; SEGMENTS],
}

impl Table {
    /// Segment and place in it of number `n`.
    fn place(n: usize) -> (usize, usize) {
        let biased = n + (1 << FIRST_BITS);
        let top = biased.ilog2();
        ((top - FIRST_BITS) as usize, biased - (1 << top))
    }

    /// The copy numbered `n`, once it was made.
    pub fn get(&self, n: usize) -> Option<&Text> {
        let (segment, at) = Self::place(n);
        self.segments.get(segment)?.get()?.get(at)?.get()
    }

    /// Makes the copy numbered `n` (numbers are handed out in order, under [`SharedTexts::numbers`]).
    fn set(&self, n: usize, t: Text) {
        let (segment, at) = Self::place(n);
        let Some(cells) = self.segments.get(segment) else { return };
        let cells =
            cells.get_or_init(|| (0..1usize << (segment as u32 + FIRST_BITS)).map(|_| OnceLock::new()).collect());
        if let Some(cell) = cells.get(at) {
            let _ = cell.set(t);
        }
    }
}

/// A store's shared copies ([`Table`]) and the number of each.
pub struct SharedTexts {
    table: Table,
    numbers: Mutex<FxHashMap<Text, u32>>,
}

impl std::fmt::Debug for SharedTexts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTexts").finish_non_exhaustive()
    }
}

impl Default for SharedTexts {
    fn default() -> Self {
        Self::new()
    }
}

impl SharedTexts {
    /// None yet.
    pub const fn new() -> Self {
        SharedTexts {
            table: Table { segments: [const { OnceLock::new() }; SEGMENTS] },
            numbers: Mutex::new(FxHashMap::with_hasher(rustc_hash::FxBuildHasher)),
        }
    }

    pub(super) fn table(&self) -> &Table {
        &self.table
    }
}

/// What one thread packs records with: the store's shared copies, the numbers it has seen of them (so that
/// packing seldom takes their lock), and the buffer a record is written into before it is copied out at
/// its size. A packer of no store writes every text out, so that what it packs reads the same in any.
pub struct Packer {
    texts: Option<Arc<SharedTexts>>,
    known: FxHashMap<Text, u32>,
    pub(super) scratch: Vec<u8>,
}

impl std::fmt::Debug for Packer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Packer").field("known", &self.known.len()).finish_non_exhaustive()
    }
}

impl Packer {
    /// A packer for the store whose copies these are.
    pub fn sharing(texts: Arc<SharedTexts>) -> Packer {
        Packer { texts: Some(texts), known: FxHashMap::default(), scratch: Vec::new() }
    }

    /// A packer of no store: every text written out.
    pub fn plain() -> Packer {
        Packer { texts: None, known: FxHashMap::default(), scratch: Vec::new() }
    }

    /// Whether this packer shares texts through `texts`.
    pub fn shares(&self, texts: &Arc<SharedTexts>) -> bool {
        self.texts.as_ref().is_some_and(|t| Arc::ptr_eq(t, texts))
    }

    /// The number of the shared copy of `t`, made on first sight (none once the table is full, or for a
    /// packer of no store).
    pub(super) fn shared(&mut self, t: &str) -> Option<u32> {
        if let Some(n) = self.known.get(t) {
            return Some(*n);
        }
        let texts = self.texts.as_ref()?;
        let t = Text::from(t);
        let n = {
            let mut numbers = texts.numbers.lock().unwrap_or_else(|e| e.into_inner());
            match numbers.get(&*t) {
                Some(n) => *n,
                None => {
                    let n = numbers.len();
                    if n >= MAX_SHARED {
                        return None;
                    }
                    // Made before its number is handed out: whoever reads the number finds the copy.
                    texts.table.set(n, t.clone());
                    numbers.insert(t.clone(), n as u32);
                    n as u32
                }
            }
        };
        self.known.insert(t, n);
        Some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_fall_in_segments_that_cover_the_table_without_gaps() {
        assert_eq!(Table::place(0), (0, 0));
        assert_eq!(Table::place(1023), (0, 1023));
        assert_eq!(Table::place(1024), (1, 0));
        assert_eq!(Table::place(3071), (1, 2047));
        assert_eq!(Table::place(3072), (2, 0));
        assert_eq!(Table::place(MAX_SHARED - 1).0, SEGMENTS - 1);
    }

    #[test]
    fn a_value_has_one_number_and_its_copy_is_found_by_it() {
        let texts = Arc::new(SharedTexts::default());
        let (mut one, mut two) = (Packer::sharing(texts.clone()), Packer::sharing(texts.clone()));
        let a = one.shared("Treasury").expect("room");
        assert_eq!(one.shared("Treasury"), Some(a));
        assert_eq!(two.shared("Treasury"), Some(a), "another thread's packer finds the same copy");
        assert_eq!(texts.table().get(a as usize).map(|t| &**t), Some("Treasury"));
        assert!(texts.table().get(MAX_SHARED + 5).is_none());
    }

    #[test]
    fn two_stores_share_nothing_and_a_packer_of_none_shares_nothing() {
        let (a, b) = (Arc::new(SharedTexts::default()), Arc::new(SharedTexts::default()));
        let first = Packer::sharing(b.clone()).shared("OFAC").expect("room");
        assert_eq!(Packer::sharing(a.clone()).shared("EU"), Some(first), "numbered in each store from 0");
        assert_eq!(b.table().get(first as usize).map(|t| &**t), Some("OFAC"));
        assert_eq!(a.table().get(first as usize).map(|t| &**t), Some("EU"));
        assert_eq!(Packer::plain().shared("OFAC"), None);
    }
}

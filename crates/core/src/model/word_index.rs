//! The index of name words ([`super::name_keys`]): word key → the sanctions records and suppliers whose
//! names carry it, so that the candidates of a record are the other panel's records that share its rare
//! words, never every pair compared.
//!
//! Rare words first: a word shared by more than [`COMMON`] records (`trading`, `group`, a city) tells
//! nobody apart, and its list is let go once it grows past that; the word is then only known as common,
//! and a name is found by its other words (or by its whole form, [`super::name_index`]). A candidate shares
//! two of the record's words, or one word that few records carry ([`RARE`]), or the one rare word of a
//! name that has only one.

use super::name_keys::WordKey;
use super::store::Handle;
use super::vocab::Kind;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

/// A word carried by more records than this is common: it finds nobody.
pub const COMMON: usize = 1024;
/// A word carried by at most this many records of the other panel finds them on its own.
pub const RARE: usize = 8;
/// ... and for a name with only one word that is not common, this many.
pub const RARE_ALONE: usize = 64;
/// Candidates from words, at most (those that share the most words first).
pub const MAX_CANDIDATES: usize = 64;

type List = smallvec::SmallVec<[Handle; 2]>;

/// The records that carry one word, by panel ([`side`]), each list in handle order.
enum Holders {
    Lists(Box<[List; 2]>),
    Common,
}

fn side(kind: Kind) -> Option<usize> {
    match kind {
        Kind::Sanctions => Some(0),
        Kind::Suppliers => Some(1),
        _ => None,
    }
}

#[derive(Default)]
pub struct WordIndex {
    words: FxHashMap<WordKey, Holders>,
    /// The words that became common, for the threads that prepare records to leave out.
    common: Arc<CommonWords>,
}

/// Words known to be common, shared with the threads that prepare records (see
/// [`crate::model::links::Preparer`]): a key of one of them finds nobody, so a parser leaves it out and the
/// index is not asked about it (on a first read most words of most names are common). Written by the
/// index alone, read by any thread; a thread that reads it a moment late only hands over a key the index
/// then passes by, so what is found never depends on it.
pub struct CommonWords {
    /// Open addressing, 0 for an empty place (no key is 0).
    places: Box<[AtomicU32]>,
    len: AtomicUsize,
}

/// Places for common words: a power of two, small enough to stay near the core (32 KiB). Past three in
/// four of them taken, words that become common are no longer noted (they are passed by in the index).
const COMMON_PLACES: usize = 1 << 13;

impl Default for CommonWords {
    fn default() -> Self {
        CommonWords { places: (0..COMMON_PLACES).map(|_| AtomicU32::new(0)).collect(), len: AtomicUsize::new(0) }
    }
}

impl CommonWords {
    pub fn contains(&self, key: WordKey) -> bool {
        let mask = COMMON_PLACES - 1;
        let mut at = key as usize & mask;
        loop {
            match self.places[at].load(Ordering::Relaxed) {
                0 => return false,
                k if k == key => return true,
                _ => at = (at + 1) & mask,
            }
        }
    }

    /// Notes a word that became common (by the index only: one writer).
    fn insert(&self, key: WordKey) {
        let len = self.len.load(Ordering::Relaxed);
        if len >= COMMON_PLACES / 4 * 3 || key == 0 {
            return;
        }
        let mask = COMMON_PLACES - 1;
        let mut at = key as usize & mask;
        loop {
            match self.places[at].load(Ordering::Relaxed) {
                0 => break,
                k if k == key => return,
                _ => at = (at + 1) & mask,
            }
        }
        self.places[at].store(key, Ordering::Relaxed);
        self.len.store(len + 1, Ordering::Relaxed);
    }
}

impl WordIndex {
    /// Room for `n` more words.
    pub fn reserve(&mut self, n: usize) {
        self.words.reserve(n);
    }

    pub fn add(&mut self, key: WordKey, kind: Kind, h: Handle) {
        let Some(s) = side(kind) else { return };
        let holders = self.words.entry(key).or_insert_with(|| Holders::Lists(Box::default()));
        let Holders::Lists(lists) = &mut *holders else { return };
        let list = &mut lists[s];
        match list.last() {
            // Records arrive in handle order on a first read: appended.
            Some(&last) if last < h => list.push(h),
            None => list.push(h),
            Some(_) => match list.binary_search(&h) {
                Ok(_) => return,
                Err(at) => list.insert(at, h),
            },
        }
        let full = lists[0].len() + lists[1].len() > COMMON;
        if full {
            *holders = Holders::Common;
            self.common.insert(key);
        }
    }

    /// The words that became common, for those that prepare records.
    pub fn common(&self) -> &Arc<CommonWords> {
        &self.common
    }

    pub fn remove(&mut self, key: WordKey, kind: Kind, h: Handle) {
        let Some(s) = side(kind) else { return };
        let Some(Holders::Lists(lists)) = self.words.get_mut(&key) else { return };
        if let Ok(at) = lists[s].binary_search(&h) {
            lists[s].remove(at);
        }
        if lists[0].is_empty() && lists[1].is_empty() {
            self.words.remove(&key);
        }
    }

    /// The records of `other` (a party panel) that share words with a record whose names carry `keys`
    /// (each key once): see the module's comment. In no order.
    pub fn candidates(&self, keys: &[WordKey], other: Kind, out: &mut Vec<Handle>) {
        let Some(s) = side(other) else { return };
        let mut lists: smallvec::SmallVec<[&[Handle]; 16]> = smallvec::SmallVec::new();
        let mut rare_words = 0;
        for k in keys {
            match self.words.get(k) {
                Some(Holders::Lists(l)) => {
                    rare_words += 1;
                    if !l[s].is_empty() {
                        lists.push(&l[s]);
                    }
                }
                Some(Holders::Common) | None => {}
            }
        }
        let alone = if rare_words <= 1 { RARE_ALONE } else { RARE };
        let before = out.len();
        for l in &lists {
            if l.len() <= alone {
                out.extend_from_slice(l);
            }
        }
        if lists.len() >= 2 {
            // Records in two lists or more: every list's records, sorted, in runs.
            let mut all: Vec<Handle> = lists.iter().flat_map(|l| l.iter().copied()).collect();
            all.sort_unstable();
            let mut shared: Vec<(usize, Handle)> = Vec::new();
            for run in all.chunk_by(|a, b| a == b) {
                if run.len() >= 2 {
                    shared.push((run.len(), run[0]));
                }
            }
            if shared.len() > MAX_CANDIDATES {
                shared.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
                shared.truncate(MAX_CANDIDATES);
            }
            out.extend(shared.into_iter().map(|(_, h)| h));
        }
        out[before..].sort_unstable();
        let mut kept = before;
        for i in before..out.len() {
            if kept == before || out[kept - 1] != out[i] {
                out[kept] = out[i];
                kept += 1;
            }
        }
        out.truncate(kept);
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Words known, common ones included.
    pub fn len(&self) -> usize {
        self.words.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(index: &WordIndex, keys: &[WordKey]) -> Vec<Handle> {
        let mut out = Vec::new();
        index.candidates(keys, Kind::Sanctions, &mut out);
        out
    }

    #[test]
    fn a_rare_word_finds_its_records_and_two_common_ones_find_those_with_both() {
        let mut index = WordIndex::default();
        // Word 1 on records 0..20, word 2 on records 10..30: neither rare; both on 10..20.
        for h in 0..20 {
            index.add(1, Kind::Sanctions, h);
        }
        for h in 10..30 {
            index.add(2, Kind::Sanctions, h);
        }
        index.add(3, Kind::Sanctions, 99);
        assert_eq!(found(&index, &[1, 2]), (10..20).collect::<Vec<_>>());
        assert_eq!(found(&index, &[1, 2, 3]), [(10..20).collect::<Vec<_>>(), vec![99]].concat());
        // One word not common is enough for a name that has only that one.
        assert_eq!(found(&index, &[1]), (0..20).collect::<Vec<_>>());
        // Suppliers do not find suppliers.
        let mut out = Vec::new();
        index.candidates(&[3], Kind::Suppliers, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn a_common_word_finds_nobody_and_removed_records_go() {
        let mut index = WordIndex::default();
        for h in 0..=COMMON as Handle {
            index.add(7, Kind::Sanctions, h);
        }
        assert!(found(&index, &[7]).is_empty());
        assert!(index.common().contains(7) && !index.common().contains(8));
        index.add(8, Kind::Sanctions, 5);
        index.add(8, Kind::Sanctions, 3);
        assert_eq!(found(&index, &[8]), vec![3, 5]);
        index.remove(8, Kind::Sanctions, 5);
        assert_eq!(found(&index, &[8]), vec![3]);
        index.remove(8, Kind::Sanctions, 3);
        assert_eq!(index.len(), 1, "only the common word is left");
    }
}

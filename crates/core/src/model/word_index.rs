//! The index of name words ([`super::name_keys`]): word key → the sanctions records and suppliers whose
//! names carry it, so that the candidates of a record are the other panel's records that share its rare
//! words, never every pair compared.
//!
//! Rare words first: a word shared by more than [`COMMON`] records (`trading`, `group`, a city) tells
//! nobody apart, and its list is let go once it grows past that; the word is then only known as common,
//! and a name is found by its other words (or by its whole form, [`super::name_index`]). A candidate has a
//! name that shares two words that are not common with one of the record's names (two words of one name
//! each, not one of the name and one of an alias: the matcher compares name with name), or shares one word
//! that few records carry ([`RARE`], of both panels): the same both ways, so that a supplier finds a
//! designation when the designation finds it. After a first read the suppliers that have candidates are
//! found from the index itself ([`WordIndex::suppliers_with_candidates`]), for the rules that ask of every
//! supplier whether it is sanctioned.

use super::name_keys::WordKey;
use super::store::Handle;
use super::vocab::Kind;
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

/// A word carried by more records than this is common: it finds nobody.
pub const COMMON: usize = 1024;
/// A word carried by at most this many records (of both panels) finds them on its own.
pub const RARE: usize = 32;
/// Candidates from words, at most (those that share the most words first).
pub const MAX_CANDIDATES: usize = 64;

/// The records that carry one word, in one list held in place (a first read adds millions): sanctions
/// records by handle, then suppliers, their handles with [`SUPPLIER`] set; each beside the name of the
/// record that carries the word ([`tagged`]), so that two words are shared only when one name has both.
enum Holders {
    /// The list, and its last holder beside it (so that appending, as a first read does for every
    /// word of every name, does not first read the list wherever it is).
    Few {
        last: u32,
        list: smallvec::SmallVec<[u32; 4]>,
    },
    Common,
}

/// In a list of holders, the bit of a supplier's handle.
const SUPPLIER: u32 = 1 << 31;
/// In a list of holders, the bits below the handle: which of the record's names carries the word (the
/// sixteenth and later names share the last number).
const NAME_BITS: u32 = 4;
/// Handles from this on are not indexed.
const HANDLES: Handle = 1 << (31 - NAME_BITS);

/// A record's name's place in a list of holders: the panel's bit, the handle, the name's number.
fn tagged(kind: Kind, h: Handle, name: u8) -> Option<u32> {
    let t = (h < HANDLES).then(|| h << NAME_BITS | (name as u32).min((1 << NAME_BITS) - 1))?;
    match kind {
        Kind::Sanctions => Some(t),
        Kind::Suppliers => Some(t | SUPPLIER),
        _ => None,
    }
}

/// The record's handle in a list's place.
fn handle_of(t: u32) -> Handle {
    (t & !SUPPLIER) >> NAME_BITS
}

/// A name's keys, by the name's number among the record's names.
pub type NameKey = (u8, WordKey);

/// The holders of a panel in a list.
fn of_panel(list: &[u32], kind: Kind) -> &[u32] {
    let suppliers = list.partition_point(|&t| t & SUPPLIER == 0);
    match kind {
        Kind::Suppliers => &list[suppliers..],
        _ => &list[..suppliers],
    }
}

/// The records of `other` among the holders of one name's words (each word's whole list, once): those
/// of a rare word, and those with a name in two lists or more (at most [`MAX_CANDIDATES`] of them, those
/// in the most lists first), appended to `out` in no order, some perhaps twice.
fn shared_by(lists: &[&[u32]], other: Kind, out: &mut Vec<Handle>) {
    // The other panel's holders of each word (their handles as tagged); those of a rare word are
    // candidates at once.
    let mut theirs: smallvec::SmallVec<[&[u32]; 16]> = smallvec::SmallVec::new();
    for list in lists {
        let of_theirs = of_panel(list, other);
        if list.len() <= RARE {
            out.extend(of_theirs.iter().map(|&t| handle_of(t)));
        }
        if !of_theirs.is_empty() {
            theirs.push(of_theirs);
        }
    }
    if theirs.len() >= 2 {
        let mut shared = in_two_or_more(&theirs);
        if shared.len() > MAX_CANDIDATES {
            shared.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            shared.truncate(MAX_CANDIDATES);
        }
        out.extend(shared.into_iter().map(|(_, t)| handle_of(t)));
    }
}

/// The holders in two or more of these sorted lists, each with the number of lists it is in.
fn in_two_or_more(lists: &[&[u32]]) -> Vec<(usize, u32)> {
    if let [a, b] = lists {
        // Two lists, as most names have: their common holders, nothing counted, and no branch on which
        // list is ahead (that is guessed wrong every other step: a first read's rules ask this of every
        // supplier).
        let (mut i, mut j, mut out) = (0, 0, Vec::new());
        while i < a.len() && j < b.len() {
            let (x, y) = (a[i], b[j]);
            if x == y {
                out.push((2, x));
            }
            i += (x <= y) as usize;
            j += (y <= x) as usize;
        }
        return out;
    }
    // The lists (each in order) merged one after another, each holder with the number of lists it is in.
    let mut counted: Vec<(u32, usize)> = lists[0].iter().map(|&t| (t, 1)).collect();
    let mut next: Vec<(u32, usize)> = Vec::new();
    for l in &lists[1..] {
        next.clear();
        next.reserve(counted.len() + l.len());
        let (mut i, mut j) = (0, 0);
        while i < counted.len() && j < l.len() {
            let (t, n) = counted[i];
            match t.cmp(&l[j]) {
                std::cmp::Ordering::Less => {
                    next.push((t, n));
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    next.push((l[j], 1));
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    next.push((t, n + 1));
                    i += 1;
                    j += 1;
                }
            }
        }
        next.extend_from_slice(&counted[i..]);
        next.extend(l[j..].iter().map(|&t| (t, 1)));
        std::mem::swap(&mut counted, &mut next);
    }
    counted.into_iter().filter(|&(_, n)| n >= 2).map(|(t, n)| (n, t)).collect()
}

#[derive(Default)]
pub struct WordIndex {
    words: FxHashMap<WordKey, Holders>,
    /// The words that became common, for the threads that prepare records to leave out.
    common: Arc<CommonWords>,
    /// During a first read ([`WordIndex::defer`]): holders noted as they come (`key << 32 | tagged`), put
    /// in the index [`PENDING`] at a time, sorted, so that each word's list is reached once for all its
    /// new holders rather than once for each (a first read adds millions, every one a cache miss).
    pending: Option<Vec<u64>>,
}

/// Holders noted at most before they are put in the index (4 MiB).
const PENDING: usize = 1 << 19;

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
    /// From now on, holders are noted and put in the index in parts, until [`WordIndex::settle`]; the
    /// index is not to be read until then. For a first read.
    pub fn defer(&mut self) {
        self.pending.get_or_insert_with(Vec::new);
    }

    /// Puts in the index the holders noted since [`WordIndex::defer`].
    pub fn settle(&mut self) {
        if let Some(pending) = self.pending.take() {
            self.put(pending);
        }
    }

    pub fn add(&mut self, (name, key): NameKey, kind: Kind, h: Handle) {
        let Some(t) = tagged(kind, h, name) else { return };
        if let Some(pending) = &mut self.pending {
            if pending.capacity() == 0 {
                pending.reserve_exact(PENDING);
            }
            pending.push((key as u64) << 32 | t as u64);
            if pending.len() >= PENDING {
                let full = std::mem::take(pending);
                self.put(full);
                self.pending = Some(Vec::new());
            }
            return;
        }
        self.add_one(key, t);
    }

    /// Holders noted (`key << 32 | tagged`), in the index: sorted, each word's new holders at once.
    fn put(&mut self, mut noted: Vec<u64>) {
        noted.sort_unstable();
        noted.dedup();
        for run in noted.chunk_by(|a, b| a >> 32 == b >> 32) {
            let key = (run[0] >> 32) as WordKey;
            let holders =
                self.words.entry(key).or_insert_with(|| Holders::Few { last: 0, list: smallvec::SmallVec::new() });
            let Holders::Few { last, list } = &mut *holders else { continue };
            let new = run.iter().map(|&n| n as u32);
            if list.is_empty() || *last < run[0] as u32 {
                list.extend(new);
            } else {
                // Older holders after some of these (the other panel's, or a record read again): merged.
                let mut merged: smallvec::SmallVec<[u32; 4]> =
                    smallvec::SmallVec::with_capacity(list.len() + run.len());
                let (mut old, mut new) = (list.iter().copied().peekable(), new.peekable());
                while let (Some(&a), Some(&b)) = (old.peek(), new.peek()) {
                    merged.push(a.min(b));
                    if a <= b {
                        old.next();
                    }
                    if b <= a {
                        new.next();
                    }
                }
                merged.extend(old.chain(new));
                *list = merged;
            }
            *last = list.last().copied().unwrap_or(0);
            if list.len() > COMMON {
                *holders = Holders::Common;
                self.common.insert(key);
            }
        }
    }

    fn add_one(&mut self, key: WordKey, t: u32) {
        let holders =
            self.words.entry(key).or_insert_with(|| Holders::Few { last: 0, list: smallvec::SmallVec::new() });
        let Holders::Few { last, list } = &mut *holders else { return };
        if list.is_empty() || *last < t {
            // Records of one panel arrive in handle order on a first read: appended.
            list.push(t);
            *last = t;
        } else {
            match list.binary_search(&t) {
                Ok(_) => return,
                Err(at) => list.insert(at, t),
            }
        }
        if list.len() > COMMON {
            *holders = Holders::Common;
            self.common.insert(key);
        }
    }

    /// The words that became common, for those that prepare records.
    pub fn common(&self) -> &Arc<CommonWords> {
        &self.common
    }

    pub fn remove(&mut self, (name, key): NameKey, kind: Kind, h: Handle) {
        let Some(t) = tagged(kind, h, name) else { return };
        if let Some(pending) = self.pending.as_mut().filter(|p| !p.is_empty()) {
            let noted = std::mem::take(pending);
            self.put(noted);
        }
        let Some(Holders::Few { last, list }) = self.words.get_mut(&key) else { return };
        if let Ok(at) = list.binary_search(&t) {
            list.remove(at);
        }
        *last = list.last().copied().unwrap_or(0);
        if list.is_empty() {
            self.words.remove(&key);
        }
    }

    /// The records of `other` (a party panel) that share words with a record whose names carry `keys`
    /// (each once, a name's together): see the module's comment. Sorted, each once.
    pub fn candidates(&self, keys: &[NameKey], other: Kind, out: &mut Vec<Handle>) {
        debug_assert!(self.pending.is_none(), "the word index is read while a first read fills it");
        if !matches!(other, Kind::Sanctions | Kind::Suppliers) {
            return;
        }
        let mut found = Vec::new();
        for name in keys.chunk_by(|a, b| a.0 == b.0) {
            let lists: smallvec::SmallVec<[&[u32]; 16]> = name
                .iter()
                .filter_map(|(_, k)| match self.words.get(k) {
                    Some(Holders::Few { list, .. }) => Some(list.as_slice()),
                    _ => None,
                })
                .collect();
            shared_by(&lists, other, &mut found);
        }
        found.sort_unstable();
        found.dedup();
        out.extend(found);
    }

    /// Every supplier that shares words with a sanctions record, each with those records by handle (as
    /// [`WordIndex::candidates`] finds them from the supplier's names), worked out from the index itself
    /// rather than from each supplier's names: for the rules after a first read, which ask of every
    /// supplier whether it is linked. In no order.
    pub fn suppliers_with_candidates(&self) -> Vec<(Handle, Vec<Handle>)> {
        debug_assert!(self.pending.is_none(), "the word index is read while a first read fills it");
        // Each supplier's name beside each of its words that some sanctions record carries too.
        let mut held: Vec<(u32, &[u32])> = Vec::new();
        for holders in self.words.values() {
            let Holders::Few { list, .. } = holders else { continue };
            let suppliers = of_panel(list, Kind::Suppliers);
            if suppliers.len() < list.len() {
                held.extend(suppliers.iter().map(|&t| (t, list.as_slice())));
            }
        }
        // A supplier's names together, each name's lists together (in any order: any finds the same).
        held.sort_unstable_by_key(|&(s, _)| s);
        let suppliers: Vec<&[(u32, &[u32])]> = held.chunk_by(|a, b| handle_of(a.0) == handle_of(b.0)).collect();
        let found = crate::parallel::on_every_core(&suppliers, |supplier| {
            let mut out = Vec::new();
            for name in supplier.chunk_by(|a, b| a.0 == b.0) {
                let lists: smallvec::SmallVec<[&[u32]; 16]> = name.iter().map(|&(_, l)| l).collect();
                shared_by(&lists, Kind::Sanctions, &mut out);
            }
            out.sort_unstable();
            out.dedup();
            (handle_of(supplier[0].0), out)
        });
        found.into_iter().filter(|(_, c)| !c.is_empty()).collect()
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
        let keys: Vec<NameKey> = keys.iter().map(|&k| (0, k)).collect();
        let mut out = Vec::new();
        index.candidates(&keys, Kind::Sanctions, &mut out);
        out
    }

    #[test]
    fn a_rare_word_finds_its_records_and_two_common_ones_find_those_with_both() {
        let mut index = WordIndex::default();
        // Word 1 on records 0..40, word 2 on records 20..60: neither rare; both on 20..40.
        for h in 0..40 {
            index.add((0, 1), Kind::Sanctions, h);
        }
        for h in 20..60 {
            index.add((0, 2), Kind::Sanctions, h);
        }
        index.add((0, 3), Kind::Sanctions, 99);
        assert_eq!(found(&index, &[1, 2]), (20..40).collect::<Vec<_>>());
        assert_eq!(found(&index, &[1, 2, 3]), [(20..40).collect::<Vec<_>>(), vec![99]].concat());
        // One word that is not rare finds nobody on its own; one that is rare does.
        assert!(found(&index, &[1]).is_empty());
        assert_eq!(found(&index, &[3]), vec![99]);
        // Rare counts the holders of both panels, so that a pair finds each other both ways.
        for h in 0..RARE as Handle {
            index.add((0, 4), Kind::Suppliers, h);
        }
        index.add((0, 4), Kind::Sanctions, 7);
        assert!(found(&index, &[4]).is_empty());
        let mut theirs = Vec::new();
        index.candidates(&[(0, 4)], Kind::Suppliers, &mut theirs);
        assert!(theirs.is_empty(), "the sanctions record does not find the suppliers either");
        // Suppliers do not find suppliers.
        let mut out = Vec::new();
        index.candidates(&[(0, 3)], Kind::Suppliers, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn the_suppliers_found_from_the_whole_index_have_the_candidates_their_own_words_find() {
        // Words of three sizes: rare, shared by dozens, common; each record's names (one or two) drawn
        // from them (a small generator, so that the test always sees the same index).
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut index = WordIndex::default();
        let mut suppliers: Vec<Vec<NameKey>> = Vec::new();
        for h in 0..20_000u32 {
            let name = |next: &mut dyn FnMut(u64) -> u64| {
                [1 + next(3) as WordKey, 10 + next(400) as WordKey, 1000 + next(5000) as WordKey]
            };
            let names = [name(&mut next), name(&mut next)];
            for (n, words) in names.iter().enumerate().take(1 + next(2) as usize) {
                for &w in &words[..1 + next(3) as usize] {
                    index.add((n as u8, w), Kind::Sanctions, h);
                }
            }
            if h % 5 == 0 {
                let mut mine: Vec<NameKey> = Vec::new();
                for (n, words) in names.iter().enumerate().take(1 + next(2) as usize) {
                    mine.extend(words.iter().map(|&w| (n as u8, w + (next(4) == 0) as WordKey)));
                }
                mine.sort_unstable();
                mine.dedup();
                for &k in &mine {
                    index.add(k, Kind::Suppliers, h / 5);
                }
                suppliers.push(mine);
            }
        }
        let found: FxHashMap<Handle, Vec<Handle>> = index.suppliers_with_candidates().into_iter().collect();
        let mut with = 0;
        for (h, keys) in suppliers.iter().enumerate() {
            let mut own = Vec::new();
            index.candidates(keys, Kind::Sanctions, &mut own);
            with += !own.is_empty() as usize;
            assert_eq!(found.get(&(h as Handle)).cloned().unwrap_or_default(), own, "supplier {h}");
        }
        assert!(with > 100 && with < suppliers.len(), "{with} of {} have candidates", suppliers.len());
        assert_eq!(found.len(), with);
    }

    #[test]
    fn two_words_are_shared_only_when_one_name_carries_both() {
        let mut index = WordIndex::default();
        // Words 1 and 2 on many records: neither rare. Record 0 has both in one name, record 1 one in each
        // of its two names.
        for h in 2..40 {
            index.add((0, 1), Kind::Sanctions, h);
            index.add((0, 2), Kind::Sanctions, h + 100);
        }
        index.add((0, 1), Kind::Sanctions, 0);
        index.add((0, 2), Kind::Sanctions, 0);
        index.add((0, 1), Kind::Sanctions, 1);
        index.add((1, 2), Kind::Sanctions, 1);
        assert_eq!(found(&index, &[1, 2]), vec![0]);
        // Nor from the other side: a supplier's two names with one word each find nobody.
        let mut out = Vec::new();
        index.candidates(&[(0, 1), (1, 2)], Kind::Sanctions, &mut out);
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn a_common_word_finds_nobody_and_removed_records_go() {
        let mut index = WordIndex::default();
        for h in 0..=COMMON as Handle {
            index.add((0, 7), Kind::Sanctions, h);
        }
        assert!(found(&index, &[7]).is_empty());
        assert!(index.common().contains(7) && !index.common().contains(8));
        index.add((0, 8), Kind::Sanctions, 5);
        index.add((0, 8), Kind::Sanctions, 3);
        assert_eq!(found(&index, &[8]), vec![3, 5]);
        index.remove((0, 8), Kind::Sanctions, 5);
        assert_eq!(found(&index, &[8]), vec![3]);
        index.remove((0, 8), Kind::Sanctions, 3);
        assert_eq!(index.len(), 1, "only the common word is left");
    }

    #[test]
    fn holders_noted_during_a_first_read_are_found_as_if_added_at_once() {
        let (mut direct, mut deferred) = (WordIndex::default(), WordIndex::default());
        deferred.defer();
        // Suppliers and sanctions records interleaved, one word common, more than a part's worth noted.
        let mut adds = Vec::new();
        for h in 0..(PENDING as Handle / 2 + 10) {
            adds.push((1 + h % 700, Kind::Sanctions, h));
            adds.push((1 + h % 700, Kind::Suppliers, h / 3));
            adds.push((5000, Kind::Sanctions, h));
        }
        for &(k, kind, h) in &adds {
            direct.add((0, k), kind, h);
            deferred.add((0, k), kind, h);
        }
        deferred.settle();
        assert_eq!(direct.len(), deferred.len());
        let holders = |index: &WordIndex, k| match index.words.get(&k) {
            Some(Holders::Few { last, list }) => {
                assert_eq!(list.last(), Some(last));
                Some(list.to_vec())
            }
            _ => None,
        };
        for k in [1, 2, 699, 700, 5000] {
            assert_eq!(holders(&direct, k), holders(&deferred, k), "word {k}");
        }
        assert!(holders(&direct, 1).is_some_and(|l| l.len() > 300 && l.is_sorted()));
        assert!(deferred.common().contains(5000) && !deferred.common().contains(1));
        // A supplier is found by its own handle.
        let mut index = WordIndex::default();
        index.add((0, 9), Kind::Suppliers, 42);
        let mut out = Vec::new();
        index.candidates(&[(0, 9)], Kind::Suppliers, &mut out);
        assert_eq!(out, vec![42]);
    }
}

//! One copy of each value that repeats across records (authorities, programmes, reasons, countries, ...),
//! numbered once and for all, shared by every thread.
//!
//! Reading is what every record does many times (a rule, a filter, a row), on every core at once: it takes
//! no lock. The copies are kept in segments that are never moved (the first holds 1,024, each next one
//! twice as many), each copy set once; numbers are handed out under a lock, which only a value not yet
//! seen on this thread takes.

use crate::model::record::Text;
use rustc_hash::FxHashMap;
use std::sync::{LazyLock, Mutex, OnceLock};

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

    /// Makes the copy numbered `n` (numbers are handed out in order, under [`NUMBERS`]).
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

static TABLE: Table = Table { segments: [const { OnceLock::new() }; SEGMENTS] };
/// The number of each shared value, and how many there are.
static NUMBERS: LazyLock<Mutex<FxHashMap<Text, u32>>> = LazyLock::new(Default::default);

thread_local! {
    /// This thread's view of [`NUMBERS`], so that packing seldom takes the lock.
    static KNOWN: std::cell::RefCell<FxHashMap<Text, u32>> = Default::default();
}

pub(super) fn table() -> &'static Table {
    &TABLE
}

/// The number of the shared copy of `t`, made on first sight (none once the table is full).
pub(super) fn shared(t: &str) -> Option<u32> {
    if let Some(n) = KNOWN.with(|k| k.borrow().get(t).copied()) {
        return Some(n);
    }
    let t = Text::from(t);
    let n = {
        let mut numbers = NUMBERS.lock().unwrap_or_else(|e| e.into_inner());
        match numbers.get(&*t) {
            Some(n) => *n,
            None => {
                let n = numbers.len();
                if n >= MAX_SHARED {
                    return None;
                }
                // Made before its number is handed out: whoever reads the number finds the copy.
                TABLE.set(n, t.clone());
                numbers.insert(t.clone(), n as u32);
                n as u32
            }
        }
    };
    KNOWN.with(|k| k.borrow_mut().insert(t.clone(), n));
    Some(n)
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
        let a = shared("watchfloor shared-table test value").expect("room");
        assert_eq!(shared("watchfloor shared-table test value"), Some(a));
        assert_eq!(table().get(a as usize).map(|t| &**t), Some("watchfloor shared-table test value"));
        assert!(table().get(MAX_SHARED + 5).is_none());
    }
}

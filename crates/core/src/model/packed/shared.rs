//! One copy of each value that repeats across records (authorities, programmes, reasons, countries, ...),
//! numbered once and for all, shared by every thread.

use crate::model::record::Text;
use rustc_hash::FxHashMap;
use std::sync::{LazyLock, Mutex, RwLock, RwLockReadGuard};

/// Shared copies of the values that repeat, at most this many (past that, values are written out).
const MAX_SHARED: usize = 262_144;

/// Every shared value, by number; numbers are handed out once and never change.
static TABLE: RwLock<Vec<Text>> = RwLock::new(Vec::new());
/// The number of each shared value.
static NUMBERS: LazyLock<Mutex<FxHashMap<Text, u32>>> = LazyLock::new(Default::default);

thread_local! {
    /// This thread's view of [`NUMBERS`], so that packing seldom takes the lock.
    static KNOWN: std::cell::RefCell<FxHashMap<Text, u32>> = Default::default();
}

pub(super) fn table() -> RwLockReadGuard<'static, Vec<Text>> {
    TABLE.read().unwrap_or_else(|e| e.into_inner())
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
                let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
                if table.len() >= MAX_SHARED {
                    return None;
                }
                let n = table.len() as u32;
                table.push(t.clone());
                numbers.insert(t.clone(), n);
                n
            }
        }
    };
    KNOWN.with(|k| k.borrow_mut().insert(t.clone(), n));
    Some(n)
}

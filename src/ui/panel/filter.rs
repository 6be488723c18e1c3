//! A panel's filter at any size: the rows it keeps are found a slice at a time between keys and frames (a
//! million records take a fraction of a second in all, but no key ever waits for more than one slice), and
//! kept up to date one record at a time as records arrive.

use rustc_hash::FxHashSet;
use watchfloor_core::model::packed::SharedTexts;
use watchfloor_core::model::store::{Panel, Place};
use watchfloor_core::model::subset::Subset;
use watchfloor_core::model::Packed;

/// Records looked at per slice: a few milliseconds.
pub const SLICE: usize = 10_000;

/// A filter still looking through its panel, newest first.
#[derive(Debug)]
pub struct FilterJob {
    /// Lower case.
    pub needle: String,
    /// Where the next slice starts: records below this place. `None` before the first slice.
    below: Option<Place>,
    /// Records put in the rows since the job started because they arrived (they are above the part looked
    /// at), so that the job does not put them in twice.
    arrived: FxHashSet<String>,
}

impl FilterJob {
    pub fn new(needle: String) -> Self {
        FilterJob { needle, below: None, arrived: FxHashSet::default() }
    }

    /// Looks at the next slice of `panel`, adding the records that match to `rows`. True when the whole
    /// panel has been looked at.
    pub fn step(&mut self, panel: &Panel, rows: &mut Subset) -> bool {
        let mut looked = 0;
        for (place, entry) in panel.below(self.below) {
            looked += 1;
            self.below = Some(place);
            let r = entry.current().packed();
            if matches(panel.texts(), r, &self.needle) && !self.arrived.contains(r.id()) {
                rows.put(panel, r.id());
            }
            if looked == SLICE {
                return false;
            }
        }
        true
    }

    /// Whether a record now at `place` lies in the part already looked at (records above the cursor).
    pub fn looked_at(&self, place: Place) -> bool {
        self.below.is_some_and(|b| place > b)
    }

    pub fn note_arrival(&mut self, id: &str) {
        self.arrived.insert(id.to_owned());
    }
}

/// Whether any of a record's fields (declared or not), or its id, contains `needle` (lower case).
pub fn matches(texts: &SharedTexts, r: &Packed, needle: &str) -> bool {
    r.any_text(texts, &mut |t| watchfloor_core::text::contains_ignore_case(t, needle))
}

/// Puts a record that changed in its place among filtered rows, or takes it out when it no longer matches.
/// (A record that is gone was taken out by [`Subset::forget_gone`].)
pub fn refresh(rows: &mut Subset, panel: &Panel, id: &str, needle: &str) {
    match panel.get(id) {
        Some(entry) if matches(panel.texts(), entry.current().packed(), needle) => rows.put(panel, id),
        _ => rows.remove(panel, id),
    }
}

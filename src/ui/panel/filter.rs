//! A panel's filter at any size: the rows it keeps are found a slice at a time between keys and frames (a
//! million records take a fraction of a second in all, but no key ever waits for more than one slice), and
//! kept up to date one record at a time as records arrive. What a filter says is a [`Query`] (words,
//! `field:value`, comparisons, `-word`, quotes, `/regex/`), read against what a row shows.

use rustc_hash::FxHashSet;
use watchfloor_core::engine::View;
use watchfloor_core::model::store::Place;
use watchfloor_core::model::subset::Subset;
use watchfloor_core::model::{Kind, Packed};
use watchfloor_core::present::query::Query;
use watchfloor_core::present::record_row::RecordRow;

/// Records looked at per slice at most: a few milliseconds when the stored fields settle the query.
pub const SLICE: usize = 10_000;

/// The longest a slice goes on (checked every [`CHECK_EVERY`] records): a query that has to work out
/// rows' links (a word found in no stored field, on suppliers) looks at fewer records a slice.
const BUDGET: std::time::Duration = std::time::Duration::from_millis(4);
const CHECK_EVERY: usize = 256;

/// A filter still looking through its panel, newest first.
#[derive(Debug)]
pub struct FilterJob {
    pub query: Query,
    /// Where the next slice starts: records below this place. `None` before the first slice.
    below: Option<Place>,
    /// Records put in the rows since the job started because they arrived (they are above the part looked
    /// at), so that the job does not put them in twice.
    arrived: FxHashSet<String>,
}

impl FilterJob {
    pub fn new(query: Query) -> Self {
        FilterJob { query, below: None, arrived: FxHashSet::default() }
    }

    /// Looks at the next slice of the `kind` panel, adding the records that match to `rows`. True when the
    /// whole panel has been looked at.
    pub fn step(&mut self, data: &View, kind: Kind, rows: &mut Subset) -> bool {
        let panel = data.store.panel(kind);
        let started = std::time::Instant::now();
        let mut looked = 0;
        for (place, entry) in panel.below(self.below) {
            looked += 1;
            self.below = Some(place);
            let r = entry.current().packed();
            if matches(data, kind, r, &self.query) && !self.arrived.contains(r.id()) {
                rows.put(panel, r.id());
            }
            if looked == SLICE || (looked % CHECK_EVERY == 0 && started.elapsed() >= BUDGET) {
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

/// Whether a record, as its row reads (stored fields, id, the cells shown), matches the query.
pub fn matches(data: &View, kind: Kind, r: &Packed, query: &Query) -> bool {
    query.matches(&RecordRow::new(data.store, data.links, kind, r, query.reads_flags()))
}

/// Puts a record that changed in its place among filtered rows, or takes it out when it no longer matches.
/// (A record that is gone was taken out by [`Subset::forget_gone`].)
pub fn refresh(rows: &mut Subset, data: &View, kind: Kind, id: &str, query: &Query) {
    let panel = data.store.panel(kind);
    match panel.get(id) {
        Some(entry) if matches(data, kind, entry.current().packed(), query) => rows.put(panel, id),
        _ => rows.remove(panel, id),
    }
}

/// Whether typing took the filter from `before` to `now` by narrowing it only (so the rows it kept need
/// only be looked at again): more of a word or of a `field:value`, or one more such term. Negations,
/// comparisons, quotes and regexes can widen as they are typed, so they are looked for again in full.
pub fn narrows(before: &str, now: &str) -> bool {
    let plain = |s: &str| !s.contains(['-', '/', '"', '<', '>', '=']);
    now.starts_with(before)
        && plain(before)
        && plain(now)
        && before.matches(':').count() == now.matches(':').count()
        && !before.ends_with(':')
}

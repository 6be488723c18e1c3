//! What is new since the analyst last acknowledged it, worked out after a load a slice at a time (every
//! record's fingerprint against the state folder's: most of a second at a million, which no key and no
//! new line should wait for). On the first run what is there is taken as acknowledged instead.

use super::panel::{Mark, PanelView};
use watchfloor_core::model::seen::{Seen, Unseen};
use watchfloor_core::model::store::Place;
use watchfloor_core::model::{Kind, Packed, Store};

/// Records looked at per slice (their fingerprints are worked out on every core).
#[cfg(not(test))]
const SLICE: usize = 20_000;
#[cfg(test)]
const SLICE: usize = 1_000;

/// Where the job is: the panel (in `Kind::ALL` order), and the place below which it goes on.
#[derive(Debug)]
pub struct MarksJob {
    panel: usize,
    below: Option<Place>,
    /// Nothing was remembered: everything is acknowledged rather than marked.
    pub fresh: bool,
}

impl MarksJob {
    pub fn new(fresh: bool) -> Self {
        MarksJob { panel: 0, below: None, fresh }
    }

    /// One slice: true when the job is done (then, on a first run, what was acknowledged is to be saved).
    pub fn step(&mut self, store: &Store, seen: &mut Seen, panels: &mut [PanelView; 4]) -> bool {
        let Some(&kind) = Kind::ALL.get(self.panel) else { return true };
        let mut records: Vec<&Packed> = Vec::with_capacity(SLICE);
        for (place, entry) in store.panel(kind).below(self.below).take(SLICE) {
            self.below = Some(place);
            records.push(entry.current().packed());
        }
        if records.len() < SLICE {
            self.panel += 1;
            self.below = None;
        }
        if self.fresh {
            seen.acknowledge_all(store.texts(), &records);
            return false;
        }
        for (r, status) in records.iter().zip(seen.statuses(store.texts(), &records)) {
            if let Some(status) = status {
                let mark = if status == Unseen::New { Mark::New } else { Mark::Updated };
                panels[kind.index()].marks.entry(r.id().to_string()).or_insert(mark);
            }
        }
        false
    }
}

//! One panel as a component: its rows (all of the store's panel, or what a filter kept), the selection,
//! the scroll position, the marks and the trend; how keys, arrivals and a filter change them
//! (`mod.rs`); how it is drawn from `&self` (`draw.rs`).

pub mod columns;
pub mod draw;
pub mod filter;

use crate::ui::keys::Action;
use std::collections::HashMap;
use watchfloor_core::engine::View;
use watchfloor_core::model::store::Panel;
use watchfloor_core::model::subset::Subset;
use watchfloor_core::model::{Entry, Kind};
use watchfloor_core::present::query::Query;

/// How a record is marked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// First seen since start.
    New,
    /// Known at start, changed since.
    Updated,
}

/// The rows a panel shows, newest first.
#[derive(Debug, Default)]
pub enum Rows {
    /// Every record of the store's panel, in the order the store keeps (nothing copied, however many).
    #[default]
    All,
    /// The records a filter kept, or what was shown when the view was paused: in the panel's order, with
    /// ranks (a key, an arrival and a frame cost the same under a broad filter as without one).
    These(Subset),
}

/// Days in a panel's trend.
pub const TREND_DAYS: usize = 30;

/// One panel's view: its rows, the selection, the scroll position, the marks.
#[derive(Debug, Default)]
pub struct PanelView {
    pub rows: Rows,
    /// How many rows.
    pub len: usize,
    /// Index into the rows.
    pub selected: usize,
    /// The id of the selected row, as of the last [`PanelView::note_selection`].
    sel: Option<String>,
    /// The filter the rows were chosen by, as typed.
    filtered_by: Option<String>,
    /// That filter, read (the draw highlights what it finds).
    pub query: Query,
    /// The filter, while it is still looking through the panel.
    pub job: Option<filter::FilterJob>,
    /// The first row shown.
    pub offset: usize,
    pub marks: HashMap<String, Mark>,
    /// Rows shown only when they match this query ([`Query`]); empty shows all.
    pub filter: String,
    /// How many records the panel holds, filtered or not.
    pub total: usize,
    /// Records per day over the 30 days up to the newest record (oldest day first), and that last day.
    pub trend: Vec<u32>,
    pub trend_end: Option<chrono::NaiveDate>,
    /// Records at each level (low, medium, high, critical): risk for suppliers, severity for shortages.
    pub levels: [usize; 4],
}

impl PanelView {
    pub fn selected_id(&self) -> Option<&str> {
        self.sel.as_deref()
    }

    /// Whether rows are chosen by a filter (arrivals are then looked at one by one).
    pub fn is_filtered(&self) -> bool {
        self.filtered_by.is_some()
    }

    /// The rows from the `from`-th, newest first.
    pub fn entries<'a>(&'a self, panel: &'a Panel, from: usize) -> Box<dyn Iterator<Item = &'a Entry> + 'a> {
        match &self.rows {
            Rows::All => Box::new(panel.newest_from(from)),
            Rows::These(rows) => Box::new(rows.entries(panel, from)),
        }
    }

    /// The id of the `i`-th row.
    pub fn id_at<'a>(&'a self, panel: &'a Panel, i: usize) -> Option<&'a str> {
        match &self.rows {
            Rows::All => panel.newest(i).map(|e| e.current().packed().id()),
            Rows::These(rows) => rows.id_at(panel, i),
        }
    }

    /// Which row shows a record.
    pub fn position(&self, panel: &Panel, id: &str) -> Option<usize> {
        match &self.rows {
            Rows::All => panel.position(id),
            Rows::These(rows) => rows.position(panel, id),
        }
    }

    /// Selects the nearest marked record below the selection (`forward`) or above it, going round from
    /// the other end when there is none that way. False when no row is marked. The marked records' rows
    /// are found by rank, not by walking the panel: as fast on the oldest row of a million.
    pub fn next_marked(&mut self, panel: &Panel, forward: bool) -> bool {
        let cur = self.selected;
        let rows: Vec<usize> = self.marks.keys().filter_map(|id| self.position(panel, id)).collect();
        let ahead = |p: usize| if forward { p > cur } else { p < cur };
        let next = match forward {
            true => rows.iter().copied().filter(|&p| ahead(p)).min().or_else(|| rows.iter().copied().min()),
            false => rows.iter().copied().filter(|&p| ahead(p)).max().or_else(|| rows.iter().copied().max()),
        };
        let Some(row) = next else { return false };
        self.selected = row;
        self.sel = self.id_at(panel, row).map(str::to_owned);
        true
    }

    /// Every row's id (for tests and small panels).
    pub fn ids(&self, panel: &Panel) -> Vec<String> {
        self.entries(panel, 0).map(|e| e.current().packed().id().to_string()).collect()
    }

    /// A key for the panel: moving the selection (`page` rows a page). False when it is not the panel's.
    pub fn key(&mut self, action: Action, page: usize) -> bool {
        let page = page.max(1) as isize;
        match action {
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-page),
            Action::PageDown => self.move_by(page),
            Action::Top => self.selected = 0,
            Action::Bottom => self.selected = self.len.saturating_sub(1),
            _ => return false,
        }
        true
    }

    /// A click on the `row`-th row shown.
    pub fn click(&mut self, row: usize) {
        let i = self.offset + row;
        if i < self.len {
            self.selected = i;
        }
    }

    /// Selects a record, if it is among the rows.
    pub fn select(&mut self, panel: &Panel, id: &str) {
        if let Some(i) = self.position(panel, id) {
            self.selected = i;
        }
    }

    /// Notes which record the selection is on, after keys moved it.
    pub fn note_selection(&mut self, panel: &Panel) {
        let id = self.id_at(panel, self.selected);
        if self.sel.as_deref() != id {
            self.sel = id.map(str::to_owned);
        }
    }

    /// What is shown stops moving: the rows as they are now are kept while paused.
    pub fn hold(&mut self, panel: &Panel) {
        if matches!(self.rows, Rows::All) {
            self.rows = Rows::These(Subset::of_all(panel));
        }
    }

    /// Keeps the selection inside the `height` rows shown, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = self.offset_for(height);
    }

    /// The first row to show in `height` rows so that the selection is among them, as near the current
    /// scroll position as can be.
    pub fn offset_for(&self, height: usize) -> usize {
        let height = height.max(1);
        let mut offset = self.offset;
        if self.selected < offset {
            offset = self.selected;
        } else if self.selected >= offset + height {
            offset = self.selected + 1 - height;
        }
        offset.min(self.len.saturating_sub(height))
    }

    /// Typing into the filter: back to the top; the rows are chosen again by [`PanelView::reorder`].
    pub fn edit_filter(&mut self, edit: impl FnOnce(&mut String)) {
        edit(&mut self.filter);
        self.selected = 0;
        self.offset = 0;
    }

    /// Rebuilds the rows. On the first row, the panel follows the newest record, like `tail -f`; anywhere
    /// else the selection stays on its record. The first row shown stays, so rows that arrive at the top
    /// are seen; the selection is scrolled into view only if it would leave the view.
    pub fn reorder(&mut self, data: &View, kind: Kind) {
        let panel = data.store.panel(kind);
        let following = self.selected == 0 && self.offset == 0;
        let keep = self.sel.take();
        self.total = panel.len();
        self.trends(panel);
        if self.filter.is_empty() {
            self.rows = Rows::All;
            self.len = panel.len();
            self.filtered_by = None;
            self.query = Query::default();
            self.job = None;
        } else {
            let query = Query::parse(&self.filter);
            // Typing one more character narrows what the filter kept: when that is not many rows, only
            // they are looked at again, at once. Otherwise the panel is looked through a slice at a time
            // (PanelView::step), the rows filling in newest first.
            let narrowed = match (&self.rows, &self.filtered_by, &self.job) {
                (Rows::These(rows), Some(before), None)
                    if filter::narrows(before, &self.filter) && rows.len() <= filter::SLICE =>
                {
                    let mut kept = Subset::default();
                    for e in rows.entries(panel, 0) {
                        if filter::matches(data, kind, e.current().packed(), &query) {
                            kept.put(panel, e.current().packed().id());
                        }
                    }
                    Some(kept)
                }
                _ => None,
            };
            match narrowed {
                Some(rows) => {
                    self.job = None;
                    self.rows = Rows::These(rows);
                }
                None => {
                    let mut job = filter::FilterJob::new(query.clone());
                    let mut rows = Subset::default();
                    // The first slice at once: the newest matches are on screen with the keystroke.
                    let done = job.step(data, kind, &mut rows);
                    self.job = (!done).then_some(job);
                    self.rows = Rows::These(rows);
                }
            }
            self.len = match &self.rows {
                Rows::These(rows) => rows.len(),
                Rows::All => panel.len(),
            };
            self.filtered_by = Some(self.filter.clone());
            self.query = query;
        }
        self.reselect(panel, following, keep);
    }

    /// Keeps filtered rows up to date with the records that changed, one at a time.
    pub fn refresh(&mut self, data: &View, kind: Kind, ids: &[&str]) {
        let panel = data.store.panel(kind);
        let (Some(_), Rows::These(rows)) = (&self.filtered_by, &mut self.rows) else { return };
        let query = &self.query;
        let keep = self.sel.clone();
        let following = self.selected == 0 && self.offset == 0;
        for id in ids {
            match (&mut self.job, panel.place_of(id)) {
                // Not looked at yet: the job will find it where it is now.
                (Some(job), Some(place)) if !job.looked_at(place) => rows.remove(panel, id),
                (Some(job), _) => {
                    job.note_arrival(id);
                    filter::refresh(rows, data, kind, id, query);
                }
                (None, _) => filter::refresh(rows, data, kind, id, query),
            }
        }
        self.len = rows.len();
        self.total = panel.len();
        self.trends(panel);
        self.reselect(panel, following, keep);
    }

    /// Records gone from the store (retention): their marks and rows go too.
    pub fn forget<'a>(&mut self, panel: &Panel, ids: impl IntoIterator<Item = &'a String>) {
        for id in ids {
            self.marks.remove(id);
        }
        if let Rows::These(rows) = &mut self.rows {
            rows.forget_gone(panel);
        }
    }

    /// One slice of a filter still looking through the panel: true when there was one.
    pub fn step(&mut self, data: &View, kind: Kind) -> bool {
        let (Some(job), Rows::These(rows)) = (&mut self.job, &mut self.rows) else { return false };
        if job.step(data, kind, rows) {
            self.job = None;
        }
        self.len = rows.len();
        true
    }

    /// After the rows changed: back to the top when the view was following the newest, else the row the
    /// selected record is now on.
    fn reselect(&mut self, panel: &Panel, following: bool, keep: Option<String>) {
        if following {
            self.selected = 0;
        } else if let Some(i) = keep.and_then(|id| self.position(panel, &id)) {
            self.selected = i;
        }
        self.selected = self.selected.min(self.len.saturating_sub(1));
        self.sel = self.id_at(panel, self.selected).map(str::to_owned);
    }

    /// Moves the selection by `delta` rows, within bounds.
    fn move_by(&mut self, delta: isize) {
        if self.len == 0 {
            return;
        }
        let last = self.len - 1;
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// Records per day over the 30 days up to the newest one, and counts by level.
    fn trends(&mut self, panel: &Panel) {
        self.trend = vec![0; TREND_DAYS];
        self.levels = panel.levels();
        self.trend_end = panel.newest_time().map(|t| t.date_naive());
        let Some(end) = self.trend_end else { return };
        let start = end - chrono::Days::new(TREND_DAYS as u64 - 1);
        // The store counts records per day as they arrive: 30 numbers to read, however many records.
        for (day, n) in panel.per_day(start, end) {
            let age = (end - day).num_days();
            if (0..TREND_DAYS as i64).contains(&age) {
                self.trend[TREND_DAYS - 1 - age as usize] = n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_stays_within_the_rows_and_scrolling_follows() {
        let mut view = PanelView { len: 30, ..Default::default() };
        assert!(view.key(Action::Up, 10));
        assert_eq!(view.selected, 0);
        view.key(Action::PageDown, 10);
        assert_eq!(view.selected, 10);
        view.key(Action::Bottom, 10);
        assert_eq!(view.selected, 29);
        view.key(Action::Down, 10);
        assert_eq!(view.selected, 29);
        view.key(Action::Top, 10);
        assert_eq!(view.selected, 0);
        assert!(!view.key(Action::Open, 10), "not the panel's key");
        view.selected = 25;
        view.scroll_into_view(10);
        assert_eq!(view.offset, 16);
        view.click(3);
        assert_eq!(view.selected, 19);
        view.click(20);
        assert_eq!(view.selected, 19, "a click below the last row selects nothing");
    }
}

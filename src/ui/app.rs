//! The dashboard's state and how it changes: actions from keys, changes from the engine. No terminal here:
//! tests drive it directly and render it to a test backend.

use super::keys::{Action, Context};
use chrono::NaiveDateTime;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use watchfloor_core::engine::Change;
use watchfloor_core::model::seen::{Seen, Unseen};
use watchfloor_core::model::store::Panel;
use watchfloor_core::model::subset::Subset;
use watchfloor_core::model::{Entry, Kind, Store};

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

/// One panel's view: its rows, the selection, the scroll position, the marks.
#[derive(Debug, Default)]
pub struct PanelView {
    pub rows: Rows,
    /// How many rows.
    pub len: usize,
    /// Index into the rows.
    pub selected: usize,
    /// The id of the selected row, as of the last [`App::sync`].
    sel: Option<String>,
    /// The filter the rows were chosen by.
    filtered_by: Option<String>,
    /// The filter, while it is still looking through the panel.
    pub job: Option<super::filter::FilterJob>,
    /// The first row shown.
    pub offset: usize,
    pub marks: HashMap<String, Mark>,
    /// Rows shown only when they contain this (case-insensitive); empty shows all.
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

    /// Every row's id (for tests and small panels).
    pub fn ids(&self, panel: &Panel) -> Vec<String> {
        self.entries(panel, 0).map(|e| e.current().packed().id().to_string()).collect()
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

    /// Keeps the selection inside the `height` rows shown, scrolling as little as possible.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + height {
            self.offset = self.selected + 1 - height;
        }
        let max_offset = self.len.saturating_sub(height);
        self.offset = self.offset.min(max_offset);
    }
}

/// A window over the panels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    /// A record's details; `link` is the selected linked record among `targets` (filled in when drawn).
    Detail {
        kind: Kind,
        id: String,
        scroll: u16,
        link: usize,
        targets: Vec<(Kind, String)>,
    },
    Errors {
        scroll: u16,
    },
    Alerts {
        scroll: u16,
    },
    Help {
        scroll: u16,
    },
}

/// How one feed file is doing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedHealth {
    pub missing: bool,
    pub errors: u64,
    /// When a record from it last arrived (since start).
    pub last_change: Option<NaiveDateTime>,
}

pub struct App {
    pub focus: Kind,
    pub zoom: bool,
    pub overlay: Option<Overlay>,
    pub panels: [PanelView; 4],
    pub feeds: BTreeMap<Arc<PathBuf>, FeedHealth>,
    pub mouse: bool,
    pub quit: bool,
    /// The clock, to the minute, as last told.
    pub now: NaiveDateTime,
    /// Rows a page holds in the focused panel, as last drawn (for PgUp/PgDn).
    pub page: usize,
    /// Set when something on screen changed; cleared by drawing.
    pub dirty: bool,
    /// Ask the terminal for a full redraw (Ctrl-L).
    pub full_redraw: bool,
    /// Alerts raised since the alert list was last opened.
    pub unseen_alerts: usize,
    /// Ring the terminal bell at the next frame.
    pub bell: bool,
    /// What the analyst has acknowledged, across restarts.
    pub seen: Seen,
    /// Panels to acknowledge (`None`: all), done by [`App::settle`] where the store is at hand.
    pending_ack: Vec<Option<Kind>>,
    /// A message for the analyst that is not about a feed (a damaged state file, ...).
    pub notice: Option<String>,
    /// A short confirmation in the footer until the next key (a copy, ...).
    pub flash: Option<String>,
    /// Typing goes into the focused panel's filter.
    pub editing_filter: bool,
    /// Live updates of the view are paused; record changes wait in `held`.
    pub paused: bool,
    held: Vec<Change>,
    /// Panels whose rows must be recomputed (a filter changed), done by [`App::settle`].
    refilter: Vec<Kind>,
    resume: bool,
    copy: bool,
    /// Text to put on the clipboard (OSC 52), taken by the event loop.
    pub clipboard: Option<String>,
    /// The feeds are being read for the first time.
    pub loading: bool,
    /// A record to select once the store is at hand (see [`App::sync`]).
    jump_to: Option<(Kind, String)>,
    /// Marks of what is new since last acknowledged, still being worked out after a load.
    marks_job: Option<MarksJob>,
}

/// Records looked at per slice of the marks job (their fingerprints are worked out on every core).
#[cfg(not(test))]
const MARK_SLICE: usize = 20_000;
#[cfg(test)]
const MARK_SLICE: usize = 1_000;

/// Where the marks job is: the panel (in `Kind::ALL` order), and the place below which it goes on.
#[derive(Debug)]
struct MarksJob {
    panel: usize,
    below: Option<watchfloor_core::model::store::Place>,
    fresh: bool,
}

impl App {
    pub fn new(now: NaiveDateTime, mouse: bool) -> Self {
        App {
            focus: Kind::Sanctions,
            zoom: false,
            overlay: None,
            panels: Default::default(),
            feeds: BTreeMap::new(),
            mouse,
            quit: false,
            now,
            page: 10,
            dirty: true,
            full_redraw: false,
            unseen_alerts: 0,
            bell: false,
            seen: Seen::default(),
            pending_ack: Vec::new(),
            notice: None,
            flash: None,
            editing_filter: false,
            paused: false,
            held: Vec::new(),
            refilter: Vec::new(),
            resume: false,
            copy: false,
            clipboard: None,
            loading: false,
            jump_to: None,
            marks_job: None,
        }
    }

    pub fn panel(&self, kind: Kind) -> &PanelView {
        &self.panels[kind.index()]
    }

    pub fn panel_mut(&mut self, kind: Kind) -> &mut PanelView {
        &mut self.panels[kind.index()]
    }

    /// Where keys go now.
    pub fn context(&self) -> Context {
        if self.editing_filter {
            return Context::Filter;
        }
        match self.overlay {
            Some(Overlay::Detail { .. }) => Context::Detail,
            Some(_) => Context::Overlay,
            None => Context::Panels,
        }
    }

    /// Records marked new or updated, across panels.
    pub fn new_count(&self) -> usize {
        self.panels.iter().map(|p| p.marks.len()).sum()
    }

    /// Records that arrived while the view is paused.
    pub fn held_count(&self) -> usize {
        self.held.len()
    }

    /// Takes in what the engine saw; records that are news are marked. While paused, record changes wait.
    pub fn apply(&mut self, changes: &[Change], store: &Store) {
        let mut touched = [false; 4];
        // The records that changed, for panels that show what a filter keeps.
        let mut changed: [Vec<&str>; 4] = Default::default();
        for c in changes {
            if self.paused && matches!(c, Change::RecordAdded { .. } | Change::RecordUpdated { .. }) {
                self.held.push(c.clone());
                self.dirty = true;
                continue;
            }
            match c {
                Change::RecordAdded { kind, id, origin, news }
                | Change::RecordUpdated { kind, id, origin, news, .. } => {
                    touched[kind.index()] = true;
                    if self.panels[kind.index()].filtered_by.is_some() {
                        changed[kind.index()].push(id);
                    }
                    if !self.feeds.contains_key(origin.file) {
                        self.feeds.insert(Arc::new(origin.file.clone()), FeedHealth::default());
                    }
                    let Some(health) = self.feeds.get_mut(origin.file) else { continue };
                    health.missing = false;
                    if *news {
                        health.last_change = Some(self.now);
                        let mark = if matches!(c, Change::RecordAdded { .. }) { Mark::New } else { Mark::Updated };
                        let marks = &mut self.panels[kind.index()].marks;
                        // A record that arrived since start stays "new" when it is updated again.
                        marks.entry(id.to_string()).or_insert(mark);
                    }
                }
                Change::Read { kind, file, .. } => {
                    touched[kind.index()] = true;
                    self.feeds.entry(file.clone()).or_default().missing = false;
                }
                Change::FeedError(e) => self.feeds.entry(e.file.clone()).or_default().errors += 1,
                Change::FeedMissing { file } | Change::FileVanished { file } => {
                    self.feeds.entry(file.clone()).or_default().missing = true
                }
                Change::FileAppeared { file } | Change::FileTruncated { file } | Change::FileReplaced { file } => {
                    self.feeds.entry(file.clone()).or_default().missing = false
                }
                Change::Evicted { kind, ids } => {
                    touched[kind.index()] = true;
                    let view = &mut self.panels[kind.index()];
                    for id in ids {
                        view.marks.remove(id);
                    }
                    if let Rows::These(rows) = &mut view.rows {
                        rows.forget_gone(store.panel(*kind));
                    }
                }
                Change::Alert(a) => {
                    self.unseen_alerts += 1;
                    self.bell |= a.bell;
                }
            }
        }
        for &kind in Kind::ALL {
            let i = kind.index();
            if !touched[i] {
                continue;
            }
            if self.panels[i].filtered_by.is_some() {
                self.refresh_filtered(kind, &changed[i], store);
            } else {
                self.reorder(kind, store);
            }
        }
        if !changes.is_empty() {
            self.dirty = true;
        }
    }

    /// After the first load: marks what changed since the analyst last acknowledged it. With nothing
    /// remembered (the first run), what is there now is taken as acknowledged. The records are looked at a
    /// slice at a time by [`App::work`], newest first, between keys and arrivals: at a million records
    /// that takes most of a second, which no key and no new line should wait for.
    pub fn init_marks(&mut self, store: &Store) {
        if let Some(problem) = self.seen.problem.take() {
            tracing::warn!("{problem}");
            self.notice = Some(problem);
        }
        if self.seen.is_fresh() {
            self.seen.reserve(store.len());
        }
        self.marks_job = Some(MarksJob { panel: 0, below: None, fresh: self.seen.is_fresh() });
        self.dirty = true;
    }

    /// One slice of the marks job: true when it is done.
    fn mark_slice(&mut self, store: &Store) -> bool {
        let Some(job) = self.marks_job.as_mut() else { return true };
        let Some(&kind) = Kind::ALL.get(job.panel) else {
            if job.fresh {
                self.save_seen();
            }
            return true;
        };
        let mut records: Vec<&watchfloor_core::model::Packed> = Vec::with_capacity(MARK_SLICE);
        for (place, entry) in store.panel(kind).below(job.below).take(MARK_SLICE) {
            job.below = Some(place);
            records.push(entry.current().packed());
        }
        if records.len() < MARK_SLICE {
            job.panel += 1;
            job.below = None;
        }
        if job.fresh {
            self.seen.acknowledge_all(&records);
            return false;
        }
        for (r, status) in records.iter().zip(self.seen.statuses(&records)) {
            if let Some(status) = status {
                let mark = if status == Unseen::New { Mark::New } else { Mark::Updated };
                self.panels[kind.index()].marks.entry(r.id().to_string()).or_insert(mark);
            }
        }
        self.dirty = true;
        false
    }

    /// Carries out what needs the store: acknowledgements.
    pub fn settle(&mut self, store: &Store, links: &watchfloor_core::model::links::Links) {
        if let Some(e) = self.seen.save_problem() {
            self.notice = Some(e);
            self.dirty = true;
        }
        if std::mem::take(&mut self.resume) {
            let held = std::mem::take(&mut self.held);
            for &kind in Kind::ALL {
                self.panels[kind.index()].rows = Rows::All;
            }
            self.apply(&held, store);
            self.reorder_all(store);
        }
        self.sync(store);
        for kind in std::mem::take(&mut self.refilter) {
            self.reorder(kind, store);
            self.dirty = true;
        }
        if std::mem::take(&mut self.copy) {
            let target = match &self.overlay {
                Some(Overlay::Detail { kind, id, .. }) => Some((*kind, id.clone())),
                _ => self.panel(self.focus).selected_id().map(|id| (self.focus, id.to_owned())),
            };
            if let Some(((kind, id), entry)) =
                target.and_then(|(k, id)| store.panel(k).get(&id).map(|e| ((k, id.clone()), e)))
            {
                let json = watchfloor_core::present::json::record(entry, &links.info(store, kind, &id));
                let text = serde_json::to_string_pretty(&json).unwrap_or_default();
                self.flash = Some(format!("copied {kind} {id} as JSON ({} bytes) to the clipboard", text.len()));
                self.clipboard = Some(text);
                self.dirty = true;
            }
        }
        let pending = std::mem::take(&mut self.pending_ack);
        if pending.is_empty() {
            return;
        }
        for which in pending {
            let kinds: Vec<Kind> = match which {
                Some(k) => vec![k],
                None => Kind::ALL.to_vec(),
            };
            for kind in kinds {
                let marks = std::mem::take(&mut self.panels[kind.index()].marks);
                for id in marks.keys() {
                    if let Some(entry) = store.panel(kind).get(id) {
                        self.seen.acknowledge(entry.current().packed());
                    }
                }
            }
        }
        self.save_seen();
        self.dirty = true;
    }

    fn save_seen(&mut self) {
        if let Err(e) = self.seen.save_in_background() {
            self.notice = Some(e);
        }
    }

    /// Waits for what was acknowledged to be written (before the process ends).
    pub fn finish_saving(&mut self) {
        if let Err(e) = self.seen.wait_for_save() {
            tracing::warn!("{e}");
        }
    }

    /// Makes sure every configured feed file has a health line, even before anything happened to it.
    pub fn know_feeds<'a>(&mut self, files: impl Iterator<Item = &'a std::path::Path>) {
        for f in files {
            self.feeds.entry(Arc::new(f.to_path_buf())).or_default();
        }
    }

    /// Rebuilds a panel's order. On the first row, the panel follows the newest record, like `tail -f`;
    /// anywhere else the selection stays on its record. The first row shown stays, so rows that arrive at
    /// the top are seen; drawing scrolls only if the selection would leave the view.
    fn reorder(&mut self, kind: Kind, store: &Store) {
        let view = &mut self.panels[kind.index()];
        let panel = store.panel(kind);
        let following = view.selected == 0 && view.offset == 0;
        let keep = view.sel.take();
        view.total = panel.len();
        trends(view, panel);
        if view.filter.is_empty() {
            view.rows = Rows::All;
            view.len = panel.len();
            view.filtered_by = None;
            view.job = None;
        } else {
            let needle = view.filter.to_lowercase();
            // Typing one more character narrows what the filter kept: when that is not many rows, only
            // they are looked at again, at once. Otherwise the panel is looked through a slice at a time
            // (App::work), the rows filling in newest first.
            let narrowed = match (&view.rows, &view.filtered_by, &view.job) {
                (Rows::These(rows), Some(before), None)
                    if needle.contains(before.as_str()) && rows.len() <= super::filter::SLICE =>
                {
                    let mut kept = Subset::default();
                    for e in rows.entries(panel, 0) {
                        if super::filter::matches(e.current().packed(), &needle) {
                            kept.put(panel, e.current().packed().id());
                        }
                    }
                    Some(kept)
                }
                _ => None,
            };
            match narrowed {
                Some(rows) => {
                    view.job = None;
                    view.rows = Rows::These(rows);
                }
                None => {
                    let mut job = super::filter::FilterJob::new(needle.clone());
                    let mut rows = Subset::default();
                    // The first slice at once: the newest matches are on screen with the keystroke.
                    let done = job.step(panel, &mut rows);
                    view.job = (!done).then_some(job);
                    view.rows = Rows::These(rows);
                }
            }
            view.len = match &view.rows {
                Rows::These(rows) => rows.len(),
                Rows::All => panel.len(),
            };
            view.filtered_by = Some(needle);
        }
        view.reselect(panel, following, keep);
    }

    /// Keeps a filtered panel's rows up to date with the records that changed, one at a time.
    fn refresh_filtered(&mut self, kind: Kind, ids: &[&str], store: &Store) {
        let view = &mut self.panels[kind.index()];
        let panel = store.panel(kind);
        let (Some(needle), Rows::These(rows)) = (&view.filtered_by, &mut view.rows) else { return };
        let keep = view.sel.clone();
        let following = view.selected == 0 && view.offset == 0;
        for id in ids {
            match (&mut view.job, panel.place_of(id)) {
                // Not looked at yet: the job will find it where it is now.
                (Some(job), Some(place)) if !job.looked_at(place) => rows.remove(panel, id),
                (Some(job), _) => {
                    job.note_arrival(id);
                    super::filter::refresh(rows, panel, id, needle);
                }
                (None, _) => super::filter::refresh(rows, panel, id, needle),
            }
        }
        view.len = rows.len();
        view.total = panel.len();
        trends(view, panel);
        view.reselect(panel, following, keep);
        self.dirty = true;
    }

    /// On the first run what the feeds hold is taken as acknowledged, a slice at a time after the first
    /// frame: an analyst who quits before that is done still has it remembered.
    pub fn finish_first_acknowledgement(&mut self, store: &Store) {
        if self.marks_job.as_ref().is_some_and(|j| j.fresh) {
            while !self.mark_slice(store) {}
            self.marks_job = None;
        }
    }

    /// Whether a filter is still looking through its panel.
    pub fn has_work(&self) -> bool {
        self.marks_job.is_some() || self.panels.iter().any(|v| v.job.is_some())
    }

    /// One slice of every filter still looking through its panel, and of the marks still being worked out.
    pub fn work(&mut self, store: &Store) {
        if self.marks_job.is_some() && self.mark_slice(store) {
            self.marks_job = None;
        }
        for &kind in Kind::ALL {
            let view = &mut self.panels[kind.index()];
            let (Some(job), Rows::These(rows)) = (&mut view.job, &mut view.rows) else { continue };
            if job.step(store.panel(kind), rows) {
                view.job = None;
            }
            view.len = rows.len();
            self.dirty = true;
        }
    }

    /// Brings what depends on the store up to date after keys moved the selection: the selected record,
    /// a record to jump to, what a pause holds still.
    pub fn sync(&mut self, store: &Store) {
        if let Some((kind, id)) = self.jump_to.take() {
            let view = &mut self.panels[kind.index()];
            if let Some(i) = view.position(store.panel(kind), &id) {
                view.selected = i;
            }
        }
        if self.paused {
            for &kind in Kind::ALL {
                let view = &mut self.panels[kind.index()];
                if matches!(view.rows, Rows::All) {
                    view.rows = Rows::These(Subset::of_all(store.panel(kind)));
                }
            }
        }
        for &kind in Kind::ALL {
            let view = &mut self.panels[kind.index()];
            let id = view.id_at(store.panel(kind), view.selected);
            if view.sel.as_deref() != id {
                view.sel = id.map(str::to_owned);
            }
        }
    }

    /// Recomputes every panel's rows (after the configuration changed what is shown).
    pub fn reorder_all(&mut self, store: &Store) {
        for &kind in Kind::ALL {
            self.reorder(kind, store);
        }
    }

    /// Sets the clock; marks the screen dirty when the minute shown changes.
    pub fn tick(&mut self, now: NaiveDateTime) {
        if now.format("%H:%M").to_string() != self.now.format("%H:%M").to_string() {
            self.dirty = true;
        }
        self.now = now;
    }

    /// Does what the analyst asked.
    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        let page = self.page.max(1) as isize;
        if let Some(Overlay::Detail { link, targets, .. }) = self.overlay.as_mut() {
            let n = targets.len().max(1);
            match action {
                Action::NextPanel => return *link = (*link + 1) % n,
                Action::PrevPanel => return *link = (*link + n - 1) % n,
                Action::Open => {
                    if let Some((kind, id)) = targets.get(*link).cloned() {
                        self.jump(kind, &id);
                    }
                    return;
                }
                _ => {}
            }
        }
        if let Some(overlay) = self.overlay.as_mut() {
            let scroll = match overlay {
                Overlay::Detail { scroll, .. }
                | Overlay::Errors { scroll }
                | Overlay::Alerts { scroll }
                | Overlay::Help { scroll } => scroll,
            };
            match action {
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::Down => *scroll = scroll.saturating_add(1),
                Action::PageUp => *scroll = scroll.saturating_sub(page as u16),
                Action::PageDown => *scroll = scroll.saturating_add(page as u16),
                Action::Top => *scroll = 0,
                Action::Bottom => *scroll = u16::MAX,
                Action::Close => self.overlay = None,
                Action::Errors => self.overlay = Some(Overlay::Errors { scroll: 0 }),
                Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
                Action::Alerts => self.open_alerts(),
                _ => self.common(action),
            }
            return;
        }
        let focus = self.focus;
        let view = self.panel_mut(focus);
        match action {
            Action::Up => view.move_by(-1),
            Action::Down => view.move_by(1),
            Action::PageUp => view.move_by(-page),
            Action::PageDown => view.move_by(page),
            Action::Top => view.selected = 0,
            Action::Bottom => view.selected = view.len.saturating_sub(1),
            Action::NextPanel => self.focus = cycle(self.focus, 1),
            Action::PrevPanel => self.focus = cycle(self.focus, -1),
            Action::Focus(kind) => self.focus = kind,
            Action::Open => {
                if let Some(id) = view.selected_id() {
                    self.overlay = Some(Overlay::Detail {
                        kind: focus,
                        id: id.to_owned(),
                        scroll: 0,
                        link: 0,
                        targets: Vec::new(),
                    });
                }
            }
            Action::Close if !view.filter.is_empty() => {
                view.filter.clear();
                self.refilter.push(focus);
            }
            Action::Close => self.zoom = false,
            Action::Zoom => self.zoom = !self.zoom,
            Action::Acknowledge => self.pending_ack.push(Some(focus)),
            Action::Filter => self.editing_filter = true,
            Action::Pause => {
                self.paused = !self.paused;
                self.resume = !self.paused;
            }
            Action::Copy => self.copy = true,
            Action::AcknowledgeAll => self.pending_ack.push(None),
            Action::Errors => self.overlay = Some(Overlay::Errors { scroll: 0 }),
            Action::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Action::Alerts => self.open_alerts(),
            _ => self.common(action),
        }
    }

    fn open_alerts(&mut self) {
        self.unseen_alerts = 0;
        self.overlay = Some(Overlay::Alerts { scroll: 0 });
    }

    /// Typing into the focused panel's filter: a character, Backspace, Enter (keep) or Esc (clear).
    pub fn filter_key(&mut self, key: FilterKey) {
        let focus = self.focus;
        let view = self.panel_mut(focus);
        match key {
            FilterKey::Char(c) => view.filter.push(c),
            FilterKey::Backspace => {
                view.filter.pop();
            }
            FilterKey::Keep => self.editing_filter = false,
            FilterKey::Clear => {
                view.filter.clear();
                self.editing_filter = false;
            }
        }
        let view = self.panel_mut(focus);
        view.selected = 0;
        view.offset = 0;
        self.refilter.push(focus);
        self.dirty = true;
    }

    /// Shows a record in its panel: focus the panel, select the record, close the window.
    pub fn jump(&mut self, kind: Kind, id: &str) {
        self.overlay = None;
        self.zoom = false;
        self.focus = kind;
        self.jump_to = Some((kind, id.to_owned()));
    }

    fn common(&mut self, action: Action) {
        match action {
            Action::Quit => self.quit = true,
            Action::ToggleMouse => self.mouse = !self.mouse,
            Action::Redraw => self.full_redraw = true,
            _ => {}
        }
    }

    /// A click on row `row` (0 = first shown) of a panel: focus it and select that row.
    pub fn click(&mut self, kind: Kind, row: usize) {
        self.focus = kind;
        let view = self.panel_mut(kind);
        let i = view.offset + row;
        if i < view.len {
            view.selected = i;
        }
        self.dirty = true;
    }

    /// The mouse wheel over a panel (or the overlay).
    pub fn wheel(&mut self, kind: Option<Kind>, down: bool) {
        let action = if down { Action::Down } else { Action::Up };
        match (kind, &self.overlay) {
            (Some(kind), None) => {
                self.focus = kind;
                for _ in 0..3 {
                    self.update(action);
                }
            }
            _ => {
                for _ in 0..3 {
                    self.update(action);
                }
            }
        }
    }
}

/// Days in a panel's trend.
pub const TREND_DAYS: usize = 30;

/// Records per day over the 30 days up to the newest one, and counts by level.
fn trends(view: &mut PanelView, panel: &Panel) {
    view.trend = vec![0; TREND_DAYS];
    view.levels = panel.levels();
    view.trend_end = panel.newest_time().map(|t| t.date_naive());
    let Some(end) = view.trend_end else { return };
    let start = end - chrono::Days::new(TREND_DAYS as u64 - 1);
    // The store counts records per day as they arrive: 30 numbers to read, however many records.
    for (day, n) in panel.per_day(start, end) {
        let age = (end - day).num_days();
        if (0..TREND_DAYS as i64).contains(&age) {
            view.trend[TREND_DAYS - 1 - age as usize] = n;
        }
    }
}

/// A key typed while editing a filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKey {
    Char(char),
    Backspace,
    Keep,
    Clear,
}

fn cycle(kind: Kind, step: isize) -> Kind {
    let i = (kind.index() as isize + step).rem_euclid(4) as usize;
    Kind::ALL[i]
}

#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_core::formats::jsonl::parse_line;
    use watchfloor_core::model::store::Origin;

    fn t0() -> NaiveDateTime {
        NaiveDateTime::parse_from_str("2024-06-25 09:30:00", "%Y-%m-%d %H:%M:%S").expect("time")
    }

    /// Applies sanctions lines to a store and returns the changes.
    fn add(store: &mut Store, lines: &[(&str, &str)], news: bool) -> Vec<Change> {
        lines
            .iter()
            .enumerate()
            .map(|(n, (id, ts))| {
                let line = format!(r#"{{"id":"{id}","ts":"{ts}","target":"T {id}"}}"#);
                let rec = parse_line(line.as_bytes(), Some(Kind::Sanctions)).expect("ok").expect("rec");
                let origin = Origin::new(std::path::Path::new("s.jsonl"), n as u64 + 1);
                match store.apply(rec, origin) {
                    watchfloor_core::model::Applied::Added => {
                        Change::RecordAdded { kind: Kind::Sanctions, id: (*id).into(), origin, news }
                    }
                    _ => Change::RecordUpdated { kind: Kind::Sanctions, id: (*id).into(), origin, versions: 2, news },
                }
            })
            .collect()
    }

    #[test]
    fn the_selection_stays_on_its_record_when_newer_ones_arrive() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(
            &mut store,
            &[("a", "2024-01-01T00:00:00Z"), ("b", "2024-01-02T00:00:00Z"), ("c", "2024-01-03T00:00:00Z")],
            false,
        );
        app.apply(&c, &store);
        assert_eq!(app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)), ["c", "b", "a"]);
        app.update(Action::Down);
        app.sync(&store);
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("b"));
        let c = add(&mut store, &[("d", "2024-02-01T00:00:00Z"), ("e", "2024-02-02T00:00:00Z")], true);
        app.apply(&c, &store);
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("b"));
        assert_eq!(app.panel(Kind::Sanctions).marks.get("d"), Some(&Mark::New));
        assert_eq!(app.new_count(), 2);
    }

    #[test]
    fn on_the_first_row_the_panel_follows_the_newest() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(&mut store, &[("a", "2024-01-01T00:00:00Z")], false);
        app.apply(&c, &store);
        let c = add(&mut store, &[("b", "2024-02-01T00:00:00Z")], true);
        app.apply(&c, &store);
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("b"));
    }

    #[test]
    fn a_filter_narrows_the_panel_and_esc_clears_it() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(&mut store, &[("alpha", "2024-01-01T00:00:00Z"), ("beta", "2024-01-02T00:00:00Z")], false);
        app.apply(&c, &store);
        let links = watchfloor_core::model::links::Links::default();
        app.update(Action::Filter);
        assert_eq!(app.context(), Context::Filter);
        for ch in "T AL".chars() {
            app.filter_key(FilterKey::Char(ch));
        }
        app.settle(&store, &links);
        assert_eq!(
            app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)),
            ["alpha"],
            "case-insensitive, over the target field"
        );
        app.filter_key(FilterKey::Keep);
        assert_eq!(app.context(), Context::Panels);
        app.update(Action::Close);
        app.settle(&store, &links);
        assert_eq!(app.panel(Kind::Sanctions).len, 2);
    }

    #[test]
    fn a_filter_over_a_large_panel_fills_in_slice_by_slice_without_doubles() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let links = watchfloor_core::model::links::Links::default();
        let ts: Vec<(String, String)> = (0..50_000)
            .map(|i| (format!("r{i}"), format!("2024-01-01T{:02}:{:02}:{:02}Z", i / 3600 % 24, i / 60 % 60, i % 60)))
            .collect();
        let lines: Vec<(&str, &str)> = ts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let c = add(&mut store, &lines, false);
        app.apply(&c, &store);
        app.update(Action::Filter);
        for ch in "r1".chars() {
            app.filter_key(FilterKey::Char(ch));
        }
        app.settle(&store, &links);
        assert!(app.has_work(), "50,000 records are more than one slice");
        // While the filter looks: a new record that matches, and an old one updated to be the newest.
        let c = add(&mut store, &[("r1new", "2024-02-01T00:00:00Z"), ("r10", "2024-02-02T00:00:00Z")], true);
        app.apply(&c, &store);
        while app.has_work() {
            app.work(&store);
        }
        let panel = store.panel(Kind::Sanctions);
        let want: Vec<String> = panel
            .newest_first()
            .iter()
            .map(|e| e.current().packed().id().to_string())
            .filter(|id| id.contains("r1"))
            .collect();
        let got = app.panel(Kind::Sanctions).ids(panel);
        assert_eq!(got.len(), want.len());
        assert_eq!(got, want, "every match once, newest first");
        assert_eq!(&got[..2], ["r10", "r1new"]);
    }

    #[test]
    fn marks_are_worked_out_slice_by_slice_after_a_load() {
        let dir = tempfile::tempdir().expect("tmp");
        let ids: Vec<(String, String)> =
            (0..2_500).map(|i| (format!("m{i}"), format!("2024-01-01T00:{:02}:{:02}Z", i / 60 % 60, i % 60))).collect();
        let lines: Vec<(&str, &str)> = ids.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let mut store = Store::new();
        let c = add(&mut store, &lines, false);
        // First run: everything is taken as acknowledged, and remembered.
        let mut app = App::new(t0(), false);
        app.seen = Seen::load(Some(dir.path()));
        app.apply(&c, &store);
        app.init_marks(&store);
        let mut slices = 0;
        while app.has_work() {
            app.work(&store);
            slices += 1;
        }
        assert!(slices >= 3, "{slices} slices for 2,500 records");
        assert_eq!(app.new_count(), 0);
        // Written on a thread of its own; waited for when the dashboard ends.
        app.finish_saving();
        assert!(dir.path().join("seen.bin").exists());
        // Next run: one record changed and two are new since.
        add(
            &mut store,
            &[("m7", "2024-02-01T00:00:00Z"), ("n1", "2024-02-02T00:00:00Z"), ("n2", "2024-02-03T00:00:00Z")],
            false,
        );
        let mut app = App::new(t0(), false);
        app.seen = Seen::load(Some(dir.path()));
        app.reorder_all(&store);
        app.init_marks(&store);
        while app.has_work() {
            app.work(&store);
        }
        let marks = &app.panel(Kind::Sanctions).marks;
        assert_eq!(marks.len(), 3, "{marks:?}");
        assert_eq!(marks.get("m7"), Some(&Mark::Updated));
        assert_eq!(marks.get("n1"), Some(&Mark::New));
    }

    #[test]
    fn paused_arrivals_wait_and_are_applied_on_resume() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let links = watchfloor_core::model::links::Links::default();
        let c = add(&mut store, &[("a", "2024-01-01T00:00:00Z")], false);
        app.apply(&c, &store);
        app.update(Action::Pause);
        // The event loop settles after every key, before it looks at the feeds again.
        app.sync(&store);
        let c = add(&mut store, &[("b", "2024-02-01T00:00:00Z")], true);
        app.apply(&c, &store);
        app.sync(&store);
        assert_eq!(app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)), ["a"], "the list does not move");
        assert_eq!(app.held_count(), 1);
        app.update(Action::Pause);
        app.settle(&store, &links);
        assert_eq!(app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)), ["b", "a"]);
        assert_eq!(app.held_count(), 0);
        assert_eq!(app.panel(Kind::Sanctions).marks.get("b"), Some(&Mark::New));
    }

    #[test]
    fn the_initial_load_marks_nothing_new() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(&mut store, &[("a", "2024-01-01T00:00:00Z")], false);
        app.apply(&c, &store);
        assert_eq!(app.new_count(), 0);
        assert_eq!(app.feeds.values().next().and_then(|h| h.last_change), None);
    }

    #[test]
    fn moving_stays_within_the_list_and_pages() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let lines: Vec<(String, String)> =
            (0..30).map(|i| (format!("r{i:02}"), format!("2024-01-01T00:{i:02}:00Z"))).collect();
        let refs: Vec<(&str, &str)> = lines.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let c = add(&mut store, &refs, false);
        app.apply(&c, &store);
        app.page = 10;
        app.update(Action::Up);
        assert_eq!(app.panel(Kind::Sanctions).selected, 0);
        app.update(Action::PageDown);
        assert_eq!(app.panel(Kind::Sanctions).selected, 10);
        app.update(Action::Bottom);
        assert_eq!(app.panel(Kind::Sanctions).selected, 29);
        app.update(Action::Down);
        assert_eq!(app.panel(Kind::Sanctions).selected, 29);
        app.update(Action::Top);
        assert_eq!(app.panel(Kind::Sanctions).selected, 0);
        let view = app.panel_mut(Kind::Sanctions);
        view.selected = 25;
        view.scroll_into_view(10);
        assert_eq!(view.offset, 16);
    }

    #[test]
    fn panels_cycle_and_windows_open_and_close() {
        let mut app = App::new(t0(), false);
        app.update(Action::PrevPanel);
        assert_eq!(app.focus, Kind::Shortages);
        app.update(Action::NextPanel);
        assert_eq!(app.focus, Kind::Sanctions);
        app.update(Action::Focus(Kind::Aid));
        assert_eq!(app.focus, Kind::Aid);
        app.update(Action::Zoom);
        assert!(app.zoom);
        app.update(Action::Close);
        assert!(!app.zoom);
        // Enter on an empty panel opens nothing.
        app.update(Action::Open);
        assert_eq!(app.overlay, None);
        app.update(Action::Help);
        assert_eq!(app.context(), Context::Overlay);
        app.update(Action::Down);
        assert_eq!(app.overlay, Some(Overlay::Help { scroll: 1 }));
        app.update(Action::Close);
        assert_eq!(app.overlay, None);
        app.update(Action::Quit);
        assert!(app.quit);
    }

    #[test]
    fn errors_and_missing_feeds_show_in_health() {
        let mut app = App::new(t0(), false);
        let file = Arc::new(PathBuf::from("aid.jsonl"));
        app.apply(&[Change::FeedMissing { file: file.clone() }], &Store::new());
        assert!(app.feeds[&file].missing);
        app.apply(&[Change::FileAppeared { file: file.clone() }], &Store::new());
        assert!(!app.feeds[&file].missing);
    }

    #[test]
    fn the_clock_dirties_the_screen_once_a_minute() {
        let mut app = App::new(t0(), false);
        app.dirty = false;
        app.tick(t0() + chrono::Duration::seconds(20));
        assert!(!app.dirty);
        app.tick(t0() + chrono::Duration::seconds(61));
        assert!(app.dirty);
    }
}

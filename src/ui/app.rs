//! The dashboard's state and how it changes, as a component that holds the others: the four panels
//! (`panel/`), the window open over them (`popup/`), the feeds' health, the pause and the marks.
//!
//! Four ways in, one meaning each: [`App::update`] takes a key (and posts what needs the engine's data to
//! a queue of [`Command`]s), [`App::apply`] takes what the engine saw, [`App::work`] does one slice of the
//! background jobs (a filter looking through a large panel, the marks after a load), and
//! [`App::catch_up`] brings everything up to date with the data and the screen size before a frame. The
//! screen is drawn from `&App` (`view/`): drawing writes nothing back, so a key means the same whatever
//! frame was drawn last. No terminal here: tests drive it directly and render it to a test backend.

use super::command::Command;
use super::data::Data;
use super::keys::{Action, Context};
use super::layout::{layout, table_rows};
use super::marks::MarksJob;
use super::panel::draw::title as panel_title;
pub use super::panel::{Mark, PanelView, Rows};
use super::popup::{detail::Detail, help::Help, Popup, Reply, Scroll};
use chrono::NaiveDateTime;
use ratatui::layout::Rect;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use watchfloor_core::engine::{Change, View};
use watchfloor_core::model::seen::Seen;
use watchfloor_core::model::{Kind, Store};

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
    /// The window open over the panels.
    pub popup: Option<Popup>,
    pub panels: [PanelView; 4],
    pub feeds: BTreeMap<Arc<PathBuf>, FeedHealth>,
    pub mouse: bool,
    pub quit: bool,
    /// The clock, to the minute, as last told.
    pub now: NaiveDateTime,
    /// The screen's size, as last told ([`App::resize`]).
    pub area: Rect,
    /// Set when something on screen changed; cleared by drawing.
    pub dirty: bool,
    /// Ask the terminal for a full redraw (Ctrl-L).
    pub full_redraw: bool,
    /// Ctrl-Z was pressed: the loop gives the terminal back and stops the process until `fg`.
    pub suspend: bool,
    /// Ring the terminal bell at the next frame.
    pub bell: bool,
    /// What the analyst has acknowledged, across restarts.
    pub seen: Seen,
    /// A message for the analyst that is not about a feed (a damaged state file, ...).
    pub notice: Option<String>,
    /// The error of the last save of what was acknowledged, while it failed.
    save_failed: Option<String>,
    /// A short confirmation in the footer until the next key (a copy, ...).
    pub flash: Option<String>,
    /// Typing goes into the focused panel's filter.
    pub editing_filter: bool,
    /// Live updates of the view are paused; record changes wait in `held`.
    pub paused: bool,
    held: Vec<Change>,
    /// What keys asked for that needs the data, carried out by [`App::catch_up`].
    commands: Vec<Command>,
    /// Text to put on the clipboard (OSC 52), taken by the event loop.
    pub clipboard: Option<String>,
    /// Decisions on links the analyst made, for the event loop to hand to the engine (which keeps them).
    pub decisions: Vec<Decided>,
    /// News the analyst acknowledged in the alerts window (`None`: all), for the event loop to hand to
    /// the engine (which keeps the news).
    pub news_acks: Vec<Option<(Kind, String)>>,
    /// At start, once the marks are worked out: the records marked new or changed since acknowledged,
    /// for the engine to make news of those that match a rule (what arrived while the dashboard was closed).
    pub unseen_at_start: Option<Vec<(Kind, String, watchfloor_core::engine::Cause)>>,
    /// The feeds are being read for the first time: bytes read of the line feeds, and what they hold.
    pub loading: Option<(u64, u64)>,
    /// Marks of what is new since last acknowledged, still being worked out after a load.
    marks: Option<MarksJob>,
}

impl App {
    pub fn new(now: NaiveDateTime, mouse: bool) -> Self {
        App {
            focus: Kind::Sanctions,
            zoom: false,
            popup: None,
            panels: Default::default(),
            feeds: BTreeMap::new(),
            mouse,
            quit: false,
            now,
            area: Rect::new(0, 0, 120, 40),
            dirty: true,
            full_redraw: false,
            suspend: false,
            bell: false,
            seen: Seen::default(),
            notice: None,
            save_failed: None,
            flash: None,
            editing_filter: false,
            paused: false,
            held: Vec::new(),
            commands: Vec::new(),
            clipboard: None,
            decisions: Vec::new(),
            news_acks: Vec::new(),
            unseen_at_start: None,
            loading: None,
            marks: None,
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
        match self.popup {
            Some(Popup::Detail(_)) => Context::Detail,
            Some(Popup::Alerts(_)) => Context::Alerts,
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

    /// The screen is this size now.
    pub fn resize(&mut self, area: Rect) {
        if area != self.area {
            self.area = area;
            self.dirty = true;
        }
    }

    /// Takes in what the engine saw; records that are news are marked. While paused, record changes wait.
    pub fn apply(&mut self, changes: &[Change], data: &View) {
        let store = data.store;
        let mut touched = [false; 4];
        // The records that changed, for panels that show what a filter keeps.
        let mut changed: [Vec<&str>; 4] = Default::default();
        for c in changes {
            if self.paused
                && matches!(c, Change::RecordAdded { .. } | Change::RecordUpdated { .. } | Change::Relinked { .. })
            {
                self.held.push(c.clone());
                self.dirty = true;
                continue;
            }
            match c {
                Change::RecordAdded { kind, id, origin, news }
                | Change::RecordUpdated { kind, id, origin, news, .. } => {
                    touched[kind.index()] = true;
                    if self.panels[kind.index()].is_filtered() {
                        changed[kind.index()].push(id);
                    }
                    let health = self.feeds.entry(origin.file.clone()).or_default();
                    health.missing = false;
                    if *news {
                        health.last_change = Some(self.now);
                        let mark = if matches!(c, Change::RecordAdded { .. }) { Mark::New } else { Mark::Updated };
                        let marks = &mut self.panels[kind.index()].marks;
                        // A record that arrived since start stays "new" when it is updated again.
                        marks.entry(id.to_string()).or_insert(mark);
                    }
                }
                // Its links changed (a designation made it SANCTIONED): marked changed, filtered again.
                Change::Relinked { kind, id, .. } => {
                    touched[kind.index()] = true;
                    if self.panels[kind.index()].is_filtered() {
                        changed[kind.index()].push(id);
                    }
                    self.panels[kind.index()].marks.entry(id.clone()).or_insert(Mark::Updated);
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
                    self.panels[kind.index()].forget(store.panel(*kind), ids);
                }
                Change::Alert(a) => self.bell |= a.bell,
            }
        }
        for &kind in Kind::ALL {
            let i = kind.index();
            if !touched[i] {
                continue;
            }
            let view = &mut self.panels[i];
            if view.is_filtered() {
                view.refresh(data, kind, &changed[i]);
            } else {
                view.reorder(data, kind);
            }
        }
        if !changes.is_empty() {
            self.dirty = true;
        }
    }

    /// After the first load: marks what changed since the analyst last acknowledged it. With nothing
    /// remembered (the first run), what is there now is taken as acknowledged. The records are looked at a
    /// slice at a time by [`App::work`], newest first, between keys and arrivals.
    pub fn init_marks(&mut self, store: &Store) {
        if let Some(problem) = self.seen.problem.take() {
            tracing::warn!("{problem}");
            self.notice = Some(problem);
        }
        if self.seen.is_fresh() {
            self.seen.reserve(store.len());
        }
        self.marks = Some(MarksJob::new(self.seen.is_fresh()));
        self.dirty = true;
    }

    /// Brings everything up to date with the engine's data and the screen size: carries out the queued
    /// commands, notes the selected records, keeps what a pause shows still, brings the window open up to
    /// date, and scrolls each panel shown so that its selection is in view. Run before every frame and
    /// between the keys of a burst.
    pub fn catch_up(&mut self, data: &Data) {
        let store = data.store;
        match self.seen.save_finished() {
            Some(Err(e)) => {
                self.notice = Some(e.clone());
                self.save_failed = Some(e);
                self.dirty = true;
            }
            // Saved again (the disk has room again): the notice of the failed save goes.
            Some(Ok(())) => {
                if let Some(failed) = self.save_failed.take() {
                    if self.notice.as_ref() == Some(&failed) {
                        self.notice = None;
                        self.dirty = true;
                    }
                }
            }
            None => {}
        }
        self.note_selections(store);
        for command in std::mem::take(&mut self.commands) {
            self.carry_out(command, data);
        }
        if self.paused {
            for &kind in Kind::ALL {
                self.panels[kind.index()].hold(store.panel(kind));
            }
        }
        self.note_selections(store);
        if let Some(popup) = &mut self.popup {
            match popup {
                Popup::Detail(d) => d.mark = self.panels[d.kind.index()].marks.get(&d.id).copied(),
                Popup::Help(h) => h.mouse = self.mouse,
                _ => {}
            }
            popup.catch_up(data, self.area);
        }
        if let Some(screen) = layout(self.area, self.zoom, self.focus) {
            for (kind, rect) in screen.panels {
                self.panels[kind.index()].scroll_into_view(table_rows(rect));
            }
        }
    }

    fn note_selections(&mut self, store: &Store) {
        for &kind in Kind::ALL {
            self.panels[kind.index()].note_selection(store.panel(kind));
        }
    }

    fn carry_out(&mut self, command: Command, data: &Data) {
        let store = data.store;
        self.dirty = true;
        match command {
            Command::Resume => {
                let held = std::mem::take(&mut self.held);
                for view in &mut self.panels {
                    view.rows = Rows::All;
                }
                self.apply(&held, data);
                self.reorder_all(data);
            }
            Command::Refilter(kind) => self.panels[kind.index()].reorder(data, kind),
            Command::Select(kind, id) => self.panels[kind.index()].select(store.panel(kind), &id),
            Command::NextMarked(kind, forward) => {
                if !self.panels[kind.index()].next_marked(store.panel(kind), forward) {
                    self.notice = Some(format!("no record of {} is marked new or changed", panel_title(kind)));
                }
            }
            Command::Copy => {
                let target = match &self.popup {
                    Some(Popup::Detail(d)) => Some((d.kind, d.id.clone())),
                    _ => self.panel(self.focus).selected_id().map(|id| (self.focus, id.to_owned())),
                };
                let Some((kind, id)) = target else { return };
                let Some(entry) = store.panel(kind).get(&id) else { return };
                let json =
                    watchfloor_core::present::json::record(entry, &data.links.info(store, kind, &id), store, true);
                let text = serde_json::to_string_pretty(&json).unwrap_or_default();
                // Sent, not known to be copied: the terminal (tmux without set-clipboard) may drop it.
                self.flash = Some(format!(
                    "sent {kind} {id} as JSON ({} bytes) to the terminal's clipboard (OSC 52)",
                    text.len()
                ));
                self.clipboard = Some(text);
            }
            Command::Acknowledge(which) => {
                let kinds = match which {
                    Some(k) => vec![k],
                    None => Kind::ALL.to_vec(),
                };
                for kind in kinds {
                    let marks = std::mem::take(&mut self.panels[kind.index()].marks);
                    for id in marks.keys() {
                        if let Some(entry) = store.panel(kind).get(id) {
                            self.seen.acknowledge(store.texts(), entry.current().packed());
                        }
                    }
                }
                self.save_seen();
            }
        }
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

    /// On the first run what the feeds hold is taken as acknowledged, a slice at a time after the first
    /// frame: an analyst who quits before that is done still has it remembered.
    pub fn finish_first_acknowledgement(&mut self, store: &Store) {
        if let Some(job) = self.marks.as_mut().filter(|j| j.fresh) {
            while !job.step(store, &mut self.seen, &mut self.panels) {}
            self.marks = None;
            self.save_seen();
        }
    }

    /// Whether a background job is still going: a filter looking through its panel, the marks.
    pub fn has_work(&self) -> bool {
        self.marks.is_some() || self.panels.iter().any(|v| v.job.is_some())
    }

    /// One slice of every filter still looking through its panel, and of the marks still being worked out.
    pub fn work(&mut self, data: &View) {
        let store = data.store;
        if let Some(job) = self.marks.as_mut() {
            let fresh = job.fresh;
            if job.step(store, &mut self.seen, &mut self.panels) {
                self.marks = None;
                if fresh {
                    self.save_seen();
                } else {
                    self.unseen_at_start = Some(self.unseen());
                }
            }
            self.dirty |= !fresh;
        }
        for &kind in Kind::ALL {
            self.dirty |= self.panels[kind.index()].step(data, kind);
        }
    }

    /// The records marked new or changed since acknowledged, as what made them news if a rule matches.
    fn unseen(&self) -> Vec<(Kind, String, watchfloor_core::engine::Cause)> {
        use watchfloor_core::engine::Cause;
        let mut out = Vec::new();
        for &kind in Kind::ALL {
            for (id, mark) in &self.panels[kind.index()].marks {
                out.push((kind, id.clone(), if *mark == Mark::New { Cause::New } else { Cause::Updated }));
            }
        }
        out
    }

    /// Recomputes every panel's rows (after the configuration changed what is shown).
    pub fn reorder_all(&mut self, data: &View) {
        for &kind in Kind::ALL {
            self.panels[kind.index()].reorder(data, kind);
        }
    }

    /// Sets the clock; marks the screen dirty when the minute shown changes.
    pub fn tick(&mut self, now: NaiveDateTime) {
        if now.format("%H:%M").to_string() != self.now.format("%H:%M").to_string() {
            self.dirty = true;
        }
        self.now = now;
    }

    /// Rows a page holds where keys go: the window's, else the focused panel's.
    fn page(&self) -> usize {
        if let Some(popup) = &self.popup {
            return popup.scroll().page as usize;
        }
        layout(self.area, self.zoom, self.focus)
            .and_then(|s| s.panels.into_iter().find(|(k, _)| *k == self.focus))
            .map_or(1, |(_, rect)| table_rows(rect))
    }

    /// Does what the analyst asked.
    pub fn update(&mut self, action: Action) {
        self.dirty = true;
        if let Some(popup) = self.popup.as_mut() {
            match popup.key(action) {
                Reply::Done => return,
                Reply::Close => return self.popup = None,
                Reply::Jump(kind, id) => return self.jump(kind, &id),
                Reply::Decide(a, b, d) => return self.decisions.push((a, b, d)),
                Reply::AcknowledgeNews(which) => return self.news_acks.push(which),
                Reply::NotMine => {}
            }
        }
        let page = self.page();
        let focus = self.focus;
        if self.popup.is_none() && self.panels[focus.index()].key(action, page) {
            return;
        }
        match action {
            Action::Errors => self.popup = Some(Popup::Errors(Scroll::default())),
            Action::Help => self.popup = Some(Popup::Help(Help { mouse: self.mouse, ..Default::default() })),
            Action::Alerts => self.popup = Some(Popup::Alerts(Default::default())),
            Action::Quit => self.quit = true,
            Action::ToggleMouse => self.mouse = !self.mouse,
            Action::Redraw => self.full_redraw = true,
            Action::Suspend => self.suspend = true,
            _ if self.popup.is_some() => {}
            Action::NextPanel => self.focus = cycle(focus, 1),
            Action::PrevPanel => self.focus = cycle(focus, -1),
            Action::Focus(kind) => self.focus = kind,
            Action::Open => {
                let view = &self.panels[focus.index()];
                if let Some(id) = view.selected_id() {
                    let mark = view.marks.get(id).copied();
                    self.popup = Some(Popup::Detail(Detail::new(focus, id.to_owned(), mark)));
                }
            }
            Action::Close if !self.panels[focus.index()].filter.is_empty() => {
                self.panels[focus.index()].edit_filter(String::clear);
                self.commands.push(Command::Refilter(focus));
            }
            Action::Close => self.zoom = false,
            Action::Zoom => self.zoom = !self.zoom,
            Action::Acknowledge => self.commands.push(Command::Acknowledge(Some(focus))),
            Action::AcknowledgeAll => self.commands.push(Command::Acknowledge(None)),
            Action::NextMarked => self.commands.push(Command::NextMarked(focus, true)),
            Action::PrevMarked => self.commands.push(Command::NextMarked(focus, false)),
            Action::Filter => self.editing_filter = true,
            Action::Pause => {
                self.paused = !self.paused;
                if !self.paused {
                    self.commands.push(Command::Resume);
                }
            }
            Action::Copy => self.commands.push(Command::Copy),
            _ => {}
        }
    }

    /// Typing into the focused panel's filter: a character, Backspace, Enter (keep) or Esc (clear).
    pub fn filter_key(&mut self, key: FilterKey) {
        let focus = self.focus;
        let view = &mut self.panels[focus.index()];
        match key {
            FilterKey::Char(c) => view.edit_filter(|f| f.push(c)),
            FilterKey::Backspace => view.edit_filter(|f| {
                f.pop();
            }),
            FilterKey::Keep => self.editing_filter = false,
            FilterKey::Clear => {
                view.edit_filter(String::clear);
                self.editing_filter = false;
            }
        }
        self.commands.push(Command::Refilter(focus));
        self.dirty = true;
    }

    /// Shows a record in its panel: focus the panel, select the record, close the window.
    pub fn jump(&mut self, kind: Kind, id: &str) {
        self.popup = None;
        self.zoom = false;
        self.focus = kind;
        self.commands.push(Command::Select(kind, id.to_owned()));
    }

    /// A click at a screen position: over a panel's rows, focus it and select that row.
    pub fn click(&mut self, column: u16, row: u16) {
        if self.popup.is_some() {
            return;
        }
        let Some((kind, rect)) = self.panel_at(column, row) else { return };
        self.focus = kind;
        let first = super::layout::first_row_y(rect);
        if row >= first {
            self.panels[kind.index()].click((row - first) as usize);
        }
        self.dirty = true;
    }

    /// The mouse wheel at a screen position: the window open, else the panel under it (focusing it), else
    /// the focused panel.
    pub fn wheel(&mut self, column: u16, row: u16, down: bool) {
        let action = if down { Action::Down } else { Action::Up };
        if let (None, Some((kind, _))) = (&self.popup, self.panel_at(column, row)) {
            self.focus = kind;
        }
        for _ in 0..3 {
            self.update(action);
        }
    }

    fn panel_at(&self, column: u16, row: u16) -> Option<(Kind, Rect)> {
        let at = ratatui::layout::Position::new(column, row);
        layout(self.area, self.zoom, self.focus)?.panels.into_iter().find(|(_, r)| r.contains(at))
    }
}

/// A decision on two records: the record in view, the linked one, and what was decided (`None`: forget).
pub type Decided = ((Kind, String), (Kind, String), Option<watchfloor_core::model::decisions::Decision>);

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

    /// A view of a bare store (no links; leaked, a test's lifetime).
    fn bare(store: &Store) -> View<'_> {
        View::of_store(store, Box::leak(Box::default()))
    }

    /// What the event loop does before a frame, for a bare store.
    fn catch_up(app: &mut App, store: &Store) {
        let links = watchfloor_core::model::links::Links::default();
        let theme = crate::ui::theme::Theme::sixteen();
        app.catch_up(&Data::new(watchfloor_core::engine::View::of_store(store, &links), &theme));
    }

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
                let at = store.origin(std::path::Path::new("s.jsonl"), n as u64 + 1);
                let origin = store.file_line(at);
                match store.apply(rec, at) {
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
        app.apply(&c, &bare(&store));
        assert_eq!(app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)), ["c", "b", "a"]);
        app.update(Action::Down);
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("b"));
        let c = add(&mut store, &[("d", "2024-02-01T00:00:00Z"), ("e", "2024-02-02T00:00:00Z")], true);
        app.apply(&c, &bare(&store));
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("b"));
        assert_eq!(app.panel(Kind::Sanctions).marks.get("d"), Some(&Mark::New));
        assert_eq!(app.new_count(), 2);
    }

    /// n and N go to the next and previous marked record, round from the other end; a backdated arrival
    /// (the issue's row 36 of 36) is found at once.
    #[test]
    fn n_and_n_go_to_the_next_and_previous_marked_record() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let days: Vec<(String, String)> =
            (1..=9).map(|d| (format!("r{d}"), format!("2024-01-0{d}T00:00:00Z"))).collect();
        let lines: Vec<(&str, &str)> = days.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let c = add(&mut store, &lines, false);
        app.apply(&c, &bare(&store));
        // Rows newest first: r9 .. r1. Marked: r7 (row 2), and a backdated arrival, r0 (the last row).
        let c = add(&mut store, &[("r7", "2024-01-07T00:00:00Z"), ("r0", "2023-12-31T00:00:00Z")], true);
        app.apply(&c, &bare(&store));
        let selected = |app: &mut App, store: &Store| {
            catch_up(app, store);
            app.panel(Kind::Sanctions).selected_id().map(str::to_owned)
        };
        app.update(Action::NextMarked);
        assert_eq!(selected(&mut app, &store).as_deref(), Some("r7"));
        app.update(Action::NextMarked);
        assert_eq!(selected(&mut app, &store).as_deref(), Some("r0"), "the backdated one, on the last row");
        app.update(Action::NextMarked);
        assert_eq!(selected(&mut app, &store).as_deref(), Some("r7"), "round from the top");
        app.update(Action::PrevMarked);
        assert_eq!(selected(&mut app, &store).as_deref(), Some("r0"), "round from the bottom");
        app.update(Action::Acknowledge);
        catch_up(&mut app, &store);
        app.update(Action::NextMarked);
        catch_up(&mut app, &store);
        assert!(app.notice.as_deref().is_some_and(|n| n.contains("no record")), "{:?}", app.notice);
    }

    #[test]
    fn on_the_first_row_the_panel_follows_the_newest() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(&mut store, &[("a", "2024-01-01T00:00:00Z")], false);
        app.apply(&c, &bare(&store));
        let c = add(&mut store, &[("b", "2024-02-01T00:00:00Z")], true);
        app.apply(&c, &bare(&store));
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("b"));
    }

    #[test]
    fn a_filter_narrows_the_panel_and_esc_clears_it() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(&mut store, &[("alpha", "2024-01-01T00:00:00Z"), ("beta", "2024-01-02T00:00:00Z")], false);
        app.apply(&c, &bare(&store));
        app.update(Action::Filter);
        assert_eq!(app.context(), Context::Filter);
        for ch in "T AL".chars() {
            app.filter_key(FilterKey::Char(ch));
        }
        catch_up(&mut app, &store);
        assert_eq!(
            app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)),
            ["alpha"],
            "case-insensitive, over the target field"
        );
        app.filter_key(FilterKey::Keep);
        assert_eq!(app.context(), Context::Panels);
        app.update(Action::Close);
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).len, 2);
    }

    #[test]
    fn a_filter_over_a_large_panel_fills_in_slice_by_slice_without_doubles() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let ts: Vec<(String, String)> = (0..50_000)
            .map(|i| (format!("r{i}"), format!("2024-01-01T{:02}:{:02}:{:02}Z", i / 3600 % 24, i / 60 % 60, i % 60)))
            .collect();
        let lines: Vec<(&str, &str)> = ts.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let c = add(&mut store, &lines, false);
        app.apply(&c, &bare(&store));
        app.update(Action::Filter);
        for ch in "r1".chars() {
            app.filter_key(FilterKey::Char(ch));
        }
        catch_up(&mut app, &store);
        assert!(app.has_work(), "50,000 records are more than one slice");
        // While the filter looks: a new record that matches, and an old one updated to be the newest.
        let c = add(&mut store, &[("r1new", "2024-02-01T00:00:00Z"), ("r10", "2024-02-02T00:00:00Z")], true);
        app.apply(&c, &bare(&store));
        while app.has_work() {
            app.work(&bare(&store));
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
        app.apply(&c, &bare(&store));
        app.init_marks(&store);
        let mut slices = 0;
        while app.has_work() {
            app.work(&bare(&store));
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
        app.reorder_all(&bare(&store));
        app.init_marks(&store);
        while app.has_work() {
            app.work(&bare(&store));
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
        let c = add(&mut store, &[("a", "2024-01-01T00:00:00Z")], false);
        app.apply(&c, &bare(&store));
        app.update(Action::Pause);
        // The event loop settles after every key, before it looks at the feeds again.
        catch_up(&mut app, &store);
        let c = add(&mut store, &[("b", "2024-02-01T00:00:00Z")], true);
        app.apply(&c, &bare(&store));
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)), ["a"], "the list does not move");
        assert_eq!(app.held_count(), 1);
        app.update(Action::Pause);
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).ids(store.panel(Kind::Sanctions)), ["b", "a"]);
        assert_eq!(app.held_count(), 0);
        assert_eq!(app.panel(Kind::Sanctions).marks.get("b"), Some(&Mark::New));
    }

    #[test]
    fn the_initial_load_marks_nothing_new() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let c = add(&mut store, &[("a", "2024-01-01T00:00:00Z")], false);
        app.apply(&c, &bare(&store));
        assert_eq!(app.new_count(), 0);
        assert_eq!(app.feeds.values().next().and_then(|h| h.last_change), None);
    }

    #[test]
    fn a_page_is_what_the_screen_shows_and_the_selection_stays_in_view() {
        let mut store = Store::new();
        let mut app = App::new(t0(), false);
        let lines: Vec<(String, String)> =
            (0..60).map(|i| (format!("r{i:02}"), format!("2024-01-01T00:{i:02}:00Z"))).collect();
        let refs: Vec<(&str, &str)> = lines.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let c = add(&mut store, &refs, false);
        app.apply(&c, &bare(&store));
        // 80x24: one panel below the tabs, 17 rows of records.
        app.resize(Rect::new(0, 0, 80, 24));
        app.update(Action::PageDown);
        assert_eq!(app.panel(Kind::Sanctions).selected, 17);
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).offset, 1, "scrolled before any frame is drawn");
        // 120x40: four panels, 16 rows in the top ones; zoomed, the panel has the screen: 34 rows.
        app.resize(Rect::new(0, 0, 120, 40));
        app.update(Action::PageDown);
        assert_eq!(app.panel(Kind::Sanctions).selected, 17 + 16);
        app.update(Action::Zoom);
        app.update(Action::Top);
        app.update(Action::PageDown);
        assert_eq!(app.panel(Kind::Sanctions).selected, 34);
        app.update(Action::Bottom);
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).offset, 60 - 34);
        // A click on the third row shown (below the header, the border and the table's header row).
        app.click(10, 2 + 2 + 2);
        assert_eq!(app.panel(Kind::Sanctions).selected, 60 - 34 + 2);
        catch_up(&mut app, &store);
        assert_eq!(app.panel(Kind::Sanctions).selected_id(), Some("r31"));
    }

    /// A save of what was acknowledged that fails (no room, no folder) shows a notice, and the next save
    /// that works takes it away.
    #[test]
    fn a_failed_save_notice_goes_when_a_save_works_again() {
        let dir = tempfile::tempdir().expect("dir");
        let state = dir.path().join("state");
        // A file where the state folder should be: the save cannot make it.
        std::fs::write(&state, "not a folder").expect("write");
        let mut app = App::new(t0(), false);
        app.seen = Seen::load(Some(&state));
        let wait = |app: &mut App| {
            for _ in 0..200 {
                catch_up(app, &Store::new());
                if app.seen.save_finished().is_none() && app.dirty {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        };
        app.save_seen();
        wait(&mut app);
        assert!(app.notice.as_deref().is_some_and(|n| n.starts_with("cannot save")), "{:?}", app.notice);
        std::fs::remove_file(&state).expect("rm");
        app.dirty = false;
        app.save_seen();
        wait(&mut app);
        assert_eq!(app.notice, None);
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
        assert_eq!(app.popup, None);
        app.update(Action::Help);
        assert_eq!(app.context(), Context::Overlay);
        app.update(Action::Down);
        assert_eq!(app.popup.as_ref().map(|p| p.scroll().top), Some(1));
        // Bottom goes past the end; the catch-up before the frame brings it back to the last page, so
        // that Up moves at once.
        app.update(Action::Bottom);
        catch_up(&mut app, &Store::new());
        let last = app.popup.as_ref().map(|p| p.scroll().top).unwrap_or_default();
        assert!(last > 0 && last < 100, "{last}");
        app.update(Action::Up);
        assert_eq!(app.popup.as_ref().map(|p| p.scroll().top), Some(last - 1));
        app.update(Action::Close);
        assert_eq!(app.popup, None);
        app.update(Action::Quit);
        assert!(app.quit);
    }

    #[test]
    fn errors_and_missing_feeds_show_in_health() {
        let mut app = App::new(t0(), false);
        let file = Arc::new(PathBuf::from("aid.jsonl"));
        app.apply(&[Change::FeedMissing { file: file.clone() }], &bare(&Store::new()));
        assert!(app.feeds[&file].missing);
        app.apply(&[Change::FileAppeared { file: file.clone() }], &bare(&Store::new()));
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

//! The one place that wires feeds to the store: lines in, records and [`Change`]s out.
//!
//! The engine does no waiting of its own: a caller (the `follow` command, the dashboard) decides when to
//! [`Engine::poll`], usually when the watcher wakes it. Headless commands and the UI consume the same changes.

mod batch;

use crate::config::Config;
use crate::feed::snapshot::{SnapEvent, SnapshotFeed};
use crate::feed::{FeedEvent, Feeds};
use crate::formats::Format;
use crate::model::links::{LinkInfo, Links, Prepared};
use crate::model::packed::Packed;
use crate::model::record::{Body, Record, Timestamp};
use crate::model::rules::{LinksOnDemand, Rule};
use crate::model::store::{Applied, Handle, Origin, Store};
use crate::model::vocab::Action;
use crate::model::vocab::Kind;
use crate::text::clean_path;
use batch::{Out, Parsed, Pipeline};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

/// A problem in a feed: a line that cannot be used, or a file that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedError {
    pub file: Arc<PathBuf>,
    /// 1-based line, when the problem is one line.
    pub line: Option<u64>,
    pub message: String,
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", clean_path(&self.file), self.message),
            None => write!(f, "{}: {}", clean_path(&self.file), self.message),
        }
    }
}

/// Something that changed, as the engine saw it.
///
/// `news` on a record says whether an analyst has not seen it yet: false for what the feeds held at start
/// (and for a published list's unchanged records), true for what arrived since, and for the differences a
/// published list shows against its previous download, even when they are found at start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    RecordAdded {
        kind: Kind,
        /// The store's own id (shared, not copied: a first load is a million of these).
        id: Arc<str>,
        origin: Origin,
        news: bool,
    },
    RecordUpdated {
        kind: Kind,
        id: Arc<str>,
        origin: Origin,
        versions: usize,
        news: bool,
    },
    FeedError(FeedError),
    FileAppeared {
        file: Arc<PathBuf>,
    },
    FileVanished {
        file: Arc<PathBuf>,
    },
    FileTruncated {
        file: Arc<PathBuf>,
    },
    FileReplaced {
        file: Arc<PathBuf>,
    },
    /// A configured feed names no file (reported once, at start).
    FeedMissing {
        file: Arc<PathBuf>,
    },
    /// A watch rule matched a new or updated record (or a record whose links changed).
    Alert(Box<Alert>),
    /// Records of `kind` the first read found in `file`: one change for all of them rather than one a
    /// record (a first read of a million records would otherwise hold a million changes nobody prints).
    Read {
        kind: Kind,
        file: Arc<PathBuf>,
        records: usize,
    },
    /// Records forgotten under the panel's retention setting.
    Evicted {
        kind: Kind,
        ids: Vec<String>,
    },
}

/// What a watch rule raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub at: chrono::DateTime<chrono::Utc>,
    pub rule: String,
    pub kind: Kind,
    pub id: String,
    pub title: String,
    /// The rule asks for the terminal bell.
    pub bell: bool,
}

/// How many alerts are kept for the alert list.
const MAX_ALERTS_KEPT: usize = 1_000;

/// How many feed errors are kept for `check`, `snapshot` and the error list; older ones are dropped.
const MAX_ERRORS_KEPT: usize = 10_000;

pub struct Engine {
    feeds: Feeds,
    snapshots: Vec<SnapshotFeed>,
    store: Store,
    errors: Vec<FeedError>,
    errors_dropped: u64,
    /// Whether the first read is done: after it, every arrival is news.
    started: bool,
    links: Links,
    rules: Vec<Rule>,
    /// (rule, record) pairs that match now, to tell when a link makes a rule start matching.
    matched: HashSet<(usize, Kind, String)>,
    highlighted: HashSet<(Kind, String)>,
    alerts: Vec<Alert>,
    retention: std::collections::BTreeMap<Kind, crate::config::Retention>,
    /// When records were last checked for their age.
    aged_at: Option<std::time::Instant>,
    /// Parser threads for long reads.
    pipeline: Pipeline<Change>,
}

impl Engine {
    /// An engine that remembers nothing between runs: published lists are read as new each time.
    pub fn new(config: &Config) -> Self {
        Self::with_state(config, None, false)
    }

    /// An engine that compares published lists with what `state_dir` remembers of their last run, and
    /// with `persist` keeps that up to date (the dashboard and `follow` do; `check` and `snapshot` only
    /// look, so a cron job does not use up the news).
    pub fn with_state(config: &Config, state_dir: Option<&std::path::Path>, persist: bool) -> Self {
        let snapshots = config
            .feeds
            .iter()
            .filter(|f| f.format.is_snapshot())
            .map(|f| SnapshotFeed::new(f.path.clone(), f.format, state_dir, persist))
            .collect();
        Engine {
            feeds: Feeds::new(config.feeds.clone(), config.limits.max_line_bytes),
            snapshots,
            store: Store::new(),
            errors: Vec::new(),
            errors_dropped: 0,
            started: false,
            links: Links::new(config.categories.clone()),
            rules: config.rules.clone(),
            matched: HashSet::new(),
            highlighted: HashSet::new(),
            alerts: Vec::new(),
            retention: config.retention.clone(),
            aged_at: None,
            pipeline: Pipeline::default(),
        }
    }

    /// Every file read now, with whether it is there.
    pub fn files(&self) -> Vec<(PathBuf, bool)> {
        let mut out: Vec<(PathBuf, bool)> = self.feeds.files().map(|(p, open)| (p.to_path_buf(), open)).collect();
        out.extend(self.snapshots.iter().map(|s| (s.file.to_path_buf(), s.file.exists())));
        out
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn feeds(&self) -> &Feeds {
        &self.feeds
    }

    /// The feed errors seen so far (a feed missing at start counts as one) (the most recent [`MAX_ERRORS_KEPT`]), oldest first.
    pub fn errors(&self) -> &[FeedError] {
        &self.errors
    }

    /// How many errors were seen in all, including those no longer kept.
    pub fn error_count(&self) -> u64 {
        self.errors.len() as u64 + self.errors_dropped
    }

    /// Applies one record as if a feed had just given it (line 0 of no file): for benchmarks and tests that
    /// drive the store, the links and the rules without files.
    pub fn apply_record(&mut self, record: Record) -> Vec<Change> {
        let mut out = Vec::new();
        let origin = Origin::new(std::path::Path::new(""), 0);
        out.extend(apply(&mut self.store, &mut self.links, Packed::pack(&record), None, origin, true));
        let alerts = self.watch(&out, true);
        out.extend(alerts);
        out
    }

    /// Reads whatever is new in every feed and applies it. The first call reads everything.
    pub fn poll(&mut self) -> Vec<Change> {
        self.read(false)
    }

    /// Reads everything once, taking the end of each file as the end of its last line: for commands that
    /// look at the feeds as they are and exit.
    pub fn load_once(&mut self) -> Vec<Change> {
        self.read(true)
    }

    fn read(&mut self, once: bool) -> Vec<Change> {
        let mut changes = Vec::new();
        let began = std::time::Instant::now();
        if !self.started {
            // Size the indexes for what the files hold (lines of ~300-400 bytes; a low guess only costs a
            // growth step, a high one memory), rather than growing them through every power of two.
            let bytes = self.feeds.bytes_by_kind();
            let guess = |b: u64| (b / 500) as usize;
            for &kind in Kind::ALL {
                self.store.panel_mut(kind).reserve(guess(bytes[kind.index()]));
            }
            let forms = 2 * guess(bytes[Kind::Sanctions.index()] + bytes[Kind::Suppliers.index()]);
            self.links.reserve_names(forms);
            // The name forms of a first read are put in the index at its end, in cache-sized parts; each
            // panel's order is built at its end from the places records took, sorted.
            self.links.defer_names(forms);
            self.store.defer_order(std::array::from_fn(|k| guess(bytes[k])));
        }
        let (store, links, pipeline) = (&mut self.store, &mut self.links, &mut self.pipeline);
        let news = self.started;
        let mut batch = pipeline.batch(false);
        let mut on = |e: FeedEvent<'_>| {
            match e {
                FeedEvent::Lines { file, first, count, bytes, kind, format } => {
                    // Published lists are read whole by their snapshot feeds, never line by line.
                    debug_assert_eq!(format, Format::Jsonl);
                    batch.push_lines(file, first, count, kind, bytes);
                }
                FeedEvent::Line { file, line, bytes, kind, format } => {
                    debug_assert_eq!(format, Format::Jsonl);
                    batch.push_line(file, line, kind, bytes);
                }
                other => batch.push_event(feed_change(other)),
            }
            if batch.is_full() {
                let next = pipeline.batch(true);
                pipeline.submit(std::mem::replace(&mut batch, next), links.preparer());
                while let Some(mut parsed) = pipeline.next(false) {
                    apply_parsed(parsed.parsed(), store, links, news, &mut changes);
                    pipeline.recycle(parsed);
                }
            }
        };
        self.feeds.poll(&mut on);
        if once {
            self.feeds.finish(&mut on);
        }
        pipeline.submit(batch, links.preparer());
        while let Some(mut parsed) = pipeline.next(true) {
            apply_parsed(parsed.parsed(), store, links, news, &mut changes);
            pipeline.recycle(parsed);
        }
        pipeline.release();
        if !news {
            // The name index and the panels' orders of a first read, built at once.
            let read = began.elapsed();
            std::thread::scope(|scope| {
                scope.spawn(|| links.settle());
                store.settle_order();
            });
            let records: usize = Kind::ALL.iter().map(|&k| store.panel(k).len()).sum();
            tracing::info!(
                "first read: {records} records read in {:.3} s, indexed in {:.3} s",
                read.as_secs_f64(),
                (began.elapsed() - read).as_secs_f64()
            );
        }
        for snap in &mut self.snapshots {
            let file = snap.file.clone();
            snap.poll(once, &mut |e| on_snapshot(store, links, &file, e, &mut changes));
        }
        let was_started = self.started;
        self.started = true;
        self.keep_errors(&changes);
        let alerts = self.watch(&changes, was_started);
        changes.extend(alerts);
        changes.extend(self.evict());
        changes
    }

    /// Forgets the records a panel's retention no longer keeps: beyond the newest `keep` (once 10% over,
    /// so the sort is rare), or older than `days` (looked at once a minute).
    fn evict(&mut self) -> Vec<Change> {
        let mut out = Vec::new();
        let age_due = self.aged_at.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(60));
        if age_due {
            self.aged_at = Some(std::time::Instant::now());
        }
        for (&kind, r) in &self.retention {
            let panel = self.store.panel(kind);
            let mut gone: Vec<String> = Vec::new();
            if let (Some(days), true) = (r.days, age_due) {
                let cutoff = chrono::Utc::now() - chrono::Duration::days(days as i64);
                gone.extend(
                    panel
                        .newest_first()
                        .into_iter()
                        .map(|e| e.current().packed())
                        .filter(|rec| rec.utc() < cutoff)
                        .map(|rec| rec.id().to_string()),
                );
            }
            if let Some(keep) = r.keep {
                if panel.len() > keep + keep / 10 {
                    gone.extend(
                        panel.newest_first().into_iter().skip(keep).map(|e| e.current().packed().id().to_string()),
                    );
                }
            }
            gone.sort();
            gone.dedup();
            if gone.is_empty() {
                continue;
            }
            for id in &gone {
                if let Some((h, entry)) = self.store.panel_mut(kind).remove(id) {
                    self.links.forget(kind, h, &self.links.prepare(entry.current().packed()));
                }
                self.highlighted.remove(&(kind, id.clone()));
            }
            let dropped: HashSet<&String> = gone.iter().collect();
            self.matched.retain(|(_, k, id)| *k != kind || !dropped.contains(id));
            tracing::info!("retention: forgot {} {kind} records", gone.len());
            out.push(Change::Evicted { kind, ids: gone });
        }
        out
    }

    /// Takes new watch rules and a new category vocabulary (config.toml was edited): the links are rebuilt
    /// and the rules matched afresh, without raising alerts for what is already there.
    pub fn reconfigure(&mut self, rules: Vec<Rule>, vocabulary: crate::model::links::Vocabulary) {
        self.links = Links::new(vocabulary);
        let all: Vec<(Kind, String)> = Kind::ALL
            .iter()
            .flat_map(|&k| {
                self.store.panel(k).newest_first().into_iter().map(move |e| (k, e.current().packed().id().to_string()))
            })
            .collect();
        for (kind, id) in &all {
            self.links.follow(&self.store, *kind, id, None, Applied::Added);
        }
        self.rules = rules;
        self.matched.clear();
        self.highlighted.clear();
        let baseline: Vec<Change> = all
            .into_iter()
            .map(|(kind, id)| Change::RecordAdded {
                kind,
                id: id.into(),
                origin: Origin::new(std::path::Path::new(""), 0),
                news: false,
            })
            .collect();
        self.watch(&baseline, false);
    }

    /// Runs the watch rules over the records that changed and those linked to them.
    fn watch(&mut self, changes: &[Change], was_started: bool) -> Vec<Change> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        if !was_started {
            self.watch_first_read();
        }
        // (kind, id, whether the record itself is news, whether it is here only for what it is linked to)
        let mut affected: Vec<(Kind, String, bool, bool)> = Vec::new();
        let reads_links = |k: Kind| self.rules.iter().any(|r| r.kind.is_none_or(|rk| rk == k) && r.reads_links());
        for c in changes {
            if let Change::RecordAdded { kind, id, news, .. } | Change::RecordUpdated { kind, id, news, .. } = c {
                affected.push((*kind, id.to_string(), *news, false));
                // The records linked to a change may start or stop matching rules that read links
                // (`sanctioned`, `cover`): looked up only when such a rule is there for their kind. On the
                // first read every record is a change itself, and is matched once all links are in.
                let other = match kind {
                    Kind::Sanctions => Kind::Suppliers,
                    Kind::Suppliers => Kind::Sanctions,
                    Kind::Aid | Kind::Shortages => Kind::Shortages,
                };
                if was_started && reads_links(other) && *kind != Kind::Shortages {
                    let info = self.links.info(&self.store, *kind, id);
                    affected.extend(info.parties.into_iter().map(|(k, i)| (k, i, false, true)));
                    affected.extend(info.addresses.into_iter().map(|i| (Kind::Shortages, i, false, true)));
                }
            }
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (kind, id, news, linked) in affected {
            if !seen.insert((kind, id.clone(), news, linked)) {
                continue;
            }
            let Some(entry) = self.store.panel(kind).get(&id) else { continue };
            let record = entry.current().packed();
            // What rules read of links (`sanctioned`, `cover`) is worked out only if a condition asks.
            let work_out = || self.links.row_info(&self.store, kind, &id);
            let info = LinksOnDemand::new(&work_out);
            let mut highlight = false;
            let mut flipped = false;
            for (i, rule) in self.rules.iter().enumerate() {
                // A record here for its links keeps what the rules on its fields alone said.
                if linked && !rule.reads_links() {
                    continue;
                }
                let now = rule.matches(record, &info);
                // On a first read nothing matched before: no need to look.
                let before = match (now, was_started) {
                    (true, _) => !self.matched.insert((i, kind, id.clone())),
                    (false, true) => self.matched.remove(&(i, kind, id.clone())),
                    (false, false) => false,
                };
                flipped |= now != before;
                highlight |= now && rule.effects.highlight;
                let fire = now && (news || (!before && was_started));
                if fire && (rule.effects.alert || rule.effects.bell) {
                    let alert = Alert {
                        at: chrono::Utc::now(),
                        rule: rule.name.clone(),
                        kind,
                        id: id.clone(),
                        title: record.unpack().title().to_owned(),
                        bell: rule.effects.bell,
                    };
                    tracing::info!("alert: {} on {kind} {id}", rule.name);
                    self.alerts.push(alert.clone());
                    out.push(Change::Alert(Box::new(alert)));
                }
            }
            if linked {
                if !flipped {
                    continue;
                }
                // A rule on links changed its mind: the highlight is what every rule that matches now says.
                highlight = self
                    .rules
                    .iter()
                    .enumerate()
                    .any(|(i, r)| r.effects.highlight && self.matched.contains(&(i, kind, id.clone())));
            }
            if highlight {
                self.highlighted.insert((kind, id));
            } else {
                self.highlighted.remove(&(kind, id));
            }
        }
        if self.alerts.len() > MAX_ALERTS_KEPT {
            let extra = self.alerts.len() - MAX_ALERTS_KEPT;
            self.alerts.drain(..extra);
        }
        out
    }

    /// The rules over every record after the first read (which gives one change per file, not one per
    /// record). Nothing matched before and nothing is news (what is, a published list's differences, comes
    /// as changes of its own): only what matches is noted, and ids are copied only for that. Rules on
    /// fields alone run on every core; rules that read links (`sanctioned`, `cover`) here.
    fn watch_first_read(&mut self) {
        for &kind in Kind::ALL {
            let rules: Vec<(usize, &Rule)> =
                self.rules.iter().enumerate().filter(|(_, r)| r.kind.is_none_or(|k| k == kind)).collect();
            if rules.is_empty() {
                continue;
            }
            let (linked, plain): (Vec<_>, Vec<_>) = rules.into_iter().partition(|(_, r)| r.reads_links());
            let entries: Vec<&crate::model::Entry> = self.store.panel(kind).newest_from(0).collect();
            let hits: Vec<Vec<usize>> = crate::parallel::on_every_core(&entries, |e| {
                let record = e.current().packed();
                let no_links = LinksOnDemand::known(LinkInfo::default());
                plain.iter().filter(|(_, rule)| rule.matches(record, &no_links)).map(|(i, _)| *i).collect()
            });
            for (entry, mut hits) in entries.into_iter().zip(hits) {
                let record = entry.current().packed();
                if !linked.is_empty() {
                    let work_out = || self.links.row_info(&self.store, kind, record.id());
                    let info = LinksOnDemand::new(&work_out);
                    hits.extend(linked.iter().filter(|(_, rule)| rule.matches(record, &info)).map(|(i, _)| *i));
                }
                let mut highlight = false;
                for i in hits {
                    self.matched.insert((i, kind, record.id().to_owned()));
                    highlight |= self.rules[i].effects.highlight;
                }
                if highlight {
                    self.highlighted.insert((kind, record.id().to_owned()));
                }
            }
        }
    }

    /// The watch rules that match now, with the records they match: (rule, kind, id), sorted.
    pub fn rule_matches(&self) -> Vec<(String, Kind, String)> {
        let mut out: Vec<(String, Kind, String)> =
            self.matched.iter().map(|(i, k, id)| (self.rules[*i].name.clone(), *k, id.clone())).collect();
        out.sort();
        out
    }

    /// The alerts raised so far (the most recent thousand), oldest first.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// Whether a highlighting rule matches a record.
    pub fn is_highlighted(&self, kind: Kind, id: &str) -> bool {
        self.highlighted.contains(&(kind, id.to_owned()))
    }

    /// The links between records (suppliers and sanctions, shortages and aid).
    pub fn links(&self) -> &Links {
        &self.links
    }

    /// Says whether a path is one of the files the feeds read (for filtering watcher events).
    pub fn matcher(&self) -> crate::feed::PathMatcher {
        self.feeds.matcher()
    }

    fn keep_errors(&mut self, changes: &[Change]) {
        for c in changes {
            match c {
                Change::FeedError(e) => self.errors.push(e.clone()),
                Change::FeedMissing { file } => self.errors.push(FeedError {
                    file: file.clone(),
                    line: None,
                    message: "missing: no such file (it is followed once it appears)".into(),
                }),
                _ => {}
            }
        }
        if self.errors.len() > MAX_ERRORS_KEPT {
            let extra = self.errors.len() - MAX_ERRORS_KEPT;
            self.errors.drain(..extra);
            self.errors_dropped += extra as u64;
        }
    }
}

/// What a feed event other than a line means.
fn feed_change(e: FeedEvent<'_>) -> Change {
    let error = |file: &Arc<PathBuf>, line: Option<u64>, message: String| {
        tracing::warn!("{}:{}: {message}", clean_path(file), line.unwrap_or(0));
        Change::FeedError(FeedError { file: file.clone(), line, message })
    };
    match e {
        FeedEvent::Line { file, line, .. } | FeedEvent::Lines { file, first: line, .. } => {
            error(file, Some(line), "line read out of turn".into())
        }
        FeedEvent::TooLong { file, line, len } => error(
            file,
            Some(line),
            format!("line is {len} bytes, longer than the limit (limits.max_line_bytes): skipped"),
        ),
        FeedEvent::Unreadable { file, reason } => error(file, None, reason),
        FeedEvent::Appeared { file } => Change::FileAppeared { file: file.clone() },
        FeedEvent::Vanished { file } => Change::FileVanished { file: file.clone() },
        FeedEvent::Truncated { file } => Change::FileTruncated { file: file.clone() },
        FeedEvent::Replaced { file } => Change::FileReplaced { file: file.clone() },
        FeedEvent::Missing { file } => Change::FeedMissing { file: file.clone() },
    }
}

/// Records ahead of the one being applied whose place in the store is fetched into the cache meanwhile.
const PREFETCH_AHEAD: usize = 8;

/// Applies a parsed batch in the order it was read, taking its items out.
fn apply_parsed(
    parsed: &mut Vec<Out<Change>>,
    store: &mut Store,
    links: &mut Links,
    news: bool,
    out: &mut Vec<Change>,
) {
    for i in 0..parsed.len() {
        // Each record's place in the id index is a cache miss of its own, and so is the record (parsed on
        // another core): fetched a few records ahead, the waits overlap.
        if let Some(Out::Line(Parsed::Record(record, _, _, key))) = parsed.get(i + PREFETCH_AHEAD) {
            store.prefetch(key.kind, key.hash);
            record.prefetch();
        }
        let item = std::mem::replace(&mut parsed[i], Out::Line(Parsed::Blank));
        match item {
            Out::Line(Parsed::Blank) => {}
            Out::Line(Parsed::Record(record, prepared, origin, key)) if !news => {
                let kind = record.kind();
                let counting = matches!(out.last(), Some(Change::Read { kind: k, file, .. })
                    if *k == kind && file.as_os_str() == origin.file.as_os_str());
                let file = (!counting).then(|| Arc::new(origin.file.clone()));
                let with = Some((&prepared, key.hash));
                if quietly_apply(store, links, record, with, origin).0 != Applied::Duplicate {
                    match (file, out.last_mut()) {
                        (Some(file), _) => out.push(Change::Read { kind, file, records: 1 }),
                        (None, Some(Change::Read { records, .. })) => *records += 1,
                        (None, _) => {}
                    }
                }
            }
            Out::Line(Parsed::Record(record, prepared, origin, key)) => {
                out.extend(apply(store, links, record, Some((&prepared, key.hash)), origin, news))
            }
            Out::Line(Parsed::Bad { origin, message }) => {
                let (file, line) = (Arc::new(origin.file.clone()), origin.line);
                tracing::warn!("{}:{line}: {message}", clean_path(&file));
                out.push(Change::FeedError(FeedError { file, line: Some(line), message }))
            }
            Out::Event(change) => out.push(change),
        }
    }
    parsed.clear();
}

/// Puts a version in the store, indexes its links when it is the version in force, and says what changed.
///
/// A record from a parser thread comes `parsed`: with what the links need of it, and its id's hash.
fn apply(
    store: &mut Store,
    links: &mut Links,
    record: Packed,
    parsed: Option<(&Prepared, u64)>,
    origin: Origin,
    news: bool,
) -> Option<Change> {
    let kind = record.kind();
    let applied = quietly_apply(store, links, record, parsed, origin);
    let id = || Arc::from(store.panel(kind).id_of(applied.1).unwrap_or_default());
    match applied.0 {
        Applied::Added => Some(Change::RecordAdded { kind, id: id(), origin, news }),
        Applied::Updated { versions, .. } => Some(Change::RecordUpdated { kind, id: id(), origin, versions, news }),
        Applied::Duplicate => None,
    }
}

/// [`apply`] without saying what changed (a first read counts records rather than listing them).
fn quietly_apply(
    store: &mut Store,
    links: &mut Links,
    record: Packed,
    parsed: Option<(&Prepared, u64)>,
    origin: Origin,
) -> (Applied, Handle) {
    let kind = record.kind();
    let (applied, h) = match parsed {
        Some((_, hash)) => store.apply_hashed(record, hash, origin),
        None => store.apply_packed(record, origin),
    };
    links.follow_handle(store, kind, h, parsed.map(|(p, _)| p), applied);
    (applied, h)
}

/// Turns what a published list's new contents show into versions: an amendment says which fields changed,
/// a removal becomes a delisting of the record as it was last seen.
fn on_snapshot(store: &mut Store, links: &mut Links, file: &Arc<PathBuf>, e: SnapEvent, out: &mut Vec<Change>) {
    let kept = Origin::new(file, 0).file;
    let at = |line: u64| Origin { file: kept, line };
    match e {
        SnapEvent::Baseline(r, line) => out.extend(apply(store, links, Packed::pack(&r), None, at(line), false)),
        SnapEvent::Added(r, line) => out.extend(apply(store, links, Packed::pack(&r), None, at(line), true)),
        SnapEvent::Amended(mut r, line, fields) => {
            if let Body::Sanction(s) = &mut r.body {
                s.action = Some(Action::Amended);
            }
            r.extra.insert("changed_fields".into(), serde_json::json!(fields));
            out.extend(apply(store, links, Packed::pack(&r), None, at(line), true))
        }
        SnapEvent::Removed { kind, id, title } => {
            let mut r = match store.panel(kind).get(&id) {
                Some(entry) => entry.current().record(),
                None => Record::named(kind, &id, &title),
            };
            r.ts = Timestamp::from_utc(chrono::Utc::now());
            match &mut r.body {
                Body::Sanction(s) => s.action = Some(Action::Delisted),
                Body::Supplier(s) => s.status = Some("no longer listed".into()),
                _ => {}
            }
            r.extra.remove("changed_fields");
            r.extra.insert("removed_from".into(), serde_json::json!(clean_path(file)));
            out.extend(apply(store, links, Packed::pack(&r), None, at(0), true))
        }
        SnapEvent::Problem(message) => {
            out.push(Change::FeedError(FeedError { file: file.clone(), line: None, message }))
        }
        SnapEvent::Missing => out.push(Change::FeedMissing { file: file.clone() }),
        SnapEvent::Appeared => out.push(Change::FileAppeared { file: file.clone() }),
        SnapEvent::Vanished => out.push(Change::FileVanished { file: file.clone() }),
    }
}

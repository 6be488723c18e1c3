//! The one place that wires feeds to the store: lines in, records and [`Change`]s out.
//!
//! The engine does no waiting of its own: a caller (the `follow` command, the dashboard) decides when to
//! [`Engine::poll`], usually when the watcher wakes it. Headless commands and the UI consume the same changes.
//! It is given what it needs ([`Options`]) and where its time comes from ([`Clock`]); each of its jobs is a
//! module: [`read`] (line feeds into the store), [`diffs`] (published lists against their last download),
//! [`rules`] (watch rules and alerts), [`retention`], [`errors`].

mod batch;
pub mod change;
pub mod clock;
pub mod diffs;
pub mod errors;
pub mod options;
pub mod read;
pub mod relinked;
pub mod retention;
pub mod rules;

use crate::model::news::News;
pub use change::{Alert, Cause, Change};
pub use clock::{Clock, ManualClock, SystemClock};
pub use errors::FeedError;
pub use options::Options;

use crate::feed::snapshot::SnapshotFeed;
use crate::feed::Feeds;
use crate::model::links::{Links, Vocabulary};
use crate::model::record::Record;
use crate::model::rules::Rule;
use crate::model::store::{Applied, Origin, Store};
use crate::model::vocab::Kind;
use batch::Pipeline;
use std::path::PathBuf;
use std::sync::Arc;

/// A first read under way across polls: what it has read so far, kept until it ends.
struct FirstUnderWay {
    read: read::FirstRead,
    hits: read::FirstHits,
    changes: Vec<Change>,
    /// Bytes read of the line feeds, and what they hold.
    progress: (u64, u64),
}

impl FirstUnderWay {
    fn begin(bytes: [u64; 4], store: &mut Store, links: &mut Links) -> Self {
        let read = read::FirstRead::begin(bytes, store, links);
        FirstUnderWay { read, hits: read::FirstHits::default(), changes: Vec::new(), progress: (0, 0) }
    }
}

/// What the engine holds, read-only: what a front end draws from (the dashboard never holds the engine).
#[derive(Clone, Copy)]
pub struct View<'a> {
    pub store: &'a Store,
    pub links: &'a Links,
    pub alerts: &'a [Alert],
    /// The records that came to match a rule and are not acknowledged yet, oldest first.
    pub news: &'a News,
    /// The feed errors kept, oldest first, and how many there were in all.
    pub errors: &'a [FeedError],
    pub error_count: u64,
    /// The watch rules; none for a view of a bare store.
    watch: Option<&'a rules::Watch>,
}

impl<'a> View<'a> {
    /// A view of a store and its links alone: no alerts, no errors, no rules (for tests of what reads it).
    pub fn of_store(store: &'a Store, links: &'a Links) -> Self {
        View { store, links, alerts: &[], news: &NO_NEWS, errors: &[], error_count: 0, watch: None }
    }

    /// Whether a highlighting watch rule matches a record.
    pub fn is_highlighted(&self, kind: Kind, id: &str) -> bool {
        self.watch.is_some_and(|w| w.is_highlighted(self.store, kind, id))
    }

    /// Whether there are watch rules.
    pub fn has_rules(&self) -> bool {
        self.watch.is_some_and(|w| w.rule_count() > 0)
    }

    /// How many records each watch rule matches now, in the rules' order.
    pub fn rule_match_counts(&self) -> Vec<(String, usize)> {
        self.watch.map(rules::Watch::match_counts).unwrap_or_default()
    }

    /// How many (rule, record) matches there are now.
    pub fn match_count(&self) -> usize {
        self.watch.map_or(0, rules::Watch::match_count)
    }
}

pub struct Engine {
    feeds: Feeds,
    snapshots: Vec<SnapshotFeed>,
    store: Store,
    errors: errors::ErrorLog,
    /// Whether the first read is done: after it, every arrival is news.
    started: bool,
    /// A first read spread over polls, a part of each file at a time (see [`Engine::loading`]).
    first: Option<FirstUnderWay>,
    /// See [`Options::read_per_poll`].
    read_per_poll: u64,
    links: Links,
    watch: rules::Watch,
    retention: retention::Retention,
    clock: Arc<dyn Clock>,
    /// Parser threads for long reads.
    pipeline: Pipeline<Change>,
    /// The records that came to match a rule since the analyst acknowledged them (the dashboard's, kept
    /// in the state folder; see [`Engine::keep_news`]).
    news: News,
}

/// The news of an engine that keeps none.
static NO_NEWS: News = News::EMPTY;

impl Engine {
    /// An engine over `options`, reading the time from `clock`.
    pub fn new(options: Options, clock: Arc<dyn Clock>) -> Self {
        let snapshots = options
            .feeds
            .iter()
            .filter(|f| f.format.is_snapshot())
            .map(|f| {
                SnapshotFeed::new(f.path.clone(), f.format, options.state_dir.as_deref(), options.persist)
                    .with_shrink_guard(options.shrink)
                    .with_deltas(f.deltas.clone())
            })
            .collect();
        let mut store = Store::new();
        store.set_max_versions(options.max_versions);
        // A panel's `[retention] versions`, where it keeps fewer than the limit for every record.
        for (&kind, r) in &options.retention {
            if let Some(n) = r.versions.filter(|&n| options.max_versions == 0 || n < options.max_versions) {
                store.set_max_versions_of(kind, n);
            }
        }
        let mut engine = Engine {
            feeds: Feeds::new(options.feeds, options.max_line_bytes).with_max_open(options.max_open_files),
            snapshots,
            store,
            errors: errors::ErrorLog::default(),
            started: false,
            first: None,
            read_per_poll: options.read_per_poll.max(1),
            links: Links::new(options.categories),
            watch: rules::Watch::new(options.rules),
            retention: retention::Retention::new(options.retention),
            clock,
            pipeline: Pipeline::default(),
            news: News::default(),
        };
        engine.load_decisions(options.state_dir.as_deref());
        engine
    }

    /// Reads the analyst's decisions on links from a state folder (an engine that keeps nothing else
    /// there, such as `snapshot`'s, still shows them).
    pub fn load_decisions(&mut self, dir: Option<&std::path::Path>) {
        let decisions = crate::model::decisions::Decisions::load(dir);
        if let Some(problem) = &decisions.problem {
            tracing::warn!("{problem}");
        }
        self.links.set_decisions(decisions);
    }

    /// An engine over a configuration on the system clock that remembers nothing between runs: published
    /// lists are read as new each time.
    pub fn for_config(config: &crate::config::Config) -> Self {
        Engine::new(Options::from_config(config), clock::system())
    }

    /// What the engine holds, read-only.
    pub fn view(&self) -> View<'_> {
        View {
            store: &self.store,
            links: &self.links,
            alerts: self.watch.alerts(),
            news: &self.news,
            errors: self.errors.kept(),
            error_count: self.errors.count(),
            watch: Some(&self.watch),
        }
    }

    /// Every file read now, with whether it is there.
    pub fn files(&self) -> Vec<(PathBuf, bool)> {
        let mut out: Vec<(PathBuf, bool)> = self.feeds.files().map(|(p, open)| (p.to_path_buf(), open)).collect();
        out.extend(self.snapshots.iter().map(|s| (s.file.to_path_buf(), s.file.exists())));
        out
    }

    /// What the files of each kind hold, for a first read's guess at its size. A published list counts as
    /// sanctions at a third of its size: an entity's line is longer than a row, and many entities make none.
    fn bytes_by_kind(&self) -> [u64; 4] {
        let mut bytes = self.feeds.bytes_by_kind();
        let size = |s: &SnapshotFeed| std::fs::metadata(s.file.as_path()).map_or(0, |m| m.len());
        bytes[Kind::Sanctions.index()] += self.snapshots.iter().map(size).sum::<u64>() / 3;
        bytes
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn feeds(&self) -> &Feeds {
        &self.feeds
    }

    /// The feed errors seen so far (a feed missing at start counts as one), the most recent
    /// [`errors::MAX_ERRORS_KEPT`], oldest first.
    pub fn errors(&self) -> &[FeedError] {
        self.errors.kept()
    }

    /// How many errors were seen in all, including those no longer kept.
    pub fn error_count(&self) -> u64 {
        self.errors.count()
    }

    /// Notes a problem that is not a feed's (an edited config.toml that cannot be used) among the errors,
    /// where the error list shows it whole.
    pub fn note_error(&mut self, error: FeedError) {
        self.errors.note(&[Change::FeedError(error)]);
    }

    /// How many files had an error.
    pub fn files_with_errors(&self) -> usize {
        self.errors.files()
    }

    /// Applies one record as if a feed had just given it (line 0 of no file): for benchmarks and tests that
    /// drive the store, the links and the rules without files.
    pub fn apply_record(&mut self, record: Record) -> Vec<Change> {
        let mut out = Vec::new();
        let packed = self.store.pack(&record);
        out.extend(read::apply(&mut self.store, &mut self.links, packed, None, Origin::NONE, true));
        let relinked = relinked::of(&self.store, &self.links, &out);
        out.extend(relinked);
        let alerts =
            self.watch.run(&self.store, &self.links, &out, true, &read::FirstHits::default(), self.clock.now());
        out.extend(alerts);
        out
    }

    /// The feeds followed (as configured at start), published lists included.
    pub fn feed_specs(&self) -> &[crate::config::FeedSpec] {
        self.feeds.specs()
    }

    /// Whether a feed has more to read than the last poll read (see [`read::PER_POLL`]): poll again soon.
    pub fn has_more(&self) -> bool {
        self.feeds.has_more()
    }

    /// Reads whatever is new in every feed and applies it. The first call reads everything. The analyst's
    /// decisions are read again when their file changed (a colleague's, pulled from version control):
    /// the rules look at the records they are about again, and what they raise is returned.
    pub fn poll(&mut self) -> Vec<Change> {
        let mut out = self.read(false);
        let changed = self.links.decisions_mut().reload_if_changed();
        if !changed.is_empty() {
            tracing::info!("decisions.toml changed: {} decisions read again", changed.len());
            out.extend(self.relink(changed.iter().flat_map(|(p, s)| [(Kind::Suppliers, p), (Kind::Sanctions, s)])));
        }
        out
    }

    /// Runs the rules on records whose links changed by a decision; returns what they raise.
    fn relink<'a>(&mut self, records: impl Iterator<Item = (Kind, &'a String)>) -> Vec<Change> {
        let touched: Vec<Change> = records
            .filter_map(|(kind, id)| {
                let entry = self.store.panel(kind).get(id)?;
                Some(Change::RecordUpdated {
                    kind,
                    id: id.as_str().into(),
                    origin: self.store.file_line(entry.current().origin),
                    versions: entry.history().len(),
                    news: false,
                })
            })
            .collect();
        self.watch.run(&self.store, &self.links, &touched, true, &read::FirstHits::default(), self.clock.now())
    }

    /// Reads everything once, taking the end of each file as the end of its last line: for commands that
    /// look at the feeds as they are and exit.
    pub fn load_once(&mut self) -> Vec<Change> {
        self.read(true)
    }

    /// While the first read is under way (it reads a part of each file a poll, so that keys and signals
    /// are answered however large the files are): the bytes of the line feeds read so far, and what they
    /// hold. Its records are returned by the poll that ends it.
    pub fn loading(&self) -> Option<(u64, u64)> {
        self.first.as_ref().map(|f| f.progress)
    }

    fn read(&mut self, once: bool) -> Vec<Change> {
        let news = self.started;
        let now = self.clock.now();
        let rules = self.watch.field_rules();
        if self.first.is_none() && !news {
            let bytes = self.bytes_by_kind();
            self.first = Some(FirstUnderWay::begin(bytes, &mut self.store, &mut self.links));
        }
        let first = self.first.take();
        let (feeds, store, links) = (&mut self.feeds, &mut self.store, &mut self.links);
        let (mut changes, mut hits, first_read) = match first {
            None => (Vec::new(), read::FirstHits::default(), None),
            Some(FirstUnderWay { read, hits, changes, .. }) => (changes, hits, Some(read)),
        };
        let (pipeline, budget) = (&mut self.pipeline, self.read_per_poll);
        changes.extend(read::lines(feeds, store, links, pipeline, once, budget, news, rules.clone(), &mut hits));
        if let Some(read) = first_read {
            if feeds.has_more() {
                // More of the first read to come: nothing is shown until it is whole.
                self.first = Some(FirstUnderWay { read, hits, changes, progress: feeds.progress() });
                return Vec::new();
            }
            let quiet = Some(diffs::FirstReadOf { rules: rules.as_deref(), hits: &mut hits });
            diffs::poll(&mut self.snapshots, store, links, once, now, quiet, &mut changes);
            read.end(store, links);
        } else {
            diffs::poll(&mut self.snapshots, store, links, once, now, None, &mut changes);
        }
        self.started = true;
        self.errors.note(&changes);
        if news {
            let relinked = relinked::of(&self.store, &self.links, &changes);
            changes.extend(relinked);
        }
        let alerts = self.watch.run(&self.store, &self.links, &changes, news, &hits, now);
        for c in &alerts {
            if let Change::Alert(a) = c {
                self.news.add(a.kind, &a.id, &a.title, &a.rule, a.cause, a.at);
            }
        }
        changes.extend(alerts);
        let evicted = self.retention.evict(&mut self.store, &mut self.links, now);
        for e in &evicted {
            if let Change::Evicted { kind, ids } = e {
                self.watch.forget(&self.store, *kind);
                self.news.forget(*kind, ids);
            }
        }
        changes.extend(evicted);
        self.save_news();
        changes
    }

    /// Takes new watch rules and a new category vocabulary (config.toml was edited): the links are rebuilt
    /// and the rules matched afresh, without raising alerts for what is already there.
    pub fn reconfigure(&mut self, rules: Vec<Rule>, vocabulary: Vocabulary) {
        let decisions = self.links.take_decisions();
        self.links = Links::new(vocabulary);
        self.links.set_decisions(decisions);
        let all: Vec<(Kind, String)> = Kind::ALL
            .iter()
            .flat_map(|&k| {
                self.store.panel(k).newest_first().into_iter().map(move |e| (k, e.current().packed().id().to_string()))
            })
            .collect();
        for (kind, id) in &all {
            self.links.follow(&self.store, *kind, id, None, Applied::Added);
        }
        self.watch.reset(rules);
        let baseline: Vec<Change> = all
            .into_iter()
            .map(|(kind, id)| Change::RecordAdded {
                kind,
                id: id.into(),
                origin: self.store.file_line(Origin::NONE),
                news: false,
            })
            .collect();
        self.watch.run(&self.store, &self.links, &baseline, false, &read::FirstHits::default(), self.clock.now());
    }

    /// What the analyst decided of a supplier and a sanctions record (`None`: forget the decision): it
    /// overrides the matcher at once and is kept in the state folder. The rules look at both records
    /// again (a supplier confirmed as a designated party starts matching `sanctioned = true`); what they
    /// raise is returned. An error says why the decision could not be kept (it holds until the end).
    pub fn decide(
        &mut self,
        a: (Kind, &str),
        b: (Kind, &str),
        decision: Option<crate::model::decisions::Decision>,
    ) -> Result<Vec<Change>, String> {
        let now = self.clock.now();
        let kept = self.links.decide(a, b, decision, &now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let ids = [(a.0, a.1.to_owned()), (b.0, b.1.to_owned())];
        let raised = self.relink(ids.iter().map(|(k, id)| (*k, id)));
        kept.map(|()| raised)
    }

    /// What went wrong reading the analyst's decisions, if anything.
    pub fn decisions_problem(&self) -> Option<&str> {
        self.links.decisions().problem.as_deref()
    }

    /// The watch rules that match now, with the records they match: (rule, kind, id), sorted.
    pub fn rule_matches(&self) -> Vec<(String, Kind, String)> {
        self.watch.matches(&self.store)
    }

    /// Keeps news in the state folder `dir`: what is there is read now (news from before a restart), and
    /// each change to it is saved. Only the dashboard keeps news; `follow` and `snapshot` print alerts.
    pub fn keep_news(&mut self, dir: Option<&std::path::Path>) {
        self.news = News::load(dir);
        if let Some(problem) = &self.news.problem {
            tracing::warn!("{problem}");
        }
    }

    /// The analyst has seen a record's news (`None`: all of it).
    pub fn acknowledge_news(&mut self, which: Option<(Kind, &str)>) {
        self.news.acknowledge(which);
        self.save_news();
    }

    /// Makes news of the records given that match a rule now and are not news already: at start, what
    /// arrived while the dashboard was closed (the records it marks as new or changed since acknowledged).
    /// Returns whether one of the rules that made news asks for the bell.
    pub fn news_at_start<'a>(&mut self, unseen: impl IntoIterator<Item = (Kind, &'a str, Cause)>) -> bool {
        let now = self.clock.now();
        let mut bell = false;
        for (kind, id, cause) in unseen {
            // Most unseen records match no rule: that is looked at first (a handle and a set per rule).
            let rules = self.watch.rules_matching(&self.store, kind, id);
            if rules.is_empty() || self.news.contains(kind, id) {
                continue;
            }
            let Some(entry) = self.store.panel(kind).get(id) else { continue };
            let title = entry.current().record(self.store.texts()).title().to_owned();
            for (rule, rings) in rules {
                self.news.add(kind, id, &title, rule, cause, now);
                bell |= rings;
            }
        }
        self.save_news();
        bell
    }

    fn save_news(&mut self) {
        if let Err(problem) = self.news.save() {
            tracing::warn!("{problem}");
            self.news.problem = Some(problem);
        }
    }

    /// The alerts raised so far (the most recent thousand), oldest first.
    pub fn alerts(&self) -> &[Alert] {
        self.watch.alerts()
    }

    /// Whether a highlighting rule matches a record.
    pub fn is_highlighted(&self, kind: Kind, id: &str) -> bool {
        self.watch.is_highlighted(&self.store, kind, id)
    }

    /// The links between records (suppliers and sanctions, shortages and aid).
    pub fn links(&self) -> &Links {
        &self.links
    }

    /// Says whether a path is one of the files the feeds read (for filtering watcher events).
    pub fn matcher(&self) -> crate::feed::PathMatcher {
        self.feeds.matcher()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use std::io::Write;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    const CONFIG: &str = r#"
[[feed]]
path = "aid.jsonl"
kind = "aid"

[retention]
aid = { days = 30 }

[[rule]]
name = "Stalled"
kind = "aid"
when = { stage = "stalled" }
do = ["alert"]
"#;

    /// `[retention] versions` keeps a panel's records to their newest versions, the others counted.
    #[test]
    fn retention_versions_trims_each_records_history() {
        let dir = tempfile::tempdir().expect("dir");
        let lines: String = (1..=10)
            .map(|d| {
                format!("{{\"id\":\"p\",\"ts\":\"2026-01-{d:02}T00:00:00Z\",\"title\":\"P\",\"stage\":\"signed\"}}\n")
            })
            .collect();
        std::fs::write(dir.path().join("aid.jsonl"), lines).expect("write");
        let text = "[[feed]]\npath = \"aid.jsonl\"\nkind = \"aid\"\n[retention]\naid = { versions = 3 }\n";
        let config = crate::config::parse(text, Some(&dir.path().join("config.toml"))).expect("config");
        let mut engine = Engine::for_config(&config);
        engine.load_once();
        let panel = engine.store().panel(Kind::Aid);
        let entry = panel.get("p").expect("held");
        assert_eq!(entry.history().len(), 3);
        assert_eq!(panel.dropped_versions(panel.handle("p").expect("handle")), 7);
        assert_eq!(entry.current().record(engine.store().texts()).ts.text(), "2026-01-10T00:00:00Z");
    }

    /// A first read larger than a poll reads goes on over polls: nothing is shown (or alerted) until it is
    /// whole, its progress is told meanwhile, and it ends with what one read of everything gives.
    #[test]
    fn a_first_read_larger_than_a_poll_goes_on_over_polls_and_ends_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let lines: String = (0..3000)
            .map(|i| {
                let stage = if i == 2500 { "stalled" } else { "signed" };
                format!("{{\"id\":\"p{i}\",\"ts\":\"2026-02-20T00:00:00Z\",\"title\":\"P\",\"stage\":\"{stage}\"}}\n")
            })
            .collect();
        std::fs::write(dir.path().join("aid.jsonl"), &lines).expect("write");
        let config = crate::config::parse(CONFIG, Some(&dir.path().join("config.toml"))).expect("config");
        let clock = ManualClock::at(at("2026-02-25T00:00:00Z"));
        // A byte a poll: a part of the file as the reader reads at once (64 KiB), a poll.
        let options = Options { read_per_poll: 1, ..Options::from_config(&config) };
        let mut engine = Engine::new(options, clock);
        let mut polls = 0;
        let mut progress = Vec::new();
        let last = loop {
            let changes = engine.poll();
            polls += 1;
            match engine.loading() {
                Some(p) => {
                    assert!(changes.is_empty(), "poll {polls} showed {changes:?}");
                    assert!(engine.has_more(), "the next part is read at once");
                    progress.push(p);
                }
                None => break changes,
            }
        };
        assert!(polls >= 3, "{progress:?}");
        assert!(progress.windows(2).all(|w| w[0].0 < w[1].0 && w[1].1 == lines.len() as u64), "{progress:?}");
        let read: usize = last.iter().map(|c| if let Change::Read { records, .. } = c { *records } else { 0 }).sum();
        assert_eq!((read, engine.store().panel(Kind::Aid).len()), (3000, 3000));
        let news =
            |c: &Change| matches!(c, Change::RecordAdded { news: true, .. } | Change::RecordUpdated { news: true, .. });
        assert!(!last.iter().any(news), "a first read is not news");
        assert_eq!(engine.alerts().len(), 0, "what is there at start is not alerted");
        assert!(!engine.has_more());
        std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("aid.jsonl"))
            .and_then(|mut f| {
                f.write_all(b"{\"id\":\"n\",\"ts\":\"2026-02-24T00:00:00Z\",\"title\":\"N\",\"stage\":\"stalled\"}\n")
            })
            .expect("append");
        let after = engine.poll();
        assert!(after.iter().any(news), "{after:?}");
        assert_eq!(engine.alerts().len(), 1, "news after the first read is alerted");
    }

    #[test]
    fn the_engine_reads_its_time_from_the_clock_it_is_given() {
        let dir = tempfile::tempdir().expect("dir");
        let mut file = std::fs::File::create(dir.path().join("aid.jsonl")).expect("file");
        let line = |id: &str, ts: &str, stage: &str| {
            format!("{{\"id\":\"{id}\",\"ts\":\"{ts}\",\"title\":\"P {id}\",\"stage\":\"{stage}\"}}\n")
        };
        write!(
            file,
            "{}{}",
            line("old", "2026-01-01T00:00:00Z", "signed"),
            line("new", "2026-02-20T00:00:00Z", "signed")
        )
        .expect("write");
        let config = crate::config::parse(CONFIG, Some(&dir.path().join("config.toml"))).expect("config");
        let clock = ManualClock::at(at("2026-02-25T00:00:00Z"));
        let mut engine = Engine::new(Options::from_config(&config), clock.clone());
        let evicted = |changes: &[Change]| -> Vec<String> {
            changes
                .iter()
                .flat_map(|c| if let Change::Evicted { ids, .. } = c { ids.clone() } else { vec![] })
                .collect()
        };
        assert_eq!(evicted(&engine.poll()), ["old"], "55 days old on the test clock's day");

        clock.advance(chrono::Duration::days(40));
        write!(file, "{}", line("p", "2026-04-01T00:00:00Z", "stalled")).expect("write");
        let changes = engine.poll();
        assert_eq!(evicted(&changes), ["new"], "forty days on, the second is too old");
        assert_eq!(engine.alerts().len(), 1);
        assert_eq!(engine.alerts()[0].at, clock.now(), "the alert is dated by the clock");
        assert_eq!(engine.store().panel(Kind::Aid).len(), 1);
    }
}

#[cfg(test)]
mod first_read_rules {
    use super::*;
    use crate::model::rules::LinksOnDemand;

    /// Every rule over every record, the slow and obvious way.
    fn by_hand(engine: &Engine, rules: &[Rule]) -> Vec<(String, Kind, String)> {
        let (store, links) = (engine.store(), engine.links());
        let mut out = Vec::new();
        for &kind in Kind::ALL {
            for e in store.panel(kind).newest_from(0) {
                let r = e.current().packed();
                let work_out = || links.row_info(store, kind, r.id());
                for rule in rules {
                    if rule.matches(store.texts(), r, &LinksOnDemand::new(&work_out)) {
                        out.push((rule.name.clone(), kind, r.id().to_string()));
                    }
                }
            }
        }
        out.sort();
        out
    }

    /// An update in the first read replaces what its record matched: a shortage that eased stops matching
    /// (and being highlighted), one that worsened starts.
    #[test]
    fn an_update_in_the_first_read_replaces_what_its_record_matched() {
        let dir = tempfile::tempdir().expect("dir");
        let line = |id: &str, severity: &str| {
            format!("{{\"id\":\"{id}\",\"ts\":\"2026-01-01T00:00:00Z\",\"item\":\"fuel\",\"severity\":\"{severity}\",\"status\":\"reported\"}}\n")
        };
        let lines = [line("eased", "critical"), line("worse", "low"), line("eased", "low"), line("worse", "critical")];
        std::fs::write(dir.path().join("shortages.jsonl"), lines.concat()).expect("write");
        let config = r#"
[[feed]]
path = "shortages.jsonl"
kind = "shortages"

[[rule]]
name = "Critical"
kind = "shortages"
when = { severity = "critical" }
do = ["highlight"]
"#;
        let config = crate::config::parse(config, Some(&dir.path().join("config.toml"))).expect("config");
        let mut engine = Engine::for_config(&config);
        engine.load_once();
        assert_eq!(engine.rule_matches(), [("Critical".to_string(), Kind::Shortages, "worse".to_string())]);
        assert!(engine.is_highlighted(Kind::Shortages, "worse"));
        assert!(!engine.is_highlighted(Kind::Shortages, "eased"));
    }

    #[test]
    fn what_the_parser_threads_match_at_start_is_what_every_rule_over_every_record_gives() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        // The shipped rules, and one that the published list's records match too.
        let eu = "\n[[rule]]\nname = \"EU designation\"\nkind = \"sanctions\"\nwhen = { authority = \"EU\" }\ndo = [\"highlight\"]\n";
        let text = crate::config::DEFAULT_TOML.replace("\n[ui]", &format!("{eu}\n[ui]"));
        let mut config = crate::config::parse(&text, Some(&root.join("config.toml"))).expect("config");
        // A published list beside the line feeds: its records are matched as they are applied, not on the
        // parser threads.
        let ftm = root.join("tests/data/formats/opensanctions/eu_fsf_t1.ftm.jsonl");
        let spec = crate::config::FeedSpec {
            given: ftm.clone(),
            path: ftm,
            kind: Some(Kind::Sanctions),
            format: crate::formats::Format::Ftm,
            poll_ms: None,
            deltas: None,
        };
        config.feeds.push(spec);
        let rules = config.rules.clone();
        let mut engine = Engine::for_config(&config);
        engine.load_once();
        let expected = by_hand(&engine, &rules);
        assert!(expected.len() > 40, "the shipped rules match the shipped feeds: {}", expected.len());
        assert!(expected.iter().any(|(_, _, id)| id.starts_with("NK-")), "and the published list's records");
        assert_eq!(engine.rule_matches(), expected);
        for (name, kind, id) in &expected {
            let rule = rules.iter().find(|r| &r.name == name).expect("a rule");
            if rule.effects.highlight {
                assert!(engine.is_highlighted(*kind, id), "{name}: {kind} {id}");
            }
        }
    }
}

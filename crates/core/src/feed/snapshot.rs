//! Feeds published as whole files (OpenSanctions entities, OFAC CSV): what changed between two downloads.
//!
//! A snapshot feed is read entire when its file (or a companion file) changes and has been still since the
//! last look, then compared by id with what it held before: a new id is a designation, a missing one a
//! delisting, a changed one an amendment with the fields that changed. The comparison survives restarts: a
//! compact fingerprint per id (its name and a hash per field) is kept in the state folder, never a copy of
//! the file. The first time a feed is seen its records are the baseline, not news. A file that is empty, cut
//! short or does not parse changes nothing: the problem is reported and the previous contents stay.

use crate::config::ShrinkGuard;
use crate::formats::{ftm, ofac, Format};
use crate::model::record::{Record, Timestamp};
use crate::model::Kind;
use crate::text::clean_path;

mod fingerprint;
use fingerprint::{FieldNames, Fingerprint, Fingerprints};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What reading a snapshot feed found.
#[derive(Debug)]
pub enum SnapEvent {
    /// A record of the first contents seen, or one unchanged since the last run: not news.
    Baseline(Record, u64),
    /// A new id since the previous contents.
    Added(Record, u64),
    /// An id whose fields changed; the names of the fields that did.
    Amended(Record, u64, Vec<String>),
    /// An id that is gone; its kind, id and name.
    Removed {
        kind: Kind,
        id: String,
        title: String,
    },
    /// The file cannot be used as it is; the previous contents stay.
    Problem(String),
    Missing,
    Appeared,
    Vanished,
}

/// The state file of a feed (which also names the feed, for whoever reads it: `feed`).
#[derive(Deserialize)]
struct Saved {
    /// `kind/id` → fingerprint.
    records: BTreeMap<String, fingerprint::Saved>,
    /// Whether the last good download ended with OFAC's end-of-file mark.
    #[serde(default)]
    marked: bool,
}

/// [`Saved`] as it is written: the fingerprints one by one from the feed's own.
#[derive(Serialize)]
struct Saving<'a> {
    feed: String,
    records: fingerprint::SavedRecords<'a>,
    marked: bool,
}

/// (device, inode, size, modification time in ns) of each file read, `None` where it is missing.
type Signature = Vec<Option<(u64, u64, u64, i128)>>;

pub struct SnapshotFeed {
    pub file: Arc<PathBuf>,
    format: Format,
    companions: Vec<PathBuf>,
    /// The signature seen at the last look, and the one last read (well or not).
    seen: Option<Signature>,
    read: Option<Signature>,
    /// What the feed held at its last good read (or as remembered from the last run).
    known: Option<Fingerprints>,
    /// The field names of its fingerprints.
    names: FieldNames,
    /// Whether this run has handed out its records yet.
    loaded: bool,
    present: Option<bool>,
    state_file: Option<PathBuf>,
    persist: bool,
    /// A problem with the remembered state, reported at the first look.
    state_problem: Option<String>,
    shrink: ShrinkGuard,
    /// The digest of a download held for what it lost (see [`ShrinkGuard`]): the same contents again are
    /// a list that really shrank, and are applied.
    held: Option<u64>,
    /// Whether the last good download ended with OFAC's end-of-file mark: one without it is then cut short.
    marked: bool,
    /// A glob of OpenSanctions delta files applied to the file, in the order of their names.
    deltas: Option<PathBuf>,
}

impl SnapshotFeed {
    /// A feed reading `file`; with a state folder, what it held in the last run is looked up there (and,
    /// when `persist`, kept up to date).
    pub fn new(file: PathBuf, format: Format, state_dir: Option<&Path>, persist: bool) -> Self {
        let companions = match format {
            Format::OfacCsv => ofac::companions(&file).map(Vec::from).unwrap_or_default(),
            _ => Vec::new(),
        };
        let key = super::absolute(&file).display().to_string();
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let state_file = state_dir.map(|d| d.join("snapshots").join(crate::state::file_name_for(&key, &name)));
        let mut feed = SnapshotFeed {
            file: Arc::new(file),
            format,
            companions,
            seen: None,
            read: None,
            known: None,
            names: FieldNames::default(),
            loaded: false,
            present: None,
            state_file,
            persist,
            state_problem: None,
            shrink: ShrinkGuard::default(),
            held: None,
            marked: false,
            deltas: None,
        };
        feed.load_state();
        feed
    }

    /// The same feed, holding downloads that lost records as `shrink` says.
    /// Applies the OpenSanctions delta files a glob matches to the entities of the file, in the order of
    /// their names (each begins with its version): a delta's `DEL` delists the base's entity, an entity no
    /// delta mentions is as the base has it. A new delta file is a new download of the whole.
    pub fn with_deltas(self, deltas: Option<PathBuf>) -> Self {
        SnapshotFeed { deltas, ..self }
    }

    /// The delta files, in the order they apply.
    fn delta_files(&self) -> Vec<PathBuf> {
        let Some(glob) = &self.deltas else { return Vec::new() };
        let mut files: Vec<PathBuf> = glob::glob(&glob.to_string_lossy())
            .map(|paths| paths.filter_map(Result::ok).filter(|p| p.is_file()).collect())
            .unwrap_or_default();
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        files
    }

    pub fn with_shrink_guard(self, shrink: ShrinkGuard) -> Self {
        SnapshotFeed { shrink, ..self }
    }

    fn load_state(&mut self) {
        let Some(path) = &self.state_file else { return };
        let bytes = match crate::files::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                self.state_problem = Some(format!("cannot read the remembered state {}: {e}", clean_path(path)));
                return;
            }
        };
        match serde_json::from_slice::<Saved>(&bytes) {
            Ok(saved) => {
                self.known = Some(fingerprint::read_saved(saved.records, &mut self.names));
                self.marked = saved.marked;
            }
            Err(e) => {
                let aside = crate::state::set_aside(path);
                self.state_problem = Some(format!(
                    "the remembered state {} is damaged ({e}); set aside as {}, this file is read as new",
                    clean_path(path),
                    aside.map(|p| clean_path(&p)).unwrap_or_else(|| "(could not move it)".into())
                ));
            }
        }
    }

    /// Where the rows of the last good download are kept, beside the fingerprints: what the panel shows
    /// after a restart whose download is bad or held.
    fn kept_file(&self) -> Option<PathBuf> {
        self.state_file.as_ref().map(|p| p.with_extension("rows.jsonl"))
    }

    /// A row of a download as it is kept, into `out`: one line, its source line, a tab, the record in
    /// watchfloor's own JSON Lines form.
    fn encode_row(out: &mut Vec<u8>, r: &Record, line: u64) {
        out.extend_from_slice(format!("{line}\t").as_bytes());
        out.extend_from_slice(&crate::formats::jsonl::record_line(r));
        out.push(b'\n');
    }

    /// Whether this feed keeps its last good rows (the dashboard and `follow`, with a state folder).
    fn keeps_rows(&self) -> bool {
        self.persist && self.state_file.is_some()
    }

    /// Keeps the rows of a good download (see [`SnapshotFeed::encode_row`]).
    fn keep_rows(&self, encoded: &[u8]) {
        let (Some(path), true) = (self.kept_file(), self.keeps_rows()) else { return };
        if let Err(e) = crate::state::write_atomic(&path, encoded) {
            tracing::warn!("cannot keep the rows of {}: {e}", clean_path(&self.file));
        }
    }

    /// The rows kept from the last good download (none when there are none or they cannot be read).
    fn kept_rows(&self) -> Vec<(Record, u64)> {
        let Some(bytes) = self.kept_file().and_then(|p| crate::files::read(&p).ok()) else { return Vec::new() };
        let mut out = Vec::new();
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let Some(tab) = line.iter().position(|&b| b == b'\t') else { continue };
            let source = std::str::from_utf8(&line[..tab]).ok().and_then(|n| n.parse().ok()).unwrap_or(0);
            if let Ok(Some(r)) = crate::formats::jsonl::parse_line(&line[tab + 1..], None) {
                out.push((r, source));
            }
        }
        out
    }

    /// On the first look of a run whose download is bad or held: the last good rows, as they were.
    fn show_kept(&mut self, on: &mut dyn FnMut(SnapEvent)) {
        if self.loaded {
            return;
        }
        for (r, line) in self.kept_rows() {
            on(SnapEvent::Baseline(r, line));
        }
        self.loaded = true;
    }

    fn save_state(&self) {
        let (Some(path), Some(known), true) = (&self.state_file, &self.known, self.persist) else { return };
        let saved = Saving {
            feed: self.file.display().to_string(),
            records: fingerprint::SavedRecords { records: known, names: &self.names },
            marked: self.marked,
        };
        match serde_json::to_vec(&saved) {
            Ok(bytes) => {
                if let Err(e) = crate::state::write_atomic(path, &bytes) {
                    tracing::warn!("cannot save {}: {e}", path.display());
                }
            }
            Err(e) => tracing::warn!("cannot encode snapshot state: {e}"),
        }
    }

    fn signature(&self) -> Signature {
        let deltas = self.delta_files();
        std::iter::once(self.file.as_path())
            .chain(self.companions.iter().map(PathBuf::as_path))
            .chain(deltas.iter().map(PathBuf::as_path))
            .map(|p| {
                let m = std::fs::metadata(p).ok()?;
                let mtime = m.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?.as_nanos() as i128;
                Some((m.dev(), m.ino(), m.size(), mtime))
            })
            .collect()
    }

    /// Looks at the files. A change is read once the files have been still since the previous look (a
    /// download in progress is not read half-way), or at once on the first look or when `now` is set.
    pub fn poll(&mut self, now: bool, on: &mut dyn FnMut(SnapEvent)) {
        let first = self.present.is_none();
        if let Some(problem) = self.state_problem.take() {
            on(SnapEvent::Problem(problem));
        }
        let sig = self.signature();
        let exists = sig.first().is_some_and(Option::is_some);
        match (self.present, exists) {
            (None, false) => on(SnapEvent::Missing),
            (Some(true), false) => on(SnapEvent::Vanished),
            (Some(false), true) => on(SnapEvent::Appeared),
            _ => {}
        }
        self.present = Some(exists);
        if !exists || self.read.as_ref() == Some(&sig) {
            self.seen = Some(sig);
            return;
        }
        let still = self.seen.as_ref() == Some(&sig);
        self.seen = Some(sig.clone());
        if !(first || now || still) {
            return;
        }
        self.read = Some(sig);
        match self.parse() {
            Ok((rows, marked)) => match self.compare(rows, on) {
                Some(kept) => {
                    self.marked = marked;
                    self.save_state();
                    self.keep_rows(&kept);
                }
                None => self.show_kept(on),
            },
            Err(problem) => {
                let held = self.known.as_ref().map(HashMap::len).unwrap_or(0);
                on(SnapEvent::Problem(format!(
                    "{problem}; keeping the previous {held} records until a good file arrives"
                )));
                self.show_kept(on);
            }
        }
    }

    /// The rows of the files, and whether the main one ends with OFAC's end-of-file mark.
    fn parse(&self) -> Result<(Rows, bool), String> {
        let io = |e: std::io::Error| crate::text::describe_io(&e);
        let mtime = std::fs::metadata(self.file.as_path()).and_then(|m| m.modified()).ok();
        let ts = Timestamp::from_utc(mtime.map(chrono::DateTime::<chrono::Utc>::from).unwrap_or_else(chrono::Utc::now));
        match self.format {
            Format::OfacCsv => {
                let main = crate::files::read(self.file.as_path()).map_err(io)?;
                let marked = ofac::ends_with_mark(&main);
                if self.marked && !marked {
                    return Err("the file looks cut short: the last download ended with OFAC's end-of-file mark \
                                (a line holding 0x1A) and this one has none"
                        .into());
                }
                let read = |p: &PathBuf| crate::files::read(p).ok();
                let files = ofac::Files {
                    main,
                    alt: self.companions.first().and_then(read),
                    add: self.companions.get(1).and_then(read),
                    comments: self.companions.get(2).and_then(read),
                };
                let consolidated =
                    self.file.file_name().is_some_and(|n| n.to_string_lossy().to_ascii_lowercase().starts_with("cons"));
                ofac::parse(&files, &ts, consolidated).map(|rows| (Rows::Listed(rows, ts), marked))
            }
            _ => {
                // Part by part from the file: a collection of gigabytes is never in memory whole.
                let file = crate::files::open(self.file.as_path()).map_err(io)?;
                let unread = |e| match e {
                    Unread::Io(e) => io(e),
                    Unread::Lines(problems) => problems,
                };
                let mut entities = read_entities(file, PART).map_err(unread)?;
                for delta in self.delta_files() {
                    let named = |e: String| format!("{}: {e}", clean_path(&delta));
                    let file = crate::files::open(&delta).map_err(|e| named(io(e)))?;
                    entities = read_entities_into(entities, file, PART, true).map_err(|e| named(unread(e)))?;
                }
                if !entities.is_empty() && !entities.has_rows() {
                    return Err(format!(
                        "{} entities read, none of them a Sanction, a party with the `sanction` topic or a firm with \
                         an export-control or sanction-risk topic: nothing to show (a list of other data, such as \
                         politically exposed persons?)",
                        entities.len()
                    ));
                }
                Ok((Rows::Entities(entities, ts), false))
            }
        }
    }

    /// Hands out what changed since the previous contents, and remembers the new ones, giving back the
    /// rows as kept (when it [keeps them](SnapshotFeed::keeps_rows)); none when the new contents are held
    /// instead (see [`ShrinkGuard`]). The first contents ever seen are gone through once; later ones
    /// twice (what they lost is known before anything is handed out).
    fn compare(&mut self, rows: Rows, on: &mut dyn FnMut(SnapEvent)) -> Option<Vec<u8>> {
        let (mut next, mut kept, keep) = (Fingerprints::default(), Vec::new(), self.keeps_rows());
        // Known from the last good read, if there was one.
        let known_then = self.known.take();
        let known = known_then.as_ref();
        let (names, fallback) = (&mut self.names, rows.fallback().clone());
        // Each row fingerprinted and, when the list gives it no date, dated by when it was first seen.
        let mut note = |r: &mut Record, line: u64| {
            let key = (r.kind, Box::<str>::from(&*r.id));
            let mut fp = Fingerprint::of(r, names);
            if r.ts == fallback {
                let seen = known.and_then(|k| k.get(&key)).and_then(|f| f.first_seen.clone());
                let first = seen.unwrap_or_else(|| fallback.text().into());
                date_by_first_sight(r, &first);
                fp.first_seen = Some(first);
            }
            if keep {
                Self::encode_row(&mut kept, r, line);
            }
            next.insert(key, fp);
        };
        if known.is_none() {
            rows.into_each(&mut |mut r, line| {
                note(&mut r, line);
                on(SnapEvent::Baseline(r, line));
            });
            (self.known, self.loaded, self.held) = (Some(next), true, None);
            return Some(kept);
        }
        rows.each(&mut |mut r, line| note(&mut r, line));
        let known = known_then.unwrap_or_default();
        let mut gone: Vec<(&(Kind, Box<str>), &Fingerprint)> =
            known.iter().filter(|(k, _)| !next.contains_key(*k)).collect();
        let (lost, digest) = (gone.len(), digest(&next));
        // Records a delta took out by name are gone on purpose: only the rest can look like a cut download.
        let unexplained = lost.saturating_sub(rows.deleted());
        if self.shrink.holds(known.len(), unexplained) && self.held != Some(digest) {
            self.held = Some(digest);
            on(SnapEvent::Problem(format!(
                "held: {lost} of the {} records of the last good download are not in this one ({} records), as \
                 in a download cut short; the previous ones stay until a second download gives the same contents \
                 (limits.hold_shrink_percent, hold_shrink_records)",
                known.len(),
                next.len()
            )));
            self.known = Some(known);
            return None;
        }
        self.held = None;
        let first_of_run = !self.loaded;
        rows.into_each(&mut |mut r, line| {
            let key = (r.kind, Box::<str>::from(&*r.id));
            if let Some(first) = next.get(&key).and_then(|f| f.first_seen.as_deref()) {
                date_by_first_sight(&mut r, first);
            }
            match known.get(&key) {
                None => on(SnapEvent::Added(r, line)),
                Some(old) => {
                    let changed = old.changed(&next[&key], &self.names);
                    if !changed.is_empty() {
                        on(SnapEvent::Amended(r, line, changed));
                    } else if first_of_run {
                        on(SnapEvent::Baseline(r, line));
                    }
                }
            }
        });
        gone.sort_by(|a, b| a.0.cmp(b.0));
        for ((kind, id), fp) in gone {
            on(SnapEvent::Removed { kind: *kind, id: id.to_string(), title: fp.title.to_string() });
        }
        self.known = Some(next);
        self.loaded = true;
        Some(kept)
    }
}

/// A row the list gives no date of its own is dated by when this installation first saw it (`first`,
/// RFC 3339), and says so (`dated: "first seen"`), rather than by the download's time.
fn date_by_first_sight(r: &mut Record, first: &str) {
    if let Ok(ts) = Timestamp::parse(first) {
        r.ts = ts;
    }
    r.extra.insert(fingerprint::DATED.into(), serde_json::json!("first seen"));
}

/// Why a file of entities was not read.
enum Unread {
    Io(std::io::Error),
    /// Its lines that are not entities (the first three worded, and how many there are), or that it is
    /// empty.
    Lines(String),
}

/// Bytes of whole lines read at a time, parsed on every core.
const PART: usize = 8 << 20;

/// Reads a file of entities (or delta operations) a part at a time: each part's lines parsed on every core,
/// then applied in the file's order.
fn read_entities(file: impl std::io::Read, part_bytes: usize) -> Result<ftm::Entities, Unread> {
    read_entities_into(ftm::Entities::default(), file, part_bytes, false)
}

/// [`read_entities`] applied to `entities` (a delta file's operations to its base, which may be none:
/// `may_be_empty`).
fn read_entities_into(
    mut entities: ftm::Entities,
    file: impl std::io::Read,
    part_bytes: usize,
    may_be_empty: bool,
) -> Result<ftm::Entities, Unread> {
    use std::io::BufRead;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let (mut blank, mut n) = (true, 0u64);
    // The first three problems worded, and how many there are (a file of garbage has millions).
    let (mut errors, mut bad) = (Vec::new(), 0usize);
    let (mut part, mut lines) = (Vec::with_capacity(PART + (1 << 16)), Vec::new());
    loop {
        part.clear();
        lines.clear();
        // Whole lines up to the part's size (a longer line is a part of its own).
        while part.len() < part_bytes {
            let start = part.len();
            if reader.read_until(b'\n', &mut part).map_err(Unread::Io)? == 0 {
                break;
            }
            lines.push(start..part.len());
        }
        if lines.is_empty() {
            break;
        }
        if n == 0 && part.starts_with(super::tail::BOM) {
            // A byte-order mark is not part of the first line.
            lines[0].start = super::tail::BOM.len();
        }
        let parsed = crate::parallel::on_every_core(&lines, |r| {
            let line = &part[r.clone()];
            let blank = line.iter().all(u8::is_ascii_whitespace);
            (blank, ftm::Entities::parse_line(line.strip_suffix(b"\n").unwrap_or(line)))
        });
        for ((line_blank, ops), range) in parsed.into_iter().zip(&lines) {
            n += 1;
            blank &= line_blank;
            match ops {
                Ok(ops) => entities.apply(ops, n),
                Err(e) => {
                    bad += 1;
                    if errors.len() < 3 {
                        // The last line, without a line end: a download cut short.
                        let cut = !part[range.clone()].ends_with(b"\n");
                        errors.push(if cut { format!("line {n}: cut short ({e})") } else { format!("line {n}: {e}") });
                    }
                }
            }
        }
    }
    if blank && !may_be_empty {
        return Err(Unread::Lines("the file is empty".into()));
    }
    if bad > 0 {
        let more = if bad > errors.len() { format!(" and {} more", bad - errors.len()) } else { String::new() };
        return Err(Unread::Lines(format!("{}{more}", errors.join("; "))));
    }
    Ok(entities)
}

/// The rows of a download: listed (OFAC), or derived from its entities each time they are gone through
/// (FtM: a million rows are never all built at once; the fingerprints are worked out in a first pass, the
/// rows handed out in a second).
enum Rows {
    Listed(Vec<(Record, u64)>, Timestamp),
    Entities(ftm::Entities, Timestamp),
}

impl Rows {
    /// Entities a delta's `DEL` took out (none for a list that has no deltas).
    fn deleted(&self) -> usize {
        match self {
            Rows::Entities(entities, _) => entities.deleted(),
            Rows::Listed(..) => 0,
        }
    }

    /// The time a row the list gives no date of its own comes with: the download's.
    fn fallback(&self) -> &Timestamp {
        match self {
            Rows::Listed(_, ts) | Rows::Entities(_, ts) => ts,
        }
    }

    fn each(&self, f: &mut dyn FnMut(Record, u64)) {
        match self {
            Rows::Listed(rows, _) => rows.iter().for_each(|(r, line)| f(r.clone(), *line)),
            Rows::Entities(entities, ts) => entities.derive_each(ts, f),
        }
    }

    fn into_each(self, f: &mut dyn FnMut(Record, u64)) {
        match self {
            Rows::Listed(rows, _) => rows.into_iter().for_each(|(r, line)| f(r, line)),
            Rows::Entities(entities, ts) => {
                entities.derive_each(&ts, f);
                // Millions of small texts to free: on a thread of their own, not in the way of the rows.
                let freed = std::thread::Builder::new().name("free-entities".into()).spawn(move || drop(entities));
                if let Err(e) = freed {
                    tracing::debug!("entities freed here, no thread for it: {e}");
                }
            }
        }
    }
}

/// One number for a download's contents, whatever their order: the same records with the same fields give
/// the same digest.
fn digest(records: &Fingerprints) -> u64 {
    records.iter().fold(0u64, |sum, ((kind, id), fp)| {
        let fields = fp.values_hash();
        let key = crate::state::fnv1a(format!("{kind}/{id}").as_bytes());
        sum.wrapping_add(key ^ fields.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROW_A: &str = "1,\"ALPHA TRADING LTD\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    const ROW_B: &str = "2,\"BETA BANK\",-0- ,\"UKRAINE-EO13662\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    const ROW_B2: &str = "2,\"BETA BANK\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";
    const ROW_C: &str = "3,\"GAMMA LLC\",-0- ,\"RUSSIA-EO14024\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n";

    /// The file of a state folder's one feed that holds its fingerprints (beside it, the kept rows:
    /// `.rows.jsonl`).
    fn fingerprints_file(state: &Path) -> PathBuf {
        std::fs::read_dir(state.join("snapshots"))
            .expect("dir")
            .map(|e| e.expect("entry").path())
            .find(|p| !p.to_string_lossy().ends_with(".rows.jsonl"))
            .expect("the fingerprints")
    }

    fn events(feed: &mut SnapshotFeed) -> Vec<String> {
        let mut out = Vec::new();
        feed.poll(true, &mut |e| {
            out.push(match e {
                SnapEvent::Baseline(r, _) => format!("baseline {}", r.id),
                SnapEvent::Added(r, _) => format!("added {}", r.id),
                SnapEvent::Amended(r, _, f) => format!("amended {} {}", r.id, f.join(",")),
                SnapEvent::Removed { id, title, .. } => format!("removed {id} {title}"),
                SnapEvent::Problem(p) => format!("problem {p}"),
                other => format!("{other:?}"),
            })
        });
        out
    }

    fn write(path: &Path, text: &str) {
        // A different size or time each write, as a new download would have.
        std::fs::write(path, text).expect("write");
        let t = std::time::SystemTime::now() + std::time::Duration::from_secs(rand_secs(text));
        let f = std::fs::File::options().write(true).open(path).expect("open");
        f.set_modified(t).expect("mtime");
    }

    fn rand_secs(text: &str) -> u64 {
        text.len() as u64 % 97 + 1
    }

    /// OpenSanctions deltas: the files a glob matches are applied to the base in the order of their names;
    /// a `DEL` delists the base's entity, a `MOD` amends it, an entity no delta mentions is untouched, and
    /// a new delta file gives exactly its own changes.
    #[test]
    fn delta_files_apply_to_their_base_in_version_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let party = |id: &str, name: &str| {
            format!(r#"{{"id":"{id}","schema":"Company","properties":{{"name":["{name}"],"topics":["sanction"]}}}}"#)
        };
        let op = |op: &str, body: String| format!("{{\"op\":\"{op}\",\"entity\":{body}}}\n");
        let (base, deltas) = (dir.path().join("entities.ftm.json"), dir.path().join("deltas"));
        std::fs::create_dir_all(&deltas).expect("dir");
        write(&base, &format!("{}\n{}\n{}\n", party("a", "Alpha"), party("b", "Beta"), party("c", "Gamma")));
        // Written out of order: the names say the order (the later MOD of b wins).
        write(&deltas.join("20240102.delta.json"), &op("MOD", party("b", "Beta Two")));
        write(
            &deltas.join("20240101.delta.json"),
            &format!("{}{}", op("MOD", party("b", "Beta One")), op("DEL", r#"{"id":"c"}"#.into())),
        );
        let state = dir.path().join("state");
        let glob = Some(deltas.join("*.delta.json"));
        let feed = || SnapshotFeed::new(base.clone(), Format::Ftm, Some(&state), true).with_deltas(glob.clone());
        let mut f = feed();
        let mut first = Vec::new();
        f.poll(true, &mut |e| {
            if let SnapEvent::Baseline(r, _) = e {
                first.push(format!("{} {}", r.id, r.title()));
            }
        });
        first.sort();
        assert_eq!(first, ["a Alpha", "b Beta Two"]);
        // A new delta: its changes alone.
        write(
            &deltas.join("20240103.delta.json"),
            &format!("{}{}", op("DEL", r#"{"id":"a"}"#.into()), op("ADD", party("d", "Delta"))),
        );
        let mut later = events(&mut f);
        later.sort();
        assert_eq!(later, ["added d", "removed a Alpha"]);
        // An empty delta is no change, and no problem.
        write(&deltas.join("20240104.delta.json"), "");
        assert_eq!(events(&mut f), Vec::<String>::new());
        // Deltas that take out most of the list by name are not a download cut short: not held.
        write(
            &base,
            &(0..10).map(|i| format!("{}\n", party(&format!("p{i}"), &format!("Firm {i}")))).collect::<String>(),
        );
        events(&mut f);
        let dels: String = (0..6).map(|i| op("DEL", format!(r#"{{"id":"p{i}"}}"#))).collect();
        write(&deltas.join("20240105.delta.json"), &dels);
        let removed = events(&mut f);
        assert_eq!(removed.iter().filter(|e| e.starts_with("removed p")).count(), 6, "{removed:?}");
        assert!(!removed.iter().any(|e| e.starts_with("problem held")), "{removed:?}");
    }

    /// Sets a file's modification time to `secs` after the epoch (a download of that moment).
    fn downloaded_at(path: &Path, secs: u64) {
        let f = std::fs::File::options().write(true).open(path).expect("open");
        f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs)).expect("mtime");
    }

    /// OFAC gives no designation dates: a row is dated by when this installation first saw it, says so,
    /// and keeps that date through later downloads and restarts; a new row gets its own download's time.
    #[test]
    fn a_row_without_a_date_of_its_own_is_dated_by_when_it_was_first_seen() {
        let dir = tempfile::tempdir().expect("tmp");
        let (sdn, state) = (dir.path().join("sdn.csv"), dir.path().join("state"));
        let dated = |feed: &mut SnapshotFeed| {
            let mut out = Vec::new();
            feed.poll(true, &mut |e| {
                if let SnapEvent::Baseline(r, _) | SnapEvent::Added(r, _) | SnapEvent::Amended(r, _, _) = e {
                    out.push((r.id.to_string(), r.ts.text().into_owned(), r.extra.get("dated").cloned()));
                }
            });
            out.sort_by(|a: &(String, String, _), b| a.0.cmp(&b.0));
            out
        };
        std::fs::write(&sdn, ROW_A).expect("write");
        downloaded_at(&sdn, 1_700_000_000); // 2023-11-14T22:13:20Z
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        let seen = Some(serde_json::json!("first seen"));
        assert_eq!(dated(&mut feed), [("ofac-1".into(), "2023-11-14T22:13:20Z".into(), seen.clone())]);
        std::fs::write(&sdn, format!("{ROW_A}{ROW_C}")).expect("write");
        downloaded_at(&sdn, 1_700_086_400);
        assert_eq!(dated(&mut feed), [("ofac-3".into(), "2023-11-15T22:13:20Z".into(), seen.clone())]);
        // After a restart the first row still has the date it was first seen, not the download's.
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        assert_eq!(
            dated(&mut feed),
            [
                ("ofac-1".into(), "2023-11-14T22:13:20Z".into(), seen.clone()),
                ("ofac-3".into(), "2023-11-15T22:13:20Z".into(), seen)
            ]
        );
    }

    #[test]
    fn a_replacement_gives_exactly_its_addition_removal_and_recode() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        write(&sdn, &format!("{ROW_A}{ROW_B}"));
        let state = dir.path().join("state");
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        assert_eq!(events(&mut feed), ["baseline ofac-1", "baseline ofac-2"]);
        write(&sdn, &format!("{ROW_B2}{ROW_C}"));
        assert_eq!(
            events(&mut feed),
            ["amended ofac-2 program,programs", "added ofac-3", "removed ofac-1 ALPHA TRADING LTD"]
        );
        assert!(events(&mut feed).is_empty(), "nothing new without a change");
    }

    #[test]
    fn empty_or_cut_short_files_change_nothing() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        write(&sdn, &format!("{ROW_A}{ROW_B}"));
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, None, false);
        events(&mut feed);
        write(&sdn, "");
        let ev = events(&mut feed);
        assert_eq!(ev.len(), 1);
        assert!(ev[0].starts_with("problem the file is empty; keeping the previous 2 records"), "{ev:?}");
        write(&sdn, &format!("{ROW_A}2,\"BETA"));
        let ev = events(&mut feed);
        assert!(ev.len() == 1 && ev[0].contains("cut short"), "{ev:?}");
        // The good file again: nothing was lost, so nothing to say.
        write(&sdn, &format!("{ROW_B}{ROW_A}"));
        assert!(events(&mut feed).is_empty());
    }

    #[test]
    fn the_comparison_survives_a_restart() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        let state = dir.path().join("state");
        write(&sdn, &format!("{ROW_A}{ROW_B}"));
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        events(&mut feed);
        drop(feed);
        write(&sdn, &format!("{ROW_B2}{ROW_C}"));
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        assert_eq!(
            events(&mut feed),
            ["amended ofac-2 program,programs", "added ofac-3", "removed ofac-1 ALPHA TRADING LTD"]
        );
        // Restarted again with no change: the records load as the baseline, no news.
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        assert_eq!(events(&mut feed), ["baseline ofac-2", "baseline ofac-3"]);
    }

    #[test]
    fn a_damaged_state_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        let state = dir.path().join("state");
        write(&sdn, ROW_A);
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        events(&mut feed);
        let saved = fingerprints_file(&state);
        std::fs::write(&saved, b"{not json").expect("damage");
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        let ev = events(&mut feed);
        assert!(ev[0].starts_with("problem the remembered state") && ev[0].contains("damaged"), "{ev:?}");
        assert_eq!(&ev[1..], ["baseline ofac-1"]);
        assert!(saved.with_extension("damaged").exists());
    }

    #[test]
    fn a_list_that_lost_records_is_held_until_a_second_download_gives_the_same() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        let rows = |n: usize| -> String {
            (1..=n)
                .map(|i| format!("{i},\"FIRM {i}\",-0- ,\"X\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n"))
                .collect()
        };
        write(&sdn, &rows(40));
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, None, false);
        events(&mut feed);
        // One delisting of 40 is news at once.
        write(&sdn, &rows(39));
        assert_eq!(events(&mut feed), ["removed ofac-40 FIRM 40"]);
        // A download cut at a row boundary (as the issue found: 20 of 30) is held, whatever it says.
        write(&sdn, &rows(20));
        let ev = events(&mut feed);
        assert!(ev.len() == 1 && ev[0].contains("held: 19 of the 39 records"), "{ev:?}");
        // A better download after it is read as usual, against the last good one.
        write(&sdn, &rows(38));
        assert_eq!(events(&mut feed), ["removed ofac-39 FIRM 39"]);
        // A list that really shrank arrives again the same: then it is applied.
        write(&sdn, &rows(30));
        assert!(events(&mut feed)[0].starts_with("problem held: 8 of the 38"));
        write(&sdn, &rows(30));
        let ev = events(&mut feed);
        assert_eq!(ev.len(), 8, "{ev:?}");
        assert!(ev.iter().all(|e| e.starts_with("removed ofac-")), "{ev:?}");
    }

    #[test]
    fn a_download_without_the_end_mark_after_one_with_it_is_cut_short() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        write(&sdn, &format!("{ROW_A}{ROW_B}\x1a\r\n"));
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, None, false);
        assert_eq!(events(&mut feed), ["baseline ofac-1", "baseline ofac-2"]);
        write(&sdn, ROW_A);
        let ev = events(&mut feed);
        assert!(ev.len() == 1 && ev[0].contains("end-of-file mark"), "{ev:?}");
        write(&sdn, &format!("{ROW_A}\x1a"));
        assert_eq!(events(&mut feed), ["removed ofac-2 BETA BANK"]);
    }

    #[test]
    fn an_empty_html_or_misshapen_companion_holds_the_set() {
        let dir = tempfile::tempdir().expect("tmp");
        let (sdn, alt) = (dir.path().join("sdn.csv"), dir.path().join("alt.csv"));
        write(&sdn, &format!("{ROW_A}{ROW_B}"));
        write(&alt, "1,10,\"aka\",\"ALPHA TRADE\",-0- \r\n");
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, None, false);
        assert_eq!(events(&mut feed), ["baseline ofac-1", "baseline ofac-2"]);
        for (contents, why) in [
            ("", "the aliases file is empty"),
            ("<!DOCTYPE html><html><body>Service Unavailable</body></html>\n", "looks like a web page"),
            ("ent_num;alt_num;type\r\n", "line 1: expected `ent_num` and 3 more fields"),
            ("1,10,\"aka\",\"ALPHA TR", "cut short"),
        ] {
            write(&alt, contents);
            let ev = events(&mut feed);
            assert!(ev.len() == 1 && ev[0].contains(why), "{contents:?}: {ev:?}");
        }
        write(&alt, "1,10,\"aka\",\"ALPHA TRADE\",-0- \r\n");
        assert_eq!(events(&mut feed), Vec::<String>::new(), "the good set again: nothing changed");
    }

    #[test]
    fn a_download_in_progress_is_read_once_it_is_still() {
        let dir = tempfile::tempdir().expect("tmp");
        let sdn = dir.path().join("sdn.csv");
        write(&sdn, ROW_A);
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, None, false);
        events(&mut feed);
        write(&sdn, &format!("{ROW_A}{ROW_C}"));
        let mut out = 0;
        feed.poll(false, &mut |_| out += 1);
        assert_eq!(out, 0, "changed since the last look: wait");
        feed.poll(false, &mut |_| out += 1);
        assert_eq!(out, 1, "still since the last look: read");
    }

    /// What a bad download can do: a real OFAC set (its official end mark added) and a
    /// real OpenSanctions file, each cut short at every line end and at bytes between, and cut with a web page, NULs or stray bytes
    /// after the cut. An OFAC set never gives a delisting (a cut loses the end mark, or the line end, or
    /// closes no quote); an entities file, which has no end mark, gives none beyond what the shrink guard
    /// lets through as news (fewer than `hold_shrink_records`), and most cuts are held.
    #[test]
    fn no_cut_or_garbled_download_gives_a_delisting_the_guard_would_hold() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/formats");
        let tails: [&[u8]; 4] =
            [b"", b"<html><body>502 Bad Gateway</body></html>\n", b"\0\0\0\0", b"\xff\xfe,,\"\r\n9"];
        let guard = ShrinkGuard::default();
        let cases = [
            ("ofac/sdn.csv", Format::OfacCsv, "sdn.csv", true),
            ("opensanctions/eu_fsf_t1.ftm.jsonl", Format::Ftm, "entities.ftm.json", false),
        ];
        for (sample, format, name, marked) in cases {
            let dir = tempfile::tempdir().expect("tmp");
            let path = dir.path().join(name);
            for companion in ["alt.csv", "add.csv", "sdn_comments.csv"].iter().filter(|_| marked) {
                std::fs::copy(root.join("ofac").join(companion), dir.path().join(companion)).expect("copy");
            }
            let mut good = std::fs::read(root.join(sample)).expect("sample");
            if marked {
                good.extend_from_slice(b"\x1a");
            }
            let (mut held, mut tried) = (0, 0);
            // Every cut at or beside a line end (where a cut leaves whole lines), and every 17th byte.
            let near_line_end = |i: usize| good[i.saturating_sub(2)..(i + 2).min(good.len())].contains(&b'\n');
            for cut in (0..good.len()).filter(|&i| i % 17 == 0 || near_line_end(i)) {
                for tail in tails.iter().filter(|t| t.is_empty() || cut % 13 == 0) {
                    std::fs::write(&path, &good).expect("write");
                    let mut feed = SnapshotFeed::new(path.clone(), format, None, false);
                    let baseline = events(&mut feed);
                    assert!(baseline.iter().all(|e| e.starts_with("baseline")), "{baseline:?}");
                    write(&path, &String::from_utf8_lossy(&[&good[..cut], tail].concat()));
                    let after = events(&mut feed);
                    let removed = after.iter().filter(|e| e.starts_with("removed")).count();
                    tried += 1;
                    held += usize::from(after.iter().any(|e| e.starts_with("problem")));
                    if marked {
                        assert_eq!(removed, 0, "{sample} cut at {cut} with {tail:?}: {after:?}");
                    } else {
                        assert!(!guard.holds(baseline.len(), removed), "{sample} cut at {cut}: {after:?}");
                    }
                }
            }
            assert!(held * 10 > tried * 9, "{sample}: {held} of {tried} held");
        }
    }

    /// After a restart whose download is bad (or held), the panel shows the last good rows, every field as
    /// it was read, with their source lines; a good download after it is compared with them as usual.
    #[test]
    fn a_restart_with_a_bad_download_shows_the_last_good_rows() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/formats");
        for (sample, format, name) in [
            ("ofac/sdn.csv", Format::OfacCsv, "sdn.csv"),
            ("opensanctions/eu_fsf_t1.ftm.jsonl", Format::Ftm, "entities.ftm.json"),
        ] {
            let dir = tempfile::tempdir().expect("tmp");
            let (path, state) = (dir.path().join(name), dir.path().join("state"));
            if format == Format::OfacCsv {
                for companion in ["alt.csv", "add.csv", "sdn_comments.csv"] {
                    std::fs::copy(root.join("ofac").join(companion), dir.path().join(companion)).expect("copy");
                }
            }
            std::fs::copy(root.join(sample), &path).expect("copy");
            let rows = |feed: &mut SnapshotFeed| {
                let mut out = Vec::new();
                feed.poll(true, &mut |e| match e {
                    SnapEvent::Baseline(r, line) => out.push(format!("{line} {}", serde_json::json!(r.fields_json()))),
                    SnapEvent::Problem(p) => out.push(format!("problem {p}")),
                    other => out.push(format!("{other:?}")),
                });
                out
            };
            let good = rows(&mut SnapshotFeed::new(path.clone(), format, Some(&state), true));
            assert!(good.len() >= 3, "{sample}: {good:?}");
            write(&path, "<html>502 Bad Gateway</html>\n");
            let mut after = rows(&mut SnapshotFeed::new(path.clone(), format, Some(&state), true));
            assert!(after.remove(0).starts_with("problem"), "{sample}");
            let sorted = |mut v: Vec<String>| {
                v.sort();
                v
            };
            assert_eq!(sorted(after), sorted(good.clone()), "{sample}: the last good rows, as they were");
            std::fs::copy(root.join(sample), &path).expect("copy");
            let mut feed = SnapshotFeed::new(path.clone(), format, Some(&state), true);
            assert_eq!(sorted(rows(&mut feed)), sorted(good), "{sample}: the good file again, nothing new");
        }
    }

    /// A file read a part at a time, its lines parsed on every core, is applied in the file's order: a
    /// later line of an id replaces an earlier one in another part, a delta's `DEL` takes out what came
    /// before it, and a problem names its line.
    #[test]
    fn entities_read_part_by_part_are_applied_in_the_files_order() {
        let party = |id: &str, name: &str| {
            format!(r#"{{"id":"{id}","schema":"Company","properties":{{"name":["{name}"],"topics":["sanction"]}}}}"#)
        };
        let mut text = String::new();
        for i in 0..5000 {
            text.push_str(&party(&format!("p{i}"), &format!("Firm {i}")));
            text.push('\n');
        }
        text.push_str(&party("p1", "Renamed"));
        text.push_str("\n{\"op\":\"DEL\",\"entity\":{\"id\":\"p2\"}}\n");
        let ts = Timestamp::from_utc(chrono::Utc::now());
        for part in [64, 4096, PART] {
            let Ok(entities) = read_entities(text.as_bytes(), part) else { panic!("{part}: read") };
            let rows = entities.derive(&ts);
            let title =
                |id: &str| rows.iter().find(|(r, _)| &*r.id == id).map(|(r, line)| (r.title().to_owned(), *line));
            assert_eq!(rows.len(), 4999, "{part}");
            assert_eq!(title("p1"), Some(("Renamed".to_owned(), 5001)), "{part}");
            assert_eq!(title("p2"), None, "{part}");
            assert_eq!(title("p4999"), Some(("Firm 4999".to_owned(), 5000)), "{part}");
        }
        let marked = format!("\u{feff}{text}");
        let Ok(entities) = read_entities(marked.as_bytes(), PART) else { panic!("a byte-order mark is skipped") };
        assert_eq!(entities.derive(&ts).len(), 4999);
        let cut = format!("{}{}", text, &party("p9", "Cut")[..30]);
        match read_entities(cut.as_bytes(), 4096) {
            Err(Unread::Lines(problem)) => assert!(problem.starts_with("line 5003: cut short"), "{problem}"),
            _ => panic!("a line cut short is a problem"),
        }
    }

    /// The state file keeps its shape (`{"title", "fields": {field: hash}}` for each `kind/id`): one written
    /// by an earlier build is read, its records compared with the new download.
    #[test]
    fn a_state_file_of_the_earlier_shape_is_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let (sdn, state) = (dir.path().join("sdn.csv"), dir.path().join("state"));
        write(&sdn, ROW_A);
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        events(&mut feed);
        let saved = fingerprints_file(&state);
        let mut json: serde_json::Value = serde_json::from_slice(&std::fs::read(&saved).expect("read")).expect("json");
        let records = json["records"].as_object_mut().expect("records");
        records["sanctions/ofac-1"]["fields"]["program"] = serde_json::json!(1);
        records.insert("sanctions/ofac-9".into(), serde_json::json!({"title": "OLD NAME", "fields": {"target": 7}}));
        std::fs::write(&saved, serde_json::to_vec(&json).expect("json")).expect("write");
        let mut feed = SnapshotFeed::new(sdn.clone(), Format::OfacCsv, Some(&state), true);
        assert_eq!(events(&mut feed), ["amended ofac-1 program", "removed ofac-9 OLD NAME"]);
    }
}

//! Reading the configured feed files: which files exist, what is new in them.
//!
//! [`Feeds`] expands each `[[feed]]` (a path or a glob) to files and keeps a [`tail::Tail`] for each. It
//! knows nothing of records: it hands out lines with their file, line number, kind and format.

pub mod snapshot;
pub mod tail;
pub mod watch;

use crate::config::FeedSpec;
use crate::formats::{self, Format};
use crate::model::vocab::Kind;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tail::{Tail, TailEvent};

/// What reading the feeds found.
#[derive(Debug)]
pub enum FeedEvent<'a> {
    /// Complete lines read in one piece (see [`TailEvent::Lines`]).
    Lines {
        file: &'a Arc<PathBuf>,
        first: u64,
        count: u64,
        bytes: &'a [u8],
        kind: Option<Kind>,
        format: Format,
    },
    Line {
        file: &'a Arc<PathBuf>,
        line: u64,
        bytes: &'a [u8],
        kind: Option<Kind>,
        format: Format,
    },
    TooLong {
        file: &'a Arc<PathBuf>,
        line: u64,
        len: u64,
    },
    Appeared {
        file: &'a Arc<PathBuf>,
    },
    Vanished {
        file: &'a Arc<PathBuf>,
    },
    Truncated {
        file: &'a Arc<PathBuf>,
    },
    Replaced {
        file: &'a Arc<PathBuf>,
    },
    /// A configured path (or glob) that names no file at start.
    Missing {
        file: &'a Arc<PathBuf>,
    },
    Unreadable {
        file: &'a Arc<PathBuf>,
        reason: String,
    },
}

struct Followed {
    file: Arc<PathBuf>,
    spec: usize,
    tail: Tail,
}

/// Every file the configuration names, followed.
pub struct Feeds {
    specs: Vec<FeedSpec>,
    files: BTreeMap<PathBuf, Followed>,
    max_line: usize,
    started: bool,
    /// Files held open at most (see [`crate::files::feed_files_open_at_most`]).
    max_open: usize,
}

impl Feeds {
    pub fn new(specs: Vec<FeedSpec>, max_line: usize) -> Self {
        Feeds { specs, files: BTreeMap::new(), max_line, started: false, max_open: usize::MAX }
    }

    /// Holds at most `n` files open: past it, a file is reported and left unopened until one closes, so
    /// that the state, the config and the log can always be opened.
    pub fn with_max_open(self, n: usize) -> Self {
        Feeds { max_open: n.max(1), ..self }
    }

    pub fn specs(&self) -> &[FeedSpec] {
        &self.specs
    }

    /// The files followed now, with whether each is open.
    /// Bytes of JSON Lines each kind's feeds hold now (named files only, not globs): to size the store
    /// before a first read.
    pub fn bytes_by_kind(&self) -> [u64; 4] {
        let mut out = [0; 4];
        for spec in self.specs.iter().filter(|s| s.format == Format::Jsonl && !s.is_glob()) {
            if let (Some(kind), Ok(meta)) = (spec.kind, std::fs::metadata(&spec.path)) {
                out[kind.index()] += meta.len();
            }
        }
        out
    }

    pub fn files(&self) -> impl Iterator<Item = (&Path, bool)> {
        self.files.values().map(|f| (f.file.as_path(), f.tail.was_read()))
    }

    /// Looks for new files matching a glob, then reads what is new in every file. The first call reads
    /// everything there is and reports configured paths that name no file.
    pub fn poll(&mut self, on: &mut dyn FnMut(FeedEvent<'_>)) {
        self.poll_within(None, on)
    }

    /// [`Feeds::poll`], reading at most about `budget` bytes of each file (see [`Tail::poll_within`]).
    pub fn poll_within(&mut self, budget: Option<u64>, on: &mut dyn FnMut(FeedEvent<'_>)) {
        self.read(budget, false, on)
    }

    /// Reads every file whole, taking the end of each as the end of its last line, and closes it before
    /// the next is opened: a one-shot read of any number of files holds one open at a time.
    pub fn read_once(&mut self, on: &mut dyn FnMut(FeedEvent<'_>)) {
        self.read(None, true, on)
    }

    fn read(&mut self, budget: Option<u64>, once: bool, on: &mut dyn FnMut(FeedEvent<'_>)) {
        let first = !self.started;
        self.started = true;
        self.discover(first, on);
        let mut open = self.files.values().filter(|f| f.tail.is_open()).count();
        for f in self.files.values_mut() {
            let spec = &self.specs[f.spec];
            let (file, kind, format) = (&f.file, spec.kind, spec.format);
            let mut on = |e: TailEvent<'_>| on(tail_event(file, kind, format, e));
            if !f.tail.is_open() && open >= self.max_open && is_file(f.tail.path()) {
                f.tail.refuse(too_many_open(self.max_open), &mut on);
                continue;
            }
            let was_open = f.tail.is_open();
            f.tail.poll_within(budget, &mut on);
            if once {
                f.tail.finish(&mut on);
                f.tail.close();
            } else if was_open != f.tail.is_open() {
                open = if was_open { open - 1 } else { open + 1 };
            }
        }
    }

    /// Whether a file has more to read than the last poll's budget let it.
    pub fn has_more(&self) -> bool {
        self.files.values().any(|f| f.tail.has_more())
    }

    /// Bytes read of the files followed, and what they hold now: how far a first read has come.
    pub fn progress(&self) -> (u64, u64) {
        self.files.values().filter_map(|f| f.tail.progress()).fold((0, 0), |(r, s), (a, b)| (r + a, s + b))
    }

    /// Adds a tail for each configured file and each new glob match.
    fn discover(&mut self, first: bool, on: &mut dyn FnMut(FeedEvent<'_>)) {
        for (i, spec) in self.specs.iter().enumerate() {
            if spec.format.is_snapshot() {
                // Published lists are read whole by `snapshot::SnapshotFeed`.
                continue;
            }
            if spec.is_glob() {
                let pattern = spec.path.to_string_lossy();
                let mut matches: Vec<PathBuf> = match glob::glob(&pattern) {
                    Ok(paths) => paths.filter_map(Result::ok).filter(|p| !p.is_dir()).collect(),
                    Err(_) => Vec::new(),
                };
                matches.extend(not_utf8_matches(&spec.path));
                if first && matches.is_empty() {
                    on(FeedEvent::Missing { file: &Arc::new(spec.path.clone()) });
                }
                for path in matches {
                    if self.files.contains_key(&path) {
                        continue;
                    }
                    let tail = Tail::new(path.clone(), self.max_line);
                    let file = Arc::new(path.clone());
                    if !first {
                        // Found after start: the poll that follows reads all of it.
                        on(FeedEvent::Appeared { file: &file });
                    }
                    self.files.insert(path, Followed { file, spec: i, tail });
                }
            } else if !self.files.contains_key(&spec.path) {
                if first && !spec.path.exists() {
                    on(FeedEvent::Missing { file: &Arc::new(spec.path.clone()) });
                }
                let tail = Tail::new(spec.path.clone(), self.max_line);
                let file = Arc::new(spec.path.clone());
                self.files.insert(spec.path.clone(), Followed { file, spec: i, tail });
            }
        }
    }

    /// A matcher that says whether a path is one of the feeds, for filtering watcher events. It works on
    /// absolute paths, as the watcher reports them.
    pub fn matcher(&self) -> PathMatcher {
        let companions = self
            .specs
            .iter()
            .filter(|s| s.format == Format::OfacCsv)
            .filter_map(|s| formats::ofac::companions(&s.path))
            .flatten()
            .map(|p| absolute(&p));
        PathMatcher {
            exact: self.specs.iter().filter(|s| !s.is_glob()).map(|s| absolute(&s.path)).chain(companions).collect(),
            globs: self
                .specs
                .iter()
                .filter(|s| s.is_glob())
                .filter_map(|s| glob::Pattern::new(&absolute(&s.path).to_string_lossy()).ok())
                .collect(),
        }
    }

    /// The folders to watch, absolute: each feed's folder (for a glob, its part before the first wildcard),
    /// and whether the watch must reach below it (a wildcard in a folder name).
    pub fn watch_dirs(&self) -> Vec<(PathBuf, bool)> {
        let mut dirs: Vec<(PathBuf, bool)> = self.specs.iter().map(|s| base_dir(&absolute(&s.path))).collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }
}

fn tail_event<'a>(file: &'a Arc<PathBuf>, kind: Option<Kind>, format: Format, e: TailEvent<'a>) -> FeedEvent<'a> {
    match e {
        TailEvent::Lines { first, count, bytes } => FeedEvent::Lines { file, first, count, bytes, kind, format },
        TailEvent::Line { line, bytes } => FeedEvent::Line { file, line, bytes, kind, format },
        TailEvent::TooLong { line, len } => FeedEvent::TooLong { file, line, len },
        TailEvent::Appeared => FeedEvent::Appeared { file },
        TailEvent::Vanished => FeedEvent::Vanished { file },
        TailEvent::Truncated => FeedEvent::Truncated { file },
        TailEvent::Replaced => FeedEvent::Replaced { file },
        TailEvent::Unreadable(reason) => FeedEvent::Unreadable { file, reason },
    }
}

/// Says whether a path belongs to a configured feed.
#[derive(Clone, Debug)]
pub struct PathMatcher {
    exact: Vec<PathBuf>,
    globs: Vec<glob::Pattern>,
}

impl PathMatcher {
    /// The same matcher, also matching `path` (made absolute).
    pub fn with(mut self, path: &Path) -> Self {
        self.exact.push(absolute(path));
        self
    }

    pub fn matches(&self, path: &Path) -> bool {
        // A name that is not UTF-8 is matched as read with replacement characters (see `not_utf8_matches`).
        self.exact.iter().any(|p| p == path) || self.globs.iter().any(|g| g.matches(&path.to_string_lossy()))
    }
}

/// The folder part of a path or glob: everything before the first component with a wildcard; and whether
/// that wildcard is in a folder name (so files deeper down match too).
fn base_dir(path: &Path) -> (PathBuf, bool) {
    let parts: Vec<_> = path.components().collect();
    let mut out = PathBuf::new();
    for (i, c) in parts.iter().enumerate() {
        if c.as_os_str().to_string_lossy().contains(['*', '?', '[']) {
            return (out, i + 1 < parts.len());
        }
        out.push(c);
    }
    (out.parent().map(Path::to_path_buf).unwrap_or(out), false)
}

/// The files in a glob's folder whose names are not UTF-8 and that the glob matches once their names are
/// read with a replacement character for each bad byte: the glob crate passes them by without a word,
/// and a scraper that writes names in Latin-1 would lose its records. (Only a glob whose wildcards are all
/// in its last component: `feeds/*.jsonl`, not `feeds/*/x.jsonl`.)
fn not_utf8_matches(glob: &Path) -> Vec<PathBuf> {
    let (Some(dir), Some(name)) = (glob.parent(), glob.file_name()) else { return Vec::new() };
    let (Some(dir_text), Ok(pattern)) = (dir.to_str(), glob::Pattern::new(&name.to_string_lossy())) else {
        return Vec::new();
    };
    if dir_text.contains(['*', '?', '[']) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(if dir_text.is_empty() { Path::new(".") } else { dir }) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_str().is_none() && pattern.matches(&e.file_name().to_string_lossy()))
        .map(|e| dir.join(e.file_name()))
        .filter(|p| !p.is_dir())
        .collect()
}

/// `path` made absolute against the current folder (without resolving links).
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn is_file(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
}

fn too_many_open(max: usize) -> String {
    format!(
        "not opened: {max} feed files are open, as many as the limit of open files leaves for feeds (the rest \
         is kept for the state, the config and the log); raise the limit (`ulimit -n`) or follow fewer \
         files. It is opened when another closes"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose name is not UTF-8 is followed when the glob matches its name as read (the glob crate
    /// alone passes it by).
    #[test]
    fn a_glob_matches_a_file_whose_name_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("dir");
        let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9.jsonl"));
        std::fs::write(&odd, "{}\n").expect("write");
        std::fs::write(dir.path().join("plain.jsonl"), "{}\n").expect("write");
        std::fs::write(dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")), "{}\n").expect("write");
        assert_eq!(not_utf8_matches(&dir.path().join("*.jsonl")), [odd]);
        assert_eq!(not_utf8_matches(&dir.path().join("*/x.jsonl")), Vec::<PathBuf>::new());
    }

    #[test]
    fn base_dirs_of_paths_and_globs() {
        assert_eq!(base_dir(Path::new("/f/a.jsonl")), (PathBuf::from("/f"), false));
        assert_eq!(base_dir(Path::new("/f/*.jsonl")), (PathBuf::from("/f"), false));
        assert_eq!(base_dir(Path::new("/f/*/a.jsonl")), (PathBuf::from("/f"), true));
    }

    #[test]
    fn the_matcher_knows_feed_files_and_nothing_else() {
        let spec = |p: &str| FeedSpec {
            given: p.into(),
            path: p.into(),
            kind: None,
            format: Format::Jsonl,
            poll_ms: None,
            deltas: None,
        };
        let feeds = Feeds::new(vec![spec("/f/a.jsonl"), spec("/g/*.jsonl")], 100);
        let m = feeds.matcher();
        assert!(m.matches(Path::new("/f/a.jsonl")));
        assert!(m.matches(Path::new("/g/new.jsonl")));
        assert!(!m.matches(Path::new("/f/a.jsonl.tmp")));
        assert!(!m.matches(Path::new("/g/watchfloor.log")));
    }

    fn glob_of(dir: &Path) -> FeedSpec {
        let path = dir.join("*.jsonl");
        FeedSpec { given: path.clone(), path, kind: None, format: Format::Jsonl, poll_ms: None, deltas: None }
    }

    /// Lines read per file, and the problems reported, by a poll.
    fn poll(feeds: &mut Feeds, once: bool) -> (BTreeMap<String, u64>, Vec<String>) {
        let (mut lines, mut problems) = (BTreeMap::new(), Vec::new());
        let name = |f: &Arc<PathBuf>| f.file_name().map_or(String::new(), |n| n.to_string_lossy().into_owned());
        let mut on = |e: FeedEvent<'_>| match e {
            FeedEvent::Lines { file, count, .. } => *lines.entry(name(file)).or_default() += count,
            FeedEvent::Line { file, .. } => *lines.entry(name(file)).or_default() += 1,
            FeedEvent::Unreadable { file, reason } => problems.push(format!("{}: {reason}", name(file))),
            _ => {}
        };
        if once {
            feeds.read_once(&mut on)
        } else {
            feeds.poll(&mut on)
        }
        (lines, problems)
    }

    /// Issue 19: a glob of more files than the limit of open files left most of them unread with "Too
    /// many open files", and the state could then not be saved. Past the limit a file is now reported
    /// once and left unopened (descriptors stay free for the state), and it is read when another closes.
    #[test]
    fn files_past_the_open_limit_are_reported_and_read_when_another_closes() {
        let dir = tempfile::tempdir().expect("dir");
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.jsonl")), "{}\n{}\n").expect("write");
        }
        let mut feeds = Feeds::new(vec![glob_of(dir.path())], 100).with_max_open(3);
        let (lines, problems) = poll(&mut feeds, false);
        assert_eq!(lines.keys().collect::<Vec<_>>(), ["0.jsonl", "1.jsonl", "2.jsonl"]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].starts_with("3.jsonl: not opened: 3 feed files are open"), "{problems:?}");
        assert!(problems[0].contains("`ulimit -n`"), "{problems:?}");
        assert_eq!(feeds.files().filter(|(_, open)| *open).count(), 3);

        assert_eq!(poll(&mut feeds, false), (BTreeMap::new(), Vec::new()), "said once, not at every poll");

        std::fs::remove_file(dir.path().join("0.jsonl")).expect("remove");
        let (lines, problems) = poll(&mut feeds, false);
        assert_eq!(lines, BTreeMap::from([("3.jsonl".to_string(), 2)]), "read once a file closed");
        assert!(problems.is_empty(), "{problems:?}");
    }

    /// A one-shot read (`check`, `snapshot`) closes each file before it opens the next: every file is
    /// read however low the limit.
    #[test]
    fn a_one_shot_read_reads_every_file_whatever_the_open_limit() {
        let dir = tempfile::tempdir().expect("dir");
        for i in 0..5 {
            std::fs::write(dir.path().join(format!("{i}.jsonl")), "{}\n{}").expect("write");
        }
        let mut feeds = Feeds::new(vec![glob_of(dir.path())], 100).with_max_open(1);
        let (lines, problems) = poll(&mut feeds, true);
        assert_eq!(lines.values().sum::<u64>(), 10, "two lines of each of five files, the last unended: {lines:?}");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(feeds.files().filter(|(_, read)| *read).count(), 5, "each counts as read");
    }
}

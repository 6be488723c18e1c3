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
}

impl Feeds {
    pub fn new(specs: Vec<FeedSpec>, max_line: usize) -> Self {
        Feeds { specs, files: BTreeMap::new(), max_line, started: false }
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
        self.files.values().map(|f| (f.file.as_path(), f.tail.is_open()))
    }

    /// Looks for new files matching a glob, then reads what is new in every file. The first call reads
    /// everything there is and reports configured paths that name no file.
    pub fn poll(&mut self, on: &mut dyn FnMut(FeedEvent<'_>)) {
        self.poll_within(None, on)
    }

    /// [`Feeds::poll`], reading at most about `budget` bytes of each file (see [`Tail::poll_within`]).
    pub fn poll_within(&mut self, budget: Option<u64>, on: &mut dyn FnMut(FeedEvent<'_>)) {
        let first = !self.started;
        self.started = true;
        self.discover(first, on);
        for f in self.files.values_mut() {
            let spec = &self.specs[f.spec];
            let (file, kind, format) = (&f.file, spec.kind, spec.format);
            f.tail.poll_within(budget, &mut |e| on(tail_event(file, kind, format, e)));
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

    /// Ends the last line of every file at the end of the file (for one-shot reads).
    pub fn finish(&mut self, on: &mut dyn FnMut(FeedEvent<'_>)) {
        for f in self.files.values_mut() {
            let spec = &self.specs[f.spec];
            let (file, kind, format) = (&f.file, spec.kind, spec.format);
            f.tail.finish(&mut |e| on(tail_event(file, kind, format, e)));
        }
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
}

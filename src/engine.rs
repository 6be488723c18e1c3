//! The one place that wires feeds to the store: lines in, records and [`Change`]s out.
//!
//! The engine does no waiting of its own: a caller (the `follow` command, the dashboard) decides when to
//! [`Engine::poll`], usually when the watcher wakes it. Headless commands and the UI consume the same changes.

use crate::config::Config;
use crate::feed::formats::{jsonl, Format};
use crate::feed::{FeedEvent, Feeds};
use crate::model::store::{Applied, Origin, Store};
use crate::model::vocab::Kind;
use crate::text::clean_path;
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    RecordAdded {
        kind: Kind,
        id: String,
        origin: Origin,
    },
    RecordUpdated {
        kind: Kind,
        id: String,
        origin: Origin,
        versions: usize,
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
}

/// How many feed errors are kept for `check`, `snapshot` and the error list; older ones are dropped.
const MAX_ERRORS_KEPT: usize = 10_000;

pub struct Engine {
    feeds: Feeds,
    store: Store,
    errors: Vec<FeedError>,
    errors_dropped: u64,
}

impl Engine {
    pub fn new(config: &Config) -> Self {
        Engine {
            feeds: Feeds::new(config.feeds.clone(), config.limits.max_line_bytes),
            store: Store::new(),
            errors: Vec::new(),
            errors_dropped: 0,
        }
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

    /// Reads whatever is new in every feed and applies it. The first call reads everything.
    pub fn poll(&mut self) -> Vec<Change> {
        let mut changes = Vec::new();
        let store = &mut self.store;
        self.feeds.poll(&mut |e| on_event(store, e, &mut changes));
        self.keep_errors(&changes);
        changes
    }

    /// Reads everything once, taking the end of each file as the end of its last line: for commands that
    /// look at the feeds as they are and exit.
    pub fn load_once(&mut self) -> Vec<Change> {
        let mut changes = Vec::new();
        let store = &mut self.store;
        self.feeds.poll(&mut |e| on_event(store, e, &mut changes));
        self.feeds.finish(&mut |e| on_event(store, e, &mut changes));
        self.keep_errors(&changes);
        changes
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

fn on_event(store: &mut Store, e: FeedEvent<'_>, out: &mut Vec<Change>) {
    let error = |file: &Arc<PathBuf>, line: Option<u64>, message: String| {
        tracing::debug!("{}:{}: {message}", file.display(), line.unwrap_or(0));
        Change::FeedError(FeedError { file: file.clone(), line, message })
    };
    match e {
        FeedEvent::Line { file, line, bytes, kind, format } => {
            let parsed = match format {
                Format::Jsonl => jsonl::parse_line(bytes, kind),
            };
            match parsed {
                Ok(None) => {}
                Ok(Some(record)) => {
                    let (kind, id) = (record.kind, record.id.clone());
                    let origin = Origin { file: file.clone(), line };
                    match store.apply(record, origin.clone()) {
                        Applied::Added => out.push(Change::RecordAdded { kind, id, origin }),
                        Applied::Updated { versions } => out.push(Change::RecordUpdated { kind, id, origin, versions }),
                        Applied::Duplicate => {}
                    }
                }
                Err(message) => out.push(error(file, Some(line), message)),
            }
        }
        FeedEvent::TooLong { file, line, len } => out.push(error(
            file,
            Some(line),
            format!("line is {len} bytes, longer than the limit (limits.max_line_bytes): skipped"),
        )),
        FeedEvent::Unreadable { file, reason } => out.push(error(file, None, reason)),
        FeedEvent::Appeared { file } => out.push(Change::FileAppeared { file: file.clone() }),
        FeedEvent::Vanished { file } => out.push(Change::FileVanished { file: file.clone() }),
        FeedEvent::Truncated { file } => out.push(Change::FileTruncated { file: file.clone() }),
        FeedEvent::Replaced { file } => out.push(Change::FileReplaced { file: file.clone() }),
        FeedEvent::Missing { file } => out.push(Change::FeedMissing { file: file.clone() }),
    }
}

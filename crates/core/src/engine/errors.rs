//! The feed errors kept for `check`, `snapshot` and the error list: the most recent ones, and a count of all.

use super::change::Change;
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

/// How many errors of each file are written to the log; later ones are counted there now and then.
const LOGGED_PER_FILE: u64 = 100;

/// How many feed errors are kept; older ones are dropped (and counted).
pub const MAX_ERRORS_KEPT: usize = 10_000;

/// The errors seen so far: the most recent [`MAX_ERRORS_KEPT`], oldest first, and how many were dropped.
#[derive(Debug, Default)]
pub struct ErrorLog {
    kept: Vec<FeedError>,
    dropped: u64,
    /// How many errors each file had, whether or not they are still kept.
    files: std::collections::HashMap<Arc<PathBuf>, u64>,
}

impl ErrorLog {
    /// Notes the errors among `changes` (a feed missing at start counts as one).
    pub fn note(&mut self, changes: &[Change]) {
        for c in changes {
            let error = match c {
                Change::FeedError(e) => e.clone(),
                Change::FeedMissing { file } => FeedError {
                    file: file.clone(),
                    line: None,
                    message: "missing: no such file (it is followed once it appears)".into(),
                },
                _ => continue,
            };
            let count = match self.files.get_mut(&error.file) {
                Some(n) => n,
                None => self.files.entry(error.file.clone()).or_default(),
            };
            *count += 1;
            // The log has each file's first errors, then a count now and then: a file of millions of bad
            // lines does not make a log of millions of lines.
            if *count <= LOGGED_PER_FILE {
                tracing::warn!("{error}");
            } else if count.is_power_of_two() {
                tracing::warn!(
                    "{}: {count} problems so far (after the first {LOGGED_PER_FILE}, only counted here; `check` and \
                     the error list have the most recent)",
                    clean_path(&error.file)
                );
            }
            self.kept.push(error);
        }
        if self.kept.len() > MAX_ERRORS_KEPT {
            let extra = self.kept.len() - MAX_ERRORS_KEPT;
            self.kept.drain(..extra);
            self.dropped += extra as u64;
        }
    }

    pub fn kept(&self) -> &[FeedError] {
        &self.kept
    }

    /// How many errors were seen in all, including those no longer kept.
    pub fn count(&self) -> u64 {
        self.kept.len() as u64 + self.dropped
    }

    /// How many files had an error.
    pub fn files(&self) -> usize {
        self.files.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(line: u64) -> Change {
        Change::FeedError(FeedError { file: Arc::new("/f/a.jsonl".into()), line: Some(line), message: "bad".into() })
    }

    #[test]
    fn errors_and_missing_feeds_are_kept_other_changes_are_not() {
        let mut log = ErrorLog::default();
        let missing = Change::FeedMissing { file: Arc::new("/f/b.jsonl".into()) };
        let appeared = Change::FileAppeared { file: Arc::new("/f/c.jsonl".into()) };
        log.note(&[error(3), missing, appeared]);
        assert_eq!(log.count(), 2);
        assert_eq!(log.kept()[0].to_string(), "/f/a.jsonl:3: bad");
        assert!(log.kept()[1].to_string().starts_with("/f/b.jsonl: missing"), "{}", log.kept()[1]);
        log.note(&[error(4)]);
        assert_eq!((log.count(), log.files()), (3, 2), "three errors in two files");
    }

    #[test]
    fn beyond_the_limit_the_oldest_go_and_are_still_counted() {
        let mut log = ErrorLog::default();
        let many: Vec<Change> = (1..=MAX_ERRORS_KEPT as u64 + 5).map(error).collect();
        log.note(&many);
        assert_eq!(log.kept().len(), MAX_ERRORS_KEPT);
        assert_eq!(log.kept()[0].line, Some(6), "the five oldest are dropped");
        assert_eq!(log.count(), MAX_ERRORS_KEPT as u64 + 5);
    }
}

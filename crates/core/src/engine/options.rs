//! What the engine needs to know, and nothing more: the feeds, the line limit, the category vocabulary,
//! the watch rules, retention, and where published lists remember their last download. Taken from
//! [`Config`] by the front ends; tests build it directly.

use crate::config::{Config, FeedSpec, Retention, ShrinkGuard};
use crate::model::links::Vocabulary;
use crate::model::rules::Rule;
use crate::model::vocab::Kind;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Options {
    pub feeds: Vec<FeedSpec>,
    /// A line longer than this is skipped (`limits.max_line_bytes`).
    pub max_line_bytes: usize,
    /// When a new download of a published list is held (`limits.hold_shrink_*`).
    pub shrink: ShrinkGuard,
    /// Bytes of each line feed a poll reads at most ([`crate::engine::read::PER_POLL`]); the rest is read
    /// by the next polls, the first read included.
    pub read_per_poll: u64,
    /// Feed files held open at most ([`crate::files::feed_files_open_at_most`]).
    pub max_open_files: usize,
    /// Versions kept of one record at most (`limits.max_versions`; 0: every version).
    pub max_versions: usize,
    pub categories: Vocabulary,
    pub rules: Vec<Rule>,
    pub retention: BTreeMap<Kind, Retention>,
    /// The state folder published lists compare their new contents with; none: every read is a first.
    pub state_dir: Option<PathBuf>,
    /// Whether that comparison is written back (the dashboard and `follow` do; `check` and `snapshot`
    /// only look, so a cron job does not use up the news).
    pub persist: bool,
}

impl Options {
    /// The engine's part of a configuration, remembering nothing between runs.
    pub fn from_config(config: &Config) -> Self {
        Options {
            feeds: config.feeds.clone(),
            max_line_bytes: config.limits.max_line_bytes,
            shrink: config.limits.shrink,
            read_per_poll: crate::engine::read::PER_POLL,
            max_open_files: crate::files::feed_files_open_at_most(),
            max_versions: config.limits.max_versions,
            categories: config.categories.clone(),
            rules: config.rules.clone(),
            retention: config.retention.clone(),
            state_dir: None,
            persist: false,
        }
    }

    /// The same, comparing published lists with what `state_dir` remembers (and with `persist`, keeping it).
    pub fn with_state(self, state_dir: Option<&std::path::Path>, persist: bool) -> Self {
        Options { state_dir: state_dir.map(PathBuf::from), persist, ..self }
    }
}

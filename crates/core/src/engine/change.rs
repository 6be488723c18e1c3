//! What the engine says happened: the one event type headless commands and the dashboard consume.

use super::errors::FeedError;
use crate::model::store::FileLine;
use crate::model::vocab::Kind;
use std::path::PathBuf;
use std::sync::Arc;

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
        origin: FileLine,
        news: bool,
    },
    RecordUpdated {
        kind: Kind,
        id: Arc<str>,
        origin: FileLine,
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
    /// A record whose row may read differently because a record it is linked to arrived or changed
    /// (`by`): a supplier that becomes SANCTIONED, a target that gets `⚑`, a shortage whose cover moves.
    Relinked {
        kind: Kind,
        id: String,
        by: (Kind, String),
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
    /// What made the record match.
    pub cause: Cause,
}

pub use crate::model::news::Cause;

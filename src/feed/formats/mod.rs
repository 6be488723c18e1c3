//! Input formats: bytes of one line in, a record (or the reason it cannot be used) out.

pub mod jsonl;

use serde::{Deserialize, Serialize};

/// The format of a feed, as named in `config.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// JSON Lines in watchfloor's own shape (`docs/feeds.md`).
    #[default]
    Jsonl,
}

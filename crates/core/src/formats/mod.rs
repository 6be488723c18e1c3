//! Input formats: bytes of one line in, a record (or the reason it cannot be used) out.

pub mod ftm;
pub mod jsonl;
pub mod ofac;

use serde::{Deserialize, Serialize};

/// The format of a feed, as named in `config.toml`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// JSON Lines in watchfloor's own shape (`docs/feeds.md`).
    #[default]
    Jsonl,
    /// OpenSanctions FollowTheMoney entities, or their delta files.
    Ftm,
    /// The US Treasury's legacy OFAC CSV files (`sdn.csv` or `cons_prim.csv`, with their companions).
    OfacCsv,
}

impl Format {
    /// Formats whose files are published whole: read entire, and compared with the previous contents.
    pub fn is_snapshot(self) -> bool {
        matches!(self, Format::Ftm | Format::OfacCsv)
    }

    /// The name used in `config.toml`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Ftm => "ftm",
            Format::OfacCsv => "ofac-csv",
        }
    }
}

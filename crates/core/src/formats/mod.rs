//! Input formats, one module each: bytes in, records (or the reason they cannot be used) out. A format
//! followed line by line gives the engine its [`LineParser`]; a published list is read whole by
//! `feed::snapshot` through its module's reader.

pub mod ftm;
pub mod jsonl;
pub mod ofac;

use crate::model::packed::{Packed, Packer};
use crate::model::schema::Field;
use crate::model::vocab::Kind;
use serde::{Deserialize, Serialize};

/// How a format read line by line turns one line (without its newline) into a record packed as the store
/// keeps it: `Ok(None)` for a line that holds none (blank), `Err` with the reason a line cannot be used.
/// The kind is the feed's, for lines that do not say theirs; `each` is given every text of the record's
/// declared fields as it is packed (the links are prepared from them on the parser thread).
pub type LineParser = fn(
    &[u8],
    Option<Kind>,
    &mut LineState,
    &mut dyn FnMut(Kind, &'static Field, &str),
) -> Result<Option<Packed>, String>;

/// What one reader of lines (a parser thread) keeps from one line to the next: the packer of the store
/// its records go to, and what a format remembers of the line before (JSON Lines: the order of its keys).
#[derive(Debug)]
pub struct LineState {
    pub packer: Packer,
    pub(crate) key_order: jsonl::plain::KeyOrder,
    /// Whether the last line parsed was a plain one (printable ASCII, no escapes, packed the quick way):
    /// every text of its record is then in the line as written (see `engine::rules`).
    pub last_was_plain: bool,
    /// A buffer for the last line in lower case (see `engine::rules`).
    pub lower: Vec<u8>,
}

impl LineState {
    pub fn new(packer: Packer) -> Self {
        LineState { packer, key_order: Default::default(), last_was_plain: false, lower: Vec::new() }
    }

    /// For records of no store (every text written out).
    pub fn plain() -> Self {
        Self::new(Packer::plain())
    }
}

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
        self.line_parser().is_none()
    }

    /// The parser of a format whose files are followed line by line (`tail -F`); none for a published
    /// list, read whole (`feed::snapshot`).
    pub fn line_parser(self) -> Option<LineParser> {
        match self {
            Format::Jsonl => Some(jsonl::parse_packed_with),
            Format::Ftm | Format::OfacCsv => None,
        }
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

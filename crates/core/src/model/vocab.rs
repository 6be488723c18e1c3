//! The closed vocabularies of the feeds: kinds, levels, actions, stages, statuses.
//!
//! Each is parsed leniently (case, `_`, `-` and spaces are equivalent) and written in one canonical
//! snake_case spelling.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Defines a closed vocabulary: an enum, its canonical names, and lenient parsing.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The canonical name, as written in feeds and JSON output.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses `s`, ignoring case and treating `_`, `-` and spaces alike.
            pub fn parse(s: &str) -> Option<Self> {
                // Nearly every feed writes the canonical name: found without building a lower-case copy.
                if let Some(v) = Self::ALL.iter().copied().find(|v| v.as_str() == s) {
                    return Some(v);
                }
                let norm: String = s
                    .trim()
                    .chars()
                    .map(|c| if c == '-' || c == ' ' { '_' } else { c.to_ascii_lowercase() })
                    .collect();
                Self::ALL.iter().copied().find(|v| v.as_str() == norm)
            }

            /// The accepted names, for error messages: `a, b, c`.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

vocabulary! {
    /// What a record is about; each kind has its own panel.
    Kind {
        Sanctions => "sanctions",
        Suppliers => "suppliers",
        Aid => "aid",
        Shortages => "shortages",
    }
}

impl Kind {
    /// The kind's place in [`Kind::ALL`] (its panel's number minus one).
    pub fn index(self) -> usize {
        self as usize
    }
}

vocabulary! {
    /// Risk of a supplier, severity of a shortage.
    Level {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
}

vocabulary! {
    /// What a sanctions authority did.
    Action {
        Designated => "designated",
        Delisted => "delisted",
        Amended => "amended",
    }
}

vocabulary! {
    /// What a sanctions designation targets.
    TargetType {
        Entity => "entity",
        Individual => "individual",
        Vessel => "vessel",
        Aircraft => "aircraft",
        Bank => "bank",
    }
}

vocabulary! {
    /// Where an aid package stands, from proposal to delivery.
    Stage {
        Proposed => "proposed",
        InCommittee => "in_committee",
        PassedOneChamber => "passed_one_chamber",
        PassedBoth => "passed_both",
        Signed => "signed",
        Obligated => "obligated",
        Delivering => "delivering",
        Delivered => "delivered",
        Stalled => "stalled",
        Cancelled => "cancelled",
    }
}

vocabulary! {
    /// Whether a reported shortage still holds.
    ShortageStatus {
        Reported => "reported",
        Easing => "easing",
        Resolved => "resolved",
    }
}

/// Every canonical word of the vocabularies a declared field is written in (levels, actions, target types,
/// stages, statuses): a word field reads as one of these, whatever spelling its line had.
pub fn field_words() -> impl Iterator<Item = &'static str> {
    let levels = Level::ALL.iter().map(|v| v.as_str());
    let actions = Action::ALL.iter().map(|v| v.as_str());
    let targets = TargetType::ALL.iter().map(|v| v.as_str());
    let stages = Stage::ALL.iter().map(|v| v.as_str());
    levels.chain(actions).chain(targets).chain(stages).chain(ShortageStatus::ALL.iter().map(|v| v.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_ignores_case_and_separators() {
        assert_eq!(Stage::parse("Passed One Chamber"), Some(Stage::PassedOneChamber));
        assert_eq!(Stage::parse("in-committee"), Some(Stage::InCommittee));
        assert_eq!(Stage::parse("in_committee"), Some(Stage::InCommittee));
        assert_eq!(Kind::parse("SANCTIONS"), Some(Kind::Sanctions));
        assert_eq!(Level::parse("severe"), None);
    }

    #[test]
    fn levels_are_ordered() {
        assert!(Level::Critical > Level::High && Level::High > Level::Medium && Level::Medium > Level::Low);
    }

    #[test]
    fn expected_lists_every_name() {
        assert_eq!(Action::expected(), "designated, delisted, amended");
    }
}

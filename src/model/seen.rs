//! What the analyst has acknowledged, kept across restarts: one fingerprint per record id (of the version
//! acknowledged), in `seen.json` in the state folder. A record whose id is not there is new; one whose
//! current version differs has changed since it was acknowledged.

use super::record::Record;
use super::vocab::Kind;
use crate::state::{fnv1a, set_aside, write_atomic};
use crate::text::clean_path;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How a record stands against what was acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unseen {
    New,
    Changed,
}

#[derive(Debug, Default)]
pub struct Seen {
    path: Option<PathBuf>,
    map: HashMap<(Kind, String), u64>,
    /// No state existed: this run's first contents are taken as acknowledged.
    fresh: bool,
    /// A problem with the state file, for the analyst to see.
    pub problem: Option<String>,
}

impl Seen {
    /// Loads `seen.json` from the state folder; without a folder nothing is remembered.
    pub fn load(dir: Option<&Path>) -> Seen {
        let Some(dir) = dir else { return Seen { fresh: true, ..Seen::default() } };
        let path = dir.join("seen.json");
        let mut seen = Seen { path: Some(path.clone()), ..Seen::default() };
        match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<BTreeMap<String, BTreeMap<String, u64>>>(&bytes) {
                Ok(kinds) => {
                    for (kind, ids) in kinds {
                        let Some(kind) = Kind::parse(&kind) else { continue };
                        seen.map.extend(ids.into_iter().map(|(id, fp)| ((kind, id), fp)));
                    }
                }
                Err(e) => {
                    let aside = set_aside(&path).map(|p| clean_path(&p)).unwrap_or_else(|| "(not moved)".into());
                    seen.problem = Some(format!("{} is damaged ({e}); set aside as {aside}", clean_path(&path)));
                    seen.fresh = true;
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => seen.fresh = true,
            Err(e) => {
                seen.problem = Some(format!("cannot read {}: {e}", clean_path(&path)));
                seen.fresh = true;
            }
        }
        seen
    }

    /// True when nothing was remembered: the first contents are to be taken as acknowledged.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// A record version's fingerprint.
    pub fn fingerprint(r: &Record) -> u64 {
        let mut bytes = r.ts.text.clone().into_bytes();
        bytes.extend(serde_json::Value::Object(r.fields_json()).to_string().into_bytes());
        fnv1a(&bytes)
    }

    /// Whether a record is new or changed since it was acknowledged; `None` when acknowledged as it is.
    pub fn status(&self, r: &Record) -> Option<Unseen> {
        match self.map.get(&(r.kind, r.id.clone())) {
            None => Some(Unseen::New),
            Some(fp) if *fp != Self::fingerprint(r) => Some(Unseen::Changed),
            Some(_) => None,
        }
    }

    pub fn acknowledge(&mut self, r: &Record) {
        self.map.insert((r.kind, r.id.clone()), Self::fingerprint(r));
        self.fresh = false;
    }

    /// Writes the state (atomically); returns why it could not.
    pub fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else { return Ok(()) };
        let mut kinds: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
        for ((kind, id), fp) in &self.map {
            kinds.entry(kind.as_str()).or_default().insert(id.as_str(), *fp);
        }
        let bytes = serde_json::to_vec(&kinds).map_err(|e| e.to_string())?;
        write_atomic(path, &bytes).map_err(|e| format!("cannot save {}: {e}", clean_path(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::formats::jsonl::parse_line;

    fn rec(line: &str) -> Record {
        parse_line(line.as_bytes(), Some(Kind::Aid)).expect("valid").expect("record")
    }

    #[test]
    fn acknowledged_records_stay_acknowledged_across_runs_until_they_change() {
        let dir = tempfile::tempdir().expect("tmp");
        let v1 = rec(r#"{"id":"p","ts":"2024-01-01T00:00:00Z","stage":"proposed"}"#);
        let v2 = rec(r#"{"id":"p","ts":"2024-02-01T00:00:00Z","stage":"stalled"}"#);
        let mut seen = Seen::load(Some(dir.path()));
        assert!(seen.is_fresh());
        assert_eq!(seen.status(&v1), Some(Unseen::New));
        seen.acknowledge(&v1);
        seen.save().expect("save");
        let seen = Seen::load(Some(dir.path()));
        assert!(!seen.is_fresh());
        assert_eq!(seen.status(&v1), None);
        assert_eq!(seen.status(&v2), Some(Unseen::Changed));
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_reported() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join("seen.json"), b"{\"aid\": [").expect("write");
        let seen = Seen::load(Some(dir.path()));
        assert!(seen.is_fresh());
        assert!(seen.problem.as_deref().is_some_and(|p| p.contains("damaged")), "{:?}", seen.problem);
        assert!(dir.path().join("seen.damaged").exists());
    }
}

//! The analyst's word on links: that a flagged supplier and a sanctions record are the same party, or are
//! not. A decision overrides the name matcher, both ways, and lasts: it is kept in the state folder as
//! `decisions.toml`, a file to read, edit, keep under version control and share with colleagues (written
//! whole and atomically; one that does not parse is set aside with a message, and the rest keeps working).
//!
//! ```toml
//! [[decision]]
//! supplier = "sup-qingyun-starforge"
//! sanctions = "ofac-qingyun-starforge"
//! decision = "same"          # or "different"
//! at = "2026-12-02T18:00:00Z"
//! ```

use super::vocab::Kind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the analyst said of two records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The same party: linked, whatever the matcher says.
    Same,
    /// Not the same party: never linked, nor shown as possible.
    Different,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Same => "same",
            Decision::Different => "different",
        }
    }
}

/// One line of the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    supplier: String,
    sanctions: String,
    decision: Decision,
    /// When it was decided (RFC 3339).
    #[serde(default)]
    at: String,
}

#[derive(Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    decision: Vec<Entry>,
}

const NAME: &str = "decisions.toml";
const HEADER: &str =
    "# watchfloor: the analyst's decisions on links between flagged suppliers and sanctions records.\n\
# Each overrides the name matcher: `same` links the two, `different` never does. Keep it, share it.\n\n";

/// Every decision, by (supplier id, sanctions id).
#[derive(Clone, Debug, Default)]
pub struct Decisions {
    path: Option<PathBuf>,
    by_pair: BTreeMap<(String, String), (Decision, String)>,
    /// What went wrong reading the file, for the analyst.
    pub problem: Option<String>,
}

/// (supplier id, sanctions id) of a pair of records, in either order; `None` unless one is each.
fn pair<'a>(a: (Kind, &'a str), b: (Kind, &'a str)) -> Option<(&'a str, &'a str)> {
    match (a.0, b.0) {
        (Kind::Suppliers, Kind::Sanctions) => Some((a.1, b.1)),
        (Kind::Sanctions, Kind::Suppliers) => Some((b.1, a.1)),
        _ => None,
    }
}

impl Decisions {
    /// The decisions kept in `dir` (none without a state folder, or before the first).
    pub fn load(dir: Option<&Path>) -> Decisions {
        let Some(path) = dir.map(|d| d.join(NAME)) else { return Decisions::default() };
        let mut out = Decisions { path: Some(path.clone()), ..Default::default() };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
            Err(e) => {
                out.problem = Some(format!("{}: {}; decisions not read", path.display(), crate::text::describe_io(&e)));
                return out;
            }
        };
        match toml::from_str::<File>(&text) {
            Ok(file) => {
                for e in file.decision {
                    out.by_pair.insert((e.supplier, e.sanctions), (e.decision, e.at));
                }
            }
            Err(e) => {
                let aside = crate::state::set_aside(&path);
                let line = e.span().map(|s| text[..s.start].lines().count().max(1));
                out.problem = Some(format!(
                    "{}{}: {}; set aside{}, starting with no decisions",
                    crate::text::clean_path(&path),
                    line.map(|l| format!(":{l}")).unwrap_or_default(),
                    e.message(),
                    aside.map(|a| format!(" as {}", crate::text::clean_path(&a))).unwrap_or_default()
                ));
            }
        }
        out
    }

    /// What was decided of two records.
    pub fn get(&self, a: (Kind, &str), b: (Kind, &str)) -> Option<Decision> {
        let (s, t) = pair(a, b)?;
        self.by_pair.get(&(s.to_owned(), t.to_owned())).map(|(d, _)| *d)
    }

    /// Every decision about one record: the other record's kind and id, and the decision.
    pub fn about(&self, kind: Kind, id: &str) -> Vec<(Kind, String, Decision)> {
        match kind {
            Kind::Suppliers => self
                .by_pair
                .range((id.to_owned(), String::new())..)
                .take_while(|((s, _), _)| s == id)
                .map(|((_, t), (d, _))| (Kind::Sanctions, t.clone(), *d))
                .collect(),
            Kind::Sanctions => self
                .by_pair
                .iter()
                .filter(|((_, t), _)| t == id)
                .map(|((s, _), (d, _))| (Kind::Suppliers, s.clone(), *d))
                .collect(),
            Kind::Aid | Kind::Shortages => Vec::new(),
        }
    }

    /// Every pair decided the same.
    pub fn same(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_pair.iter().filter(|(_, (d, _))| *d == Decision::Same).map(|((s, t), _)| (s.as_str(), t.as_str()))
    }

    /// Records a decision (`None` forgets the one there was) and writes the file. Not kept without a
    /// state folder; an error says why the file could not be written (the decision holds until the end).
    pub fn decide(&mut self, a: (Kind, &str), b: (Kind, &str), d: Option<Decision>, at: &str) -> Result<(), String> {
        let Some((s, t)) = pair(a, b) else {
            return Err("a decision is about a supplier and a sanctions record".into());
        };
        let key = (s.to_owned(), t.to_owned());
        match d {
            Some(d) => self.by_pair.insert(key, (d, at.to_owned())),
            None => self.by_pair.remove(&key),
        };
        self.save()
    }

    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.path else { return Ok(()) };
        let file = File {
            decision: self
                .by_pair
                .iter()
                .map(|((s, t), (d, at))| Entry {
                    supplier: s.clone(),
                    sanctions: t.clone(),
                    decision: *d,
                    at: at.clone(),
                })
                .collect(),
        };
        let text = toml::to_string(&file).map_err(|e| e.to_string())?;
        crate::state::write_atomic(path, format!("{HEADER}{text}").as_bytes())
            .map_err(|e| format!("{}: {}", crate::text::clean_path(path), crate::text::describe_io(&e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_last_across_runs_in_a_file_a_person_can_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut d = Decisions::load(Some(dir.path()));
        d.decide((Kind::Suppliers, "p1"), (Kind::Sanctions, "s1"), Some(Decision::Same), "2026-12-02T18:00:00Z")
            .expect("written");
        d.decide((Kind::Sanctions, "s2"), (Kind::Suppliers, "p1"), Some(Decision::Different), "t").expect("written");
        let text = std::fs::read_to_string(dir.path().join(NAME)).expect("file");
        assert!(text.contains("supplier = \"p1\"") && text.contains("decision = \"same\""), "{text}");
        let again = Decisions::load(Some(dir.path()));
        assert_eq!(again.get((Kind::Sanctions, "s1"), (Kind::Suppliers, "p1")), Some(Decision::Same));
        assert_eq!(again.about(Kind::Suppliers, "p1").len(), 2);
        assert_eq!(again.about(Kind::Sanctions, "s2"), [(Kind::Suppliers, "p1".into(), Decision::Different)]);
        let mut again = again;
        again.decide((Kind::Suppliers, "p1"), (Kind::Sanctions, "s1"), None, "t").expect("written");
        assert_eq!(Decisions::load(Some(dir.path())).get((Kind::Suppliers, "p1"), (Kind::Sanctions, "s1")), None);
    }

    #[test]
    fn a_damaged_file_is_set_aside_with_its_line() {
        let dir = tempfile::tempdir().expect("tmp");
        std::fs::write(dir.path().join(NAME), "[[decision]]\nsupplier = \"p1\"\ndecision = maybe\n").expect("write");
        let d = Decisions::load(Some(dir.path()));
        let problem = d.problem.expect("reported");
        assert!(problem.contains("decisions.toml:3") && problem.contains("set aside"), "{problem}");
        assert!(dir.path().join("decisions.damaged").exists());
        assert_eq!(d.by_pair.len(), 0);
    }
}

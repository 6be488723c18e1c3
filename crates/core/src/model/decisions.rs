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

/// Each decision and when it was made, by (supplier id, sanctions id).
type ByPair = BTreeMap<(String, String), (Decision, String)>;

/// Every decision, by (supplier id, sanctions id).
#[derive(Clone, Debug, Default)]
pub struct Decisions {
    path: Option<PathBuf>,
    by_pair: ByPair,
    /// The file's size and time as last read or written, to notice an edit by someone else.
    stamp: Option<(u64, std::time::SystemTime)>,
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
        let mut out = Decisions { path: Some(path.clone()), stamp: stamp(&path), ..Default::default() };
        match read(&path) {
            Ok(by_pair) => out.by_pair = by_pair,
            Err(Unread::Io(problem)) => out.problem = Some(problem),
            Err(Unread::Damaged(problem)) => {
                let aside = crate::state::set_aside(&path);
                out.problem = Some(format!(
                    "{problem}; set aside{}, starting with no decisions",
                    aside.map(|a| format!(" as {}", crate::text::clean_path(&a))).unwrap_or_default()
                ));
            }
        }
        out
    }

    /// When the file was changed by someone else (edited, pulled from version control): read again. Returns
    /// the pairs (supplier id, sanctions id) whose decision changed; none when the file is as it was. A file
    /// that does not parse now (being written, or broken by an edit) changes nothing and is looked at again
    /// next time; the problem is said.
    pub fn reload_if_changed(&mut self) -> Vec<(String, String)> {
        let Some(path) = self.path.clone() else { return Vec::new() };
        let now = stamp(&path);
        if now == self.stamp {
            return Vec::new();
        }
        let fresh = match read(&path) {
            Ok(fresh) => fresh,
            Err(Unread::Io(problem) | Unread::Damaged(problem)) => {
                self.problem = Some(format!("{problem}; the decisions before it stay"));
                return Vec::new();
            }
        };
        self.problem = None;
        let mut changed: Vec<(String, String)> = Vec::new();
        for (pair, (d, _)) in &fresh {
            if self.by_pair.get(pair).map(|e| e.0) != Some(*d) {
                changed.push(pair.clone());
            }
        }
        changed.extend(self.by_pair.keys().filter(|p| !fresh.contains_key(*p)).cloned());
        self.by_pair = fresh;
        self.stamp = now;
        changed
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

    fn save(&mut self) -> Result<(), String> {
        let Some(path) = self.path.clone() else { return Ok(()) };
        let path = &path;
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
        let written = crate::state::write_atomic(path, format!("{HEADER}{text}").as_bytes())
            .map_err(|e| format!("{}: {}", crate::text::clean_path(path), crate::text::describe_io(&e)));
        // Our own write is not someone else's edit.
        self.stamp = stamp(path);
        written
    }
}

/// Why the file could not be read.
enum Unread {
    Io(String),
    Damaged(String),
}

/// The decisions in the file at `path` (none when there is no file).
fn read(path: &Path) -> Result<ByPair, Unread> {
    let text = match crate::files::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => {
            let why = crate::text::describe_io(&e);
            return Err(Unread::Io(format!("{}: {why}; decisions not read", crate::text::clean_path(path))));
        }
    };
    match toml::from_str::<File>(&text) {
        Ok(file) => Ok(file.decision.into_iter().map(|e| ((e.supplier, e.sanctions), (e.decision, e.at))).collect()),
        Err(e) => {
            let line = e.span().map(|s| text[..s.start].lines().count().max(1));
            Err(Unread::Damaged(format!(
                "{}{}: {}",
                crate::text::clean_path(path),
                line.map(|l| format!(":{l}")).unwrap_or_default(),
                e.message()
            )))
        }
    }
}

fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.len(), m.modified().ok()?))
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
    fn an_edit_by_someone_else_is_read_again() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut d = Decisions::load(Some(dir.path()));
        d.decide((Kind::Suppliers, "p1"), (Kind::Sanctions, "s1"), Some(Decision::Same), "t").expect("written");
        assert!(d.reload_if_changed().is_empty(), "our own write");
        let edited = "[[decision]]\nsupplier = \"p1\"\nsanctions = \"s1\"\ndecision = \"different\"\n\n\
                      [[decision]]\nsupplier = \"p2\"\nsanctions = \"s1\"\ndecision = \"same\"\n";
        std::fs::write(dir.path().join(NAME), edited).expect("edit");
        let mut changed = d.reload_if_changed();
        changed.sort();
        assert_eq!(changed, [("p1".to_string(), "s1".to_string()), ("p2".into(), "s1".into())]);
        assert_eq!(d.get((Kind::Suppliers, "p1"), (Kind::Sanctions, "s1")), Some(Decision::Different));
        // Caught half written: nothing changes, the file stays, and it is read once whole.
        std::fs::write(dir.path().join(NAME), "[[decision]]\nsupplier = \"p1\"\nsanc").expect("half");
        assert!(d.reload_if_changed().is_empty());
        assert!(d.problem.is_some() && dir.path().join(NAME).exists());
        assert_eq!(d.get((Kind::Suppliers, "p2"), (Kind::Sanctions, "s1")), Some(Decision::Same));
        std::fs::write(dir.path().join(NAME), "").expect("whole");
        assert_eq!(d.reload_if_changed().len(), 2, "both decisions gone");
        assert!(d.problem.is_none());
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

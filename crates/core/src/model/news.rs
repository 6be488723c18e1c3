//! News: the records that came to match a watch rule since the analyst last acknowledged them, one row a
//! record with every rule it came to match. Kept in the state folder as `news.json` (written whole and
//! atomically, at most [`MAX_NEWS`] rows, the oldest dropped first; one that does not parse is set aside
//! with a message), so news survives a restart until it is acknowledged.

use super::vocab::Kind;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Rows kept at most.
pub const MAX_NEWS: usize = 1_000;

const NAME: &str = "news.json";

/// What made a record come to match a rule: it is new, it changed, or a record it is linked to did (a
/// designation that makes its supplier SANCTIONED, a package that stalls under a shortage).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cause {
    New,
    Updated,
    Linked,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::New => "new",
            Cause::Updated => "updated",
            Cause::Linked => "linked",
        }
    }
}

/// One record that is news.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub kind: Kind,
    pub id: String,
    pub title: String,
    /// The rules it came to match, in the order it came to match them.
    pub rules: Vec<String>,
    /// What made it match first.
    pub cause: Cause,
    /// When it first came to match (RFC 3339).
    pub at: String,
}

#[derive(Default, Serialize, Deserialize)]
struct File {
    #[serde(default)]
    news: Vec<Item>,
}

/// The news, oldest first.
#[derive(Debug, Default)]
pub struct News {
    items: Vec<Item>,
    path: Option<PathBuf>,
    /// What went wrong reading the file, to tell the analyst once.
    pub problem: Option<String>,
    /// Changed since the last save.
    unsaved: bool,
}

impl News {
    /// No news, kept nowhere.
    pub const EMPTY: News = News { items: Vec::new(), path: None, problem: None, unsaved: false };

    /// The news kept in `dir` (none without a state folder, or before the first), to keep: saved there
    /// as it changes, a damaged file set aside.
    pub fn load(dir: Option<&Path>) -> News {
        Self::read(dir, true)
    }

    /// The news kept in `dir`, only to look at (`snapshot`): never saved, a damaged file left where it is.
    pub fn peek(dir: Option<&Path>) -> News {
        Self::read(dir, false)
    }

    fn read(dir: Option<&Path>, keep: bool) -> News {
        let Some(path) = dir.map(|d| d.join(NAME)) else { return News::default() };
        let mut out = News { path: keep.then(|| path.clone()), ..News::default() };
        match crate::files::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Ok(bytes) => match serde_json::from_slice::<File>(&bytes) {
                Ok(file) => out.items = file.news,
                Err(e) if !keep => {
                    out.problem =
                        Some(format!("{}: not news as watchfloor writes it ({e})", crate::text::clean_path(&path)));
                }
                Err(e) => {
                    let aside = crate::state::set_aside(&path);
                    out.problem = Some(format!(
                        "{}: not news as watchfloor writes it ({e}); set aside{}, starting with no news",
                        crate::text::clean_path(&path),
                        aside.map(|a| format!(" as {}", crate::text::clean_path(&a))).unwrap_or_default()
                    ));
                }
            },
            Err(e) => {
                let why = crate::text::describe_io(&e);
                out.problem = Some(format!("{}: {why}; news not read", crate::text::clean_path(&path)));
            }
        }
        out.items.truncate(MAX_NEWS);
        out
    }

    /// Notes that a record came to match `rule`. Its row is added, or the rule added to its row.
    pub fn add(&mut self, kind: Kind, id: &str, title: &str, rule: &str, cause: Cause, at: DateTime<Utc>) {
        self.unsaved = true;
        if let Some(item) = self.items.iter_mut().find(|i| i.kind == kind && i.id == id) {
            if !item.rules.iter().any(|r| r == rule) {
                item.rules.push(rule.to_owned());
            }
            return;
        }
        self.items.push(Item {
            kind,
            id: id.to_owned(),
            title: title.to_owned(),
            rules: vec![rule.to_owned()],
            cause,
            at: at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        });
        if self.items.len() > MAX_NEWS {
            let extra = self.items.len() - MAX_NEWS;
            self.items.drain(..extra);
        }
    }

    /// The rows, oldest first.
    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn contains(&self, kind: Kind, id: &str) -> bool {
        self.items.iter().any(|i| i.kind == kind && i.id == id)
    }

    /// The analyst has seen a record's news (`None`: all of it).
    pub fn acknowledge(&mut self, which: Option<(Kind, &str)>) {
        let before = self.items.len();
        match which {
            Some((kind, id)) => self.items.retain(|i| !(i.kind == kind && i.id == id)),
            None => self.items.clear(),
        }
        self.unsaved |= self.items.len() != before;
    }

    /// Records gone from the store (retention) are no news.
    pub fn forget(&mut self, kind: Kind, ids: &[String]) {
        let before = self.items.len();
        self.items.retain(|i| i.kind != kind || !ids.contains(&i.id));
        self.unsaved |= self.items.len() != before;
    }

    /// Writes the news to its file if it changed (never without a state folder).
    pub fn save(&mut self) -> Result<(), String> {
        let Some(path) = self.path.as_ref().filter(|_| self.unsaved) else { return Ok(()) };
        let file = File { news: self.items.clone() };
        let bytes = serde_json::to_vec_pretty(&file).map_err(|e| e.to_string())?;
        crate::state::write_atomic(path, &bytes)
            .map_err(|e| format!("cannot save {}: {e}", crate::text::clean_path(path)))?;
        self.unsaved = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("time").to_utc()
    }

    #[test]
    fn one_row_a_record_with_every_rule_and_it_survives_a_restart() {
        let dir = tempfile::tempdir().expect("dir");
        let mut news = News::load(Some(dir.path()));
        news.add(Kind::Suppliers, "s1", "Alpha", "Sanctioned supplier", Cause::Linked, at());
        news.add(Kind::Suppliers, "s1", "Alpha", "Chinese microelectronics", Cause::Updated, at());
        news.add(Kind::Suppliers, "s1", "Alpha", "Sanctioned supplier", Cause::Updated, at());
        news.add(Kind::Aid, "p1", "Package", "Stalled", Cause::New, at());
        assert_eq!(news.len(), 2);
        assert_eq!(news.items()[0].rules, ["Sanctioned supplier", "Chinese microelectronics"]);
        assert_eq!(news.items()[0].cause, Cause::Linked, "what made it match first");
        news.save().expect("saved");
        let mut again = News::load(Some(dir.path()));
        assert_eq!(again.items(), news.items());
        again.acknowledge(Some((Kind::Aid, "p1")));
        again.save().expect("saved");
        assert_eq!(News::load(Some(dir.path())).len(), 1);
    }

    #[test]
    fn a_damaged_file_is_set_aside_and_news_starts_empty() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(NAME), "{ not json").expect("write");
        let news = News::load(Some(dir.path()));
        assert!(news.is_empty());
        assert!(news.problem.as_deref().is_some_and(|p| p.contains("set aside")), "{:?}", news.problem);
        assert!(dir.path().join("news.damaged").exists());
    }

    #[test]
    fn the_oldest_go_past_the_bound() {
        let mut news = News::default();
        for i in 0..MAX_NEWS + 5 {
            news.add(Kind::Aid, &format!("p{i}"), "P", "Stalled", Cause::New, at());
        }
        assert_eq!(news.len(), MAX_NEWS);
        assert_eq!(news.items()[0].id, "p5");
    }
}

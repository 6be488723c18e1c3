//! Watch rules at work: which records each rule matches now, which records a highlighting rule marks, and
//! the alerts raised when a record comes to match (new, updated, or because of what it is linked to).

use super::change::{Alert, Change};
use crate::model::links::{LinkInfo, Links};
use crate::model::rules::{LinksOnDemand, Rule};
use crate::model::store::Store;
use crate::model::vocab::Kind;
use chrono::{DateTime, Utc};
use std::collections::HashSet;

/// How many alerts are kept for the alert list.
pub const MAX_ALERTS_KEPT: usize = 1_000;

#[derive(Debug, Default)]
pub struct Watch {
    rules: Vec<Rule>,
    /// (rule, record) pairs that match now, to tell when a link makes a rule start matching.
    matched: HashSet<(usize, Kind, String)>,
    highlighted: HashSet<(Kind, String)>,
    alerts: Vec<Alert>,
}

impl Watch {
    pub fn new(rules: Vec<Rule>) -> Self {
        Watch { rules, ..Watch::default() }
    }

    /// Takes new rules: nothing matches until [`Watch::run`] says so again.
    pub fn reset(&mut self, rules: Vec<Rule>) {
        self.rules = rules;
        self.matched.clear();
        self.highlighted.clear();
    }

    /// Runs the rules over the records that changed and those linked to them. `was_started` is false for
    /// the first read, whose records are matched all at once and raise nothing.
    pub fn run(
        &mut self,
        store: &Store,
        links: &Links,
        changes: &[Change],
        was_started: bool,
        now: DateTime<Utc>,
    ) -> Vec<Change> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        if !was_started {
            self.first_read(store, links);
        }
        // (kind, id, whether the record itself is news, whether it is here only for what it is linked to)
        let mut affected: Vec<(Kind, String, bool, bool)> = Vec::new();
        let reads_links = |k: Kind| self.rules.iter().any(|r| r.kind.is_none_or(|rk| rk == k) && r.reads_links());
        for c in changes {
            if let Change::RecordAdded { kind, id, news, .. } | Change::RecordUpdated { kind, id, news, .. } = c {
                affected.push((*kind, id.to_string(), *news, false));
                // The records linked to a change may start or stop matching rules that read links
                // (`sanctioned`, `cover`): looked up only when such a rule is there for their kind. On the
                // first read every record is a change itself, and is matched once all links are in.
                let other = match kind {
                    Kind::Sanctions => Kind::Suppliers,
                    Kind::Suppliers => Kind::Sanctions,
                    Kind::Aid | Kind::Shortages => Kind::Shortages,
                };
                if was_started && reads_links(other) && *kind != Kind::Shortages {
                    let info = links.info(store, *kind, id);
                    affected.extend(info.parties.into_iter().map(|(k, i)| (k, i, false, true)));
                    affected.extend(info.addresses.into_iter().map(|i| (Kind::Shortages, i, false, true)));
                }
            }
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (kind, id, news, linked) in affected {
            if !seen.insert((kind, id.clone(), news, linked)) {
                continue;
            }
            let Some(entry) = store.panel(kind).get(&id) else { continue };
            let record = entry.current().packed();
            // What rules read of links (`sanctioned`, `cover`) is worked out only if a condition asks.
            let work_out = || links.row_info(store, kind, &id);
            let info = LinksOnDemand::new(&work_out);
            let mut highlight = false;
            let mut flipped = false;
            for (i, rule) in self.rules.iter().enumerate() {
                // A record here for its links keeps what the rules on its fields alone said.
                if linked && !rule.reads_links() {
                    continue;
                }
                let now_matches = rule.matches(record, &info);
                // On a first read nothing matched before: no need to look.
                let before = match (now_matches, was_started) {
                    (true, _) => !self.matched.insert((i, kind, id.clone())),
                    (false, true) => self.matched.remove(&(i, kind, id.clone())),
                    (false, false) => false,
                };
                flipped |= now_matches != before;
                highlight |= now_matches && rule.effects.highlight;
                let fire = now_matches && (news || (!before && was_started));
                if fire && (rule.effects.alert || rule.effects.bell) {
                    let alert = Alert {
                        at: now,
                        rule: rule.name.clone(),
                        kind,
                        id: id.clone(),
                        title: record.unpack().title().to_owned(),
                        bell: rule.effects.bell,
                    };
                    tracing::info!("alert: {} on {kind} {id}", rule.name);
                    self.alerts.push(alert.clone());
                    out.push(Change::Alert(Box::new(alert)));
                }
            }
            if linked {
                if !flipped {
                    continue;
                }
                // A rule on links changed its mind: the highlight is what every rule that matches now says.
                highlight = self
                    .rules
                    .iter()
                    .enumerate()
                    .any(|(i, r)| r.effects.highlight && self.matched.contains(&(i, kind, id.clone())));
            }
            if highlight {
                self.highlighted.insert((kind, id));
            } else {
                self.highlighted.remove(&(kind, id));
            }
        }
        if self.alerts.len() > MAX_ALERTS_KEPT {
            let extra = self.alerts.len() - MAX_ALERTS_KEPT;
            self.alerts.drain(..extra);
        }
        out
    }

    /// The rules over every record after the first read (which gives one change per file, not one per
    /// record). Nothing matched before and nothing is news (what is, a published list's differences, comes
    /// as changes of its own): only what matches is noted, and ids are copied only for that. Rules on
    /// fields alone run on every core; rules that read links (`sanctioned`, `cover`) here.
    fn first_read(&mut self, store: &Store, links: &Links) {
        for &kind in Kind::ALL {
            let rules: Vec<(usize, &Rule)> =
                self.rules.iter().enumerate().filter(|(_, r)| r.kind.is_none_or(|k| k == kind)).collect();
            if rules.is_empty() {
                continue;
            }
            let (linked, plain): (Vec<_>, Vec<_>) = rules.into_iter().partition(|(_, r)| r.reads_links());
            let entries: Vec<&crate::model::Entry> = store.panel(kind).newest_from(0).collect();
            let hits: Vec<Vec<usize>> = crate::parallel::on_every_core(&entries, |e| {
                let record = e.current().packed();
                let no_links = LinksOnDemand::known(LinkInfo::default());
                plain.iter().filter(|(_, rule)| rule.matches(record, &no_links)).map(|(i, _)| *i).collect()
            });
            for (entry, mut hits) in entries.into_iter().zip(hits) {
                let record = entry.current().packed();
                if !linked.is_empty() {
                    let work_out = || links.row_info(store, kind, record.id());
                    let info = LinksOnDemand::new(&work_out);
                    hits.extend(linked.iter().filter(|(_, rule)| rule.matches(record, &info)).map(|(i, _)| *i));
                }
                let mut highlight = false;
                for i in hits {
                    self.matched.insert((i, kind, record.id().to_owned()));
                    highlight |= self.rules[i].effects.highlight;
                }
                if highlight {
                    self.highlighted.insert((kind, record.id().to_owned()));
                }
            }
        }
    }

    /// Forgets what it knew of records the store no longer holds.
    pub fn forget(&mut self, kind: Kind, ids: &[String]) {
        let dropped: HashSet<&String> = ids.iter().collect();
        self.matched.retain(|(_, k, id)| *k != kind || !dropped.contains(id));
        self.highlighted.retain(|(k, id)| *k != kind || !dropped.contains(id));
    }

    /// The rules that match now, with the records they match: (rule, kind, id), sorted.
    pub fn matches(&self) -> Vec<(String, Kind, String)> {
        let mut out: Vec<(String, Kind, String)> =
            self.matched.iter().map(|(i, k, id)| (self.rules[*i].name.clone(), *k, id.clone())).collect();
        out.sort();
        out
    }

    /// The alerts raised so far (the most recent [`MAX_ALERTS_KEPT`]), oldest first.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// Whether a highlighting rule matches a record.
    pub fn is_highlighted(&self, kind: Kind, id: &str) -> bool {
        self.highlighted.contains(&(kind, id.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::read::apply;
    use crate::formats::jsonl::parse_packed;
    use crate::model::links::default_vocabulary;
    use crate::model::store::Origin;

    const RULES: &str = r#"
[[feed]]
path = "a.jsonl"

[[rule]]
name = "Stalled"
kind = "aid"
when = { stage = "stalled" }
do = ["alert", "bell"]

[[rule]]
name = "Sanctioned supplier"
kind = "suppliers"
when = { sanctioned = true }
do = ["alert", "highlight"]
"#;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("time").to_utc()
    }

    struct World {
        store: Store,
        links: Links,
        watch: Watch,
    }

    impl World {
        fn new() -> Self {
            let rules = crate::config::parse(RULES, None).expect("config").rules;
            World { store: Store::new(), links: Links::new(default_vocabulary()), watch: Watch::new(rules) }
        }

        /// Applies a line as an arrival (or, with `news` false, as part of the first read) and runs the rules.
        fn arrive(&mut self, line: &str, news: bool) -> Vec<Change> {
            let packed = parse_packed(line.as_bytes(), None).expect("parses").expect("a record");
            let origin = Origin::new(std::path::Path::new("/f/a.jsonl"), 1);
            let changes: Vec<Change> =
                apply(&mut self.store, &mut self.links, packed, None, origin, news).into_iter().collect();
            self.watch.run(&self.store, &self.links, &changes, news, now())
        }
    }

    fn alerts(changes: &[Change]) -> Vec<(String, String, bool)> {
        changes
            .iter()
            .filter_map(|c| match c {
                Change::Alert(a) => Some((a.rule.clone(), a.id.clone(), a.bell)),
                _ => None,
            })
            .collect()
    }

    const STALLED: &str = r#"{"id":"p1","ts":"2026-02-01T00:00:00Z","kind":"aid","title":"P1","stage":"stalled"}"#;

    #[test]
    fn a_new_matching_record_alerts_at_the_clocks_time_and_the_first_read_does_not() {
        let mut w = World::new();
        assert!(alerts(&w.arrive(STALLED, false)).is_empty(), "what the feeds held at start is no alert");
        assert_eq!(w.watch.matches(), [("Stalled".to_string(), Kind::Aid, "p1".to_string())]);
        let p2 = STALLED.replace("p1", "p2");
        let raised = w.arrive(&p2, true);
        assert_eq!(alerts(&raised), [("Stalled".to_string(), "p2".to_string(), true)]);
        assert_eq!(w.watch.alerts()[0].at, now());
    }

    #[test]
    fn a_sanction_makes_its_supplier_match_through_the_link_and_highlights_it() {
        let mut w = World::new();
        let supplier = r#"{"id":"s1","ts":"2026-02-01T00:00:00Z","kind":"suppliers","name":"Jiangsu Example Tools Co., Ltd.","country":"CN"}"#;
        w.arrive(supplier, false);
        assert!(!w.watch.is_highlighted(Kind::Suppliers, "s1"));
        let sanction = r#"{"id":"x1","ts":"2026-02-02T00:00:00Z","kind":"sanctions","target":"Jiangsu Example Tools Co., Ltd.","authority":"OFAC","action":"designated"}"#;
        let raised = w.arrive(sanction, true);
        assert_eq!(alerts(&raised), [("Sanctioned supplier".to_string(), "s1".to_string(), false)]);
        assert!(w.watch.is_highlighted(Kind::Suppliers, "s1"));
        w.watch.forget(Kind::Suppliers, &["s1".to_string()]);
        assert!(!w.watch.is_highlighted(Kind::Suppliers, "s1") && w.watch.matches().is_empty());
    }

    #[test]
    fn an_update_that_keeps_matching_alerts_again_only_as_news_and_one_that_stops_clears_the_match() {
        let mut w = World::new();
        w.arrive(STALLED, true);
        let moved = STALLED.replace("stalled", "signed").replace("02-01", "02-03");
        assert!(alerts(&w.arrive(&moved, true)).is_empty());
        assert!(w.watch.matches().is_empty(), "a signed package no longer matches");
    }
}

//! The links between panels: a flagged supplier that is a sanctioned party, a shortage and the aid packages
//! whose items cover it.
//!
//! Kept as indexes updated one record at a time as records arrive (never by rescanning everything):
//! - name forms (see [`super::names`]) of every sanctions target and supplier, with their aliases;
//! - categories (from the vocabulary in config.toml: category → keywords) of every shortage and package.

use super::record::Body;
use super::store::Store;
use super::vocab::{Action, Kind, ShortageStatus, Stage};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// category → keywords (lower case) that put a shortage or an aid item in it.
pub type Vocabulary = BTreeMap<String, Vec<String>>;

/// A record, by kind and id.
pub type Key = (Kind, String);

/// How a supplier stands with the sanctions it is linked to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Badge {
    /// Designated (or amended) by at least one authority: the latest such designation.
    Sanctioned { authority: String, date: String },
    /// Every designation found has been lifted.
    Delisted { authority: String, date: String },
}

/// Whether aid in the pipeline covers a shortage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cover {
    /// The shortage is resolved.
    Resolved,
    /// No package in the pipeline lists its category.
    Uncovered,
    /// Packages list it, but every one of them is stalled.
    AtRisk(Vec<String>),
    /// Packages that list it, most advanced first.
    Covered(Vec<String>),
}

/// What is linked to one record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkInfo {
    /// Records of the other party panel that name the same party (suppliers ↔ sanctions).
    pub parties: Vec<Key>,
    /// For a supplier: its sanctions standing.
    pub badge: Option<Badge>,
    /// For a shortage: what covers it.
    pub cover: Option<Cover>,
    /// For a package: the open shortages it addresses.
    pub addresses: Vec<String>,
}

#[derive(Default)]
pub struct Links {
    vocabulary: Vocabulary,
    names: HashMap<String, BTreeSet<Key>>,
    forms_of: HashMap<Key, Vec<String>>,
    categories: HashMap<String, BTreeSet<Key>>,
    categories_of: HashMap<Key, Vec<String>>,
}

impl Links {
    pub fn new(vocabulary: Vocabulary) -> Self {
        let vocabulary = vocabulary
            .into_iter()
            .map(|(c, words)| (c, words.into_iter().map(|w| w.to_lowercase()).filter(|w| !w.is_empty()).collect()))
            .collect();
        Links { vocabulary, ..Links::default() }
    }

    /// Re-indexes one record from its current version (call after every change to it).
    pub fn update(&mut self, store: &Store, kind: Kind, id: &str) {
        let key = (kind, id.to_owned());
        // Forget the record's old forms; a form nobody carries any more goes too (memory stays flat when
        // retention forgets records).
        for form in self.forms_of.remove(&key).unwrap_or_default() {
            if let Some(set) = self.names.get_mut(&form) {
                set.remove(&key);
                if set.is_empty() {
                    self.names.remove(&form);
                }
            }
        }
        for cat in self.categories_of.remove(&key).unwrap_or_default() {
            if let Some(set) = self.categories.get_mut(&cat) {
                set.remove(&key);
                if set.is_empty() {
                    self.categories.remove(&cat);
                }
            }
        }
        let Some(entry) = store.panel(kind).get(id) else {
            return;
        };
        let rec = &entry.current().record;
        let (names, texts): (Vec<&str>, Vec<&str>) = match &rec.body {
            Body::Sanction(s) => (s.target.iter().chain(&s.aliases).map(String::as_str).collect(), vec![]),
            Body::Supplier(s) => (s.name.iter().chain(&s.aliases).map(String::as_str).collect(), vec![]),
            Body::Shortage(s) => (vec![], s.category.iter().chain(&s.item).map(String::as_str).collect()),
            Body::Aid(a) => (vec![], a.items.iter().map(String::as_str).collect()),
        };
        let mut forms: Vec<String> =
            names.iter().map(|n| super::names::normalize(n)).filter(|f| !f.is_empty()).collect();
        forms.sort();
        forms.dedup();
        for f in &forms {
            self.names.entry(f.clone()).or_default().insert(key.clone());
        }
        self.forms_of.insert(key.clone(), forms);
        let cats = self.categorize(&texts);
        for c in &cats {
            self.categories.entry(c.clone()).or_default().insert(key.clone());
        }
        self.categories_of.insert(key, cats);
    }

    /// The vocabulary's categories that `texts` fall in.
    pub fn categorize(&self, texts: &[&str]) -> Vec<String> {
        let lower: Vec<String> = texts.iter().map(|t| t.to_lowercase()).collect();
        self.vocabulary
            .iter()
            .filter(|(_, words)| words.iter().any(|w| lower.iter().any(|t| t.contains(w.as_str()))))
            .map(|(c, _)| c.clone())
            .collect()
    }

    /// Categories a record was indexed under.
    pub fn categories_of(&self, kind: Kind, id: &str) -> &[String] {
        self.categories_of.get(&(kind, id.to_owned())).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Everything linked to one record.
    pub fn info(&self, store: &Store, kind: Kind, id: &str) -> LinkInfo {
        let mut info = self.row_info(store, kind, id);
        if kind == Kind::Aid {
            let key = (kind, id.to_owned());
            let mut addressed = BTreeSet::new();
            for cat in self.categories_of.get(&key).into_iter().flatten() {
                for k in self.categories.get(cat).into_iter().flatten() {
                    if k.0 == Kind::Shortages && !is_resolved(store, &k.1) {
                        addressed.insert(k.1.clone());
                    }
                }
            }
            info.addresses = addressed.into_iter().collect();
        }
        info
    }

    /// What a table row shows of a record's links: everything but the shortages a package addresses, which
    /// only the detail view lists (and which costs a walk over every shortage of its categories).
    pub fn row_info(&self, store: &Store, kind: Kind, id: &str) -> LinkInfo {
        let key = (kind, id.to_owned());
        let mut info = LinkInfo::default();
        if matches!(kind, Kind::Sanctions | Kind::Suppliers) {
            let other = if kind == Kind::Sanctions { Kind::Suppliers } else { Kind::Sanctions };
            let mut parties = BTreeSet::new();
            for form in self.forms_of.get(&key).into_iter().flatten() {
                for k in self.names.get(form).into_iter().flatten() {
                    if k.0 == other {
                        parties.insert(k.clone());
                    }
                }
            }
            info.parties = parties.into_iter().collect();
            if kind == Kind::Suppliers {
                info.badge = badge(store, &info.parties);
            }
        }
        if kind == Kind::Shortages {
            info.cover = Some(self.cover(store, &key));
        }
        info
    }

    fn cover(&self, store: &Store, key: &Key) -> Cover {
        if is_resolved(store, &key.1) {
            return Cover::Resolved;
        }
        let mut packages: Vec<(u8, String)> = Vec::new();
        for cat in self.categories_of.get(key).into_iter().flatten() {
            for k in self.categories.get(cat).into_iter().flatten() {
                if k.0 != Kind::Aid || packages.iter().any(|(_, id)| *id == k.1) {
                    continue;
                }
                match stage_of(store, &k.1) {
                    Some(Stage::Cancelled) => {}
                    stage => packages.push((progress(stage), k.1.clone())),
                }
            }
        }
        if packages.is_empty() {
            return Cover::Uncovered;
        }
        packages.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let all_stalled = packages.iter().all(|(p, _)| *p == 0);
        let ids = packages.into_iter().map(|(_, id)| id).collect();
        if all_stalled {
            Cover::AtRisk(ids)
        } else {
            Cover::Covered(ids)
        }
    }
}

fn is_resolved(store: &Store, id: &str) -> bool {
    store.panel(Kind::Shortages).get(id).is_some_and(
        |e| matches!(&e.current().record.body, Body::Shortage(s) if s.status == Some(ShortageStatus::Resolved)),
    )
}

fn stage_of(store: &Store, id: &str) -> Option<Stage> {
    store.panel(Kind::Aid).get(id).and_then(|e| match &e.current().record.body {
        Body::Aid(a) => a.stage,
        _ => None,
    })
}

/// How far along a package is; 0 for stalled.
fn progress(stage: Option<Stage>) -> u8 {
    match stage {
        Some(Stage::Stalled) => 0,
        None | Some(Stage::Proposed) => 1,
        Some(Stage::InCommittee) => 2,
        Some(Stage::PassedOneChamber) => 3,
        Some(Stage::PassedBoth) => 4,
        Some(Stage::Signed) => 5,
        Some(Stage::Obligated) => 6,
        Some(Stage::Delivering) => 7,
        Some(Stage::Delivered) => 8,
        Some(Stage::Cancelled) => 0,
    }
}

/// The standing of a supplier from the sanctions records that name it: the latest designation in force,
/// or, when all were lifted, the latest delisting.
fn badge(store: &Store, parties: &[Key]) -> Option<Badge> {
    let mut active: Option<(chrono::DateTime<chrono::Utc>, String, String)> = None;
    let mut lifted: Option<(chrono::DateTime<chrono::Utc>, String, String)> = None;
    for (kind, id) in parties {
        let Some(entry) = store.panel(*kind).get(id) else { continue };
        let rec = &entry.current().record;
        let Body::Sanction(s) = &rec.body else { continue };
        let item = (rec.ts.utc, s.authority.clone().unwrap_or_else(|| "?".into()), rec.ts.date());
        let slot = if s.action == Some(Action::Delisted) { &mut lifted } else { &mut active };
        if slot.as_ref().is_none_or(|(t, _, _)| item.0 > *t) {
            *slot = Some(item);
        }
    }
    match (active, lifted) {
        (Some((_, authority, date)), _) => Some(Badge::Sanctioned { authority, date }),
        (None, Some((_, authority, date))) => Some(Badge::Delisted { authority, date }),
        (None, None) => None,
    }
}

/// The vocabulary used when the config names none: the categories of the brief's shortages and aid.
pub fn default_vocabulary() -> Vocabulary {
    let v: &[(&str, &[&str])] = &[
        (
            "artillery ammunition",
            &["155mm", "152mm", "122mm", "artillery", "shell", "mortar", "ammunition", "mlrs", "rocket"],
        ),
        ("air defence", &["air defence", "air defense", "interceptor", "patriot", "nasams", "iris-t", "anti-aircraft"]),
        ("drones", &["drone", "uav", "fpv"]),
        ("armoured vehicles", &["armoured", "armored", "infantry fighting", "personnel carrier", "ifv", "apc", "tank"]),
        ("electronic warfare", &["electronic warfare", "jammer", "counter-drone", "ew system"]),
        ("engineering", &["fortification", "engineering", "bridging"]),
        ("demining", &["demining", "mine-clearing", "mine clearing"]),
        ("medical", &["medical", "tourniquet", "trauma", "ambulance"]),
        ("radar", &["radar"]),
        ("fuel and power", &["fuel", "diesel", "generator"]),
        ("optics", &["thermal", "optic", "sight"]),
        ("communications", &["radio", "communications", "satellite terminal"]),
        ("combat aircraft", &["combat aircraft", "f-16", "fighter"]),
    ];
    v.iter().map(|(c, words)| (c.to_string(), words.iter().map(|w| w.to_string()).collect())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::formats::jsonl::parse_line;
    use crate::model::store::Origin;
    use std::path::PathBuf;
    use std::sync::Arc;

    fn add(store: &mut Store, links: &mut Links, kind: Kind, line: &str) {
        let rec = parse_line(line.as_bytes(), Some(kind)).expect("valid").expect("record");
        let id = rec.id.clone();
        store.apply(rec, Origin { file: Arc::new(PathBuf::from("t")), line: 1 });
        links.update(store, kind, &id);
    }

    #[test]
    fn a_supplier_and_a_sanctions_target_with_the_same_name_are_linked() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Suppliers,
            r#"{"id":"sup","ts":"2024-03-01T00:00:00Z","name":"Qingyun Starforge CNC Co., Ltd.","aliases":["青云星锻数控有限公司"]}"#,
        );
        assert_eq!(links.info(&store, Kind::Suppliers, "sup").badge, None);
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"ofac","ts":"2024-05-01T15:00:00Z","authority":"OFAC","action":"designated","target":"QINGYUN STARFORGE CNC CO., LTD."}"#,
        );
        let info = links.info(&store, Kind::Suppliers, "sup");
        assert_eq!(info.parties, [(Kind::Sanctions, "ofac".to_string())]);
        assert_eq!(info.badge, Some(Badge::Sanctioned { authority: "OFAC".into(), date: "2024-05-01".into() }));
        assert_eq!(links.info(&store, Kind::Sanctions, "ofac").parties, [(Kind::Suppliers, "sup".to_string())]);
        // Delisted later: the badge says so.
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"ofac","ts":"2024-06-01T15:00:00Z","authority":"OFAC","action":"delisted","target":"QINGYUN STARFORGE CNC CO., LTD."}"#,
        );
        assert_eq!(
            links.info(&store, Kind::Suppliers, "sup").badge,
            Some(Badge::Delisted { authority: "OFAC".into(), date: "2024-06-01".into() })
        );
    }

    #[test]
    fn an_alias_in_another_script_links_too_and_a_rename_unlinks() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Suppliers,
            r#"{"id":"sup","ts":"2024-03-01T00:00:00Z","name":"OOO Vostok-Komponent"}"#,
        );
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"s","ts":"2024-05-01T00:00:00Z","target":"Vostok Components","aliases":["ООО «Восток-Компонент»"]}"#,
        );
        assert_eq!(links.info(&store, Kind::Suppliers, "sup").parties.len(), 1);
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"s","ts":"2024-05-02T00:00:00Z","target":"Vostok Components"}"#,
        );
        assert!(links.info(&store, Kind::Suppliers, "sup").parties.is_empty(), "the old alias no longer links");
    }

    #[test]
    fn a_forgotten_record_leaves_nothing_in_the_indexes() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"s","ts":"2024-05-01T00:00:00Z","target":"Unique Firm Ltd"}"#,
        );
        add(&mut store, &mut links, Kind::Shortages, r#"{"id":"h","ts":"2024-05-01T00:00:00Z","item":"155mm shells"}"#);
        assert!(!links.names.is_empty() && !links.categories.is_empty());
        store.panel_mut(Kind::Sanctions).remove("s");
        links.update(&store, Kind::Sanctions, "s");
        store.panel_mut(Kind::Shortages).remove("h");
        links.update(&store, Kind::Shortages, "h");
        assert!(links.names.is_empty(), "found by the soak test: forms of forgotten records piled up");
        assert!(links.categories.is_empty() && links.forms_of.is_empty() && links.categories_of.is_empty());
    }

    #[test]
    fn shortages_are_covered_at_risk_or_uncovered() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Shortages,
            r#"{"id":"ammo","ts":"2024-03-01T00:00:00Z","category":"ammunition","item":"155mm artillery shells"}"#,
        );
        add(
            &mut store,
            &mut links,
            Kind::Shortages,
            r#"{"id":"ew","ts":"2024-03-01T00:00:00Z","category":"electronic warfare","item":"EW jammers"}"#,
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ammo").cover, Some(Cover::Uncovered));
        add(
            &mut store,
            &mut links,
            Kind::Aid,
            r#"{"id":"epf","ts":"2024-03-01T00:00:00Z","stage":"passed_both","items":["artillery ammunition"]}"#,
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ammo").cover, Some(Cover::Covered(vec!["epf".into()])));
        assert_eq!(links.info(&store, Kind::Aid, "epf").addresses, ["ammo"]);
        add(
            &mut store,
            &mut links,
            Kind::Aid,
            r#"{"id":"epf","ts":"2024-05-01T00:00:00Z","stage":"stalled","items":["artillery ammunition"]}"#,
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ammo").cover, Some(Cover::AtRisk(vec!["epf".into()])));
        assert_eq!(links.info(&store, Kind::Shortages, "ew").cover, Some(Cover::Uncovered));
        add(
            &mut store,
            &mut links,
            Kind::Shortages,
            r#"{"id":"ew","ts":"2024-06-01T00:00:00Z","category":"electronic warfare","item":"EW jammers","status":"resolved"}"#,
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ew").cover, Some(Cover::Resolved));
    }
}

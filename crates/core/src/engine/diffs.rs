//! A published list's differences against its previous download, as versions in the store: a designation
//! is a new record, an amendment says which fields changed, a removal becomes a delisting of the record as
//! it was last seen (dated by the clock: the list does not say when).

use super::change::Change;
use super::errors::FeedError;
use super::read::{apply, quietly_read, FirstHits};
use super::rules::FieldRules;
use crate::feed::snapshot::{SnapEvent, SnapshotFeed};
use crate::model::links::Links;
use crate::model::record::{Body, Record, Timestamp};
use crate::model::store::{Origin, Store};
use crate::model::vocab::Action;
use crate::text::clean_path;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;

/// What a first read does with the records of a published list that are not news (see
/// [`super::read::quietly_read`]): they are counted, not listed, and the field rules they match noted.
pub struct FirstReadOf<'a> {
    pub rules: Option<&'a FieldRules>,
    pub hits: &'a mut FirstHits,
}

/// Looks at every published list for a new download and applies what changed; `first` on the first read.
pub fn poll(
    snapshots: &mut [SnapshotFeed],
    store: &mut Store,
    links: &mut Links,
    once: bool,
    now: DateTime<Utc>,
    mut first: Option<FirstReadOf<'_>>,
    out: &mut Vec<Change>,
) {
    for snap in snapshots {
        let file = snap.file.clone();
        snap.poll(once, &mut |e| match (e, first.as_mut()) {
            (SnapEvent::Baseline(r, line), Some(first)) => {
                let packed = store.pack(&r);
                let rule_hits = first.rules.map_or(0, |rules| rules.hits(store.texts(), &packed, None));
                let origin = Origin { file: store.file(&file), line };
                quietly_read(store, links, packed, None, origin, rule_hits, out, first.hits);
            }
            (e, _) => on_snapshot(store, links, &file, e, now, out),
        });
    }
}

/// Puts a record of a published list in the store, packed as the store keeps it.
fn apply_record(store: &mut Store, links: &mut Links, r: &Record, origin: Origin, news: bool) -> Option<Change> {
    let packed = store.pack(r);
    apply(store, links, packed, None, origin, news)
}

/// Turns what a published list's new contents show into versions: an amendment says which fields changed,
/// a removal becomes a delisting of the record as it was last seen.
pub fn on_snapshot(
    store: &mut Store,
    links: &mut Links,
    file: &Arc<PathBuf>,
    e: SnapEvent,
    now: DateTime<Utc>,
    out: &mut Vec<Change>,
) {
    let kept = store.file(file);
    let at = |line: u64| Origin { file: kept, line };
    match e {
        SnapEvent::Baseline(r, line) => out.extend(apply_record(store, links, &r, at(line), false)),
        SnapEvent::Added(r, line) => out.extend(apply_record(store, links, &r, at(line), true)),
        SnapEvent::Amended(mut r, line, fields) => {
            if let Body::Sanction(s) = &mut r.body {
                s.action = Some(Action::Amended);
            }
            r.extra.insert("changed_fields".into(), serde_json::json!(fields));
            out.extend(apply_record(store, links, &r, at(line), true))
        }
        SnapEvent::Removed { kind, id, title } => {
            let mut r = match store.panel(kind).get(&id) {
                Some(entry) => entry.current().record(store.texts()),
                None => Record::named(kind, &id, &title, Timestamp::from_utc(now)),
            };
            r.ts = Timestamp::from_utc(now);
            match &mut r.body {
                Body::Sanction(s) => s.action = Some(Action::Delisted),
                Body::Supplier(s) => s.status = Some("no longer listed".into()),
                _ => {}
            }
            r.extra.remove("changed_fields");
            r.extra.insert("removed_from".into(), serde_json::json!(clean_path(file)));
            out.extend(apply_record(store, links, &r, at(0), true))
        }
        SnapEvent::Problem(message) => {
            out.push(Change::FeedError(FeedError { file: file.clone(), line: None, message }))
        }
        SnapEvent::Missing => out.push(Change::FeedMissing { file: file.clone() }),
        SnapEvent::Appeared => out.push(Change::FileAppeared { file: file.clone() }),
        SnapEvent::Vanished => out.push(Change::FileVanished { file: file.clone() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::links::default_vocabulary;
    use crate::model::vocab::Kind;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z").expect("time").to_utc()
    }

    fn sanction(id: &str) -> Record {
        let line = format!(
            r#"{{"id":"{id}","ts":"2026-01-05T00:00:00Z","kind":"sanctions","target":"LLC Example","authority":"OFAC","action":"designated"}}"#
        );
        crate::formats::jsonl::parse_line(line.as_bytes(), None).expect("parses").expect("a record")
    }

    #[test]
    fn a_removal_is_a_delisting_dated_by_the_clock_naming_the_file_and_an_amendment_says_what_changed() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let file = Arc::new(PathBuf::from("/lists/sdn.csv"));
        let mut out = Vec::new();
        on_snapshot(&mut store, &mut links, &file, SnapEvent::Baseline(sanction("1"), 2), now(), &mut out);
        assert!(matches!(&out[..], [Change::RecordAdded { news: false, .. }]));
        let amended = SnapEvent::Amended(sanction("1"), 2, vec!["programme".into()]);
        on_snapshot(&mut store, &mut links, &file, amended, now(), &mut out);
        let current = store.panel(Kind::Sanctions).get("1").expect("kept").current().record(store.texts());
        assert_eq!(current.extra["changed_fields"], serde_json::json!(["programme"]));
        let removed = SnapEvent::Removed { kind: Kind::Sanctions, id: "1".into(), title: "LLC Example".into() };
        on_snapshot(&mut store, &mut links, &file, removed, now(), &mut out);
        let entry = store.panel(Kind::Sanctions).get("1").expect("kept");
        let r = entry.current().record(store.texts());
        assert_eq!(entry.history().len(), 3);
        assert_eq!(r.ts, Timestamp::from_utc(now()));
        assert!(matches!(&r.body, Body::Sanction(s) if s.action == Some(Action::Delisted)));
        assert_eq!(r.extra["removed_from"], serde_json::json!("/lists/sdn.csv"));
        assert!(!r.extra.contains_key("changed_fields"), "a delisting is not an amendment");
    }

    #[test]
    fn a_removal_of_a_record_never_seen_is_a_delisting_by_its_name() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let file = Arc::new(PathBuf::from("/lists/sdn.csv"));
        let mut out = Vec::new();
        let removed = SnapEvent::Removed { kind: Kind::Sanctions, id: "9".into(), title: "JSC Gone".into() };
        on_snapshot(&mut store, &mut links, &file, removed, now(), &mut out);
        let r = store.panel(Kind::Sanctions).get("9").expect("kept").current().record(store.texts());
        assert_eq!((r.title(), r.ts.clone()), ("JSC Gone", Timestamp::from_utc(now())));
        let problem = SnapEvent::Problem("cut short".into());
        on_snapshot(&mut store, &mut links, &file, problem, now(), &mut out);
        assert!(matches!(out.last(), Some(Change::FeedError(e)) if e.to_string() == "/lists/sdn.csv: cut short"));
    }
}

//! The JSON shapes of records, errors and changes: an interface scripts build on (see `docs/feeds.md`).

use crate::engine::{Alert, Change, FeedError};
use crate::model::links::{Badge, Cover, LinkInfo, Links};
use crate::model::store::{Entry, Origin, Store, Version};
use crate::model::vocab::Kind;
use serde_json::{json, Map, Value};
use std::path::Path;

pub use crate::text::clean_path as path_text;

fn origin(o: &Origin, store: &Store) -> Value {
    json!({ "file": path_text(store.path(o.file)), "line": o.line })
}

fn version(v: &Version, store: &Store) -> Value {
    let r = v.record(store.texts());
    json!({ "ts": r.ts.text(), "origin": origin(&v.origin, store), "fields": r.fields_json() })
}

/// What a record is linked to: the same party in the other party panel (`parties`, with `"decision":
/// "same"` where the analyst said so; `possible` for those the matcher is not sure of; `rejected` for those
/// the analyst said are another party), a supplier's sanctions standing,
/// a shortage's cover, the shortages a package addresses.
pub fn links(info: &LinkInfo) -> Value {
    let mut m = Map::new();
    if !info.parties.is_empty() {
        let parties: Vec<Value> = info
            .parties
            .iter()
            .map(|p| match info.confirmed.contains(p) {
                true => json!({"kind": p.0, "id": p.1, "decision": "same"}),
                false => json!({"kind": p.0, "id": p.1}),
            })
            .collect();
        m.insert("parties".into(), json!(parties));
    }
    if !info.possible.is_empty() {
        let possible: Vec<Value> = info.possible.iter().map(|(k, id)| json!({"kind": k, "id": id})).collect();
        m.insert("possible".into(), json!(possible));
    }
    if !info.rejected.is_empty() {
        let rejected: Vec<Value> =
            info.rejected.iter().map(|(k, id)| json!({"kind": k, "id": id, "decision": "different"})).collect();
        m.insert("rejected".into(), json!(rejected));
    }
    match &info.badge {
        Some(Badge::Sanctioned { authority, date }) => {
            m.insert("sanctions".into(), json!({"status": "sanctioned", "authority": authority, "date": date}));
        }
        Some(Badge::Delisted { authority, date }) => {
            m.insert("sanctions".into(), json!({"status": "delisted", "authority": authority, "date": date}));
        }
        None => {}
    }
    if let Some(cover) = &info.cover {
        let (status, packages): (&str, &[String]) = match cover {
            Cover::Resolved => ("resolved", &[]),
            Cover::Uncovered => ("uncovered", &[]),
            Cover::AtRisk(p) => ("at_risk", &p[..]),
            Cover::Covered(p) => ("covered", &p[..]),
        };
        m.insert("cover".into(), json!({"status": status, "packages": packages}));
    }
    if !info.addresses.is_empty() {
        m.insert("addresses".into(), json!(info.addresses));
        if info.addresses_total > info.addresses.len() {
            m.insert("addresses_count".into(), json!(info.addresses_total));
        }
    }
    Value::Object(m)
}

/// A record: its current version's fields (declared and unknown), where it was read, and what it is
/// linked to; with `history`, every version too.
pub fn record(entry: &Entry, info: &LinkInfo, store: &Store, history: bool) -> Value {
    let cur = entry.current();
    let r = cur.record(store.texts());
    let mut v = json!({
        "links": links(info),
        "id": r.id,
        "kind": r.kind,
        "ts": r.ts.text(),
        "fields": r.fields_json(),
        "origin": origin(&cur.origin, store),
        "versions": entry.history().len(),
    });
    if history {
        v["history"] = entry.history().iter().map(|v| version(v, store)).collect();
    }
    let panel = store.panel(r.kind);
    if let Some(dropped) = panel.handle(&r.id).map(|h| panel.dropped_versions(h)).filter(|&n| n > 0) {
        v["versions_dropped"] = json!(dropped);
    }
    v
}

pub fn error(e: &FeedError) -> Value {
    json!({ "file": path_text(&e.file), "line": e.line, "message": e.message })
}

/// `{"sanctions": N, ...}`: records per kind.
pub fn counts(store: &Store) -> Value {
    let mut m = Map::new();
    for &kind in Kind::ALL {
        m.insert(kind.as_str().into(), json!(store.panel(kind).len()));
    }
    Value::Object(m)
}

/// One line of `follow --json`; a record's versions only with `history` (5,000 updates of one id would
/// otherwise print its whole history 5,000 times).
pub fn change(c: &Change, store: &Store, all_links: &Links, history: bool) -> Value {
    let file_event = |event: &str, file: &Path| json!({ "event": event, "file": path_text(file) });
    match c {
        Change::RecordAdded { kind, id, origin, news } | Change::RecordUpdated { kind, id, origin, news, .. } => {
            let event = if matches!(c, Change::RecordAdded { .. }) { "record_added" } else { "record_updated" };
            let mut v = json!({
                "event": event, "kind": kind, "id": &**id, "file": path_text(&origin.file), "line": origin.line,
                "news": news,
            });
            if let Some(entry) = store.panel(*kind).get(id) {
                v["versions"] = json!(entry.history().len());
                v["record"] = record(entry, &all_links.info(store, *kind, id), store, history);
            }
            v
        }
        Change::FeedError(e) => {
            let mut v = error(e);
            v["event"] = json!("feed_error");
            v
        }
        Change::FileAppeared { file } => file_event("file_appeared", file),
        Change::FileVanished { file } => file_event("file_vanished", file),
        Change::FileTruncated { file } => file_event("file_truncated", file),
        Change::FileReplaced { file } => file_event("file_replaced", file),
        Change::FeedMissing { file } => file_event("feed_missing", file),
        Change::Alert(a) => alert(a),
        // The record as it reads now, links included: what changed is what it is linked to.
        Change::Relinked { kind, id, by } => {
            let mut v = json!({"event": "record_relinked", "kind": kind, "id": id, "by": {"kind": by.0, "id": by.1}});
            if let Some(entry) = store.panel(*kind).get(id) {
                v["record"] = record(entry, &all_links.info(store, *kind, id), store, history);
            }
            v
        }
        Change::Read { kind, file, records } => {
            json!({"event": "records_read", "kind": kind, "file": path_text(file), "count": records})
        }
        Change::Evicted { kind, ids } => {
            json!({"event": "records_evicted", "kind": kind, "count": ids.len(), "ids": ids})
        }
    }
}

/// An alert: when, which rule, which record.
pub fn alert(a: &Alert) -> Value {
    json!({
        "event": "alert", "at": a.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "rule": a.rule,
        "kind": a.kind, "id": a.id, "title": a.title, "bell": a.bell, "cause": a.cause.as_str(),
    })
}

//! Retention: forgetting the records a panel no longer keeps under `[retention]`, beyond the newest `keep`
//! (once 10% over, so the sort is rare), or older than `days` (looked at once a minute of the clock).

use super::change::Change;
use crate::config::Retention as Rule;
use crate::model::links::Links;
use crate::model::store::Store;
use crate::model::vocab::Kind;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

/// How often records are checked for their age.
const AGE_EVERY: chrono::Duration = chrono::Duration::seconds(60);

#[derive(Debug, Default)]
pub struct Retention {
    by_kind: BTreeMap<Kind, Rule>,
    /// When records were last checked for their age.
    aged_at: Option<DateTime<Utc>>,
}

impl Retention {
    pub fn new(by_kind: BTreeMap<Kind, Rule>) -> Self {
        Retention { by_kind, aged_at: None }
    }

    /// Forgets what the rules no longer keep, from the store and the links, and says so: one
    /// [`Change::Evicted`] per panel that lost records.
    pub fn evict(&mut self, store: &mut Store, links: &mut Links, now: DateTime<Utc>) -> Vec<Change> {
        let mut out = Vec::new();
        // A clock that went back also counts as due: better a look too many than none for a long time.
        let age_due = self.aged_at.is_none_or(|t| now - t >= AGE_EVERY || now < t);
        if age_due {
            self.aged_at = Some(now);
        }
        for (&kind, rule) in &self.by_kind {
            let panel = store.panel(kind);
            let mut gone: Vec<String> = Vec::new();
            if let (Some(days), true) = (rule.days, age_due) {
                // A cut-off before the start of time keeps everything.
                if let Some(cutoff) = chrono::Duration::try_days(days.into()).and_then(|d| now.checked_sub_signed(d)) {
                    gone.extend(
                        panel
                            .newest_first()
                            .into_iter()
                            .map(|e| e.current().packed())
                            .filter(|rec| rec.utc() < cutoff)
                            .map(|rec| rec.id().to_string()),
                    );
                }
            }
            if let Some(keep) = rule.keep {
                if panel.len() > keep + keep / 10 {
                    gone.extend(
                        panel.newest_first().into_iter().skip(keep).map(|e| e.current().packed().id().to_string()),
                    );
                }
            }
            gone.sort();
            gone.dedup();
            if gone.is_empty() {
                continue;
            }
            for id in &gone {
                if let Some((h, entry)) = store.panel_mut(kind).remove(id) {
                    links.forget(kind, h, entry.id(), &links.prepare(store.texts(), entry.current().packed()));
                }
            }
            tracing::info!("retention: forgot {} {kind} records", gone.len());
            out.push(Change::Evicted { kind, ids: gone });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::jsonl::parse_packed;
    use crate::model::links::default_vocabulary;
    use crate::model::store::Origin;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).expect("time").to_utc()
    }

    fn store_with(days_ago: &[(u32, &str)], now: DateTime<Utc>) -> (Store, Links) {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        for (i, (days, id)) in days_ago.iter().enumerate() {
            let ts = (now - chrono::Duration::days((*days).into())).to_rfc3339();
            let line = format!(r#"{{"id":"{id}","ts":"{ts}","kind":"aid","title":"P {id}","stage":"proposed"}}"#);
            let packed = parse_packed(line.as_bytes(), None).expect("parses").expect("a record");
            let (applied, h) = store.apply_packed(packed, Origin { line: i as u64 + 1, ..Origin::NONE });
            links.follow_handle(&store, Kind::Aid, h, None, applied);
        }
        (store, links)
    }

    fn ids(changes: &[Change]) -> Vec<String> {
        changes
            .iter()
            .flat_map(|c| match c {
                Change::Evicted { ids, .. } => ids.clone(),
                _ => Vec::new(),
            })
            .collect()
    }

    #[test]
    fn records_older_than_days_are_forgotten_by_the_clock_not_the_wall() {
        let now = at("2026-03-01T12:00:00Z");
        let (mut store, mut links) = store_with(&[(1, "new"), (20, "old"), (40, "older")], now);
        let mut r = Retention::new(BTreeMap::from([(Kind::Aid, Rule { keep: None, days: Some(30), versions: None })]));
        assert_eq!(ids(&r.evict(&mut store, &mut links, now)), ["older"]);
        assert_eq!(store.panel(Kind::Aid).len(), 2);
        // Ten days on, but within the minute: not looked at again.
        assert!(r.evict(&mut store, &mut links, now + chrono::Duration::seconds(30)).is_empty());
        // Once the minute has passed, "old" is 30 days and a minute old.
        let later = now + chrono::Duration::days(10) + chrono::Duration::seconds(61);
        assert_eq!(ids(&r.evict(&mut store, &mut links, later)), ["old"]);
    }

    #[test]
    fn keep_trims_to_the_newest_once_ten_percent_over() {
        let now = at("2026-03-01T12:00:00Z");
        let records: Vec<(u32, String)> = (0..12).map(|i| (i, format!("r{i:02}"))).collect();
        let refs: Vec<(u32, &str)> = records.iter().map(|(d, id)| (*d, id.as_str())).collect();
        let (mut store, mut links) = store_with(&refs[..11], now);
        let mut r = Retention::new(BTreeMap::from([(Kind::Aid, Rule { keep: Some(10), days: None, versions: None })]));
        assert!(r.evict(&mut store, &mut links, now).is_empty(), "11 of 10 is within the 10%");
        let (mut store, mut links) = store_with(&refs, now);
        assert_eq!(ids(&r.evict(&mut store, &mut links, now)), ["r10", "r11"], "the two oldest go");
        assert_eq!(store.panel(Kind::Aid).len(), 10);
    }

    #[test]
    fn days_beyond_the_calendar_keep_everything_and_do_not_panic() {
        let now = at("2026-03-01T12:00:00Z");
        let (mut store, mut links) = store_with(&[(1, "a"), (4000, "b")], now);
        let mut r = Retention::new(BTreeMap::from([(
            Kind::Aid,
            Rule { keep: None, days: Some(4_000_000_000), versions: None },
        )]));
        assert!(r.evict(&mut store, &mut links, now).is_empty());
        assert_eq!(store.panel(Kind::Aid).len(), 2);
    }
}

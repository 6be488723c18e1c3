//! Watch rules at work: which records each rule matches now, which records a highlighting rule marks, and
//! the alerts raised when a record comes to match (new, updated, or because of what it is linked to).

use super::change::{Alert, Cause, Change};
use super::read::FirstHits;
use crate::model::links::{LinkInfo, Links};
use crate::model::packed::{Packed, SharedTexts};
use crate::model::rules::{LinksOnDemand, Rule, Test};
use crate::model::store::{Handle, Store};
use crate::model::vocab::Kind;
use crate::text::contains_ignore_case;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashSet as HashSet;
use std::sync::Arc;

/// How many alerts are kept for the alert list.
pub const MAX_ALERTS_KEPT: usize = 1_000;

/// The rules on fields alone (no `sanctioned`, no `cover`), at most 64, as the parser threads match them
/// on a first read: a record's hits are a bit each.
#[derive(Debug)]
pub struct FieldRules {
    /// (the rule's place among all rules, the rule, what of it a plain line can rule out), bit `b` for the
    /// `b`th.
    rules: Vec<(usize, Rule, Option<InLine>)>,
    /// The bits of the rules on each kind.
    by_kind: [Vec<usize>; 4],
}

/// The parts of a rule's `text contains` condition, when finding none of them in a plain line (printable
/// ASCII, no escapes) shows the condition cannot hold: every text of such a line's record is in the line
/// as written, but for words, numbers and booleans, which read as their canonical spelling. So a part
/// qualifies when it is ASCII (a non-ASCII letter may lower-case to an ASCII one), no vocabulary word holds
/// it and it has a character no number is written with.
#[derive(Debug)]
struct InLine(Vec<memchr::memmem::Finder<'static>>);

impl InLine {
    fn of(rule: &Rule) -> Option<InLine> {
        let number_char = |c: char| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E');
        rule.conditions.iter().find_map(|c| match (&*c.field, &c.test) {
            ("text", Test::Contains(parts))
                if !parts.is_empty()
                    && parts.iter().all(|p| {
                        p.is_ascii()
                            && !p.chars().all(number_char)
                            && !crate::model::vocab::field_words().any(|w| contains_ignore_case(w, p))
                    }) =>
            {
                Some(InLine(
                    parts.iter().map(|p| memchr::memmem::Finder::new(&p.to_ascii_lowercase()).into_owned()).collect(),
                ))
            }
            _ => None,
        })
    }

    /// Whether none of the parts is in the line (written in lower case, see [`lower_ascii`]).
    fn none_in(&self, lower_line: &[u8]) -> bool {
        !self.0.iter().any(|p| p.find(lower_line).is_some())
    }
}

/// An ASCII line in lower case, into `out`: with a vector search for each part after it, 2.6 times as
/// fast as searching the line for each part's rarest letter in both cases (at 1M lines, 77 against 200
/// ns a line).
pub(super) fn lower_ascii(line: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.resize(line.len(), 0);
    // In place over a buffer of the line's size, which the compiler turns into vector steps (pushing byte by
    // byte it does not).
    for (o, &b) in out.iter_mut().zip(line) {
        *o = b | (u8::from(b.wrapping_sub(b'A') < 26) << 5);
    }
}

impl FieldRules {
    fn new(rules: Vec<(usize, Rule)>) -> Self {
        let rules: Vec<_> =
            rules.into_iter().map(|(i, rule)| (i, InLine::of(&rule), rule)).map(|(i, l, r)| (i, r, l)).collect();
        let by_kind = std::array::from_fn(|k| {
            let on = |rule: &Rule| rule.kind.is_none_or(|kind| kind.index() == k);
            (0..rules.len()).filter(|&bit| on(&rules[bit].1)).collect()
        });
        FieldRules { rules, by_kind }
    }

    /// Whether [`FieldRules::hits`] can use a plain line.
    pub fn reads_lines(&self) -> bool {
        self.rules.iter().any(|(_, _, in_line)| in_line.is_some())
    }

    /// The bits of the rules `record` matches. `plain_line` is its line when it was a plain one (see
    /// [`InLine`]), in lower case ([`lower_ascii`]): a rule on a word no text can hold is then ruled out by
    /// a search of the line, rather than of every text of the record.
    pub fn hits(&self, texts: &SharedTexts, record: &Packed, plain_line: Option<&[u8]>) -> u64 {
        let no_links = LinksOnDemand::new(&LinkInfo::default);
        let mut starts = crate::model::packed::FieldStarts::default();
        let mut hits = 0;
        for &bit in &self.by_kind[record.kind().index()] {
            let (_, rule, in_line) = &self.rules[bit];
            if let (Some(in_line), Some(line)) = (in_line, plain_line) {
                if in_line.none_in(line) {
                    continue;
                }
            }
            if rule.matches_from(texts, record, &mut starts, &no_links) {
                hits |= 1 << bit;
            }
        }
        hits
    }

    /// The places among all rules of the rules whose bits are set.
    fn places(&self, hits: u64) -> impl Iterator<Item = usize> + '_ {
        self.rules.iter().enumerate().filter(move |(bit, _)| hits & 1 << bit != 0).map(|(_, (i, _, _))| *i)
    }
}

#[derive(Debug, Default)]
pub struct Watch {
    rules: Vec<Rule>,
    /// The rules on fields alone, for the parser threads of a first read (none when there are none, or
    /// more than 64).
    field_rules: Option<Arc<FieldRules>>,
    /// (rule, record) pairs that match now, to tell when a link makes a rule start matching.
    /// Records are held by their handle in their panel (no copy of an id for each of 200k matches); a
    /// forgotten record's handle is let go before the store hands it out again (see [`Watch::forget`]).
    matched: HashSet<(usize, Kind, Handle)>,
    highlighted: HashSet<(Kind, Handle)>,
    alerts: Vec<Alert>,
}

impl Watch {
    pub fn new(rules: Vec<Rule>) -> Self {
        let mut watch = Watch::default();
        watch.reset(rules);
        watch
    }

    /// Takes new rules: nothing matches until [`Watch::run`] says so again.
    pub fn reset(&mut self, rules: Vec<Rule>) {
        let on_fields: Vec<(usize, Rule)> =
            rules.iter().enumerate().filter(|(_, r)| !r.reads_links()).map(|(i, r)| (i, r.clone())).collect();
        self.field_rules =
            (!on_fields.is_empty() && on_fields.len() <= 64).then(|| Arc::new(FieldRules::new(on_fields)));
        self.rules = rules;
        self.matched.clear();
        self.highlighted.clear();
    }

    /// The rules the parser threads of a first read match (see [`FieldRules`]).
    pub fn field_rules(&self) -> Option<Arc<FieldRules>> {
        self.field_rules.clone()
    }

    /// Runs the rules over the records that changed and those linked to them. `was_started` is false for
    /// the first read, whose records are matched all at once and raise nothing; `first` is what its
    /// parser threads matched of the field rules (see [`Watch::field_rules`]).
    pub fn run(
        &mut self,
        store: &Store,
        links: &Links,
        changes: &[Change],
        was_started: bool,
        first: &FirstHits,
        now: DateTime<Utc>,
    ) -> Vec<Change> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        if !was_started {
            let began = std::time::Instant::now();
            self.first_read(store, links, first);
            let (matches, secs) = (self.matched.len(), began.elapsed().as_secs_f64());
            tracing::info!("first read: {} rules matched {matches} times in {secs:.3} s", self.rules.len());
        }
        // (kind, id, whether the record itself is news, whether it is here only for what it is linked to,
        // what brought it here)
        let mut affected: Vec<(Kind, String, bool, bool, Cause)> = Vec::new();
        let reads_links = |k: Kind| self.rules.iter().any(|r| r.kind.is_none_or(|rk| rk == k) && r.reads_links());
        for c in changes {
            match c {
                Change::RecordAdded { kind, id, news, .. } | Change::RecordUpdated { kind, id, news, .. } => {
                    let cause = if matches!(c, Change::RecordAdded { .. }) { Cause::New } else { Cause::Updated };
                    affected.push((*kind, id.to_string(), *news, false, cause));
                }
                // A record linked to a change may start or stop matching rules that read links
                // (`sanctioned`, `cover`): looked at again only when such a rule is there for its kind. On
                // the first read every record is a change itself, and is matched once all links are in.
                Change::Relinked { kind, id, .. } if was_started && reads_links(*kind) => {
                    affected.push((*kind, id.clone(), false, true, Cause::Linked));
                }
                _ => {}
            }
        }
        let mut seen = HashSet::default();
        let mut out = Vec::new();
        for (kind, id, news, linked, cause) in affected {
            if !seen.insert((kind, id.clone(), news, linked)) {
                continue;
            }
            let Some(h) = store.panel(kind).handle(&id) else { continue };
            let Some(entry) = store.panel(kind).by_handle(h) else { continue };
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
                let now_matches = rule.matches(store.texts(), record, &info);
                // On a first read nothing matched before: no need to look.
                let before = match (now_matches, was_started) {
                    (true, _) => !self.matched.insert((i, kind, h)),
                    (false, true) => self.matched.remove(&(i, kind, h)),
                    (false, false) => false,
                };
                flipped |= now_matches != before;
                highlight |= now_matches && rule.effects.highlight;
                // News is a record coming to match: a record that keeps matching is not news again. On a
                // first read, only what a published list's comparison calls news (a delisting, an
                // amendment) is.
                let fire = now_matches && if was_started { !before } else { news };
                if fire && (rule.effects.alert || rule.effects.bell) {
                    let alert = Alert {
                        at: now,
                        rule: rule.name.clone(),
                        kind,
                        id: id.clone(),
                        title: record.unpack(store.texts()).title().to_owned(),
                        bell: rule.effects.bell,
                        cause,
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
                    .any(|(i, r)| r.effects.highlight && self.matched.contains(&(i, kind, h)));
            }
            if highlight {
                self.highlighted.insert((kind, h));
            } else {
                self.highlighted.remove(&(kind, h));
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
    /// as changes of its own): only what matches is noted, and ids are copied only for that.
    ///
    /// The field rules' hits of the line feeds' records come from the parser threads (`first`); records
    /// given as changes (a published list's, or all of them when the rules change) are matched by
    /// [`Watch::run`] as any change is; the rules that read links (`sanctioned`, `cover`) are matched here,
    /// over every record on every core (and the field rules too when no parser matched them).
    fn first_read(&mut self, store: &Store, links: &Links, first: &FirstHits) {
        let parsed = self.field_rules.clone().filter(|_| !first.is_empty());
        if let Some(field_rules) = &parsed {
            // Room for every match at once: growing a set of 200k ids step by step hashes them all again
            // at every step.
            self.matched.reserve(first.added.iter().map(|(_, _, hits)| hits.count_ones() as usize).sum());
            for &(kind, h, hits) in &first.added {
                self.note(field_rules.places(hits), kind, h);
            }
            // An update replaces what the record matched (only field rules have matched so far).
            for &(kind, h, hits) in &first.updated {
                for i in field_rules.places(u64::MAX) {
                    self.matched.remove(&(i, kind, h));
                }
                self.highlighted.remove(&(kind, h));
                self.note(field_rules.places(hits), kind, h);
            }
        }
        // The parties with something to link, worked out once for both party panels, when a rule asks.
        let linked_parties = std::cell::OnceCell::new();
        for &kind in Kind::ALL {
            let rules: Vec<(usize, &Rule)> =
                self.rules.iter().enumerate().filter(|(_, r)| r.kind.is_none_or(|k| k == kind)).collect();
            let (linked, plain): (Vec<_>, Vec<_>) = rules.into_iter().partition(|(_, r)| r.reads_links());
            let panel = store.panel(kind);
            // Every record, for the rules on links, and for the field rules when no parser matched them.
            let every: Vec<(usize, &Rule)> = match parsed {
                Some(_) => linked,
                None => linked.into_iter().chain(plain.iter().copied()).collect(),
            };
            if !every.is_empty() {
                let entries: Vec<Handle> = panel.places().map(|(_, h)| h).collect();
                // A party with no name form in common with the other panel has no links to work out.
                let parties = matches!(kind, Kind::Sanctions | Kind::Suppliers);
                let none = Default::default();
                let linked = match parties {
                    true => linked_parties.get_or_init(|| links.linked_parties(store)),
                    false => &none,
                };
                let hits = crate::parallel::on_every_core(&entries, |&h| {
                    let Some(e) = panel.by_handle(h) else { return Vec::new() };
                    let record = e.current().packed();
                    let unlinked = parties && !linked.contains(&(kind, h));
                    let work_out = || links.row_info_at(store, kind, h, parties.then_some(linked));
                    let info = match unlinked {
                        true => LinksOnDemand::known(LinkInfo::default()),
                        false => LinksOnDemand::new(&work_out),
                    };
                    every
                        .iter()
                        .filter(|(_, rule)| rule.matches(store.texts(), record, &info))
                        .map(|(i, _)| *i)
                        .collect::<Vec<_>>()
                });
                for (h, hits) in entries.into_iter().zip(hits) {
                    self.note(hits, kind, h);
                }
            }
        }
    }

    /// Notes that a record matches these rules (by their place), and is highlighted if one of them says so.
    fn note(&mut self, rules: impl IntoIterator<Item = usize>, kind: Kind, h: Handle) {
        for i in rules {
            self.matched.insert((i, kind, h));
            if self.rules[i].effects.highlight {
                self.highlighted.insert((kind, h));
            }
        }
    }

    /// Forgets what it knew of the records of `kind` the store no longer holds: called as soon as they are
    /// forgotten, before the store gives their handles to new records.
    pub fn forget(&mut self, store: &Store, kind: Kind) {
        let panel = store.panel(kind);
        self.matched.retain(|(_, k, h)| *k != kind || panel.by_handle(*h).is_some());
        self.highlighted.retain(|(k, h)| *k != kind || panel.by_handle(*h).is_some());
    }

    /// The rules that match now, with the records they match: (rule, kind, id), sorted.
    pub fn matches(&self, store: &Store) -> Vec<(String, Kind, String)> {
        let id = |k: Kind, h: Handle| store.panel(k).id_of(h).unwrap_or_default().to_owned();
        let mut out: Vec<(String, Kind, String)> =
            self.matched.iter().map(|(i, k, h)| (self.rules[*i].name.clone(), *k, id(*k, *h))).collect();
        out.sort();
        out
    }

    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// How many records each rule matches now, in the rules' order.
    pub fn match_counts(&self) -> Vec<(String, usize)> {
        let mut counts = vec![0; self.rules.len()];
        for (i, _, _) in &self.matched {
            if let Some(c) = counts.get_mut(*i) {
                *c += 1;
            }
        }
        self.rules.iter().map(|r| r.name.clone()).zip(counts).collect()
    }

    /// How many (rule, record) matches there are now.
    pub fn match_count(&self) -> usize {
        self.matched.len()
    }

    /// The rules that match a record now, with whether each asks for the bell; those that raise nothing
    /// (highlight only) left out.
    pub fn rules_matching(&self, store: &Store, kind: Kind, id: &str) -> Vec<(&str, bool)> {
        let Some(h) = store.panel(kind).handle(id) else { return Vec::new() };
        self.rules
            .iter()
            .enumerate()
            .filter(|(i, r)| (r.effects.alert || r.effects.bell) && self.matched.contains(&(*i, kind, h)))
            .map(|(_, r)| (r.name.as_str(), r.effects.bell))
            .collect()
    }

    /// The alerts raised so far (the most recent [`MAX_ALERTS_KEPT`]), oldest first.
    pub fn alerts(&self) -> &[Alert] {
        &self.alerts
    }

    /// Whether a highlighting rule matches a record.
    pub fn is_highlighted(&self, store: &Store, kind: Kind, id: &str) -> bool {
        store.panel(kind).handle(id).is_some_and(|h| self.highlighted.contains(&(kind, h)))
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

    #[test]
    fn a_plain_line_rules_out_a_text_rule_exactly_when_its_record_cannot_match() {
        let config = r#"
[[feed]]
path = "a.jsonl"

[[rule]]
name = "Nitro"
when = { text = { contains = ["nitrocellulose", "TNT plant"] } }

[[rule]]
name = "A stage by its word"
when = { text = { contains = "passed_both" } }
"#;
        let rules = crate::config::parse(config, None).expect("config").rules;
        let field_rules = FieldRules::new(rules.into_iter().enumerate().collect());
        assert!(field_rules.rules[0].2.is_some(), "a word no field's vocabulary holds: the line tells");
        assert!(field_rules.rules[1].2.is_none(), "a stage's word: a line may spell it otherwise");
        let store = Store::new();
        let mut state = crate::formats::LineState::new(crate::model::packed::Packer::sharing(store.shared_texts()));
        let mut plains = 0;
        for (line, want) in [
            (r#"{"id":"s","ts":"2024-01-01T00:00:00Z","kind":"sanctions","reason":"Sells NitroCellulose"}"#, 0b01),
            (r#"{"id":"s","ts":"2024-01-01T00:00:00Z","kind":"sanctions","aliases":["x"," tnt plant "]}"#, 0b01),
            (r#"{"id":"s","ts":"2024-01-01T00:00:00Z","kind":"sanctions","note":{"a":["nitrocellulose"]}}"#, 0b01),
            (r#"{"id":"nitrocellulose","ts":"2024-01-01T00:00:00Z","kind":"sanctions","nitrocellulose":1}"#, 0),
            (r#"{"id":"s","ts":"2024-01-01T00:00:00Z","kind":"sanctions","reason":"Sells explosives"}"#, 0),
            (r#"{"id":"a","ts":"2024-01-01T00:00:00Z","kind":"aid","stage":"Passed Both"}"#, 0b10),
            (r#"{"id":"a","ts":"2024-01-01T00:00:00Z","kind":"aid","stage":"passed_both"}"#, 0b10),
            (r#"{"id":"s","ts":"2024-01-01T00:00:00Z","kind":"sanctions","reason":"nitro\u0063ellulose"}"#, 0b01),
        ] {
            let packed = crate::formats::jsonl::parse_packed_with(line.as_bytes(), None, &mut state, &mut |_, _, _| {})
                .expect("parses")
                .expect("a record");
            let mut lower = Vec::new();
            lower_ascii(line.as_bytes(), &mut lower);
            let plain = state.last_was_plain.then_some(&lower[..]);
            plains += usize::from(plain.is_some());
            let texts = store.texts();
            assert_eq!(field_rules.hits(texts, &packed, plain), want, "{line}");
            assert_eq!(field_rules.hits(texts, &packed, None), want, "{line}, every text walked");
        }
        assert_eq!(plains, 6, "all but the nested object and the escape went the quick way");
    }

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
            let origin = Origin { line: 1, ..Origin::NONE };
            let mut changes: Vec<Change> =
                apply(&mut self.store, &mut self.links, packed, None, origin, news).into_iter().collect();
            if news {
                changes.extend(crate::engine::relinked::of(&self.store, &self.links, &changes));
            }
            self.watch.run(&self.store, &self.links, &changes, news, &FirstHits::default(), now())
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
        assert_eq!(w.watch.matches(&w.store), [("Stalled".to_string(), Kind::Aid, "p1".to_string())]);
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
        assert!(!w.watch.is_highlighted(&w.store, Kind::Suppliers, "s1"));
        let sanction = r#"{"id":"x1","ts":"2026-02-02T00:00:00Z","kind":"sanctions","target":"Jiangsu Example Tools Co., Ltd.","authority":"OFAC","action":"designated"}"#;
        let raised = w.arrive(sanction, true);
        assert_eq!(alerts(&raised), [("Sanctioned supplier".to_string(), "s1".to_string(), false)]);
        assert!(w.watch.is_highlighted(&w.store, Kind::Suppliers, "s1"));
        // Forgotten as retention forgets it: out of the store, then out of the rules' reckoning, before a new
        // record takes its handle.
        let (h, _) = w.store.panel_mut(Kind::Suppliers).remove("s1").expect("held");
        w.watch.forget(&w.store, Kind::Suppliers);
        assert!(!w.watch.is_highlighted(&w.store, Kind::Suppliers, "s1") && w.watch.matches(&w.store).is_empty());
        w.arrive(r#"{"id":"s2","ts":"2026-02-03T00:00:00Z","kind":"suppliers","name":"Other Works"}"#, true);
        assert_eq!(w.store.panel(Kind::Suppliers).handle("s2"), Some(h), "the handle given again");
        assert!(!w.watch.is_highlighted(&w.store, Kind::Suppliers, "s2"));
    }

    #[test]
    fn an_update_that_keeps_matching_is_not_news_again_and_one_that_stops_clears_the_match() {
        let mut w = World::new();
        assert_eq!(alerts(&w.arrive(STALLED, true)).len(), 1);
        // Issue 18: an update of a record that keeps matching alerted again.
        let still = STALLED.replace("02-01", "02-02").replace("\"P1\"", "\"P1 renamed\"");
        assert!(alerts(&w.arrive(&still, true)).is_empty(), "still stalled: not news again");
        let moved = STALLED.replace("stalled", "signed").replace("02-01", "02-03");
        assert!(alerts(&w.arrive(&moved, true)).is_empty());
        assert!(w.watch.matches(&w.store).is_empty(), "a signed package no longer matches");
    }
}

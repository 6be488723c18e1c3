//! Watch rules: what an analyst wants to be told about. A rule names a kind (or none for every kind),
//! conditions on fields (all must hold) and what to do when a new or updated record matches: highlight it,
//! list it as an alert, ring the terminal bell.
//!
//! Conditions read the record's declared fields, plus `id`, `text` (every text field at once), `sanctioned`
//! (a supplier linked to a designation in force, or a designation of a flagged supplier: the matcher's
//! links and the analyst's confirmations), `possible` (a possible match not decided on) and `cover`
//! (a shortage's cover: uncovered, at_risk, covered, resolved), so rules can fire on links, not only fields.

use super::links::{Badge, Cover, LinkInfo};
use super::packed::{FieldStarts, Packed, SharedTexts};
use super::schema::Ty;
use super::vocab::{Kind, Level};

/// What a matching rule does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effects {
    pub alert: bool,
    pub highlight: bool,
    pub bell: bool,
}

/// One test on one field.
#[derive(Clone, Debug, PartialEq)]
pub enum Test {
    /// Equal to one of these (case-insensitive).
    OneOf(Vec<String>),
    /// Contains one of these (case-insensitive); for a list field, any item does.
    Contains(Vec<String>),
    /// A level at least this (risk, severity).
    AtLeast(Level),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub field: String,
    pub test: Test,
    /// What the field is, worked out from its name once (a rule is tested on every record).
    reads: Reads,
}

/// What a condition reads.
#[derive(Clone, Debug, PartialEq)]
enum Reads {
    Id,
    Text,
    Sanctioned,
    Possible,
    Cover,
    /// A field of the record: its place among each kind's declared fields (none: undeclared there), and
    /// for a word field the words the test passes (by their place in the vocabulary, a bit each), worked
    /// out once.
    Field([Option<(u8, Option<u64>)>; 4]),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    pub name: String,
    pub kind: Option<Kind>,
    pub conditions: Vec<Condition>,
    pub effects: Effects,
}

/// Fields any rule may name besides a kind's declared ones.
pub const PSEUDO_FIELDS: &[&str] = &["id", "text", "sanctioned", "possible", "cover"];
/// Fields holding a level, the only ones `min` applies to.
pub const LEVEL_FIELDS: &[&str] = &["risk", "severity"];

impl Rule {
    /// Whether a record (its current version, and what it is linked to) matches.
    /// Whether the rule reads what a record is linked to (`sanctioned`, `cover`), not only its fields.
    pub fn reads_links(&self) -> bool {
        self.conditions.iter().any(|c| matches!(c.reads, Reads::Sanctioned | Reads::Possible | Reads::Cover))
    }

    /// Fields are read where they are, without copies (rules run over every record of a first read); links
    /// are worked out only when a condition reads them, after the conditions before it held.
    pub fn matches(&self, texts: &SharedTexts, r: &Packed, links: &LinksOnDemand<'_>) -> bool {
        self.matches_from(texts, r, &mut FieldStarts::default(), links)
    }

    /// [`Rule::matches`], with where the record's fields start (as far as a condition walked) shared
    /// between the rules tested on it.
    pub fn matches_from(
        &self,
        texts: &SharedTexts,
        r: &Packed,
        starts: &mut FieldStarts,
        links: &LinksOnDemand<'_>,
    ) -> bool {
        if self.kind.is_some_and(|k| k != r.kind()) {
            return false;
        }
        self.conditions.iter().all(|c| c.holds(texts, r, starts, links))
    }
}

/// What a record is linked to, worked out the first time a condition asks: a shortage's cover walks the
/// packages of its categories, and most rules that read it have a cheaper condition first.
pub struct LinksOnDemand<'a> {
    info: std::cell::OnceCell<LinkInfo>,
    work_out: &'a dyn Fn() -> LinkInfo,
}

impl<'a> LinksOnDemand<'a> {
    pub fn new(work_out: &'a dyn Fn() -> LinkInfo) -> Self {
        LinksOnDemand { info: std::cell::OnceCell::new(), work_out }
    }

    /// Links already known.
    pub fn known(info: LinkInfo) -> Self {
        LinksOnDemand { info: std::cell::OnceCell::from(info), work_out: &LinkInfo::default }
    }

    fn get(&self) -> &LinkInfo {
        self.info.get_or_init(self.work_out)
    }
}

impl Condition {
    pub fn new(field: &str, test: Test) -> Self {
        let reads = match field {
            "id" => Reads::Id,
            "text" => Reads::Text,
            "sanctioned" => Reads::Sanctioned,
            "possible" => Reads::Possible,
            "cover" => Reads::Cover,
            _ => {
                let place = |k: usize| {
                    let declared = crate::model::schema::fields(Kind::ALL[k]);
                    declared.iter().position(|f| f.name == field).map(|at| (at, declared[at].ty))
                };
                let places: [_; 4] = std::array::from_fn(place);
                Reads::Field(places.map(|p| {
                    let (at, ty) = p?;
                    let words = match ty {
                        Ty::Word(vocab) => Some(
                            (0..64)
                                .filter(|&i| vocab.name(i).is_some_and(|w| test.passes(w)))
                                .fold(0u64, |bits, i| bits | 1 << i),
                        ),
                        _ => None,
                    };
                    Some((at as u8, words))
                }))
            }
        };
        Condition { field: field.to_owned(), test, reads }
    }

    /// Whether any value of the field passes the test: a list's items, a string, a number or a word as
    /// text, or a pseudo field.
    fn holds(&self, texts: &SharedTexts, r: &Packed, starts: &mut FieldStarts, links: &LinksOnDemand<'_>) -> bool {
        let pass = |v: &str| self.test.passes(v);
        match &self.reads {
            Reads::Id => pass(r.id()),
            Reads::Text => r.any_field_text(texts, true, &mut |_, t| pass(t)),
            Reads::Sanctioned => {
                let links = links.get();
                let yes = match (r.kind(), &links.badge) {
                    (Kind::Suppliers, Some(Badge::Sanctioned { .. })) => true,
                    (Kind::Sanctions, _) => !links.parties.is_empty(),
                    _ => false,
                };
                pass(if yes { "true" } else { "false" })
            }
            // A possible match the analyst has not decided on (a link, or a decision, is not possible).
            Reads::Possible => pass(if links.get().possible.is_empty() { "false" } else { "true" }),
            Reads::Cover => match &links.get().cover {
                Some(Cover::Uncovered) => pass("uncovered"),
                Some(Cover::AtRisk(_)) => pass("at_risk"),
                Some(Cover::Covered(_)) => pass("covered"),
                Some(Cover::Resolved) => pass("resolved"),
                None => false,
            },
            Reads::Field(places) => match places[r.kind().index()] {
                Some((at, Some(words))) => {
                    r.code_from(starts, usize::from(at)).is_some_and(|c| c < 64 && words & 1 << c != 0)
                }
                place => {
                    let place = place.map(|(at, _)| usize::from(at));
                    r.any_text_from(texts, starts, place, &self.field, &mut |t| pass(t))
                }
            },
        }
    }
}

impl Test {
    /// Whether a text passes.
    fn passes(&self, v: &str) -> bool {
        match self {
            Test::OneOf(options) => options.iter().any(|o| o.eq_ignore_ascii_case(v)),
            Test::Contains(parts) => parts.iter().any(|p| crate::text::contains_ignore_case(v, p)),
            Test::AtLeast(min) => Level::parse(v).is_some_and(|l| l >= *min),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(kind: Kind, line: &str) -> Packed {
        crate::formats::jsonl::parse_packed(line.as_bytes(), Some(kind)).expect("valid").expect("record")
    }

    fn rule(kind: Option<Kind>, conditions: Vec<(&str, Test)>) -> Rule {
        Rule {
            name: "r".into(),
            kind,
            conditions: conditions.into_iter().map(|(f, t)| Condition::new(f, t)).collect(),
            effects: Effects { alert: true, highlight: false, bell: false },
        }
    }

    #[test]
    fn field_conditions_all_must_hold() {
        let sup = rec(
            Kind::Suppliers,
            r#"{"id":"s","ts":"2024-01-01T00:00:00Z","country":"HK","goods":["Microelectronics"],"risk":"high"}"#,
        );
        let r = rule(
            Some(Kind::Suppliers),
            vec![
                ("country", Test::OneOf(vec!["cn".into(), "hk".into()])),
                ("goods", Test::Contains(vec!["microelectronics".into(), "engine".into()])),
                ("risk", Test::AtLeast(Level::High)),
            ],
        );
        assert!(r.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(LinkInfo::default())));
        let r2 = rule(Some(Kind::Suppliers), vec![("risk", Test::AtLeast(Level::Critical))]);
        assert!(!r2.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(LinkInfo::default())));
        let other_kind = rule(Some(Kind::Sanctions), vec![]);
        assert!(!other_kind.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(LinkInfo::default())));
    }

    /// A word field's condition is worked out over its vocabulary once; it must pass exactly the words the
    /// test passes read as text, for every word of every word field of every kind, and none when the field
    /// is absent.
    #[test]
    fn word_conditions_pass_what_their_words_as_text_pass() {
        let tests = [
            Test::OneOf(vec!["DESIGNATED".into(), "bank".into(), "stalled".into(), "easing".into()]),
            Test::Contains(vec!["e".into()]),
            Test::AtLeast(Level::High),
        ];
        let no_links = LinksOnDemand::known(LinkInfo::default());
        let mut seen = 0;
        for &kind in Kind::ALL {
            for f in crate::model::schema::fields(kind) {
                let Ty::Word(vocab) = f.ty else { continue };
                assert!(vocab.name(64).is_none(), "{}: a condition keeps at most 64 words as bits", f.name);
                let absent = rec(kind, r#"{"id":"w","ts":"2024-01-01T00:00:00Z"}"#);
                for test in &tests {
                    let condition = Condition::new(f.name, test.clone());
                    let Reads::Field(places) = &condition.reads else { panic!("{}", f.name) };
                    assert!(places[kind.index()].is_some_and(|(_, words)| words.is_some()), "{}", f.name);
                    assert!(
                        !condition.holds(&SharedTexts::default(), &absent, &mut FieldStarts::default(), &no_links),
                        "{} absent",
                        f.name
                    );
                    for word in (0..64).map_while(|i| vocab.name(i)) {
                        let line = format!(r#"{{"id":"w","ts":"2024-01-01T00:00:00Z","{}":"{word}"}}"#, f.name);
                        let r = rec(kind, &line);
                        let by_text = r.any_text_of(&SharedTexts::default(), f.name, &mut |t| test.passes(t));
                        assert_eq!(
                            condition.holds(&SharedTexts::default(), &r, &mut FieldStarts::default(), &no_links),
                            by_text,
                            "{line} {test:?}"
                        );
                        seen += usize::from(by_text);
                    }
                }
            }
        }
        assert!(seen > 10, "the tests pass some words");
    }

    #[test]
    fn text_and_link_conditions() {
        let s = rec(Kind::Sanctions, r#"{"id":"x","ts":"2024-01-01T00:00:00Z","reason":"supplies NITROCELLULOSE"}"#);
        assert!(rule(None, vec![("text", Test::Contains(vec!["nitrocellulose".into()]))]).matches(
            &SharedTexts::default(),
            &s,
            &LinksOnDemand::known(LinkInfo::default())
        ));
        let sup = rec(Kind::Suppliers, r#"{"id":"s","ts":"2024-01-01T00:00:00Z"}"#);
        let sanctioned = rule(Some(Kind::Suppliers), vec![("sanctioned", Test::OneOf(vec!["true".into()]))]);
        assert!(!sanctioned.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(LinkInfo::default())));
        let linked = LinkInfo {
            badge: Some(Badge::Sanctioned { authority: "OFAC".into(), date: "2024-05-01".into() }),
            ..LinkInfo::default()
        };
        assert!(sanctioned.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(linked)));
        let possible = rule(Some(Kind::Suppliers), vec![("possible", Test::OneOf(vec!["true".into()]))]);
        assert!(!possible.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(LinkInfo::default())));
        let maybe = LinkInfo { possible: vec![(Kind::Sanctions, "x".into())], ..LinkInfo::default() };
        assert!(possible.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(maybe.clone())));
        assert!(
            !sanctioned.matches(&SharedTexts::default(), &sup, &LinksOnDemand::known(maybe)),
            "a possible match is not sanctioned"
        );
    }
}

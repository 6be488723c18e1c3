//! Whether two parties are the same, the way screening tools decide it (OpenSanctions' matcher,
//! moov-io/watchman): each name reduced to its words in ASCII (`words.rs`), its legal forms taken out by a
//! real catalogue with their classes (`legal.rs`), the words left compared in any order within an edit
//! budget (`score.rs`); then the evidence beside the names changes the verdict: a shared identifier
//! confirms, a conflicting one blocks, a different legal-form class or country weakens.
//!
//! Two levels: a **link** (at or above [`LINK`], or confirmed) is what SANCTIONED and the rules act on; a
//! **possible match** (from [`POSSIBLE`]) is shown as such, for the analyst to decide. Every verdict says
//! why: the names compared, the words paired, the legal forms, the identifiers.

pub mod legal;
pub mod score;
pub mod words;

use crate::model::name_keys::{KeyMemo, NameKeys, WordKey};
use legal::{Form, LegalForms};
use score::Pairing;
use words::Word;

/// A score from here is a link. Chosen on the name-pair test set (`crates/core/tests/name_pairs.rs`):
/// the lowest true pair's score there clears it, and the highest false pair's stays below (see
/// docs/feeds.md).
pub const LINK: f32 = 0.85;
/// A score from here (and below [`LINK`]) is a possible match.
pub const POSSIBLE: f32 = 0.70;

/// A shared identifier confirms a link from this score of the names.
pub const CONFIRMABLE: f32 = 0.5;

/// How sure a verdict is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    No,
    Possible,
    Link,
}

/// One side of a comparison: its names (the first the main one, the rest aliases), its identifiers
/// (`scheme:value` as the formats write them, or as the list wrote them: `Tax ID No. 7701234567`), and
/// its country.
#[derive(Clone, Debug, Default)]
pub struct Party<'a> {
    pub names: Vec<&'a str>,
    pub identifiers: Vec<&'a str>,
    pub country: Option<&'a str>,
}

/// What the identifiers say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Identifiers {
    /// Both sides carry this value.
    Shared(String),
    /// Both carry one of this scheme, and no value is shared.
    Conflict { scheme: String, a: String, b: String },
}

/// A verdict and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Verdict {
    pub strength: Strength,
    /// The names' score after the evidence (0 to 1).
    pub score: f32,
    /// The two names that compared best.
    pub names: (String, String),
    pub pairs: Vec<Pairing>,
    /// The legal forms of each of the two names.
    pub forms: (Vec<Form>, Vec<Form>),
    pub identifiers: Option<Identifiers>,
    /// What else changed the score, in words.
    pub notes: Vec<String>,
}

/// A name reduced to what it is compared by.
#[derive(Clone, Debug, PartialEq)]
pub struct Analysed {
    pub words: Vec<Word>,
    pub forms: Vec<Form>,
}

/// The matcher: the legal-form catalogue, read once.
pub struct Matcher {
    forms: LegalForms,
    /// See [`LegalForms::phrase_words`].
    phrase_words: rustc_hash::FxHashSet<String>,
    /// The same words as [`crate::model::names::word_key`]s: looked at by the quick way as it reads a
    /// name's words.
    phrase_keys: rustc_hash::FxHashSet<u64>,
}

impl Default for Matcher {
    fn default() -> Self {
        Self::new()
    }
}

impl Matcher {
    pub fn new() -> Self {
        let forms = LegalForms::new();
        let phrase_words = forms.phrase_words();
        let phrase_keys = phrase_words.iter().map(|w| crate::model::names::word_key(w.as_bytes())).collect();
        Matcher { forms, phrase_words, phrase_keys }
    }

    /// A name's form for the links' index of candidates ([`crate::model::names::form_hash`]), with the
    /// legal forms of several words the catalogue knows taken out first (`Limited Liability Company
    /// Romashka`, `Общество с ограниченной ответственностью «Ромашка»`, `Müller Gesellschaft mit
    /// beschränkter Haftung` have the forms of `Romashka LLC`, `ООО Ромашка`, `Müller GmbH`). Only a name
    /// with one of their words goes that way; the rest, most names, the quick way.
    pub fn form_hash(&self, name: &str) -> Option<u64> {
        let stop = |key: u64| self.phrase_keys.contains(&key);
        match crate::model::names::form_hash_unless(name, &stop) {
            Some(quick) => return quick,
            None if name.is_ascii() && name.len() <= 128 => {}
            None if !words::Tokens::scan(name).texts().any(|w| self.phrase_words.contains(w)) => {
                return crate::model::names::form_hash(name);
            }
            None => {}
        }
        let mut tokens = words::Tokens::scan(name);
        self.forms.take(&mut tokens);
        crate::model::names::form_hash(&tokens.texts().collect::<Vec<_>>().join(" "))
    }

    pub fn analyse(&self, name: &str) -> Analysed {
        let mut t = words::Tokens::scan(name);
        let forms = self.forms.take(&mut t);
        Analysed { words: t.into_words(), forms }
    }

    /// [`Matcher::form_hash`], and the keys the name is found by in the word index
    /// ([`crate::model::name_keys`]) from the same words: read the quick way as the form is, or, for a name
    /// that does not reduce that way, from its words as the matcher reads them (every script romanised),
    /// the catalogue's legal forms out.
    pub fn form_and_keys(&self, name: &str, memo: Option<&mut KeyMemo>, key: &mut impl FnMut(WordKey)) -> Option<u64> {
        let stop = |k: u64| self.phrase_keys.contains(&k);
        let mut keys = NameKeys::new(memo, key);
        if let Some(quick) = crate::model::names::form_hash_words(name, &stop, &mut |w, h| keys.word(w, h)) {
            keys.finish();
            return quick;
        }
        let mut tokens = words::Tokens::scan(name);
        // The quick way stopped at a word of a legal form of several words, or the name has one.
        let phrase = (name.is_ascii() && name.len() <= 128) || tokens.texts().any(|w| self.phrase_words.contains(w));
        let form = match phrase {
            false => crate::model::names::form_hash(name),
            true => None,
        };
        self.forms.take(&mut tokens);
        tokens.texts().for_each(|t| keys.text(t));
        keys.finish();
        match phrase {
            false => form,
            true => crate::model::names::form_hash(&tokens.texts().collect::<Vec<_>>().join(" ")),
        }
    }

    /// The two names of `a` and `b` that compare best, their score and word pairs.
    #[allow(clippy::type_complexity)]
    fn best_names<'n>(
        &self,
        a: &Party<'n>,
        b: &Party<'n>,
    ) -> Option<(f32, Vec<Pairing>, (&'n str, Analysed), (&'n str, Analysed))> {
        let left: Vec<Analysed> = a.names.iter().map(|n| self.analyse(n)).collect();
        let right: Vec<Analysed> = b.names.iter().map(|n| self.analyse(n)).collect();
        let mut best: Option<(f32, Vec<Pairing>, usize, usize)> = None;
        for (i, x) in left.iter().enumerate() {
            for (j, y) in right.iter().enumerate() {
                let (s, pairs) = self.score(x, y);
                if best.as_ref().is_none_or(|b| s > b.0) {
                    best = Some((s, pairs, i, j));
                }
            }
        }
        let (s, pairs, i, j) = best?;
        let (mut left, mut right) = (left, right);
        Some((s, pairs, (a.names[i], left.swap_remove(i)), (b.names[j], right.swap_remove(j))))
    }

    /// How alike two names are (0 to 1), and the pairs of words it came from.
    pub fn score(&self, a: &Analysed, b: &Analysed) -> (f32, Vec<Pairing>) {
        score::score(&a.words, &b.words, &self.forms)
    }

    /// Whether two parties are the same.
    pub fn compare(&self, a: &Party, b: &Party) -> Verdict {
        self.judge(a, b, None)
    }

    /// [`Matcher::compare`], told that names `same.0` of `a` and `same.1` of `b` are the same once written
    /// alike (the links found them by that): only those two are analysed, for their legal forms, and the
    /// evidence is weighed as for any pair.
    pub fn judge(&self, a: &Party, b: &Party, same: Option<(usize, usize)>) -> Verdict {
        let best = match same {
            Some((i, j)) => {
                let (Some(x), Some(y)) = (a.names.get(i), b.names.get(j)) else { return Verdict::none() };
                Some((1.0, Vec::new(), (*x, self.analyse(x)), (*y, self.analyse(y))))
            }
            None => self.best_names(a, b),
        };
        let Some((mut score, pairs, x, y)) = best else { return Verdict::none() };
        let (x, y) = (&x, &y);
        let mut notes = Vec::new();
        let mut strength = strength_of(score);
        let identifiers = identifiers(&a.identifiers, &b.identifiers);
        match &identifiers {
            // The same register entry under names that share at least half their words: renamed, or
            // written another way.
            Some(Identifiers::Shared(v)) if score >= CONFIRMABLE => {
                notes.push(format!("the same identifier {v} on both"));
                strength = Strength::Link;
            }
            Some(Identifiers::Conflict { scheme, a, b }) => {
                notes.push(format!("different {scheme}: {a} and {b}"));
                strength = Strength::No;
            }
            _ => {}
        }
        let classes = |f: &[Form]| f.iter().filter_map(|f| f.class).collect::<Vec<_>>();
        let (ca, cb) = (classes(&x.1.forms), classes(&y.1.forms));
        if !ca.is_empty() && !cb.is_empty() && !ca.iter().any(|c| cb.contains(c)) && strength == Strength::Link {
            notes.push(format!("different legal forms: {} and {}", ca.join("/"), cb.join("/")));
            strength = if matches!(identifiers, Some(Identifiers::Shared(_))) { strength } else { Strength::Possible };
        }
        // Countries compared only when written alike (two codes, or two names: `RU` and `Russia` are one).
        if let (Some(p), Some(q)) = (a.country.map(str::trim), b.country.map(str::trim)) {
            if (p.len() == 2) == (q.len() == 2) && !p.eq_ignore_ascii_case(q) {
                score = (score - 0.1).max(0.0);
                notes.push(format!("different countries: {p} and {q}"));
                if !matches!(identifiers, Some(Identifiers::Shared(_))) {
                    strength = strength.min(strength_of(score));
                }
            }
        }
        Verdict {
            strength,
            score,
            names: (x.0.to_owned(), y.0.to_owned()),
            pairs,
            forms: (x.1.forms.clone(), y.1.forms.clone()),
            identifiers,
            notes,
        }
    }
}

impl Verdict {
    fn none() -> Self {
        Verdict {
            strength: Strength::No,
            score: 0.0,
            names: Default::default(),
            pairs: Vec::new(),
            forms: Default::default(),
            identifiers: None,
            notes: Vec::new(),
        }
    }
}

fn strength_of(score: f32) -> Strength {
    if score >= LINK {
        Strength::Link
    } else if score >= POSSIBLE {
        Strength::Possible
    } else {
        Strength::No
    }
}

/// An identifier as (scheme, value): `inn:7701234567` as written by the formats; `Tax ID No. 7701234567
/// (Russia)` as OFAC writes it, the scheme from its words; the value in capitals, letters and digits only.
fn identifier(text: &str) -> Option<(String, String)> {
    let clean = |v: &str| v.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
    if let Some((scheme, value)) = text.split_once(':') {
        if !scheme.is_empty() && scheme.len() <= 12 && scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
            let value = clean(value);
            return (value.len() >= 4).then(|| (scheme.to_ascii_lowercase(), value));
        }
    }
    // OFAC: the words before the value name the scheme; the value is the last word with a digit, before
    // any country in parentheses.
    let mut main = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 => main.push(c),
            _ => {}
        }
    }
    let lower = text.to_ascii_lowercase();
    let scheme = [
        ("inn", "inn"),
        ("tax id", "tax"),
        ("ogrn", "ogrn"),
        ("swift", "swift"),
        ("imo", "imo"),
        ("uscc", "uscc"),
        ("unified social credit", "uscc"),
        ("registration", "reg"),
        ("passport", "passport"),
        ("lei", "lei"),
    ]
    .iter()
    .find(|(w, _)| lower.contains(w))
    .map_or("id", |(_, s)| s);
    let value = main.split_whitespace().rev().find(|w| w.bytes().any(|b| b.is_ascii_digit())).map(clean)?;
    (value.len() >= 4).then(|| (scheme.to_owned(), value))
}

fn identifiers(a: &[&str], b: &[&str]) -> Option<Identifiers> {
    let (a, b): (Vec<_>, Vec<_>) =
        (a.iter().filter_map(|t| identifier(t)).collect(), b.iter().filter_map(|t| identifier(t)).collect());
    if let Some((_, v)) = a.iter().find(|(_, v)| b.iter().any(|(_, w)| w == v)) {
        return Some(Identifiers::Shared(v.clone()));
    }
    // Schemes that name one party each (not a passport, which a person may hold several of).
    let unique = ["inn", "ogrn", "uscc", "lei", "imo", "reg", "tax", "swift"];
    a.iter().find_map(|(s, v)| {
        let other = b.iter().find(|(t, _)| t == s && unique.contains(&s.as_str()))?;
        Some(Identifiers::Conflict { scheme: s.clone(), a: v.clone(), b: other.1.clone() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party<'a>(names: &[&'a str], ids: &[&'a str]) -> Party<'a> {
        Party { names: names.to_vec(), identifiers: ids.to_vec(), country: None }
    }

    #[test]
    fn a_shared_identifier_confirms_and_a_conflicting_one_blocks() {
        let m = Matcher::new();
        let v = m.compare(
            &party(&["Romashka Trading LLC"], &["inn:7701234567"]),
            &party(&["OOO Romashka Torg"], &["INN 7701234567"]),
        );
        assert_eq!(v.identifiers, Some(Identifiers::Shared("7701234567".into())));
        assert_eq!(v.strength, Strength::Link, "{v:?}");
        let v = m.compare(
            &party(&["LLC CST", "Zala Aero"], &["ogrn:1027700000001"]),
            &party(&["JSC Zala Aero"], &["ogrn:1187746519082"]),
        );
        assert_eq!(v.strength, Strength::No, "{v:?}");
        assert!(v.notes[0].contains("different ogrn"));
    }

    #[test]
    fn a_different_legal_form_class_is_not_a_link() {
        let m = Matcher::new();
        let v = m.compare(&party(&["Deutsche Bank AG"], &[]), &party(&["Deutsche Bank GmbH"], &[]));
        assert_eq!(v.strength, Strength::Possible, "{v:?}");
        let v = m.compare(&party(&["Gazprom OAO"], &[]), &party(&["Open Joint Stock Company Gazprom"], &[]));
        assert_eq!(v.strength, Strength::Link, "{v:?}");
    }

    #[test]
    fn legal_forms_of_several_words_leave_the_name_form_of_their_short_form() {
        let m = Matcher::new();
        let same = |a: &str, b: &str| m.form_hash(a).is_some() && m.form_hash(a) == m.form_hash(b);
        assert!(same("Romashka LLC", "Limited Liability Company Romashka"));
        assert!(same("ООО Ромашка", "Общество с ограниченной ответственностью «Ромашка»"));
        assert!(same("Müller Maschinenbau GmbH", "Müller Maschinenbau Gesellschaft mit beschränkter Haftung"));
        assert!(same("Gazprom OAO", "Open Joint Stock Company Gazprom"));
        assert!(same("Acme Trading Ltd", "ACME TRADING LIMITED"), "the quick way as before");
        assert!(!same("Open Systems Ltd", "Systems Ltd"));
    }

    #[test]
    fn names_written_differently_share_a_key() {
        let m = Matcher::new();
        let keys = |n: &str| {
            let mut keys = Vec::new();
            let form = m.form_and_keys(n, None, &mut |k| keys.push(k));
            assert_eq!(form, m.form_hash(n), "{n}: the same form either way");
            keys
        };
        let shares = |a: &str, b: &str| keys(a).iter().filter(|k| keys(b).contains(k)).count();
        assert_eq!(shares("SALEK, ABDULHAI", "Abdulhai Salek"), 2);
        assert_eq!(shares("Jin Ming Sheng", "JINMINGSHENG"), 1);
        assert_eq!(shares("Gasprom", "Gazprom"), 1);
        assert_eq!(shares("Internatinal Trading Company", "International Trading Co"), 2);
        assert_eq!(shares("ООО «Ромашка»", "Romashka LLC"), 1);
        assert_eq!(shares("Limited Liability Company Romashka", "Romashka LLC"), 1);
        assert_eq!(shares("Rosneft", "Rostec"), 0);
        assert_eq!(shares("Acme Trading", "Vostok Shipping"), 0);
    }

    #[test]
    fn identifiers_as_ofac_writes_them() {
        assert_eq!(identifier("Tax ID No. 7701234567 (Russia)"), Some(("tax".into(), "7701234567".into())));
        assert_eq!(identifier("IMO 9339301"), Some(("imo".into(), "9339301".into())));
        assert_eq!(
            identifier("Unified Social Credit Code (USCC) 91440300MA5DXXXX1X (China)"),
            Some(("uscc".into(), "91440300MA5DXXXX1X".into()))
        );
        assert_eq!(identifier("uscc:91320594MA1XKQ7T3N"), Some(("uscc".into(), "91320594MA1XKQ7T3N".into())));
    }
}

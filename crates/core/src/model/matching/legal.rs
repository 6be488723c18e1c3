//! Legal forms from a maintained catalogue: the organisation types of OpenSanctions' `rigour` library
//! (`crates/core/data/legal_forms.tsv`, made from its `org_types.yml` by `scripts/legal-forms.py`; MIT
//! licence in `crates/core/data/LICENSE-rigour`), built into the binary. Some 2,000 ways of writing some
//! 460 forms in many languages and scripts (`GmbH`, `Gesellschaft mit beschränkter Haftung`, `ООО`,
//! `Общество с ограниченной ответственностью`, `Sp. z o.o.`, `有限公司`, ...), each with its class (`LLC`,
//! `JSC`, `LP`, ...): a different class is a different legal entity.

use super::words::{words, Tokens};
use rustc_hash::FxHashMap;

const CATALOGUE: &str = include_str!("../../../data/legal_forms.tsv");

/// A legal form found in a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    /// How the catalogue writes it (`GmbH`, `Sp. z o.o.`).
    pub display: &'static str,
    /// Its class (`LLC`, `JSC`, ...), when the catalogue gives one.
    pub class: Option<&'static str>,
}

/// The catalogue: each way of writing a form as its words joined by single spaces.
pub struct LegalForms {
    forms: FxHashMap<String, Form>,
    /// How many words the forms that begin, and those that end, with a word have (bit `n` for `n` words;
    /// most words begin and end none: they are passed over with one look each).
    starts: FxHashMap<String, u32>,
    ends: FxHashMap<String, u32>,
}

impl Default for LegalForms {
    fn default() -> Self {
        Self::new()
    }
}

impl LegalForms {
    pub fn new() -> Self {
        let mut forms: FxHashMap<String, Form> = FxHashMap::default();
        let (mut starts, mut ends) = (FxHashMap::default(), FxHashMap::default());

        for line in CATALOGUE.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split('\t');
            let (Some(class), Some(display), Some(alias)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let key: Vec<String> = words(alias).into_iter().map(|w| w.text).collect();
            if key.is_empty() {
                continue;
            }
            for (edge, word) in [(&mut starts, &key[0]), (&mut ends, &key[key.len() - 1])] {
                let lengths: &mut u32 = edge.entry(word.clone()).or_default();
                *lengths |= 1 << key.len().min(31);
            }
            let class = (!class.is_empty()).then_some(class);
            // The first class given for a way of writing wins (the catalogue lists the usual meaning first).
            forms.entry(key.join(" ")).or_insert(Form { display, class });
        }
        LegalForms { forms, starts, ends }
    }

    /// The words of the catalogue's forms of several words that a name form keeps (`liability`, `joint`,
    /// `gesellschaft`, `obshchestvo`, ...: not legal words to [`crate::model::names`]), of three letters
    /// or more. A name with one of them has its legal forms taken by the catalogue before its name form
    /// is made (see [`super::Matcher::form_hash`]).
    pub fn phrase_words(&self) -> rustc_hash::FxHashSet<String> {
        self.forms
            .keys()
            .filter(|k| k.contains(' '))
            .flat_map(|k| k.split(' '))
            .filter(|w| w.len() >= 3 && !crate::model::names::is_legal_word(w.as_bytes()))
            .map(str::to_owned)
            .collect()
    }

    /// The form the words `range` of `tokens` spell, if they spell one.
    fn form(&self, tokens: &Tokens, range: std::ops::Range<usize>, key: &mut String) -> Option<&Form> {
        key.clear();
        for (i, t) in tokens.toks[range].iter().enumerate() {
            if i > 0 {
                key.push(' ');
            }
            key.push_str(tokens.text(t));
        }
        self.forms.get(key.as_str())
    }

    /// The legal forms at the start and the end of `words`, taken out of them (where legal forms are
    /// written: `OOO Romashka`, `Siemens AG`, `Müller GmbH & Co. KG`; a name word that is also a form, such
    /// as `Ao` in `Li Ao Min`, stays). Nothing is taken that would leave no word.
    pub fn take(&self, tokens: &mut Tokens) -> Vec<Form> {
        let mut found = Vec::new();
        let mut key = String::new();
        loop {
            let mut hit = None;
            let len = tokens.toks.len();
            for at_start in [true, false] {
                let (edge, word) = match at_start {
                    true => (&self.starts, tokens.toks.first()),
                    false => (&self.ends, tokens.toks.last()),
                };
                let Some(&lengths) = word.and_then(|w| edge.get(tokens.text(w))) else { continue };
                let most = len.saturating_sub(1).min(31);
                hit = (1..=most).rev().filter(|n| lengths & (1 << n) != 0).find_map(|n| {
                    let range = if at_start { 0..n } else { len - n..len };
                    let form = self.form(tokens, range.clone(), &mut key)?;
                    Some((range, form.clone()))
                });
                if hit.is_some() {
                    break;
                }
            }
            let Some((range, form)) = hit else { return found };
            tokens.toks.drain(range);
            found.push(form);
        }
    }

    /// A word that begins or ends with a legal form of three letters or more glued to the name
    /// (`JSCARGUMENT`), split: the rest of the word, when at least four letters remain.
    pub fn unglue<'w>(&self, word: &'w str) -> Option<&'w str> {
        (3..=word.len().saturating_sub(4).min(6)).find_map(|n| {
            let (head, tail) = (&word[..n], &word[word.len() - n..]);
            let form = |w: &str| self.forms.get(w).is_some_and(|f| f.class.is_some());
            if form(head) {
                Some(&word[n..])
            } else if form(tail) {
                Some(&word[..word.len() - n])
            } else {
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(name: &str) -> (Vec<String>, Vec<Option<&'static str>>) {
        let forms = LegalForms::new();
        let mut t = Tokens::scan(name);
        let found = forms.take(&mut t);
        (t.texts().map(str::to_owned).collect(), found.into_iter().map(|f| f.class).collect())
    }

    #[test]
    fn the_catalogue_is_read_whole() {
        let forms = LegalForms::new();
        assert!(forms.forms.len() > 1_500, "{}", forms.forms.len());
        assert!(forms.ends.values().any(|l| l >> 6 != 0), "forms of six words and more");
        assert_eq!(forms.forms.get("gesellschaft mit beschrankter haftung").and_then(|f| f.class), Some("LLC"));
    }

    #[test]
    fn forms_in_many_languages_are_taken_with_their_class() {
        assert_eq!(take("Siemens Aktiengesellschaft"), (vec!["siemens".into()], vec![Some("JSC")]));
        assert_eq!(take("Deutsche Bank GmbH"), (vec!["deutsche".into(), "bank".into()], vec![Some("LLC")]));
        assert_eq!(take("Deutsche Bank AG"), (vec!["deutsche".into(), "bank".into()], vec![Some("JSC")]));
        assert_eq!(take("Общество с ограниченной ответственностью Ромашка").0, ["romashka"]);
        assert_eq!(take("Limited Liability Company Romashka").0, ["romashka"]);
        assert_eq!(take("Open Joint Stock Company Gazprom").0, ["gazprom"]);
        assert_eq!(take("Polmex Sp. z o.o.").0, ["polmex"]);
        assert_eq!(take("Alfa Societatea cu Răspundere Limitată").0, ["alfa"]);
        assert_eq!(take("深圳市华为技术有限公司").0, ["shen", "zhen", "shi", "hua", "wei", "ji", "shu"]);
        assert_eq!(take("SiemensAG").0, ["siemens"]);
    }

    #[test]
    fn short_forms_only_at_the_ends_and_never_the_whole_name() {
        assert_eq!(take("PT Bank Mandiri").0, ["bank", "mandiri"]);
        assert_eq!(take("Ao Wei Trading").0, ["wei", "trading"], "a form at the start");
        assert_eq!(take("Li Ao Min").0, ["li", "ao", "min"], "not in the middle");
        assert_eq!(take("Müller GmbH & Co. KG").0, ["muller"], "one after the other at the end");
        assert_eq!(take("GmbH").0, ["gmbh"]);
    }

    #[test]
    fn a_form_glued_to_the_name_is_split_off() {
        let forms = LegalForms::new();
        assert_eq!(forms.unglue("jscargument"), Some("argument"));
        assert_eq!(forms.unglue("romashkaooo"), Some("romashka"));
        assert_eq!(forms.unglue("gazprom"), None);
    }
}

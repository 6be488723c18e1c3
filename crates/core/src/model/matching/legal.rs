//! Legal forms from a maintained catalogue: the organisation types of OpenSanctions' `rigour` library
//! (`crates/core/data/legal_forms.tsv`, made from its `org_types.yml` by `scripts/legal-forms.py`; MIT
//! licence in `crates/core/data/LICENSE-rigour`), built into the binary. Some 2,000 ways of writing some
//! 460 forms in many languages and scripts (`GmbH`, `Gesellschaft mit beschränkter Haftung`, `ООО`,
//! `Общество с ограниченной ответственностью`, `Sp. z o.o.`, `有限公司`, ...), each with its class (`LLC`,
//! `JSC`, `LP`, ...): a different class is a different legal entity.

use super::words::{words, Word};
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

/// The catalogue, as sequences of words.
pub struct LegalForms {
    forms: FxHashMap<Vec<String>, Form>,
    /// The most words a form has.
    longest: usize,
}

impl Default for LegalForms {
    fn default() -> Self {
        Self::new()
    }
}

impl LegalForms {
    pub fn new() -> Self {
        let mut forms: FxHashMap<Vec<String>, Form> = FxHashMap::default();
        for line in CATALOGUE.lines().filter(|l| !l.starts_with('#')) {
            let mut parts = line.split('\t');
            let (Some(class), Some(display), Some(alias)) = (parts.next(), parts.next(), parts.next()) else {
                continue;
            };
            let key: Vec<String> = words(alias).into_iter().map(|w| w.text).collect();
            if key.is_empty() {
                continue;
            }
            let class = (!class.is_empty()).then_some(class);
            // The first class given for a way of writing wins (the catalogue lists the usual meaning first).
            forms.entry(key).or_insert(Form { display, class });
        }
        let longest = forms.keys().map(Vec::len).max().unwrap_or(0);
        LegalForms { forms, longest }
    }

    /// The legal forms in `words`, taken out of them. A form of one or two letters (`AG`, `SA`, `PT`) is
    /// taken only at the start or the end of the name; longer ones anywhere. Nothing is taken that would
    /// leave no word.
    pub fn take(&self, words: &mut Vec<Word>) -> Vec<Form> {
        let mut found = Vec::new();
        let mut i = 0;
        while i < words.len() {
            let longest = self.longest.min(words.len() - i);
            let hit = (1..=longest).rev().find_map(|n| {
                let key: Vec<String> = words[i..i + n].iter().map(|w| w.text.clone()).collect();
                let form = self.forms.get(&key)?;
                let short = n == 1 && words[i].text.len() <= 2 && !words[i].glued;
                let at_an_end = i == 0 || i + n == words.len();
                let leaves_some = words.len() > n;
                (leaves_some && (!short || at_an_end)).then(|| (n, form.clone()))
            });
            match hit {
                Some((n, form)) => {
                    words.drain(i..i + n);
                    found.push(form);
                }
                None => i += 1,
            }
        }
        found
    }

    /// A word that begins or ends with a legal form of three letters or more glued to the name
    /// (`JSCARGUMENT`), split: the rest of the word, when at least four letters remain.
    pub fn unglue<'w>(&self, word: &'w str) -> Option<&'w str> {
        (3..=word.len().saturating_sub(4).min(6)).find_map(|n| {
            let (head, tail) = (&word[..n], &word[word.len() - n..]);
            let form = |w: &str| self.forms.get(&[w.to_owned()][..]).is_some_and(|f| f.class.is_some());
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
        let mut w = words(name);
        let found = forms.take(&mut w);
        (w.into_iter().map(|w| w.text).collect(), found.into_iter().map(|f| f.class).collect())
    }

    #[test]
    fn the_catalogue_is_read_whole() {
        let forms = LegalForms::new();
        assert!(forms.forms.len() > 1_500, "{}", forms.forms.len());
        assert!(forms.longest >= 6);
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

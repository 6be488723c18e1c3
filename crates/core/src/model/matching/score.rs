//! How alike two names' words are, in any order: each word paired with its best counterpart (the same
//! word, the same once romanisations are folded, or one within an edit budget that grows with its
//! length; Arabic-script words by their consonants), words joined
//! or split (`Jin Ming Sheng` / `JINMINGSHENG`) paired through their concatenation, and what is left
//! unpaired counting against the score by its weight.

use super::legal::LegalForms;
use super::words::Word;
use std::cell::OnceCell;

/// Two words paired, and how alike they are (1 the same).
#[derive(Clone, Debug, PartialEq)]
pub struct Pairing {
    pub a: String,
    pub b: String,
    pub similarity: f32,
}

/// Edits a word of `len` letters (the shorter of the two) may differ by: none up to 3 letters, 1 up to 7,
/// 2 up to 12, then 3.
fn budget(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        8..=12 => 2,
        _ => 3,
    }
}

/// How alike two words are: 1 the same; the same but for how a name was romanised (`Dmitrii`/`Dmitry`,
/// `Artyom`/`Artem`, `Mikhaylovich`/`Mikhailovich`) nearly; within the edit budget, less by half a
/// letter's share for each edit; numbers only when equal; else 0. Fuzzy likeness needs the same first
/// letter. (Jaro-Winkler, tried too, linked `Sinara` with `Sinarmas`: a shared start is not a name.)
pub fn similarity(a: &str, b: &str) -> f32 {
    let (fa, fb) = (OnceCell::new(), OnceCell::new());
    similarity_folded(Folded(a, &fa), Folded(b, &fb))
}

/// [`similarity`] of two words each beside its [`romanised`] form (worked out once for each word, not for
/// each pair). Two words whose lengths differ by more than the edit budget are not compared letter by
/// letter: no edits could make them alike.
fn similarity_folded(x: Folded, y: Folded) -> f32 {
    let (a, b) = (x.0, y.0);
    if a == b {
        return 1.0;
    }
    let numeric = |w: &str| w.bytes().any(|c| c.is_ascii_digit());
    if a.as_bytes().first() != b.as_bytes().first() || numeric(a) || numeric(b) {
        return 0.0;
    }
    let (fa, fb) = (x.folded(), y.folded());
    if fa == fb {
        return 0.95;
    }
    let fuzzy = |a: &str, b: &str| -> f32 {
        let longer = a.len().max(b.len());
        let shorter = a.len().min(b.len());
        // Lengths in letters are lengths in bytes for ASCII words, as the matcher's are.
        if a.is_ascii() && b.is_ascii() && longer - shorter > budget(shorter) {
            return 0.0;
        }
        let d = strsim::levenshtein(a, b);
        if d <= budget(shorter) {
            1.0 - 0.5 * d as f32 / longer as f32
        } else {
            0.0
        }
    };
    fuzzy(a, b).max(fuzzy(fa, fb) - 0.02)
}

/// A Latin word with the differences between romanisations of one name folded away: `yo`/`ye` as `e`,
/// `y` as `i`, a double `i` as one, `kh` as `h`, `j` as `i`, `w` as `v`, `ph` as `f`.
pub fn romanised(w: &str) -> String {
    let mut out = Vec::with_capacity(w.len());
    romanise_into(w.as_bytes(), &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`romanised`] of an ASCII word, appended to `out` as bytes.
pub fn romanise_into(b: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    let mut last_i = false;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let (c, step) = match (b[i], next) {
            (b'y', Some(b'o' | b'e')) => (b'e', 2),
            (b'k', Some(b'h')) => (b'h', 2),
            (b'p', Some(b'h')) => (b'f', 2),
            (b'y' | b'j', _) => (b'i', 1),
            (b'w', _) => (b'v', 1),
            (c, _) => (c, 1),
        };
        i += step;
        if c == b'i' && last_i {
            continue;
        }
        last_i = c == b'i';
        out.push(c);
    }
}

/// A word's consonants, doubled ones once (vowels, `y`, `w` and `h` dropped): names written in Arabic
/// script mostly leave their vowels out, so `mhmd` is `Mohammad`.
pub fn consonants(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    for c in w.chars().filter(|c| !"aeiouyhw".contains(*c)) {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// A word as it is compared: its text, that text romanised (when first needed: most pairs differ in their
/// first letter), and what is left of it once a glued legal form is off (`JSCARGUMENT`), likewise.
struct Spelt<'w> {
    text: &'w str,
    folded: OnceCell<String>,
    bare: Option<(&'w str, OnceCell<String>)>,
    /// Written in a script without vowels.
    abjad: bool,
}

impl<'w> Spelt<'w> {
    fn new(text: &'w str, abjad: bool, forms: Option<&LegalForms>) -> Self {
        let bare = forms.and_then(|f| f.unglue(text)).map(|b| (b, OnceCell::new()));
        Spelt { text, folded: OnceCell::new(), bare, abjad }
    }

    fn plain(&self) -> Folded<'_> {
        Folded(self.text, &self.folded)
    }
}

/// A word beside the place its romanised form is kept once worked out.
struct Folded<'a>(&'a str, &'a OnceCell<String>);

impl Folded<'_> {
    fn folded(&self) -> &str {
        self.1.get_or_init(|| romanised(self.0))
    }
}

/// Each word of a name as it is compared.
fn spelt<'w>(words: &'w [Word], forms: &LegalForms) -> Vec<Spelt<'w>> {
    words.iter().map(|w| Spelt::new(&w.text, w.abjad, Some(forms))).collect()
}

/// How alike two words are as spelt, the glued legal forms off either, by their consonants when one of
/// them was written without vowels.
fn like(x: &Spelt, y: &Spelt) -> f32 {
    let mut s = similarity_folded(x.plain(), y.plain());
    if s < 1.0 && (x.abjad || y.abjad) {
        let (cx, cy) = (consonants(x.text), consonants(y.text));
        if cx == cy && !cx.is_empty() {
            s = s.max(0.9);
        }
    }
    if s < 1.0 {
        if let Some((bare, folded)) = &x.bare {
            s = s.max(similarity_folded(Folded(bare, folded), y.plain()));
        }
        if let Some((bare, folded)) = &y.bare {
            s = s.max(similarity_folded(x.plain(), Folded(bare, folded)));
        }
    }
    s
}

/// The score of two names' words (0 to 1) and the pairs it was made of.
pub fn score(a: &[Word], b: &[Word], forms: &LegalForms) -> (f32, Vec<Pairing>) {
    let total: f32 = a.iter().chain(b).map(weight).sum();
    if total == 0.0 {
        return (0.0, Vec::new());
    }
    // Each word romanised, and its glued form looked for, once, not for every word it is compared with.
    let (sa, sb) = (spelt(a, forms), spelt(b, forms));
    // Every pair that is alike at all, best first; each word taken once.
    let mut candidates: Vec<(f32, usize, usize)> = Vec::new();
    for (i, x) in sa.iter().enumerate() {
        for (j, y) in sb.iter().enumerate() {
            let s = like(x, y);
            if s > 0.0 {
                candidates.push((s, i, j));
            }
        }
    }
    candidates.sort_by(|p, q| q.0.total_cmp(&p.0).then(p.1.cmp(&q.1)).then(p.2.cmp(&q.2)));
    let (mut used_a, mut used_b) = (vec![false; a.len()], vec![false; b.len()]);
    let mut matched = 0.0f32;
    let mut pairs = Vec::new();
    for (s, i, j) in candidates {
        if used_a[i] || used_b[j] {
            continue;
        }
        used_a[i] = true;
        used_b[j] = true;
        matched += (weight(&a[i]) + weight(&b[j])) * s;
        pairs.push(Pairing { a: a[i].text.clone(), b: b[j].text.clone(), similarity: s });
    }
    // Words written together on one side and apart on the other: runs of unpaired neighbours joined.
    matched += join((a, &mut used_a), (b, &sb, &mut used_b), &mut pairs, false);
    matched += join((b, &mut used_b), (a, &sa, &mut used_a), &mut pairs, true);
    ((matched / total).min(1.0), pairs)
}

fn weight(w: &Word) -> f32 {
    w.weight * w.text.len() as f32
}

/// Pairs runs of 2 to 4 unpaired neighbouring words of `many` (joined) with an unpaired word of `one`;
/// returns the weight they add.
fn join(
    (many, used_many): (&[Word], &mut [bool]),
    (one, spelt_one, used_one): (&[Word], &[Spelt], &mut [bool]),
    pairs: &mut Vec<Pairing>,
    flipped: bool,
) -> f32 {
    let mut added = 0.0;
    // Nothing to pair a run with, or no run: nothing to join.
    if used_one.iter().all(|u| *u) || used_many.iter().filter(|u| !**u).count() < 2 {
        return added;
    }
    let mut joined = String::new();
    let mut i = 0;
    while i < many.len() {
        let mut best: Option<(f32, usize, usize)> = None;
        for n in 2..=4.min(many.len() - i) {
            if used_many[i..i + n].iter().any(|u| *u) {
                break;
            }
            joined.clear();
            many[i..i + n].iter().for_each(|w| joined.push_str(&w.text));
            // A run of words has no legal form glued to it (those of its words were taken off).
            let run = Spelt::new(&joined, many[i..i + n].iter().any(|w| w.abjad), None);
            for (j, w) in spelt_one.iter().enumerate() {
                if used_one[j] {
                    continue;
                }
                let s = like(&run, w);
                if s > 0.0 && best.is_none_or(|(b, _, _)| s > b) {
                    best = Some((s, n, j));
                }
            }
        }
        match best {
            Some((s, n, j)) => {
                let run = &many[i..i + n];
                let text: Vec<&str> = run.iter().map(|w| w.text.as_str()).collect();
                added += (run.iter().map(weight).sum::<f32>() + weight(&one[j])) * s;
                for u in &mut used_many[i..i + n] {
                    *u = true;
                }
                used_one[j] = true;
                let (x, y) = (text.join(" "), one[j].text.clone());
                pairs.push(if flipped {
                    Pairing { a: y, b: x, similarity: s }
                } else {
                    Pairing { a: x, b: y, similarity: s }
                });
                i += n;
            }
            None => i += 1,
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use super::super::words::words;
    use super::*;

    fn s(a: &str, b: &str) -> f32 {
        score(&words(a), &words(b), &LegalForms::new()).0
    }

    #[test]
    fn a_typo_within_the_budget_is_nearly_the_same_word() {
        assert!(similarity("internatinal", "international") > 0.95);
        assert!(similarity("gasprom", "gazprom") > 0.9);
        assert!(similarity("defence", "defense") > 0.9);
        assert_eq!(similarity("ooo", "oao"), 0.0, "short words must be the same");
        assert_eq!(similarity("2", "3"), 0.0);
        assert_eq!(similarity("rosneft", "rostec"), 0.0);
        assert_eq!(similarity("tatneft", "transneft"), 0.0, "two edits in a word of seven");
        assert!(similarity("dmitrii", "dmitry") > 0.9);
        assert!(similarity("artyom", "artem") > 0.9);
        assert_eq!(romanised("mikhaylovich"), "mihailovich");
        assert_eq!(romanised("yuryevich"), "iurevich");
        assert_eq!(romanised("dmitrii"), romanised("dmitry"));
        assert_eq!(consonants("mohammad"), consonants("mhmd"));
    }

    #[test]
    fn order_does_not_matter_and_joined_words_pair_with_split_ones() {
        assert_eq!(s("SALEK, ABDULHAI", "Abdulhai Salek"), 1.0);
        assert_eq!(s("Jin Ming Sheng", "JINMINGSHENG"), 1.0);
        assert_eq!(s("Hua Wei Technologies", "Huawei Technologies"), 1.0);
    }

    #[test]
    fn unpaired_words_count_against_the_score() {
        let one_missing = s("Acme Precision Tools", "Acme Tools");
        assert!(one_missing < 0.75, "{one_missing}");
        let weak_missing = s("Acme Precision Tools (Shenzhen)", "Acme Precision Tools");
        assert!(weak_missing > 0.85, "{weak_missing}");
        assert!(s("Rosneft", "Rostec") < 0.5);
    }
}

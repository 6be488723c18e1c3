//! A name as the words it is compared by: every script transliterated to ASCII (`any_ascii`: Cyrillic,
//! Greek, Arabic, Chinese characters to pinyin, one syllable a word, ...), lower case, punctuation gone,
//! letters written one by one joined (`A.B.C.` → `abc`), ordinals as numbers (`1st`, `First` → `1`),
//! words in parentheses marked as weak evidence (`(Shenzhen)`, `(HK)`), small words (`the`, `of`, `&`)
//! weak too.

/// One word of a name.
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    /// How much the word counts: 1 for a word of the name, less for a place in parentheses or a small word.
    pub weight: f32,
    /// Whether the word was written in capitals after a lower-case letter (`Siemens|AG`), so that a legal
    /// form glued to the name can be told apart.
    pub glued: bool,
    /// Whether its name was written in a script that leaves vowels out (Arabic, Hebrew).
    pub abjad: bool,
}

/// Words in parentheses count this much.
const PARENTHESES: f32 = 0.3;
/// Small words count this much.
const SMALL: f32 = 0.2;

/// Words that say little about who a party is.
const SMALL_WORDS: &[&str] = &["the", "of", "and", "for", "in", "de", "du", "la", "le", "der", "die", "und", "y", "i"];
/// Words that say a party is a firm, but not which (legal forms proper are taken out by `legal.rs`).
const FIRM_WORDS: &[&str] =
    &["company", "co", "corporation", "corp", "incorporated", "inc", "limited", "ltd", "cie", "compania", "companhia"];
/// Firm words count this much.
const FIRM: f32 = 0.3;

/// Ordinals, in words, as their numbers.
const ORDINALS: &[(&str, &str)] = &[
    ("first", "1"),
    ("second", "2"),
    ("third", "3"),
    ("fourth", "4"),
    ("fifth", "5"),
    ("sixth", "6"),
    ("seventh", "7"),
    ("eighth", "8"),
    ("ninth", "9"),
    ("tenth", "10"),
];

/// The words of `name`.
pub fn words(name: &str) -> Vec<Word> {
    let mut raw: Vec<(String, f32, bool)> = Vec::new();
    // Whether the name is written in a script without vowels.
    let mut abjad = false;
    let mut current = String::new();
    let mut depth = 0usize;
    let mut glued = false;
    let mut previous_lower = false;
    let flush = |current: &mut String, depth: usize, glued: &mut bool, raw: &mut Vec<(String, f32, bool)>| {
        if !current.is_empty() {
            let weight = if depth > 0 { PARENTHESES } else { 1.0 };
            raw.push((std::mem::take(current), weight, *glued));
        }
        *glued = false;
    };
    let mut chars = name.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' | '[' | '{' => {
                flush(&mut current, depth, &mut glued, &mut raw);
                depth += 1;
            }
            ')' | ']' | '}' => {
                flush(&mut current, depth, &mut glued, &mut raw);
                depth = depth.saturating_sub(1);
            }
            // Apostrophes join (Xi'an, O'Brien).
            '\'' | '’' | '`' | 'ʼ' => {}
            c if c.is_ascii_alphanumeric() => {
                if c.is_ascii_uppercase() && previous_lower && chars.peek().is_some_and(|n| n.is_ascii_uppercase()) {
                    // Capitals after a small letter start a word (SiemensAG; not GmbH, McDonald).
                    flush(&mut current, depth, &mut glued, &mut raw);
                    glued = true;
                }
                previous_lower = c.is_ascii_lowercase();
                current.push(c.to_ascii_lowercase());
            }
            c if c.is_ascii() => {
                previous_lower = false;
                flush(&mut current, depth, &mut glued, &mut raw);
            }
            c if is_han(c) => {
                // Each character a syllable, each syllable a word.
                flush(&mut current, depth, &mut glued, &mut raw);
                let syllable = any_ascii::any_ascii_char(c).to_ascii_lowercase();
                current.push_str(&syllable);
                flush(&mut current, depth, &mut glued, &mut raw);
                previous_lower = false;
            }
            c => {
                abjad |= is_abjad(c);
                let ascii = any_ascii::any_ascii_char(c);
                if ascii.is_empty() {
                    // A mark with no letter of its own (a combining accent, a zero-width joiner).
                    continue;
                }
                for a in ascii.chars() {
                    if a.is_ascii_alphanumeric() {
                        current.push(a.to_ascii_lowercase());
                    } else {
                        flush(&mut current, depth, &mut glued, &mut raw);
                    }
                }
                previous_lower = c.is_lowercase();
            }
        }
    }
    flush(&mut current, depth, &mut glued, &mut raw);
    join_letters(raw)
        .into_iter()
        .map(|(text, weight, glued)| {
            let text = ordinal(&text).unwrap_or(text);
            let weight = if SMALL_WORDS.contains(&text.as_str()) {
                weight.min(SMALL)
            } else if FIRM_WORDS.contains(&text.as_str()) {
                weight.min(FIRM)
            } else {
                weight
            };
            Word { text, weight, glued, abjad }
        })
        .collect()
}

/// Runs of one-letter words joined into one (`a b c` → `abc`): letters written one by one, with dots or
/// spaces, are one word however they are written.
fn join_letters(raw: Vec<(String, f32, bool)>) -> Vec<(String, f32, bool)> {
    let mut out: Vec<(String, f32, bool)> = Vec::with_capacity(raw.len());
    let mut run_open = false;
    for (text, weight, glued) in raw {
        let letter = text.len() == 1 && text.as_bytes()[0].is_ascii_alphabetic();
        match out.last_mut() {
            Some(last) if letter && run_open => last.0.push_str(&text),
            _ => out.push((text, weight, glued)),
        }
        run_open = letter;
    }
    out
}

/// `1st`, `2nd`, `first`, ... as the number.
fn ordinal(word: &str) -> Option<String> {
    if let Some((_, n)) = ORDINALS.iter().find(|(w, _)| *w == word) {
        return Some((*n).to_owned());
    }
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && matches!(suffix, "st" | "nd" | "rd" | "th"))
        .then(|| digits.to_owned())
}

/// Arabic and Hebrew letters.
fn is_abjad(c: char) -> bool {
    matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF)
}

/// Chinese characters (and the Japanese and Korean ones written with them).
fn is_han(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(name: &str) -> Vec<String> {
        words(name).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn scripts_become_ascii_words() {
        assert_eq!(texts("ООО «Ромашка»"), ["ooo", "romashka"]);
        assert_eq!(texts("Київ"), ["kiiv"], "one romanisation; the edit budget takes the others (Kyiv)");
        assert_eq!(texts("深圳市"), ["shen", "zhen", "shi"]);
        assert_eq!(texts("Ελληνικά"), ["ellinika"]);
        assert_eq!(texts("Müller-Lüdenscheidt GmbH"), ["muller", "ludenscheidt", "gmbh"]);
    }

    #[test]
    fn letters_one_by_one_are_one_word_and_ordinals_numbers() {
        assert_eq!(texts("A.B.C. Company"), ["abc", "company"]);
        assert_eq!(texts("L.X.C Aviation"), ["lxc", "aviation"]);
        assert_eq!(texts("Sp. z o.o."), ["sp", "zoo"]);
        assert_eq!(texts("1st Bank"), ["1", "bank"]);
        assert_eq!(texts("First Bank"), ["1", "bank"]);
        assert_eq!(texts("Xi'an Aero"), ["xian", "aero"]);
    }

    #[test]
    fn parentheses_and_small_words_weigh_less_and_glued_capitals_are_noted() {
        let w = words("Acme (Shenzhen) Co. of the East");
        let weights: Vec<f32> = w.iter().map(|w| w.weight).collect();
        assert_eq!(weights, [1.0, PARENTHESES, FIRM, SMALL, SMALL, 1.0]);
        let w = words("SiemensAG");
        assert_eq!(texts("SiemensAG"), ["siemens", "ag"]);
        assert!(w[1].glued && !w[0].glued);
        assert_eq!(texts("GmbH McDonald"), ["gmbh", "mcdonald"]);
    }
}

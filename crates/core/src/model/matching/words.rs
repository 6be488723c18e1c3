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

/// A name's words, in one buffer: what [`Tokens::scan`] reads a name into without a string per word (a
/// first read reduces a million names).
#[derive(Clone, Debug, Default)]
pub struct Tokens {
    buf: String,
    pub toks: smallvec::SmallVec<[Tok; 12]>,
    /// The name is written in a script without vowels.
    pub abjad: bool,
}

/// One word in [`Tokens`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tok {
    start: u32,
    len: u16,
    /// An ordinal written as a word: its place in [`ORDINALS`] and 1, in place of its text (0: none).
    number: u8,
    pub weight: f32,
    pub glued: bool,
}

impl Tokens {
    pub fn text(&self, t: &Tok) -> &str {
        match t.number.checked_sub(1).and_then(|n| ORDINALS.get(n as usize)) {
            Some((_, number)) => number,
            None => self.buf.get(t.start as usize..t.start as usize + t.len as usize).unwrap_or_default(),
        }
    }

    /// The words' texts, in order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.toks.iter().map(|t| self.text(t))
    }

    pub fn into_words(self) -> Vec<Word> {
        self.toks
            .iter()
            .map(|t| Word { text: self.text(t).to_owned(), weight: t.weight, glued: t.glued, abjad: self.abjad })
            .collect()
    }

    /// Reads a name.
    pub fn scan(name: &str) -> Tokens {
        let mut out = if name.is_ascii() { Self::scan_ascii(name) } else { Self::scan_any(name) };
        out.weigh();
        out
    }

    /// [`Tokens::scan`] of a name in ASCII (most names): byte by byte, what the general way does.
    fn scan_ascii(name: &str) -> Tokens {
        let b = name.as_bytes();
        let mut buf: Vec<u8> = Vec::with_capacity(b.len());
        let mut out = Tokens::default();
        let mut scan = Scan { start: 0, depth: 0, glued: false, run_open: false };
        let mut previous_lower = false;
        for (i, &c) in b.iter().enumerate() {
            match c {
                b'(' | b'[' | b'{' => {
                    scan.flush_bytes(&buf, &mut out.toks);
                    scan.depth += 1;
                }
                b')' | b']' | b'}' => {
                    scan.flush_bytes(&buf, &mut out.toks);
                    scan.depth = scan.depth.saturating_sub(1);
                }
                b'\'' | b'`' => {}
                c if c.is_ascii_alphanumeric() => {
                    if c.is_ascii_uppercase() && previous_lower && b.get(i + 1).is_some_and(u8::is_ascii_uppercase) {
                        scan.flush_bytes(&buf, &mut out.toks);
                        scan.glued = true;
                    }
                    previous_lower = c.is_ascii_lowercase();
                    buf.push(c.to_ascii_lowercase());
                }
                _ => {
                    previous_lower = false;
                    scan.flush_bytes(&buf, &mut out.toks);
                }
            }
        }
        scan.flush_bytes(&buf, &mut out.toks);
        out.buf = String::from_utf8(buf).unwrap_or_default();
        out
    }

    fn scan_any(name: &str) -> Tokens {
        let mut out = Tokens { buf: String::with_capacity(name.len()), ..Default::default() };
        let mut scan = Scan { start: 0, depth: 0, glued: false, run_open: false };
        let mut previous_lower = false;
        let mut chars = name.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '(' | '[' | '{' => {
                    scan.flush(&mut out);
                    scan.depth += 1;
                }
                ')' | ']' | '}' => {
                    scan.flush(&mut out);
                    scan.depth = scan.depth.saturating_sub(1);
                }
                // Apostrophes join (Xi'an, O'Brien).
                '\'' | '’' | '`' | 'ʼ' => {}
                c if c.is_ascii_alphanumeric() => {
                    if c.is_ascii_uppercase() && previous_lower && chars.peek().is_some_and(|n| n.is_ascii_uppercase())
                    {
                        // Capitals after a small letter start a word (SiemensAG; not GmbH, McDonald).
                        scan.flush(&mut out);
                        scan.glued = true;
                    }
                    previous_lower = c.is_ascii_lowercase();
                    out.buf.push(c.to_ascii_lowercase());
                }
                c if c.is_ascii() => {
                    previous_lower = false;
                    scan.flush(&mut out);
                }
                c if is_han(c) => {
                    // Each character a syllable, each syllable a word.
                    scan.flush(&mut out);
                    for a in any_ascii::any_ascii_char(c).chars() {
                        out.buf.push(a.to_ascii_lowercase());
                    }
                    scan.flush(&mut out);
                    previous_lower = false;
                }
                c => {
                    out.abjad |= is_abjad(c);
                    let ascii = any_ascii::any_ascii_char(c);
                    if ascii.is_empty() {
                        // A mark with no letter of its own (a combining accent, a zero-width joiner).
                        continue;
                    }
                    for a in ascii.chars() {
                        if a.is_ascii_alphanumeric() {
                            out.buf.push(a.to_ascii_lowercase());
                        } else {
                            scan.flush(&mut out);
                        }
                    }
                    previous_lower = c.is_lowercase();
                }
            }
        }
        scan.flush(&mut out);
        out
    }

    /// Ordinals as numbers; small and firm words weigh less.
    fn weigh(&mut self) {
        for i in 0..self.toks.len() {
            let t = self.toks[i];
            let number = ordinal(self.text(&t));
            let tok = &mut self.toks[i];
            match number {
                Some(Ordinal::Word(n)) => tok.number = n as u8 + 1,
                Some(Ordinal::Digits(n)) => tok.len = n as u16,
                None => {}
            }
            let weight = word_weight(self.text(&self.toks[i]));
            let tok = &mut self.toks[i];
            tok.weight = tok.weight.min(weight);
        }
    }
}

/// How much a word counts by what it is: a small word or a firm word less.
fn word_weight(w: &str) -> f32 {
    match w {
        "the" | "of" | "and" | "for" | "in" | "de" | "du" | "la" | "le" | "der" | "die" | "und" | "y" | "i" => SMALL,
        "company" | "co" | "corporation" | "corp" | "incorporated" | "inc" | "limited" | "ltd" | "cie" | "compania"
        | "companhia" => FIRM,
        _ => 1.0,
    }
}

/// Where [`Tokens::scan`] is: the current word's start in the buffer, the parentheses it is in, whether
/// it starts glued to the word before, whether the last word was a single letter (a run of them is one
/// word: `A.B.C.` is `abc`).
struct Scan {
    start: usize,
    depth: usize,
    glued: bool,
    run_open: bool,
}

impl Scan {
    /// Ends the current word.
    fn flush(&mut self, out: &mut Tokens) {
        self.flush_bytes(out.buf.as_bytes(), &mut out.toks);
    }

    /// Ends the current word, the words being back to back in `buf`.
    fn flush_bytes(&mut self, buf: &[u8], toks: &mut smallvec::SmallVec<[Tok; 12]>) {
        let len = buf.len() - self.start;
        if len > 0 {
            let letter = len == 1 && buf[self.start].is_ascii_alphabetic();
            match toks.last_mut() {
                // Words are back to back in the buffer: a letter after a run of letters lengthens it.
                Some(last) if letter && self.run_open => last.len = last.len.saturating_add(1),
                _ => toks.push(Tok {
                    start: self.start as u32,
                    len: len.min(u16::MAX as usize) as u16,
                    number: 0,
                    weight: if self.depth > 0 { PARENTHESES } else { 1.0 },
                    glued: self.glued,
                }),
            }
            self.run_open = letter;
            self.start = buf.len();
        }
        self.glued = false;
    }
}

/// The words of `name`.
pub fn words(name: &str) -> Vec<Word> {
    Tokens::scan(name).into_words()
}

/// What an ordinal is as a number: `first` → the `n`-th of [`ORDINALS`], or `1st` → its first `n` bytes.
enum Ordinal {
    Word(usize),
    Digits(usize),
}

fn ordinal(word: &str) -> Option<Ordinal> {
    // Ordinals begin with a digit or one of these letters (first, second, ..., tenth).
    if !(3..=7).contains(&word.len()) || !matches!(word.as_bytes()[0], b'0'..=b'9' | b'f' | b's' | b't' | b'e' | b'n') {
        return None;
    }
    if let Some(n) = ORDINALS.iter().position(|(w, _)| *w == word) {
        return Some(Ordinal::Word(n));
    }
    let b = word.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (digits > 0 && matches!(&b[digits..], b"st" | b"nd" | b"rd" | b"th")).then_some(Ordinal::Digits(digits))
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

    proptest::proptest! {
        /// The byte-by-byte way for names in ASCII reads them as the general way does.
        #[test]
        fn ascii_names_read_the_same_both_ways(name in "[A-Za-z0-9 .,&'`()\\[\\]{}/-]{0,40}") {
            let (a, b) = (Tokens::scan_ascii(&name), Tokens::scan_any(&name));
            proptest::prop_assert_eq!(a.texts().collect::<Vec<_>>(), b.texts().collect::<Vec<_>>());
            proptest::prop_assert_eq!(&a.toks[..], &b.toks[..]);
        }
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

//! The keys a name is found by in the word index ([`super::word_index`]): one for each of its words (legal
//! forms out, lower case ASCII), so that a supplier and a designation that share their distinctive words
//! are candidates however else the names differ, for the matcher to judge.
//!
//! A word of four letters or more is keyed by how it sounds: its consonants by their sound (`c` before
//! `e`/`i`/`y` as `s`, `z` as `s`, `v` as `f`, `d` as `t`, `ph` as `f`, ...), vowels side by side as one
//! sound whichever they are, `h` and `w` silent, a sound written twice once; a word written without vowels,
//! as Arabic is romanised (`mhmd`), as if a vowel followed each letter. (Vowels left out altogether merge
//! too much in romanised Chinese, mostly vowels: of 20,000 generated suppliers, 3,015 had candidates that
//! way and 1,881 this way, about 1,000 of them true.) So a typo of a vowel or a doubled
//! letter (`Internatinal`, `Tradding`), a spelling variant (`Defence`/`Defense`, `Gasprom`/`Gazprom`,
//! `Crystalord`/`Cristalord`) and romanisations (`Dmitry`/`Dmitriy`/`Dmitrii`, `Artem`/`Artyom`) keep
//! their key. Shorter words, and words with digits, are keyed as written (ordinals as their number:
//! `1st`, `First`). Short words side by side are also keyed run together (`Hua Wei` as `Huawei`, `Jin
//! Ming Sheng` as `Jinmingsheng`), and a name of one word with a legal form glued to it by what is left
//! (`SiemensAG`, `JSCARGUMENT`).

use super::word_index::CommonWords;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Words of at most this many letters are also keyed run together with the short words beside them.
const SHORT: usize = 5;
/// Keys of one name, at most, and words of one name keyed, at most.
pub const MAX_KEYS: usize = 16;
/// A word's key: 31 bits in a `u32` (the memo marks common words with the 32nd; two different words with
/// the same key make a candidate more, which the matcher judges; half the room of 64 in every record's
/// keys and in the index).
pub type WordKey = u32;

/// A word is keyed by its first this many letters.
const LONGEST: usize = 64;

/// Words' keys remembered by one thread (a parser's), by the words' hashes: names repeat their words
/// (`trading`, a city, a given name), and a key is a walk over the word's letters. One place for each
/// hash (a newer word takes an older one's place), so that looking is one read. It also remembers which
/// words are common in the index it prepares for ([`CommonWords`]), and leaves them out: most words of
/// most names are, on a first read.
#[derive(Default)]
pub struct KeyMemo {
    /// (the word's hash's low half, its key and [`COMMON`]), at the place its hash's top bits say; made
    /// on first use.
    places: Vec<(u32, u32)>,
    /// The index's common words the memo's marks are of.
    common: Option<Arc<CommonWords>>,
}

/// Places in the memo: a power of two (128 KiB: within a core's second-level cache, and room for the
/// words most names are made of).
const PLACES: usize = 1 << 14;
/// In the memo, beside a key: its word is common (keys are below this bit).
const COMMON: u32 = 1 << 31;

impl KeyMemo {
    /// Starts again when the words to leave out are another index's.
    pub fn leaving_out(&mut self, common: &Arc<CommonWords>) {
        if !self.common.as_ref().is_some_and(|c| Arc::ptr_eq(c, common)) {
            self.places.clear();
            self.common = Some(common.clone());
        }
    }

    /// The word's key, or `None` when it is common.
    fn key(&mut self, hash: u64, w: &[u8]) -> Option<WordKey> {
        if self.places.is_empty() {
            self.places = vec![(0, 0); PLACES];
        }
        let place = &mut self.places[(hash >> (64 - PLACES.trailing_zeros())) as usize];
        if place.0 != hash as u32 || place.1 == 0 {
            *place = (hash as u32, key_of_any_case(w));
        }
        if place.1 & COMMON != 0 {
            return None;
        }
        // Common is for good: once seen, remembered.
        if self.common.as_ref().is_some_and(|c| c.contains(place.1)) {
            place.1 |= COMMON;
            return None;
        }
        Some(place.1)
    }

    fn is_common(&self, key: WordKey) -> bool {
        self.common.as_ref().is_some_and(|c| c.contains(key))
    }
}

/// `w` (ASCII letters and digits) in lower case into `to` (as long).
#[inline]
fn lower_into(to: &mut [u8], w: &[u8]) {
    for (to, &b) in to.iter_mut().zip(w) {
        // Letters to lower case; digits have the bit already.
        *to = b | 0x20;
    }
}

/// The key of a word of ASCII letters and digits in any case (at most [`LONGEST`]).
fn key_of_any_case(w: &[u8]) -> WordKey {
    let mut lower = [0u8; LONGEST];
    let n = w.len().min(LONGEST);
    lower_into(&mut lower[..n], w);
    word_key(&lower[..n])
}

/// A name's keys, worked out as a reduction reads its words, one by one, without holding them: each
/// word's key (from the memo when the word comes with its hash), the runs of short words, and at the end
/// a name of one word without a glued legal form.
pub struct NameKeys<'a, K: FnMut(WordKey)> {
    memo: Option<&'a mut KeyMemo>,
    key: &'a mut K,
    keys: usize,
    words: usize,
    /// The first word (lower case), while it may be the only one.
    first: [u8; 32],
    first_len: usize,
    /// The run of short words so far, back to back (lower case), and where its last word starts.
    run: [u8; 4 * (SHORT + 1)],
    run_len: usize,
    run_words: usize,
    last_start: usize,
}

impl<'a, K: FnMut(WordKey)> NameKeys<'a, K> {
    pub fn new(memo: Option<&'a mut KeyMemo>, key: &'a mut K) -> Self {
        NameKeys {
            memo,
            key,
            keys: 0,
            words: 0,
            first: [0; 32],
            first_len: 0,
            run: [0; 4 * (SHORT + 1)],
            run_len: 0,
            run_words: 0,
            last_start: 0,
        }
    }

    /// A key (`None`: a common word's, which the memo knew).
    fn emit(&mut self, k: Option<WordKey>) {
        if let Some(k) = k.filter(|_| self.keys < MAX_KEYS) {
            (self.key)(k);
            self.keys += 1;
        }
    }

    /// `k`, unless the memo's index has it as common.
    fn unless_common(&self, k: WordKey) -> Option<WordKey> {
        (!self.memo.as_ref().is_some_and(|m| m.is_common(k))).then_some(k)
    }

    /// A word of any text: its ASCII letters and digits, in any case (anything else is left out).
    pub fn text(&mut self, word: &str) {
        let mut w = [0u8; LONGEST];
        let mut n = 0;
        for b in word.bytes().filter(u8::is_ascii_alphanumeric).take(LONGEST) {
            w[n] = b;
            n += 1;
        }
        self.word(&w[..n], 0);
    }

    /// A word of ASCII letters and digits only, in any case, with its hash when the reduction gave one
    /// (see [`crate::model::names::form_hash_words`]; 0 for none).
    pub fn word(&mut self, w: &[u8], hash: u64) {
        if w.is_empty() || self.words >= MAX_KEYS {
            return;
        }
        let w = &w[..w.len().min(LONGEST)];
        let n = w.len();
        let k = match self.memo.as_deref_mut() {
            Some(memo) if hash != 0 => memo.key(hash, w),
            _ => self.unless_common(key_of_any_case(w)),
        };
        self.emit(k);
        if self.words == 0 && n <= self.first.len() {
            lower_into(&mut self.first[..n], w);
            self.first_len = n;
        }
        self.words += 1;
        // Runs of short words, run together: each two side by side, and a run of three or more whole.
        let short = n <= SHORT && w.iter().all(u8::is_ascii_alphabetic);
        if !short || self.run_len + n > self.run.len() {
            self.end_run();
        }
        if short {
            let start = self.run_len;
            lower_into(&mut self.run[start..start + n], w);
            self.run_len += n;
            self.run_words += 1;
            if self.run_words >= 2 {
                self.emit(self.unless_common(word_key(&self.run[self.last_start..self.run_len])));
            }
            self.last_start = start;
        }
    }

    fn end_run(&mut self) {
        if self.run_words >= 3 {
            self.emit(self.unless_common(word_key(&self.run[..self.run_len])));
        }
        (self.run_len, self.run_words, self.last_start) = (0, 0, 0);
    }

    /// The keys that need the whole name.
    pub fn finish(mut self) {
        self.end_run();
        if self.words == 1 {
            let first = self.first;
            if let Some(rest) = unglued(&first[..self.first_len]) {
                self.emit(self.unless_common(word_key(rest)));
            }
        }
    }
}

/// The keys of a name's words, in order (without a memo: every word keyed, none left out as common).
pub fn keys_of<'w>(words: impl IntoIterator<Item = &'w str>, out: &mut impl Extend<WordKey>) {
    let mut key = |k| out.extend([k]);
    let mut keys = NameKeys::new(None, &mut key);
    for w in words {
        keys.text(w);
    }
    keys.finish();
}

/// A word's key (lower case ASCII letters and digits).
fn word_key(w: &[u8]) -> WordKey {
    let first = w.first().copied().unwrap_or(0);
    let may_be_ordinal = first.is_ascii_digit() || ((5..=7).contains(&w.len()) && b"efnst".contains(&first));
    if let Some(number) = may_be_ordinal.then(|| ordinal(w)).flatten() {
        return exact_key(number);
    }
    if w.len() < 4 {
        return exact_key(w);
    }
    sound_key(w)
}

fn exact_key(w: &[u8]) -> WordKey {
    fold(rustc_hash::FxBuildHasher.hash_one((b'E', w)))
}

/// A hash to a key: 31 of its top bits (the better mixed; the memo's mark is the 32nd), never 0 (the
/// memo's empty place).
fn fold(h: u64) -> WordKey {
    ((h >> 33) as WordKey).max(1)
}

/// A vowel, or vowels side by side: one sound, whichever they are.
const VOWEL: u8 = 13;

/// Sounds, as numbers that fit five bits (0: none, a silent letter).
const fn sound_of(b: u8) -> u8 {
    match b {
        b'b' | b'p' => 1,
        b'c' | b'k' | b'q' => 2,
        b'd' | b't' => 3,
        b'f' | b'v' => 4,
        b'g' => 5,
        b'j' => 6,
        b'l' => 7,
        b'm' => 8,
        b'n' => 9,
        b'r' => 10,
        b's' | b'z' => 11,
        b'x' => 12,
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => VOWEL,
        _ => 0,
    }
}
/// The sound `c` has before `e`, `i`, `y`, and `p` before `h`.
const SOFT_C: u8 = sound_of(b's');
const PH: u8 = sound_of(b'f');
/// In [`SOUNDS`], beside the sound: the byte is a digit, `c`, `p`.
const DIGIT: u8 = 0x80;
const C: u8 = 0x40;
const P: u8 = 0x20;
/// In [`NEXT`]: the byte softens a `c` before it, or makes a `p` an `f`.
const SOFTENS: u8 = 1;
const AN_H: u8 = 2;

/// Each byte's sound and what it is (see [`DIGIT`]).
const SOUNDS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0usize;
    while b < 256 {
        t[b] = sound_of(b as u8);
        b += 1;
    }
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = DIGIT;
        d += 1;
    }
    t[b'c' as usize] |= C;
    t[b'p' as usize] |= P;
    t
};

/// What each byte does to the letter before it.
const NEXT: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'e' as usize] = SOFTENS;
    t[b'i' as usize] = SOFTENS;
    t[b'y' as usize] = SOFTENS;
    t[b'h' as usize] = AN_H;
    t
};

/// The word by its sound (see the module's comment); as written when that leaves one sound, or when it
/// has a digit. Names are keyed by the million on a first read: no branch on each letter (vowels come and
/// go as the name has them, and a branch would be guessed wrong every other letter), the sounds packed
/// five bits each.
fn sound_key(w: &[u8]) -> WordKey {
    let first = w.first().copied().unwrap_or(0);
    // A name starting with a vowel or an `h` or `w` keeps that it does.
    let (mut code, mut n) = match first {
        b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => (31u64, 1u32),
        b'h' | b'w' => (30, 1),
        _ => (0, 0),
    };
    let (mut last, mut kinds, mut vowels) = (0u8, 0u8, false);
    for (i, &b) in w.iter().enumerate() {
        let e = SOUNDS[b as usize];
        kinds |= e;
        vowels |= e & 0x1f == VOWEL;
        let next = NEXT[w.get(i + 1).copied().unwrap_or(0) as usize];
        let mut sound = e & 0x1f;
        sound = if e & C != 0 && next & SOFTENS != 0 { SOFT_C } else { sound };
        sound = if e & P != 0 && next & AN_H != 0 { PH } else { sound };
        let new = (sound != 0) & (sound != last);
        code = if new { code.rotate_left(5) ^ sound as u64 } else { code };
        n += new as u32;
        last = if sound != 0 { sound } else { last };
    }
    if kinds & DIGIT != 0 || n < 2 {
        return exact_key(w);
    }
    if !vowels {
        // Written without vowels, as Arabic and Hebrew are romanised (`mhmd`): a vowel after each
        // letter, as `Mohammad` has one after each sound.
        let mut voweled = [b'a'; 2 * LONGEST];
        for (i, &b) in w.iter().take(LONGEST).enumerate() {
            voweled[2 * i] = b;
        }
        return sound_key(&voweled[..2 * w.len().min(LONGEST) - 1]);
    }
    fold(rustc_hash::FxBuildHasher.hash_one((b'S', code, n)))
}

/// Ordinals as their number: `1st` → `1`, `first` → `1`.
fn ordinal(w: &[u8]) -> Option<&[u8]> {
    let digits = w.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits > 0 {
        let suffix = &w[digits..];
        return matches!(suffix, b"st" | b"nd" | b"rd" | b"th").then(|| &w[..digits]);
    }
    // One comparison at most (by length, then the word), for every word of five to seven letters.
    let number: &[u8] = match w {
        b"first" => b"1",
        b"second" => b"2",
        b"third" => b"3",
        b"fourth" => b"4",
        b"fifth" => b"5",
        b"sixth" => b"6",
        b"seventh" => b"7",
        b"eighth" => b"8",
        b"ninth" => b"9",
        b"tenth" => b"10",
        _ => return None,
    };
    Some(number)
}

/// A word with a legal form glued before or after it (`siemensag`, `jscargument`): what is left, when that
/// is four letters or more.
fn unglued(w: &[u8]) -> Option<&[u8]> {
    const GLUED: &[&[u8]] = &[b"ag", b"gmbh", b"llc", b"ltd", b"jsc", b"ojsc", b"pjsc", b"ooo", b"oao", b"pao", b"plc"];
    GLUED.iter().find_map(|form| {
        let rest = w.strip_suffix(*form).or_else(|| w.strip_prefix(*form))?;
        (rest.len() >= 4).then_some(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(words: &str) -> Vec<WordKey> {
        let mut out = Vec::new();
        keys_of(words.split(' '), &mut out);
        out
    }

    fn shared(a: &str, b: &str) -> usize {
        let (a, b) = (keys(a), keys(b));
        a.iter().filter(|k| b.contains(k)).count()
    }

    #[test]
    fn words_written_differently_keep_their_key() {
        for (a, b) in [
            ("internatinal", "international"),
            ("defence", "defense"),
            ("gasprom", "gazprom"),
            ("crystalord", "cristalord"),
            ("dmitry", "dmitriy"),
            ("dmitry", "dmitrii"),
            ("yuryevich", "yurevich"),
            ("artem", "artyom"),
            ("mikhaylovich", "mikhailovich"),
            ("mingmulong", "minggmulong"),
            ("1st", "first"),
            ("mohammad", "muhammad"),
            ("mohamed", "mohammed"),
            ("mhmd", "mohammad"),
        ] {
            assert_eq!(shared(a, b), 1, "{a} / {b}");
        }
        for (a, b) in
            [("rosneft", "rostec"), ("sberbank", "alfabank"), ("novatek", "novartis"), ("megafon", "megaline")]
        {
            assert_eq!(shared(a, b), 0, "{a} / {b}");
        }
    }

    #[test]
    fn short_words_run_together_and_glued_forms_come_off() {
        assert!(shared("hua wei technologies", "huawei technologies") >= 2);
        assert_eq!(shared("jin ming sheng", "jinmingsheng"), 1);
        assert!(shared("shen zhen shi jin ming sheng ke ji", "shenzhen jinmingsheng keji") >= 2);
        assert_eq!(shared("siemensag", "siemens"), 1);
        assert_eq!(shared("jscargument", "argument"), 1);
        assert_eq!(shared("a b c", "abc"), 1);
    }

    #[test]
    fn a_name_has_a_bounded_number_of_keys() {
        let long = (0..40).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        assert!(keys(&long).len() <= MAX_KEYS);
        assert!(keys("").is_empty());
    }
}

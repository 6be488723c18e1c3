//! Names of firms and people, reduced to a form in which the same party written differently compares equal:
//! case, punctuation, spacing, accents, Cyrillic or Latin letters, and legal-form words (Co., Ltd., LLC,
//! GmbH, JSC, OOO/ООО, AO, PAO, 有限公司, ...) do not matter. Matching on this form is exact: a false link is
//! worse than a missed one.

use unicode_normalization::UnicodeNormalization;

/// Legal forms written as several one-letter words once punctuation is gone (`S.A.` → `s a`).
const LEGAL_LETTERS: &[&[&str]] = &[
    &["s", "a"],
    &["s", "r", "o"],
    &["a", "s"],
    &["s", "r", "l"],
    &["s", "p", "a"],
    &["b", "v"],
    &["n", "v"],
    &["l", "l", "p"],
    &["l", "l", "c"],
    &["j", "s", "c"],
    &["p", "l", "c"],
];
/// Chinese legal forms, removed before splitting into words (longest first).
const CJK_FORMS: &[&str] = &["股份有限公司", "有限责任公司", "有限公司", "公司"];

/// The form names are compared in. Empty when nothing but legal-form words and punctuation remains.
pub fn normalize(name: &str) -> String {
    let mut flat = String::with_capacity(name.len());
    if name.is_ascii() {
        // Most names: no scripts to fold, no decomposition needed.
        for c in name.chars() {
            push_folded(&mut flat, c);
        }
    } else {
        let mut text = name.to_owned();
        for form in CJK_FORMS {
            if text.contains(form) {
                text = text.replace(form, " ");
            }
        }
        // Compatibility decomposition folds full-width letters and splits accents from their letters.
        for c in text.nfkd() {
            if !unicode_normalization::char::is_combining_mark(c) {
                push_folded(&mut flat, c);
            }
        }
    }
    let words: Vec<&str> = flat.split_whitespace().filter(|w| !is_legal_word(w.as_bytes())).collect();
    let mut kept = vec![true; words.len()];
    drop_legal_letters(&mut kept, |i| (words[i].len() == 1).then(|| words[i].as_bytes()[0]));
    let kept: Vec<&str> = words.iter().zip(kept).filter(|&(_, k)| k).map(|(w, _)| *w).collect();
    kept.join(" ")
}

/// The hash of [`normalize`]`(name)` ([`hash_form`]), or `None` when that is empty; without building the
/// form for the common case of a name in ASCII of up to 128 bytes without an apostrophe.
pub fn form_hash(name: &str) -> Option<u64> {
    form_hash_unless(name, &|_| false).unwrap_or_else(|| hash_form(&normalize(name)))
}

/// A word as [`form_hash_unless`] tells it: its length in the top byte, its first seven bytes in lower case
/// below (two words with one key are told apart by whoever asked).
pub fn word_key(w: &[u8]) -> u64 {
    let mut v = (w.len().min(255) as u64) << 56;
    for (i, b) in w.iter().take(7).enumerate() {
        v |= (b.to_ascii_lowercase() as u64) << (8 * i);
    }
    v
}

/// [`form_hash`] of a name in ASCII of up to 128 bytes, unless one of its words of three letters or more
/// has a [`word_key`] `stop` holds for: then `None` (as for a name it does not reduce the quick way), for
/// the caller to reduce it another way. The words are looked at where the quick way reads them anyway.
pub fn form_hash_unless(name: &str, stop: &dyn Fn(u64) -> bool) -> Option<Option<u64>> {
    form_hash_words(name, stop, &mut |_, _| {})
}

/// [`form_hash_unless`], handing `word` each word of the form as it is hashed: its letters and digits in
/// any case, and the word's own hash (the same for the same word, whatever its case; 0 when the name was
/// reduced the general way).
pub fn form_hash_words(
    name: &str,
    stop: &dyn Fn(u64) -> bool,
    word: &mut impl FnMut(&[u8], u64),
) -> Option<Option<u64>> {
    let bytes = name.as_bytes();
    if bytes.len() > QUICK_MAX || !name.is_ascii() {
        return None;
    }
    // Names are reduced by the million on a first read: which bytes are letters or digits is one bit each,
    // words are runs of ones, and each word is read eight bytes at a time, lower-cased in place.
    let mut padded = [0u8; QUICK_MAX + 8];
    padded[..bytes.len()].copy_from_slice(bytes);
    let mut halves = [0u64; 2];
    let mut apostrophes = 0;
    for (i, eight) in padded[..bytes.len().next_multiple_of(8)].chunks_exact(8).enumerate() {
        let mut v = [0u8; 8];
        v.copy_from_slice(eight);
        let v = u64::from_le_bytes(v);
        halves[i / 8] |= alphanumeric_bits(v) << (8 * (i % 8));
        apostrophes |= crate::text::bytes_equal_to(v, b'\'');
    }
    // Apostrophes join words (Xi'an): the general way.
    if apostrophes != 0 {
        let form = normalize(name);
        form.split(' ').for_each(|w| word(w.as_bytes(), 0));
        return Some(hash_form(&form));
    }
    // The 8 bytes from `at`, lower case, those from `end` on as zeros (every byte before `end` is a letter or
    // a digit, which the case bit leaves alone).
    let chunk = |at: usize, end: usize| -> u64 {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&padded[at..at + 8]);
        let v = u64::from_le_bytes(eight) | 0x2020_2020_2020_2020;
        let n = end - at;
        if n >= 8 {
            v
        } else {
            v & ((1u64 << (8 * n)) - 1)
        }
    };
    let mut words = [(0u8, 0u8); QUICK_WORDS];
    let mut count = 0usize;
    for (base, &half) in (0u32..).step_by(64).zip(&halves) {
        let (mut rest, mut at) = (half, 0u32);
        while rest != 0 {
            let gap = rest.trailing_zeros();
            at += gap;
            rest >>= gap;
            let len = rest.trailing_ones();
            match count.checked_sub(1).map(|last| &mut words[last]) {
                // A word across the two halves.
                Some((s, n)) if at == 0 && (*s as u32 + *n as u32) == base => *n += len as u8,
                _ => {
                    words[count] = ((base + at) as u8, len as u8);
                    count += 1;
                }
            }
            at += len;
            rest = rest.checked_shr(len).unwrap_or(0);
        }
    }
    let words = &words[..count];
    let mut kept = [true; QUICK_WORDS];
    let mut one_letter = false;
    for (i, &(s, n)) in words.iter().enumerate() {
        let (s, n) = (s as usize, n as usize);
        if n >= 3 && stop((n.min(255) as u64) << 56 | (chunk(s, s + n) & 0x00ff_ffff_ffff_ffff)) {
            return None;
        }
        kept[i] = !if n <= 8 {
            is_short_legal_word(chunk(s, s + n))
        } else {
            LONG_LEGAL_WORDS.iter().any(|l| l.eq_ignore_ascii_case(&padded[s..s + n]))
        };
        one_letter |= n == 1;
    }
    if one_letter {
        drop_legal_letters(&mut kept[..count], |i| {
            (words[i].1 == 1).then(|| chunk(words[i].0 as usize, words[i].0 as usize + 1) as u8)
        });
    }
    let mut hash = FormHash::default();
    for (&(s, n), _) in words.iter().zip(kept).filter(|&(_, k)| k) {
        let (s, e) = (s as usize, s as usize + n as usize);
        hash.word_len(e - s);
        for at in (s..e).step_by(8) {
            hash.eight(chunk(at, e));
        }
        word(&padded[s..e], hash.state);
    }
    Some(hash.finish())
}

/// One bit for each of eight ASCII bytes (the first byte in the lowest bit): set when it is a letter or a
/// digit. All eight at once: a byte below 0x80 plus `0x80 - low` has its top bit set when it is at least
/// `low`, and no carry crosses into the next byte.
fn alphanumeric_bits(v: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let at_least = |v: u64, low: u8| v + ONES * (0x80 - low as u64);
    let within = |v: u64, low: u8, high: u8| at_least(v, low) & !at_least(v, high + 1);
    let tops = (within(v, b'0', b'9') | within(v | 0x2020_2020_2020_2020, b'a', b'z')) & TOPS;
    // Gathers the eight top bits into the top byte, in order.
    (tops >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Marks as dropped the runs of one-letter words that spell a legal form (`s a`, `l l c`), among the words
/// kept. `letter(i)` is word `i`'s letter when it is one letter long.
fn drop_legal_letters(kept: &mut [bool], letter: impl Fn(usize) -> Option<u8>) {
    let left: Vec<usize> = (0..kept.len()).filter(|&i| kept[i]).collect();
    let mut i = 0;
    while i < left.len() {
        let found = LEGAL_LETTERS.iter().find(|form| {
            form.len() <= left.len() - i
                && form.iter().enumerate().all(|(j, l)| letter(left[i + j]) == Some(l.as_bytes()[0]))
        });
        match found {
            Some(form) => {
                for j in 0..form.len() {
                    kept[left[i + j]] = false;
                }
                i += form.len();
            }
            None => i += 1,
        }
    }
}

/// Names up to this many bytes are reduced in place by [`form_hash`]; longer ones go through [`normalize`].
const QUICK_MAX: usize = 128;
/// The most words such a name can have (one-letter words between separators).
const QUICK_WORDS: usize = QUICK_MAX / 2;

/// The hash names are compared by: of a form's words in any order (each word's hash, summed), each as its length and then its bytes
/// eight at a time (little-endian, the last eight padded with zeros), so that different forms give
/// different sequences; each step a 64x64→128-bit multiply folded to 64 bits (as wyhash mixes). Kept in
/// memory only: the link indexes hold it, nothing writes it to disk.
pub fn hash_form(form: &str) -> Option<u64> {
    let mut hash = FormHash::default();
    for word in form.split(' ').filter(|w| !w.is_empty()) {
        hash.word_len(word.len());
        for piece in word.as_bytes().chunks(8) {
            let mut eight = [0u8; 8];
            eight[..piece.len()].copy_from_slice(piece);
            hash.eight(u64::from_le_bytes(eight));
        }
    }
    hash.finish()
}

struct FormHash {
    /// The word being hashed.
    state: u64,
    /// The words hashed so far, summed: the same whatever their order (`SALEK, Abdulhai` and `Abdulhai
    /// Salek` are one party; the matcher judges what a form finds).
    sum: u64,
    words: usize,
}

const WORD_SEED: u64 = 0x243f_6a88_85a3_08d3;

impl Default for FormHash {
    fn default() -> Self {
        FormHash { state: WORD_SEED, sum: 0, words: 0 }
    }
}

impl FormHash {
    fn mix(&mut self, v: u64) {
        let product = ((self.state ^ v) as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.state = (product as u64) ^ ((product >> 64) as u64);
    }

    /// Ends the word before, if any.
    fn end_word(&mut self) {
        if self.words > 0 {
            self.mix(0xa076_1d64_78bd_642f);
            self.sum = self.sum.wrapping_add(self.state);
        }
        self.state = WORD_SEED;
    }

    fn word_len(&mut self, len: usize) {
        self.end_word();
        self.words += 1;
        self.mix(len as u64);
    }

    fn eight(&mut self, v: u64) {
        self.mix(v);
    }

    fn finish(mut self) -> Option<u64> {
        (self.words > 0).then(|| {
            self.end_word();
            self.state = self.sum;
            self.mix(self.words as u64);
            self.state
        })
    }
}

/// One character of a name, lower case and in Latin letters; punctuation becomes a space.
fn push_folded(out: &mut String, c: char) {
    match transliterate(c) {
        Some(latin) => out.push_str(latin),
        None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
        None if c.is_alphanumeric() => out.extend(c.to_lowercase()),
        // Apostrophes join (Xi'an, O'Brien); everything else separates words.
        None if matches!(c, '\'' | '’' | 'ʼ') => {}
        None => out.push(' '),
    }
}

/// Legal-form words of up to 8 bytes, compared after the rest of the reduction (so in lower case and Latin
/// letters).
const LEGAL_WORDS: &[&[u8]] = &[
    b"co", b"company", b"corp", b"inc", b"ltd", b"limited", b"llc", b"llp", b"lp", b"plc", b"gmbh", b"ag", b"kg",
    b"bv", b"nv", b"sa", b"sas", b"sarl", b"srl", b"spa", b"sro", b"as", b"ab", b"oy", b"jsc", b"ojsc", b"cjsc",
    b"pjsc", b"ooo", b"oao", b"zao", b"pao", b"ao", b"tov", b"fze", b"fzco", b"fzc", b"dmcc", b"pte", b"pty", b"bhd",
    b"sdn", b"kk",
];

pub(crate) fn is_legal_word(w: &[u8]) -> bool {
    if w.len() <= 8 {
        is_short_legal_word(pack(w))
    } else {
        is_long_legal_word(w)
    }
}

/// A word of at most 8 bytes, as [`pack`] gives it: one multiply and one look in a table in which every
/// such legal word has a slot of its own.
fn is_short_legal_word(packed: u64) -> bool {
    let (table, multiplier) = &SHORT_LEGAL;
    packed != 0 && table[slot(packed, *multiplier)] == packed
}

/// Legal-form words longer than 8 bytes.
const LONG_LEGAL_WORDS: [&[u8]; 2] = [b"corporation", b"incorporated"];

fn is_long_legal_word(w: &[u8]) -> bool {
    w.len() >= 11 && LONG_LEGAL_WORDS.contains(&w)
}

/// Up to 8 bytes as a little-endian number (bytes past the end as zeros).
const fn pack(w: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut i = 0;
    while i < w.len() && i < 8 {
        v |= (w[i] as u64) << (8 * i);
        i += 1;
    }
    v
}

const fn slot(packed: u64, multiplier: u64) -> usize {
    (packed.wrapping_mul(multiplier) >> 56) as usize
}

/// The legal words of up to 8 bytes by [`slot`], and a multiplier that gives each its own slot (found when
/// the program is compiled).
const SHORT_LEGAL: ([u64; 256], u64) = {
    assert!(LONG_LEGAL_WORDS[0].len() > 8 && LONG_LEGAL_WORDS[1].len() > 8);
    let mut multiplier: u64 = 0x9e37_79b9_7f4a_7c15;
    loop {
        let mut table = [0u64; 256];
        let mut clash = false;
        let mut i = 0;
        while i < LEGAL_WORDS.len() {
            assert!(LEGAL_WORDS[i].len() <= 8, "a longer legal word goes in LONG_LEGAL_WORDS");
            let p = pack(LEGAL_WORDS[i]);
            let s = slot(p, multiplier);
            if table[s] != 0 {
                clash = true;
            }
            table[s] = p;
            i += 1;
        }
        if !clash {
            break (table, multiplier);
        }
        multiplier = multiplier.wrapping_add(0x6a09_e667_f3bc_c909) | 1;
    }
};

/// Russian, Ukrainian and Belarusian Cyrillic letters in a simple Latin form (lower case).
fn transliterate(c: char) -> Option<&'static str> {
    if c.is_ascii() {
        return None;
    }
    let lower = c.to_lowercase().next().unwrap_or(c);
    Some(match lower {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' | 'ё' | 'є' | 'э' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' | 'ї' | 'й' | 'ы' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(normalize(a), normalize(b), "{a:?} and {b:?} should match");
        assert!(!normalize(a).is_empty());
    }

    fn differ(a: &str, b: &str) {
        assert_ne!(normalize(a), normalize(b), "{a:?} and {b:?} must not match");
    }

    #[test]
    fn case_punctuation_spacing_and_legal_forms_do_not_matter() {
        same("Qingyun Starforge CNC Co., Ltd.", "QINGYUN STARFORGE CNC CO., LTD.");
        same("Qingyun Starforge CNC Co., Ltd.", "qingyun  starforge cnc");
        same("Tianmu Microlink Semiconductor Trading (HK) Ltd.", "TIANMU MICROLINK SEMICONDUCTOR TRADING (HK) LIMITED");
        same("Steppeline Logistics LLP", "STEPPELINE LOGISTICS L.L.P.");
        same("TNK TRADING INTERNATIONAL S.A.", "TNK Trading International SA");
        same("Bosphorus Axis Dis Ticaret A.S.", "Bosphorus Axis Dis Ticaret");
        same("SUEX OTC, S.R.O.", "Suex OTC s.r.o.");
        same("Xi'an Skyloom Aero-Engine Parts Co., Ltd.", "XIAN SKYLOOM AERO ENGINE PARTS CO LTD");
        same("Falconreach General Trading FZE", "FALCONREACH GENERAL TRADING");
    }

    #[test]
    fn scripts_and_accents_do_not_matter() {
        same("ООО «Восток-Компонент»", "OOO VOSTOK-KOMPONENT");
        same("АО «Радуга-Конструктор»", "AO Raduga Konstruktor");
        same("Société Générale Équipement", "SOCIETE GENERALE EQUIPEMENT");
        same("ＡＢＣ Trading", "ABC Trading");
        same("青云星锻数控有限公司", "青云星锻数控");
    }

    #[test]
    fn near_misses_do_not_match() {
        differ("Qingyun Starforge CNC Co., Ltd.", "Qingyun Starforge Co., Ltd.");
        differ("Northstar Link Trading (HK) Limited", "Northstar Link Trading Limited");
        differ("Tianmu Microlink", "Tianmu Micro Link");
        differ("Gulf Horizon Commercial Bank", "Gulf Horizon Bank");
        differ("Arcwell Components Trading Limited", "Arcwell Component Trading Limited");
        differ("青云星锻数控有限公司", "青云星锻有限公司");
    }

    #[test]
    fn the_quick_hash_is_the_hash_of_the_form() {
        for name in [
            "Qingyun Starforge CNC Co., Ltd.",
            "STEPPELINE LOGISTICS L.L.P.",
            "TNK Trading International S.A.",
            "Xi'an Skyloom Aero-Engine Parts Co., Ltd.",
            "SUEX OTC, S.R.O.",
            "s a s a b",
            "Co., Ltd.",
            "",
            "ООО «Восток-Компонент»",
            "Société Générale Équipement",
        ] {
            let form = normalize(name);
            assert_eq!(form_hash(name), hash_form(&form), "{name:?} ({form:?})");
            assert_eq!(hash_form(&form).is_none(), form.is_empty());
        }
    }

    proptest::proptest! {
        /// Names of words, legal forms, one-letter runs and punctuation: the quick way and the form agree.
        #[test]
        fn the_quick_hash_agrees_with_the_form(
            words in proptest::collection::vec(
                "(co|ltd|l|c|s|a|o|p|corporation|incorporated|limited|company|[a-zA-Z0-9]{1,12}|[a-z]{8}|[.,()&-]|O'Brien)",
                0..14,
            ),
            spaces in proptest::collection::vec(" {0,2}", 14),
        ) {
            let name: String = words.iter().zip(&spaces).map(|(w, s)| format!("{w}{s}")).collect();
            let form = normalize(&name);
            proptest::prop_assert_eq!(form_hash(&name), hash_form(&form), "{:?} ({:?})", name, form);
        }
    }

    #[test]
    fn names_at_the_edge_of_the_quick_way_hash_as_their_form() {
        let one_letters = "a ".repeat(64);
        for name in [&one_letters[..127], &one_letters, &"Abcdefghij".repeat(13)[..128], &"Abcdefghij".repeat(13)] {
            assert_eq!(form_hash(name), hash_form(&normalize(name)), "{name:?}");
        }
    }

    #[test]
    fn alphanumeric_bits_are_the_bytes_that_are_letters_or_digits() {
        for chunk in [*b"Ab9 .-z'", *b"\0\x7f@[`{/:", *b"ZZZZZZZZ", *b"        ", *b"0123456a", *b"a\0\0\0\0\0\0\0"] {
            let want = chunk.iter().enumerate().map(|(i, b)| (b.is_ascii_alphanumeric() as u64) << i).sum::<u64>();
            assert_eq!(alphanumeric_bits(u64::from_le_bytes(chunk)), want, "{chunk:?}");
        }
        for b in 0u8..0x80 {
            let v = u64::from_le_bytes([b; 8]);
            assert_eq!(alphanumeric_bits(v), if b.is_ascii_alphanumeric() { 0xff } else { 0 }, "{b}");
        }
    }

    #[test]
    fn forms_that_differ_hash_apart() {
        let forms = ["ab", "a b", "abcdefgh", "abcdefgh a", "abcdefg ha", "abcdefghi", "a", "b c", "a b a"];
        let mut hashes: Vec<u64> = forms.iter().filter_map(|f| hash_form(f)).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), forms.len());
        // Word order does not matter (the matcher judges what a form finds): a person's family name first.
        assert_eq!(hash_form("salek abdulhai"), hash_form("abdulhai salek"));
        assert_eq!(form_hash("SALEK, Abdulhai"), form_hash("Abdulhai Salek"));
    }

    #[test]
    fn every_legal_word_is_found_and_nothing_else() {
        for w in LEGAL_WORDS.iter().chain(&LONG_LEGAL_WORDS) {
            assert!(is_legal_word(w), "{:?}", String::from_utf8_lossy(w));
        }
        for w in [&b"c"[..], b"cor", b"comp", b"companys", b"corporatio", b"ltdd", b"", b"oooo", b"gmb", b"sarls"] {
            assert!(!is_legal_word(w), "{:?}", String::from_utf8_lossy(w));
        }
    }

    #[test]
    fn only_legal_words_leave_nothing() {
        assert_eq!(normalize("Co., Ltd."), "");
        assert_eq!(normalize("ООО"), "");
    }
}

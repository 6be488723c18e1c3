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
    let mut words: Vec<&str> = flat.split_whitespace().collect();
    words.retain(|w| !is_legal_word(w.as_bytes()));
    let mut i = 0;
    while i < words.len() {
        match LEGAL_LETTERS.iter().find(|form| words[i..].starts_with(form)) {
            Some(form) => {
                words.drain(i..i + form.len());
            }
            None => i += 1,
        }
    }
    words.join(" ")
}

/// The hash (FNV-1a) of [`normalize`]`(name)`, or `None` when that is empty; without building the form for
/// the common case of a name in ASCII letters.
pub fn form_hash(name: &str) -> Option<u64> {
    let slow = || {
        let form = normalize(name);
        (!form.is_empty()).then(|| crate::state::fnv1a(form.as_bytes()))
    };
    if !name.is_ascii() {
        return slow();
    }
    // Words as lower-case ASCII in one buffer; apostrophes join, anything else not alphanumeric separates.
    let mut buf = [0u8; 256];
    let mut words: [(u16, u16); 48] = [(0, 0); 48];
    let (mut len, mut count, mut start) = (0usize, 0usize, 0usize);
    let bytes = name.as_bytes();
    if bytes.len() > buf.len() {
        return slow();
    }
    for &b in bytes {
        match ASCII_FORM[b as usize] {
            APOSTROPHE => {}
            SEPARATOR => {
                if !note_word(&mut words, &mut count, start, len) {
                    return slow();
                }
                start = len;
            }
            lower => {
                buf[len] = lower;
                len += 1;
            }
        }
    }
    if !note_word(&mut words, &mut count, start, len) {
        return slow();
    }
    let word = |i: usize| -> &[u8] { &buf[words[i].0 as usize..words[i].1 as usize] };
    let mut kept: [bool; 48] = [true; 48];
    for (i, k) in kept.iter_mut().enumerate().take(count) {
        *k = !is_legal_word(word(i));
    }
    // Runs of one-letter words that spell a legal form (`s a`, `l l c`), among the words kept; most names
    // have no one-letter word at all.
    if (0..count).any(|i| kept[i] && words[i].1 - words[i].0 == 1) {
        let mut left = [0usize; 48];
        let mut n = 0;
        for i in (0..count).filter(|&i| kept[i]) {
            left[n] = i;
            n += 1;
        }
        let left = &left[..n];
        let mut i = 0;
        while i < left.len() {
            let found = LEGAL_LETTERS.iter().find(|form| {
                form.len() <= left.len() - i && form.iter().enumerate().all(|(j, l)| word(left[i + j]) == l.as_bytes())
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
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut any = false;
    for i in (0..count).filter(|&i| kept[i]) {
        if any {
            h = fnv_step(h, b' ');
        }
        any = true;
        for &b in word(i) {
            h = fnv_step(h, b);
        }
    }
    any.then_some(h)
}

/// What each ASCII byte is in a name form: a letter or digit in lower case, an apostrophe (words join
/// across it), or a separator; one table lookup rather than a few tests a byte.
const ASCII_FORM: [u8; 256] = {
    let mut t = [SEPARATOR; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t[b'\'' as usize] = APOSTROPHE;
    t
};
const SEPARATOR: u8 = 0;
const APOSTROPHE: u8 = 1;

/// Notes the word `start..len` of the buffer, if it has any letters; false when there are more words than
/// the quick way holds.
fn note_word(words: &mut [(u16, u16); 48], count: &mut usize, start: usize, len: usize) -> bool {
    if len > start {
        if *count == words.len() {
            return false;
        }
        words[*count] = (start as u16, len as u16);
        *count += 1;
    }
    true
}

fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
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

/// Legal-form words, compared after the rest of the reduction (so in lower case and Latin letters).
fn is_legal_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"co"
            | b"company"
            | b"corp"
            | b"corporation"
            | b"inc"
            | b"incorporated"
            | b"ltd"
            | b"limited"
            | b"llc"
            | b"llp"
            | b"lp"
            | b"plc"
            | b"gmbh"
            | b"ag"
            | b"kg"
            | b"bv"
            | b"nv"
            | b"sa"
            | b"sas"
            | b"sarl"
            | b"srl"
            | b"spa"
            | b"sro"
            | b"as"
            | b"ab"
            | b"oy"
            | b"jsc"
            | b"ojsc"
            | b"cjsc"
            | b"pjsc"
            | b"ooo"
            | b"oao"
            | b"zao"
            | b"pao"
            | b"ao"
            | b"tov"
            | b"fze"
            | b"fzco"
            | b"fzc"
            | b"dmcc"
            | b"pte"
            | b"pty"
            | b"bhd"
            | b"sdn"
            | b"kk"
    )
}

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
            let want = (!form.is_empty()).then(|| crate::state::fnv1a(form.as_bytes()));
            assert_eq!(form_hash(name), want, "{name:?} ({form:?})");
        }
    }

    #[test]
    fn only_legal_words_leave_nothing() {
        assert_eq!(normalize("Co., Ltd."), "");
        assert_eq!(normalize("ООО"), "");
    }
}

//! Names of firms and people, reduced to a form in which the same party written differently compares equal:
//! case, punctuation, spacing, accents, Cyrillic or Latin letters, and legal-form words (Co., Ltd., LLC,
//! GmbH, JSC, OOO/ООО, AO, PAO, 有限公司, ...) do not matter. Matching on this form is exact: a false link is
//! worse than a missed one.

use unicode_normalization::UnicodeNormalization;

/// Legal-form words, compared after the rest of the reduction (so in lower case and Latin letters).
const LEGAL_WORDS: &[&str] = &[
    "co",
    "company",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "bv",
    "nv",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "sro",
    "as",
    "ab",
    "oy",
    "jsc",
    "ojsc",
    "cjsc",
    "pjsc",
    "ooo",
    "oao",
    "zao",
    "pao",
    "ao",
    "tov",
    "fze",
    "fzco",
    "fzc",
    "dmcc",
    "pte",
    "pty",
    "bhd",
    "sdn",
    "kk",
];
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
    words.retain(|w| !is_legal_word(w));
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

fn is_legal_word(w: &str) -> bool {
    w.len() <= 12 && LEGAL_WORDS.contains(&w)
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
    fn only_legal_words_leave_nothing() {
        assert_eq!(normalize("Co., Ltd."), "");
        assert_eq!(normalize("ООО"), "");
    }
}

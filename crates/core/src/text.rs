//! Cleaning untrusted text, and measuring it for display.
//!
//! Everything read from a feed passes through [`clean`] once, where it is parsed, so no later path (table,
//! detail view, JSON output, log file) can forget to do it. What it removes could otherwise move the cursor,
//! change colours, set the window title, write to the clipboard or reorder text on the analyst's terminal.

use unicode_width::UnicodeWidthChar;

const ESC: char = '\u{1b}';
const BEL: char = '\u{07}';

/// Returns `s` with control characters, terminal escape sequences, line breaks and bidirectional
/// controls neutralised.
///
/// - Escape sequences (`ESC [ ... final`, `ESC ] ... BEL|ST`, `ESC P ... ST`, the C1 forms `CSI`, `OSC`,
///   `DCS`, ...) are removed whole, so no fragment of them is shown either.
/// - Line breaks and tabs become a single space; other C0 characters, DEL and C1 characters are removed.
/// - Bidirectional embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069), the marks
///   U+200E/U+200F/U+061C, zero-width characters (space, joiners, word joiner, invisible operators), the
///   soft hyphen and the byte-order mark are removed.
pub fn clean(s: &str) -> String {
    if all_plain(s) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ESC => match chars.next() {
                // CSI: parameters and intermediates, then one final byte 0x40..=0x7E.
                Some('[') => skip_csi(&mut chars),
                // OSC, DCS, SOS, PM, APC: a string ended by BEL or ST (ESC \).
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Any other escape: ESC plus intermediates (0x20..=0x2F) plus one final character.
                Some(c2) if ('\u{20}'..='\u{2f}').contains(&c2) => {
                    while let Some(&n) = chars.peek() {
                        chars.next();
                        if !('\u{20}'..='\u{2f}').contains(&n) {
                            break;
                        }
                    }
                }
                Some(_) | None => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\r' | '\t' | '\u{0b}' | '\u{0c}' | '\u{85}' | '\u{2028}' | '\u{2029}' if !out.ends_with(' ') => {
                out.push(' ')
            }
            c if is_plain(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// [`clean`] for a string already owned: returned as it is (no copy) when there is nothing to clean.
/// [`clean`] without a copy when there is nothing to clean.
pub fn clean_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if all_plain(s) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(clean(s))
    }
}

pub fn clean_owned(s: String) -> String {
    if all_plain(&s) {
        s
    } else {
        clean(&s)
    }
}

/// Of eight ASCII bytes (little-endian, the first in the lowest byte), the top bit of each that equals `b`.
/// The lowest one set is exact (the borrow of the subtraction can only mark bytes after a byte that equals
/// `b`), so it finds the first such byte, and the whole is nonzero exactly when there is one.
pub fn bytes_equal_to(v: u64, b: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    let x = v ^ (ONES * b as u64);
    x.wrapping_sub(ONES) & !x & (ONES << 7)
}

/// Whether `hay` contains `needle`, case aside; without lower-case copies when both are ASCII, and then
/// comparing only where the needle's first letter (in either case) is found (filters and watch rules run
/// this over every text of every record).
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        ascii_contains_ignore_case(hay.as_bytes(), needle.as_bytes())
    } else {
        hay.to_lowercase().contains(&needle.to_lowercase())
    }
}

/// [`contains_ignore_case`] for ASCII bytes (a plain line of a feed), ASCII case ignored.
pub fn ascii_contains_ignore_case(h: &[u8], n: &[u8]) -> bool {
    if n.is_empty() {
        return true;
    }
    if n.len() > h.len() {
        return false;
    }
    // Candidates found by the needle's rarest letter, in both cases, then compared whole: in names and
    // reasons an `n` or an `e` is everywhere, a `u` or a `c` much less so.
    let at = (0..n.len()).min_by_key(|&i| frequency(n[i])).unwrap_or(0);
    let b = n[at];
    let (last_start, starts) = (h.len() - n.len(), &h[at..=h.len() - n.len() + at]);
    memchr::memchr2_iter(b.to_ascii_lowercase(), b.to_ascii_uppercase(), starts)
        .any(|i| i <= last_start && h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// How common a byte is in the texts of the feeds (names, reasons, places), rarest lowest: a rough order
/// of English letters, digits and punctuation rarer than all of them but the space.
fn frequency(b: u8) -> u8 {
    const ORDER: &[u8] = b"zqxjkvbpygfwmucldrhsnioate";
    match b.to_ascii_lowercase() {
        b' ' => 40,
        c @ b'a'..=b'z' => ORDER.iter().position(|&x| x == c).map_or(30, |i| 4 + i as u8),
        b'0'..=b'9' => 3,
        _ => 1,
    }
}

/// True when every character can be shown as it is; printable ASCII (most of any feed) is told byte by byte.
fn all_plain(s: &str) -> bool {
    // Every byte looked at, without stopping early, so that the compiler can test many at once.
    let printable_ascii = s.bytes().fold(true, |ok, b| ok & (b.wrapping_sub(0x20) < 0x5f));
    printable_ascii || s.chars().all(is_plain)
}

/// True for a character that can be shown as it is.
fn is_plain(c: char) -> bool {
    !(c.is_control() || is_invisible(c))
}

/// Every Unicode format character (general category Cf, Unicode 15.1), the line and paragraph separators,
/// and the characters that draw nothing although their category says they are letters or marks (the
/// combining grapheme joiner, the Hangul fillers, the Khmer inherent vowels): each can hide or split text
/// in a name, or change how a line is shown, without showing anything itself.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00ad}'
            | '\u{0600}'..='\u{0605}'
            | '\u{061c}'
            | '\u{06dd}'
            | '\u{070f}'
            | '\u{0890}'..='\u{0891}'
            | '\u{08e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
            // Invisible although not Cf.
            | '\u{034f}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{17b4}'
            | '\u{17b5}'
            | '\u{3164}'
            | '\u{ffa0}'
    )
}

fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
        // A character outside the CSI grammar ends it too, and is dropped with it.
        if !('\u{20}'..='\u{3f}').contains(&c) {
            break;
        }
    }
}

fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            BEL | '\u{9c}' => break,
            ESC => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

/// A path as shown to people and scripts, cleaned like feed text (file names are untrusted too).
pub fn clean_path(p: &std::path::Path) -> String {
    clean(&p.display().to_string())
}

/// Columns `s` takes on a terminal (wide characters count two).
pub fn width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// `s` cut to at most `max` columns, ending in `…` when something was cut, padded with spaces to exactly
/// `max` columns when `pad` is set.
pub fn fit(s: &str, max: usize, pad: bool) -> String {
    let w = width(s);
    let mut out = String::with_capacity(s.len().min(max * 4));
    if w <= max {
        out.push_str(s);
        if pad {
            out.extend(std::iter::repeat_n(' ', max - w));
        }
        return out;
    }
    if max == 0 {
        return out;
    }
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw > max - 1 {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    if pad {
        out.extend(std::iter::repeat_n(' ', max - used));
    }
    out
}

/// `s` broken into lines of at most `max` columns, at spaces where possible.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in s.split(' ') {
        let w = width(word);
        if used > 0 && used + 1 + w <= max {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        // A word longer than a line is cut where it must be.
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// An I/O error in words an analyst can act on.
/// A rejected value as an error message quotes it: cleaned, in quotes, and no longer than a glance (the
/// first 60 characters, then how long it was), so that a value of megabytes does not make a message of
/// megabytes in the error list, the terminal and the log.
pub fn excerpt(value: &str) -> String {
    const SHOWN: usize = 60;
    let cleaned = clean(value);
    match cleaned.char_indices().nth(SHOWN) {
        None => format!("{cleaned:?}"),
        Some((cut, _)) => format!("{:?}... ({} bytes)", &cleaned[..cut], value.len()),
    }
}

pub fn describe_io(e: &std::io::Error) -> String {
    if let Some(refused) = crate::files::refusal(e) {
        return refused.to_string();
    }
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "cannot read: permission denied".into(),
        std::io::ErrorKind::NotFound => "not found".into(),
        _ if e.raw_os_error() == Some(40) => "cannot open: too many levels of symbolic links".into(),
        _ if e.raw_os_error() == Some(21) => "is a directory, not a file".into(),
        _ if e.raw_os_error() == Some(libc::EMFILE) || e.raw_os_error() == Some(libc::ENFILE) => {
            "cannot open: too many open files (the limit of open files is reached: raise it, `ulimit -n`, or \
             follow fewer files)"
                .into()
        }
        _ => format!("cannot read: {e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The invisible characters issue 19 found reaching the terminal, and every other format character.
    #[test]
    fn format_characters_and_invisible_fillers_are_cleaned() {
        for c in [
            '\u{206a}',
            '\u{206f}',
            '\u{fff9}',
            '\u{fffb}',
            '\u{e0041}',
            '\u{180e}',
            '\u{034f}',
            '\u{115f}',
            '\u{3164}',
            '\u{1d173}',
            '\u{0600}',
        ] {
            assert_eq!(clean(&format!("A{c}B")), "AB", "U+{:04X}", c as u32);
        }
        // Visible text of every script stays.
        assert_eq!(clean("Ростех 中国 تجارة עברית"), "Ростех 中国 تجارة עברית");
    }

    #[test]
    fn an_excerpt_of_a_long_value_is_its_start_and_its_length() {
        assert_eq!(excerpt("short\u{1b}[2J"), "\"short\"");
        let long = "é".repeat(100_000);
        let e = excerpt(&long);
        assert_eq!(e, format!("{:?}... (200000 bytes)", "é".repeat(60)));
    }

    #[test]
    fn bytes_equal_to_finds_the_first_and_says_when_there_is_none() {
        for (eight, want) in
            [(*b"ab\"cd\"ef", Some(2)), (*b"\"\"\"\"\"\"\"\"", Some(0)), (*b"abcdefg\"", Some(7)), (*b"!#abcdef", None)]
        {
            let found = bytes_equal_to(u64::from_le_bytes(eight), b'"');
            assert_eq!((found != 0).then(|| found.trailing_zeros() as usize / 8), want, "{eight:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn contains_ignore_case_agrees_with_lower_case_copies(hay in "[a-eA-E -]{0,24}", needle in "[a-eA-E -]{0,5}") {
            let want = hay.to_lowercase().contains(&needle.to_lowercase());
            proptest::prop_assert_eq!(contains_ignore_case(&hay, &needle), want);
        }
    }

    #[test]
    fn contains_ignore_case_finds_what_lower_case_copies_find() {
        let hays =
            ["Supplies NITROCELLULOSE to", "nitro", "", "ab", "xNitrocellulose", "Ünïcode Nitro", "a-b-c", "aaab"];
        let needles = ["nitrocellulose", "NITRO", "", "b", "ab", "-b-", "aab", "z", "ü"];
        for h in hays {
            for n in needles {
                let want = h.to_lowercase().contains(&n.to_lowercase());
                assert_eq!(contains_ignore_case(h, n), want, "{h:?} {n:?}");
            }
        }
    }

    #[test]
    fn plain_text_is_unchanged() {
        assert_eq!(clean("Shenzhen Hua Precision Tooling Co., Ltd."), "Shenzhen Hua Precision Tooling Co., Ltd.");
        assert_eq!(clean("深圳华精密机床有限公司"), "深圳华精密机床有限公司");
        assert_eq!(clean("ООО «Ромашка»"), "ООО «Ромашка»");
    }

    #[test]
    fn escape_sequences_are_removed_whole() {
        assert_eq!(clean("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(clean("x\u{1b}]0;pwned title\u{07}y"), "xy");
        assert_eq!(clean("x\u{1b}]52;c;ZXZpbA==\u{1b}\\y"), "xy");
        assert_eq!(clean("x\u{1b}P1$qm\u{1b}\\y"), "xy");
        assert_eq!(clean("x\u{9b}2Jy"), "xy");
        assert_eq!(clean("x\u{1b}(By"), "xy");
        assert_eq!(clean("x\u{1b}cy"), "xy");
        assert_eq!(clean("trailing\u{1b}"), "trailing");
    }

    #[test]
    fn controls_breaks_and_bidi_are_neutralised() {
        assert_eq!(clean("a\r\nb\tc"), "a b c");
        assert_eq!(clean("bell\u{07}del\u{7f}nul\u{0}"), "belldelnul");
        assert_eq!(clean("abc\u{202e}fed\u{202c}"), "abcfed");
        assert_eq!(clean("\u{2067}x\u{2069}"), "x");
        assert_eq!(clean("\u{feff}id"), "id");
        assert_eq!(clean("Qing\u{200d}yun\u{200c} Star\u{2060}forge\u{ad}"), "Qingyun Starforge");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("supplied CNC machine tools", 12), ["supplied CNC", "machine", "tools"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
        assert_eq!(wrap("青云星锻数控", 5), ["青云", "星锻", "数控"]);
    }

    #[test]
    fn fit_cuts_with_ellipsis_and_counts_wide_characters() {
        assert_eq!(fit("abcdef", 4, false), "abc…");
        assert_eq!(fit("ab", 4, true), "ab  ");
        assert_eq!(fit("深圳华精密", 5, true), "深圳…");
        assert_eq!(fit("深圳华精密", 6, true), "深圳… ");
        assert_eq!(width(&fit("深圳华精密", 6, true)), 6);
        assert_eq!(fit("abc", 0, true), "");
    }
}

//! The quick way through the common line: a JSON object in printable ASCII without escapes, whose values
//! are strings, lists of strings and nulls, whole numbers, booleans and nulls. Where each value is in the
//! line is all it notes; [`crate::model::packed`] then packs the record straight from those places.
//!
//! Nearly every line of a large feed is like that, and reading it into values first (serde_json's general
//! parser, then checking the line is UTF-8 and every string for control characters) cost more than the
//! rest of a first read. A line this reader is not sure of (escapes, tabs, non-ASCII text, nested
//! objects, lists of anything but strings, fractions and signs, anything malformed) gets `None` and goes
//! the general way ([`super::loose::parse_object`]), which also words the errors: this reader never
//! decides a line is bad.

use super::loose::{is_known_at, slot_in};
use crate::model::schema::KNOWN;

/// A value's place in the line: what it is, and where its text is (`start..end` in the line). A string's
/// text is its contents, a list's what is between its brackets, a number's its digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Span {
    #[default]
    Absent,
    Null,
    Bool(bool),
    Str(u32, u32),
    Num(u32, u32),
    List(u32, u32),
}

/// A plain line's fields: the value of each of [`KNOWN`] by its place there, then the other names in the
/// order written. A name written twice counts once, its last value.
pub struct Plain<'a> {
    /// The line: printable ASCII.
    pub line: &'a str,
    pub known: [Span; KNOWN.len()],
    /// Which of [`KNOWN`] the line has: bit `i` for `KNOWN[i]`.
    pub present: u64,
    pub others: Vec<(&'a str, Span)>,
}

impl<'a> Plain<'a> {
    /// The text a span marks.
    pub fn text(&self, start: u32, end: u32) -> &'a str {
        self.line.get(start as usize..end as usize).unwrap_or("")
    }

    /// The items of a list's span, in order: a string, or none for a null.
    pub fn items(&self, start: u32, end: u32) -> Items<'a> {
        Items { r: Reader::new(self.text(start, end)) }
    }
}

/// The items of a list, as [`Plain::items`] gives them.
pub struct Items<'a> {
    r: Reader<'a>,
}

impl<'a> Iterator for Items<'a> {
    type Item = Option<&'a str>;

    fn next(&mut self) -> Option<Option<&'a str>> {
        // The list was read once whole: its items are strings and nulls, between commas and spaces.
        self.r.spaces();
        let item = match *self.r.b.get(self.r.at)? {
            b'"' => Some(self.r.string()?),
            _ => {
                self.r.at += 4;
                None
            }
        };
        self.r.spaces();
        self.r.eat(b',');
        Some(item)
    }
}

/// Where the values of `line` are, when it is a plain object (see the module's note); else `None`.
pub fn read<'l>(line: &'l [u8], order: &mut KeyOrder) -> Option<Plain<'l>> {
    // Printable ASCII and no backslash: every string ends at its next quote and needs no cleaning.
    let plain = line.iter().fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5f) & (b != b'\\'));
    if !plain || line.len() > u32::MAX as usize {
        return None;
    }
    // SAFETY: every byte of the line is printable ASCII (just checked, byte by byte), and ASCII is UTF-8.
    // Checking it again as UTF-8 was a pass over every line of a load (a fortieth of its time).
    let text = unsafe { std::str::from_utf8_unchecked(line) };
    let mut out = Plain { line: text, known: [Span::Absent; KNOWN.len()], present: 0, others: Vec::new() };
    let mut r = Reader::new(text);
    // The keys of the line before, in order: a feed's lines mostly write the same keys in the same order, and
    // a key that is the one expected is checked in place rather than looked for and looked up.
    let keys = order;
    let mut order = keys.0;
    let mut field = 0;
    r.spaces();
    r.eat(b'{')?;
    r.spaces();
    if r.eat(b'}').is_none() {
        loop {
            r.spaces();
            let expected = order.get(field).map_or(NO_KEY, |&k| k as usize);
            let key = match r.known_key(expected) {
                Some(i) => Some(i),
                None => {
                    let (start, end) = r.string_span()?;
                    let key = slot_in(line, start, end);
                    if let Some(o) = order.get_mut(field) {
                        *o = key.map_or(NO_KEY as u8, |i| i as u8);
                    }
                    match key {
                        Some(i) => Some(i),
                        None => {
                            r.spaces();
                            r.eat(b':')?;
                            r.spaces();
                            out.others.push((text.get(start..end)?, r.value()?));
                            None
                        }
                    }
                }
            };
            if let Some(i) = key {
                r.spaces();
                r.eat(b':')?;
                r.spaces();
                out.known[i] = r.value()?;
                out.present |= 1 << i;
            }
            field += 1;
            r.spaces();
            match r.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    r.spaces();
    keys.0 = order;
    (r.at == line.len()).then_some(out)
}

/// No key expected at a place (see [`KeyOrder`]).
const NO_KEY: usize = u8::MAX as usize;

/// The places in [`KNOWN`] of the keys of the last plain line read by one reader, in order (the first 32;
/// [`NO_KEY`] for another name): what [`read`] expects of the next line.
#[derive(Clone, Copy, Debug)]
pub struct KeyOrder([u8; 32]);

impl Default for KeyOrder {
    fn default() -> Self {
        KeyOrder([NO_KEY as u8; 32])
    }
}

/// Where the first quote is. Eight bytes at a time, in line: a line's strings are short, and a call to a
/// vector search costs more than it saves on them (a plain line is ASCII, which the test needs).
fn find_quote(b: &[u8]) -> Option<usize> {
    let mut at = 0;
    while at + 8 <= b.len() {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(&b[at..at + 8]);
        let quotes = crate::text::bytes_equal_to(u64::from_le_bytes(eight), b'"');
        if quotes != 0 {
            return Some(at + (quotes.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    b[at..].iter().position(|&c| c == b'"').map(|p| at + p)
}

struct Reader<'a> {
    b: &'a [u8],
    /// The same bytes as text.
    s: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(s: &'a str) -> Self {
        Reader { b: s.as_bytes(), s, at: 0 }
    }

    fn next(&mut self) -> Option<u8> {
        let c = *self.b.get(self.at)?;
        self.at += 1;
        Some(c)
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.b.get(self.at) == Some(&c)).then(|| self.at += 1)
    }

    /// Spaces only: a tab or a line break would have made the line not plain.
    fn spaces(&mut self) {
        while self.b.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    /// A string's contents, up to its closing quote (there are no escapes in a plain line).
    fn string(&mut self) -> Option<&'a str> {
        let (start, end) = self.string_span()?;
        self.s.get(start..end)
    }

    /// At a key that is `KNOWN[i]`: steps over it and gives `i`; else stays where it is.
    fn known_key(&mut self, i: usize) -> Option<usize> {
        let len = KNOWN.get(i)?.len();
        let start = self.at + 1;
        let is = self.b.get(self.at) == Some(&b'"')
            && self.b.get(start + len) == Some(&b'"')
            && is_known_at(self.b, start, len, i);
        is.then(|| {
            self.at = start + len + 1;
            i
        })
    }

    fn string_span(&mut self) -> Option<(usize, usize)> {
        self.eat(b'"')?;
        let start = self.at;
        let len = find_quote(&self.b[start..])?;
        self.at += len + 1;
        Some((start, start + len))
    }

    fn value(&mut self) -> Option<Span> {
        let span = |(start, end): (usize, usize)| (start as u32, end as u32);
        match *self.b.get(self.at)? {
            b'"' => self.string_span().map(span).map(|(s, e)| Span::Str(s, e)),
            b'[' => self.list().map(span).map(|(s, e)| Span::List(s, e)),
            b'n' => self.word(b"null", Span::Null),
            b't' => self.word(b"true", Span::Bool(true)),
            b'f' => self.word(b"false", Span::Bool(false)),
            b'0'..=b'9' => {
                // Whole numbers of up to 18 digits only, read exactly: a fraction, an exponent, a sign or
                // more digits go the general way, whose reading of them (rounded to a float) this one
                // would otherwise have to copy to the last bit.
                let start = self.at;
                while self.b.get(self.at).is_some_and(u8::is_ascii_digit) {
                    self.at += 1;
                }
                if matches!(self.b.get(self.at), Some(b'.' | b'e' | b'E')) {
                    return None;
                }
                number(self.s.get(start..self.at)?)?;
                Some(Span::Num(start as u32, self.at as u32))
            }
            _ => None,
        }
    }

    /// A list of strings and nulls: where what is between its brackets is.
    fn list(&mut self) -> Option<(usize, usize)> {
        self.eat(b'[')?;
        let start = self.at;
        self.spaces();
        if self.eat(b']').is_some() {
            return Some((start, self.at - 1));
        }
        loop {
            self.spaces();
            match *self.b.get(self.at)? {
                b'"' => {
                    self.string_span()?;
                }
                b'n' => self.word(b"null", ())?,
                _ => return None,
            }
            self.spaces();
            match self.next()? {
                b',' => continue,
                b']' => return Some((start, self.at - 1)),
                _ => return None,
            }
        }
    }

    fn word<T>(&mut self, w: &[u8], v: T) -> Option<T> {
        self.b[self.at..].starts_with(w).then(|| {
            self.at += w.len();
            v
        })
    }
}

/// A plain line's text without the spaces at its ends: the only whitespace a plain line can hold (which
/// is what `str::trim` would take away, looked for a byte at a time only when an end is a space).
pub fn trim(s: &str) -> &str {
    match s.as_bytes() {
        [b' ', ..] | [.., b' '] => s.trim_matches(' '),
        _ => s,
    }
}

/// A plain line's number (see [`Reader::value`]): a whole number of 1 to 18 digits, without a leading zero
/// (serde_json refuses one), as serde_json gives it.
pub fn number(digits: &str) -> Option<serde_json::Number> {
    if digits.is_empty() || digits.len() > 18 || (digits.len() > 1 && digits.starts_with('0')) {
        return None;
    }
    digits.parse::<u64>().ok().map(serde_json::Number::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(line: &str) -> Vec<(String, String)> {
        strings_after(line, &mut KeyOrder::default())
    }

    /// [`strings`] for a line read after those `order` was given.
    fn strings_after(line: &str, order: &mut KeyOrder) -> Vec<(String, String)> {
        let p = read(line.as_bytes(), order).expect("plain");
        let mut out = Vec::new();
        for (i, span) in p.known.iter().enumerate() {
            let shown = match *span {
                Span::Absent => continue,
                Span::Null => "null".to_string(),
                Span::Bool(b) => b.to_string(),
                Span::Str(s, e) => format!("str {}", p.text(s, e)),
                Span::Num(s, e) => format!("num {}", p.text(s, e)),
                Span::List(s, e) => format!("list {:?}", p.items(s, e).collect::<Vec<_>>()),
            };
            out.push((KNOWN[i].to_string(), shown));
        }
        for (k, _) in &p.others {
            out.push((k.to_string(), "other".into()));
        }
        out
    }

    #[test]
    fn a_typical_line_is_read_in_place() {
        let got = strings(
            r#" { "id" : "gen-s3" , "aliases" : [ "A" , null , "B" ] , "amount" : 1500 , "x" : true , "ts" : null , "kind":"aid", "id":"y" } "#,
        );
        let want = [
            ("id", "str y"),
            ("ts", "null"),
            ("kind", "str aid"),
            ("aliases", "list [Some(\"A\"), None, Some(\"B\")]"),
            ("amount", "num 1500"),
            ("x", "other"),
        ];
        assert_eq!(got, want.map(|(k, v)| (k.to_string(), v.to_string())));
        assert_eq!(strings("{}"), vec![]);
        assert_eq!(strings(r#"{"aliases":[]}"#), vec![("aliases".into(), "list []".into())]);
    }

    #[test]
    fn keys_read_the_same_whatever_order_the_line_before_had() {
        let a = r#"{"id":"a","ts":"t","target":"x","aliases":["y"],"zz":1,"country":"RU"}"#;
        let b = r#"{"zz":2,"country":"RU","id":"b","aliasesx":null,"target":"x","ts":"t","idd":"c"}"#;
        let (first_a, first_b) = (strings(a), strings(b));
        let order = &mut KeyOrder::default();
        for _ in 0..3 {
            assert_eq!(strings_after(a, order), first_a);
            assert_eq!(strings_after(a, order), first_a, "a line after the same line");
            assert_eq!(strings_after(b, order), first_b, "a line after one with other keys");
        }
        assert_eq!(first_b.iter().filter(|(k, _)| k == "id").count(), 1);
        assert!(first_b.contains(&("aliasesx".to_string(), "other".to_string())));
    }

    #[test]
    fn anything_unsure_goes_the_general_way() {
        for line in [
            r#"{"a":"tab\there"}"#,
            "{\"a\":\"\u{1b}[2J\"}",
            r#"{"a":"Ωmega"}"#,
            r#"{"a":{"b":1}}"#,
            r#"{"a":[1,2]}"#,
            r#"{"a":1,}"#,
            r#"{"a":01}"#,
            r#"{"a":1e400}"#,
            r#"{"a":1.5}"#,
            r#"{"a":-1}"#,
            r#"{"a":1234567890123456789}"#,
            r#"{"a":nul}"#,
            r#"{"a":1} x"#,
            r#"["a"]"#,
            r#"{"a" "b"}"#,
            r#"{"a":["b" "c"]}"#,
            r#"{"a":["b",]}"#,
            "{\"a\":1}\t",
        ] {
            assert!(read(line.as_bytes(), &mut KeyOrder::default()).is_none(), "{line}");
        }
    }
}

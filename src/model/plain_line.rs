//! The quick way through the common line: a JSON object in printable ASCII without escapes, keys and
//! strings borrowed, nothing else to check or clean.
//!
//! Nearly every line of a large feed is like that, and going through serde_json's general parser, then
//! checking the line is UTF-8 and every string for control characters, cost a third of a first read's
//! parsing. A line this reader is not sure of (escapes, tabs, non-ASCII text, nested objects, lists of
//! anything but strings, anything malformed) gets `None` and goes the general way
//! ([`super::loose::parse_object`]), which also words the errors: this reader never decides a line is bad.

use super::loose::{Fields, Loose};
use std::borrow::Cow;

/// The fields of `line` when it is a plain object (see the module's note), marked plain; else `None`.
pub fn parse(line: &[u8]) -> Option<Fields<'_>> {
    let mut fields = Fields::empty();
    parse_into(line, &mut fields).then_some(fields)
}

/// [`parse`] into `fields` (empty), in place; false (and `fields` left to be thrown away) when the line is
/// not plain.
pub fn parse_into<'a>(line: &'a [u8], fields: &mut Fields<'a>) -> bool {
    read(line, fields).is_some()
}

fn read<'a>(line: &'a [u8], fields: &mut Fields<'a>) -> Option<()> {
    // Printable ASCII and no backslash: every string ends at its next quote and needs no cleaning.
    let plain = line.iter().fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x5f) & (b != b'\\'));
    if !plain {
        return None;
    }
    // ASCII is UTF-8: checked once for the line, its strings are then slices of it.
    let text = std::str::from_utf8(line).ok()?;
    let mut r = Reader { b: line, s: text, at: 0 };
    r.spaces();
    r.eat(b'{')?;
    r.spaces();
    if r.eat(b'}').is_none() {
        loop {
            r.spaces();
            let key = r.string()?;
            r.spaces();
            r.eat(b':')?;
            r.spaces();
            match r.b.get(r.at)? {
                b'"' => fields.push_str(key, r.string()?),
                b'[' => fields.push_list(key, r.list()?),
                _ => fields.push(Cow::Borrowed(key), r.value()?),
            }
            r.spaces();
            match r.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    r.spaces();
    if r.at != line.len() {
        return None;
    }
    fields.plain = true;
    Some(())
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
        self.eat(b'"')?;
        let len = find_quote(&self.b[self.at..])?;
        let s = self.s.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some(s)
    }

    fn value(&mut self) -> Option<Loose<'a>> {
        match *self.b.get(self.at)? {
            b'"' => self.string().map(|s| Loose::Str(Cow::Borrowed(s))),
            b'[' => self.list().map(Loose::List),
            b'n' => self.word(b"null", Loose::Null),
            b't' => self.word(b"true", Loose::Bool(true)),
            b'f' => self.word(b"false", Loose::Bool(false)),
            b'-' | b'0'..=b'9' => {
                let start = self.at;
                while self.b.get(self.at).is_some_and(|c| matches!(c, b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')) {
                    self.at += 1;
                }
                // serde_json reads the number, so that it is exactly what the general way would give.
                serde_json::from_str::<serde_json::Number>(self.s.get(start..self.at)?).ok().map(Loose::Num)
            }
            _ => None,
        }
    }

    /// A list of strings and nulls.
    fn list(&mut self) -> Option<Vec<Loose<'a>>> {
        self.eat(b'[')?;
        let mut items = Vec::new();
        self.spaces();
        if self.eat(b']').is_some() {
            return Some(items);
        }
        loop {
            self.spaces();
            match *self.b.get(self.at)? {
                b'"' => items.push(Loose::Str(Cow::Borrowed(self.string()?))),
                b'n' => items.push(self.word(b"null", Loose::Null)?),
                _ => return None,
            }
            self.spaces();
            match self.next()? {
                b',' => continue,
                b']' => return Some(items),
                _ => return None,
            }
        }
    }

    fn word(&mut self, w: &[u8], v: Loose<'a>) -> Option<Loose<'a>> {
        self.b[self.at..].starts_with(w).then(|| {
            self.at += w.len();
            v
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::loose::parse_object;
    use proptest::prelude::*;
    use serde_json::Value;

    fn general(line: &str) -> Option<Value> {
        parse_object(line).ok().map(|mut f| Value::Object(f.into_map()))
    }

    #[test]
    fn a_typical_line_goes_the_quick_way_and_reads_the_same() {
        let lines = [
            r#"{"action":"designated","aliases":["Wuhan Yunrui Ltd"],"authority":"OFAC","id":"gen-s3","ts":"2023-01-01T23:20:00Z"}"#,
            r#"{"amount":3776000000,"currency":"USD","delivered":0,"items":["medical","air defence"],"stage":"proposed"}"#,
            r#" { "a" : [ ] , "b" : null , "c" : true , "d" : false , "e" : -1.5e3 , "f" : [ "x" , null ] } "#,
            r#"{}"#,
            r#"{"id":"x","id":"y","target":"a","target":"b"}"#,
        ];
        for line in lines {
            let quick = parse(line.as_bytes()).map(|mut f| Value::Object(f.into_map()));
            assert!(quick.is_some(), "{line}");
            assert_eq!(quick, general(line), "{line}");
        }
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
            r#"{"a":nul}"#,
            r#"{"a":1} x"#,
            r#"["a"]"#,
            r#"{"a" "b"}"#,
            "{\"a\":1}\t",
        ] {
            assert!(parse(line.as_bytes()).is_none(), "{line}");
        }
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "[ -!#-\\[\\]-~]{0,12}".prop_map(|s| format!("\"{s}\"")),
            "-?[0-9]{1,4}(\\.[0-9]{1,3})?([eE][-+]?[0-9]{1,3})?",
            Just("null".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            prop::collection::vec("[ -!#-\\[\\]-~]{0,6}", 0..3)
                .prop_map(|v| format!("[{}]", v.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(","))),
            Just("{\"n\":1}".to_string()),
            Just("[1]".to_string()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]
        /// Whatever the quick way reads, it reads as the general way does; and a well-formed plain line is
        /// never refused by the quick way without reason to be.
        #[test]
        fn the_quick_way_agrees_with_the_general_way(
            keys in prop::collection::vec(prop_oneof![Just("id".to_string()), Just("target".to_string()), "[a-z_]{1,8}"], 0..6),
            values in prop::collection::vec(token(), 6),
            spaces in prop::collection::vec(prop_oneof![Just(""), Just(" "), Just("  ")], 8),
            cut in 0usize..200,
            junk in "[ -~]{0,3}",
        ) {
            let body: Vec<String> =
                keys.iter().zip(&values).enumerate().map(|(i, (k, v))| format!("{0}\"{k}\"{0}:{0}{v}{0}", spaces[i % 8])).collect();
            let line = format!("{}{{{}}}{}", spaces[6], body.join(","), spaces[7]);
            let quick = parse(line.as_bytes()).map(|mut f| Value::Object(f.into_map()));
            if let Some(q) = &quick {
                prop_assert_eq!(Some(q.clone()), general(&line), "{}", line);
            }
            // Broken lines: cut short, or with something after the object.
            let cut_line = &line[..cut.min(line.len())];
            if let Some(q) = parse(cut_line.as_bytes()).map(|mut f| Value::Object(f.into_map())) {
                prop_assert_eq!(Some(q), general(cut_line), "{}", cut_line);
            }
            let junk_line = format!("{line}{junk}");
            if let Some(q) = parse(junk_line.as_bytes()).map(|mut f| Value::Object(f.into_map())) {
                prop_assert_eq!(Some(q), general(&junk_line), "{}", junk_line);
            }
        }
    }
}

//! The filter's small query language, over the text a row shows and the fields it stores:
//!
//! - words, all of which must be found (`cn micro`), case ignored;
//! - `"a quoted phrase"`, found as written (case ignored);
//! - `field:value`, the value found in that field or in the column of that title (`country:cn`,
//!   `status:sanctioned`, `cover:uncovered`), and `field:"a phrase"`, `field:/regex/`;
//! - comparisons `field>=value`, `>`, `<=`, `<`, `=`: on levels (`risk>=high`), numbers (`amount>1000000`),
//!   else on the text (`date>=2026-11-01`, as ISO dates sort);
//! - `-term` for NOT (`-cleared`, `-country:ru`);
//! - `/regex/` anywhere in the row (case ignored; an unclosed `/abc` while it is typed reads as `/abc/`).
//!
//! A query that does not read as one of these (a bad regex) matches its text literally and says why in
//! [`Query::problem`]. What a query reads is given by [`RowText`], so the dashboard, `snapshot` and tests
//! match the same way.

use crate::model::vocab::Level;
use crate::text::contains_ignore_case;
use regex::Regex;
use std::ops::Range;

/// What a query reads of a row.
pub trait RowText {
    /// Whether `test` holds for any text of the row: its id, its stored fields, the cells it shows.
    fn any(&self, test: &mut dyn FnMut(&str) -> bool) -> bool;
    /// Whether `test` holds for any text of the stored field `name` or of the shown column so titled.
    fn field(&self, name: &str, test: &mut dyn FnMut(&str) -> bool) -> bool;
}

/// A parsed query: its terms, all of which must hold.
#[derive(Debug, Clone, Default)]
pub struct Query {
    terms: Vec<Term>,
    problem: Option<String>,
}

#[derive(Debug, Clone)]
struct Term {
    not: bool,
    field: Option<String>,
    test: Test,
}

#[derive(Debug, Clone)]
enum Test {
    /// Lower case.
    Contains(String),
    Regex(Regex),
    Compare(Op, String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Query {
    /// Reads a query; never fails (see the module's notes).
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        for token in tokens(text) {
            let (not, body) = match token.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, token.as_str()),
            };
            if let Some(term) = q.term(not, body) {
                q.terms.push(term);
            }
        }
        q
    }

    /// Whether the query has no terms (it keeps every row).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Whether the query could be asking about the marks links put before a sanctions target: a term
    /// with `⚑` or `≈`, or a regex.
    pub fn reads_flags(&self) -> bool {
        self.terms.iter().any(|t| match &t.test {
            Test::Contains(s) | Test::Compare(_, s) => s.contains(['⚑', '≈']),
            Test::Regex(_) => true,
        })
    }

    /// Why part of the query was read literally, for the panel's title.
    pub fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }

    /// Whether a row matches every term.
    pub fn matches(&self, row: &dyn RowText) -> bool {
        self.terms.iter().all(|t| t.holds(row) != t.not)
    }

    /// Where in a cell of the column `column` the query's (not negated) terms are found, as byte ranges of
    /// `text` in order, for the dashboard to highlight.
    pub fn hits(&self, column: &str, text: &str) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        for t in self.terms.iter().filter(|t| !t.not) {
            if t.field.as_deref().is_some_and(|f| !names_column(column, f)) {
                continue;
            }
            match &t.test {
                Test::Contains(needle) => out.extend(find_all_ignore_case(text, needle)),
                Test::Regex(re) => out.extend(re.find_iter(text).filter(|m| !m.is_empty()).map(|m| m.range())),
                Test::Compare(..) => {}
            }
        }
        out.sort_by_key(|r| (r.start, r.end));
        // Overlapping hits as one.
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in out {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        merged
    }

    fn term(&mut self, not: bool, body: &str) -> Option<Term> {
        if let Some(pattern) = regex_body(body) {
            return Some(Term { not, field: None, test: self.regex(pattern)? });
        }
        if let Some((field, op, value)) = split_field(body) {
            let value = unquote(value);
            if value.is_empty() {
                // `country:` while it is typed: no constraint yet.
                return None;
            }
            let test = match (op, regex_body(value)) {
                (None, Some(pattern)) => self.regex(pattern)?,
                (None, None) => Test::Contains(value.to_lowercase()),
                (Some(op), _) => Test::Compare(op, value.to_lowercase()),
            };
            return Some(Term { not, field: Some(field.to_lowercase()), test });
        }
        let text = unquote(body);
        (!text.is_empty()).then(|| Term { not, field: None, test: Test::Contains(text.to_lowercase()) })
    }

    /// A regex, case ignored; one that does not compile is matched as its text, and said to be.
    fn regex(&mut self, pattern: &str) -> Option<Test> {
        if pattern.is_empty() {
            return None;
        }
        match regex::RegexBuilder::new(pattern).case_insensitive(true).size_limit(1 << 20).build() {
            Ok(re) => Some(Test::Regex(re)),
            Err(e) => {
                let why = e.to_string();
                let last = why.lines().last().unwrap_or("not a regular expression").trim().to_owned();
                let last = last.strip_prefix("error: ").unwrap_or(&last);
                self.problem = Some(format!("read as text: {last}"));
                Some(Test::Contains(pattern.to_lowercase()))
            }
        }
    }
}

impl Term {
    fn holds(&self, row: &dyn RowText) -> bool {
        let mut test = |t: &str| match &self.test {
            Test::Contains(needle) => contains_ignore_case(t, needle),
            Test::Regex(re) => re.is_match(t),
            Test::Compare(op, value) => compare(t, value).is_some_and(|o| op.accepts(o)),
        };
        match &self.field {
            Some(f) => row.field(f, &mut test),
            None => row.any(&mut test),
        }
    }
}

impl Op {
    fn accepts(self, o: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            Op::Eq => o == Equal,
            Op::Lt => o == Less,
            Op::Le => o != Greater,
            Op::Gt => o == Greater,
            Op::Ge => o != Less,
        }
    }
}

/// How a field's text compares with a query's value: as levels when both are, as numbers when both are,
/// else as lower-case text.
fn compare(text: &str, value: &str) -> Option<std::cmp::Ordering> {
    let text = text.trim();
    if let (Some(a), Some(b)) = (Level::parse(&text.to_lowercase()), Level::parse(value)) {
        return Some(a.cmp(&b));
    }
    if let (Ok(a), Ok(b)) = (text.parse::<f64>(), value.parse::<f64>()) {
        return a.partial_cmp(&b);
    }
    if text.is_empty() {
        return None;
    }
    // A date against a date: `2026-11-02T10:00:00Z` is on 2026-11-02, not after it.
    let text = text.to_lowercase();
    let cut = if value.len() < text.len() && text.is_char_boundary(value.len()) { &text[..value.len()] } else { &text };
    Some(cut.cmp(value))
}

/// `field:value`, `field>=value`, ...: the field is letters, digits and `_`, the value what follows.
fn split_field(body: &str) -> Option<(&str, Option<Op>, &str)> {
    let end = body.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    if end == 0 {
        return None;
    }
    let (field, rest) = body.split_at(end);
    let ops: [(&str, Option<Op>); 6] = [
        (">=", Some(Op::Ge)),
        ("<=", Some(Op::Le)),
        (":", None),
        ("=", Some(Op::Eq)),
        (">", Some(Op::Gt)),
        ("<", Some(Op::Lt)),
    ];
    ops.iter().find_map(|(sign, op)| rest.strip_prefix(sign).map(|value| (field, *op, value)))
}

/// The pattern of `/regex/` (or of `/regex` while it is typed).
fn regex_body(s: &str) -> Option<&str> {
    let rest = s.strip_prefix('/')?;
    Some(rest.strip_suffix('/').unwrap_or(rest))
}

fn unquote(s: &str) -> &str {
    let s = s.strip_prefix('"').unwrap_or(s);
    s.strip_suffix('"').unwrap_or(s)
}

/// The query's terms: split at spaces outside quotes and outside `/.../`.
fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut slashed) = (false, false);
    for c in text.chars() {
        match c {
            '"' if !slashed => quoted = !quoted,
            // A slash opens a regex at the start of a term, after its `-`, or after `field:`.
            '/' if !quoted && !slashed && (cur.is_empty() || cur == "-" || cur.ends_with(':')) => slashed = true,
            '/' if slashed => slashed = false,
            c if c.is_whitespace() && !quoted && !slashed => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether `name` in a query names the column titled `column` (`category` and `item` both name
/// `category / item`; `program` names `programme`).
pub fn names_column(column: &str, name: &str) -> bool {
    column.eq_ignore_ascii_case(name)
        || column.split(" / ").any(|part| part.eq_ignore_ascii_case(name))
        || (column == "programme" && name == "program")
}

/// Every place `needle` (lower case) is found in `hay`, case ignored, as byte ranges of `hay`.
fn find_all_ignore_case(hay: &str, needle: &str) -> Vec<Range<usize>> {
    if needle.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut from = 0;
    while from < hay.len() {
        let Some(end) = starts_with_ignore_case(&hay[from..], needle) else {
            from += hay[from..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        out.push(from..from + end);
        from += end.max(1);
    }
    out
}

/// Where in `hay` a prefix equal to `needle` (lower case) ends, case ignored.
fn starts_with_ignore_case(hay: &str, needle: &str) -> Option<usize> {
    let mut want = needle.chars().peekable();
    for (i, c) in hay.char_indices() {
        if want.peek().is_none() {
            return Some(i);
        }
        for l in c.to_lowercase() {
            if want.next() != Some(l) {
                return None;
            }
        }
    }
    want.peek().is_none().then_some(hay.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A row of named texts: (field or column, text).
    struct Row(Vec<(&'static str, &'static str)>);

    impl RowText for Row {
        fn any(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
            self.0.iter().any(|(_, t)| test(t))
        }
        fn field(&self, name: &str, test: &mut dyn FnMut(&str) -> bool) -> bool {
            self.0.iter().any(|(f, t)| names_column(f, name) && test(t))
        }
    }

    fn supplier() -> Row {
        Row(vec![
            ("id", "sup-7"),
            ("name", "Shenzhen CN Micro Electronics Ltd"),
            ("country", "CN"),
            ("goods", "microchips, radio modules"),
            ("risk", "high"),
            ("status", "SANCTIONED OFAC 2026-11-02"),
            ("date", "2026-11-02T09:00:00Z"),
            ("amount", "1500000"),
        ])
    }

    fn m(q: &str) -> bool {
        Query::parse(q).matches(&supplier())
    }

    #[test]
    fn words_must_all_be_found_anywhere_in_the_row() {
        assert!(m("cn micro"));
        assert!(m("sanctioned"), "a derived column's text is matched like any other");
        assert!(m("MICRO shenzhen"));
        assert!(!m("micro cleared"));
        assert!(m(""), "nothing asked, everything kept");
    }

    #[test]
    fn quoted_phrases_are_found_as_written() {
        assert!(m("\"micro electronics\""));
        assert!(!m("\"electronics micro\""));
        assert!(m("status:\"sanctioned ofac\""));
    }

    #[test]
    fn fields_and_columns_are_matched_by_name() {
        assert!(m("country:cn"));
        assert!(!m("country:ru"));
        assert!(m("status:sanctioned"));
        assert!(!m("goods:sanctioned"), "only in its own field");
        assert!(m("country:"), "a field still being typed asks nothing yet");
    }

    #[test]
    fn comparisons_read_levels_numbers_and_dates() {
        assert!(m("risk>=high"));
        assert!(m("risk>medium"));
        assert!(!m("risk>=critical"));
        assert!(m("risk<critical"));
        assert!(m("risk=high"));
        assert!(m("amount>1000000"));
        assert!(!m("amount<=1000000"));
        assert!(m("date>=2026-11-01"));
        assert!(m("date<=2026-11-02"), "the day itself, not after it");
        assert!(!m("date>2026-11-02"));
        assert!(!m("nothing>=1"), "a field the row does not have");
    }

    #[test]
    fn a_minus_negates_a_term() {
        assert!(m("-cleared"));
        assert!(!m("-micro"));
        assert!(m("-country:ru micro"));
        assert!(!m("-risk>=high"));
        assert!(m("-"), "a lone minus is read as text (the dates have one)");
    }

    #[test]
    fn regexes_match_anywhere_or_in_a_field() {
        assert!(m("/micro\\s+elec/"));
        assert!(m("/^shenzhen/"));
        assert!(!m("/^electronics/"));
        assert!(m("name:/ltd$/"));
        assert!(!m("country:/^r/"));
        assert!(m("/micro"), "an unclosed regex while it is typed");
        assert!(m("/micro elec/"), "a space inside a regex belongs to it");
    }

    #[test]
    fn a_bad_regex_is_read_as_text_and_said_to_be() {
        let q = Query::parse("/(micro/");
        assert!(q.problem().is_some_and(|p| p.contains("read as text")), "{:?}", q.problem());
        assert!(!q.matches(&supplier()));
        assert!(Query::parse("micro").problem().is_none());
    }

    #[test]
    fn hits_are_the_places_to_highlight() {
        let q = Query::parse("micro cn -ltd country:cn");
        assert_eq!(q.hits("name", "Shenzhen CN Micro"), vec![9..11, 12..17]);
        assert_eq!(q.hits("country", "CN"), vec![0..2], "words and the field's term, merged");
        let q = Query::parse("/m.cro/ status:sanct");
        assert_eq!(q.hits("name", "CN MICRO"), vec![3..8]);
        assert_eq!(q.hits("name", "SANCTIONED"), Vec::<Range<usize>>::new(), "not its column");
        assert_eq!(q.hits("status", "SANCTIONED"), vec![0..5]);
        assert_eq!(Query::parse("straße").hits("name", "STRASSE Straße"), vec![8..15]);
    }
}

//! A record of one of the four kinds: its id, time, typed fields and the fields nobody declared.

use super::vocab::Kind;
use crate::text::{clean, clean_owned};
use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::{Map, Value};
use std::fmt;

/// One version of a record, as read from one line of a feed.
#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub kind: Kind,
    /// Shared with the store's index of ids, the order of its panel and the link indexes.
    pub id: Text,
    pub ts: Timestamp,
    pub body: Body,
    /// Fields the kind does not declare, kept as they came (strings cleaned).
    pub extra: Map<String, Value>,
}

/// A record's time: as UTC for ordering, and as written when that is not simply the UTC time in seconds
/// with a `Z` (most feeds write that; not keeping a copy saves a string a record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timestamp {
    written: Option<Box<str>>,
    pub utc: DateTime<Utc>,
}

impl Timestamp {
    /// Parses an RFC 3339 time such as `2024-04-12T09:30:00Z` or `2024-04-12T12:30:00+03:00`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Some(utc) = plain_utc(s) {
            return Ok(Timestamp { written: None, utc });
        }
        let t = DateTime::parse_from_rfc3339(s)
            .map_err(|e| format!("`ts` is not an RFC 3339 time ({e}): {}", crate::text::excerpt(s)))?;
        let utc = t.with_timezone(&Utc);
        // `YYYY-MM-DDTHH:MM:SSZ` is what `from_utc` writes back; anything else is kept as written.
        let plain = s.len() == 20 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && utc.timestamp_subsec_nanos() == 0;
        Ok(Timestamp { written: (!plain).then(|| s.into()), utc })
    }

    /// A time from its parts, as [`Timestamp::written`] gave them.
    pub(crate) fn from_parts(written: Option<Box<str>>, utc: DateTime<Utc>) -> Self {
        Timestamp { written, utc }
    }

    /// The time as written, when that is not the plain UTC form.
    pub(crate) fn written(&self) -> Option<&str> {
        self.written.as_deref()
    }

    /// A time given as UTC.
    pub fn from_utc(utc: DateTime<Utc>) -> Self {
        Timestamp { written: None, utc: utc.with_nanosecond(0).unwrap_or(utc) }
    }

    /// The time as the feed wrote it.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match &self.written {
            Some(w) => std::borrow::Cow::Borrowed(w),
            None => std::borrow::Cow::Owned(self.utc.to_rfc3339_opts(SecondsFormat::Secs, true)),
        }
    }

    /// The date part, `YYYY-MM-DD`, for tables.
    pub fn date(&self) -> String {
        self.utc.format("%Y-%m-%d").to_string()
    }
}

/// A field's text: shared, so that the values many records repeat (authorities, programmes, countries,
/// sources, regions, goods) are held once per parser thread rather than once per record (see [`intern`]).
pub type Text = std::sync::Arc<str>;

/// An optional string as a field's text.
pub fn text(o: Option<String>) -> Option<Text> {
    o.map(Text::from)
}

/// Strings as a list field's items.
pub fn texts(v: Vec<String>) -> Vec<Text> {
    v.into_iter().map(Text::from).collect()
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the form nearly every feed writes, read without the general RFC 3339 parser;
/// `None` for anything else (which the general parser then reads, or rejects with its reason).
fn plain_utc(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &d| d.is_ascii_digit().then(|| n * 10 + (d - b'0') as u32))
    };
    let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // RFC 3339 allows a leap second (60); chrono's general parser reads it, so leave it to that.
    if sec > 59 {
        return None;
    }
    Some(date.and_hms_opt(h, m, sec)?.and_utc())
}

pub use super::schema::{Aid, Body, Sanction, Shortage, Supplier};

/// Why a field could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub expected: String,
    pub found: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "field `{}`: expected {}, found {}", self.field, self.expected, self.found)
    }
}

impl Body {
    /// The declared fields of a kind, in the order they are shown.
    pub fn declared(kind: Kind) -> &'static [&'static str] {
        super::schema::shown(kind)
    }
}

impl Record {
    /// The name an analyst knows the record by: target, firm, package title or item (the schema's title
    /// fields, the first that has a text), else its id.
    pub fn title(&self) -> &str {
        self.body.title().unwrap_or(&self.id)
    }

    /// A record of `kind` that is known only by its id and name (a published list's entry that is gone
    /// before this run saw it).
    pub fn named(kind: Kind, id: &str, name: &str, ts: Timestamp) -> Record {
        use super::packed::{Packed, Packer, SharedTexts};
        Packed::named(kind, id, name, &ts, &mut Packer::plain()).unpack(&SharedTexts::default())
    }

    /// Every field of this version, declared and undeclared, as one JSON object (without id, kind and ts).
    pub fn fields_json(&self) -> Map<String, Value> {
        let mut map = match serde_json::to_value(&self.body) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for (k, v) in &self.extra {
            map.insert(k.clone(), v.clone());
        }
        map
    }
}

/// A short description of a JSON value for error messages: its type, and the value when it is short.
pub fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("a boolean ({b})"),
        Value::Number(n) => format!("a number ({n})"),
        Value::String(s) if s.chars().count() <= 40 => format!("a string ({:?})", clean(s)),
        Value::String(_) => "a string".into(),
        Value::Array(_) => "a list".into(),
        Value::Object(_) => "an object".into(),
    }
}

/// `v` with every string in it, and every key, cleaned for display.
pub fn clean_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(clean_owned(s)),
        Value::Array(items) => Value::Array(items.into_iter().map(clean_value).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (clean_owned(k), clean_value(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_accept_offsets_and_reject_nonsense() {
        let t = Timestamp::parse("2024-04-12T12:30:00+03:00").expect("valid");
        assert_eq!(t.utc.to_rfc3339(), "2024-04-12T09:30:00+00:00");
        assert_eq!(t.text(), "2024-04-12T12:30:00+03:00", "kept as written");
        for plain in ["2024-04-12T09:30:00Z", " 2024-04-12T09:30:00Z "] {
            assert_eq!(Timestamp::parse(plain).expect("valid").text(), "2024-04-12T09:30:00Z");
        }
        assert_eq!(Timestamp::parse("2024-04-12T09:30:00.5Z").expect("valid").text(), "2024-04-12T09:30:00.5Z");
        assert_eq!(Timestamp::parse("2024-04-12t09:30:00z").expect("valid").text(), "2024-04-12t09:30:00z");
        // The quick path and the general parser agree on the plain form, and on what they reject.
        for s in ["2024-04-12T09:30:00Z", "2000-02-29T23:59:59Z", "1999-12-31T00:00:00Z"] {
            let general = DateTime::parse_from_rfc3339(s).expect("valid").with_timezone(&Utc);
            assert_eq!(Timestamp::parse(s).expect("valid").utc, general, "{s}");
        }
        for s in ["2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-04-12T24:00:00Z", "2024-04-12T09:3a:00Z"] {
            assert!(Timestamp::parse(s).is_err(), "{s}");
        }
        assert!(Timestamp::parse("2024-02-30T00:00:00Z").is_err());
        assert!(Timestamp::parse("yesterday").is_err());
    }
}

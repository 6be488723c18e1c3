//! The native format: JSON Lines, one record per line.
//!
//! Every line is an object with `id` (string) and `ts` (RFC 3339); `kind` is optional when the feed names
//! one. The kind's declared fields are typed (see `docs/feeds.md`); any other field is kept as it is.

use crate::model::loose::{parse_object, Fields, Loose, NotAnObject};
use crate::model::packed::Packed;
use crate::model::record::{Record, Timestamp};
use crate::model::vocab::Kind;
use crate::text::clean;

/// Parses one line (without its newline). `Ok(None)` for a blank line; `Err` says why the line cannot be used.
pub fn parse_line(bytes: &[u8], feed_kind: Option<Kind>) -> Result<Option<Record>, String> {
    parse_packed(bytes, feed_kind).map(|p| p.map(|p| p.unpack()))
}

/// [`parse_line`], giving the record packed as the store keeps it (straight from the line's fields).
pub fn parse_packed(bytes: &[u8], feed_kind: Option<Kind>) -> Result<Option<Packed>, String> {
    parse_packed_with(bytes, feed_kind, &mut |_, _, _| {})
}

/// [`parse_packed`], giving `each` every text of the record's declared fields (with its kind and field)
/// as it is packed.
pub fn parse_packed_with(
    bytes: &[u8],
    feed_kind: Option<Kind>,
    each: &mut dyn FnMut(Kind, &str, &str),
) -> Result<Option<Packed>, String> {
    // Filled in place (a line's fields are a kilobyte: moved about, they cost as much as reading them).
    let mut fields = Fields::empty();
    if !crate::model::plain_line::parse_into(bytes, &mut fields) {
        fields = {
            let text = match std::str::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => return Err(format!("not UTF-8: invalid byte at column {}", e.valid_up_to() + 1)),
            };
            let text = text.strip_suffix('\r').unwrap_or(text);
            if text.trim().is_empty() {
                return Ok(None);
            }
            match parse_object(text) {
                Ok(fields) => fields,
                Err(NotAnObject::Invalid(e)) => return Err(format!("not JSON: {e}")),
                Err(NotAnObject::Other(v)) => return Err(format!("not a JSON object: found {}", v.describe())),
            }
        };
    }
    let id_field = fields.take("id");
    let id = match &id_field {
        // Cleaned without a copy when there is nothing to clean (nearly always).
        Some(Loose::Str(s)) if !s.trim().is_empty() => crate::text::clean_cow(s.trim()),
        Some(Loose::Str(_)) => return Err("`id` is empty".into()),
        None | Some(Loose::Null) => return Err("no `id`: every record needs a string `id`".into()),
        Some(other) => return Err(format!("`id` must be a string, found {}", other.describe())),
    };
    let ts = match fields.take("ts") {
        Some(Loose::Str(s)) => Timestamp::parse(&s)?,
        None | Some(Loose::Null) => return Err("no `ts`: every record needs an RFC 3339 `ts`".into()),
        Some(other) => return Err(format!("`ts` must be an RFC 3339 string, found {}", other.describe())),
    };
    let kind = match fields.take("kind") {
        None | Some(Loose::Null) => {
            feed_kind.ok_or_else(|| "no `kind`: the feed names no kind, so each record must carry one".to_string())?
        }
        Some(Loose::Str(s)) => Kind::parse(&s)
            .ok_or_else(|| format!("`kind` must be one of {}, found {:?}", Kind::expected(), clean(&s)))?,
        Some(other) => return Err(format!("`kind` must be a string, found {}", other.describe())),
    };
    Packed::from_fields(kind, &id, &ts, &mut fields, &mut |field, text| each(kind, field, text))
        .map(Some)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::Body;

    fn err(line: &str) -> String {
        parse_line(line.as_bytes(), Some(Kind::Sanctions)).expect_err("should be rejected")
    }

    #[test]
    fn a_good_line_parses_with_unknown_fields_kept() {
        let line = br#"{"id":"ofac-1","ts":"2024-05-01T12:00:00Z","authority":"OFAC","action":"designated","target":"Example Trading Ltd","analyst_note":"watch","score":7}"#;
        let rec = parse_line(line, Some(Kind::Sanctions)).expect("valid").expect("not blank");
        assert_eq!(&*rec.id, "ofac-1");
        assert_eq!(rec.kind, Kind::Sanctions);
        assert_eq!(rec.extra["analyst_note"], "watch");
        assert_eq!(rec.extra["score"], 7);
        assert!(matches!(rec.body, Body::Sanction(ref s) if s.target.as_deref() == Some("Example Trading Ltd")));
    }

    #[test]
    fn the_record_kind_overrides_the_feed_kind() {
        let line = br#"{"id":"s1","ts":"2024-05-01T12:00:00Z","kind":"shortages","item":"155mm shells"}"#;
        let rec = parse_line(line, Some(Kind::Sanctions)).expect("valid").expect("not blank");
        assert_eq!(rec.kind, Kind::Shortages);
    }

    #[test]
    fn blank_and_crlf_lines() {
        assert_eq!(parse_line(b"   ", None), Ok(None));
        let rec = parse_line(b"{\"id\":\"a\",\"ts\":\"2024-05-01T12:00:00Z\"}\r", Some(Kind::Aid)).expect("valid");
        assert!(rec.is_some());
    }

    #[test]
    fn every_kind_of_bad_line_says_why() {
        assert!(err("{not json").starts_with("not JSON:"));
        assert_eq!(err("[1,2]"), "not a JSON object: found a list");
        assert!(err(r#"{"ts":"2024-05-01T12:00:00Z"}"#).starts_with("no `id`"));
        assert!(err(r#"{"id":"a"}"#).starts_with("no `ts`"));
        assert!(err(r#"{"id":5,"ts":"2024-05-01T12:00:00Z"}"#).starts_with("`id` must be a string"));
        assert!(err(r#"{"id":"a","ts":"last tuesday"}"#).starts_with("`ts` is not an RFC 3339 time"));
        assert!(err(r#"{"id":"a","ts":"2024-05-01T12:00:00Z","kind":"weather"}"#).starts_with("`kind` must be one of"));
        assert!(err(r#"{"id":"a","ts":"2024-05-01T12:00:00Z","aliases":{"x":1}}"#).starts_with("field `aliases`"));
        let e = parse_line(b"{\"id\":\"\xff\"}", None).expect_err("not utf-8");
        assert_eq!(e, "not UTF-8: invalid byte at column 8");
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(err(&deep).starts_with("not JSON:"));
    }

    #[test]
    fn no_kind_anywhere_is_an_error() {
        let e = parse_line(br#"{"id":"a","ts":"2024-05-01T12:00:00Z"}"#, None).expect_err("no kind");
        assert!(e.starts_with("no `kind`"), "{e}");
    }
}

//! The native format: JSON Lines, one record per line.
//!
//! Every line is an object with `id` (string) and `ts` (RFC 3339); `kind` is optional when the feed names
//! one. The kind's declared fields are typed (see `docs/feeds.md`); any other field is kept as it is.

pub mod loose;
pub mod plain;
mod quick;
pub(crate) mod typed;

use super::LineState;
use crate::model::packed::{Packed, Packer, SharedTexts};
use crate::model::record::{Record, Timestamp};
use crate::model::schema::Field;
use crate::model::vocab::Kind;
use loose::{parse_object, Loose, NotAnObject};

/// A record as one line of this format (without its newline): what [`parse_line`] reads back as the same
/// record.
pub fn record_line(r: &Record) -> Vec<u8> {
    let mut map = serde_json::Map::new();
    map.insert("id".into(), r.id.to_string().into());
    map.insert("kind".into(), r.kind.as_str().into());
    map.insert("ts".into(), r.ts.text().into_owned().into());
    map.extend(r.fields_json());
    serde_json::to_vec(&map).unwrap_or_default()
}

/// Parses one line (without its newline). `Ok(None)` for a blank line; `Err` says why the line cannot be used.
pub fn parse_line(bytes: &[u8], feed_kind: Option<Kind>) -> Result<Option<Record>, String> {
    parse_packed(bytes, feed_kind).map(|p| p.map(|p| p.unpack(&SharedTexts::default())))
}

/// [`parse_line`], giving the record packed, every text written out (a record of no store: it reads the
/// same in any).
pub fn parse_packed(bytes: &[u8], feed_kind: Option<Kind>) -> Result<Option<Packed>, String> {
    parse_packed_with(bytes, feed_kind, &mut LineState::plain(), &mut |_, _, _| {})
}

/// [`parse_line`], giving the record packed as the store whose packer `state` holds keeps it (straight
/// from the line's fields), and `each` every text of the record's declared fields (with its kind and
/// field) as it is packed.
pub fn parse_packed_with(
    bytes: &[u8],
    feed_kind: Option<Kind>,
    state: &mut LineState,
    each: &mut dyn FnMut(Kind, &'static Field, &str),
) -> Result<Option<Packed>, String> {
    // The common line, packed straight from where its values are.
    if let Some(packed) = parse_quick(bytes, feed_kind, state, each) {
        state.last_was_plain = true;
        return Ok(Some(packed));
    }
    state.last_was_plain = false;
    parse_general(bytes, feed_kind, &mut state.packer, each)
}

/// [`parse_packed_with`] the quick way: the record of a plain line (see [`plain`]) when
/// it packs without a question; `None` for any other line.
pub fn parse_quick(
    bytes: &[u8],
    feed_kind: Option<Kind>,
    state: &mut LineState,
    each: &mut dyn FnMut(Kind, &'static Field, &str),
) -> Option<Packed> {
    quick::pack(&plain::read(bytes, &mut state.key_order)?, feed_kind, &mut state.packer, each)
}

/// [`parse_packed_with`] the general way: any line, read through serde_json, every error worded. Public for
/// the fuzz target that checks the quick way against it.
pub fn parse_general(
    bytes: &[u8],
    feed_kind: Option<Kind>,
    packer: &mut Packer,
    each: &mut dyn FnMut(Kind, &'static Field, &str),
) -> Result<Option<Packed>, String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Err(format!("not UTF-8: invalid byte at column {}", e.valid_up_to() + 1)),
    };
    let text = text.strip_suffix('\r').unwrap_or(text);
    if text.trim().is_empty() {
        return Ok(None);
    }
    let mut fields = match parse_object(text) {
        Ok(fields) => fields,
        Err(NotAnObject::Invalid(e)) => return Err(format!("not JSON: {e}")),
        Err(NotAnObject::Other(v)) => return Err(format!("not a JSON object: found {}", v.describe())),
    };
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
            .ok_or_else(|| format!("`kind` must be one of {}, found {}", Kind::expected(), crate::text::excerpt(&s)))?,
        Some(other) => return Err(format!("`kind` must be a string, found {}", other.describe())),
    };
    typed::pack(kind, &id, &ts, &mut fields, packer, &mut |field, text| each(kind, field, text))
        .map(Some)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_record_written_as_a_line_reads_back_the_same() {
        let line = r#"{"id":"s1","kind":"sanctions","ts":"2024-05-01T10:00:00+02:00","target":"Alpha \"Trade\" Ltd","aliases":["Альфа"],"action":"designated","identifiers":["inn:7701234567"],"note":{"a":[1,true]}}"#;
        let r = super::parse_line(line.as_bytes(), None).expect("valid").expect("a record");
        let again = super::parse_line(&super::record_line(&r), None).expect("valid").expect("a record");
        assert_eq!(again, r);
    }

    use super::*;
    use crate::model::record::Body;
    use proptest::prelude::*;

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

    /// The quick way (a plain line packed where its values are) and the general way, for one line: what
    /// each packs, and the texts each gives `each`.
    type Both = (Option<(Packed, Vec<String>)>, Result<Option<Packed>, String>, Vec<String>);

    fn both_ways(line: &str, feed_kind: Option<Kind>) -> Both {
        let mut quick_texts = Vec::new();
        let quick = parse_quick(line.as_bytes(), feed_kind, &mut LineState::plain(), &mut |k, f, t| {
            quick_texts.push(format!("{k} {} {t}", f.name))
        });
        let mut general_texts = Vec::new();
        let general = parse_general(line.as_bytes(), feed_kind, &mut Packer::plain(), &mut |k, f, t| {
            general_texts.push(format!("{k} {} {t}", f.name))
        });
        (quick.map(|q| (q, quick_texts)), general, general_texts)
    }

    #[test]
    fn typical_lines_go_the_quick_way_and_pack_as_the_general_way_does() {
        let lines = [
            (
                Kind::Sanctions,
                r#"{"action":"designated","aliases":["Wuhan Yunrui Ltd"],"authority":"OFAC","country":"RU","id":"gen-s3","program":"UKRAINE-EO13662","reason":"Supplies drones","source":"generated","target":"Dongguan Mingmu Fine Chemicals Limited","target_type":"entity","ts":"2023-01-01T23:20:00Z"}"#,
            ),
            (
                Kind::Aid,
                r#"{"amount":3776000000,"currency":"USD","delivered":0,"donor":"United Kingdom","id":"gen-a0","items":["medical","air defence interceptors"],"stage":"proposed","title":"Package 0","ts":"2023-01-01T15:19:00Z"}"#,
            ),
            (
                Kind::Suppliers,
                r#" { "id" : " p1 " , "ts" : "2024-05-01T12:00:00+03:00" , "aliases" : [ " A " , null , "" ] , "goods" : "chips" , "risk" : "high" , "note" : [ "x" , null ] , "score" : 15 , "flag" : true , "amount" : 7 , "name" : null } "#,
            ),
            (
                Kind::Shortages,
                r#"{"id":"h","ts":"2024-05-01T12:00:00Z","kind":"shortages","category":"drones","severity":"critical","status":"reported","item":"  ","x":"y","x":"z"}"#,
            ),
        ];
        let many_goods: Vec<String> = (0..300).map(|i| format!("\" good {i}\"")).collect();
        let many = format!(r#"{{"id":"p2","ts":"2024-05-01T12:00:00Z","goods":[{}]}}"#, many_goods.join(","));
        for (kind, line) in lines.into_iter().chain([(Kind::Suppliers, many.as_str())]) {
            let (quick, general, general_texts) = both_ways(line, Some(kind));
            let (quick, quick_texts) = quick.unwrap_or_else(|| panic!("the quick way: {line}"));
            assert_eq!(Ok(Some(quick)), general, "{line}");
            assert_eq!(quick_texts, general_texts, "{line}");
        }
    }

    #[test]
    fn numbers_the_quick_way_leaves_are_read_the_general_way() {
        // A fuzz run found a whole number too long for 64 bits rounded to a float one bit apart by the two
        // ways; such numbers, fractions and exponents now go the general way.
        let long = "1".repeat(51);
        let lines = [
            format!(r#"{{"id":"a","ts":"2024-02-29T12:00:00Z","kind":"aid","x":{long}}}"#),
            r#"{"id":"a","ts":"2024-02-29T12:00:00Z","kind":"aid","amount":1.5e3,"delivered":0.25}"#.to_string(),
            r#"{"id":"a","ts":"2024-02-29T12:00:00Z","kind":"aid","x":-7}"#.to_string(),
        ];
        for line in &lines {
            let (quick, general, _) = both_ways(line, None);
            assert!(quick.is_none(), "{line}");
            assert!(matches!(general, Ok(Some(_))), "{line}");
        }
        let (quick, general, _) =
            both_ways(r#"{"id":"a","ts":"2024-02-29T12:00:00Z","kind":"aid","amount":123456789012345678}"#, None);
        assert_eq!(quick.map(|(q, _)| q), general.ok().flatten());
    }

    #[test]
    fn a_long_number_in_a_field_of_its_own_packs_back_to_the_same_bytes() {
        // Found by fuzzing: a whole number too long for 64 bits became a float that, written into the packed
        // record and read back, came out one bit apart (serde_json's float reading is now exact).
        let line = format!(r#"{{"id":"a","ts":"2024-02-29T12:00:00Z","x":{}0000000}}"#, "1".repeat(120));
        let packed = parse_packed(line.as_bytes(), Some(Kind::Aid)).expect("valid").expect("a record");
        assert_eq!(Packed::pack(&packed.unpack(&SharedTexts::default()), &mut Packer::plain()), packed);
    }

    #[test]
    fn a_line_the_general_way_refuses_is_never_packed_the_quick_way() {
        for line in [
            r#"{"id":"a"}"#,
            r#"{"id":" ","ts":"2024-05-01T12:00:00Z"}"#,
            r#"{"id":"a","ts":"last tuesday"}"#,
            r#"{"id":"a","ts":"2024-05-01T12:00:00Z","kind":"weather"}"#,
            r#"{"id":"a","ts":"2024-05-01T12:00:00Z","target":["x"]}"#,
            r#"{"id":"a","ts":"2024-05-01T12:00:00Z","action":"maybe"}"#,
            r#"{"id":"a","ts":"2024-05-01T12:00:00Z","kind":"aid","amount":-1}"#,
            r#"{"id":"a","ts":"2024-05-01T12:00:00Z","kind":"aid","amount":"5"}"#,
            r#"{"id":"a","ts":"2024-05-01T12:00:00Z","aliases":true}"#,
        ] {
            let (quick, general, _) = both_ways(line, Some(Kind::Sanctions));
            assert!(general.is_err(), "{line}");
            assert!(quick.is_none(), "{line}");
        }
    }

    fn value() -> impl Strategy<Value = String> {
        let text = prop_oneof![
            "[ -!#-\\[\\]-~]{0,10}",
            Just("designated".to_string()),
            Just(" entity ".to_string()),
            Just("high".to_string()),
            Just("proposed".to_string()),
            Just("reported".to_string()),
            Just("aid".to_string()),
            Just("2024-05-01T12:00:00Z".to_string()),
            Just("2024-05-01T12:00:00.5+02:00".to_string()),
        ];
        prop_oneof![
            text.clone().prop_map(|s| format!("\"{s}\"")),
            "-?[0-9]{1,4}(\\.[0-9]{1,3})?([eE][-+]?[0-9]{1,2})?",
            Just("null".to_string()),
            Just("true".to_string()),
            prop::collection::vec(prop_oneof![text.prop_map(|s| format!("\"{s}\"")), Just("null".to_string())], 0..3)
                .prop_map(|v| format!("[{}]", v.join(" , "))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2048, ..Default::default() })]
        /// Whatever line the quick way packs, the general way packs the same, and gives `each` the same texts.
        #[test]
        fn the_quick_way_packs_what_the_general_way_packs(
            id in prop_oneof![Just("\"id\":\"r1\",".to_string()), value().prop_map(|v| format!("\"id\":{v},"))],
            ts in prop_oneof![Just("\"ts\":\"2024-05-01T12:00:00Z\",".to_string()), value().prop_map(|v| format!("\"ts\":{v},"))],
            fields in prop::collection::vec(
                (prop_oneof![prop::sample::select(crate::model::schema::KNOWN.to_vec()).prop_map(str::to_string), "[a-z]{1,3}"], value()),
                0..8,
            ),
            kind in prop::sample::select(vec![None, Some(Kind::Sanctions), Some(Kind::Suppliers), Some(Kind::Aid), Some(Kind::Shortages)]),
        ) {
            let body: Vec<String> = fields.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            let line = format!("{{{id}{ts}{}}}", body.join(","));
            let (quick, general, general_texts) = both_ways(&line, kind);
            if let Some((quick, quick_texts)) = quick {
                prop_assert_eq!(Ok(Some(quick)), general, "{}", line);
                prop_assert_eq!(quick_texts, general_texts, "{}", line);
            }
        }
    }

    #[test]
    fn identifiers_are_a_declared_list_of_a_party() {
        let line = br#"{"id":"s","ts":"2024-05-01T00:00:00Z","kind":"suppliers","name":"OOO Vostok","identifiers":["inn:7701234567"," ogrn:1027700000000 "]}"#;
        let r = parse_line(line, None).expect("valid").expect("a record");
        let Body::Supplier(s) = &r.body else { panic!("a supplier") };
        assert_eq!(
            s.identifiers,
            ["inn:7701234567".into(), "ogrn:1027700000000".into()] as [crate::model::record::Text; 2]
        );
        assert!(r.extra.is_empty(), "declared, not kept aside");
        assert_eq!(r.fields_json()["identifiers"], serde_json::json!(["inn:7701234567", "ogrn:1027700000000"]));
        let bad = br#"{"id":"s","ts":"2024-05-01T00:00:00Z","kind":"sanctions","identifiers":[7701234567]}"#;
        let e = parse_line(bad, None).expect_err("a number is not an identifier");
        assert!(e.contains("field `identifiers`: expected a list of strings"), "{e}");
    }

    #[test]
    fn no_kind_anywhere_is_an_error() {
        let e = parse_line(br#"{"id":"a","ts":"2024-05-01T12:00:00Z"}"#, None).expect_err("no kind");
        assert!(e.starts_with("no `kind`"), "{e}");
    }
}

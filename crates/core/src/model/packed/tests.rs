//! Packing and unpacking, checked against the typed record and the JSON it prints.

use super::*;
use crate::formats::jsonl::loose::Fields;
use crate::formats::jsonl::parse_line;
use crate::formats::jsonl::typed;
use crate::model::record::FieldError;
use crate::model::vocab::{ShortageStatus, Stage, TargetType};
use serde_json::json;
use std::sync::Arc;

/// Records packed as one store packs them: the texts that repeat shared.
struct Shelf {
    texts: Arc<SharedTexts>,
    packer: Packer,
}

impl Shelf {
    fn new() -> Self {
        let texts = Arc::new(SharedTexts::new());
        Shelf { packer: Packer::sharing(texts.clone()), texts }
    }

    fn pack(&mut self, r: &Record) -> Packed {
        Packed::pack(r, &mut self.packer)
    }
}

const LINES: &[&str] = &[
    r#"{"id":"s","ts":"2024-05-01T00:00:00Z","kind":"sanctions","authority":"OFAC","program":"P","action":"designated","target":"T","aliases":["A","B"],"target_type":"bank","country":"CN","reason":"R","source":"S","flag":true}"#,
    r#"{"id":"p","ts":"2024-05-01T00:00:00.25Z","kind":"suppliers","name":"N","goods":["g"],"risk":"critical","customers":["c"],"status":"flagged","x":{"y":[1,false]}}"#,
    r#"{"id":"a","ts":"2024-05-01T03:00:00+03:00","kind":"aid","donor":"D","title":"T","amount":60.8e9,"currency":"USD","stage":"passed_one_chamber","delivered":0,"items":["i"]}"#,
    r#"{"id":"h","ts":"2024-05-01T00:00:00Z","kind":"shortages","category":"c","item":"i","region":"r","severity":"high","status":"easing","reported_by":"b"}"#,
    r#"{"id":"x","ts":"2024-05-01T00:00:00Z","kind":"shortages"}"#,
    r#"{"id":"ü","ts":"2024-05-01T00:00:00Z","kind":"sanctions","target":"Ωmega «Ltd»","aliases":[]}"#,
];

fn records() -> Vec<Record> {
    LINES.iter().map(|l| parse_line(l.as_bytes(), None).expect("valid").expect("record")).collect()
}

fn from_json(kind: Kind, v: Value) -> Result<Record, FieldError> {
    let Value::Object(m) = v else { panic!("not an object") };
    let ts = Timestamp::parse("2024-05-01T00:00:00Z").expect("ts");
    let mut s = Shelf::new();
    typed::pack(kind, "x", &ts, &mut Fields::from_map(m), &mut s.packer, &mut |_, _| {}).map(|p| p.unpack(&s.texts))
}

#[test]
fn declared_fields_are_taken_and_undeclared_left() {
    let r = from_json(
        Kind::Aid,
        json!({"donor": "US", "amount": 60.8e9, "stage": "Passed Both", "items": ["155mm"], "vote": 311}),
    )
    .expect("valid");
    match r.body {
        Body::Aid(a) => {
            assert_eq!(a.stage, Some(Stage::PassedBoth));
            assert_eq!(a.amount, Some(60.8e9));
            assert_eq!(a.items, vec![Text::from("155mm")]);
        }
        other => panic!("wrong body {other:?}"),
    }
    assert_eq!(Value::Object(r.extra), json!({"vote": 311}));
}

#[test]
fn wrong_types_name_the_field() {
    let err = from_json(Kind::Aid, json!({"amount": "sixty"})).unwrap_err();
    assert_eq!(err.to_string(), "field `amount`: expected a number, found a string (\"sixty\")");
    let err = from_json(Kind::Aid, json!({"amount": -1})).unwrap_err();
    assert_eq!(err.to_string(), "field `amount`: expected a finite number, zero or more, found a number (-1)");
    let err = from_json(Kind::Shortages, json!({"severity": "dire"})).unwrap_err();
    assert!(err.to_string().contains("expected one of low, medium, high, critical"), "{err}");
    let err = from_json(Kind::Shortages, json!({"severity": 3})).unwrap_err();
    assert!(err.to_string().contains("expected one of low, medium, high, critical, found a number"), "{err}");
    let err = from_json(Kind::Suppliers, json!({"aliases": [1]})).unwrap_err();
    assert!(err.to_string().starts_with("field `aliases`: expected a list of strings"), "{err}");
    let err = from_json(Kind::Sanctions, json!({"target": ["a"]})).unwrap_err();
    assert!(err.to_string().starts_with("field `target`: expected a string"), "{err}");
}

#[test]
fn strings_are_cleaned_and_a_single_alias_is_a_list() {
    let r = from_json(Kind::Sanctions, json!({"target": " Evil\u{1b}[2J Corp ", "aliases": "E.C.", "country": "  "}));
    match r.expect("valid").body {
        Body::Sanction(s) => {
            assert_eq!(s.target.as_deref(), Some("Evil Corp"));
            assert_eq!(s.aliases, vec![Text::from("E.C.")]);
            assert_eq!(s.country, None);
        }
        other => panic!("wrong body {other:?}"),
    }
}

#[test]
fn a_line_packed_from_its_fields_is_what_its_record_packs_to() {
    let mut s = Shelf::new();
    for r in records() {
        let line = serde_json::to_vec(&{
            let mut m = r.fields_json();
            m.insert("id".into(), Value::from(&*r.id));
            m.insert("ts".into(), Value::from(r.ts.text()));
            m.insert("kind".into(), Value::from(r.kind.as_str()));
            m
        })
        .expect("json");
        let p = crate::formats::jsonl::parse_packed(&line, None).expect("valid").expect("record");
        assert_eq!(p, Packed::pack(&r, &mut Packer::plain()), "{}", r.id);
        let mut state = crate::formats::LineState::new(s.packer);
        let shared = crate::formats::jsonl::parse_packed_with(&line, None, &mut state, &mut |_, _, _| {});
        s.packer = state.packer;
        assert_eq!(shared.expect("valid").expect("record"), s.pack(&r), "{}, sharing texts", r.id);
    }
}

#[test]
fn a_record_unpacks_as_it_was_packed() {
    let mut s = Shelf::new();
    for r in records() {
        let p = s.pack(&r);
        assert_eq!(p.unpack(&s.texts), r);
        assert_eq!((p.kind(), p.id(), p.utc(), p.ts_text()), (r.kind, &*r.id, r.ts.utc, r.ts.text()));
    }
    let long = format!(r#"{{"id":"l","ts":"2024-05-01T00:00:00Z","kind":"sanctions","target":"{}"}}"#, "x".repeat(300));
    let r = parse_line(long.as_bytes(), None).expect("valid").expect("record");
    assert_eq!(s.pack(&r).unpack(&s.texts), r);
}

#[test]
fn the_same_version_packs_to_the_same_bytes_and_a_change_does_not() {
    let mut s = Shelf::new();
    let [a, b] = [0, 1].map(|_| s.pack(&records()[0]));
    assert_eq!(a, b);
    let mut r = records()[0].clone();
    r.extra.insert("note".into(), Value::from("new"));
    assert_ne!(s.pack(&r), a);
}

#[test]
fn levels_are_read_from_the_header() {
    let mut s = Shelf::new();
    let r = records();
    assert_eq!(s.pack(&r[1]).level(), Some(Level::Critical));
    assert_eq!(s.pack(&r[3]).level(), Some(Level::High));
    assert_eq!(s.pack(&r[0]).level(), None);
    assert_eq!(s.pack(&r[0]).word("target_type", TargetType::ALL), Some(TargetType::Bank));
    assert_eq!(s.pack(&r[2]).word("stage", Stage::ALL), Some(Stage::PassedOneChamber));
    assert_eq!(s.pack(&r[3]).word("status", ShortageStatus::ALL), Some(ShortageStatus::Easing));
    assert_eq!(s.pack(&r[4]).word("status", ShortageStatus::ALL), None);
}

/// The texts of one field, as rules read them.
fn field_texts(texts: &SharedTexts, p: &Packed, field: &str) -> Vec<String> {
    let mut out = Vec::new();
    p.any_field_text(texts, true, &mut |name, t| {
        if name == field {
            out.push(t.to_owned());
        }
        false
    });
    out
}

/// The texts of every field, declared and undeclared (not the id).
fn all_field_texts(texts: &SharedTexts, p: &Packed) -> Vec<String> {
    let mut out = Vec::new();
    p.any_field_text(texts, true, &mut |_, t| {
        out.push(t.to_owned());
        false
    });
    out
}

#[test]
fn any_text_sees_every_field_as_fields_json_lays_it_out() {
    let mut s = Shelf::new();
    fn walk(v: &Value, bools: bool, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Number(n) => out.push(n.to_string()),
            Value::Bool(b) if bools => out.push(b.to_string()),
            Value::Array(a) => a.iter().for_each(|i| walk(i, bools, out)),
            Value::Object(m) => m.values().for_each(|i| walk(i, bools, out)),
            _ => {}
        }
    }
    for r in records() {
        let p = s.pack(&r);
        let fields = r.fields_json();
        let (mut all, mut texts) = (Vec::new(), vec![r.id.to_string()]);
        for (name, v) in &fields {
            let mut want = Vec::new();
            walk(v, true, &mut want);
            assert_eq!(field_texts(&s.texts, &p, name), want, "{name} of {}", r.id);
            let mut one_by_one = Vec::new();
            p.any_text_of(&s.texts, name, &mut |t| {
                one_by_one.push(t.to_owned());
                false
            });
            assert_eq!(one_by_one, want, "{name} of {}, field by field", r.id);
            let place = crate::model::schema::fields(r.kind).iter().position(|f| f.name == name);
            let mut by_place = Vec::new();
            p.any_text_from(&s.texts, &mut super::FieldStarts::default(), place, name, &mut |t| {
                by_place.push(t.to_owned());
                false
            });
            assert_eq!(by_place, want, "{name} of {}, by its place", r.id);
            all.extend(want);
            walk(v, false, &mut texts);
        }
        let mut got = all_field_texts(&s.texts, &p);
        got.sort();
        all.sort();
        assert_eq!(got, all, "{}", r.id);
        let mut seen = Vec::new();
        p.any_text(&s.texts, &mut |t| {
            seen.push(t.to_owned());
            false
        });
        seen.sort();
        texts.sort();
        assert_eq!(seen, texts, "{}", r.id);
    }
}

#[test]
fn repeating_values_are_shared_and_others_written_out() {
    let mut s = Shelf::new();
    let r = &records()[0];
    let p = s.pack(r);
    // "OFAC", "P", "CN", "R" and "S" are numbers into the table; "T", "A" and "B" are in the bytes.
    let inline =
        |s: &str| p.0.windows(s.len() + 1).any(|w| w[0] == ((s.len() as u8 + 1) << 1) && &w[1..] == s.as_bytes());
    assert!(inline("T") && inline("A") && inline("B"));
    assert!(!inline("OFAC"));
    // A packer of no store writes every text out.
    let plain = Packed::pack(r, &mut Packer::plain());
    assert!(plain.0.windows(5).any(|w| w == b"\x0aOFAC"), "{:?}", plain.0);
    assert_eq!(plain.unpack(&SharedTexts::new()), p.unpack(&s.texts));
}

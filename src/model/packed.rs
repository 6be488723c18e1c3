//! A record version as the store keeps it: one allocation of bytes rather than a struct of shared strings.
//!
//! At a million records the typed [`Record`] (a 224-byte struct, an allocation per string, a list per
//! list) cost more than the feed file itself. Packed, a version is its fields one after the other, each
//! text written out or, for the values that repeat across records (authorities, programmes, reasons,
//! countries, sources, ...), the number of its one copy in a table every thread shares. What the store
//! needs on every arrival (kind, id, time, level) is read straight from the bytes; texts are visited in
//! place (filters, watch rules, fingerprints); a whole [`Record`] is unpacked only for what is shown.
//!
//! Layout: kind, level (0xFF: none), UTC seconds (i64) and nanoseconds (u32), then the id, the time as
//! written (empty when it is the plain UTC form), the declared fields of the kind in their order, and the
//! undeclared ones as JSON. Lengths and counts are LEB128; a text is 0 (none), `n << 1 | 1` (shared copy
//! `n`) or `(len + 1) << 1` followed by its bytes.

use super::record::{Aid, Body, Record, Sanction, Shortage, Supplier, Text, Timestamp};
use super::vocab::{Action, Kind, Level, ShortageStatus, Stage, TargetType};
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::sync::{LazyLock, Mutex, RwLock, RwLockReadGuard};

/// One version of a record, packed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed(Box<[u8]>);

const HEADER: usize = 14;
const NONE: u8 = 0xFF;

/// How a declared field is written.
#[derive(Clone, Copy)]
enum Ty {
    Text,
    List,
    /// One of a closed vocabulary, by its place in the vocabulary's `ALL`.
    Word(fn(usize) -> Option<&'static str>),
    Num,
}

/// A declared field: its name, how it is written, and whether its values are shared (see [`shared`]).
struct Field(&'static str, Ty, bool);

const SANCTION: &[Field] = &[
    Field("authority", Ty::Text, true),
    Field("program", Ty::Text, true),
    Field("action", Ty::Word(|i| Action::ALL.get(i).map(|v| v.as_str())), false),
    Field("target", Ty::Text, false),
    Field("aliases", Ty::List, false),
    Field("target_type", Ty::Word(|i| TargetType::ALL.get(i).map(|v| v.as_str())), false),
    Field("country", Ty::Text, true),
    Field("reason", Ty::Text, true),
    Field("source", Ty::Text, true),
];
const SUPPLIER: &[Field] = &[
    Field("name", Ty::Text, false),
    Field("aliases", Ty::List, false),
    Field("country", Ty::Text, true),
    Field("goods", Ty::List, true),
    Field("risk", Ty::Word(|i| Level::ALL.get(i).map(|v| v.as_str())), false),
    Field("customers", Ty::List, false),
    Field("status", Ty::Text, true),
    Field("source", Ty::Text, true),
];
const AID: &[Field] = &[
    Field("donor", Ty::Text, true),
    Field("title", Ty::Text, false),
    Field("amount", Ty::Num, false),
    Field("currency", Ty::Text, true),
    Field("stage", Ty::Word(|i| Stage::ALL.get(i).map(|v| v.as_str())), false),
    Field("delivered", Ty::Num, false),
    Field("items", Ty::List, true),
    Field("source", Ty::Text, true),
];
const SHORTAGE: &[Field] = &[
    Field("category", Ty::Text, true),
    Field("item", Ty::Text, true),
    Field("region", Ty::Text, true),
    Field("severity", Ty::Word(|i| Level::ALL.get(i).map(|v| v.as_str())), false),
    Field("status", Ty::Word(|i| ShortageStatus::ALL.get(i).map(|v| v.as_str())), false),
    Field("reported_by", Ty::Text, true),
    Field("source", Ty::Text, true),
];

fn schema(kind: Kind) -> &'static [Field] {
    match kind {
        Kind::Sanctions => SANCTION,
        Kind::Suppliers => SUPPLIER,
        Kind::Aid => AID,
        Kind::Shortages => SHORTAGE,
    }
}

impl Packed {
    /// Packs a record.
    pub fn pack(r: &Record) -> Packed {
        let mut w = Writer(Vec::with_capacity(128));
        let level = match &r.body {
            Body::Supplier(s) => s.risk,
            Body::Shortage(s) => s.severity,
            _ => None,
        };
        w.0.push(r.kind as u8);
        w.0.push(level.map_or(NONE, |l| l as u8));
        w.0.extend_from_slice(&r.ts.utc.timestamp().to_le_bytes());
        w.0.extend_from_slice(&r.ts.utc.timestamp_subsec_nanos().to_le_bytes());
        w.str(&r.id);
        w.str(r.ts.written().unwrap_or(""));
        let f = schema(r.kind);
        match &r.body {
            Body::Sanction(s) => {
                w.text(&s.authority, &f[0]);
                w.text(&s.program, &f[1]);
                w.word(s.action.map(|v| v as u8));
                w.text(&s.target, &f[3]);
                w.list(&s.aliases, &f[4]);
                w.word(s.target_type.map(|v| v as u8));
                w.text(&s.country, &f[6]);
                w.text(&s.reason, &f[7]);
                w.text(&s.source, &f[8]);
            }
            Body::Supplier(s) => {
                w.text(&s.name, &f[0]);
                w.list(&s.aliases, &f[1]);
                w.text(&s.country, &f[2]);
                w.list(&s.goods, &f[3]);
                w.word(s.risk.map(|v| v as u8));
                w.list(&s.customers, &f[5]);
                w.text(&s.status, &f[6]);
                w.text(&s.source, &f[7]);
            }
            Body::Aid(a) => {
                w.text(&a.donor, &f[0]);
                w.text(&a.title, &f[1]);
                w.num(a.amount);
                w.text(&a.currency, &f[3]);
                w.word(a.stage.map(|v| v as u8));
                w.num(a.delivered);
                w.list(&a.items, &f[6]);
                w.text(&a.source, &f[7]);
            }
            Body::Shortage(s) => {
                w.text(&s.category, &f[0]);
                w.text(&s.item, &f[1]);
                w.text(&s.region, &f[2]);
                w.word(s.severity.map(|v| v as u8));
                w.word(s.status.map(|v| v as u8));
                w.text(&s.reported_by, &f[5]);
                w.text(&s.source, &f[6]);
            }
        }
        if r.extra.is_empty() {
            w.varint(0);
        } else {
            let json = serde_json::to_vec(&r.extra).unwrap_or_default();
            w.varint(json.len() as u64);
            w.0.extend_from_slice(&json);
        }
        Packed(w.0.into_boxed_slice())
    }

    /// The whole record.
    pub fn unpack(&self) -> Record {
        let table = table();
        let mut r = Reader { b: &self.0, at: HEADER };
        let id = Text::from(r.str());
        let written = Some(r.str()).filter(|w| !w.is_empty());
        let ts = Timestamp::from_parts(written.map(Box::from), self.utc());
        let kind = self.kind();
        let body = match kind {
            Kind::Sanctions => Body::Sanction(Sanction {
                authority: r.text(&table),
                program: r.text(&table),
                action: r.word(Action::ALL),
                target: r.text(&table),
                aliases: r.list(&table),
                target_type: r.word(TargetType::ALL),
                country: r.text(&table),
                reason: r.text(&table),
                source: r.text(&table),
            }),
            Kind::Suppliers => Body::Supplier(Supplier {
                name: r.text(&table),
                aliases: r.list(&table),
                country: r.text(&table),
                goods: r.list(&table),
                risk: r.word(Level::ALL),
                customers: r.list(&table),
                status: r.text(&table),
                source: r.text(&table),
            }),
            Kind::Aid => Body::Aid(Aid {
                donor: r.text(&table),
                title: r.text(&table),
                amount: r.num(),
                currency: r.text(&table),
                stage: r.word(Stage::ALL),
                delivered: r.num(),
                items: r.list(&table),
                source: r.text(&table),
            }),
            Kind::Shortages => Body::Shortage(Shortage {
                category: r.text(&table),
                item: r.text(&table),
                region: r.text(&table),
                severity: r.word(Level::ALL),
                status: r.word(ShortageStatus::ALL),
                reported_by: r.text(&table),
                source: r.text(&table),
            }),
        };
        Record { kind, id, ts, body, extra: r.extra() }
    }

    pub fn kind(&self) -> Kind {
        Kind::ALL.get(self.0[0] as usize).copied().unwrap_or(Kind::Sanctions)
    }

    /// A supplier's risk, a shortage's severity.
    pub fn level(&self) -> Option<Level> {
        Level::ALL.get(self.0[1] as usize).copied()
    }

    /// The version's time, in UTC.
    pub fn utc(&self) -> DateTime<Utc> {
        let secs = i64::from_le_bytes(self.0[2..10].try_into().unwrap_or_default());
        let nanos = u32::from_le_bytes(self.0[10..14].try_into().unwrap_or_default());
        DateTime::from_timestamp(secs, nanos).unwrap_or_default()
    }

    pub fn id(&self) -> &str {
        Reader { b: &self.0, at: HEADER }.str()
    }

    /// The time as the feed wrote it.
    pub fn ts_text(&self) -> std::borrow::Cow<'_, str> {
        let mut r = Reader { b: &self.0, at: HEADER };
        r.str();
        match r.str() {
            "" => std::borrow::Cow::Owned(self.utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            w => std::borrow::Cow::Borrowed(w),
        }
    }

    /// A word field's value (a package's stage, a shortage's status), read without unpacking the record.
    pub fn word<T: Copy>(&self, field: &str, all: &[T]) -> Option<T> {
        let mut r = Reader { b: &self.0, at: HEADER };
        r.str();
        r.str();
        for Field(name, ty, _) in schema(self.kind()) {
            match ty {
                Ty::Word(_) => {
                    let v = r.u8();
                    if *name == field {
                        return all.get(v as usize).copied();
                    }
                }
                Ty::Text => r.skip_text(),
                Ty::List => {
                    for _ in 0..r.varint() {
                        r.skip_text();
                    }
                }
                Ty::Num => {
                    r.num();
                }
            }
        }
        None
    }

    /// Whether `test` holds for any text of the record: its id, every declared field (words, numbers and
    /// list items as text) and every undeclared one, without unpacking it (the filter runs this over every
    /// record of a panel).
    pub fn any_text(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
        test(self.id()) || self.any_field_text(false, &mut |_, t| test(t))
    }

    /// The texts of one field (a list's items, a number or a word as text), as [`Record::fields_json`] would
    /// give them (watch rules read fields of every record).
    pub fn field_texts(&self, field: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.any_field_text(true, &mut |name, t| {
            if name == field {
                out.push(t.to_owned());
            }
            false
        });
        out
    }

    /// The texts of every field, declared and undeclared (not the id).
    pub fn all_field_texts(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.any_field_text(true, &mut |_, t| {
            out.push(t.to_owned());
            false
        });
        out
    }

    /// Whether `test` holds for any (field, text) of the record: every declared field, then every
    /// undeclared one (texts nested in it under its name; booleans as `true`/`false` with `bools`, as rules
    /// read them).
    fn any_field_text(&self, bools: bool, test: &mut dyn FnMut(&str, &str) -> bool) -> bool {
        let table = table();
        let mut r = Reader { b: &self.0, at: HEADER };
        r.str();
        r.str();
        for Field(name, ty, _) in schema(self.kind()) {
            let hit = match ty {
                Ty::Text => r.text_ref(&table).is_some_and(|t| test(name, t)),
                Ty::List => {
                    let mut hit = false;
                    for _ in 0..r.varint() {
                        // Every item is read, hit or not, so that the reader stays on the next field.
                        if let Some(t) = r.text_ref(&table) {
                            hit = hit || test(name, t);
                        }
                    }
                    hit
                }
                Ty::Word(word) => word(r.u8() as usize).is_some_and(|w| test(name, w)),
                Ty::Num => r.num().is_some_and(|n| test(name, &number_text(n))),
            };
            if hit {
                return true;
            }
        }
        r.extra().iter().any(|(k, v)| value_text(k, v, bools, test))
    }
}

fn number_text(n: f64) -> String {
    serde_json::Number::from_f64(n).map(|n| n.to_string()).unwrap_or_default()
}

fn value_text(name: &str, v: &Value, bools: bool, test: &mut dyn FnMut(&str, &str) -> bool) -> bool {
    match v {
        Value::String(s) => test(name, s),
        Value::Array(items) => items.iter().any(|i| value_text(name, i, bools, test)),
        Value::Object(m) => m.values().any(|i| value_text(name, i, bools, test)),
        Value::Number(n) => test(name, &n.to_string()),
        Value::Bool(b) if bools => test(name, if *b { "true" } else { "false" }),
        _ => false,
    }
}

struct Writer(Vec<u8>);

impl Writer {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn text(&mut self, t: &Option<Text>, field: &Field) {
        match t {
            None => self.varint(0),
            Some(t) => self.item(t, field),
        }
    }

    fn item(&mut self, t: &Text, field: &Field) {
        match field.2.then(|| shared(t)).flatten() {
            Some(n) => self.varint((n as u64) << 1 | 1),
            None => {
                self.varint((t.len() as u64 + 1) << 1);
                self.0.extend_from_slice(t.as_bytes());
            }
        }
    }

    fn list(&mut self, items: &[Text], field: &Field) {
        self.varint(items.len() as u64);
        for t in items {
            self.item(t, field);
        }
    }

    fn word(&mut self, w: Option<u8>) {
        self.0.push(w.unwrap_or(NONE));
    }

    fn num(&mut self, n: Option<f64>) {
        match n {
            None => self.0.push(0),
            Some(n) => {
                self.0.push(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
        }
    }
}

/// Reads what [`Writer`] wrote. The bytes are the store's own, but a reader never panics: past the end it
/// reads zeros (nothing).
struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn u8(&mut self) -> u8 {
        let v = self.b.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        v
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = self.u8();
            v |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                break;
            }
        }
        v
    }

    fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.at.min(self.b.len());
        let end = self.at.saturating_add(n).min(self.b.len());
        self.at = self.at.saturating_add(n);
        &self.b[start..end]
    }

    fn str(&mut self) -> &'a str {
        let n = self.varint() as usize;
        std::str::from_utf8(self.bytes(n)).unwrap_or("")
    }

    fn text_ref<'t>(&mut self, table: &'t [Text]) -> Option<&'t str>
    where
        'a: 't,
    {
        match self.varint() {
            0 => None,
            v if v & 1 == 1 => table.get((v >> 1) as usize).map(|t| &**t),
            v => std::str::from_utf8(self.bytes((v >> 1) as usize - 1)).ok(),
        }
    }

    fn skip_text(&mut self) {
        match self.varint() {
            v if v & 1 == 0 && v > 0 => self.at = self.at.saturating_add((v >> 1) as usize - 1),
            _ => {}
        }
    }

    fn text(&mut self, table: &[Text]) -> Option<Text> {
        match self.varint() {
            0 => None,
            v if v & 1 == 1 => table.get((v >> 1) as usize).cloned(),
            v => std::str::from_utf8(self.bytes((v >> 1) as usize - 1)).ok().map(Text::from),
        }
    }

    fn list(&mut self, table: &[Text]) -> Vec<Text> {
        let n = self.varint() as usize;
        let mut out = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            out.extend(self.text(table));
        }
        out
    }

    fn word<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(self.u8() as usize).copied()
    }

    fn num(&mut self) -> Option<f64> {
        match self.u8() {
            0 => None,
            _ => self.bytes(8).try_into().ok().map(f64::from_le_bytes),
        }
    }

    fn extra(&mut self) -> Map<String, Value> {
        match self.varint() as usize {
            0 => Map::new(),
            n => serde_json::from_slice(self.bytes(n)).unwrap_or_default(),
        }
    }
}

/// Shared copies of the values that repeat, at most this many (past that, values are written out).
const MAX_SHARED: usize = 262_144;

/// Every shared value, by number; numbers are handed out once and never change.
static TABLE: RwLock<Vec<Text>> = RwLock::new(Vec::new());
/// The number of each shared value.
static NUMBERS: LazyLock<Mutex<FxHashMap<Text, u32>>> = LazyLock::new(Default::default);

thread_local! {
    /// This thread's view of [`NUMBERS`], so that packing seldom takes the lock.
    static KNOWN: std::cell::RefCell<FxHashMap<Text, u32>> = Default::default();
}

fn table() -> RwLockReadGuard<'static, Vec<Text>> {
    TABLE.read().unwrap_or_else(|e| e.into_inner())
}

/// The number of the shared copy of `t`, made on first sight (none once the table is full).
fn shared(t: &Text) -> Option<u32> {
    if let Some(n) = KNOWN.with(|k| k.borrow().get(&**t).copied()) {
        return Some(n);
    }
    let n = {
        let mut numbers = NUMBERS.lock().unwrap_or_else(|e| e.into_inner());
        match numbers.get(&**t) {
            Some(n) => *n,
            None => {
                let mut table = TABLE.write().unwrap_or_else(|e| e.into_inner());
                if table.len() >= MAX_SHARED {
                    return None;
                }
                let n = table.len() as u32;
                table.push(t.clone());
                numbers.insert(t.clone(), n);
                n
            }
        }
    };
    KNOWN.with(|k| k.borrow_mut().insert(t.clone(), n));
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feed::formats::jsonl::parse_line;

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

    #[test]
    fn a_record_unpacks_as_it_was_packed() {
        for r in records() {
            let p = Packed::pack(&r);
            assert_eq!(p.unpack(), r);
            assert_eq!((p.kind(), p.id(), p.utc(), p.ts_text()), (r.kind, &*r.id, r.ts.utc, r.ts.text()));
        }
        let long =
            format!(r#"{{"id":"l","ts":"2024-05-01T00:00:00Z","kind":"sanctions","target":"{}"}}"#, "x".repeat(300));
        let r = parse_line(long.as_bytes(), None).expect("valid").expect("record");
        assert_eq!(Packed::pack(&r).unpack(), r);
    }

    #[test]
    fn the_same_version_packs_to_the_same_bytes_and_a_change_does_not() {
        let [a, b] = [0, 1].map(|_| Packed::pack(&records()[0]));
        assert_eq!(a, b);
        let mut r = records()[0].clone();
        r.extra.insert("note".into(), Value::from("new"));
        assert_ne!(Packed::pack(&r), a);
    }

    #[test]
    fn levels_are_read_from_the_header() {
        let r = records();
        assert_eq!(Packed::pack(&r[1]).level(), Some(Level::Critical));
        assert_eq!(Packed::pack(&r[3]).level(), Some(Level::High));
        assert_eq!(Packed::pack(&r[0]).level(), None);
        assert_eq!(Packed::pack(&r[0]).word("target_type", TargetType::ALL), Some(TargetType::Bank));
        assert_eq!(Packed::pack(&r[2]).word("stage", Stage::ALL), Some(Stage::PassedOneChamber));
        assert_eq!(Packed::pack(&r[3]).word("status", ShortageStatus::ALL), Some(ShortageStatus::Easing));
        assert_eq!(Packed::pack(&r[4]).word("status", ShortageStatus::ALL), None);
    }

    #[test]
    fn any_text_sees_every_field_as_fields_json_lays_it_out() {
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
            let p = Packed::pack(&r);
            let fields = r.fields_json();
            let (mut all, mut texts) = (Vec::new(), vec![r.id.to_string()]);
            for (name, v) in &fields {
                let mut want = Vec::new();
                walk(v, true, &mut want);
                assert_eq!(p.field_texts(name), want, "{name} of {}", r.id);
                all.extend(want);
                walk(v, false, &mut texts);
            }
            let mut got = p.all_field_texts();
            got.sort();
            all.sort();
            assert_eq!(got, all, "{}", r.id);
            let mut seen = Vec::new();
            p.any_text(&mut |t| {
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
        let r = &records()[0];
        let p = Packed::pack(r);
        // "OFAC", "P", "CN", "R" and "S" are numbers into the table; "T", "A" and "B" are in the bytes.
        let inline =
            |s: &str| p.0.windows(s.len() + 1).any(|w| w[0] == ((s.len() as u8 + 1) << 1) && &w[1..] == s.as_bytes());
        assert!(inline("T") && inline("A") && inline("B"));
        assert!(!inline("OFAC"));
    }
}

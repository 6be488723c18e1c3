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

use super::loose::{Fields, Loose};
use super::record::{Aid, Body, FieldError, Record, Sanction, Shortage, Supplier, Text, Timestamp};
use super::vocab::{Action, Kind, Level, ShortageStatus, Stage, TargetType};
use crate::text::{clean, clean_cow};
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};
use std::borrow::Cow;
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
    Word(Vocab),
    Num,
}

/// The closed vocabularies word fields take their values from.
#[derive(Clone, Copy)]
enum Vocab {
    Action,
    TargetType,
    Level,
    Stage,
    ShortageStatus,
}

impl Vocab {
    fn name(self, i: usize) -> Option<&'static str> {
        match self {
            Vocab::Action => Action::ALL.get(i).map(|v| v.as_str()),
            Vocab::TargetType => TargetType::ALL.get(i).map(|v| v.as_str()),
            Vocab::Level => Level::ALL.get(i).map(|v| v.as_str()),
            Vocab::Stage => Stage::ALL.get(i).map(|v| v.as_str()),
            Vocab::ShortageStatus => ShortageStatus::ALL.get(i).map(|v| v.as_str()),
        }
    }

    fn parse(self, s: &str) -> Option<u8> {
        match self {
            Vocab::Action => Action::parse(s).map(|v| v as u8),
            Vocab::TargetType => TargetType::parse(s).map(|v| v as u8),
            Vocab::Level => Level::parse(s).map(|v| v as u8),
            Vocab::Stage => Stage::parse(s).map(|v| v as u8),
            Vocab::ShortageStatus => ShortageStatus::parse(s).map(|v| v as u8),
        }
    }

    fn expected(self) -> String {
        match self {
            Vocab::Action => Action::expected(),
            Vocab::TargetType => TargetType::expected(),
            Vocab::Level => Level::expected(),
            Vocab::Stage => Stage::expected(),
            Vocab::ShortageStatus => ShortageStatus::expected(),
        }
    }
}

/// A declared field: its name, how it is written, and whether its values are shared (see [`shared`]).
struct Field(&'static str, Ty, bool);

const SANCTION: &[Field] = &[
    Field("authority", Ty::Text, true),
    Field("program", Ty::Text, true),
    Field("action", Ty::Word(Vocab::Action), false),
    Field("target", Ty::Text, false),
    Field("aliases", Ty::List, false),
    Field("target_type", Ty::Word(Vocab::TargetType), false),
    Field("country", Ty::Text, true),
    Field("reason", Ty::Text, true),
    Field("source", Ty::Text, true),
];
const SUPPLIER: &[Field] = &[
    Field("name", Ty::Text, false),
    Field("aliases", Ty::List, false),
    Field("country", Ty::Text, true),
    Field("goods", Ty::List, true),
    Field("risk", Ty::Word(Vocab::Level), false),
    Field("customers", Ty::List, false),
    Field("status", Ty::Text, true),
    Field("source", Ty::Text, true),
];
const AID: &[Field] = &[
    Field("donor", Ty::Text, true),
    Field("title", Ty::Text, false),
    Field("amount", Ty::Num, false),
    Field("currency", Ty::Text, true),
    Field("stage", Ty::Word(Vocab::Stage), false),
    Field("delivered", Ty::Num, false),
    Field("items", Ty::List, true),
    Field("source", Ty::Text, true),
];
const SHORTAGE: &[Field] = &[
    Field("category", Ty::Text, true),
    Field("item", Ty::Text, true),
    Field("region", Ty::Text, true),
    Field("severity", Ty::Word(Vocab::Level), false),
    Field("status", Ty::Word(Vocab::ShortageStatus), false),
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
        let level = match &r.body {
            Body::Supplier(s) => s.risk,
            Body::Shortage(s) => s.severity,
            _ => None,
        };
        let mut w = Writer::start(r.kind, level.map(|l| l as u8), &r.id, &r.ts);
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
        w.extra(&r.extra);
        w.finish()
    }

    /// Packs a line's fields as a record of `kind`: its declared fields are checked (an error names the
    /// field, what was expected and what was found), cleaned for display and written; the others are
    /// kept as undeclared fields.
    ///
    /// `each` is given every text of a declared field as it is written, with the field's name.
    pub fn from_fields(
        kind: Kind,
        id: &str,
        ts: &Timestamp,
        mut fields: Fields<'_>,
        each: &mut dyn FnMut(&str, &str),
    ) -> Result<Packed, FieldError> {
        let mut w = Writer::start(kind, None, id, ts);
        let plain = fields.plain;
        for field in schema(kind) {
            let Field(name, ty, _) = field;
            let value = match fields.take(name) {
                None | Some(Loose::Null) => None,
                Some(v) => Some(v),
            };
            match (ty, value) {
                (Ty::Text, None) => w.varint(0),
                (Ty::Word(_), None) => w.word(None),
                (Ty::Num, None) => w.num(None),
                (Ty::Text, Some(Loose::Str(s))) => match cleaned(s, plain) {
                    Some(t) => {
                        each(name, &t);
                        w.item(&t, field)
                    }
                    None => w.varint(0),
                },
                (Ty::Text, Some(v)) => return Err(wrong(name, "a string", &v)),
                (Ty::List, value) => {
                    let items = match value {
                        None => Vec::new(),
                        Some(Loose::Str(s)) => cleaned(s, plain).into_iter().collect(),
                        Some(Loose::List(list)) => {
                            let mut items = Vec::with_capacity(list.len());
                            for item in list {
                                match item {
                                    Loose::Str(s) => items.extend(cleaned(s, plain)),
                                    Loose::Null => {}
                                    other => return Err(wrong(name, "a list of strings", &other)),
                                }
                            }
                            items
                        }
                        Some(v) => return Err(wrong(name, "a list of strings", &v)),
                    };
                    w.varint(items.len() as u64);
                    for t in &items {
                        each(name, t);
                        w.item(t, field);
                    }
                }
                (Ty::Word(vocab), Some(Loose::Str(s))) => {
                    let Some(v) = vocab.parse(&s) else {
                        return Err(FieldError {
                            field: (*name).to_owned(),
                            expected: format!("one of {}", vocab.expected()),
                            found: format!("{:?}", clean(&s)),
                        });
                    };
                    if matches!(*name, "risk" | "severity") {
                        w.0[1] = v;
                    }
                    w.word(Some(v));
                }
                (Ty::Word(vocab), Some(v)) => return Err(wrong(name, &format!("one of {}", vocab.expected()), &v)),
                (Ty::Num, Some(Loose::Num(n))) => match n.as_f64() {
                    Some(f) if f.is_finite() && f >= 0.0 => w.num(Some(f)),
                    _ => return Err(wrong(name, "a finite number, zero or more", &Loose::Num(n))),
                },
                (Ty::Num, Some(v)) => return Err(wrong(name, "a number", &v)),
            }
        }
        w.extra(&fields.into_map());
        Ok(w.finish())
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

    /// Whether `test` holds for any text of one field (a list's items, a number or a word as text; an
    /// undeclared field's texts, booleans as `true`/`false`), as [`Packed::field_texts`] gives them; the
    /// other fields are stepped over unread (watch rules test one field of every record).
    pub fn any_text_of(&self, field: &str, test: &mut dyn FnMut(&str) -> bool) -> bool {
        let table = table();
        let mut r = Reader { b: &self.0, at: HEADER };
        r.str();
        r.str();
        for Field(name, ty, _) in schema(self.kind()) {
            let wanted = *name == field;
            match ty {
                Ty::Text if wanted => return r.text_ref(&table).is_some_and(test),
                Ty::List if wanted => {
                    let mut hit = false;
                    for _ in 0..r.varint() {
                        if let Some(t) = r.text_ref(&table) {
                            hit = hit || test(t);
                        }
                    }
                    return hit;
                }
                Ty::Word(vocab) if wanted => return vocab.name(r.u8() as usize).is_some_and(test),
                Ty::Num if wanted => return r.num().is_some_and(|n| test(&number_text(n))),
                Ty::Text => r.skip_text(),
                Ty::List => {
                    for _ in 0..r.varint() {
                        r.skip_text();
                    }
                }
                Ty::Word(_) => {
                    r.u8();
                }
                Ty::Num => {
                    r.num();
                }
            }
        }
        r.extra().get(field).is_some_and(|v| value_text(field, v, true, &mut |_, t| test(t)))
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
    pub fn any_field_text(&self, bools: bool, test: &mut dyn FnMut(&str, &str) -> bool) -> bool {
        let Some(mut r) = self.any_declared_text(test) else { return true };
        r.extra().iter().any(|(k, v)| value_text(k, v, bools, test))
    }

    /// Every (field, text) of the declared fields, as [`Packed::any_text`] visits them.
    pub fn declared_texts(&self, each: &mut dyn FnMut(&str, &str)) {
        self.any_declared_text(&mut |f, t| {
            each(f, t);
            false
        });
    }

    /// Whether `test` holds for a declared field's text: `None` when it does, else the reader left on the
    /// undeclared fields.
    fn any_declared_text(&self, test: &mut dyn FnMut(&str, &str) -> bool) -> Option<Reader<'_>> {
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
                Ty::Word(vocab) => vocab.name(r.u8() as usize).is_some_and(|w| test(name, w)),
                Ty::Num => r.num().is_some_and(|n| test(name, &number_text(n))),
            };
            if hit {
                return None;
            }
        }
        Some(r)
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

/// A string field's text, cleaned and trimmed; none when that leaves nothing. A plain line's texts are
/// printable ASCII already (see [`super::plain_line`]): they are only trimmed.
fn cleaned(s: Cow<'_, str>, plain: bool) -> Option<Cow<'_, str>> {
    let t = match s {
        Cow::Borrowed(b) if plain => Cow::Borrowed(b.trim()),
        Cow::Borrowed(b) => clean_cow(b.trim()),
        Cow::Owned(o) => Cow::Owned(clean_cow(o.trim()).into_owned()),
    };
    (!t.is_empty()).then_some(t)
}

fn wrong(name: &str, expected: &str, found: &Loose<'_>) -> FieldError {
    FieldError { field: name.to_owned(), expected: expected.to_owned(), found: found.describe() }
}

struct Writer(Vec<u8>);

thread_local! {
    /// The buffer a record is written into before it is copied out at its size.
    static SCRATCH: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Writer {
    /// The header, the id and the time as written.
    fn start(kind: Kind, level: Option<u8>, id: &str, ts: &Timestamp) -> Writer {
        let mut w = Writer(SCRATCH.with(|s| s.take()));
        w.0.clear();
        w.0.push(kind as u8);
        w.0.push(level.unwrap_or(NONE));
        w.0.extend_from_slice(&ts.utc.timestamp().to_le_bytes());
        w.0.extend_from_slice(&ts.utc.timestamp_subsec_nanos().to_le_bytes());
        w.str(id);
        w.str(ts.written().unwrap_or(""));
        w
    }

    /// The packed bytes, in an allocation of their exact size (the writer's buffer is kept for the next).
    fn finish(self) -> Packed {
        let packed = Packed(Box::from(&self.0[..]));
        SCRATCH.with(|s| s.set(self.0));
        packed
    }

    fn extra(&mut self, extra: &Map<String, Value>) {
        if extra.is_empty() {
            self.varint(0);
        } else {
            let json = serde_json::to_vec(extra).unwrap_or_default();
            self.varint(json.len() as u64);
            self.0.extend_from_slice(&json);
        }
    }

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

    fn item(&mut self, t: &str, field: &Field) {
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
fn shared(t: &str) -> Option<u32> {
    if let Some(n) = KNOWN.with(|k| k.borrow().get(t).copied()) {
        return Some(n);
    }
    let t = Text::from(t);
    let n = {
        let mut numbers = NUMBERS.lock().unwrap_or_else(|e| e.into_inner());
        match numbers.get(&*t) {
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
    use serde_json::json;

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
        Packed::from_fields(kind, "x", &ts, Fields::from_map(m), &mut |_, _| {}).map(|p| p.unpack())
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
        let r =
            from_json(Kind::Sanctions, json!({"target": " Evil\u{1b}[2J Corp ", "aliases": "E.C.", "country": "  "}));
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
        for r in records() {
            let line = serde_json::to_vec(&{
                let mut m = r.fields_json();
                m.insert("id".into(), Value::from(&*r.id));
                m.insert("ts".into(), Value::from(r.ts.text()));
                m.insert("kind".into(), Value::from(r.kind.as_str()));
                m
            })
            .expect("json");
            let p = crate::feed::formats::jsonl::parse_packed(&line, None).expect("valid").expect("record");
            assert_eq!(p, Packed::pack(&r), "{}", r.id);
        }
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
                let mut one_by_one = Vec::new();
                p.any_text_of(name, &mut |t| {
                    one_by_one.push(t.to_owned());
                    false
                });
                assert_eq!(one_by_one, want, "{name} of {}, field by field", r.id);
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

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

mod build;
mod bytes;
mod shared;
mod slot;
#[cfg(test)]
mod tests;

pub use build::Builder;
pub use shared::{Packer, SharedTexts};
pub(crate) use slot::{Slot, Take};

use super::record::{Record, Text, Timestamp};
use super::schema::{fields, Body, Field, Ty, MOST_FIELDS};
use super::vocab::{Kind, Level};
use bytes::{Reader, Writer};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Where the declared fields of one packed record start, as far as they were walked to, then where its
/// undeclared ones do: a reader of several fields (a rule's conditions) walks each field once. A new one
/// (`default`) for each record.
#[derive(Default)]
pub struct FieldStarts {
    at: [u32; MOST_FIELDS + 1],
    known: usize,
}

/// One version of a record, packed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Packed(Box<[u8]>);

const HEADER: usize = 14;
const NONE: u8 = 0xFF;

impl Packed {
    /// Starts fetching the record's first bytes (its kind, time and id) into the cache (see
    /// [`crate::cache::prefetch`]).
    pub fn prefetch(&self) {
        if let Some(first) = self.0.first() {
            crate::cache::prefetch(first);
        }
    }

    /// Packs a record with `packer` (its store's, or [`Packer::plain`] for a record of no store).
    pub fn pack(r: &Record, packer: &mut Packer) -> Packed {
        let mut w = Writer::start(r.kind, None, &r.id, &r.ts, packer);
        let mut level = None;
        r.body.visit(&mut |field, value| {
            value.put(&mut w, field);
            if field.level {
                level = value.level();
            }
        });
        w.0[1] = level.unwrap_or(NONE);
        w.extra(&r.extra);
        w.finish()
    }

    /// The whole record (its shared texts are `texts`: its store's).
    pub fn unpack(&self, texts: &SharedTexts) -> Record {
        let table = texts.table();
        let mut r = Reader { b: &self.0, at: HEADER };
        let id = Text::from(r.str());
        let written = Some(r.str()).filter(|w| !w.is_empty());
        let ts = Timestamp::from_parts(written.map(Box::from), self.utc());
        let kind = self.kind();
        let body = Body::read(kind, &mut Take { r: &mut r, table });
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
        let (secs, nanos) = self.instant();
        DateTime::from_timestamp(secs, nanos).unwrap_or_default()
    }

    /// The time as seconds and nanoseconds since 1970 (the order of [`Packed::utc`], without building it).
    pub fn instant(&self) -> (i64, u32) {
        let secs = i64::from_le_bytes(self.0[2..10].try_into().unwrap_or_default());
        let nanos = u32::from_le_bytes(self.0[10..14].try_into().unwrap_or_default());
        (secs, nanos)
    }

    pub fn id(&self) -> &str {
        Reader { b: &self.0, at: HEADER }.str()
    }

    /// The time as the feed wrote it.
    pub fn ts_text(&self) -> std::borrow::Cow<'_, str> {
        let mut r = Reader { b: &self.0, at: HEADER };
        r.skip_str();
        match r.str() {
            "" => std::borrow::Cow::Owned(self.utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            w => std::borrow::Cow::Borrowed(w),
        }
    }

    /// Whether `test` holds for any text of one field (a list's items, a number or a word as text; an
    /// undeclared field's texts, booleans as `true`/`false`), as [`Packed::any_field_text`] visits them; the
    /// other fields are stepped over unread (watch rules test one field of every record).
    pub fn any_text_of(&self, texts: &SharedTexts, field: &str, test: &mut dyn FnMut(&str) -> bool) -> bool {
        let table = texts.table();
        let mut r = self.fields();
        for f in fields(self.kind()) {
            if f.name == field {
                return r.any_text(f.ty, table, test);
            }
            r.skip(f.ty);
        }
        r.extra().get(field).is_some_and(|v| value_text(field, v, true, &mut |_, t| test(t)))
    }

    /// Where the `place`-th declared field starts (the number of declared fields: where the undeclared
    /// ones do), walking no further than it and no field twice for one record's `starts`.
    fn start_of(&self, starts: &mut FieldStarts, place: usize) -> usize {
        let declared = fields(self.kind());
        let place = place.min(declared.len()).min(MOST_FIELDS);
        if starts.known == 0 {
            starts.at[0] = self.fields().at as u32;
            starts.known = 1;
        }
        while starts.known <= place {
            let k = starts.known;
            let mut r = Reader { b: &self.0, at: starts.at[k - 1] as usize };
            r.skip(declared[k - 1].ty);
            starts.at[k] = r.at as u32;
            starts.known += 1;
        }
        starts.at[place] as usize
    }

    /// [`Packed::any_text_of`] for a field already looked up: the `place`-th declared field of the record's
    /// kind, or (none) an undeclared one by its name (a rule's field is looked up once, not for every
    /// record), with `starts` (this record's) kept for the next field read.
    pub fn any_text_from(
        &self,
        texts: &SharedTexts,
        starts: &mut FieldStarts,
        place: Option<usize>,
        field: &str,
        test: &mut dyn FnMut(&str) -> bool,
    ) -> bool {
        let declared = fields(self.kind());
        match place.and_then(|i| Some((i, declared.get(i)?))) {
            Some((i, f)) => Reader { b: &self.0, at: self.start_of(starts, i) }.any_text(f.ty, texts.table(), test),
            None => Reader { b: &self.0, at: self.start_of(starts, declared.len()) }
                .extra()
                .get(field)
                .is_some_and(|v| value_text(field, v, true, &mut |_, t| test(t))),
        }
    }

    /// The `place`-th declared field's word, by its place in its vocabulary (none: that field is not a
    /// word, or has none), with `starts` (this record's) kept for the next field read.
    pub fn code_from(&self, starts: &mut FieldStarts, place: usize) -> Option<u8> {
        let Ty::Word(_) = fields(self.kind()).get(place)?.ty else { return None };
        Some(Reader { b: &self.0, at: self.start_of(starts, place) }.u8()).filter(|&c| c != NONE)
    }

    /// A word field's value (a package's stage, a shortage's status), read without unpacking the record.
    pub fn word<T: Copy>(&self, field: &str, all: &[T]) -> Option<T> {
        let mut r = self.fields();
        for f in fields(self.kind()) {
            match f.ty {
                Ty::Word(_) if f.name == field => return all.get(r.u8() as usize).copied(),
                _ => r.skip(f.ty),
            }
        }
        None
    }

    /// Whether `test` holds for any text of the record: its id, every declared field (words, numbers and
    /// list items as text) and every undeclared one, without unpacking it (the filter runs this over every
    /// record of a panel).
    pub fn any_text(&self, texts: &SharedTexts, test: &mut dyn FnMut(&str) -> bool) -> bool {
        test(self.id()) || self.any_field_text(texts, false, &mut |_, t| test(t))
    }

    /// Whether `test` holds for any (field, text) of the record: every declared field, then every
    /// undeclared one (texts nested in it under its name; booleans as `true`/`false` with `bools`, as rules
    /// read them).
    pub fn any_field_text(&self, texts: &SharedTexts, bools: bool, test: &mut dyn FnMut(&str, &str) -> bool) -> bool {
        let Some(mut r) = self.any_declared_text(texts, &mut |f, t| test(f.name, t)) else { return true };
        r.extra().iter().any(|(k, v)| value_text(k, v, bools, test))
    }

    /// Every (field, text) of the declared fields, as [`Packed::any_text`] visits them.
    pub fn declared_texts(&self, texts: &SharedTexts, each: &mut dyn FnMut(&'static Field, &str)) {
        self.any_declared_text(texts, &mut |f, t| {
            each(f, t);
            false
        });
    }

    /// Whether `test` holds for a declared field's text: `None` when it does, else the reader left on the
    /// undeclared fields.
    fn any_declared_text(
        &self,
        texts: &SharedTexts,
        test: &mut dyn FnMut(&'static Field, &str) -> bool,
    ) -> Option<Reader<'_>> {
        let table = texts.table();
        let mut r = self.fields();
        for f in fields(self.kind()) {
            if r.any_text(f.ty, table, &mut |t| test(f, t)) {
                return None;
            }
        }
        Some(r)
    }

    /// A reader on the declared fields: past the id and the time as written.
    fn fields(&self) -> Reader<'_> {
        let mut r = Reader { b: &self.0, at: HEADER };
        r.skip_str();
        r.skip_str();
        r
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

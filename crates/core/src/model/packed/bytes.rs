//! Writing a record's bytes, and reading them back.

use super::number_text;
use super::shared::{Packer, Table};
use super::{Packed, NONE};
use crate::model::record::{Text, Timestamp};
use crate::model::schema::{Field, Ty};
use crate::model::vocab::Kind;
use serde_json::{Map, Value};

/// Writes a record's bytes into its packer's buffer, numbering the texts the packer shares.
pub struct Writer<'p>(pub(super) Vec<u8>, &'p mut Packer);

impl<'p> Writer<'p> {
    /// The header, the id and the time as written.
    pub(super) fn start(kind: Kind, level: Option<u8>, id: &str, ts: &Timestamp, packer: &'p mut Packer) -> Self {
        let mut w = Writer(std::mem::take(&mut packer.scratch), packer);
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
    pub(super) fn finish(self) -> Packed {
        let packed = Packed(Box::from(&self.0[..]));
        self.1.scratch = self.0;
        packed
    }

    pub(super) fn extra(&mut self, extra: &Map<String, Value>) {
        if extra.is_empty() {
            self.varint(0);
        } else {
            let json = serde_json::to_vec(extra).unwrap_or_default();
            self.varint(json.len() as u64);
            self.0.extend_from_slice(&json);
        }
    }

    pub(super) fn varint(&mut self, v: u64) {
        varint(&mut self.0, v)
    }

    /// Holds a byte for a count written after what it counts (see [`Writer::count`]).
    pub(super) fn hold_count(&mut self) -> usize {
        self.0.push(0);
        self.0.len() - 1
    }

    /// Writes the count held at `at` (see [`Writer::hold_count`]).
    pub(super) fn count(&mut self, at: usize, n: u64) {
        if n < 0x80 {
            self.0[at] = n as u8;
        } else {
            let mut count = Vec::new();
            varint(&mut count, n);
            self.0.splice(at..at + 1, count);
        }
    }

    pub(super) fn str(&mut self, s: &str) {
        self.varint(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }

    pub(super) fn text(&mut self, t: &Option<Text>, field: &Field) {
        match t {
            None => self.varint(0),
            Some(t) => self.item(t, field),
        }
    }

    pub(super) fn item(&mut self, t: &str, field: &Field) {
        match field.shared.then(|| self.1.shared(t)).flatten() {
            Some(n) => self.varint((n as u64) << 1 | 1),
            None => {
                self.varint((t.len() as u64 + 1) << 1);
                self.0.extend_from_slice(t.as_bytes());
            }
        }
    }

    pub(super) fn list(&mut self, items: &[Text], field: &Field) {
        self.varint(items.len() as u64);
        for t in items {
            self.item(t, field);
        }
    }

    pub(super) fn word(&mut self, w: Option<u8>) {
        self.0.push(w.unwrap_or(NONE));
    }

    pub(super) fn num(&mut self, n: Option<f64>) {
        match n {
            None => self.0.push(0),
            Some(n) => {
                self.0.push(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
        }
    }
}

/// `v` as LEB128.
fn varint(b: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        b.push(v as u8 | 0x80);
        v >>= 7;
    }
    b.push(v as u8);
}

/// Reads what [`Writer`] wrote. The bytes are the store's own, but a reader never panics: past the end it
/// reads zeros (nothing).
pub struct Reader<'a> {
    pub(super) b: &'a [u8],
    pub(super) at: usize,
}

// The small steps are marked inline: a walk to a field is a few of them per field, and called across
// modules they were not inlined (a rule's walk to its field cost 2-3 times its reading).
impl<'a> Reader<'a> {
    #[inline]
    pub(super) fn u8(&mut self) -> u8 {
        let v = self.b.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        v
    }

    #[inline]
    pub(super) fn varint(&mut self) -> u64 {
        // Most are a byte: a short text's length, a count, a shared text's number below 64.
        let first = self.u8();
        if first < 0x80 {
            return u64::from(first);
        }
        self.at -= 1;
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

    pub(super) fn bytes(&mut self, n: usize) -> &'a [u8] {
        let start = self.at.min(self.b.len());
        let end = self.at.saturating_add(n).min(self.b.len());
        self.at = self.at.saturating_add(n);
        &self.b[start..end]
    }

    /// Steps over a string unread (no check that it is UTF-8: a reader on its way to a field).
    #[inline]
    pub(super) fn skip_str(&mut self) {
        let n = self.varint() as usize;
        self.at = self.at.saturating_add(n);
    }

    pub(super) fn str(&mut self) -> &'a str {
        let n = self.varint() as usize;
        std::str::from_utf8(self.bytes(n)).unwrap_or("")
    }

    pub(super) fn text_ref<'t>(&mut self, table: &'t Table) -> Option<&'t str>
    where
        'a: 't,
    {
        match self.varint() {
            0 => None,
            v if v & 1 == 1 => table.get((v >> 1) as usize).map(|t| &**t),
            v => std::str::from_utf8(self.bytes((v >> 1) as usize - 1)).ok(),
        }
    }

    #[inline]
    pub(super) fn skip_text(&mut self) {
        match self.varint() {
            v if v & 1 == 0 && v > 0 => self.at = self.at.saturating_add((v >> 1) as usize - 1),
            _ => {}
        }
    }

    /// Steps over one declared field written as `ty`.
    #[inline]
    pub(super) fn skip(&mut self, ty: Ty) {
        match ty {
            Ty::Text => self.skip_text(),
            Ty::List => {
                for _ in 0..self.varint() {
                    self.skip_text();
                }
            }
            Ty::Word(_) => {
                self.u8();
            }
            Ty::Num => {
                if self.u8() != 0 {
                    self.at = self.at.saturating_add(8);
                }
            }
        }
    }

    /// Whether `test` holds for any text of one declared field written as `ty` (a list's items, a word or
    /// a number as text). The whole field is read, hit or not, so that the reader stays on the next one.
    pub(super) fn any_text(&mut self, ty: Ty, table: &Table, test: &mut dyn FnMut(&str) -> bool) -> bool {
        match ty {
            Ty::Text => self.text_ref(table).is_some_and(test),
            Ty::List => {
                let mut hit = false;
                for _ in 0..self.varint() {
                    if let Some(t) = self.text_ref(table) {
                        hit = hit || test(t);
                    }
                }
                hit
            }
            Ty::Word(vocab) => vocab.name(self.u8() as usize).is_some_and(test),
            Ty::Num => self.num().is_some_and(|n| test(&number_text(n))),
        }
    }

    pub(super) fn text(&mut self, table: &Table) -> Option<Text> {
        match self.varint() {
            0 => None,
            v if v & 1 == 1 => table.get((v >> 1) as usize).cloned(),
            v => std::str::from_utf8(self.bytes((v >> 1) as usize - 1)).ok().map(Text::from),
        }
    }

    pub(super) fn list(&mut self, table: &Table) -> Vec<Text> {
        let n = self.varint() as usize;
        let mut out = Vec::with_capacity(n.min(1024));
        for _ in 0..n {
            out.extend(self.text(table));
        }
        out
    }

    pub(super) fn word<T: Copy>(&mut self, all: &[T]) -> Option<T> {
        all.get(self.u8() as usize).copied()
    }

    pub(super) fn num(&mut self) -> Option<f64> {
        match self.u8() {
            0 => None,
            _ => self.bytes(8).try_into().ok().map(f64::from_le_bytes),
        }
    }

    pub(super) fn extra(&mut self) -> Map<String, Value> {
        match self.varint() as usize {
            0 => Map::new(),
            n => serde_json::from_slice(self.bytes(n)).unwrap_or_default(),
        }
    }
}

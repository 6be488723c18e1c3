//! Building a packed record field by field, for the formats that read records straight into the store's
//! form (JSON Lines): the fields come in the schema's order, each written as its type says.
//!
//! The builder knows which field comes next, so a format cannot write a field out of turn: a write of
//! the wrong type is a bug (and a debug assertion), and whatever was not written by [`Builder::finish`]
//! is absent.

use super::bytes::Writer;
use super::shared::Packer;
use super::Packed;
use crate::model::record::Timestamp;
use crate::model::schema::{fields, Field, Ty};
use crate::model::vocab::Kind;
use serde_json::{Map, Value};

pub struct Builder<'p> {
    w: Writer<'p>,
    fields: &'static [Field],
    at: usize,
}

impl<'p> Builder<'p> {
    /// A record of `kind`, packed with `packer`.
    pub fn start(kind: Kind, id: &str, ts: &Timestamp, packer: &'p mut Packer) -> Self {
        Builder { w: Writer::start(kind, None, id, ts, packer), fields: fields(kind), at: 0 }
    }

    /// The field to write next, if any is left.
    pub fn next_field(&self) -> Option<&'static Field> {
        self.fields.get(self.at)
    }

    fn step(&mut self, ok: impl Fn(Ty) -> bool) -> Option<&'static Field> {
        let field = self.fields.get(self.at)?;
        debug_assert!(ok(field.ty), "{} written as the wrong type", field.name);
        self.at += 1;
        Some(field)
    }

    /// The next field has no value.
    pub fn none(&mut self) {
        match self.step(|_| true).map(|f| f.ty) {
            Some(Ty::Text | Ty::List) => self.w.varint(0),
            Some(Ty::Word(_)) => self.w.word(None),
            Some(Ty::Num) => self.w.num(None),
            None => {}
        }
    }

    /// A text field's text (not empty).
    pub fn text(&mut self, t: &str) {
        if let Some(field) = self.step(|ty| ty == Ty::Text) {
            self.w.item(t, field);
        }
    }

    /// A list field's items.
    pub fn list<'t>(&mut self, items: impl IntoIterator<Item = &'t str>) {
        if let Some(field) = self.step(|ty| ty == Ty::List) {
            let count = self.w.hold_count();
            let mut n = 0;
            for t in items {
                self.w.item(t, field);
                n += 1;
            }
            self.w.count(count, n);
        }
    }

    /// A word field's value, by its place in its vocabulary; the record's level when the field is.
    pub fn word(&mut self, v: u8) {
        if let Some(field) = self.step(|ty| matches!(ty, Ty::Word(_))) {
            if field.level {
                self.w.0[1] = v;
            }
            self.w.word(Some(v));
        }
    }

    /// A number field's value.
    pub fn num(&mut self, n: f64) {
        if self.step(|ty| ty == Ty::Num).is_some() {
            self.w.num(Some(n));
        }
    }

    /// The record, with its undeclared fields (a field not written is absent).
    pub fn finish(mut self, extra: &Map<String, Value>) -> Packed {
        while self.at < self.fields.len() {
            self.none();
        }
        self.w.extra(extra);
        self.w.finish()
    }
}

impl Packed {
    /// A record of `kind` known only by its id and name (in its first title field).
    pub fn named(kind: Kind, id: &str, name: &str, ts: &Timestamp, packer: &mut Packer) -> Packed {
        let title = crate::model::schema::title_field(kind);
        let mut b = Builder::start(kind, id, ts, packer);
        while let Some(field) = b.next_field() {
            match (field.name == title && !name.is_empty(), field.ty) {
                (true, Ty::Text) => b.text(name),
                (true, Ty::List) => b.list([name]),
                _ => b.none(),
            }
        }
        b.finish(&Map::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::packed::SharedTexts;
    use crate::model::record::Body;

    #[test]
    fn fields_go_in_their_turn_and_what_is_not_written_is_absent() {
        let ts = Timestamp::parse("2024-05-01T00:00:00Z").expect("time");
        let texts = std::sync::Arc::new(SharedTexts::new());
        let mut packer = Packer::sharing(texts.clone());
        let mut b = Builder::start(Kind::Suppliers, "s1", &ts, &mut packer);
        b.text("Example Co., Ltd.");
        b.list(["例子有限公司"]);
        b.text("CN");
        b.list([]);
        b.word(crate::model::vocab::Level::High as u8);
        let r = b.finish(&Map::new());
        assert_eq!(r.level(), Some(crate::model::vocab::Level::High), "the level is kept in the header");
        let Body::Supplier(s) = r.unpack(&texts).body else { panic!("a supplier") };
        assert_eq!((s.name.as_deref(), s.country.as_deref(), s.status), (Some("Example Co., Ltd."), Some("CN"), None));
        assert_eq!(s.aliases, ["例子有限公司".into()] as [crate::model::record::Text; 1]);
    }

    #[test]
    fn a_named_record_has_its_name_in_its_title_field() {
        let ts = Timestamp::parse("2024-05-01T00:00:00Z").expect("time");
        for &kind in Kind::ALL {
            let named = Packed::named(kind, "x", "Gone Ltd", &ts, &mut Packer::plain());
            assert_eq!(named.unpack(&SharedTexts::new()).title(), "Gone Ltd", "{kind}");
        }
    }
}

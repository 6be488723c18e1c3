//! How each Rust type a declared field has is packed and unpacked; the schema (`model::schema`) says which
//! field has which type, and the generated code calls these in the fields' order.

use super::bytes::{Reader, Writer};
use super::shared::Table;
use crate::model::record::Text;
use crate::model::schema::Field;
use crate::model::vocab::{Action, Level, ShortageStatus, Stage, TargetType};

/// A field's value, as packing sees it.
pub trait Slot {
    fn put(&self, w: &mut Writer<'_>, field: &Field);
    /// The value as a level (for the field that is the record's level).
    fn level(&self) -> Option<u8> {
        None
    }
    /// The value as a title (for the fields a title is taken from).
    fn title(&self) -> Option<&str> {
        None
    }
}

/// A field's value, as unpacking reads it.
pub trait FromSlot: Sized {
    fn take(r: &mut Reader<'_>, table: &Table) -> Self;
}

/// The fields of a record read one after the other (see the schema's generated `read`).
pub struct Take<'r, 'b> {
    pub(super) r: &'r mut Reader<'b>,
    pub(super) table: &'r Table,
}

impl Take<'_, '_> {
    pub fn next<T: FromSlot>(&mut self) -> T {
        T::take(self.r, self.table)
    }
}

impl Slot for Option<Text> {
    fn put(&self, w: &mut Writer<'_>, field: &Field) {
        w.text(self, field)
    }
    fn title(&self) -> Option<&str> {
        self.as_deref()
    }
}

impl FromSlot for Option<Text> {
    fn take(r: &mut Reader<'_>, table: &Table) -> Self {
        r.text(table)
    }
}

impl Slot for Vec<Text> {
    fn put(&self, w: &mut Writer<'_>, field: &Field) {
        w.list(self, field)
    }
}

impl FromSlot for Vec<Text> {
    fn take(r: &mut Reader<'_>, table: &Table) -> Self {
        r.list(table)
    }
}

impl Slot for Option<f64> {
    fn put(&self, w: &mut Writer<'_>, _: &Field) {
        w.num(*self)
    }
}

impl FromSlot for Option<f64> {
    fn take(r: &mut Reader<'_>, _: &Table) -> Self {
        r.num()
    }
}

macro_rules! words {
    ($($t:ident),*) => {$(
        impl Slot for Option<$t> {
            fn put(&self, w: &mut Writer<'_>, _: &Field) {
                w.word(self.map(|v| v as u8))
            }
            fn level(&self) -> Option<u8> {
                self.map(|v| v as u8)
            }
        }

        impl FromSlot for Option<$t> {
            fn take(r: &mut Reader<'_>, _: &Table) -> Self {
                r.word($t::ALL)
            }
        }
    )*};
}
words!(Action, TargetType, Level, Stage, ShortageStatus);

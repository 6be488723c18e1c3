//! A stored record as a [`Query`](super::query::Query) reads it: its id and stored fields, and the cells
//! its row shows (derived ones included: SANCTIONED, `⚑`, UNCOVERED). Each is looked at only when what
//! came before did not settle a term: the stored fields, then the cells without links (formatting alone),
//! then the cells with the record's links (name matching: the costly part), and only for the columns the
//! links change.

use super::query::{names_column, RowText};
use super::rows::{cells, columns, Tone};
use crate::model::links::{LinkInfo, Links};
use crate::model::store::Store;
use crate::model::{Kind, Packed};
use std::cell::OnceCell;

pub struct RecordRow<'a> {
    store: &'a Store,
    links: &'a Links,
    kind: Kind,
    packed: &'a Packed,
    /// Whether the marks links put before a sanctions target (`⚑`, `≈`) are asked about.
    flags: bool,
    plain: OnceCell<Vec<(String, Tone)>>,
    linked: OnceCell<Vec<(String, Tone)>>,
}

impl<'a> RecordRow<'a> {
    /// `flags`: whether the query asks about a target's `⚑`/`≈` ([`Query::reads_flags`]); the only text
    /// links add to a sanctions row, so without it a sanctions row's links are never worked out.
    ///
    /// [`Query::reads_flags`]: super::query::Query::reads_flags
    pub fn new(store: &'a Store, links: &'a Links, kind: Kind, packed: &'a Packed, flags: bool) -> Self {
        RecordRow { store, links, kind, packed, flags, plain: OnceCell::new(), linked: OnceCell::new() }
    }

    /// The cells as shown without links.
    fn plain(&self) -> &[(String, Tone)] {
        self.plain.get_or_init(|| cells(&self.packed.unpack(self.store.texts()), &LinkInfo::default(), self.store))
    }

    /// The cells as shown, links included; `None` when links change nothing this row is asked about.
    fn linked(&self) -> Option<&[(String, Tone)]> {
        let matters = match self.kind {
            Kind::Sanctions => self.flags,
            Kind::Suppliers | Kind::Shortages => true,
            Kind::Aid => false,
        };
        matters.then(|| {
            self.linked
                .get_or_init(|| {
                    let info = self.links.row_info(self.store, self.kind, self.packed.id());
                    cells(&self.packed.unpack(self.store.texts()), &info, self.store)
                })
                .as_slice()
        })
    }

    /// Whether `test` holds for the `i`-th cell, without links and then with them.
    fn cell(&self, i: usize, test: &mut dyn FnMut(&str) -> bool) -> bool {
        self.plain().get(i).is_some_and(|(t, _)| test(t))
            || self.linked().and_then(|c| c.get(i)).is_some_and(|(t, _)| t != &self.plain()[i].0 && test(t))
    }
}

impl RowText for RecordRow<'_> {
    fn any(&self, test: &mut dyn FnMut(&str) -> bool) -> bool {
        self.packed.any_text(self.store.texts(), test)
            || self.plain().iter().any(|(t, _)| test(t))
            || self
                .linked()
                .is_some_and(|cells| cells.iter().zip(self.plain()).any(|((t, _), (plain, _))| t != plain && test(t)))
    }

    fn field(&self, name: &str, test: &mut dyn FnMut(&str) -> bool) -> bool {
        if name == "id" {
            return test(self.packed.id());
        }
        if self.packed.any_text_of(self.store.texts(), name, test) {
            return true;
        }
        match columns(self.kind).iter().position(|c| names_column(c.title, name)) {
            Some(i) => self.cell(i, test),
            None => false,
        }
    }
}

//! The index of name forms (see [`super::names`]): form hash → the sanctions records and suppliers that
//! carry it.
//!
//! A first read of a million records puts about two million forms in it, one at a time, each into a random
//! place of a table of tens of MB: a cache miss or two every time. So the forms are split by their top bits
//! into tables small enough to stay in cache, and during a first read ([`NameIndex::defer`]) changes are
//! only noted, table by table, then made ([`NameIndex::settle`]) one table at a time, on every core. The
//! changes to one form are made in the order they came, so the result is what making them at once gives.

use super::store::Handle;
use super::vocab::Kind;
use rustc_hash::FxHashMap;

/// A record in the index: its kind and its handle in its panel.
pub type Holder = (Kind, Handle);

/// Tables the forms are split into, by the top bits of the form.
const TABLES: usize = 64;

fn table(form: u64) -> usize {
    (form >> (64 - TABLES.trailing_zeros())) as usize
}

/// The records that carry one name form: almost always one.
enum Holders {
    One(Holder),
    /// Boxed, so that the common case (`One`) is 16 bytes rather than 32; a Vec, so that a form many
    /// records share (a common alias, a firm in a thousand records) grows without copying on each one.
    #[allow(clippy::box_collection)]
    Many(Box<Vec<Holder>>),
}

impl Holders {
    fn as_slice(&self) -> &[Holder] {
        match self {
            Holders::One(h) => std::slice::from_ref(h),
            Holders::Many(v) => v,
        }
    }

    fn push(&mut self, h: Holder) {
        match self {
            Holders::One(first) => *self = Holders::Many(Box::new(vec![*first, h])),
            Holders::Many(v) => v.push(h),
        }
    }

    /// Takes one holder out; true when none is left.
    fn remove(&mut self, holder: Holder) -> bool {
        match self {
            Holders::One(h) => *h == holder,
            Holders::Many(v) => {
                v.retain(|h| *h != holder);
                match v[..] {
                    [] => true,
                    [one] => {
                        *self = Holders::One(one);
                        false
                    }
                    _ => false,
                }
            }
        }
    }
}

/// A change noted while deferred: a holder added to a form, or taken from it.
#[derive(Clone, Copy)]
struct Noted {
    form: u64,
    handle: Handle,
    kind: Kind,
    add: bool,
}

/// One table: its forms, and the changes noted for it while deferred.
#[derive(Default)]
struct Table {
    forms: FxHashMap<u64, Holders>,
    noted: Vec<Noted>,
}

impl Table {
    fn add(&mut self, form: u64, holder: Holder) {
        match self.forms.entry(form) {
            std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().push(holder),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Holders::One(holder));
            }
        }
    }

    fn remove(&mut self, form: u64, holder: Holder) {
        if self.forms.get_mut(&form).is_some_and(|holders| holders.remove(holder)) {
            self.forms.remove(&form);
        }
    }

    fn settle(&mut self) {
        let noted = std::mem::take(&mut self.noted);
        for n in &noted {
            match n.add {
                true => self.add(n.form, (n.kind, n.handle)),
                false => self.remove(n.form, (n.kind, n.handle)),
            }
        }
    }
}

pub struct NameIndex {
    tables: Box<[Table; TABLES]>,
    deferred: bool,
}

impl Default for NameIndex {
    fn default() -> Self {
        NameIndex { tables: Box::new(std::array::from_fn(|_| Table::default())), deferred: false }
    }
}

impl NameIndex {
    /// Room for `n` more forms.
    pub fn reserve(&mut self, n: usize) {
        for t in self.tables.iter_mut() {
            t.forms.reserve(n / TABLES);
        }
    }

    /// From now on, changes are only noted, until [`NameIndex::settle`]: for a first read.
    pub fn defer(&mut self, expected: usize) {
        self.deferred = true;
        for t in self.tables.iter_mut() {
            t.noted.reserve(expected / TABLES);
        }
    }

    /// Makes the changes noted since [`NameIndex::defer`], a table at a time on every core.
    pub fn settle(&mut self) {
        if std::mem::take(&mut self.deferred) {
            crate::parallel::each_on_every_core(&mut self.tables[..], Table::settle);
        }
    }

    pub fn add(&mut self, form: u64, holder: Holder) {
        let t = &mut self.tables[table(form)];
        match self.deferred {
            true => t.noted.push(Noted { form, handle: holder.1, kind: holder.0, add: true }),
            false => t.add(form, holder),
        }
    }

    pub fn remove(&mut self, form: u64, holder: Holder) {
        let t = &mut self.tables[table(form)];
        match self.deferred {
            true => t.noted.push(Noted { form, handle: holder.1, kind: holder.0, add: false }),
            false => t.remove(form, holder),
        }
    }

    /// The records that carry a form. Read only when settled: a deferred index is being filled.
    pub fn get(&self, form: u64) -> &[Holder] {
        debug_assert!(!self.deferred, "the name index is read while a first read fills it");
        self.tables[table(form)].forms.get(&form).map(Holders::as_slice).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.iter().all(|t| t.forms.is_empty() && t.noted.is_empty())
    }

    /// Every record that shares a form with a record of another kind: the only ones with a party in the
    /// other party panel (a look through the index, not a form worked out again per record).
    pub fn linked(&self) -> rustc_hash::FxHashSet<Holder> {
        debug_assert!(!self.deferred, "the name index is read while a first read fills it");
        let mut out = rustc_hash::FxHashSet::default();
        for t in self.tables.iter() {
            for holders in t.forms.values() {
                if let Holders::Many(h) = holders {
                    if h.iter().any(|x| x.0 != h[0].0) {
                        out.extend(h.iter().copied());
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Forms spread over every table, with a holder added, added again elsewhere, and taken away.
    fn changes() -> Vec<(u64, Holder, bool)> {
        let mut out = Vec::new();
        for i in 0..5_000u64 {
            let form = i.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            out.push((form, (Kind::Sanctions, i as Handle), true));
            if i % 3 == 0 {
                out.push((form, (Kind::Suppliers, i as Handle), true));
            }
            if i % 5 == 0 {
                out.push((form, (Kind::Sanctions, i as Handle), false));
            }
            if i % 7 == 0 {
                out.push((form, (Kind::Sanctions, i as Handle), true));
            }
        }
        out
    }

    fn apply(index: &mut NameIndex, changes: &[(u64, Holder, bool)]) {
        for &(form, holder, add) in changes {
            match add {
                true => index.add(form, holder),
                false => index.remove(form, holder),
            }
        }
    }

    #[test]
    fn changes_noted_and_settled_give_what_changes_made_at_once_give() {
        let changes = changes();
        let (mut now, mut later) = (NameIndex::default(), NameIndex::default());
        apply(&mut now, &changes);
        later.defer(changes.len());
        apply(&mut later, &changes);
        assert!(later.tables.iter().all(|t| t.forms.is_empty()), "nothing made while deferred");
        later.settle();
        for &(form, _, _) in &changes {
            assert_eq!(now.get(form), later.get(form), "form {form:x}");
        }
        assert!(changes.iter().any(|&(form, _, _)| now.get(form).len() == 2), "some forms have two holders");
        assert!(changes.iter().any(|&(form, _, _)| now.get(form).is_empty()), "some forms are gone");
    }

    #[test]
    fn linked_records_are_those_sharing_a_form_across_kinds() {
        let mut index = NameIndex::default();
        index.add(7, (Kind::Sanctions, 1));
        index.add(7, (Kind::Suppliers, 2));
        index.add(8, (Kind::Suppliers, 3));
        index.add(8, (Kind::Suppliers, 4));
        index.add(9, (Kind::Sanctions, 5));
        let linked = index.linked();
        assert!(linked.contains(&(Kind::Sanctions, 1)) && linked.contains(&(Kind::Suppliers, 2)));
        assert_eq!(linked.len(), 2, "two suppliers sharing a form are not a link, nor is a form of one");
    }

    #[test]
    fn a_form_whose_holders_are_all_gone_is_forgotten() {
        let mut index = NameIndex::default();
        index.add(7, (Kind::Sanctions, 1));
        index.add(7, (Kind::Suppliers, 2));
        index.remove(7, (Kind::Sanctions, 1));
        assert_eq!(index.get(7), [(Kind::Suppliers, 2)]);
        index.remove(7, (Kind::Suppliers, 2));
        assert!(index.is_empty());
    }
}

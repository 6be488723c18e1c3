//! Some of a panel's records in the panel's order, newest first: a filter's rows, a paused view. Held by
//! place in an order-statistic tree, as the panel's own order is, so the `i`-th row, a record's row and a
//! record that changed cost O(log n) however many rows there are.

use super::store::{Entry, Handle, Panel, Place};
use rustc_hash::FxHashMap;
use wabi_tree::OSBTreeMap;

#[derive(Debug, Default)]
pub struct Subset {
    order: OSBTreeMap<Place, Handle>,
    /// Where each record is in `order`, to move it when it changes.
    at: FxHashMap<Handle, Place>,
}

impl Subset {
    /// Every record of the panel.
    pub fn of_all(panel: &Panel) -> Subset {
        let mut s = Subset::default();
        for (place, h) in panel.places() {
            s.at.insert(h, place);
            s.order.insert(place, h);
        }
        s
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Puts a record at its place now (moving it from where it was).
    pub fn put(&mut self, panel: &Panel, id: &str) {
        let Some((h, place)) = panel.handle(id).zip(panel.place_of(id)) else { return };
        if let Some(before) = self.at.insert(h, place) {
            self.order.remove(&before);
        }
        self.order.insert(place, h);
    }

    /// Takes a record out.
    pub fn remove(&mut self, panel: &Panel, id: &str) {
        if let Some(place) = panel.handle(id).and_then(|h| self.at.remove(&h)) {
            self.order.remove(&place);
        }
    }

    /// Keeps only the records still in the panel where this subset has them (after records were forgotten,
    /// whose handles the panel may give to new ones).
    pub fn forget_gone(&mut self, panel: &Panel) {
        let gone: Vec<(Handle, Place)> = self
            .at
            .iter()
            .filter(|(h, place)| {
                panel.by_handle(**h).is_none_or(|e| panel.place_of(e.current().packed().id()) != Some(**place))
            })
            .map(|(h, p)| (*h, *p))
            .collect();
        for (h, place) in gone {
            self.at.remove(&h);
            self.order.remove(&place);
        }
    }

    /// The rows from the `from`-th, newest first.
    pub fn entries<'a>(&'a self, panel: &'a Panel, from: usize) -> impl Iterator<Item = &'a Entry> + 'a {
        let start = self.len().checked_sub(from + 1).and_then(|rank| self.order.get_by_rank(rank)).map(|(p, _)| *p);
        start.into_iter().flat_map(move |p| self.order.range(..=p).rev()).filter_map(move |(_, &h)| panel.by_handle(h))
    }

    /// The id of the `i`-th row, newest first.
    pub fn id_at<'a>(&self, panel: &'a Panel, i: usize) -> Option<&'a str> {
        let rank = self.len().checked_sub(i + 1)?;
        self.order.get_by_rank(rank).and_then(|(_, &h)| panel.id_of(h))
    }

    /// Which row shows a record, newest first.
    pub fn position(&self, panel: &Panel, id: &str) -> Option<usize> {
        let place = self.at.get(&panel.handle(id)?)?;
        self.len().checked_sub(self.order.rank_of(place)? + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::store::{Origin, Store};
    use crate::model::vocab::Kind;

    fn add(store: &mut Store, id: &str, ts: &str) {
        let line = format!(r#"{{"id":"{id}","ts":"{ts}","kind":"aid","title":"P {id}","stage":"proposed"}}"#);
        let packed = crate::formats::jsonl::parse_packed(line.as_bytes(), None).expect("ok").expect("a record");
        store.apply_packed(packed, Origin { line: 1, ..Origin::NONE });
    }

    fn ids(s: &Subset, panel: &Panel) -> Vec<String> {
        s.entries(panel, 0).map(|e| e.current().packed().id().to_string()).collect()
    }

    #[test]
    fn rows_keep_the_panels_order_and_follow_a_record_that_moves() {
        let mut store = Store::new();
        for (id, ts) in [("a", "2024-01-01T00:00:00Z"), ("b", "2024-01-02T00:00:00Z"), ("c", "2024-01-03T00:00:00Z")] {
            add(&mut store, id, ts);
        }
        let mut s = Subset::default();
        s.put(store.panel(Kind::Aid), "a");
        s.put(store.panel(Kind::Aid), "c");
        assert_eq!(ids(&s, store.panel(Kind::Aid)), ["c", "a"]);
        add(&mut store, "a", "2024-01-05T00:00:00Z");
        s.put(store.panel(Kind::Aid), "a");
        let panel = store.panel(Kind::Aid);
        assert_eq!(ids(&s, panel), ["a", "c"], "a newer version moves the row, it is not there twice");
        assert_eq!((s.position(panel, "c"), s.id_at(panel, 0)), (Some(1), Some("a")));
        assert_eq!(s.entries(panel, 1).count(), 1);
        assert_eq!(s.position(panel, "b"), None);
        s.remove(panel, "a");
        assert_eq!(ids(&s, panel), ["c"]);
        assert_eq!(ids(&Subset::of_all(panel), panel), ["a", "c", "b"]);
    }

    #[test]
    fn forgotten_records_leave_the_rows() {
        let mut store = Store::new();
        add(&mut store, "a", "2024-01-01T00:00:00Z");
        add(&mut store, "b", "2024-01-02T00:00:00Z");
        let mut s = Subset::of_all(store.panel(Kind::Aid));
        store.panel_mut(Kind::Aid).remove("a");
        add(&mut store, "z", "2024-01-09T00:00:00Z");
        s.forget_gone(store.panel(Kind::Aid));
        assert_eq!(ids(&s, store.panel(Kind::Aid)), ["b"], "z took a's handle; it is not a's row");
    }
}

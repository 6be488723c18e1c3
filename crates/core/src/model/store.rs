//! The records of every kind, each with its history, keyed by id.

use super::id_index::IdIndex;
use super::packed::{Packed, Packer, SharedTexts};
use super::record::Record;
use super::vocab::Kind;
use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use wabi_tree::OSBTreeMap as Ranked;

/// A feed file, by its number in its store's list of files (see [`Store::path`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FileId(u32);

/// Where a version was read: a feed file and a 1-based line number.
///
/// The file is a number rather than a path: a million versions read on one thread and parsed on others
/// would otherwise each step a count of the holders of a shared path, which cost a twentieth of a load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub line: u64,
}

impl Origin {
    /// No file (a record given by a test or a benchmark rather than read).
    pub const NONE: Origin = Origin { file: FileId(0), line: 0 };
}

/// Where something was read, with its file's path: what the engine's changes say, for those who have no
/// store to look the file up in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileLine {
    pub file: Arc<PathBuf>,
    pub line: u64,
}

/// The files a store's records were read from, each path kept once; number 0 is no file.
#[derive(Debug)]
struct Files {
    paths: Vec<Arc<PathBuf>>,
    numbers: FxHashMap<PathBuf, FileId>,
}

impl Default for Files {
    fn default() -> Self {
        Files { paths: vec![Arc::new(PathBuf::new())], numbers: FxHashMap::default() }
    }
}

impl Files {
    fn number(&mut self, path: &Path) -> FileId {
        if path.as_os_str().is_empty() {
            return FileId(0);
        }
        if let Some(n) = self.numbers.get(path) {
            return *n;
        }
        let n = FileId(self.paths.len() as u32);
        self.paths.push(Arc::new(path.to_path_buf()));
        self.numbers.insert(path.to_path_buf(), n);
        n
    }
}

/// One version of a record and where it came from. The record is kept packed (see [`Packed`]).
#[derive(Clone, Debug)]
pub struct Version {
    packed: Packed,
    pub origin: Origin,
    /// Arrival order across the whole store.
    pub seq: u64,
}

impl Version {
    /// The record, unpacked (`texts`: its store's, [`Store::texts`]).
    pub fn record(&self, texts: &SharedTexts) -> Record {
        self.packed.unpack(texts)
    }

    /// The record as kept: its kind, id, time and texts can be read without unpacking it.
    pub fn packed(&self) -> &Packed {
        &self.packed
    }
}

/// A record: every version seen for one id, oldest first by `ts` (arrival order among equal times).
#[derive(Clone, Debug)]
pub struct Entry {
    /// Held in place while there is one (nearly always): no allocation of its own, and one pointer fewer
    /// between a record's slot and its id.
    versions: smallvec::SmallVec<[Version; 1]>,
    /// When the record first arrived and when it last changed (store arrival counter).
    pub first_seq: u64,
    pub last_seq: u64,
}

impl Entry {
    /// The version in force: the one with the latest `ts`.
    pub fn current(&self) -> &Version {
        // An entry is created with one version and versions are never removed.
        &self.versions[self.versions.len() - 1]
    }

    /// Every version, oldest first.
    pub fn history(&self) -> &[Version] {
        &self.versions
    }

    /// Where the record stands in its panel's order.
    fn place(&self) -> Place {
        let (secs, nanos) = self.current().packed.instant();
        Place { secs, nanos, seq: self.last_seq }
    }
}

/// A record's place in its panel, oldest first: the current version's time (as packed: seconds and
/// nanoseconds since 1970), then its latest arrival. Compared as three numbers, a step of the order's
/// B-tree for each of a million records on a first read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    secs: i64,
    nanos: u32,
    seq: u64,
}

impl Place {
    /// The current version's time.
    pub fn time(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.secs, self.nanos).unwrap_or_default()
    }

    /// The day of that time, as days since 1970-01-01.
    fn day(&self) -> i64 {
        day_number(self.secs)
    }
}

/// The day of a time given in seconds since 1970, as days since 1970-01-01.
fn day_number(secs: i64) -> i64 {
    secs.div_euclid(86_400)
}

/// What applying a version did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// A new id.
    Added,
    /// A new version of a known id; `versions` is how many it has now; `current` says whether it is the
    /// version in force now (an older version arriving late is not).
    Updated { versions: usize, current: bool },
    /// This exact version was already known (the same bytes read again): nothing changed.
    Duplicate,
}

/// A record's number in its panel: what the panel's order and the link indexes hold rather than its id
/// (4 bytes, where a shared id costs 16 and its allocation 32). A forgotten record's number is given to
/// the next new record, so a number is only good while its record is held.
pub type Handle = u32;

/// The records of one kind, and their order, kept as records arrive (never sorted again): a new record
/// or a new version is a step in a B-tree, however many records the panel holds. The B-tree keeps the
/// size of every subtree (`wabi_tree`), so the `i`-th record and a record's position are found in
/// O(log n), at the top of the panel or at its bottom alike.
#[derive(Debug, Default)]
pub struct Panel {
    /// Records by handle; `None` for a forgotten record's slot, listed in `free`.
    slots: Vec<Option<Entry>>,
    free: Vec<Handle>,
    /// Handles by id. The table holds only handles (and hash bits): an id is hashed, and compared with the
    /// id of the record a handle names.
    ids: IdIndex,
    order: Ranked<Place, Handle>,
    /// During a first read (see [`Panel::defer_order`]): every place a record took, in arrival order, put in
    /// `order` at once by [`Panel::settle_order`].
    pending: Option<Vec<(Place, Handle)>>,
    /// Records at each level (low, medium, high, critical): a supplier's risk, a shortage's severity.
    levels: [usize; 4],
    /// Records per day of their current version's time (days since 1970-01-01).
    days: BTreeMap<i64, u32>,
    /// The store's copies of the texts that repeat: what reading the panel's records needs.
    texts: Arc<SharedTexts>,
    /// Versions kept of a record at most (0: no limit); the oldest beyond go, and are counted in
    /// `dropped`, by the record's handle.
    max_versions: usize,
    dropped: rustc_hash::FxHashMap<Handle, u64>,
}

/// Versions of one record kept by default (`limits.max_versions`).
pub const MAX_VERSIONS: usize = 100_000;

/// The hash a record's id is looked for by (see [`Store::prefetch`]).
pub fn hash_id(id: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    h.write(id.as_bytes());
    h.finish()
}

impl Entry {
    /// The record's id.
    pub fn id(&self) -> &str {
        self.current().packed.id()
    }
}

impl Panel {
    /// The copies of the texts the records share (the store's, [`Store::texts`]).
    pub fn texts(&self) -> &SharedTexts {
        &self.texts
    }

    /// Room for about `n` more records, so that a large first read does not grow its tables step by step.
    /// The records' slots get room for twice as many (room not used costs no memory, a low guess would
    /// copy every slot); the id index for as many (it holds an eighth more before it grows, and grows
    /// without reading any id again).
    pub fn reserve(&mut self, n: usize) {
        self.ids.reserve(n);
        self.slots.reserve(2 * n);
    }

    /// The handle of the record with this id.
    pub fn handle(&self, id: &str) -> Option<Handle> {
        let slots = &self.slots;
        self.ids.find(hash_id(id), |h| slot_id(slots, h) == Some(id))
    }

    /// The record a handle names.
    pub fn by_handle(&self, h: Handle) -> Option<&Entry> {
        self.slots.get(h as usize)?.as_ref()
    }

    /// How many of the oldest versions of a record went beyond the limit of versions kept.
    pub fn dropped_versions(&self, h: Handle) -> u64 {
        self.dropped.get(&h).copied().unwrap_or(0)
    }

    /// The id of the record a handle names.
    pub fn id_of(&self, h: Handle) -> Option<&str> {
        slot_id(&self.slots, h)
    }

    /// Forgets a record and its history, giving them back with the handle the record had.
    pub fn remove(&mut self, id: &str) -> Option<(Handle, Entry)> {
        let slots = &self.slots;
        let h = self.ids.remove(hash_id(id), |h| slot_id(slots, h) == Some(id))?;
        let entry = self.slots.get_mut(h as usize)?.take()?;
        self.free.push(h);
        self.dropped.remove(&h);
        if self.pending.is_none() {
            self.order.remove(&entry.place());
        }
        count_level(&mut self.levels, &entry, false);
        count_day(&mut self.days, entry.place().day(), false);
        Some((h, entry))
    }

    /// The order, which is not to be read while a first read is noting places (see [`Panel::defer_order`]).
    fn order(&self) -> &Ranked<Place, Handle> {
        debug_assert!(self.pending.is_none(), "a panel's order is read while a first read notes places");
        &self.order
    }

    /// From now on, until [`Panel::settle_order`], the places records take are only noted (about `n` of
    /// them): for a first read, whose records would otherwise each be a step down the B-tree to a random
    /// place in it (a cache miss or more a level).
    pub fn defer_order(&mut self, n: usize) {
        if self.pending.is_none() {
            self.pending = Some(Vec::with_capacity(n));
        }
    }

    /// A record moves from `before` (none for a new one) to `after` in the order; during a first read the
    /// move is only noted, and the place noted before is left behind (settling keeps each record's latest).
    fn take_place(&mut self, before: Option<Place>, after: Place, h: Handle) {
        match &mut self.pending {
            Some(pending) => pending.push((after, h)),
            None => {
                if let Some(before) = before {
                    self.order.remove(&before);
                }
                self.order.insert(after, h);
            }
        }
    }

    /// Puts the places noted since [`Panel::defer_order`] in the order: each record's latest (its place's
    /// arrival is the record's last), and the B-tree built from them in one go when it was empty.
    pub fn settle_order(&mut self) {
        let Some(mut latest) = self.pending.take() else { return };
        let slots = &self.slots;
        // Each record's latest place, sorted (in place: no two places are equal, each being a different
        // arrival, so an unstable sort gives the one order).
        latest.retain(|&(place, h)| {
            slots.get(h as usize).and_then(Option::as_ref).is_some_and(|e| e.last_seq == place.seq)
        });
        latest.sort_unstable();
        if self.order.is_empty() {
            // The tree built bottom up (collecting sorts again, but a sorted list is one pass).
            self.order = latest.into_iter().collect();
        } else {
            self.order.extend(latest);
        }
    }

    /// Records at each level, low to critical (risk for suppliers, severity for shortages).
    pub fn levels(&self) -> [usize; 4] {
        self.levels
    }

    /// The `i`-th record, newest first.
    pub fn newest(&self, i: usize) -> Option<&Entry> {
        let order = self.order();
        let rank = order.len().checked_sub(i + 1)?;
        order.get_by_rank(rank).and_then(|(_, &h)| self.by_handle(h))
    }

    /// Records newest first, from the `i`-th.
    pub fn newest_from(&self, i: usize) -> impl Iterator<Item = &Entry> + '_ {
        let order = self.order();
        let from = order.len().checked_sub(i + 1).and_then(|rank| order.get_by_rank(rank)).map(|(p, _)| *p);
        from.into_iter().flat_map(move |p| order.range(..=p).rev()).filter_map(|(_, &h)| self.by_handle(h))
    }

    /// A record's place in the panel's order (later places are newer).
    pub fn place_of(&self, id: &str) -> Option<Place> {
        self.get(id).map(Entry::place)
    }

    /// Every record's place and handle, oldest first.
    pub fn places(&self) -> impl Iterator<Item = (Place, Handle)> + '_ {
        self.order().iter().map(|(p, h)| (*p, *h))
    }

    /// Records newest first, from just below `place` (from the newest with `None`), with their places.
    pub fn below(&self, place: Option<Place>) -> Box<dyn Iterator<Item = (Place, &Entry)> + '_> {
        let get = move |(p, &h): (&Place, &Handle)| self.by_handle(h).map(|e| (*p, e));
        match place {
            Some(p) => Box::new(self.order().range(..p).rev().filter_map(get)),
            None => Box::new(self.order().iter().rev().filter_map(get)),
        }
    }

    /// Where a record stands, newest first.
    pub fn position(&self, id: &str) -> Option<usize> {
        let place = self.get(id)?.place();
        let order = self.order();
        order.len().checked_sub(order.rank_of(&place)? + 1)
    }

    /// The time of the newest record.
    pub fn newest_time(&self) -> Option<DateTime<Utc>> {
        self.order().last_key_value().map(|(p, _)| p.time())
    }

    /// Records per day (of their current version's time) from `first` to `last`, in order.
    pub fn per_day(
        &self,
        first: chrono::NaiveDate,
        last: chrono::NaiveDate,
    ) -> impl Iterator<Item = (chrono::NaiveDate, u32)> + '_ {
        let day = |d: chrono::NaiveDate| day_number(d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp());
        let date = |d: i64| DateTime::from_timestamp(d * 86_400, 0).unwrap_or_default().date_naive();
        self.days.range(day(first)..=day(last)).map(move |(d, n)| (date(*d), *n))
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn get(&self, id: &str) -> Option<&Entry> {
        self.handle(id).and_then(|h| self.by_handle(h))
    }

    /// Every record, newest first: by the current version's time, then by latest arrival.
    pub fn newest_first(&self) -> Vec<&Entry> {
        self.newest_from(0).collect()
    }

    /// Adds a version; see [`Store::apply_packed`].
    fn apply(&mut self, packed: Packed, hash: u64, origin: Origin, seq: u64) -> (Applied, Handle) {
        let slots = &self.slots;
        let found = self.ids.find(hash, |h| slot_id(slots, h) == Some(packed.id()));
        let Some(h) = found else {
            let version = Version { packed, origin, seq };
            let entry = Entry { versions: smallvec::smallvec![version], first_seq: seq, last_seq: seq };
            count_level(&mut self.levels, &entry, true);
            count_day(&mut self.days, entry.place().day(), true);
            let place = entry.place();
            let h = match self.free.pop() {
                Some(h) => {
                    self.slots[h as usize] = Some(entry);
                    h
                }
                None => {
                    self.slots.push(Some(entry));
                    (self.slots.len() - 1) as Handle
                }
            };
            self.take_place(None, place, h);
            self.ids.insert(hash, h);
            return (Applied::Added, h);
        };
        let Some(Some(entry)) = self.slots.get_mut(h as usize) else { return (Applied::Duplicate, h) };
        // Versions are in time order: the same version again can only be among those of its time (a
        // look at every version made a history of 100k versions take 17 s to load).
        let instant = packed.instant();
        let at = entry.versions.partition_point(|v| v.packed.instant() <= instant);
        let mut same_time = entry.versions[..at].iter().rev().take_while(|v| v.packed.instant() == instant);
        if same_time.any(|v| v.packed == packed) {
            return (Applied::Duplicate, h);
        }
        let before = entry.place();
        let current = at == entry.versions.len();
        if current {
            count_level(&mut self.levels, entry, false);
        }
        entry.versions.insert(at, Version { packed, origin, seq });
        if current {
            count_level(&mut self.levels, entry, true);
        }
        // The oldest versions beyond the limit go, an eighth of it at a time (so that a record updated
        // forever costs no more than its limit, and trimming is not a shift of every version each time).
        let max = self.max_versions;
        if max > 0 && entry.versions.len() > max + max / 8 {
            let extra = entry.versions.len() - max;
            entry.versions.drain(..extra);
            *self.dropped.entry(h).or_default() += extra as u64;
        }
        entry.last_seq = seq;
        let (after, versions) = (entry.place(), entry.versions.len());
        self.take_place(Some(before), after, h);
        count_day(&mut self.days, before.day(), false);
        count_day(&mut self.days, after.day(), true);
        (Applied::Updated { versions, current }, h)
    }
}

fn slot_id(slots: &[Option<Entry>], h: Handle) -> Option<&str> {
    slots.get(h as usize)?.as_ref().map(Entry::id)
}

/// Counts (or stops counting) a record's level: a supplier's risk, a shortage's severity.
fn count_level(levels: &mut [usize; 4], entry: &Entry, add: bool) {
    if let Some(l) = entry.current().packed.level() {
        let n = &mut levels[l as usize];
        *n = if add { *n + 1 } else { n.saturating_sub(1) };
    }
}

fn count_day(days: &mut BTreeMap<i64, u32>, day: i64, add: bool) {
    if add {
        *days.entry(day).or_default() += 1;
    } else if let Some(n) = days.get_mut(&day) {
        *n -= 1;
        if *n == 0 {
            days.remove(&day);
        }
    }
}

/// Every record of every kind, and what they share: the copies of the texts that repeat, and the files
/// they were read from. Two stores share nothing.
#[derive(Debug)]
pub struct Store {
    panels: [Panel; 4],
    seq: u64,
    files: Files,
    texts: Arc<SharedTexts>,
    /// Packs the records given whole to [`Store::apply`].
    packer: Packer,
}

impl Default for Store {
    fn default() -> Self {
        let texts = Arc::new(SharedTexts::default());
        let packer = Packer::sharing(texts.clone());
        let panels =
            std::array::from_fn(|_| Panel { texts: texts.clone(), max_versions: MAX_VERSIONS, ..Panel::default() });
        Store { panels, seq: 0, files: Files::default(), texts, packer }
    }
}

impl Store {
    pub fn new() -> Self {
        Self::default()
    }

    /// The copies of the texts the records share: what reading a record needs.
    pub fn texts(&self) -> &SharedTexts {
        &self.texts
    }

    /// The copies of the texts the records share, for another thread (a parser packs with them).
    pub fn shared_texts(&self) -> Arc<SharedTexts> {
        self.texts.clone()
    }

    /// A record packed as this store keeps it.
    pub fn pack(&mut self, record: &Record) -> Packed {
        Packed::pack(record, &mut self.packer)
    }

    /// Keeps at most `n` versions of each record (0: every version).
    pub fn set_max_versions(&mut self, n: usize) {
        for panel in &mut self.panels {
            panel.max_versions = n;
        }
    }

    /// Keeps at most `n` versions of each record of `kind` (0: every version).
    pub fn set_max_versions_of(&mut self, kind: Kind, n: usize) {
        self.panels[kind.index()].max_versions = n;
    }

    pub fn panel(&self, kind: Kind) -> &Panel {
        &self.panels[kind.index()]
    }

    pub fn panel_mut(&mut self, kind: Kind) -> &mut Panel {
        &mut self.panels[kind.index()]
    }

    /// See [`Panel::defer_order`]: for a first read of about `n[kind]` records of each kind.
    pub fn defer_order(&mut self, n: [usize; 4]) {
        for (panel, n) in self.panels.iter_mut().zip(n) {
            panel.defer_order(n);
        }
    }

    /// See [`Panel::settle_order`]; the panels at once, the largest on this thread.
    pub fn settle_order(&mut self) {
        let largest = (0..self.panels.len()).max_by_key(|&k| self.panels[k].pending.as_ref().map_or(0, Vec::len));
        std::thread::scope(|scope| {
            let mut here = None;
            for (k, panel) in self.panels.iter_mut().enumerate() {
                if Some(k) == largest {
                    here = Some(panel);
                } else if panel.pending.is_some() {
                    scope.spawn(|| panel.settle_order());
                }
            }
            if let Some(panel) = here {
                panel.settle_order();
            }
        });
    }

    /// The number versions read from `path` name it by (made on first sight).
    pub fn file(&mut self, path: &Path) -> FileId {
        self.files.number(path)
    }

    /// Line `line` of `path`.
    pub fn origin(&mut self, path: &Path, line: u64) -> Origin {
        Origin { file: self.file(path), line }
    }

    /// The path of a file by its number (empty for no file, or a number of another store's).
    pub fn path(&self, file: FileId) -> &Arc<PathBuf> {
        self.files.paths.get(file.0 as usize).unwrap_or(&self.files.paths[0])
    }

    /// Where a version was read, with its file's path.
    pub fn file_line(&self, origin: Origin) -> FileLine {
        FileLine { file: self.path(origin.file).clone(), line: origin.line }
    }

    /// How many versions have been applied (or tried): changes whenever the store does.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Total records across kinds.
    pub fn len(&self) -> usize {
        self.panels.iter().map(Panel::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds one version of a record. A version identical to one already held (same time, same fields) is a
    /// duplicate and changes nothing, so re-reading a file never doubles a record.
    pub fn apply(&mut self, record: Record, origin: Origin) -> Applied {
        let packed = self.pack(&record);
        self.apply_packed(packed, origin).0
    }

    /// [`Store::apply`] for a record already packed (as the parser threads give them), also giving the
    /// record's handle in its panel.
    pub fn apply_packed(&mut self, packed: Packed, origin: Origin) -> (Applied, Handle) {
        let hash = hash_id(packed.id());
        self.apply_hashed(packed, hash, origin)
    }

    /// [`Store::apply_packed`] for a record whose id's hash ([`hash_id`]) was worked out already (on the
    /// thread that parsed it).
    pub fn apply_hashed(&mut self, packed: Packed, hash: u64, origin: Origin) -> (Applied, Handle) {
        self.seq += 1;
        let seq = self.seq;
        self.panels[packed.kind().index()].apply(packed, hash, origin, seq)
    }

    /// Starts fetching what applying a record of `kind` whose id has this hash will look at first, so that
    /// the wait overlaps the records applied before it.
    pub fn prefetch(&self, kind: Kind, hash: u64) {
        self.panels[kind.index()].ids.prefetch(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::record::{Aid, Body, Timestamp};
    use crate::model::vocab::Stage;
    use serde_json::Map;

    fn aid(id: &str, ts: &str, stage: Stage) -> Record {
        Record {
            kind: Kind::Aid,
            id: id.into(),
            ts: Timestamp::parse(ts).expect("ts"),
            body: Body::Aid(Aid { stage: Some(stage), ..Aid::default() }),
            extra: Map::new(),
        }
    }

    /// The aid panel's ids, newest first.
    fn ids(s: &Store) -> Vec<String> {
        s.panel(Kind::Aid).newest_first().iter().map(|e| e.current().packed().id().to_string()).collect()
    }

    fn at(line: u64) -> Origin {
        Origin { file: FileId(1), line }
    }

    /// A record updated again and again keeps its newest `max_versions` (give or take an eighth), counts
    /// the ones that went, and still tells the same version twice from a new one in time order.
    #[test]
    fn a_history_is_bounded_and_what_went_is_counted() {
        let mut s = Store::new();
        s.set_max_versions(16);
        let ts = |i: u32| format!("2024-01-{:02}T{:02}:{:02}:00Z", 1 + i / 1440, i / 60 % 24, i % 60);
        for i in 0..1000 {
            let stage = if i % 2 == 0 { Stage::Signed } else { Stage::Delivering };
            assert!(matches!(
                s.apply(aid("p", &ts(i), stage), at(u64::from(i))),
                Applied::Added | Applied::Updated { .. }
            ));
        }
        let panel = s.panel(Kind::Aid);
        let (h, entry) = (panel.handle("p").expect("held"), panel.get("p").expect("held"));
        let kept = entry.history().len();
        assert!((16..=18).contains(&kept), "{kept}");
        assert_eq!(panel.dropped_versions(h), 1000 - kept as u64);
        assert_eq!(entry.current().record(s.texts()).ts, Timestamp::parse(&ts(999)).expect("ts"));
        // The newest version again is the same version; one of the same time with other fields is new.
        assert_eq!(s.apply(aid("p", &ts(999), Stage::Delivering), at(1)), Applied::Duplicate);
        assert!(matches!(s.apply(aid("p", &ts(999), Stage::Stalled), at(2)), Applied::Updated { .. }));
    }

    #[test]
    fn two_stores_keep_their_shared_texts_apart() {
        let line = |id: &str, authority: &str| {
            let l = format!(r#"{{"id":"{id}","ts":"2024-01-01T00:00:00Z","authority":"{authority}","target":"T"}}"#);
            crate::formats::jsonl::parse_line(l.as_bytes(), Some(Kind::Sanctions)).expect("ok").expect("record")
        };
        let (mut a, mut b) = (Store::new(), Store::new());
        // Each store numbers the authorities it sees first from 0: "OFAC" in one is "EU"'s number in the other.
        a.apply(line("1", "OFAC"), Origin::NONE);
        b.apply(line("1", "EU"), Origin::NONE);
        b.apply(line("2", "OFAC"), Origin::NONE);
        let authority =
            |s: &Store, id: &str| match s.panel(Kind::Sanctions).get(id).map(|e| e.current().record(s.texts())) {
                Some(Record { body: Body::Sanction(x), .. }) => x.authority.map(|a| a.to_string()),
                _ => None,
            };
        assert_eq!(authority(&a, "1").as_deref(), Some("OFAC"));
        assert_eq!(authority(&b, "1").as_deref(), Some("EU"));
        assert_eq!(authority(&b, "2").as_deref(), Some("OFAC"));
    }

    #[test]
    fn each_store_numbers_its_own_files_and_gives_their_paths_back() {
        let (mut a, mut b) = (Store::new(), Store::new());
        let x = a.origin(Path::new("/f/x.jsonl"), 3);
        let y = a.origin(Path::new("/f/y.jsonl"), 1);
        assert_eq!(a.origin(Path::new("/f/x.jsonl"), 9).file, x.file, "one number a path");
        assert_ne!(x.file, y.file);
        assert_eq!(a.file_line(x), FileLine { file: Arc::new("/f/x.jsonl".into()), line: 3 });
        // Another store has its own list: the same path may get another number, and a number it never gave
        // names no file rather than another store's.
        assert_eq!(b.file(Path::new("/f/y.jsonl")), x.file);
        assert_eq!(b.path(y.file).as_os_str(), "");
        assert_eq!(a.path(Origin::NONE.file).as_os_str(), "");
    }

    #[test]
    fn the_ith_record_and_a_records_position_agree_with_the_order_at_the_top_and_the_bottom() {
        // More records than a node of the ranked tree holds, some moved by later versions.
        let mut store = Store::new();
        let ts = |secs: u64| {
            let t = DateTime::from_timestamp(1_704_067_200 + secs as i64, 0).expect("a time");
            t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        for i in 0..3000u64 {
            store.apply(aid(&format!("a{i}"), &ts((i * 7919) % 86_000), Stage::Proposed), at(i + 1));
        }
        for i in (0..3000u64).step_by(97) {
            store.apply(aid(&format!("a{i}"), &ts(86_100 + i % 200), Stage::Signed), at(5000 + i));
        }
        let order = ids(&store);
        let panel = store.panel(Kind::Aid);
        assert_eq!(order.len(), 3000);
        for i in [0, 1, 1023, 1024, 1500, 2998, 2999] {
            let entry = panel.newest(i).expect("a record");
            assert_eq!(entry.current().packed().id(), order[i], "newest({i})");
            assert_eq!(panel.position(&order[i]), Some(i), "position of {}", order[i]);
            let from: Vec<&str> = panel.newest_from(i).take(3).map(|e| e.current().packed().id()).collect();
            assert_eq!(from, order[i..(i + 3).min(3000)].iter().map(String::as_str).collect::<Vec<_>>());
        }
        assert!(panel.newest(3000).is_none() && panel.newest_from(3000).next().is_none());
    }

    #[test]
    fn a_later_version_updates_and_keeps_history() {
        let mut store = Store::new();
        assert_eq!(store.apply(aid("us-supp", "2024-02-13T00:00:00Z", Stage::PassedOneChamber), at(1)), Applied::Added);
        assert_eq!(
            store.apply(aid("us-supp", "2024-04-24T00:00:00Z", Stage::Signed), at(2)),
            Applied::Updated { versions: 2, current: true }
        );
        let entry = store.panel(Kind::Aid).get("us-supp").expect("present");
        assert_eq!(store.panel(Kind::Aid).len(), 1);
        assert_eq!(entry.history().len(), 2);
        assert!(matches!(&entry.current().record(store.texts()).body, Body::Aid(a) if a.stage == Some(Stage::Signed)));
    }

    #[test]
    fn the_same_version_twice_is_a_duplicate() {
        let mut store = Store::new();
        store.apply(aid("x", "2024-02-13T00:00:00Z", Stage::Proposed), at(1));
        store.apply(aid("x", "2024-03-13T00:00:00Z", Stage::Signed), at(2));
        // Re-reading the whole file after a rewrite: both lines again.
        assert_eq!(store.apply(aid("x", "2024-02-13T00:00:00Z", Stage::Proposed), at(1)), Applied::Duplicate);
        assert_eq!(store.apply(aid("x", "2024-03-13T00:00:00Z", Stage::Signed), at(2)), Applied::Duplicate);
        assert_eq!(store.panel(Kind::Aid).get("x").expect("present").history().len(), 2);
    }

    #[test]
    fn an_older_version_arriving_late_does_not_become_current() {
        let mut store = Store::new();
        store.apply(aid("x", "2024-03-13T00:00:00Z", Stage::Signed), at(1));
        store.apply(aid("x", "2024-02-13T00:00:00Z", Stage::Proposed), at(2));
        let entry = store.panel(Kind::Aid).get("x").expect("present");
        assert!(matches!(&entry.current().record(store.texts()).body, Body::Aid(a) if a.stage == Some(Stage::Signed)));
        assert_eq!(entry.history()[0].origin.line, 2);
    }

    #[test]
    fn places_noted_during_a_first_read_give_the_order_applying_them_at_once_gives() {
        let versions = [
            ("a", "2024-01-01T00:00:00Z", Stage::Proposed),
            ("b", "2024-02-01T00:00:00Z", Stage::Proposed),
            ("c", "2024-03-01T00:00:00Z", Stage::Proposed),
            ("a", "2024-04-01T00:00:00Z", Stage::Signed),
            // Older than the version in force: the record keeps its time, arrives last among equals.
            ("b", "2023-01-01T00:00:00Z", Stage::Proposed),
            ("d", "2024-03-01T00:00:00Z", Stage::Proposed),
            ("c", "2024-03-01T00:00:00Z", Stage::Proposed),
            ("e", "2022-01-01T00:00:00Z", Stage::Proposed),
        ];
        let (mut now, mut later) = (Store::new(), Store::new());
        later.defer_order([8; 4]);
        for (i, (id, ts, stage)) in versions.iter().enumerate() {
            now.apply(aid(id, ts, *stage), at(i as u64));
            later.apply(aid(id, ts, *stage), at(i as u64));
        }
        for store in [&mut now, &mut later] {
            store.panel_mut(Kind::Aid).remove("d");
            // A new record takes the forgotten one's handle.
            store.apply(aid("f", "2021-01-01T00:00:00Z", Stage::Proposed), at(9));
        }
        later.settle_order();
        assert_eq!(ids(&now), ["a", "c", "b", "e", "f"]);
        assert_eq!(ids(&later), ids(&now));
        assert_eq!(later.panel(Kind::Aid).position("b"), Some(2));
    }

    #[test]
    fn records_are_counted_per_day_of_their_time() {
        let mut store = Store::new();
        store.apply(aid("a", "2024-03-01T23:59:59Z", Stage::Proposed), at(1));
        store.apply(aid("b", "2024-03-01T00:00:00Z", Stage::Proposed), at(2));
        store.apply(aid("c", "2024-03-02T00:00:00Z", Stage::Proposed), at(3));
        store.apply(aid("d", "1969-12-31T12:00:00Z", Stage::Proposed), at(4));
        // A newer version moves its record to the day of its time.
        store.apply(aid("a", "2024-03-03T08:00:00Z", Stage::Signed), at(5));
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let counts: Vec<_> = store.panel(Kind::Aid).per_day(day("1969-12-31"), day("2024-03-03")).collect();
        assert_eq!(
            counts,
            [(day("1969-12-31"), 1), (day("2024-03-01"), 1), (day("2024-03-02"), 1), (day("2024-03-03"), 1)]
        );
        assert_eq!(store.panel(Kind::Aid).per_day(day("2024-03-02"), day("2024-03-02")).count(), 1);
    }

    #[test]
    fn the_order_follows_updates_and_removals() {
        let mut store = Store::new();
        store.apply(aid("a", "2024-01-01T00:00:00Z", Stage::Proposed), at(1));
        store.apply(aid("b", "2024-02-01T00:00:00Z", Stage::Proposed), at(2));
        store.apply(aid("c", "2024-03-01T00:00:00Z", Stage::Proposed), at(3));
        assert_eq!(ids(&store), ["c", "b", "a"]);
        store.apply(aid("a", "2024-04-01T00:00:00Z", Stage::Signed), at(4));
        assert_eq!(ids(&store), ["a", "c", "b"]);
        // An older version arriving late keeps the record's time, but it is the latest arrival among equals.
        store.apply(aid("b", "2023-01-01T00:00:00Z", Stage::Proposed), at(5));
        assert_eq!(ids(&store), ["a", "c", "b"]);
        assert_eq!(store.panel(Kind::Aid).position("c"), Some(1));
        assert_eq!(store.panel(Kind::Aid).newest(2).map(|e| e.current().packed().id()), Some("b"));
        store.panel_mut(Kind::Aid).remove("c");
        assert_eq!(ids(&store), ["a", "b"]);
        assert_eq!(store.panel(Kind::Aid).position("c"), None);
    }

    #[test]
    fn a_forgotten_records_handle_goes_to_the_next_new_record() {
        let mut store = Store::new();
        store.apply(aid("a", "2024-01-01T00:00:00Z", Stage::Proposed), at(1));
        store.apply(aid("b", "2024-02-01T00:00:00Z", Stage::Proposed), at(2));
        let panel = store.panel(Kind::Aid);
        let (ha, hb) = (panel.handle("a").expect("a"), panel.handle("b").expect("b"));
        assert_ne!(ha, hb);
        assert_eq!(panel.id_of(hb), Some("b"));
        assert_eq!(store.panel_mut(Kind::Aid).remove("a").map(|(h, _)| h), Some(ha));
        assert_eq!(store.panel(Kind::Aid).handle("a"), None);
        assert_eq!(store.panel(Kind::Aid).id_of(ha), None);
        store.apply(aid("c", "2024-03-01T00:00:00Z", Stage::Proposed), at(3));
        let panel = store.panel(Kind::Aid);
        assert_eq!(panel.handle("c"), Some(ha));
        assert_eq!((panel.len(), panel.get("a").is_none(), panel.id_of(ha)), (2, true, Some("c")));
        // Many records: every id is found under its own handle after the table grew.
        for i in 0..5000 {
            store.apply(aid(&format!("p{i}"), "2024-04-01T00:00:00Z", Stage::Proposed), at(4 + i));
        }
        let panel = store.panel(Kind::Aid);
        assert!((0..5000).all(|i| {
            let id = format!("p{i}");
            panel.handle(&id).and_then(|h| panel.id_of(h)) == Some(id.as_str())
        }));
    }

    #[test]
    fn newest_first_orders_by_time() {
        let mut store = Store::new();
        store.apply(aid("old", "2024-01-01T00:00:00Z", Stage::Proposed), at(1));
        store.apply(aid("new", "2024-05-01T00:00:00Z", Stage::Proposed), at(2));
        store.apply(aid("mid", "2024-03-01T00:00:00Z", Stage::Proposed), at(3));
        let ids: Vec<_> =
            store.panel(Kind::Aid).newest_first().iter().map(|e| e.current().packed().id().to_string()).collect();
        assert_eq!(ids, ["new", "mid", "old"]);
    }
}

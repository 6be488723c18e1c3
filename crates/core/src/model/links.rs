//! The links between panels: a flagged supplier that is a sanctioned party, a shortage and the aid packages
//! whose items cover it.
//!
//! Kept as indexes updated one record at a time as records arrive (never by rescanning everything):
//! - name forms (see [`super::names`]) of every sanctions target and supplier, with their aliases: the
//!   records that share a form are the candidates, and the matcher ([`super::matching`]) decides which
//!   of them are links and which possible matches (a different legal-form class, a conflicting
//!   identifier);
//! - categories (from the vocabulary in config.toml: category → keywords) of every shortage and package.

use super::decisions::{Decision, Decisions};
use super::matching::{Matcher, Party, Strength, Verdict};
use super::name_index::NameIndex;
use super::name_keys::KeyMemo;
use super::packed::{Packed, SharedTexts};
use super::record::Body;
use super::schema::{Field, Role};
use super::store::{Applied, Handle, Store};
use super::vocab::{Action, Kind, ShortageStatus, Stage};
use super::word_index::{CommonWords, NameKey, WordIndex};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// category → keywords (lower case) that put a shortage or an aid item in it.
pub type Vocabulary = BTreeMap<String, Vec<String>>;

/// A record, by kind and id.
pub type Key = (Kind, String);

/// How a supplier stands with the sanctions it is linked to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Badge {
    /// Designated (or amended) by at least one authority: the latest such designation.
    Sanctioned { authority: String, date: String },
    /// Every designation found has been lifted.
    Delisted { authority: String, date: String },
}

/// Whether aid in the pipeline covers a shortage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cover {
    /// The shortage is resolved.
    Resolved,
    /// No package in the pipeline lists its category.
    Uncovered,
    /// Packages list it, but every one of them is stalled.
    AtRisk(Arc<[String]>),
    /// Packages that list it, most advanced first.
    Covered(Arc<[String]>),
}

/// A record's name forms: a handful, held in place (a first read of a million records would otherwise
/// allocate a list per record on one thread and free it on another).
type Forms = smallvec::SmallVec<[u64; 4]>;
/// A record's name words' keys ([`super::name_keys`]), each beside the number of the name it is of, a
/// name's together.
type Keys = smallvec::SmallVec<[NameKey; 4]>;
type Categories = smallvec::SmallVec<[Category; 4]>;

/// What the indexes need of one record, worked out away from them (see [`Links::prepare`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Prepared {
    forms: Forms,
    keys: Keys,
    categories: Categories,
}

/// A record being prepared: see [`Preparer::start`].
pub struct Preparing<'p> {
    preparer: &'p Preparer,
    /// The categories of texts seen before, when the caller keeps them (a parser thread does).
    memo: Option<&'p mut PrepareMemo>,
    forms: Forms,
    keys: Keys,
    /// Names seen so far.
    names: u8,
    categories: Categories,
}

impl Preparing<'_> {
    /// One text of a declared field: a name that links gives its name forms, words that put the record in
    /// a category its categories (as the schema says of the field).
    pub fn add(&mut self, field: &Field, text: &str) {
        match field.role {
            Role::Name => {
                let (keys, mut memo) = (&mut self.keys, self.memo.as_deref_mut().map(|m| &mut m.keys));
                // With a memo, the words common in the index are left out.
                if let Some(m) = memo.as_deref_mut() {
                    m.leaving_out(&self.preparer.common);
                }
                // Each of a name's keys once (a handful, the common ones left out).
                let name = self.names;
                let form = self.preparer.matcher.form_and_keys(text, memo, &mut |k| {
                    if !keys.contains(&(name, k)) {
                        keys.push((name, k))
                    }
                });
                self.names = self.names.saturating_add(1);
                self.forms.extend(form)
            }
            Role::Category => {
                let memo = self.memo.as_deref_mut();
                self.categories.extend(self.preparer.category_indexes(&[text], memo))
            }
            Role::Plain | Role::Identifier => {}
        }
    }

    pub fn finish(mut self) -> Prepared {
        self.forms.sort_unstable();
        self.forms.dedup();
        self.categories.sort_unstable();
        self.categories.dedup();
        Prepared { forms: self.forms, keys: self.keys, categories: self.categories }
    }
}

/// Works out what the indexes need of a record: needs nothing but the vocabulary, so lines are prepared on
/// every core while they are parsed.
#[derive(Clone, Default)]
pub struct Preparer {
    vocabulary: Arc<Words>,
    /// The name matcher (its legal-form catalogue read once).
    matcher: Arc<Matcher>,
    /// Name words that find nobody: their keys are left out.
    common: Arc<CommonWords>,
}

/// Each category and its words, lower case.
type Words = Vec<(String, Vec<String>)>;

/// Categories remembered, at most (past that, the memo starts again).
const MAX_REMEMBERED: usize = 65_536;

/// What one thread (a parser's) remembers as it prepares records: the categories each text fell in, for
/// one vocabulary (aid items and shortage categories repeat, and finding them is a search for every word
/// of the vocabulary), and the keys of name words.
#[derive(Default)]
pub struct PrepareMemo {
    /// The vocabulary the categories are of.
    vocabulary: Option<Arc<Words>>,
    seen: FxHashMap<Box<str>, Box<[Category]>>,
    keys: KeyMemo,
}

impl Preparer {
    /// What the indexes need of a record (its shared texts in `texts`): its name forms and categories
    /// (`memo`: the categories of texts seen before).
    pub fn prepare(&self, texts: &SharedTexts, rec: &Packed, memo: Option<&mut PrepareMemo>) -> Prepared {
        let mut prep = self.start(memo);
        rec.declared_texts(texts, &mut |field, t| prep.add(field, t));
        prep.finish()
    }

    /// Prepares a record from its texts as they go by (a line's fields as they are packed), so that they
    /// are not read a second time; `memo` keeps the categories of texts from one record to the next.
    pub fn start<'p>(&'p self, memo: Option<&'p mut PrepareMemo>) -> Preparing<'p> {
        let (forms, keys, categories) = (Forms::new(), Keys::new(), Categories::new());
        Preparing { preparer: self, memo, forms, keys, names: 0, categories }
    }

    /// The categories any of `texts` falls in (a word of the category's is in the text), in order.
    fn category_indexes(&self, texts: &[&str], memo: Option<&mut PrepareMemo>) -> Vec<Category> {
        let mut out = Vec::new();
        match memo {
            None => texts.iter().for_each(|t| out.extend_from_slice(&self.categories_of_text(t))),
            Some(memo) => {
                let same = memo.vocabulary.as_ref().is_some_and(|v| Arc::ptr_eq(v, &self.vocabulary));
                if !same || memo.seen.len() >= MAX_REMEMBERED {
                    memo.vocabulary = Some(self.vocabulary.clone());
                    memo.seen = FxHashMap::default();
                }
                for t in texts {
                    match memo.seen.get(*t) {
                        Some(cats) => out.extend_from_slice(cats),
                        None => {
                            let cats = self.categories_of_text(t);
                            out.extend_from_slice(&cats);
                            memo.seen.insert((*t).into(), cats);
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn categories_of_text(&self, text: &str) -> Box<[Category]> {
        let lower = text.to_lowercase();
        self.vocabulary
            .iter()
            .enumerate()
            .filter(|(_, (_, words))| words.iter().any(|w| lower.contains(w.as_str())))
            .map(|(i, _)| i as Category)
            .collect()
    }
}

/// What is linked to one record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinkInfo {
    /// Records of the other party panel that are the same party (suppliers ↔ sanctions): linked by the
    /// matcher (see [`super::matching`]).
    pub parties: Vec<Key>,
    /// Records of the other party panel that may be the same party: for the analyst to decide, never
    /// counted as linked.
    pub possible: Vec<Key>,
    /// Of `parties`, those the analyst said are the same party (whatever the matcher says).
    pub confirmed: Vec<Key>,
    /// Records the analyst said are not the same party (never linked, nor possible).
    pub rejected: Vec<Key>,
    /// For a supplier: its sanctions standing.
    pub badge: Option<Badge>,
    /// For a shortage: what covers it.
    pub cover: Option<Cover>,
    /// For a package: the open shortages it addresses, the first [`MAX_ADDRESSES_LISTED`] by id.
    pub addresses: Vec<String>,
    /// For a package: how many open shortages it addresses in all.
    pub addresses_total: usize,
}

/// The parties with something to link after a first read ([`Links::linked_parties`]), and the suppliers'
/// candidates from words, found on the way.
#[derive(Default)]
pub struct LinkedParties {
    set: FxHashSet<(Kind, Handle)>,
    words: FxHashMap<Handle, Vec<Handle>>,
}

impl LinkedParties {
    pub fn contains(&self, party: &(Kind, Handle)) -> bool {
        self.set.contains(party)
    }

    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}

/// How many of the shortages a package addresses are listed by id (at a million records a package of
/// a common category addresses tens of thousands; they are counted, and the first listed).
pub const MAX_ADDRESSES_LISTED: usize = 100;

/// A category, by its place in the vocabulary.
type Category = u16;

/// The indexes. Name forms are kept as 64-bit hashes of the form ([`super::names::hash_form`]): a million
/// records carry about two million forms, and the chance that two different forms share a hash is about one
/// in ten million.
/// Records are held by handle, not id; what a record was indexed under is worked out again from the version
/// that was indexed when it has to be forgotten, rather than kept.
#[derive(Default)]
pub struct Links {
    preparer: Preparer,
    /// form hash → the sanctions records and suppliers that carry the form.
    names: NameIndex,
    /// name word → the sanctions records and suppliers whose names carry it.
    words: WordIndex,
    /// category → packages (index 0) or shortages (index 1) in it.
    categories: [FxHashMap<Category, FxHashSet<Handle>>; 2],
    /// Bumped whenever a package is indexed or forgotten: the cover worked out for a set of categories
    /// holds until then, so a screen of shortages costs one walk over the packages, not one per row.
    packages_changed: u64,
    /// Behind a lock, so that the rules after a first read can ask for covers on every core.
    covers: std::sync::Mutex<CoverCache>,
    /// The analyst's decisions, which override the matcher.
    decisions: Decisions,
    /// The categories of texts seen by [`Links::prepare`].
    memo: std::sync::Mutex<PrepareMemo>,
    /// The sets of categories packages and shortages are in, and each one's by handle.
    category_sets: CategorySets,
    /// What packages of each set of categories asked about address (behind a lock, as `covers`).
    addressed: std::sync::Mutex<FxHashMap<Box<[Category]>, Addressed>>,
}

/// The open shortages of one set of categories, as the links of a package of those categories list them:
/// how many, and the first [`MAX_ADDRESSES_LISTED`] by id. Kept up to date as shortages are indexed and
/// forgotten, so that an event about a package does not walk every shortage of its categories (tens of
/// thousands at a million records).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Addressed {
    total: usize,
    first: BTreeSet<Box<str>>,
    /// Whether `first` holds the smallest ids: not once one of them went while more were unlisted (it is
    /// worked out again when next asked).
    whole: bool,
}

/// The sets of categories records of a side ([`side`]) are in, each set once, and each record's set by its
/// handle: what covers and packages ask of a stored record's version in force, without reading its texts
/// again (a set's number is 4 bytes a record).
#[derive(Default)]
struct CategorySets {
    sets: Vec<Box<[Category]>>,
    numbers: FxHashMap<Box<[Category]>, u32>,
    by_handle: [Vec<u32>; 2],
}

impl CategorySets {
    /// Notes the set of categories of a record's version in force (none: forgotten).
    fn note(&mut self, side: usize, h: Handle, categories: &[Category]) {
        if self.sets.is_empty() {
            self.sets.push(Box::new([]));
            self.numbers.insert(Box::new([]), 0);
        }
        let n = match self.numbers.get(categories) {
            Some(n) => *n,
            None => {
                let n = self.sets.len() as u32;
                self.sets.push(categories.into());
                self.numbers.insert(categories.into(), n);
                n
            }
        };
        let by_handle = &mut self.by_handle[side];
        let at = h as usize;
        if at >= by_handle.len() {
            if n == 0 {
                return;
            }
            by_handle.resize(at + 1, 0);
        }
        by_handle[at] = n;
    }

    fn of(&self, side: usize, h: Handle) -> &[Category] {
        let n = self.by_handle[side].get(h as usize).copied().unwrap_or(0);
        self.sets.get(n as usize).map_or(&[], |s| &s[..])
    }
}

/// Sets of categories whose [`Addressed`] is kept, at most (past that, the list starts again).
const MAX_ADDRESSED_KEPT: usize = 1024;

/// Covers worked out, by set of categories, and the [`Links::packages_changed`] they were worked out at.
type CoverCache = (u64, FxHashMap<Box<[Category]>, Cover>);

/// Which of [`Links::categories`] holds a kind.
fn side(kind: Kind) -> usize {
    usize::from(kind == Kind::Shortages)
}

impl Links {
    pub fn new(vocabulary: Vocabulary) -> Self {
        let vocabulary = vocabulary
            .into_iter()
            .map(|(c, words)| (c, words.into_iter().map(|w| w.to_lowercase()).filter(|w| !w.is_empty()).collect()))
            .collect();
        // The default links' preparer already holds a matcher: its catalogue is read once, not twice.
        let mut links = Links::default();
        links.preparer.vocabulary = Arc::new(vocabulary);
        links.preparer.common = links.words.common().clone();
        links
    }

    /// The analyst's decisions on links.
    pub fn decisions(&self) -> &Decisions {
        &self.decisions
    }

    /// The decisions, to read their file again when it changed (see [`Decisions::reload_if_changed`]).
    pub fn decisions_mut(&mut self) -> &mut Decisions {
        &mut self.decisions
    }

    /// Takes the decisions (to hand them to the links that replace these).
    pub fn take_decisions(&mut self) -> Decisions {
        std::mem::take(&mut self.decisions)
    }

    pub fn set_decisions(&mut self, decisions: Decisions) {
        self.decisions = decisions;
    }

    /// Records what the analyst decided of two records (`None`: forget it), and keeps it (see
    /// [`Decisions::decide`]).
    pub fn decide(&mut self, a: (Kind, &str), b: (Kind, &str), d: Option<Decision>, at: &str) -> Result<(), String> {
        self.decisions.decide(a, b, d, at)
    }

    /// Room for `n` more name forms.
    pub fn reserve_names(&mut self, n: usize) {
        self.names.reserve(n);
    }

    /// For a first read of about `n` name forms: the name and word indexes only note what changes until
    /// [`Links::settle`], and are not to be read until then (see [`NameIndex`], [`WordIndex::defer`]).
    pub fn defer_names(&mut self, n: usize) {
        self.names.defer(n);
        self.words.defer();
    }

    /// Makes the changes to the name and word indexes noted since [`Links::defer_names`].
    pub fn settle(&mut self) {
        self.names.settle();
        self.words.settle();
    }

    /// What the indexes need of a record (see [`Preparer::prepare`]).
    ///
    /// The categories of the texts seen are remembered: covers ask for the categories of thousands of
    /// stored packages and shortages at a time. When another thread holds the memo (the rules after a
    /// first read ask on every core), they are worked out afresh rather than waited for.
    pub fn prepare(&self, texts: &SharedTexts, rec: &Packed) -> Prepared {
        match self.memo.try_lock() {
            Ok(mut memo) => self.preparer.prepare(texts, rec, Some(&mut memo)),
            Err(_) => self.preparer.prepare(texts, rec, None),
        }
    }

    /// What prepares records for these indexes, to hand to other threads.
    pub fn preparer(&self) -> Preparer {
        self.preparer.clone()
    }

    /// Follows what [`Store::apply`] did with a version of `id`: a new record is indexed; a new version in
    /// force replaces the one before it in the indexes; an older version arriving late changes nothing.
    /// `prepared` is the new version's, when the caller worked it out already.
    pub fn follow(&mut self, store: &Store, kind: Kind, id: &str, prepared: Option<&Prepared>, applied: Applied) {
        if let Some(h) = store.panel(kind).handle(id) {
            self.follow_handle(store, kind, h, prepared, applied);
        }
    }

    /// [`Links::follow`] for the record a handle names, as [`Store::apply_packed`] gave it.
    pub fn follow_handle(
        &mut self,
        store: &Store,
        kind: Kind,
        h: Handle,
        prepared: Option<&Prepared>,
        applied: Applied,
    ) {
        if let (Applied::Added, Some(prepared)) = (applied, prepared) {
            // A new record: nothing was indexed before, and there is nothing to look up.
            return self.index(store, kind, h, prepared);
        }
        let Some(entry) = store.panel(kind).by_handle(h) else { return };
        let history = entry.history();
        match applied {
            Applied::Added => {}
            Applied::Updated { current: true, .. } if history.len() >= 2 => {
                let before = self.prepare(store.texts(), history[history.len() - 2].packed());
                self.forget(kind, h, entry.id(), &before);
            }
            _ => return,
        }
        let worked_out;
        let prepared = match prepared {
            Some(p) => p,
            None => {
                worked_out = self.prepare(store.texts(), entry.current().packed());
                &worked_out
            }
        };
        self.index(store, kind, h, prepared);
    }

    /// Indexes a record's version in force, prepared by [`Links::prepare`]. A shortage is in its
    /// categories only while it is `open` (not resolved): what a package addresses is then the shortages
    /// of its categories, with no status to read for each of tens of thousands.
    fn index(&mut self, store: &Store, kind: Kind, h: Handle, prepared: &Prepared) {
        if kind == Kind::Aid {
            self.packages_changed += 1;
        }
        for f in &prepared.forms {
            self.names.add(*f, (kind, h));
        }
        for k in &prepared.keys {
            self.words.add(*k, kind, h);
        }
        let open = kind != Kind::Shortages || !is_resolved(store, h);
        if matches!(kind, Kind::Aid | Kind::Shortages) {
            self.category_sets.note(side(kind), h, &prepared.categories);
        }
        // Nothing asked yet (a first read): no id to read.
        let asked = !self.addressed.get_mut().map(|kept| kept.is_empty()).unwrap_or(false);
        if kind == Kind::Shortages && open && asked && !prepared.categories.is_empty() {
            let id = store.panel(kind).id_of(h).unwrap_or_default();
            self.note_addressed(id, &prepared.categories, true);
        }
        if open && !prepared.categories.is_empty() {
            let index = &mut self.categories[side(kind)];
            for c in &prepared.categories {
                index.entry(*c).or_default().insert(h);
            }
        }
    }

    /// Forgets a record as it was indexed (`prepared` from the version that was in force); a form or
    /// category nobody is in any more goes too (memory stays flat when retention forgets records).
    pub fn forget(&mut self, kind: Kind, h: Handle, id: &str, prepared: &Prepared) {
        if kind == Kind::Aid {
            self.packages_changed += 1;
        }
        for form in &prepared.forms {
            self.names.remove(*form, (kind, h));
        }
        for k in &prepared.keys {
            self.words.remove(*k, kind, h);
        }
        if matches!(kind, Kind::Aid | Kind::Shortages) {
            self.category_sets.note(side(kind), h, &[]);
        }
        let index = &mut self.categories[side(kind)];
        let mut was_indexed = false;
        for cat in &prepared.categories {
            if let Some(set) = index.get_mut(cat) {
                was_indexed |= set.remove(&h);
                if set.is_empty() {
                    index.remove(cat);
                }
            }
        }
        // A resolved shortage was in no category (see [`Links::index`]).
        if kind == Kind::Shortages && was_indexed {
            self.note_addressed(id, &prepared.categories, false);
        }
    }

    /// Keeps what packages address up to date: an open shortage of `categories` came (`added`) or went.
    fn note_addressed(&mut self, id: &str, categories: &[Category], added: bool) {
        let kept = self.addressed.get_mut().unwrap_or_else(|e| e.into_inner());
        for (set, a) in kept.iter_mut() {
            if !set.iter().any(|c| categories.contains(c)) {
                continue;
            }
            if added {
                a.total += 1;
                let below_last = a.first.last().is_none_or(|last| id < &**last);
                if a.whole && (a.first.len() < MAX_ADDRESSES_LISTED || below_last) {
                    a.first.insert(id.into());
                    if a.first.len() > MAX_ADDRESSES_LISTED {
                        a.first.pop_last();
                    }
                }
            } else {
                a.total = a.total.saturating_sub(1);
                if a.first.remove(id) && a.total > a.first.len() {
                    a.whole = false;
                }
            }
        }
    }

    /// The open shortages of `categories`: how many, and the first [`MAX_ADDRESSES_LISTED`] ids.
    fn addressed_by(&self, store: &Store, categories: &[Category]) -> (usize, Vec<String>) {
        let mut kept = self.addressed.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(a) = kept.get(categories).filter(|a| a.whole) {
            return (a.total, a.first.iter().map(|id| id.to_string()).collect());
        }
        let mut handles = FxHashSet::default();
        for cat in categories {
            // Only open shortages are in their categories (see [`Links::index`]).
            handles.extend(self.categories[1].get(cat).into_iter().flatten());
        }
        let shortages = store.panel(Kind::Shortages);
        let mut ids: Vec<&str> = handles.into_iter().filter_map(|h| shortages.id_of(h)).collect();
        let total = ids.len();
        // The first few by id without sorting them all.
        if ids.len() > MAX_ADDRESSES_LISTED {
            ids.select_nth_unstable(MAX_ADDRESSES_LISTED);
            ids.truncate(MAX_ADDRESSES_LISTED);
        }
        ids.sort_unstable();
        if kept.len() >= MAX_ADDRESSED_KEPT {
            kept.clear();
        }
        let first = ids.iter().map(|&id| Box::from(id)).collect();
        kept.insert(categories.into(), Addressed { total, first, whole: true });
        (total, ids.into_iter().map(str::to_owned).collect())
    }

    /// The categories of a record's version in force.
    fn categories_now(&self, store: &Store, kind: Kind, id: &str) -> Categories {
        if matches!(kind, Kind::Aid | Kind::Shortages) {
            let h = store.panel(kind).handle(id);
            return h.map(|h| self.category_sets.of(side(kind), h).into()).unwrap_or_default();
        }
        store
            .panel(kind)
            .get(id)
            .map(|e| self.prepare(store.texts(), e.current().packed()).categories)
            .unwrap_or_default()
    }

    /// The records of `other`, a party panel: `by_words` (the candidates from words) and those that carry one
    /// of these name forms, each once.
    fn candidates(&self, other: Kind, forms: &[Option<u64>], mut out: Vec<Handle>) -> Vec<Handle> {
        for f in forms.iter().flatten() {
            out.extend(self.names.get(*f).iter().filter(|k| k.0 == other).map(|k| k.1));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The matcher's verdict on two records of the party panels (their names and aliases, identifiers and
    /// countries): why they are linked, or possibly the same, or not.
    pub fn verdict(&self, store: &Store, a: (Kind, &str), b: (Kind, &str)) -> Option<Verdict> {
        let texts = |(kind, id): (Kind, &str)| {
            store.panel(kind).get(id).map(|e| PartyTexts::of(store.texts(), e.current().packed()))
        };
        let (x, y) = (texts(a)?, texts(b)?);
        Some(self.preparer.matcher.compare(&x.party(), &y.party()))
    }

    /// The vocabulary's categories that `texts` fall in.
    pub fn categorize(&self, texts: &[&str]) -> Vec<String> {
        let vocabulary = &self.preparer.vocabulary;
        self.preparer.category_indexes(texts, None).into_iter().map(|c| vocabulary[c as usize].0.clone()).collect()
    }

    /// Categories a record is in.
    pub fn categories_of(&self, store: &Store, kind: Kind, id: &str) -> Vec<&str> {
        let vocabulary = &self.preparer.vocabulary;
        self.categories_now(store, kind, id).into_iter().map(|c| vocabulary[c as usize].0.as_str()).collect()
    }

    /// Everything linked to one record.
    pub fn info(&self, store: &Store, kind: Kind, id: &str) -> LinkInfo {
        let mut info = self.row_info(store, kind, id);
        if kind == Kind::Aid {
            let categories = self.categories_now(store, Kind::Aid, id);
            (info.addresses_total, info.addresses) = self.addressed_by(store, &categories);
        }
        info
    }

    /// The open shortages a package addresses (those in one of its categories), by handle, each once.
    pub fn addressed(&self, store: &Store, package: &str) -> Vec<Handle> {
        let mut out = FxHashSet::default();
        for cat in &self.categories_now(store, Kind::Aid, package) {
            // Only open shortages are in their categories (see [`Links::index`]).
            out.extend(self.categories[1].get(cat).into_iter().flatten());
        }
        out.into_iter().collect()
    }

    /// Whether a package's move from `before` to `now` (none: not there) can change what covers a shortage:
    /// it joins or leaves a category, or goes from stalled to moving, or into or out of the pipeline
    /// (cancelled). A move between stages of a moving package (proposed to signed, say) changes no cover's
    /// kind, only the packages it lists.
    pub fn changes_cover(&self, texts: &SharedTexts, before: Option<&Packed>, now: Option<&Packed>) -> bool {
        let class = |p: Option<&Packed>| match p.map(|p| p.word("stage", Stage::ALL)) {
            None | Some(Some(Stage::Cancelled)) => 0u8,
            Some(Some(Stage::Stalled)) => 1,
            Some(_) => 2,
        };
        let cats = |p: Option<&Packed>| p.map(|p| self.prepare(texts, p).categories).unwrap_or_default();
        // A cancelled package is in no shortage's pipeline, whatever its categories.
        let (was, is) = (class(before), class(now));
        was != is || (is != 0 && cats(before) != cats(now))
    }

    /// Every sanctions record and supplier that has a party in the other panel: for the rules over every
    /// record after a first read, which need work out the links of only these.
    pub fn linked_parties(&self, store: &Store) -> LinkedParties {
        let mut set = self.names.linked();
        // Those that share words with the other panel, found from the word index itself.
        let mut words = FxHashMap::default();
        for (h, candidates) in self.words.suppliers_with_candidates() {
            set.insert((Kind::Suppliers, h));
            set.extend(candidates.iter().map(|&c| (Kind::Sanctions, c)));
            words.insert(h, candidates);
        }
        for (supplier, sanctions) in self.decisions.same() {
            for (kind, id) in [(Kind::Suppliers, supplier), (Kind::Sanctions, sanctions)] {
                set.extend(store.panel(kind).handle(id).map(|h| (kind, h)));
            }
        }
        LinkedParties { set, words }
    }

    /// What a table row shows of a record's links: everything but the shortages a package addresses, which
    /// only the detail view lists (and which costs a walk over every shortage of its categories).
    pub fn row_info(&self, store: &Store, kind: Kind, id: &str) -> LinkInfo {
        self.row_info_with(store, kind, id, None)
    }

    /// [`Links::row_info`], told a supplier's candidates from words when they are known already.
    fn row_info_with(&self, store: &Store, kind: Kind, id: &str, by_words: Option<&[Handle]>) -> LinkInfo {
        let mut info = LinkInfo::default();
        if matches!(kind, Kind::Sanctions | Kind::Suppliers) {
            let other = if kind == Kind::Sanctions { Kind::Suppliers } else { Kind::Sanctions };
            let (mut parties, mut possible) = (BTreeSet::new(), BTreeSet::new());
            let matcher = &self.preparer.matcher;
            // Each name's form once: what finds the candidates and which of their names is the same.
            let mine = store
                .panel(kind)
                .get(id)
                .map(|e| PartyTexts::of(store.texts(), e.current().packed()))
                .unwrap_or_default();
            let (my_forms, by_words) = match by_words {
                Some(found) => (mine.forms(matcher), found.to_vec()),
                None => {
                    let (forms, keys) = mine.forms_and_keys(matcher);
                    let mut found = Vec::new();
                    self.words.candidates(&keys, other, &mut found);
                    (forms, found)
                }
            };
            let candidates = self.candidates(other, &my_forms, by_words);
            if !candidates.is_empty() {
                let me = mine.party();
                let panel = store.panel(other);
                for h in candidates {
                    let (Some(entry), Some(their_id)) = (panel.by_handle(h), panel.id_of(h)) else { continue };
                    let theirs = PartyTexts::of(store.texts(), entry.current().packed());
                    // A candidate by a name form both carry: those two names are the same once written alike,
                    // and only the evidence beside them is weighed.
                    let same = theirs.forms(matcher).iter().enumerate().find_map(|(j, f)| {
                        let i = my_forms.iter().position(|g| g.is_some() && g == f)?;
                        Some((i, j))
                    });
                    match self.preparer.matcher.judge(&me, &theirs.party(), same).strength {
                        Strength::Link => parties.insert((other, their_id.to_string())),
                        Strength::Possible => possible.insert((other, their_id.to_string())),
                        Strength::No => false,
                    };
                }
            }
            // The analyst's word over the matcher's, both ways.
            for (k, other_id, d) in self.decisions.about(kind, id) {
                if store.panel(k).get(&other_id).is_none() {
                    continue;
                }
                let key = (k, other_id);
                possible.remove(&key);
                match d {
                    Decision::Same => {
                        info.confirmed.push(key.clone());
                        parties.insert(key);
                    }
                    Decision::Different => {
                        parties.remove(&key);
                        info.rejected.push(key);
                    }
                }
            }
            info.parties = parties.into_iter().collect();
            info.possible = possible.into_iter().collect();
            if kind == Kind::Suppliers {
                info.badge = badge(store, &info.parties);
            }
        }
        if kind == Kind::Shortages {
            info.cover = Some(self.cover(store, id));
        }
        info
    }

    /// [`Links::row_info`] of the record held by `h` in its panel, with what [`Links::linked_parties`]
    /// found when it is known.
    pub fn row_info_at(&self, store: &Store, kind: Kind, h: Handle, linked: Option<&LinkedParties>) -> LinkInfo {
        let id = || store.panel(kind).id_of(h).unwrap_or_default();
        match kind {
            // A shortage's links are its cover, worked out without looking its id up.
            Kind::Shortages => LinkInfo { cover: Some(self.cover_at(store, h)), ..LinkInfo::default() },
            Kind::Suppliers if linked.is_some() => {
                let by_words = linked.and_then(|l| l.words.get(&h)).map_or(&[][..], Vec::as_slice);
                self.row_info_with(store, kind, id(), Some(by_words))
            }
            _ => self.row_info(store, kind, id()),
        }
    }

    fn cover(&self, store: &Store, id: &str) -> Cover {
        match store.panel(Kind::Shortages).handle(id) {
            Some(h) => self.cover_at(store, h),
            None => self.cover_in(store, &[]),
        }
    }

    /// What covers the shortage held by `h`.
    fn cover_at(&self, store: &Store, h: Handle) -> Cover {
        if is_resolved(store, h) {
            return Cover::Resolved;
        }
        self.cover_in(store, self.category_sets.of(side(Kind::Shortages), h))
    }

    /// What covers a shortage in these categories, from the cache while no package changed.
    fn cover_in(&self, store: &Store, cats: &[Category]) -> Cover {
        {
            let mut cache = self.covers.lock().unwrap_or_else(|e| e.into_inner());
            if cache.0 != self.packages_changed {
                *cache = (self.packages_changed, FxHashMap::default());
            }
            if let Some(cover) = cache.1.get(cats) {
                return cover.clone();
            }
        }
        // Worked out without the lock held: two threads may both work one out, and agree.
        let cover = self.cover_of(store, cats);
        self.covers.lock().unwrap_or_else(|e| e.into_inner()).1.insert(cats.into(), cover.clone());
        cover
    }

    /// What covers a shortage in these categories (stages are read from the store).
    fn cover_of(&self, store: &Store, cats: &[Category]) -> Cover {
        let mut packages: Vec<(u8, &str)> = Vec::new();
        let mut seen = FxHashSet::default();
        let aid = store.panel(Kind::Aid);
        for cat in cats {
            for &package in self.categories[0].get(cat).into_iter().flatten() {
                // A package in two of the shortage's categories counts once.
                if !seen.insert(package) {
                    continue;
                }
                let (Some(entry), Some(id)) = (aid.by_handle(package), aid.id_of(package)) else { continue };
                match entry.current().packed().word("stage", Stage::ALL) {
                    Some(Stage::Cancelled) => {}
                    stage => packages.push((progress(stage), id)),
                }
            }
        }
        if packages.is_empty() {
            return Cover::Uncovered;
        }
        packages.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let all_stalled = packages.iter().all(|(p, _)| *p == 0);
        let ids: Arc<[String]> = packages.into_iter().map(|(_, id)| id.to_owned()).collect();
        if all_stalled {
            Cover::AtRisk(ids)
        } else {
            Cover::Covered(ids)
        }
    }
}

fn is_resolved(store: &Store, shortage: Handle) -> bool {
    store
        .panel(Kind::Shortages)
        .by_handle(shortage)
        .is_some_and(|e| e.current().packed().word("status", ShortageStatus::ALL) == Some(ShortageStatus::Resolved))
}

/// How far along a package is; 0 for stalled.
fn progress(stage: Option<Stage>) -> u8 {
    match stage {
        Some(Stage::Stalled) => 0,
        None | Some(Stage::Proposed) => 1,
        Some(Stage::InCommittee) => 2,
        Some(Stage::PassedOneChamber) => 3,
        Some(Stage::PassedBoth) => 4,
        Some(Stage::Signed) => 5,
        Some(Stage::Obligated) => 6,
        Some(Stage::Delivering) => 7,
        Some(Stage::Delivered) => 8,
        Some(Stage::Cancelled) => 0,
    }
}

/// The standing of a supplier from the sanctions records that name it: the latest designation in force,
/// or, when all were lifted, the latest delisting.
fn badge(store: &Store, parties: &[Key]) -> Option<Badge> {
    let mut active: Option<(chrono::DateTime<chrono::Utc>, String, String)> = None;
    let mut lifted: Option<(chrono::DateTime<chrono::Utc>, String, String)> = None;
    for (kind, id) in parties {
        let Some(entry) = store.panel(*kind).get(id) else { continue };
        let rec = &entry.current().record(store.texts());
        let Body::Sanction(s) = &rec.body else { continue };
        let item = (rec.ts.utc, s.authority.as_deref().unwrap_or("?").to_owned(), rec.ts.date());
        let slot = if s.action == Some(Action::Delisted) { &mut lifted } else { &mut active };
        if slot.as_ref().is_none_or(|(t, _, _)| item.0 > *t) {
            *slot = Some(item);
        }
    }
    match (active, lifted) {
        (Some((_, authority, date)), _) => Some(Badge::Sanctioned { authority, date }),
        (None, Some((_, authority, date))) => Some(Badge::Delisted { authority, date }),
        (None, None) => None,
    }
}

/// What the matcher reads of a sanctions record or a supplier: its names (the title first), identifiers
/// and country, as the schema's roles say.
#[derive(Default)]
struct PartyTexts {
    names: Vec<String>,
    identifiers: Vec<String>,
    country: Option<String>,
}

impl PartyTexts {
    fn of(texts: &SharedTexts, rec: &Packed) -> Self {
        let mut out = PartyTexts::default();
        rec.declared_texts(texts, &mut |field, t| match field.role {
            Role::Name => out.names.push(t.to_owned()),
            Role::Identifier => out.identifiers.push(t.to_owned()),
            _ if field.name == "country" => out.country = Some(t.to_owned()),
            _ => {}
        });
        out
    }

    /// The form hash of each name (see [`Matcher::form_hash`]).
    fn forms(&self, matcher: &Matcher) -> Vec<Option<u64>> {
        self.names.iter().map(|n| matcher.form_hash(n)).collect()
    }

    /// [`PartyTexts::forms`], and the keys of the names' words, each beside its name's number, once.
    fn forms_and_keys(&self, matcher: &Matcher) -> (Vec<Option<u64>>, Keys) {
        let mut keys = Keys::new();
        let forms = (self.names.iter().enumerate())
            .map(|(i, n)| matcher.form_and_keys(n, None, &mut |k| keys.push((i.min(255) as u8, k))))
            .collect();
        keys.sort_unstable();
        keys.dedup();
        (forms, keys)
    }

    fn party(&self) -> Party<'_> {
        Party {
            names: self.names.iter().map(String::as_str).collect(),
            identifiers: self.identifiers.iter().map(String::as_str).collect(),
            country: self.country.as_deref(),
        }
    }
}

/// The vocabulary used when the config names none: the categories of the brief's shortages and aid.
pub fn default_vocabulary() -> Vocabulary {
    let v: &[(&str, &[&str])] = &[
        (
            "artillery ammunition",
            &["155mm", "152mm", "122mm", "artillery", "shell", "mortar", "ammunition", "mlrs", "rocket"],
        ),
        ("air defence", &["air defence", "air defense", "interceptor", "patriot", "nasams", "iris-t", "anti-aircraft"]),
        ("drones", &["drone", "uav", "fpv"]),
        ("armoured vehicles", &["armoured", "armored", "infantry fighting", "personnel carrier", "ifv", "apc", "tank"]),
        ("electronic warfare", &["electronic warfare", "jammer", "counter-drone", "ew system"]),
        ("engineering", &["fortification", "engineering", "bridging"]),
        ("demining", &["demining", "mine-clearing", "mine clearing"]),
        ("medical", &["medical", "tourniquet", "trauma", "ambulance"]),
        ("radar", &["radar"]),
        ("fuel and power", &["fuel", "diesel", "generator"]),
        ("optics", &["thermal", "optic", "sight"]),
        ("communications", &["radio", "communications", "satellite terminal"]),
        ("combat aircraft", &["combat aircraft", "f-16", "fighter"]),
    ];
    v.iter().map(|(c, words)| (c.to_string(), words.iter().map(|w| w.to_string()).collect())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::jsonl::parse_line;
    use crate::model::store::Origin;

    #[test]
    fn a_line_prepared_as_it_is_packed_is_prepared_as_its_record() {
        let (links, store) = (Links::new(default_vocabulary()), Store::new());
        let preparer = links.preparer();
        let mut state = crate::formats::LineState::new(crate::model::packed::Packer::sharing(store.shared_texts()));
        let mut memo = PrepareMemo::default();
        for (kind, line) in [
            (
                Kind::Sanctions,
                r#"{"id":"s","ts":"2024-05-01T00:00:00Z","target":"Alpha Ltd","aliases":["Beta LLC","Alpha Ltd."]}"#,
            ),
            (Kind::Suppliers, r#"{"id":"p","ts":"2024-05-01T00:00:00Z","name":"Гамма ООО","customers":["Delta"]}"#),
            (
                Kind::Aid,
                r#"{"id":"a","ts":"2024-05-01T00:00:00Z","items":["155mm shells","FPV drones","medical kits"]}"#,
            ),
            (
                Kind::Shortages,
                r#"{"id":"h","ts":"2024-05-01T00:00:00Z","category":"air defence","item":"Patriot interceptors"}"#,
            ),
            (Kind::Shortages, r#"{"id":"h2","ts":"2024-05-01T00:00:00Z","item":"blankets"}"#),
        ] {
            let mut preparing = preparer.start(Some(&mut memo));
            let packed =
                crate::formats::jsonl::parse_packed_with(line.as_bytes(), Some(kind), &mut state, &mut |_, f, t| {
                    preparing.add(f, t)
                })
                .expect("valid")
                .expect("record");
            let on_the_way = preparing.finish();
            assert_eq!(on_the_way, links.prepare(store.texts(), &packed), "{line}");
            assert!(!on_the_way.forms.is_empty() || !on_the_way.categories.is_empty() || line.contains("blankets"));
        }
    }

    fn add(store: &mut Store, links: &mut Links, kind: Kind, line: &str) {
        let rec = parse_line(line.as_bytes(), Some(kind)).expect("valid").expect("record");
        let id = rec.id.clone();
        let applied = store.apply(rec, Origin { line: 1, ..Origin::NONE });
        links.follow(store, kind, &id, None, applied);
    }

    #[test]
    fn the_analysts_decisions_override_the_matcher_both_ways() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let designation =
            r#"{"id":"s","ts":"2024-05-01T00:00:00Z","authority":"OFAC","action":"designated","target":"Alpha Ltd"}"#;
        add(&mut store, &mut links, Kind::Sanctions, designation);
        add(&mut store, &mut links, Kind::Suppliers, r#"{"id":"p","ts":"2024-03-01T00:00:00Z","name":"Alpha Ltd."}"#);
        add(&mut store, &mut links, Kind::Suppliers, r#"{"id":"q","ts":"2024-03-01T00:00:00Z","name":"Alpha AG"}"#);
        add(
            &mut store,
            &mut links,
            Kind::Suppliers,
            r#"{"id":"r","ts":"2024-03-01T00:00:00Z","name":"Omega Trading"}"#,
        );
        let s = (Kind::Sanctions, "s".to_string());
        assert_eq!(links.info(&store, Kind::Suppliers, "p").parties, std::slice::from_ref(&s));
        assert_eq!(links.info(&store, Kind::Suppliers, "q").possible, std::slice::from_ref(&s));
        assert!(links.linked_parties(&store).len() >= 2);
        // Another party after all; the same party after all; the same party the matcher never found.
        for (id, d) in [("p", Decision::Different), ("q", Decision::Same), ("r", Decision::Same)] {
            links.decide((Kind::Suppliers, id), (Kind::Sanctions, "s"), Some(d), "t").expect("kept nowhere");
        }
        let p = links.info(&store, Kind::Suppliers, "p");
        assert!(p.parties.is_empty() && p.possible.is_empty() && p.badge.is_none());
        assert_eq!(p.rejected, std::slice::from_ref(&s));
        let q = links.info(&store, Kind::Suppliers, "q");
        assert_eq!((q.parties.clone(), q.confirmed.clone()), (vec![s.clone()], vec![s.clone()]));
        assert!(matches!(q.badge, Some(Badge::Sanctioned { .. })));
        assert_eq!(links.info(&store, Kind::Suppliers, "r").parties, std::slice::from_ref(&s));
        let linked = links.linked_parties(&store);
        assert!(linked.contains(&(Kind::Suppliers, store.panel(Kind::Suppliers).handle("r").expect("r"))));
        // Forgotten: the matcher decides again.
        links.decide((Kind::Suppliers, "p"), (Kind::Sanctions, "s"), None, "t").expect("kept nowhere");
        assert_eq!(links.info(&store, Kind::Suppliers, "p").parties, [s]);
    }

    #[test]
    fn a_supplier_and_a_sanctions_target_with_the_same_name_are_linked() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Suppliers,
            r#"{"id":"sup","ts":"2024-03-01T00:00:00Z","name":"Qingyun Starforge CNC Co., Ltd.","aliases":["青云星锻数控有限公司"]}"#,
        );
        assert_eq!(links.info(&store, Kind::Suppliers, "sup").badge, None);
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"ofac","ts":"2024-05-01T15:00:00Z","authority":"OFAC","action":"designated","target":"QINGYUN STARFORGE CNC CO., LTD."}"#,
        );
        let info = links.info(&store, Kind::Suppliers, "sup");
        assert_eq!(info.parties, [(Kind::Sanctions, "ofac".to_string())]);
        assert_eq!(info.badge, Some(Badge::Sanctioned { authority: "OFAC".into(), date: "2024-05-01".into() }));
        assert_eq!(links.info(&store, Kind::Sanctions, "ofac").parties, [(Kind::Suppliers, "sup".to_string())]);
        // Delisted later: the badge says so.
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"ofac","ts":"2024-06-01T15:00:00Z","authority":"OFAC","action":"delisted","target":"QINGYUN STARFORGE CNC CO., LTD."}"#,
        );
        assert_eq!(
            links.info(&store, Kind::Suppliers, "sup").badge,
            Some(Badge::Delisted { authority: "OFAC".into(), date: "2024-06-01".into() })
        );
    }

    #[test]
    fn an_alias_in_another_script_links_too_and_a_rename_unlinks() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Suppliers,
            r#"{"id":"sup","ts":"2024-03-01T00:00:00Z","name":"OOO Vostok-Komponent"}"#,
        );
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"s","ts":"2024-05-01T00:00:00Z","target":"Vostok Components","aliases":["ООО «Восток-Компонент»"]}"#,
        );
        assert_eq!(links.info(&store, Kind::Suppliers, "sup").parties.len(), 1);
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"s","ts":"2024-05-02T00:00:00Z","target":"Vostok Components"}"#,
        );
        assert!(links.info(&store, Kind::Suppliers, "sup").parties.is_empty(), "the old alias no longer links");
    }

    #[test]
    fn a_forgotten_record_leaves_nothing_in_the_indexes() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Sanctions,
            r#"{"id":"s","ts":"2024-05-01T00:00:00Z","target":"Unique Firm Ltd"}"#,
        );
        add(&mut store, &mut links, Kind::Shortages, r#"{"id":"h","ts":"2024-05-01T00:00:00Z","item":"155mm shells"}"#);
        assert!(!links.names.is_empty() && !links.categories[1].is_empty());
        for (kind, id) in [(Kind::Sanctions, "s"), (Kind::Shortages, "h")] {
            let (h, gone) = store.panel_mut(kind).remove(id).expect("held");
            links.forget(kind, h, gone.id(), &links.prepare(store.texts(), gone.current().packed()));
        }
        assert!(links.names.is_empty(), "found by the soak test: forms of forgotten records piled up");
        assert!(links.categories.iter().all(|c| c.is_empty()));
    }

    #[test]
    fn a_package_moves_covers_only_into_or_out_of_stalled_cancelled_or_a_category() {
        let (links, texts) = (Links::new(default_vocabulary()), SharedTexts::new());
        let pkg = |stage: &str, items: &str| {
            let line = format!(r#"{{"id":"p","ts":"2024-03-01T00:00:00Z","stage":"{stage}","items":[{items}]}}"#);
            crate::formats::jsonl::parse_packed(line.as_bytes(), Some(Kind::Aid)).expect("ok").expect("rec")
        };
        let ammo = r#""155mm shells""#;
        let (proposed, signed) = (pkg("proposed", ammo), pkg("signed", ammo));
        assert!(!links.changes_cover(&texts, Some(&proposed), Some(&signed)), "moving along the pipeline");
        assert!(links.changes_cover(&texts, Some(&signed), Some(&pkg("stalled", ammo))));
        assert!(links.changes_cover(&texts, Some(&signed), Some(&pkg("cancelled", ammo))));
        assert!(
            links.changes_cover(&texts, Some(&signed), Some(&pkg("signed", r#""FPV drones""#))),
            "another category"
        );
        assert!(links.changes_cover(&texts, None, Some(&signed)), "a new package");
        assert!(
            !links.changes_cover(&texts, None, Some(&pkg("cancelled", ammo))),
            "a package cancelled from the start"
        );
    }

    #[test]
    fn a_package_lists_its_first_hundred_shortages_by_id_and_counts_them_all() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        for i in (0..150).rev() {
            let line = format!(r#"{{"id":"h{i:03}","ts":"2024-03-01T00:00:00Z","category":"ammunition"}}"#);
            add(&mut store, &mut links, Kind::Shortages, &line);
        }
        add(&mut store, &mut links, Kind::Aid, r#"{"id":"p","ts":"2024-03-01T00:00:00Z","items":["155mm shells"]}"#);
        let info = links.info(&store, Kind::Aid, "p");
        assert_eq!(info.addresses_total, 150);
        let want: Vec<String> = (0..MAX_ADDRESSES_LISTED).map(|i| format!("h{i:03}")).collect();
        assert_eq!(info.addresses, want);
    }

    #[test]
    fn what_a_package_addresses_is_kept_up_to_date_as_shortages_come_and_go() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let shortage = |i: u32, status: &str, day: u32| {
            format!(
                r#"{{"id":"h{i:03}","ts":"2024-03-{day:02}T00:00:00Z","category":"ammunition","status":"{status}"}}"#
            )
        };
        for i in (10..160).rev() {
            add(&mut store, &mut links, Kind::Shortages, &shortage(i, "reported", 1));
        }
        add(&mut store, &mut links, Kind::Aid, r#"{"id":"p","ts":"2024-03-01T00:00:00Z","items":["155mm shells"]}"#);
        let kept = |links: &Links, store: &Store| {
            let info = links.info(store, Kind::Aid, "p");
            (info.addresses_total, info.addresses)
        };
        let afresh = |links: &Links, store: &Store| {
            links.addressed.lock().expect("lock").clear();
            kept(links, store)
        };
        assert_eq!(kept(&links, &store).0, 150);
        // An id below the listed ones, one above them, a listed one resolved, an unlisted one resolved, a
        // listed one updated and still open, a resolved one reopened: each as a fresh walk would list it.
        for (i, status, day) in [
            (3, "reported", 1),
            (500, "reported", 1),
            (12, "resolved", 2),
            (150, "resolved", 2),
            (20, "easing", 2),
            (12, "reported", 3),
        ] {
            add(&mut store, &mut links, Kind::Shortages, &shortage(i, status, day));
            let now = kept(&links, &store);
            assert_eq!(now, afresh(&links, &store), "after h{i:03} {status}");
        }
        assert_eq!(kept(&links, &store).0, 151, "150, and 3 and 500, less 150; 12 resolved and reopened");
    }

    #[test]
    fn a_records_categories_are_those_of_its_version_in_force() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let package =
            |items: &str, day: u32| format!(r#"{{"id":"p","ts":"2024-03-{day:02}T00:00:00Z","items":[{items}]}}"#);
        add(&mut store, &mut links, Kind::Aid, &package(r#""155mm shells""#, 2));
        assert_eq!(links.categories_of(&store, Kind::Aid, "p"), ["artillery ammunition"]);
        add(&mut store, &mut links, Kind::Aid, &package(r#""FPV drones""#, 3));
        assert_eq!(links.categories_of(&store, Kind::Aid, "p"), ["drones"]);
        add(&mut store, &mut links, Kind::Aid, &package(r#""155mm shells""#, 1));
        assert_eq!(links.categories_of(&store, Kind::Aid, "p"), ["drones"], "an older version arriving late");
        let (h, gone) = store.panel_mut(Kind::Aid).remove("p").expect("held");
        links.forget(Kind::Aid, h, gone.id(), &links.prepare(store.texts(), gone.current().packed()));
        assert!(links.category_sets.of(side(Kind::Aid), h).is_empty(), "forgotten");
    }

    #[test]
    fn a_package_addresses_a_shortage_while_it_is_open() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let shortage = |status: &str, at: &str| {
            format!(r#"{{"id":"h","ts":"2024-03-0{at}T00:00:00Z","category":"ammunition","status":"{status}"}}"#)
        };
        add(&mut store, &mut links, Kind::Shortages, &shortage("resolved", "1"));
        add(&mut store, &mut links, Kind::Aid, r#"{"id":"p","ts":"2024-03-01T00:00:00Z","items":["155mm shells"]}"#);
        assert_eq!(links.info(&store, Kind::Aid, "p").addresses_total, 0, "resolved from the start");
        add(&mut store, &mut links, Kind::Shortages, &shortage("reported", "2"));
        assert_eq!(links.info(&store, Kind::Aid, "p").addresses, ["h"], "reopened");
        add(&mut store, &mut links, Kind::Shortages, &shortage("resolved", "3"));
        assert_eq!(links.info(&store, Kind::Aid, "p").addresses_total, 0, "resolved again");
        // A late version of its open days changes nothing: the version in force is resolved.
        add(&mut store, &mut links, Kind::Shortages, &shortage("easing", "2"));
        assert_eq!(links.info(&store, Kind::Aid, "p").addresses_total, 0);
        assert_eq!(links.info(&store, Kind::Shortages, "h").cover, Some(Cover::Resolved));
    }

    #[test]
    fn shortages_are_covered_at_risk_or_uncovered() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        add(
            &mut store,
            &mut links,
            Kind::Shortages,
            r#"{"id":"ammo","ts":"2024-03-01T00:00:00Z","category":"ammunition","item":"155mm artillery shells"}"#,
        );
        add(
            &mut store,
            &mut links,
            Kind::Shortages,
            r#"{"id":"ew","ts":"2024-03-01T00:00:00Z","category":"electronic warfare","item":"EW jammers"}"#,
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ammo").cover, Some(Cover::Uncovered));
        add(
            &mut store,
            &mut links,
            Kind::Aid,
            r#"{"id":"epf","ts":"2024-03-01T00:00:00Z","stage":"passed_both","items":["artillery ammunition"]}"#,
        );
        assert_eq!(
            links.info(&store, Kind::Shortages, "ammo").cover,
            Some(Cover::Covered(vec!["epf".to_string()].into()))
        );
        assert_eq!(links.info(&store, Kind::Aid, "epf").addresses, ["ammo"]);
        add(
            &mut store,
            &mut links,
            Kind::Aid,
            r#"{"id":"epf","ts":"2024-05-01T00:00:00Z","stage":"stalled","items":["artillery ammunition"]}"#,
        );
        assert_eq!(
            links.info(&store, Kind::Shortages, "ammo").cover,
            Some(Cover::AtRisk(vec!["epf".to_string()].into()))
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ew").cover, Some(Cover::Uncovered));
        add(
            &mut store,
            &mut links,
            Kind::Shortages,
            r#"{"id":"ew","ts":"2024-06-01T00:00:00Z","category":"electronic warfare","item":"EW jammers","status":"resolved"}"#,
        );
        assert_eq!(links.info(&store, Kind::Shortages, "ew").cover, Some(Cover::Resolved));
    }
}

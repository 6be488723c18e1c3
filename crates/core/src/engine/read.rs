//! Reading: what the line feeds give, parsed (on other threads for long reads) and applied to the store and
//! the links in the order it was read, as [`Change`]s.

use super::batch::{Context, Out, Parsed, Pipeline};
use super::change::Change;
use super::errors::FeedError;
use super::rules::FieldRules;
use crate::feed::{FeedEvent, Feeds};
use crate::formats::Format;
use crate::model::links::{Links, Prepared};
use crate::model::packed::Packed;
use crate::model::store::{Applied, Handle, Origin, Store};
use crate::model::vocab::Kind;
use std::path::PathBuf;
use std::sync::Arc;

/// Which field rules each record of a first read matched (see [`Key::hits`]), by the record's handle, in
/// the order they were applied: a list, not a map, for a first read notes 200k of them on the thread that
/// applies every record.
#[derive(Debug, Default)]
pub struct FirstHits {
    /// New records that matched something.
    pub added: Vec<(Kind, Handle, u64)>,
    /// Records updated since (what the version in force matches replaces what the one before did).
    pub updated: Vec<(Kind, Handle, u64)>,
}

impl FirstHits {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.updated.is_empty()
    }
}

/// A first read under way: its indexes sized for what the files hold, and its name index and panels'
/// orders built once at its end ([`FirstRead::end`]) rather than record by record, for the line feeds and
/// the published lists alike.
pub struct FirstRead {
    began: std::time::Instant,
}

impl FirstRead {
    /// `bytes` is what the files of each kind hold.
    pub fn begin(bytes: [u64; 4], store: &mut Store, links: &mut Links) -> FirstRead {
        let began = std::time::Instant::now();
        // Size the indexes for what the files hold (lines of ~300-400 bytes; a low guess only costs a
        // growth step, a high one memory), rather than growing them through every power of two.
        let guess = |b: u64| (b / 500) as usize;
        for &kind in Kind::ALL {
            store.panel_mut(kind).reserve(guess(bytes[kind.index()]));
        }
        let forms = 2 * guess(bytes[Kind::Sanctions.index()] + bytes[Kind::Suppliers.index()]);
        links.reserve_names(forms);
        // The name forms of a first read are put in the index at its end, in cache-sized parts; each
        // panel's order is built at its end from the places records took, sorted.
        links.defer_names(forms);
        store.defer_order(std::array::from_fn(|k| guess(bytes[k])));
        FirstRead { began }
    }

    /// The name index and the panels' orders, built at once.
    pub fn end(self, store: &mut Store, links: &mut Links) {
        let read = self.began.elapsed();
        std::thread::scope(|scope| {
            scope.spawn(|| links.settle());
            store.settle_order();
        });
        let records: usize = Kind::ALL.iter().map(|&k| store.panel(k).len()).sum();
        tracing::info!(
            "first read: {records} records read in {:.3} s, indexed in {:.3} s",
            read.as_secs_f64(),
            (self.began.elapsed() - read).as_secs_f64()
        );
    }
}

/// Reads whatever is new in the line feeds, at most `budget` bytes of each (with `once`, all of it, taking
/// the end of each file as the end of its last line) and applies it. `news` is false for the first read (see [`FirstRead`]): its records are not
/// news, and `rules` are matched on the parser threads then, and what the records in force matched is
/// noted in `hits`.
#[allow(clippy::too_many_arguments)]
pub fn lines(
    feeds: &mut Feeds,
    store: &mut Store,
    links: &mut Links,
    pipeline: &mut Pipeline<Change>,
    once: bool,
    budget: u64,
    news: bool,
    rules: Option<Arc<FieldRules>>,
    hits: &mut FirstHits,
) -> Vec<Change> {
    let mut changes = Vec::new();
    let rules = if news { None } else { rules };
    let texts = store.shared_texts();
    let context = |links: &Links| Context { texts: texts.clone(), preparer: links.preparer(), rules: rules.clone() };
    let mut batch = pipeline.batch(false);
    let mut on = |e: FeedEvent<'_>| {
        match e {
            // Each format read line by line gives its parser; a published list is read whole by its
            // snapshot feed, never line by line.
            FeedEvent::Lines { file, first, count, bytes, kind, format } => match format.line_parser() {
                Some(parser) => batch.push_lines(store.origin(file, first), count, kind, parser, bytes),
                None => batch.push_event(not_by_line(file, format)),
            },
            FeedEvent::Line { file, line, bytes, kind, format } => match format.line_parser() {
                Some(parser) => batch.push_line(store.origin(file, line), kind, parser, bytes),
                None => batch.push_event(not_by_line(file, format)),
            },
            other => batch.push_event(feed_change(other)),
        }
        if batch.is_full() {
            let next = pipeline.batch(true);
            pipeline.submit(std::mem::replace(&mut batch, next), context(links));
            while let Some(mut parsed) = pipeline.next(false) {
                apply_parsed(parsed.parsed(), store, links, news, &mut changes, hits);
                pipeline.recycle(parsed);
            }
        }
    };
    // A poll reads a bounded amount of each file (see `PER_POLL`); a one-shot read reads them whole.
    if once {
        feeds.read_once(&mut on);
    } else {
        feeds.poll_within(Some(budget), &mut on);
    }
    pipeline.submit(batch, context(links));
    // A first read that goes on at the next poll leaves what is being parsed in flight: the parsers work
    // on while keys are answered, and nothing waits for the slowest batch at every part.
    let more = !news && !once && feeds.has_more();
    while let Some(mut parsed) = pipeline.next(!more) {
        apply_parsed(parsed.parsed(), store, links, news, &mut changes, hits);
        pipeline.recycle(parsed);
    }
    if !more {
        pipeline.release();
    }
    changes
}

/// Bytes of each file read at most by a poll: a file of gigabytes at start, or one that grows by gigabytes
/// at once (a preallocated file, a run without line ends), is read a part a poll, keys and signals handled
/// between ([`crate::engine::Engine::has_more`] says to poll again at once; a first read goes on over polls,
/// see [`crate::engine::Engine::loading`]).
pub const PER_POLL: u64 = 64 << 20;

/// Lines of a published list, which is read whole: a mistake of the program's, said rather than hidden.
fn not_by_line(file: &Arc<PathBuf>, format: Format) -> Change {
    let message = format!("{} is read whole, not line by line", format.name());
    Change::FeedError(FeedError { file: file.clone(), line: None, message })
}

/// What a feed event other than a line means.
pub fn feed_change(e: FeedEvent<'_>) -> Change {
    let error = |file: &Arc<PathBuf>, line: Option<u64>, message: String| {
        Change::FeedError(FeedError { file: file.clone(), line, message })
    };
    match e {
        FeedEvent::Line { file, line, .. } | FeedEvent::Lines { file, first: line, .. } => {
            error(file, Some(line), "line read out of turn".into())
        }
        FeedEvent::TooLong { file, line, len } => error(
            file,
            Some(line),
            format!("line is {len} bytes, longer than the limit (limits.max_line_bytes): skipped"),
        ),
        FeedEvent::Unreadable { file, reason } => error(file, None, reason),
        FeedEvent::Appeared { file } => Change::FileAppeared { file: file.clone() },
        FeedEvent::Vanished { file } => Change::FileVanished { file: file.clone() },
        FeedEvent::Truncated { file } => Change::FileTruncated { file: file.clone() },
        FeedEvent::Replaced { file } => Change::FileReplaced { file: file.clone() },
        FeedEvent::Missing { file } => Change::FeedMissing { file: file.clone() },
    }
}

/// Records ahead of the one being applied whose place in the store is fetched into the cache meanwhile.
const PREFETCH_AHEAD: usize = 8;

/// Applies a parsed batch in the order it was read, taking its items out; on a first read (`news` false)
/// notes in `hits` which field rules each record in force matched.
pub fn apply_parsed(
    parsed: &mut Vec<Out<Change>>,
    store: &mut Store,
    links: &mut Links,
    news: bool,
    out: &mut Vec<Change>,
    hits: &mut FirstHits,
) {
    for i in 0..parsed.len() {
        // Each record's place in the id index is a cache miss of its own, and so is the record (parsed on
        // another core): fetched a few records ahead, the waits overlap.
        if let Some(Out::Line(Parsed::Record(record, _, _, key))) = parsed.get(i + PREFETCH_AHEAD) {
            store.prefetch(key.kind, key.hash);
            record.prefetch();
        }
        let item = std::mem::replace(&mut parsed[i], Out::Line(Parsed::Blank));
        match item {
            Out::Line(Parsed::Blank) => {}
            Out::Line(Parsed::Record(record, prepared, origin, key)) if !news => {
                let with = Some((&prepared, key.hash));
                quietly_read(store, links, record, with, origin, key.hits, out, hits);
            }
            Out::Line(Parsed::Record(record, prepared, origin, key)) => {
                out.extend(apply(store, links, record, Some((&prepared, key.hash)), origin, news))
            }
            Out::Line(Parsed::Bad { origin, message }) => {
                let (file, line) = (store.path(origin.file).clone(), origin.line);
                out.push(Change::FeedError(FeedError { file, line: Some(line), message }))
            }
            Out::Event(change) => out.push(change),
        }
    }
    parsed.clear();
}

/// Puts a version in the store, indexes its links when it is the version in force, and says what changed.
///
/// A record from a parser thread comes `parsed`: with what the links need of it, and its id's hash.
pub fn apply(
    store: &mut Store,
    links: &mut Links,
    record: Packed,
    parsed: Option<(&Prepared, u64)>,
    origin: Origin,
    news: bool,
) -> Option<Change> {
    let kind = record.kind();
    let applied = quietly_apply(store, links, record, parsed, origin);
    let id = || Arc::from(store.panel(kind).id_of(applied.1).unwrap_or_default());
    let origin = || store.file_line(origin);
    match applied.0 {
        Applied::Added => Some(Change::RecordAdded { kind, id: id(), origin: origin(), news }),
        Applied::Updated { versions, .. } => {
            Some(Change::RecordUpdated { kind, id: id(), origin: origin(), versions, news })
        }
        Applied::Duplicate => None,
    }
}

/// A record of a first read, applied: counted in the [`Change::Read`] of its file and kind rather than
/// listed, and the field rules it matches (`rule_hits`, see [`FieldRules::hits`]) noted in `hits`.
#[allow(clippy::too_many_arguments)]
pub fn quietly_read(
    store: &mut Store,
    links: &mut Links,
    record: Packed,
    parsed: Option<(&Prepared, u64)>,
    origin: Origin,
    rule_hits: u64,
    out: &mut Vec<Change>,
    hits: &mut FirstHits,
) {
    let kind = record.kind();
    let (applied, h) = quietly_apply(store, links, record, parsed, origin);
    match applied {
        Applied::Added if rule_hits != 0 => hits.added.push((kind, h, rule_hits)),
        // The version in force now says what matches, matching nothing included.
        Applied::Updated { current: true, .. } => hits.updated.push((kind, h, rule_hits)),
        _ => {}
    }
    if applied == Applied::Duplicate {
        return;
    }
    // The count of this file and kind among the counts at the end (a published list's rows come in
    // several kinds, one after another). The store keeps one path a file: the same file is the same
    // pointer (a path compared as a path goes through its components, for every record of a load).
    let file = store.path(origin.file);
    let counts = out.iter_mut().rev().take_while(|c| matches!(c, Change::Read { .. }));
    let mut count = counts.filter_map(|c| match c {
        Change::Read { kind: k, file: f, records } if *k == kind && Arc::ptr_eq(f, file) => Some(records),
        _ => None,
    });
    match count.next() {
        Some(records) => *records += 1,
        None => out.push(Change::Read { kind, file: file.clone(), records: 1 }),
    }
}

/// [`apply`] without saying what changed (a first read counts records rather than listing them).
pub fn quietly_apply(
    store: &mut Store,
    links: &mut Links,
    record: Packed,
    parsed: Option<(&Prepared, u64)>,
    origin: Origin,
) -> (Applied, Handle) {
    let kind = record.kind();
    let (applied, h) = match parsed {
        Some((_, hash)) => store.apply_hashed(record, hash, origin),
        None => store.apply_packed(record, origin),
    };
    links.follow_handle(store, kind, h, parsed.map(|(p, _)| p), applied);
    (applied, h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FeedSpec;
    use crate::model::links::default_vocabulary;
    use std::io::Write;

    fn feeds_on(dir: &std::path::Path) -> Feeds {
        let path = dir.join("aid.jsonl");
        let spec = FeedSpec {
            given: path.clone(),
            path,
            kind: Some(Kind::Aid),
            format: Format::Jsonl,
            poll_ms: None,
            deltas: None,
        };
        Feeds::new(vec![spec], 1024)
    }

    fn line(id: &str, stage: &str) -> String {
        format!("{{\"id\":\"{id}\",\"ts\":\"2026-02-01T00:00:00Z\",\"title\":\"P {id}\",\"stage\":\"{stage}\"}}\n")
    }

    #[test]
    fn a_first_read_counts_records_per_file_and_later_arrivals_are_news_with_their_line() {
        let dir = tempfile::tempdir().expect("dir");
        let mut file = std::fs::File::create(dir.path().join("aid.jsonl")).expect("file");
        write!(file, "{}{}not json\n{}", line("a", "proposed"), line("b", "signed"), line("a", "delivering"))
            .expect("write");
        let (mut feeds, mut store, mut links) = (feeds_on(dir.path()), Store::new(), Links::new(default_vocabulary()));
        let mut pipeline = Pipeline::default();
        let mut hits = FirstHits::default();
        let first = lines(&mut feeds, &mut store, &mut links, &mut pipeline, false, PER_POLL, false, None, &mut hits);
        let read: Vec<usize> = first
            .iter()
            .filter_map(|c| if let Change::Read { records, .. } = c { Some(*records) } else { None })
            .collect();
        assert_eq!(read, [2, 1], "two records, then after the bad line one more (an update)");
        assert!(first.iter().any(|c| matches!(c, Change::FeedError(e) if e.line == Some(3))));
        assert_eq!(store.panel(Kind::Aid).get("a").expect("a").history().len(), 2);

        write!(file, "{}", line("c", "proposed")).expect("write");
        let next = lines(&mut feeds, &mut store, &mut links, &mut pipeline, false, PER_POLL, true, None, &mut hits);
        assert!(
            matches!(&next[..], [Change::RecordAdded { id, origin, news: true, .. }] if &**id == "c" && origin.line == 5),
            "{next:?}"
        );
    }

    #[test]
    fn the_same_version_twice_is_no_change() {
        let (mut store, mut links) = (Store::new(), Links::new(default_vocabulary()));
        let packed = || crate::formats::jsonl::parse_packed(line("a", "signed").trim().as_bytes(), Some(Kind::Aid));
        let origin = store.origin(std::path::Path::new("/f/aid.jsonl"), 1);
        let first = apply(&mut store, &mut links, packed().expect("ok").expect("rec"), None, origin, true);
        assert!(matches!(first, Some(Change::RecordAdded { .. })));
        assert_eq!(apply(&mut store, &mut links, packed().expect("ok").expect("rec"), None, origin, true), None);
    }
}

//! Lines read in one look at the feeds, parsed on other threads while the main thread applies what was
//! parsed before, in the order it was read.
//!
//! Parsing a line and reducing its names to the forms the links compare are the costly part of a load, and
//! neither needs the store: lines go in batches to parser threads, and the main thread keeps reading and
//! applies the parsed records one by one, in order, with the other events between them. A handful of lines
//! (the usual append) is parsed on the spot: no thread hop in the way of a new record reaching the screen.

use super::rules::FieldRules;
use crate::formats::{LineParser, LineState};
use crate::model::links::{PrepareMemo, Prepared, Preparer};
use crate::model::packed::{Packed, Packer, SharedTexts};
use crate::model::schema::Field;
use crate::model::store::Origin;
use crate::model::vocab::Kind;
use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Lines held before they are parsed and applied: enough to keep every core busy, small enough that the
/// batch's memory (a few MB) does not matter.
pub const BATCH_LINES: usize = 16_384;

/// Below this many lines a batch is parsed on the calling thread: the hop to another would cost more.
const PARALLEL_FROM: usize = 512;

/// Batches handed out and not yet applied, at most, for each parser thread: enough that a thread always has
/// the next batch waiting, few enough that a load's batches in flight stay a few tens of MB (each is first
/// filled in fresh memory).
const IN_FLIGHT_PER_THREAD: u64 = 2;

/// Lines read in one piece: where the first was read, how many there are, and their bytes in
/// [`Batch::bytes`] (each line ended by `\n`, but for the last of a piece of one).
struct Lines {
    first: Origin,
    count: u64,
    kind: Option<Kind>,
    /// The parser of the lines' format.
    parser: LineParser,
    bytes: Range<usize>,
}

/// What a batch holds, in the order it was read: pieces of lines, and the events around them.
enum Item<E> {
    Lines,
    Event(E),
}

/// What a batch gives back, in the same order: each line parsed, and the events.
// Records are moved once, from the parser thread into the store: boxing them would cost an allocation each.
#[allow(clippy::large_enum_variant)]
pub enum Out<E> {
    Line(Parsed),
    Event(E),
}

/// A parsed line, ready to apply.
#[allow(clippy::large_enum_variant)]
pub enum Parsed {
    Blank,
    Record(Packed, Prepared, Origin, Key),
    Bad { origin: Origin, message: String },
}

/// What the store looks a parsed record up by, worked out on the parser thread: so that the thread that
/// applies records can fetch where a record goes before it comes to it (see [`crate::model::Store::prefetch`]).
/// And, on a first read, which watch rules on fields alone it matches.
#[derive(Clone, Copy)]
pub struct Key {
    pub kind: Kind,
    /// The hash of the record's id ([`crate::model::store::hash_id`]).
    pub hash: u64,
    /// Bit `b` for the `b`th of the [`FieldRules`] the parser was given (none: 0).
    pub hits: u64,
}

/// What the parser threads need besides the lines: the store's shared texts (records are packed as it
/// keeps them), how a record's links are prepared, and on a first read the watch rules on fields alone,
/// matched while the record just packed is in the cache (a pass over a million records afterwards reads
/// them all from memory again).
#[derive(Clone)]
pub struct Context {
    pub texts: Arc<SharedTexts>,
    pub preparer: Preparer,
    pub rules: Option<Arc<FieldRules>>,
}

/// What one parser thread keeps from one batch to the next: its packer and what the format remembers of
/// the line before (for the store it packs for), and the categories of the texts it has seen.
#[derive(Default)]
pub struct Worker {
    lines: Option<LineState>,
    categories: PrepareMemo,
}

impl Worker {
    /// The line state for the store whose shared texts are `texts` (made afresh for another store), and
    /// the categories memo.
    fn for_store(&mut self, texts: &Arc<SharedTexts>) -> (&mut LineState, &mut PrepareMemo) {
        if self.lines.as_ref().is_none_or(|state| !state.packer.shares(texts)) {
            self.lines = None;
        }
        let state = self.lines.get_or_insert_with(|| LineState::new(Packer::sharing(texts.clone())));
        (state, &mut self.categories)
    }
}

/// Lines and events read, and once parsed what they gave. A batch's buffers are used again for the next one
/// (see [`Pipeline::batch`]): a load goes through hundreds of MB of them, and fresh memory costs a page
/// fault every 4 KB.
pub struct Batch<E> {
    bytes: Vec<u8>,
    lines: Vec<Lines>,
    /// How many lines the pieces in `lines` hold.
    line_count: usize,
    items: Vec<Item<E>>,
    out: Vec<Out<E>>,
}

impl<E> Default for Batch<E> {
    fn default() -> Self {
        Batch { bytes: Vec::new(), lines: Vec::new(), line_count: 0, items: Vec::new(), out: Vec::new() }
    }
}

impl<E> Batch<E> {
    /// One line (without its `\n`), read at `at`.
    pub fn push_line(&mut self, at: Origin, kind: Option<Kind>, parser: LineParser, bytes: &[u8]) {
        self.push_lines(at, 1, kind, parser, bytes);
    }

    /// `count` lines read in one piece, the first read at `first`: each ended by `\n` in `bytes` (the last
    /// may not be). Copied in one go: the lines are split where they are parsed.
    pub fn push_lines(&mut self, first: Origin, count: u64, kind: Option<Kind>, parser: LineParser, bytes: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(bytes);
        self.items.push(Item::Lines);
        self.lines.push(Lines { first, count, kind, parser, bytes: start..self.bytes.len() });
        self.line_count += count as usize;
    }

    pub fn push_event(&mut self, e: E) {
        self.items.push(Item::Event(e));
    }

    /// An empty batch with room for a full one (for a long read: the next batch does not grow step by step).
    fn with_room() -> Self {
        Batch {
            bytes: Vec::with_capacity(BATCH_LINES * 512),
            lines: Vec::new(),
            line_count: 0,
            items: Vec::with_capacity(BATCH_LINES),
            out: Vec::with_capacity(BATCH_LINES),
        }
    }

    pub fn is_full(&self) -> bool {
        self.line_count >= BATCH_LINES
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Parses every line and puts the items in [`Batch::out`] in order, each line replaced by what it parsed
    /// to; the lines and events are taken out.
    fn parse(&mut self, context: &Context, worker: &mut Worker) {
        let Batch { bytes, lines, items, out, line_count, .. } = self;
        let (state, categories) = worker.for_store(&context.texts);
        let mut pieces = lines.drain(..);
        for item in items.drain(..) {
            match item {
                Item::Lines => {
                    let Some(piece) = pieces.next() else { continue };
                    let mut rest = &bytes[piece.bytes];
                    for i in 0..piece.count {
                        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
                        let origin = Origin { file: piece.first.file, line: piece.first.line + i };
                        let parsed = parse(&rest[..end], piece.kind, piece.parser, origin, context, state, categories);
                        out.push(Out::Line(parsed));
                        rest = rest.get(end + 1..).unwrap_or_default();
                    }
                }
                Item::Event(e) => out.push(Out::Event(e)),
            }
        }
        drop(pieces);
        bytes.clear();
        *line_count = 0;
    }

    /// What the batch parsed to, in order, to be taken out (and the list left empty) before the batch is
    /// given back to [`Pipeline::recycle`].
    pub fn parsed(&mut self) -> &mut Vec<Out<E>> {
        &mut self.out
    }
}

type Job<E> = (u64, Batch<E>, Context);
type Done<E> = (u64, std::thread::Result<Batch<E>>);

/// Parser threads and the batches they hold, given back in the order they were handed out.
pub struct Pipeline<E> {
    jobs: Option<mpsc::Sender<Job<E>>>,
    done: Option<mpsc::Receiver<Done<E>>>,
    next_out: u64,
    next_in: u64,
    ready: BTreeMap<u64, Batch<E>>,
    /// Batches in flight at most (see [`IN_FLIGHT_PER_THREAD`]).
    max_in_flight: u64,
    /// Batches applied and emptied, to be filled again during a long read.
    spare: Vec<Batch<E>>,
    /// What this thread keeps for the batches it parses itself.
    here: Worker,
}

impl<E> Default for Pipeline<E> {
    fn default() -> Self {
        Pipeline {
            jobs: None,
            done: None,
            next_out: 0,
            next_in: 0,
            ready: BTreeMap::new(),
            max_in_flight: IN_FLIGHT_PER_THREAD,
            spare: Vec::new(),
            here: Worker::default(),
        }
    }
}

impl<E: Send + 'static> Pipeline<E> {
    /// Starts the parser threads (one per core) the first time a batch needs them. `None` when no thread
    /// can be started: the batch is then parsed on this thread.
    fn start(&mut self) -> Option<&mpsc::Sender<Job<E>>> {
        if self.jobs.is_none() {
            let threads = crate::parallel::threads();
            let (job_tx, job_rx) = mpsc::channel::<Job<E>>();
            let (done_tx, done_rx) = mpsc::channel::<Done<E>>();
            let job_rx = Arc::new(Mutex::new(job_rx));
            for i in 0..threads {
                let (jobs, done) = (job_rx.clone(), done_tx.clone());
                let spawned = std::thread::Builder::new().name(format!("parse-{i}")).spawn(move || {
                    let mut worker = Worker::default();
                    loop {
                        let job = match jobs.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok((seq, mut batch, context)) = job else { return };
                        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            batch.parse(&context, &mut worker);
                            batch
                        }));
                        if done.send((seq, out)).is_err() {
                            return;
                        }
                    }
                });
                if let Err(e) = spawned {
                    tracing::warn!("cannot start a parser thread: {e}");
                    if i == 0 {
                        return None;
                    }
                    break;
                }
            }
            self.jobs = Some(job_tx);
            self.done = Some(done_rx);
            self.max_in_flight = IN_FLIGHT_PER_THREAD * threads as u64;
        }
        self.jobs.as_ref()
    }

    /// Hands a batch to the parser threads, or parses it here when it is small and nothing is in flight
    /// (so that order is kept), or when no thread could be started.
    pub fn submit(&mut self, mut batch: Batch<E>, context: Context) {
        if batch.is_empty() {
            return;
        }
        let seq = self.next_in;
        self.next_in += 1;
        if batch.line_count < PARALLEL_FROM && self.in_flight() == 1 {
            batch.parse(&context, &mut self.here);
            self.ready.insert(seq, batch);
            return;
        }
        match self.start() {
            Some(jobs) => {
                if let Err(mpsc::SendError((seq, mut batch, context))) = jobs.send((seq, batch, context)) {
                    batch.parse(&context, &mut self.here);
                    self.ready.insert(seq, batch);
                }
            }
            None => {
                batch.parse(&context, &mut self.here);
                self.ready.insert(seq, batch);
            }
        }
    }

    /// A batch to fill: an emptied one when there is one, or a new one (`room` for a full batch).
    pub fn batch(&mut self, room: bool) -> Batch<E> {
        match self.spare.pop() {
            Some(batch) => batch,
            None if room => Batch::with_room(),
            None => Batch::default(),
        }
    }

    /// Takes back a batch whose parsed items were all taken, to fill it again.
    pub fn recycle(&mut self, mut batch: Batch<E>) {
        if self.spare.len() <= self.max_in_flight as usize {
            batch.out.clear();
            self.spare.push(batch);
        }
    }

    /// Lets go of the emptied batches kept for a long read (a few MB each), once it is over.
    pub fn release(&mut self) {
        self.spare = Vec::new();
    }

    /// Batches handed out and not yet taken back.
    fn in_flight(&self) -> u64 {
        self.next_in - self.next_out
    }

    /// The next batch in order: waits for it when `wait` is set, or when too many batches are out.
    pub fn next(&mut self, wait: bool) -> Option<Batch<E>> {
        if self.in_flight() == 0 {
            return None;
        }
        let wait = wait || self.in_flight() > self.max_in_flight;
        loop {
            if let Some(out) = self.ready.remove(&self.next_out) {
                self.next_out += 1;
                return Some(out);
            }
            let done = self.done.as_ref()?;
            let (seq, out) = if wait { done.recv().ok()? } else { done.try_recv().ok()? };
            match out {
                Ok(out) => {
                    self.ready.insert(seq, out);
                }
                // A panic in a parser thread is a bug: carry it to this thread as it was.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    }
}

/// One line parsed with this thread's `state`, its links prepared (`memo`: the categories seen before).
fn parse(
    line: &[u8],
    kind: Option<Kind>,
    parser: LineParser,
    origin: Origin,
    context: &Context,
    state: &mut LineState,
    memo: &mut PrepareMemo,
) -> Parsed {
    let mut preparing = context.preparer.start(Some(memo));
    let mut each = |_: Kind, field: &'static Field, text: &str| preparing.add(field, text);
    match parser(line, kind, state, &mut each) {
        Ok(None) => Parsed::Blank,
        Ok(Some(record)) => {
            let prepared = preparing.finish();
            let hits = context.rules.as_ref().map_or(0, |rules| {
                let plain = state.last_was_plain && rules.reads_lines();
                if plain {
                    super::rules::lower_ascii(line, &mut state.lower);
                }
                rules.hits(&context.texts, &record, plain.then_some(&state.lower[..]))
            });
            let key = Key { kind: record.kind(), hash: crate::model::store::hash_id(record.id()), hits };
            Parsed::Record(record, prepared, origin, key)
        }
        Err(message) => Parsed::Bad { origin, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::links::{default_vocabulary, Links};
    use crate::model::store::Store;

    const JSONL: LineParser = crate::formats::jsonl::parse_packed_with;

    fn lines(from: u64, to: u64) -> String {
        (from..to)
            .map(|i| match i {
                7 => "{not json\n".to_string(),
                _ => format!(
                    "{{\"id\":\"r{i}\",\"ts\":\"2026-02-01T00:00:00Z\",\"title\":\"P\",\"stage\":\"signed\"}}\n"
                ),
            })
            .collect()
    }

    /// What came out, in order: a record's id and line, a bad line's line, an event.
    fn drain(pipeline: &mut Pipeline<&'static str>, wait: bool) -> Vec<String> {
        let mut seen = Vec::new();
        while let Some(mut batch) = pipeline.next(wait) {
            for out in batch.parsed().drain(..) {
                seen.push(match out {
                    Out::Line(Parsed::Record(r, _, origin, _)) => format!("{}@{}", r.id(), origin.line),
                    Out::Line(Parsed::Bad { origin, .. }) => format!("bad@{}", origin.line),
                    Out::Line(Parsed::Blank) => "blank".into(),
                    Out::Event(e) => e.to_string(),
                });
            }
            pipeline.recycle(batch);
        }
        seen
    }

    #[test]
    fn batches_parsed_on_other_threads_come_back_in_the_order_read_with_events_between() {
        let links = Links::new(default_vocabulary());
        let mut store = Store::new();
        let file = store.file(std::path::Path::new("/f/aid.jsonl"));
        let mut pipeline: Pipeline<&'static str> = Pipeline::default();
        let n = 3 * PARALLEL_FROM as u64;
        for round in 0..3u64 {
            let mut batch = pipeline.batch(false);
            let (from, to) = (1 + round * n, 1 + (round + 1) * n);
            batch.push_lines(
                Origin { file, line: from },
                to - from,
                Some(Kind::Aid),
                JSONL,
                lines(from, to).as_bytes(),
            );
            batch.push_event(["one", "two", "three"][round as usize]);
            pipeline.submit(batch, Context { texts: store.shared_texts(), preparer: links.preparer(), rules: None });
        }
        let seen = drain(&mut pipeline, true);
        pipeline.release();
        assert_eq!(seen.len() as u64, 3 * n + 3);
        assert_eq!(&seen[..8], ["r1@1", "r2@2", "r3@3", "r4@4", "r5@5", "r6@6", "bad@7", "r8@8"]);
        assert_eq!(seen[n as usize], "one");
        assert_eq!(seen[n as usize + 1], format!("r{}@{}", n + 1, n + 1));
        assert_eq!(seen.last().map(String::as_str), Some("three"));
    }

    #[test]
    fn a_few_lines_are_parsed_on_the_spot() {
        let links = Links::new(default_vocabulary());
        let mut store = Store::new();
        let file = store.file(std::path::Path::new("/f/aid.jsonl"));
        let mut pipeline: Pipeline<&'static str> = Pipeline::default();
        let mut batch = pipeline.batch(false);
        batch.push_line(Origin { file, line: 41 }, Some(Kind::Aid), JSONL, lines(41, 42).trim_end().as_bytes());
        pipeline.submit(batch, Context { texts: store.shared_texts(), preparer: links.preparer(), rules: None });
        // Nothing to wait for: the batch is done when submit returns.
        assert_eq!(drain(&mut pipeline, false), ["r41@41"]);
    }

    #[test]
    fn one_thread_parses_for_two_stores_each_in_its_own_texts() {
        let links = Links::new(default_vocabulary());
        let mut pipeline: Pipeline<&'static str> = Pipeline::default();
        let line = |authority: &str| format!(r#"{{"id":"s","ts":"2024-01-01T00:00:00Z","authority":"{authority}"}}"#);
        for (first, second) in [("OFAC", "EU"), ("UN", "OFAC")] {
            let mut authorities = Vec::new();
            for authority in [first, second] {
                let mut store = Store::new();
                let at = store.origin(std::path::Path::new("/f/s.jsonl"), 1);
                let mut batch = pipeline.batch(false);
                batch.push_line(at, Some(Kind::Sanctions), JSONL, line(authority).as_bytes());
                let context = Context { texts: store.shared_texts(), preparer: links.preparer(), rules: None };
                pipeline.submit(batch, context);
                let mut parsed = pipeline.next(false).expect("parsed on the spot");
                let Some(Out::Line(Parsed::Record(record, ..))) = parsed.parsed().pop() else { panic!("a record") };
                match record.unpack(store.texts()).body {
                    crate::model::record::Body::Sanction(s) => authorities.push(s.authority.map(|a| a.to_string())),
                    other => panic!("{other:?}"),
                }
            }
            assert_eq!(authorities, [Some(first.to_string()), Some(second.to_string())]);
        }
    }
}

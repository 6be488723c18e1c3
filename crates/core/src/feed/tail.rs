//! Following one file like `tail -F`: growth, truncation, rewrite, replacement, deletion and re-creation.
//!
//! A [`Tail`] knows the identity (device, inode) of the file it reads, how far it has read and the line
//! number it is at. Each [`Tail::poll`] compares that with what is at the path now and reads whatever is new,
//! in fixed-size chunks, so memory stays bounded by the line limit however large the burst.

use crate::text::describe_io;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

const CHUNK: usize = 64 * 1024;
/// How many leading bytes are kept to notice a file rewritten in place with as much data as before.
const HEAD: usize = 256;

/// What a poll found. Lines borrow the tail's buffer, so they are handed to a callback.
#[derive(Debug, PartialEq, Eq)]
pub enum TailEvent<'a> {
    /// Complete lines read in one piece: `count` lines, each ended by `\n` in `bytes` (the last one's too),
    /// the first numbered `first` (1-based). None of them is over the limit.
    Lines { first: u64, count: u64, bytes: &'a [u8] },
    /// A complete line (without `\n`), with its 1-based number in the file: one that spanned reads, or the
    /// last line of a file read once.
    Line { line: u64, bytes: &'a [u8] },
    /// A line longer than the limit was skipped without being held in memory.
    TooLong { line: u64, len: u64 },
    /// The file exists now, after being missing.
    Appeared,
    /// The file is gone from its path.
    Vanished,
    /// The file got shorter, or its first bytes changed: it is read again from the start.
    Truncated,
    /// Another file now sits at the path (renamed over, or deleted and re-created): read from the start.
    Replaced,
    /// The path exists but cannot be read (a directory, no permission, ...). Reported once until it changes.
    Unreadable(String),
}

/// (device, inode): what makes a file the same file after a rename.
type FileId = (u64, u64);

struct Open {
    file: File,
    id: FileId,
    offset: u64,
    line: u64,
    partial: Vec<u8>,
    /// Bytes of an over-long line dropped so far, while waiting for its end.
    discarding: Option<u64>,
    head: Vec<u8>,
    /// The last bytes read (up to [`HEAD`] of them, ending at `offset`): a file rewritten in place with
    /// its first bytes as before and as long as before or longer changes these.
    end: Vec<u8>,
    /// (size, modification time) when the file was last read to its end: the same again means nothing
    /// was written since; the same size at another time means bytes were rewritten where they were.
    stat: Option<(u64, i128)>,
}

/// A followed file.
pub struct Tail {
    path: PathBuf,
    max_line: usize,
    open: Option<Open>,
    /// The last problem reported for this path, so it is not repeated on every poll.
    last_problem: Option<String>,
    /// Whether the path has been looked at once (the first look reports no Appeared).
    started: bool,
    /// Whether the last poll stopped at its budget with more of the file to read.
    more: bool,
    /// Whether the file was read whole and closed ([`Tail::close`]).
    read_whole: bool,
}

impl Tail {
    pub fn new(path: PathBuf, max_line: usize) -> Self {
        Tail {
            path,
            max_line: max_line.max(1),
            open: None,
            last_problem: None,
            started: false,
            more: false,
            read_whole: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// True while the file is open for reading.
    pub fn is_open(&self) -> bool {
        self.open.is_some()
    }

    /// True while the file is open, or once it was read whole and closed.
    pub fn was_read(&self) -> bool {
        self.open.is_some() || self.read_whole
    }

    /// Closes the file after a one-shot read ([`Tail::finish`]), so that the next can be opened however
    /// many there are.
    pub fn close(&mut self) {
        if self.open.take().is_some() {
            self.read_whole = true;
        }
    }

    /// Leaves the file unopened this poll, for `reason` (reported once until it changes): the caller
    /// keeps to a limit of open files.
    pub fn refuse(&mut self, reason: String, on: &mut dyn FnMut(TailEvent<'_>)) {
        self.started = true;
        self.more = false;
        self.problem(reason, on);
    }

    /// Looks at the path and reads what is new, calling `on` for each event.
    pub fn poll(&mut self, on: &mut dyn FnMut(TailEvent<'_>)) {
        self.poll_within(None, on)
    }

    /// Whether the last poll left more of the file to read (it stopped at its budget).
    pub fn has_more(&self) -> bool {
        self.more
    }

    /// How far the file has been read, and how long it is now (none when it is not open).
    pub fn progress(&self) -> Option<(u64, u64)> {
        let open = self.open.as_ref()?;
        let size = open.file.metadata().map_or(open.offset, |m| m.len());
        Some((open.offset, size.max(open.offset)))
    }

    /// [`Tail::poll`], reading at most about `budget` bytes of the file (none: to its end), so that no
    /// file (a run of gigabytes without a line end, a burst of a huge append) holds up the caller for
    /// long; [`Tail::has_more`] then says to poll again soon.
    pub fn poll_within(&mut self, budget: Option<u64>, on: &mut dyn FnMut(TailEvent<'_>)) {
        self.more = false;
        let first = !self.started;
        self.started = true;
        let meta = match fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if let Some(mut open) = self.open.take() {
                    // Deleted: whatever was appended before the deletion is still readable through our handle,
                    // and a last line without its line end will get none: it is read as it is.
                    read_to_end(&mut open, self.max_line, on);
                    open.end_last_line(on);
                    on(TailEvent::Vanished);
                }
                self.last_problem = None;
                return;
            }
            Err(e) => return self.problem(describe_io(&e), on),
        };
        if let Some(refused) = crate::files::not_regular(&meta) {
            // A FIFO or a device would block the reader or never end: refused before it is opened.
            self.open = None;
            return self.problem(refused.to_string(), on);
        }
        let id = (meta.dev(), meta.ino());
        let mut replaced = false;
        match self.open.as_mut() {
            Some(open) if open.id != id => {
                // Renamed over or re-created: finish the old file through our handle (its last line too,
                // which will get no line end now), then switch.
                read_to_end(open, self.max_line, on);
                open.end_last_line(on);
                on(TailEvent::Replaced);
                self.open = None;
                replaced = true;
            }
            Some(open) if open.stat != Some(crate::files::size_and_time(&meta)) && rewritten(open, &meta) => {
                on(TailEvent::Truncated);
                open.reset();
            }
            _ => {}
        }
        if self.open.is_none() {
            match crate::files::open(&self.path) {
                Ok(file) => {
                    let id = match file.metadata() {
                        Ok(m) => (m.dev(), m.ino()),
                        Err(e) => return self.problem(describe_io(&e), on),
                    };
                    if !first && !replaced && self.last_problem.is_none() {
                        on(TailEvent::Appeared);
                    }
                    self.open = Some(Open::new(file, id));
                }
                Err(e) => return self.problem(describe_io(&e), on),
            }
        }
        self.last_problem = None;
        if let Some(open) = self.open.as_mut() {
            let before = crate::files::size_and_time(&meta);
            let read = read_new(open, self.max_line, budget, on);
            // Read to the end the metadata saw: nothing arrived meanwhile that the next look would miss.
            open.stat = (open.offset == before.0).then_some(before);
            self.more = matches!(read, Ok(true));
            if let Err(e) = read {
                let msg = describe_io(&e);
                self.open = None;
                self.problem(msg, on);
            }
        }
    }

    /// Treats the end of the file as the end of its last line: for one-shot reads of files that are complete
    /// as they are. A followed file instead waits for the newline.
    pub fn finish(&mut self, on: &mut dyn FnMut(TailEvent<'_>)) {
        if let Some(open) = self.open.as_mut() {
            open.end_last_line(on);
        }
    }

    fn problem(&mut self, msg: String, on: &mut dyn FnMut(TailEvent<'_>)) {
        if self.last_problem.as_deref() != Some(msg.as_str()) {
            on(TailEvent::Unreadable(msg.clone()));
            self.last_problem = Some(msg);
        }
    }
}

impl Open {
    fn new(file: File, id: FileId) -> Self {
        Open {
            file,
            id,
            offset: 0,
            line: 0,
            partial: Vec::new(),
            discarding: None,
            head: Vec::new(),
            end: Vec::new(),
            stat: None,
        }
    }

    /// Takes what follows the last line end as a line of its own: the file ends there.
    fn end_last_line(&mut self, on: &mut dyn FnMut(TailEvent<'_>)) {
        if let Some(len) = self.discarding.take() {
            self.line += 1;
            on(TailEvent::TooLong { line: self.line, len });
        } else if !self.partial.is_empty() {
            self.line += 1;
            let bytes = std::mem::take(&mut self.partial);
            on(TailEvent::Line { line: self.line, bytes: &bytes });
        }
    }

    fn reset(&mut self) {
        self.offset = 0;
        self.line = 0;
        self.partial = Vec::new();
        self.discarding = None;
        self.head.clear();
        self.end.clear();
        self.stat = None;
    }

    /// Splits `chunk` into lines, joining with what was left from the previous chunk. The lines that start
    /// and end in the chunk go out together (a read is most often all whole lines): one event for a
    /// chunk's worth, not one a line.
    fn take_bytes(&mut self, mut chunk: &[u8], max: usize, on: &mut dyn FnMut(TailEvent<'_>)) {
        // The end of a line begun before.
        if !self.partial.is_empty() || self.discarding.is_some() {
            let Some(i) = memchr::memchr(b'\n', chunk) else {
                return self.hold(chunk, max);
            };
            self.end_line(&chunk[..i], max, on);
            chunk = &chunk[i + 1..];
        }
        if let Some(last) = memchr::memrchr(b'\n', chunk) {
            let whole = &chunk[..=last];
            if whole.len() <= max {
                // No line in it can be over the limit.
                let count = memchr::memchr_iter(b'\n', whole).count() as u64;
                on(TailEvent::Lines { first: self.line + 1, count, bytes: whole });
                self.line += count;
            } else {
                for piece in whole[..last].split(|&b| b == b'\n') {
                    self.end_line(piece, max, on);
                }
            }
            chunk = &chunk[last + 1..];
        }
        self.hold(chunk, max);
    }

    /// A line ends with `piece` (what was held before it, if anything, comes first).
    fn end_line(&mut self, piece: &[u8], max: usize, on: &mut dyn FnMut(TailEvent<'_>)) {
        self.line += 1;
        let line = self.line;
        if let Some(dropped) = self.discarding.take() {
            on(TailEvent::TooLong { line, len: dropped + piece.len() as u64 });
        } else if self.partial.is_empty() {
            if piece.len() > max {
                on(TailEvent::TooLong { line, len: piece.len() as u64 });
            } else {
                on(TailEvent::Line { line, bytes: piece });
            }
        } else if self.partial.len() + piece.len() > max {
            on(TailEvent::TooLong { line, len: (self.partial.len() + piece.len()) as u64 });
            self.partial = Vec::new();
        } else {
            self.partial.extend_from_slice(piece);
            on(TailEvent::Line { line, bytes: &self.partial });
            self.partial.clear();
            if self.partial.capacity() > CHUNK {
                self.partial = Vec::new();
            }
        }
    }

    /// Holds the start of a line not ended yet (counting it only, once it is over the limit).
    fn hold(&mut self, rest: &[u8], max: usize) {
        if rest.is_empty() {
            return;
        }
        if let Some(dropped) = self.discarding.as_mut() {
            *dropped += rest.len() as u64;
        } else if self.partial.len() + rest.len() > max {
            self.discarding = Some((self.partial.len() + rest.len()) as u64);
            self.partial = Vec::new();
        } else {
            self.partial.extend_from_slice(rest);
        }
    }
}

/// Reads from the offset to the end of the file.
/// The UTF-8 byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads what is new, at most about `budget` bytes (none: to the end); true when it stopped there with
/// more to read.
fn read_new(open: &mut Open, max: usize, budget: Option<u64>, on: &mut dyn FnMut(TailEvent<'_>)) -> io::Result<bool> {
    open.file.seek(SeekFrom::Start(open.offset))?;
    let mut buf = vec![0u8; CHUNK];
    let start = open.offset;
    loop {
        if budget.is_some_and(|b| open.offset - start >= b) {
            return Ok(true);
        }
        let n = match open.file.read(&mut buf) {
            Ok(0) => return Ok(false),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let mut from = 0;
        if open.offset == 0 {
            // A UTF-8 byte-order mark (as some editors and exporters write) is not part of the first line.
            if n < BOM.len() && BOM.starts_with(&buf[..n]) {
                // The mark may be half written: looked at again when there is more.
                return Ok(false);
            }
            if buf[..n].starts_with(BOM) {
                from = BOM.len();
            }
        }
        if open.head.len() < HEAD && open.offset < HEAD as u64 {
            let take = (HEAD - open.head.len()).min(n);
            open.head.extend_from_slice(&buf[..take]);
        }
        open.offset += n as u64;
        // The last bytes read, for the next look to compare (see `Open::end`).
        let keep = HEAD.min(n);
        let spare = (HEAD - keep).min(open.end.len());
        open.end.drain(..open.end.len() - spare);
        open.end.extend_from_slice(&buf[n - keep..n]);
        open.take_bytes(&buf[from..n], max, on);
    }
}

/// Drains a file we are about to let go of; errors there are not worth reporting.
fn read_to_end(open: &mut Open, max: usize, on: &mut dyn FnMut(TailEvent<'_>)) {
    let _ = read_new(open, max, None, on);
}

/// Whether the file was rewritten rather than appended to since it was last read (`meta` is what it is
/// now, and it changed): it got shorter; its first bytes or the last bytes read are no longer what they
/// were; or it is as long as when it was last read to its end, written again since. A scraper that
/// writes the whole file again in place, as `open(path, "w")` does, is noticed whatever it keeps.
fn rewritten(open: &Open, meta: &fs::Metadata) -> bool {
    let differs = |kept: &[u8], at: u64| {
        let mut now = vec![0u8; kept.len()];
        !kept.is_empty() && open.file.read_exact_at(&mut now, at).map_or(true, |()| now != kept)
    };
    meta.len() < open.offset
        || differs(&open.head, 0)
        || differs(&open.end, open.offset - open.end.len() as u64)
        || open.stat.is_some_and(|(size, _)| size == meta.len() && size == open.offset)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Events of one poll, owned.
    #[derive(Debug, PartialEq)]
    enum Ev {
        Line(u64, String),
        TooLong(u64, u64),
        Appeared,
        Vanished,
        Truncated,
        Replaced,
        Unreadable(String),
    }

    fn poll(t: &mut Tail) -> Vec<Ev> {
        let mut out = Vec::new();
        t.poll(&mut |e| own(e, &mut out));
        out
    }

    /// The events, each line of a piece of lines as a line of its own.
    fn own(e: TailEvent<'_>, out: &mut Vec<Ev>) {
        if let TailEvent::Lines { first, count, bytes } = e {
            let lines: Vec<&[u8]> = bytes.strip_suffix(b"\n").unwrap_or(bytes).split(|&b| b == b'\n').collect();
            assert_eq!(lines.len() as u64, count, "the count of a piece of lines");
            for (i, l) in lines.into_iter().enumerate() {
                out.push(Ev::Line(first + i as u64, String::from_utf8_lossy(l).into()));
            }
            return;
        }
        out.push(match e {
            TailEvent::Lines { .. } => unreachable!("handled above"),
            TailEvent::Line { line, bytes } => Ev::Line(line, String::from_utf8_lossy(bytes).into()),
            TailEvent::TooLong { line, len } => Ev::TooLong(line, len),
            TailEvent::Appeared => Ev::Appeared,
            TailEvent::Vanished => Ev::Vanished,
            TailEvent::Truncated => Ev::Truncated,
            TailEvent::Replaced => Ev::Replaced,
            TailEvent::Unreadable(m) => Ev::Unreadable(m),
        });
    }

    fn append(path: &Path, s: &str) {
        let mut f = fs::OpenOptions::new().create(true).append(true).open(path).expect("open");
        f.write_all(s.as_bytes()).expect("write");
    }

    #[test]
    fn reads_lines_and_waits_for_an_incomplete_one() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        append(&p, "a\nb\nhal");
        let mut t = Tail::new(p.clone(), 1024);
        assert_eq!(poll(&mut t), [Ev::Line(1, "a".into()), Ev::Line(2, "b".into())]);
        assert_eq!(poll(&mut t), []);
        append(&p, "f\n");
        assert_eq!(poll(&mut t), [Ev::Line(3, "half".into())]);
    }

    /// A byte-order mark at the start is not part of the first line, even written a byte at a time; one
    /// further on is the line's own (the cleaning takes it out of texts).
    #[test]
    fn a_byte_order_mark_at_the_start_is_skipped() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        append(&p, "\u{feff}a\n\u{feff}b\n");
        let mut t = Tail::new(p.clone(), 1024);
        assert_eq!(poll(&mut t), [Ev::Line(1, "a".into()), Ev::Line(2, "\u{feff}b".into())]);
        let q = dir.path().join("g.jsonl");
        let mut t = Tail::new(q.clone(), 1024);
        for (i, byte) in BOM.iter().enumerate() {
            fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&q)
                .and_then(|mut f| f.write_all(&[*byte]))
                .expect("write");
            assert_eq!(poll(&mut t).into_iter().filter(|e| *e != Ev::Appeared).count(), 0, "{i}");
        }
        append(&q, "c\n");
        assert_eq!(poll(&mut t), [Ev::Line(1, "c".into())]);
    }

    #[test]
    fn truncation_rewrite_and_replacement_start_again() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        append(&p, "one\ntwo\n");
        let mut t = Tail::new(p.clone(), 1024);
        poll(&mut t);
        fs::write(&p, "x\n").expect("truncate");
        assert_eq!(poll(&mut t), [Ev::Truncated, Ev::Line(1, "x".into())]);
        // Rewritten in place with more bytes than before: the first bytes changed.
        fs::write(&p, "rewritten\nlonger\n").expect("rewrite");
        assert_eq!(poll(&mut t), [Ev::Truncated, Ev::Line(1, "rewritten".into()), Ev::Line(2, "longer".into())]);
        let tmp = dir.path().join("f.tmp");
        fs::write(&tmp, "new\n").expect("tmp");
        append(&p, "last of old\n");
        fs::rename(&tmp, &p).expect("rename");
        assert_eq!(poll(&mut t), [Ev::Line(3, "last of old".into()), Ev::Replaced, Ev::Line(1, "new".into())]);
    }

    /// A last line without its line end, in a file that is then replaced or deleted, will never get one:
    /// it is read as it is (a record, or an error that says what is wrong with it), not dropped.
    #[test]
    fn a_partial_last_line_of_a_replaced_or_deleted_file_is_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        append(&p, "a\nhal");
        let mut t = Tail::new(p.clone(), 1024);
        assert_eq!(poll(&mut t), [Ev::Line(1, "a".into())]);
        let tmp = dir.path().join("f.tmp");
        fs::write(&tmp, "new\npart").expect("tmp");
        fs::rename(&tmp, &p).expect("rename");
        assert_eq!(poll(&mut t), [Ev::Line(2, "hal".into()), Ev::Replaced, Ev::Line(1, "new".into())]);
        fs::remove_file(&p).expect("rm");
        assert_eq!(poll(&mut t), [Ev::Line(2, "part".into()), Ev::Vanished]);
    }

    /// A whole-file rewrite in place (`open(path, "w")`, everything written again) is noticed whatever it
    /// keeps of the file: the same first bytes and longer, or the same size; the same bytes again and
    /// more after them is only an append.
    #[test]
    fn a_rewrite_in_place_that_keeps_the_first_bytes_is_noticed() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        let head = format!("{}\n", "h".repeat(300));
        fs::write(&p, format!("{head}old 1\nold 2\n")).expect("write");
        let mut t = Tail::new(p.clone(), 1024);
        assert_eq!(poll(&mut t).len(), 3);
        // The same first 300 bytes, a changed line after them, longer than before.
        fs::write(&p, format!("{head}new 1\nold 2\nnew 3\n")).expect("rewrite");
        let lines = |evs: Vec<Ev>| evs.into_iter().filter(|e| !matches!(e, Ev::Line(1, _))).collect::<Vec<_>>();
        assert_eq!(
            lines(poll(&mut t)),
            [Ev::Truncated, Ev::Line(2, "new 1".into()), Ev::Line(3, "old 2".into()), Ev::Line(4, "new 3".into())]
        );
        // The same size, one byte changed in the middle (its time moved on).
        std::thread::sleep(std::time::Duration::from_millis(20));
        fs::write(&p, format!("{head}new 1\nold 9\nnew 3\n")).expect("rewrite");
        assert_eq!(
            lines(poll(&mut t)),
            [Ev::Truncated, Ev::Line(2, "new 1".into()), Ev::Line(3, "old 9".into()), Ev::Line(4, "new 3".into())]
        );
        // Written again as it was, and more: only the new line.
        fs::write(&p, format!("{head}new 1\nold 9\nnew 3\nnew 4\n")).expect("rewrite");
        assert_eq!(poll(&mut t), [Ev::Line(5, "new 4".into())]);
        // Nothing written: nothing read, nothing compared.
        assert_eq!(poll(&mut t), []);
    }

    /// Within a budget a poll reads a part of what is new and says there is more; the next polls go on
    /// where it stopped, every line once and in order, a long run without a line end included.
    #[test]
    fn a_poll_within_a_budget_reads_a_part_and_says_there_is_more() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        let mut t = Tail::new(p.clone(), 1000);
        append(&p, "");
        assert_eq!(poll(&mut t), []);
        let mut text = String::new();
        for i in 0..20_000 {
            text.push_str(&format!("line {i:05}\n"));
        }
        text.push_str(&"x".repeat(5 * CHUNK));
        text.push_str("\nlast\n");
        append(&p, &text);
        let (mut lines, mut polls) = (Vec::new(), 0);
        loop {
            polls += 1;
            t.poll_within(Some(CHUNK as u64), &mut |e| own(e, &mut lines));
            if !t.has_more() {
                break;
            }
        }
        assert!(polls > 5, "{polls} polls");
        assert_eq!(lines.len(), 20_002);
        assert_eq!(lines[0], Ev::Line(1, "line 00000".into()));
        assert_eq!(lines[20_000], Ev::TooLong(20_001, 5 * CHUNK as u64));
        assert_eq!(lines[20_001], Ev::Line(20_002, "last".into()));
    }

    #[test]
    fn deletion_and_recreation() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        let mut t = Tail::new(p.clone(), 1024);
        assert_eq!(poll(&mut t), []);
        append(&p, "a\n");
        assert_eq!(poll(&mut t), [Ev::Appeared, Ev::Line(1, "a".into())]);
        fs::remove_file(&p).expect("rm");
        assert_eq!(poll(&mut t), [Ev::Vanished]);
        assert_eq!(poll(&mut t), []);
        append(&p, "b\n");
        assert_eq!(poll(&mut t), [Ev::Appeared, Ev::Line(1, "b".into())]);
    }

    #[test]
    fn an_over_long_line_is_skipped_in_bounded_memory() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        let long = "x".repeat(3 * CHUNK);
        append(&p, &format!("ok\n{long}\nafter\n"));
        let mut t = Tail::new(p.clone(), 1000);
        assert_eq!(
            poll(&mut t),
            [Ev::Line(1, "ok".into()), Ev::TooLong(2, long.len() as u64), Ev::Line(3, "after".into())]
        );
        assert!(t.open.as_ref().map(|o| o.partial.capacity()).unwrap_or(0) <= CHUNK);
    }

    #[test]
    fn whole_lines_go_out_together_and_a_long_one_among_them_alone() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        let long = "y".repeat(50);
        append(&p, &format!("a\n{long}\nb\n\nc\nhal"));
        // One event for the lines a read holds whole.
        let mut t = Tail::new(p.clone(), 1000);
        let mut events = Vec::new();
        t.poll(&mut |e| events.push(format!("{e:?}")));
        assert_eq!(events.len(), 1, "{events:?}");
        let mut t = Tail::new(p.clone(), 1000);
        let expected = |long: Ev| {
            vec![
                Ev::Line(1, "a".into()),
                long,
                Ev::Line(3, "b".into()),
                Ev::Line(4, "".into()),
                Ev::Line(5, "c".into()),
            ]
        };
        assert_eq!(poll(&mut t), expected(Ev::Line(2, long.clone())));
        // Under a limit one of them is over: each line on its own, the long one skipped.
        let mut t = Tail::new(p.clone(), 20);
        assert_eq!(poll(&mut t), expected(Ev::TooLong(2, 50)));
        append(&p, "f\nd\n");
        assert_eq!(poll(&mut t), [Ev::Line(6, "half".into()), Ev::Line(7, "d".into())]);
    }

    #[test]
    fn a_line_cut_across_writes_and_chunks_is_whole() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        let big = "y".repeat(CHUNK + 10);
        let mut t = Tail::new(p.clone(), 10 * CHUNK);
        append(&p, &big[..CHUNK - 3]);
        assert_eq!(poll(&mut t), []);
        append(&p, &format!("{}\n", &big[CHUNK - 3..]));
        assert_eq!(poll(&mut t), [Ev::Line(1, big.clone())]);
    }

    #[test]
    fn finish_ends_a_last_line_without_newline() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("f.jsonl");
        append(&p, "a\nlast");
        let mut t = Tail::new(p.clone(), 1024);
        poll(&mut t);
        let mut out = Vec::new();
        t.finish(&mut |e| own(e, &mut out));
        assert_eq!(out, [Ev::Line(2, "last".into())]);
    }

    #[test]
    fn a_directory_is_reported_once() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut t = Tail::new(dir.path().to_path_buf(), 1024);
        assert_eq!(
            poll(&mut t),
            [Ev::Unreadable("is a directory, not a regular file: only regular files are read".into())]
        );
        assert_eq!(poll(&mut t), []);
    }
}

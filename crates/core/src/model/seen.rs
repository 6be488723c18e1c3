//! What the analyst has acknowledged, kept across restarts: one fingerprint per record (of the version
//! acknowledged), in `seen.bin` in the state folder. A record that is not there is new; one whose current
//! version differs has changed since it was acknowledged.
//!
//! Built for a million records: a record is known by a 64-bit hash of its kind and id, its version by a
//! 64-bit hash of its time and every field (FNV-1a, stable across builds), so the file is 16 bytes a record
//! (a magic line, a checksum of the pairs, then little-endian pairs) and the fingerprints of a whole store are worked out on every
//! core. Two different records or versions share a hash with a chance of about one in ten million at a
//! million records.

use super::packed::{Packed, SharedTexts};
use super::vocab::Kind;
use crate::state::{set_aside, write_atomic};
use crate::text::clean_path;
use rustc_hash::FxHashMap;
use std::path::{Path, PathBuf};

/// How a record stands against what was acknowledged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unseen {
    /// Never acknowledged.
    New,
    /// Acknowledged in another version.
    Changed,
}

/// The file's first line; a checksum of the pairs (8 bytes) follows it.
const MAGIC: &[u8] = b"watchfloor seen v3\n";
/// The first line of the files of earlier builds, with no checksum: still read.
const MAGIC_V2: &[u8] = b"watchfloor seen v2\n";
const FILE: &str = "seen.bin";

#[derive(Debug, Default)]
pub struct Seen {
    path: Option<PathBuf>,
    map: FxHashMap<u64, u64>,
    fresh: bool,
    /// A problem reading the file, to show once.
    pub problem: Option<String>,
    /// The save being written on a thread of its own (see [`Seen::save_in_background`]).
    saving: Option<std::thread::JoinHandle<Result<(), String>>>,
    /// (size, modification time) of the file as this process last read or wrote it: when it is otherwise,
    /// another dashboard on the same state folder saved, and its acknowledgements are merged in before
    /// this one saves (never overwritten).
    on_disk: std::sync::Arc<std::sync::Mutex<Option<(u64, i128)>>>,
}

/// A file's (size, modification time), when it is there.
fn stat(path: &Path) -> Option<(u64, i128)> {
    std::fs::metadata(path).ok().map(|m| crate::files::size_and_time(&m))
}

impl Seen {
    /// Reads what was acknowledged from `dir`; with no folder, or no file yet, everything is fresh.
    pub fn load(dir: Option<&Path>) -> Seen {
        let Some(dir) = dir else { return Seen { fresh: true, ..Seen::default() } };
        let path = dir.join(FILE);
        let mut seen = Seen { path: Some(path.clone()), ..Seen::default() };
        let before = stat(&path);
        match crate::files::read(&path) {
            Ok(bytes) => match parse(&bytes) {
                Some(map) => {
                    seen.map = map;
                    seen.set_on_disk(before);
                }
                None => {
                    // Not fresh: a first run takes what is there as acknowledged, and a damaged file must
                    // not acknowledge what the analyst never saw. Every record shows as new instead.
                    let aside = set_aside(&path).map(|p| clean_path(&p)).unwrap_or_else(|| "(not moved)".into());
                    seen.problem = Some(format!(
                        "{} is damaged; set aside as {aside}: every record shows as new until acknowledged",
                        clean_path(&path)
                    ));
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => seen.fresh = true,
            Err(e) => {
                // As for a damaged file: every record shows as new, none is taken as acknowledged.
                seen.problem = Some(format!("cannot read {}: {e}", clean_path(&path)));
            }
        }
        seen
    }

    /// Nothing was remembered: the first run (a damaged file is not one: its records show as new).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Which record: its kind and id.
    fn key(kind: Kind, id: &str) -> u64 {
        let mut h = Fnv::new();
        h.write(kind.as_str().as_bytes());
        h.write(&[0]);
        h.write(id.as_bytes());
        h.0
    }

    /// Which version: its time and every field, declared and not, each after a separator.
    pub fn fingerprint(texts: &SharedTexts, r: &Packed) -> u64 {
        let mut h = Fnv::new();
        h.write(r.ts_text().as_bytes());
        r.any_text(texts, &mut |t| {
            h.write(&[0x1f]);
            h.write(t.as_bytes());
            false
        });
        h.0
    }

    /// Whether the analyst has seen this version of the record (`texts`: its store's).
    pub fn status(&self, texts: &SharedTexts, r: &Packed) -> Option<Unseen> {
        Self::status_in(&self.map, texts, r)
    }

    fn status_in(map: &FxHashMap<u64, u64>, texts: &SharedTexts, r: &Packed) -> Option<Unseen> {
        match map.get(&Self::key(r.kind(), r.id())) {
            None => Some(Unseen::New),
            Some(fp) if *fp != Self::fingerprint(texts, r) => Some(Unseen::Changed),
            Some(_) => None,
        }
    }

    /// How each record stands, worked out on every core.
    pub fn statuses(&self, texts: &SharedTexts, records: &[&Packed]) -> Vec<Option<Unseen>> {
        let map = &self.map;
        crate::parallel::on_every_core(records, |r| Self::status_in(map, texts, r))
    }

    pub fn acknowledge(&mut self, texts: &SharedTexts, r: &Packed) {
        self.map.insert(Self::key(r.kind(), r.id()), Self::fingerprint(texts, r));
        self.fresh = false;
    }

    /// Acknowledges every record given, their fingerprints worked out on every core.
    pub fn acknowledge_all(&mut self, texts: &SharedTexts, records: &[&Packed]) {
        let pairs =
            crate::parallel::on_every_core(records, |r| (Self::key(r.kind(), r.id()), Self::fingerprint(texts, r)));
        self.map.reserve(pairs.len());
        self.map.extend(pairs);
        self.fresh = false;
    }

    /// Room for `n` more records, so that acknowledging a million does not grow the map step by step (each
    /// step copies every entry, on the thread that draws the screen).
    pub fn reserve(&mut self, n: usize) {
        self.map.reserve(n);
    }

    fn set_on_disk(&self, now: Option<(u64, i128)>) {
        *self.on_disk.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }

    /// Takes in what another dashboard on the same state folder saved since this one last read or wrote
    /// the file: records it acknowledged and this one has not (this one's own acknowledgements stand).
    fn merge_from_disk(&mut self) {
        let Some(path) = &self.path else { return };
        let now = stat(path);
        if now.is_none() || now == *self.on_disk.lock().unwrap_or_else(|e| e.into_inner()) {
            return;
        }
        let Some(theirs) = crate::files::read(path).ok().and_then(|b| parse(&b)) else { return };
        let before = self.map.len();
        for (k, fp) in theirs {
            self.map.entry(k).or_insert(fp);
        }
        if self.map.len() > before {
            tracing::info!(
                "{}: {} acknowledgements merged from another dashboard",
                clean_path(path),
                self.map.len() - before
            );
        }
        self.set_on_disk(now);
    }

    pub fn save(&mut self) -> Result<(), String> {
        self.merge_from_disk();
        let Some(path) = &self.path else { return Ok(()) };
        write(path, &self.bytes())?;
        self.set_on_disk(stat(path));
        Ok(())
    }

    /// Saves, the writing and syncing done on a thread of its own (at a million records the file is 16 MB,
    /// and syncing it takes longer than a frame may). Saves are written in the order made: a save waits
    /// for the one before it. An error from an earlier save is given back (and logged when it happens).
    pub fn save_in_background(&mut self) -> Result<(), String> {
        let done = self.wait_for_save();
        self.merge_from_disk();
        let Some(path) = self.path.clone() else { return done };
        let bytes = self.bytes();
        let on_disk = self.on_disk.clone();
        let spawned = std::thread::Builder::new().name("save-seen".into()).spawn(move || {
            let result = write(&path, &bytes);
            match &result {
                Ok(()) => *on_disk.lock().unwrap_or_else(|e| e.into_inner()) = stat(&path),
                Err(e) => tracing::warn!("{e}"),
            }
            result
        });
        match spawned {
            Ok(handle) => self.saving = Some(handle),
            Err(_) => return done.and(self.save()),
        }
        done
    }

    /// Waits for a save in the background to be written; its error, if it had one.
    pub fn wait_for_save(&mut self) -> Result<(), String> {
        match self.saving.take().map(std::thread::JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err("saving what was acknowledged failed".into()),
        }
    }

    /// How a save in the background went, once it has finished (without waiting); `None` while it is
    /// being written, or when none was.
    pub fn save_finished(&mut self) -> Option<Result<(), String>> {
        if self.saving.as_ref().is_some_and(|h| h.is_finished()) {
            return Some(self.wait_for_save());
        }
        None
    }

    fn bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + self.map.len() * 16);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&[0; 8]);
        for (k, fp) in &self.map {
            bytes.extend_from_slice(&k.to_le_bytes());
            bytes.extend_from_slice(&fp.to_le_bytes());
        }
        let sum = checksum(&bytes[MAGIC.len() + 8..]);
        bytes[MAGIC.len()..MAGIC.len() + 8].copy_from_slice(&sum.to_le_bytes());
        bytes
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), String> {
    write_atomic(path, bytes).map_err(|e| format!("cannot save {}: {e}", clean_path(path)))
}

/// A checksum of the pairs: FNV-1a over 64-bit words.
fn checksum(body: &[u8]) -> u64 {
    body.chunks(8).fold(0xcbf2_9ce4_8422_2325u64, |h, w| {
        let mut word = [0u8; 8];
        word[..w.len()].copy_from_slice(w);
        (h ^ u64::from_le_bytes(word)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The pairs of a `seen.bin`, or `None` when it is not one (or its checksum says it was damaged).
fn parse(bytes: &[u8]) -> Option<FxHashMap<u64, u64>> {
    let body = match bytes.strip_prefix(MAGIC) {
        Some(rest) => {
            let (sum, body) = rest.split_at_checked(8)?;
            (u64::from_le_bytes(sum.try_into().ok()?) == checksum(body)).then_some(body)?
        }
        None => bytes.strip_prefix(MAGIC_V2)?,
    };
    if body.len() % 16 != 0 {
        return None;
    }
    let word = |b: &[u8]| b.try_into().ok().map(u64::from_le_bytes);
    body.chunks_exact(16).map(|pair| Some((word(&pair[..8])?, word(&pair[8..])?))).collect()
}

/// FNV-1a, fed in pieces.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::jsonl::parse_line;
    use crate::model::packed::Packer;
    use std::sync::Arc;

    fn rec(line: &str) -> Packed {
        crate::formats::jsonl::parse_packed(line.as_bytes(), Some(Kind::Aid)).expect("valid").expect("record")
    }

    /// Records of no store: any store's texts read them.
    static TEXTS: SharedTexts = SharedTexts::new();
    const T: &SharedTexts = &TEXTS;

    #[test]
    fn saves_in_the_background_are_written_in_order() {
        let dir = tempfile::tempdir().expect("tmp");
        let mut seen = Seen::load(Some(dir.path()));
        let v1 = rec(r#"{"id":"p","ts":"2024-01-01T00:00:00Z","stage":"proposed"}"#);
        let v2 = rec(r#"{"id":"p","ts":"2024-02-01T00:00:00Z","stage":"stalled"}"#);
        seen.acknowledge(T, &v1);
        assert_eq!(seen.save_in_background(), Ok(()));
        seen.acknowledge(T, &v2);
        assert_eq!(seen.save_in_background(), Ok(()));
        assert_eq!(seen.wait_for_save(), Ok(()));
        let again = Seen::load(Some(dir.path()));
        assert_eq!((again.status(T, &v2), again.status(T, &v1)), (None, Some(Unseen::Changed)), "the later save won");
        // A folder that cannot be made (a file is in the way): the error comes back with the next wait.
        std::fs::write(dir.path().join("a-file"), b"").expect("write");
        let mut broken = Seen::load(Some(&dir.path().join("a-file/deeper")));
        broken.acknowledge(T, &v1);
        let first = broken.save_in_background();
        let err = first.and(broken.wait_for_save()).expect_err("cannot write");
        assert!(err.starts_with("cannot save"), "{err}");
    }

    #[test]
    fn fingerprints_stay_what_earlier_versions_wrote_to_seen_bin() {
        // Worked out by the version that kept records unpacked: a change here would mark every record of
        // every analyst as changed after an upgrade.
        for (line, fp) in [
            (
                r#"{"id":"s","ts":"2024-05-01T00:00:00Z","kind":"sanctions","authority":"OFAC","program":"P","action":"designated","target":"T","aliases":["A","B"],"target_type":"bank","country":"CN","reason":"R","source":"S","flag":true}"#,
                0x2ea460ad80670d6b_u64,
            ),
            (
                r#"{"id":"a","ts":"2024-05-01T03:00:00+03:00","kind":"aid","donor":"D","title":"T","amount":60.8e9,"currency":"USD","stage":"passed_one_chamber","delivered":0,"items":["i"],"x":{"y":[1,false]}}"#,
                0x886c536d5c63a132,
            ),
        ] {
            assert_eq!(Seen::fingerprint(T, &rec(line)), fp, "{line}");
            // Packed as a store keeps it (the texts that repeat shared): the same fingerprint.
            let texts = Arc::new(SharedTexts::new());
            let record = parse_line(line.as_bytes(), Some(Kind::Aid)).expect("valid").expect("record");
            let shared = Packed::pack(&record, &mut Packer::sharing(texts.clone()));
            assert_ne!(shared, rec(line), "some texts shared");
            assert_eq!(Seen::fingerprint(&texts, &shared), fp, "{line}");
        }
    }

    #[test]
    fn acknowledged_records_stay_acknowledged_across_runs_until_they_change() {
        let dir = tempfile::tempdir().expect("tmp");
        let v1 = rec(r#"{"id":"p","ts":"2024-01-01T00:00:00Z","stage":"proposed"}"#);
        let v2 = rec(r#"{"id":"p","ts":"2024-02-01T00:00:00Z","stage":"stalled"}"#);
        let mut seen = Seen::load(Some(dir.path()));
        assert!(seen.is_fresh());
        assert_eq!(seen.status(T, &v1), Some(Unseen::New));
        seen.acknowledge(T, &v1);
        seen.save().expect("save");
        let seen = Seen::load(Some(dir.path()));
        assert!(!seen.is_fresh());
        assert_eq!(seen.status(T, &v1), None);
        assert_eq!(seen.status(T, &v2), Some(Unseen::Changed));
        let many: Vec<Packed> = (0..5000)
            .map(|i| rec(&format!(r#"{{"id":"p{i}","ts":"2024-01-01T00:00:00Z","stage":"proposed"}}"#)))
            .collect();
        let refs: Vec<&Packed> = many.iter().collect();
        let mut seen = Seen::load(Some(dir.path()));
        seen.acknowledge_all(T, &refs[..4000]);
        let st = seen.statuses(T, &refs);
        assert!(st[..4000].iter().all(Option::is_none) && st[4000..].iter().all(|s| *s == Some(Unseen::New)));
    }

    /// Two dashboards on one state folder: each save takes in what the other saved since, so neither
    /// loses the other's acknowledgements.
    #[test]
    fn two_dashboards_on_one_state_folder_keep_each_others_acknowledgements() {
        let dir = tempfile::tempdir().expect("tmp");
        let r = |id: &str| rec(&format!(r#"{{"id":"{id}","ts":"2024-01-01T00:00:00Z","stage":"proposed"}}"#));
        let (mut a, mut b) = (Seen::load(Some(dir.path())), Seen::load(Some(dir.path())));
        a.acknowledge(T, &r("one"));
        a.save().expect("save");
        b.acknowledge(T, &r("two"));
        b.save_in_background().expect("save");
        b.wait_for_save().expect("saved");
        // The file's time may not have moved within its granularity: it is another size, at least.
        a.acknowledge(T, &r("three"));
        a.save().expect("save");
        assert_eq!(a.status(T, &r("two")), None, "b's acknowledgement came into a");
        let file = Seen::load(Some(dir.path()));
        for id in ["one", "two", "three"] {
            assert_eq!(file.status(T, &r(id)), None, "{id} in the file");
        }
    }

    /// A file cut short, or with a valid first line and a garbage body of the right length, is damaged:
    /// set aside, reported, and not a first run (which would take every record as acknowledged): every
    /// record shows as new. A file of an earlier build (no checksum) is still read.
    #[test]
    fn a_damaged_file_is_set_aside_and_reported_and_its_records_show_as_new() {
        let dir = tempfile::tempdir().expect("tmp");
        let v1 = rec(r#"{"id":"p","ts":"2024-01-01T00:00:00Z","stage":"proposed"}"#);
        let mut seen = Seen::load(Some(dir.path()));
        seen.acknowledge(T, &v1);
        seen.save().expect("save");
        let good = std::fs::read(dir.path().join("seen.bin")).expect("read");
        let mut garbage = good.clone();
        let last = garbage.len() - 1;
        garbage[last] ^= 0x55;
        for bad in [b"watchfloor seen v3\n12345".to_vec(), garbage] {
            std::fs::write(dir.path().join("seen.bin"), &bad).expect("write");
            let seen = Seen::load(Some(dir.path()));
            assert!(!seen.is_fresh(), "a damaged file is not a first run");
            assert_eq!(seen.status(T, &v1), Some(Unseen::New));
            assert!(seen.problem.as_deref().is_some_and(|p| p.contains("damaged")), "{:?}", seen.problem);
            assert!(dir.path().join("seen.damaged").exists());
        }
        // An earlier build's file: the pairs after the old first line.
        let old = [MAGIC_V2, &good[MAGIC.len() + 8..]].concat();
        std::fs::write(dir.path().join("seen.bin"), old).expect("write");
        let seen = Seen::load(Some(dir.path()));
        assert_eq!((seen.status(T, &v1), seen.problem.is_none()), (None, true));
    }
}

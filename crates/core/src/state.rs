//! The state folder: what watchfloor remembers between runs (`$XDG_STATE_HOME/watchfloor/`, `--state DIR`).
//!
//! Files here are small (a fingerprint per record, never a copy of a feed), written atomically (a temporary
//! file renamed over the old one), and a damaged one is set aside and reported, never fatal.

use std::path::{Path, PathBuf};

/// The default state folder: `$XDG_STATE_HOME/watchfloor` (`~/.local/state/watchfloor` when unset).
pub fn default_dir() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))?;
    Some(state.join("watchfloor"))
}

/// Creates a folder (and its parents) readable by its owner only.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}

/// Opens a file for appending, creating it readable and writable by its owner only.
pub fn open_private(path: &Path, append: bool) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut o = std::fs::OpenOptions::new();
    o.create(true).mode(0o600);
    if append {
        o.append(true);
    } else {
        o.write(true).truncate(true);
    }
    o.open(path)
}

/// Writes `bytes` to `path` so that a reader sees the old file or the new one, never half of one. The file
/// and its folder are readable by their owner only.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let written = open_private(&tmp, false).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    // A write that failed half-way (a full disk) leaves no temporary file behind.
    written.and_then(|()| std::fs::rename(&tmp, path)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

/// Moves a damaged state file out of the way (to `NAME.damaged`), so the next run starts clean and the
/// analyst can still look at it. Returns where it went.
pub fn set_aside(path: &Path) -> Option<PathBuf> {
    let aside = path.with_extension("damaged");
    std::fs::rename(path, &aside).ok().map(|_| aside)
}

/// A stable 64-bit hash (FNV-1a): the same bytes give the same number in every build and on every
/// machine, so it can be stored and compared across runs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::default();
    h.add(bytes);
    h.0
}

/// [`fnv1a`] of bytes written in parts (a value serialized straight into it: the same hash as of the
/// whole text, without the text).
pub struct Fnv1a(pub u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    pub fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.add(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A file name for something identified by `key` (a feed path): readable prefix, hash for uniqueness.
pub fn file_name_for(key: &str, readable: &str) -> String {
    let clean: String =
        readable.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{}-{:016x}.json", clean.chars().take(40).collect::<String>(), fnv1a(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_stable() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x85944171f73967e8);
    }

    #[test]
    fn atomic_write_replaces_and_set_aside_moves() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("sub").join("s.json");
        write_atomic(&p, b"one").expect("write");
        write_atomic(&p, b"two").expect("write");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&p).expect("meta").permissions().mode() & 0o777, 0o600, "owner only");
        let dir_mode = std::fs::metadata(p.parent().expect("dir")).expect("meta").permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let aside = set_aside(&p).expect("moved");
        assert!(!p.exists() && aside.exists());
        assert_eq!(std::fs::read_dir(p.parent().expect("dir")).expect("ls").count(), 1, "no temporary file left");
    }

    #[test]
    fn file_names_are_safe_and_distinct() {
        let a = file_name_for("/data/ofac/sdn.csv", "sdn.csv");
        let b = file_name_for("/other/ofac/sdn.csv", "sdn.csv");
        assert!(a.starts_with("sdn_csv-") && a.ends_with(".json"));
        assert_ne!(a, b);
    }
}

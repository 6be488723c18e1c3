//! Logging to a file, never to the terminal: the terminal belongs to the dashboard and to scripts' output.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing_subscriber::EnvFilter;

/// The default log file: `$XDG_STATE_HOME/watchfloor/watchfloor.log` (`~/.local/state` when unset).
pub fn default_path() -> Option<PathBuf> {
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local").join("state")))?;
    Some(state.join("watchfloor").join("watchfloor.log"))
}

/// Sends `tracing` output to `path` (appending), at the level given by `WATCHFLOOR_LOG` (default `info`).
/// Returns why logging is off when the file cannot be opened; the program goes on without it.
pub fn init(path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
        watchfloor_core::state::create_private_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let file = Rotating::open(path.to_path_buf(), LIMIT)
        .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
    let filter = EnvFilter::try_from_env("WATCHFLOOR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|e| e.to_string())
}

/// The size a log file grows to before it is started again.
const LIMIT: u64 = 16 << 20;

/// The log file, started again when it passes its limit, the one before kept beside it as `NAME.1` (so the
/// log takes at most twice the limit, however long the program runs and whatever the feeds hold).
struct Rotating {
    path: PathBuf,
    file: std::fs::File,
    written: u64,
    limit: u64,
}

impl Rotating {
    fn open(path: PathBuf, limit: u64) -> std::io::Result<Rotating> {
        let file = watchfloor_core::state::open_private(&path, true)?;
        let written = file.metadata().map_or(0, |m| m.len());
        let mut log = Rotating { path, file, written, limit };
        if log.written >= limit {
            log.rotate()?;
        }
        Ok(log)
    }

    /// The current file becomes `NAME.1` (replacing the one before) and a new one is begun.
    fn rotate(&mut self) -> std::io::Result<()> {
        let mut old = self.path.clone().into_os_string();
        old.push(".1");
        std::fs::rename(&self.path, &old)?;
        self.file = watchfloor_core::state::open_private(&self.path, true)?;
        self.written = 0;
        Ok(())
    }
}

impl std::io::Write for Rotating {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.written > 0 && self.written + buf.len() as u64 > self.limit {
            // A log that cannot be rotated goes on in the same file.
            let _ = self.rotate();
        }
        let n = self.file.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_log_is_started_again_past_its_limit_and_the_one_before_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("watchfloor.log");
        let mut log = Rotating::open(path.clone(), 1000).expect("open");
        for i in 0..100 {
            writeln!(log, "line {i:04} of the log, about thirty bytes").expect("write");
        }
        let size = |p: &Path| std::fs::metadata(p).map_or(0, |m| m.len());
        let old = dir.path().join("watchfloor.log.1");
        assert!(size(&path) <= 1000 && size(&old) <= 1000, "{} {}", size(&path), size(&old));
        let last = std::fs::read_to_string(&path).expect("read");
        assert!(last.ends_with("line 0099 of the log, about thirty bytes\n"), "{last}");
        // A file already past the limit at start is rotated first.
        std::fs::write(&path, vec![b'x'; 2000]).expect("write");
        let log = Rotating::open(path.clone(), 1000).expect("open");
        assert_eq!((log.written, size(&old)), (0, 2000));
    }
}

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
    let file = watchfloor_core::state::open_private(path, true)
        .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
    let filter = EnvFilter::try_from_env("WATCHFLOOR_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|e| e.to_string())
}

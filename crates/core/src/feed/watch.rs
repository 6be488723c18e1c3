//! Being told when a feed file changes.
//!
//! The feeds' folders are watched, not the files: a watch on a file is lost when another file is renamed
//! over it. Only creations, writes, removals and renames of feed files wake the reader (notify also reports
//! our own reads as accesses, which are ignored). The wake-up carries no data: the reader then looks at
//! every file, so a burst of events costs one read, and a missed event costs nothing but latency until the
//! next slow check.

use super::PathMatcher;
use notify::event::{EventKind, MetadataKind, ModifyKind};
use notify::{Event, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Watches the feed folders and calls `wake` when a feed file may have changed.
pub struct DirWatcher {
    inner: Option<RecommendedWatcher>,
    /// Each watched folder with its inode, to notice a folder deleted and re-created.
    watched: HashMap<PathBuf, u64>,
    /// Why native watching is unavailable, if it is.
    pub problem: Option<String>,
}

impl DirWatcher {
    /// No native watching: the caller looks at the files on its own timer (`--poll`, for file systems
    /// that send no events: NFS, SSHFS, some FUSE and overlay mounts).
    pub fn polling() -> Self {
        DirWatcher { inner: None, watched: HashMap::new(), problem: None }
    }

    /// Native watching when `poll` is `None`, else none; with the interval at which files must be looked at.
    pub fn start(
        matcher: PathMatcher,
        poll: Option<std::time::Duration>,
        wake: impl Fn() + Send + 'static,
    ) -> (Self, std::time::Duration) {
        match poll {
            Some(every) => (Self::polling(), every),
            None => (Self::new(matcher, wake), std::time::Duration::from_secs(1)),
        }
    }

    pub fn new(matcher: PathMatcher, wake: impl Fn() + Send + 'static) -> Self {
        let handler = move |res: notify::Result<Event>| match res {
            Ok(event) => {
                if event.need_rescan() || (is_change(&event.kind) && event.paths.iter().any(|p| matcher.matches(p))) {
                    wake();
                }
            }
            Err(_) => wake(),
        };
        match notify::recommended_watcher(handler) {
            Ok(w) => DirWatcher { inner: Some(w), watched: HashMap::new(), problem: None },
            Err(e) => {
                tracing::warn!("file watcher unavailable, checking files every second instead: {e}");
                DirWatcher { inner: None, watched: HashMap::new(), problem: Some(e.to_string()) }
            }
        }
    }

    /// Watches each folder that exists and is not watched yet, and re-watches a folder that was replaced.
    pub fn refresh(&mut self, dirs: &[(PathBuf, bool)]) {
        let Some(inner) = self.inner.as_mut() else { return };
        for (dir, recursive) in dirs {
            let ino = std::fs::metadata(dir).ok().filter(|m| m.is_dir()).map(|m| m.ino());
            match (ino, self.watched.get(dir)) {
                (Some(now), Some(&was)) if now == was => {}
                (None, None) => {}
                (None, Some(_)) => {
                    tracing::info!("{} is gone; it is watched again when it comes back", dir.display());
                    let _ = inner.unwatch(dir);
                    self.watched.remove(dir);
                }
                (Some(now), _) => {
                    let _ = inner.unwatch(dir);
                    let mode = if *recursive { RecursiveMode::Recursive } else { RecursiveMode::NonRecursive };
                    match inner.watch(dir, mode) {
                        Ok(()) => {
                            tracing::info!("watching {}", dir.display());
                            self.watched.insert(dir.clone(), now);
                            self.problem = None;
                        }
                        Err(e) => {
                            tracing::warn!("cannot watch {}: {e}", dir.display());
                            self.problem = Some(format!("cannot watch {}: {e}", dir.display()));
                        }
                    }
                }
            }
        }
    }

    /// True when `dir` is being watched natively.
    pub fn is_watching(&self, dir: &Path) -> bool {
        self.watched.contains_key(dir)
    }
}

/// Creations, writes, removals and renames; not accesses, nor metadata other than permissions.
fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Any | EventKind::Other => true,
        EventKind::Modify(ModifyKind::Metadata(m)) => {
            matches!(m, MetadataKind::Permissions | MetadataKind::Ownership | MetadataKind::Any)
        }
        EventKind::Modify(_) => true,
        EventKind::Access(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, RenameMode};

    #[test]
    fn reads_do_not_count_as_changes() {
        assert!(!is_change(&EventKind::Access(AccessKind::Any)));
        assert!(!is_change(&EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Data(DataChange::Any))));
        assert!(is_change(&EventKind::Modify(ModifyKind::Name(RenameMode::To))));
        assert!(is_change(&EventKind::Create(CreateKind::File)));
    }
}

//! What wakes a front end that follows the feeds (`follow` and the dashboard), set up in one place: the
//! runtime, the watcher on the feeds' folders (and the config file's), the safety check that looks at the
//! files when an event was missed, and the signals that end the run.
//!
//! The watcher is started before the first read, so nothing written in between is missed; the signal
//! handlers too, so a SIGTERM during a long first read ends the run once the read is over.

use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use watchfloor_core::engine::Engine;
use watchfloor_core::feed::watch::DirWatcher;

/// The runtime both front ends run on: one thread, timers and signals.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()
}

/// Why the front end woke.
#[derive(Debug, PartialEq, Eq)]
pub enum Wake {
    /// A feed file (or the config file) changed: read what is new.
    Files,
    /// The safety check came round: the files were looked at again, read what is new.
    Check,
    /// A signal that ends the run, by name.
    Signal(&'static str),
}

pub struct Wakeups {
    files: UnboundedReceiver<()>,
    watcher: DirWatcher,
    dirs: Vec<(PathBuf, bool)>,
    safety: tokio::time::Interval,
    signals: [(Signal, &'static str); 3],
    /// Why file events are not coming (the files are then looked at on the safety check alone).
    pub problem: Option<String>,
}

impl Wakeups {
    /// Watches the engine's feeds and, when given, the config file; `poll_ms` looks at them on a timer
    /// instead of waiting for events (`--poll`); `feed_poll_ms` is the shortest `poll_ms` of a feed.
    pub fn start(
        engine: &Engine,
        config_file: Option<&Path>,
        poll_ms: Option<u64>,
        feed_poll_ms: Option<u64>,
    ) -> std::io::Result<Wakeups> {
        let signals = [
            (signal(SignalKind::terminate())?, "SIGTERM"),
            (signal(SignalKind::hangup())?, "SIGHUP"),
            (signal(SignalKind::interrupt())?, "SIGINT"),
        ];
        let (tx, files) = unbounded_channel::<()>();
        let matcher = match config_file {
            Some(f) => engine.matcher().with(f),
            None => engine.matcher(),
        };
        let (mut watcher, every) = DirWatcher::start(matcher, poll_ms.map(Duration::from_millis), move || {
            let _ = tx.send(());
        });
        // A feed with its own `poll_ms` (on a share that sends no events) makes every look that often.
        let every = feed_poll_ms.map_or(every, |ms| every.min(Duration::from_millis(ms)));
        let mut dirs = engine.feeds().watch_dirs();
        if let Some(dir) = config_file.and_then(|f| watchfloor_core::feed::absolute(f).parent().map(Path::to_path_buf))
        {
            dirs.push((dir, false));
        }
        watcher.refresh(&dirs);
        let mut safety = tokio::time::interval(every);
        safety.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let problem = watcher.problem.clone();
        Ok(Wakeups { files, watcher, dirs, safety, signals, problem })
    }

    /// Waits for the next reason to wake. A burst of file events is one wake-up.
    pub async fn next(&mut self) -> Wake {
        let [(term, t), (hup, h), (int, i)] = &mut self.signals;
        tokio::select! {
            // Without native watching (--poll) the sender is gone and this branch is simply off.
            Some(()) = self.files.recv() => {
                while self.files.try_recv().is_ok() {}
                Wake::Files
            }
            _ = self.safety.tick() => {
                self.watcher.refresh(&self.dirs);
                Wake::Check
            }
            _ = term.recv() => Wake::Signal(t),
            _ = hup.recv() => Wake::Signal(h),
            _ = int.recv() => Wake::Signal(i),
        }
    }
}

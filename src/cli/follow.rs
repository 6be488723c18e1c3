//! `watchfloor follow`: load, then print each change as it happens, until interrupted.
//!
//! The loop sleeps until the watcher says a feed file changed (or the slow safety check comes round),
//! reads what is new, and prints one line per change. Nothing runs on a timer while idle but that check.

use super::{emit, EXIT_OK, EXIT_PROBLEMS};
use serde_json::json;
use std::io::Write;
use std::time::Duration;
use tokio::signal::unix::{signal, SignalKind};
use watchfloor_core::config::Config;
use watchfloor_core::engine::{clock, Change, Engine, Options};
use watchfloor_core::feed::watch::DirWatcher;
use watchfloor_core::present::json;
use watchfloor_core::text::clean_path;

pub fn run(config: &Config, as_json: bool, state_dir: Option<&std::path::Path>, poll_ms: Option<u64>) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            crate::cli::complain(&format!("watchfloor: cannot start: {e}"));
            return EXIT_PROBLEMS;
        }
    };
    rt.block_on(follow(config, as_json, state_dir, poll_ms))
}

async fn follow(config: &Config, as_json: bool, state_dir: Option<&std::path::Path>, poll_ms: Option<u64>) -> i32 {
    let default_state = watchfloor_core::state::default_dir();
    let mut engine = Engine::new(
        Options::from_config(config).with_state(state_dir.or(default_state.as_deref()), true),
        clock::system(),
    );
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    // Watch before the first read, so nothing written in between is missed.
    let (mut watcher, every) = DirWatcher::start(engine.matcher(), poll_ms.map(Duration::from_millis), move || {
        let _ = tx.send(());
    });
    // A feed with its own `poll_ms` (on a share that sends no events) makes every look that often.
    let every = config.feed_poll_ms().map_or(every, |ms| every.min(Duration::from_millis(ms)));
    let dirs = engine.feeds().watch_dirs();
    watcher.refresh(&dirs);

    // Before the first read: a SIGTERM that comes during it, or just after `ready`, ends the run cleanly
    // once the read is over (a test that stopped `follow` right after `ready` on a busy machine found the
    // handlers not yet there, and the process killed by the signal).
    let (mut term, mut hup, mut int) =
        match (signal(SignalKind::terminate()), signal(SignalKind::hangup()), signal(SignalKind::interrupt())) {
            (Ok(t), Ok(h), Ok(i)) => (t, h, i),
            _ => {
                crate::cli::complain("watchfloor: cannot install signal handlers");
                return EXIT_PROBLEMS;
            }
        };
    let mut out = std::io::stdout().lock();
    let initial = engine.poll();
    // At start only problems and news are printed (a published list's differences from its last run), not
    // every record; then a `ready` line with the counts.
    let problems: Vec<&Change> = initial.iter().filter(|c| is_news(c)).collect();
    if !print(&mut out, &problems, &engine, as_json) {
        return EXIT_OK;
    }
    let ready = if as_json {
        format!(
            "{}\n",
            json!({"event": "ready", "counts": json::counts(engine.store()), "errors": engine.error_count()})
        )
    } else {
        format!("ready: {} records, {} feed errors\n", engine.store().len(), engine.error_count())
    };
    if !emit(&mut out, &ready) || out.flush().is_err() {
        return EXIT_OK;
    }

    let mut safety = tokio::time::interval(every);
    safety.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            // Without native watching (--poll) the sender is gone and this branch is simply off.
            Some(()) = rx.recv() => {
                // A burst of events is one read.
                while rx.try_recv().is_ok() {}
            }
            _ = safety.tick() => watcher.refresh(&dirs),
            _ = term.recv() => break,
            _ = hup.recv() => break,
            _ = int.recv() => break,
        }
        let changes = engine.poll();
        let refs: Vec<&Change> = changes.iter().collect();
        if !print(&mut out, &refs, &engine, as_json) || out.flush().is_err() {
            break;
        }
    }
    tracing::info!("follow stopped");
    EXIT_OK
}

/// A change worth printing at start: a problem, or news.
fn is_news(c: &Change) -> bool {
    match c {
        Change::RecordAdded { news, .. } | Change::RecordUpdated { news, .. } => *news,
        Change::FeedError(_) | Change::FeedMissing { .. } | Change::Alert(_) => true,
        _ => false,
    }
}

/// Prints changes; false when stdout is gone.
fn print(out: &mut impl Write, changes: &[&Change], engine: &Engine, as_json: bool) -> bool {
    for c in changes {
        let line =
            if as_json { format!("{}\n", json::change(c, engine.store(), engine.links())) } else { text_line(c) };
        if !emit(out, &line) {
            return false;
        }
    }
    true
}

fn text_line(c: &Change) -> String {
    match c {
        Change::RecordAdded { kind, id, origin, .. } => {
            format!("added    {kind} {id} ({}:{})\n", clean_path(origin.file), origin.line)
        }
        Change::RecordUpdated { kind, id, origin, versions, .. } => {
            format!("updated  {kind} {id} v{versions} ({}:{})\n", clean_path(origin.file), origin.line)
        }
        Change::FeedError(e) => format!("error    {e}\n"),
        Change::FileAppeared { file } => format!("appeared {}\n", clean_path(file)),
        Change::FileVanished { file } => format!("vanished {}\n", clean_path(file)),
        Change::FileTruncated { file } => format!("truncated {}\n", clean_path(file)),
        Change::FileReplaced { file } => format!("replaced {}\n", clean_path(file)),
        Change::FeedMissing { file } => format!("missing  {}\n", clean_path(file)),
        Change::Alert(a) => format!("alert    {}: {} {} ({})\n", a.rule, a.kind, a.title, a.id),
        Change::Evicted { kind, ids } => format!("evicted  {} {kind} records (retention)\n", ids.len()),
        Change::Read { kind, file, records } => format!("read     {records} {kind} records ({})\n", clean_path(file)),
    }
}

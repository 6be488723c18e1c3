//! `watchfloor follow`: load, then print each change as it happens, until interrupted.
//!
//! The loop sleeps until the watcher says a feed file changed (or the slow safety check comes round),
//! reads what is new, and prints one line per change. Nothing runs on a timer while idle but that check.

use super::{emit, EXIT_OK, EXIT_PROBLEMS};
use crate::wake::{Wake, Wakeups};
use serde_json::json;
use std::io::Write;
use watchfloor_core::config::Config;
use watchfloor_core::engine::{clock, Change, Engine, Options};
use watchfloor_core::present::json;
use watchfloor_core::text::clean_path;

/// How changes are printed: as text or JSON lines, and in JSON with each record's versions or not.
#[derive(Clone, Copy, Debug)]
pub struct Form {
    pub json: bool,
    pub history: bool,
}

pub fn run(config: &Config, form: Form, state_dir: Option<&std::path::Path>, poll_ms: Option<u64>) -> i32 {
    let rt = match crate::wake::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            crate::cli::complain(&format!("watchfloor: cannot start: {e}"));
            return EXIT_PROBLEMS;
        }
    };
    rt.block_on(follow(config, form, state_dir, poll_ms))
}

async fn follow(config: &Config, form: Form, state_dir: Option<&std::path::Path>, poll_ms: Option<u64>) -> i32 {
    let default_state = watchfloor_core::state::default_dir();
    let mut engine = Engine::new(
        Options::from_config(config).with_state(state_dir.or(default_state.as_deref()), true),
        clock::system(),
    );
    // Watching, and the signal handlers, before the first read (see `wake`): a SIGTERM that comes during
    // it, or just after `ready`, ends the run cleanly once the read is over.
    let mut wakeups = match Wakeups::start(&engine, None, poll_ms, config.feed_poll_ms()) {
        Ok(w) => w,
        Err(e) => {
            crate::cli::complain(&format!("watchfloor: cannot install signal handlers: {e}"));
            return EXIT_PROBLEMS;
        }
    };
    let mut out = std::io::stdout().lock();
    let mut initial = engine.poll();
    // Large files are read a part a poll: a signal ends the run between parts.
    while engine.loading().is_some() {
        tokio::select! {
            biased;
            wake = wakeups.next() => if let Wake::Signal(_) = wake {
                return EXIT_OK;
            },
            _ = tokio::task::yield_now() => {}
        }
        initial = engine.poll();
    }
    // At start only problems and news are printed (a published list's differences from its last run), not
    // every record; then a `ready` line with the counts.
    let problems: Vec<&Change> = initial.iter().filter(|c| is_news(c)).collect();
    if !print(&mut out, &problems, &engine, form) {
        return EXIT_OK;
    }
    let ready = if form.json {
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

    loop {
        // A file with more to read than one poll reads is read on at once, a signal looked at first.
        let wake = tokio::select! {
            biased;
            wake = wakeups.next() => Some(wake),
            // Yielding lets the runtime look at its signals and file events before the next part.
            _ = tokio::task::yield_now(), if engine.has_more() => None,
        };
        if let Some(Wake::Signal(_)) = wake {
            break;
        }
        let changes = engine.poll();
        let refs: Vec<&Change> = changes.iter().collect();
        if !print(&mut out, &refs, &engine, form) || out.flush().is_err() {
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
fn print(out: &mut impl Write, changes: &[&Change], engine: &Engine, form: Form) -> bool {
    for c in changes {
        let line = if form.json {
            format!("{}\n", json::change(c, engine.store(), engine.links(), form.history))
        } else {
            text_line(c)
        };
        if !emit(out, &line) {
            return false;
        }
    }
    true
}

fn text_line(c: &Change) -> String {
    match c {
        Change::RecordAdded { kind, id, origin, .. } => {
            format!("added    {kind} {id} ({}:{})\n", clean_path(&origin.file), origin.line)
        }
        Change::RecordUpdated { kind, id, origin, versions, .. } => {
            format!("updated  {kind} {id} v{versions} ({}:{})\n", clean_path(&origin.file), origin.line)
        }
        Change::FeedError(e) => format!("error    {e}\n"),
        Change::FileAppeared { file } => format!("appeared {}\n", clean_path(file)),
        Change::FileVanished { file } => format!("vanished {}\n", clean_path(file)),
        Change::FileTruncated { file } => format!("truncated {}\n", clean_path(file)),
        Change::FileReplaced { file } => format!("replaced {}\n", clean_path(file)),
        Change::FeedMissing { file } => format!("missing  {}\n", clean_path(file)),
        Change::Alert(a) => format!("alert    {}: {} {} ({})\n", a.rule, a.kind, a.title, a.id),
        Change::Relinked { kind, id, by } => format!("relinked {kind} {id} (by {} {})\n", by.0, by.1),
        Change::Evicted { kind, ids } => format!("evicted  {} {kind} records (retention)\n", ids.len()),
        Change::Read { kind, file, records } => format!("read     {records} {kind} records ({})\n", clean_path(file)),
    }
}

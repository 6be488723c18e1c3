//! The one place that waits: for keys, feed changes, the minute clock, signals and a dead terminal.
//!
//! Nothing is drawn on a timer. A frame is drawn after something changed, and a burst of changes is
//! coalesced into at most one frame every [`FRAME_INTERVAL`]. Idle, the loop sleeps: it wakes once a second
//! to look at the feed files (a safety net for missed events) and once a minute for the clock.

use super::app::{App, FilterKey};
use super::terminal::{watch_hangup, TerminalGuard};
use super::theme::Theme;
use super::view::{self, Data};
use crate::wake::{Wake, Wakeups};
use chrono::{Local, NaiveDateTime, Timelike};
use ratatui::crossterm::event::{self, Event, MouseButton, MouseEventKind};
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::time::Instant;
use watchfloor_core::engine::Engine;

/// At most ~30 frames a second.
const FRAME_INTERVAL: Duration = Duration::from_millis(33);

/// Why the loop ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    Signal(&'static str),
    TerminalGone,
}

enum Input {
    Event(Event),
    Gone,
}

pub async fn run(
    guard: &mut TerminalGuard,
    engine: &mut Engine,
    app: &mut App,
    theme: &Theme,
    config_file: Option<&std::path::Path>,
    poll_ms: Option<u64>,
    feed_poll_ms: Option<u64>,
) -> std::io::Result<Exit> {
    let mut config_watch = config_file.map(ConfigWatch::new);
    let mut input = spawn_input_reader();
    let (hup_tx, mut hangup) = unbounded_channel::<()>();
    watch_hangup(move || {
        let _ = hup_tx.send(());
    });
    let mut wakeups = Wakeups::start(engine, config_file, poll_ms, feed_poll_ms)?;
    if let Some(problem) = &wakeups.problem {
        app.notice = Some(format!("no file events ({problem}): checking files every second"));
    }

    app.resize(guard.area()?);
    // A first frame at once, so a large load does not leave a blank terminal.
    app.loading = Some((0, 0));
    draw(guard, engine, app, theme)?;
    // Load after the watch is set, so nothing written in between is missed. Large files are read a part
    // a poll (keys, signals and frames between); the records are shown when the first read is whole.
    let started = std::time::Instant::now();
    poll(engine, app, started);
    draw(guard, engine, app, theme)?;
    if cfg!(debug_assertions) && std::env::var_os("WATCHFLOOR_DEBUG_PANIC").is_some() {
        // For the test that a panic gives the terminal back before its message (debug builds only).
        panic!("WATCHFLOOR_DEBUG_PANIC was set");
    }
    let mut last_draw = Instant::now();
    let mut frame_due: Option<Instant> = None;
    let mut next_minute = Instant::now() + until_next_minute(now());

    loop {
        tokio::select! {
            ev = input.recv() => match ev {
                Some(Input::Event(ev)) => {
                    on_input(ev, app)?;
                    // A burst of input (a held key, a paste) is handled before the next frame; each key sees
                    // the selection the one before it left.
                    while let Ok(Input::Event(ev)) = input.try_recv() {
                        app.catch_up(&Data::new(engine.view(), theme));
                        on_input(ev, app)?;
                    }
                }
                Some(Input::Gone) | None => return Ok(Exit::TerminalGone),
            },
            wake = wakeups.next() => match wake {
                Wake::Files | Wake::Check => {
                    poll(engine, app, started);
                    // An edit made during the first read is taken when it is over (the watch sees it then).
                    if app.loading.is_none() {
                        reload_config(config_watch.as_mut(), engine, app);
                    }
                }
                Wake::Signal(name) => return Ok(Exit::Signal(name)),
            },
            _ = tokio::time::sleep_until(next_minute) => {
                app.tick(now());
                next_minute = Instant::now() + until_next_minute(now());
            }
            _ = tokio::time::sleep_until(frame_due.unwrap_or(last_draw)), if frame_due.is_some() => {}
            // A filter looking through a large panel: one slice, then keys and files get their turn.
            _ = std::future::ready(()), if app.has_work() => app.work(&engine.view()),
            // A file with more to read than one poll reads: the next part, keys and signals between.
            // (Yielding first lets the runtime look at its signals before the next part.)
            _ = tokio::task::yield_now(), if engine.has_more() => poll(engine, app, started),
            _ = hangup.recv() => return Ok(Exit::TerminalGone),
        }
        if app.quit {
            return Ok(Exit::Quit);
        }
        if std::mem::take(&mut app.suspend) {
            guard.suspend()?;
            app.full_redraw = true;
        }
        decide(engine, app);
        news(engine, app);
        app.catch_up(&Data::new(engine.view(), theme));
        if let Some(text) = app.clipboard.take() {
            guard.copy(&text)?;
        }
        guard.set_mouse(app.mouse)?;
        if app.full_redraw {
            app.full_redraw = false;
            guard.invalidate()?;
            app.dirty = true;
        }
        if app.dirty {
            let due = last_draw + FRAME_INTERVAL;
            if Instant::now() >= due {
                draw(guard, engine, app, theme)?;
                last_draw = Instant::now();
                frame_due = None;
            } else {
                frame_due = Some(due);
            }
        }
    }
}

/// Reads what is new and shows it; the poll that ends the first read (`started` is when it began) shows
/// its records, and starts working out which are new since last acknowledged.
fn poll(engine: &mut Engine, app: &mut App, started: std::time::Instant) {
    let changes = engine.poll();
    if app.loading.is_none() {
        app.apply(&changes, &engine.view());
        return;
    }
    app.loading = engine.loading();
    app.dirty = true;
    if app.loading.is_some() {
        return;
    }
    let read = started.elapsed();
    app.know_feeds(engine.files().iter().map(|(p, _)| p.as_path()));
    app.apply(&changes, &engine.view());
    drop(changes);
    if let Some(problem) = engine.decisions_problem() {
        app.notice = Some(problem.to_owned());
    }
    if let Some(problem) = &engine.view().news.problem {
        app.notice = Some(problem.clone());
    }
    // The records on screen first; what is new since last acknowledged (every record's fingerprint
    // against the state folder's, most of a second at a million) is marked slice by slice afterwards.
    app.init_marks(engine.store());
    tracing::info!("first load: {} records read in {read:.2?}", engine.store().len());
}

/// Follows config.toml like a feed: an edit to the rules or the vocabulary applies at once; one that does
/// not parse is shown in the header with its line, and the last good configuration stays.
struct ConfigWatch {
    path: std::path::PathBuf,
    seen: Option<(u64, std::time::SystemTime)>,
}

impl ConfigWatch {
    fn new(path: &std::path::Path) -> Self {
        let mut w = ConfigWatch { path: path.to_path_buf(), seen: None };
        w.seen = w.stat();
        w
    }

    fn stat(&self) -> Option<(u64, std::time::SystemTime)> {
        let m = std::fs::metadata(&self.path).ok()?;
        Some((m.len(), m.modified().ok()?))
    }
}

fn reload_config(watch: Option<&mut ConfigWatch>, engine: &mut Engine, app: &mut App) {
    let Some(watch) = watch else { return };
    let now = watch.stat();
    if now == watch.seen || now.is_none() {
        return;
    }
    watch.seen = now;
    let result = watchfloor_core::files::read_to_string(&watch.path)
        .map_err(|e| (None, watchfloor_core::text::describe_io(&e)))
        .and_then(|text| {
            watchfloor_core::config::parse(&text, Some(&watch.path)).map_err(|e| match e.at {
                Some((line, col)) => (Some(line as u64), format!("column {col}: {}", e.message)),
                None => (None, e.message),
            })
        });
    match result {
        Ok(config) => {
            tracing::info!("config reloaded: {} rules", config.rules.len());
            // As written (`--feeds` moves where they are, not what they are).
            let written = |f: &watchfloor_core::config::FeedSpec| (f.given.clone(), f.kind, f.format, f.poll_ms);
            let feeds_changed = !config.feeds.iter().map(written).eq(engine.feed_specs().iter().map(written));
            engine.reconfigure(config.rules, config.categories);
            app.notice = None;
            app.flash = Some("config.toml reloaded: rules and categories apply now".into());
            if feeds_changed {
                // Said rather than shown as "reloaded": the feeds followed are the ones read at start.
                app.notice = Some(
                    "config.toml's feeds changed: rules and categories apply now, the feeds after a restart".into(),
                );
            }
            app.reorder_all(&engine.view());
        }
        Err((line, message)) => {
            // Whole in the error list (`e`), and named in the header.
            let file = std::sync::Arc::new(watch.path.clone());
            let error = watchfloor_core::engine::FeedError { file, line, message };
            tracing::warn!("config not reloaded: {error}");
            app.notice = Some(format!("config not reloaded, the last good one stays: {error} (e: errors)"));
            engine.note_error(error);
        }
    }
    app.dirty = true;
}

/// Hands the news the analyst acknowledged to the engine, which keeps the news; and, once the marks are
/// worked out at start, the records that arrived or changed while the dashboard was closed, of which those
/// that match a rule become news (with the bell when a rule asks for it).
fn news(engine: &mut Engine, app: &mut App) {
    for which in std::mem::take(&mut app.news_acks) {
        engine.acknowledge_news(which.as_ref().map(|(k, id)| (*k, id.as_str())));
        app.dirty = true;
    }
    if let Some(unseen) = app.unseen_at_start.take() {
        let before = engine.view().news.len();
        app.bell |= engine.news_at_start(unseen.iter().map(|(k, id, c)| (*k, id.as_str(), *c)));
        let made = engine.view().news.len() - before;
        if made > 0 {
            tracing::info!("{made} records came to match a rule while the dashboard was closed");
            app.dirty = true;
        }
    }
}

/// Hands the analyst's decisions to the engine, which keeps them and looks at the rules again.
fn decide(engine: &mut Engine, app: &mut App) {
    for ((ka, a), (kb, b), d) in std::mem::take(&mut app.decisions) {
        match engine.decide((ka, &a), (kb, &b), d) {
            Ok(changes) => {
                app.apply(&changes, &engine.view());
                app.flash = Some(match d {
                    Some(d) => format!("{ka} {a} and {kb} {b}: {} party, kept in decisions.toml", d.as_str()),
                    None => format!("{ka} {a} and {kb} {b}: decision forgotten, the matcher decides"),
                });
            }
            Err(e) => {
                tracing::warn!("decision not kept: {e}");
                app.notice = Some(format!("decision applies until you quit, not kept: {e}"));
            }
        }
        app.dirty = true;
    }
}

fn draw(guard: &mut TerminalGuard, engine: &Engine, app: &mut App, theme: &Theme) -> std::io::Result<()> {
    let data = Data::new(engine.view(), theme);
    // A resize not heard of yet (the event may still be on its way): the state is brought to this size
    // first, so the frame shows what the next key acts on.
    let area = guard.area()?;
    if area != app.area {
        app.resize(area);
        app.catch_up(&data);
    }
    if std::mem::take(&mut app.bell) {
        guard.bell()?;
    }
    guard.draw(|f| view::render(f, app, &data))?;
    app.dirty = false;
    Ok(())
}

fn on_input(ev: Event, app: &mut App) -> std::io::Result<()> {
    match ev {
        Event::Key(key) => {
            app.flash = None;
            if app.context() == super::keys::Context::Filter {
                use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyModifiers};
                if key.kind == KeyEventKind::Release {
                    return Ok(());
                }
                let fk = match key.code {
                    KeyCode::Enter => Some(FilterKey::Keep),
                    KeyCode::Esc => Some(FilterKey::Clear),
                    KeyCode::Backspace => Some(FilterKey::Backspace),
                    KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                        app.update(super::keys::Action::Quit);
                        None
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => Some(FilterKey::Char(c)),
                    _ => None,
                };
                if let Some(fk) = fk {
                    app.filter_key(fk);
                }
            } else if let Some(action) = super::keys::action_for(&key, app.context()) {
                app.update(action);
            }
        }
        Event::Resize(w, h) => app.resize(ratatui::layout::Rect::new(0, 0, w, h)),
        Event::Mouse(m) if app.mouse => match m.kind {
            MouseEventKind::Down(MouseButton::Left) => app.click(m.column, m.row),
            MouseEventKind::ScrollDown => app.wheel(m.column, m.row, true),
            MouseEventKind::ScrollUp => app.wheel(m.column, m.row, false),
            _ => {}
        },
        _ => {}
    }
    Ok(())
}

/// Reads terminal input on its own thread. If the terminal goes away the reader may never return (crossterm
/// spins on a dead tty); the hang-up watch ends the program in that case.
fn spawn_input_reader() -> UnboundedReceiver<Input> {
    let (tx, rx) = unbounded_channel();
    let _ = std::thread::Builder::new().name("input".into()).spawn(move || loop {
        match event::read() {
            Ok(ev) => {
                if tx.send(Input::Event(ev)).is_err() {
                    return;
                }
            }
            Err(_) => {
                let _ = tx.send(Input::Gone);
                return;
            }
        }
    });
    rx
}

pub fn now() -> NaiveDateTime {
    Local::now().naive_local()
}

fn until_next_minute(t: NaiveDateTime) -> Duration {
    let into = t.second() as u64 * 1000 + (t.nanosecond() as u64 / 1_000_000).min(999);
    Duration::from_millis(60_000 - into + 5)
}

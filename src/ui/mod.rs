//! The dashboard: four live panels in the terminal.
//!
//! `mod.rs` is the composition root: it checks there is a terminal, builds the engine, the state and the
//! theme, hands them to the event loop, and gives the terminal back whatever happens.

pub mod app;
pub mod command;
pub mod data;
pub mod event_loop;
pub mod keys;
pub mod layout;
pub mod marks;
pub mod panel;
pub mod popup;
pub mod terminal;
pub mod theme;
pub mod view;

use std::io::IsTerminal;
use watchfloor_core::config::{ColorMode, Config};
use watchfloor_core::engine::{self, clock, Engine};

/// What the command line adds to the config for the dashboard.
pub struct Options {
    pub color: Option<ColorMode>,
    pub mouse: bool,
    /// `--state DIR`, else the default state folder.
    pub state: Option<std::path::PathBuf>,
    /// `--poll[=MS]` or `poll_ms`: look at the files on a timer instead of waiting for events.
    pub poll_ms: Option<u64>,
}

/// Runs the dashboard until the analyst quits; returns the exit status.
pub fn run(config: &Config, options: Options) -> i32 {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        crate::exit::complain("watchfloor: the dashboard needs a terminal; for scripts use `watchfloor snapshot` or `watchfloor follow --json`");
        return crate::exit::EXIT_PROBLEMS;
    }
    let mode = options.color.unwrap_or(config.ui.color);
    let theme =
        theme::Theme::for_mode(mode, std::env::var("NO_COLOR").ok().as_deref(), std::env::var("TERM").ok().as_deref());
    let rt = match crate::wake::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            crate::exit::complain(&format!("watchfloor: cannot start: {e}"));
            return crate::exit::EXIT_PROBLEMS;
        }
    };
    let mouse = options.mouse || config.ui.mouse;
    let state = options.state.clone().or_else(watchfloor_core::state::default_dir);
    let mut engine =
        Engine::new(engine::Options::from_config(config).with_state(state.as_deref(), true), clock::system());
    engine.keep_news(state.as_deref());
    let mut app = app::App::new(event_loop::now(), mouse);
    app.seen = watchfloor_core::model::seen::Seen::load(state.as_deref());
    let result = match terminal::TerminalGuard::enter(mouse, config.ui.synchronized_output) {
        Ok(mut guard) => rt.block_on(event_loop::run(
            &mut guard,
            &mut engine,
            &mut app,
            &theme,
            config.file.as_deref(),
            options.poll_ms,
            config.feed_poll_ms(),
        )),
        Err(e) => Err(e),
    };
    // The guard has dropped: the terminal is back to normal before anything is printed.
    terminal::restore();
    // However it ended (q, a signal, the terminal gone), a first run's baseline is kept.
    app.finish_first_acknowledgement(engine.store());
    app.finish_saving();
    // Quitting is instant even with a million records held: the process ends next, so they are not freed
    // one allocation at a time.
    std::mem::forget(engine);
    std::mem::forget(app);
    match result {
        Ok(exit) => {
            tracing::info!("dashboard ended: {exit:?}");
            crate::exit::EXIT_OK
        }
        // A write to a terminal that went away (the pane killed, the SSH session gone) fails before the
        // hang-up is seen: the same normal end.
        Err(e) if terminal_gone(&e) => {
            tracing::info!("dashboard ended: TerminalGone ({e})");
            crate::exit::EXIT_OK
        }
        Err(e) => {
            tracing::error!("dashboard failed: {e}");
            crate::exit::complain(&format!("watchfloor: terminal error: {e}"));
            crate::exit::EXIT_PROBLEMS
        }
    }
}

/// Whether an error writing to the terminal says it is gone: EIO on a pseudo-terminal whose other side
/// closed, ENXIO or a broken pipe.
fn terminal_gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe || matches!(e.raw_os_error(), Some(libc::EIO | libc::ENXIO))
}

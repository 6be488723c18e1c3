//! watchfloor, the program: the headless commands ([`cli`]) and the dashboard ([`ui`]) over the terminal-free
//! core crate `watchfloor_core` (config, feeds, formats, model, engine, presentation).
//!
//! Data walks one way: files → feed → formats → engine → store → changes → [`cli`] and [`ui`].
//! See `docs/architecture.md`.

pub mod cli;
pub mod exit;
pub mod logging;
pub mod ui;
pub mod wake;

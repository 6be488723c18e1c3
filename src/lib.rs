//! watchfloor: follows sanctions, supplier, aid and shortage feeds and shows them live.
//!
//! Data walks one way: files → [`feed`] (watch, tail, formats) → [`engine`] → [`model`] (store) → changes →
//! [`cli`] commands (and the dashboard). See `docs/architecture.md`.

pub mod cache;
pub mod cli;
pub mod config;
pub mod engine;
pub mod feed;
pub mod logging;
pub mod model;
pub mod parallel;
pub mod present;
pub mod state;
pub mod text;
pub mod ui;

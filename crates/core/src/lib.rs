//! watchfloor's core: everything the program knows about feeds and records, free of terminals, async
//! runtimes and command lines (the compiler keeps it so: none of those crates is a dependency).
//!
//! Data walks one way: files → [`feed`] (watch, tail, whole downloads) → [`formats`] (bytes → records) →
//! [`engine`] → [`model`] (store, links, rules) → changes → [`present`] (rows, JSON) for the front ends.
//! See `docs/architecture.md`.

pub mod cache;
pub mod config;
pub mod engine;
pub mod feed;
pub mod files;
pub mod formats;
pub mod model;
pub mod parallel;
pub mod present;
pub mod state;
pub mod text;

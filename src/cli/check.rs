//! `watchfloor check`: is the configuration usable, and is every feed clean?

use super::{EXIT_OK, EXIT_PROBLEMS};
use std::io::Write;
use watchfloor_core::config::Config;
use watchfloor_core::engine::Engine;

pub fn run(config: &Config) -> i32 {
    let mut engine = Engine::for_config(config);
    engine.load_once();
    let mut out = std::io::stdout().lock();
    for e in engine.errors() {
        if writeln!(out, "{e}").is_err() {
            return EXIT_PROBLEMS;
        }
    }
    let problems = engine.error_count();
    let files = engine.files().iter().filter(|(_, present)| *present).count();
    let records = engine.store().len();
    let summary = if problems == 0 {
        format!("ok: {files} files, {records} records, no problems")
    } else {
        let (with, plural) = (engine.files_with_errors(), |n: u64, one: &str, many: &str| {
            format!("{n} {}", if n == 1 { one } else { many })
        });
        format!(
            "{} in {}; {}, {} loaded",
            plural(problems, "problem", "problems"),
            plural(with as u64, "file", "files"),
            plural(files as u64, "file", "files"),
            plural(records as u64, "record", "records")
        )
    };
    let _ = writeln!(out, "{summary}");
    // The process ends next; freeing every record first would only make it slower to exit.
    std::mem::forget(engine);
    if problems == 0 {
        EXIT_OK
    } else {
        EXIT_PROBLEMS
    }
}

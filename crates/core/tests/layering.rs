//! The house rule the compiler keeps only if nobody adds the wrong dependency: the core crate draws no
//! terminal, runs no async runtime and parses no command line. This reads the core's real dependency tree
//! (`cargo tree`, normal and build edges) and fails on any of those crates.

use std::process::Command;

const FORBIDDEN: &[&str] = &["ratatui", "crossterm", "tokio", "clap", "clap_builder", "portable-pty"];

#[test]
fn the_core_depends_on_no_terminal_async_runtime_or_command_line_crate() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["tree", "-p", "watchfloor-core", "-e", "normal,build", "--prefix", "none", "--offline", "--locked"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree failed: {}", String::from_utf8_lossy(&out.stderr));
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: Vec<&str> = tree.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.contains(&"watchfloor-core") && crates.contains(&"serde_json"), "not a tree: {tree}");
    let found: Vec<&&str> = FORBIDDEN.iter().filter(|f| crates.contains(f)).collect();
    assert!(found.is_empty(), "the core depends on {found:?}; they belong to the binary crate");
}

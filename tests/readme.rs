//! The README is for a new user: its key list and config keys must match the program.

use watchfloor::ui::keys::KEYS;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

#[test]
fn every_key_in_the_key_table_is_in_the_readme() {
    let text = readme();
    for b in KEYS {
        assert!(text.contains(b.help), "README.md does not describe the key {:?} ({})", b.label, b.help);
    }
}

#[test]
fn the_readme_gives_the_two_commands() {
    let text = readme();
    assert!(text.contains("cargo run --release") && text.contains("cargo test"));
}

#[test]
fn the_config_example_in_the_readme_is_valid() {
    let text = readme();
    let start = text.find("```toml\n").expect("a toml example") + "```toml\n".len();
    let end = start + text[start..].find("```").expect("end of the example");
    watchfloor_core::config::parse(&text[start..end], None).expect("the README's config example parses");
}

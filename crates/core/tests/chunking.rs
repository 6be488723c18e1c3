//! Chunking does not matter: however a feed's bytes arrive (cut inside a multi-byte character, inside
//! `\r\n`, between a line and its newline), and with rewrites and renames-over that keep what was written,
//! the engine ends with the same records as one read of the final file.

use proptest::prelude::*;
use std::fs;
use std::io::Write;
use std::path::Path;
use watchfloor_core::config::parse;
use watchfloor_core::engine::Engine;
use watchfloor_core::model::{Kind, Store};

/// One step of a writer's history.
#[derive(Clone, Debug)]
enum Step {
    /// Append the next `n` bytes of the content.
    Append(usize),
    /// Truncate the file and write back everything written so far (a rewrite in place).
    Rewrite,
    /// Write everything so far to a new file and rename it over the feed (as download tools do).
    RenameOver,
    /// Let the engine look.
    Poll,
}

fn line() -> impl Strategy<Value = String> {
    let id = prop::sample::select(vec!["a", "b", "c", "深", "ж"]);
    let name = prop::sample::select(vec!["Alpha Ltd", "Βήτα", "青云星锻", "Ω €", "x"]);
    let day = 1u32..28;
    let ending = prop::sample::select(vec!["\n", "\r\n"]);
    prop_oneof![
        8 => (id, name, day, ending.clone()).prop_map(|(id, name, day, end)| {
            format!("{{\"id\":\"{id}\",\"ts\":\"2024-05-{day:02}T00:00:00Z\",\"target\":\"{name}\"}}{end}")
        }),
        1 => ending.clone().prop_map(|e| format!("not json {e}")),
        1 => ending.prop_map(|e| format!("{{\"id\":\"broken\"{e}")),
    ]
}

fn history() -> impl Strategy<Value = (String, Vec<Step>)> {
    let step = prop_oneof![
        6 => (1usize..40).prop_map(Step::Append),
        1 => Just(Step::Rewrite),
        1 => Just(Step::RenameOver),
        3 => Just(Step::Poll),
    ];
    (prop::collection::vec(line(), 1..12).prop_map(|lines| lines.concat()), prop::collection::vec(step, 1..40))
}

/// Every record of every kind with every version, in a form to compare.
fn state(store: &Store) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for &kind in Kind::ALL {
        for e in store.panel(kind).newest_first() {
            let mut versions: Vec<String> = e
                .history()
                .iter()
                .map(|v| v.record(store.texts()))
                .map(|r| format!("{} {}", r.ts.text(), serde_json::Value::Object(r.fields_json())))
                .collect();
            versions.sort();
            out.push((format!("{kind}/{}", e.current().packed().id()), versions));
        }
    }
    out.sort();
    out
}

fn engine(dir: &Path) -> Engine {
    let text = "feeds_dir = \"feeds\"\n[[feed]]\npath = \"s.jsonl\"\nkind = \"sanctions\"\n";
    let config = parse(text, Some(&dir.join("config.toml"))).expect("config");
    Engine::for_config(&config)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_gives_the_state_of_one_read((content, steps) in history()) {
        let dir = tempfile::tempdir().expect("tmp");
        fs::create_dir(dir.path().join("feeds")).expect("feeds");
        let feed = dir.path().join("feeds").join("s.jsonl");
        fs::write(&feed, b"").expect("create");
        let bytes = content.as_bytes();
        let mut written = 0usize;
        let mut follower = engine(dir.path());
        follower.poll();
        for step in steps.into_iter().chain([Step::Append(usize::MAX), Step::Poll]) {
            match step {
                Step::Append(n) => {
                    let end = written.saturating_add(n).min(bytes.len());
                    let mut f = fs::OpenOptions::new().append(true).open(&feed).expect("open");
                    f.write_all(&bytes[written..end]).expect("append");
                    written = end;
                }
                Step::Rewrite => fs::write(&feed, &bytes[..written]).expect("rewrite"),
                Step::RenameOver => {
                    let tmp = feed.with_extension("part");
                    fs::write(&tmp, &bytes[..written]).expect("tmp");
                    fs::rename(&tmp, &feed).expect("rename");
                }
                Step::Poll => {
                    follower.poll();
                }
            }
        }
        let mut once = engine(dir.path());
        once.load_once();
        prop_assert_eq!(state(follower.store()), state(once.store()));
    }
}

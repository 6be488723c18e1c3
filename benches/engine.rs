//! Criterion benchmarks of the core: parsing a line, loading generated feeds, a new record into a store of
//! a million, a frame, a key on the newest and the oldest row, and a filter keystroke over a million. `cargo bench --bench engine` (building the
//! million-record store takes ~20 s before the last three); the figures and the machine go in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use watchfloor::ui::app::App;
use watchfloor::ui::theme::Theme;
use watchfloor::ui::view::{render, Data};
use watchfloor_core::config::parse;
use watchfloor_core::engine::Engine;
use watchfloor_core::model::Kind;

const LINE: &str = r#"{"id":"ofac-qingyun-starforge","ts":"2024-05-01T15:00:00Z","authority":"OFAC","program":"RUSSIA-EO14024","action":"designated","target":"QINGYUN STARFORGE CNC CO., LTD.","target_type":"entity","country":"CN","reason":"Supplied CNC machine tools to Russia's defence industrial base","source":"Treasury press release","aliases":["Qingyun Star Forge CNC","青云星锻数控有限公司"]}"#;

fn loaded(records: usize) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("tmp");
    watchfloor::cli::gen::write(dir.path(), records, 1).expect("gen");
    let text = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    let config = parse(&text, Some(&dir.path().join("config.toml"))).expect("valid");
    let mut engine = Engine::for_config(&config);
    engine.load_once();
    (dir, engine)
}

fn benches(c: &mut Criterion) {
    // Parsed as a load parses: straight into the packed record the store keeps.
    c.bench_function("parse one sanctions line with a CJK alias (the general parser)", |b| {
        b.iter(|| watchfloor_core::formats::jsonl::parse_packed(black_box(LINE.as_bytes()), Some(Kind::Sanctions)))
    });
    let plain = LINE.replace(r#","青云星锻数控有限公司""#, "");
    c.bench_function("parse one plain ASCII sanctions line (the quick reader)", |b| {
        b.iter(|| watchfloor_core::formats::jsonl::parse_packed(black_box(plain.as_bytes()), Some(Kind::Sanctions)))
    });

    let dir = tempfile::tempdir().expect("tmp");
    watchfloor::cli::gen::write(dir.path(), 20_000, 1).expect("gen");
    let text = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    let config = parse(&text, Some(&dir.path().join("config.toml"))).expect("valid");
    // The names of the generated feeds (targets, firms and their aliases), as links reduce them on a load.
    let names: Vec<String> = ["sanctions.jsonl", "suppliers.jsonl"]
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(dir.path().join(f)).expect("feed").lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(&l).ok())
        .flat_map(|v| {
            let one = ["target", "name"].iter().filter_map(|k| v[*k].as_str().map(str::to_owned)).collect::<Vec<_>>();
            let aliases = v["aliases"].as_array().into_iter().flatten().filter_map(|a| a.as_str().map(str::to_owned));
            one.into_iter().chain(aliases.collect::<Vec<_>>())
        })
        .take(1000)
        .collect();
    c.bench_function("name forms of 1,000 generated firm names (links' hash)", |b| {
        b.iter(|| names.iter().filter_map(|n| watchfloor_core::model::names::form_hash(black_box(n))).count())
    });
    let matcher = watchfloor_core::model::matching::Matcher::new();
    c.bench_function("name forms and word keys of 1,000 generated firm names (links' hash and index)", |b| {
        let mut memo = watchfloor_core::model::name_keys::KeyMemo::default();
        b.iter(|| {
            let mut keys = 0;
            for n in &names {
                matcher.form_and_keys(black_box(n), Some(&mut memo), &mut |_| keys += 1);
            }
            keys
        })
    });
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("20k generated records, parse + store + links", |b| {
        b.iter_batched(|| Engine::for_config(&config), |mut e| e.load_once(), BatchSize::LargeInput)
    });
    group.finish();

    for records in [100_000, 1_000_000] {
        let (_dir, mut engine) = loaded(records);
        let label = if records == 1_000_000 { "1M" } else { "100k" };
        let theme = Theme::sixteen();
        let mut app = App::new(chrono::NaiveDateTime::default(), false);
        app.reorder_all(&engine.view());
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        c.bench_function(&format!("draw a 120x40 frame over {label} records"), |b| {
            b.iter(|| {
                let data = Data::new(engine.view(), &theme);
                terminal.draw(|f| render(f, &app, &data)).expect("draw");
            })
        });
        if records < 1_000_000 {
            continue;
        }
        let mut n = 0u64;
        c.bench_function("a new sanctions record into a store of 1M (store, order, links, changes)", |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let line = LINE.replace("ofac-qingyun-starforge", &format!("bench-{n}"));
                    watchfloor_core::formats::jsonl::parse_line(line.as_bytes(), Some(Kind::Sanctions))
                        .expect("valid")
                        .expect("record")
                },
                |record| engine.apply_record(record),
                BatchSize::SmallInput,
            )
        });
        // The selection on the oldest row: a key costs what it costs at the top (ranks, not a walk).
        for (place, action) in
            [("newest", watchfloor::ui::keys::Action::Top), ("oldest", watchfloor::ui::keys::Action::Bottom)]
        {
            app.update(action);
            app.catch_up(&Data::new(engine.view(), &theme));
            let mut up = true;
            c.bench_function(&format!("a key on the {place} row of 1M, to the end of its 120x40 frame"), |b| {
                b.iter(|| {
                    let key = if up { watchfloor::ui::keys::Action::Up } else { watchfloor::ui::keys::Action::Down };
                    up = !up;
                    app.update(key);
                    let data = Data::new(engine.view(), &theme);
                    app.catch_up(&data);
                    terminal.draw(|f| render(f, &app, &data)).expect("draw");
                })
            });
        }
        app.update(watchfloor::ui::keys::Action::Top);
        let data = Data::new(engine.view(), &theme);
        app.catch_up(&data);
        c.bench_function("a filter keystroke over 1M records (its first slice)", |b| {
            b.iter(|| {
                app.update(watchfloor::ui::keys::Action::Filter);
                app.filter_key(watchfloor::ui::app::FilterKey::Char('x'));
                app.catch_up(&data);
                app.filter_key(watchfloor::ui::app::FilterKey::Clear);
                app.catch_up(&data);
            })
        });
        // A word found in no stored field: every row of the slice is read as it shows (the suppliers' with
        // their links).
        for kind in [Kind::Sanctions, Kind::Suppliers] {
            app.update(watchfloor::ui::keys::Action::Focus(kind));
            c.bench_function(
                &format!("a filter keystroke over 1M records that keeps none of {kind} (its first slice)"),
                |b| {
                    b.iter(|| {
                        app.update(watchfloor::ui::keys::Action::Filter);
                        for ch in "zzq".chars() {
                            app.filter_key(watchfloor::ui::app::FilterKey::Char(ch));
                        }
                        app.catch_up(&data);
                        app.filter_key(watchfloor::ui::app::FilterKey::Clear);
                        app.catch_up(&data);
                    })
                },
            );
            let mut whole = c.benchmark_group("filter");
            whole.sample_size(10);
            whole.bench_function(format!("a whole filter pass over 1M records that keeps none of {kind}"), |b| {
                b.iter(|| {
                    app.update(watchfloor::ui::keys::Action::Filter);
                    for ch in "zzq".chars() {
                        app.filter_key(watchfloor::ui::app::FilterKey::Char(ch));
                    }
                    app.catch_up(&data);
                    while app.has_work() {
                        app.work(&engine.view());
                    }
                    app.filter_key(watchfloor::ui::app::FilterKey::Clear);
                    app.catch_up(&data);
                })
            });
            whole.finish();
        }
    }
}

criterion_group!(group, benches);
criterion_main!(group);

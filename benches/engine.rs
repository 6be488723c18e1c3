//! Criterion benchmarks of the core: parsing a line, loading generated feeds, and drawing a frame.
//! `cargo bench`; the figures and the machine go in BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use watchfloor::config::parse;
use watchfloor::engine::Engine;
use watchfloor::model::Kind;
use watchfloor::ui::app::App;
use watchfloor::ui::theme::Theme;
use watchfloor::ui::view::{render, Data};

const LINE: &str = r#"{"id":"ofac-qingyun-starforge","ts":"2024-05-01T15:00:00Z","authority":"OFAC","program":"RUSSIA-EO14024","action":"designated","target":"QINGYUN STARFORGE CNC CO., LTD.","target_type":"entity","country":"CN","reason":"Supplied CNC machine tools to Russia's defence industrial base","source":"Treasury press release","aliases":["Qingyun Star Forge CNC","青云星锻数控有限公司"]}"#;

fn loaded(records: usize) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("tmp");
    watchfloor::cli::gen::write(dir.path(), records, 1).expect("gen");
    let text = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    let config = parse(&text, Some(&dir.path().join("config.toml"))).expect("valid");
    let mut engine = Engine::new(&config);
    engine.load_once();
    (dir, engine)
}

fn benches(c: &mut Criterion) {
    c.bench_function("parse one sanctions line", |b| {
        b.iter(|| watchfloor::feed::formats::jsonl::parse_line(black_box(LINE.as_bytes()), Some(Kind::Sanctions)))
    });

    let dir = tempfile::tempdir().expect("tmp");
    watchfloor::cli::gen::write(dir.path(), 20_000, 1).expect("gen");
    let text = std::fs::read_to_string(dir.path().join("config.toml")).expect("config");
    let config = parse(&text, Some(&dir.path().join("config.toml"))).expect("valid");
    let mut group = c.benchmark_group("load");
    group.sample_size(10);
    group.bench_function("20k generated records, parse + store + links", |b| {
        b.iter_batched(|| Engine::new(&config), |mut e| e.load_once(), BatchSize::LargeInput)
    });
    group.finish();

    let (_dir, engine) = loaded(100_000);
    let theme = Theme::sixteen();
    let mut app = App::new(chrono::NaiveDateTime::default(), false);
    app.reorder_all(engine.store());
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    c.bench_function("draw a 120x40 frame over 100k records", |b| {
        b.iter(|| {
            let data = Data::new(&engine, &theme);
            terminal.draw(|f| render(f, &mut app, &data)).expect("draw");
        })
    });
}

criterion_group!(group, benches);
criterion_main!(group);

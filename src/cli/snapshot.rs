//! `watchfloor snapshot`: load everything and print the state, as text or one JSON document.

use super::table;
use super::{emit, EXIT_OK};
use serde_json::{json, Map, Value};
use watchfloor_core::config::Config;
use watchfloor_core::engine::Engine;
use watchfloor_core::model::vocab::Kind;
use watchfloor_core::present::json;

/// Records shown per kind in text when `--limit` is not given.
const TEXT_LIMIT: usize = 10;

/// How the state is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Text,
    Json,
    Markdown,
}

impl Style {
    pub fn pick(json: bool, markdown: bool) -> Style {
        match (json, markdown) {
            (true, _) => Style::Json,
            (_, true) => Style::Markdown,
            _ => Style::Text,
        }
    }
}

pub fn run(config: &Config, style: Style, limit: Option<usize>, state_dir: Option<&std::path::Path>) -> i32 {
    // Only looks: the state folder is read (the analyst's decisions on links; for the brief, what is new
    // since acknowledged), never written.
    let mut engine = Engine::for_config(config);
    engine.load_decisions(state_dir);
    engine.load_once();
    let text = match style {
        Style::Json => to_json(&engine, limit),
        Style::Text => to_text(&engine, limit.unwrap_or(TEXT_LIMIT)),
        Style::Markdown => {
            let seen = watchfloor_core::model::seen::Seen::load(state_dir);
            super::markdown::brief(&engine, &seen, chrono::Utc::now())
        }
    };
    emit(&mut std::io::stdout().lock(), &text);
    // The process ends next: freeing a million records one allocation at a time would take a quarter of
    // the time the load took, for nothing.
    std::mem::forget(engine);
    EXIT_OK
}

fn to_json(engine: &Engine, limit: Option<usize>) -> String {
    let store = engine.store();
    let mut panels = Map::new();
    for &kind in Kind::ALL {
        let panel = store.panel(kind);
        let records: Vec<Value> = panel
            .newest_first()
            .into_iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|e| json::record(e, &engine.links().info(store, kind, e.current().packed().id()), store, true))
            .collect();
        panels.insert(kind.as_str().into(), json!({ "count": panel.len(), "records": records }));
    }
    let errors: Vec<Value> = engine.errors().iter().map(json::error).collect();
    let matches: Vec<Value> = engine
        .rule_matches()
        .into_iter()
        .map(|(rule, kind, id)| json!({"rule": rule, "kind": kind, "id": id}))
        .collect();
    let doc =
        json!({ "panels": panels, "errors": errors, "error_count": engine.error_count(), "rule_matches": matches });
    format!("{doc}\n")
}

fn to_text(engine: &Engine, limit: usize) -> String {
    let store = engine.store();
    let mut out = String::new();
    for &kind in Kind::ALL {
        let panel = store.panel(kind);
        let shown = panel.len().min(limit);
        out.push_str(&format!("{kind}: {} records", panel.len()));
        if shown < panel.len() {
            out.push_str(&format!(" (newest {shown})"));
        }
        out.push('\n');
        if shown > 0 {
            let rows: Vec<Vec<String>> = panel
                .newest_first()
                .into_iter()
                .take(shown)
                .map(|e| {
                    let r = &e.current().record(store.texts());
                    table::cells(r, &engine.links().row_info(store, kind, &r.id), store)
                })
                .collect();
            for line in table::render(&table::headers(kind), &rows).lines() {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    let errors = engine.errors();
    if errors.is_empty() {
        out.push_str("no feed errors\n");
    } else {
        out.push_str(&format!("feed errors: {}\n", engine.error_count()));
        for e in errors.iter().rev().take(limit).rev() {
            out.push_str(&format!("  {e}\n"));
        }
    }
    out
}

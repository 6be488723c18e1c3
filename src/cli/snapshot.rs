//! `watchfloor snapshot`: load everything and print the state, as text, one JSON document, the Markdown
//! brief or CSV of one panel; `--panel` and `--filter` (the dashboard's query language) choose the rows.

use super::table;
use super::{emit, EXIT_OK};
use serde_json::{json, Value};
use watchfloor_core::config::Config;
use watchfloor_core::engine::Engine;
use watchfloor_core::model::vocab::Kind;
use watchfloor_core::model::Entry;
use watchfloor_core::present::json;
use watchfloor_core::present::query::Query;
use watchfloor_core::present::record_row::RecordRow;

/// Records shown per kind in text when `--limit` is not given.
const TEXT_LIMIT: usize = 10;

/// How the state is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    Text,
    Json,
    Markdown,
    /// One panel's rows as shown, with their ids.
    Csv,
}

/// Which records are printed: of one panel or all, those a query keeps or all.
#[derive(Default)]
pub struct Only {
    pub panel: Option<Kind>,
    pub query: Option<Query>,
}

impl Only {
    fn kinds(&self) -> Vec<Kind> {
        Kind::ALL.iter().copied().filter(|k| self.panel.is_none_or(|p| p == *k)).collect()
    }

    /// The records of a panel that are printed, newest first.
    fn records<'a>(&self, engine: &'a Engine, kind: Kind) -> Vec<&'a Entry> {
        let (store, links) = (engine.store(), engine.links());
        let mut all = store.panel(kind).newest_first();
        if let Some(q) = &self.query {
            let flags = q.reads_flags();
            all.retain(|e| q.matches(&RecordRow::new(store, links, kind, e.current().packed(), flags)));
        }
        all
    }
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

pub fn run(
    config: &Config,
    style: Style,
    limit: Option<usize>,
    only: &Only,
    state_dir: Option<&std::path::Path>,
) -> i32 {
    // Only looks: the state folder is read (the analyst's decisions on links; for the brief, what is new
    // since acknowledged), never written.
    let mut engine = Engine::for_config(config);
    engine.load_decisions(state_dir);
    engine.load_once();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // The dashboard's news (records that came to match a rule, not acknowledged yet), looked at only.
    let news = watchfloor_core::model::news::News::peek(state_dir);
    if let Some(problem) = &news.problem {
        super::complain(problem);
    }
    let text = match style {
        Style::Json => {
            // Written record by record: the document of a million records is never in memory whole.
            let written = write_json(&mut out, &engine, limit, only, &news);
            let _ = written.and_then(|()| std::io::Write::flush(&mut out));
            String::new()
        }
        Style::Csv => {
            let _ = write_csv(&mut out, &engine, limit, only).and_then(|()| std::io::Write::flush(&mut out));
            String::new()
        }
        Style::Text => to_text(&engine, limit.unwrap_or(TEXT_LIMIT), only),
        Style::Markdown => {
            let seen = watchfloor_core::model::seen::Seen::load(state_dir);
            super::markdown::brief(&engine, &seen, &news, chrono::Utc::now())
        }
    };
    if emit(&mut out, &text) {
        let _ = std::io::Write::flush(&mut out);
    }
    // The process ends next: freeing a million records one allocation at a time would take a quarter of
    // the time the load took, for nothing.
    std::mem::forget(engine);
    EXIT_OK
}

/// The state as one JSON document (see docs/feeds.md), written a record at a time, its keys in the order
/// a JSON map sorts them.
fn write_json(
    out: &mut impl std::io::Write,
    engine: &Engine,
    limit: Option<usize>,
    only: &Only,
    news: &watchfloor_core::model::news::News,
) -> std::io::Result<()> {
    let store = engine.store();
    let errors: Vec<Value> = engine.errors().iter().map(json::error).collect();
    write!(out, "{{\"error_count\":{},\"errors\":", engine.error_count())?;
    serde_json::to_writer(&mut *out, &errors)?;
    out.write_all(b",\"panels\":{")?;
    let mut kinds = only.kinds();
    kinds.sort_by_key(|k| k.as_str());
    for (i, &kind) in kinds.iter().enumerate() {
        let panel = store.panel(kind);
        let sep = if i == 0 { "" } else { "," };
        let records = only.records(engine, kind);
        write!(out, "{sep}\"{}\":{{\"count\":{},", kind.as_str(), panel.len())?;
        if only.query.is_some() {
            write!(out, "\"matching\":{},", records.len())?;
        }
        out.write_all(b"\"records\":[")?;
        for (j, e) in records.into_iter().take(limit.unwrap_or(usize::MAX)).enumerate() {
            if j > 0 {
                out.write_all(b",")?;
            }
            let info = engine.links().info(store, kind, e.current().packed().id());
            serde_json::to_writer(&mut *out, &json::record(e, &info, store, true))?;
        }
        out.write_all(b"]}")?;
    }
    let matches: Vec<Value> = engine
        .rule_matches()
        .into_iter()
        .map(|(rule, kind, id)| json!({"rule": rule, "kind": kind, "id": id}))
        .collect();
    out.write_all(b"},\"news\":")?;
    serde_json::to_writer(&mut *out, news.items())?;
    out.write_all(b",\"rule_matches\":")?;
    serde_json::to_writer(&mut *out, &matches)?;
    out.write_all(b"}\n")
}

/// One panel's rows as CSV: `id`, then each column as the dashboard titles and shows it.
fn write_csv(out: &mut impl std::io::Write, engine: &Engine, limit: Option<usize>, only: &Only) -> std::io::Result<()> {
    let store = engine.store();
    let mut w = csv::Writer::from_writer(out);
    for kind in only.kinds() {
        let mut header = vec!["id"];
        header.extend(table::headers(kind));
        w.write_record(&header)?;
        for e in only.records(engine, kind).into_iter().take(limit.unwrap_or(usize::MAX)) {
            let r = &e.current().record(store.texts());
            let mut row = vec![r.id.to_string()];
            row.extend(table::cells(r, &engine.links().row_info(store, kind, &r.id), store));
            w.write_record(row.iter().map(|c| inert(c).into_owned()))?;
        }
    }
    w.flush()
}

/// A cell a spreadsheet will not run: feed text that starts like a formula (`=`, `+`, `-`, `@`, a tab or
/// a carriage return) is opened with a `'`, as OWASP advises for CSV meant for spreadsheets.
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

fn to_text(engine: &Engine, limit: usize, only: &Only) -> String {
    let store = engine.store();
    let mut out = String::new();
    for kind in only.kinds() {
        let panel = store.panel(kind);
        let records = only.records(engine, kind);
        let shown = records.len().min(limit);
        out.push_str(&format!("{kind}: {} records", panel.len()));
        if only.query.is_some() {
            out.push_str(&format!(", {} matching", records.len()));
        }
        if shown < records.len() {
            out.push_str(&format!(" (newest {shown})"));
        }
        out.push('\n');
        if shown > 0 {
            let rows: Vec<Vec<String>> = records
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

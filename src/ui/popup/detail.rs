//! The detail view of one record: every field (unknown ones too), where it was read, and its history as
//! a timeline of what changed.

use super::{Content, Reply, Scroll};
use crate::ui::data::Data;
use crate::ui::keys::Action;
use crate::ui::panel::draw::title as panel_title;
use crate::ui::panel::Mark;
use ratatui::text::{Line, Span};
use serde_json::Value;
use watchfloor_core::model::links::{Badge, Cover};
use watchfloor_core::model::record::Body;
use watchfloor_core::model::{Kind, Record};
use watchfloor_core::present::money;
use watchfloor_core::text::{clean_path, width, wrap};

/// The detail window's state: the record, how far it is scrolled, and its linked records with the one
/// selected (Tab) that Enter goes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detail {
    pub kind: Kind,
    pub id: String,
    pub scroll: Scroll,
    pub link: usize,
    /// The linked records, in the order shown; brought up to date with the data before each frame.
    pub targets: Vec<(Kind, String)>,
    /// How the record is marked in its panel.
    pub mark: Option<Mark>,
}

impl Detail {
    pub fn new(kind: Kind, id: String, mark: Option<Mark>) -> Self {
        Detail { kind, id, scroll: Scroll::default(), link: 0, targets: Vec::new(), mark }
    }

    /// Tab and Shift-Tab select a linked record, Enter goes to it, `s`, `d` and `u` decide on it; `None`
    /// for the keys it leaves.
    pub fn key(&mut self, action: Action) -> Option<Reply> {
        use watchfloor_core::model::decisions::Decision;
        let n = self.targets.len().max(1);
        let decision = match action {
            Action::Same => Some(Some(Decision::Same)),
            Action::Different => Some(Some(Decision::Different)),
            Action::Undecide => Some(None),
            _ => None,
        };
        if let Some(decision) = decision {
            let party = |k: Kind| matches!(k, Kind::Sanctions | Kind::Suppliers);
            return Some(match self.targets.get(self.link) {
                Some((k, id)) if party(self.kind) && party(*k) && *k != self.kind => {
                    Reply::Decide((self.kind, self.id.clone()), (*k, id.clone()), decision)
                }
                _ => Reply::Done,
            });
        }
        match action {
            Action::NextPanel => self.link = (self.link + 1) % n,
            Action::PrevPanel => self.link = (self.link + n - 1) % n,
            Action::Open => {
                return Some(match self.targets.get(self.link) {
                    Some((kind, id)) => Reply::Jump(*kind, id.clone()),
                    None => Reply::Done,
                })
            }
            _ => return None,
        }
        Some(Reply::Done)
    }

    /// The window's lines for text `text_width` wide, and the linked records they list.
    pub fn content(&self, data: &Data, text_width: usize) -> (Content, Vec<(Kind, String)>) {
        let (kind, id) = (self.kind, self.id.as_str());
        let theme = data.theme;
        let Some(entry) = data.store.panel(kind).get(id) else {
            let lines = vec![Line::styled("This record is no longer held.", theme.muted)];
            return (Content { title: Line::raw(" Detail "), lines }, Vec::new());
        };
        let current = entry.current();
        let rec = &current.record(data.store.texts());
        let mut lines = vec![Line::styled(rec.title().to_owned(), theme.title)];
        let mut sub = vec![Span::styled(format!("{kind} · {} · {}", rec.id, rec.ts.text()), theme.muted)];
        match self.mark {
            Some(Mark::New) => sub.push(Span::styled("  + new since start", theme.new)),
            Some(Mark::Updated) => sub.push(Span::styled("  ~ updated since start", theme.new)),
            None => {}
        }
        lines.push(Line::from(sub));
        lines.push(Line::raw(""));

        let fields = field_list(rec);
        let key_width = fields.iter().map(|(k, _, _)| width(k)).max().unwrap_or(0).min(24);
        let value_width = text_width.saturating_sub(key_width + 4).max(10);
        lines.push(Line::styled("Fields", theme.header));
        let (known, other): (Vec<_>, Vec<_>) = fields.iter().partition(|(_, _, known)| *known);
        push_fields(&mut lines, &known, key_width, value_width, theme.key);
        if !other.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Other fields (not in the feed format; kept as they came)", theme.header));
            push_fields(&mut lines, &other, key_width, value_width, theme.warn);
        }
        let targets = links_section(&mut lines, data, kind, id, self.link);
        lines.push(Line::raw(""));
        lines.push(Line::from(vec![
            Span::styled("Source  ", theme.header),
            Span::raw(format!("{}:{}", clean_path(data.store.path(current.origin.file)), current.origin.line)),
        ]));
        lines.push(Line::raw(""));

        let history = entry.history();
        let panel = data.store.panel(kind);
        let dropped = panel.handle(id).map_or(0, |h| panel.dropped_versions(h));
        let older = match dropped {
            0 => String::new(),
            n => format!(" ({n} older ones not kept: limits.max_versions)"),
        };
        lines.push(Line::styled(
            format!(
                "History  {} version{}, oldest first{older}",
                history.len(),
                if history.len() == 1 { "" } else { "s" }
            ),
            theme.header,
        ));
        let mut previous: Option<Vec<(String, String, bool)>> = None;
        for v in history {
            let record = v.record(data.store.texts());
            let now = field_list(&record);
            let when = record.ts.utc.format("%Y-%m-%d %H:%M").to_string();
            let place = format!("{}:{}", file_name(data.store.path(v.origin.file)), v.origin.line);
            lines.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(when, theme.key),
                Span::styled(format!("  {place}"), theme.muted),
            ]));
            let changes = match &previous {
                None => vec!["first seen".to_string()],
                Some(before) => diff(before, &now),
            };
            for c in changes {
                for part in wrap(&c, text_width.saturating_sub(6).max(10)) {
                    lines.push(Line::from(vec![Span::raw("      "), Span::raw(part)]));
                }
            }
            previous = Some(now);
        }
        let title = Line::from(vec![
            Span::styled(format!(" {} ", panel_title(kind)), theme.title),
            Span::styled("Esc closes ", theme.muted),
        ]);
        (Content { title, lines }, targets)
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name().map(|n| watchfloor_core::text::clean(&n.to_string_lossy())).unwrap_or_default()
}

/// The records linked to this one, one line each, the selected one highlighted; returns them in order.
fn links_section(
    lines: &mut Vec<Line<'static>>,
    data: &Data,
    kind: Kind,
    id: &str,
    selected: usize,
) -> Vec<(Kind, String)> {
    let theme = data.theme;
    let info = data.links.info(data.store, kind, id);
    let mut targets: Vec<(Kind, String)> = info.parties.clone();
    let mut heading = None;
    match &info.badge {
        Some(Badge::Sanctioned { authority, date }) => {
            heading = Some(Line::styled(format!("SANCTIONED by {authority} on {date}"), theme.alert))
        }
        Some(Badge::Delisted { authority, date }) => {
            heading = Some(Line::styled(format!("DELISTED by {authority} on {date}"), theme.warn))
        }
        None => {}
    }
    let categories = data.links.categories_of(data.store, kind, id).join(", ");
    match &info.cover {
        Some(Cover::Uncovered) => {
            heading = Some(Line::styled(
                format!(
                    "UNCOVERED: no package in the pipeline lists {}",
                    if categories.is_empty() { "this item".into() } else { categories.clone() }
                ),
                theme.alert,
            ))
        }
        Some(Cover::AtRisk(p)) => {
            heading = Some(Line::styled("AT RISK: every package that would cover it is stalled", theme.warn));
            targets.extend(p.iter().map(|i| (Kind::Aid, i.clone())));
        }
        Some(Cover::Covered(p)) => {
            heading = Some(Line::styled(
                format!("Covered by {} package{} ({categories})", p.len(), if p.len() == 1 { "" } else { "s" }),
                theme.ok,
            ));
            targets.extend(p.iter().map(|i| (Kind::Aid, i.clone())));
        }
        Some(Cover::Resolved) | None => {}
    }
    // The possible matches come after the links, marked as such.
    let possible_from = targets.len();
    if !info.possible.is_empty() {
        if heading.is_none() {
            let n = info.possible.len();
            heading = Some(Line::styled(
                format!(
                    "POSSIBLE MATCH with {n} record{}: not counted as linked (not SANCTIONED, no rule fires)",
                    if n == 1 { "" } else { "s" }
                ),
                theme.warn,
            ));
        }
        targets.extend(info.possible.iter().cloned());
    }
    // Those the analyst said are another party, so that the decision can be undone.
    let rejected_from = targets.len();
    targets.extend(info.rejected.iter().cloned());
    if kind == Kind::Aid && !info.addresses.is_empty() {
        heading = Some(Line::raw(format!(
            "Addresses {} open shortage{} ({categories})",
            info.addresses_total,
            if info.addresses_total == 1 { "" } else { "s" }
        )));
        targets.extend(info.addresses.iter().map(|i| (Kind::Shortages, i.clone())));
    }
    if heading.is_none() && targets.is_empty() {
        return targets;
    }
    lines.push(Line::raw(""));
    let party = matches!(kind, Kind::Sanctions | Kind::Suppliers);
    let hint = match (targets.is_empty(), party) {
        (true, _) => "",
        (false, true) => "  Tab selects, Enter goes; s same party, d another, u undo",
        (false, false) => "  Tab selects, Enter goes to it",
    };
    lines.push(Line::from(vec![Span::styled("Links", theme.header), Span::styled(hint, theme.muted)]));
    if let Some(h) = heading {
        lines.push(h);
    }
    for (i, (k, tid)) in targets.iter().enumerate() {
        let (title, note) = match data.store.panel(*k).get(tid) {
            Some(e) => {
                let r = &e.current().record(data.store.texts());
                let note = match &r.body {
                    Body::Sanction(s) => format!(
                        "{} {} {}",
                        s.authority.clone().unwrap_or_default(),
                        s.action.map(|a| a.to_string()).unwrap_or_default(),
                        r.ts.date()
                    ),
                    Body::Aid(a) => format!(
                        "{} · {} · {} delivered",
                        a.donor.clone().unwrap_or_default(),
                        a.stage.map(|s| s.as_str().replace('_', " ")).unwrap_or_default(),
                        watchfloor_core::present::share(a.delivered, a.amount)
                    ),
                    Body::Shortage(s) => format!(
                        "{} · {}",
                        s.region.clone().unwrap_or_default(),
                        s.severity.map(|l| l.to_string()).unwrap_or_default()
                    ),
                    Body::Supplier(s) => format!(
                        "{} · {}",
                        s.country.clone().unwrap_or_default(),
                        s.risk.map(|l| l.to_string()).unwrap_or_default()
                    ),
                };
                (r.title().to_owned(), note)
            }
            None => (tid.clone(), String::new()),
        };
        let arrow = if (possible_from..possible_from + info.possible.len()).contains(&i) {
            "≈"
        } else if (rejected_from..rejected_from + info.rejected.len()).contains(&i) {
            "✗"
        } else {
            "→"
        };
        let key = (*k, tid.clone());
        let decided = if info.confirmed.contains(&key) {
            "  [same party: your decision]"
        } else if info.rejected.contains(&key) {
            "  [another party: your decision]"
        } else {
            ""
        };
        let text = format!("  {arrow} {k}  {title} · {note}{decided}");
        lines.push(if i == selected % targets.len().max(1) {
            Line::styled(text, theme.selected)
        } else {
            Line::raw(text)
        });
        if matches!(k, Kind::Sanctions | Kind::Suppliers) {
            if let Some(v) = data.links.verdict(data.store, (kind, id), (*k, tid)) {
                lines.push(Line::styled(format!("      why: {}", why(&v)), theme.muted));
            }
        }
    }
    targets
}

/// Why the matcher decided as it did, in one line: the names compared and their score, the words paired
/// when they were not the same, the legal forms, the identifiers, what else weighed.
fn why(v: &watchfloor_core::model::matching::Verdict) -> String {
    use watchfloor_core::model::matching::Identifiers;
    let mut parts = vec![format!("\"{}\" ~ \"{}\" {:.2}", v.names.0, v.names.1, v.score)];
    let fuzzy: Vec<String> =
        v.pairs.iter().filter(|p| p.a != p.b).map(|p| format!("{} ~ {} {:.2}", p.a, p.b, p.similarity)).collect();
    if !fuzzy.is_empty() {
        parts.push(format!("words {}", fuzzy.join(", ")));
    }
    let forms = |f: &[watchfloor_core::model::matching::legal::Form]| {
        f.iter()
            .map(|f| f.class.map_or(f.display.to_owned(), |c| format!("{} ({c})", f.display)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !v.forms.0.is_empty() || !v.forms.1.is_empty() {
        parts.push(format!("legal forms {} / {}", forms(&v.forms.0), forms(&v.forms.1)));
    }
    if let Some(Identifiers::Shared(id)) = &v.identifiers {
        parts.push(format!("same identifier {id}"));
    }
    parts.extend(v.notes.iter().filter(|n| !n.starts_with("the same identifier")).cloned());
    parts.join("; ")
}

fn push_fields(
    lines: &mut Vec<Line<'static>>,
    fields: &[&(String, String, bool)],
    key_width: usize,
    value_width: usize,
    key_style: ratatui::style::Style,
) {
    for (key, value, _) in fields {
        for (i, part) in wrap(value, value_width).into_iter().enumerate() {
            let k = if i == 0 { watchfloor_core::text::fit(key, key_width, true) } else { " ".repeat(key_width) };
            lines.push(Line::from(vec![Span::raw("  "), Span::styled(k, key_style), Span::raw("  "), Span::raw(part)]));
        }
    }
}

/// `(name, value as text, declared)` for every field of a version: declared ones in their order, then the
/// unknown ones.
fn field_list(rec: &Record) -> Vec<(String, String, bool)> {
    let json = rec.fields_json();
    let currency = match &rec.body {
        Body::Aid(a) => a.currency.as_deref(),
        _ => None,
    };
    let mut out = Vec::new();
    for &name in Body::declared(rec.kind) {
        if let Some(v) = json.get(name) {
            let text = match (name, v) {
                ("amount" | "delivered", Value::Number(n)) => {
                    n.as_f64().map(|f| money(f, currency)).unwrap_or_else(|| n.to_string())
                }
                _ => show(v),
            };
            out.push((name.to_owned(), text, true));
        }
    }
    for (k, v) in &rec.extra {
        out.push((k.clone(), show(v), false));
    }
    out
}

/// A JSON value as an analyst reads it: strings bare (closed words such as `passed_one_chamber` with
/// spaces), lists of strings joined, the rest as compact JSON.
fn show(v: &Value) -> String {
    match v {
        Value::String(s) if s.contains('_') && s.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            s.replace('_', " ")
        }
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(Value::is_string) => {
            items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        }
        other => other.to_string(),
    }
}

/// What changed from one version to the next, one line per field.
fn diff(before: &[(String, String, bool)], after: &[(String, String, bool)]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v, _) in after {
        match before.iter().find(|(bk, _, _)| bk == k) {
            Some((_, bv, _)) if bv == v => {}
            Some((_, bv, _)) => out.push(format!("{k}: {bv} → {v}")),
            None => out.push(format!("{k}: (none) → {v}")),
        }
    }
    for (k, v, _) in before {
        if !after.iter().any(|(ak, _, _)| ak == k) {
            out.push(format!("{k}: {v} → (none)"));
        }
    }
    if out.is_empty() {
        out.push("no field changed".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(k: &str, v: &str) -> (String, String, bool) {
        (k.into(), v.into(), true)
    }

    #[test]
    fn diff_lists_changed_added_and_removed_fields() {
        let a = vec![f("stage", "proposed"), f("amount", "USD 61.4bn"), f("note", "x")];
        let b = vec![f("stage", "stalled"), f("amount", "USD 61.4bn"), f("source", "vote")];
        assert_eq!(diff(&a, &b), ["stage: proposed → stalled", "source: (none) → vote", "note: x → (none)"]);
    }

    #[test]
    fn closed_words_read_with_spaces() {
        assert_eq!(show(&Value::String("passed_one_chamber".into())), "passed one chamber");
        assert_eq!(show(&Value::String("RUSSIA_EO14024".into())), "RUSSIA_EO14024");
        assert_eq!(show(&serde_json::json!(["a", "b"])), "a, b");
        assert_eq!(show(&serde_json::json!(10)), "10");
    }
}

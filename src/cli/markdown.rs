//! `watchfloor snapshot --markdown`: a short brief an analyst can paste into a report.

use chrono::{DateTime, Utc};
use watchfloor_core::engine::Engine;
use watchfloor_core::model::links::Cover;
use watchfloor_core::model::news::News;
use watchfloor_core::model::packed::Packed;
use watchfloor_core::model::record::{Body, Record};
use watchfloor_core::model::seen::{Seen, Unseen};
use watchfloor_core::model::vocab::{Kind, Stage};
use watchfloor_core::present::money;

/// At most this many lines per section; the rest are counted.
const PER_SECTION: usize = 25;

pub fn brief(engine: &Engine, seen: &Seen, news: &News, now: DateTime<Utc>) -> String {
    let store = engine.store();
    let links = engine.links();
    let mut out = format!("# watchfloor brief, {}\n\n", now.format("%Y-%m-%d %H:%M UTC"));

    section(
        &mut out,
        "News: records that came to match a watch rule, not acknowledged",
        news.len(),
        news.items().iter().rev().map(|i| {
            let rules = i.rules.iter().map(|r| format!("**{}**", esc(r))).collect::<Vec<_>>().join(", ");
            format!("{} · {} · {} · {} · {rules}", i.cause.as_str(), i.kind, esc(&i.title), esc(&i.at))
        }),
    );

    let mut fresh: Vec<(Record, Unseen)> = Vec::new();
    if !seen.is_fresh() {
        for &kind in Kind::ALL {
            let records: Vec<&Packed> = store.panel(kind).newest_from(0).map(|e| e.current().packed()).collect();
            let statuses = seen.statuses(store.texts(), &records);
            fresh
                .extend(records.into_iter().zip(statuses).filter_map(|(r, u)| u.map(|u| (r.unpack(store.texts()), u))));
        }
    }
    section(
        &mut out,
        "New since last acknowledged",
        fresh.len(),
        fresh.iter().map(|(r, u)| {
            let tag = if *u == Unseen::New { "new" } else { "changed" };
            format!("{tag} · {} · {}", r.kind, line(r))
        }),
    );
    if seen.is_fresh() {
        out.push_str("_No acknowledgement recorded yet: open the dashboard and press `a` or `A`._\n\n");
    }

    let matches = engine.rule_matches();
    section(
        &mut out,
        "Watch rules matching",
        matches.len(),
        matches.iter().filter_map(|(rule, kind, id)| {
            let r = &store.panel(*kind).get(id)?.current().record(store.texts());
            Some(format!("**{}** · {kind} · {}", esc(rule), line(r)))
        }),
    );

    let mut uncovered = Vec::new();
    let mut at_risk = Vec::new();
    for e in store.panel(Kind::Shortages).newest_first() {
        let r = &e.current().record(store.texts());
        match links.info(store, Kind::Shortages, &r.id).cover {
            Some(Cover::Uncovered) => uncovered.push(line(r)),
            Some(Cover::AtRisk(p)) => at_risk.push(format!("{} (only {}, stalled)", line(r), esc(&p.join(", ")))),
            _ => {}
        }
    }
    section(&mut out, "Shortages no aid in the pipeline covers", uncovered.len(), uncovered.into_iter());
    section(&mut out, "Shortages whose covering aid has stalled", at_risk.len(), at_risk.into_iter());

    let stalled: Vec<String> = store
        .panel(Kind::Aid)
        .newest_first()
        .into_iter()
        .map(|e| e.current().record(store.texts()))
        .filter(|r| matches!(&r.body, Body::Aid(a) if a.stage == Some(Stage::Stalled)))
        .map(|r| line(&r))
        .collect();
    section(&mut out, "Stalled aid packages", stalled.len(), stalled.into_iter());
    out
}

fn section(out: &mut String, title: &str, count: usize, items: impl Iterator<Item = String>) {
    out.push_str(&format!("## {title} ({count})\n\n"));
    if count == 0 {
        out.push_str("None.\n\n");
        return;
    }
    for item in items.take(PER_SECTION) {
        out.push_str(&format!("- {item}\n"));
    }
    if count > PER_SECTION {
        out.push_str(&format!("- … and {} more\n", count - PER_SECTION));
    }
    out.push('\n');
}

/// One record in a line: date, what, who, where.
fn line(r: &Record) -> String {
    let date = r.ts.date();
    let text = match &r.body {
        Body::Sanction(s) => format!(
            "{} {} {}{}",
            s.authority.as_deref().unwrap_or("?"),
            s.action.map(|a| a.to_string()).unwrap_or_default(),
            r.title(),
            s.program.as_deref().map(|p| format!(" ({p})")).unwrap_or_default()
        ),
        Body::Supplier(s) => format!("{} ({}), {}", r.title(), s.country.as_deref().unwrap_or("?"), s.goods.join(", ")),
        Body::Aid(a) => format!(
            "{}: {}, {}, {}",
            a.donor.as_deref().unwrap_or("?"),
            r.title(),
            a.amount.map(|x| money(x, a.currency.as_deref())).unwrap_or_default(),
            a.stage.map(|s| s.as_str().replace('_', " ")).unwrap_or_default()
        ),
        Body::Shortage(s) => format!(
            "{} {}, {}",
            s.severity.map(|l| l.to_string()).unwrap_or_default(),
            r.title(),
            s.region.as_deref().unwrap_or("?")
        ),
    };
    format!("{date} · {}", esc(&text))
}

/// Feed text with Markdown's special characters escaped, so it cannot turn into links, emphasis or HTML;
/// and what GitHub would turn into a link by itself (`https://...`, `www.x`, `name@host`) broken up by
/// escapes, which show as nothing.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let www = c == '.' && out.len() >= 3 && out.as_bytes()[out.len() - 3..].eq_ignore_ascii_case(b"www");
        if www || matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | ':' | '@') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feed_text_cannot_become_markdown() {
        assert_eq!(esc("[click](http://x) *bold* <b>"), "\\[click\\](http\\://x) \\*bold\\* \\<b\\>");
        assert_eq!(esc("Ростех.ru"), "Ростех.ru", "a dot after letters that are not www");
        // Bare addresses GitHub would link by itself.
        assert_eq!(
            esc("see https://evil.example or WWW.evil.example, mail x@evil.example"),
            "see https\\://evil.example or WWW\\.evil.example, mail x\\@evil.example"
        );
    }
}

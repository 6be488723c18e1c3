//! How a record reads as a table row: each panel's columns and the text of its cells, with a tone that says
//! what the text means (alert, muted, ...). Shared by `snapshot`'s text tables and the dashboard, so the two
//! show the same thing; neither colours nor terminals here.

use crate::model::links::{Badge, Cover, LinkInfo};
use crate::model::record::{Body, Record};
use crate::model::store::Store;
use crate::model::vocab::{Kind, Level, Stage};

/// What a cell's text means, for the theme to colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tone {
    Plain,
    /// Dates and other context.
    Muted,
    /// Critical levels, stalled or cancelled packages.
    Alert,
    /// High levels.
    Warn,
    /// Delivered, progress.
    Ok,
}

/// A column: its title, its narrowest and widest useful width, and how soon it is dropped when the panel
/// is narrow (0 never, higher first).
#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    pub drop: u8,
}

/// A column that grows to take what is left.
pub const FLEX: u16 = u16::MAX;

const fn col(title: &'static str, min: u16, max: u16, drop: u8) -> Col {
    Col { title, min, max, drop }
}

const SANCTIONS: &[Col] = &[
    col("date", 10, 10, 1),
    col("authority", 6, 16, 2),
    col("action", 10, 10, 0),
    col("target", 14, FLEX, 0),
    col("country", 7, 7, 3),
    col("programme", 10, 34, 2),
];
const SUPPLIERS: &[Col] = &[
    col("name", 16, FLEX, 0),
    col("country", 7, 7, 2),
    col("goods", 12, 36, 1),
    col("risk", 8, 8, 0),
    col("status", 8, 28, 3),
];
const AID: &[Col] = &[
    col("donor", 8, 22, 1),
    col("title", 14, FLEX, 0),
    col("amount", 10, 11, 2),
    col("stage", 10, 18, 0),
    col("delivered", 9, 16, 1),
    col("changed", 10, 10, 3),
];
const SHORTAGES: &[Col] = &[
    col("date", 10, 10, 3),
    col("category / item", 16, FLEX, 0),
    col("region", 10, 30, 2),
    col("severity", 8, 8, 0),
    col("cover", 9, 30, 1),
    col("status", 8, 8, 4),
];

/// The aid panel's delivered column: its cell holds the percentage, which the dashboard draws as a bar.
pub const AID_DELIVERED: usize = 4;

/// The columns of a panel.
pub fn columns(kind: Kind) -> &'static [Col] {
    match kind {
        Kind::Sanctions => SANCTIONS,
        Kind::Suppliers => SUPPLIERS,
        Kind::Aid => AID,
        Kind::Shortages => SHORTAGES,
    }
}

/// The cells of a record, in the order of [`columns`], with what it is linked to (badges, cover).
pub fn cells(r: &Record, links: &LinkInfo, store: &Store) -> Vec<(String, Tone)> {
    let text = |v: &Option<crate::model::record::Text>| (v.as_deref().unwrap_or_default().to_owned(), Tone::Plain);
    let word = |v: Option<String>| (v.unwrap_or_default(), Tone::Plain);
    match &r.body {
        Body::Sanction(x) => vec![
            (r.ts.date(), Tone::Muted),
            text(&x.authority),
            word(x.action.map(|a| a.to_string())),
            target(r, links),
            text(&x.country),
            text(&x.program),
        ],
        Body::Supplier(x) => vec![
            (r.title().to_owned(), Tone::Plain),
            text(&x.country),
            (x.goods.join(", "), Tone::Plain),
            level(x.risk),
            match &links.badge {
                Some(Badge::Sanctioned { authority, date }) => (format!("SANCTIONED {authority} {date}"), Tone::Alert),
                Some(Badge::Delisted { authority, date }) => (format!("DELISTED {authority} {date}"), Tone::Warn),
                None if !links.possible.is_empty() => (possible(links.possible.len()), Tone::Warn),
                None => text(&x.status),
            },
        ],
        Body::Aid(x) => vec![
            text(&x.donor),
            (r.title().to_owned(), Tone::Plain),
            (x.amount.map(|a| money(a, x.currency.as_deref())).unwrap_or_default(), Tone::Plain),
            stage(x.stage),
            (share(x.delivered, x.amount), Tone::Ok),
            (r.ts.date(), Tone::Muted),
        ],
        Body::Shortage(x) => vec![
            (r.ts.date(), Tone::Muted),
            (
                match (&x.category, &x.item) {
                    (Some(c), Some(i)) => format!("{c} / {i}"),
                    (c, i) => c.as_deref().or(i.as_deref()).unwrap_or_default().to_owned(),
                },
                Tone::Plain,
            ),
            text(&x.region),
            level(x.severity),
            cover(links, store),
            word(x.status.map(|s| s.to_string())),
        ],
    }
}

/// A sanctions target, flagged `⚑` when it is also a flagged supplier, `≈` when it may be one.
fn target(r: &Record, links: &LinkInfo) -> (String, Tone) {
    if !links.parties.is_empty() {
        (format!("⚑ {}", r.title()), Tone::Warn)
    } else if !links.possible.is_empty() {
        (format!("≈ {}", r.title()), Tone::Plain)
    } else {
        (r.title().to_owned(), Tone::Plain)
    }
}

/// A supplier that may be a sanctioned party: never shown as SANCTIONED until linked.
fn possible(n: usize) -> String {
    if n == 1 {
        "possible match".into()
    } else {
        format!("{n} possible matches")
    }
}

/// What covers a shortage: the most advanced package and its stage, AT RISK when all are stalled,
/// UNCOVERED when none.
fn cover(links: &LinkInfo, store: &Store) -> (String, Tone) {
    let package = |id: &str| {
        store
            .panel(Kind::Aid)
            .get(id)
            .map(|e| {
                let r = &e.current().record(store.texts());
                let stage = match &r.body {
                    Body::Aid(a) => a.stage.map(|s| s.as_str().replace('_', " ")).unwrap_or_default(),
                    _ => String::new(),
                };
                format!("{} · {stage}", r.title())
            })
            .unwrap_or_else(|| id.to_owned())
    };
    match &links.cover {
        Some(Cover::Uncovered) => ("UNCOVERED".into(), Tone::Alert),
        Some(Cover::AtRisk(ids)) => {
            (format!("AT RISK {}", ids.first().map(|i| package(i)).unwrap_or_default()), Tone::Warn)
        }
        Some(Cover::Covered(ids)) => {
            let more = if ids.len() > 1 { format!(" +{}", ids.len() - 1) } else { String::new() };
            (format!("{}{more}", ids.first().map(|i| package(i)).unwrap_or_default()), Tone::Ok)
        }
        Some(Cover::Resolved) | None => (String::new(), Tone::Muted),
    }
}

fn level(l: Option<Level>) -> (String, Tone) {
    let tone = match l {
        Some(Level::Critical) => Tone::Alert,
        Some(Level::High) => Tone::Warn,
        Some(Level::Low) => Tone::Muted,
        _ => Tone::Plain,
    };
    (l.map(|l| l.to_string()).unwrap_or_default(), tone)
}

fn stage(s: Option<Stage>) -> (String, Tone) {
    let tone = match s {
        Some(Stage::Stalled | Stage::Cancelled) => Tone::Alert,
        Some(Stage::Delivered) => Tone::Ok,
        _ => Tone::Plain,
    };
    (s.map(|s| s.as_str().replace('_', " ")).unwrap_or_default(), tone)
}

/// `USD 60.8bn`, `EUR 500m`, `GBP 12000`.
pub fn money(amount: f64, currency: Option<&str>) -> String {
    let n = if amount >= 1e9 {
        format!("{}bn", one_decimal(amount / 1e9))
    } else if amount >= 1e6 {
        format!("{}m", one_decimal(amount / 1e6))
    } else {
        format!("{}", amount.round() as u64)
    };
    match currency {
        Some(c) => format!("{c} {n}"),
        None => n,
    }
}

fn one_decimal(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// Delivered against promised, as a percentage.
pub fn share(delivered: Option<f64>, amount: Option<f64>) -> String {
    match (delivered, amount) {
        (Some(d), Some(a)) if a > 0.0 => format!("{:.0}%", (d / a * 100.0).clamp(0.0, 100.0)),
        (Some(_), _) => "?".into(),
        _ => String::new(),
    }
}

/// A text progress bar of delivered against promised, `width` columns: `███░░░  50%`. Reads without colour.
pub fn bar(delivered: Option<f64>, amount: Option<f64>, width: u16) -> String {
    let pct = share(delivered, amount);
    if pct.is_empty() || pct == "?" {
        return pct;
    }
    let pct = format!("{pct:>4}");
    let ratio = match (delivered, amount) {
        (Some(d), Some(a)) if a > 0.0 => (d / a).clamp(0.0, 1.0),
        _ => 0.0,
    };
    let cells = (width as usize).saturating_sub(pct.len() + 1);
    if cells < 3 {
        return pct;
    }
    let full = (ratio * cells as f64).round() as usize;
    format!("{}{} {pct}", "█".repeat(full), "░".repeat(cells - full))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_short() {
        assert_eq!(money(60.84e9, Some("USD")), "USD 60.8bn");
        assert_eq!(money(500e6, Some("EUR")), "EUR 500m");
        assert_eq!(money(12000.0, None), "12000");
    }

    #[test]
    fn the_progress_bar_reads_without_colour() {
        assert_eq!(bar(Some(5.0), Some(10.0), 12), "████░░░  50%");
        assert_eq!(bar(Some(0.0), Some(10.0), 8), "░░░   0%");
        assert_eq!(bar(None, Some(10.0), 8), "");
        assert_eq!(bar(Some(1.0), Some(10.0), 4), " 10%");
    }

    #[test]
    fn every_kind_has_a_cell_per_column() {
        use crate::formats::jsonl::parse_line;
        for &kind in Kind::ALL {
            let rec = parse_line(br#"{"id":"a","ts":"2024-01-01T00:00:00Z"}"#, Some(kind)).expect("ok").expect("rec");
            let cells = cells(&rec, &LinkInfo::default(), &Store::new());
            assert_eq!(cells.len(), columns(kind).len(), "{kind}");
        }
    }
}

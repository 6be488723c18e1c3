//! What each panel's table shows, and how its columns share the width.

use crate::cli::table::{money, share};
use crate::model::record::{Body, Record};
use crate::model::vocab::{Level, Stage};
use crate::model::Kind;
use crate::ui::theme::Theme;
use ratatui::style::Style;

/// A column: its title, its narrowest and widest useful width, and how soon it is dropped when the panel
/// is narrow (0 never, higher first).
pub struct Col {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    pub drop: u8,
}

/// Grows to take what is left.
const FLEX: u16 = u16::MAX;

const fn col(title: &'static str, min: u16, max: u16, drop: u8) -> Col {
    Col { title, min, max, drop }
}

/// The marker column: `+` new since start, `~` updated since start.
const MARK: Col = col("", 1, 1, 0);

const SANCTIONS: &[Col] = &[
    MARK,
    col("date", 10, 10, 1),
    col("authority", 6, 16, 2),
    col("action", 10, 10, 0),
    col("target", 14, FLEX, 0),
    col("country", 7, 7, 3),
    col("programme", 10, 34, 2),
];
const SUPPLIERS: &[Col] = &[
    MARK,
    col("name", 16, FLEX, 0),
    col("country", 7, 7, 2),
    col("goods", 12, 36, 1),
    col("risk", 8, 8, 0),
    col("status", 8, 14, 3),
];
const AID: &[Col] = &[
    MARK,
    col("donor", 8, 22, 1),
    col("title", 14, FLEX, 0),
    col("amount", 10, 11, 2),
    col("stage", 10, 18, 0),
    col("delivered", 9, 16, 1),
    col("changed", 10, 10, 3),
];
const SHORTAGES: &[Col] = &[
    MARK,
    col("date", 10, 10, 2),
    col("category / item", 16, FLEX, 0),
    col("region", 10, 30, 1),
    col("severity", 8, 8, 0),
    col("status", 8, 8, 3),
];

pub fn columns(kind: Kind) -> &'static [Col] {
    match kind {
        Kind::Sanctions => SANCTIONS,
        Kind::Suppliers => SUPPLIERS,
        Kind::Aid => AID,
        Kind::Shortages => SHORTAGES,
    }
}

/// Widths for `cols` in `width` columns (one space between shown columns); `None` for a dropped column.
/// `wanted` is how wide each column's content is (its title and the rows shown): every column grows toward
/// that, one step at a time, and the flexible column (target, name, title) takes whatever is left.
pub fn allocate(cols: &[Col], width: u16, wanted: &[u16]) -> Vec<Option<u16>> {
    let mut shown: Vec<bool> = vec![true; cols.len()];
    let need = |shown: &[bool]| -> u32 {
        let n = shown.iter().filter(|s| **s).count() as u32;
        cols.iter().zip(shown).filter(|(_, s)| **s).map(|(c, _)| c.min as u32).sum::<u32>() + n.saturating_sub(1)
    };
    // Drop the least important columns (highest `drop`, rightmost first) until the rest fit.
    while need(&shown) > width as u32 {
        let victim = (0..cols.len()).filter(|&i| shown[i] && cols[i].drop > 0).max_by_key(|&i| (cols[i].drop, i));
        match victim {
            Some(i) => shown[i] = false,
            None => break,
        }
    }
    let mut widths: Vec<Option<u16>> = cols.iter().zip(&shown).map(|(c, s)| s.then_some(c.min)).collect();
    let mut left = (width as u32).saturating_sub(need(&shown));
    let want = |i: usize| wanted.get(i).copied().unwrap_or(0).clamp(cols[i].min, cols[i].max);
    while left > 0 {
        let mut grew = false;
        for (i, w) in widths.iter_mut().enumerate() {
            if let Some(w) = w.as_mut().filter(|w| **w < want(i)) {
                if left == 0 {
                    break;
                }
                *w += 1;
                left -= 1;
                grew = true;
            }
        }
        if !grew {
            break;
        }
    }
    if let Some(w) = cols.iter().position(|c| c.max == FLEX).and_then(|f| widths[f].as_mut()) {
        *w += left as u16;
    }
    widths
}

/// The cells of a record with their styles, in the order of [`columns`] (the marker excluded).
/// The aid panel's delivered column is left empty here: it is drawn to the column's width by [`bar`].
pub fn cells(r: &Record, theme: &Theme) -> Vec<(String, Style)> {
    let plain = Style::new();
    let s = |v: &Option<String>| (v.clone().unwrap_or_default(), plain);
    match &r.body {
        Body::Sanction(x) => vec![
            (r.ts.date(), theme.muted),
            s(&x.authority),
            (x.action.map(|a| a.to_string()).unwrap_or_default(), plain),
            (r.title().to_owned(), plain),
            s(&x.country),
            s(&x.program),
        ],
        Body::Supplier(x) => vec![
            (r.title().to_owned(), plain),
            s(&x.country),
            (x.goods.join(", "), plain),
            level(x.risk, theme),
            s(&x.status),
        ],
        Body::Aid(x) => vec![
            s(&x.donor),
            (r.title().to_owned(), plain),
            (x.amount.map(|a| money(a, x.currency.as_deref())).unwrap_or_default(), plain),
            stage(x.stage, theme),
            (String::new(), theme.ok),
            (r.ts.date(), theme.muted),
        ],
        Body::Shortage(x) => vec![
            (r.ts.date(), theme.muted),
            (
                match (&x.category, &x.item) {
                    (Some(c), Some(i)) => format!("{c} / {i}"),
                    (c, i) => c.clone().or(i.clone()).unwrap_or_default(),
                },
                plain,
            ),
            s(&x.region),
            level(x.severity, theme),
            (x.status.map(|s| s.to_string()).unwrap_or_default(), plain),
        ],
    }
}

fn level(l: Option<Level>, theme: &Theme) -> (String, Style) {
    let style = match l {
        Some(Level::Critical) => theme.alert,
        Some(Level::High) => theme.warn,
        Some(Level::Low) => theme.muted,
        _ => Style::new(),
    };
    (l.map(|l| l.to_string()).unwrap_or_default(), style)
}

fn stage(s: Option<Stage>, theme: &Theme) -> (String, Style) {
    let style = match s {
        Some(Stage::Stalled | Stage::Cancelled) => theme.alert,
        Some(Stage::Delivered) => theme.ok,
        _ => Style::new(),
    };
    (s.map(|s| s.as_str().replace('_', " ")).unwrap_or_default(), style)
}

/// A text progress bar of delivered against promised: `███░░░ 50%`. Readable without colour.
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
    fn columns_fill_the_width_exactly() {
        for &kind in Kind::ALL {
            for width in [40u16, 58, 78, 118, 198] {
                let w = allocate(columns(kind), width, &[]);
                let shown: Vec<u16> = w.iter().flatten().copied().collect();
                let total: u16 = shown.iter().sum::<u16>() + shown.len() as u16 - 1;
                assert!(total <= width, "{kind} at {width}: {total}");
                if width >= 78 {
                    assert_eq!(total, width, "{kind} at {width}");
                }
            }
        }
    }

    #[test]
    fn narrow_panels_drop_the_least_important_columns() {
        let w = allocate(columns(Kind::Sanctions), 58, &[]);
        assert_eq!(w[5], None, "country goes first");
        assert!(w[4].is_some() && w[3].is_some(), "target and action stay");
    }

    #[test]
    fn columns_grow_to_their_content_and_the_flexible_one_takes_the_rest() {
        // marker, date, authority, action, target, country, programme
        let wanted = [1, 10, 4, 10, 60, 7, 14];
        let w: Vec<u16> = allocate(columns(Kind::Sanctions), 100, &wanted).into_iter().flatten().collect();
        assert_eq!(w, [1, 10, 6, 10, 46, 7, 14]);
    }

    #[test]
    fn the_progress_bar_reads_without_colour() {
        assert_eq!(bar(Some(5.0), Some(10.0), 12), "████░░░  50%");
        assert_eq!(bar(Some(0.0), Some(10.0), 8), "░░░   0%");
        assert_eq!(bar(None, Some(10.0), 8), "");
        assert_eq!(bar(Some(1.0), Some(10.0), 4), " 10%");
    }
}

//! How a panel's columns share its width, and how a cell's tone is coloured.

use crate::ui::theme::Theme;
use ratatui::style::Style;
use watchfloor_core::present::Tone;
pub use watchfloor_core::present::{Col, FLEX};

/// The marker column before a panel's own: `+` new since start, `~` updated since start.
pub const MARK: Col = Col { title: "", min: 1, max: 1, drop: 0 };

/// The style of a tone in a theme.
pub fn style(tone: Tone, theme: &Theme) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Muted => theme.muted,
        Tone::Alert => theme.alert,
        Tone::Warn => theme.warn,
        Tone::Ok => theme.ok,
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
#[cfg(test)]
mod tests {
    use super::*;
    use watchfloor_core::model::Kind;

    fn columns(kind: Kind) -> Vec<Col> {
        let mut all = vec![MARK];
        all.extend(watchfloor_core::present::columns(kind).iter().map(|c| Col { ..*c }));
        all
    }

    #[test]
    fn columns_fill_the_width_exactly() {
        for &kind in Kind::ALL {
            for width in [40u16, 58, 78, 118, 198] {
                let w = allocate(&columns(kind), width, &[]);
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
        let w = allocate(&columns(Kind::Sanctions), 58, &[]);
        assert_eq!(w[5], None, "country goes first");
        assert!(w[4].is_some() && w[3].is_some(), "target and action stay");
    }

    #[test]
    fn columns_grow_to_their_content_and_the_flexible_one_takes_the_rest() {
        // marker, date, authority, action, target, country, programme
        let wanted = [1, 10, 4, 10, 60, 7, 14];
        let w: Vec<u16> = allocate(&columns(Kind::Sanctions), 100, &wanted).into_iter().flatten().collect();
        assert_eq!(w, [1, 10, 6, 10, 46, 7, 14]);
    }
}

//! Where things go on a screen of a given size: the one geometry that drawing, the page size for PgUp/PgDn,
//! scrolling and mouse clicks all read, so that a key means the same whatever frame was drawn last.

use ratatui::layout::{Constraint, Layout, Rect};
use watchfloor_core::model::Kind;

/// Below this the layout would break: the screen says so instead.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;
/// From this width (and enough height) the four panels share the screen.
pub const GRID_WIDTH: u16 = 120;
const GRID_MIN_BODY_HEIGHT: u16 = 16;

/// The regions of the screen.
#[derive(Debug, PartialEq, Eq)]
pub struct Screen {
    pub header: Rect,
    pub tabs: Option<Rect>,
    pub panels: Vec<(Kind, Rect)>,
    pub footer: Rect,
}

/// The layout for `area` (the focused panel alone when zoomed), or `None` when it is too small.
pub fn layout(area: Rect, zoom: bool, focus: Kind) -> Option<Screen> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if zoom {
        return Some(Screen { header, tabs: None, panels: vec![(focus, body)], footer });
    }
    if area.width >= GRID_WIDTH && body.height >= GRID_MIN_BODY_HEIGHT {
        let [top, bottom] = Layout::vertical([Constraint::Fill(1); 2]).areas(body);
        let [a, b] = Layout::horizontal([Constraint::Fill(1); 2]).areas(top);
        let [c, d] = Layout::horizontal([Constraint::Fill(1); 2]).areas(bottom);
        let panels = vec![(Kind::Sanctions, a), (Kind::Suppliers, b), (Kind::Aid, c), (Kind::Shortages, d)];
        return Some(Screen { header, tabs: None, panels, footer });
    }
    let [tabs, panel] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
    Some(Screen { header, tabs: Some(tabs), panels: vec![(focus, panel)], footer })
}

/// Rows of records a panel drawn in `area` shows: inside its border, below the table's header row.
pub fn table_rows(area: Rect) -> usize {
    area.height.saturating_sub(3) as usize
}

/// The screen row of a panel's first record row (border, then the header row).
pub fn first_row_y(area: Rect) -> u16 {
    area.y + 2
}

/// A rectangle of `pct`% of `area`, centred, at least `min` in each direction when the area allows.
pub fn centered(area: Rect, pct_w: u16, pct_h: u16) -> Rect {
    let w = (area.width as u32 * pct_w as u32 / 100) as u16;
    let h = (area.height as u32 * pct_h as u32 / 100) as u16;
    let w = w.max(area.width.min(MIN_WIDTH - 4));
    let h = h.max(area.height.min(MIN_HEIGHT - 2));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_panels_from_120_columns_one_with_tabs_below() {
        let grid = layout(Rect::new(0, 0, 120, 40), false, Kind::Aid).expect("fits");
        assert_eq!(grid.panels.len(), 4);
        assert_eq!(grid.tabs, None);
        let narrow = layout(Rect::new(0, 0, 80, 24), false, Kind::Aid).expect("fits");
        assert_eq!(narrow.panels, vec![(Kind::Aid, Rect::new(0, 3, 80, 20))]);
        assert_eq!(table_rows(narrow.panels[0].1), 17);
        assert!(layout(Rect::new(0, 0, 49, 24), false, Kind::Aid).is_none());
        let zoomed = layout(Rect::new(0, 0, 200, 60), true, Kind::Shortages).expect("fits");
        assert_eq!(zoomed.panels.len(), 1);
    }
}

//! Windows over the panels, one file each: a record's detail, the feed errors, the alerts, the help. Each
//! owns its state (how far it is scrolled; the detail its linked records), turns the keys it knows into
//! what they do, and builds its lines from `&self` and the engine's data; this file frames and scrolls them.

pub mod alerts;
pub mod detail;
pub mod errors;
pub mod help;

use crate::ui::data::Data;
use crate::ui::keys::Action;
use crate::ui::layout::centered;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;
use watchfloor_core::model::Kind;

/// What a window shows: its title and its lines.
pub struct Content {
    pub title: Line<'static>,
    pub lines: Vec<Line<'static>>,
}

/// How far a window is scrolled, and how many lines a page holds there, as of the last
/// [`Popup::catch_up`] (which clamps the first line to the content).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scroll {
    /// The first row shown, of the content's rows once wrapped (a history of a million versions is as
    /// many rows: not a `u16`).
    pub top: usize,
    pub page: u16,
}

impl Scroll {
    /// A key that scrolls: false when it is not one.
    fn key(&mut self, action: Action) -> bool {
        let page = usize::from(self.page.max(1));
        let top = &mut self.top;
        match action {
            Action::Up => *top = top.saturating_sub(1),
            Action::Down => *top = top.saturating_add(1),
            Action::PageUp => *top = top.saturating_sub(page),
            Action::PageDown => *top = top.saturating_add(page),
            Action::Top => *top = 0,
            Action::Bottom => *top = usize::MAX,
            _ => return false,
        }
        true
    }

    /// Keeps the first line shown within `content` lines, of which `height` fit.
    fn fit(&mut self, content: usize, height: u16) {
        self.page = height.max(1);
        self.top = self.top.min(content.saturating_sub(usize::from(height)));
    }
}

/// A window open over the panels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Popup {
    Detail(detail::Detail),
    Errors(Scroll),
    Alerts(alerts::Alerts),
    Help(help::Help),
}

/// What a key in a window comes to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reply {
    /// The window did it.
    Done,
    Close,
    /// Show this record in its panel.
    Jump(Kind, String),
    /// The analyst has seen this record's news (`None`: all news).
    AcknowledgeNews(Option<(Kind, String)>),
    /// The analyst's decision on two records (`None`: forget it).
    Decide((Kind, String), (Kind, String), Option<watchfloor_core::model::decisions::Decision>),
    /// Not a key of the window's.
    NotMine,
}

impl Popup {
    pub fn scroll(&self) -> Scroll {
        match self {
            Popup::Detail(d) => d.scroll,
            Popup::Errors(s) => *s,
            Popup::Alerts(a) => a.scroll,
            Popup::Help(h) => h.scroll,
        }
    }

    fn scroll_mut(&mut self) -> &mut Scroll {
        match self {
            Popup::Detail(d) => &mut d.scroll,
            Popup::Errors(s) => s,
            Popup::Alerts(a) => &mut a.scroll,
            Popup::Help(h) => &mut h.scroll,
        }
    }

    /// Where the window goes on a screen of `area`.
    pub fn rect(&self, area: Rect) -> Rect {
        match self {
            Popup::Detail(_) => centered(area, 90, 90),
            Popup::Errors(_) | Popup::Alerts(_) => centered(area, 90, 80),
            Popup::Help(_) => centered(area, 70, 85),
        }
    }

    /// The window's title and lines, for text `width` columns wide.
    pub fn content(&self, data: &Data, width: usize) -> Content {
        match self {
            Popup::Detail(d) => d.content(data, width).0,
            Popup::Errors(_) => errors::content(data),
            Popup::Alerts(a) => a.content(data, width),
            Popup::Help(h) => h.content(data),
        }
    }

    pub fn key(&mut self, action: Action) -> Reply {
        let own = match self {
            Popup::Detail(d) => d.key(action),
            Popup::Alerts(a) => a.key(action),
            _ => None,
        };
        if let Some(reply) = own {
            return reply;
        }
        if self.scroll_mut().key(action) {
            return Reply::Done;
        }
        match action {
            Action::Close => Reply::Close,
            _ => Reply::NotMine,
        }
    }

    /// Brings the window up to date with the data and a screen of `area`: the detail's linked records,
    /// the scroll position clamped to the content, the page size.
    pub fn catch_up(&mut self, data: &Data, area: Rect) {
        let inner = border().inner(self.rect(area));
        let content = if let Popup::Detail(d) = self {
            let (content, targets) = d.content(data, inner.width as usize);
            d.targets = targets;
            content
        } else {
            self.content(data, inner.width as usize)
        };
        let height = Paragraph::new(content.lines).wrap(Wrap { trim: false }).line_count(inner.width);
        self.scroll_mut().fit(height, inner.height);
        if let Popup::Alerts(a) = self {
            a.catch_up(data);
            a.scroll.fit(height, inner.height);
        }
    }

    /// Draws the window over the screen `area`.
    pub fn draw(&self, frame: &mut Frame, area: Rect, data: &Data) {
        let rect = self.rect(area);
        let inner = border().inner(rect);
        let content = self.content(data, inner.width as usize);
        let (lines, rows) = from_row(content.lines, inner.width, self.scroll().top, inner.height);
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        // One more column on the left, so a wide character cut by the border does not leave half of itself.
        let gutter = if rect.x > 0 { Rect { x: rect.x - 1, width: rect.width + 1, ..rect } } else { rect };
        frame.render_widget(Clear, gutter);
        frame.render_widget(paragraph.block(border().title(content.title)).scroll((rows, 0)), rect);
    }
}

/// The rows a line takes in a window `width` wide: one when it fits, else as many as it wraps to.
fn rows_of(line: &Line<'static>, width: u16) -> usize {
    match line.width() <= usize::from(width) {
        true => 1,
        false => Paragraph::new(line.clone()).wrap(Wrap { trim: false }).line_count(width),
    }
}

/// The lines to draw from wrapped row `top` on (clamped so that the last page of `height` rows is full),
/// and how many rows of the first of them to scroll past: a paragraph scrolls by a `u16` of rows, so the
/// whole lines above `top` are left out instead.
fn from_row(lines: Vec<Line<'static>>, width: u16, top: usize, height: u16) -> (Vec<Line<'static>>, u16) {
    let rows: Vec<usize> = lines.iter().map(|l| rows_of(l, width)).collect();
    // Clamped again, in case this frame is drawn before the window heard of a resize.
    let top = top.min(rows.iter().sum::<usize>().saturating_sub(usize::from(height)));
    let (mut skipped_rows, mut skip) = (0, 0);
    for &r in &rows {
        if skipped_rows + r > top {
            break;
        }
        skipped_rows += r;
        skip += 1;
    }
    let rest = u16::try_from(top - skipped_rows).unwrap_or(u16::MAX);
    (lines.into_iter().skip(skip).collect(), rest)
}

/// A window's border.
fn border() -> Block<'static> {
    Block::default().borders(Borders::ALL)
}

#[cfg(test)]
mod scroll_tests {
    use super::*;

    /// A window of a million rows scrolls to its end (a `u16` position stopped at 65,535), and the lines
    /// drawn from there are the last ones.
    #[test]
    fn a_window_of_a_million_lines_scrolls_to_its_end() {
        let mut scroll = Scroll { top: 0, page: 20 };
        assert!(scroll.key(Action::Bottom));
        scroll.fit(1_000_000, 20);
        assert_eq!(scroll.top, 999_980);
        assert!(scroll.key(Action::Up));
        assert_eq!(scroll.top, 999_979);
        let lines: Vec<Line<'static>> = (0..1_000_000).map(|i| Line::from(format!("version {i}"))).collect();
        let (shown, rows) = from_row(lines, 40, usize::MAX, 20);
        assert_eq!((shown.len(), rows), (20, 0));
        assert_eq!(shown[0].to_string(), "version 999980");
    }

    /// A line wider than the window counts as the rows it wraps to; a position inside it scrolls within it.
    #[test]
    fn a_wrapped_line_counts_as_its_rows() {
        let lines = || vec![Line::from("x".repeat(25)), Line::from("second"), Line::from("third")];
        // 25 columns in a window of 10 wrap to 3 rows.
        assert_eq!(from_row(lines(), 10, 3, 1).0[0].to_string(), "second");
        let (shown, rows) = from_row(lines(), 10, 2, 1);
        assert_eq!((shown.len(), rows), (3, 2));
        assert_eq!(from_row(lines(), 10, 4, 1).0[0].to_string(), "third");
        // Past the end: the last page, full.
        let (shown, rows) = from_row(lines(), 10, 100, 2);
        assert_eq!((shown.len(), rows), (2, 0));
    }
}

//! Drawing the screen from the state: one small function per region.
//!
//! ```text
//! ┌──────────────────────────────────────────────────────────────────────────────┐
//! │ watchfloor  sanctions 31  suppliers 32  aid 30  shortages 31  2 new   09:30 │  header: counts, clock
//! │ feeds  sanctions.jsonl ok · suppliers.jsonl 2 errors · aid.jsonl missing    │  header: feed health
//! ├───────────────────────────────────────┬──────────────────────────────────────┤
//! │ 1 Sanctions                           │ 2 Suppliers                          │  ≥ 120 columns: 2×2
//! │                                       │                                      │  below: a tab bar and
//! ├───────────────────────────────────────┼──────────────────────────────────────┤  the focused panel;
//! │ 3 Aid                                 │ 4 Shortages                          │  `z`: the focused panel
//! │                                       │                                      │  alone
//! ├───────────────────────────────────────┴──────────────────────────────────────┤
//! │ Tab panel  ↑↓ move  Enter detail  Esc close  z zoom  e errors  ? help  q quit │  footer: keys that matter
//! └──────────────────────────────────────────────────────────────────────────────┘
//! ```
//! Detail, errors and help are windows drawn over the panels.

mod columns;
mod detail;
mod header;
mod overlays;
mod panel;

use super::app::{App, Overlay};
use super::keys;
use super::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use watchfloor_core::engine::FeedError;
use watchfloor_core::model::{Kind, Store};

/// Below this the layout would break: the screen says so instead.
pub const MIN_WIDTH: u16 = 50;
pub const MIN_HEIGHT: u16 = 12;
/// From this width (and enough height) the four panels share the screen.
pub const GRID_WIDTH: u16 = 120;
const GRID_MIN_BODY_HEIGHT: u16 = 16;

/// What the screen shows besides the app state: a read-only view of what the engine holds, and the theme.
pub struct Data<'a> {
    pub store: &'a Store,
    pub links: &'a watchfloor_core::model::links::Links,
    pub alerts: &'a [watchfloor_core::engine::Alert],
    pub errors: &'a [FeedError],
    pub error_count: u64,
    pub theme: &'a Theme,
    view: watchfloor_core::engine::View<'a>,
}

impl<'a> Data<'a> {
    pub fn new(view: watchfloor_core::engine::View<'a>, theme: &'a Theme) -> Self {
        Data {
            store: view.store,
            links: view.links,
            errors: view.errors,
            error_count: view.error_count,
            alerts: view.alerts,
            theme,
            view,
        }
    }

    /// Whether a highlighting watch rule matches a record.
    pub fn highlighted(&self, kind: Kind, id: &str) -> bool {
        self.view.is_highlighted(kind, id)
    }
}

/// Where things go on a screen of a given size.
#[derive(Debug, PartialEq, Eq)]
pub struct Screen {
    pub header: Rect,
    pub tabs: Option<Rect>,
    pub panels: Vec<(Kind, Rect)>,
    pub footer: Rect,
}

/// The layout for `area`, or `None` when it is too small.
pub fn layout(area: Rect, app: &App) -> Option<Screen> {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        return None;
    }
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(2), Constraint::Min(1), Constraint::Length(1)]).areas(area);
    if app.zoom {
        return Some(Screen { header, tabs: None, panels: vec![(app.focus, body)], footer });
    }
    if area.width >= GRID_WIDTH && body.height >= GRID_MIN_BODY_HEIGHT {
        let [top, bottom] = Layout::vertical([Constraint::Fill(1); 2]).areas(body);
        let [a, b] = Layout::horizontal([Constraint::Fill(1); 2]).areas(top);
        let [c, d] = Layout::horizontal([Constraint::Fill(1); 2]).areas(bottom);
        let panels = vec![(Kind::Sanctions, a), (Kind::Suppliers, b), (Kind::Aid, c), (Kind::Shortages, d)];
        return Some(Screen { header, tabs: None, panels, footer });
    }
    let [tabs, panel] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(body);
    Some(Screen { header, tabs: Some(tabs), panels: vec![(app.focus, panel)], footer })
}

/// Draws the whole screen.
pub fn render(frame: &mut Frame, app: &mut App, data: &Data) {
    let area = frame.area();
    let Some(screen) = layout(area, app) else {
        too_small(frame, area, data.theme);
        return;
    };
    header::render(frame, screen.header, app, data);
    if let Some(tabs) = screen.tabs {
        panel::tabs(frame, tabs, app, data);
    }
    for (kind, rect) in &screen.panels {
        panel::render(frame, *rect, app, data, *kind);
    }
    footer(frame, screen.footer, app, data.theme);
    match app.overlay.clone() {
        Some(Overlay::Detail { kind, id, scroll, link, .. }) => {
            detail::render(frame, area, app, data, kind, &id, scroll, link)
        }
        Some(Overlay::Errors { scroll }) => overlays::errors(frame, area, app, data, scroll),
        Some(Overlay::Alerts { scroll }) => overlays::alerts(frame, area, app, data, scroll),
        Some(Overlay::Help { scroll }) => overlays::help(frame, area, app, data, scroll),
        None => {}
    }
}

fn too_small(frame: &mut Frame, area: Rect, theme: &Theme) {
    let text = vec![
        Line::styled("watchfloor: terminal too small", theme.alert),
        Line::raw(format!("{}×{}, needs at least {MIN_WIDTH}×{MIN_HEIGHT}", area.width, area.height)),
        Line::raw("q quits"),
    ];
    frame.render_widget(Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }), area);
}

fn footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    if let Some(flash) = &app.flash {
        frame.render_widget(Paragraph::new(Line::styled(format!(" {flash}"), theme.ok)), area);
        return;
    }
    if app.context() == keys::Context::Filter {
        let spans = vec![
            Span::styled(" type", theme.key),
            Span::raw(" to filter  "),
            Span::styled("Enter", theme.key),
            Span::raw(" keep  "),
            Span::styled("Esc", theme.key),
            Span::raw(" clear  "),
            Span::styled("Backspace", theme.key),
            Span::raw(" delete"),
        ];
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let mut hints = keys::footer(app.context());
    let width =
        |h: &[(&str, &str)]| 1 + h.iter().map(|(k, w)| watchfloor_core::text::width(k) + w.len() + 3).sum::<usize>();
    // When the hints do not fit, the ones before the last two (help and quit) give way, rightmost first.
    while width(&hints) > area.width as usize && hints.len() > 2 {
        hints.remove(hints.len() - 3);
    }
    let mut spans = vec![Span::raw(" ")];
    for (key, words) in hints {
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::raw(format!(" {words}  ")));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    if app.mouse {
        let tag = " mouse on (m) ";
        let w = tag.len() as u16;
        if area.width > w {
            let r = Rect { x: area.right() - w, width: w, ..area };
            frame.render_widget(Paragraph::new(Span::styled(tag, theme.muted)), r);
        }
    }
}

/// A rectangle of `pct`% of `area`, centred, at least `min` in each direction when the area allows.
pub fn centered(area: Rect, pct_w: u16, pct_h: u16) -> Rect {
    let w = (area.width as u32 * pct_w as u32 / 100) as u16;
    let h = (area.height as u32 * pct_h as u32 / 100) as u16;
    let w = w.max(area.width.min(MIN_WIDTH - 4));
    let h = h.max(area.height.min(MIN_HEIGHT - 2));
    Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h }
}

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
//! Detail, errors, alerts and help are windows drawn over the panels (`popup/`); each panel draws
//! itself (`panel/draw.rs`); where everything goes is `layout.rs`.

mod header;

use super::app::App;
pub use super::data::Data;
use super::keys;
use super::layout::{layout, MIN_HEIGHT, MIN_WIDTH};
use super::panel::draw as panel;
use super::theme::Theme;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws the whole screen from the dashboard's state, which it only reads.
pub fn render(frame: &mut Frame, app: &App, data: &Data) {
    let area = frame.area();
    let Some(screen) = layout(area, app.zoom, app.focus) else {
        too_small(frame, area, data.theme);
        return;
    };
    header::render(frame, screen.header, app, data);
    if let Some(tabs) = screen.tabs {
        panel::tabs(frame, tabs, app.focus, &app.panels, data);
    }
    for &(kind, rect) in &screen.panels {
        panel::render(frame, rect, app.panel(kind), app.focus == kind, app.editing_filter, data, kind);
    }
    footer(frame, screen.footer, app, data.theme);
    if let Some(popup) = &app.popup {
        popup.draw(frame, area, data);
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

//! Windows over the panels: the feed errors and the help. (The detail view has its own file.)

use super::{centered, Data};
use crate::ui::app::{App, Overlay};
use crate::ui::keys::KEYS;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// A bordered window with a title over `area`, its lines wrapped and scrolled. The scroll is clamped to the
/// content, and the page size noted for PgUp/PgDn.
pub fn window(frame: &mut Frame, area: Rect, app: &mut App, title: Line, lines: Vec<Line>, scroll: u16) {
    let block = Block::default().borders(Borders::ALL).title(title);
    let inner = block.inner(area);
    let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
    let height = paragraph.line_count(inner.width) as u16;
    let scroll = scroll.min(height.saturating_sub(inner.height));
    if let Some(
        Overlay::Detail { scroll: s, .. }
        | Overlay::Errors { scroll: s }
        | Overlay::Alerts { scroll: s }
        | Overlay::Help { scroll: s },
    ) = app.overlay.as_mut()
    {
        *s = scroll;
    }
    app.page = inner.height.max(1) as usize;
    // One more column on the left, so a wide character cut by the border does not leave half of itself.
    let gutter = if area.x > 0 { Rect { x: area.x - 1, width: area.width + 1, ..area } } else { area };
    frame.render_widget(Clear, gutter);
    frame.render_widget(paragraph.block(block).scroll((scroll, 0)), area);
}

pub fn errors(frame: &mut Frame, area: Rect, app: &mut App, data: &Data, scroll: u16) {
    let rect = centered(area, 90, 80);
    let theme = data.theme;
    let mut lines = Vec::new();
    if data.errors.is_empty() {
        lines.push(Line::styled("No feed errors.", theme.ok));
    }
    if data.error_count > data.errors.len() as u64 {
        let older = data.error_count - data.errors.len() as u64;
        lines.push(Line::styled(format!("({older} older errors not kept)"), theme.muted));
    }
    for e in data.errors.iter().rev() {
        let place = match e.line {
            Some(l) => format!("{}:{l}: ", watchfloor_core::text::clean_path(&e.file)),
            None => format!("{}: ", watchfloor_core::text::clean_path(&e.file)),
        };
        lines.push(Line::from(vec![Span::styled(place, theme.warn), Span::raw(e.message.clone())]));
    }
    let title = Line::from(vec![
        Span::styled(format!(" Feed errors: {} ", data.error_count), theme.title),
        Span::styled("newest first · Esc closes ", theme.muted),
    ]);
    window(frame, rect, app, title, lines, scroll);
}

pub fn alerts(frame: &mut Frame, area: Rect, app: &mut App, data: &Data, scroll: u16) {
    let rect = centered(area, 90, 80);
    let theme = data.theme;
    let mut lines = Vec::new();
    if data.alerts.is_empty() {
        lines.push(Line::styled("No alerts. Watch rules are [[rule]] tables in config.toml.", theme.muted));
    }
    for a in data.alerts.iter().rev() {
        let when = a.at.format("%m-%d %H:%MZ").to_string();
        lines.push(Line::from(vec![
            Span::styled(format!("{when}  "), theme.muted),
            Span::styled(a.rule.clone(), theme.alert),
            Span::raw(format!("  {} · {}", a.kind, a.title)),
        ]));
    }
    let title = Line::from(vec![
        Span::styled(format!(" Alerts: {} ", data.alerts.len()), theme.title),
        Span::styled("newest first · Esc closes ", theme.muted),
    ]);
    window(frame, rect, app, title, lines, scroll);
}

pub fn help(frame: &mut Frame, area: Rect, app: &mut App, data: &Data, scroll: u16) {
    let rect = centered(area, 70, 85);
    let theme = data.theme;
    let width = KEYS.iter().map(|b| watchfloor_core::text::width(b.label)).max().unwrap_or(0);
    let mut lines = vec![Line::styled("Keys", theme.header)];
    for b in KEYS {
        lines.push(Line::from(vec![
            Span::styled(format!("  {}  ", watchfloor_core::text::fit(b.label, width, true)), theme.key),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Marks", theme.header));
    lines.push(Line::raw("  +  new since last acknowledged (a, A)     ~  changed since then"));
    lines.push(Line::raw("  ⚑  a sanctions target that is a flagged supplier"));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("Mouse is {} · NO_COLOR and --color never turn colours off", if app.mouse { "on" } else { "off" }),
        theme.muted,
    ));
    let title = Line::from(vec![Span::styled(" Help ", theme.title), Span::styled("Esc closes ", theme.muted)]);
    window(frame, rect, app, title, lines, scroll);
}

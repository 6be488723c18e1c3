//! The header: product name, counts, how many are new, the clock; then each feed's health.

use crate::ui::app::App;
use crate::ui::data::Data;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use watchfloor_core::text::clean;

pub fn render(frame: &mut Frame, area: Rect, app: &App, data: &Data) {
    let theme = data.theme;
    let mut top = vec![Span::styled(" watchfloor ", theme.title)];
    for &kind in watchfloor_core::model::Kind::ALL {
        let n = data.store.panel(kind).len();
        top.push(Span::raw(format!(" {kind} {n}")));
        let new = app.panel(kind).marks.len();
        if new > 0 {
            top.push(Span::styled(format!(" +{new}"), theme.new));
        }
    }
    if !data.alerts.is_empty() {
        top.push(Span::raw("  "));
        let style = if app.unseen_alerts > 0 { theme.alert } else { theme.muted };
        let unseen = if app.unseen_alerts > 0 { format!(", {} unseen", app.unseen_alerts) } else { String::new() };
        top.push(Span::styled(format!("{} alerts{unseen} (!)", data.alerts.len()), style));
    }
    if data.error_count > 0 {
        top.push(Span::raw("  "));
        top.push(Span::styled(format!("{} errors (e)", data.error_count), theme.alert));
    }
    if app.paused {
        top.push(Span::raw("  "));
        top.push(Span::styled(format!("PAUSED +{} (p)", app.held_count()), theme.alert));
    }
    if let Some(n) = &app.notice {
        top.push(Span::raw("  "));
        top.push(Span::styled(n.clone(), theme.warn));
    }
    let clock = app.now.format("%H:%M ").to_string();
    let line = area.height.min(1);
    let first = Rect { height: line, ..area };
    frame.render_widget(Paragraph::new(Line::from(top)), first);
    frame.render_widget(Paragraph::new(Span::styled(clock, theme.muted)).alignment(Alignment::Right), first);

    if area.height < 2 {
        return;
    }
    let line = Rect { y: area.y + 1, height: 1, ..area };
    let mut feeds = feed_spans(app, data, false);
    if Line::from(feeds.clone()).width() > line.width as usize {
        feeds = feed_spans(app, data, true);
    }
    frame.render_widget(Paragraph::new(Line::from(feeds)), line);
}

/// Each feed file with its health; `short` names files without their extension to fit narrow screens.
fn feed_spans<'a>(app: &App, data: &Data, short: bool) -> Vec<Span<'a>> {
    let theme = data.theme;
    let mut feeds = vec![Span::styled(" feeds ", theme.muted)];
    for (i, (file, health)) in app.feeds.iter().enumerate() {
        if i > 0 {
            feeds.push(Span::styled(" · ", theme.muted));
        }
        let name = if short { file.file_stem() } else { file.file_name() };
        let name = name.map(|n| clean(&n.to_string_lossy())).unwrap_or_else(|| "?".into());
        feeds.push(Span::raw(format!("{name} ")));
        if health.missing {
            feeds.push(Span::styled("missing", theme.alert));
        } else if health.errors > 0 {
            feeds.push(Span::styled(format!("{} errors", health.errors), theme.warn));
        } else {
            feeds.push(Span::styled("ok", theme.ok));
        }
        if let Some(t) = health.last_change {
            feeds.push(Span::styled(format!(" {}", t.format("%H:%M")), theme.muted));
        }
    }
    feeds
}

//! The alerts the watch rules raised, newest first.

use super::Content;
use crate::ui::data::Data;
use ratatui::text::{Line, Span};

pub fn content(data: &Data) -> Content {
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
    Content { title, lines }
}

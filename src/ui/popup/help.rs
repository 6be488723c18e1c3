//! The help: the key table (the same one keys are read by), the marks, the mouse.

use super::{Content, Scroll};
use crate::ui::data::Data;
use crate::ui::keys::KEYS;
use ratatui::text::{Line, Span};
use watchfloor_core::text::{fit, width};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Help {
    pub scroll: Scroll,
    /// Whether the mouse is on (the help says so).
    pub mouse: bool,
}

impl Help {
    pub fn content(&self, data: &Data) -> Content {
        let theme = data.theme;
        let key_width = KEYS.iter().map(|b| width(b.label)).max().unwrap_or(0);
        let mut lines = vec![Line::styled("Keys", theme.header)];
        for b in KEYS {
            lines.push(Line::from(vec![
                Span::styled(format!("  {}  ", fit(b.label, key_width, true)), theme.key),
                Span::raw(b.help),
            ]));
        }
        lines.push(Line::raw(""));
        lines.push(Line::styled("Marks", theme.header));
        lines.push(Line::raw("  +  new since last acknowledged (a, A)     ~  changed since then"));
        lines.push(Line::raw("  ⚑  a sanctions target that is a flagged supplier"));
        lines.push(Line::raw(""));
        lines.push(Line::styled(
            format!("Mouse is {} · NO_COLOR and --color never turn colours off", if self.mouse { "on" } else { "off" }),
            theme.muted,
        ));
        let title = Line::from(vec![Span::styled(" Help ", theme.title), Span::styled("Esc closes ", theme.muted)]);
        Content { title, lines }
    }
}

//! The feed errors kept, newest first, each with its file and line.

use super::Content;
use crate::ui::data::Data;
use ratatui::text::{Line, Span};
use watchfloor_core::text::clean_path;

pub fn content(data: &Data) -> Content {
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
            Some(l) => format!("{}:{l}: ", clean_path(&e.file)),
            None => format!("{}: ", clean_path(&e.file)),
        };
        lines.push(Line::from(vec![Span::styled(place, theme.warn), Span::raw(e.message.clone())]));
    }
    let title = Line::from(vec![
        Span::styled(format!(" Feed errors: {} ", data.error_count), theme.title),
        Span::styled("newest first · Esc closes ", theme.muted),
    ]);
    Content { title, lines }
}

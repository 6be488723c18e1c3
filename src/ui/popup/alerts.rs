//! The alerts window: the news first (records that came to match a watch rule since the analyst
//! acknowledged them, newest first, one row a record with every rule it came to match; Enter goes to the
//! record, `a` acknowledges it, `A` all), then what each rule matches now.

use super::{Content, Reply, Scroll};
use crate::ui::data::Data;
use crate::ui::keys::Action;
use crate::ui::panel::draw::title as panel_title;
use ratatui::text::{Line, Span};
use watchfloor_core::model::news::{Cause, Item};
use watchfloor_core::model::Kind;
use watchfloor_core::text::fit;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Alerts {
    pub scroll: Scroll,
    /// The selected news row, newest first.
    pub selected: usize,
    /// The records of the news rows, newest first, as of the last [`Alerts::catch_up`].
    pub rows: Vec<(Kind, String)>,
}

/// Lines above the first news row: the section's title.
const NEWS_TOP: usize = 1;

impl Alerts {
    pub fn key(&mut self, action: Action) -> Option<Reply> {
        let last = self.rows.len().saturating_sub(1);
        let page = usize::from(self.scroll.page.max(1));
        let selected = |r: &Self| r.rows.get(r.selected).cloned();
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(last),
            Action::PageUp => self.selected = self.selected.saturating_sub(page),
            Action::PageDown => self.selected = (self.selected + page).min(last),
            Action::Top => self.selected = 0,
            // The last rows of the window are what matches now: End goes there.
            Action::Bottom => return None,
            Action::Open => return Some(selected(self).map_or(Reply::Done, |(k, id)| Reply::Jump(k, id))),
            Action::Acknowledge => {
                return Some(selected(self).map_or(Reply::Done, |(k, id)| Reply::AcknowledgeNews(Some((k, id)))))
            }
            Action::AcknowledgeAll => return Some(Reply::AcknowledgeNews(None)),
            _ => return None,
        }
        Some(Reply::Done)
    }

    /// Notes the rows shown and keeps the selection on a row, and in view.
    pub fn catch_up(&mut self, data: &Data) {
        self.rows = data.news.items().iter().rev().map(|i| (i.kind, i.id.clone())).collect();
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        let line = NEWS_TOP + self.selected;
        let page = usize::from(self.scroll.page.max(1));
        if line < self.scroll.top + NEWS_TOP.min(self.scroll.top) {
            self.scroll.top = line.saturating_sub(NEWS_TOP);
        } else if line >= self.scroll.top + page {
            self.scroll.top = line + 1 - page;
        }
    }

    pub fn content(&self, data: &Data, width: usize) -> Content {
        let theme = data.theme;
        let news = data.news.items();
        let mut lines = vec![Line::styled(
            match news.len() {
                0 => "News: none. A record that comes to match a watch rule is news until acknowledged.".to_owned(),
                n => format!("News: {n}, newest first (Enter goes to the record, a acknowledges it, A all)"),
            },
            theme.header,
        )];
        for (i, item) in news.iter().rev().enumerate() {
            let line = row(item, width, theme);
            lines.push(if i == self.selected { line.style(theme.selected) } else { line });
        }
        lines.push(Line::raw(""));
        let matching = data.rule_match_counts();
        let total: usize = matching.iter().map(|(_, n)| n).sum();
        lines.push(Line::styled(
            match (data.has_rules(), total) {
                (false, _) => "Matching now: no watch rules. They are [[rule]] tables in config.toml.".to_owned(),
                (true, 0) => "Matching now: no record matches a watch rule.".to_owned(),
                (true, n) => format!("Matching now: {n} matches of {} rules", matching.len()),
            },
            theme.header,
        ));
        for (rule, n) in matching.iter().filter(|(_, n)| *n > 0) {
            lines.push(Line::from(vec![Span::styled(format!("  {n:>7}  "), theme.key), Span::raw(rule.clone())]));
        }
        let title = Line::from(vec![
            Span::styled(format!(" Alerts: {} news ", news.len()), theme.title),
            Span::styled(format!("{total} matching · Esc closes "), theme.muted),
        ]);
        Content { title, lines }
    }
}

/// A news row: its mark (`+` a new record, `~` a changed one, `⚑` matched through a linked record), when,
/// its panel, its title, its rules; cut to the window's width.
fn row(item: &Item, width: usize, theme: &crate::ui::theme::Theme) -> Line<'static> {
    let mark = match item.cause {
        Cause::New => "+",
        Cause::Updated => "~",
        Cause::Linked => "⚑",
    };
    let when = item.at.get(5..16).map(|t| t.replace('T', " ")).unwrap_or_default();
    let head = format!("{mark} {when}Z  {:<17}  ", panel_title(item.kind));
    let rest = format!("{}  · {}", item.title, item.rules.join(", "));
    let room = width.saturating_sub(watchfloor_core::text::width(&head));
    Line::from(vec![Span::styled(head, theme.new), Span::raw(fit(&rest, room, false))])
}

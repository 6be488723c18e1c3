//! One panel: a table of records, newest first, only the visible rows drawn; and the tab bar.

use super::columns::{allocate, style, MARK};
use super::{Mark, PanelView};
use crate::ui::data::Data;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;
use watchfloor_core::model::Kind;
use watchfloor_core::present::query::Query;
use watchfloor_core::present::{self, bar, AID_DELIVERED};
use watchfloor_core::text::{fit, width};

/// The panel's name in titles and tabs.
pub fn title(kind: Kind) -> &'static str {
    match kind {
        Kind::Sanctions => "Sanctions",
        Kind::Suppliers => "Flagged suppliers",
        Kind::Aid => "Aid packages",
        Kind::Shortages => "Shortages",
    }
}

fn number(kind: Kind) -> usize {
    kind.index() + 1
}

/// The tab bar shown when only one panel fits.
pub fn tabs(frame: &mut Frame, area: Rect, focus: Kind, panels: &[PanelView; 4], data: &Data) {
    let mut spans = vec![Span::raw(" ")];
    for &kind in Kind::ALL {
        let label = format!(" {} {} {} ", number(kind), title(kind), data.store.panel(kind).len());
        let style = if kind == focus { data.theme.selected.add_modifier(Modifier::BOLD) } else { Style::new() };
        spans.push(Span::styled(label, style));
        let new = panels[kind.index()].marks.len();
        if new > 0 {
            spans.push(Span::styled(format!("+{new}"), data.theme.new));
        }
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Draws a panel from its view; `editing`: the filter is being typed into.
pub fn render(frame: &mut Frame, area: Rect, view: &PanelView, focused: bool, editing: bool, data: &Data, kind: Kind) {
    let theme = data.theme;
    let panel = data.store.panel(kind);
    let view_marks = view.marks.len();
    let mut title_spans = vec![Span::styled(format!(" {} {} ", number(kind), title(kind)), theme.title)];
    let editing = focused && editing;
    if view.filter.is_empty() && !editing {
        title_spans.push(Span::raw(format!("{} ", panel.len())));
    } else {
        let cursor = if editing { "▏" } else { "" };
        let searching = if view.job.is_some() { "… " } else { "" };
        title_spans.push(Span::raw(format!("{}{searching} of {} ", view.len, panel.len())));
        title_spans.push(Span::styled(format!("/{}{cursor} ", view.filter), theme.key));
        if let Some(problem) = view.query.problem() {
            title_spans.push(Span::styled(format!("({problem}) "), theme.warn));
        }
    }
    if view_marks > 0 {
        title_spans.push(Span::styled(format!("+{view_marks} new "), theme.new));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { theme.border_focused } else { theme.border })
        .title(Line::from(title_spans));
    let inner = block.inner(area);
    let height = crate::ui::layout::table_rows(area);
    // The dashboard scrolled for this screen size already; this only matters for a frame drawn before it
    // heard of a resize.
    let (offset, selected) = (view.offset_for(height), view.selected);
    let total = view.len;
    let block = if total > 0 {
        block.title_bottom(Line::from(format!(" {}/{total} ", selected + 1)).right_aligned())
    } else {
        block
    };
    let block = match trend_line(view, kind, theme) {
        Some(line) if area.width > 50 => block.title_bottom(line),
        _ => block,
    };
    frame.render_widget(block, area);
    if inner.width == 0 || inner.height == 0 {
        return;
    }
    if total == 0 {
        let text = if view.filter.is_empty() { "no records yet" } else { "nothing matches the filter (Esc clears it)" };
        let msg = Paragraph::new(Line::styled(text, theme.muted)).centered();
        frame.render_widget(msg, Rect { y: inner.y + inner.height / 2, height: 1, ..inner });
        return;
    }

    let mut cols = vec![MARK];
    cols.extend_from_slice(present::columns(kind));
    // The visible rows only: what a million-record panel costs to draw does not depend on its length.
    let visible: Vec<VisibleRow> = view
        .entries(panel, offset)
        .take(height)
        .enumerate()
        .map(|(k, entry)| {
            let i = offset + k;
            let id = entry.current().packed().id();
            let mark = match view.marks.get(id) {
                Some(Mark::New) => ("+".to_string(), theme.new),
                Some(Mark::Updated) => ("~".to_string(), theme.new),
                None => (String::new(), Style::new()),
            };
            let mut all = vec![mark];
            let info = data.links.row_info(data.store, kind, id);
            let record = entry.current().record(data.store.texts());
            all.extend(present::cells(&record, &info, data.store).into_iter().map(|(t, tone)| (t, style(tone, theme))));
            (i, all, record)
        })
        .collect();
    let mut wanted: Vec<u16> = (0..cols.len())
        .map(|c| {
            let content = visible.iter().map(|(_, cells, _)| width(&cells[c].0)).max().unwrap_or(0);
            content.max(width(cols[c].title)).min(u16::MAX as usize) as u16
        })
        .collect();
    if kind == Kind::Aid {
        // The progress bar is as wide as its column allows.
        wanted[AID_BAR] = u16::MAX;
    }
    let widths = allocate(&cols, inner.width, &wanted);
    let shown: Vec<usize> = (0..cols.len()).filter(|&i| widths[i].is_some()).collect();
    let header =
        Row::new(shown.iter().map(|&i| Cell::from(fit(cols[i].title, widths[i].unwrap_or(0) as usize, false))))
            .style(theme.header);
    let rows: Vec<Row> = visible
        .into_iter()
        .map(|(i, mut all, record)| {
            if let (Kind::Aid, Some(Some(w))) = (kind, widths.get(AID_BAR)) {
                if let watchfloor_core::model::Body::Aid(a) = &record.body {
                    all[AID_BAR].0 = bar(a.delivered, a.amount, *w);
                }
            }
            let row_cells = shown.iter().map(|&c| {
                let (text, style) = &all[c];
                let w = widths[c].unwrap_or(0) as usize;
                Cell::from(highlighted(fit(text, w, false), *style, &view.query, cols[c].title, theme.hit))
            });
            let mut row = Row::new(row_cells.collect::<Vec<_>>());
            if data.highlighted(kind, &record.id) {
                row = row.style(theme.warn.add_modifier(Modifier::BOLD));
            }
            if i == selected && focused {
                row.style(theme.selected)
            } else if i == selected {
                row.style(Style::new().add_modifier(Modifier::BOLD))
            } else {
                row
            }
        })
        .collect();
    let constraints: Vec<Constraint> = widths.iter().flatten().map(|w| Constraint::Length(*w)).collect();
    let table = Table::new(rows, constraints).header(header).column_spacing(1);
    frame.render_widget(table, inner);
}

/// A cell's text with what the filter found in it in the `hit` style (over the cell's own).
fn highlighted(text: String, style: Style, query: &Query, column: &str, hit: Style) -> Line<'static> {
    let hits = query.hits(column, &text);
    if hits.is_empty() {
        return Line::from(Span::styled(text, style));
    }
    let (mut spans, mut at) = (Vec::new(), 0);
    for r in hits {
        if r.start > at {
            spans.push(Span::styled(text[at..r.start].to_owned(), style));
        }
        spans.push(Span::styled(text[r.clone()].to_owned(), style.patch(hit)));
        at = r.end;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_owned(), style));
    }
    Line::from(spans)
}

/// The panel's trend for its bottom border: records per day over 30 days as a sparkline, and for
/// suppliers and shortages the counts by level.
fn trend_line(view: &PanelView, kind: Kind, theme: &crate::ui::theme::Theme) -> Option<Line<'static>> {
    let end = view.trend_end?;
    let max = view.trend.iter().copied().max().unwrap_or(0).max(1);
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let spark: String = view
        .trend
        .iter()
        .map(|&n| if n == 0 { ' ' } else { BARS[((n as usize * 8).div_ceil(max as usize)).clamp(1, 8) - 1] })
        .collect();
    let mut spans = vec![
        Span::raw(" "),
        Span::styled(spark, theme.ok),
        Span::styled(format!(" 30d to {} ", end.format("%m-%d")), theme.muted),
    ];
    if matches!(kind, Kind::Suppliers | Kind::Shortages) {
        let [low, med, high, crit] = view.levels;
        spans.push(Span::styled(format!("crit {crit}"), theme.alert));
        spans.push(Span::styled(format!(" high {high}"), theme.warn));
        spans.push(Span::raw(format!(" med {med} low {low} ")));
    }
    Some(Line::from(spans))
}

/// A row to draw: its index in the panel, its cells with their styles, and its record.
type VisibleRow = (usize, Vec<(String, Style)>, watchfloor_core::model::Record);

/// The aid panel's delivered column, counting the marker column.
const AID_BAR: usize = AID_DELIVERED + 1;

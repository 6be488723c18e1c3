//! The header: product name, counts, how many are new, the clock; then each feed's health.

use crate::ui::app::App;
use crate::ui::data::Data;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;
use watchfloor_core::text::clean;

/// How the records of each kind are counted in the header: in words, shortened (narrow screens), or not
/// at all (what is wrong, the alerts and errors, comes first).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Counts {
    Words,
    Short,
    None,
}

/// The header's first line, from the left: the name, the counts, the alerts, errors, pause and notice.
fn top<'a>(app: &App, data: &Data, counts: Counts) -> Vec<Span<'a>> {
    let theme = data.theme;
    let mut top = vec![Span::styled(" watchfloor ", theme.title)];
    for &kind in watchfloor_core::model::Kind::ALL {
        let n = data.store.panel(kind).len();
        match counts {
            Counts::Words => top.push(Span::raw(format!(" {kind} {n}"))),
            Counts::Short => top.push(Span::raw(format!(" {} {n}", short(kind)))),
            Counts::None => continue,
        }
        let new = app.panel(kind).marks.len();
        if new > 0 {
            top.push(Span::styled(format!(" +{new}"), theme.new));
        }
    }
    if let Some((read, of)) = app.loading {
        top.push(Span::raw("  "));
        top.push(Span::styled(reading(read, of), theme.warn));
    }
    // The news (kept until acknowledged) and what the rules match now: from the first start on.
    let (news, matching) = (data.news.len(), data.match_count());
    if news > 0 || matching > 0 {
        top.push(Span::raw("  "));
        let style = if news > 0 { theme.alert } else { theme.muted };
        let text = match (news, counts) {
            (0, _) => format!("{matching} matching (!)"),
            (_, Counts::Words) => format!("{news} news, {matching} matching (!)"),
            _ => format!("{news} news (!)"),
        };
        top.push(Span::styled(text, style));
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
    top
}

/// How far the first read has come: `reading feeds 42% of 2.9 GB`.
fn reading(read: u64, of: u64) -> String {
    if of == 0 {
        return "reading feeds".into();
    }
    let percent = (read.min(of) as f64 / of as f64 * 100.0).floor();
    let size = match of {
        0..=999_999 => format!("{} kB", of.div_ceil(1000)),
        1_000_000..=999_999_999 => format!("{:.0} MB", of as f64 / 1e6),
        _ => format!("{:.1} GB", of as f64 / 1e9),
    };
    format!("reading feeds {percent}% of {size}")
}

/// A kind's name shortened for the narrow header (`sanc 31 supp 32 aid 30 shrt 31`).
fn short(kind: watchfloor_core::model::Kind) -> &'static str {
    use watchfloor_core::model::Kind;
    match kind {
        Kind::Sanctions => "sanc",
        Kind::Suppliers => "supp",
        Kind::Aid => "aid",
        Kind::Shortages => "shrt",
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, data: &Data) {
    let theme = data.theme;
    let clock = app.now.format("%H:%M ").to_string();
    let width = usize::from(area.width);
    // The counts shorten, then go, before the alerts and errors do; the clock is drawn only where it
    // leaves them whole.
    let fits = |spans: &Vec<Span>, extra: usize| spans.iter().map(Span::width).sum::<usize>() + extra <= width;
    let top = [Counts::Words, Counts::Short, Counts::None]
        .into_iter()
        .map(|c| top(app, data, c))
        .find(|spans| fits(spans, 0))
        .unwrap_or_else(|| top(app, data, Counts::None));
    let with_clock = fits(&top, clock.len() + 1);
    let line = area.height.min(1);
    let first = Rect { height: line, ..area };
    frame.render_widget(Paragraph::new(Line::from(top)), first);
    if with_clock {
        frame.render_widget(Paragraph::new(Span::styled(clock, theme.muted)).alignment(Alignment::Right), first);
    }

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

#[cfg(test)]
mod tests {
    use super::reading;

    #[test]
    fn the_first_reads_progress_is_a_share_of_the_size() {
        assert_eq!(reading(0, 0), "reading feeds");
        assert_eq!(reading(1_234_000_000, 2_900_000_000), "reading feeds 42% of 2.9 GB");
        assert_eq!(reading(64 << 20, 300_000_000), "reading feeds 22% of 300 MB");
        assert_eq!(reading(10, 5), "reading feeds 100% of 1 kB");
    }
}

//! Colours by meaning. The default uses the 16 ANSI colours, so it follows the analyst's terminal palette;
//! the plain theme keeps bold, reverse and underline so that meaning survives without colour.

use ratatui::style::{Color, Modifier, Style};
use watchfloor_core::config::ColorMode;

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    /// Product name and panel titles.
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    /// Table column titles.
    pub header: Style,
    /// The selected row.
    pub selected: Style,
    /// Records that arrived since start, and their marker.
    pub new: Style,
    /// Critical levels, errors, missing feeds, stalled packages.
    pub alert: Style,
    /// High levels.
    pub warn: Style,
    /// Healthy feeds, delivered aid.
    pub ok: Style,
    /// Less important text: low levels, hints, timestamps.
    pub muted: Style,
    /// Keys in the footer and help.
    pub key: Style,
    /// What a filter found in a cell: underlined, so it reads without colour and on the selected row.
    pub hit: Style,
}

impl Theme {
    /// The 16-colour default.
    pub fn sixteen() -> Self {
        let plain = Self::plain();
        Theme {
            title: plain.title.fg(Color::Cyan),
            border: Style::new().fg(Color::DarkGray),
            border_focused: plain.border_focused.fg(Color::Cyan),
            header: plain.header.fg(Color::Yellow),
            selected: plain.selected,
            new: plain.new.fg(Color::Green),
            alert: plain.alert.fg(Color::Red),
            warn: Style::new().fg(Color::Yellow),
            ok: Style::new().fg(Color::Green),
            muted: Style::new().fg(Color::DarkGray),
            key: plain.key.fg(Color::Cyan),
            hit: plain.hit.fg(Color::Magenta),
        }
    }

    /// No colour at all: NO_COLOR, `--color never`, dumb terminals.
    pub fn plain() -> Self {
        Theme {
            title: Style::new().add_modifier(Modifier::BOLD),
            border: Style::new(),
            border_focused: Style::new().add_modifier(Modifier::BOLD),
            header: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            new: Style::new().add_modifier(Modifier::BOLD),
            alert: Style::new().add_modifier(Modifier::BOLD),
            warn: Style::new(),
            ok: Style::new(),
            muted: Style::new(),
            key: Style::new().add_modifier(Modifier::BOLD),
            hit: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
        }
    }

    /// The theme for a colour mode, looking at NO_COLOR and TERM for `auto`.
    pub fn for_mode(mode: ColorMode, no_color: Option<&str>, term: Option<&str>) -> Self {
        let colour = match mode {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => no_color.is_none_or(str::is_empty) && term != Some("dumb"),
        };
        if colour {
            Self::sixteen()
        } else {
            Self::plain()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_is_honoured_in_auto_mode_only() {
        assert_eq!(Theme::for_mode(ColorMode::Auto, Some("1"), None), Theme::plain());
        assert_eq!(Theme::for_mode(ColorMode::Auto, Some(""), None), Theme::sixteen());
        assert_eq!(Theme::for_mode(ColorMode::Auto, None, Some("dumb")), Theme::plain());
        assert_eq!(Theme::for_mode(ColorMode::Always, Some("1"), None), Theme::sixteen());
        assert_eq!(Theme::for_mode(ColorMode::Never, None, None), Theme::plain());
    }

    #[test]
    fn the_plain_theme_has_no_colour_but_keeps_emphasis() {
        let t = Theme::plain();
        for s in [t.title, t.header, t.selected, t.new, t.alert, t.warn, t.ok, t.muted, t.key, t.hit] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
        assert!(t.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(t.alert.add_modifier.contains(Modifier::BOLD));
    }
}

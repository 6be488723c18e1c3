//! The key table: which key does what, where. The help screen and the footer are generated from it, so
//! they cannot drift from what the keys do.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use watchfloor_core::model::Kind;

/// Something the analyst asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Quit,
    NextPanel,
    PrevPanel,
    Focus(Kind),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Close,
    Zoom,
    Errors,
    Alerts,
    Acknowledge,
    AcknowledgeAll,
    /// The next / previous record marked new or changed in the focused panel.
    NextMarked,
    PrevMarked,
    Filter,
    Pause,
    Copy,
    Help,
    ToggleMouse,
    Redraw,
    Suspend,
    /// The selected linked record is the same party (overrides the matcher).
    Same,
    /// The selected linked record is another party.
    Different,
    /// Forget the decision on the selected linked record.
    Undecide,
}

/// Where a key applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// The panels.
    Panels,
    /// A window over the panels: errors, help.
    Overlay,
    /// A record's details, whose linked records can be selected and gone to.
    Detail,
    /// The alerts: the news, whose rows can be gone to and acknowledged, and what matches now.
    Alerts,
    /// Typing a filter: keys are text, but for Enter, Esc and Backspace.
    Filter,
}

/// One line of the key table.
pub struct Binding {
    /// The keys, as matched.
    pub keys: &'static [Key],
    /// How the keys are written in help and footer.
    pub label: &'static str,
    pub action: Action,
    /// What it does, for help.
    pub help: &'static str,
    /// Short words for the footer, if the key belongs there.
    pub footer: Option<&'static str>,
    /// Where it applies.
    pub contexts: &'static [Context],
}

/// A key: a code and whether Ctrl is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(pub KeyCode, pub bool);

const fn k(c: char) -> Key {
    Key(KeyCode::Char(c), false)
}
const fn ctrl(c: char) -> Key {
    Key(KeyCode::Char(c), true)
}
const fn code(c: KeyCode) -> Key {
    Key(c, false)
}

const BOTH: &[Context] = &[Context::Panels, Context::Overlay, Context::Detail, Context::Alerts];
const PANELS: &[Context] = &[Context::Panels];
const DETAIL: &[Context] = &[Context::Detail];
const ALERTS: &[Context] = &[Context::Alerts];
const WINDOWS: &[Context] = &[Context::Overlay, Context::Detail, Context::Alerts];

/// Every key watchfloor knows, in the order help shows them.
pub const KEYS: &[Binding] = &[
    Binding {
        keys: &[code(KeyCode::Tab)],
        label: "Tab",
        action: Action::NextPanel,
        help: "next panel",
        footer: Some("panel"),
        contexts: PANELS,
    },
    Binding {
        keys: &[code(KeyCode::BackTab)],
        label: "Shift-Tab",
        action: Action::PrevPanel,
        help: "previous panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('1')],
        label: "1",
        action: Action::Focus(Kind::Sanctions),
        help: "sanctions panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('2')],
        label: "2",
        action: Action::Focus(Kind::Suppliers),
        help: "suppliers panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('3')],
        label: "3",
        action: Action::Focus(Kind::Aid),
        help: "aid panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('4')],
        label: "4",
        action: Action::Focus(Kind::Shortages),
        help: "shortages panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[code(KeyCode::Up), k('k')],
        label: "↑ k",
        action: Action::Up,
        help: "up one row",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[code(KeyCode::Down), k('j')],
        label: "↓ j",
        action: Action::Down,
        help: "down one row",
        footer: Some("move"),
        contexts: BOTH,
    },
    Binding {
        keys: &[code(KeyCode::PageUp), ctrl('b')],
        label: "PgUp",
        action: Action::PageUp,
        help: "up one page",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[code(KeyCode::PageDown), ctrl('f')],
        label: "PgDn",
        action: Action::PageDown,
        help: "down one page",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[code(KeyCode::Home), k('g')],
        label: "Home g",
        action: Action::Top,
        help: "first row (newest)",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[code(KeyCode::End), k('G')],
        label: "End G",
        action: Action::Bottom,
        help: "last row (oldest)",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Open,
        help: "details of the selected record: every field, history, source",
        footer: Some("detail"),
        contexts: PANELS,
    },
    Binding {
        keys: &[code(KeyCode::Tab)],
        label: "Tab",
        action: Action::NextPanel,
        help: "in a record's details: select the next linked record",
        footer: Some("link"),
        contexts: DETAIL,
    },
    Binding {
        keys: &[code(KeyCode::BackTab)],
        label: "Shift-Tab",
        action: Action::PrevPanel,
        help: "in a record's details: select the previous linked record",
        footer: None,
        contexts: DETAIL,
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Open,
        help: "in a record's details: go to the selected linked record in its panel",
        footer: Some("go to link"),
        contexts: DETAIL,
    },
    Binding {
        keys: &[k('s')],
        label: "s",
        action: Action::Same,
        help: "in a record's details: the selected link or possible match is the same party (kept in decisions.toml)",
        footer: None,
        contexts: DETAIL,
    },
    Binding {
        keys: &[k('d')],
        label: "d",
        action: Action::Different,
        help: "in a record's details: the selected link or possible match is another party",
        footer: None,
        contexts: DETAIL,
    },
    Binding {
        keys: &[k('u')],
        label: "u",
        action: Action::Undecide,
        help: "in a record's details: forget the decision on the selected record (the matcher decides again)",
        footer: None,
        contexts: DETAIL,
    },
    Binding {
        keys: &[code(KeyCode::Esc)],
        label: "Esc",
        action: Action::Close,
        help: "close the window; leave zoom",
        footer: Some("close"),
        contexts: BOTH,
    },
    Binding {
        keys: &[k('z')],
        label: "z",
        action: Action::Zoom,
        help: "zoom the focused panel to the full screen, and back",
        footer: Some("zoom"),
        contexts: PANELS,
    },
    Binding {
        keys: &[k('e')],
        label: "e",
        action: Action::Errors,
        help: "feed errors, as file:line: reason",
        footer: Some("errors"),
        contexts: BOTH,
    },
    Binding {
        keys: &[k('a')],
        label: "a",
        action: Action::Acknowledge,
        help: "acknowledge the focused panel: its new and changed records are no longer marked",
        footer: Some("ack"),
        contexts: PANELS,
    },
    Binding {
        keys: &[k('A')],
        label: "A",
        action: Action::AcknowledgeAll,
        help: "acknowledge every panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('n')],
        label: "n",
        action: Action::NextMarked,
        help: "the next record marked new or changed (+ ~) in the panel, from the top again after the last",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('N')],
        label: "N",
        action: Action::PrevMarked,
        help: "the previous record marked new or changed in the panel",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[code(KeyCode::Enter)],
        label: "Enter",
        action: Action::Open,
        help: "in the alerts: go to the selected record in its panel",
        footer: Some("go to"),
        contexts: ALERTS,
    },
    Binding {
        keys: &[k('a')],
        label: "a",
        action: Action::Acknowledge,
        help: "in the alerts: acknowledge the selected news (it stays under matching now)",
        footer: Some("ack"),
        contexts: ALERTS,
    },
    Binding {
        keys: &[k('A')],
        label: "A",
        action: Action::AcknowledgeAll,
        help: "in the alerts: acknowledge all news",
        footer: None,
        contexts: ALERTS,
    },
    Binding {
        keys: &[k('/')],
        label: "/",
        action: Action::Filter,
        help: "filter the focused panel as you type: words, field:value, risk>=high, -word, \"a phrase\", /regex/ (Enter keeps it, Esc clears it)",
        footer: Some("filter"),
        contexts: PANELS,
    },
    Binding {
        keys: &[k('p')],
        label: "p",
        action: Action::Pause,
        help: "pause live updates of the view (arrivals are counted and applied on resume)",
        footer: None,
        contexts: PANELS,
    },
    Binding {
        keys: &[k('y')],
        label: "y",
        action: Action::Copy,
        help:
            "copy the selected record as JSON to the clipboard (OSC 52: works over SSH, and in tmux with set-clipboard)",
        footer: None,
        contexts: &[Context::Panels, Context::Detail],
    },
    Binding {
        keys: &[k('!')],
        label: "!",
        action: Action::Alerts,
        help: "alerts: the news (records that came to match a watch rule, kept until acknowledged) and what each rule matches now",
        footer: Some("alerts"),
        contexts: BOTH,
    },
    Binding {
        keys: &[k('m')],
        label: "m",
        action: Action::ToggleMouse,
        help: "mouse on/off (on: click selects, wheel scrolls; off: the terminal selects text)",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[ctrl('l')],
        label: "Ctrl-L",
        action: Action::Redraw,
        help: "redraw the whole screen",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[ctrl('z')],
        label: "Ctrl-Z",
        action: Action::Suspend,
        help: "suspend to the shell (`fg` comes back, the screen redrawn)",
        footer: None,
        contexts: BOTH,
    },
    Binding {
        keys: &[k('?')],
        label: "?",
        action: Action::Help,
        help: "this help",
        footer: Some("help"),
        contexts: BOTH,
    },
    Binding {
        keys: &[k('q')],
        label: "q",
        action: Action::Close,
        help: "close the window (q quits from the panels)",
        footer: None,
        contexts: WINDOWS,
    },
    Binding { keys: &[k('q')], label: "q", action: Action::Quit, help: "quit", footer: Some("quit"), contexts: PANELS },
    Binding {
        keys: &[ctrl('c')],
        label: "Ctrl-C",
        action: Action::Quit,
        help: "quit, from anywhere",
        footer: None,
        contexts: BOTH,
    },
];

/// The action for a key press in a context, if any.
pub fn action_for(event: &KeyEvent, context: Context) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let code = match event.code {
        // Terminals send Shift-Tab as BackTab, some as Tab with Shift.
        KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        c => c,
    };
    KEYS.iter()
        .filter(|b| b.contexts.contains(&context))
        .find(|b| b.keys.iter().any(|key| key.0 == code && key.1 == ctrl))
        .map(|b| b.action)
}

/// The footer's hints for a context: `(keys, words)`.
pub fn footer(context: Context) -> Vec<(&'static str, &'static str)> {
    KEYS.iter()
        .filter(|b| b.contexts.contains(&context))
        .filter_map(|b| b.footer.map(|f| (footer_label(b), f)))
        .collect()
}

fn footer_label(b: &Binding) -> &'static str {
    match b.action {
        Action::Down => "↑↓",
        Action::Quit => "q",
        _ => b.label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_map_to_actions() {
        let none = KeyModifiers::NONE;
        let p = Context::Panels;
        assert_eq!(action_for(&press(KeyCode::Char('j'), none), p), Some(Action::Down));
        assert_eq!(action_for(&press(KeyCode::Down, none), p), Some(Action::Down));
        assert_eq!(action_for(&press(KeyCode::Char('G'), KeyModifiers::SHIFT), p), Some(Action::Bottom));
        assert_eq!(action_for(&press(KeyCode::Char('3'), none), p), Some(Action::Focus(Kind::Aid)));
        assert_eq!(action_for(&press(KeyCode::Char('c'), KeyModifiers::CONTROL), p), Some(Action::Quit));
        assert_eq!(action_for(&press(KeyCode::Char('c'), none), p), None);
        assert_eq!(action_for(&press(KeyCode::Tab, KeyModifiers::SHIFT), p), Some(Action::PrevPanel));
        assert_eq!(action_for(&press(KeyCode::BackTab, KeyModifiers::SHIFT), p), Some(Action::PrevPanel));
    }

    #[test]
    fn overlays_take_only_their_keys() {
        let o = Context::Overlay;
        assert_eq!(action_for(&press(KeyCode::Esc, KeyModifiers::NONE), o), Some(Action::Close));
        assert_eq!(action_for(&press(KeyCode::Tab, KeyModifiers::NONE), o), None);
        assert_eq!(action_for(&press(KeyCode::Tab, KeyModifiers::NONE), Context::Detail), Some(Action::NextPanel));
        assert_eq!(action_for(&press(KeyCode::Char('z'), KeyModifiers::NONE), o), None);
        // q closes the window on top; it quits only from the panels (Ctrl-C from anywhere).
        assert_eq!(action_for(&press(KeyCode::Char('q'), KeyModifiers::NONE), o), Some(Action::Close));
        let d = Context::Detail;
        assert_eq!(action_for(&press(KeyCode::Char('q'), KeyModifiers::NONE), d), Some(Action::Close));
        let p = Context::Panels;
        assert_eq!(action_for(&press(KeyCode::Char('q'), KeyModifiers::NONE), p), Some(Action::Quit));
        assert_eq!(action_for(&press(KeyCode::Char('c'), KeyModifiers::CONTROL), o), Some(Action::Quit));
    }

    #[test]
    fn releases_are_ignored() {
        let mut e = press(KeyCode::Char('q'), KeyModifiers::NONE);
        e.kind = KeyEventKind::Release;
        assert_eq!(action_for(&e, Context::Panels), None);
    }

    #[test]
    fn no_key_is_bound_twice_in_a_context() {
        for ctx in [Context::Panels, Context::Overlay, Context::Detail] {
            let mut seen = Vec::new();
            for b in KEYS.iter().filter(|b| b.contexts.contains(&ctx)) {
                for key in b.keys {
                    assert!(!seen.contains(key), "{key:?} bound twice");
                    seen.push(*key);
                }
            }
        }
    }

    #[test]
    fn the_footer_comes_from_the_table() {
        let f = footer(Context::Panels);
        assert!(f.contains(&("Tab", "panel")));
        assert!(f.contains(&("q", "quit")));
        assert!(!footer(Context::Overlay).iter().any(|(_, w)| *w == "zoom"));
    }
}

//! What keys ask for that needs the engine's data: posted by [`App::update`](super::app::App::update) to a
//! queue, carried out in order by [`App::catch_up`](super::app::App::catch_up), where the data is at hand.

use watchfloor_core::model::Kind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Acknowledge what is marked new in a panel (`None`: in every panel), and remember it.
    Acknowledge(Option<Kind>),
    /// A panel's filter changed: choose its rows again.
    Refilter(Kind),
    /// The pause ended: take in what arrived meanwhile.
    Resume,
    /// Put the record in view (the detail's, else the focused panel's selected one) on the clipboard.
    Copy,
    /// Select a record in its panel (the panel is focused already).
    Select(Kind, String),
    /// Select the next (`true`) or previous marked record (new or changed) of a panel.
    NextMarked(Kind, bool),
}

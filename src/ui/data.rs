//! What the screen shows besides the dashboard's own state: a read-only view of what the engine holds, and
//! the theme. Components read it; nothing in the UI holds the engine.

use super::theme::Theme;
use watchfloor_core::engine::{Alert, FeedError, View};
use watchfloor_core::model::links::Links;
use watchfloor_core::model::{Kind, Store};

pub struct Data<'a> {
    pub store: &'a Store,
    pub links: &'a Links,
    pub alerts: &'a [Alert],
    pub errors: &'a [FeedError],
    pub error_count: u64,
    pub theme: &'a Theme,
    view: View<'a>,
}

impl<'a> Data<'a> {
    pub fn new(view: View<'a>, theme: &'a Theme) -> Self {
        Data {
            store: view.store,
            links: view.links,
            errors: view.errors,
            error_count: view.error_count,
            alerts: view.alerts,
            theme,
            view,
        }
    }

    /// Whether a highlighting watch rule matches a record.
    pub fn highlighted(&self, kind: Kind, id: &str) -> bool {
        self.view.is_highlighted(kind, id)
    }
}

//! What the screen shows besides the dashboard's own state: a read-only view of what the engine holds
//! (`engine::View`: the store, the links, the alerts, the errors, read through this as if they were its
//! own), and the theme. Components read it; nothing in the UI holds the engine.

use super::theme::Theme;
use watchfloor_core::engine::View;
use watchfloor_core::model::Kind;

pub struct Data<'a> {
    pub theme: &'a Theme,
    view: View<'a>,
}

impl<'a> Data<'a> {
    pub fn new(view: View<'a>, theme: &'a Theme) -> Self {
        Data { theme, view }
    }

    /// Whether a highlighting watch rule matches a record.
    pub fn highlighted(&self, kind: Kind, id: &str) -> bool {
        self.view.is_highlighted(kind, id)
    }
}

impl<'a> std::ops::Deref for Data<'a> {
    type Target = View<'a>;

    fn deref(&self) -> &View<'a> {
        &self.view
    }
}

impl std::ops::DerefMut for Data<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.view
    }
}

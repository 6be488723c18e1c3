//! How records read outside the store: as a panel's table row (`rows`) and as JSON (`json`).
//! Shared by the headless commands and the dashboard, so both say the same.

pub mod json;
pub mod rows;

pub use rows::*;

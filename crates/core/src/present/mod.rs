//! How records read outside the store: as a panel's table row (`rows`), as JSON (`json`), and as the
//! filter's query language reads them (`query`, over `record_row`).
//! Shared by the headless commands and the dashboard, so both say the same.

pub mod json;
pub mod query;
pub mod record_row;
pub mod rows;

pub use rows::*;

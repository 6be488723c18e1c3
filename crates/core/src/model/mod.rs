//! The records and what is known about them, free of files and terminals.

pub mod decisions;
mod id_index;
pub mod links;
pub mod matching;
pub mod name_index;
pub mod name_keys;
pub mod names;
pub mod news;
pub mod packed;
pub mod record;
pub mod rules;
pub mod schema;
pub mod seen;
pub mod store;
pub mod subset;
pub mod vocab;
pub mod word_index;

pub use packed::Packed;
pub use record::{Body, Record, Timestamp};
pub use store::{Applied, Entry, Origin, Store, Version};
pub use vocab::Kind;

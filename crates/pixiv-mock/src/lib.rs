//! A local Pixiv-compatible server (being written).

mod app_api;
pub mod data;

/// The id of the user every token of the mock belongs to.
pub const DEMO_USER_ID: u64 = 1_000_001;

//! Render stage: findings to people (coloured text) or to programs (JSON).

pub mod json;
pub mod progress;
pub mod summary;
pub mod text;

pub use json::Report;

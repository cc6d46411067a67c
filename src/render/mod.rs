//! Render stage: findings to people (coloured text) or to programs (JSON); the verdicts
//! alone as a list ([`list`], `--recipients`); counts of a whole log ([`summary`]).

pub mod json;
pub mod list;
pub mod progress;
pub mod summary;
pub mod text;

pub use json::Report;

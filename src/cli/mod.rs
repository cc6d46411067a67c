//! The front end of the binary: the command line ([`args`]), resolved once with the
//! environment into a [`config::Config`] that [`crate::run`] drives the stages with, and the
//! shell completions and man page ([`generate`]). Not part of the library's API.

pub mod args;
pub mod config;
pub mod generate;

/// For the binary's own messages: text shown without its control characters.
pub use crate::text::escape;
pub use args::{Cli, ColorChoice, Generate};

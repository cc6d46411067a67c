//! Input stage: files and stdin read as bytes, never as text (bounces come in every charset).
//!
//! Takes in paths and stdin, told apart as email, pasted bounce or log by their first bytes
//! ([`sniff`]); hands on to the extract stage either a whole email, parsed into its MIME
//! sections and delivery-status report ([`message`], [`html`], [`dsn`], [`ses`]) with the
//! part of its text that reports on the delivery ([`bounce_text`]), or a log read in chunks
//! in constant memory ([`stream`]), both cut into units ([`unit`]).
//! Folders are walked into their files ([`walk`]); compressed input is decoded as it is read
//! ([`decompress`]).

pub mod bounce_text;
pub mod decompress;
pub mod dsn;
pub mod html;
pub mod message;
pub mod read;
pub mod ses;
pub mod sniff;
pub mod stream;
pub mod unit;
pub mod walk;

pub use read::{describe, display_name, open_file, read_head, read_rest, until_error, InputError};

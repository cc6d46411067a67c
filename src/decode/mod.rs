//! Decode stage: what the codes mean, and what happened to each recipient.
//!
//! Takes in the replies the extract stage found ([`crate::extract::Found`]) and, for email,
//! the parsed message ([`crate::input::message::Message`]); hands on [`finding::Finding`]s
//! (each code explained in one language, with advice for each party) and one
//! [`verdict::Verdict`] per recipient, to the render stage.
//!
//! The files, from the tables up:
//! - [`catalog`]: the embedded tables of `data/` (codes, texts per language) and look-up
//!   with the RFC 3463 fallback; [`pattern`]: the searcher for the tables' text patterns.
//! - [`provider`]: codes one mail provider uses with its own meaning, and which provider
//!   sent a reply; [`blocklist`]: the block list or reputation service a reply names, what
//!   it lists and where to look the listing up.
//! - [`reason`]: why a delivery failed (Sisimai's vocabulary), hard or soft, who moves first.
//! - [`infer`]: a status for a bounce that gives no code, from the wording atlas.
//! - [`finding`]: one reply decoded into titles, explanations and advice.
//! - [`verdict`]: the verdict type; [`assess`] gathers the evidence about a verdict and has
//!   [`reason`] judge it; [`recipients`] states one verdict per address of a message or log
//!   ([`notice`]: whether a bounce without codes tells a failure or a delay), from a
//!   report's groups ([`report`]) and the text's failure statements ([`statements`]); an
//!   address whose place gives it another part ([`roles`]: a contact, a list, a message
//!   id, the returned message's header) is never one;
//!   [`ledger`] keeps the last one per address across logs (`--recipients`).

pub mod assess;
pub mod blocklist;
pub mod catalog;
pub mod finding;
pub mod infer;
pub mod ledger;
pub mod notice;
pub(crate) mod pattern;
pub mod provider;
pub mod reason;
pub mod recipients;
pub mod report;
pub mod roles;
pub mod statements;
pub mod verdict;

//! Record stage, after decode: the persistent bounce ledger of `--ledger`. Every verdict of
//! a run (each log line about an address, each recipient of a bounce) becomes an
//! [`event::Event`] with its moment and the identity of the record it came from; a
//! [`store::Store`] (a SQLite file, or a PostgreSQL server for a fleet) keeps them, once
//! each however often the same input is fed; [`policy`] decides from that history which
//! addresses to suppress at a given moment, and [`suppressed`] writes the answer.
//!
//! Not to be confused with [`crate::decode::ledger`], one run's last verdict per address
//! for `--recipients`, kept in memory only.

pub mod event;
pub mod policy;
pub mod store;
pub mod suppressed;
pub mod writer;

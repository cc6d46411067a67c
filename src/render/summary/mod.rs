//! Render stage, for a whole log (`--summary`): delivery attempts counted per status, per
//! class, per recipient domain, per day and per remote host, and the most frequent diagnostics ([`count`], with
//! diagnostics blanked by [`blank`]), written at the end as one table or one JSON document
//! ([`write`]). Counting happens per chunk, in parallel; the counts are then merged.

pub mod blank;
pub mod count;
pub mod write;

pub use count::Summary;
pub use write::View;

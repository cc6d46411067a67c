//! Record stage, events: what the ledger keeps of one verdict, and where its moment and
//! identity come from.
//!
//! - A log line: its identity is a hash of the line's text (not of the file's name, so a
//!   rotated or copied log is the same record), its moment the line's timestamp
//!   ([`crate::extract::stamp`]); a syslog timestamp has no year, which is taken from the
//!   file's modification time (stdin: the current time), as syslog readers do.
//! - A bounce email: its identity is its `Message-ID`, else a hash of its bytes; its moment
//!   its `Date` header, else the file's modification time.
//!
//! A line or message without a moment gets the time of the run (so it is not idempotent).

use crate::decode::catalog::Catalog;
use crate::decode::verdict::Verdict;
use crate::extract::stamp::{self, Day};
use crate::input::stream::Chunk;

/// One verdict, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub address: String,
    /// Unix seconds.
    pub at: i64,
    /// A stable hash of the record's identity (see the module's documentation).
    pub ident: i64,
    /// A successful delivery, which resets the address's soft count.
    pub delivered: bool,
    pub status: String,
    pub reason: &'static str,
    pub hard: bool,
    pub original: String,
    /// The input's name, shared by the events of one batch.
    pub source: std::sync::Arc<str>,
}

/// FNV-1a, 64 bits: stable across runs, builds and machines (a ledger outlives them).
pub fn hash(bytes: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h as i64
}

/// The time of the run, in Unix seconds.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The event of a verdict, or none where it is about no one to record.
pub fn of_verdict(v: &Verdict, at: i64, ident: i64) -> Option<Event> {
    if v.address.is_empty() {
        return None;
    }
    let delivered = matches!(v.action.as_str(), "delivered" | "relayed");
    Some(Event {
        address: v.address.clone(),
        at,
        ident,
        delivered,
        status: v
            .status
            .clone()
            .or_else(|| v.reply.clone())
            .unwrap_or_default(),
        reason: v.reason,
        hard: v.hard && !delivered,
        original: v.original.clone().unwrap_or_default(),
        source: v.source.as_str().into(),
    })
}

/// The events of one chunk of a log, unit by unit, as the extraction pass goes (the summary
/// counts, or the findings are gathered, in the same pass); `today` gives syslog timestamps
/// their year. Each reply is worked out from itself alone
/// ([`crate::decode::assess::judge_log`]): a delivery needs no judgement and no text, a
/// failure its text and the (memoised) judge.
pub struct LogEvents<'a> {
    cat: &'a Catalog,
    chunk: &'a Chunk,
    source: std::sync::Arc<str>,
    today: Day,
    now: i64,
    out: Vec<Event>,
    /// The start of each line an event came from, in order.
    lines_seen: Vec<usize>,
}

impl<'a> LogEvents<'a> {
    pub fn new(
        cat: &'a Catalog,
        (chunk, source): (&'a Chunk, &'a str),
        today: Day,
        now: i64,
    ) -> LogEvents<'a> {
        LogEvents {
            cat,
            chunk,
            source: source.into(),
            today,
            now,
            out: Vec::new(),
            lines_seen: Vec::new(),
        }
    }

    /// The events of one unit's replies.
    pub fn add(&mut self, unit: &crate::extract::UnitReplies) {
        use crate::decode::finding::class_of;
        use crate::decode::verdict::action_of;
        let bytes = &self.chunk.bytes;
        for (_, reply, recipient) in unit.addressed() {
            let Some(address) = recipient else {
                continue;
            };
            let basic = reply.basic.as_ref().map(|b| b.0);
            let enhanced = reply.enhanced.as_ref().map(|e| e.0);
            let action = action_of(class_of(self.cat, basic, enhanced));
            let delivered = action == "delivered";
            let (reason, hard) = if delivered {
                ("delivered", false)
            } else {
                let text = unit.text(reply);
                let j = crate::decode::assess::judge_log(enhanced, basic, action, &text);
                (j.reason, j.hard)
            };
            let at = reply.start().min(bytes.len());
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            if self.lines_seen.last() != Some(&start) {
                self.lines_seen.push(start);
            }
            let line = &bytes[start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            let moment = stamp::stamp(line).map_or(self.now, |s| s.unix(self.today));
            let status = enhanced.map(|e| e.to_string());
            self.out.push(Event {
                address,
                at: moment,
                ident: hash(line),
                delivered,
                status: status.or(basic.map(|b| b.to_string())).unwrap_or_default(),
                reason,
                hard,
                original: String::new(),
                source: self.source.clone(),
            });
        }
    }

    /// The events, with the chunk's Exim deliveries that state no reply.
    pub fn finish(mut self) -> Vec<Event> {
        let (bytes, today) = (&self.chunk.bytes, self.today);
        let more = exim_deliveries(bytes, &self.lines_seen, today, &self.source);
        self.out.extend(more);
        self.out
    }
}

/// Exim's deliveries that state no reply (`=> bob@example.org R=dnslookup T=remote_smtp
/// H=...` without `C="250 ..."`, and `->` for a further address of the same message): no
/// code is found in them, yet each is a successful delivery.
fn exim_deliveries(
    bytes: &[u8],
    seen: &[usize],
    today: Day,
    source: &std::sync::Arc<str>,
) -> Vec<Event> {
    let mut out = Vec::new();
    for marker in [&b" => "[..], &b" -> "[..]] {
        for at in memchr::memmem::find_iter(bytes, marker) {
            let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
            let line = &bytes[start..end];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            // Exim's own lines only: `2026-11-23 10:05:00 1tAbCe-000Xyz-7Q => `.
            let Some(moment) = stamp::stamp(line) else {
                continue;
            };
            if seen.binary_search(&start).is_ok() || memchr::memmem::find(line, b" R=").is_none() {
                continue;
            }
            let Some(address) = crate::extract::recipient::recipient(&bytes[at..end]) else {
                continue;
            };
            out.push(Event {
                address,
                at: moment.unix(today),
                ident: hash(line),
                delivered: true,
                status: String::new(),
                reason: "delivered",
                hard: false,
                original: String::new(),
                source: source.clone(),
            });
        }
    }
    out
}

/// The events of an email's (or an mbox's) verdicts: `messages` are the raw messages, in
/// the order the verdicts number them (`Verdict::message`, 1-based); `fallback` the
/// moment of a message without a `Date`.
pub fn of_mail(messages: &[&[u8]], verdicts: &[Verdict], fallback: i64) -> Vec<Event> {
    use mailparse::MailHeaderMap;
    let ids: Vec<(i64, i64)> = messages
        .iter()
        .map(|raw| {
            let headers = mailparse::parse_headers(raw).map(|(h, _)| h).ok();
            let get = |name: &str| headers.as_ref().and_then(|h| h.get_first_value(name));
            let ident = get("Message-ID")
                .map(|id| id.trim().to_string())
                .filter(|id| !id.is_empty())
                .map_or_else(|| hash(raw), |id| hash(id.as_bytes()));
            let at = get("Date")
                .and_then(|d| mailparse::dateparse(&d).ok())
                .unwrap_or(fallback);
            (ident, at)
        })
        .collect();
    verdicts
        .iter()
        .filter_map(|v| {
            let &(ident, at) = ids.get(v.message.unwrap_or(1).saturating_sub(1))?;
            of_verdict(v, at, ident)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_fnv1a() {
        assert_eq!(hash(b"") as u64, 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash(b"a") as u64, 0xaf63_dc4c_8601_ec8c);
    }
}

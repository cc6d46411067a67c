//! Record stage, the answer of `--suppressed`: the addresses the policy suppresses at a
//! moment, as tab-separated lines under a header, or as one JSON document.

use super::policy::{rfc3339, Policy, Suppression};
use super::store::{RowRef, Store};
use crate::text::escape;
use std::io::{self, Write};

/// The header line of the tab-separated answer.
pub const HEADER: &str = "address\toriginal\tsince\treason\tbounces\tlast_status\twhy\n";

/// Every address suppressed at `as_of`, in address order.
pub fn suppressed(
    store: &mut Store,
    policy: &Policy,
    as_of: i64,
) -> Result<Vec<Suppression>, String> {
    // The history comes in time order. Each row is kept as numbers (its address and texts
    // interned, each text once however many rows repeat it), then the rows are sorted by
    // address, a stable sort that keeps each address's rows oldest first, and the policy
    // judges each address's rows in turn. The store is read, and the few texts numbered,
    // on a thread of its own, while this one numbers the addresses (a table of one entry
    // per address, the costly part): batches of rows pass between them.
    let mut addresses = Interned::default();
    let mut rows: Vec<Compact> = Vec::new();
    let (texts, read) = std::thread::scope(|scope| {
        let (batches, received) = std::sync::mpsc::sync_channel::<Batch>(4);
        let reader = scope.spawn(move || {
            let mut texts = Interned::default();
            let mut batch = Batch::default();
            let read = store.history(as_of, &mut |r| {
                batch.addresses.extend_from_slice(r.address.as_bytes());
                batch.ends.push(batch.addresses.len());
                batch.rows.push(Compact {
                    address: 0,
                    at: r.at,
                    delivered: r.delivered,
                    hard: r.hard,
                    status: texts.id(r.status),
                    reason: texts.id(r.reason),
                    original: texts.id(r.original),
                });
                if batch.rows.len() == BATCH {
                    // The receiver stops only when this thread is done.
                    let _ = batches.send(std::mem::take(&mut batch));
                }
            });
            let _ = batches.send(batch);
            (texts, read)
        });
        for batch in received {
            let mut start = 0;
            for (mut row, end) in batch.rows.into_iter().zip(batch.ends) {
                // The bytes are a &str's, cut where one ended.
                let address = std::str::from_utf8(&batch.addresses[start..end]).unwrap_or("");
                row.address = addresses.id(address);
                rows.push(row);
                start = end;
            }
        }
        reader
            .join()
            .unwrap_or_else(|_| (Interned::default(), Err("the reader stopped".into())))
    });
    read?;
    rows.sort_by_key(|c| c.address);
    let mut out = Vec::new();
    let mut group: Vec<RowRef> = Vec::new();
    for same in rows.chunk_by(|a, b| a.address == b.address) {
        group.clear();
        group.extend(same.iter().map(|c| RowRef {
            address: addresses.get(c.address),
            at: c.at,
            delivered: c.delivered,
            status: texts.get(c.status),
            reason: texts.get(c.reason),
            hard: c.hard,
            original: texts.get(c.original),
        }));
        out.extend(policy.judge(&group, as_of));
    }
    out.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(out)
}

/// Rows read at most in one batch.
const BATCH: usize = 8192;

/// Rows read, their addresses one after another (`ends`: where each ends), their texts by
/// number.
#[derive(Default)]
struct Batch {
    addresses: Vec<u8>,
    ends: Vec<usize>,
    rows: Vec<Compact>,
}

/// One recorded verdict, its address and texts by number.
struct Compact {
    address: u32,
    at: i64,
    delivered: bool,
    hard: bool,
    status: u32,
    reason: u32,
    original: u32,
}

/// Texts numbered in the order they are first seen. A short text (most addresses,
/// statuses and reasons) is its own key, held in the table: a look-up reads no memory
/// elsewhere, which matters with a million rows and a table larger than the caches.
#[derive(Default)]
struct Interned {
    short: foldhash::HashMap<[u8; SHORT], u32>,
    long: foldhash::HashMap<Box<str>, u32>,
    texts: Vec<Box<str>>,
}

/// The bytes of a short key: its text, zeros, and its length in the last byte.
const SHORT: usize = 32;

impl Interned {
    fn id(&mut self, text: &str) -> u32 {
        let next = self.texts.len() as u32;
        let id = if text.len() < SHORT {
            let mut key = [0u8; SHORT];
            key[..text.len()].copy_from_slice(text.as_bytes());
            key[SHORT - 1] = text.len() as u8;
            *self.short.entry(key).or_insert(next)
        } else {
            match self.long.get(text) {
                Some(&id) => id,
                None => {
                    self.long.insert(text.into(), next);
                    next
                }
            }
        };
        if id == next {
            self.texts.push(text.into());
        }
        id
    }

    fn get(&self, id: u32) -> &str {
        &self.texts[id as usize]
    }
}

/// Writes the answer: TSV, or one JSON document.
pub fn write(out: &mut dyn Write, list: &[Suppression], as_of: i64, json: bool) -> io::Result<()> {
    if json {
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            schema: u32,
            as_of: String,
            suppressed: &'a [Suppression],
        }
        let doc = Doc {
            schema: 1,
            as_of: rfc3339(as_of),
            suppressed: list,
        };
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        return writeln!(out);
    }
    out.write_all(HEADER.as_bytes())?;
    for s in list {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            escape(&s.address),
            s.original.as_deref().map_or("-".into(), escape),
            rfc3339(s.since),
            escape(&s.reason),
            s.bounces,
            if s.last_status.is_empty() {
                "-".into()
            } else {
                escape(&s.last_status)
            },
            escape(&s.why)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Interned;

    #[test]
    fn a_text_keeps_its_number_short_or_long() {
        let mut t = Interned::default();
        let long = "a-very-long-local-part-of-forty@example.org";
        let edge = "x".repeat(31);
        let ids: Vec<u32> = [
            "bob@example.org",
            long,
            "",
            &edge,
            "bob@example.org",
            long,
            &edge,
            "",
        ]
        .iter()
        .map(|s| t.id(s))
        .collect();
        assert_eq!(ids, [0, 1, 2, 3, 0, 1, 3, 2]);
        assert_eq!((t.get(1), t.get(2), t.get(3)), (long, "", edge.as_str()));
        // A short text that ends in what looks like a length byte is not confused.
        assert_ne!(t.id("bob@example.org\u{f}"), 0);
    }
}

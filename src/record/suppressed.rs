//! Record stage, the answer of `--suppressed`: the addresses the policy suppresses at a
//! moment, as tab-separated lines under a header, or as one JSON document.

use super::policy::{rfc3339, Policy, Suppression};
use super::store::{Row, Store};
use crate::text::escape;
use std::io::{self, Write};
use std::sync::Arc;

/// The header line of the tab-separated answer.
pub const HEADER: &str = "address\toriginal\tsince\treason\tbounces\tlast_status\twhy\n";

/// Every address suppressed at `as_of`, in address order.
pub fn suppressed(
    store: &mut Store,
    policy: &Policy,
    as_of: i64,
) -> Result<Vec<Suppression>, String> {
    // The history comes in time order: each address's rows are gathered, oldest first,
    // each text kept once however many rows repeat it.
    let mut index: foldhash::HashMap<Arc<str>, usize> = Default::default();
    let mut texts: foldhash::HashSet<Arc<str>> = Default::default();
    let mut groups: Vec<Vec<Row>> = Vec::new();
    let mut shared = |s: &str| -> Arc<str> {
        match texts.get(s) {
            Some(t) => t.clone(),
            None => {
                let t: Arc<str> = Arc::from(s);
                texts.insert(t.clone());
                t
            }
        }
    };
    store.history(as_of, &mut |r| {
        let row = |address: Arc<str>, shared: &mut dyn FnMut(&str) -> Arc<str>| Row {
            address,
            at: r.at,
            delivered: r.delivered,
            status: shared(r.status),
            reason: shared(r.reason),
            hard: r.hard,
            original: shared(r.original),
        };
        match index.get_key_value(r.address) {
            Some((address, &i)) => {
                let row = row(address.clone(), &mut shared);
                groups[i].push(row);
            }
            None => {
                let address: Arc<str> = Arc::from(r.address);
                index.insert(address.clone(), groups.len());
                groups.push(vec![row(address, &mut shared)]);
            }
        }
    })?;
    let by_address = groups;
    let mut out: Vec<Suppression> = by_address
        .iter()
        .filter_map(|rows| policy.judge(rows, as_of))
        .collect();
    out.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(out)
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

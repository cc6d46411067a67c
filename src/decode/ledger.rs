//! Decode stage, `--recipients` over logs: the last verdict seen per address, across every
//! log of a run (rotated logs given together are one history), in bounded memory.
//!
//! A log repeats an address for every attempt (deferred, deferred, sent): only the latest
//! verdict stands. Chunks are judged in parallel, each into the last verdict per address it
//! holds; the ledger takes them in input order, so a later verdict replaces an earlier one.
//! At most [`MAX_ADDRESSES`] addresses are kept, in the order they were first seen; the
//! verdicts about addresses past that are counted, not kept.

use super::verdict::Verdict;
use foldhash::HashMap;

/// The most addresses a ledger keeps: about 40 MB of verdicts at most.
pub const MAX_ADDRESSES: usize = 100_000;

/// The last verdict per address.
#[derive(Debug, Default)]
pub struct Ledger {
    index: HashMap<String, usize>,
    verdicts: Vec<Verdict>,
    /// Verdicts about addresses that came after the ledger was full.
    pub untracked: u64,
}

impl Ledger {
    /// Takes verdicts in input order: each replaces the one before it about its address.
    pub fn add(&mut self, verdicts: Vec<Verdict>) {
        for v in verdicts {
            if let Some(&i) = self.index.get(&v.address) {
                self.verdicts[i] = v;
            } else if self.verdicts.len() < MAX_ADDRESSES {
                self.index.insert(v.address.clone(), self.verdicts.len());
                self.verdicts.push(v);
            } else {
                self.untracked += 1;
            }
        }
    }

    /// The verdicts, one per address, in the order the addresses were first seen.
    pub fn into_verdicts(self) -> Vec<Verdict> {
        self.verdicts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(address: &str, action: &str) -> Verdict {
        Verdict {
            address: address.into(),
            action: action.into(),
            ..Verdict::default()
        }
    }

    #[test]
    fn the_last_verdict_per_address_stands_in_first_seen_order() {
        let mut l = Ledger::default();
        l.add(vec![v("a@x", "delayed"), v("b@x", "failed")]);
        l.add(vec![v("a@x", "delivered")]);
        let got: Vec<(String, String)> = l
            .into_verdicts()
            .into_iter()
            .map(|v| (v.address, v.action))
            .collect();
        assert_eq!(
            got,
            [
                ("a@x".into(), "delivered".into()),
                ("b@x".into(), "failed".into())
            ]
        );
    }

    #[test]
    fn addresses_past_the_bound_are_counted_not_kept() {
        let mut l = Ledger::default();
        l.add(
            (0..MAX_ADDRESSES + 3)
                .map(|i| v(&format!("{i}@x"), "failed"))
                .collect(),
        );
        // One already kept is still updated.
        l.add(vec![v("0@x", "delivered")]);
        assert_eq!(l.untracked, 3);
        let all = l.into_verdicts();
        assert_eq!(
            (all.len(), all[0].action.as_str()),
            (MAX_ADDRESSES, "delivered")
        );
    }
}

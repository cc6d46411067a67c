//! Render stage, `--recipients`: the verdicts alone, one recipient a line, for the one
//! question a list manager asks (which addresses to remove). Tab-separated with a header
//! line, so that `awk -F'\t' '$6 == "hard" {print $1}'` is the suppression list; or, with
//! `--json` / `--json-lines`, the verdict objects.

use crate::decode::verdict::Verdict;
use crate::text;
use serde::Serialize;
use std::io::{self, Write};

/// The header line: the names of the columns.
pub const HEADER: &str = "address\taction\tstatus\treply\treason\tbounce\tsource\toriginal\n";

/// One verdict as one line: its address, action, status, reply, reason, `hard` or `soft`,
/// source, and the address the sender wrote where the bounce names another; `-` for a code
/// or an original not given. The original comes last, so that the columns before it keep
/// their places. Text from the input is escaped: no tab, line break
/// or control character can split a line or drive the terminal.
pub fn row(out: &mut dyn Write, v: &Verdict) -> io::Result<()> {
    let or_dash = |s: &Option<String>| s.as_deref().map_or("-".into(), text::escape);
    writeln!(
        out,
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
        text::escape(&v.address),
        v.action,
        or_dash(&v.status),
        or_dash(&v.reply),
        v.reason,
        if v.hard { "hard" } else { "soft" },
        text::escape(&v.source),
        or_dash(&v.original),
    )
}

/// The one JSON document of `--recipients --json`.
#[derive(Debug, Serialize)]
pub struct List<'a> {
    pub schema: u32,
    pub recipients: &'a [Verdict],
    /// Verdicts about addresses of logs past the most a run keeps (see docs/USAGE.md).
    pub untracked: u64,
}

impl List<'_> {
    /// Writes the document and a final newline.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        super::json::document(out, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_has_eight_columns_whatever_the_input_holds() {
        let v = Verdict {
            address: "bob\t@example.org".into(),
            action: "failed".into(),
            status: Some("5.1.1".into()),
            reason: "userunknown",
            hard: true,
            source: "mail\nlog".into(),
            ..Verdict::default()
        };
        let mut out = Vec::new();
        row(&mut out, &v).unwrap();
        let line = String::from_utf8(out).unwrap();
        assert_eq!(
            line,
            "bob\\x09@example.org\tfailed\t5.1.1\t-\tuserunknown\thard\tmail\\x0Alog\t-\n"
        );
        assert_eq!(HEADER.split('\t').count(), 8);
    }
}

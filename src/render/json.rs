//! Render stage, for programs: one JSON document a run, or one finding a line (NDJSON).
//! These structs are the schema the README documents; keys are English whatever the
//! language of the texts.

use crate::decode::Finding;
use serde::Serialize;
use std::io::{self, Write};

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: u32,
    pub findings: Vec<Finding>,
    pub recipients: Vec<Recipient>,
}

/// The outcome for one recipient address, from the last finding about it in a source.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Recipient {
    pub address: String,
    /// The enhanced status code (`5.1.1`), if one was given.
    pub status: Option<String>,
    /// The basic reply code (`550`), if one was given.
    pub reply: Option<String>,
    /// failed, delayed or delivered (RFC 3464 §2.3.3 actions).
    pub action: &'static str,
    pub source: String,
}

impl Report {
    /// A report on `findings`, with the recipients they name.
    pub fn new(findings: Vec<Finding>) -> Report {
        let recipients = recipients(&findings);
        Report {
            schema: 1,
            findings,
            recipients,
        }
    }

    /// Writes the document and a final newline.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, self).map_err(io::Error::from)?;
        writeln!(out)
    }
}

/// Writes one finding as one line of JSON (`--json-lines`, NDJSON): the same fields as a
/// finding of the [`Report`], written as it is found, so that nothing accumulates.
pub fn line(out: &mut dyn Write, finding: &Finding) -> io::Result<()> {
    serde_json::to_writer(&mut *out, finding).map_err(io::Error::from)?;
    writeln!(out)
}

/// One entry per (source, address); a later finding about the same address replaces an
/// earlier one, since a mail log reports retries in order.
fn recipients(findings: &[Finding]) -> Vec<Recipient> {
    let mut out: Vec<Recipient> = Vec::new();
    for f in findings {
        let (Some(address), Some(action)) = (&f.recipient, f.class().and_then(action)) else {
            continue;
        };
        let r = Recipient {
            address: address.clone(),
            status: f.enhanced.as_ref().map(|e| e.code.clone()),
            reply: f.basic.as_ref().map(|b| b.code.clone()),
            action,
            source: f.source.clone(),
        };
        match out
            .iter_mut()
            .find(|o| o.address.eq_ignore_ascii_case(address) && o.source == f.source)
        {
            Some(slot) => *slot = r,
            None => out.push(r),
        }
    }
    out
}

fn action(class: &str) -> Option<&'static str> {
    match class {
        "permanent" => Some("failed"),
        "transient" => Some("delayed"),
        "success" => Some("delivered"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::code::{Basic, Enhanced};
    use crate::decode::{decode, Origin};
    use crate::lang::Lang;

    #[test]
    fn later_findings_update_a_recipient() {
        let cat = Catalog::load(Lang::En);
        let at = |b: &str, e: &str| {
            let origin = Origin {
                source: "log".into(),
                line: Some(1),
                recipient: Some("bob@example.org".into()),
                text: None,
            };
            decode(&cat, Basic::parse(b), Enhanced::parse(e), origin)
        };
        let report = Report::new(vec![at("450", "4.2.2"), at("550", "5.1.1")]);
        assert_eq!(report.recipients.len(), 1);
        assert_eq!(report.recipients[0].action, "failed");
        assert_eq!(report.recipients[0].status.as_deref(), Some("5.1.1"));
        let json: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["findings"][0]["enhanced"]["class"], "transient");
        assert!(json["findings"][0]["advice"]["sender"].is_string());
    }
}

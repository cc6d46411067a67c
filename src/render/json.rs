//! Render stage, for programs: one JSON document a run. These structs are the schema the
//! README documents; keys are English whatever the language of the texts.

use crate::decode::Finding;
use crate::verdict::Verdict;
use serde::Serialize;
use std::io::{self, Write};

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Report {
    pub schema: u32,
    pub findings: Vec<Finding>,
    pub recipients: Vec<Verdict>,
}

impl Report {
    /// A report on `findings` and the verdicts per recipient.
    pub fn new(findings: Vec<Finding>, recipients: Vec<Verdict>) -> Report {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::code::{Basic, Enhanced};
    use crate::decode::{decode, Origin};
    use crate::lang::Lang;

    #[test]
    fn the_document_has_the_documented_keys() {
        let cat = Catalog::load(Lang::En);
        let origin = Origin {
            source: "log".into(),
            line: Some(1),
            recipient: Some("bob@example.org".into()),
            text: None,
        };
        let finding = decode(&cat, Basic::parse("450"), Enhanced::parse("4.2.2"), origin);
        let verdict = Verdict {
            address: "bob@example.org".into(),
            status: Some("4.2.2".into()),
            reply: Some("450".into()),
            action: "delayed".into(),
            diagnostic: None,
            source: "log".into(),
            message: None,
            ..Verdict::default()
        };
        let json: serde_json::Value =
            serde_json::to_value(Report::new(vec![finding], vec![verdict])).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["findings"][0]["enhanced"]["class"], "transient");
        assert!(json["findings"][0]["advice"]["sender"].is_string());
        assert_eq!(json["recipients"][0]["action"], "delayed");
    }
}

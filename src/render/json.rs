//! Render stage, for programs: one JSON document a run. These structs are the schema the
//! README documents; keys are English whatever the language of the texts.

use crate::decode::Finding;
use crate::text;
use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
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
        let mut json = serde_json::Serializer::with_formatter(&mut *out, Safe::default());
        self.serialize(&mut json).map_err(io::Error::from)?;
        writeln!(out)
    }
}

/// Pretty JSON that is also safe to print on a terminal: serde_json escapes the C0 controls
/// in strings; this escapes DEL, the C1 controls and the bidirectional marks too
/// (`\u009b`, `\u202e`), so a file name can neither drive a terminal nor reorder the line.
/// The values are unchanged for a JSON reader.
#[derive(Default)]
struct Safe<'a>(PrettyFormatter<'a>);

/// Passes the layout methods through to the pretty formatter.
macro_rules! layout {
    ($($name:ident($($arg:ident: $ty:ty)?);)*) => {$(
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)?) -> io::Result<()> {
            self.0.$name(w $(, $arg)?)
        }
    )*};
}

impl Formatter for Safe<'_> {
    layout! {
        begin_array(); end_array(); begin_array_value(first: bool); end_array_value();
        begin_object(); end_object(); begin_object_key(first: bool); begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        let mut from = 0;
        // Every such character is in the Basic Multilingual Plane: one \u escape each.
        for (i, c) in s.char_indices().filter(|&(_, c)| text::is_dangerous(c)) {
            w.write_all(&s.as_bytes()[from..i])?;
            write!(w, "\\u{:04x}", c as u32)?;
            from = i + c.len_utf8();
        }
        w.write_all(&s.as_bytes()[from..])
    }
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

    #[test]
    fn strings_carry_no_terminal_controls() {
        let cat = Catalog::load(Lang::En);
        let origin = Origin {
            source: "a\u{1b}]0;x\u{7}\u{7f}\u{9b}2J\u{202e}gpj.exe\u{2066}é".into(),
            ..Origin::default()
        };
        let report = Report::new(vec![decode(&cat, Basic::parse("550"), None, origin)]);
        let mut out = Vec::new();
        report.write(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(r#""source": "a\u001b]0;x\u0007\u007f\u009b2J\u202egpj.exe\u2066é","#),
            "{text}"
        );
        assert!(!text.chars().any(|c| text::is_dangerous(c) && c != '\n'));
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["findings"][0]["source"], report.findings[0].source);
        assert!(text.starts_with("{\n  \"schema\": 1,\n  \"findings\": [\n    {\n"));
    }
}

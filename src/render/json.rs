//! Render stage, for programs: one JSON document a run, or one finding a line (NDJSON).
//! These structs are the schema docs/JSON.md documents; keys are English whatever the
//! language of the texts.

use crate::decode::finding::Finding;
use crate::decode::verdict::Verdict;
use crate::text;
use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};
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
        document(out, self)
    }
}

/// Writes one JSON document, indented, and a final newline.
pub fn document<T: Serialize + ?Sized>(out: &mut dyn Write, item: &T) -> io::Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, Safe(PrettyFormatter::new()));
    item.serialize(&mut json).map_err(io::Error::from)?;
    writeln!(out)
}

/// Writes one item as one line of JSON (`--json-lines`, NDJSON): a finding has the same
/// fields as a finding of the [`Report`], written as it is found, so nothing accumulates.
pub fn line<T: Serialize>(out: &mut dyn Write, item: &T) -> io::Result<()> {
    let mut json = serde_json::Serializer::with_formatter(&mut *out, Safe(CompactFormatter));
    item.serialize(&mut json).map_err(io::Error::from)?;
    writeln!(out)
}

/// JSON that is also safe to print on a terminal: serde_json escapes the C0 controls in
/// strings; this escapes DEL, the C1 controls and the bidirectional marks too (`\u009b`,
/// `\u202e`), so a file name can neither drive a terminal nor reorder the line. The values
/// are unchanged for a JSON reader.
struct Safe<F>(F);

/// Passes the layout methods through to the inner formatter.
macro_rules! layout {
    ($($name:ident($($arg:ident: $ty:ty)?);)*) => {$(
        fn $name<W: ?Sized + Write>(&mut self, w: &mut W $(, $arg: $ty)?) -> io::Result<()> {
            self.0.$name(w $(, $arg)?)
        }
    )*};
}

impl<F: Formatter> Formatter for Safe<F> {
    layout! {
        begin_array(); end_array(); begin_array_value(first: bool); end_array_value();
        begin_object(); end_object(); begin_object_key(first: bool); begin_object_value();
        end_object_value();
    }

    fn write_string_fragment<W: ?Sized + Write>(&mut self, w: &mut W, s: &str) -> io::Result<()> {
        // serde_json has escaped the C0 controls already; plain ASCII without DEL is safe.
        if s.bytes().all(|b| b < 0x7f) {
            return w.write_all(s.as_bytes());
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::catalog::Catalog;
    use crate::decode::finding::{decode, Origin};
    use crate::extract::code::{Basic, Enhanced};
    use crate::lang::Lang;

    #[test]
    fn the_document_has_the_documented_keys() {
        let cat = Catalog::load(Lang::En);
        let origin = Origin {
            source: "log".into(),
            line: Some(1),
            recipient: Some("bob@example.org".into()),
            text: None,
            inferred: None,
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
        for doc in [&json["findings"][0], &json["recipients"][0]] {
            assert_eq!(doc["inferred"], false);
            assert!(doc["inferred_from"].is_null());
        }
    }

    #[test]
    fn strings_carry_no_terminal_controls() {
        let cat = Catalog::load(Lang::En);
        let origin = Origin {
            source: "a\u{1b}]0;x\u{7}\u{7f}\u{9b}2J\u{202e}gpj.exe\u{2066}é".into(),
            ..Origin::default()
        };
        let report = Report::new(
            vec![decode(&cat, Basic::parse("550"), None, origin)],
            Vec::new(),
        );
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

    #[test]
    fn json_lines_are_safe_and_compact() {
        let mut out = Vec::new();
        line(&mut out, &serde_json::json!({"text": "a\u{9b}b"})).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"text\":\"a\\u009bb\"}\n"
        );
    }
}

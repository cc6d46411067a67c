//! smtpcode: explains SMTP bounce codes.
//!
//! One pipeline, one module a stage: **input** (files and stdin as bytes, [`input`]) →
//! **extract** (every basic and enhanced code, [`extract`]) → **decode** (the embedded tables
//! with fallback, [`catalog`], [`decode`]) → **render** (coloured text or JSON, [`render`]).
//! [`config`] resolves the command line ([`cli`]) once; [`run`] drives the stages.

pub mod address;
pub mod assess;
pub mod catalog;
pub mod cli;
pub mod code;
pub mod config;
pub mod decode;
pub mod extract;
pub mod generate;
pub mod input;
pub mod lang;
pub mod provider;
pub mod reason;
pub mod render;
pub mod text;
pub mod verdict;

use catalog::Catalog;
use config::{Config, Input};
use decode::{Finding, Origin};
use std::io::{self, Write};

/// What a run found, for the exit status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub found: bool,
    pub errors: bool,
}

/// Runs the pipeline over every input. Unreadable inputs are reported on `err` and skipped;
/// an error writing `out` (a closed pipe) stops the run.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Outcome> {
    colored::control::set_override(config.color);
    let cat = Catalog::load(config.lang);
    let place = render::text::Place {
        name_source: config.several_sources(),
    };
    let mut outcome = Outcome::default();
    let mut all = Vec::new();
    let mut verdicts = Vec::new();
    for input in &config.inputs {
        let decoded = match decode_input(&cat, input) {
            Ok(f) => f,
            Err(e) => {
                writeln!(err, "error: {}", text::escape(&e.to_string()))?;
                outcome.errors = true;
                continue;
            }
        };
        let findings = decoded.findings;
        if findings.is_empty() && !config.json {
            writeln!(
                err,
                "{}: {}",
                text::escape(&source_name(input)),
                cat.ui("no_codes")
            )?;
        }
        outcome.found |= !findings.is_empty();
        if config.json {
            all.extend(findings);
            verdicts.extend(decoded.verdicts);
        } else {
            let shown = if decoded.mail {
                render::text::verdicts(out, &cat, &decoded.verdicts, config.width)?;
                distinct(&findings)
            } else {
                findings.iter().collect()
            };
            shown
                .into_iter()
                .try_for_each(|f| render::text::finding(out, &cat, f, &place, config.width))?;
        }
    }
    if config.json {
        render::Report::new(all, verdicts).write(out)?;
    }
    out.flush()?;
    Ok(outcome)
}

/// A bounce repeats itself (the text, the report's Status, its Diagnostic-Code): people
/// see each reply about a recipient once; JSON keeps every finding.
fn distinct(findings: &[Finding]) -> Vec<&Finding> {
    let code = |d: &Option<decode::Decoded>| d.as_ref().map(|d| d.code.clone());
    let mut shown: Vec<&Finding> = Vec::new();
    for f in findings {
        let covered = shown.iter().any(|s| {
            let same_b = f.basic.is_none() || code(&s.basic) == code(&f.basic);
            let same_e = f.enhanced.is_none() || code(&s.enhanced) == code(&f.enhanced);
            s.recipient == f.recipient && s.source == f.source && same_b && same_e
        });
        if !covered {
            shown.retain(|s| {
                let sub_b = s.basic.is_none() || code(&s.basic) == code(&f.basic);
                let sub_e = s.enhanced.is_none() || code(&s.enhanced) == code(&f.enhanced);
                !(s.recipient == f.recipient && sub_b && sub_e)
            });
            shown.push(f);
        }
    }
    shown
}

fn source_name(input: &Input) -> String {
    match input {
        Input::Codes(..) => "argument".into(),
        Input::Stdin => "-".into(),
        Input::File(p) => input::display_name(p),
    }
}

/// What one input gave: findings, and a verdict per recipient.
#[derive(Default)]
struct Decoded {
    findings: Vec<Finding>,
    verdicts: Vec<verdict::Verdict>,
    /// Whether the input was email (its verdicts lead the text output).
    mail: bool,
}

/// Reads, extracts and decodes one input: email is walked part by part, message by
/// message; anything else is scanned as a log.
fn decode_input(cat: &Catalog, input: &Input) -> Result<Decoded, input::InputError> {
    let bytes = match input {
        Input::Codes(b, e) => {
            let origin = Origin {
                source: "argument".into(),
                ..Origin::default()
            };
            let findings = vec![decode::decode(cat, *b, *e, origin)];
            return Ok(Decoded {
                findings,
                ..Decoded::default()
            });
        }
        Input::Stdin => input::read_stdin()?,
        Input::File(path) => input::read_file(path)?,
    };
    let source = source_name(input);
    let mut out = Decoded {
        mail: input::message::is_message(&bytes),
        ..Decoded::default()
    };
    let mut found = Vec::new();
    if out.mail {
        for (n, (line, raw)) in input::message::split_mbox(&bytes).into_iter().enumerate() {
            let msg = input::message::parse(raw, line);
            let (f, v) = verdict::analyze(&msg, &source, Some(n + 1));
            found.extend(f);
            out.verdicts.extend(v);
        }
    } else {
        found = extract::extract(&bytes);
        out.verdicts = verdict::from_log(&found, &source);
    }
    out.findings = found
        .into_iter()
        .map(|f| {
            let origin = Origin {
                source: source.clone(),
                line: Some(f.line),
                recipient: f.recipient,
                text: Some(f.text),
            };
            decode::decode(cat, f.basic.map(|b| b.0), f.enhanced.map(|e| e.0), origin)
        })
        .collect();
    decode::explain_by_verdicts(cat, &mut out.findings, &out.verdicts);
    Ok(out)
}

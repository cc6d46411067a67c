//! smtpcode: explains SMTP bounce codes.
//!
//! One pipeline, one module a stage: **input** (files and stdin as bytes, [`input`]) →
//! **extract** (every basic and enhanced code, [`extract`]) → **decode** (the embedded tables
//! with fallback, [`catalog`], [`decode`]) → **render** (coloured text or JSON, [`render`]).
//! [`config`] resolves the command line ([`cli`]) once; [`run`] drives the stages.

pub mod catalog;
pub mod cli;
pub mod code;
pub mod config;
pub mod decode;
pub mod extract;
pub mod generate;
pub mod input;
pub mod lang;
pub mod render;
pub mod text;

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
/// an error writing `out` (a closed pipe) stops the run, one writing `err` does not.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Outcome> {
    colored::control::set_override(config.color);
    let cat = Catalog::load(config.lang);
    let place = render::text::Place {
        name_source: config.several_sources(),
    };
    let mut outcome = Outcome::default();
    let mut all = Vec::new();
    for input in &config.inputs {
        let findings = match findings(&cat, input) {
            Ok(f) => f,
            Err(e) => {
                // Best effort: a full or failing stderr must not cost the findings on stdout.
                let _ = writeln!(err, "error: {}", text::escape(&e.to_string()));
                outcome.errors = true;
                continue;
            }
        };
        if findings.is_empty() && !config.json {
            let _ = writeln!(
                err,
                "{}: {}",
                text::escape(&source_name(input)),
                cat.ui("no_codes")
            );
        }
        outcome.found |= !findings.is_empty();
        if config.json {
            all.extend(findings);
        } else {
            findings
                .iter()
                .try_for_each(|f| render::text::finding(out, &cat, f, &place, config.width))?;
        }
    }
    if config.json {
        render::Report::new(all).write(out)?;
    }
    out.flush()?;
    Ok(outcome)
}

fn source_name(input: &Input) -> String {
    match input {
        Input::Codes(..) => "argument".into(),
        Input::Stdin => "-".into(),
        Input::File(p) => input::display_name(p),
    }
}

/// Reads, extracts and decodes one input.
fn findings(cat: &Catalog, input: &Input) -> Result<Vec<Finding>, input::InputError> {
    let bytes = match input {
        Input::Codes(b, e) => {
            let origin = Origin {
                source: "argument".into(),
                ..Origin::default()
            };
            return Ok(vec![decode::decode(cat, *b, *e, origin)]);
        }
        Input::Stdin => input::read_stdin()?,
        Input::File(path) => input::read_file(path)?,
    };
    let source = source_name(input);
    Ok(extract::extract(&bytes)
        .into_iter()
        .map(|found| {
            let origin = Origin {
                source: source.clone(),
                line: Some(found.line),
                recipient: found.recipient,
                text: Some(found.text),
            };
            decode::decode(
                cat,
                found.basic.map(|b| b.0),
                found.enhanced.map(|e| e.0),
                origin,
            )
        })
        .collect())
}

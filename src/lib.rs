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
use input::stream::{self, Chunk, Failure};
use input::InputError;
use render::summary::Summary;
use std::io::{self, Write};

/// What a run found, for the exit status.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    pub found: bool,
    pub errors: bool,
}

/// What a piece of input becomes on its way to the output.
enum Batch {
    /// Rendered findings (text or JSON lines), and how many.
    Rendered(Vec<u8>, usize),
    /// Findings kept for the one `--json` document.
    Findings(Vec<Finding>),
    /// Counts for `--summary`.
    Counts(Box<Summary>),
}

/// Why an input stopped.
enum Stop {
    Input(InputError),
    Output(io::Error),
}

/// Runs the pipeline over every input. Unreadable inputs are reported on `err` and skipped;
/// an error writing `out` (a closed pipe) stops the run.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Outcome> {
    colored::control::set_override(config.color);
    let cat = Catalog::load(config.lang);
    let mut outcome = Outcome::default();
    let (mut all, mut summary) = (Vec::new(), Summary::default());
    for input in &config.inputs {
        let mut found = 0;
        let mut sink = |batch: Batch| -> io::Result<()> {
            match batch {
                Batch::Rendered(bytes, n) => {
                    found += n;
                    out.write_all(&bytes)?;
                    if config.line_buffered {
                        out.flush()?;
                    }
                }
                Batch::Findings(f) => {
                    found += f.len();
                    all.extend(f);
                }
                Batch::Counts(s) => {
                    found += s.attempts as usize;
                    summary.merge(*s);
                }
            }
            Ok(())
        };
        match process(config, &cat, input, &mut sink) {
            Ok(()) => {}
            Err(Stop::Output(e)) => return Err(e),
            Err(Stop::Input(e)) => {
                writeln!(err, "error: {}", text::escape(&e.to_string()))?;
                outcome.errors = true;
            }
        }
        if found == 0 && !config.json && !config.json_lines && !config.summary {
            let name = text::escape(&source_name(input));
            writeln!(err, "{name}: {}", cat.ui("no_codes"))?;
        }
        outcome.found |= found > 0;
    }
    match (config.summary, config.json) {
        (true, true) => summary.write_json(out, &cat)?,
        (true, false) => summary.write_text(out, &cat)?,
        (false, true) => render::Report::new(all).write(out)?,
        (false, false) => {}
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

/// Reads one input in log mode (a code look-up directly) and hands on what it gives.
fn process(
    config: &Config,
    cat: &Catalog,
    input: &Input,
    sink: &mut dyn FnMut(Batch) -> io::Result<()>,
) -> Result<(), Stop> {
    let source = source_name(input);
    if let Input::Codes(b, e) = input {
        let batch = if config.summary {
            let mut s = Summary::default();
            s.add_lookup(*b, *e);
            Batch::Counts(Box::new(s))
        } else {
            let origin = Origin {
                source,
                ..Origin::default()
            };
            findings_batch(config, cat, vec![decode::decode(cat, *b, *e, origin)])
        };
        return sink(batch).map_err(Stop::Output);
    }
    let work = |chunk: &Chunk| chunk_batch(config, cat, &source, chunk);
    let options = stream::Options {
        line_buffered: config.line_buffered,
        ..stream::Options::default()
    };
    let fail = |e: Failure| match e {
        Failure::Sink(e) => Stop::Output(e),
        Failure::Read(e) => Stop::Input(InputError {
            name: source.clone(),
            reason: input::describe(&e),
        }),
    };
    let (reader, len): (Box<dyn io::Read + Send>, _) = match input {
        Input::File(path) => {
            let (file, len) = input::open_file(path).map_err(Stop::Input)?;
            (Box::new(file), Some(len))
        }
        _ => (Box::new(io::stdin()), None),
    };
    let mut progress = render::progress::Progress::new(config.progress, len);
    let result = stream::for_each_chunk(reader, options, work, sink, &mut |n| progress.update(n));
    progress.finish();
    result.map_err(fail)
}

/// Extracts and decodes one chunk of a log, and renders or counts what it holds.
fn chunk_batch(config: &Config, cat: &Catalog, source: &str, chunk: &Chunk) -> Batch {
    if config.summary {
        return Batch::Counts(Box::new(Summary::of_log(&chunk.bytes)));
    }
    let findings = stream::chunk_findings(chunk)
        .into_iter()
        .map(|found| {
            let origin = Origin {
                source: source.to_string(),
                line: Some(found.line),
                recipient: found.recipient,
                text: Some(found.text),
            };
            let (b, e) = (found.basic.map(|b| b.0), found.enhanced.map(|e| e.0));
            decode::decode(cat, b, e, origin)
        })
        .collect();
    findings_batch(config, cat, findings)
}

/// Findings kept for `--json`, else rendered as text or JSON lines.
fn findings_batch(config: &Config, cat: &Catalog, findings: Vec<Finding>) -> Batch {
    if config.json {
        return Batch::Findings(findings);
    }
    let place = render::text::Place {
        name_source: config.several_sources(),
    };
    let mut bytes = Vec::new();
    for f in &findings {
        // Writing to memory cannot fail.
        let _ = if config.json_lines {
            render::json::line(&mut bytes, f)
        } else {
            render::text::finding(&mut bytes, cat, f, &place, config.width)
        };
    }
    Batch::Rendered(bytes, findings.len())
}

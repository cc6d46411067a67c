//! smtpcode: explains SMTP bounce codes.
//!
//! One pipeline, one module a stage: **input** (files and stdin as bytes, [`input`]) →
//! **extract** (every basic and enhanced code, [`extract`]) → **decode** (the embedded tables
//! with fallback, [`catalog`], [`decode`]) → **render** (coloured text or JSON, [`render`]).
//! [`config`] resolves the command line ([`cli`]) once; [`run`] drives the stages.
//!
//! An input is read one of two ways: email (a header block or an mbox) whole, message by
//! message, MIME part by part, into findings and a [`verdict`] per recipient; anything
//! else as a log, streamed in chunks in constant memory.

pub mod cli;
pub mod decode;
pub mod extract;
pub mod input;
pub mod lang;
pub mod render;
pub mod text;

use cli::config::{Config, Input};
use decode::catalog::Catalog;
use decode::finding::{self, Finding, Origin};
use decode::verdict::Verdict;
use input::stream::{self, Chunk, Failure};
use input::InputError;
use rayon::prelude::*;
use render::summary::Summary;
use std::io::{self, Read, Write};

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
    /// Findings kept for the one `--json` document, and the verdicts of an email.
    Findings(Vec<Finding>, Vec<Verdict>),
    /// Counts for `--summary`.
    Counts(Box<Summary>),
}

/// Why an input stopped.
enum Stop {
    Input(InputError),
    Output(io::Error),
}

/// Runs the pipeline over every input. Unreadable inputs are reported on `err` and skipped;
/// an error writing `out` (a closed pipe) stops the run, one writing `err` does not.
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Outcome> {
    colored::control::set_override(config.color);
    let cat = Catalog::load(config.lang);
    let mut outcome = Outcome::default();
    let (mut all, mut summary) = (Vec::new(), Summary::default());
    let mut verdicts = Vec::new();
    // Inputs are prepared a group at a time on every core (emails read and analysed whole,
    // logs opened), then handed on in order; logs stream, each on every core, as they come.
    // Asking rayon starts its threads: not for one input.
    let group = match config.inputs.len() {
        0 | 1 => 1,
        _ => rayon::current_num_threads() * 4,
    };
    for inputs in config.inputs.chunks(group) {
        let prepare = |input| prepare(config, &cat, input);
        let prepared: Vec<Result<Prepared, Stop>> = match inputs {
            [one] => vec![prepare(one)],
            _ => inputs.par_iter().map(prepare).collect(),
        };
        for (input, prepared) in inputs.iter().zip(prepared) {
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
                    Batch::Findings(f, v) => {
                        found += f.len();
                        all.extend(f);
                        verdicts.extend(v);
                    }
                    Batch::Counts(s) => {
                        found += s.attempts as usize;
                        summary.merge(*s);
                    }
                }
                Ok(())
            };
            let result = prepared.and_then(|prepared| match prepared {
                Prepared::Ready(batch) => sink(batch).map_err(Stop::Output),
                Prepared::Log(log) => stream_log(config, &cat, log, &mut sink),
            });
            match result {
                Ok(()) => {}
                Err(Stop::Output(e)) => return Err(e),
                Err(Stop::Input(e)) => {
                    // Best effort: a full or failing stderr must not cost the findings on stdout.
                    let _ = writeln!(err, "error: {}", text::escape(&e.to_string()));
                    outcome.errors = true;
                }
            }
            if found == 0 && !config.json && !config.json_lines && !config.summary {
                let name = text::escape(&source_name(input));
                let _ = writeln!(err, "{name}: {}", cat.ui("no_codes"));
            }
            outcome.found |= found > 0;
        }
    }
    match (config.summary, config.json) {
        (true, true) => summary.write_json(out, &cat)?,
        (true, false) => summary.write_text(out, &cat)?,
        (false, true) => {
            // Logs give their verdicts at the end: the last status seen per address.
            let logs: Vec<&Finding> = all
                .iter()
                .filter(|f| !verdicts.iter().any(|v| v.source == f.source))
                .collect();
            verdicts.extend(decode::recipients::from_log(&logs));
            render::Report::new(all, verdicts).write(out)?
        }
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

/// An input made ready to hand on.
enum Prepared {
    /// A code look-up or an email, done.
    Ready(Batch),
    /// A log, to be streamed.
    Log(Log),
}

/// A log opened, its start already read.
struct Log {
    source: String,
    reader: Box<dyn io::Read + Send>,
    len: Option<u64>,
}

/// Looks a code up, reads and analyses an email whole, or opens a log: the start of the
/// input tells email from a log.
fn prepare(config: &Config, cat: &Catalog, input: &Input) -> Result<Prepared, Stop> {
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
            findings_batch(config, cat, vec![finding::decode(cat, *b, *e, origin)])
        };
        return Ok(Prepared::Ready(batch));
    }
    let (mut reader, len): (Box<dyn io::Read + Send>, _) = match input {
        Input::File(path) => {
            let (file, len) = input::open_file(path).map_err(Stop::Input)?;
            (Box::new(file), Some(len))
        }
        _ => (Box::new(io::stdin()), None),
    };
    let read_fail = |reason: String| {
        Stop::Input(InputError {
            name: source.clone(),
            reason,
        })
    };
    let head = input::read_head(&mut reader).map_err(|e| read_fail(input::describe(&e)))?;
    if input::message::is_message(&head) {
        let bytes = input::read_rest(head, reader).map_err(read_fail)?;
        return Ok(Prepared::Ready(mail_batch(config, cat, &source, &bytes)));
    }
    Ok(Prepared::Log(Log {
        reader: Box::new(io::Cursor::new(head).chain(reader)),
        source,
        len,
    }))
}

/// Streams a log in chunks, worked on by every core, and hands on what each gives in order.
fn stream_log(
    config: &Config,
    cat: &Catalog,
    log: Log,
    sink: &mut dyn FnMut(Batch) -> io::Result<()>,
) -> Result<(), Stop> {
    let Log {
        source,
        reader,
        len,
    } = log;
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
    let mut progress = render::progress::Progress::new(config.progress, len);
    let result = stream::for_each_chunk(reader, options, work, sink, &mut |n| progress.update(n));
    progress.finish();
    result.map_err(fail)
}

/// Reads an email (or an mbox) whole: findings and a verdict per recipient.
fn mail_batch(config: &Config, cat: &Catalog, source: &str, bytes: &[u8]) -> Batch {
    let (mut found, mut verdicts) = (Vec::new(), Vec::new());
    for (n, (line, raw)) in input::message::split_mbox(bytes).into_iter().enumerate() {
        let msg = input::message::parse(raw, line);
        let (f, v) = decode::recipients::analyze(&msg, source, Some(n + 1));
        found.extend(f);
        verdicts.extend(v);
    }
    let findings: Vec<Finding> = found
        .into_iter()
        .map(|f| {
            let origin = Origin {
                source: source.to_string(),
                line: Some(f.line),
                recipient: f.recipient,
                text: Some(f.text),
            };
            finding::decode(cat, f.basic.map(|b| b.0), f.enhanced.map(|e| e.0), origin)
        })
        .collect();
    let mut findings = findings;
    finding::explain_by_verdicts(cat, &mut findings, &verdicts);
    if config.summary {
        let mut s = Summary::default();
        for v in &verdicts {
            s.add_lookup(
                v.reply.as_deref().and_then(extract::code::Basic::parse),
                v.status.as_deref().and_then(extract::code::Enhanced::parse),
            );
        }
        return Batch::Counts(Box::new(s));
    }
    if config.json {
        return Batch::Findings(findings, verdicts);
    }
    let mut bytes = Vec::new();
    let n = findings.len();
    // Writing to memory cannot fail.
    let _ = if config.json_lines {
        findings
            .iter()
            .try_for_each(|f| render::json::line(&mut bytes, f))
            .and_then(|()| {
                verdicts
                    .iter()
                    .try_for_each(|v| render::json::line(&mut bytes, v))
            })
    } else {
        let place = render::text::Place {
            name_source: config.several_sources(),
        };
        render::text::verdicts(&mut bytes, cat, &verdicts, config.width).and_then(|()| {
            distinct(&findings)
                .into_iter()
                .try_for_each(|f| render::text::finding(&mut bytes, cat, f, &place, config.width))
        })
    };
    Batch::Rendered(bytes, n)
}

/// A bounce repeats itself (the text, the report's Status, its Diagnostic-Code): people
/// see each reply about a recipient once; JSON keeps every finding.
fn distinct(findings: &[Finding]) -> Vec<&Finding> {
    let code = |d: &Option<finding::Decoded>| d.as_ref().map(|d| d.code.clone());
    let mut shown: Vec<&Finding> = Vec::new();
    for f in findings {
        let covered = shown.iter().any(|s| {
            let same_b = f.basic.is_none() || code(&s.basic) == code(&f.basic);
            let same_e = f.enhanced.is_none() || code(&s.enhanced) == code(&f.enhanced);
            s.recipient == f.recipient && same_b && same_e
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

/// Extracts and decodes one chunk of a log, and renders or counts what it holds.
fn chunk_batch(config: &Config, cat: &Catalog, source: &str, chunk: &Chunk) -> Batch {
    if config.summary {
        return Batch::Counts(Box::new(Summary::of_log(&chunk.bytes)));
    }
    let findings = extract::chunk_findings(chunk)
        .into_iter()
        .map(|found| {
            let origin = Origin {
                source: source.to_string(),
                line: Some(found.line),
                recipient: found.recipient,
                text: Some(found.text),
            };
            let (b, e) = (found.basic.map(|b| b.0), found.enhanced.map(|e| e.0));
            finding::decode(cat, b, e, origin)
        })
        .collect();
    findings_batch(config, cat, findings)
}

/// Findings kept for `--json`, else rendered as text or JSON lines.
fn findings_batch(config: &Config, cat: &Catalog, findings: Vec<Finding>) -> Batch {
    if config.json {
        return Batch::Findings(findings, Vec::new());
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

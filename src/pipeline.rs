//! The stages driven over inputs: an email read whole (for [`crate::analyze`] as for the
//! binary), a log streamed in chunks through a thread pool, and [`run`], the `smtpcode`
//! binary's pass over every input, whose pieces are rendered and written in input order.

use crate::cli::config::{Config, Input};
use crate::decode::catalog::Catalog;
use crate::decode::finding::{self, Finding, Origin};
use crate::decode::verdict::Verdict;
use crate::input::stream::{self, Chunk, Failure};
use crate::input::InputError;
use crate::record::event::Event;
use crate::render::summary::Summary;
use crate::{decode, extract, input, record, render, text};
use rayon::prelude::*;
use std::io::{self, Read, Write};
/// One extracted reply, decoded.
pub(crate) fn found_finding(cat: &Catalog, source: &str, found: extract::Found) -> Finding {
    let origin = Origin {
        source: source.to_string(),
        line: Some(found.line),
        recipient: found.recipient,
        text: Some(found.text),
        inferred: found.inferred,
    };
    let (b, e) = (found.basic.map(|b| b.0), found.enhanced.map(|e| e.0));
    finding::decode(cat, b, e, origin)
}

/// How an input that is read as a bounce is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailForm {
    /// An email with its header fields, or an mbox of them.
    Email,
    /// A bounce's text without headers, as pasted from a mail client.
    Pasted,
}

/// Whether the start of an input is an email, the pasted text of a bounce, or neither
/// (a log).
pub(crate) fn mail_form(head: &[u8]) -> Option<MailForm> {
    if input::sniff::is_message(head) {
        Some(MailForm::Email)
    } else if input::sniff::reads_like_bounce(head) {
        Some(MailForm::Pasted)
    } else {
        None
    }
}

/// Reads an email (or an mbox) whole: its findings, and a verdict per recipient.
pub(crate) fn mail(
    cat: &Catalog,
    source: &str,
    bytes: &[u8],
    form: MailForm,
) -> (Vec<Finding>, Vec<Verdict>) {
    let (mut found, mut verdicts) = (Vec::new(), Vec::new());
    let messages = match form {
        MailForm::Email => input::message::split_mbox(bytes),
        MailForm::Pasted => vec![(1, bytes)],
    };
    for (n, (line, raw)) in messages.into_iter().enumerate() {
        let msg = match form {
            MailForm::Email => input::message::parse(raw, line),
            MailForm::Pasted => input::message::parse_pasted(raw, line),
        };
        let (f, v) = decode::recipients::analyze(&msg, source, Some(n + 1));
        found.extend(f);
        verdicts.extend(v);
    }
    let mut findings: Vec<Finding> = found
        .into_iter()
        .map(|f| found_finding(cat, source, f))
        .collect();
    finding::explain_by_verdicts(cat, &mut findings, &verdicts);
    (findings, verdicts)
}
/// What a run found, for the exit status of the binary.
#[doc(hidden)]
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
    /// Verdicts of a piece of a log for `--recipients`: the last per address it holds.
    Verdicts(Vec<Verdict>),
    /// A batch, and the events of the same piece for the `--ledger`.
    Recorded(Box<Batch>, Vec<Event>),
}

/// What recording a piece of input needs to know (`--ledger`).
#[derive(Debug, Clone, Copy)]
struct Recording {
    /// The day syslog timestamps take their year from: the file's modification day.
    today: extract::stamp::Day,
    /// The moment of what states none: the file's modification time, else the run's.
    fallback: i64,
}

impl Recording {
    fn at(fallback: i64) -> Recording {
        Recording {
            today: extract::stamp::Day::of_unix(fallback),
            fallback,
        }
    }
}

/// The modification time of an input, in Unix seconds (stdin: now).
fn modified(input: &Input) -> i64 {
    let now = record::event::now();
    match input {
        Input::File(path) => std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(now, |d| d.as_secs() as i64),
        _ => now,
    }
}

/// Why an input stopped.
enum Stop {
    Input(InputError),
    Output(io::Error),
}

/// The `smtpcode` binary's run (not part of the library's API): the pipeline over every input. Unreadable inputs are reported on `err` and skipped;
/// an error writing `out` (a closed pipe) stops the run, one writing `err` does not.
#[doc(hidden)]
pub fn run(config: &Config, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Outcome> {
    colored::control::set_override(config.color);
    let cat = Catalog::load(config.lang);
    let mut outcome = Outcome::default();
    let ledger_failed = |err: &mut dyn Write, spec: &str, e: &str| -> Outcome {
        let _ = writeln!(
            err,
            "error: ledger {}: {}",
            record::store::display(spec),
            text::escape(e)
        );
        Outcome {
            found: false,
            errors: true,
        }
    };
    let writer = match &config.ledger {
        None => None,
        Some(spec) => match record::store::Store::open(spec) {
            Ok(store) => Some(record::writer::Writer::start(store, config.line_buffered)),
            Err(e) => return Ok(ledger_failed(err, spec, &e)),
        },
    };
    // With --suppressed, the inputs are recorded, not printed: the answer is the output.
    let (mut quiet, answer) = (io::sink(), out);
    let out: &mut dyn Write = if config.suppressed.is_some() {
        &mut quiet
    } else {
        answer
    };
    let (mut all, mut summary) = (Vec::new(), Summary::default());
    let mut verdicts = Vec::new();
    let mut ledger = decode::ledger::Ledger::default();
    if config.recipients && !config.json && !config.json_lines {
        out.write_all(render::list::HEADER.as_bytes())?;
    }
    // Inputs are prepared a group at a time on every core (emails read and analysed whole,
    // logs opened), then handed on in order; logs stream, each on every core, as they come.
    // Folders are walked as the groups are taken, so the first results come at once. A
    // group is large enough that no core waits long for the slowest of it (a folder of
    // small bounces), and holds at most GROUP_BYTES of files (big mboxes are read whole).
    // Asking rayon starts its threads: not for one input.
    let one = matches!(&config.inputs[..], [i] if !is_folder(i));
    let group = if one {
        1
    } else {
        rayon::current_num_threads() * 64
    };
    let mut items = items(config);
    loop {
        let mut items_bytes = 0u64;
        let mut group_items: Vec<Item> = Vec::new();
        while group_items.len() < group && items_bytes < GROUP_BYTES {
            let Some(item) = items.next() else { break };
            if let Item::Input(Input::File(path), _) = &item {
                items_bytes += std::fs::metadata(path).map_or(0, |m| m.len());
            }
            group_items.push(item);
        }
        let items = group_items;
        if items.is_empty() {
            break;
        }
        let prepare = |item: &Item| match item {
            Item::Input(input, _) => prepare(config, &cat, input),
            Item::Unreadable(e) => Err(Stop::Input(e.clone())),
        };
        let prepared: Vec<Result<Prepared, Stop>> = match &items[..] {
            [one] => vec![prepare(one)],
            _ => items.par_iter().map(prepare).collect(),
        };
        for (item, prepared) in items.iter().zip(prepared) {
            let mut found = 0;
            let mut sink = |batch: Batch| -> io::Result<()> {
                let batch = match batch {
                    Batch::Recorded(inner, events) => {
                        if let Some(w) = &writer {
                            w.send(events);
                        }
                        *inner
                    }
                    batch => batch,
                };
                match batch {
                    Batch::Recorded(..) => {}
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
                    // A live stream has no end to wait for: each verdict goes out as its
                    // line arrives (a later line about the address gives a newer one).
                    Batch::Verdicts(v) if config.line_buffered && !config.json => {
                        found += v.len();
                        for v in &v {
                            if config.json_lines {
                                render::json::line(out, v)?;
                            } else {
                                render::list::row(out, v)?;
                            }
                        }
                        out.flush()?;
                    }
                    Batch::Verdicts(v) => {
                        found += v.len();
                        ledger.add(v);
                    }
                }
                Ok(())
            };
            let result = prepared.and_then(|prepared| match prepared {
                Prepared::Ready(batch, failed) => {
                    sink(batch).map_err(Stop::Output)?;
                    failed.map_or(Ok(()), |e| Err(Stop::Input(e)))
                }
                Prepared::Log(log) => stream_log(config, &cat, log, &mut sink),
            });
            let failed = match result {
                Ok(()) => false,
                Err(Stop::Output(e)) => return Err(e),
                Err(Stop::Input(e)) => {
                    // Best effort: a full or failing stderr must not cost the findings on stdout.
                    let _ = writeln!(err, "error: {}", text::escape(&e.to_string()));
                    outcome.errors = true;
                    true
                }
            };
            // A file given by name that holds no code is worth a word; one of many found in
            // a folder is not (as grep -r is silent about files without a match).
            if let Item::Input(input, false) = item {
                let listing =
                    config.json || config.json_lines || config.summary || config.recipients;
                if found == 0 && !failed && !listing {
                    let name = text::escape(&source_name(input));
                    let _ = writeln!(err, "{name}: {}", cat.ui("no_codes"));
                }
            }
            outcome.found |= found > 0;
        }
    }
    if let (Some(w), Some(spec)) = (writer, &config.ledger) {
        if let Err(e) = w.finish() {
            let failed = ledger_failed(err, spec, &e);
            outcome.errors |= failed.errors;
        }
    }
    if let (Some(ask), Some(spec)) = (&config.suppressed, &config.ledger) {
        let list = record::store::Store::open(spec).and_then(|mut store| {
            record::suppressed::suppressed(&mut store, &ask.policy, ask.as_of)
        });
        return match list {
            Ok(list) => {
                record::suppressed::write(answer, &list, ask.as_of, config.json)?;
                answer.flush()?;
                outcome.found = !list.is_empty();
                Ok(outcome)
            }
            Err(e) => Ok(ledger_failed(err, spec, &e)),
        };
    }
    if config.recipients {
        return finish_list(config, out, err, verdicts, ledger).map(|()| outcome);
    }
    let view = render::summary::View {
        top: config.top,
        today: extract::stamp::Day::today(),
    };
    match (config.summary, config.json) {
        (true, true) => summary.write_json(out, &cat, view)?,
        (true, false) => summary.write_text(out, &cat, view)?,
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

/// The most bytes of files a group of inputs holds (see [`run`]), unless one file is more.
const GROUP_BYTES: u64 = 64 << 20;

/// One input of a run: an argument, or a file found in a folder given as one.
enum Item {
    /// An input, and whether it was found in a folder.
    Input(Input, bool),
    /// An entry of a folder that could not be walked.
    Unreadable(InputError),
}

/// Whether an input names a folder.
fn is_folder(input: &Input) -> bool {
    matches!(input, Input::File(p) if p.is_dir())
}

/// The inputs of a run, folders walked into the files they hold as they are reached.
fn items(config: &Config) -> impl Iterator<Item = Item> + '_ {
    config
        .inputs
        .iter()
        .flat_map(|input| -> Box<dyn Iterator<Item = Item>> {
            match input {
                Input::File(path) if path.is_dir() => {
                    Box::new(input::walk::walk(path).map(|found| match found {
                        Ok(path) => Item::Input(Input::File(path), true),
                        Err(e) => Item::Unreadable(e),
                    }))
                }
                _ => Box::new(std::iter::once(Item::Input(input.clone(), false))),
            }
        })
}

/// Ends `--recipients`: the verdicts of the logs, the last per address, after those of the
/// emails (written as they came, except in one `--json` document).
fn finish_list(
    config: &Config,
    out: &mut dyn Write,
    err: &mut dyn Write,
    mut verdicts: Vec<Verdict>,
    ledger: decode::ledger::Ledger,
) -> io::Result<()> {
    let untracked = ledger.untracked;
    let logs = ledger.into_verdicts();
    if config.json {
        verdicts.extend(logs);
        render::list::List {
            schema: 1,
            recipients: &verdicts,
            untracked,
        }
        .write(out)?;
    } else {
        for v in &logs {
            if config.json_lines {
                render::json::line(out, v)?;
            } else {
                render::list::row(out, v)?;
            }
        }
    }
    if untracked > 0 {
        let _ = writeln!(
            err,
            "smtpcode: {untracked} verdicts about addresses past the first {} of the logs were not kept",
            decode::ledger::MAX_ADDRESSES
        );
    }
    out.flush()
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
    /// A code look-up or an email, done; and the error that cut the email short, if one did
    /// (what came before it is kept).
    Ready(Batch, Option<InputError>),
    /// A log, to be streamed.
    Log(Log),
}

/// A log opened, its start already read.
struct Log {
    source: String,
    reader: Box<dyn io::Read + Send>,
    len: Option<u64>,
    /// The read error that ended the log early, if one does.
    failed: input::read::Failure,
    recording: Option<Recording>,
}

/// Looks a code up, reads and analyses an email whole, or opens a log: the start of the
/// input tells email from a log.
fn prepare(config: &Config, cat: &Catalog, input: &Input) -> Result<Prepared, Stop> {
    let source = source_name(input);
    let recording = config
        .ledger
        .as_ref()
        .map(|_| Recording::at(modified(input)));
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
        return Ok(Prepared::Ready(batch, None));
    }
    let (raw, len): (Box<dyn io::Read + Send>, _) = match input {
        Input::File(path) => {
            let (file, len) = input::open_file(path).map_err(Stop::Input)?;
            (Box::new(file), Some(len))
        }
        _ => (Box::new(io::stdin()), None),
    };
    let failure = |reason: String| InputError {
        name: source.clone(),
        reason,
    };
    let read_fail = |reason: String| Stop::Input(failure(reason));
    // Compressed input is decoded as it is read; its size on disk says nothing of how much
    // text it holds, so its progress has no end to show.
    let (reader, format) =
        input::decompress::open(raw).map_err(|e| read_fail(input::describe(&e)))?;
    let len = len.filter(|_| format.is_none());
    // A read that fails (a damaged archive) ends the input there: what came before it is
    // read as usual, and the failure is told after it.
    let (mut reader, failed) = input::until_error(reader);
    let head = input::read_head(&mut reader, config.line_buffered)
        .map_err(|e| read_fail(input::describe(&e)))?;
    if let Some(form) = mail_form(&head) {
        let bytes = input::read_rest(head, reader).map_err(read_fail)?;
        let batch = mail_batch(config, cat, &source, &bytes, form, recording);
        return Ok(Prepared::Ready(batch, failed.take().map(failure)));
    }
    Ok(Prepared::Log(Log {
        reader: Box::new(io::Cursor::new(head).chain(reader)),
        source,
        len,
        failed,
        recording,
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
        failed,
        recording,
    } = log;
    let work = |chunk: &Chunk| match recording {
        Some(r) => recorded_chunk(config, cat, &source, chunk, r),
        None => chunk_batch(config, cat, &source, chunk),
    };
    let options = stream::Options {
        line_buffered: config.line_buffered,
        // A summary counts; it names no line (nor does a ledger's event).
        lines: !config.summary,
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
    result.map_err(fail)?;
    match failed.take() {
        Some(reason) => Err(Stop::Input(InputError {
            name: source.clone(),
            reason,
        })),
        None => Ok(()),
    }
}

/// Reads an email (or an mbox) whole: findings and a verdict per recipient.
fn mail_batch(
    config: &Config,
    cat: &Catalog,
    source: &str,
    bytes: &[u8],
    form: MailForm,
    recording: Option<Recording>,
) -> Batch {
    let (findings, verdicts) = mail(cat, source, bytes, form);
    let Some(r) = recording else {
        return mail_output(config, cat, findings, verdicts);
    };
    let messages: Vec<&[u8]> = match form {
        MailForm::Email => input::message::split_mbox(bytes)
            .into_iter()
            .map(|(_, raw)| raw)
            .collect(),
        MailForm::Pasted => vec![bytes],
    };
    let events = record::event::of_mail(&messages, &verdicts, r.fallback);
    Batch::Recorded(
        Box::new(mail_output(config, cat, findings, verdicts)),
        events,
    )
}

/// What an email's findings and verdicts become.
fn mail_output(
    config: &Config,
    cat: &Catalog,
    findings: Vec<Finding>,
    verdicts: Vec<Verdict>,
) -> Batch {
    if config.summary {
        let mut s = Summary::default();
        s.add_lists(&findings);
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
    if config.recipients {
        let mut bytes = Vec::new();
        // Writing to memory cannot fail.
        let _ = verdicts.iter().try_for_each(|v| {
            if config.json_lines {
                render::json::line(&mut bytes, v)
            } else {
                render::list::row(&mut bytes, v)
            }
        });
        return Batch::Rendered(bytes, verdicts.len());
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
            why: config.why,
        };
        render::text::verdicts(&mut bytes, cat, &verdicts, &place).and_then(|()| {
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

/// A chunk of a log for `--ledger`: its batch as without, and its events.
fn recorded_chunk(
    config: &Config,
    cat: &Catalog,
    source: &str,
    chunk: &Chunk,
    r: Recording,
) -> Batch {
    if config.summary {
        // One pass: the summary counts each unit, the ledger records its replies.
        let mut events = record::event::LogEvents::new(cat, (chunk, source), r.today, r.fallback);
        let counts = Summary::of_log_with(&chunk.bytes, |unit| events.add(unit));
        return Batch::Recorded(Box::new(Batch::Counts(Box::new(counts))), events.finish());
    }
    // One pass too: the findings to show and the events to record.
    let mut events = record::event::LogEvents::new(cat, (chunk, source), r.today, r.fallback);
    let mut found = Vec::new();
    extract::for_each_unit(&chunk.bytes, |unit| {
        events.add(unit);
        found.extend(unit.findings());
    });
    extract::place(&mut found, chunk);
    let batch = found_batch(config, cat, source, found);
    Batch::Recorded(Box::new(batch), events.finish())
}

/// Extracts and decodes one chunk of a log, and renders or counts what it holds.
fn chunk_batch(config: &Config, cat: &Catalog, source: &str, chunk: &Chunk) -> Batch {
    if config.summary {
        return Batch::Counts(Box::new(Summary::of_log(&chunk.bytes)));
    }
    found_batch(config, cat, source, extract::chunk_findings(chunk))
}

/// Decodes the findings of one chunk of a log, and renders them or states its verdicts.
fn found_batch(config: &Config, cat: &Catalog, source: &str, found: Vec<extract::Found>) -> Batch {
    let findings: Vec<Finding> = found
        .into_iter()
        .map(|found| found_finding(cat, source, found))
        .collect();
    if config.recipients {
        let refs: Vec<&Finding> = findings.iter().collect();
        return Batch::Verdicts(decode::recipients::from_log(&refs));
    }
    findings_batch(config, cat, findings)
}

/// Findings kept for `--json`, else rendered as text or JSON lines.
fn findings_batch(config: &Config, cat: &Catalog, findings: Vec<Finding>) -> Batch {
    if config.json {
        return Batch::Findings(findings, Vec::new());
    }
    let place = render::text::Place {
        name_source: config.several_sources(),
        why: config.why,
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

//! Decode stage, per recipient: what a bounce's text states about its recipients: the
//! failure statements it makes ([`crate::extract::listed::listed`], less the addresses
//! whose place gives them another role, [`super::roles`]), the recipient of each reply
//! without an address of its own, and the lines `--why` quotes.

use super::roles;
use super::verdict::Verdict;
use crate::extract::listed::{self, Listed};
use crate::extract::recipient;
use crate::extract::Found;
use crate::input::message::{Kind, Message};
use crate::text::address::addresses;

/// The recipients an abuse report names (RFC 5965 §3.2 `Original-Rcpt-To`, `Removal-Recipient`).
pub(crate) fn feedback_recipients(body: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in body.split(|&b| b == b'\n') {
        let lower = line.to_ascii_lowercase();
        if lower.starts_with(b"original-rcpt-to:") || lower.starts_with(b"removal-recipient:") {
            for a in addresses(line) {
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
    }
    out
}

/// The line of a message's text where `words` start: the first line that holds their first
/// few words (they may wrap onto the next), else the first line of the text.
pub(crate) fn line_of_words(msg: &Message, words: &str) -> usize {
    let first: Vec<&str> = words.split_whitespace().collect();
    let texts = msg.sections.iter().filter(|s| s.kind == Kind::Text);
    for n in (1..=first.len().min(4)).rev() {
        let start = first[..n].join(" ");
        for s in texts.clone() {
            let text = crate::text::decode(&s.body);
            let found = text.lines().position(|l| {
                l.split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
                    .contains(&start)
            });
            if let Some(i) = found {
                return if s.exact_lines { s.line + i } else { s.line };
            }
        }
    }
    texts.clone().next().map_or(1, |s| s.line)
}

/// The failed recipients a report's text states, less the bounce's own addresses and the
/// bare addresses whose place says they are something else ([`roles`]); with
/// `sentences_only`, only those a sentence or label states.
pub(crate) fn failure_statements(
    report: &[u8],
    own: &dyn Fn(&String) -> bool,
    sentences_only: bool,
) -> Vec<Listed> {
    let lines: Vec<&[u8]> = report.split(|&b| b == b'\n').collect();
    let text = |n: Option<usize>| {
        n.and_then(|n| lines.get(n))
            .map_or(String::new(), |l| crate::text::decode(l).into_owned())
    };
    listed::listed(report)
        .into_iter()
        .filter(|l| !(own(&l.address) || sentences_only && l.form.contains("line")))
        .filter(|l| {
            let (line, previous) = (text(Some(l.line)), text(l.line.checked_sub(1)));
            !l.is_bare() || roles::of_mention(&l.address, &line, &previous).is_none()
        })
        .collect()
}

/// The line of the bounce's text that states a failure, for `--why`.
pub(crate) fn line_of(msg: &Message, l: &Listed) -> String {
    if l.form.starts_with("subject:") {
        return format!("Subject: {}", msg.subject);
    }
    (msg.sections.iter())
        .filter(|s| s.kind == Kind::Text)
        .find_map(|s| {
            let line = s.report().split(|&b| b == b'\n').nth(l.line)?;
            let text = crate::text::decode(line);
            text.to_lowercase()
                .contains(&l.address)
                .then(|| text.into_owned())
        })
        .unwrap_or_else(|| l.address.clone())
}

/// Where a structured list of failed recipients (a report, `X-Failed-Recipients`) and
/// the text disagree, the structure is taken; each verdict says so.
pub(crate) fn note_conflicts(verdicts: &mut [Verdict], listed: &[Listed], rule: &'static str) {
    let only_text: Vec<&str> = (listed.iter())
        .filter(|l| !verdicts.iter().any(|v| v.address == l.address))
        .map(|l| l.address.as_str())
        .collect();
    if only_text.is_empty() {
        return;
    }
    let span = format!("the text names {}; not taken", only_text.join(", "));
    for v in verdicts.iter_mut() {
        v.because("conflict", rule, &span);
    }
}

/// Gives findings without an address in their own line the last recipient address the
/// text named before them (or, failing that, the first one after).
pub(crate) fn assign_from_context(
    body: &[u8],
    found: &mut [Found],
    candidate: &dyn Fn(&String) -> bool,
) {
    let mut mentions: Vec<(usize, String)> = Vec::new();
    let mut previous: &[u8] = b"";
    for (n, line) in body.split(|&b| b == b'\n').enumerate() {
        let before = std::mem::replace(&mut previous, line);
        if recipient::is_sender_line(line) || memchr::memchr(b'@', line).is_none() {
            continue;
        }
        let (text, before) = (crate::text::decode(line), crate::text::decode(before));
        for a in addresses(line) {
            if candidate(&a) && roles::of_mention(&a, &text, &before).is_none() {
                mentions.push((n + 1, a));
            }
        }
    }
    for f in found.iter_mut() {
        if f.recipient.as_ref().is_some_and(candidate) {
            continue;
        }
        let before = mentions.iter().rev().find(|(n, _)| *n <= f.line);
        f.recipient = before.or(mentions.first()).map(|(_, a)| a.clone());
    }
}

//! Extract stage: every basic reply code and enhanced status code in a byte buffer.
//!
//! The input is cut into *units*: a line, with the lines that continue it (indented folds,
//! and the `550-` lines of a multi-line SMTP reply). Within a unit, a regular expression over
//! bytes finds candidates; each is kept only if its surroundings read like an SMTP reply
//! (see [`accept_enhanced`] and [`accept_basic`]), so IP addresses, versions, dates, sizes
//! and numbers inside words are not codes. A basic code directly followed by an enhanced
//! code of the same class is one reply; codes that repeat within a unit are one finding.

use crate::code::{Basic, Enhanced};
use crate::text;
use regex::bytes::Regex;
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::OnceLock;

/// A basic code and where it is in the input.
pub type BasicAt = (Basic, Range<usize>);
/// An enhanced code and where it is in the input.
pub type EnhancedAt = (Enhanced, Range<usize>);

/// One reply found in the input: a basic code, an enhanced code, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// 1-based line of the first code.
    pub line: usize,
    pub basic: Option<BasicAt>,
    pub enhanced: Option<EnhancedAt>,
    /// The reply text around the code, cleaned for display.
    pub text: String,
    /// The address the reply is about, where the unit names one.
    pub recipient: Option<String>,
}

/// The longest a unit grows before a new one starts, whatever the folding says.
const MAX_UNIT_LINES: usize = 64;
/// The most characters of reply text kept per finding.
const MAX_TEXT: usize = 300;

fn candidates() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?-u)[2-5](?:\.[0-9]{1,3}\.[0-9]{1,3}|[0-5][0-9])").expect("valid regex")
    })
}

/// Every finding in `input`, in order.
pub fn extract(input: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    // Every code starts with a digit from 2 to 5: other units skip the regex, whose set-up
    // costs more than this scan on short lines (200 MB of empty lines: 17 s, now 2 s).
    let may_hold_code = |u: &Unit| {
        input[u.start..u.end]
            .iter()
            .any(|b| (b'2'..=b'5').contains(b))
    };
    for unit in units(input).filter(may_hold_code) {
        extract_unit(input, unit, &mut out);
    }
    out
}

/// A run of lines read as one reply or record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    start: usize,
    end: usize,
    line: usize,
}

/// Cuts the input into units (see the module comment), one at a time: memory stays the same
/// however many lines the input has.
fn units(input: &[u8]) -> impl Iterator<Item = Unit> + '_ {
    let (mut pos, mut line) = (0, 1);
    std::iter::from_fn(move || {
        if pos >= input.len() {
            return None;
        }
        let (start, first_line) = (pos, line);
        let mut end = memchr_nl(input, pos);
        let mut prev = &input[pos..end];
        let mut lines = 1;
        while end < input.len() && lines < MAX_UNIT_LINES {
            let next_end = memchr_nl(input, end + 1);
            let this = &input[end + 1..next_end];
            if !continues(prev, this) {
                break;
            }
            (prev, end, lines) = (this, next_end, lines + 1);
        }
        pos = end + 1;
        line += lines;
        Some(Unit {
            start,
            end,
            line: first_line,
        })
    })
}

fn memchr_nl(input: &[u8], from: usize) -> usize {
    input[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(input.len(), |i| from + i)
}

/// Whether `this` line continues the unit that `prev` ended.
fn continues(prev: &[u8], this: &[u8]) -> bool {
    let blank = |l: &[u8]| l.iter().all(|b| b.is_ascii_whitespace());
    if blank(prev) || blank(this) {
        return false;
    }
    if matches!(this[0], b' ' | b'\t') {
        return true;
    }
    // A multi-line reply: "550-..." followed by "550-..." or "550 ...".
    let p = trim_start(prev);
    let t = trim_start(this);
    p.len() >= 4
        && t.len() >= 3
        && p[..3].iter().all(u8::is_ascii_digit)
        && p[3] == b'-'
        && p[..3] == t[..3]
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .take_while(|b| b.is_ascii_whitespace() || **b == b'>')
        .count();
    &s[n..]
}

/// Reads one unit. Candidates are checked, paired and folded as they come, and each finding
/// is placed with the unit's line breaks: the work stays linear in the unit's length however
/// many codes it holds.
fn extract_unit(input: &[u8], unit: Unit, out: &mut Vec<Found>) {
    let bytes = &input[..unit.end];
    let first = out.len();
    let mut seen = Seen::default();
    // The last accepted candidate, when it is a basic code still waiting for its enhanced code.
    let mut pending: Option<BasicAt> = None;
    for m in candidates().find_iter(&input[unit.start..unit.end]) {
        let span = unit.start + m.start()..unit.start + m.end();
        let next_to = |p: &BasicAt| joined(bytes, p.1.end, span.start);
        if m.len() == 3 {
            if let Some(b) = accept_basic(bytes, unit.start, span.clone()) {
                if let Some(p) = pending.replace((b, span)) {
                    merge(out, &mut seen, Some(p), None);
                }
            }
            continue;
        }
        let after_basic = pending
            .as_ref()
            .is_some_and(|p| next_to(p) && p.0.first_digit() == bytes[span.start] - b'0');
        if let Some(e) = accept_enhanced(bytes, unit.start, span.clone(), after_basic) {
            // A basic code directly followed by an enhanced code of the same class: one reply.
            match pending.take() {
                Some(p) if next_to(&p) && e.class == Some(p.0.first_digit()) => {
                    merge(out, &mut seen, Some(p), Some((e, span)));
                }
                Some(p) => {
                    merge(out, &mut seen, Some(p), None);
                    merge(out, &mut seen, None, Some((e, span)));
                }
                None => merge(out, &mut seen, None, Some((e, span))),
            }
        }
    }
    if let Some(p) = pending {
        merge(out, &mut seen, Some(p), None);
    }
    if out.len() > first {
        place(input, unit, &mut out[first..]);
    }
}

/// Gives the findings of a unit their line, reply text and recipient.
fn place(input: &[u8], unit: Unit, found: &mut [Found]) {
    let recipient = recipient(&input[unit.start..unit.end]);
    let breaks: Vec<usize> = (unit.start..unit.end)
        .filter(|&i| input[i] == b'\n')
        .collect();
    for found in found {
        let start = found
            .basic
            .as_ref()
            .map(|b| b.1.start)
            .or(found.enhanced.as_ref().map(|e| e.1.start))
            .unwrap_or(unit.start);
        let (text_from, code_at) = match &found.basic {
            Some((_, r)) => (r.start, r.start),
            None => (unit.start, start),
        };
        let text_from = if code_at - text_from > MAX_TEXT {
            code_at
        } else {
            text_from
        };
        found.line = unit.line + breaks.partition_point(|&b| b < start);
        found.text = balance(text::clean(&input[text_from..unit.end], MAX_TEXT));
        found.recipient = recipient.clone();
    }
}

/// Drops closing parentheses that close what the reply text did not open: the text starts
/// inside a log's `status=bounced (host ... said: 550 ...)`.
fn balance(mut text: String) -> String {
    let opened = text.matches('(').count();
    let mut closed = text.matches(')').count();
    while closed > opened && text.ends_with(')') {
        text.pop();
        closed -= 1;
    }
    text
}

/// Whether only one space or one hyphen separates `end` from `start`.
fn joined(bytes: &[u8], end: usize, start: usize) -> bool {
    start == end + 1 && matches!(bytes[end], b' ' | b'-')
}

/// The codes of a unit's findings, so that folding a repeat does not rescan them.
#[derive(Default)]
struct Seen {
    pairs: HashSet<(Basic, Enhanced)>,
    /// Every basic code of the unit, with the index of the finding that holds it alone.
    basics: HashMap<Basic, Option<usize>>,
    /// Every enhanced code of the unit, with the index of the finding that holds it alone.
    enhanced: HashMap<Enhanced, Option<usize>>,
}

/// Adds a reply to the unit's findings, folding repeats: the same pair twice is one
/// finding, and a lone code joins a finding that already has it.
fn merge(
    out: &mut Vec<Found>,
    seen: &mut Seen,
    basic: Option<BasicAt>,
    enhanced: Option<EnhancedAt>,
) {
    let at = out.len();
    match (&basic, &enhanced) {
        // A lone code already covered by a finding of the unit.
        (Some((b, _)), None) if seen.basics.contains_key(b) => return,
        (None, Some((e, _))) if seen.enhanced.contains_key(e) => return,
        (Some((b, _)), None) => {
            seen.basics.insert(*b, Some(at));
        }
        (None, Some((e, _))) => {
            seen.enhanced.insert(*e, Some(at));
        }
        (Some((b, _)), Some((e, _))) => {
            if !seen.pairs.insert((*b, *e)) {
                return;
            }
            // A pair that completes an earlier lone code (Postfix "dsn=5.1.1 ... said: 550
            // 5.1.1"): the first such finding becomes the pair.
            let lone_b = seen.basics.get(b).copied().flatten();
            let lone_e = seen.enhanced.get(e).copied().flatten();
            seen.basics.entry(*b).or_default();
            seen.enhanced.entry(*e).or_default();
            if let Some(i) = lone_b.into_iter().chain(lone_e).min() {
                match out[i].basic {
                    Some(_) => seen.basics.insert(*b, None),
                    None => seen.enhanced.insert(*e, None),
                };
                out[i].basic = basic;
                out[i].enhanced = enhanced;
                return;
            }
        }
        (None, None) => return,
    }
    out.push(Found {
        line: 0,
        basic,
        enhanced,
        text: String::new(),
        recipient: None,
    });
}

/// Words after which a code is read as a reply ("said: 550", "returned 5.1.1").
const REPLY_WORDS: &[&str] = &[
    "said",
    "says",
    "replied",
    "reply",
    "response",
    "responded",
    "returned",
    "answered",
    "error",
    "code",
    "status",
    "dsn",
    "smtp",
    "esmtp",
    "failed",
    "failure",
    "reason",
    "result",
    "rejected",
    "deferred",
    "bounced",
    "diagnostic",
    "with",
];
/// Words after which a dotted number is a version, not a status.
const VERSION_WORDS: &[&str] = &[
    "v", "rv", "ver", "version", "release", "rel", "rev", "revision", "build", "update", "patch",
    "kernel",
];
/// Units after which a three-digit number is a quantity, not a reply.
const UNIT_WORDS: &[&str] = &[
    "bytes", "byte", "kb", "mb", "gb", "ms", "s", "sec", "secs", "seconds", "min", "minutes",
    "hours", "days", "items", "messages", "lines", "%",
];

/// The last non-blank byte before `at`, not looking before `floor`.
fn prev_nonspace(bytes: &[u8], floor: usize, at: usize) -> Option<(usize, u8)> {
    (floor..at)
        .rev()
        .find(|&i| !bytes[i].is_ascii_whitespace())
        .map(|i| (i, bytes[i]))
}

/// The word (letters, digits, `-`, `_`) that ends at `end` (exclusive).
fn word_before(bytes: &[u8], floor: usize, end: usize) -> &[u8] {
    let start = (floor..end)
        .rev()
        .take_while(|&i| bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'_'))
        .last()
        .unwrap_or(end);
    &bytes[start..end]
}

fn is_one_of(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// Whether the byte after a code ends it: white space, the end, or punctuation that is
/// not the start of a longer number (`5.1.1.2`, `550.5`, `5.1.1:25`).
fn ends_cleanly(bytes: &[u8], end: usize) -> bool {
    let Some(&a) = bytes.get(end) else {
        return true;
    };
    let digit_next = bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
    match a {
        b'.' | b':' | b',' => !digit_next,
        b' ' | b'\t' | b'\r' | b'\n' | b')' | b']' | b'>' | b'\'' | b'"' | b';' | b'!' | b'?' => {
            true
        }
        _ => false,
    }
}

/// Checks an enhanced code candidate at `span` (see the module comment).
fn accept_enhanced(
    bytes: &[u8],
    floor: usize,
    span: Range<usize>,
    after_basic: bool,
) -> Option<Enhanced> {
    let code = Enhanced::parse(std::str::from_utf8(&bytes[span.clone()]).ok()?)?;
    if code.subject > 7 || !ends_cleanly(bytes, span.end) || bytes.get(span.end) == Some(&b'>') {
        return None;
    }
    if after_basic {
        return Some(code);
    }
    if span.start > floor {
        let b = bytes[span.start - 1];
        if b.is_ascii_alphanumeric() || b"._-/\\@$%+~&^|".contains(&b) {
            return None;
        }
    }
    let success = code.class == Some(2);
    match prev_nonspace(bytes, floor, span.start) {
        None => Some(code),
        Some((i, b'=' | b';' | b'#' | b'(' | b'[' | b'<' | b'"' | b'\'' | b'*' | b','))
            if !success || bytes[i] != b',' =>
        {
            Some(code)
        }
        Some((i, b':')) => {
            let field = word_before(bytes, floor, i);
            let version = field
                .to_ascii_lowercase()
                .windows(7)
                .any(|w| w == b"version")
                || is_one_of(field, VERSION_WORDS);
            (!version).then_some(code)
        }
        Some((i, c)) if c.is_ascii_alphanumeric() => {
            let word = word_before(bytes, floor, i + 1);
            if is_one_of(word, REPLY_WORDS) {
                return Some(code);
            }
            let product = word.first().is_some_and(u8::is_ascii_uppercase)
                || word.iter().any(u8::is_ascii_digit);
            (!success && !product && !is_one_of(word, VERSION_WORDS)).then_some(code)
        }
        Some(_) => (!success).then_some(code),
    }
}

/// Checks a basic code candidate at `span` (see the module comment).
fn accept_basic(bytes: &[u8], floor: usize, span: Range<usize>) -> Option<Basic> {
    let code = Basic::parse(std::str::from_utf8(&bytes[span.clone()]).ok()?)?;
    if span.start > floor {
        let b = bytes[span.start - 1];
        if b.is_ascii_alphanumeric() || b"._-/\\@$%+~&^|=:,".contains(&b) {
            return None;
        }
    }
    if !ends_cleanly(bytes, span.end) && bytes.get(span.end) != Some(&b'-') {
        return None;
    }
    let next = bytes.get(span.end).copied();
    // Followed by an enhanced code of the same class: a reply, whatever precedes it.
    if matches!(next, Some(b' ' | b'-'))
        && bytes.get(span.end + 1) == Some(&bytes[span.start])
        && bytes.get(span.end + 2) == Some(&b'.')
    {
        return Some(code);
    }
    let reply_like = match next {
        None | Some(b'\r' | b'\n') => true,
        Some(b' ' | b'-' | b'\t') => !is_one_of(next_word(bytes, span.end), UNIT_WORDS),
        _ => false,
    };
    if !reply_like {
        return None;
    }
    // First on its line (after white space or `>` quoting). Looking back stops at the first
    // other byte, so a long line with many codes is not rescanned for each.
    if bytes[floor..span.start]
        .iter()
        .rev()
        .take_while(|&&b| b != b'\n')
        .all(|&b| b.is_ascii_whitespace() || b == b'>')
    {
        return Some(code);
    }
    match prev_nonspace(bytes, floor, span.start) {
        Some((_, b';' | b'#' | b'<' | b'"' | b'\'' | b'(' | b':')) => Some(code),
        Some((i, c)) if c.is_ascii_alphanumeric() => {
            is_one_of(word_before(bytes, floor, i + 1), REPLY_WORDS).then_some(code)
        }
        _ => None,
    }
}

/// The word that starts after the separator at `at`.
fn next_word(bytes: &[u8], at: usize) -> &[u8] {
    let start = at + 1;
    let len = bytes.get(start..).map_or(0, |r| {
        r.iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'%')
            .count()
    });
    &bytes[start.min(bytes.len())..(start + len).min(bytes.len())]
}

/// The address a unit is about: Postfix `to=<…>`, Exim `** addr`, else the first `<…>`
/// (or bare) address that is not a sender's (`from=<…>`, `MAIL FROM:<…>`).
pub fn recipient(unit: &[u8]) -> Option<String> {
    static RE: OnceLock<[Regex; 3]> = OnceLock::new();
    let [to, exim, any] = RE.get_or_init(|| {
        [
            Regex::new(r"(?i-u)\bto=<([^<>\s@]+@[^<>\s@]+)>").expect("valid regex"),
            Regex::new(r"(?-u)^\*\* ([^<>\s@]+@[A-Za-z0-9.-]+)").expect("valid regex"),
            Regex::new(
                r"(?i-u)(from[=:]\s*)?<?([A-Za-z0-9._%+'=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)",
            )
            .expect("valid regex"),
        ]
    });
    let found = to
        .captures(unit)
        .or_else(|| exim.captures(unit))
        .map(|c| c[1].to_vec())
        .or_else(|| {
            any.captures_iter(unit)
                .find(|c| c.get(1).is_none())
                .map(|c| c[2].to_vec())
        })?;
    let address = text::clean(&found, 254);
    Some(address.trim_end_matches('.').to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The codes found, as "550 5.1.1" / "550" / "5.1.1" strings.
    fn codes(input: &str) -> Vec<String> {
        extract(input.as_bytes())
            .iter()
            .map(|f| {
                let b = f.basic.as_ref().map(|b| b.0.to_string());
                let e = f.enhanced.as_ref().map(|e| e.0.to_string());
                [b, e].into_iter().flatten().collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    #[test]
    fn finds_replies_in_common_shapes() {
        let cases: &[(&str, &[&str])] = &[
            (
                "550 5.1.1 <bob@example.org>: Recipient address rejected",
                &["550 5.1.1"],
            ),
            (
                "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)",
                &["550 5.1.1"],
            ),
            ("Status: 5.1.1", &["5.1.1"]),
            ("Diagnostic-Code: smtp; 550 5.7.1 rejected", &["550 5.7.1"]),
            (
                "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found'",
                &["550 5.1.10"],
            ),
            ("#550 5.1.1 RESOLVER.ADR.RecipNotFound ##", &["550 5.1.1"]),
            ("Sorry, no mailbox here by that name. (#5.1.1)", &["5.1.1"]),
            (
                "451 4.7.1 Greylisting in action, please come back later",
                &["451 4.7.1"],
            ),
            ("421 Service not available", &["421"]),
            (
                "dsn=4.4.1, status=deferred (connect to mx[192.0.2.1]:25: Connection timed out)",
                &["4.4.1"],
            ),
            (
                "... while talking to mx.example.org.:\n>>> DATA\n<<< 552 5.2.2 Mailbox full",
                &["552 5.2.2"],
            ),
            (
                "550 5.2.1 disabled. 503 5.5.1 RCPT first. 550 5.2.1 disabled.",
                &["550 5.2.1", "503 5.5.1"],
            ),
            ("the server returned 5.7.26 for this message", &["5.7.26"]),
            (
                "dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 abc.123 - gsmtp)",
                &["250 2.0.0"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(codes(input), *want, "{input}");
        }
    }

    #[test]
    fn multi_line_reply_is_one_finding() {
        let input =
            "550-5.1.1 The email account that you tried to reach does not exist. Please try\n\
                     550-5.1.1 double-checking the recipient's email address for typos or\n\
                     550-5.1.1 unnecessary spaces. Learn more at\n\
                     550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp\n";
        let found = extract(input.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 1);
        assert!(found[0].text.ends_with("gsmtp"), "{}", found[0].text);
    }

    #[test]
    fn postfix_dsn_field_pairs_with_its_reply() {
        let line = "Nov 23 10:00:01 mx postfix/smtp[4242]: 4BC1D2E3F4: to=<bob@example.org>, relay=mx.example.org[192.0.2.10]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.10] said: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))";
        let found = extract(line.as_bytes());
        assert_eq!(codes(line), ["550 5.1.1"]);
        assert_eq!(found[0].recipient.as_deref(), Some("bob@example.org"));
        assert!(
            found[0].text.starts_with("550 5.1.1 <bob@example.org>"),
            "{}",
            found[0].text
        );
    }

    #[test]
    fn numbers_that_only_look_like_codes_are_not_codes() {
        let cases = [
            "Received: from [10.4.7.200] (port 550) by 192.5.1.1 with ESMTP id 4BC550D1",
            "Connecting to 250.1.2.3 and 2001:db8::5.1.1.1 on port 25",
            "X-Mailer: PHPMailer 5.2.22, Thunderbird 5.2.1, Dovecot 2.3.4, Exim 4.94.2, version 4.2.1, v5.1.1",
            "MIME-Version: 1.0\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:5.1.1) Gecko/20100101",
            "Date: Mon, 23 Nov 2026 14:29:17 +0000; 2026-11-23T14:29:17Z; 23.11.2026; 11/23/26",
            "size=550, nrcpt=1 (queue active); delays=0.1/0/250/0; pi=3.14159; 550.5 ms; 450 bytes; 5.1.1.2",
            "postfix/smtpd[550]: connect from unknown[192.0.2.5]; queue id 550ABC; abc550 550abc x550y",
            "Message-ID: <550.5.1.1@example.org>; https://example.org/5.1.1/page?id=550",
        ];
        for input in cases {
            assert_eq!(codes(input), Vec::<String>::new(), "{input}");
        }
    }

    #[test]
    fn line_numbers_are_one_based_and_point_at_the_code() {
        let input =
            "first\nsecond\nStatus: 5.2.2\n<bob@example.org>: host x said:\n    552 5.2.2 full\n";
        let found = extract(input.as_bytes());
        assert_eq!(found.iter().map(|f| f.line).collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn spans_slice_back_to_the_codes() {
        let input = b"x said: 550 5.1.1 no; Status: 4.2.2";
        for f in extract(input) {
            if let Some((b, r)) = &f.basic {
                assert_eq!(&input[r.clone()], b.to_string().as_bytes());
            }
            if let Some((e, r)) = &f.enhanced {
                assert_eq!(&input[r.clone()], e.to_string().as_bytes());
            }
        }
    }

    #[test]
    fn many_codes_on_one_line_fold_in_linear_time() {
        // 10^5 replies on one line, 100 distinct: each distinct reply once, in order of first
        // appearance, all on line 2. (Quadratic work here took minutes before.)
        let mut input = b"first line\n".to_vec();
        for i in 0..100_000 {
            input.extend_from_slice(
                format!("said: 55{} 5.{}.{} ", i % 10, i % 8, i % 100).as_bytes(),
            );
        }
        let found = extract(&input);
        assert_eq!(found.len(), 200, "{:?}", &found[..3]);
        assert!(found
            .iter()
            .all(|f| f.line == 2 && f.text.len() < 4 * MAX_TEXT));
        assert_eq!(codes("x 550 5.1.1 y"), ["550 5.1.1"]);
    }

    #[test]
    fn a_pair_completes_the_first_lone_code_it_matches() {
        let cases: &[(&str, &[&str])] = &[
            (
                "Status: 5.1.1; said: 550 and said: 550 5.1.1",
                &["550 5.1.1", "550"],
            ),
            (
                "said: 550 and Status: 5.1.1; said: 550 5.1.1",
                &["550 5.1.1", "5.1.1"],
            ),
            (
                "said: 550 5.1.1; said: 550 and Status: 5.1.1; 550 5.1.1",
                &["550 5.1.1"],
            ),
            (
                "said: 550 5.1.1; said: 550 5.7.1; said: 550",
                &["550 5.1.1", "550 5.7.1"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(codes(input), *want, "{input}");
        }
    }

    #[test]
    fn finds_the_recipient_of_a_unit() {
        let cases: &[(&str, Option<&str>)] = &[
            ("to=<Bob@Example.org>, orig_to=<x@y.z>, from=<a@b.c>", Some("bob@example.org")),
            ("** bob@example.org R=dnslookup T=remote_smtp: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1", Some("bob@example.org")),
            ("MAIL FROM:<alice@example.com> RCPT TO:<bob@example.org>", Some("bob@example.org")),
            ("550 5.1.1 bob@example.org... User unknown", Some("bob@example.org")),
            ("from=<alice@example.com>", None),
            ("no address here", None),
        ];
        for (input, want) in cases {
            assert_eq!(recipient(input.as_bytes()).as_deref(), *want, "{input}");
        }
    }

    #[test]
    fn binary_and_latin1_input_is_read() {
        let mut input = b"\xff\xfe\x00garbage 550 5.1.1 utilisateur inconnu \xe9\n".to_vec();
        input.extend_from_slice(&[0u8; 64]);
        assert_eq!(codes(&String::from_utf8_lossy(&input)), ["550 5.1.1"]);
        assert_eq!(extract(&input).len(), 1);
    }
}

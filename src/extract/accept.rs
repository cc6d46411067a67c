//! Extract stage, the context rules: whether a candidate reads as an SMTP reply in its
//! surroundings, so that IP addresses, versions, dates, sizes and numbers inside words are
//! not codes.

use super::code::{Basic, Enhanced};
use std::ops::Range;

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

/// The lines a header field may span, looked back over for its name.
const FIELD_LINES: usize = 12;

/// Whether `at` lies in a `Received` header field (RFC 5321 §4.4), its first line or a
/// folded one: the field traces a message's path, its comments name products and their
/// versions (`by mx.example.com (CommuniGate Pro SMTP 4.2.8)`), and it holds no reply.
pub(crate) fn in_received_field(bytes: &[u8], at: usize) -> bool {
    let mut end = at;
    for _ in 0..FIELD_LINES {
        let start = memchr::memrchr(b'\n', &bytes[..end]).map_or(0, |i| i + 1);
        let line = &bytes[start..];
        match line.first() {
            Some(b' ' | b'\t') if start > 0 => end = start - 1,
            _ => {
                return line.len() >= 9 && line[..9].eq_ignore_ascii_case(b"received:");
            }
        }
    }
    false
}

/// Checks an enhanced code candidate at `span` (see the module comment).
pub(crate) fn accept_enhanced(
    bytes: &[u8],
    floor: usize,
    span: Range<usize>,
    after_basic: bool,
) -> Option<Enhanced> {
    // A subject is one digit from 0 to 7: most dotted numbers stop here, before parsing.
    if !matches!(bytes[span.start + 2], b'0'..=b'7') || bytes[span.start + 3] != b'.' {
        return None;
    }
    if !ends_cleanly(bytes, span.end) || bytes.get(span.end) == Some(&b'>') {
        return None;
    }
    let code = Enhanced::parse_bytes(&bytes[span.clone()])?;
    if after_basic {
        return Some(code);
    }
    if span.start > floor {
        let b = bytes[span.start - 1];
        if b.is_ascii_alphanumeric() || is_glue(b) {
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
pub(crate) fn accept_basic(bytes: &[u8], floor: usize, span: Range<usize>) -> Option<Basic> {
    // Three digits, the first from 2 to 5 (see `candidate_at`).
    let digit = |i: usize| u16::from(bytes[i] - b'0');
    let code = Basic(digit(span.start) * 100 + digit(span.start + 1) * 10 + digit(span.start + 2));
    let next = bytes.get(span.end).copied();
    let enhanced_next = matches!(next, Some(b' ' | b'-'))
        && bytes.get(span.end + 1) == Some(&bytes[span.start])
        && bytes.get(span.end + 2) == Some(&b'.');
    if span.start > floor {
        let b = bytes[span.start - 1];
        // A labelled field: `ERROR_CODE :550,`, `reply=550`.
        if matches!(b, b':' | b'=') && ends_cleanly(bytes, span.end) {
            let at =
                prev_nonspace(bytes, floor, span.start - 1).map_or(span.start - 1, |(i, _)| i + 1);
            let label = word_before(bytes, floor, at).to_ascii_lowercase();
            if label.ends_with(b"code") || is_one_of(&label, REPLY_WORDS) {
                return Some(code);
            }
        }
        // "did not like our RCPT TO:550 5.1.2": a command, a colon, then a reply.
        let after_command = b == b':'
            && span.start > floor + 1
            && bytes[span.start - 2].is_ascii_alphabetic()
            && enhanced_next;
        if !after_command
            && (b.is_ascii_alphanumeric() || is_glue(b) || matches!(b, b'=' | b':' | b','))
        {
            return None;
        }
    }
    if !ends_cleanly(bytes, span.end) && next != Some(b'-') {
        return None;
    }
    // Followed by an enhanced code of the same class: a reply, whatever precedes it.
    if enhanced_next {
        return Some(code);
    }
    // Only blanks (or a quoting `>`) between the start of the line and the code; the look
    // back stops at the first other byte, so a long line costs nothing here.
    let at_line_start = (floor..span.start)
        .rev()
        .map(|i| bytes[i])
        .find(|&b| b == b'\n' || !(b.is_ascii_whitespace() || b == b'>'))
        .is_none_or(|b| b == b'\n');
    let reply_like = match next {
        None | Some(b'\r' | b'\n') => true,
        // `550: <bob@example.org>: User unknown` (Yahoo) at the start of a line.
        Some(b':') => at_line_start && bytes.get(span.end + 1) == Some(&b' '),
        Some(b' ' | b'-' | b'\t') => !is_one_of(next_word(bytes, span.end), UNIT_WORDS),
        _ => false,
    };
    if !reply_like {
        return None;
    }
    if at_line_start {
        return Some(code);
    }
    match prev_nonspace(bytes, floor, span.start) {
        Some((_, b';' | b'#' | b'<' | b'"' | b'\'' | b'(' | b':')) => Some(code),
        // Sendmail: "<bob@example.org>... 550 User unknown".
        Some((i, b'.')) if i >= floor + 2 && bytes[i - 2..=i] == *b"..." => Some(code),
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

/// Punctuation that glues a code to the word before it (a version, a path, an address).
pub(crate) fn is_glue(b: u8) -> bool {
    matches!(
        b,
        b'.' | b'_' | b'-' | b'/' | b'\\' | b'@' | b'$' | b'%' | b'+' | b'~' | b'&' | b'^' | b'|'
    )
}

//! Input stage, a bounce's text: which of its lines report on the delivery, and where a
//! returned message (attached or quoted, whose Received headers and versions say nothing about
//! this delivery) starts, reading on through a bounce forwarded inside a bounce.

use super::sniff::{blank_start, reads_like_bounce};

/// How much of a message's text, after its header, is searched for a bounce's opening.
const OPENING_WITHIN: usize = 2048;

/// Whether a message inside a bounce (attached, or quoted in its text) is itself a bounce:
/// the start of its text, after its header, holds a bounce's opening.
pub fn opens_like_bounce(message: &[u8]) -> bool {
    let start = blank_start(message).0;
    let text = &message[start..];
    let body = if text
        .split(|&b| b == b'\n')
        .next()
        .is_some_and(|l| is_header(&crate::text::decode(l)))
    {
        memchr::memmem::find(text, b"\n\n")
            .or_else(|| memchr::memmem::find(text, b"\n\r\n"))
            .map_or(&text[..0], |at| &text[at..])
    } else {
        text
    };
    reads_like_bounce(&body[..body.len().min(OPENING_WITHIN)])
}

/// The lines of a bounce's text that report on the delivery: after the header a message
/// read flat starts with, and before a returned message starts (its header fields, or
/// the line that announces it).
pub fn report_lines(text: &str) -> impl Iterator<Item = &str> {
    body_lines(text).take_while(|l| !is_returned(l))
}

/// The lines of a text after the header a message read flat starts with.
pub fn body_lines(text: &str) -> impl Iterator<Item = &str> {
    // Blank lines may come before the header (a message saved with a stray line).
    let first = text.lines().position(|l| !l.trim().is_empty()).unwrap_or(0);
    let head = match text.lines().nth(first) {
        Some(l) if is_header(l) => (text.lines().skip(first))
            .position(|l| l.trim().is_empty())
            .map(|n| first + n),
        _ => None,
    };
    text.lines().skip(head.unwrap_or(0))
}

/// The part of a bounce's text that reports on the delivery ([`report_lines`]): the
/// bytes up to where a returned message starts. A quoted message that is itself a bounce
/// (a bounce forwarded inline) is read on, up to its own returned message.
pub fn report_part(body: &[u8]) -> &[u8] {
    report_part_at(body, 0)
}

fn report_part_at(body: &[u8], depth: u8) -> &[u8] {
    let report = report_only(body);
    let rest = &body[report.len()..];
    if depth < MAX_FORWARD_DEPTH && !rest.is_empty() && opens_like_bounce(rest) {
        let inner = report_part_at(rest, depth + 1).len();
        return &body[..report.len() + inner];
    }
    report
}

fn report_only(body: &[u8]) -> &[u8] {
    let text = crate::text::decode(body);
    let Some(last) = report_lines(&text).last() else {
        return &body[..0];
    };
    // Where the last report line ends, in the text; the same offset in the bytes where the
    // text is UTF-8, else (Latin-1 decoded) the same count of characters.
    let end = last.as_ptr() as usize - text.as_ptr() as usize + last.len();
    let end = match std::str::from_utf8(body) {
        Ok(_) => end,
        Err(_) => text[..end].chars().count(),
    };
    let rest = &body[end.min(body.len())..];
    let newline = rest
        .iter()
        .position(|&b| b == b'\n')
        .map_or(rest.len(), |n| n + 1);
    &body[..(end + newline).min(body.len())]
}

/// Where a returned message starts inside a bounce's text: its first header field, or
/// the line that announces it (`------ This is a copy of the message ...`).
pub fn is_returned(line: &str) -> bool {
    let name = line.split_once(':').map_or("", |(n, _)| n);
    let header = [
        "received",
        "return-path",
        "dkim-signature",
        "x-received",
        "message-id",
        "mime-version",
    ]
    .iter()
    .any(|h| name.eq_ignore_ascii_case(h));
    let t = line
        .trim_matches(|c: char| c.is_whitespace() || "-=*:.".contains(c))
        .to_ascii_lowercase();
    let announces = t == "returned message"
        || t == "undelivered message"
        || (t.starts_with("original message") && t.len() < 32)
        || t.starts_with("this is a copy of the message")
        || t.starts_with("below is a copy of")
        // qmail's (and Yahoo's) `--- Below this line is a copy of the message.`, the
        // DragonFly Mail Agent's `Message headers follow.`
        || t.starts_with("below this line is a copy of the message")
        || t == "message headers follow"
        // Smail's `|---- Message text follows: ----|` (notify.c).
        || t.trim_matches('|').trim_matches(|c: char| c == '-' || c == ':' || c == ' ') == "message text follows";
    header || announces
}

pub fn is_header(line: &str) -> bool {
    line.split_once(':').is_some_and(|(name, _)| {
        !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// How many bounces forwarded inside bounces are opened.
pub const MAX_FORWARD_DEPTH: u8 = 3;

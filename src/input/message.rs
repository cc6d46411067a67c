//! Input stage, for email: an mbox split into messages, each message's MIME structure walked
//! (mailparse decodes base64, quoted-printable and charsets) into the sections that matter.
//!
//! A bounce has up to three kinds of content: text for people (where MTAs without a DSN
//! write the failed address and the reply), a `message/delivery-status` report (RFC 3464,
//! RFC 6533), and the returned original message, whose Received headers and versions say
//! nothing about this delivery: it is left out.

use mailparse::{MailHeaderMap, ParsedMail};

/// A part of a message worth reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: Kind,
    /// The decoded content.
    pub body: Vec<u8>,
    /// 1-based line in the raw input where the content starts.
    pub line: usize,
    /// Whether lines in `body` are lines of the raw input (no transfer encoding undone), so
    /// that `line` + offset is exact.
    pub exact_lines: bool,
    /// How many bytes of `body` report on the delivery: for a text, up to where a returned
    /// message starts ([`report_part`]), worked out once for every reader; else all.
    pub report: usize,
}

impl Section {
    fn new(kind: Kind, body: Vec<u8>, line: usize, exact_lines: bool) -> Section {
        let report = match kind {
            Kind::Text => report_part(&body).len(),
            _ => body.len(),
        };
        Section {
            kind,
            body,
            line,
            exact_lines,
            report,
        }
    }

    /// The bytes of the body that report on the delivery (see [`Section::report`]).
    pub fn report(&self) -> &[u8] {
        &self.body[..self.report]
    }
}

/// What a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Text written for people (or a whole message without MIME structure).
    Text,
    /// A delivery-status report.
    Status,
    /// An abuse or feedback report (RFC 5965, ARF).
    Feedback,
}

/// One message of the input.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub sections: Vec<Section>,
    /// Addresses of the bounce's own From and To (the mailer daemon and the original
    /// sender): never the failed recipient.
    pub own_addresses: Vec<String>,
    /// Addresses of an `X-Failed-Recipients` header (Exim, Google).
    pub failed_recipients: Vec<String>,
    /// The Subject, decoded.
    pub subject: String,
    /// The From addresses.
    pub from: Vec<String>,
    /// The To addresses of the returned original message (or its headers).
    pub returned_to: Vec<String>,
    /// Whether the message says it is an automatic reply (RFC 3834 `Auto-Submitted`, or an
    /// out-of-office subject).
    pub auto_reply: bool,
}

/// Header fields that only a mail message starts with (RFC 5322, RFC 2045, MTA trace).
const MAIL_FIELDS: &[&str] = &[
    "from",
    "to",
    "cc",
    "subject",
    "date",
    "received",
    "return-path",
    "message-id",
    "mime-version",
    "content-type",
    "delivered-to",
    "x-original-to",
    "reply-to",
    "sender",
    "auto-submitted",
    "x-failed-recipients",
    "dkim-signature",
    "authentication-results",
    "arc-seal",
    "in-reply-to",
    "references",
    "envelope-to",
    "x-mailer",
    "precedence",
    "errors-to",
];

/// How much of an input is read to tell email from a log.
pub const HEAD: usize = 64 * 1024;

/// Whether `input` reads as an email message or an mbox rather than a log: it starts with
/// an mbox `From ` line, or with a header block (field lines, one of them a mail field such
/// as `Received` or `Subject`) that an empty line ends.
pub fn is_message(input: &[u8]) -> bool {
    sniff(input, false) == Some(true)
}

/// [`is_message`] on the start of an input of which `more` may follow: `None` while its
/// complete lines cannot tell yet. A log tells at its first line, so `tail -f` output is
/// not held back waiting for more.
pub fn sniff(input: &[u8], more: bool) -> Option<bool> {
    let head = &input[..input.len().min(HEAD)];
    let head = &head[blank_start(head).0..];
    if more && head.is_empty() {
        return None;
    }
    if head.starts_with(b"From ") {
        return Some(true);
    }
    if more && b"From ".starts_with(head) {
        return None;
    }
    let (mut fields, mut mail) = (0, false);
    let mut lines = head.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        if last && more {
            // Not ended yet: it may still grow.
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            // The empty piece after a final line break is not a blank line.
            return (!last).then_some(fields >= 2 && mail);
        }
        if matches!(line[0], b' ' | b'\t') && fields > 0 {
            continue;
        }
        let name_len = line.iter().position(|&b| b == b':').unwrap_or(0);
        let name = &line[..name_len];
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-') {
            return Some(false);
        }
        mail |= MAIL_FIELDS
            .iter()
            .any(|f| f.as_bytes().eq_ignore_ascii_case(name));
        fields += 1;
    }
    (!more).then_some(false)
}

/// The lines of white space an input starts with, as a message saved with a stray line
/// before its header does: their length in bytes and their number.
pub fn blank_start(input: &[u8]) -> (usize, usize) {
    let (mut at, mut lines) = (0, 0);
    while let Some(end) = input[at..].iter().position(|&b| b == b'\n') {
        if !input[at..at + end].iter().all(|b| b.is_ascii_whitespace()) {
            break;
        }
        at += end + 1;
        lines += 1;
    }
    (at, lines)
}

/// The messages of an mbox (`From ` lines at the start of a line separate them); a single
/// message is one.
pub fn split_mbox(input: &[u8]) -> Vec<(usize, &[u8])> {
    let (skip, skipped_lines) = blank_start(input);
    let input = &input[skip..];
    let mbox = input.starts_with(b"From ");
    let mut starts = vec![0];
    let mut line_starts = vec![1 + skipped_lines];
    let mut line = 1 + skipped_lines;
    for (i, &b) in input.iter().enumerate() {
        if b == b'\n' {
            line += 1;
            if mbox && input[i + 1..].starts_with(b"From ") {
                starts.push(i + 1);
                line_starts.push(line);
            }
        }
    }
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(input.len());
        let mut msg = &input[s..end];
        let mut first_line = line_starts[k];
        if msg.starts_with(b"From ") {
            let skip = msg
                .iter()
                .position(|&b| b == b'\n')
                .map_or(msg.len(), |p| p + 1);
            msg = &msg[skip..];
            first_line += 1;
        }
        if !msg.iter().all(u8::is_ascii_whitespace) {
            out.push((first_line, msg));
        }
    }
    out
}

/// The addresses in every field of these names, in order.
fn header_addresses(headers: &[mailparse::MailHeader], names: &[&str]) -> Vec<String> {
    names
        .iter()
        .flat_map(|name| headers.get_all_values(name))
        .flat_map(|value| crate::text::address::addresses(value.as_bytes()))
        .collect()
}

/// Walks one message; `first_line` is the line of the input where it starts. A message that
/// mailparse cannot read is one text section, scanned flat.
pub fn parse(raw: &[u8], first_line: usize) -> Message {
    let Ok(mail) = mailparse::parse_mail(raw) else {
        return Message {
            sections: vec![flat(raw, first_line)],
            ..Message::default()
        };
    };
    let own = header_addresses(
        &mail.headers,
        &["From", "To", "Return-Path", "Sender", "Reply-To"],
    );
    let failed = header_addresses(&mail.headers, &["X-Failed-Recipients"]);
    let subject = mail.headers.get_first_value("Subject").unwrap_or_default();
    let from = header_addresses(&mail.headers, &["From"]);
    let auto_submitted = mail
        .headers
        .get_first_value("Auto-Submitted")
        .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("auto-replied"));
    let lower = subject.to_ascii_lowercase();
    let away = [
        "auto reply",
        "auto-reply",
        "autoreply",
        "automatic reply",
        "out of office",
        "out of the office",
        "away until",
        "vacation",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let mut sections = Vec::new();
    let mut returned_to = Vec::new();
    walk(
        &mail,
        raw,
        first_line,
        &mut (&mut sections, &mut returned_to),
        0,
    );
    // The top-level headers hold no report, but a few MTAs put the diagnosis in them.
    if sections.is_empty() {
        sections.push(flat(raw, first_line));
    }
    // A returned message quoted in the text rather than attached: its To.
    if returned_to.is_empty() {
        returned_to = sections
            .iter()
            .filter(|s| s.kind == Kind::Text)
            .find_map(|s| quoted_to(&s.body[s.report..]))
            .unwrap_or_default();
    }
    Message {
        sections,
        own_addresses: own,
        failed_recipients: failed,
        subject,
        from,
        returned_to,
        auto_reply: auto_submitted || away,
    }
}

/// The lines that only a bounce's text holds, per mail system (`data/openings.tsv`): a text
/// that holds one is a bounce even without mail headers (pasted from a mail client).
pub const OPENINGS: &str = include_str!("../../data/openings.tsv");

/// The rows of [`OPENINGS`]: (system, opening in lower case, example line).
pub fn openings() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    OPENINGS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .filter_map(|l| {
            let mut cols = l.split('\t');
            Some((cols.next()?, cols.next()?, cols.next()?))
        })
}

/// How much of a text without mail headers is searched for a bounce's opening.
pub const PASTED_HEAD: usize = 16 * 1024;

/// Whether a text without mail headers reads like a bounce: one of the [`openings`] in
/// its first [`PASTED_HEAD`] bytes, and it does not start as a log does.
pub fn reads_like_bounce(head: &[u8]) -> bool {
    static OPENINGS: std::sync::OnceLock<regex_automata::meta::Regex> = std::sync::OnceLock::new();
    // One search for all of them over the text in lower case (their literals are the
    // prefilter), not one search per sentence, nor a case-blind automaton to build.
    let openings = OPENINGS.get_or_init(|| {
        let alternatives: Vec<String> = openings()
            .map(|(_, opening, _)| regex_syntax::escape(opening))
            .collect();
        crate::text::scanning_regex(&alternatives.join("|"))
    });
    let head = &head[..head.len().min(PASTED_HEAD)];
    !starts_like_log(head) && openings.is_match(&head.to_ascii_lowercase())
}

/// How much of a message's text, after its header, is searched for a bounce's opening.
const OPENING_WITHIN: usize = 2048;

/// Whether a message inside a bounce (attached, or quoted in its text) is itself a bounce:
/// the start of its text, after its header, holds a bounce's opening.
fn opens_like_bounce(message: &[u8]) -> bool {
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

/// Whether the first line that is not blank starts as a log line does: with a time
/// stamp (syslog's `Nov  1`, ISO 8601 and Exim's `2024-11-01`, epoch seconds, qmail's
/// TAI64N `@4000...`), an RFC 5424 priority (`<22>`) or a syslog tag.  Such an input is a log whatever
/// it quotes, and a log is never held back to look further.
pub fn starts_like_log(head: &[u8]) -> bool {
    const MONTHS: [&[u8]; 12] = [
        b"jan ", b"feb ", b"mar ", b"apr ", b"may ", b"jun ", b"jul ", b"aug ", b"sep ", b"oct ",
        b"nov ", b"dec ",
    ];
    let Some(line) = head
        .split(|&b| b == b'\n')
        .find(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
    else {
        return false;
    };
    // A syslog tag (`postfix/smtp[123]: `) without the time stamp, as `journalctl -o cat`
    // writes it.
    let tagged = crate::text::contains_ci(&line[..line.len().min(80)], b"]: ");
    match line.first() {
        _ if tagged => true,
        Some(b'0'..=b'9' | b'<' | b'@') => true,
        _ => MONTHS
            .iter()
            .any(|m| line.len() > 4 && line[..4].eq_ignore_ascii_case(m)),
    }
}

/// A bounce's text without mail headers, pasted from a mail client: one text section,
/// read as the text of a bounce is (the failed addresses it lists, the reply near each).
pub fn parse_pasted(raw: &[u8], first_line: usize) -> Message {
    let section = flat(raw, first_line);
    // The returned message quoted below the report names the recipient, as in an email.
    let returned_to = quoted_to(&section.body[section.report..]).unwrap_or_default();
    Message {
        sections: vec![section],
        returned_to,
        ..Message::default()
    }
}

fn flat(raw: &[u8], line: usize) -> Section {
    Section::new(Kind::Text, raw.to_vec(), line, true)
}

/// The To of a returned message quoted at the end of a bounce's text: `rest`, what follows
/// its report ([`report_part`]).
fn quoted_to(rest: &[u8]) -> Option<Vec<String>> {
    let text = crate::text::decode(rest);
    let to: Vec<String> = text
        .lines()
        .take(60)
        .filter_map(|l| l.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("to"))
        .flat_map(|(_, value)| crate::text::address::addresses(value.as_bytes()))
        .collect();
    (!to.is_empty()).then_some(to)
}

/// The body of the first text part of a message, decoded.
fn first_text(part: &ParsedMail) -> Option<Vec<u8>> {
    if part.subparts.is_empty() {
        let mime = part.ctype.mimetype.to_ascii_lowercase();
        return (mime.starts_with("text/") || mime.is_empty()).then(|| body_bytes(part));
    }
    part.subparts.iter().find_map(first_text)
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
const MAX_FORWARD_DEPTH: u8 = 3;

/// What a walk collects: the sections, and the To of the returned original message.
type Collect<'a> = (&'a mut Vec<Section>, &'a mut Vec<String>);

fn walk(part: &ParsedMail, raw: &[u8], first_line: usize, out: &mut Collect, depth: u8) {
    let mime = part.ctype.mimetype.to_ascii_lowercase();
    if !part.subparts.is_empty() {
        for sub in &part.subparts {
            walk(sub, raw, first_line, out, depth);
        }
        return;
    }
    // A bounce forwarded as an attachment (or wrapped by a filter that relays it): the
    // attached report is the one to read, whether a multipart/report or a text that reads
    // like a bounce.
    if mime == "message/rfc822" && depth < MAX_FORWARD_DEPTH {
        if let Ok(inner) = mailparse::parse_mail(part.get_body_encoded_raw()) {
            if inner
                .ctype
                .mimetype
                .eq_ignore_ascii_case("multipart/report")
                || first_text(&inner).is_some_and(|t| opens_like_bounce(&t))
            {
                walk(&inner, raw, first_line, out, depth + 1);
                return;
            }
        }
    }
    let kind = match mime.as_str() {
        "message/delivery-status" | "message/global-delivery-status" => Kind::Status,
        "message/feedback-report" => Kind::Feedback,
        // The returned original message or its headers: not about this delivery, but its
        // To names the recipient when nothing else does.
        "message/rfc822"
        | "message/global"
        | "text/rfc822-headers"
        | "message/rfc822-headers"
        | "message/global-headers" => {
            if let Ok((headers, _)) = mailparse::parse_headers(part.get_body_encoded_raw()) {
                if out.1.is_empty() {
                    *out.1 = header_addresses(&headers, &["To"]);
                }
                // Microsoft's complaint reports (JMRP) attach the message complained about,
                // naming the complaining recipient in this field, instead of an ARF part.
                if let Some(rcpt) = headers.get_first_value("X-HmXmrOriginalRecipient") {
                    out.0.push(Section::new(
                        Kind::Feedback,
                        format!("Original-Rcpt-To: {}\n", rcpt.trim()).into_bytes(),
                        first_line,
                        false,
                    ));
                }
            }
            return;
        }
        m if m.starts_with("text/") || m.is_empty() => Kind::Text,
        // Attachments, images, signatures.
        _ => return,
    };
    let offset = offset_in(raw, part.get_body_encoded_raw());
    let line = first_line
        + raw[..offset.min(raw.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
    let encoded = part
        .headers
        .get_first_value("Content-Transfer-Encoding")
        .is_some_and(|e| {
            let e = e.trim().to_ascii_lowercase();
            e == "base64" || e == "quoted-printable"
        });
    let body = match (kind, mime.as_str()) {
        (Kind::Text, "text/html") => strip_html(&body_bytes(part)),
        _ => body_bytes(part),
    };
    out.0.push(Section::new(
        kind,
        body,
        line,
        !encoded && mime != "text/html",
    ));
}

/// The decoded body: transfer encoding undone, the charset turned into UTF-8 where known.
fn body_bytes(part: &ParsedMail) -> Vec<u8> {
    let charset = part.ctype.charset.to_ascii_lowercase();
    let plain = matches!(
        charset.as_str(),
        "us-ascii" | "utf-8" | "utf8" | "ascii" | ""
    );
    if !plain {
        if let Ok(text) = part.get_body() {
            return text.into_bytes();
        }
    }
    part.get_body_raw()
        .unwrap_or_else(|_| part.get_body_encoded_raw().to_vec())
}

/// Where `inner`, a slice of `outer`, begins in it.
fn offset_in(outer: &[u8], inner: &[u8]) -> usize {
    let (o, i) = (outer.as_ptr() as usize, inner.as_ptr() as usize);
    if i >= o && i <= o + outer.len() {
        i - o
    } else {
        0
    }
}

/// Text of an HTML part: tags removed, line breaks kept at block ends, common entities read.
fn strip_html(html: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    let mut i = 0;
    while i < html.len() {
        match html[i] {
            b'<' => {
                let end = html[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(html.len(), |p| i + p + 1);
                let tag = html[i + 1..end.saturating_sub(1).max(i + 1)].to_ascii_lowercase();
                if [
                    &b"br"[..],
                    b"/p",
                    b"p",
                    b"/div",
                    b"/tr",
                    b"tr",
                    b"/li",
                    b"/h1",
                    b"/h2",
                    b"/h3",
                    b"/table",
                ]
                .iter()
                .any(|t| tag.starts_with(t))
                {
                    out.push(b'\n');
                }
                i = end;
            }
            b'&' => {
                let rest = &html[i..html.len().min(i + 8)];
                let (text, len): (&[u8], usize) = match () {
                    _ if rest.starts_with(b"&lt;") => (b"<", 4),
                    _ if rest.starts_with(b"&gt;") => (b">", 4),
                    _ if rest.starts_with(b"&amp;") => (b"&", 5),
                    _ if rest.starts_with(b"&nbsp;") => (b" ", 6),
                    _ if rest.starts_with(b"&quot;") => (b"\"", 6),
                    _ if rest.starts_with(b"&#64;") => (b"@", 5),
                    _ => (b"&", 1),
                };
                out.extend_from_slice(text);
                i += len;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

trait EncodedRaw {
    fn get_body_encoded_raw(&self) -> &[u8];
}

impl EncodedRaw for ParsedMail<'_> {
    /// The body bytes as they are in the input.
    fn get_body_encoded_raw(&self) -> &[u8] {
        match self.get_body_encoded() {
            mailparse::body::Body::Base64(b) | mailparse::body::Body::QuotedPrintable(b) => {
                b.get_raw()
            }
            mailparse::body::Body::SevenBit(b) | mailparse::body::Body::EightBit(b) => b.get_raw(),
            mailparse::body::Body::Binary(b) => b.get_raw(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_messages_from_logs() {
        assert!(is_message(b"From: a@b\nTo: c@d\nSubject: x\n\nbody"));
        assert!(is_message(
            b"From MAILER-DAEMON Mon Nov 23 10:00:00 2026\nFrom: a\n\nx"
        ));
        assert!(is_message(
            b"Return-Path: <>\r\nReceived: from x\r\n\tby y\r\nSubject: z\r\n\r\nbody"
        ));
        assert!(!is_message(
            b"Nov 23 09:14:02 mx1 postfix/smtp[21877]: 4Xk2: to=<bob@example.org>\n"
        ));
        assert!(!is_message(b"550 5.1.1 unknown\n"));
        assert!(!is_message(b"Status: 5.1.1\n"));
        assert!(!is_message(
            b"said: 5.1.99 x\nsaid: 9999 x\nStatus: 5.1.1000\n"
        ));
        assert!(!is_message(b"said: 1\nStatus: 2\n\nbody"), "no mail field");
        // While more may follow, a decision waits for complete lines.
        assert_eq!(sniff(b"Fro", true), None);
        assert_eq!(sniff(b"From x", true), Some(true));
        assert_eq!(sniff(b"Subject: x\nFrom: a", true), None);
        assert_eq!(sniff(b"Subject: x\nFrom: a\n\n", true), Some(true));
        assert_eq!(sniff(b"Nov 23 mx postfix/smtp[1]: to=<a@b>", true), None);
        assert_eq!(
            sniff(b"Nov 23 mx postfix/smtp[1]: to=<a@b>\n", true),
            Some(false)
        );
        assert_eq!(sniff(b"Subject: x\nFrom: a", false), Some(false));
        // A stray line of white space before the header.
        assert!(is_message(b"  \r\n\nFrom: a@b\nSubject: x\n\nbody"));
        assert_eq!(sniff(b" \n", true), None);
        let msgs = split_mbox(b" \nFrom: a@b\nSubject: x\n\nbody");
        assert_eq!(msgs, [(2, &b"From: a@b\nSubject: x\n\nbody"[..])]);
    }

    /// Every opening of the table is read by its own example, which is a bounce's line.
    #[test]
    fn each_opening_reads_its_example_as_a_bounce() {
        let mut systems: Vec<&str> = Vec::new();
        let rows: Vec<_> = openings().collect();
        assert!(rows.len() > 60, "{}", rows.len());
        for (system, opening, example) in rows {
            assert_eq!(opening, opening.to_lowercase(), "{system}: lower case");
            assert!(!opening.trim().is_empty(), "{system}");
            assert!(
                example.to_lowercase().contains(opening),
                "{system}: {example:?} does not hold {opening:?}"
            );
            assert!(reads_like_bounce(example.as_bytes()), "{system}: {example}");
            if !systems.contains(&system) {
                systems.push(system);
            }
        }
        println!("openings of {} mail systems: {systems:?}", systems.len());
    }

    #[test]
    fn a_pasted_bounce_is_told_from_a_log_that_quotes_one() {
        let pasted = b"\nThis is the mail system at host mx.example.net.\n\n<a@b.c>: ...";
        assert!(reads_like_bounce(pasted));
        for log in [
            "Nov  1 00:00:00 mx postfix/bounce[1]: This is the mail system at host x",
            "2024-11-01 00:00:00 1tA-0 ** a@b.c: This is the mail system at host x",
            "<22>1 2024-11-01T00:00:00Z mx postfix - - - This is the mail system at host",
            "postfix/smtp[12]: to=<a@b.c>, This is the mail system at host x",
            "@4000000065f1a2b3 delivery 1: This is the mail system at host x",
        ] {
            assert!(starts_like_log(log.as_bytes()), "{log}");
            assert!(!reads_like_bounce(log.as_bytes()), "{log}");
        }
        assert!(!reads_like_bounce(b"Hello,\nthe meeting is at noon.\n"));
    }

    #[test]
    fn splits_an_mbox() {
        let mbox = b"From a Mon\nSubject: one\n\nbody 1\nFrom b Tue\nSubject: two\n\nbody 2\n";
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], (2, &b"Subject: one\n\nbody 1\n"[..]));
        assert_eq!(msgs[1].0, 6);
    }

    #[test]
    fn walks_parts_and_skips_the_returned_message() {
        let raw = b"From: MAILER-DAEMON@x.example\nTo: me@y.example\nContent-Type: multipart/report; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\nsorry\n--B\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\n--B\nContent-Type: message/rfc822\n\nX-Mailer: Foo 5.2.1\n--B--\n";
        let m = parse(raw, 1);
        assert_eq!(
            m.sections.iter().map(|s| s.kind).collect::<Vec<_>>(),
            [Kind::Text, Kind::Status]
        );
        assert_eq!(m.sections[0].line, 8);
        assert_eq!(m.sections[1].body, b"Status: 5.1.1");
        assert!(m.own_addresses.contains(&"me@y.example".to_string()));
    }

    #[test]
    fn decodes_quoted_printable_and_base64() {
        let raw = b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain\nContent-Transfer-Encoding: quoted-printable\n\nsaid: 550 5.1.=\n1 unknown\n--B\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\nU3RhdHVzOiA1LjIuMg==\n--B--\n";
        let m = parse(raw, 1);
        assert_eq!(m.sections[0].body, b"said: 550 5.1.1 unknown");
        assert_eq!(m.sections[1].body, b"Status: 5.2.2");
        assert!(!m.sections[0].exact_lines);
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            strip_html(b"<p>550 5.1.1 &lt;a&#64;b&gt;</p><br>x"),
            b"\n550 5.1.1 <a@b>\n\nx"
        );
    }
}

//! Input stage, for email: an mbox split into messages, each message's MIME structure walked
//! (mailparse decodes base64, quoted-printable and charsets) into the sections that matter.
//!
//! A bounce has up to three kinds of content: text for people (where MTAs without a DSN
//! write the failed address and the reply), a `message/delivery-status` report (RFC 3464,
//! RFC 6533), and the returned original message, whose Received headers and versions say
//! nothing about this delivery: it is left out.

use super::bounce_text::{opens_like_bounce, report_part, MAX_FORWARD_DEPTH};
use super::html::strip_html;
use super::sniff::blank_start;
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
    /// A mailing list's own addresses, as the bounce's or the returned message's list
    /// header fields name them (`List-Post`, `X-BeenThere`): never a failed recipient.
    pub list_addresses: Vec<String>,
    /// Whether the message says it is an automatic reply (RFC 3834 `Auto-Submitted`, or an
    /// out-of-office subject).
    pub auto_reply: bool,
    /// Whether its Return-Path is null (`<>`, or a bare `<MAILER-DAEMON>`): a notice about
    /// delivery is sent so (RFC 5321 §4.5.5), and the final mail system records it there.
    pub null_sender: bool,
    /// Whether it is a bounce's text pasted without its header ([`parse_pasted`]).
    pub pasted: bool,
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
    let failed = (mail.headers.get_all_values("X-Failed-Recipients").iter())
        .flat_map(|v| {
            v.split(',')
                .filter_map(crate::input::dsn::field_address)
                .collect::<Vec<_>>()
        })
        .collect();
    let subject = mail.headers.get_first_value("Subject").unwrap_or_default();
    let from = header_addresses(&mail.headers, &["From"]);
    let null_sender = mail
        .headers
        .get_first_value("Return-Path")
        .is_some_and(|v| {
            let path = v
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .trim();
            path.is_empty() || path.eq_ignore_ascii_case("mailer-daemon")
        });
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
    let mut list_addresses = header_addresses(&mail.headers, &LIST_FIELDS);
    walk(
        &mail,
        raw,
        first_line,
        &mut (&mut sections, &mut returned_to, &mut list_addresses),
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
    for s in sections.iter().filter(|s| s.kind == Kind::Text) {
        list_addresses.extend(quoted_fields(&s.body[s.report..], &LIST_FIELDS));
    }
    Message {
        sections,
        own_addresses: own,
        failed_recipients: failed,
        subject,
        from,
        returned_to,
        list_addresses,
        auto_reply: auto_submitted || away,
        null_sender,
        pasted: false,
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
        pasted: true,
        ..Message::default()
    }
}

fn flat(raw: &[u8], line: usize) -> Section {
    Section::new(Kind::Text, raw.to_vec(), line, true)
}

/// The To of a returned message quoted at the end of a bounce's text: `rest`, what follows
/// its report ([`report_part`]).
fn quoted_to(rest: &[u8]) -> Option<Vec<String>> {
    let to = quoted_fields(rest, &["To"]);
    (!to.is_empty()).then_some(to)
}

/// The addresses of the fields of these names in the header of a returned message quoted
/// at the end of a bounce's text (its first 60 lines; `> ` quoting is read through).
fn quoted_fields(rest: &[u8], names: &[&str]) -> Vec<String> {
    let text = crate::text::decode(rest);
    text.lines()
        .take(60)
        .filter_map(|l| l.trim_start_matches(['>', ' ']).split_once(':'))
        .filter(|(name, _)| names.iter().any(|n| name.trim().eq_ignore_ascii_case(n)))
        .flat_map(|(_, value)| crate::text::address::addresses(value.as_bytes()))
        .collect()
}

/// The header fields in which a mailing list names its own addresses (RFC 2369 `List-Post`,
/// Mailman's `X-BeenThere`).
const LIST_FIELDS: [&str; 3] = ["List-Post", "X-BeenThere", "X-Mailing-List"];

/// The body of the first text part of a message, decoded.
fn first_text(part: &ParsedMail) -> Option<Vec<u8>> {
    if part.subparts.is_empty() {
        let mime = part.ctype.mimetype.to_ascii_lowercase();
        return (mime.starts_with("text/") || mime.is_empty()).then(|| body_bytes(part));
    }
    part.subparts.iter().find_map(first_text)
}

/// What a walk collects: the sections, the To of the returned original message, and the
/// list addresses its header names.
type Collect<'a> = (
    &'a mut Vec<Section>,
    &'a mut Vec<String>,
    &'a mut Vec<String>,
);

fn walk(part: &ParsedMail, raw: &[u8], first_line: usize, out: &mut Collect, depth: u8) {
    let mime = part.ctype.mimetype.to_ascii_lowercase();
    if !part.subparts.is_empty() {
        // In a report that has its own delivery-status part, the attached message is the
        // returned one (RFC 6522 §3), even where it is itself a bounce: not opened.
        let status = |p: &ParsedMail| {
            let m = p.ctype.mimetype.to_ascii_lowercase();
            m == "message/delivery-status" || m == "message/global-delivery-status"
        };
        let depth = if mime == "multipart/report" && part.subparts.iter().any(status) {
            MAX_FORWARD_DEPTH
        } else {
            depth
        };
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
                out.2.extend(header_addresses(&headers, &LIST_FIELDS));
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
    fn splits_an_mbox() {
        let mbox = b"From a Mon\nSubject: one\n\nbody 1\nFrom b Tue\nSubject: two\n\nbody 2\n";
        let msgs = split_mbox(mbox);
        assert_eq!(msgs.len(), 2);
        assert_eq!(msgs[0], (2, &b"Subject: one\n\nbody 1\n"[..]));
        assert_eq!(msgs[1].0, 6);
        let msgs = split_mbox(b" \nFrom: a@b\nSubject: x\n\nbody");
        assert_eq!(msgs, [(2, &b"From: a@b\nSubject: x\n\nbody"[..])]);
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
}

//! Extract stage, addresses: which email address a reply or a report is about.

use crate::text;
use regex::bytes::Regex;
use std::sync::OnceLock;

/// An address as mail software writes it, bare or in angle brackets.
/// A quoted local part (`"john..doe"@example.org`, RFC 5321 §4.1.2) keeps its quotes.
const ADDRESS: &str =
    r#"(?:"[^"\s<>@]{1,64}"|[A-Za-z0-9._%+'=/!#$&*?^`{|}~-]+)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"#;

fn any_address() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!("(?-u){ADDRESS}")).expect("valid regex"))
}

/// An address cleaned for output: lower case, no trailing dot, no control characters.
pub fn normalize(raw: &[u8]) -> String {
    let address = text::clean(raw, 254);
    address
        .trim_end_matches('.')
        .trim_start_matches('\'')
        .to_ascii_lowercase()
}

/// Every address in `bytes`, in order, without duplicates.
pub fn addresses(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in any_address().find_iter(bytes) {
        let a = normalize(m.as_bytes());
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// Addresses a text lists one to a line, as bounces name failed recipients: at the start
/// of a line (`  bob@example.org`, `<bob@example.org>: Domain does not exist`,
/// `bob@example.org [User unknown]`, `bob@example.org on Thu, ...`) or ending a line after
/// a label (`Unknown user: bob@example.org`, `Could not be delivered to: <bob@example.org>`).
/// Lines naming a sender (`From:`, `MAIL FROM`) are skipped.
pub fn listed(text: &[u8]) -> Vec<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        let start = format!(
            r"^[ \t>*]*<?({ADDRESS})>?(?:[:,;.]?[ \t\r]*$|[ \t]+(?:on\b|\(|\[|\.\.\.)|:[ \t])"
        );
        let end = format!(r"[A-Za-z)]:[ \t]*<?({ADDRESS})>?[.,;]?[ \t\r]*$");
        Regex::new(&format!("(?m-u){start}|{end}")).expect("valid regex")
    });
    let mut out: Vec<String> = Vec::new();
    for line in text.split(|&b| b == b'\n') {
        if is_sender_line(line) {
            continue;
        }
        let Some(c) = re.captures(line) else { continue };
        let Some(m) = c.get(1).or(c.get(2)) else {
            continue;
        };
        let a = normalize(m.as_bytes());
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// Lines that name the sender or the message, not a recipient.
pub fn is_sender_line(line: &[u8]) -> bool {
    let l = line.to_ascii_lowercase();
    let t = l.trim_ascii_start();
    let starts = [
        "from:",
        "reply-to:",
        "sender:",
        "return-path:",
        "message-id:",
        "in-reply-to:",
        "references:",
        "mail from",
        "x-",
        "envelope-from",
        "reporting-mta",
        "received:",
        "errors-to:",
        "delivered-to:",
    ];
    starts.iter().any(|p| t.starts_with(p.as_bytes()))
}

/// The address a unit is about: Postfix `to=<…>`, Exim `** addr`, else the first `<…>`
/// (or bare) address that is not a sender's (`from=<…>`, `MAIL FROM:<…>`).
pub fn recipient(unit: &[u8]) -> Option<String> {
    static RE: OnceLock<[Regex; 3]> = OnceLock::new();
    let [to, exim, any] = RE.get_or_init(|| {
        [
            Regex::new(r"(?i-u)\bto=<([^<>\s@]+@[^<>\s@]+)>").expect("valid regex"),
            Regex::new(r"(?-u)^\*\* ([^<>\s@]+@[A-Za-z0-9.-]+)").expect("valid regex"),
            Regex::new(&format!(r"(?i-u)(from[=:]\s*)?<?({ADDRESS})")).expect("valid regex"),
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
    Some(normalize(&found))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn finds_addresses_listed_one_to_a_line() {
        let text = b"was not delivered to:\n\n  kijitora@example.jp\n<b@x.example>:\nc@x.example on Thu, 29 Apr\nwrite to e@x.example now\nUnknown user: f@x.example\ng@x.example [User unknown]\nh@x.example: Domain does not exist\nFrom: me@x.example\n";
        assert_eq!(
            listed(text),
            [
                "kijitora@example.jp",
                "b@x.example",
                "c@x.example",
                "f@x.example",
                "g@x.example",
                "h@x.example"
            ]
        );
    }

    #[test]
    fn lists_addresses_once() {
        assert_eq!(
            addresses(b"<A@x.example> and a@x.example, \"b@y.example\"."),
            ["a@x.example", "b@y.example"]
        );
    }
}

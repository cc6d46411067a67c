//! Extract stage, recipients: which email address a reply or a report is about.

use crate::text;
use crate::text::address::{normalize, too_long, ADDRESS};
use regex_automata::meta::Regex;
use regex_automata::Input;
use std::sync::OnceLock;

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
    recipient_bytes(unit).map(normalize)
}

/// [`recipient`] as the raw bytes of the unit, not yet cleaned or lower-cased.
pub fn recipient_bytes(unit: &[u8]) -> Option<&[u8]> {
    static RE: OnceLock<[Regex; 2]> = OnceLock::new();
    let [exim, any] = RE.get_or_init(|| {
        [
            text::regex(r"(?-u)^\*\* ([^<>\s@]+@[A-Za-z0-9.-]+)"),
            text::scanning_regex(&format!(r"(?i-u)(from[=:]\s*)?<?({ADDRESS})")),
        ]
    });
    if let Some(a) = to_field(unit) {
        return Some(a);
    }
    if unit.starts_with(b"** ") {
        let mut caps = exim.create_captures();
        exim.captures(unit, &mut caps);
        if caps.is_match() {
            return caps.get_group(1).map(|m| &unit[m.range()]);
        }
    }
    if let Some(a) = exim_field(unit) {
        return Some(a);
    }
    any_match(any, unit)
}

/// What the last step of [`recipient_bytes`] finds: the first address that no `from=` or
/// `from:` introduces.
fn any_match<'u>(any: &Regex, unit: &'u [u8]) -> Option<&'u [u8]> {
    // The first match whose `from` group is empty, without capturing groups where the
    // match cannot have one: captures run a slower engine.
    any.find_iter(unit).find_map(|m| {
        let t = &unit[m.range()];
        let from =
            t.len() > 5 && t[..4].eq_ignore_ascii_case(b"from") && matches!(t[4], b'=' | b':');
        if !from {
            let address = t.strip_prefix(b"<").unwrap_or(t);
            return (!too_long(address)).then_some(address);
        }
        let mut caps = any.create_captures();
        any.search_captures(&Input::new(unit).range(m.start()..), &mut caps);
        if caps.get_group(1).is_some() {
            return None;
        }
        caps.get_group(2)
            .map(|m| &unit[m.range()])
            .filter(|address| !too_long(address))
    })
}

/// The address after an Exim log flag (`** `, `=> `, `-> `, `== `: failed, delivered,
/// delivered too, deferred) when no `@` comes before the flag: then it is the first address
/// of the unit, as the general search would find it, found without a regex. `None` where
/// the shape is not that simple, to leave the case to the general search.
fn exim_field(unit: &[u8]) -> Option<&[u8]> {
    // The first line only: spaces up to its end, without looking for the end first.
    let flag = memchr::memchr2_iter(b' ', b'\n', unit)
        .take_while(|&i| unit[i] == b' ')
        .find(|&i| {
            matches!(
                unit.get(i + 1..i + 4),
                Some(b"** " | b"=> " | b"-> " | b"== ")
            )
        })?;
    if memchr::memchr(b'@', &unit[..flag]).is_some() {
        return None;
    }
    let rest = &unit[flag + 4..];
    let local_byte = |b: &u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'.' | b'_'
                    | b'%'
                    | b'+'
                    | b'\''
                    | b'='
                    | b'/'
                    | b'!'
                    | b'#'
                    | b'$'
                    | b'&'
                    | b'*'
                    | b'?'
                    | b'^'
                    | b'`'
                    | b'{'
                    | b'|'
                    | b'}'
                    | b'~'
                    | b'-'
            )
    };
    let label_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-';
    let local = rest.iter().take_while(|b| local_byte(b)).count();
    // A `from=` inside the local part would make the general search pass the address over.
    let from = rest[..local]
        .windows(5)
        .any(|w| w.eq_ignore_ascii_case(b"from="));
    if local == 0 || rest.get(local) != Some(&b'@') || from {
        return None;
    }
    // Labels joined by dots, at least two; a dot not followed by a label ends the domain.
    let mut end = local + 1;
    let mut labels = 0;
    loop {
        let label = rest[end..].iter().take_while(|b| label_byte(b)).count();
        if label == 0 {
            break;
        }
        end += label;
        labels += 1;
        if rest.get(end) == Some(&b'.') && rest.get(end + 1).is_some_and(label_byte) {
            end += 1;
        } else {
            break;
        }
    }
    (labels >= 2).then(|| &rest[..end])
}

/// The address of a `to=<…>` field (any case): what the regular expression
/// `(?i-u)\bto=<([^<>\s@]+@[^<>\s@]+)>` finds, written out because Postfix and Sendmail
/// logs name the recipient this way on every delivery line.
pub fn to_field(unit: &[u8]) -> Option<&[u8]> {
    let not_address = |b: &u8| {
        matches!(
            b,
            b'<' | b'>' | b'@' | b'\t' | b'\n' | b'\r' | b' ' | 0x0B | 0x0C
        )
    };
    let mut from = 0;
    while let Some(lt) = memchr::memchr(b'<', &unit[from..]) {
        let at = from + lt;
        from = at + 1;
        if at == 0 || unit[at - 1] != b'=' {
            continue;
        }
        let at = at - 1;
        if at < 2 || !unit[at - 2..at].eq_ignore_ascii_case(b"to") {
            continue;
        }
        if at > 2 && (unit[at - 3].is_ascii_alphanumeric() || unit[at - 3] == b'_') {
            continue;
        }
        let rest = &unit[at + 2..];
        let local = rest.iter().take_while(|b| !not_address(b)).count();
        if local == 0 || rest.get(local) != Some(&b'@') {
            continue;
        }
        let domain = rest[local + 1..]
            .iter()
            .take_while(|b| !not_address(b))
            .count();
        let end = local + 1 + domain;
        if domain > 0 && rest.get(end) == Some(&b'>') {
            return Some(&rest[..end]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::address::addresses;

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

    /// The Exim shortcut gives what the general search gives, wherever it answers.
    #[test]
    fn the_exim_shortcut_agrees_with_the_general_search() {
        let any = text::regex(&format!(r"(?i-u)(from[=:]\s*)?<?({ADDRESS})"));
        let pieces: &[&str] = &[
            "2024-11-01 00:00:00 1abc-2def-gh",
            " ** ",
            " => ",
            " -> ",
            " == ",
            " <= ",
            "bob",
            "@",
            "ex",
            ".",
            "org",
            "-",
            "<",
            ">",
            " ",
            "from=",
            "a.b",
            "=",
            "\"q\"",
            "_",
            "\n",
            "R=dnslookup",
            "é",
            "x@y.z",
            ":",
        ];
        let (mut state, mut answered) = (0x1234_5678_u64, 0);
        for _ in 0..50_000 {
            let line: Vec<u8> = (0..12)
                .flat_map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    pieces[(state % pieces.len() as u64) as usize].bytes()
                })
                .collect();
            if let Some(fast) = exim_field(&line) {
                answered += 1;
                assert_eq!(
                    Some(fast),
                    any_match(&any, &line),
                    "{:?}",
                    String::from_utf8_lossy(&line)
                );
            }
        }
        assert!(answered > 500, "only {answered} lines took the shortcut");
        let exim =
            b"2024-11-01 00:00:00 2wnpoj-86dj6y-gG ** eve-9281@example.org R=dnslookup: 550 5.1.1";
        assert_eq!(exim_field(exim), Some(&b"eve-9281@example.org"[..]));
    }

    #[test]
    fn a_quoted_local_part_holds_64_characters_at_most() {
        let quoted = |n: usize| format!("<\"{}\"@x.example> and c@x.example", "j".repeat(n));
        let at_most = quoted(64);
        assert_eq!(addresses(at_most.as_bytes())[0], at_most[1..77]);
        assert_eq!(addresses(quoted(65).as_bytes()), ["c@x.example"]);
        assert_eq!(
            recipient(quoted(65).as_bytes()).as_deref(),
            Some("c@x.example")
        );
        let line = |n: usize| format!("  \"{}\"@x.example", "j".repeat(n));
        let listed = crate::extract::listed::listed;
        assert!(listed(line(65).as_bytes()).is_empty());
        assert_eq!(listed(line(64).as_bytes()).len(), 1);
    }
}

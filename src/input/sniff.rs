//! Input stage, telling what an input is: an email (mail header fields or an mbox `From `
//! line), a bounce's text pasted without its header (one of the openings a mail system's
//! bounce starts with, `data/openings.tsv`), or else a log.

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
}

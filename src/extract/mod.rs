//! Extract stage: every basic reply code and enhanced status code in a byte buffer.
//!
//! Takes in bytes (a message section, a log chunk) cut into units by
//! [`crate::input::unit`]; hands on [`Found`] replies (codes, line, text, recipient) to the
//! decode stage. Within a unit, [`scan`] finds candidates; each is kept only if its
//! surroundings read like an SMTP reply ([`accept`]), so IP addresses, versions, dates, sizes
//! and numbers inside words are not codes. A basic code directly followed by an enhanced
//! code of the same class is one reply, and codes that repeat within a unit are one finding
//! ([`replies`]). [`recipient`] says which address a unit is about, [`listed`] which
//! addresses a bounce's text says failed; [`code`] holds the code
//! types every later stage uses; [`stamp`] reads a log line's day and remote host for the
//! summary.

pub(crate) mod accept;
pub mod code;
pub(crate) mod listed;
pub(crate) mod recipient;
pub(crate) mod replies;
pub(crate) mod scan;
pub(crate) mod stamp;

use crate::input::stream::Chunk;
use crate::input::unit::{Unit, Units};
use crate::text;
use code::Enhanced;
use replies::{find_replies, Seen};
pub use replies::{BasicAt, EnhancedAt, Reply};
use std::collections::HashMap;

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
    /// For a bounce without codes, the words its code was inferred from.
    pub inferred: Option<String>,
}

/// The most characters of reply text kept per finding.
const MAX_TEXT: usize = 300;

/// Every finding in `input`, in order.
pub fn extract(input: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    for_each_unit(input, |unit| out.extend(unit.findings()));
    out
}

/// Calls `f` for every unit of `input` that holds at least one reply, in order. This is the
/// cheap way through a log: a reply's text and recipient are only worked out on demand.
pub fn for_each_unit(input: &[u8], mut f: impl FnMut(&UnitReplies)) {
    // One set of buffers for all units: most units hold no reply, the rest one or two.
    let (mut replies, mut seen) = (Vec::new(), Seen::default());
    for unit in Units::new(input) {
        let dsn = find_replies(input, unit, &mut replies, &mut seen);
        if !replies.is_empty() {
            let found = UnitReplies {
                input,
                unit,
                replies: std::mem::take(&mut replies),
                dsn,
            };
            f(&found);
            replies = found.replies;
        }
    }
}

/// The replies found in one unit.
pub struct UnitReplies<'a> {
    input: &'a [u8],
    unit: Unit,
    pub replies: Vec<Reply>,
    /// The enhanced code of the unit's first `dsn=` field (Postfix, Sendmail logs).
    pub dsn: Option<Enhanced>,
}

impl UnitReplies<'_> {
    /// The bytes of the unit.
    pub fn bytes(&self) -> &[u8] {
        &self.input[self.unit.start..self.unit.end]
    }

    /// The address the unit is about, if it names one.
    pub fn recipient(&self) -> Option<String> {
        recipient::recipient(self.bytes())
    }

    /// The raw bytes of the unit from where a reply starts.
    pub fn bytes_from(&self, reply: &Reply) -> &[u8] {
        &self.input[reply.start().max(self.unit.start)..self.unit.end]
    }

    /// The reply text of a reply, cleaned for display: from its basic code when it has
    /// one, else from the start of the unit (or the code, when that is far in).
    pub fn text(&self, reply: &Reply) -> String {
        let start = reply.start().max(self.unit.start);
        let (text_from, code_at) = match &reply.basic {
            Some((_, r)) => (r.start, r.start),
            None => (self.unit.start, start),
        };
        let text_from = if code_at - text_from > MAX_TEXT {
            code_at
        } else {
            text_from
        };
        text::balance(text::clean(&self.input[text_from..self.unit.end], MAX_TEXT))
    }

    /// The findings of the unit, with their line, text and recipient: the address on the
    /// code's own line, else the one the unit is about. Linear in the unit's length however
    /// many replies it holds (the line breaks are indexed once, each line searched once).
    pub fn findings(&self) -> impl Iterator<Item = Found> + '_ {
        self.addressed().map(move |(k, r, recipient)| Found {
            line: self.unit.line + k,
            basic: r.basic.clone(),
            enhanced: r.enhanced.clone(),
            text: self.text(r),
            recipient,
            inferred: None,
        })
    }

    /// Each reply with the line of the unit it starts on (0-based) and the address it is
    /// about, as [`UnitReplies::findings`] gives them, without their texts.
    pub fn addressed(&self) -> impl Iterator<Item = (usize, &Reply, Option<String>)> + '_ {
        let recipient = if self.replies.is_empty() {
            None
        } else {
            self.recipient()
        };
        let (start, end) = (self.unit.start, self.unit.end);
        let breaks: Vec<usize> = memchr::memchr_iter(b'\n', self.bytes())
            .map(|i| start + i)
            .collect();
        let mut own: HashMap<usize, Option<String>> = HashMap::new();
        self.replies.iter().map(move |r| {
            let at = r.start().max(start);
            let k = breaks.partition_point(|&b| b < at);
            // In a one-line unit the line's address is the unit's.
            let line_address = if breaks.is_empty() {
                None
            } else {
                let from = if k == 0 { start } else { breaks[k - 1] + 1 };
                let to = breaks.get(k).copied().unwrap_or(end);
                own.entry(k)
                    .or_insert_with(|| recipient::recipient(&self.input[from..to]))
                    .clone()
            };
            (k, r, line_address.or_else(|| recipient.clone()))
        })
    }
}

/// Log mode (the stream's tests): every finding of the log `reader` gives, in order, with its line in the whole
/// input, handed to `sink` (in batches: one per chunk).
#[cfg(test)]
pub fn log_findings<R: std::io::Read + Send>(
    reader: R,
    options: crate::input::stream::Options,
    mut sink: impl FnMut(Vec<Found>) -> std::io::Result<()>,
) -> Result<(), crate::input::stream::Failure> {
    crate::input::stream::for_each_chunk(reader, options, chunk_findings, &mut sink, &mut |_| {})
}

/// The findings of one chunk, placed in the whole input.
pub fn chunk_findings(chunk: &Chunk) -> Vec<Found> {
    let mut found = extract(&chunk.bytes);
    place(&mut found, chunk);
    found
}

/// Places findings extracted from one chunk's bytes in the whole input: their lines and
/// their codes' spans.
pub fn place(found: &mut [Found], chunk: &Chunk) {
    for f in found {
        f.line += chunk.first_line - 1;
        for r in [
            f.basic.as_mut().map(|b| &mut b.1),
            f.enhanced.as_mut().map(|e| &mut e.1),
        ]
        .into_iter()
        .flatten()
        {
            *r = r.start + chunk.offset..r.end + chunk.offset;
        }
    }
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
                "mx [192.0.2.25] did not like our RCPT TO:525 5.7.13 <x@example.org>: disabled",
                &["525 5.7.13"],
            ),
            (
                "554 4.4.7 Message expired: unable to deliver.<421 4.4.2 Connection timed out>",
                &["554", "4.4.7", "421 4.4.2"],
            ),
            (
                "<bob@example.org>... 550 Requested action not taken",
                &["550"],
            ),
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

    /// Postfix wraps a remote reply in its bounce text: the basic code ends one line and the
    /// enhanced code starts the indented line that continues it. One reply, not two.
    #[test]
    fn a_reply_folded_after_its_basic_code_is_one_reply() {
        let folded = "<bob@example.org>: host mx.example.org[192.0.2.1] said: 550\n    5.1.1 <bob@example.org>: Recipient address rejected: User unknown\n";
        assert_eq!(codes(folded), ["550 5.1.1"]);
        assert_eq!(codes(&folded.replace('\n', "\r\n")), ["550 5.1.1"]);
        // Not a fold: the next line is not indented (a new unit), or a blank line between.
        assert_eq!(codes("said: 550\n5.1.1 x\n"), ["550", "5.1.1"]);
        assert_eq!(codes("said: 550\n\n    5.1.1 x\n"), ["550", "5.1.1"]);
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
            "Received: from a.example.net ([192.0.2.8] verified)\n  by mx.example.com (CommuniGate Pro SMTP 4.2.8)\n  with SMTP id 2532598 for bob@example.com; Wed, 23 Feb 2005 17:51:49 -0500",
            "received: by mx.example.com (Acme ESMTP 5.1.1) id 550; Wed, 23 Feb 2005 17:51:49 -0500",
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
    fn labelled_and_colon_replies() {
        assert_eq!(
            codes(
                "kijitora@example.co.jp Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <k@x>"
            ),
            ["550", "5.1.1"]
        );
        assert_eq!(codes("550: <otsu@ezweb.ne.jp>: User unknown"), ["550"]);
        assert_eq!(codes("port:550, time:421 ms"), Vec::<String>::new());
    }

    #[test]
    fn sendmail_nested_reply() {
        assert_eq!(
            codes("554 <kuroneko@example.or.jp>... 550 Host unknown (Authoritative answer)"),
            ["554", "550"]
        );
    }

    #[test]
    fn binary_and_latin1_input_is_read() {
        let mut input = b"\xff\xfe\x00garbage 550 5.1.1 utilisateur inconnu \xe9\n".to_vec();
        input.extend_from_slice(&[0u8; 64]);
        assert_eq!(codes(&String::from_utf8_lossy(&input)), ["550 5.1.1"]);
        assert_eq!(extract(&input).len(), 1);
    }
}

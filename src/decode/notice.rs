//! Decode stage, per message: what kind of notice a message is, a delivery failure or a
//! delay (a message still queued and retried), by its Subject or its report's words
//! (`data/delays.tsv`), for a bounce that gives no code to tell.

use crate::input::message::{Kind, Message};

/// Whether a message says it is a delivery failure (or delay) notice: by its subject, as
/// mail systems title them, or by the opening of its text.
pub fn is_failure_notice(msg: &Message) -> bool {
    let subject = msg.subject.to_lowercase();
    let titled = [
        "undeliver",
        "not delivered",
        "delivery fail",
        "delivery status notification",
        "failure notice",
        "returned mail",
        "mail delivery failed",
        "delivery problem",
        "delivery warning",
        "could not be delivered",
        "unable to deliver",
        "nondeliverable",
        "non-deliverable",
        "mail system error",
        // Exchange's titles in other languages (fr, de, it, nl old and new, es, pt).
        "non remis",
        "unzustellbar",
        "non recapitabile",
        "onbestelbaar",
        "niet bezorgd",
        "no se puede entregar",
        "não é possível entregar",
    ]
    .iter()
    .any(|w| subject.contains(w));
    titled
        || (msg.sections.iter())
            .any(|s| s.kind == Kind::Text && crate::input::sniff::reads_like_bounce(&s.body))
}

/// Whether a message presents itself as a mail system's report on delivery, so that its
/// text's lists and bare address lines can name failed recipients: a failure or delay
/// notice by its title or opening ([`is_failure_notice`]), a delivery-status report, an
/// `X-Failed-Recipients` header, a null Return-Path, a sender that is a mail system's own
/// mailbox (`MAILER-DAEMON`, `postmaster`), or a bounce's text pasted without its header;
/// an automatic reply only by its words. An ordinary message that quotes an address on a
/// line of its own states no failure.
pub fn is_delivery_report(msg: &Message) -> bool {
    let mailer = |a: &String| {
        let local = a.split('@').next().unwrap_or("");
        // Exchange Online sends its reports from `MicrosoftExchange329e71ec...@` the domain,
        // MDaemon from `MDaemon@` its domain.
        super::roles::is_mailer_daemon(a)
            || local.starts_with("microsoftexchange")
            || ["mailerdaemon", "mdaemon", "postmaster"].contains(&local)
    };
    // An automatic reply is sent with a null Return-Path too (RFC 3834 §3.3): only its
    // words can make it a failure notice.
    if msg.auto_reply {
        return is_failure_notice(msg);
    }
    msg.pasted
        || msg.null_sender
        || !msg.failed_recipients.is_empty()
        || msg.from.iter().any(mailer)
        || msg.sections.iter().any(|s| s.kind == Kind::Status)
        || is_failure_notice(msg)
}

/// The words with which mail systems say a message is delayed, not returned, per system
/// (`data/delays.tsv`).
const DELAYS: &str = include_str!("../../data/delays.tsv");

/// The rows of [`DELAYS`]: (system, where: `subject` or `text`, words in lower case,
/// example line).
fn delays() -> impl Iterator<Item = [&'static str; 4]> {
    super::catalog::spans::rows(DELAYS).filter_map(|l| {
        let mut cols = l.split('\t');
        Some([cols.next()?, cols.next()?, cols.next()?, cols.next()?])
    })
}

/// Whether `text` (a Subject when `subject`, else a report) says, in one system's words,
/// that a message is delayed and retried.
fn says_delayed(text: &str, subject: bool) -> bool {
    let text = text.to_lowercase();
    delays()
        .filter(|[_, place, ..]| subject || *place == "text")
        .any(|[_, _, words, _]| text.contains(words))
}

/// Whether a bounce without codes reports a delay rather than a failure: its Subject, or
/// its report's words.
pub fn is_delay_notice(msg: &Message) -> bool {
    says_delayed(&msg.subject, true)
        || (msg.sections.iter())
            .filter(|s| s.kind == Kind::Text)
            .any(|s| says_delayed(&crate::text::decode(s.report()), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of data/delays.tsv is read from its own example.
    #[test]
    fn each_delay_notice_reads_its_example() {
        let rows: Vec<_> = delays().collect();
        assert!(rows.len() >= 14);
        for [system, place, words, example] in rows {
            assert_eq!(words, words.to_lowercase(), "{system}");
            assert!(matches!(place, "subject" | "text"), "{system}: {place}");
            let subject = place == "subject";
            let example = example.strip_prefix("Subject: ").unwrap_or(example);
            assert!(says_delayed(example, subject), "{system}: {example}");
        }
        assert!(!says_delayed(
            "This is a permanent error; I've given up.",
            true
        ));
        // Words a failure notice may hold are read only in a Subject.
        assert!(!says_delayed(
            "(Warning: This link will take you to a third-party site)",
            false
        ));
        assert!(!says_delayed(
            "to=<a@b>, relay=x, delay=1.2, dsn=5.1.1",
            false
        ));
    }
}

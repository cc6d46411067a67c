//! Decode stage, part 4: why a delivery failed, in Sisimai's vocabulary of bounce reasons,
//! whether the address should be dropped (`hard`), and who has to move first.
//!
//! Order of trust: the report's Action (complaints, auto-replies, deliveries); a provider's
//! own row ([`provider`]); then the rules of `data/reasons.tsv`, top to bottom: codes whose
//! registry meaning leaves no doubt, the words (the remote server's first, then the
//! bounce's paragraph about the address, then all it says of it), the SMTP step that was
//! refused, the registry meaning of the status, the basic reply code; else `expired` for
//! mail still being retried and `onhold` for the rest.

pub(crate) mod table;
pub(crate) mod vocabulary;

use super::catalog::Actor;
use super::pattern::lower;
use super::provider::{self, Row};
use crate::extract::code::{Basic, Enhanced};
use table::{phase, rule_for, By, Phase};
use vocabulary::default_actor;

/// Reasons that condemn the address itself, once the failure is permanent.
const ADDRESS_GONE: [&str; 4] = ["userunknown", "hostunknown", "hasmoved", "notaccept"];

/// What is known about one failed delivery.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    pub status: Option<Enhanced>,
    pub reply: Option<Basic>,
    /// The report's Action (`failed`, `delayed`, `complained`, ...), or empty.
    pub action: &'a str,
    /// What the remote server said: the Diagnostic-Code or the reply.
    pub said: &'a str,
    /// The bounce's paragraph that names the address.
    pub near: &'a str,
    /// All the bounce's words that may be about the address.
    pub context: &'a str,
    /// The name of the host that answered (Remote-MTA).
    pub hosts: &'a str,
}

/// The assessment of one delivery.
#[derive(Debug, Clone, Copy)]
pub struct Judgement {
    pub reason: &'static str,
    /// Stop sending to this address.
    pub hard: bool,
    /// Who moves first.
    pub acts: Actor,
    /// The provider row that decided, if one did.
    pub provider: Option<&'static Row>,
    /// What decided (`--why`): `action`, `provider`, `reasons.tsv` or `fallback`.
    pub rule: &'static str,
    /// The row of the table that decided, or the words of the fallback.
    pub row: &'static str,
}

/// Assesses one delivery (see the module comment for the order).
pub fn judge(ev: &Evidence) -> Judgement {
    judge_given(ev, || {
        // The provider is whoever gave the reply: its words and its host name.
        let words = if ev.said.trim().is_empty() {
            ev.context
        } else {
            ev.said
        };
        provider::detect(words, ev.hosts, ev.reply, ev.status)
    })
}

/// [`judge`], the provider row (if one fits) given by `provider`, asked only when the
/// action does not decide alone.
pub fn judge_given(ev: &Evidence, provider: impl FnOnce() -> Option<&'static Row>) -> Judgement {
    let fixed = match ev.action {
        "complained" => Some("feedback"),
        "auto-replied" => Some("vacation"),
        "delivered" | "relayed" | "expanded" => Some("delivered"),
        _ => None,
    };
    if let Some(reason) = fixed {
        return Judgement {
            reason,
            hard: false,
            acts: default_actor(reason),
            provider: None,
            rule: "action",
            row: ev.action_static(),
        };
    }
    let permanent = match ev.action {
        "failed" => true,
        "delayed" => false,
        _ => class(ev) == Some(5),
    };
    if let Some(row) = provider() {
        return Judgement {
            reason: row.reason,
            hard: row.hard && permanent,
            acts: row.acts,
            provider: Some(row),
            rule: "providers.tsv",
            row: row.key,
        };
    }
    let (reason, rule, row) = classify(ev, permanent);
    Judgement {
        reason,
        hard: permanent && ADDRESS_GONE.contains(&reason),
        acts: default_actor(reason),
        provider: None,
        rule,
        row,
    }
}

impl Evidence<'_> {
    /// The action, as one of the fixed names (for a judgement's `row`).
    fn action_static(&self) -> &'static str {
        [
            "complained",
            "auto-replied",
            "delivered",
            "relayed",
            "expanded",
        ]
        .into_iter()
        .find(|a| *a == self.action)
        .unwrap_or("")
    }
}

fn class(ev: &Evidence) -> Option<u8> {
    ev.status
        .and_then(|s| s.class)
        .or(ev.reply.map(|b| b.first_digit()))
}

/// One line, runs of white space made one space (replies are folded and wrapped anywhere),
/// lowered for the table's patterns.
fn flat(text: &str) -> String {
    lower(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The reason the table gives: from the remote server's own words, else from the bounce's
/// paragraph about the address, else from all its words about it; a default (status,
/// reply) only when none of them has words the table knows. Delayed mail that nothing
/// explains is `expired` (still in the queue), anything else `onhold`.
fn classify(ev: &Evidence, permanent: bool) -> (&'static str, &'static str, &'static str) {
    let texts = [
        flat(ev.said),
        flat(&format!("{}\n{}", ev.said, ev.near)),
        flat(&format!("{}\n{}", ev.said, ev.context)),
    ];
    let phase = phase(&texts[2]);
    let mut found = None;
    for (k, text) in texts.iter().enumerate() {
        // Without a paragraph or context (a log's reply), the next text is the same one:
        // its answer would be too.
        if k > 0 && *text == texts[k - 1] {
            continue;
        }
        found = rule_for(ev.status, ev.reply, text, phase);
        if let Some((_, By::Words, _)) = found {
            break;
        }
    }
    match found {
        Some((reason, by, row)) => {
            let adjusted = adjust(ev, reason, by, phase, permanent);
            let rule = if adjusted == reason {
                "reasons.tsv"
            } else {
                "reasons.tsv+step"
            };
            (adjusted, rule, row)
        }
        None if permanent => ("onhold", "fallback", "no rule holds: failed"),
        None => ("expired", "fallback", "no rule holds: still retried"),
    }
}

/// Readings the table cannot express: a server that calls the user unknown after it
/// accepted the address at RCPT (it answered DATA), or with a mailbox or policy status
/// (X.2.0, X.7.x), is filtering, unless its status is about the address itself (X.1.x); a
/// domain that does not resolve while delivery is still retried is a DNS problem, not yet
/// an unknown host; a message too big for the recipient's own limit (X.2.3) exceeds it.
fn adjust(
    ev: &Evidence,
    reason: &'static str,
    by: By,
    phase: Option<Phase>,
    permanent: bool,
) -> &'static str {
    let about_address = ev.status.is_some_and(|s| s.subject == 1);
    let filter_status = ev.status.is_some_and(|s| s.subject == 2 && s.detail == 0);
    match reason {
        "userunknown"
            if by == By::Words
                && !about_address
                && (phase == Some(Phase::Data) || filter_status) =>
        {
            "filtered"
        }
        "hostunknown" if !permanent => "networkerror",
        // Too big, and the status says for which limit: X.2.3 is the recipient's own
        // (Sisimai's exceedlimit), X.3.4 the system's (mesgtoobig).
        "mesgtoobig" if ev.status.is_some_and(|s| s.subject == 2 && s.detail == 3) => "exceedlimit",
        r => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocabulary::VOCABULARY;

    fn reason(status: &str, reply: &str, action: &str, text: &str) -> &'static str {
        judge(&Evidence {
            status: Enhanced::parse(status),
            reply: Basic::parse(reply),
            action,
            said: text,
            ..Evidence::default()
        })
        .reason
    }

    #[test]
    fn every_reason_has_words_in_the_interface() {
        let cat = crate::decode::catalog::Catalog::load(crate::lang::Lang::En);
        for (r, _) in VOCABULARY {
            let key = format!("reason_{r}");
            assert_ne!(cat.ui(&key), key, "{r}");
        }
    }

    #[test]
    fn actions_decide_first() {
        assert_eq!(reason("", "", "complained", "spam"), "feedback");
        assert_eq!(reason("", "", "auto-replied", ""), "vacation");
        assert_eq!(reason("2.0.0", "250", "delivered", ""), "delivered");
    }

    #[test]
    fn words_then_step_then_status_then_reply() {
        let cases = [
            // A size refusal is about the message at whatever step; X.2.3 names the
            // recipient's own limit (exceedlimit), but quota words make it a full mailbox.
            (
                "",
                "552",
                "failed",
                ">>> MAIL From:<a@b.example> SIZE=6917278\n<<< 552 Message size exceeds maximum value",
                "mesgtoobig",
            ),
            (
                "5.2.3",
                "552",
                "failed",
                "552 5.2.3 Message size exceeds fixed maximum message size (10485760)",
                "exceedlimit",
            ),
            (
                "5.2.3",
                "",
                "failed",
                "maildir delivery failed: Sorry, the user's maildir has overdrawn his diskspace quota",
                "mailboxfull",
            ),
            ("", "", "failed", "Mailbox quota usage exceeded.", "mailboxfull"),
            // Sisimai's filtered is a refusal after DATA (or X.2.0); a policy status
            // (X.7.x) on the words of an unknown user does not make it one.
            (
                "5.7.1",
                "553",
                "failed",
                "553 Invalid recipient b@c.example (Mode: normal)",
                "userunknown",
            ),
            // Refusing mail from someone refuses the sender.
            (
                "",
                "",
                "failed",
                "they are not accepting mail from a@b.example",
                "rejected",
            ),
            (
                "5.1.1",
                "550",
                "failed",
                "550 5.1.1 <a@b.example>: User unknown",
                "userunknown",
            ),
            (
                "5.1.1",
                "550",
                "failed",
                "550 5.1.1 mailbox full",
                "mailboxfull",
            ),
            (
                "5.1.1",
                "550",
                "failed",
                "550 5.1.1 no reason given",
                "userunknown",
            ),
            (
                "5.0.0",
                "550",
                "failed",
                "550 Unknown user (in reply to end of DATA command)",
                "filtered",
            ),
            (
                "5.0.0",
                "550",
                "failed",
                "550 Unknown user (in reply to RCPT TO command)",
                "userunknown",
            ),
            (
                "5.0.0",
                "550",
                "failed",
                "after MAIL FROM:<a@b.example>: 550 Access denied",
                "rejected",
            ),
            (
                "5.0.0",
                "554",
                "failed",
                "host mx.example refused to talk to me: 554 go away",
                "blocked",
            ),
            (
                "5.7.1",
                "554",
                "failed",
                "554 5.7.1 Client host rejected: blocked using zen.spamhaus.org",
                "blocked",
            ),
            (
                "5.7.26",
                "550",
                "failed",
                "550 5.7.26 the message has been blocked",
                "authfailure",
            ),
            ("4.4.7", "", "delayed", "", "expired"),
            ("5.2.2", "552", "failed", "", "mailboxfull"),
            ("", "551", "failed", "551 not our user", "hasmoved"),
            ("", "", "failed", "", "onhold"),
            (
                "4.0.0",
                "",
                "delayed",
                "Domain name not found: example.invalid",
                "networkerror",
            ),
            (
                "5.0.0",
                "",
                "failed",
                "Domain name not found: example.invalid",
                "hostunknown",
            ),
        ];
        for (status, reply, action, text, want) in cases {
            assert_eq!(reason(status, reply, action, text), want, "{text}");
        }
    }

    #[test]
    fn hard_only_for_a_permanently_gone_address() {
        let j = |status, action, text| {
            judge(&Evidence {
                status: Enhanced::parse(status),
                action,
                said: text,
                ..Evidence::default()
            })
        };
        assert!(j("5.1.1", "failed", "user unknown").hard);
        assert!(!j("4.1.1", "delayed", "user unknown").hard);
        assert!(!j("5.7.1", "failed", "blocked using dnsbl").hard);
        assert!(!j("5.2.2", "failed", "mailbox full").hard);
        let g = j(
            "5.7.26",
            "failed",
            "550-5.7.26 domain's DMARC policy - gsmtp",
        );
        assert_eq!(g.provider.map(|r| r.key), Some("google:5.7.26/dmarc"));
        assert_eq!(
            (g.reason, g.hard, g.acts),
            ("authfailure", false, Actor::SenderAdmin)
        );
    }
}

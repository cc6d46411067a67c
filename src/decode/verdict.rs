//! Decode stage, per recipient: the verdict, what happened to one address, as the JSON
//! schema states it. [`super::recipients`] states verdicts, [`super::assess`] judges them.

use crate::extract::code::{Basic, Class, Enhanced};
use serde::Serialize;

/// What happened to one recipient.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Verdict {
    pub address: String,
    /// The enhanced status code (`5.1.1`), if one was given.
    pub status: Option<String>,
    /// The basic reply code (`550`), if one was given.
    pub reply: Option<String>,
    /// failed, delayed, delivered, relayed or expanded (RFC 3464 §2.3.3).
    pub action: String,
    /// The remote server's words about this recipient.
    pub diagnostic: Option<String>,
    pub source: String,
    /// 1-based number of the message in an mbox; 1 for a single message, `null` for a log.
    pub message: Option<usize>,
    /// Why, in Sisimai's vocabulary of bounce reasons (`userunknown`, `blocked`, ...).
    pub reason: &'static str,
    /// Stop sending to this address: it does not exist, has moved, or its domain takes no
    /// mail. A policy, reputation or temporary refusal is never hard.
    pub hard: bool,
    /// The key of the provider row that explains the reply (`google:5.7.26/dmarc`).
    pub provider: Option<String>,
    /// Who moves first: sender, recipient, sender-admin, recipient-admin or none.
    pub acts: &'static str,
    /// The bounce gave no code: `status` was inferred from its words (`data/wording.tsv`).
    pub inferred: bool,
    /// The words `status` was inferred from; `null` where it was not inferred.
    pub inferred_from: Option<String>,
    /// The address the sender wrote, where the bounce says the failed one was reached
    /// through it (DSN `Original-Recipient`, Postfix `expanded from`, Exim `generated
    /// from`); `null` where it names none or the same address.
    pub original: Option<String>,
    /// Which structure or rule gave the address, the status and the reason, and what it
    /// read (`--why`).
    pub evidence: Vec<Evidence>,
}

/// One piece of what a verdict rests on.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Evidence {
    /// What it decided: `address`, `original`, `status`, `reason`, or `conflict` where the
    /// bounce contradicts itself and one side was taken.
    pub about: &'static str,
    /// The rule or structure, by name (`dsn:final-recipient`, `text:failed-to`, ...).
    pub rule: &'static str,
    /// What it read: a field, a line or a reply, made safe and at most 200 characters.
    pub span: String,
}

impl Evidence {
    /// A piece of evidence; `span` is cleaned of control characters and shortened.
    pub(crate) fn new(about: &'static str, rule: &'static str, span: &str) -> Evidence {
        let flat: String = span.split_whitespace().collect::<Vec<_>>().join(" ");
        Evidence {
            about,
            rule,
            span: crate::text::clean(flat.as_bytes(), 200),
        }
    }
}

impl Verdict {
    /// Adds a piece of evidence (the first of each `about` and `rule` only).
    pub(crate) fn because(&mut self, about: &'static str, rule: &'static str, span: &str) {
        if !self
            .evidence
            .iter()
            .any(|e| e.about == about && e.rule == rule)
        {
            self.evidence.push(Evidence::new(about, rule, span));
        }
    }

    /// What a bounce or a log states of one address, before [`super::assess`] judges it:
    /// its codes, its action (`None`: from the class of the codes) and the server's words.
    pub(crate) fn stated(
        address: String,
        action: Option<&str>,
        (status, reply): (Option<Enhanced>, Option<Basic>),
        diagnostic: Option<String>,
        (source, message): (&str, Option<usize>),
    ) -> Verdict {
        let class = status
            .and_then(|e| e.class())
            .or(reply.and_then(|b| Class::from_digit(b.first_digit())));
        Verdict {
            action: action.unwrap_or(action_of(class)).into(),
            address,
            status: status.map(|e| e.to_string()),
            reply: reply.map(|b| b.to_string()),
            diagnostic,
            source: source.into(),
            message,
            ..Verdict::default()
        }
    }
}

/// The action a class of codes reports where nothing states one (RFC 3464 §2.3.3).
pub(crate) fn action_of(class: Option<Class>) -> &'static str {
    match class {
        Some(Class::Success) => "delivered",
        Some(Class::Transient) => "delayed",
        _ => "failed",
    }
}

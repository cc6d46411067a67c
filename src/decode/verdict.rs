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
}

impl Verdict {
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

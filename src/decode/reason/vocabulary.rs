//! Decode stage, reasons: the vocabulary of bounce reasons (Sisimai's names) and who moves
//! first for each when no provider row says otherwise.

use crate::decode::catalog::Actor;

/// Every reason, with who moves first when no provider row says otherwise. Names and
/// meanings follow Sisimai's where they overlap; docs/ACCURACY.md lists them.
pub(crate) const VOCABULARY: &[(&str, Actor)] = &[
    ("authfailure", Actor::SenderAdmin),
    ("badreputation", Actor::SenderAdmin),
    ("blocked", Actor::SenderAdmin),
    ("contenterror", Actor::Sender),
    ("delivered", Actor::Nobody),
    ("exceedlimit", Actor::Sender),
    ("expired", Actor::SenderAdmin),
    ("feedback", Actor::Sender),
    ("filtered", Actor::Recipient),
    ("hasmoved", Actor::Sender),
    ("hostunknown", Actor::Sender),
    ("mailboxfull", Actor::Recipient),
    ("mailererror", Actor::RecipientAdmin),
    ("mesgtoobig", Actor::Sender),
    ("networkerror", Actor::RecipientAdmin),
    ("norelaying", Actor::SenderAdmin),
    ("notaccept", Actor::Sender),
    ("notcompliantrfc", Actor::SenderAdmin),
    ("onhold", Actor::SenderAdmin),
    ("policyviolation", Actor::Sender),
    ("rejected", Actor::SenderAdmin),
    ("requireptr", Actor::SenderAdmin),
    ("securityerror", Actor::SenderAdmin),
    ("spamdetected", Actor::Sender),
    ("speeding", Actor::SenderAdmin),
    ("suspend", Actor::Sender),
    ("syntaxerror", Actor::SenderAdmin),
    ("systemerror", Actor::RecipientAdmin),
    ("systemfull", Actor::RecipientAdmin),
    ("toomanyconn", Actor::SenderAdmin),
    ("undefined", Actor::Nobody),
    ("userunknown", Actor::Sender),
    ("vacation", Actor::Nobody),
    ("virusdetected", Actor::Sender),
];

/// Whether `reason` is in the vocabulary.
pub(crate) fn is_known(reason: &str) -> bool {
    VOCABULARY.iter().any(|(r, _)| *r == reason)
}

pub(crate) fn default_actor(reason: &str) -> Actor {
    VOCABULARY
        .iter()
        .find(|(r, _)| *r == reason)
        .map_or(Actor::Nobody, |(_, a)| *a)
}

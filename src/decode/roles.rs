//! Decode stage, per address: the part an address plays where a bounce's text names it,
//! decided from where it stands. A bounce names many addresses that did not fail: the
//! returned message's own header fields quoted in the report (`To: list@x`), the reporting
//! system's contacts (`System Contact: postmaster@x`, `send mail to the address x`), a
//! mailing list's own addresses, message ids, addresses inside URLs, and the encoded return
//! paths of VERP, SRS and BATV. None of them may become a verdict from the text's words; only
//! a failure statement about the address itself ([`crate::extract::listed::listed`]) or a
//! report's structure does.

/// What an address is, where the text names it, when it is not a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A header field of the returned message, quoted in the report (`To:`, `Cc:`, `From:`).
    Header,
    /// Someone to write to: the reporting system's postmaster, support, a help desk.
    Contact,
    /// A message id (`Message-ID: <id@host>`, `References:`).
    MessageId,
    /// Inside a URL or a `mailto:` link.
    Url,
    /// A mailing list's own address (`-request`, `-owner`, `-bounces`, `owner-`).
    List,
    /// A return path that encodes another address (VERP, SRS, BATV).
    ReturnPath,
}

/// Header fields of a message, quoted in a report or standing in a returned one: an
/// address on such a line belongs to the returned message, not to a failure.
const FIELDS: [&str; 13] = [
    "to",
    "cc",
    "bcc",
    "from",
    "sender",
    "reply-to",
    "return-path",
    "envelope-from",
    "errors-to",
    "delivered-to",
    "x-original-to",
    "subject",
    "date",
];

/// Header fields that hold message ids.
const IDS: [&str; 5] = [
    "message-id",
    "references",
    "in-reply-to",
    "resent-message-id",
    "original-envelope-id",
];

/// Words that, before an address on its line, make it someone to write to.
const CONTACT_WORDS: [&str; 12] = [
    "contact",
    "postmaster",
    "administrator",
    "help desk",
    "helpdesk",
    "support",
    "write to",
    "send mail to",
    "send a message to",
    "e-mail to",
    "questions",
    "assistance",
];

/// A line ending with these words introduces, on the next line, someone to write to.
const CONTACT_LEADS: [&str; 6] = [
    "to the address",
    "send mail to",
    "write to",
    "contact",
    "contact:",
    "please send a message to",
];

/// Local parts that name a mail system's role accounts (RFC 2142) and daemons.
const ROLE_ACCOUNTS: [&str; 11] = [
    "postmaster",
    "mailer-daemon",
    "mail-daemon",
    "abuse",
    "hostmaster",
    "webmaster",
    "noc",
    "security",
    "support",
    "helpdesk",
    "listmaster",
];

/// The role of `address` where the text names it on `line`, the line before being
/// `previous`; `None` where nothing says it is anything but a recipient.
pub fn of_mention(address: &str, line: &str, previous: &str) -> Option<Role> {
    of_line(address, line, previous).or_else(|| of_address(address))
}

/// The role the line gives an address it names.
fn of_line(address: &str, line: &str, previous: &str) -> Option<Role> {
    let lower = line.to_lowercase();
    // Quoted mail (`> To: x`) is read as the mail it quotes.
    let t = lower.trim_start_matches(|c: char| c.is_whitespace() || c == '>');
    let label = t.split_once(':').map(|(l, _)| l.trim_end());
    if label.is_some_and(|l| IDS.contains(&l) || l.ends_with("message-id")) {
        return Some(Role::MessageId);
    }
    if label.is_some_and(|l| FIELDS.contains(&l)) {
        return Some(Role::Header);
    }
    let at = lower.find(address).unwrap_or(0);
    let token_start = lower[..at]
        .rfind(|c: char| c.is_whitespace() || c == '"' || c == '(' || c == '\'')
        .map_or(0, |i| i + 1);
    let token = &lower[token_start..at];
    if token.contains("://") || token.contains("mailto:") || token.ends_with(['/', '?', '=']) {
        return Some(Role::Url);
    }
    // `<id@host>` right after a field name that holds "id" (Message-Id, X-MS-Id, ...).
    if token.ends_with('<') && token.contains("id") {
        return Some(Role::MessageId);
    }
    let before = &lower[..at];
    if CONTACT_WORDS.iter().any(|w| before.contains(w)) {
        return Some(Role::Contact);
    }
    let previous = previous.trim().to_lowercase();
    let introduced = CONTACT_LEADS.iter().any(|w| previous.ends_with(w));
    (introduced && before.trim().is_empty()).then_some(Role::Contact)
}

/// Whether an address is a mailer daemon's: it sends bounces and is never the failed
/// recipient. (A postmaster can be.)
pub fn is_mailer_daemon(address: &str) -> bool {
    let local = address.split('@').next().unwrap_or("");
    ["mailer-daemon", "mail-daemon"].contains(&local)
}

/// The role an address's own shape gives it: role accounts, a list's own addresses and
/// encoded return paths.
pub fn of_address(address: &str) -> Option<Role> {
    let local = address.rsplit_once('@').map_or(address, |(l, _)| l);
    if ROLE_ACCOUNTS.contains(&local) {
        return Some(Role::Contact);
    }
    // SRS (srs0=hash=tt=domain=user), BATV (prvs=tag=user), Microsoft's msprvs1=.
    let encoded = ["srs0=", "srs1=", "prvs=", "btv1==", "msprvs1="];
    if encoded.iter().any(|p| local.starts_with(p)) {
        return Some(Role::ReturnPath);
    }
    // VERP: the recipient's address written into the return path's local part.
    if local
        .split_once('+')
        .is_some_and(|(_, tail)| tail.contains('='))
    {
        return Some(Role::ReturnPath);
    }
    // A list's command, owner and bounce addresses (Mailman, Majordomo, ezmlm, fml,
    // LISTSERV, Sympa).
    let suffixes = [
        "-request",
        "-owner",
        "-admin",
        "-bounces",
        "-bounce",
        "-ctl",
        "-confirm",
        "-join",
        "-leave",
        "-subscribe",
        "-unsubscribe",
        "-help",
    ];
    let list = suffixes.iter().any(|s| local.ends_with(s))
        || local.starts_with("owner-")
        || local.contains("-bounces+")
        || local == "majordomo"
        || local == "listserv";
    list.then_some(Role::List)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_give_roles() {
        let cases: &[(&str, &str, &str, Option<Role>)] = &[
            (
                "a@x.example",
                "  To:      a@x.example",
                "Your message",
                Some(Role::Header),
            ),
            ("a@x.example", "> Cc: <a@x.example>", "", Some(Role::Header)),
            (
                "id1@h.example",
                "> Message-Id: <id1@h.example>",
                "",
                Some(Role::MessageId),
            ),
            (
                "a@x.example",
                "System Contact: a@x.example",
                "",
                Some(Role::Contact),
            ),
            (
                "a@x.example",
                "please contact a@x.example for help",
                "",
                Some(Role::Contact),
            ),
            (
                "a@x.example",
                "\ta@x.example",
                "to the address",
                Some(Role::Contact),
            ),
            (
                "a@x.example",
                "see https://x.example/u?a@x.example",
                "",
                Some(Role::Url),
            ),
            (
                "a@x.example",
                "<mailto:a@x.example?subject=help>",
                "",
                Some(Role::Url),
            ),
            (
                "a@x.example",
                "  a@x.example",
                "did not reach the following recipient(s):",
                None,
            ),
            (
                "a@x.example",
                "<a@x.example>: host said: 550 5.1.1",
                "",
                None,
            ),
        ];
        for (address, line, previous, want) in cases {
            assert_eq!(of_mention(address, line, previous), *want, "{line}");
        }
    }

    #[test]
    fn addresses_give_roles() {
        let cases: &[(&str, Option<Role>)] = &[
            ("postmaster@x.example", Some(Role::Contact)),
            ("mailer-daemon@x.example", Some(Role::Contact)),
            ("list-request@x.example", Some(Role::List)),
            ("owner-list@x.example", Some(Role::List)),
            ("neko-ctl@x.example", Some(Role::List)),
            (
                "list-bounces+bob=y.example@x.example",
                Some(Role::ReturnPath),
            ),
            (
                "srs0=abcd=tt=y.example=bob@fwd.example",
                Some(Role::ReturnPath),
            ),
            ("prvs=1234abcd=bob@y.example", Some(Role::ReturnPath)),
            ("bob@y.example", None),
            ("bob+tag@y.example", None),
            ("bob.admin@y.example", None),
        ];
        for (address, want) in cases {
            assert_eq!(of_address(address), *want, "{address}");
        }
    }
}

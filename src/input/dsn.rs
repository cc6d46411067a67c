//! Input stage, for delivery-status reports (RFC 3464 §2, RFC 6533): the per-message fields
//! and one group of fields per recipient, folded lines unfolded.

use crate::text::address;

/// One per-recipient group of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// Final-Recipient, else Original-Recipient, without the address type (`rfc822;`).
    pub recipient: Option<String>,
    /// Final-Recipient alone: the address the report is about (RFC 3464 §2.3.2).
    pub final_recipient: Option<String>,
    /// Original-Recipient: the address the sender wrote, before forwarding (§2.3.1).
    pub original_recipient: Option<String>,
    pub action: Option<String>,
    pub status: Option<String>,
    pub remote_mta: Option<String>,
    /// Diagnostic-Code without its type (`smtp;`).
    pub diagnostic: Option<String>,
    pub last_attempt: Option<String>,
    pub will_retry_until: Option<String>,
    /// 0-based lines of the section the group spans (first, last).
    pub lines: (usize, usize),
}

/// The report: its per-message fields and recipient groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    pub reporting_mta: Option<String>,
    pub groups: Vec<Group>,
}

/// Parses the body of a `message/delivery-status` part. Lenient, as reports in the wild
/// are: blank lines separate blocks; a block with a Final-Recipient or Original-Recipient
/// is a recipient group whatever the order of its fields, and a second Final-Recipient in
/// one block starts another group.
pub fn parse(body: &[u8]) -> Report {
    let text = String::from_utf8_lossy(body);
    let mut report = Report::default();
    for block in fields(&text).split(|f| f.3.is_none()) {
        let mut groups: Vec<Group> = Vec::new();
        let mut pending: Vec<&(usize, usize, String, Option<String>)> = Vec::new();
        for field in block {
            let name = field.2.to_ascii_lowercase();
            // A recipient field starts a group unless it completes the one open: an
            // Original-Recipient followed by its Final-Recipient (in either order), whatever
            // came before them (PMDF writes Action and Status first).
            let new_group = match (name.as_str(), groups.last()) {
                ("final-recipient" | "original-recipient", None) => true,
                ("final-recipient", Some(g)) => g.final_recipient.is_some(),
                ("original-recipient", Some(g)) => {
                    g.original_recipient.is_some()
                        || (g.final_recipient.is_some() && g.status.is_some())
                }
                _ => false,
            };
            if new_group {
                groups.push(Group {
                    lines: (field.0, field.1),
                    ..Group::default()
                });
                // Fields written before the first recipient field belong to its group.
                for p in pending.drain(..) {
                    apply(groups.last_mut().expect("just pushed"), p);
                }
            }
            match groups.last_mut() {
                Some(g) => apply(g, field),
                None => pending.push(field),
            }
        }
        for p in pending {
            if p.2.eq_ignore_ascii_case("reporting-mta") {
                report.reporting_mta = p.3.clone().map(strip_type);
            }
        }
        report.groups.extend(
            groups
                .into_iter()
                .map(internet_recipient)
                .filter(|g| g.recipient.is_some() || g.status.is_some()),
        );
    }
    report
}

fn apply(g: &mut Group, field: &(usize, usize, String, Option<String>)) {
    g.lines = (g.lines.0.min(field.0), g.lines.1.max(field.1));
    if let Some(value) = &field.3 {
        set(g, &field.2.to_ascii_lowercase(), value.clone());
    }
}

fn set(g: &mut Group, name: &str, value: String) {
    match name {
        "final-recipient" => {
            // Only a real address: some MTAs write `rfc822; @host` here.
            if let Some(a) = field_address(&value) {
                g.final_recipient = Some(a.clone());
                g.recipient = Some(a);
            }
        }
        "original-recipient" => {
            let a = field_address(&value);
            g.original_recipient = a.clone();
            g.recipient = g.recipient.take().or(a);
        }
        "action" => g.action = Some(value.trim().to_ascii_lowercase()),
        "status" => g.status = value.split_whitespace().next().map(String::from),
        "remote-mta" => g.remote_mta = Some(strip_type(value)),
        "diagnostic-code" => g.diagnostic = Some(strip_type(value)),
        "last-attempt-date" => g.last_attempt = Some(value),
        "will-retry-until" => g.will_retry_until = Some(value),
        _ => {}
    }
}

/// A group's recipient is its Final-Recipient, unless that is no Internet address and the
/// Original-Recipient is one: Sun's and Oracle's Messaging Server write the channel it
/// delivered on there (`bob@ims-ms-daemon`, source-routed `@mx.example.org:bob@ims_daemon`),
/// an address no sender can write or suppress, and keep the address written in the
/// Original-Recipient.
fn internet_recipient(mut g: Group) -> Group {
    if let (Some(f), Some(o)) = (&g.final_recipient, &g.original_recipient) {
        if !is_internet_address(f) && is_internet_address(o) {
            g.recipient = Some(o.clone());
        }
    }
    g
}

/// Whether an address can be written in an Internet message: no source route, a domain of
/// two or more host-name labels (letters, digits, hyphens; any non-ASCII letter of an
/// internationalised name) or an address literal (`[192.0.2.1]`).
pub fn is_internet_address(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    if local.is_empty() || address.starts_with('@') {
        return false;
    }
    if domain.starts_with('[') && domain.ends_with(']') {
        return true;
    }
    let labels: Vec<&str> = domain.trim_end_matches('.').split('.').collect();
    labels.len() >= 2
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'))
}

/// The address of a recipient field, taken as written whatever it looks like: the address
/// type (`rfc822;`, `utf-8;` of RFC 6533 with its `\x{HHHH}` escapes, an X.400 type) is
/// dropped; a quoted local part (`"a b"@x`), a single-label domain and UTF-8 are kept; an
/// X.400 address that carries an Internet one (`c=US;...;dda:SMTP=bob@x;`) gives that one.
/// `None` where no local part and domain are written (`rfc822; @host`).
pub fn field_address(value: &str) -> Option<String> {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    let rest = if let Some(at) = lower.find("smtp=") {
        &value[at + 5..]
    } else {
        match value.split_once(';') {
            Some((kind, rest)) if !kind.trim().is_empty() && !kind.contains(['@', '"', '<']) => {
                rest.trim()
            }
            _ => value,
        }
    };
    let rest = rest.trim_start_matches(['<', ' ', '\t']);
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        let close = quoted.find('"')? + 2;
        close
            + rest[close..]
                .find(|c: char| c.is_whitespace() || ";,<>".contains(c))
                .unwrap_or(rest.len() - close)
    } else {
        rest.find(|c: char| c.is_whitespace() || ";,<>".contains(c))
            .unwrap_or(rest.len())
    };
    let written = unescape_utf8(&rest[..end]);
    let (local, domain) = written.rsplit_once('@')?;
    let domain = domain.trim_end_matches('.');
    if local.is_empty() || domain.is_empty() || written.len() > 254 {
        return None;
    }
    Some(address::normalize(written.as_bytes()))
}

/// RFC 6533 §3: an `utf-8` address writes some characters as `\x{HHHH}`.
fn unescape_utf8(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("\\x{") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 3..];
        let decoded = tail.find('}').and_then(|close| {
            let c = u32::from_str_radix(&tail[..close], 16)
                .ok()
                .and_then(char::from_u32)?;
            Some((c, close + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &tail[used..];
            }
            None => {
                out.push_str("\\x{");
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `rfc822; bob@example.org` → `bob@example.org`; `smtp; 550 ...` → `550 ...`.
fn strip_type(value: String) -> String {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && kind.len() < 20 => rest.trim().to_string(),
        _ => value.trim().to_string(),
    }
}

/// The unfolded fields of the text, each with its first and last line; a blank line gives
/// `(n, n, "", None)`.
fn fields(text: &str) -> Vec<(usize, usize, String, Option<String>)> {
    let mut out: Vec<(usize, usize, String, Option<String>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            out.push((n, n, String::new(), None));
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, last, _, Some(value))) = out.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
                *last = n;
            }
            continue;
        }
        if let Some((name, value)) = line.split_once(':') {
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
                out.push((n, n, name.to_string(), Some(value.trim().to_string())));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_groups_and_unfolds() {
        let body = b"Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; Bob@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <bob@example.org>:\n    user unknown\n\nOriginal-Recipient: rfc822;carol@example.net\nFinal-Recipient: RFC822; carol@example.net\nAction: delayed\nStatus: 4.2.2 (mailbox full)\nWill-Retry-Until: Tue, 24 Nov 2026\n";
        let r = parse(body);
        assert_eq!(r.reporting_mta.as_deref(), Some("mx.example.org"));
        assert_eq!(r.groups.len(), 2);
        let g = &r.groups[0];
        assert_eq!(
            (
                g.recipient.as_deref(),
                g.status.as_deref(),
                g.action.as_deref()
            ),
            (Some("bob@example.org"), Some("5.1.1"), Some("failed"))
        );
        assert_eq!(
            g.diagnostic.as_deref(),
            Some("550 5.1.1 <bob@example.org>: user unknown")
        );
        assert_eq!(g.lines, (2, 6));
        let g = &r.groups[1];
        assert_eq!(
            (g.recipient.as_deref(), g.status.as_deref()),
            (Some("carol@example.net"), Some("4.2.2"))
        );
        assert_eq!(g.lines, (8, 12));
    }

    #[test]
    fn fields_before_the_recipient_belong_to_its_group() {
        let body = b"Reporting-MTA: dns; 10.0.0.1\n\nDiagnostic-Code: smtp; 550 5.1.1 refused\nStatus: 5.1.1\nFinal-Recipient: rfc822; k@x.example\nAction: failed\n";
        let r = parse(body);
        assert_eq!(r.groups.len(), 1);
        assert_eq!(
            (
                r.groups[0].status.as_deref(),
                r.groups[0].diagnostic.as_deref()
            ),
            (Some("5.1.1"), Some("550 5.1.1 refused"))
        );
        assert_eq!(r.groups[0].lines, (2, 5));
    }

    #[test]
    fn groups_without_blank_lines_still_split() {
        let body = b"Final-Recipient: rfc822; a@x.example\nStatus: 5.1.1\nFinal-Recipient: rfc822; b@x.example\nStatus: 5.2.2\n";
        let r = parse(body);
        assert_eq!(
            r.groups
                .iter()
                .map(|g| g.recipient.clone().unwrap())
                .collect::<Vec<_>>(),
            ["a@x.example", "b@x.example"]
        );
    }

    #[test]
    fn a_delivery_channel_gives_way_to_the_address_written() {
        for (final_field, want) in [
            ("rfc822;bob@ims-ms-daemon", "bob@example.org"),
            ("rfc822;@mx.example.org:bob@ims_daemon", "bob@example.org"),
            // An Internet address is the recipient, whatever the original was.
            ("rfc822;bob@mx2.example.org", "bob@mx2.example.org"),
        ] {
            let body = format!(
                "Reporting-MTA: dns; mx.example.org\n\nOriginal-recipient: rfc822;bob@example.org\nFinal-recipient: {final_field}\nAction: failed\nStatus: 5.2.2\n"
            );
            let g = &parse(body.as_bytes()).groups[0];
            assert_eq!(g.recipient.as_deref(), Some(want), "{final_field}");
        }
        // Without an Original-Recipient, the Final-Recipient is taken as written.
        let g = &parse(b"Final-Recipient: rfc822; bob@localhost\nAction: failed\nStatus: 5.1.1\n")
            .groups[0];
        assert_eq!(g.recipient.as_deref(), Some("bob@localhost"));
    }

    #[test]
    fn internet_addresses() {
        for a in [
            "bob@example.org",
            "\"a b\"@example.org",
            "bob@[192.0.2.1]",
            "bob@bücher.example",
            "bob@example.org.",
        ] {
            assert!(is_internet_address(a), "{a}");
        }
        for a in [
            "bob@localhost",
            "bob@ims_daemon",
            "@mx.example.org:bob@example.org",
            "bob@ims-ms-daemon",
            "@example.org",
            "bob",
        ] {
            assert!(!is_internet_address(a), "{a}");
        }
    }

    #[test]
    fn an_original_recipient_completes_its_group_whatever_came_first() {
        // PMDF writes Action and Status before the recipient fields.
        let body = b"Action: failed\nStatus: 5.0.0\nOriginal-recipient: rfc822;userx@example.ch\nFinal-recipient: rfc822;HAASM@yogi.example.ch\n";
        let r = parse(body);
        assert_eq!(r.groups.len(), 1);
        let g = &r.groups[0];
        assert_eq!(g.recipient.as_deref(), Some("haasm@yogi.example.ch"));
        assert_eq!(g.original_recipient.as_deref(), Some("userx@example.ch"));
        // RFC order, two recipients in one block.
        let body = b"Final-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.1.1\nOriginal-Recipient: rfc822; b0@x.example\nFinal-Recipient: rfc822; b@x.example\nStatus: 5.2.2\n";
        let r = parse(body);
        let got: Vec<_> = (r.groups.iter())
            .map(|g| (g.recipient.clone().unwrap(), g.original_recipient.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("a@x.example".to_string(), None),
                ("b@x.example".to_string(), Some("b0@x.example".to_string()))
            ]
        );
    }

    #[test]
    fn recipient_fields_are_taken_as_written() {
        let cases = [
            (
                "rfc822; \"neko nyaan\"@example.org",
                Some("\"neko nyaan\"@example.org"),
            ),
            ("rfc822;postmaster@localhost", Some("postmaster@localhost")),
            ("RFC822; <Bob@Example.ORG>", Some("bob@example.org")),
            (
                "utf-8; j\\x{00F6}rg@b\\x{00FC}cher.example",
                Some("jörg@bücher.example"),
            ),
            ("utf-8; 用户@例子.广告", Some("用户@例子.广告")),
            (
                "x400; c=US;a= ;p=IKON;o=Nexus2;dda:SMTP=userx@example.COM;",
                Some("userx@example.com"),
            ),
            ("rfc822; @mx.example", None),
            ("rfc822; ", None),
            ("rfc822; \"unclosed@example.org", None),
        ];
        for (value, want) in cases {
            assert_eq!(field_address(value).as_deref(), want, "{value}");
        }
    }
}

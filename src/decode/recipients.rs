//! Decode stage, per recipient: which address each finding is about, and the one verdict
//! per address a careful administrator would state, for a message or a log.
//!
//! Rules, in order of trust:
//! 1. a delivery-status group (RFC 3464) names its recipient, action and status; a generic
//!    `Status: 5.0.0` gives way to the specific code of its own Diagnostic-Code;
//! 2. otherwise the address in the same reply or log line, else the last recipient address
//!    the text named before the reply (qmail, Exim and Exchange write it on a line above);
//!    an address the text names in another part ([`super::roles`]: the returned message's
//!    header fields, a contact, a list's own address, a message id, a URL) is never one;
//! 3. of several codes about one address, the worst class decides, protocol-sequence errors
//!    (`503 5.5.1 RCPT first`) that only follow the real refusal are passed over, and the
//!    first remaining reply wins.

use super::finding::{Decoded, Finding};
use super::notice::{is_delay_notice, is_delivery_report, is_failure_notice};
use super::report::{decisive, from_group};
use super::roles;
use super::statements::{
    assign_from_context, failure_statements, feedback_recipients, line_of, line_of_words,
    note_conflicts,
};
use super::verdict::action_of;
use super::verdict::Verdict;
use crate::extract::code::{Basic, Enhanced};
use crate::extract::listed::{self, Listed};
use crate::extract::{self, Found};
use crate::input::message::{Kind, Message};
use crate::input::{dsn, ses};

/// The findings of one message, each with its recipient, and the verdict per recipient.
pub fn analyze(msg: &Message, source: &str, number: Option<usize>) -> (Vec<Found>, Vec<Verdict>) {
    let at = (source, number);
    let own = |a: &String| {
        (msg.own_addresses.contains(a)
            || msg.list_addresses.contains(a)
            || roles::is_mailer_daemon(a))
            && !msg.failed_recipients.contains(a)
    };
    let mut found = Vec::new();
    let mut verdicts: Vec<Verdict> = Vec::new();
    // The failed recipients the text states, with the form that states each.
    let mut listed: Vec<Listed> = Vec::new();
    // A message that is no report on delivery (an automatic reply, an ordinary message)
    // states failures only in sentences: a bare address there is a signature's or a quote's.
    let states_failures = is_delivery_report(msg);
    let mut reported = false;
    // Report groups whose recipient field holds no address (`rfc822; @host`).
    let mut orphans: Vec<dsn::Group> = Vec::new();
    // The remote host a report names for each recipient (Remote-MTA).
    let mut hosts: Vec<(String, String)> = Vec::new();
    for section in &msg.sections {
        let mut here = extract::extract(&section.body);
        let line_of = |l: usize| {
            if section.exact_lines {
                section.line + l - 1
            } else {
                section.line
            }
        };
        // A report can also sit in plain text, where a bounce lacks its MIME header.
        let report = match section.kind {
            Kind::Status => Some(dsn::parse(&section.body)),
            Kind::Text if crate::text::contains_ci(&section.body, b"final-recipient:") => {
                Some(dsn::parse(&section.body))
            }
            Kind::Text if crate::text::contains_ci(&section.body, b"\"notificationType\"") => {
                ses::parse(&section.body)
            }
            _ => None,
        };
        if let Some(report) = report.filter(|r| !r.groups.is_empty()) {
            for f in &mut here {
                let group = report
                    .groups
                    .iter()
                    .find(|g| (g.lines.0..=g.lines.1).contains(&(f.line - 1)));
                if let Some(g) = group {
                    f.recipient = g.recipient.clone().or(f.recipient.take());
                }
            }
            orphans.extend(
                report
                    .groups
                    .iter()
                    .filter(|g| g.recipient.is_none())
                    .cloned(),
            );
            reported |= report.groups.iter().any(|g| g.recipient.is_some());
            for g in &report.groups {
                if let (Some(r), Some(h)) = (&g.recipient, &g.remote_mta) {
                    hosts.push((r.clone(), h.clone()));
                }
                if let Some(v) = from_group(g, source, number) {
                    upsert(&mut verdicts, v, true);
                }
            }
        }
        match section.kind {
            Kind::Status => {}
            Kind::Feedback => {
                let mut named = feedback_recipients(&section.body);
                let from_report = !named.is_empty();
                if named.is_empty() {
                    named = msg.returned_to.clone();
                }
                let rule = if from_report {
                    "arf:original-rcpt-to"
                } else {
                    "returned-message:to"
                };
                for address in named {
                    let mut v = Verdict::stated(
                        address.clone(),
                        Some("complained"),
                        (None, None),
                        None,
                        at,
                    );
                    v.because("address", rule, &address);
                    upsert(&mut verdicts, v, false);
                    reported = true;
                }
            }
            Kind::Text => {
                // A returned message quoted in the text is not part of the report: its
                // To is not a failed recipient, its codes are not this delivery's.
                let report = section.report();
                let lines = report.iter().filter(|&&b| b == b'\n').count() + 1;
                here.retain(|f| f.line <= lines);
                let failed = failure_statements(report, &own, !states_failures);
                // Where the bounce lists its failed recipients, another address in a
                // reply's words (a contact, an alias) is not one of them.
                let not_listed =
                    |r: &String| !failed.is_empty() && !failed.iter().any(|l| l.address == *r);
                for f in &mut here {
                    if f.recipient
                        .as_ref()
                        .is_some_and(|r| !own(r) && not_listed(r))
                    {
                        f.recipient = None;
                    }
                }
                let candidate = |a: &String| !own(a) && !not_listed(a);
                assign_from_context(report, &mut here, &candidate);
                for l in failed {
                    if !listed.iter().any(|o| o.address == l.address) {
                        listed.push(l);
                    }
                }
            }
        }
        for f in &mut here {
            f.line = line_of(f.line);
        }
        found.extend(here);
    }
    // A report, where there is one, lists the recipients: an address the text names beside
    // a reply (often the sender's, echoed by the remote server) is not another recipient.
    if reported {
        note_conflicts(&mut verdicts, &listed, "dsn-over-text");
        let listed: Vec<String> = verdicts.iter().map(|v| v.address.clone()).collect();
        for f in found
            .iter_mut()
            .filter(|f| f.recipient.as_ref().is_none_or(|r| !listed.contains(r)))
        {
            f.recipient = (listed.len() == 1).then(|| listed[0].clone());
        }
    }
    // Recipients the text names that no report covered, and replies for those it did.
    for address in recipients_of(&found) {
        let about: Vec<&Found> = found
            .iter()
            .filter(|f| f.recipient.as_deref() == Some(&address))
            .collect();
        let Some((status, reply, text)) = decisive(&about) else {
            continue;
        };
        match verdicts.iter_mut().find(|v| v.address == address) {
            Some(v) => {
                let current = v.status.as_deref().and_then(Enhanced::parse);
                // A report's generic 5.0.0 gives way to the text's specific code for the
                // same recipient and class.
                let generic = current.is_some_and(|s| s.subject == 0 && s.detail == 0);
                if let Some(s) = status.filter(|s| {
                    generic
                        && (s.subject != 0 || s.detail != 0)
                        && s.class == current.and_then(|c| c.class)
                }) {
                    v.status = Some(s.to_string());
                    v.because("status", "text:reply-specific", &text);
                }
                let class = current.and_then(|e| e.class);
                let fits = |b: &Basic| class.is_none_or(|c| c == b.first_digit());
                if v.reply.is_none() {
                    v.reply = reply.filter(fits).map(|b| b.to_string());
                }
            }
            None => {
                let mut v = Verdict::stated(address, None, (status, reply), Some(text), at);
                match listed.iter().find(|l| l.address == v.address) {
                    Some(l) => {
                        v.original.clone_from(&l.original);
                        v.because("address", l.form, &line_of(msg, l));
                    }
                    None => {
                        let said = v.diagnostic.clone().unwrap_or_default();
                        v.because("address", "text:nearest-address", &said);
                    }
                }
                let said = v.diagnostic.clone().unwrap_or_default();
                v.because("status", "text:reply", &said);
                verdicts.push(v);
            }
        }
    }
    // A lone report group without an address is about the lone recipient the text names.
    if let ([g], [v]) = (orphans.as_slice(), verdicts.as_mut_slice()) {
        let group = dsn::Group {
            recipient: Some(v.address.clone()),
            ..g.clone()
        };
        if let Some(mut from) = from_group(&group, source, number) {
            from.reply = from.reply.or(v.reply.take());
            from.evidence = std::mem::take(&mut v.evidence);
            from.because(
                "status",
                "dsn:group-without-address",
                "rfc822; (no address)",
            );
            *v = from;
        }
    }
    // Addresses the bounce lists as failed, though no code is given for them.
    // X-Failed-Recipients (Exim) is the bounce's own list, taken as written.
    if !reported {
        let delayed = is_delay_notice(msg);
        let action = if delayed { "delayed" } else { "failed" };
        let header = &msg.failed_recipients;
        for address in header {
            if !verdicts.iter().any(|v| v.address == *address) {
                let v = Verdict::stated(address.clone(), Some(action), (None, None), None, at);
                verdicts.push(v);
            }
            let v = verdicts.iter_mut().find(|v| v.address == *address);
            if let Some(v) = v {
                let span = format!("X-Failed-Recipients: {}", header.join(", "));
                v.because("address", "header:x-failed-recipients", &span);
                if let Some(l) = listed.iter().find(|l| l.address == *address) {
                    v.original = v.original.take().or(l.original.clone());
                }
            }
        }
        // The text's own failure statements stand beside the header's list: each is a
        // statement that the address failed. Where they differ, each verdict says so.
        let mut unlisted: Vec<&str> = Vec::new();
        for a in (verdicts.iter().map(|v| v.address.as_str()))
            .chain(listed.iter().map(|l| l.address.as_str()))
        {
            if !header.iter().any(|h| h == a) && !unlisted.contains(&a) {
                unlisted.push(a);
            }
        }
        if !header.is_empty() && !unlisted.is_empty() {
            let span = format!(
                "X-Failed-Recipients names {}; the text names {} too",
                header.join(", "),
                unlisted.join(", ")
            );
            for v in verdicts.iter_mut() {
                v.because("conflict", "header-and-text", &span);
            }
        }
        // A Subject that says delivery to an address failed (`Your message to bob@x could
        // not be delivered`), where the text names no failed recipient.
        if listed.is_empty() && header.is_empty() && verdicts.is_empty() && states_failures {
            let subject = listed::listed(msg.subject.as_bytes())
                .into_iter()
                .filter(|l| {
                    matches!(l.form, "text:failed-to" | "text:refused") && !own(&l.address)
                });
            listed.extend(subject.map(|l| Listed {
                form: "subject:failed-to",
                ..l
            }));
        }
        for l in &listed {
            if !verdicts.iter().any(|v| v.address == l.address) {
                let mut v =
                    Verdict::stated(l.address.clone(), Some(action), (None, None), None, at);
                v.original.clone_from(&l.original);
                v.because("address", l.form, &line_of(msg, l));
                verdicts.push(v);
            }
        }
    }
    // Codes but no address anywhere: the returned message's To, when it names one, in a
    // report on delivery. A failure notice without codes or addresses failed for that one
    // recipient too.
    if verdicts.is_empty() && states_failures {
        if let [address] = msg.returned_to.as_slice() {
            let all: Vec<&Found> = found.iter().collect();
            let v = if roles::of_address(address).is_some() || msg.list_addresses.contains(address)
            {
                // A list's own address or an encoded return path did not fail.
                None
            } else if let Some((status, reply, text)) = decisive(&all) {
                let mut v = Verdict::stated(
                    address.clone(),
                    None,
                    (status, reply),
                    Some(text.clone()),
                    at,
                );
                v.because("status", "text:reply", &text);
                Some(v)
            } else if found.is_empty() && is_failure_notice(msg) {
                let action = if is_delay_notice(msg) {
                    "delayed"
                } else {
                    "failed"
                };
                Some(Verdict::stated(
                    address.clone(),
                    Some(action),
                    (None, None),
                    None,
                    at,
                ))
            } else {
                None
            };
            if let Some(mut v) = v {
                let span = format!("To: {address}");
                v.because("address", "returned-message:to", &span);
                verdicts.push(v);
            }
        }
    }
    // No report, no code: an automatic reply (RFC 3834) comes from the recipient.
    if verdicts.is_empty() && found.is_empty() && msg.auto_reply {
        if let Some(address) = msg.from.iter().find(|a| !roles::is_mailer_daemon(a)) {
            let mut v = Verdict::stated(
                address.clone(),
                Some("auto-replied"),
                (None, None),
                None,
                at,
            );
            v.because("address", "auto-reply:from", &format!("From: {address}"));
            verdicts.push(v);
        }
    }
    crate::decode::assess::message(msg, &mut verdicts, &hosts);
    // A status inferred from words is a finding too, where the words stand.
    for v in verdicts.iter().filter(|v| v.inferred) {
        let (Some(status), Some(words)) = (&v.status, &v.inferred_from) else {
            continue;
        };
        found.push(Found {
            line: line_of_words(msg, words),
            basic: None,
            enhanced: Enhanced::parse(status).map(|e| (e, 0..0)),
            text: v.diagnostic.clone().unwrap_or_else(|| words.clone()),
            recipient: Some(v.address.clone()),
            inferred: Some(words.clone()),
        });
    }
    (found, verdicts)
}

/// Findings of logs: each line names its own recipient; a later line about the same
/// address (in the same source) replaces an earlier one, as a log reports retries in order.
pub fn from_log(found: &[&Finding]) -> Vec<Verdict> {
    let mut out: Vec<Verdict> = Vec::new();
    let mut index: std::collections::HashMap<(String, String), usize> =
        std::collections::HashMap::new();
    for f in found {
        let Some(v) = stated_in_log(f) else {
            continue;
        };
        match index.get(&(f.source.clone(), v.address.clone())) {
            Some(&i) => out[i] = v,
            None => {
                index.insert((f.source.clone(), v.address.clone()), out.len());
                out.push(v);
            }
        }
    }
    for v in &mut out {
        crate::decode::assess::assess_log(v);
    }
    out
}

/// What one log finding states of the address it is about, not yet assessed.
fn stated_in_log(f: &Finding) -> Option<Verdict> {
    let address = f.recipient.as_ref()?;
    let code = |d: &Option<Decoded>| d.as_ref().map(|d| d.code.clone());
    Some(Verdict {
        // The finding's class, which a legacy basic code's table entry may set.
        action: action_of(f.class()).into(),
        status: code(&f.enhanced),
        reply: code(&f.basic),
        ..Verdict::stated(
            address.clone(),
            None,
            (None, None),
            f.text.clone(),
            (&f.source, None),
        )
    })
}

fn upsert(out: &mut Vec<Verdict>, v: Verdict, replace: bool) {
    match out.iter_mut().find(|o| o.address == v.address) {
        Some(slot) if replace => *slot = v,
        Some(_) => {}
        None => out.push(v),
    }
}

fn recipients_of(found: &[Found]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in found.iter().filter_map(|f| f.recipient.clone()) {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::catalog::Catalog;
    use crate::input::message::parse;

    fn verdicts(raw: &str) -> Vec<(String, Option<String>, Option<String>, String)> {
        let msg = parse(raw.as_bytes(), 1);
        analyze(&msg, "t", Some(1))
            .1
            .into_iter()
            .map(|v| (v.address, v.status, v.reply, v.action))
            .collect()
    }

    fn v(
        a: &str,
        s: &str,
        r: &str,
        action: &str,
    ) -> (String, Option<String>, Option<String>, String) {
        let opt = |x: &str| (!x.is_empty()).then(|| x.to_string());
        (a.into(), opt(s), opt(r), action.into())
    }

    #[test]
    fn a_log_reply_gives_the_verdict_its_decoded_finding_gives() {
        // What the ledger records of each attempt is what `--recipients` says of it.
        let cat = Catalog::load(crate::lang::Lang::En);
        let log = "Nov  3 10:00:00 mx postfix/smtp[1]: A1: to=<bob@example.org>, relay=mx.example.org[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>: user unknown (in reply to RCPT TO command))\n\
Nov  3 10:00:01 mx postfix/smtp[1]: A2: to=<eve@example.net>, relay=mx.example.net[192.0.2.2]:25, dsn=4.2.2, status=deferred (host mx.example.net[192.0.2.2] said: 452 4.2.2 mailbox full (in reply to RCPT TO command))\n\
Nov  3 10:00:02 mx postfix/smtp[1]: A3: to=<ann@example.com>, relay=mx.example.com[192.0.2.3]:25, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X)\n\
Nov  3 10:00:03 mx postfix/smtp[1]: A4: to=<dan@example.com>, relay=mx.example.com[192.0.2.3]:25, delay=1, dsn=5.0.0, status=bounced (Host or domain name not found)\n\
2026-11-03 10:00:03 1tAbCe-000Xyz-7Q ** joe@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.4]: SMTP error from remote mail server after RCPT TO:<joe@example.org>: 550 no such user here\n";
        let chunk = crate::input::stream::Chunk {
            bytes: log.as_bytes().to_vec(),
            first_line: 1,
            offset: 0,
        };
        let today = crate::extract::stamp::Day::today();
        let mut events = crate::record::event::LogEvents::new(&cat, (&chunk, "log"), today, 0);
        crate::extract::for_each_unit(log.as_bytes(), |unit| events.add(unit));
        let events = events.finish();
        let found = crate::extract::extract(log.as_bytes());
        assert_eq!((found.len(), events.len()), (5, 5));
        for (f, e) in found.iter().zip(&events) {
            let decoded = crate::pipeline::found_finding(&cat, "log", f.clone());
            let mut want = stated_in_log(&decoded).unwrap();
            crate::decode::assess::assess_log(&mut want);
            let status = want
                .status
                .clone()
                .or(want.reply.clone())
                .unwrap_or_default();
            assert_eq!(
                (&e.address, e.delivered, &e.status, e.reason, e.hard),
                (
                    &want.address,
                    want.action == "delivered",
                    &status,
                    want.reason,
                    want.hard
                ),
            );
        }
        let reasons: Vec<&str> = events.iter().map(|e| e.reason).collect();
        assert_eq!(
            reasons,
            [
                "userunknown",
                "mailboxfull",
                "delivered",
                "hostunknown",
                "userunknown"
            ]
        );
    }

    #[test]
    fn a_generic_status_gives_way_to_its_diagnostic() {
        let raw = "From: MAILER-DAEMON@mx.example\nTo: me@example.com\nContent-Type: multipart/report; boundary=B\n\n--B\nContent-Type: message/delivery-status\n\nFinal-Recipient: rfc822; bob@example.org\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 550 5.7.1 relaying denied\n--B--\n";
        assert_eq!(
            verdicts(raw),
            [v("bob@example.org", "5.7.1", "550", "failed")]
        );
    }

    #[test]
    fn sequence_errors_do_not_decide() {
        let raw = "From: MAILER-DAEMON@mx.example\nTo: me@example.com\n\n<bob@example.org>:\nRemote said: 550 5.2.1 disabled. 503 5.5.1 RCPT first. 550 5.2.1 disabled\n";
        assert_eq!(
            verdicts(raw),
            [v("bob@example.org", "5.2.1", "550", "failed")]
        );
    }

    #[test]
    fn recipient_from_a_line_above_and_not_the_sender() {
        let raw = "From: MAILER-DAEMON@mx.example\nTo: me@example.com\n\nYour message from me@example.com to\n  carol@example.net\ncould not be delivered.\n\n  452 4.2.2 mailbox full\n";
        assert_eq!(
            verdicts(raw),
            [v("carol@example.net", "4.2.2", "452", "delayed")]
        );
    }

    #[test]
    fn each_report_group_keeps_its_own_status() {
        let raw = "From: MAILER-DAEMON@mx.example\nTo: me@example.com\nContent-Type: multipart/report; boundary=B\n\n--B\nContent-Type: text/plain\n\n<a@x.example>: host said: 550 5.1.1 unknown\n--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; a@x.example\nAction: failed\nStatus: 5.1.1\n\nFinal-Recipient: rfc822; b@x.example\nAction: delayed\nStatus: 4.2.2\n--B--\n";
        assert_eq!(
            verdicts(raw),
            [
                v("a@x.example", "5.1.1", "550", "failed"),
                v("b@x.example", "4.2.2", "", "delayed")
            ]
        );
    }
}

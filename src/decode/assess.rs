//! Decode stage, per recipient: the evidence about each verdict (the remote server's words,
//! the bounce's lines around the address, the hosts involved), judged by [`reason`] into a
//! reason, hard or soft, the provider and who moves first.

use crate::decode::infer;
use crate::decode::reason::{self, Evidence};
use crate::decode::verdict::Verdict;
use crate::extract::code::{Basic, Enhanced};
use crate::input::bounce_text::body_lines;
use crate::input::message::{Kind, Message};
use regex_automata::meta::Regex;
use std::sync::OnceLock;

/// Lines kept above (transcript lines only) and below each line that names the address.
const BEFORE: usize = 2;
const AFTER: usize = 6;
/// Lines of each text part read for a bounce's only recipient.
const HEAD: usize = 40;

/// Sets the reason, hardness, provider and first mover of a verdict from what the remote
/// server said, the bounce's words about the address and the host that answered.
pub fn assess(v: &mut Verdict, context: &Context, hosts: &str) {
    let j = reason::judge(&Evidence {
        status: v.status.as_deref().and_then(Enhanced::parse),
        reply: v.reply.as_deref().and_then(Basic::parse),
        action: &v.action,
        said: v.diagnostic.as_deref().unwrap_or(""),
        near: &context.near,
        context: &context.all,
        hosts,
    });
    v.reason = j.reason;
    v.hard = j.hard;
    v.acts = j.acts.name();
    v.provider = j.provider.map(|r| r.key.to_string());
    v.because("reason", j.rule, j.row);
}

/// Assesses every verdict of one message; `hosts` pairs an address with the host that
/// answered for it (a report's Remote-MTA).
pub fn message(msg: &Message, verdicts: &mut [Verdict], hosts: &[(String, String)]) {
    let addresses: Vec<String> = verdicts.iter().map(|v| v.address.clone()).collect();
    for v in verdicts.iter_mut() {
        let others: Vec<&str> = addresses
            .iter()
            .map(String::as_str)
            .filter(|a| *a != v.address)
            .collect();
        let context = context(msg, &v.address, &others);
        infer_status(v, &context);
        let mut named: Vec<&str> = hosts
            .iter()
            .filter(|(a, _)| *a == v.address)
            .map(|(_, h)| h.as_str())
            .collect();
        named.extend(answering_hosts(&context.near));
        assess(v, &context, &named.join("\n"));
    }
}

/// A failed or delayed recipient for which the bounce gives no code at all takes the status
/// its words mean ([`infer`]), marked as inferred.
fn infer_status(v: &mut Verdict, context: &Context) {
    let failed = match v.action.as_str() {
        "failed" => true,
        "delayed" => false,
        _ => return,
    };
    if v.status.is_some() || v.reply.is_some() {
        return;
    }
    let said = v.diagnostic.as_deref().unwrap_or("");
    if let Some((status, words)) = infer::infer(&[said, &context.near, &context.all], failed) {
        v.status = Some(status.to_string());
        v.inferred = true;
        v.because("status", "wording.tsv", &words);
        v.inferred_from = Some(words);
    }
}

/// The hosts a bounce's text says answered: Postfix and Exim `host mx.example.org[192.0.2.1]`,
/// Sendmail `while talking to mx.example.org.`, qmail and others `remote host mx.example.org`.
fn answering_hosts(text: &str) -> Vec<&str> {
    static RE: OnceLock<Regex> = OnceLock::new();
    // ASCII rules (host names are ASCII): Unicode case folding and classes would make
    // the regex several times slower to compile, once per process.
    let re = RE.get_or_init(|| {
        crate::text::regex(
            r"(?i-u)\b(?:host|talking to|server)\s+([a-z0-9-]+(?:\.[a-z0-9-]+)+)\.?\s*[\[(:]",
        )
    });
    re.captures_iter(text.as_bytes())
        .filter_map(|c| c.get_group(1))
        .map(|m| &text[m.range()])
        .collect()
}

/// The bounce's words about one address.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// The paragraph that names it (up to a blank line), with a transcript's lines above.
    pub near: String,
    /// Everything the bounce says that may be about it.
    pub all: String,
}

/// The bounce's words about `address`, from its text parts up to the returned message.
/// With one recipient, all of them (MTAs write the reason above the address as often as
/// below it); with several, the lines from each mention of the address up to one that
/// names another recipient, and the transcript lines (`>>> DATA`) just above it.
pub fn context(msg: &Message, address: &str, others: &[&str]) -> Context {
    let (mut near, mut all) = (Vec::new(), Vec::new());
    for s in msg.sections.iter().filter(|s| s.kind == Kind::Text) {
        // The report, as the section has it: up to a returned message, a forwarded bounce
        // read on; a message read flat starts with its own header.
        let text = crate::text::decode(s.report());
        let lines: Vec<&str> = body_lines(&text).collect();
        // 0: not about the address, 1: may be, 2: the paragraph that names it.
        let mut keep = vec![u8::from(others.is_empty()); lines.len()];
        keep.iter_mut().skip(HEAD).for_each(|k| *k = 0);
        let names = |l: &str, a: &str| crate::text::contains_ci(l.as_bytes(), a.as_bytes());
        let mentions = (0..lines.len()).filter(|&i| names(lines[i], address));
        for m in mentions.collect::<Vec<_>>() {
            (m.saturating_sub(BEFORE)..m)
                .rev()
                .take_while(|&i| lines[i].starts_with(">>>") || lines[i].starts_with("<<<"))
                .for_each(|i| keep[i] = 2);
            let mut paragraph = true;
            for i in m..lines.len().min(m + AFTER + 1) {
                if i > m && others.iter().any(|o| names(lines[i], o)) {
                    break;
                }
                paragraph &= i == m || !lines[i].trim().is_empty();
                keep[i] = keep[i].max(if paragraph { 2 } else { 1 });
            }
        }
        for (line, k) in lines.iter().zip(&keep) {
            if *k == 2 {
                near.push(line.to_string());
            }
            if *k > 0 {
                all.push(line.to_string());
            }
        }
    }
    Context {
        near: near.join("\n"),
        all: all.join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::message::parse;

    #[test]
    fn context_is_the_text_around_the_address() {
        let raw = "From: MAILER-DAEMON@mx.example\nTo: me@example.com\n\nDelivery failed:\n\n  a@x.example\n    Mailbox is full\n  b@x.example\n    Unknown user\n\nReceived: from me\nSubject: mailbox full\n";
        let msg = parse(raw.as_bytes(), 1);
        let a = context(&msg, "a@x.example", &["b@x.example"]).all;
        assert!(
            a.contains("Mailbox is full") && !a.contains("Unknown user"),
            "{a}"
        );
        let b = context(&msg, "b@x.example", &["a@x.example"]);
        assert!(
            b.all.contains("Unknown user") && !b.all.contains("Subject"),
            "{b:?}"
        );
        assert_eq!(b.near, "  b@x.example\n    Unknown user");
        let said = "<a@x.example>: host mx01.mail.icloud.com[17.57.154.6] said: 552";
        assert_eq!(answering_hosts(said), ["mx01.mail.icloud.com"]);
        assert_eq!(
            context(&msg, "c@x.example", &["a@x.example"]),
            Context::default()
        );
        let one = context(&msg, "c@x.example", &[]).all;
        assert!(
            one.starts_with("Delivery failed:") && !one.contains("Received"),
            "{one}"
        );
    }
}

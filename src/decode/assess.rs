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

/// Sets the reason, hardness, provider and first mover of a verdict read from one log line
/// (`--recipients` on a log, and each attempt `--ledger` records): [`judge_log`].
pub fn assess_log(v: &mut Verdict) {
    let j = judge_log(
        v.status.as_deref().and_then(Enhanced::parse),
        v.reply.as_deref().and_then(Basic::parse),
        &v.action,
        v.diagnostic.as_deref().unwrap_or(""),
    );
    v.reason = j.reason;
    v.hard = j.hard;
    v.acts = j.acts.name();
    v.provider = j.provider.map(|r| r.key.to_string());
    v.because("reason", j.rule, j.row);
}

/// The judgement of one log reply. The judge reads the server's words and the host that
/// answered, not the log's own fields ([`log_words`]), and no mail address: who was
/// addressed does not say why delivery failed (the provider table leaves them out for the
/// same reason). A provider row fits where the words or the host name hold its pattern.
/// Words and hosts repeat across a log's lines, each in many pairs: the rows each holds,
/// and the judgement of words no provider row fits, are kept per thread (bounded memos,
/// each answer the judge's own), so a log's distinct replies are judged once.
pub fn judge_log(
    status: Option<Enhanced>,
    reply: Option<Basic>,
    action: &str,
    text: &str,
) -> reason::Judgement {
    use crate::decode::provider;
    use foldhash::HashMap;
    /// The codes and action a judgement of words is for.
    type Codes = (Option<Enhanced>, Option<Basic>, Box<str>);
    #[derive(Default)]
    struct Memo {
        rows: HashMap<Box<str>, Box<[u16]>>,
        judged: HashMap<Codes, HashMap<Box<str>, reason::Judgement>>,
    }
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::default();
    }
    /// Distinct texts kept per thread before a memo starts again (memory stays flat).
    const KEPT: usize = 1 << 15;
    fn learn(memo: &mut HashMap<Box<str>, Box<[u16]>>, text: &str) {
        if !memo.contains_key(text) {
            if memo.len() >= KEPT {
                memo.clear();
            }
            memo.insert(text.into(), provider::rows_in(text).into());
        }
    }
    let (said, host) = log_words(text);
    let said = provider::without_addresses(&said);
    let ev = Evidence {
        status,
        reply,
        action,
        said: &said,
        near: "",
        context: "",
        hosts: host,
    };
    MEMO.with(|m| {
        let m = &mut *m.borrow_mut();
        learn(&mut m.rows, &said);
        learn(&mut m.rows, host);
        let (in_words, in_host) = (&m.rows[said.as_str()], &m.rows[host]);
        if let Some(row) = provider::first_fitting(in_words, in_host, reply, status) {
            return reason::judge_given(&ev, || Some(row));
        }
        let codes: Codes = (status, reply, action.into());
        if let Some(j) = m.judged.get(&codes).and_then(|w| w.get(said.as_str())) {
            return *j;
        }
        let j = reason::judge_given(&ev, || None);
        if m.judged.values().map(HashMap::len).sum::<usize>() >= KEPT {
            m.judged.clear();
        }
        m.judged
            .entry(codes)
            .or_default()
            .insert(said.as_str().into(), j);
        j
    })
}

/// The server's words and the answering host in a log reply's text, without the log's own
/// fields, which say nothing of why: the line's timestamp, logging host, process and queue
/// id; Postfix's and Sendmail's `to=`, `delay=` and the like (the words are the reply after
/// `status=bounced (` or `stat=`); Exim's router and transport (the words follow its
/// `H=host [address]: `); Postfix's `; from=<..> to=<..> proto=.. helo=<..>` tail of a
/// refusal (the client's, not the server's); address literals. The host is the `relay=`
/// or `H=` field's ([`crate::extract::stamp::relay`]).
fn log_words(text: &str) -> (String, &str) {
    let find = |needle: &str| memchr::memmem::find(text.as_bytes(), needle.as_bytes());
    // The summary's reading of the same field: ends at ASCII bytes, so still text.
    let host = std::str::from_utf8(crate::extract::stamp::relay(text.as_bytes())).unwrap_or("");
    let mut words = text;
    if let Some(i) = find(" status=") {
        let rest = &text[i + 8..];
        words = match rest.find(" (") {
            Some(p) => rest[p + 2..].strip_suffix(')').unwrap_or(&rest[p + 2..]),
            None => rest,
        };
    } else if let Some(i) = find(" stat=") {
        words = &text[i + 6..];
    } else if let Some(i) = find(" H=") {
        // Exim: `... H=mx.example.org [192.0.2.1]: SMTP error from remote mail server ...`
        if let Some(j) = text[i..].find("]: ") {
            words = &text[i + j + 3..];
        }
    } else if let Some(j) = program_end(text) {
        // A syslog line: `Nov 1 00:00:19 mx1 postfix/smtpd[18370]: NOQUEUE: reject: ...`,
        // or `... sm-mta[50944]: 4G32XzJA733907: <bob@example.org>... 5.2.2 ...`; the queue
        // id goes too (Postfix writes NOQUEUE for a message refused before it had one).
        words = &text[j..];
        if let Some((id, rest)) = words.split_once(": ") {
            if id.len() >= 6 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                words = rest;
            }
        }
    }
    if let Some(i) = words.find("; from=<") {
        words = &words[..i];
    }
    (without_literals(words), host)
}

/// Where the words of a syslog line start: after its first `program[pid]: `, when the
/// line starts with one's timestamp and host (within its first 100 bytes).
fn program_end(text: &str) -> Option<usize> {
    let j = text
        .get(..100.min(text.len()))
        .unwrap_or(text)
        .find("]: ")?;
    let token = &text[text[..j].rfind(' ').map_or(0, |i| i + 1)..j];
    let (program, pid) = token.split_once('[')?;
    let fits = !program.is_empty()
        && !pid.is_empty()
        && pid.bytes().all(|b| b.is_ascii_digit())
        && program
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.'));
    fits.then_some(j + 3)
}

/// `text` with each address literal (`[192.0.2.1]`, `[2001:db8::1]`) left empty (`[]`).
fn without_literals(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        let end = rest.find(']').unwrap_or(0);
        let literal = end > 0
            && rest[..end]
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b'.' | b':'))
            && rest[..end].bytes().any(|b| b.is_ascii_digit());
        if literal {
            rest = &rest[end..];
        }
    }
    out.push_str(rest);
    out
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
    fn a_log_line_is_judged_by_its_reply_and_its_relay() {
        let postfix = "Nov 1 00:00:22 mail postfix/smtp[51145]: 1FB70BB20388: to=<dave@example.net>, relay=mx1.example.net[192.0.2.8]:25, delay=1.8, delays=0.16/0.01/0.18/1.49, dsn=5.0.0, status=bounced (No MX found for domain)";
        let words = |t| {
            let (w, h) = log_words(t);
            (w, h.to_string())
        };
        let pair = |w: &str, h: &str| (w.to_string(), h.to_string());
        assert_eq!(
            words(postfix),
            pair("No MX found for domain", "mx1.example.net")
        );
        let sendmail = "Nov 1 00:04:22 mx1 sm-mta[43578]: 5HzJbh1r610610: to=<m@example.com>, delay=00:06:00, xdelay=00:00:30, mailer=esmtp, pri=102260, relay=in3.example.co.uk. [192.0.2.9], dsn=4.4.7, stat=Deferred: Connection timed out";
        assert_eq!(
            words(sendmail),
            pair("Deferred: Connection timed out", "in3.example.co.uk")
        );
        let exim = "2024-11-01 00:04:11 fD1LhG-ln41xF-dx == bob@example.org R=dnslookup T=remote_smtp defer (-44) H=mx37.example.org [192.0.2.29]: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 4.7.1 Greylisted";
        assert_eq!(
            words(exim),
            pair(
                "SMTP error from remote mail server after RCPT TO:<bob@example.org>: 4.7.1 Greylisted",
                "mx37.example.org"
            )
        );
        let smtpd = "Nov 1 00:00:19 mx1 postfix/smtpd[18370]: NOQUEUE: reject: RCPT from a.example[192.0.2.4]: 554 5.7.1 <b@example.org>: Relay access denied; from=<a@example.net> to=<b@example.org> proto=ESMTP helo=<a.example>";
        assert_eq!(
            words(smtpd),
            pair(
                "reject: RCPT from a.example[]: 554 5.7.1 <b@example.org>: Relay access denied",
                ""
            )
        );
        let reply = "550 5.1.1 <bob@example.org>: Recipient address rejected";
        assert_eq!(words(reply), pair(reply, ""));
        // The same reply about two recipients is one judgement, and the memo's is the judge's.
        let reply = "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown";
        let (status, basic) = (Enhanced::parse("5.1.1"), Basic::parse("550"));
        let a = judge_log(status, basic, "failed", reply);
        let b = judge_log(status, basic, "failed", &reply.replace("bob@", "eve@"));
        assert_eq!((a.reason, a.hard, a.rule), (b.reason, b.hard, b.rule));
        assert_eq!(a.reason, "userunknown");
    }

    /// Texts cut anywhere, fields without values, brackets never closed, characters of
    /// several bytes where a field would end: words and a host, never a panic.
    #[test]
    fn odd_log_texts_are_read_safely() {
        let long = format!("{}]: 550 x", "é".repeat(60));
        for text in [
            "",
            "]: ",
            "relay=",
            " H=",
            " status=",
            " status=bounced (",
            " stat=",
            "x[1.2.3.4",
            "[]",
            "[::]",
            "a prog[12]: Q1234567: ",
            "prog[]: 550 x",
            long.as_str(),
            "Nov 1 00:00:00 h p[1]: ID1234: to=<a@b>, relay=é[1.2.3.4], dsn=5.0.0, status=bounced",
        ] {
            let (words, host) = log_words(text);
            assert!(
                words.len() <= text.len() && host.len() <= text.len(),
                "{text}"
            );
            let _ = judge_log(None, Basic::parse("550"), "failed", text);
        }
        assert_eq!(
            without_literals("a [192.0.2.1] b [x] [2001:db8::1]"),
            "a [] b [x] []"
        );
        assert_eq!(
            program_end("Nov 1 00:00:00 h postfix/smtp[12]: x"),
            Some(35)
        );
        assert_eq!(program_end("550 5.1.1 [1.2.3.4]: no"), None);
    }

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

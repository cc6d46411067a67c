//! Decode stage, part 3: the codes and tags one mail provider uses with its own meaning
//! (`data/providers.tsv`, texts in `data/providers.<lang>.txt`), and which provider a reply
//! came from.
//!
//! A row fits a reply when its code fits (the same enhanced code, or one in its detail
//! range; the same basic code for rows without an enhanced code; any code of the tag's class
//! for tag rows such as `[TSS04]`) and its pattern is found in the reply text or the host
//! names. Rows are tried in table order and the first that fits wins. The patterns of all
//! rows are searched together ([`PatternSet`]), and a look-up by hand never builds them.

use super::catalog::Actor;
use super::pattern::{self, PatternSet};
use crate::decode::catalog::{parse_texts, Texts};
use crate::extract::code::{Basic, Enhanced};
use crate::lang::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The language-neutral provider table.
pub const TABLE: &str = include_str!("../../data/providers.tsv");

/// The provider texts of each embedded language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../../data/providers.en.txt"),
        Lang::It => include_str!("../../data/providers.it.txt"),
        Lang::Fr => include_str!("../../data/providers.fr.txt"),
        Lang::De => include_str!("../../data/providers.de.txt"),
        Lang::Es => include_str!("../../data/providers.es.txt"),
    }
}

/// An enhanced code or a range of details in one class and subject (`5.7.606-649`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeRange {
    pub class: u8,
    pub subject: u16,
    pub first: u16,
    pub last: u16,
}

impl CodeRange {
    fn parse(text: &str) -> Option<CodeRange> {
        let (code, last) = match text.split_once('-') {
            Some((code, last)) => (code, Some(last)),
            None => (text, None),
        };
        let e = Enhanced::parse(code)?;
        let last = match last {
            Some(l) => l.parse().ok().filter(|&l| l >= e.detail)?,
            None => e.detail,
        };
        Some(CodeRange {
            class: e.class?,
            subject: e.subject,
            first: e.detail,
            last,
        })
    }

    /// Whether `code` is in the range.
    pub fn contains(&self, code: Enhanced) -> bool {
        code.class == Some(self.class)
            && code.subject == self.subject
            && (self.first..=self.last).contains(&code.detail)
    }
}

/// One row of `data/providers.tsv`.
#[derive(Debug)]
pub struct Row {
    /// `provider:code`, `provider:code/variant` or `provider:TAG`.
    pub key: &'static str,
    /// The provider's display name.
    pub provider: &'static str,
    pub basic: Option<Basic>,
    pub enhanced: Option<CodeRange>,
    /// The row's place in [`Table::patterns`].
    pub pattern: usize,
    /// The bounce reason (Sisimai's vocabulary, see `reason`).
    pub reason: &'static str,
    /// Whether mail to the address should stop.
    pub hard: bool,
    /// Who has to act first.
    pub acts: Actor,
    /// Whether the key names a tag, not a code.
    tag: bool,
}

impl Row {
    /// A tag row (`yahoo:TSS04`): the provider's own tag, not a code, names the meaning.
    pub fn is_tag(&self) -> bool {
        self.tag
    }

    /// Whether the row's code fits a reply with these codes.
    pub fn fits(&self, basic: Option<Basic>, enhanced: Option<Enhanced>) -> bool {
        let class = enhanced
            .and_then(|e| e.class)
            .or(basic.map(|b| b.first_digit()));
        match (self.enhanced, self.basic) {
            (Some(range), _) => enhanced.is_some_and(|e| range.contains(e)),
            (None, Some(b)) if self.is_tag() => class.is_none_or(|c| c == b.first_digit()),
            (None, Some(b)) => match basic {
                Some(have) => have == b,
                None => class == Some(b.first_digit()),
            },
            (None, None) => true,
        }
    }
}

/// The provider rows and their patterns.
#[derive(Debug)]
pub struct Table {
    pub rows: Vec<Row>,
    pub patterns: PatternSet,
}

/// Parses `data/providers.tsv`: comment lines, a header, then one row a key, in order.
pub fn parse_table(src: &'static str) -> Result<Table, String> {
    let (mut rows, patterns) = (Vec::new(), PatternSet::of(&pattern::tables::PROVIDERS));
    for line in crate::decode::catalog::spans::rows(src) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [key, provider, basic, enhanced, pattern, reason, hard, acts] = cols[..] else {
            return Err(format!("providers.tsv: expected 8 columns: {line}"));
        };
        let bad = |what: &str| format!("providers.tsv: bad {what} in {key}");
        rows.push(Row {
            key,
            provider,
            basic: match basic {
                "" => None,
                b => Some(Basic::parse(b).ok_or_else(|| bad("basic code"))?),
            },
            enhanced: match enhanced {
                "" => None,
                e => Some(CodeRange::parse(e).ok_or_else(|| bad("enhanced code"))?),
            },
            pattern: {
                pattern::take_pattern(&patterns, rows.len(), pattern, "providers.tsv")?;
                rows.len()
            },
            reason,
            hard: match hard {
                "true" => true,
                "false" => false,
                _ => return Err(bad("hard")),
            },
            acts: Actor::parse(acts).ok_or_else(|| bad("acts"))?,
            tag: key
                .split_once(':')
                .is_some_and(|(_, c)| c.starts_with(|c: char| c.is_ascii_alphabetic())),
        });
    }
    Ok(Table { rows, patterns })
}

/// The embedded table, parsed once.
pub fn table() -> &'static Table {
    static ROWS: OnceLock<Table> = OnceLock::new();
    ROWS.get_or_init(|| parse_table(TABLE).expect("data/providers.tsv is checked by tests"))
}

/// The row that fits a reply: its codes, its text and the names of the hosts involved
/// (Remote-MTA, Reporting-MTA), in table order. Mail addresses are left out of the text:
/// who answered, not who was addressed, names the provider (a gmail.com recipient refused
/// by the sender's own relay is no Google reply).
pub fn detect(
    text: &str,
    hosts: &str,
    basic: Option<Basic>,
    enhanced: Option<Enhanced>,
) -> Option<&'static Row> {
    if text.trim().is_empty() && hosts.trim().is_empty() {
        return None;
    }
    let hay = pattern::lower(&format!("{}\n{hosts}", without_addresses(text)));
    let table = table();
    let scan = table.patterns.scan(&hay);
    table
        .rows
        .iter()
        .filter(|r| r.fits(basic, enhanced))
        .find(|r| scan.is_match(r.pattern))
}

/// The rows whose pattern one text holds (a reply's words, mail addresses left out, or a
/// host's name), whatever the codes, in table order: half of [`detect`], for a caller that
/// keeps the answer for a text seen again ([`first_fitting`] does the other half).
pub fn rows_in(text: &str) -> Vec<u16> {
    if text.trim().is_empty() {
        return Vec::new();
    }
    let hay = pattern::lower(&without_addresses(text));
    let table = table();
    let scan = table.patterns.scan(&hay);
    (0..table.rows.len())
        .filter(|&i| scan.is_match(table.rows[i].pattern))
        .map(|i| i as u16)
        .collect()
}

/// The first row, in table order, of those [`rows_in`] found in the words or in the host
/// that fits the codes.
pub fn first_fitting(
    words: &[u16],
    host: &[u16],
    basic: Option<Basic>,
    enhanced: Option<Enhanced>,
) -> Option<&'static Row> {
    let rows = &table().rows;
    let (mut a, mut b) = (words.iter().peekable(), host.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x <= y => {
                a.next();
                if x == y {
                    b.next();
                }
                x
            }
            (_, Some(&&y)) => {
                b.next();
                y
            }
            (Some(&&x), None) => {
                a.next();
                x
            }
            (None, None) => return None,
        };
        let row = &rows[usize::from(next)];
        if row.fits(basic, enhanced) {
            return Some(row);
        }
    }
}

pub(crate) fn without_addresses(text: &str) -> String {
    if !text.contains('@') {
        return text.to_string();
    }
    // What `[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+` leaves: each run of characters
    // between those delimiters that holds an `@` after its first and before its last
    // character goes whole.
    let mut out = String::with_capacity(text.len());
    let (mut word, mut at) = (0, 0);
    while at < text.len() {
        let c = text[at..].chars().next().unwrap_or_default();
        let delimiter = c.is_whitespace()
            || matches!(
                c,
                '<' | '>' | '(' | ')' | '[' | ']' | '"' | '\'' | ',' | ';' | ':'
            );
        if delimiter {
            keep_unless_address(&mut out, &text[word..at]);
            out.push(c);
            word = at + c.len_utf8();
        }
        at += c.len_utf8();
    }
    keep_unless_address(&mut out, &text[word..]);
    out
}

fn keep_unless_address(out: &mut String, word: &str) {
    let inner = word.len() > 2 && word.as_bytes()[1..word.len() - 1].contains(&b'@');
    if !inner {
        out.push_str(word);
    }
}

/// The texts of the provider entries in `lang`, English behind each missing entry.
pub fn texts(lang: Lang, key: &str) -> Option<&'static Texts> {
    static TEXTS: [OnceLock<HashMap<&str, Texts>>; 5] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let load = |l: Lang| {
        let slot = match l {
            Lang::En => &TEXTS[0],
            Lang::It => &TEXTS[1],
            Lang::Fr => &TEXTS[2],
            Lang::De => &TEXTS[3],
            Lang::Es => &TEXTS[4],
        };
        slot.get_or_init(|| {
            parse_texts(source(l)).expect("data/providers.*.txt are checked by tests")
        })
    };
    load(lang).get(key).or_else(|| load(Lang::En).get(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::ALL;
    use std::collections::BTreeSet;

    /// Addresses leave a reply as the regular expression in `without_addresses` says.
    #[test]
    fn addresses_leave_the_text_as_the_regex_says() {
        let re = regex::Regex::new(r#"[^\s<>()\[\]"',;:]+@[^\s<>()\[\]"',;:]+"#).unwrap();
        let texts = [
            "550 5.1.1 <bob@example.org>: Recipient address rejected",
            "bob@example.org, ann@x.example;@lead trail@ @ a@b@c",
            "user@host\u{a0}next é@ü (x@y) [p@q] \"m@n\" 'k@l' a:b@c",
            "@@@ a@ @b a@@b \u{2003}c@d\u{2003}",
            "",
        ];
        for text in texts {
            assert_eq!(
                without_addresses(text),
                re.replace_all(text, ""),
                "{text:?}"
            );
        }
    }

    fn hit(text: &str, basic: &str, enhanced: &str) -> Option<&'static str> {
        detect(text, "", Basic::parse(basic), Enhanced::parse(enhanced)).map(|r| r.key)
    }

    #[test]
    fn every_language_covers_every_key_and_no_more() {
        let keys: BTreeSet<String> = parse_table(TABLE)
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.key.to_string())
            .collect();
        assert!(keys.len() >= 200, "{} rows", keys.len());
        for lang in ALL {
            let texts = parse_texts(source(lang)).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let have: BTreeSet<String> = texts.keys().map(|k| k.to_string()).collect();
            let missing: Vec<_> = keys.difference(&have).collect();
            let orphans: Vec<_> = have.difference(&keys).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(orphans.is_empty(), "{lang} has orphans {orphans:?}");
            for (key, t) in &texts {
                let advice = [&t.sender, &t.recipient, &t.administrator];
                assert!(
                    advice.iter().any(|a| a.is_some()),
                    "{lang} [{key}] has no advice"
                );
            }
        }
    }

    #[test]
    fn the_party_that_acts_first_has_advice_for_its_side() {
        let en = parse_texts(source(Lang::En)).unwrap();
        for r in parse_table(TABLE).unwrap().rows {
            let t = &en[r.key];
            let advice = match r.acts {
                Actor::Sender => &t.sender,
                Actor::Recipient => &t.recipient,
                Actor::SenderAdmin | Actor::RecipientAdmin => &t.administrator,
                Actor::Nobody => continue,
            };
            let text = advice
                .as_deref()
                .unwrap_or_else(|| panic!("{}: no advice", r.key));
            let side = match r.acts {
                Actor::SenderAdmin => "Sending side",
                Actor::RecipientAdmin => "Receiving side",
                _ => continue,
            };
            assert!(
                text.starts_with(side) || text.starts_with("Both sides"),
                "{}: the administrator's advice is not for the {side}",
                r.key
            );
        }
    }

    #[test]
    fn codes_whose_meaning_clashes_with_the_registry_note_it_in_every_language() {
        // The clashes ../shared/reference/NOTES.md lists.
        let clashes = [
            ("google", "4.7.23"),
            ("google", "4.7.27"),
            ("google", "5.7.27"),
            ("google", "4.7.28"),
            ("google", "4.7.29"),
            ("google", "4.7.30"),
            ("google", "5.7.30"),
            ("microsoft", "5.1.10"),
            ("microsoft", "5.7.12"),
            ("microsoft", "5.7.13"),
            ("microsoft", "5.1.8"),
            ("microsoft", "5.2.2"),
            ("microsoft", "4.7.26"),
            ("microsoft", "5.1.4-5"),
            ("microsoft", "5.1.6"),
            ("microsoft", "5.2.1"),
            ("microsoft", "5.3.3"),
            ("yahoo", "5.7.9"),
        ];
        for lang in ALL {
            let texts = parse_texts(source(lang)).unwrap();
            for (provider, code) in clashes {
                let noted = texts.iter().any(|(key, t)| {
                    let (p, c) = key.split_once(':').unwrap();
                    p == provider && c.split('/').next() == Some(code) && t.note.is_some()
                });
                assert!(noted, "{lang}: no note on {provider} {code}");
            }
        }
    }

    #[test]
    fn keys_are_unique_and_every_row_is_valid() {
        let Table { rows, patterns } = parse_table(TABLE).unwrap();
        let mut seen = BTreeSet::new();
        for r in &rows {
            assert!(seen.insert(&r.key), "duplicate key {}", r.key);
            assert!(
                patterns.compiles(r.pattern),
                "{}: pattern does not compile",
                r.key
            );
            assert!(
                crate::decode::reason::vocabulary::is_known(r.reason),
                "{}: unknown reason {}",
                r.key,
                r.reason
            );
            let code = r.key.split_once(':').map(|(_, c)| c).unwrap_or("");
            let code = code.split('/').next().unwrap();
            let named = match (r.enhanced, r.basic) {
                (Some(e), _) if e.first == e.last => {
                    code == format!("{}.{}.{}", e.class, e.subject, e.first)
                }
                (Some(e), _) => {
                    code.starts_with(&format!("{}.{}.{}-", e.class, e.subject, e.first))
                }
                (None, Some(b)) => r.is_tag() || code == b.to_string(),
                (None, None) => {
                    r.is_tag() || code.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                }
            };
            assert!(named, "{}: the key does not name the row's code", r.key);
        }
    }

    #[test]
    fn variants_and_exact_codes_come_before_the_rows_that_contain_them() {
        let rows = parse_table(TABLE).unwrap().rows;
        for (i, general) in rows.iter().enumerate() {
            let Some(range) = general.enhanced else {
                continue;
            };
            let provider = general.key.split(':').next().unwrap();
            for later in &rows[i + 1..] {
                let same = later.key.split(':').next() == Some(provider);
                let inside = later.enhanced.is_some_and(|e| {
                    e.class == range.class
                        && e.subject == range.subject
                        && e.first >= range.first
                        && e.last <= range.last
                });
                let narrower = later.key.contains('/') && !general.key.contains('/')
                    || later
                        .enhanced
                        .is_some_and(|e| e.last - e.first < range.last - range.first);
                assert!(
                    !(same && inside && narrower),
                    "{} must come before {}",
                    later.key,
                    general.key
                );
            }
        }
    }

    #[test]
    fn sample_replies_resolve_to_their_provider() {
        let cases = [
            (
                "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
                "550",
                "5.1.10",
                "microsoft:5.1.10",
            ),
            (
                "550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list please visit https://sender.office.com/",
                "550",
                "5.7.606",
                "microsoft:5.7.606-649",
            ),
            (
                "451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP reputation.",
                "451",
                "4.7.650",
                "microsoft:4.7.650",
            ),
            (
                "550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy. - gsmtp",
                "550",
                "5.7.26",
                "google:5.7.26/dmarc",
            ),
            (
                "421-4.7.28 Our system has detected an unusual rate of mail - gsmtp",
                "421",
                "4.7.28",
                "google:4.7.28",
            ),
            (
                "550 5.2.1 The email account that you tried to reach is disabled. - gsmtp",
                "550",
                "5.2.1",
                "google:5.2.1",
            ),
            (
                "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume",
                "421",
                "4.7.0",
                "yahoo:TSS04",
            ),
            (
                "554 delivery error: dd This user doesn't have a yahoo.com account (bob@yahoo.com) [0] - mta1.mail.yahoo.com",
                "554",
                "",
                "yahoo:554/no-account",
            ),
            (
                "550 5.1.6 recipient no longer on server: bob@icloud.com",
                "550",
                "5.1.6",
                "apple:5.1.6",
            ),
            (
                "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550",
                "550",
                "",
                "mimecast:550/invalid-recipient",
            ),
            (
                "550 5.1.1 Adresse d au moins un destinataire invalide. OFR_416 [416]",
                "550",
                "5.1.1",
                "orange:OFR_416",
            ),
        ];
        for (text, basic, enhanced, key) in cases {
            assert_eq!(hit(text, basic, enhanced), Some(key), "{text}");
        }
    }

    #[test]
    fn codes_must_fit_and_addresses_do_not_name_the_provider() {
        // The same words with a code of another class or subject are not the row's.
        assert_eq!(
            hit("550 5.7.1 RESOLVER.ADR.RecipientNotFound", "550", "5.7.2"),
            None
        );
        // A Gmail address refused by some other server.
        assert_eq!(
            hit(
                "554 5.7.1 <bob@gmail.com>: Relay access denied",
                "554",
                "5.7.1"
            ),
            None
        );
        // A reply from Google's servers, named by the host alone.
        let row = detect(
            "550 5.1.1 The email account that you tried to reach does not exist.",
            "gmail-smtp-in.l.google.com",
            Basic::parse("550"),
            Enhanced::parse("5.1.1"),
        );
        assert_eq!(row.map(|r| r.key), Some("google:5.1.1"));
        assert_eq!(
            detect("", "", Basic::parse("550"), None).map(|r| &r.key),
            None
        );
    }

    #[test]
    fn texts_fall_back_to_english() {
        let it = texts(Lang::It, "google:5.7.26").unwrap();
        let en = texts(Lang::En, "google:5.7.26").unwrap();
        assert_ne!(it.title, en.title);
        assert!(texts(Lang::Fr, "nobody:5.1.1").is_none());
    }
}

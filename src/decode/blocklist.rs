//! Decode stage, part 3b: the block lists and reputation services that a reply names
//! (`data/blocklists.tsv`, texts in `data/blocklists.<lang>.txt`), the IP or domain it says
//! is listed, and the service's page for that listing.
//!
//! Recognition reads the reply's own words: a list's zone (`zen.spamhaus.org`), the
//! service's name or page, or a provider's own code (a row of `data/providers.tsv`, such
//! as Microsoft's `S3150`, names the list that row stands for). Nothing is guessed from an
//! IP address, and nothing is looked up on the network. The IP or domain taken from the
//! reply is validated (an IPv4 or IPv6 address, a host name of letters, digits and
//! hyphens) before it goes into a page's address or is printed.

use super::catalog::Actor;
use super::pattern::{self, PatternSet};
use crate::decode::catalog::{parse_texts, Texts};
use crate::lang::Lang;
use serde::Serialize;
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::OnceLock;

/// The language-neutral block list table.
pub const TABLE: &str = include_str!("../../data/blocklists.tsv");

/// The block list texts of each embedded language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../../data/blocklists.en.txt"),
        Lang::It => include_str!("../../data/blocklists.it.txt"),
        Lang::Fr => include_str!("../../data/blocklists.fr.txt"),
        Lang::De => include_str!("../../data/blocklists.de.txt"),
        Lang::Es => include_str!("../../data/blocklists.es.txt"),
    }
}

/// What a list lists, so what the reply's listed item is read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Ip,
    Domain,
}

/// One row of `data/blocklists.tsv`.
#[derive(Debug)]
pub struct Row {
    /// `service:list`, as `spamhaus:sbl`.
    pub key: &'static str,
    pub name: &'static str,
    /// The DNS zone MTAs query, where the list has one.
    pub zone: Option<&'static str>,
    pub kind: Kind,
    /// The row's place in [`Table::patterns`], where it has a pattern.
    pattern: Option<usize>,
    /// The provider rows whose meaning is this list's.
    pub providers: Vec<&'static str>,
    /// The official page; `{}` takes the listed IP or domain.
    pub lookup: &'static str,
    /// Where the page was found (checked by the tests, shown in docs/BLOCKLISTS.md).
    #[cfg_attr(not(test), allow(dead_code))]
    pub source: &'static str,
    pub acts: Actor,
}

/// The block list rows and their patterns.
#[derive(Debug)]
pub struct Table {
    pub rows: Vec<Row>,
    pub patterns: PatternSet,
}

/// A listing a reply names: the serde form is `blocklist` in a finding's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// The row's key: `spamhaus:sbl`.
    pub key: &'static str,
    /// The list's name: `Spamhaus SBL`.
    pub name: &'static str,
    /// The zone the reply names, where it names one.
    pub zone: Option<&'static str>,
    /// The IP or domain the reply says is listed, validated; `null` where it names none.
    pub listed: Option<String>,
    /// The service's page for the listing, the listed IP or domain filled in where the
    /// page takes it.
    pub lookup: String,
    /// What the listing means, in the finding's language.
    pub meaning: String,
    /// Who has to act: sender-admin or recipient-admin.
    #[serde(skip)]
    pub acts: Actor,
}

/// Parses `data/blocklists.tsv`: comment lines, a header, then one row a list, in order.
pub fn parse_table(src: &'static str) -> Result<Table, String> {
    let patterns = PatternSet::of(&pattern::tables::BLOCKLISTS);
    let (mut rows, mut n) = (Vec::new(), 0);
    for line in crate::decode::catalog::spans::rows(src) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [key, name, zone, kind, pattern, providers, lookup, source, acts] = cols[..] else {
            return Err(format!("blocklists.tsv: expected 9 columns: {line}"));
        };
        let bad = |what: &str| format!("blocklists.tsv: bad {what} in {key}");
        let pattern = match pattern {
            "" => None,
            p => {
                pattern::take_pattern(&patterns, n, p, "blocklists.tsv")?;
                n += 1;
                Some(n - 1)
            }
        };
        if !lookup.starts_with("https://") || lookup.matches("{}").count() > 1 {
            return Err(bad("lookup"));
        }
        rows.push(Row {
            key,
            name,
            zone: (!zone.is_empty()).then_some(zone),
            kind: match kind {
                "ip" => Kind::Ip,
                "domain" => Kind::Domain,
                _ => return Err(bad("kind")),
            },
            pattern,
            providers: providers.split(',').filter(|p| !p.is_empty()).collect(),
            lookup,
            source,
            acts: Actor::parse(acts).ok_or_else(|| bad("acts"))?,
        });
    }
    Ok(Table { rows, patterns })
}

/// The embedded table, parsed once.
pub fn table() -> &'static Table {
    static ROWS: OnceLock<Table> = OnceLock::new();
    ROWS.get_or_init(|| parse_table(TABLE).expect("data/blocklists.tsv is checked by tests"))
}

/// The row a reply names: the row of its provider's meaning (`provider`, a key of
/// `data/providers.tsv`), else the first whose pattern is found in the text.
pub fn detect(text: &str, provider: Option<&str>) -> Option<&'static Row> {
    let table = table();
    if let Some(key) = provider {
        if let Some(row) = table.rows.iter().find(|r| r.providers.contains(&key)) {
            return Some(row);
        }
    }
    if text.trim().is_empty() {
        return None;
    }
    let hay = pattern::lower(text);
    let scan = table.patterns.scan(&hay);
    table
        .rows
        .iter()
        .find(|r| r.pattern.is_some_and(|p| scan.is_match(p)))
}

/// The listing a reply names, with its texts in `lang`.
pub fn listing(lang: Lang, text: &str, provider: Option<&str>) -> Option<Listing> {
    let row = detect(text, provider)?;
    // A run of text that holds a control character names nothing: no piece of it is taken.
    let clean: Vec<&str> = text
        .split_whitespace()
        .filter(|w| !w.chars().any(char::is_control))
        .collect();
    let clean = clean.join(" ");
    let listed = match row.kind {
        Kind::Ip => listed_ip(&clean),
        Kind::Domain => listed_domain(&clean, row),
    };
    let lookup = match (&listed, row.lookup.contains("{}")) {
        (Some(item), true) => row.lookup.replacen("{}", item, 1),
        // Without an item, the service's own site.
        _ if row.lookup.contains("{}") => site(row.lookup).to_string(),
        _ => row.lookup.to_string(),
    };
    Some(Listing {
        key: row.key,
        name: row.name,
        zone: zone_named(text, row),
        listed,
        lookup,
        meaning: texts(lang, row.key)
            .map(|t| t.explanation.to_string())
            .unwrap_or_default(),
        acts: row.acts,
    })
}

/// The site of a page address: `https://host/`.
fn site(url: &str) -> &str {
    let host = url.strip_prefix("https://").unwrap_or(url);
    match host.find('/') {
        Some(at) => &url[..url.len() - host.len() + at + 1],
        None => url,
    }
}

/// The zone of the row's service that the text names: its own, or another list of the
/// same service (`zen.spamhaus.org` for an SBL listing told by its return code).
fn zone_named(text: &str, row: &Row) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let service = row.key.split(':').next().unwrap_or_default();
    let names = |z: &str| {
        lower.match_indices(z).any(|(at, _)| {
            let before = lower[..at].chars().next_back();
            !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        })
    };
    let same = table()
        .rows
        .iter()
        .filter(|r| r.key.split(':').next() == Some(service));
    row.zone
        .into_iter()
        .chain(same.filter_map(|r| r.zone))
        .find(|z| names(z))
}

/// The words of a text, cut at what surrounds an address or name in replies.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '[' | ']' | '(' | ')' | '<' | '>' | ',' | ';' | '"' | '\''
            )
    })
    .map(|w| w.trim_end_matches(['.', ':']))
    .filter(|w| !w.is_empty())
}

/// The IP the text says is listed: each IP the text names scores two a mention, and two
/// more where the words beside it say it is the one refused (`Client host [IP]`,
/// `messages from [IP]`, `because IP is in`, `IP listed at`, a page's `?ip=IP`); the
/// highest score wins, the first on a tie. The address of a host written right after its
/// name (`mx.example.net[IP] said:`, `relay=mx.example.net[IP]`) scores one a mention.
fn listed_ip(text: &str) -> Option<String> {
    const BEFORE: [&str; 6] = ["host", "from", "because", "rejected:", "client", "ip"];
    const AFTER: [&str; 7] = [
        "listed", "is", "blocked", "has", "weren't", "rejected", "was",
    ];
    let all: Vec<&str> = words(text).collect();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, word) in all.iter().enumerate() {
        // `ip=192.0.2.1`, `query/ip/192.0.2.1`, `bl.shtml?192.0.2.1`.
        let tail = word.rsplit(['=', '/', '?']).next().unwrap_or(word);
        let Some(ip) = valid_ip(tail) else { continue };
        let near = |w: Option<&&str>, cues: &[&str]| {
            w.is_some_and(|w| cues.iter().any(|c| w.eq_ignore_ascii_case(c)))
        };
        let cued = tail.len() < word.len()
            || near(i.checked_sub(1).and_then(|j| all.get(j)), &BEFORE)
            || near(all.get(i + 1), &AFTER);
        // `mx.example.net[IP]`: the address of a host named just before it.
        let prev = i.checked_sub(1).and_then(|j| all.get(j));
        let host = prev.is_some_and(|p| text.contains(&format!("{p}[{tail}]")));
        let score = match (host, cued) {
            (true, _) => 1,
            (false, cued) => 2 + 2 * usize::from(cued),
        };
        match seen.iter_mut().find(|(s, _)| *s == ip) {
            Some((_, n)) => *n += score,
            None => seen.push((ip, score)),
        }
    }
    let most = seen.iter().map(|(_, n)| *n).max()?;
    seen.into_iter().find(|(_, n)| *n == most).map(|(ip, _)| ip)
}

/// `word` as an IP address, unless it is a DNS list's return code (127.0.0.0/8).
fn valid_ip(word: &str) -> Option<String> {
    if let Ok(v4) = word.parse::<Ipv4Addr>() {
        return (!v4.is_loopback() && !v4.is_unspecified()).then(|| v4.to_string());
    }
    let v6 = word.strip_prefix("IPv6:").unwrap_or(word);
    if v6.contains(':')
        && v6
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
    {
        if let Ok(ip) = v6.parse::<Ipv6Addr>() {
            return (!ip.is_loopback() && !ip.is_unspecified()).then(|| ip.to_string());
        }
    }
    None
}

/// The domain the text says is listed: the one in the service's page address
/// (`query/domain/example.com`, `domain=example.com`), else the one before the words that
/// say it is listed, else the first in brackets; never the list's own zone or service.
fn listed_domain(text: &str, row: &Row) -> Option<String> {
    let service = row.zone.map_or("", |z| {
        let labels: Vec<&str> = z.rsplitn(3, '.').collect();
        match labels[..] {
            [tld, name, ..] => &z[z.len() - tld.len() - name.len() - 1..],
            _ => z,
        }
    });
    let own =
        |d: &str| !service.is_empty() && (d == service || d.ends_with(&format!(".{service}")));
    let lower = text.to_ascii_lowercase();
    for cue in ["query/domain/", "domain=", "query/dbl?domain="] {
        if let Some(at) = lower.find(cue) {
            let rest = &lower[at + cue.len()..];
            if let Some(d) = words(rest).next().and_then(valid_domain) {
                return Some(d);
            }
        }
    }
    let all: Vec<&str> = words(&lower).collect();
    let cues = ["listed", "blocked", "is"];
    let before_cue = all
        .windows(2)
        .find(|w| cues.contains(&w[1]) && valid_domain(w[0]).is_some_and(|d| !own(&d)))
        .and_then(|w| valid_domain(w[0]));
    before_cue.or_else(|| {
        let bracketed = lower.split('[').skip(1).filter_map(|s| s.split(']').next());
        bracketed.filter_map(valid_domain).find(|d| !own(d))
    })
}

/// `word` as a domain name: two labels or more of letters, digits and hyphens, a top
/// label that is no number, at most 253 characters; lower case.
fn valid_domain(word: &str) -> Option<String> {
    let d = word.trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = d.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    let top = labels.last()?;
    let ok = d.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && top.bytes().any(|b| b.is_ascii_alphabetic());
    ok.then_some(d)
}

/// The texts of a block list entry in `lang`, English behind each missing entry.
pub fn texts(lang: Lang, key: &str) -> Option<&'static Texts> {
    static TEXTS: [OnceLock<HashMap<&str, Texts>>; 5] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let load = |l: Lang| {
        let slot = &TEXTS[crate::lang::ALL.iter().position(|&x| x == l).unwrap_or(0)];
        slot.get_or_init(|| {
            parse_texts(source(l)).expect("data/blocklists.*.txt are checked by tests")
        })
    };
    load(lang).get(key).or_else(|| load(Lang::En).get(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::provider;
    use crate::lang::ALL;
    use std::collections::BTreeSet;

    #[test]
    fn every_language_covers_every_key_and_no_more() {
        let keys: BTreeSet<&str> = table().rows.iter().map(|r| r.key).collect();
        assert_eq!(keys.len(), table().rows.len(), "a key twice");
        for lang in ALL {
            let texts = parse_texts(source(lang)).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let have: BTreeSet<&str> = texts.keys().copied().collect();
            let missing: Vec<_> = keys.difference(&have).collect();
            let orphans: Vec<_> = have.difference(&keys).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(orphans.is_empty(), "{lang} has orphans {orphans:?}");
            for (key, t) in &texts {
                assert!(t.administrator.is_some(), "{lang} [{key}] has no next step");
            }
        }
    }

    #[test]
    fn every_page_is_https_every_pattern_compiles_every_provider_key_exists() {
        let providers: BTreeSet<&str> = provider::table().rows.iter().map(|r| r.key).collect();
        for row in &table().rows {
            assert!(row.lookup.starts_with("https://"), "{}", row.key);
            assert!(!row.source.is_empty(), "{}: no source", row.key);
            if let Some(p) = row.pattern {
                assert!(table().patterns.compiles(p), "{}", row.key);
            }
            assert!(
                row.pattern.is_some() || !row.providers.is_empty(),
                "{}",
                row.key
            );
            for p in &row.providers {
                assert!(providers.contains(p), "{}: no provider row {p}", row.key);
            }
        }
    }

    #[test]
    fn the_reply_names_the_list_and_the_listed_item() {
        let cases = [
            (
                "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1",
                "spamhaus:zen",
                Some("192.0.2.1"),
                Some("zen.spamhaus.org"),
            ),
            (
                "550 rejected because 198.51.100.7 is in a black list at zen.spamhaus.org Listed by CSS, see https://check.spamhaus.org/query/ip/198.51.100.7",
                "spamhaus:css",
                Some("198.51.100.7"),
                Some("zen.spamhaus.org"),
            ),
            (
                "554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org; Error: open resolver; https://check.spamhaus.org/returnc/pub/172.64.36.2/",
                "spamhaus:refused",
                Some("192.0.2.9"),
                Some("zen.spamhaus.org"),
            ),
            (
                "554 5.7.1 <bob@example.org>: Sender address rejected: Service unavailable; Sender address [spam.example] blocked using dbl.spamhaus.org",
                "spamhaus:dbl",
                Some("spam.example"),
                Some("dbl.spamhaus.org"),
            ),
            (
                "550 Rejected: 2001:db8::25 listed at bl.spamcop.net",
                "spamcop:bl",
                Some("2001:db8::25"),
                Some("bl.spamcop.net"),
            ),
        ];
        for (text, key, listed, zone) in cases {
            let l = listing(Lang::En, text, None).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(
                (l.key, l.listed.as_deref(), l.zone),
                (key, listed, zone),
                "{text}"
            );
        }
        let l = listing(
            Lang::En,
            "550 5.7.1 Unfortunately, messages from [192.0.2.3] weren't sent (S3150).",
            Some("microsoft:S3150"),
        )
        .unwrap();
        assert_eq!(
            (l.key, l.listed.as_deref()),
            ("microsoft:network", Some("192.0.2.3"))
        );
    }

    #[test]
    fn nothing_is_guessed_from_an_ip_or_from_other_words() {
        for text in [
            "550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown",
            "554 5.7.1 Client host [192.0.2.1] refused",
            "550 5.7.1 message rejected by local policy 127.0.0.2",
        ] {
            assert_eq!(listing(Lang::En, text, None), None, "{text}");
        }
    }

    #[test]
    fn only_valid_items_reach_a_page_address() {
        for bad in [
            "192.0.2.1\u{1b}[2J",
            "a_b.example",
            "-x.example",
            "example",
            "1.2.3.4.5",
            "x..y",
        ] {
            assert!(
                valid_ip(bad).is_none() && valid_domain(bad).is_none(),
                "{bad:?}"
            );
        }
        assert_eq!(valid_domain("Spam.Example."), Some("spam.example".into()));
        let l = listing(
            Lang::En,
            "550 blocked using bl.spamcop.net; see https://www.spamcop.net/bl.shtml?192.0.2.1%0a",
            None,
        )
        .unwrap();
        assert_eq!(l.lookup, "https://www.spamcop.net/");
    }
}

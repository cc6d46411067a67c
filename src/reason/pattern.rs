//! Decode stage, part 4c: the patterns of the data tables (`reasons.tsv`, `providers.tsv`),
//! matched against text lowered to ASCII lower case.
//!
//! A run of hundreds of patterns would spend most of its time compiling them: each pattern
//! is compiled only the first time a text could match it. Every alternative of a pattern
//! needs some literal (`mailbox full`, `gsmtp`); a text that holds none of them cannot match,
//! and is turned away by a substring test.

use regex::bytes::{Regex, RegexBuilder};
use std::sync::OnceLock;

/// A table pattern, compiled on first use.
#[derive(Debug)]
pub struct Pattern {
    source: String,
    /// One literal of each top-level alternative; `None` where one has none to offer.
    needles: Option<Vec<String>>,
    regex: OnceLock<Option<Regex>>,
}

impl Pattern {
    /// A pattern in Rust regex syntax; its letters match either case.
    pub fn new(source: &str) -> Pattern {
        Pattern {
            source: source.into(),
            needles: needles(&lowered(source)),
            regex: OnceLock::new(),
        }
    }

    /// Whether the pattern is found in `text`, which must be [`lower`]ed.
    pub fn is_match(&self, text: &str) -> bool {
        self.find(text).is_some()
    }

    /// Where the pattern starts in `text` ([`lower`]ed), if it is found.
    pub fn find(&self, text: &str) -> Option<usize> {
        if let Some(needles) = &self.needles {
            if !needles.iter().any(|n| text.contains(n.as_str())) {
                return None;
            }
        }
        let re = self.compiled()?;
        re.find(text.as_bytes()).map(|m| m.start())
    }

    /// Whether the pattern compiles (the tables' tests ask).
    pub fn compiles(&self) -> bool {
        self.compiled().is_some()
    }

    fn compiled(&self) -> Option<&Regex> {
        self.regex
            .get_or_init(|| compile(&self.source).ok())
            .as_ref()
    }
}

/// Text made ready for patterns: ASCII letters in lower case.
pub fn lower(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Compiles a pattern for [`lower`]ed text: its letters are lowered too (not those of
/// escapes such as `\S`), and it is compiled case-sensitive and ASCII-only, many times
/// faster than asking the engine to ignore case.
fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&lowered(source)).unicode(false).build()
}

fn lowered(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        out.push(c.to_ascii_lowercase());
        if c == '\\' {
            out.extend(chars.next());
        }
    }
    out
}

/// The longest literal of each top-level alternative of a (lowered) pattern, or `None` if
/// an alternative has no literal of three characters or more.
fn needles(pattern: &str) -> Option<Vec<String>> {
    alternatives(pattern)
        .iter()
        .map(|alt| {
            literals(alt)
                .into_iter()
                .max_by_key(|l| l.len())
                .filter(|l| l.len() >= 3)
        })
        .collect()
}

/// The pattern split at its top-level `|`.
fn alternatives(pattern: &str) -> Vec<String> {
    let (mut out, mut cur) = (Vec::new(), String::new());
    let (mut depth, mut class) = (0usize, false);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                cur.extend(chars.next());
                continue;
            }
            '[' if !class => class = true,
            ']' if class => class = false,
            '(' if !class => depth += 1,
            ')' if !class => depth = depth.saturating_sub(1),
            '|' if !class && depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

/// The runs of characters an alternative must contain literally: groups, classes, escapes
/// such as `\d` and anything optional end a run.
fn literals(alt: &str) -> Vec<String> {
    let (mut runs, mut cur) = (Vec::new(), String::new());
    let (mut depth, mut class) = (0usize, false);
    let mut chars = alt.chars().peekable();
    let end = |cur: &mut String, runs: &mut Vec<String>| {
        if !cur.is_empty() {
            runs.push(std::mem::take(cur));
        }
    };
    while let Some(c) = chars.next() {
        if class {
            match c {
                '\\' => {
                    chars.next();
                }
                ']' => class = false,
                _ => {}
            }
            continue;
        }
        match c {
            '\\' => match chars.next() {
                Some(e) if depth == 0 && e.is_ascii_punctuation() => cur.push(e),
                _ => end(&mut cur, &mut runs),
            },
            '[' => {
                class = true;
                end(&mut cur, &mut runs);
            }
            '(' => {
                depth += 1;
                end(&mut cur, &mut runs);
            }
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            '?' | '*' | '{' => {
                // The character before is optional (or repeated a counted number of times).
                cur.pop();
                end(&mut cur, &mut runs);
                if c == '{' {
                    for d in chars.by_ref() {
                        if d == '}' {
                            break;
                        }
                    }
                }
            }
            '+' | '.' | '^' | '$' => end(&mut cur, &mut runs),
            _ => cur.push(c),
        }
    }
    end(&mut cur, &mut runs);
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_match_either_case_and_escapes_keep_theirs() {
        let p = Pattern::new(r"RESOLVER\.[A-Z]+\.\S+ not\sFOUND");
        assert!(p.is_match(&lower("Resolver.ADR.RecipNotFound not found")));
        assert!(!p.is_match(&lower("resolver.adr. not found")));
        assert!(p.compiles());
        assert!(!Pattern::new("(unclosed").compiles());
    }

    #[test]
    fn each_alternative_offers_its_longest_sure_literal() {
        let n = |p: &str| needles(&lowered(p));
        assert_eq!(
            n(r"mailbox (is )?full|over ?quota|RFC ?5321"),
            Some(vec!["mailbox ".into(), "quota".into(), "5321".into()])
        );
        assert_eq!(
            n(r"\[TSS04\]|AUP#(CXTHRT|CXMJ)\b"),
            Some(vec!["[tss04]".into(), "aup#".into()])
        );
        assert_eq!(n(r"user .{0,40} unknown"), Some(vec![" unknown".into()]));
        assert_eq!(n(r"a[bc]d|x{2,3}yz"), None);
        assert_eq!(n(r"\d+ tries"), Some(vec![" tries".into()]));
        assert_eq!(n(r"(a|b)|c"), None);
    }

    #[test]
    fn the_needles_never_turn_away_a_text_the_pattern_matches() {
        let cases = [
            (r"mailbox (is )?full|over ?quota", "your mailbox full now"),
            (r"mailbox (is )?full|over ?quota", "user is overquota"),
            (
                r"exceeds? (the )?(fixed )?max(imum)? size",
                "exceed maximum size",
            ),
            (r"\bptr\b|reverse dns", "no ptr record"),
            (
                r"doesn't have an? .{1,60} account",
                "doesn't have a yahoo.com account",
            ),
        ];
        for (pattern, text) in cases {
            assert!(Pattern::new(pattern).is_match(text), "{pattern} / {text}");
        }
    }
}

//! Decode stage, part 4c, at build time: the table patterns taken apart for the searcher
//! of [`super::pattern`].
//!
//! `build.rs` runs this on the patterns of `data/*.tsv` and writes the result into the
//! binary, so that a process starts with its searcher ready; the tests run it on patterns
//! of their own. Each pattern is split at its top-level `|`, and each alternative becomes
//! - plain text when it matches a finite set of strings (`mail ?box full`,
//!   `\bptr\b`): the searcher finds it, nothing is compiled;
//! - otherwise a regex guarded by literals: every match contains one of them (its longest
//!   sure run of text, or the set every match starts or ends with), so the regex is
//!   compiled and run only where one is in the text.
//!
//! The searcher is a hash table of the first 4 bytes (3 for a 3-byte literal) of every
//! literal, leading to the distinct first [`PREFIX`] bytes, then to each whole literal and
//! the alternative it stands for.

use regex_syntax::hir::literal::{ExtractKind, Extractor, Seq};
use regex_syntax::hir::Hir;
use std::collections::HashMap;

/// The most bytes of a literal one entry of the searcher compares.
pub const PREFIX: usize = 8;
/// The shortest literal the searcher looks for: shorter ones are too common to be worth it.
const MIN_GUARD: usize = 3;
/// A pattern that matches more strings than this is compiled rather than listed.
const MAX_TEXTS: usize = 64;

/// One alternative of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Alt {
    /// Plain text, and whether it needs a word boundary before and after it.
    Text {
        text: String,
        left: bool,
        right: bool,
    },
    /// A regex (lowered) and its guards: none means it is always tried.
    Regex { source: String, guards: Vec<String> },
}

/// The patterns of one table, taken apart.
#[derive(Debug, Default)]
pub struct Split {
    /// Each pattern, as written.
    pub sources: Vec<String>,
    /// Each pattern's alternatives: a range of `alts`.
    pub patterns: Vec<(usize, usize)>,
    pub alts: Vec<Alt>,
    /// The hash table (a power of two long): a key (0: empty) and a range of `entries`.
    pub slots: Vec<(u32, usize, usize)>,
    /// The first [`PREFIX`] bytes of literals, and a range of `owners`.
    pub entries: Vec<(String, usize, usize)>,
    /// An alternative, and the whole literal that stands for it.
    pub owners: Vec<(usize, String)>,
}

/// A piece of a [`Laid`] blob: its offset and length.
pub type Span = (u32, u32);

/// One alternative as the searcher holds it: plain text (`text`), with the word boundaries
/// it needs before and after it; or a regex, compiled on first use and tried where one of
/// its guards is found, or always when it has none (`guarded`). `at` is its text or source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AltDef {
    pub text: bool,
    pub at: Span,
    pub left: bool,
    pub right: bool,
    pub guarded: bool,
}

/// A [`Split`] with every string moved into one blob and named by its [`Span`]: tables of
/// numbers only, which a binary holds as they are, where pointers to strings would be
/// thousands of relocations for the loader to apply at every start.
#[derive(Debug, Default)]
pub struct Laid {
    /// Whether some literal is 3 bytes long (the others have a 4-byte key).
    pub short: bool,
    pub blob: String,
    pub sources: Vec<Span>,
    pub alts: Vec<AltDef>,
    pub entries: Vec<(Span, usize, usize)>,
    pub owners: Vec<(usize, Span)>,
}

/// Lays out a split: strings into the blob, each once.
pub fn lay_out(split: &Split) -> Laid {
    let mut laid = Laid {
        short: split.entries.iter().any(|(head, _, _)| head.len() < 4),
        ..Laid::default()
    };
    let mut seen: HashMap<String, Span> = HashMap::new();
    let mut add = |blob: &mut String, text: &str| -> Span {
        *seen.entry(text.to_string()).or_insert_with(|| {
            let at = u32::try_from(blob.len()).expect("a blob under 4 GiB");
            blob.push_str(text);
            (at, u32::try_from(text.len()).expect("a short string"))
        })
    };
    for source in &split.sources {
        let span = add(&mut laid.blob, source);
        laid.sources.push(span);
    }
    for alt in &split.alts {
        let laid_alt = match alt {
            Alt::Text { text, left, right } => AltDef {
                text: true,
                at: add(&mut laid.blob, text),
                left: *left,
                right: *right,
                guarded: false,
            },
            Alt::Regex { source, guards } => AltDef {
                text: false,
                at: add(&mut laid.blob, source),
                left: false,
                right: false,
                guarded: !guards.is_empty(),
            },
        };
        laid.alts.push(laid_alt);
    }
    for (head, from, to) in &split.entries {
        let span = add(&mut laid.blob, head);
        laid.entries.push((span, *from, *to));
    }
    for (alt, word) in &split.owners {
        let span = add(&mut laid.blob, word);
        laid.owners.push((*alt, span));
    }
    laid
}

/// Takes apart `sources` (Rust regex syntax; letters match either case).
pub fn split<'a>(sources: impl IntoIterator<Item = &'a str>) -> Split {
    let mut out = Split::default();
    for source in sources {
        let from = out.alts.len();
        for alt in alternatives(&lowered(source)) {
            out.alts.extend(classify(alt));
        }
        out.patterns.push((from, out.alts.len()));
        out.sources.push(source.to_string());
    }
    // Every literal, grouped by key, then by prefix.
    let mut literals: Vec<(u32, String, usize, String)> = Vec::new();
    for (i, alt) in out.alts.iter().enumerate() {
        let words = match alt {
            Alt::Text { text, .. } => std::slice::from_ref(text),
            Alt::Regex { guards, .. } => &guards[..],
        };
        for word in words {
            let head = prefix(word).to_string();
            literals.push((key(head.as_bytes()), head, i, word.clone()));
        }
    }
    literals.sort();
    literals.dedup();
    let mut keys: Vec<(u32, usize, usize)> = Vec::new();
    for (k, head, alt, word) in literals {
        if out.entries.last().is_none_or(|(h, _, _)| *h != head) {
            if keys.last().is_none_or(|(last, _, _)| *last != k) {
                keys.push((k, out.entries.len(), out.entries.len()));
            }
            out.entries.push((head, out.owners.len(), out.owners.len()));
            keys.last_mut().expect("pushed").2 += 1;
        }
        out.owners.push((alt, word));
        out.entries.last_mut().expect("pushed").2 += 1;
    }
    let size = (keys.len() * 2).next_power_of_two().max(16);
    out.slots = vec![(0, 0, 0); size];
    for (k, from, to) in keys {
        let mut at = slot(k, size - 1);
        while out.slots[at].0 != 0 {
            at = (at + 1) & (size - 1);
        }
        out.slots[at] = (k, from, to);
    }
    out
}

/// What an alternative becomes: texts, or one regex with its guards.
fn classify(alt: &str) -> Vec<Alt> {
    if let Some((text, left, right)) = plain(alt).filter(|(t, ..)| searchable(t)) {
        return vec![Alt::Text { text, left, right }];
    }
    let (left, body, right) = edges(alt);
    if let Some(texts) = parse(body).and_then(|hir| finite(&hir)) {
        return texts
            .into_iter()
            .map(|text| Alt::Text { text, left, right })
            .collect();
    }
    vec![Alt::Regex {
        source: alt.to_string(),
        guards: guards(alt),
    }]
}

/// The strings a regex without look-around matches, if they are few and none is empty.
fn finite(hir: &Hir) -> Option<Vec<String>> {
    if !hir.properties().look_set().is_empty() {
        return None;
    }
    let seq = Extractor::new().extract(hir);
    if !seq.is_exact() || seq.len().is_none_or(|n| n > MAX_TEXTS) {
        return None;
    }
    strings(&seq).filter(|texts| texts.iter().all(|t| searchable(t)))
}

/// The literals that guard a regex alternative: one of them is in every match. The best
/// of three choices: the longest sure run of text, the set every match starts with, the
/// set every match ends with. The set whose shortest literal is longest wins (the fewer
/// literals, the better); none of at least [`MIN_GUARD`] bytes leaves the regex unguarded.
fn guards(alt: &str) -> Vec<String> {
    let mut choices: Vec<Vec<String>> = Vec::new();
    if let Some(run) = literals(alt).into_iter().max_by_key(|l| l.len()) {
        choices.push(vec![run]);
    }
    if let Some(hir) = parse(alt) {
        for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
            if let Some(set) = strings(&Extractor::new().kind(kind).extract(&hir)) {
                choices.push(set);
            }
        }
    }
    let score = |set: &Vec<String>| {
        let shortest = set.iter().map(String::len).min().unwrap_or(0);
        (shortest.min(PREFIX), std::cmp::Reverse(set.len()))
    };
    choices
        .into_iter()
        .filter(|set| set.iter().all(|l| searchable(l)))
        .max_by_key(score)
        .unwrap_or_default()
}

/// A finite literal set as strings, without duplicates.
fn strings(seq: &Seq) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for literal in seq.literals()? {
        let text = String::from_utf8(literal.as_bytes().to_vec()).ok()?;
        if !out.contains(&text) {
            out.push(text);
        }
    }
    (!out.is_empty()).then_some(out)
}

/// Whether the searcher can look for a literal: [`MIN_GUARD`] bytes at least, no NUL (a
/// key of 0 marks an empty slot).
fn searchable(literal: &str) -> bool {
    literal.len() >= MIN_GUARD && !literal.contains('\0')
}

/// Parses a lowered alternative as the searcher compiles it: bytes, case-sensitive.
fn parse(alt: &str) -> Option<Hir> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(alt)
        .ok()
}

/// The key of a literal in the hash table: its first 4 bytes, or its 3 bytes and a byte
/// that UTF-8 never holds.
pub fn key(literal: &[u8]) -> u32 {
    match *literal {
        [a, b, c, d, ..] => u32::from_le_bytes([a, b, c, d]),
        [a, b, c] => u32::from_le_bytes([a, b, c, 0xff]),
        _ => 0,
    }
}

/// The first slot tried for `key` in a table of `mask + 1` slots.
pub fn slot(key: u32, mask: usize) -> usize {
    ((u64::from(key).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 32) as usize) & mask
}

/// The part of a literal one entry holds: at most [`PREFIX`] bytes, cut at a character.
fn prefix(literal: &str) -> &str {
    let mut cut = literal.len().min(PREFIX);
    while !literal.is_char_boundary(cut) {
        cut -= 1;
    }
    &literal[..cut]
}

/// An alternative without the `\b` at either end, and whether there was one.
fn edges(alt: &str) -> (bool, &str, bool) {
    let (left, rest) = match alt.strip_prefix(r"\b") {
        Some(rest) => (true, rest),
        None => (false, alt),
    };
    match rest.strip_suffix(r"\b") {
        // Not after a backslash: `\\b` is an escaped backslash and a `b`.
        Some(body) if !body.ends_with('\\') => (left, body, true),
        _ => (left, rest, false),
    }
}

/// The text an alternative matches when it is plain text, and whether it asks for a word
/// boundary before and after it: no operator, class, group or escape other than escaped
/// punctuation and a `\b` at either end.
pub fn plain(alt: &str) -> Option<(String, bool, bool)> {
    let (left, rest, right) = edges(alt);
    let mut text = String::with_capacity(rest.len());
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => text.push(e),
                _ => return None,
            },
            '.' | '[' | ']' | '(' | ')' | '|' | '?' | '*' | '+' | '{' | '}' | '^' | '$' => {
                return None
            }
            _ => text.push(c),
        }
    }
    (!text.is_empty()).then_some((text, left, right))
}

/// A pattern's letters lowered, as the text is: ASCII only, and not the letter of an
/// escape (`\S` is not `\s`).
pub fn lowered(source: &str) -> String {
    // Bytes, not chars: ASCII case changes leave UTF-8 valid.
    let mut out = source.as_bytes().to_vec();
    let mut escaped = false;
    for b in &mut out {
        if !escaped {
            b.make_ascii_lowercase();
        }
        escaped = !escaped && *b == b'\\';
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// The pattern split at its top-level `|`.
pub fn alternatives(pattern: &str) -> Vec<&str> {
    // Every byte that steers the split is ASCII, so each cut is at a char boundary.
    let bytes = pattern.as_bytes();
    let (mut out, mut from, mut i) = (Vec::new(), 0, 0);
    let (mut depth, mut class) = (0usize, false);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'[' if !class => class = true,
            b']' if class => class = false,
            b'(' if !class => depth += 1,
            b')' if !class => depth = depth.saturating_sub(1),
            b'|' if !class && depth == 0 => {
                out.push(&pattern[from..i]);
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&pattern[from.min(pattern.len())..]);
    out
}

/// The runs of characters an alternative must contain literally: groups, classes, escapes
/// such as `\d` and anything optional end a run.
pub fn literals(alt: &str) -> Vec<String> {
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
    fn patterns_are_lowered_and_split_at_their_top_level_bars() {
        assert_eq!(lowered(r"\SAb\\C\Dé"), r"\Sab\\c\Dé");
        assert_eq!(alternatives(r"(a|b)|c"), ["(a|b)", "c"]);
        assert_eq!(alternatives(r"[|]|x"), ["[|]", "x"]);
        assert_eq!(alternatives(r"a\|b|c"), [r"a\|b", "c"]);
        assert_eq!(alternatives(r"é|ü\"), ["é", "ü\\"]);
        assert_eq!(alternatives(""), [""]);
    }

    #[test]
    fn plain_alternatives_keep_their_word_boundaries() {
        assert_eq!(
            plain(r"mailbox full"),
            Some(("mailbox full".into(), false, false))
        );
        assert_eq!(plain(r"\bptr\b"), Some(("ptr".into(), true, true)));
        assert_eq!(plain(r"\[tss04\]"), Some(("[tss04]".into(), false, false)));
        assert_eq!(plain(r"a\\b"), Some((r"a\b".into(), false, false)));
        assert_eq!(plain(r"over ?quota"), None);
        assert_eq!(plain(r"\d+"), None);
    }

    fn text(t: &str, left: bool, right: bool) -> Alt {
        Alt::Text {
            text: t.into(),
            left,
            right,
        }
    }

    #[test]
    fn an_alternative_that_matches_a_few_strings_becomes_those_texts() {
        assert_eq!(
            classify(r"over ?quota"),
            [
                text("over quota", false, false),
                text("overquota", false, false)
            ]
        );
        assert_eq!(classify(r"\b(disabled|inactive) (user|account)\b").len(), 4);
        // A look-around inside, a short string or too many strings: a regex.
        assert!(matches!(classify(r"a\bb|c")[..], [Alt::Regex { .. }]));
        assert!(matches!(classify(r"(ab|abc)")[..], [Alt::Regex { .. }]));
        assert!(matches!(
            classify(r"[a-h][a-h][a-h]")[..],
            [Alt::Regex { .. }]
        ));
    }

    #[test]
    fn a_regex_is_guarded_by_the_literals_every_match_holds() {
        let g = |alt: &str| guards(&lowered(alt));
        assert_eq!(g(r"user .{0,40} unknown"), [" unknown"]);
        // Every match ends with a digit and " tries": ten longer literals beat one.
        assert_eq!(g(r"\d+ tries").len(), 10);
        assert_eq!(g(r"\w+ tries"), [" tries"]);
        assert_eq!(
            g(r"\b(spf|dkim)\b.{0,60}\b(fail|failed)\b"),
            ["fail", "failed"]
        );
        assert_eq!(
            g(r"(invalid|broken) (mime|header)."),
            [
                "invalid mime",
                "invalid header",
                "broken mime",
                "broken header"
            ]
        );
        // Nothing of 3 bytes is sure: always tried.
        assert!(g(r"\d+[a-z]*").is_empty());
        assert!(g(r".").is_empty());
    }

    #[test]
    fn every_literal_is_in_the_hash_table_under_its_key() {
        let split = split([r"mailbox full|\bptr\b", r"user .{0,40} unknown", "."]);
        let mask = split.slots.len() - 1;
        assert!(split.slots.len().is_power_of_two());
        for (i, (_, word)) in split.owners.iter().enumerate() {
            let k = key(word.as_bytes());
            let mut s = slot(k, mask);
            while split.slots[s].0 != k {
                assert_ne!(split.slots[s].0, 0, "{word} is missing");
                s = (s + 1) & mask;
            }
            let (_, from, to) = split.slots[s];
            let entry = split.entries[from..to]
                .iter()
                .find(|(_, f, t)| (*f..*t).contains(&i))
                .expect("an entry owns it");
            assert!(word.starts_with(&entry.0));
        }
        assert_eq!(split.patterns, [(0, 2), (2, 3), (3, 4)]);
    }
}

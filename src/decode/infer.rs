//! Decode stage, per recipient: a status for a bounce that gives no code, inferred from the
//! words the mail system wrote (`data/wording.tsv`, the wording atlas).
//!
//! Old and minimal mail systems, and many local errors, write `User unknown` or
//! `Host or domain name not found` without any reply code or status. The atlas maps such
//! words, per mail system, to the registry status that fits, one for a failure and one for a
//! delivery still being retried. A verdict given a status this way is marked `inferred`,
//! with the words it was inferred from, so no reader takes it for a code the server sent.

use crate::decode::pattern::{lower, tables, take_pattern, PatternSet};
use crate::extract::code::Enhanced;
use regex_automata::meta::Regex;
use std::sync::OnceLock;

/// The wording atlas.
pub const TABLE: &str = include_str!("../../data/wording.tsv");

/// One row of the atlas.
pub struct Row {
    #[allow(dead_code)] // read by the tests, which name a row by it
    pub system: &'static str,
    pub permanent: Enhanced,
    pub temporary: Enhanced,
    /// The row's own fixture: a line as its mail system writes it.
    #[allow(dead_code)] // read by the tests
    pub example: &'static str,
    /// The pattern whole, compiled the first time it matches, for where its match ends.
    pattern: &'static str,
    whole: OnceLock<Regex>,
}

/// The rows and their patterns, searched together ([`PatternSet`]: taken apart at build
/// time, so a process compiles nothing until some row's words are there).
pub fn atlas() -> &'static (Vec<Row>, PatternSet) {
    static ATLAS: OnceLock<(Vec<Row>, PatternSet)> = OnceLock::new();
    ATLAS.get_or_init(|| {
        let set = PatternSet::of(&tables::WORDING);
        let rows = super::catalog::spans::rows(TABLE)
            .enumerate()
            .map(|(i, line)| {
                let cols: Vec<&'static str> = line.split('\t').collect();
                let code = |s: &str| Enhanced::parse(s).expect("a status in data/wording.tsv");
                take_pattern(&set, i, cols[3], "wording.tsv").expect("built from this file");
                Row {
                    system: cols[0],
                    permanent: code(cols[1]),
                    temporary: code(cols[2]),
                    example: cols[4],
                    pattern: cols[3],
                    whole: OnceLock::new(),
                }
            })
            .collect();
        (rows, set)
    })
}

/// The atlas's rows, in order.
#[cfg(test)]
pub fn rows() -> &'static [Row] {
    &atlas().0
}

/// The first row whose words `lowered` holds, and where they start and end.
fn first_row(lowered: &str) -> Option<(&'static Row, std::ops::Range<usize>)> {
    let (rows, set) = atlas();
    let scan = set.scan(lowered);
    rows.iter().enumerate().find_map(|(i, row)| {
        let start = scan.find(i)?;
        let whole = row.whole.get_or_init(|| crate::text::regex(row.pattern));
        let end = whole
            .find(&lowered.as_bytes()[start..])
            .map_or(lowered.len(), |m| start + m.end());
        Some((row, start..end))
    })
}

/// The status the words of `texts` mean (tried in order: the server's words, then the
/// paragraph about the address, then all the bounce says of it), for a failure if
/// `permanent`, and the words it was read from.
pub fn infer(texts: &[&str], permanent: bool) -> Option<(Enhanced, String)> {
    for text in texts.iter().filter(|t| !t.trim().is_empty()) {
        // Runs of white space made one space, line breaks kept for `words` (searched as
        // spaces: a system wraps its sentences anywhere).
        let flat = (text.lines())
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        let lowered = lower(&flat).replace('\n', " ");
        if let Some((row, found)) = first_row(&lowered) {
            let status = if permanent {
                row.permanent
            } else {
                row.temporary
            };
            return Some((status, words(&flat, found)));
        }
    }
    None
}

/// The words a match was found in: the match widened to the clause around it (back to the
/// start of its line or a label's colon, on to the end of the sentence), at most a line's
/// worth each way.
fn words(text: &str, found: std::ops::Range<usize>) -> String {
    const WIDTH: usize = 100;
    let stops = |c: char| matches!(c, '.' | ';' | '!' | '?' | '(' | ')' | '\'' | '`');
    let before = &text[..found.start];
    let start = before
        .char_indices()
        .rev()
        .take_while(|&(i, c)| {
            (!stops(c) || is_inside_name(text, i))
                && !matches!(c, '\n' | ':')
                && found.start - i <= WIDTH
        })
        .last()
        .map_or(found.start, |(i, _)| i);
    let after = &text[found.end..];
    let end = after
        .char_indices()
        .find(|&(i, c)| {
            (stops(c) && !is_inside_name(after, i)) || is_new_line(after, i) || i >= WIDTH
        })
        .map_or(text.len(), |(i, _)| found.end + i);
    text[start..end.max(found.end)]
        .trim_matches(|c: char| c.is_whitespace() || c == ':' || c == ',')
        .replace('\n', " ")
}

/// A line break that starts something new rather than wrapping a sentence: the next line
/// does not start with a small letter.
fn is_new_line(text: &str, at: usize) -> bool {
    text[at..].starts_with('\n') && !text[at + 1..].starts_with(|c: char| c.is_ascii_lowercase())
}

/// A dot inside a host name or address (`mx.example.org`) does not end a sentence.
fn is_inside_name(text: &str, at: usize) -> bool {
    text[at..].starts_with('.') && text[at + 1..].starts_with(|c: char| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_infers_its_own_example() {
        let mut systems: Vec<(&str, usize)> = Vec::new();
        for (i, row) in rows().iter().enumerate() {
            let flat = row.example.to_ascii_lowercase();
            let first =
                first_row(&flat).and_then(|(r, _)| rows().iter().position(|x| std::ptr::eq(x, r)));
            // The whole pattern, as the build-time searcher reads it, finds its example.
            assert!(
                crate::text::regex(row.pattern).is_match(flat.as_bytes()),
                "{}: {:?}",
                row.system,
                row.example
            );
            assert_eq!(
                first,
                Some(i),
                "{}: {:?} is read by row {first:?}, not its own",
                row.system,
                row.example
            );
            assert_eq!(infer(&[row.example], true).unwrap().0, row.permanent);
            assert_eq!(infer(&[row.example], false).unwrap().0, row.temporary);
            // A condition temporary by nature keeps its temporary status when the mail
            // system gave up (see the atlas's connection rows).
            assert!(
                matches!(row.permanent.class, Some(4 | 5)),
                "{}",
                row.example
            );
            assert_eq!(row.temporary.class, Some(4), "{}", row.example);
            match systems.iter_mut().find(|(s, _)| *s == row.system) {
                Some((_, n)) => *n += 1,
                None => systems.push((row.system, 1)),
            }
        }
        // The atlas per mail system (`cargo test atlas -- --nocapture` prints it).
        println!("atlas: {} rows: {systems:?}", rows().len());
    }

    #[test]
    fn the_class_follows_the_delivery_and_the_words_are_kept() {
        let text = "Host or domain name not found. Name service error for name=example.org type=MX: Host not found, try again";
        let (s, words) = infer(&[text], false).unwrap();
        assert_eq!(s.to_string(), "4.4.3");
        assert_eq!(words, "Host or domain name not found");
        let (s, words) = infer(&["", "  <bob@example.org>:\n    User not known"], true).unwrap();
        assert_eq!(s.to_string(), "5.1.1");
        assert_eq!(words, "User not known");
        let said = "conversation with mx.example.org[192.0.2.1] timed out while sending RCPT TO";
        assert_eq!(infer(&[said], false).unwrap().1, said);
        let wrapped =
            "conversation with mx.example.org[192.0.2.1] timed out\n    while sending RCPT TO";
        assert_eq!(infer(&[wrapped], false).unwrap().1, said);
        let exchange = "The recipient name is not recognized\nMSEXCH:IMS:Example:SITE:SERVER1 0 (000C05A6) Unknown Recipient";
        assert_eq!(
            infer(&[exchange], true).unwrap().1,
            "The recipient name is not recognized"
        );
    }

    #[test]
    fn words_that_give_no_cause_infer_nothing() {
        for text in [
            "undeliverable to bob@example.org",
            "Your message could not be delivered.",
            "This is a permanent error; I've given up. Sorry it didn't work out.",
        ] {
            assert_eq!(infer(&[text], true), None, "{text}");
        }
    }
}

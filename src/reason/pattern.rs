//! Decode stage, part 4c: the patterns of the data tables (`reasons.tsv`, `providers.tsv`),
//! matched against text lowered to ASCII lower case.
//!
//! A table holds hundreds of patterns; matching them one by one, or compiling them all,
//! would cost more than the rest of the work on a bounce. So each pattern is taken apart at
//! its top-level `|` and the alternatives of a whole table are searched together: one
//! Aho-Corasick pass over the text finds
//! - every alternative that is plain text (escaped punctuation and a `\b` at either end
//!   allowed): that is its match, nothing is compiled;
//! - every other alternative whose longest sure literal (`mailbox full`, `gsmtp`) is in the
//!   text: only those can match, and each is compiled the first time it is asked.
//!
//! The searcher holds only the first [`PREFIX`] bytes of each literal (a smaller automaton,
//! quicker to build: one process per bounce builds it every time); where one is found, the
//! whole literal is compared. The leftmost start over the alternatives is the pattern's
//! leftmost start.

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The most bytes of a literal the searcher looks for.
const PREFIX: usize = 8;

/// The patterns of one table, searched together.
#[derive(Debug)]
pub struct PatternSet {
    /// Each pattern's alternatives, as indexes into `alts`.
    patterns: Vec<Vec<usize>>,
    sources: Vec<String>,
    alts: Vec<Alt>,
    /// Plain texts and needles, each once.
    searcher: AhoCorasick,
    /// The alternatives each literal of `searcher` stands for.
    owners: Vec<Vec<usize>>,
}

/// One top-level alternative of a pattern.
#[derive(Debug)]
enum Alt {
    /// Plain text (the searcher's literal); whether it needs a word boundary before and
    /// after it.
    Text {
        text: String,
        left: bool,
        right: bool,
    },
    /// Anything else: a regex compiled on first use, tried where its longest sure literal
    /// is in the text; always, when it has none.
    Regex {
        source: String,
        needle: Option<String>,
        regex: OnceLock<Option<Regex>>,
    },
}

impl PatternSet {
    /// The patterns, in Rust regex syntax; their letters match either case. A pattern is
    /// known by its place in the list.
    pub fn new<'a>(sources: impl IntoIterator<Item = &'a str>) -> PatternSet {
        let (mut patterns, mut alts, mut owners) = (Vec::new(), Vec::new(), Vec::new());
        let (mut literals, mut index) = (Vec::new(), HashMap::new());
        let mut sources_ = Vec::new();
        for source in sources {
            let mut own = Vec::new();
            for alt in alternatives(&lowered(source)) {
                let (literal, kind) = match plain(&alt) {
                    Some((text, left, right)) => {
                        (Some(text.clone()), Alt::Text { text, left, right })
                    }
                    None => {
                        let needle = needle(&alt);
                        let regex = OnceLock::new();
                        let source = alt;
                        (
                            needle.clone(),
                            Alt::Regex {
                                source,
                                needle,
                                regex,
                            },
                        )
                    }
                };
                if let Some(literal) = literal {
                    // Only the first bytes go into the searcher (a smaller automaton, built
                    // several times faster); a plain text is compared whole where they are.
                    let mut cut = literal.len().min(PREFIX);
                    while !literal.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    let literal = literal[..cut].to_string();
                    let id = *index.entry(literal.clone()).or_insert_with(|| {
                        literals.push(literal);
                        owners.push(Vec::new());
                        owners.len() - 1
                    });
                    owners[id].push(alts.len());
                }
                own.push(alts.len());
                alts.push(kind);
            }
            patterns.push(own);
            sources_.push(source.to_string());
        }
        PatternSet {
            patterns,
            sources: sources_,
            alts,
            // The plain NFA: the quickest to build (a DFA takes several times longer),
            // and the texts searched are short.
            searcher: AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::NoncontiguousNFA))
                .build(&literals)
                .expect("literals of table patterns"),
            owners,
        }
    }

    /// Searches `text` ([`lower`]ed) for every pattern at once; ask the answer about each.
    pub fn scan<'s>(&'s self, text: &'s str) -> Scan<'s> {
        let mut at = vec![None; self.alts.len()];
        let bytes = text.as_bytes();
        let word = |i: usize| i < bytes.len() && is_word(bytes[i]);
        let edge = |i: usize| i == 0 || i == bytes.len() || word(i - 1) != word(i);
        for m in self.searcher.find_overlapping_iter(text) {
            for &alt in &self.owners[m.pattern().as_usize()] {
                let start = match &self.alts[alt] {
                    Alt::Text {
                        text: t,
                        left,
                        right,
                    } => {
                        let end = m.start() + t.len();
                        let whole = bytes[m.start()..].starts_with(t.as_bytes());
                        let fits = whole && (!left || edge(m.start())) && (!right || edge(end));
                        if !fits {
                            continue;
                        }
                        Hit::At(m.start())
                    }
                    Alt::Regex { needle, .. } => {
                        let n = needle.as_deref().unwrap_or("");
                        if !bytes[m.start()..].starts_with(n.as_bytes()) {
                            continue;
                        }
                        Hit::Maybe
                    }
                };
                let slot: &mut Option<Hit> = &mut at[alt];
                *slot = Some(match (*slot, start) {
                    (Some(Hit::At(old)), Hit::At(new)) => Hit::At(old.min(new)),
                    (_, hit) => hit,
                });
            }
        }
        Scan {
            set: self,
            text,
            at,
        }
    }

    /// Whether pattern `i` compiles as a whole (the tables' tests ask).
    pub fn compiles(&self, i: usize) -> bool {
        compile(&self.sources[i]).is_ok()
    }
}

/// What the searcher saw of an alternative.
#[derive(Debug, Clone, Copy)]
enum Hit {
    /// Plain text, found first here.
    At(usize),
    /// A regex whose literal is in the text.
    Maybe,
}

/// A text searched for a [`PatternSet`]'s patterns.
#[derive(Debug)]
pub struct Scan<'s> {
    set: &'s PatternSet,
    text: &'s str,
    at: Vec<Option<Hit>>,
}

impl Scan<'_> {
    /// Where pattern `i` starts in the text, if it is found. An empty text holds none.
    pub fn find(&self, i: usize) -> Option<usize> {
        self.starts(i).min()
    }

    /// Whether pattern `i` is found in the text: plain text found first, the regexes
    /// only if need be.
    pub fn is_match(&self, i: usize) -> bool {
        let alts = &self.set.patterns[i];
        let plain = alts
            .iter()
            .any(|&alt| matches!(self.at[alt], Some(Hit::At(_))));
        (plain && !self.text.is_empty()) || self.starts(i).next().is_some()
    }

    /// The leftmost start of each alternative of pattern `i` that is found.
    fn starts(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let alts = if self.text.is_empty() {
            &[][..]
        } else {
            &self.set.patterns[i][..]
        };
        alts.iter()
            .filter_map(|&alt| match (&self.set.alts[alt], self.at[alt]) {
                (_, Some(Hit::At(start))) => Some(start),
                (Alt::Regex { source, regex, .. }, Some(Hit::Maybe))
                | (
                    Alt::Regex {
                        source,
                        regex,
                        needle: None,
                    },
                    None,
                ) => {
                    let re = regex.get_or_init(|| compile(source).ok()).as_ref()?;
                    re.find(self.text.as_bytes()).map(|m| m.start())
                }
                _ => None,
            })
    }
}

/// A word character for `\b` when Unicode is off, as the regex engine has it.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The text an alternative matches when it is plain text, and whether it asks for a word
/// boundary before and after it: no operator, class, group or escape other than escaped
/// punctuation and a `\b` at either end.
fn plain(alt: &str) -> Option<(String, bool, bool)> {
    let (left, rest) = match alt.strip_prefix(r"\b") {
        Some(rest) => (true, rest),
        None => (false, alt),
    };
    let (right, rest) = match rest.strip_suffix(r"\b") {
        // Not after a backslash: `\\b` is an escaped backslash and a `b`.
        Some(body) if !body.ends_with('\\') => (true, body),
        _ => (false, rest),
    };
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

/// Text made ready for patterns: ASCII letters in lower case.
pub fn lower(text: &str) -> String {
    text.to_ascii_lowercase()
}

/// Compiles a pattern for [`lower`]ed text: its letters are lowered too (not those of
/// escapes such as `\S`), and it is compiled case-sensitive and ASCII-only, many times
/// faster than asking the engine to ignore case.
fn compile(source: &str) -> Result<Regex, Box<meta::BuildError>> {
    // Only where a match starts is asked; the set's own search is the prefilter.
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            Regex::config()
                .which_captures(WhichCaptures::Implicit)
                .auto_prefilter(false),
        )
        .build(&lowered(source))
        .map_err(Box::new)
}

fn lowered(source: &str) -> String {
    // Bytes, not chars: ASCII case changes leave UTF-8 valid. The byte after a backslash
    // keeps its case (`\S` is not `\s`).
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

/// The longest literal of an alternative of a (lowered) pattern, or `None` if it has no
/// literal of three characters or more.
fn needle(alt: &str) -> Option<String> {
    literals(alt)
        .into_iter()
        .max_by_key(|l| l.len())
        .filter(|l| l.len() >= 3)
}

/// The pattern split at its top-level `|`.
fn alternatives(pattern: &str) -> Vec<String> {
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
                out.push(pattern[from..i].to_string());
                from = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(pattern[from.min(pattern.len())..].to_string());
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

    /// Where the one pattern `p` starts in `text`.
    fn find(p: &str, text: &str) -> Option<usize> {
        PatternSet::new([p]).scan(text).find(0)
    }

    #[test]
    fn letters_match_either_case_and_escapes_keep_theirs() {
        let p = r"RESOLVER\.[A-Z]+\.\S+ not\sFOUND";
        assert!(find(p, &lower("Resolver.ADR.RecipNotFound not found")).is_some());
        assert!(find(p, &lower("resolver.adr. not found")).is_none());
        let set = PatternSet::new([p, "(unclosed"]);
        assert!(set.compiles(0));
        assert!(!set.compiles(1));
    }

    #[test]
    fn patterns_are_lowered_and_split_at_their_top_level_bars() {
        assert_eq!(lowered(r"\SAb\\C\Dé"), r"\Sab\\c\Dé");
        let split = |p: &str| alternatives(p);
        assert_eq!(split(r"(a|b)|c"), ["(a|b)", "c"]);
        assert_eq!(split(r"[|]|x"), ["[|]", "x"]);
        assert_eq!(split(r"a\|b|c"), [r"a\|b", "c"]);
        assert_eq!(split(r"é|ü\"), ["é", "ü\\"]);
        assert_eq!(split(""), [""]);
    }

    #[test]
    fn each_alternative_offers_its_longest_sure_literal() {
        let n = |p: &str| {
            alternatives(&lowered(p))
                .iter()
                .map(|a| needle(a))
                .collect::<Vec<_>>()
        };
        let s = |t: &str| Some(t.to_string());
        assert_eq!(
            n(r"mailbox (is )?full|over ?quota|RFC ?5321"),
            [s("mailbox "), s("quota"), s("5321")]
        );
        assert_eq!(
            n(r"\[TSS04\]|AUP#(CXTHRT|CXMJ)\b"),
            [s("[tss04]"), s("aup#")]
        );
        assert_eq!(n(r"user .{0,40} unknown"), [s(" unknown")]);
        assert_eq!(n(r"a[bc]d|x{2,3}yz"), [None, None]);
        assert_eq!(n(r"\d+ tries"), [s(" tries")]);
        assert_eq!(n(r"(a|b)|c"), [None, None]);
    }

    #[test]
    fn plain_alternatives_are_searched_as_text_with_their_word_boundaries() {
        let p = |a: &str| plain(a);
        assert_eq!(
            p(r"mailbox full"),
            Some(("mailbox full".into(), false, false))
        );
        assert_eq!(p(r"\bptr\b"), Some(("ptr".into(), true, true)));
        assert_eq!(p(r"\[tss04\]"), Some(("[tss04]".into(), false, false)));
        assert_eq!(p(r"a\\b"), Some((r"a\b".into(), false, false)));
        assert_eq!(p(r"over ?quota"), None);
        assert_eq!(p(r"\d+"), None);
        let ptr = |text| find(r"\bPTR\b|reverse DNS", text);
        assert_eq!(ptr("no ptr record"), Some(3));
        assert_eq!(ptr("ptr"), Some(0));
        assert_eq!(ptr("ptrs and no ptr_x, but ptr."), Some(23));
        assert_eq!(ptr("bad reverse dns; no ptr"), Some(4));
        assert_eq!(ptr("ptrecord"), None);
    }

    /// Every pattern of both tables, taken apart, finds what the whole regex finds, on
    /// every line of every fixture and on texts made from the patterns' own words.
    #[test]
    fn taken_apart_a_pattern_finds_what_the_whole_regex_finds() {
        let mut sources = Vec::new();
        for line in include_str!("../../data/reasons.tsv").lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            if !line.starts_with('#') && cols.len() == 4 && cols[1] == "text" {
                sources.push(cols[3].to_string());
            }
        }
        for line in include_str!("../../data/providers.tsv").lines() {
            let cols: Vec<&str> = line.split('\t').collect();
            if !line.starts_with('#') && cols.len() == 8 && cols[0] != "key" {
                sources.push(cols[4].to_string());
            }
        }
        assert!(sources.len() > 250, "{} patterns", sources.len());
        let mut texts: Vec<String> = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let bytes = std::fs::read(entry.expect("entry").path()).expect("fixture");
            let text = lower(&String::from_utf8_lossy(&bytes));
            texts.extend(text.lines().map(String::from));
            texts.push(text);
        }
        for source in &sources {
            for alt in alternatives(&lowered(source)) {
                let words = alt.replace(['\\', '(', ')', '?', '|', '^', '$'], "");
                for text in [words.clone(), format!("x{words}y"), format!("a {words}.")] {
                    texts.push(text);
                }
            }
        }
        let set = PatternSet::new(sources.iter().map(String::as_str));
        let wholes: Vec<Regex> = sources
            .iter()
            .map(|s| compile(s).expect("compiles"))
            .collect();
        let mut found = 0;
        for text in &texts {
            let scan = set.scan(text);
            for (i, whole) in wholes.iter().enumerate() {
                let want = whole.find(text.as_bytes()).map(|m| m.start());
                assert_eq!(scan.find(i), want, "{:?} on {text:?}", sources[i]);
                found += usize::from(want.is_some());
            }
        }
        assert!(
            found > 500,
            "only {found} matches: the texts test too little"
        );
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
            assert!(find(pattern, text).is_some(), "{pattern} / {text}");
        }
    }
}

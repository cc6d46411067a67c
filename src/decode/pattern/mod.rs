//! Decode stage, part 4c: the patterns of the data tables (`reasons.tsv`, `providers.tsv`,
//! `phases.tsv`), matched against text lowered to ASCII lower case.
//!
//! A table holds hundreds of patterns; matching them one by one, or compiling them all,
//! would cost more than the rest of the work on a bounce. So each pattern is taken apart
//! at build time ([`super::split`], run by `build.rs`) into plain texts and guarded
//! regexes, and one pass over the text with a hash table of their literals finds
//! - every plain text: that is a match, nothing is compiled;
//! - every guard of a regex: only a regex with a guard in the text can match, and each is
//!   compiled the first time it is asked.
//!
//! The leftmost start over a pattern's alternatives is the pattern's leftmost start.

// build.rs takes the table patterns apart with all of it; the binary needs only its hash
// and lowering functions.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod split;

use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::WhichCaptures;
use regex_automata::util::syntax;
pub use split::{AltDef, Span};
use std::sync::OnceLock;

/// The tables `build.rs` writes: `REASONS`, `PROVIDERS`, `PHASES`, one a data file.
pub mod tables {
    use super::{AltDef, Entry, Owner, Slot, Tables};
    include!(concat!(env!("OUT_DIR"), "/tables.rs"));
}

/// The patterns of one table taken apart ([`split::Laid`], as `build.rs` writes
/// it): numbers, and one blob that holds every string.
#[derive(Debug)]
pub struct Tables {
    /// Whether some literal is 3 bytes long (the others have a 4-byte key).
    pub short: bool,
    pub blob: &'static str,
    /// Each pattern, as written.
    pub sources: &'static [Span],
    /// Each pattern's alternatives: a range of `alts`.
    pub patterns: &'static [(u16, u16)],
    pub alts: &'static [AltDef],
    /// A hash table of literal keys ([`split::key`]), a power of two long.
    pub slots: &'static [Slot],
    pub entries: &'static [Entry],
    pub owners: &'static [Owner],
}

impl Tables {
    fn str(&self, (at, len): Span) -> &'static str {
        let at = at as usize;
        &self.blob[at..at + len as usize]
    }
}

/// A slot of the hash table: a literal key (0: empty) and its `entries`.
#[derive(Debug)]
pub struct Slot {
    pub key: u32,
    pub from: u16,
    pub to: u16,
}

/// The first bytes of some literals, and their `owners`.
#[derive(Debug)]
pub struct Entry {
    pub head: Span,
    pub from: u16,
    pub to: u16,
}

/// A whole literal and the alternative it stands for.
#[derive(Debug)]
pub struct Owner {
    pub alt: u16,
    pub word: Span,
}

/// The patterns of one table, searched together.
#[derive(Debug)]
pub struct PatternSet {
    tables: &'static Tables,
    /// The regex alternatives, compiled on first use (`None`: it does not compile).
    regexes: Box<[OnceLock<Option<Regex>>]>,
}

impl PatternSet {
    /// The set of tables written at build time.
    pub fn of(tables: &'static Tables) -> PatternSet {
        PatternSet {
            tables,
            regexes: tables.alts.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Pattern `i` as written.
    pub fn source(&self, i: usize) -> Option<&'static str> {
        self.tables.sources.get(i).map(|&s| self.tables.str(s))
    }

    /// Searches `text` ([`lower`]ed) for every pattern at once; ask the answer about each.
    pub fn scan<'s>(&'s self, text: &'s str) -> Scan<'s> {
        let t = self.tables;
        let mut at = vec![None; t.alts.len()];
        let bytes = text.as_bytes();
        let word = |i: usize| i < bytes.len() && is_word(bytes[i]);
        let edge = |i: usize| i == 0 || i == bytes.len() || word(i - 1) != word(i);
        let mask = t.slots.len() - 1;
        let mut probe = |start: usize, key: u32| {
            let mut s = split::slot(key, mask);
            let slot = loop {
                let slot = &t.slots[s];
                if slot.key == key || slot.key == 0 {
                    break slot;
                }
                s = (s + 1) & mask;
            };
            let rest = &bytes[start..];
            let entries = &t.entries[usize::from(slot.from)..usize::from(slot.to)];
            let found = |span: Span| rest.starts_with(t.str(span).as_bytes());
            for entry in entries.iter().filter(|e| found(e.head)) {
                let owners = &t.owners[usize::from(entry.from)..usize::from(entry.to)];
                for owner in owners.iter().filter(|o| found(o.word)) {
                    let alt = usize::from(owner.alt);
                    let def = &t.alts[alt];
                    let hit = if def.text {
                        let end = start + owner.word.1 as usize;
                        if (def.left && !edge(start)) || (def.right && !edge(end)) {
                            continue;
                        }
                        Hit::At(start)
                    } else {
                        Hit::Maybe
                    };
                    // Left to right: the first start found is the leftmost.
                    let slot: &mut Option<Hit> = &mut at[alt];
                    if !matches!(slot, Some(Hit::At(_))) {
                        *slot = Some(hit);
                    }
                }
            }
        };
        for start in 0..bytes.len().saturating_sub(2) {
            if let [a, b, c, d, ..] = bytes[start..] {
                probe(start, u32::from_le_bytes([a, b, c, d]));
            }
            if t.short {
                probe(start, split::key(&bytes[start..start + 3]));
            }
        }
        Scan {
            set: self,
            text,
            at,
        }
    }
}

/// What the searcher saw of an alternative.
#[derive(Debug, Clone, Copy)]
enum Hit {
    /// Plain text, found first here.
    At(usize),
    /// A regex whose guard is in the text.
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
        let plain = self
            .alts(i)
            .any(|alt| matches!(self.at[alt], Some(Hit::At(_))));
        (plain && !self.text.is_empty()) || self.starts(i).next().is_some()
    }

    /// The alternatives of pattern `i`.
    fn alts(&self, i: usize) -> std::ops::Range<usize> {
        let (from, to) = self.set.tables.patterns[i];
        usize::from(from)..usize::from(to)
    }

    /// The leftmost start of each alternative of pattern `i` that is found.
    fn starts(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        let alts = if self.text.is_empty() {
            0..0
        } else {
            self.alts(i)
        };
        let tables = self.set.tables;
        alts.filter_map(move |alt| {
            let def = &tables.alts[alt];
            // A regex is tried where a guard was found, or always when it has none.
            let tried = match self.at[alt] {
                Some(Hit::At(start)) => return Some(start),
                Some(Hit::Maybe) => true,
                None => !def.text && !def.guarded,
            };
            if !tried {
                return None;
            }
            let re = self.set.regexes[alt]
                .get_or_init(|| compile(tables.str(def.at)).ok())
                .as_ref()?;
            re.find(self.text.as_bytes()).map(|m| m.start())
        })
    }
}

/// A word character for `\b` when Unicode is off, as the regex engine has it.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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

/// A pattern's letters lowered; an alternative from the tables is already.
fn lowered(source: &str) -> std::borrow::Cow<'_, str> {
    if source.bytes().any(|b| b.is_ascii_uppercase()) {
        split::lowered(source).into()
    } else {
        source.into()
    }
}

/// Checks that pattern `i` of a table written at build time is `pattern`, as the data file
/// read now says: they differ only if the build is out of date.
pub fn take_pattern(set: &PatternSet, i: usize, pattern: &str, file: &str) -> Result<(), String> {
    match set.source(i) {
        Some(built) if built == pattern => Ok(()),
        _ => Err(format!(
            "{file}: pattern {} is not the one built in ({pattern}): rebuild",
            i + 1
        )),
    }
}

#[cfg(test)]
impl PatternSet {
    /// A set made at run time, as `build.rs` makes the tables (they live as long as the
    /// process, as the built ones do).
    pub fn new<'a>(sources: impl IntoIterator<Item = &'a str>) -> PatternSet {
        let split = split::split(sources);
        let laid = split::lay_out(&split);
        let n = |i: usize| u16::try_from(i).expect("a small set");
        fn leak<T>(v: Vec<T>) -> &'static [T] {
            v.leak()
        }
        let tables = Tables {
            short: laid.short,
            blob: laid.blob.leak(),
            sources: leak(laid.sources),
            patterns: leak(split.patterns.iter().map(|&(f, t)| (n(f), n(t))).collect()),
            alts: leak(laid.alts),
            slots: leak(
                split
                    .slots
                    .iter()
                    .map(|&(key, f, t)| Slot {
                        key,
                        from: n(f),
                        to: n(t),
                    })
                    .collect(),
            ),
            entries: leak(
                laid.entries
                    .iter()
                    .map(|&(head, f, t)| Entry {
                        head,
                        from: n(f),
                        to: n(t),
                    })
                    .collect(),
            ),
            owners: leak(
                laid.owners
                    .iter()
                    .map(|&(alt, word)| Owner { alt: n(alt), word })
                    .collect(),
            ),
        };
        PatternSet::of(Box::leak(Box::new(tables)))
    }

    /// Whether pattern `i` compiles as a whole.
    pub fn compiles(&self, i: usize) -> bool {
        compile(self.tables.str(self.tables.sources[i])).is_ok()
    }
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
    fn plain_alternatives_are_searched_as_text_with_their_word_boundaries() {
        let ptr = |text| find(r"\bPTR\b|reverse DNS", text);
        assert_eq!(ptr("no ptr record"), Some(3));
        assert_eq!(ptr("ptr"), Some(0));
        assert_eq!(ptr("ptrs and no ptr_x, but ptr."), Some(23));
        assert_eq!(ptr("bad reverse dns; no ptr"), Some(4));
        assert_eq!(ptr("ptrecord"), None);
        assert_eq!(ptr("pt"), None);
        let short = |text| find(r"\b(ab|abc)\b|x", text);
        assert_eq!(short("zabc ab"), Some(5));
        assert_eq!(short("abc"), Some(0));
        assert_eq!(short("xy"), Some(0));
    }

    /// The patterns of a table, as written.
    fn sources(t: &'static Tables) -> Vec<&'static str> {
        t.sources.iter().map(|&s| t.str(s)).collect()
    }

    /// Every table written at build time is the one its data file gives now, and every
    /// pattern compiles whole.
    #[test]
    fn the_built_tables_are_those_of_the_data_files() {
        for (built, file) in [
            (&tables::REASONS, include_str!("../../../data/reasons.tsv")),
            (
                &tables::PROVIDERS,
                include_str!("../../../data/providers.tsv"),
            ),
            (&tables::PHASES, include_str!("../../../data/phases.tsv")),
        ] {
            let set = PatternSet::of(built);
            let patterns = sources(built);
            assert!(patterns.iter().all(|p| file.contains(p)));
            for (i, pattern) in patterns.iter().enumerate() {
                assert!(set.compiles(i), "{pattern}");
            }
            let again = PatternSet::new(patterns);
            assert_eq!(format!("{:?}", again.tables), format!("{built:?}"));
        }
    }

    /// Every pattern of the tables, taken apart, finds what the whole regex finds, on
    /// every line of every fixture and on texts made from the patterns' own words.
    #[test]
    fn taken_apart_a_pattern_finds_what_the_whole_regex_finds() {
        let mut texts: Vec<String> = Vec::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        let mut paths: Vec<std::path::PathBuf> = Vec::new();
        for entry in std::fs::read_dir(dir).expect("fixtures") {
            let path = entry.expect("entry").path();
            match std::fs::read_dir(&path) {
                // A folder of fixtures (tests/fixtures/who): its files.
                Ok(sub) => paths.extend(sub.map(|e| e.expect("entry").path())),
                Err(_) => paths.push(path),
            }
        }
        for path in paths {
            let bytes = std::fs::read(path).expect("fixture");
            let text = lower(&String::from_utf8_lossy(&bytes));
            texts.extend(text.lines().map(String::from));
            texts.push(text);
        }
        let all = [&tables::REASONS, &tables::PROVIDERS, &tables::PHASES];
        let all_sources: Vec<&str> = all.iter().flat_map(|t| sources(t)).collect();
        assert!(all_sources.len() > 250, "{} patterns", all_sources.len());
        for source in &all_sources {
            let lowered = super::split::lowered(source);
            for alt in super::split::alternatives(&lowered) {
                let words = alt.replace(['\\', '(', ')', '?', '|', '^', '$'], "");
                for text in [words.clone(), format!("x{words}y"), format!("a {words}.")] {
                    texts.push(text);
                }
            }
        }
        let mut found = 0;
        for tables in all {
            let set = PatternSet::of(tables);
            let patterns = sources(tables);
            let wholes: Vec<Regex> = patterns
                .iter()
                .map(|s| compile(s).expect("compiles"))
                .collect();
            for text in &texts {
                let scan = set.scan(text);
                for (i, whole) in wholes.iter().enumerate() {
                    let want = whole.find(text.as_bytes()).map(|m| m.start());
                    assert_eq!(scan.find(i), want, "{:?} on {text:?}", patterns[i]);
                    assert_eq!(scan.is_match(i), want.is_some());
                    found += usize::from(want.is_some());
                }
            }
        }
        assert!(
            found > 500,
            "only {found} matches: the texts test too little"
        );
    }

    #[test]
    fn the_guards_never_turn_away_a_text_the_pattern_matches() {
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
            (
                r"\b(spf|dkim)\b.{0,60}\b(fail|failed)\b",
                "the dkim signature check failed",
            ),
            (r"(fail|failed)\b.{0,40}\b(spf|dkim)\b", "failed: spf"),
        ];
        for (pattern, text) in cases {
            assert!(find(pattern, text).is_some(), "{pattern} / {text}");
        }
    }
}

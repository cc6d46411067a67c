//! Reads the data tables once, at build time, and writes what a process needs of them as
//! numbers into `$OUT_DIR`: the searcher's tables into `tables.rs` (read by
//! `src/decode/pattern/mod.rs`), so a process does not split some 2,000 alternatives and build
//! an automaton on every run; where each fact, entry and interface word lies in the
//! catalog's files into `catalog.rs` (read by `src/decode/catalog/mod.rs`), so a look-up parses
//! nothing.

#[path = "src/decode/catalog/spans.rs"]
mod spans;
#[path = "src/decode/pattern/split.rs"]
mod split;

use split::Split;
use std::fmt::Write as _;
use std::path::Path;

/// Which column of a row (split at tabs) holds a pattern, if the row has one.
type Column = fn(&[&str]) -> Option<usize>;

/// The tables whose patterns are taken apart: name in the binary, file, pattern column.
const TABLES: [(&str, &str, Column); 5] = [
    // reason, kind, phase, match: `match` is a pattern where kind is `text`.
    ("REASONS", "data/reasons.tsv", |cols| {
        (cols.len() == 4 && cols[1] == "text").then_some(3)
    }),
    // key, provider, basic, enhanced, pattern, ...
    ("PROVIDERS", "data/providers.tsv", |cols| {
        (cols.len() == 8).then_some(4)
    }),
    // key, name, zone, kind, match, ...: rows that a provider row names have no match.
    ("BLOCKLISTS", "data/blocklists.tsv", |cols| {
        (cols.len() == 9 && !cols[4].is_empty()).then_some(4)
    }),
    // phase, pattern
    ("PHASES", "data/phases.tsv", |cols| {
        (cols.len() == 2).then_some(1)
    }),
    // system, permanent, temporary, match, example
    ("WORDING", "data/wording.tsv", |cols| {
        (cols.len() == 5).then_some(3)
    }),
];

/// The language files, in the order of `slot` in `src/decode/catalog/mod.rs`.
const LANGUAGES: [&str; 5] = [
    "data/en.txt",
    "data/it.txt",
    "data/fr.txt",
    "data/de.txt",
    "data/es.txt",
];

fn main() {
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    write_catalog(Path::new(&out_dir));
    let mut code = String::from("// Written by build.rs from data/*.tsv: do not edit.\n\n");
    for (name, file, column) in TABLES {
        let text = read(file);
        // As the run-time parsers read them.
        let sources: Vec<&str> = spans::rows(&text)
            .filter_map(|line| {
                let cols: Vec<&str> = line.split('\t').collect();
                column(&cols).map(|c| cols[c])
            })
            .collect();
        write_tables(&mut code, name, &split::split(sources));
    }
    println!("cargo:rerun-if-changed=src/decode/pattern/split.rs");
    let path = Path::new(&out_dir).join("tables.rs");
    std::fs::write(&path, code).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn read(file: &str) -> String {
    println!("cargo:rerun-if-changed={file}");
    std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Writes `catalog.rs`: the spans of every row of `data/codes.tsv` (`FACTS`), and of
/// every entry (`ENTRIES`) and interface word (`UI`) of each language file.
fn write_catalog(out_dir: &Path) {
    println!("cargo:rerun-if-changed=src/decode/catalog/spans.rs");
    let mut w = String::from("// Written by build.rs from data/: do not edit.\n\n");
    let codes = read("data/codes.tsv");
    let facts = spans::facts(&codes).unwrap_or_else(|e| panic!("data/{e}"));
    writeln!(w, "pub static FACTS: &[FactRow] = &{facts:?};").unwrap();
    let (mut entries, mut ui) = (Vec::new(), Vec::new());
    for file in LANGUAGES {
        let text = read(file);
        entries.push(spans::entries(&text).unwrap_or_else(|e| panic!("{file}: {e}")));
        ui.push(spans::ui(&text));
    }
    let n = LANGUAGES.len();
    writeln!(w, "pub static ENTRIES: [&[Entry]; {n}] = [").unwrap();
    for e in entries {
        writeln!(w, "    &{e:?},").unwrap();
    }
    writeln!(w, "];\npub static UI: [&[(Span, Span)]; {n}] = [").unwrap();
    for u in ui {
        writeln!(w, "    &{u:?},").unwrap();
    }
    writeln!(w, "];").unwrap();
    let path = out_dir.join("catalog.rs");
    std::fs::write(&path, w).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Writes one table as a `static` of `pattern::Tables`: numbers and one string.
fn write_tables(code: &mut String, name: &str, split: &Split) {
    let laid = split::lay_out(split);
    let fits = |n: usize| assert!(n < usize::from(u16::MAX), "{name}: {n} rows is too many");
    fits(split.alts.len());
    fits(split.entries.len());
    fits(split.owners.len());
    let w = code;
    let span = |(at, len): split::Span| format!("({at}, {len})");
    writeln!(w, "pub static {name}: Tables = Tables {{").unwrap();
    writeln!(w, "    short: {},\n    blob: {:?},", laid.short, laid.blob).unwrap();
    let list = |w: &mut String, field: &str, items: Vec<String>| {
        writeln!(w, "    {field}: &[").unwrap();
        for item in items {
            writeln!(w, "        {item},").unwrap();
        }
        writeln!(w, "    ],").unwrap();
    };
    list(
        w,
        "sources",
        laid.sources.iter().map(|s| span(*s)).collect(),
    );
    let patterns = split.patterns.iter().map(|(f, t)| format!("({f}, {t})"));
    list(w, "patterns", patterns.collect());
    let alts = laid.alts.iter().map(|a| {
        let (text, left, right, guarded) = (a.text, a.left, a.right, a.guarded);
        format!(
            "AltDef {{ text: {text}, at: {}, left: {left}, right: {right}, guarded: {guarded} }}",
            span(a.at)
        )
    });
    list(w, "alts", alts.collect());
    let slots = split
        .slots
        .iter()
        .map(|(key, from, to)| format!("Slot {{ key: {key}, from: {from}, to: {to} }}"));
    list(w, "slots", slots.collect());
    let entries = laid
        .entries
        .iter()
        .map(|&(s, from, to)| format!("Entry {{ head: {}, from: {from}, to: {to} }}", span(s)));
    list(w, "entries", entries.collect());
    let owners = laid
        .owners
        .iter()
        .map(|&(alt, s)| format!("Owner {{ alt: {alt}, word: {} }}", span(s)));
    list(w, "owners", owners.collect());
    writeln!(w, "}};\n").unwrap();
}

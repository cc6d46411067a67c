//! Where each field of the catalog's data files lies: `data/codes.tsv` (one row a code)
//! and the language files (`[key]` entries of `field: value` lines, then a `[ui]` block of
//! `key = value` lines; format in `data/README.md`). build.rs reads the files with these
//! functions and writes what they find into the binary as numbers, so that a process
//! starts with its tables ready (a look-up, `smtpcode 5.1.1`, spent most of its own time
//! parsing them); the tests check the built tables against a fresh reading. The provider
//! texts (`data/providers.*.txt`) are entries too, read at run time with [`entries`].
//!
//! This file is compiled twice (into build.rs and into the crate): it uses `std` alone.

/// A piece of a file: where it starts and how many bytes it has.
pub type Span = (u32, u32);

/// The span of a field that is absent.
pub const ABSENT: Span = (u32::MAX, 0);

/// The fields of an entry, in the order of [`Entry::fields`].
pub const FIELDS: [&str; 6] = [
    "title",
    "explanation",
    "sender",
    "recipient",
    "administrator",
    "note",
];

/// One `[key]` entry of a language file: its key and its fields (in [`FIELDS`] order,
/// [`ABSENT`] where the entry lacks one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub key: Span,
    pub fields: [Span; 6],
}

/// One row of `data/codes.tsv`: its six columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactRow {
    pub key: Span,
    pub kind: Span,
    pub classes: Span,
    pub status: Span,
    pub reference: Span,
    pub acts: Span,
}

/// The text of a span of `src` (empty for [`ABSENT`]).
pub fn text(src: &str, (at, len): Span) -> &str {
    match (at, len) {
        ABSENT => "",
        _ => &src[at as usize..(at + len) as usize],
    }
}

/// The span of `part`, a piece of `src`.
fn span(src: &str, part: &str) -> Span {
    let at = part.as_ptr() as usize - src.as_ptr() as usize;
    debug_assert!(at + part.len() <= src.len());
    let fit = |n: usize| u32::try_from(n).expect("data files are under 4 GiB");
    (fit(at), fit(part.len()))
}

/// The rows of a data table (`data/*.tsv`): its lines without comment lines (`#`), blank
/// lines and the header. Every table is read this way, here, in build.rs and at run time.
pub fn rows(src: &str) -> impl Iterator<Item = &str> {
    src.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
}

/// Sorts `items` by the text of their key; `Err` names a key that is there twice.
fn sort_by_key<'s, T>(src: &'s str, items: &mut [T], key: fn(&T) -> Span) -> Result<(), &'s str> {
    items.sort_by(|a, b| text(src, key(a)).cmp(text(src, key(b))));
    match items
        .windows(2)
        .find(|w| text(src, key(&w[0])) == text(src, key(&w[1])))
    {
        Some(w) => Err(text(src, key(&w[0]))),
        None => Ok(()),
    }
}

/// The rows of `data/codes.tsv` (comment lines and a header skipped), sorted by key. Each
/// row has six columns and its classes are digits separated by commas.
#[cfg_attr(not(test), allow(dead_code, reason = "build.rs reads the file"))]
pub fn facts(src: &str) -> Result<Vec<FactRow>, String> {
    let mut facts = Vec::new();
    for line in rows(src) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [key, kind, classes, status, reference, acts] = cols[..] else {
            return Err(format!("codes.tsv: expected 6 columns: {line}"));
        };
        let digits = |c: &str| c.trim().len() == 1 && c.trim().as_bytes()[0].is_ascii_digit();
        if !classes.split(',').all(digits) {
            return Err(format!("codes.tsv: bad class in {line}"));
        }
        let s = |part| span(src, part);
        facts.push(FactRow {
            key: s(key),
            kind: s(kind),
            classes: s(classes),
            status: s(status),
            reference: s(reference),
            acts: s(acts),
        });
    }
    sort_by_key(src, &mut facts, |f| f.key)
        .map_err(|key| format!("codes.tsv: {key} is there twice"))?;
    Ok(facts)
}

/// The entries of a language file, up to its `[ui]` block, sorted by key. Errors name the
/// line (one that is not `field: value`, a field before any `[key]`, an unknown field) or
/// the entry (one without a title or an explanation, a key twice).
pub fn entries(src: &str) -> Result<Vec<Entry>, String> {
    let mut out: Vec<Entry> = Vec::new();
    let mut current: Option<Entry> = None;
    for (n, line) in src.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line == "[ui]" {
            break;
        }
        if let Some(key) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some(entry) = current.take() {
                finish(src, &mut out, entry)?;
            }
            current = Some(Entry {
                key: span(src, key),
                fields: [ABSENT; 6],
            });
            continue;
        }
        let at = |e: String| format!("line {}: {e}", n + 1);
        let (field, value) = line
            .split_once(':')
            .ok_or_else(|| at("expected 'field: value'".into()))?;
        let entry = current
            .as_mut()
            .ok_or_else(|| at("field before any [key]".into()))?;
        let field = field.trim();
        let slot = FIELDS
            .iter()
            .position(|f| *f == field)
            .ok_or_else(|| at(format!("unknown field '{field}'")))?;
        entry.fields[slot] = span(src, value.trim());
    }
    if let Some(entry) = current {
        finish(src, &mut out, entry)?;
    }
    sort_by_key(src, &mut out, |e| e.key).map_err(|key| format!("[{key}]: duplicate entry"))?;
    Ok(out)
}

fn finish(src: &str, out: &mut Vec<Entry>, entry: Entry) -> Result<(), String> {
    let [title, explanation, ..] = entry.fields.map(|f| text(src, f));
    if title.is_empty() || explanation.is_empty() {
        let key = text(src, entry.key);
        return Err(format!("[{key}]: title and explanation are required"));
    }
    out.push(entry);
    Ok(())
}

/// The words of the interface: the `[ui]` block of a language file, `key = value` a line,
/// sorted by key.
#[cfg_attr(not(test), allow(dead_code, reason = "build.rs reads the files"))]
pub fn ui(src: &str) -> Vec<(Span, Span)> {
    let Some(at) = src.find("\n[ui]\n") else {
        return Vec::new();
    };
    let mut words: Vec<(Span, Span)> = src[at + 6..]
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (span(src, k.trim()), span(src, v.trim())))
        .collect();
    words.sort_by(|a, b| text(src, a.0).cmp(text(src, b.0)));
    words
}

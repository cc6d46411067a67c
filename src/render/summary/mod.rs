//! Render stage, for a whole log (`--summary`): delivery attempts counted per status, per
//! class, per recipient domain, and the most frequent diagnostics, as one table or one JSON
//! document at the end.
//!
//! One unit of the log (a line, with its continuation lines) that holds a reply is one
//! delivery attempt, counted under its status: the `dsn=` field where the unit has one
//! (Postfix, Sendmail), else the first enhanced status code of the reply, else its basic
//! reply code. Counting happens per chunk, in parallel, and the counts are then merged, so
//! memory stays flat: every table keeps at most [`MAX_KEYS`] keys, and what comes after that
//! is counted as untracked.

use crate::decode::catalog::Catalog;
use crate::decode::finding::{self, Origin};
use crate::extract::code::{Basic, Class, Enhanced};
use crate::extract::recipient;
use crate::extract::{self, UnitReplies};
use crate::text::address;
use crate::text::{self, escape};
use colored::Colorize;
use foldhash::HashMap;
use memchr::memmem;
use serde::Serialize;
use std::io::{self, Write};

/// The most keys a table (statuses, domains, diagnostics) keeps.
pub const MAX_KEYS: usize = 10_000;
/// Rows of the domain and diagnostic tables in text; JSON has every domain and more rows.
const TEXT_ROWS: usize = 10;
const JSON_DIAGNOSTICS: usize = 50;
/// The most characters of a diagnostic kept.
const DIAGNOSTIC_LEN: usize = 120;

/// The status an attempt is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Enhanced(Enhanced),
    /// A reply with a basic code only.
    Basic(Basic),
}

impl Status {
    fn class(self) -> Option<Class> {
        match self {
            Status::Enhanced(e) => e.class(),
            Status::Basic(b) => Class::from_digit(b.first_digit()),
        }
    }

    fn code(self) -> String {
        match self {
            Status::Enhanced(e) => e.to_string(),
            Status::Basic(b) => b.to_string(),
        }
    }
}

/// Attempts per class: success, intermediate, transient, permanent.
type PerClass = [u64; 4];

fn class_index(class: Class) -> usize {
    match class {
        Class::Success => 0,
        Class::Intermediate => 1,
        Class::Transient => 2,
        Class::Permanent => 3,
    }
}

const CLASSES: [Class; 4] = [
    Class::Success,
    Class::Intermediate,
    Class::Transient,
    Class::Permanent,
];

/// The counts of a log, or of a piece of it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    pub attempts: u64,
    statuses: HashMap<Status, u64>,
    classes: PerClass,
    /// Per recipient domain (lower case; empty for attempts that name no address).
    domains: HashMap<Box<str>, PerClass>,
    /// Per status code and diagnostic text, for attempts that failed or were deferred
    /// (looked up by the text without allocating: most attempts repeat a known one).
    diagnostics: HashMap<Status, HashMap<Box<str>, u64>>,
    /// (status, text) pairs in `diagnostics`.
    diagnostic_keys: usize,
    /// Counts that a full table could not take (see [`MAX_KEYS`]).
    pub untracked: u64,
}

impl Summary {
    /// The counts of a piece of log that starts a unit.
    pub fn of_log(bytes: &[u8]) -> Summary {
        let mut s = Summary::default();
        let mut scratch = Vec::new();
        extract::for_each_unit(bytes, |unit| s.add_unit(unit, &mut scratch));
        s
    }

    /// Counts one unit: one attempt. `scratch` is reused for the diagnostic text.
    pub fn add_unit(&mut self, unit: &UnitReplies, scratch: &mut Vec<u8>) {
        let decisive = unit
            .replies
            .iter()
            .find(|r| r.enhanced.is_some())
            .or(unit.replies.first());
        let Some(decisive) = decisive else { return };
        let enhanced = decisive.enhanced.as_ref().map(|e| e.0);
        let status = match (unit.dsn.or(enhanced), &decisive.basic) {
            (Some(e), _) => Status::Enhanced(e),
            (None, Some((b, _))) => Status::Basic(*b),
            (None, None) => return,
        };
        let failed = matches!(status.class(), Some(Class::Transient | Class::Permanent));
        let diagnostic = if failed {
            let reply = unit
                .replies
                .iter()
                .find(|r| r.basic.is_some())
                .unwrap_or(decisive);
            Some(diagnostic(unit, reply, scratch))
        } else {
            None
        };
        // The domain, lower-cased without allocating in the common (short, ASCII) case.
        let raw = recipient::recipient_bytes(unit.bytes()).unwrap_or_default();
        let raw = raw
            .rsplit(|&b| b == b'@')
            .next()
            .filter(|_| raw.contains(&b'@'))
            .unwrap_or_default();
        let mut buf = [0u8; 256];
        match raw.len() <= buf.len() && raw.iter().all(u8::is_ascii_graphic) {
            true => {
                let lower = &mut buf[..raw.len()];
                lower.copy_from_slice(raw);
                lower.make_ascii_lowercase();
                let domain = std::str::from_utf8(lower)
                    .unwrap_or("")
                    .trim_end_matches(['.', '>']);
                self.add(status, domain, diagnostic, 1);
            }
            false => {
                let address = address::normalize(raw);
                self.add(status, address.trim_end_matches('>'), diagnostic, 1);
            }
        }
    }

    /// Counts a code looked up by hand as one attempt.
    pub fn add_lookup(&mut self, basic: Option<Basic>, enhanced: Option<Enhanced>) {
        let status = match (enhanced, basic) {
            (Some(e), _) => Status::Enhanced(e),
            (None, Some(b)) => Status::Basic(b),
            (None, None) => return,
        };
        self.add(status, "", None, 1);
    }

    fn add(&mut self, status: Status, domain: &str, diagnostic: Option<&str>, n: u64) {
        self.attempts += n;
        let class = status.class().map(class_index);
        if let Some(c) = class {
            self.classes[c] += n;
        }
        let mut left_out = u64::from(!bump(&mut self.statuses, status, n));
        if let Some(per) = self.domains.get_mut(domain) {
            per[class.unwrap_or(1)] += n;
        } else if self.domains.len() < MAX_KEYS {
            let mut per = PerClass::default();
            per[class.unwrap_or(1)] = n;
            self.domains.insert(domain.into(), per);
        } else {
            left_out += 1;
        }
        if let Some(text) = diagnostic {
            left_out += u64::from(!self.bump_diagnostic(status, text, n));
        }
        self.untracked += left_out * n;
    }

    /// Adds the counts of another piece of the log.
    pub fn merge(&mut self, other: Summary) {
        self.attempts += other.attempts;
        self.untracked += other.untracked;
        for (a, b) in self.classes.iter_mut().zip(other.classes) {
            *a += b;
        }
        for (status, n) in other.statuses {
            self.untracked += u64::from(!bump(&mut self.statuses, status, n)) * n;
        }
        for (domain, per) in other.domains {
            if let Some(mine) = self.domains.get_mut(&domain) {
                mine.iter_mut().zip(per).for_each(|(a, b)| *a += b);
            } else if self.domains.len() < MAX_KEYS {
                self.domains.insert(domain, per);
            } else {
                self.untracked += per.iter().sum::<u64>();
            }
        }
        for (status, texts) in other.diagnostics {
            for (text, n) in texts {
                self.untracked += u64::from(!self.bump_diagnostic(status, &text, n)) * n;
            }
        }
    }

    /// Adds `n` to a diagnostic, unless the table is full and lacks it; says whether it
    /// was counted.
    fn bump_diagnostic(&mut self, status: Status, text: &str, n: u64) -> bool {
        let texts = self.diagnostics.entry(status).or_default();
        if let Some(v) = texts.get_mut(text) {
            *v += n;
        } else if self.diagnostic_keys < MAX_KEYS {
            texts.insert(text.into(), n);
            self.diagnostic_keys += 1;
        } else {
            return false;
        }
        true
    }

    /// Attempts per status, most frequent first.
    pub fn statuses(&self) -> Vec<(Status, u64)> {
        let mut v: Vec<_> = self.statuses.iter().map(|(s, n)| (*s, *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    }

    fn domains(&self) -> Vec<(&str, PerClass)> {
        let mut v: Vec<_> = self.domains.iter().map(|(d, n)| (&**d, *n)).collect();
        let total = |p: &PerClass| p.iter().sum::<u64>();
        v.sort_by(|a, b| total(&b.1).cmp(&total(&a.1)).then(a.0.cmp(b.0)));
        v
    }

    fn diagnostics(&self) -> Vec<(Status, &str, u64)> {
        let mut v: Vec<_> = self
            .diagnostics
            .iter()
            .flat_map(|(s, texts)| texts.iter().map(|(t, n)| (*s, &**t, *n)))
            .collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(b.1)));
        v
    }
}

/// Adds `n` to `key`, unless the table is full and lacks it; says whether it was counted.
fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, u64>, key: K, n: u64) -> bool {
    if let Some(v) = map.get_mut(&key) {
        *v += n;
    } else if map.len() < MAX_KEYS {
        map.insert(key, n);
    } else {
        return false;
    }
    true
}

/// What the server said about a failed attempt, with what changes from one message to the
/// next (addresses, numbers, queue IDs, hosts with their IP addresses) blanked, so that the
/// same reason counts as one. Written into `out`.
fn diagnostic<'o>(unit: &UnitReplies, reply: &extract::Reply, out: &'o mut Vec<u8>) -> &'o str {
    let bytes = unit.bytes();
    let said = if reply.basic.is_some() {
        unit.from_reply(reply)
    } else if let Some(at) = memmem::find(bytes, b"status=") {
        // Postfix: "status=deferred (connect to ...: Connection timed out)".
        let rest = &bytes[at..];
        let open = memchr::memchr(b'(', rest).map_or(rest.len(), |i| i + 1);
        let rest = &rest[open..];
        rest.strip_suffix(b")").unwrap_or(rest)
    } else if let Some(at) = memmem::find(bytes, b"stat=") {
        &bytes[at + 5..]
    } else {
        unit.from_reply(reply)
    };
    normalize(said, out)
}

/// Byte classes for [`normalize`]: one table look-up a byte tells all it asks.
const BLANK: u8 = 1;
const ALNUM: u8 = 2;
const DIGIT: u8 = 4;
const AT: u8 = 8;
const NOT_GRAPHIC: u8 = 16;

static BYTE_CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = if c.is_ascii_whitespace() { BLANK } else { 0 }
            | if c.is_ascii_alphanumeric() { ALNUM } else { 0 }
            | if c.is_ascii_digit() { DIGIT } else { 0 }
            | if c == b'@' { AT } else { 0 }
            | if c.is_ascii_graphic() { 0 } else { NOT_GRAPHIC };
        b += 1;
    }
    t
};

/// [`diagnostic`]'s blanking, word by word, into `out` (cleared first). Each byte is
/// looked at once: a word's classes are gathered as it is read (this runs for every failed
/// attempt of a log). Bytes are checked as text once at the end, not word by word.
fn normalize<'o>(said: &[u8], out: &'o mut Vec<u8>) -> &'o str {
    out.clear();
    let mut i = 0;
    while i < said.len() {
        if BYTE_CLASSES[usize::from(said[i])] & BLANK != 0 {
            i += 1;
            continue;
        }
        // A word: the classes of its bytes, and where its letters and digits end.
        let start = i;
        let (mut classes, mut last_alnum) = (0, None);
        while let Some(&b) = said.get(i) {
            let class = BYTE_CLASSES[usize::from(b)];
            if class & BLANK != 0 {
                break;
            }
            if class & ALNUM != 0 {
                last_alnum = Some(i);
            }
            classes |= class;
            i += 1;
        }
        let word = &said[start..i];
        // From its first letter or digit to its last (none: empty).
        let core = last_alnum.map_or(&word[..0], |last| {
            let first = word.iter().position(u8::is_ascii_alphanumeric).unwrap_or(0);
            &word[first..=last - start]
        });
        let address = classes & AT != 0;
        let number = !address && core.len() > 3 && classes & DIGIT != 0 && !is_code(core);
        if number && out.ends_with(b"#") {
            continue;
        }
        if push_word(out, word, address, number, classes & NOT_GRAPHIC == 0) {
            break;
        }
    }
    blanked(out)
}

/// Writes one word of a diagnostic after the others: an address as `<address>`, a number
/// as `#`, any other word as it is (cleaned where it is more than printable ASCII). Says
/// whether `out` is full, and then ends it with `…`.
fn push_word(out: &mut Vec<u8>, word: &[u8], address: bool, number: bool, printable: bool) -> bool {
    if !out.is_empty() {
        out.push(b' ');
    }
    if address {
        out.extend_from_slice(b"<address>");
    } else if number {
        out.push(b'#');
    } else if printable {
        // Most words are plain ASCII, with nothing to clean.
        out.extend_from_slice(word);
    } else {
        out.extend_from_slice(text::clean(word, DIAGNOSTIC_LEN).as_bytes());
    }
    let full = out.len() >= DIAGNOSTIC_LEN;
    if full {
        out.extend_from_slice("…".as_bytes());
    }
    full
}

/// The blanked diagnostic `out` holds, without the parentheses it closes but never opened.
fn blanked(out: &[u8]) -> &str {
    // Every piece is ASCII or cleaned text: valid UTF-8 as a whole.
    let text = std::str::from_utf8(out).unwrap_or("");
    &text[..text::balanced_len(text)]
}

/// Whether a word is a reply code or an enhanced status code.
fn is_code(word: &[u8]) -> bool {
    let text = std::str::from_utf8(word).unwrap_or("");
    Basic::parse(text).is_some() || Enhanced::parse(text).is_some()
}

/// The `--json --summary` document.
#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    summary: Json<'a>,
}

#[derive(Serialize)]
struct Json<'a> {
    attempts: u64,
    statuses: Vec<StatusJson>,
    classes: ClassesJson,
    domains: Vec<DomainJson<'a>>,
    diagnostics: Vec<DiagnosticJson<'a>>,
    untracked: u64,
    lang: &'static str,
}

#[derive(Serialize)]
struct ClassesJson {
    success: u64,
    intermediate: u64,
    transient: u64,
    permanent: u64,
}

#[derive(Serialize)]
struct StatusJson {
    code: String,
    count: u64,
    class: Option<&'static str>,
    title: String,
}

#[derive(Serialize)]
struct DomainJson<'a> {
    /// Empty for attempts that name no address.
    domain: &'a str,
    attempts: u64,
    success: u64,
    transient: u64,
    permanent: u64,
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    code: String,
    count: u64,
    text: &'a str,
}

/// The title of a status in the catalogue's language.
fn title(cat: &Catalog, status: Status) -> String {
    let (b, e) = match status {
        Status::Enhanced(e) => (None, Some(e)),
        Status::Basic(b) => (Some(b), None),
    };
    let f = finding::decode(cat, b, e, Origin::default());
    f.enhanced.or(f.basic).map(|d| d.title).unwrap_or_default()
}

impl Summary {
    /// Writes the summary as one JSON document.
    pub fn write_json(&self, out: &mut dyn Write, cat: &Catalog) -> io::Result<()> {
        let statuses = self
            .statuses()
            .into_iter()
            .map(|(s, count)| StatusJson {
                code: s.code(),
                count,
                class: s.class().map(Class::name),
                title: title(cat, s),
            })
            .collect();
        let domains = self
            .domains()
            .into_iter()
            .map(|(domain, p)| DomainJson {
                domain,
                attempts: p.iter().sum(),
                success: p[0],
                transient: p[2],
                permanent: p[3],
            })
            .collect();
        let diagnostics = self
            .diagnostics()
            .into_iter()
            .take(JSON_DIAGNOSTICS)
            .map(|(s, text, count)| DiagnosticJson {
                code: s.code(),
                count,
                text,
            })
            .collect();
        let [success, intermediate, transient, permanent] = self.classes;
        let classes = ClassesJson {
            success,
            intermediate,
            transient,
            permanent,
        };
        let doc = Document {
            schema: 1,
            summary: Json {
                attempts: self.attempts,
                statuses,
                classes,
                domains,
                diagnostics,
                untracked: self.untracked,
                lang: cat.lang.code(),
            },
        };
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
        writeln!(out)
    }

    /// Writes the summary as tables for people.
    pub fn write_text(&self, out: &mut dyn Write, cat: &Catalog) -> io::Result<()> {
        let heading = |key: &str| cat.ui("label").replace("{}", cat.ui(key)).bold();
        writeln!(out, "{} {}", heading("sum_attempts"), self.attempts)?;
        writeln!(out, "\n{}", heading("sum_classes"))?;
        for c in CLASSES {
            let n = self.classes[class_index(c)];
            if n > 0 {
                let share = percent(n, self.attempts);
                writeln!(out, "{n:>12}  {share:>7}  {}", cat.ui(c.name()))?;
            }
        }
        writeln!(out, "\n{}", heading("sum_statuses"))?;
        for (s, n) in self.statuses() {
            writeln!(out, "{n:>12}  {:<7}  {}", s.code(), title(cat, s))?;
        }
        self.write_domains(out, cat)?;
        writeln!(out, "\n{}", heading("sum_diagnostics"))?;
        for (s, text, n) in self.diagnostics().into_iter().take(TEXT_ROWS) {
            writeln!(out, "{n:>12}  {:<7}  {}", s.code(), escape(text))?;
        }
        if self.untracked > 0 {
            let note = cat
                .ui("sum_untracked")
                .replace("{}", &self.untracked.to_string());
            writeln!(out, "\n{note}")?;
        }
        Ok(())
    }

    fn write_domains(&self, out: &mut dyn Write, cat: &Catalog) -> io::Result<()> {
        let heading = cat.ui("label").replace("{}", cat.ui("sum_domains"));
        writeln!(out, "\n{}", heading.bold())?;
        let [ok, temp, perm] = [0, 2, 3].map(|i| cat.ui(CLASSES[i].name()));
        let (total, domain) = (cat.ui("sum_total"), cat.ui("sum_domain"));
        let head = format!("{total:>12}  {ok:>10}  {temp:>10}  {perm:>10}  {domain}");
        writeln!(out, "{}", head.dimmed())?;
        let domains = self.domains();
        for (d, p) in domains.iter().take(TEXT_ROWS) {
            let name = match d.is_empty() {
                true => cat.ui("sum_no_address").to_string(),
                false => escape(d),
            };
            let total: u64 = p.iter().sum();
            writeln!(
                out,
                "{total:>12}  {:>10}  {:>10}  {:>10}  {name}",
                p[0], p[2], p[3]
            )?;
        }
        if domains.len() > TEXT_ROWS {
            let more = (domains.len() - TEXT_ROWS).to_string();
            writeln!(
                out,
                "{:>12}  {}",
                "",
                cat.ui("sum_more").replace("{}", &more)
            )?;
        }
        Ok(())
    }
}

fn percent(n: u64, of: u64) -> String {
    format!("{:.1} %", n as f64 * 100.0 / of.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    /// [`normalize`] blanks as plainly written word-by-word code does, on texts made of
    /// the pieces that matter (blanks of each kind, addresses, codes, numbers, UTF-8,
    /// control bytes, words glued to punctuation).
    #[test]
    fn one_pass_blanking_equals_the_word_by_word_one() {
        const PIECES: &[&str] = &[
            " ",
            "  ",
            "\t",
            "\n",
            "\x0b",
            "\x0c",
            "\r",
            "bob@ex.org",
            "<a@b>",
            "@",
            "550",
            "5.1.1",
            "5.1.1;",
            "(550)",
            "1234",
            "12",
            "#",
            "a#",
            "x9y8",
            "[192.0.2.1]:25",
            "é",
            "€2",
            "\u{1b}[31m",
            "\u{0}",
            "((",
            ")",
            "said:",
            "mailbox",
            "-",
            "..",
            "abc",
            "ID:4F2A",
            "2024-11-01",
        ];
        let (mut state, mut mine, mut theirs) = (0x9e37_79b9_7f4a_7c15_u64, Vec::new(), Vec::new());
        for _ in 0..20_000 {
            let mut said = String::new();
            for _ in 0..(state % 60) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                said.push_str(PIECES[(state % PIECES.len() as u64) as usize]);
            }
            assert_eq!(
                normalize(said.as_bytes(), &mut mine),
                normalize_by_words(said.as_bytes(), &mut theirs),
                "{said:?}"
            );
        }
    }

    /// [`normalize`]'s reading of words as first written, with slice methods a word at a
    /// time; writing them ([`push_word`]) is shared.
    fn normalize_by_words<'o>(said: &[u8], out: &'o mut Vec<u8>) -> &'o str {
        out.clear();
        for word in said
            .split(u8::is_ascii_whitespace)
            .filter(|w| !w.is_empty())
        {
            let core = word.trim_ascii();
            let core = core
                .iter()
                .position(u8::is_ascii_alphanumeric)
                .map_or(&core[..0], |i| &core[i..]);
            let core = core
                .iter()
                .rposition(u8::is_ascii_alphanumeric)
                .map_or(core, |i| &core[..=i]);
            let address = word.contains(&b'@');
            let number =
                !address && core.len() > 3 && core.iter().any(u8::is_ascii_digit) && !is_code(core);
            if number && out.ends_with(b"#") {
                continue;
            }
            let printable = word.iter().all(u8::is_ascii_graphic);
            if push_word(out, word, address, number, printable) {
                break;
            }
        }
        blanked(out)
    }

    const LOG: &str = "\
Nov 23 10:00:01 mx postfix/smtp[1]: A1: to=<bob@Example.org>, relay=mx[192.0.2.10]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.10] said: 550 5.1.1 <bob@example.org>: User unknown (in reply to RCPT TO command))
Nov 23 10:00:02 mx postfix/smtp[2]: A2: to=<eve@example.org>, relay=mx[192.0.2.11]:25, dsn=5.1.1, status=bounced (host mx[192.0.2.11] said: 550 5.1.1 <eve@example.org>: User unknown (in reply to RCPT TO command))
Nov 23 10:00:03 mx postfix/smtp[3]: A3: to=<carla@example.net>, relay=none, delay=1, dsn=4.4.1, status=deferred (connect to mx.example.net[192.0.2.7]:25: Connection timed out)
Nov 23 10:00:04 mx postfix/qmgr[4]: A4: from=<alice@example.com>, size=550, nrcpt=1 (queue active)
2024-11-01 00:00:05 abc-def-gh => dan@example.com R=dnslookup T=remote_smtp H=mx [192.0.2.1] C=\"250 2.0.0 OK id=x\"
Nov 23 10:00:06 mx sm-mta[5]: B1: <erin@example.org>... 550 Requested action not taken: mailbox unavailable
";

    #[test]
    fn counts_attempts_per_status_class_domain_and_diagnostic() {
        let s = Summary::of_log(LOG.as_bytes());
        assert_eq!(s.attempts, 5);
        let statuses: Vec<(String, u64)> =
            s.statuses().iter().map(|(st, n)| (st.code(), *n)).collect();
        assert_eq!(
            statuses,
            [
                ("5.1.1".into(), 2),
                ("2.0.0".into(), 1),
                ("4.4.1".into(), 1),
                ("550".into(), 1)
            ]
        );
        assert_eq!(s.classes, [1, 0, 1, 3]);
        assert_eq!(s.domains()[0], ("example.org", [0, 0, 0, 3]));
        let diag = s.diagnostics();
        assert_eq!(
            (diag[0].1, diag[0].2),
            (
                "550 5.1.1 <address> User unknown (in reply to RCPT TO command)",
                2
            )
        );
        assert!(
            diag.iter()
                .any(|d| d.1 == "connect to # Connection timed out"),
            "{diag:?}"
        );
    }

    #[test]
    fn merging_pieces_equals_counting_the_whole() {
        let whole = Summary::of_log(LOG.as_bytes());
        let (a, b) = LOG.split_at(LOG.find("Nov 23 10:00:03").unwrap());
        let mut merged = Summary::of_log(a.as_bytes());
        merged.merge(Summary::of_log(b.as_bytes()));
        assert_eq!(merged, whole);
    }

    #[test]
    fn renders_text_and_json_in_the_chosen_language() {
        let s = Summary::of_log(LOG.as_bytes());
        let mut out = Vec::new();
        s.write_json(&mut out, &Catalog::load(Lang::Fr)).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["summary"]["statuses"][0]["code"], "5.1.1");
        assert_eq!(v["summary"]["statuses"][0]["count"], 2);
        assert_eq!(v["summary"]["lang"], "fr");
        let mut out = Vec::new();
        s.write_text(&mut out, &Catalog::load(Lang::En)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("5.1.1    Recipient address does not exist"),
            "{text}"
        );
    }

    #[test]
    fn dsn_fields_are_read_as_the_generator_reads_them() {
        let cases = [
            ("dsn=5.1.1, status", Some("5.1.1")),
            ("xdsn=5.1.1 dsn=4.2.2", Some("4.2.2")),
            ("dsn=5.1.1a", None),
            ("dsn=3.1.1", None),
            ("no field", None),
        ];
        for (input, want) in cases {
            // A unit is only seen where it holds a reply.
            let line = format!("{input} said: 550 5.7.1 no");
            let mut have = None;
            extract::for_each_unit(line.as_bytes(), |u| have = u.dsn.map(|e| e.to_string()));
            assert_eq!(have.as_deref(), want, "{input}");
        }
    }
}

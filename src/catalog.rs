//! Decode stage, part 2: the tables embedded from `data/`, and look-up with the
//! fallback RFC 3463 §2 asks of clients: detail, then subject, then class.

use crate::code::Class;
use crate::lang::Lang;
use crate::reason::Actor;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The language-neutral table.
pub const CODES: &str = include_str!("../data/codes.tsv");
/// The texts of each embedded language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../data/en.txt"),
        Lang::It => include_str!("../data/it.txt"),
        Lang::Fr => include_str!("../data/fr.txt"),
    }
}

/// Who has to act on a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Sender,
    Recipient,
    Administrator,
    Nobody,
}

impl Party {
    /// The party of a `codes.tsv` acts value, and who of the two sides moves first.
    fn parse(text: &str) -> Option<(Party, Actor)> {
        let first = Actor::parse(text)?;
        let party = match first {
            Actor::Sender => Party::Sender,
            Actor::Recipient => Party::Recipient,
            Actor::SenderAdmin | Actor::RecipientAdmin => Party::Administrator,
            Actor::Nobody => Party::Nobody,
        };
        Some((party, first))
    }

    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Party::Sender => "sender",
            Party::Recipient => "recipient",
            Party::Administrator => "administrator",
            Party::Nobody => "none",
        }
    }
}

/// One row of `data/codes.tsv`.
#[derive(Debug, Clone)]
pub struct Fact {
    pub key: String,
    pub kind: String,
    pub classes: Vec<u8>,
    pub status: String,
    pub reference: String,
    pub acts: Party,
    /// Who moves first: the party, with the administrator's side.
    pub first: Actor,
}

impl Fact {
    /// The single class a code is limited to, if the table limits it to one.
    pub fn only_class(&self) -> Option<Class> {
        match self.classes.as_slice() {
            [one] => Class::from_digit(*one),
            _ => None,
        }
    }
}

/// The texts of one entry in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    pub title: String,
    pub explanation: String,
    pub sender: Option<String>,
    pub recipient: Option<String>,
    pub administrator: Option<String>,
    pub note: Option<String>,
}

/// Parses `data/codes.tsv`: comment lines, a header, then one row a code.
pub fn parse_facts(src: &str) -> Result<Vec<Fact>, String> {
    let mut rows = src
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1);
    let mut facts = Vec::new();
    for line in rows.by_ref() {
        let cols: Vec<&str> = line.split('\t').collect();
        let [key, kind, classes, status, reference, acts] = cols[..] else {
            return Err(format!("codes.tsv: expected 6 columns: {line}"));
        };
        let classes = classes
            .split(',')
            .map(|c| {
                c.trim()
                    .parse::<u8>()
                    .map_err(|_| format!("codes.tsv: bad class in {line}"))
            })
            .collect::<Result<_, _>>()?;
        let (acts, first) =
            Party::parse(acts).ok_or_else(|| format!("codes.tsv: bad acts in {line}"))?;
        facts.push(Fact {
            key: key.into(),
            kind: kind.into(),
            classes,
            status: status.into(),
            reference: reference.into(),
            acts,
            first,
        });
    }
    facts.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(facts)
}

/// Parses a language file (format in `data/README.md`) into its entries by key.
pub fn parse_texts(src: &str) -> Result<HashMap<String, Texts>, String> {
    let mut out: HashMap<String, Texts> = HashMap::new();
    let mut current: Option<(String, Texts)> = None;
    for (n, line) in src.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(key) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            if let Some((k, t)) = current.take() {
                insert(&mut out, k, t)?;
            }
            current = Some((key.to_string(), Texts::default()));
            continue;
        }
        let (field, value) = line
            .split_once(':')
            .ok_or_else(|| format!("line {}: expected 'field: value'", n + 1))?;
        let (_, texts) = current
            .as_mut()
            .ok_or_else(|| format!("line {}: field before any [key]", n + 1))?;
        set_field(texts, field.trim(), value.trim()).map_err(|e| format!("line {}: {e}", n + 1))?;
    }
    if let Some((k, t)) = current {
        insert(&mut out, k, t)?;
    }
    Ok(out)
}

fn insert(out: &mut HashMap<String, Texts>, key: String, texts: Texts) -> Result<(), String> {
    if texts.title.is_empty() || (texts.explanation.is_empty() && key != "ui") {
        return Err(format!("[{key}]: title and explanation are required"));
    }
    match out.insert(key.clone(), texts) {
        Some(_) => Err(format!("[{key}]: duplicate entry")),
        None => Ok(()),
    }
}

fn set_field(t: &mut Texts, field: &str, value: &str) -> Result<(), String> {
    let value = value.to_string();
    match field {
        "title" => t.title = value,
        "explanation" => t.explanation = value,
        "sender" => t.sender = Some(value),
        "recipient" => t.recipient = Some(value),
        "administrator" => t.administrator = Some(value),
        "note" => t.note = Some(value),
        other => return Err(format!("unknown field '{other}'")),
    }
    Ok(())
}

/// The user interface words of a language: the `[ui]` block, `key = value` per line.
pub fn parse_ui(src: &str) -> HashMap<String, String> {
    let block = memchr::memmem::find(src.as_bytes(), b"\n[ui]\n").map_or("", |at| &src[at + 6..]);
    block
        .lines()
        .take_while(|l| !l.starts_with('['))
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The tables in one language, with English behind each missing entry.
pub struct Catalog {
    pub lang: Lang,
    facts: Vec<Fact>,
    texts: Entries,
    ui: HashMap<String, String>,
}

/// The entries of a language file: found when the file is loaded, each parsed the first
/// time it is asked for. A look-up (`smtpcode 5.1.1`) reads two or three of some 150
/// entries, so parsing them all would be most of its start-up.
struct Entries {
    /// Key and text of every entry, sorted by key.
    index: Vec<(&'static str, &'static str)>,
    parsed: Vec<OnceLock<Texts>>,
}

impl Entries {
    fn new(src: &'static str) -> Entries {
        let src = strip_ui(src);
        let mut index: Vec<(&str, &str)> = Vec::new();
        let first = src.starts_with('[').then_some(0);
        // memmem: a SIMD search, several times quicker than str's on a 100 KB text.
        let later = memchr::memmem::find_iter(src.as_bytes(), b"\n[").map(|i| i + 1);
        let mut starts: Vec<usize> = first.into_iter().chain(later).collect();
        starts.push(src.len());
        for w in starts.windows(2) {
            let block = &src[w[0]..w[1]];
            let key = block.lines().next().unwrap_or("").trim_end();
            if let Some(key) = key.strip_prefix('[').and_then(|k| k.strip_suffix(']')) {
                index.push((key, block));
            }
        }
        index.sort_by_key(|e| e.0);
        let parsed = index.iter().map(|_| OnceLock::new()).collect();
        Entries { index, parsed }
    }

    fn get(&self, key: &str) -> Option<&Texts> {
        let i = self.index.binary_search_by_key(&key, |e| e.0).ok()?;
        let texts = self.parsed[i].get_or_init(|| {
            parse_texts(self.index[i].1)
                .ok()
                .and_then(|m| m.into_values().next())
                .unwrap_or_default()
        });
        Some(texts)
    }
}

static ENGLISH: OnceLock<(Entries, HashMap<String, String>)> = OnceLock::new();

fn english() -> &'static (Entries, HashMap<String, String>) {
    ENGLISH.get_or_init(|| {
        let src = source(Lang::En);
        (Entries::new(src), parse_ui(src))
    })
}

/// A language file without its `[ui]` block (which has its own format).
fn strip_ui(src: &str) -> &str {
    memchr::memmem::find(src.as_bytes(), b"\n[ui]\n").map_or(src, |at| &src[..at])
}

impl Catalog {
    /// Loads the embedded tables for `lang`: the facts, the words of the interface, and
    /// where each entry is (entries are parsed on first use). The data is checked by tests,
    /// so a parse failure here is a build defect.
    pub fn load(lang: Lang) -> Catalog {
        let facts = parse_facts(CODES).expect("data/codes.tsv is checked by tests");
        let src = source(lang);
        Catalog {
            lang,
            facts,
            texts: Entries::new(src),
            ui: parse_ui(src),
        }
    }

    /// The facts of a key (`X.1.1`, `550`, `5.X.X`, `5XX`).
    pub fn fact(&self, key: &str) -> Option<&Fact> {
        self.facts
            .binary_search_by(|f| f.key.as_str().cmp(key))
            .ok()
            .map(|i| &self.facts[i])
    }

    /// The texts of a key, in this language or else in English.
    pub fn texts(&self, key: &str) -> Option<&Texts> {
        self.fact(key)?;
        self.texts.get(key).or_else(|| english().0.get(key))
    }

    /// A word of the interface, in this language or else in English.
    pub fn ui<'a>(&'a self, key: &'a str) -> &'a str {
        self.ui
            .get(key)
            .or_else(|| english().1.get(key))
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// Every fact, sorted by key.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::{Basic, Enhanced};
    use crate::lang::ALL;
    use std::collections::BTreeSet;

    #[test]
    fn every_language_covers_every_code_and_no_more() {
        let facts = parse_facts(CODES).unwrap();
        let keys: BTreeSet<&str> = facts.iter().map(|f| f.key.as_str()).collect();
        for lang in ALL {
            let texts =
                parse_texts(strip_ui(source(lang))).unwrap_or_else(|e| panic!("{lang}: {e}"));
            let have: BTreeSet<&str> = texts.keys().map(String::as_str).collect();
            let missing: Vec<_> = keys.difference(&have).collect();
            let orphans: Vec<_> = have.difference(&keys).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(orphans.is_empty(), "{lang} has orphan entries {orphans:?}");
        }
    }

    #[test]
    fn every_language_has_the_same_ui_words() {
        let en: BTreeSet<String> = parse_ui(source(Lang::En)).into_keys().collect();
        assert!(en.len() > 10, "the [ui] block of en.txt is missing");
        for lang in ALL {
            let have: BTreeSet<String> = parse_ui(source(lang)).into_keys().collect();
            assert_eq!(have, en, "{lang}: [ui] keys differ from English");
        }
    }

    #[test]
    fn every_key_parses_as_a_code_of_its_kind() {
        for f in parse_facts(CODES).unwrap() {
            let ok = match f.kind.as_str() {
                "detail" => Enhanced::parse(&f.key).is_some_and(|e| e.class.is_none()),
                "subject" => {
                    f.key.starts_with("X.")
                        && f.key.ends_with(".X")
                        && f.key[2..f.key.len() - 2].parse::<u16>().is_ok()
                }
                "class" => ["2.X.X", "4.X.X", "5.X.X"].contains(&f.key.as_str()),
                "basic" => Basic::parse(&f.key).is_some(),
                "basic-class" => ["2XX", "3XX", "4XX", "5XX"].contains(&f.key.as_str()),
                _ => false,
            };
            assert!(ok, "{} is not a valid {} key", f.key, f.kind);
        }
    }

    #[test]
    fn tables_cover_the_registry_and_rfc_codes() {
        let facts = parse_facts(CODES).unwrap();
        let count = |kind: &str, status: Option<&str>| {
            facts
                .iter()
                .filter(|f| f.kind == kind && status.is_none_or(|s| f.status == s))
                .count()
        };
        assert_eq!(count("class", None), 3);
        assert_eq!(count("subject", None), 8);
        assert_eq!(count("detail", None), 81);
        let standard = facts
            .iter()
            .filter(|f| f.kind == "basic" && f.status != "legacy")
            .count();
        assert_eq!(standard, 45);
        for legacy in [
            "101", "111", "420", "431", "441", "442", "446", "447", "449", "471", "510", "511",
            "512", "513", "541",
        ] {
            assert_eq!(
                facts
                    .iter()
                    .find(|f| f.key == legacy)
                    .map(|f| f.status.as_str()),
                Some("legacy"),
                "{legacy}"
            );
        }
    }

    #[test]
    fn the_administrator_who_acts_first_is_the_one_the_advice_addresses() {
        let en = parse_texts(strip_ui(source(Lang::En))).unwrap();
        for f in parse_facts(CODES).unwrap() {
            let other = match f.first {
                Actor::SenderAdmin => ["On the receiving", "Receiving side"],
                Actor::RecipientAdmin => ["On the sending", "Sending side"],
                _ => continue,
            };
            let advice = en[&f.key].administrator.as_deref().unwrap_or("");
            assert!(
                !other.iter().any(|o| advice.starts_with(o)),
                "{}: {} acts first, but the advice addresses the other side",
                f.key,
                f.first.name()
            );
        }
    }

    #[test]
    fn texts_have_no_empty_fields() {
        for lang in ALL {
            for (key, t) in parse_texts(strip_ui(source(lang))).unwrap() {
                for v in [&t.sender, &t.recipient, &t.administrator, &t.note]
                    .into_iter()
                    .flatten()
                {
                    assert!(!v.trim().is_empty(), "{lang} [{key}] has an empty field");
                }
            }
        }
    }

    #[test]
    fn entries_parsed_on_demand_equal_the_whole_file_parsed() {
        for lang in ALL {
            let whole = parse_texts(strip_ui(source(lang))).unwrap();
            let entries = Entries::new(source(lang));
            assert_eq!(entries.index.len(), whole.len(), "{lang}");
            for (key, texts) in &whole {
                assert_eq!(entries.get(key), Some(texts), "{lang} [{key}]");
            }
        }
    }

    #[test]
    fn parse_texts_reports_errors() {
        assert!(parse_texts("[X.1.1]\ntitle: a\n").is_err());
        assert!(parse_texts("title: a\n").is_err());
        assert!(parse_texts("[X.1.1]\ntitle: a\nexplanation: b\nbogus: c\n").is_err());
        assert!(
            parse_texts("[a]\ntitle: a\nexplanation: b\n[a]\ntitle: a\nexplanation: b\n").is_err()
        );
    }
}

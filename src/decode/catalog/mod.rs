//! Decode stage, part 2: the tables embedded from `data/`, and look-up with the
//! fallback RFC 3463 §2 asks of clients: detail, then subject, then class.

pub(crate) mod spans;

use crate::extract::code::Class;
use crate::lang::Lang;
use spans::{Entry, FactRow};
use std::collections::HashMap;

/// The language-neutral table.
pub const CODES: &str = include_str!("../../../data/codes.tsv");
/// The texts of each embedded language.
pub fn source(lang: Lang) -> &'static str {
    match lang {
        Lang::En => include_str!("../../../data/en.txt"),
        Lang::It => include_str!("../../../data/it.txt"),
        Lang::Fr => include_str!("../../../data/fr.txt"),
        Lang::De => include_str!("../../../data/de.txt"),
        Lang::Es => include_str!("../../../data/es.txt"),
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

/// The facts of one code: a row of `data/codes.tsv`.
#[derive(Debug, Clone, Copy)]
// `key` and `kind` are read by the tests that check the table.
#[cfg_attr(not(test), allow(dead_code))]
pub struct Fact {
    pub key: &'static str,
    /// `detail`, `subject`, `class`, `basic` or `basic-class`.
    pub kind: &'static str,
    /// The classes the code is limited to: digits separated by commas.
    classes: &'static str,
    pub status: &'static str,
    pub reference: &'static str,
    pub acts: Party,
    /// Who moves first: the party, with the administrator's side.
    pub first: Actor,
}

impl Fact {
    fn of(row: &FactRow) -> Fact {
        let col = |s| spans::text(CODES, s);
        // The acts column is checked by a test of every row.
        let (acts, first) = Party::parse(col(row.acts)).unwrap_or((Party::Nobody, Actor::Nobody));
        Fact {
            key: col(row.key),
            kind: col(row.kind),
            classes: col(row.classes),
            status: col(row.status),
            reference: col(row.reference),
            acts,
            first,
        }
    }

    /// The single class a code is limited to, if the table limits it to one.
    pub fn only_class(&self) -> Option<Class> {
        match self.classes.trim().as_bytes() {
            [one] => Class::from_digit(one.wrapping_sub(b'0')),
            _ => None,
        }
    }
}

/// The texts of one entry in one language: pieces of the embedded file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Texts {
    pub title: &'static str,
    pub explanation: &'static str,
    pub sender: Option<&'static str>,
    pub recipient: Option<&'static str>,
    pub administrator: Option<&'static str>,
    pub note: Option<&'static str>,
}

impl Texts {
    fn of(src: &'static str, entry: &Entry) -> Texts {
        let field = |i: usize| {
            (entry.fields[i] != spans::ABSENT).then(|| spans::text(src, entry.fields[i]))
        };
        Texts {
            title: spans::text(src, entry.fields[0]),
            explanation: spans::text(src, entry.fields[1]),
            sender: field(2),
            recipient: field(3),
            administrator: field(4),
            note: field(5),
        }
    }
}

/// The tables built from `data/` by build.rs (see [`spans`]): the rows of `codes.tsv`,
/// and the entries and `[ui]` words of each language, in [`slot`] order.
mod built {
    use super::spans::{Entry, FactRow, Span};
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}

/// A language's place in the built tables: the order of `LANGUAGES` in build.rs.
fn slot(lang: Lang) -> usize {
    match lang {
        Lang::En => 0,
        Lang::It => 1,
        Lang::Fr => 2,
        Lang::De => 3,
        Lang::Es => 4,
    }
}

/// Parses the entries of a language file (format in `data/README.md`) by key: the
/// provider texts, read at run time.
pub fn parse_texts(src: &'static str) -> Result<HashMap<&'static str, Texts>, String> {
    Ok(spans::entries(src)?
        .iter()
        .map(|e| (spans::text(src, e.key), Texts::of(src, e)))
        .collect())
}

/// The tables in one language, with English behind each missing entry: borrowed from the
/// binary, nothing to parse.
pub struct Catalog {
    pub lang: Lang,
}

/// The texts of `key` in `lang`, if its file has an entry.
fn entry(lang: Lang, key: &str) -> Option<Texts> {
    let src = source(lang);
    let entries = built::ENTRIES[slot(lang)];
    let i = entries
        .binary_search_by(|e| spans::text(src, e.key).cmp(key))
        .ok()?;
    Some(Texts::of(src, &entries[i]))
}

/// A word of the interface in `lang`, if its `[ui]` block has it.
fn word(lang: Lang, key: &str) -> Option<&'static str> {
    let src = source(lang);
    let words = built::UI[slot(lang)];
    let i = words
        .binary_search_by(|w| spans::text(src, w.0).cmp(key))
        .ok()?;
    Some(spans::text(src, words[i].1))
}

impl Catalog {
    /// The embedded tables for `lang`.
    pub fn load(lang: Lang) -> Catalog {
        Catalog { lang }
    }

    /// The facts of a key (`X.1.1`, `550`, `5.X.X`, `5XX`).
    pub fn fact(&self, key: &str) -> Option<Fact> {
        let rows = built::FACTS;
        let i = rows
            .binary_search_by(|r| spans::text(CODES, r.key).cmp(key))
            .ok()?;
        Some(Fact::of(&rows[i]))
    }

    /// The texts of a key, in this language or else in English.
    pub fn texts(&self, key: &str) -> Option<Texts> {
        self.fact(key)?;
        entry(self.lang, key).or_else(|| entry(Lang::En, key))
    }

    /// A word of the interface, in this language or else in English.
    pub fn ui<'a>(&self, key: &'a str) -> &'a str {
        word(self.lang, key)
            .or_else(|| word(Lang::En, key))
            .unwrap_or(key)
    }

    #[cfg(test)]
    /// Every fact, sorted by key.
    pub fn facts(&self) -> impl Iterator<Item = Fact> {
        built::FACTS.iter().map(Fact::of)
    }
}

/// Who has to act first on a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Sender,
    Recipient,
    SenderAdmin,
    RecipientAdmin,
    Nobody,
}

impl Actor {
    /// Parses the name used in JSON and in the tables.
    pub fn parse(text: &str) -> Option<Actor> {
        Some(match text {
            "sender" => Actor::Sender,
            "recipient" => Actor::Recipient,
            "sender-admin" => Actor::SenderAdmin,
            "recipient-admin" => Actor::RecipientAdmin,
            "none" => Actor::Nobody,
            _ => return None,
        })
    }

    /// The name used in JSON: sender, recipient, sender-admin, recipient-admin or none.
    pub fn name(self) -> &'static str {
        match self {
            Actor::Sender => "sender",
            Actor::Recipient => "recipient",
            Actor::SenderAdmin => "sender-admin",
            Actor::RecipientAdmin => "recipient-admin",
            Actor::Nobody => "none",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::code::{Basic, Enhanced};
    use crate::lang::ALL;
    use std::collections::BTreeSet;

    fn facts() -> Vec<Fact> {
        Catalog::load(Lang::En).facts().collect()
    }

    fn texts(lang: Lang) -> HashMap<&'static str, Texts> {
        parse_texts(source(lang)).unwrap_or_else(|e| panic!("{lang}: {e}"))
    }

    /// The tables build.rs wrote are what the files say now.
    #[test]
    fn built_tables_equal_a_fresh_reading_of_the_files() {
        assert_eq!(built::FACTS, spans::facts(CODES).unwrap());
        for lang in ALL {
            let src = source(lang);
            assert_eq!(
                built::ENTRIES[slot(lang)],
                spans::entries(src).unwrap(),
                "{lang}"
            );
            assert_eq!(built::UI[slot(lang)], spans::ui(src), "{lang}");
        }
    }

    #[test]
    fn every_fact_row_is_well_formed() {
        let rows = spans::facts(CODES).unwrap();
        assert!(rows.len() > 150);
        for row in &rows {
            let acts = spans::text(CODES, row.acts);
            assert!(Party::parse(acts).is_some(), "bad acts {acts:?}");
        }
        assert!(spans::facts("key\tkind\n5.1.1\tdetail\n").is_err());
        let bad_class = "h\th\th\th\th\th\n550\tbasic\t5x\tstandard\tRFC\tsender\n";
        assert!(spans::facts(bad_class).is_err());
    }

    #[test]
    fn every_language_covers_every_code_and_no_more() {
        let keys: BTreeSet<&str> = facts().iter().map(|f| f.key).collect();
        for lang in ALL {
            let have: BTreeSet<&str> = texts(lang).into_keys().collect();
            let missing: Vec<_> = keys.difference(&have).collect();
            let orphans: Vec<_> = have.difference(&keys).collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(orphans.is_empty(), "{lang} has orphan entries {orphans:?}");
        }
    }

    #[test]
    fn every_language_has_the_same_ui_words() {
        let keys = |lang| -> BTreeSet<&str> {
            let src = source(lang);
            spans::ui(src)
                .iter()
                .map(|w| spans::text(src, w.0))
                .collect()
        };
        let en = keys(Lang::En);
        assert!(en.len() > 10, "the [ui] block of en.txt is missing");
        for lang in ALL {
            assert_eq!(keys(lang), en, "{lang}: [ui] keys differ from English");
        }
        let it = Catalog::load(Lang::It);
        assert_ne!(
            it.ui("unknown_code"),
            Catalog::load(Lang::En).ui("unknown_code")
        );
        assert_eq!(it.ui("no_such_word"), "no_such_word");
    }

    #[test]
    fn every_key_parses_as_a_code_of_its_kind() {
        for f in facts() {
            let ok = match f.kind {
                "detail" => Enhanced::parse(f.key).is_some_and(|e| e.class.is_none()),
                "subject" => {
                    f.key.starts_with("X.")
                        && f.key.ends_with(".X")
                        && f.key[2..f.key.len() - 2].parse::<u16>().is_ok()
                }
                "class" => ["2.X.X", "4.X.X", "5.X.X"].contains(&f.key),
                "basic" => Basic::parse(f.key).is_some(),
                "basic-class" => ["2XX", "3XX", "4XX", "5XX"].contains(&f.key),
                _ => false,
            };
            assert!(ok, "{} is not a valid {} key", f.key, f.kind);
        }
    }

    #[test]
    fn tables_cover_the_registry_and_rfc_codes() {
        let facts = facts();
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
                facts.iter().find(|f| f.key == legacy).map(|f| f.status),
                Some("legacy"),
                "{legacy}"
            );
        }
        let cat = Catalog::load(Lang::Fr);
        assert_eq!(
            cat.fact("101").and_then(|f| f.only_class()),
            Some(Class::Transient)
        );
        assert!(cat.fact("5.1.1").is_none(), "details are keyed X.1.1");
        assert_eq!(cat.fact("X.1.1").map(|f| f.kind), Some("detail"));
    }

    #[test]
    fn the_administrator_who_acts_first_is_the_one_the_advice_addresses() {
        let en = texts(Lang::En);
        for f in facts() {
            let other = match f.first {
                Actor::SenderAdmin => ["On the receiving", "Receiving side"],
                Actor::RecipientAdmin => ["On the sending", "Sending side"],
                _ => continue,
            };
            let advice = en[f.key].administrator.unwrap_or("");
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
            for (key, t) in texts(lang) {
                for v in [t.sender, t.recipient, t.administrator, t.note]
                    .into_iter()
                    .flatten()
                {
                    assert!(!v.trim().is_empty(), "{lang} [{key}] has an empty field");
                }
            }
        }
    }

    #[test]
    fn texts_are_found_in_the_language_or_in_english() {
        for lang in ALL {
            let cat = Catalog::load(lang);
            for (key, t) in texts(lang) {
                assert_eq!(cat.texts(key), Some(t), "{lang} [{key}]");
            }
            assert_eq!(cat.texts("9.9.9"), None);
        }
    }

    #[test]
    fn parse_texts_reports_errors() {
        let bad = [
            "[X.1.1]\ntitle: a\n",
            "title: a\n",
            "[X.1.1]\ntitle: a\nexplanation: b\nbogus: c\n",
            "[X.1.1]\ntitle a\n",
            "[a]\ntitle: a\nexplanation: b\n[a]\ntitle: a\nexplanation: b\n",
        ];
        for src in bad {
            assert!(spans::entries(src).is_err(), "{src:?}");
        }
        let good = "# c\n[b]\ntitle: B\nexplanation: x\n[a]\ntitle: A \nexplanation: y\nnote: n\n\n[ui]\nk = v\n";
        let e = spans::entries(good).unwrap();
        let key = |i: usize| spans::text(good, e[i].key);
        assert_eq!((e.len(), key(0), key(1)), (2, "a", "b"));
        assert_eq!(spans::text(good, e[0].fields[0]), "A");
        assert_eq!(e[0].fields[2], spans::ABSENT);
        assert_eq!(spans::text(good, e[0].fields[5]), "n");
    }
}

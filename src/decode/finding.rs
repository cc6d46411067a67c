//! Decode stage: a found code, looked up in the catalogue, becomes a [`Finding`] with its
//! class, title, explanation and advice for each party.
//!
//! A code missing from the tables still decodes: an enhanced code falls back from its detail
//! to its subject to its class (RFC 3463 §2 asks clients to do so), a basic code to its first
//! digit (RFC 5321 §4.2.1). Such a decoding is marked `known: false`.

use super::blocklist::{self, Listing};
use super::catalog::{Actor, Catalog, Fact, Party, Texts};
use super::provider;
use super::verdict::Verdict;
use crate::extract::code::{Basic, Class, Enhanced};
use serde::Serialize;

/// One decoded reply: the unit of every output. Its serde form is the JSON schema.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The file name, `-` for stdin, `argument` for a look-up.
    pub source: String,
    /// 1-based line of the code in its source; `null` for a look-up.
    pub line: Option<usize>,
    pub basic: Option<Decoded>,
    pub enhanced: Option<Decoded>,
    /// The meaning the provider that sent the reply gives it, where one is recognised.
    pub provider: Option<Meaning>,
    /// The block list or reputation service the reply names, where it names one.
    pub blocklist: Option<Listing>,
    pub advice: Advice,
    /// Who usually has to act: sender, recipient, administrator or none.
    pub acts: &'static str,
    /// Who must act first: sender, recipient, sender-admin, recipient-admin or none.
    pub acts_first: &'static str,
    /// The address the reply is about, where the input names it.
    pub recipient: Option<String>,
    /// The reply text around the code, control characters removed.
    pub text: Option<String>,
    /// The bounce gave no code: the enhanced code was inferred from its words.
    pub inferred: bool,
    /// The words the code was inferred from; `null` where it was not inferred.
    pub inferred_from: Option<String>,
    pub lang: &'static str,
}

/// One code and what the tables say of it.
#[derive(Debug, Clone, Serialize)]
pub struct Decoded {
    pub code: String,
    /// False where the code is not in the tables and only its subject or class decoded.
    pub known: bool,
    /// success, intermediate, transient or permanent; `null` for an `X.` look-up.
    pub class: Option<Class>,
    /// The subject title of an enhanced code (`Addressing status`); absent for basic codes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub title: String,
    pub explanation: String,
    /// registered, deprecated, standard, experimental, registry-only, legacy or unknown.
    pub status: String,
    /// Where the code is defined.
    pub reference: String,
    pub note: Option<String>,
}

/// A provider's own meaning of a reply (`data/providers.tsv`).
#[derive(Debug, Clone, Serialize)]
pub struct Meaning {
    /// The row's key: `google:5.7.26/dmarc`.
    pub key: String,
    /// The provider's name.
    pub name: String,
    pub title: String,
    pub explanation: String,
    /// Where the provider's meaning differs from the registry's, the registry's.
    pub note: Option<String>,
}

/// What each party should do; `null` where that party has nothing to do.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Advice {
    pub sender: Option<String>,
    pub recipient: Option<String>,
    pub administrator: Option<String>,
}

/// Where a finding comes from, before decoding.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub source: String,
    pub line: Option<usize>,
    pub recipient: Option<String>,
    pub text: Option<String>,
    /// For a bounce without codes, the words its code was inferred from.
    pub inferred: Option<String>,
}

/// One code's decoding, with the texts it used for advice.
struct Looked {
    decoded: Decoded,
    /// Texts from an exact entry (detail or basic code), and from the fallback entry.
    exact: Option<Texts>,
    fallback: Option<Texts>,
    /// The facts of the entry that gave the texts (who acts).
    fact: Option<Fact>,
}

/// Decodes a basic code, an enhanced code, or both (one reply).
pub fn decode(
    cat: &Catalog,
    basic: Option<Basic>,
    enhanced: Option<Enhanced>,
    origin: Origin,
) -> Finding {
    let b = basic.map(|b| look_basic(cat, b));
    let e = enhanced.map(|e| look_enhanced(cat, e));
    // Advice, most specific first: a known detail, a known basic code, a subject, a class.
    let sources: Vec<Texts> = [
        e.as_ref().and_then(|l| l.exact),
        b.as_ref().and_then(|l| l.exact),
        e.as_ref().and_then(|l| l.fallback),
        b.as_ref().and_then(|l| l.fallback),
    ]
    .into_iter()
    .flatten()
    .collect();
    let pick = |f: fn(&Texts) -> Option<&str>| sources.iter().find_map(f).map(str::to_string);
    let advice = Advice {
        sender: pick(|t| t.sender),
        recipient: pick(|t| t.recipient),
        administrator: pick(|t| t.administrator),
    };
    let fact = [&e, &b].into_iter().flatten().find_map(|l| l.fact);
    let acts = fact.map_or(Party::Nobody, |f| f.acts);
    let row = origin
        .text
        .as_deref()
        .and_then(|text| provider::detect(text, "", basic, enhanced));
    let mut finding = Finding {
        source: origin.source,
        line: origin.line,
        basic: b.map(|l| l.decoded),
        enhanced: e.map(|l| l.decoded),
        provider: None,
        blocklist: None,
        advice,
        acts: acts.name(),
        acts_first: fact.map_or(Actor::Nobody, |f| f.first).name(),
        recipient: origin.recipient,
        text: origin.text,
        inferred: origin.inferred.is_some(),
        inferred_from: origin.inferred,
        lang: cat.lang.code(),
    };
    if let Some(row) = row {
        explain(cat, &mut finding, row);
    }
    name_blocklist(cat, &mut finding);
    finding
}

/// Gives a finding the block list its reply names (by its provider's meaning or by its
/// words): the listing and, where no provider's meaning gives its own advice, the list's
/// next step in place of the generic advice, and who acts.
pub fn name_blocklist(cat: &Catalog, f: &mut Finding) {
    let text = f.text.as_deref().unwrap_or_default();
    let key = f.provider.as_ref().map(|p| p.key.as_str());
    let Some(listing) = blocklist::listing(cat.lang, text, key) else {
        return;
    };
    // A provider's own meaning keeps its own advice, which already names its tools.
    if f.provider.is_some() {
        f.blocklist = Some(listing);
        return;
    }
    if let Some(t) = blocklist::texts(cat.lang, listing.key) {
        let a = &mut f.advice;
        let sender = t.sender.unwrap_or(cat.ui("bl_sender"));
        a.sender = Some(sender.replacen("{}", listing.name, 1));
        a.recipient = Some(t.recipient.unwrap_or(cat.ui("bl_recipient")).to_string());
        if let Some(next) = t.administrator {
            a.administrator = Some(next.to_string());
        }
    }
    f.acts_first = listing.acts.name();
    f.blocklist = Some(listing);
}

/// Gives a finding a provider's meaning: its texts, its advice where it has some for a
/// party (in place of the registry's), and who moves first by its row.
pub fn explain(cat: &Catalog, f: &mut Finding, row: &provider::Row) {
    let Some(t) = provider::texts(cat.lang, row.key) else {
        return;
    };
    f.provider = Some(Meaning {
        key: row.key.to_string(),
        name: row.provider.to_string(),
        title: t.title.to_string(),
        explanation: t.explanation.to_string(),
        note: t.note.map(str::to_string),
    });
    let a = &mut f.advice;
    for (mine, theirs) in [
        (&mut a.sender, t.sender),
        (&mut a.recipient, t.recipient),
        (&mut a.administrator, t.administrator),
    ] {
        if let Some(theirs) = theirs {
            *mine = Some(theirs.to_string());
        }
    }
    f.acts_first = row.acts.name();
}

/// Findings about a recipient whose verdict a provider explains (the host that answered
/// is named in the report or the bounce's text, not in each reply) take that provider's
/// meaning, where its row fits their codes.
pub fn explain_by_verdicts(cat: &Catalog, findings: &mut [Finding], verdicts: &[Verdict]) {
    for f in findings.iter_mut().filter(|f| f.provider.is_none()) {
        let key = verdicts
            .iter()
            .find(|v| Some(&v.address) == f.recipient.as_ref())
            .and_then(|v| v.provider.as_deref());
        let code = |d: &Option<Decoded>| d.as_ref().map(|d| d.code.clone()).unwrap_or_default();
        let (basic, enhanced) = (
            Basic::parse(&code(&f.basic)),
            Enhanced::parse(&code(&f.enhanced)),
        );
        let row = key.and_then(|k| provider::table().rows.iter().find(|r| r.key == k));
        if let Some(row) = row.filter(|r| r.fits(basic, enhanced)) {
            explain(cat, f, row);
            name_blocklist(cat, f);
        }
    }
}

fn look_enhanced(cat: &Catalog, code: Enhanced) -> Looked {
    let class = code.class();
    let class_key = code.class.map(|c| format!("{c}.X.X"));
    let subject = cat.texts(&code.subject_key());
    let detail_key = code.detail_key();
    let exact = cat.texts(&detail_key);
    let (key, texts) = match (exact, subject) {
        (Some(t), _) => (detail_key, Some(t)),
        (None, Some(t)) => (code.subject_key(), Some(t)),
        (None, None) => (
            class_key.clone().unwrap_or_default(),
            class_key.as_deref().and_then(|k| cat.texts(k)),
        ),
    };
    let fact = cat.fact(&key);
    let fallback = if exact.is_some() {
        subject.or_else(|| class_key.as_deref().and_then(|k| cat.texts(k)))
    } else {
        texts
    };
    Looked {
        decoded: Decoded {
            subject: Some(subject.map_or_else(
                || cat.ui("unknown_subject").to_string(),
                |t| t.title.to_string(),
            )),
            ..decoded(cat, code.to_string(), class, texts, exact, fact, "RFC 3463")
        },
        exact,
        fallback,
        fact,
    }
}

/// What the tables say of one code: `texts` are the entry used (exact or fallback), `exact`
/// the code's own entry if it has one; a code without one is `known: false`, status unknown.
fn decoded(
    cat: &Catalog,
    code: String,
    class: Option<Class>,
    texts: Option<Texts>,
    exact: Option<Texts>,
    fact: Option<Fact>,
    reference: &str,
) -> Decoded {
    Decoded {
        code,
        known: exact.is_some(),
        class,
        subject: None,
        title: texts
            .map_or(cat.ui("unknown_code"), |t| t.title)
            .to_string(),
        explanation: texts.map(|t| t.explanation).unwrap_or_default().to_string(),
        status: match exact {
            Some(_) => fact.map_or("unknown", |f| f.status).to_string(),
            None => "unknown".into(),
        },
        reference: fact.map_or(reference, |f| f.reference).to_string(),
        note: exact.and_then(|t| t.note).map(str::to_string),
    }
}

/// The class of a reply as [`decode`] gives it ([`Finding::class`]), without looking its
/// texts up: the enhanced code's, else the basic code's, which a legacy code's table entry
/// may set (101 and 111 are temporary).
pub fn class_of(cat: &Catalog, basic: Option<Basic>, enhanced: Option<Enhanced>) -> Option<Class> {
    enhanced
        .and_then(Enhanced::class)
        .or_else(|| basic.and_then(|b| basic_class(cat, b)))
}

fn basic_class(cat: &Catalog, code: Basic) -> Option<Class> {
    cat.fact(&code.to_string())
        .and_then(|f| f.only_class())
        .or_else(|| Class::from_digit(code.first_digit()))
}

fn look_basic(cat: &Catalog, code: Basic) -> Looked {
    let key = code.to_string();
    let class_key = format!("{}XX", code.first_digit());
    let exact = cat.texts(&key);
    let fallback = cat.texts(&class_key);
    let fact = cat.fact(&key).or_else(|| cat.fact(&class_key));
    let texts = exact.or(fallback);
    let class = basic_class(cat, code);
    Looked {
        decoded: decoded(cat, key, class, texts, exact, fact, "RFC 5321"),
        exact,
        fallback: if exact.is_some() { fallback } else { None },
        fact,
    }
}

impl Finding {
    /// The class of the finding: the enhanced code's, else the basic code's.
    pub fn class(&self) -> Option<Class> {
        self.enhanced
            .as_ref()
            .and_then(|e| e.class)
            .or_else(|| self.basic.as_ref().and_then(|b| b.class))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::{Lang, ALL};

    fn look(cat: &Catalog, basic: Option<&str>, enhanced: Option<&str>) -> Finding {
        decode(
            cat,
            basic.and_then(Basic::parse),
            enhanced.and_then(Enhanced::parse),
            Origin::default(),
        )
    }

    #[test]
    fn every_table_code_decodes_as_known_in_every_language() {
        for lang in ALL {
            let cat = Catalog::load(lang);
            for f in cat.facts() {
                let finding = match f.kind {
                    "detail" => look(&cat, None, Some(f.key)),
                    "basic" => look(&cat, Some(f.key), None),
                    _ => continue,
                };
                let d = finding.enhanced.or(finding.basic).unwrap();
                assert!(d.known, "{lang} {}", f.key);
                assert!(
                    !d.title.is_empty() && !d.explanation.is_empty(),
                    "{lang} {}",
                    f.key
                );
            }
        }
    }

    #[test]
    fn unknown_codes_fall_back_to_subject_then_class() {
        let cat = Catalog::load(Lang::En);
        let f = look(&cat, None, Some("5.1.99"));
        let e = f.enhanced.unwrap();
        assert!(!e.known);
        assert_eq!(e.class, Some(Class::Permanent));
        assert_eq!(Some(e.title.as_str()), cat.texts("X.1.X").map(|t| t.title));
        let e = look(&cat, None, Some("4.9.650")).enhanced.unwrap();
        assert!(!e.known);
        assert_eq!(Some(e.title.as_str()), cat.texts("4.X.X").map(|t| t.title));
        let b = look(&cat, Some("299"), None).basic.unwrap();
        assert!(!b.known);
        assert_eq!(b.class, Some(Class::Success));
        assert_eq!(Some(b.title.as_str()), cat.texts("2XX").map(|t| t.title));
    }

    #[test]
    fn a_pair_takes_the_most_specific_advice() {
        let cat = Catalog::load(Lang::En);
        let f = look(&cat, Some("550"), Some("5.1.1"));
        assert_eq!(f.basic.as_ref().unwrap().code, "550");
        assert_eq!(f.enhanced.as_ref().unwrap().code, "5.1.1");
        assert_eq!(
            f.advice.sender.as_deref(),
            cat.texts("X.1.1").unwrap().sender
        );
        assert_eq!(f.class(), Some(Class::Permanent));
    }

    #[test]
    fn a_providers_reply_takes_its_meaning_advice_and_first_mover() {
        let cat = Catalog::load(Lang::En);
        let text = "550-5.7.26 Unauthenticated email from example.org is not accepted due to domain's DMARC policy. - gsmtp";
        let origin = Origin {
            text: Some(text.into()),
            ..Origin::default()
        };
        let f = decode(&cat, Basic::parse("550"), Enhanced::parse("5.7.26"), origin);
        let p = f.provider.as_ref().expect("Google's reply");
        assert_eq!(p.key, "google:5.7.26/dmarc");
        let t = provider::texts(Lang::En, &p.key).unwrap();
        assert_eq!(
            (p.title.as_str(), f.advice.administrator.as_deref()),
            (t.title, t.administrator)
        );
        assert_eq!(f.acts_first, "sender-admin");
        // The registry's meaning stays in the code's own entry.
        let registry = cat.texts("X.7.26").unwrap().title;
        assert_eq!(f.enhanced.as_ref().unwrap().title, registry);
        // By hand, no provider is assumed.
        let f = look(&cat, Some("550"), Some("5.7.26"));
        assert!(f.provider.is_none());
        assert_eq!((f.acts, f.acts_first), ("administrator", "sender-admin"));
        assert_eq!(look(&cat, None, Some("5.2.2")).acts_first, "recipient");
    }

    #[test]
    fn x_lookups_have_no_class_and_legacy_codes_keep_theirs() {
        let cat = Catalog::load(Lang::It);
        let f = look(&cat, None, Some("X.1.1"));
        assert_eq!(f.enhanced.as_ref().unwrap().class, None);
        assert_eq!(f.lang, "it");
        let b = look(&cat, Some("101"), None).basic.unwrap();
        assert_eq!(
            (b.class, b.status.as_str()),
            (Some(Class::Transient), "legacy")
        );
    }
}

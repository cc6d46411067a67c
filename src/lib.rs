//! smtpcode explains SMTP bounces: it finds every basic reply code (`550`) and enhanced
//! status code (`5.1.1`) in a bounce or a mail log, says what each means, whether it is
//! temporary or permanent, and what the sender, the recipient or the mail administrator
//! should do, in English, Italian, French, German or Spanish.
//!
//! # The library
//!
//! Three calls cover what a program needs; their results are the types of the JSON that
//! the `smtpcode` command writes (serde `Serialize`), so a program can store or forward
//! them as they are.
//!
//! - [`lookup`]: one code or one reply (`"550 5.7.26"`) explained, as `smtpcode 5.1.1`.
//! - [`analyze`]: a bounce (an email or an mbox) or a log, as bytes: every [`Finding`],
//!   and a [`Verdict`] per recipient (what happened to that address, why, and whether to
//!   remove it).
//! - [`Report`]: the one JSON document `smtpcode --json` writes.
//!
//! ```
//! use smtpcode::{lookup, Class, Lang};
//!
//! let f = lookup("550 5.1.1", Lang::En).expect("a reply code and a status code");
//! assert_eq!(f.class(), Some(Class::Permanent));
//! assert_eq!(f.enhanced.unwrap().title, "Recipient address does not exist");
//! ```
//!
//! # Inside
//!
//! One pipeline, one folder a stage (`docs/ARCHITECTURE.md` says where to change what):
//! **input** (files and stdin as bytes; email parsed, logs streamed) → **extract** (every
//! code, with its line, text and recipient) → **decode** (the embedded tables, providers,
//! reasons, a verdict per recipient) → **render** (coloured text, JSON, the summary). The
//! stages are private to the crate; `cli` and [`run`] serve the `smtpcode` binary and are
//! not part of the library's API.

#[doc(hidden)]
pub mod cli;
pub(crate) mod decode;
pub(crate) mod extract;
pub(crate) mod input;
pub(crate) mod lang;
pub(crate) mod pipeline;
pub(crate) mod record;
pub(crate) mod render;
pub(crate) mod text;

pub use decode::finding::{Advice, Decoded, Finding, Meaning};
pub use decode::verdict::Verdict;
pub use extract::code::{Basic, Class, Enhanced};
pub use lang::Lang;
#[doc(hidden)]
pub use pipeline::{run, Outcome};
pub use render::json::Report;

use decode::catalog::Catalog;
use decode::finding::{self, Origin};
use pipeline::{found_finding, mail, mail_form};

/// The insides that the crate's own benches, fuzz targets and property tests reach. Not
/// part of the API: any release may change them.
#[doc(hidden)]
pub mod internals {
    pub use crate::decode::catalog::Catalog;
    pub use crate::decode::finding::{decode, Origin};
    pub use crate::extract::{extract, Found};
    pub use crate::render::summary::Summary;
    pub use crate::text::is_dangerous;
}

/// What [`analyze`] found in one input.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// Every reply found, in input order, decoded in the chosen language.
    pub findings: Vec<Finding>,
    /// One verdict per recipient: for an email, as its report and text state it; for a log,
    /// the last status seen per address.
    pub verdicts: Vec<Verdict>,
}

/// Explains one code or one reply given by hand: a basic code (`550`), an enhanced code
/// (`5.1.1`, or `X.1.1` for a detail in any class), or both (`550 5.1.1`). `None` when
/// `codes` holds anything else, or more than one code of a kind.
///
/// ```
/// use smtpcode::{lookup, Lang};
///
/// let f = lookup("4.2.2", Lang::It).unwrap();
/// assert_eq!(f.enhanced.as_ref().unwrap().class.map(|c| c.name()), Some("transient"));
/// assert_eq!(f.lang, "it");
/// assert!(lookup("hello", Lang::En).is_none());
/// ```
pub fn lookup(codes: &str, lang: Lang) -> Option<Finding> {
    let (mut basic, mut enhanced) = (None, None);
    for word in codes.split_whitespace() {
        match (Basic::parse(word), Enhanced::parse(word)) {
            (Some(b), _) if basic.is_none() => basic = Some(b),
            (None, Some(e)) if enhanced.is_none() => enhanced = Some(e),
            _ => return None,
        }
    }
    if basic.is_none() && enhanced.is_none() {
        return None;
    }
    let origin = Origin {
        source: "argument".into(),
        ..Origin::default()
    };
    Some(finding::decode(
        &Catalog::load(lang),
        basic,
        enhanced,
        origin,
    ))
}

/// Analyses one input given as bytes, named `source` in the results: an email (or an
/// mbox of them) when it starts with mail header fields, else a log. The same as
/// `smtpcode --json`, for one input held in memory.
///
/// ```
/// use smtpcode::{analyze, Lang};
///
/// let log = b"Nov  3 10:00:01 mx postfix/smtp[42]: 4BC1: to=<bob@example.org>, \
///     relay=mx.example.org[192.0.2.10]:25, dsn=5.1.1, status=bounced (host \
///     mx.example.org[192.0.2.10] said: 550 5.1.1 <bob@example.org>: User unknown)\n";
/// let a = analyze(log, "mail.log", Lang::En);
/// assert_eq!(a.verdicts[0].address, "bob@example.org");
/// assert_eq!(a.verdicts[0].reason, "userunknown");
/// assert!(a.verdicts[0].hard);
/// ```
pub fn analyze(bytes: &[u8], source: &str, lang: Lang) -> Analysis {
    let cat = Catalog::load(lang);
    let head = &bytes[..bytes.len().min(input::sniff::HEAD)];
    if let Some(form) = mail_form(head) {
        let (findings, verdicts) = mail(&cat, source, bytes, form);
        return Analysis { findings, verdicts };
    }
    let findings: Vec<Finding> = extract::extract(bytes)
        .into_iter()
        .map(|f| found_finding(&cat, source, f))
        .collect();
    let refs: Vec<&Finding> = findings.iter().collect();
    let verdicts = decode::recipients::from_log(&refs);
    Analysis { findings, verdicts }
}

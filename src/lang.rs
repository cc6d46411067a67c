//! Configuration helper: which language the explanations are in.
//!
//! Order (as tealdeer's `get_languages`, made pure): `--lang`, then `SMTPCODE_LANG`,
//! `LANGUAGE` (a colon list), `LC_ALL`, `LC_MESSAGES`, `LANG`; each `it_IT.UTF-8` is tried
//! as `it_IT` then `it`; `C` and `POSIX` are skipped; English last.

use std::fmt;

/// A language whose texts are embedded in the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    It,
    Fr,
    De,
    Es,
}

/// Every embedded language, in the order `--help` lists them.
pub const ALL: [Lang; 5] = [Lang::En, Lang::It, Lang::Fr, Lang::De, Lang::Es];

impl Lang {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::It => "it",
            Lang::Fr => "fr",
            Lang::De => "de",
            Lang::Es => "es",
        }
    }

    /// The language of an exact ISO 639-1 code (`it`), case-insensitive.
    pub fn from_code(code: &str) -> Option<Lang> {
        ALL.into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code))
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// An explicit `--lang` that is not embedded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLang(pub String);

impl fmt::Display for UnknownLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all: Vec<&str> = ALL.iter().map(|l| l.code()).collect();
        write!(
            f,
            "unknown language '{}' (available: {})",
            self.0,
            all.join(", ")
        )
    }
}

impl std::error::Error for UnknownLang {}

/// The variables read, in order of precedence after `--lang`.
pub const ENV_VARS: [&str; 5] = ["SMTPCODE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"];

/// Resolves the language from an explicit choice and the environment (`env` looks a
/// variable up). Pure: the caller passes the environment in.
pub fn resolve(
    explicit: Option<&str>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Lang, UnknownLang> {
    if let Some(code) = explicit {
        return Lang::from_code(code.trim()).ok_or_else(|| UnknownLang(code.to_string()));
    }
    Ok(candidates(env)
        .iter()
        .find_map(|c| Lang::from_code(c))
        .unwrap_or(Lang::En))
}

/// Every language the environment asks for, most wanted first, without duplicates.
pub fn candidates(env: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for var in ENV_VARS {
        let Some(value) = env(var) else { continue };
        for locale in value.split(':') {
            for name in expand(locale) {
                if !out.contains(&name) {
                    out.push(name);
                }
            }
        }
    }
    out
}

/// `it_IT.UTF-8@euro` → [`it_it`, `it`]; `C`, `POSIX` and empty → [].
fn expand(locale: &str) -> Vec<String> {
    let base = locale.split(['.', '@']).next().unwrap_or("").trim();
    if base.is_empty() || base == "C" || base == "POSIX" {
        return Vec::new();
    }
    let base = base.to_ascii_lowercase();
    let mut names = vec![base.clone()];
    if let Some((lang, _)) = base.split_once(['_', '-']) {
        names.push(lang.to_string());
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn resolves_in_documented_order() {
        type Case<'a> = (Option<&'a str>, &'a [(&'a str, &'a str)], Lang);
        let cases: &[Case] = &[
            (None, &[], Lang::En),
            (Some("it"), &[("LANG", "fr_FR.UTF-8")], Lang::It),
            (Some("FR"), &[], Lang::Fr),
            (None, &[("LANG", "it_IT.UTF-8")], Lang::It),
            (
                None,
                &[("LANG", "fr_CA"), ("LC_ALL", "it_IT.UTF-8")],
                Lang::It,
            ),
            (
                None,
                &[("LC_MESSAGES", "fr_FR@euro"), ("LANG", "it_IT")],
                Lang::Fr,
            ),
            (
                None,
                &[("LANGUAGE", "pt:fr:it"), ("LANG", "it_IT")],
                Lang::Fr,
            ),
            (
                None,
                &[("SMTPCODE_LANG", "it"), ("LANGUAGE", "fr")],
                Lang::It,
            ),
            (None, &[("LC_ALL", "C"), ("LANG", "fr_FR.UTF-8")], Lang::Fr),
            (None, &[("LANG", "POSIX")], Lang::En),
            (None, &[("LANG", "de_DE.UTF-8")], Lang::De),
            (
                None,
                &[("LC_MESSAGES", "de_AT"), ("LANG", "en_US")],
                Lang::De,
            ),
            (None, &[("LC_ALL", "de_CH.UTF-8")], Lang::De),
            (None, &[("LANG", "es_ES.UTF-8")], Lang::Es),
            (None, &[("LANGUAGE", "es_MX:en")], Lang::Es),
            (None, &[("SMTPCODE_LANG", "es_AR")], Lang::Es),
            (None, &[("LANG", "pt_BR.UTF-8")], Lang::En),
            (None, &[("LANGUAGE", ""), ("LANG", "")], Lang::En),
        ];
        for (explicit, vars, want) in cases {
            assert_eq!(
                resolve(*explicit, env(vars)).unwrap(),
                *want,
                "{explicit:?} {vars:?}"
            );
        }
    }

    #[test]
    fn unknown_explicit_language_lists_the_available_ones() {
        let err = resolve(Some("pt"), env(&[])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown language 'pt' (available: en, it, fr, de, es)"
        );
    }

    #[test]
    fn candidates_are_deduplicated_and_expanded() {
        let vars = [("LANGUAGE", "it_IT:it"), ("LANG", "it_IT.UTF-8")];
        assert_eq!(candidates(env(&vars)), vec!["it_it", "it"]);
    }
}

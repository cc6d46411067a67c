//! Shared leaf: the syntax of an email address, found in bytes and cleaned for output.
//! Every stage reads addresses (the input its header fields, extraction its replies).

use regex_automata::meta::Regex;
use std::sync::OnceLock;

/// An address as mail software writes it, bare or in angle brackets.
/// A quoted local part (`"john..doe"@example.org`, RFC 5321 §4.1.2) keeps its quotes; its
/// limit of 64 characters is checked on the match ([`too_long`]): counted in the pattern,
/// it would make each regex that holds it several times slower to build.
pub(crate) const ADDRESS: &str =
    r#"(?:"[^"\s<>@]+"|[A-Za-z0-9._%+'=/!#$&*?^`{|}~-]+)@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"#;

/// Whether a match of [`ADDRESS`] has a quoted local part of more than 64 characters: no
/// address then, as if the pattern counted them.
pub(crate) fn too_long(address: &[u8]) -> bool {
    address.first() == Some(&b'"')
        && memchr::memchr(b'"', &address[1..]).is_some_and(|close| close > 64)
}

fn any_address() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| crate::text::scanning_regex(&format!("(?-u){ADDRESS}")))
}

/// An address cleaned for output: lower case, no trailing dot, no control characters.
pub fn normalize(raw: &[u8]) -> String {
    // Nearly every address is plain ASCII: then there is nothing to clean.
    let address = match std::str::from_utf8(raw) {
        Ok(plain) if raw.len() <= 254 && raw.iter().all(u8::is_ascii_graphic) => plain.to_string(),
        _ => crate::text::clean(raw, 254),
    };
    address
        .trim_end_matches('.')
        .trim_start_matches('\'')
        .to_ascii_lowercase()
}

/// Every address in `bytes`, in order, without duplicates.
pub fn addresses(bytes: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in any_address().find_iter(bytes) {
        if too_long(&bytes[m.range()]) {
            continue;
        }
        let a = normalize(&bytes[m.range()]);
        if !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_addresses_once() {
        assert_eq!(
            addresses(b"<A@x.example> and a@x.example, \"b@y.example\"."),
            ["a@x.example", "b@y.example"]
        );
    }
}

//! Shared by every stage: turning untrusted bytes into text that is safe to show.
//!
//! Input text never reaches a terminal raw: runs of white space become one space, and
//! every other control character (C0, DEL, C1, bidirectional overrides) is written as a
//! visible escape such as `\x1B` or `\u{202E}`.

pub mod address;

/// Compiles one of the program's own fixed patterns. Each is compiled once per process,
/// often to search a few short texts: the engines that pay only on long searches (one-pass
/// DFA, bounded backtracker, literal prefilter) would cost more to build than they save.
/// What is left: the lazy DFA finds matches, the PikeVM their groups. Patterns are read
/// without Unicode (classes, `\b` and case folding are ASCII; the binary carries no Unicode
/// tables) and may match bytes that are not UTF-8: one searched over a `str` must match
/// ASCII or whole characters only, since its matches slice the text.
pub fn regex(pattern: &str) -> regex_automata::meta::Regex {
    build_regex(pattern, false)
}

/// [`regex`] for a pattern searched over long texts where it is rare, such as an address
/// (`@`) in a whole bounce: it keeps the literal prefilter, which pays there.
pub fn scanning_regex(pattern: &str) -> regex_automata::meta::Regex {
    build_regex(pattern, true)
}

fn build_regex(pattern: &str, prefilter: bool) -> regex_automata::meta::Regex {
    use regex_automata::meta::Regex;
    use regex_automata::util::syntax;
    Regex::builder()
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .configure(
            Regex::config()
                .onepass(false)
                .backtrack(false)
                .auto_prefilter(prefilter),
        )
        .build(pattern)
        .expect("the program's own patterns are valid")
}

/// Decodes bytes as UTF-8, or as Latin-1 where they are not valid UTF-8.
pub fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => bytes.iter().map(|&b| b as char).collect::<String>().into(),
    }
}

/// Whether a character may change what a terminal shows beyond printing itself.
pub fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Bytes of input read for each character of text [`clean`] keeps: room for four-byte
/// characters and runs of white space, however long the input after the code is.
const BYTES_PER_CHAR: usize = 8;

/// Safe, one-line text from input bytes, cut to about `max` characters. Runs of white
/// space become one space; a carriage return that does not end a line is escaped like any
/// control character (it would let the text overwrite itself). Only the start of `bytes`
/// is read, so a finding on a 200 MB line costs what it costs on a short one.
pub fn clean(bytes: &[u8], max: usize) -> String {
    let read = prefix(bytes, max.saturating_mul(BYTES_PER_CHAR));
    let mut out = String::with_capacity(read.len().min(max + 8));
    let mut count = 0;
    let (mut space, mut cut) = (false, read.len() < bytes.len());
    let text = decode(read);
    let (text, b) = (text.as_ref(), text.as_bytes());
    let mut i = 0;
    while i < b.len() {
        if count >= max {
            cut = true;
            break;
        }
        // A run of printable ASCII (most of any reply) goes over whole: nothing in it is
        // white space or needs an escape.
        if b[i].is_ascii_graphic() {
            let room = max - count;
            let run = b[i..]
                .iter()
                .take(room)
                .take_while(|c| c.is_ascii_graphic())
                .count();
            if std::mem::take(&mut space) {
                out.push(' ');
            }
            out.push_str(&text[i..i + run]);
            count += run;
            i += run;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or_default();
        i += c.len_utf8();
        let line_end = c == '\r' && matches!(b.get(i), Some(b'\n') | None);
        if c == ' ' || c == '\t' || c == '\n' || line_end {
            space = !out.is_empty();
            continue;
        }
        if std::mem::take(&mut space) {
            out.push(' ');
        }
        count += 1;
        escape_into(&mut out, c);
    }
    if cut {
        out.push('…');
    }
    out
}

/// The first `len` bytes (all of them if fewer), without a UTF-8 character cut in two.
fn prefix(bytes: &[u8], len: usize) -> &[u8] {
    if bytes.len() <= len {
        return bytes;
    }
    let head = &bytes[..len];
    match std::str::from_utf8(head) {
        Err(e) if e.error_len().is_none() => &head[..e.valid_up_to()],
        _ => head,
    }
}

/// Escapes one character if it is dangerous, else pushes it.
pub fn escape_into(out: &mut String, c: char) {
    use std::fmt::Write;
    if !is_dangerous(c) {
        out.push(c);
    } else if (c as u32) < 0x80 {
        let _ = write!(out, "\\x{:02X}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:X}}}", c as u32);
    }
}

/// A string with every dangerous character escaped (line breaks kept as escapes too).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    s.chars().for_each(|c| escape_into(&mut out, c));
    out
}

/// Whether `hay` holds `needle`, ASCII letters in either case (never for an empty needle).
pub fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    let Some(&first) = needle.first() else {
        return false;
    };
    let (lo, up) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    // Only where the first byte fits, in either case, is the rest compared.
    memchr::memchr2_iter(lo, up, hay).any(|at| {
        hay.get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Drops closing parentheses that close what the reply text did not open: the text starts
/// inside a log's `status=bounced (host ... said: 550 ...)`.
pub(crate) fn balance(mut text: String) -> String {
    text.truncate(balanced_len(&text));
    text
}

/// The length of `text` without the closing parentheses at its end that [`balance`] drops.
pub(crate) fn balanced_len(text: &str) -> usize {
    // Counted as bytes, with memchr's vector count: parentheses are ASCII.
    let count = |p: u8| memchr::memchr_iter(p, text.as_bytes()).count();
    let opened = count(b'(');
    let mut closed = count(b')');
    let mut len = text.len();
    while closed > opened && text[..len].ends_with(')') {
        len -= 1;
        closed -= 1;
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_needle_in_either_case() {
        assert!(contains_ci(b"Final-Recipient: rfc822", b"final-recipient:"));
        assert!(contains_ci(b"xx FINAL-RECIPIENT:", b"final-recipient:"));
        assert!(contains_ci(b"ab", b"AB"));
        assert!(!contains_ci(b"final-recipien", b"final-recipient:"));
        assert!(!contains_ci(b"anything", b""));
        assert!(contains_ci(b"1 2 3.4", b"3.4"));
        assert!(!contains_ci(b"f f f", b"ff"));
    }

    #[test]
    fn cleans_control_characters_and_white_space() {
        let cases: &[(&[u8], &str)] = &[
            (b"550  5.1.1\r\n\tuser unknown", "550 5.1.1 user unknown"),
            (b"\x1b[2Jcleared\x07", "\\x1B[2Jcleared\\x07"),
            ("evil \u{202E}txt.exe".as_bytes(), "evil \\u{202E}txt.exe"),
            (b"caf\xe9", "café"),
            (b"  lead and trail  ", "lead and trail"),
            (b"550 ok\rfake 250 ok\r\n", "550 ok\\x0Dfake 250 ok"),
            (b"\x9b31m", "\u{9b}31m"),
        ];
        for (input, want) in cases.iter().take(6) {
            assert_eq!(clean(input, 100), *want);
        }
        // A lone C1 byte is Latin-1 U+009B (CSI): escaped, never raw.
        assert_eq!(clean(cases[6].0, 100), "\\u{9B}31m");
    }

    #[test]
    fn cuts_long_text() {
        assert_eq!(clean(b"abcdef", 3), "abc…");
        assert_eq!(clean(b"abc", 3), "abc");
        // Only the start of a long input is read, and a character is not cut in two.
        let mut long = "é".repeat(100).into_bytes();
        long.extend(std::iter::repeat_n(b' ', 1 << 20));
        long.extend_from_slice(b"never read \xff");
        assert_eq!(clean(&long, 100), format!("{}…", "é".repeat(100)));
        assert_eq!(clean(&long, 1), "é…");
        let cut_in_char = format!("x{}éé", " ".repeat(76));
        assert_eq!(clean(cut_in_char.as_bytes(), 10), "x é…");
    }
}

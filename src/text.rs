//! Shared by every stage: turning untrusted bytes into text that is safe to show.
//!
//! Input text never reaches a terminal raw: runs of white space become one space, and
//! every other control character (C0, DEL, C1, bidirectional overrides) is written as a
//! visible escape such as `\x1B` or `\u{202E}`.

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

/// Safe, one-line text from input bytes, cut to about `max` characters.
pub fn clean(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut space = false;
    for c in decode(bytes).chars() {
        if count >= max {
            out.push('…');
            break;
        }
        if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
            space = !out.is_empty();
            continue;
        }
        if std::mem::take(&mut space) {
            out.push(' ');
        }
        count += 1;
        escape_into(&mut out, c);
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_control_characters_and_white_space() {
        let cases: &[(&[u8], &str)] = &[
            (b"550  5.1.1\r\n\tuser unknown", "550 5.1.1 user unknown"),
            (b"\x1b[2Jcleared\x07", "\\x1B[2Jcleared\\x07"),
            ("evil \u{202E}txt.exe".as_bytes(), "evil \\u{202E}txt.exe"),
            (b"caf\xe9", "café"),
            (b"  lead and trail  ", "lead and trail"),
            (b"\x9b31m", "\u{9b}31m"),
        ];
        for (input, want) in cases.iter().take(5) {
            assert_eq!(clean(input, 100), *want);
        }
        // A lone C1 byte is Latin-1 U+009B (CSI): escaped, never raw.
        assert_eq!(clean(cases[5].0, 100), "\\u{9B}31m");
    }

    #[test]
    fn cuts_long_text() {
        assert_eq!(clean(b"abcdef", 3), "abc…");
    }
}

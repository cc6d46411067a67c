//! Render stage, `--summary`: a diagnostic blanked so that replies that differ only in
//! addresses, numbers and codes count as one (`<bob@x> unknown` and `<eve@y> unknown`).

use crate::extract::code::{Basic, Enhanced};
use crate::text;

/// The most characters of a diagnostic kept.
const DIAGNOSTIC_LEN: usize = 120;

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
pub(crate) fn normalize<'o>(said: &[u8], out: &'o mut Vec<u8>) -> &'o str {
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
pub(crate) fn push_word(
    out: &mut Vec<u8>,
    word: &[u8],
    address: bool,
    number: bool,
    printable: bool,
) -> bool {
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
pub(crate) fn blanked(out: &[u8]) -> &str {
    // Every piece is ASCII or cleaned text: valid UTF-8 as a whole.
    let text = std::str::from_utf8(out).unwrap_or("");
    &text[..text::balanced_len(text)]
}

/// Whether a word is a reply code or an enhanced status code.
pub(crate) fn is_code(word: &[u8]) -> bool {
    let text = std::str::from_utf8(word).unwrap_or("");
    Basic::parse(text).is_some() || Enhanced::parse(text).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

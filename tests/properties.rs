//! Property tests of the extract stage (#5): on any bytes it does not panic, every finding
//! points at its codes and its line, its texts are safe for a terminal, and findings depend
//! only on their own unit of lines.
//!
//! Pending the streaming branch: "output is identical whether the input comes in one piece
//! or in chunks of any size" cannot be tested yet, since `extract` takes the whole input.
//! `cutting_at_a_blank_line_changes_nothing` is the property a chunked reader relies on;
//! the chunk property belongs beside it once the streaming API exists.

use proptest::prelude::*;
use smtpcode::internals::{extract, is_dangerous, Found};

/// Pieces that make inputs look like logs and bounces, so that codes, pairs, multi-line
/// replies, folds, addresses and the numbers that are not codes all come up often.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "550 5.1.1 ", "550-5.1.1 ", "451 4.7.1", "250 2.0.0 ", "552 5.2.2", "550", "5.1.1", "451",
    "4.7.1", "250", "2.0.0", "554", "5.7.26", "421", "5.1.10", "999", "5.1.1000", "5.8.1",
    "2.1", " ", "  ", "-", "\n", "\r\n", "\n ", "\n\t", "\n\n", "said:", "dsn=", "status=",
    "Status: ", "Diagnostic-Code: smtp; ", "to=<bob@example.org>", "<x@y.z>", "from=<a@b.c>",
    "** c@d.e", "(", ")", "[", "]", ":", ";", ",", ".", ">", "#", "version ", "v", "port ",
    "bytes", "x", "é", "\u{202e}", "\x1b[2J", "\x07", "\0",
];

/// Inputs built from [`TOKENS`] and arbitrary bytes.
fn input() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => proptest::sample::select(TOKENS).prop_map(|t| t.as_bytes().to_vec()),
        1 => any::<u8>().prop_map(|b| vec![b]),
    ];
    proptest::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

/// What a finding says, without where it is.
type Said = (Option<String>, Option<String>, String, Option<String>);

fn said(f: &Found) -> Said {
    (
        f.basic.as_ref().map(|b| b.0.to_string()),
        f.enhanced.as_ref().map(|e| e.0.to_string()),
        f.text.clone(),
        f.recipient.clone(),
    )
}

/// Where the first code of a finding starts.
fn start(f: &Found) -> usize {
    f.basic
        .as_ref()
        .map(|b| b.1.start)
        .or(f.enhanced.as_ref().map(|e| e.1.start))
        .expect("a finding has a code")
}

/// The findings as (line, what it says, offset of the first code).
fn placed(input: &[u8]) -> Vec<(usize, Said, usize)> {
    extract(input)
        .iter()
        .map(|f| (f.line, said(f), start(f)))
        .collect()
}

proptest! {
    #[test]
    fn never_panics_on_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        extract(&bytes);
    }

    #[test]
    fn spans_slice_back_to_their_codes(input in input()) {
        for f in extract(&input) {
            if let Some((b, r)) = &f.basic {
                prop_assert_eq!(&input[r.clone()], b.to_string().into_bytes());
            }
            if let Some((e, r)) = &f.enhanced {
                prop_assert_eq!(&input[r.clone()], e.to_string().into_bytes());
            }
        }
    }

    #[test]
    fn the_line_is_the_line_of_the_first_code(input in input()) {
        for f in extract(&input) {
            let breaks = input[..start(&f)].iter().filter(|&&b| b == b'\n').count();
            prop_assert_eq!(f.line, 1 + breaks);
        }
    }

    #[test]
    fn texts_are_safe_for_a_terminal(input in input()) {
        for f in extract(&input) {
            let texts = [Some(&f.text), f.recipient.as_ref()];
            for t in texts.into_iter().flatten() {
                prop_assert!(!t.chars().any(is_dangerous), "{:?}", t);
            }
        }
    }

    #[test]
    fn lines_before_the_input_shift_lines_not_codes(input in input(), lines in 0usize..5) {
        // Irrelevant lines, then a blank line so that none of them joins the input's first.
        let prefix = "a log line with no code, port 25, 10.0.0.1\n".repeat(lines) + "\n";
        let shifted = [prefix.as_bytes(), &input].concat();
        let want: Vec<_> = placed(&input)
            .into_iter()
            .map(|(line, s, at)| (line + lines + 1, s, at + prefix.len()))
            .collect();
        prop_assert_eq!(placed(&shifted), want);
    }

    #[test]
    fn cutting_at_a_blank_line_changes_nothing(a in input(), b in input()) {
        // Units never cross a blank line, so the halves read alone find the same replies.
        let whole = [&a[..], b"\n\n", &b[..]].concat();
        let lines = a.iter().filter(|&&c| c == b'\n').count() + 2;
        let mut want = placed(&a);
        want.extend(
            placed(&b)
                .into_iter()
                .map(|(line, s, at)| (line + lines, s, at + a.len() + 2)),
        );
        prop_assert_eq!(placed(&whole), want);
    }
}

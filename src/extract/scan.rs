//! Extract stage, the scan: where a code may start. This loop is where a large log spends
//! its time, so it is written by hand (SSE2 on x86_64, a byte-wise loop elsewhere), and the
//! tests keep the regular expression it implements as its specification.

use std::ops::Range;

/// The next candidate code at or after `from` that ends by `end`: what the regular
/// expression `[2-5](?:\.[0-9]{1,3}\.[0-9]{1,3}|[0-5][0-9])` finds in `input[..end]`,
/// leftmost first, where the byte before is no letter, digit or dot (both checks reject a
/// code there, so such a candidate would only be looked at to be thrown away). Written out
/// by hand, because this loop is where a large log spends its time: 32 positions at once.
/// The blocks may look past `end` into the rest of `input` (a unit is scanned inside its
/// chunk), so that only the first and last blocks of `input` need padding.
pub(crate) fn next_candidate(input: &[u8], from: usize, end: usize) -> Option<Range<usize>> {
    const BLOCK: usize = 32;
    let s = &input[..end];
    let mut i = from;
    // The byte before a position (none at the start), the position and the byte after it:
    // whole blocks, then a block padded with zeros (which start nothing).
    let mut padded: [u8; BLOCK + 2];
    while i < end {
        let window = match input.get(i.wrapping_sub(1)..i + BLOCK + 1) {
            Some(window) if i > 0 => window,
            _ => {
                let rest = &input[i..(i + BLOCK + 1).min(input.len())];
                padded = [0; BLOCK + 2];
                padded[0] = if i > 0 { input[i - 1] } else { 0 };
                padded[1..=rest.len()].copy_from_slice(rest);
                &padded[..]
            }
        };
        let mut starts = block_starts(window.try_into().expect("a block and its two sides"));
        if end - i < BLOCK {
            starts &= (1u32 << (end - i)) - 1;
        }
        while starts != 0 {
            let at = i + starts.trailing_zeros() as usize;
            if let Some(end) = candidate_at(s, at) {
                return Some(at..end);
            }
            starts &= starts - 1;
        }
        i += BLOCK;
    }
    None
}

/// The positions of a block where a candidate may start, bit `j` for `window[j + 1]`: a
/// digit from 2 to 5, then a digit from 0 to 5, a dot or a slash, after no letter, digit,
/// dot or slash (both checks reject a code glued to those). SSE2, which every x86-64
/// processor has, through `safe_arch`: sixteen positions a step, each range check an
/// addition that moves the range to the bottom of the signed bytes and one comparison, the
/// flags gathered by one instruction. A slash after the first digit is let through (it
/// makes one range of the second byte); `candidate_at` turns it away.
#[cfg(target_arch = "x86_64")]
#[inline]
fn block_starts(window: &[u8; 34]) -> u32 {
    use safe_arch::{
        add_i8_m128i, bitand_m128i, bitandnot_m128i, bitor_m128i, cmp_lt_mask_i8_m128i,
        load_unaligned_m128i, m128i, move_mask_i8_m128i, set_splat_i8_m128i,
    };
    let splat = |b: u8| set_splat_i8_m128i(b as i8);
    // Whether each byte of `x` lies in `lo..lo + n`: `lo` moves to -128.
    let within = |x: m128i, lo: u8, n: u8| {
        let moved = add_i8_m128i(x, splat(0x80u8.wrapping_sub(lo)));
        cmp_lt_mask_i8_m128i(moved, splat(0x80u8.wrapping_add(n)))
    };
    let half = |at: usize| {
        let load = |k: usize| {
            load_unaligned_m128i(window[at + k..at + k + 16].try_into().expect("16 bytes"))
        };
        let (before, this, next) = (load(0), load(1), load(2));
        // `.`, `/` and the digits are one range.
        let glued = bitor_m128i(
            within(bitor_m128i(before, splat(0x20)), b'a', 26),
            within(before, b'.', 12),
        );
        let first = within(this, b'2', 4);
        let second = within(next, b'.', 8);
        let yes = bitandnot_m128i(glued, bitand_m128i(first, second));
        move_mask_i8_m128i(yes) as u32 & 0xFFFF
    };
    half(0) | (half(16) << 16)
}

/// [`block_starts`] byte by byte, for other processors (and to check the SSE2 one).
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn block_starts_portable(window: &[u8; 34]) -> u32 {
    (0..32).fold(0, |mask, j| {
        let (before, this, next) = (window[j], window[j + 1], window[j + 2]);
        // `.`, `/` and the digits are one range.
        let glued = ((before | 0x20).wrapping_sub(b'a') < 26) | (before.wrapping_sub(b'.') < 12);
        let first = this.wrapping_sub(b'2') < 4;
        let second = next.wrapping_sub(b'.') < 8;
        mask | (u32::from(first & second & !glued) << j)
    })
}

#[cfg(not(target_arch = "x86_64"))]
use block_starts_portable as block_starts;

/// The end of the candidate that starts at `i` (a byte from 2 to 5), if one does.
fn candidate_at(s: &[u8], i: usize) -> Option<usize> {
    let digits = |from: usize| {
        s.get(from..).map_or(0, |r| {
            r.iter().take(3).take_while(|b| b.is_ascii_digit()).count()
        })
    };
    if s.get(i + 1) == Some(&b'.') {
        let d1 = digits(i + 2);
        if d1 > 0 && s.get(i + 2 + d1) == Some(&b'.') {
            let d2 = digits(i + 3 + d1);
            if d2 > 0 {
                return Some(i + 3 + d1 + d2);
            }
        }
    }
    let two = matches!(s.get(i + 1), Some(b'0'..=b'5')) && digits(i + 2) > 0;
    two.then_some(i + 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::bytes::Regex;

    /// Pseudo-random strings made of the pieces that matter to codes and addresses.
    #[rustfmt::skip]
    fn noise(seed: u64, n: usize) -> Vec<Vec<u8>> {
        const PIECES: &[&str] = &[
            "to=<", "To=<", "xto=<", "_to=<", " to=<", "bob", "@", "ex.org", ">", " ", "\t",
            "\x0b", "<", "5", "4.", "2", ".", "12", "1234", "0", "-", "550", "5.1.1", "=",
            "to=<bob@ex.org>", "bob@ex.org>", "é", "€2", "\u{b2}", "abcdefgh", "from=",
            "FROM: <", "** ", "From:", "a.b",
        ];
        let mut state = seed;
        (0..n)
            .map(|_| {
                (0..16)
                    .flat_map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        PIECES[(state % PIECES.len() as u64) as usize].bytes()
                    })
                    .collect()
            })
            .collect()
    }

    /// The vector scan of a block flags what the byte-by-byte one does.
    #[test]
    fn block_scans_agree() {
        let alphabet = b"0123456789./-_ aZ:=\n\xff";
        let mut seed = 0x1234_5678_9abc_def0_u64;
        for _ in 0..20_000 {
            let mut window = [0u8; 34];
            for b in &mut window {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                *b = match seed % 4 {
                    0 => (seed >> 8) as u8,
                    _ => alphabet[(seed >> 8) as usize % alphabet.len()],
                };
            }
            assert_eq!(
                block_starts(&window),
                block_starts_portable(&window),
                "{window:?}"
            );
        }
    }

    #[test]
    fn hand_written_scanners_match_their_regular_expressions() {
        // The candidate in group 1, after the start or a byte that is no letter, digit, dot
        // or slash.
        let codes =
            Regex::new(r"(?-u)(?:^|[^A-Za-z0-9./])([2-5](?:\.[0-9]{1,3}\.[0-9]{1,3}|[0-5][0-9]))")
                .unwrap();
        let to = Regex::new(r"(?i-u)\bto=<([^<>\s@]+@[^<>\s@]+)>").unwrap();
        let mut addresses = 0;
        assert_eq!(next_candidate(b"", 0, 0), None);
        assert_eq!(next_candidate(b"550", 0, 3), Some(0..3));
        assert_eq!(next_candidate(b"x550", 0, 4), None);
        // Only what ends by `end` counts, whatever follows it.
        assert_eq!(next_candidate(b"550 5.1.1", 0, 2), None);
        assert_eq!(next_candidate(b"550 5.1.1", 1, 9), Some(4..9));
        assert_eq!(next_candidate(b"550 5.1.1", 4, 8), None);
        assert_eq!(next_candidate(b"550 5.1.12", 4, 9), Some(4..9));
        // Short lines, and long ones that cross many blocks of the scanner.
        let long = (0..50).map(|k| noise(k, 100).concat());
        for s in noise(0x5eed, 20_000).into_iter().chain(long) {
            let want: Vec<_> = codes
                .captures_iter(&s)
                .map(|c| c.get(1).unwrap().range())
                .collect();
            let mut have = Vec::new();
            let mut at = 0;
            while let Some(r) = next_candidate(&s, at, s.len()) {
                at = r.end;
                have.push(r);
            }
            // A prefix of a longer input: the same as that prefix alone.
            let cut = s.len() * 2 / 3;
            let (mut alone, mut inside) = (Vec::new(), Vec::new());
            let mut at = 0;
            while let Some(r) = next_candidate(&s[..cut], at, cut) {
                at = r.end;
                alone.push(r);
            }
            let mut at = 0;
            while let Some(r) = next_candidate(&s, at, cut) {
                at = r.end;
                inside.push(r);
            }
            assert_eq!(alone, inside, "{:?}", String::from_utf8_lossy(&s));
            assert_eq!(have, want, "{:?}", String::from_utf8_lossy(&s));
            let want = to.captures(&s).map(|c| c.get(1).unwrap().as_bytes());
            assert_eq!(
                crate::extract::recipient::to_field(&s),
                want,
                "{:?}",
                String::from_utf8_lossy(&s)
            );
            addresses += usize::from(want.is_some());
        }
        assert!(
            addresses > 500,
            "the noise should hold addresses: {addresses}"
        );
    }
}

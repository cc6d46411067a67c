//! Extract stage, pairing: the candidates of one unit checked ([`super::accept`]), a basic
//! code and the enhanced code right after it paired into one reply, and repeats folded.

use super::accept::{accept_basic, accept_enhanced, in_received_field};
use super::code::{Basic, Enhanced};
use super::scan::next_candidate;
use crate::input::unit::Unit;
use std::collections::HashMap;
use std::ops::Range;

/// A basic code and where it is in the input.
pub type BasicAt = (Basic, Range<usize>);
/// An enhanced code and where it is in the input.
pub type EnhancedAt = (Enhanced, Range<usize>);

/// One reply of a unit: a basic code, an enhanced code, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub basic: Option<BasicAt>,
    pub enhanced: Option<EnhancedAt>,
}

impl Reply {
    /// Where the reply starts in the input.
    pub fn start(&self) -> usize {
        let b = self.basic.as_ref().map(|b| b.1.start);
        let e = self.enhanced.as_ref().map(|e| e.1.start);
        b.or(e).unwrap_or(0)
    }
}

/// The replies of a unit: candidates checked, paired and folded as they come, so memory
/// grows with the distinct replies, not with the codes (a line of a million codes).
/// Also returns the code of the unit's first `dsn=` field: each is a candidate here, so
/// the log summary need not search for them again.
pub(crate) fn find_replies(
    input: &[u8],
    unit: Unit,
    replies: &mut Vec<Reply>,
    seen: &mut Seen,
) -> Option<Enhanced> {
    let bytes = &input[..unit.end];
    replies.clear();
    seen.clear();
    let mut dsn = None;
    // The last accepted basic code, until the candidate after it shows whether they pair.
    let mut pending: Option<BasicAt> = None;
    let mut at = unit.start;
    while let Some(span) = next_candidate(input, at, unit.end) {
        at = span.end;
        if span.len() == 3 {
            let b = accept_basic(bytes, unit.start, span.clone());
            if let Some(b) = b.filter(|_| !in_received_field(bytes, span.start)) {
                if let Some(p) = pending.replace((b, span)) {
                    merge(replies, seen, Some(p), None);
                }
            }
            continue;
        }
        if dsn.is_none() {
            dsn = dsn_field(bytes, unit.start, span.start);
        }
        // Right after a basic code, of its class or not ("554 4.4.7 Message expired").
        let next_to = pending
            .as_ref()
            .is_some_and(|p| joined(bytes, p.1.end, span.start));
        let e = accept_enhanced(bytes, unit.start, span.clone(), next_to);
        let Some(e) = e.filter(|_| !in_received_field(bytes, span.start)) else {
            continue;
        };
        match pending.take() {
            // A basic code directly followed by an enhanced code of its class: one reply.
            Some(p) if next_to && e.class == Some(p.0.first_digit()) => {
                merge(replies, seen, Some(p), Some((e, span)));
            }
            Some(p) => {
                merge(replies, seen, Some(p), None);
                merge(replies, seen, None, Some((e, span)));
            }
            None => merge(replies, seen, None, Some((e, span))),
        }
    }
    if let Some(p) = pending {
        merge(replies, seen, Some(p), None);
    }
    dsn
}

/// The enhanced code of a `dsn=` field whose value starts at `at`, as the log generators
/// write it: `dsn=` not glued to a word before it, then digits and dots, not glued to a
/// word after them, that read as a code of a known class.
fn dsn_field(bytes: &[u8], floor: usize, at: usize) -> Option<Enhanced> {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let field = at >= floor + 4 && &bytes[at - 4..at] == b"dsn=";
    if !field || (at > floor + 4 && word(&bytes[at - 5])) {
        return None;
    }
    let rest = &bytes[at..];
    let len = rest
        .iter()
        .take(11)
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    if rest.get(len).is_some_and(word) {
        return None;
    }
    Enhanced::parse_bytes(&rest[..len]).filter(|e| e.class.is_some())
}

/// Whether only one space or one hyphen separates `end` from `start`, perhaps with an
/// opening quote (Amazon SES writes `550-'5.7.1 ...'`), or a fold: the basic code ends its
/// line and the enhanced code starts the indented line that continues it (Postfix wraps a
/// remote reply in its bounce text: `said: 550` / `    5.1.1 <bob@example.org>: ...`).
fn joined(bytes: &[u8], end: usize, start: usize) -> bool {
    let sep = matches!(bytes[end], b' ' | b'-');
    let next =
        sep && (start == end + 1 || (start == end + 2 && matches!(bytes[end + 1], b'\'' | b'"')));
    next || folded(&bytes[end..start])
}

/// Whether `gap` is a line break (CRLF or LF) followed by the indentation of a folded line.
fn folded(gap: &[u8]) -> bool {
    let gap = gap.strip_prefix(b"\r").unwrap_or(gap);
    match gap.strip_prefix(b"\n") {
        Some(indent) => !indent.is_empty() && indent.iter().all(|b| matches!(b, b' ' | b'\t')),
        None => false,
    }
}

/// The codes a unit has given so far, so that each new one is placed quickly: for a lone
/// code, the index of its lone reply (`None` once a pair took it). Most units hold one or two
/// replies and are searched in a small list; past [`SMALL`] entries a hash index takes over,
/// so a line of a million distinct codes stays linear.
#[derive(Default)]
pub(crate) struct Seen {
    basics: Index<Basic, Option<usize>>,
    enhanced: Index<Enhanced, Option<usize>>,
    pairs: Index<(Basic, Enhanced), ()>,
}

/// Entries searched one by one before a hash index is built.
const SMALL: usize = 16;

/// A map that is a short list while small.
enum Index<K, V> {
    Small(Vec<(K, V)>),
    Large(HashMap<K, V>),
}

impl<K, V> Default for Index<K, V> {
    fn default() -> Self {
        Index::Small(Vec::new())
    }
}

impl Seen {
    pub(crate) fn clear(&mut self) {
        self.basics.clear();
        self.enhanced.clear();
        self.pairs.clear();
    }
}

impl<K: Eq + std::hash::Hash + Copy, V: Copy> Index<K, V> {
    /// Empties the index, keeping a small list's room.
    fn clear(&mut self) {
        match self {
            Index::Small(v) => v.clear(),
            Index::Large(_) => *self = Index::default(),
        }
    }

    fn get(&self, k: &K) -> Option<V> {
        match self {
            Index::Small(v) => v.iter().find(|(key, _)| key == k).map(|(_, v)| *v),
            Index::Large(m) => m.get(k).copied(),
        }
    }

    fn contains(&self, k: &K) -> bool {
        self.get(k).is_some()
    }

    /// Sets `k` to `v`; returns whether `k` is new.
    fn insert(&mut self, k: K, v: V) -> bool {
        if let Index::Small(list) = self {
            if let Some(slot) = list.iter_mut().find(|(key, _)| *key == k) {
                slot.1 = v;
                return false;
            }
            if list.len() < SMALL {
                list.push((k, v));
                return true;
            }
            *self = Index::Large(list.drain(..).collect());
        }
        match self {
            Index::Large(m) => m.insert(k, v).is_none(),
            Index::Small(_) => unreachable!("made large above"),
        }
    }
}

/// Adds a reply to the unit's replies, folding repeats: the same pair twice is one reply,
/// a lone code already in a reply adds nothing, and a pair completes an earlier lone code
/// (Postfix `dsn=5.1.1 ... said: 550 5.1.1`).
fn merge(
    unit: &mut Vec<Reply>,
    seen: &mut Seen,
    basic: Option<BasicAt>,
    enhanced: Option<EnhancedAt>,
) {
    let at = unit.len();
    match (&basic, &enhanced) {
        (Some((b, _)), None) if seen.basics.contains(b) => return,
        (None, Some((e, _))) if seen.enhanced.contains(e) => return,
        (Some((b, _)), None) => {
            seen.basics.insert(*b, Some(at));
        }
        (None, Some((e, _))) => {
            seen.enhanced.insert(*e, Some(at));
        }
        (Some((b, _)), Some((e, _))) => {
            if !seen.pairs.insert((*b, *e), ()) {
                return;
            }
            let lone_b = seen.basics.get(b).flatten();
            let lone_e = seen.enhanced.get(e).flatten();
            if !seen.basics.contains(b) {
                seen.basics.insert(*b, None);
            }
            if !seen.enhanced.contains(e) {
                seen.enhanced.insert(*e, None);
            }
            if let Some(i) = lone_b.into_iter().chain(lone_e).min() {
                match unit[i].basic {
                    Some(_) => seen.basics.insert(*b, None),
                    None => seen.enhanced.insert(*e, None),
                };
                unit[i].basic = basic;
                unit[i].enhanced = enhanced;
                return;
            }
        }
        (None, None) => return,
    }
    unit.push(Reply { basic, enhanced });
}

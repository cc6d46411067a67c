//! Extract stage: every basic reply code and enhanced status code in a byte buffer.
//!
//! The input is cut into *units*: a line, with the lines that continue it (indented folds,
//! and the `550-` lines of a multi-line SMTP reply). Within a unit, a regular expression over
//! bytes finds candidates; each is kept only if its surroundings read like an SMTP reply
//! (see `accept_enhanced` and `accept_basic`), so IP addresses, versions, dates, sizes
//! and numbers inside words are not codes. A basic code directly followed by an enhanced
//! code of the same class is one reply; codes that repeat within a unit are one finding.

use crate::address;
use crate::code::{Basic, Enhanced};
use crate::text;
use std::collections::HashMap;
use std::ops::Range;

/// A basic code and where it is in the input.
pub type BasicAt = (Basic, Range<usize>);
/// An enhanced code and where it is in the input.
pub type EnhancedAt = (Enhanced, Range<usize>);

/// One reply found in the input: a basic code, an enhanced code, or both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// 1-based line of the first code.
    pub line: usize,
    pub basic: Option<BasicAt>,
    pub enhanced: Option<EnhancedAt>,
    /// The reply text around the code, cleaned for display.
    pub text: String,
    /// The address the reply is about, where the unit names one.
    pub recipient: Option<String>,
}

/// The longest a unit grows before a new one starts, whatever the folding says.
const MAX_UNIT_LINES: usize = 64;
/// The most characters of reply text kept per finding.
const MAX_TEXT: usize = 300;

/// Every finding in `input`, in order.
pub fn extract(input: &[u8]) -> Vec<Found> {
    let mut out = Vec::new();
    for_each_unit(input, |unit| out.extend(unit.findings()));
    out
}

/// Calls `f` for every unit of `input` that holds at least one reply, in order. This is the
/// cheap way through a log: a reply's text and recipient are only worked out on demand.
pub fn for_each_unit(input: &[u8], mut f: impl FnMut(&UnitReplies)) {
    // One set of buffers for all units: most units hold no reply, the rest one or two.
    let (mut replies, mut seen) = (Vec::new(), Seen::default());
    for unit in Units::new(input) {
        let dsn = find_replies(input, unit, &mut replies, &mut seen);
        if !replies.is_empty() {
            let found = UnitReplies {
                input,
                unit,
                replies: std::mem::take(&mut replies),
                dsn,
            };
            f(&found);
            replies = found.replies;
        }
    }
}

/// Whether a line may start a new unit after `prev`: the cut points of a stream that must
/// give the same findings as the whole input (see [`crate::input::stream`]).
pub fn starts_unit(prev: &[u8], this: &[u8]) -> bool {
    !continues(prev, this)
}

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

/// The replies found in one unit.
pub struct UnitReplies<'a> {
    input: &'a [u8],
    unit: Unit,
    pub replies: Vec<Reply>,
    /// The enhanced code of the unit's first `dsn=` field (Postfix, Sendmail logs).
    pub dsn: Option<Enhanced>,
}

impl UnitReplies<'_> {
    /// The bytes of the unit.
    pub fn bytes(&self) -> &[u8] {
        &self.input[self.unit.start..self.unit.end]
    }

    /// The address the unit is about, if it names one.
    pub fn recipient(&self) -> Option<String> {
        address::recipient(self.bytes())
    }

    /// 1-based line of a reply.
    pub fn line(&self, reply: &Reply) -> usize {
        let before = &self.input[self.unit.start..reply.start().max(self.unit.start)];
        self.unit.line + memchr::memchr_iter(b'\n', before).count()
    }

    /// The raw bytes of the unit from where a reply starts.
    pub fn from_reply(&self, reply: &Reply) -> &[u8] {
        &self.input[reply.start().max(self.unit.start)..self.unit.end]
    }

    /// The reply text of a reply, cleaned for display: from its basic code when it has
    /// one, else from the start of the unit (or the code, when that is far in).
    pub fn text(&self, reply: &Reply) -> String {
        let start = reply.start().max(self.unit.start);
        let (text_from, code_at) = match &reply.basic {
            Some((_, r)) => (r.start, r.start),
            None => (self.unit.start, start),
        };
        let text_from = if code_at - text_from > MAX_TEXT {
            code_at
        } else {
            text_from
        };
        balance(text::clean(&self.input[text_from..self.unit.end], MAX_TEXT))
    }

    /// The findings of the unit, with their line, text and recipient: the address on the
    /// code's own line, else the one the unit is about. Linear in the unit's length however
    /// many replies it holds (the line breaks are indexed once, each line searched once).
    pub fn findings(&self) -> impl Iterator<Item = Found> + '_ {
        let recipient = if self.replies.is_empty() {
            None
        } else {
            self.recipient()
        };
        let (start, end) = (self.unit.start, self.unit.end);
        let breaks: Vec<usize> = memchr::memchr_iter(b'\n', self.bytes())
            .map(|i| start + i)
            .collect();
        let mut own: HashMap<usize, Option<String>> = HashMap::new();
        self.replies.iter().map(move |r| {
            let at = r.start().max(start);
            let k = breaks.partition_point(|&b| b < at);
            // In a one-line unit the line's address is the unit's.
            let line_address = if breaks.is_empty() {
                None
            } else {
                let from = if k == 0 { start } else { breaks[k - 1] + 1 };
                let to = breaks.get(k).copied().unwrap_or(end);
                own.entry(k)
                    .or_insert_with(|| address::recipient(&self.input[from..to]))
                    .clone()
            };
            Found {
                line: self.unit.line + k,
                basic: r.basic.clone(),
                enhanced: r.enhanced.clone(),
                text: self.text(r),
                recipient: line_address.or_else(|| recipient.clone()),
            }
        })
    }
}

/// A run of lines read as one reply or record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    start: usize,
    end: usize,
    line: usize,
}

/// Cuts the input into units (see the module comment).
struct Units<'a> {
    input: &'a [u8],
    pos: usize,
    line: usize,
    /// The end of the line at `pos`, when the last unit already looked it up.
    known_end: Option<usize>,
}

impl<'a> Units<'a> {
    fn new(input: &'a [u8]) -> Self {
        Units {
            input,
            pos: 0,
            line: 1,
            known_end: None,
        }
    }
}

impl Iterator for Units<'_> {
    type Item = Unit;

    fn next(&mut self) -> Option<Unit> {
        let input = self.input;
        if self.pos >= input.len() {
            return None;
        }
        let end = match self.known_end.take() {
            Some(end) => end,
            None => line_end(input, self.pos),
        };
        let mut unit = Unit {
            start: self.pos,
            end,
            line: self.line,
        };
        let mut prev = &input[unit.start..unit.end];
        let mut lines = 1;
        self.line += 1;
        while unit.end < input.len() && lines < MAX_UNIT_LINES {
            let next = unit.end + 1;
            let end = line_end(input, next);
            let this = &input[next..end];
            if next >= input.len() || !continues(prev, this) {
                // The next unit starts with this line: its end is known.
                self.known_end = (next < input.len()).then_some(end);
                break;
            }
            (unit.end, prev) = (end, this);
            lines += 1;
            self.line += 1;
        }
        self.pos = unit.end + 1;
        Some(unit)
    }
}

fn line_end(input: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &input[from..]).map_or(input.len(), |i| from + i)
}

/// Whether `this` line continues the unit that `prev` ended.
fn continues(prev: &[u8], this: &[u8]) -> bool {
    let blank = |l: &[u8]| l.iter().all(|b| b.is_ascii_whitespace());
    if blank(prev) || blank(this) {
        return false;
    }
    if matches!(this[0], b' ' | b'\t') {
        return true;
    }
    // A multi-line reply: "550-..." followed by "550-..." or "550 ...".
    let p = trim_start(prev);
    let t = trim_start(this);
    p.len() >= 4
        && t.len() >= 3
        && p[..3].iter().all(u8::is_ascii_digit)
        && p[3] == b'-'
        && p[..3] == t[..3]
}

fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .take_while(|b| b.is_ascii_whitespace() || **b == b'>')
        .count();
    &s[n..]
}

/// The next candidate code at or after `from` that ends by `end`: what the regular
/// expression `[2-5](?:\.[0-9]{1,3}\.[0-9]{1,3}|[0-5][0-9])` finds in `input[..end]`,
/// leftmost first, where the byte before is no letter, digit or dot (both checks reject a
/// code there, so such a candidate would only be looked at to be thrown away). Written out
/// by hand, because this loop is where a large log spends its time: 32 positions at once.
/// The blocks may look past `end` into the rest of `input` (a unit is scanned inside its
/// chunk), so that only the first and last blocks of `input` need padding.
fn next_candidate(input: &[u8], from: usize, end: usize) -> Option<Range<usize>> {
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

/// The replies of a unit: candidates checked, paired and folded as they come, so memory
/// grows with the distinct replies, not with the codes (a line of a million codes).
/// Also returns the code of the unit's first `dsn=` field: each is a candidate here, so
/// the log summary need not search for them again.
fn find_replies(
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
            if let Some(b) = accept_basic(bytes, unit.start, span.clone()) {
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
        let Some(e) = accept_enhanced(bytes, unit.start, span.clone(), next_to) else {
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

/// Punctuation that glues a code to the word before it (a version, a path, an address).
fn is_glue(b: u8) -> bool {
    matches!(
        b,
        b'.' | b'_' | b'-' | b'/' | b'\\' | b'@' | b'$' | b'%' | b'+' | b'~' | b'&' | b'^' | b'|'
    )
}

/// Drops closing parentheses that close what the reply text did not open: the text starts
/// inside a log's `status=bounced (host ... said: 550 ...)`.
pub fn balance(mut text: String) -> String {
    text.truncate(balanced_len(&text));
    text
}

/// The length of `text` without the closing parentheses at its end that [`balance`] drops.
pub fn balanced_len(text: &str) -> usize {
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

/// Whether only one space or one hyphen separates `end` from `start`, perhaps with an
/// opening quote (Amazon SES writes `550-'5.7.1 ...'`).
fn joined(bytes: &[u8], end: usize, start: usize) -> bool {
    let sep = matches!(bytes[end], b' ' | b'-');
    sep && (start == end + 1 || (start == end + 2 && matches!(bytes[end + 1], b'\'' | b'"')))
}

/// The codes a unit has given so far, so that each new one is placed quickly: for a lone
/// code, the index of its lone reply (`None` once a pair took it). Most units hold one or two
/// replies and are searched in a small list; past [`SMALL`] entries a hash index takes over,
/// so a line of a million distinct codes stays linear.
#[derive(Default)]
struct Seen {
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
    fn clear(&mut self) {
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

/// Words after which a code is read as a reply ("said: 550", "returned 5.1.1").
const REPLY_WORDS: &[&str] = &[
    "said",
    "says",
    "replied",
    "reply",
    "response",
    "responded",
    "returned",
    "answered",
    "error",
    "code",
    "status",
    "dsn",
    "smtp",
    "esmtp",
    "failed",
    "failure",
    "reason",
    "result",
    "rejected",
    "deferred",
    "bounced",
    "diagnostic",
    "with",
];
/// Words after which a dotted number is a version, not a status.
const VERSION_WORDS: &[&str] = &[
    "v", "rv", "ver", "version", "release", "rel", "rev", "revision", "build", "update", "patch",
    "kernel",
];
/// Units after which a three-digit number is a quantity, not a reply.
const UNIT_WORDS: &[&str] = &[
    "bytes", "byte", "kb", "mb", "gb", "ms", "s", "sec", "secs", "seconds", "min", "minutes",
    "hours", "days", "items", "messages", "lines", "%",
];

/// The last non-blank byte before `at`, not looking before `floor`.
fn prev_nonspace(bytes: &[u8], floor: usize, at: usize) -> Option<(usize, u8)> {
    (floor..at)
        .rev()
        .find(|&i| !bytes[i].is_ascii_whitespace())
        .map(|i| (i, bytes[i]))
}

/// The word (letters, digits, `-`, `_`) that ends at `end` (exclusive).
fn word_before(bytes: &[u8], floor: usize, end: usize) -> &[u8] {
    let start = (floor..end)
        .rev()
        .take_while(|&i| bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'-' | b'_'))
        .last()
        .unwrap_or(end);
    &bytes[start..end]
}

fn is_one_of(word: &[u8], list: &[&str]) -> bool {
    list.iter().any(|w| w.as_bytes().eq_ignore_ascii_case(word))
}

/// Whether the byte after a code ends it: white space, the end, or punctuation that is
/// not the start of a longer number (`5.1.1.2`, `550.5`, `5.1.1:25`).
fn ends_cleanly(bytes: &[u8], end: usize) -> bool {
    let Some(&a) = bytes.get(end) else {
        return true;
    };
    let digit_next = bytes.get(end + 1).is_some_and(u8::is_ascii_digit);
    match a {
        b'.' | b':' | b',' => !digit_next,
        b' ' | b'\t' | b'\r' | b'\n' | b')' | b']' | b'>' | b'\'' | b'"' | b';' | b'!' | b'?' => {
            true
        }
        _ => false,
    }
}

/// Checks an enhanced code candidate at `span` (see the module comment).
fn accept_enhanced(
    bytes: &[u8],
    floor: usize,
    span: Range<usize>,
    after_basic: bool,
) -> Option<Enhanced> {
    // A subject is one digit from 0 to 7: most dotted numbers stop here, before parsing.
    if !matches!(bytes[span.start + 2], b'0'..=b'7') || bytes[span.start + 3] != b'.' {
        return None;
    }
    if !ends_cleanly(bytes, span.end) || bytes.get(span.end) == Some(&b'>') {
        return None;
    }
    let code = Enhanced::parse_bytes(&bytes[span.clone()])?;
    if after_basic {
        return Some(code);
    }
    if span.start > floor {
        let b = bytes[span.start - 1];
        if b.is_ascii_alphanumeric() || is_glue(b) {
            return None;
        }
    }
    let success = code.class == Some(2);
    match prev_nonspace(bytes, floor, span.start) {
        None => Some(code),
        Some((i, b'=' | b';' | b'#' | b'(' | b'[' | b'<' | b'"' | b'\'' | b'*' | b','))
            if !success || bytes[i] != b',' =>
        {
            Some(code)
        }
        Some((i, b':')) => {
            let field = word_before(bytes, floor, i);
            let version = field
                .to_ascii_lowercase()
                .windows(7)
                .any(|w| w == b"version")
                || is_one_of(field, VERSION_WORDS);
            (!version).then_some(code)
        }
        Some((i, c)) if c.is_ascii_alphanumeric() => {
            let word = word_before(bytes, floor, i + 1);
            if is_one_of(word, REPLY_WORDS) {
                return Some(code);
            }
            let product = word.first().is_some_and(u8::is_ascii_uppercase)
                || word.iter().any(u8::is_ascii_digit);
            (!success && !product && !is_one_of(word, VERSION_WORDS)).then_some(code)
        }
        Some(_) => (!success).then_some(code),
    }
}

/// Checks a basic code candidate at `span` (see the module comment).
fn accept_basic(bytes: &[u8], floor: usize, span: Range<usize>) -> Option<Basic> {
    // Three digits, the first from 2 to 5 (see `candidate_at`).
    let digit = |i: usize| u16::from(bytes[i] - b'0');
    let code = Basic(digit(span.start) * 100 + digit(span.start + 1) * 10 + digit(span.start + 2));
    let next = bytes.get(span.end).copied();
    let enhanced_next = matches!(next, Some(b' ' | b'-'))
        && bytes.get(span.end + 1) == Some(&bytes[span.start])
        && bytes.get(span.end + 2) == Some(&b'.');
    if span.start > floor {
        let b = bytes[span.start - 1];
        // A labelled field: `ERROR_CODE :550,`, `reply=550`.
        if matches!(b, b':' | b'=') && ends_cleanly(bytes, span.end) {
            let at =
                prev_nonspace(bytes, floor, span.start - 1).map_or(span.start - 1, |(i, _)| i + 1);
            let label = word_before(bytes, floor, at).to_ascii_lowercase();
            if label.ends_with(b"code") || is_one_of(&label, REPLY_WORDS) {
                return Some(code);
            }
        }
        // "did not like our RCPT TO:550 5.1.2": a command, a colon, then a reply.
        let after_command = b == b':'
            && span.start > floor + 1
            && bytes[span.start - 2].is_ascii_alphabetic()
            && enhanced_next;
        if !after_command
            && (b.is_ascii_alphanumeric() || is_glue(b) || matches!(b, b'=' | b':' | b','))
        {
            return None;
        }
    }
    if !ends_cleanly(bytes, span.end) && next != Some(b'-') {
        return None;
    }
    // Followed by an enhanced code of the same class: a reply, whatever precedes it.
    if enhanced_next {
        return Some(code);
    }
    // Only blanks (or a quoting `>`) between the start of the line and the code; the look
    // back stops at the first other byte, so a long line costs nothing here.
    let at_line_start = (floor..span.start)
        .rev()
        .map(|i| bytes[i])
        .find(|&b| b == b'\n' || !(b.is_ascii_whitespace() || b == b'>'))
        .is_none_or(|b| b == b'\n');
    let reply_like = match next {
        None | Some(b'\r' | b'\n') => true,
        // `550: <bob@example.org>: User unknown` (Yahoo) at the start of a line.
        Some(b':') => at_line_start && bytes.get(span.end + 1) == Some(&b' '),
        Some(b' ' | b'-' | b'\t') => !is_one_of(next_word(bytes, span.end), UNIT_WORDS),
        _ => false,
    };
    if !reply_like {
        return None;
    }
    if at_line_start {
        return Some(code);
    }
    match prev_nonspace(bytes, floor, span.start) {
        Some((_, b';' | b'#' | b'<' | b'"' | b'\'' | b'(' | b':')) => Some(code),
        // Sendmail: "<bob@example.org>... 550 User unknown".
        Some((i, b'.')) if i >= floor + 2 && bytes[i - 2..=i] == *b"..." => Some(code),
        Some((i, c)) if c.is_ascii_alphanumeric() => {
            is_one_of(word_before(bytes, floor, i + 1), REPLY_WORDS).then_some(code)
        }
        _ => None,
    }
}

/// The word that starts after the separator at `at`.
fn next_word(bytes: &[u8], at: usize) -> &[u8] {
    let start = at + 1;
    let len = bytes.get(start..).map_or(0, |r| {
        r.iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'%')
            .count()
    });
    &bytes[start.min(bytes.len())..(start + len).min(bytes.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex::bytes::Regex;

    /// The codes found, as "550 5.1.1" / "550" / "5.1.1" strings.
    fn codes(input: &str) -> Vec<String> {
        extract(input.as_bytes())
            .iter()
            .map(|f| {
                let b = f.basic.as_ref().map(|b| b.0.to_string());
                let e = f.enhanced.as_ref().map(|e| e.0.to_string());
                [b, e].into_iter().flatten().collect::<Vec<_>>().join(" ")
            })
            .collect()
    }

    #[test]
    fn finds_replies_in_common_shapes() {
        let cases: &[(&str, &[&str])] = &[
            (
                "550 5.1.1 <bob@example.org>: Recipient address rejected",
                &["550 5.1.1"],
            ),
            (
                "host mx[192.0.2.1] said: 550 5.1.1 user unknown (in reply to RCPT TO command)",
                &["550 5.1.1"],
            ),
            ("Status: 5.1.1", &["5.1.1"]),
            ("Diagnostic-Code: smtp; 550 5.7.1 rejected", &["550 5.7.1"]),
            (
                "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found'",
                &["550 5.1.10"],
            ),
            ("#550 5.1.1 RESOLVER.ADR.RecipNotFound ##", &["550 5.1.1"]),
            ("Sorry, no mailbox here by that name. (#5.1.1)", &["5.1.1"]),
            (
                "451 4.7.1 Greylisting in action, please come back later",
                &["451 4.7.1"],
            ),
            ("421 Service not available", &["421"]),
            (
                "mx [192.0.2.25] did not like our RCPT TO:525 5.7.13 <x@example.org>: disabled",
                &["525 5.7.13"],
            ),
            (
                "554 4.4.7 Message expired: unable to deliver.<421 4.4.2 Connection timed out>",
                &["554", "4.4.7", "421 4.4.2"],
            ),
            (
                "<bob@example.org>... 550 Requested action not taken",
                &["550"],
            ),
            (
                "dsn=4.4.1, status=deferred (connect to mx[192.0.2.1]:25: Connection timed out)",
                &["4.4.1"],
            ),
            (
                "... while talking to mx.example.org.:\n>>> DATA\n<<< 552 5.2.2 Mailbox full",
                &["552 5.2.2"],
            ),
            (
                "550 5.2.1 disabled. 503 5.5.1 RCPT first. 550 5.2.1 disabled.",
                &["550 5.2.1", "503 5.5.1"],
            ),
            ("the server returned 5.7.26 for this message", &["5.7.26"]),
            (
                "dsn=2.0.0, status=sent (250 2.0.0 OK 1700000000 abc.123 - gsmtp)",
                &["250 2.0.0"],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(codes(input), *want, "{input}");
        }
    }

    #[test]
    fn multi_line_reply_is_one_finding() {
        let input =
            "550-5.1.1 The email account that you tried to reach does not exist. Please try\n\
                     550-5.1.1 double-checking the recipient's email address for typos or\n\
                     550-5.1.1 unnecessary spaces. Learn more at\n\
                     550 5.1.1  https://support.google.com/mail/?p=NoSuchUser a1si123 - gsmtp\n";
        let found = extract(input.as_bytes());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 1);
        assert!(found[0].text.ends_with("gsmtp"), "{}", found[0].text);
    }

    #[test]
    fn postfix_dsn_field_pairs_with_its_reply() {
        let line = "Nov 23 10:00:01 mx postfix/smtp[4242]: 4BC1D2E3F4: to=<bob@example.org>, relay=mx.example.org[192.0.2.10]:25, delay=0.5, delays=0.1/0/0.2/0.2, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.10] said: 550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown (in reply to RCPT TO command))";
        let found = extract(line.as_bytes());
        assert_eq!(codes(line), ["550 5.1.1"]);
        assert_eq!(found[0].recipient.as_deref(), Some("bob@example.org"));
        assert!(
            found[0].text.starts_with("550 5.1.1 <bob@example.org>"),
            "{}",
            found[0].text
        );
    }

    #[test]
    fn numbers_that_only_look_like_codes_are_not_codes() {
        let cases = [
            "Received: from [10.4.7.200] (port 550) by 192.5.1.1 with ESMTP id 4BC550D1",
            "Connecting to 250.1.2.3 and 2001:db8::5.1.1.1 on port 25",
            "X-Mailer: PHPMailer 5.2.22, Thunderbird 5.2.1, Dovecot 2.3.4, Exim 4.94.2, version 4.2.1, v5.1.1",
            "MIME-Version: 1.0\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:5.1.1) Gecko/20100101",
            "Date: Mon, 23 Nov 2026 14:29:17 +0000; 2026-11-23T14:29:17Z; 23.11.2026; 11/23/26",
            "size=550, nrcpt=1 (queue active); delays=0.1/0/250/0; pi=3.14159; 550.5 ms; 450 bytes; 5.1.1.2",
            "postfix/smtpd[550]: connect from unknown[192.0.2.5]; queue id 550ABC; abc550 550abc x550y",
            "Message-ID: <550.5.1.1@example.org>; https://example.org/5.1.1/page?id=550",
        ];
        for input in cases {
            assert_eq!(codes(input), Vec::<String>::new(), "{input}");
        }
    }

    #[test]
    fn line_numbers_are_one_based_and_point_at_the_code() {
        let input =
            "first\nsecond\nStatus: 5.2.2\n<bob@example.org>: host x said:\n    552 5.2.2 full\n";
        let found = extract(input.as_bytes());
        assert_eq!(found.iter().map(|f| f.line).collect::<Vec<_>>(), [3, 5]);
    }

    #[test]
    fn spans_slice_back_to_the_codes() {
        let input = b"x said: 550 5.1.1 no; Status: 4.2.2";
        for f in extract(input) {
            if let Some((b, r)) = &f.basic {
                assert_eq!(&input[r.clone()], b.to_string().as_bytes());
            }
            if let Some((e, r)) = &f.enhanced {
                assert_eq!(&input[r.clone()], e.to_string().as_bytes());
            }
        }
    }

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
                address::to_field(&s),
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

    #[test]
    fn labelled_and_colon_replies() {
        assert_eq!(
            codes(
                "kijitora@example.co.jp Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <k@x>"
            ),
            ["550", "5.1.1"]
        );
        assert_eq!(codes("550: <otsu@ezweb.ne.jp>: User unknown"), ["550"]);
        assert_eq!(codes("port:550, time:421 ms"), Vec::<String>::new());
    }

    #[test]
    fn sendmail_nested_reply() {
        assert_eq!(
            codes("554 <kuroneko@example.or.jp>... 550 Host unknown (Authoritative answer)"),
            ["554", "550"]
        );
    }

    #[test]
    fn binary_and_latin1_input_is_read() {
        let mut input = b"\xff\xfe\x00garbage 550 5.1.1 utilisateur inconnu \xe9\n".to_vec();
        input.extend_from_slice(&[0u8; 64]);
        assert_eq!(codes(&String::from_utf8_lossy(&input)), ["550 5.1.1"]);
        assert_eq!(extract(&input).len(), 1);
    }
}

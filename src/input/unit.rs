//! Input stage, framing: the input cut into *units*, a line with the lines that continue
//! it (indented folds, and the `550-` lines of a multi-line SMTP reply). Extraction reads a
//! unit as one reply or record; a log stream is cut only where a unit starts.

/// The longest a unit grows before a new one starts, whatever the folding says.
pub(crate) const MAX_UNIT_LINES: usize = 64;

/// Whether a line may start a new unit after `prev`: the cut points of a stream that must
/// give the same findings as the whole input (see [`crate::input::stream`]).
pub(crate) fn starts_unit(prev: &[u8], this: &[u8]) -> bool {
    !continues(prev, this)
}

/// A run of lines read as one reply or record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unit {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) line: usize,
}

/// Cuts the input into units (see the module comment).
pub(crate) struct Units<'a> {
    input: &'a [u8],
    pos: usize,
    line: usize,
    /// The end of the line at `pos`, when the last unit already looked it up.
    known_end: Option<usize>,
}

impl<'a> Units<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
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

pub(crate) fn line_end(input: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &input[from..]).map_or(input.len(), |i| from + i)
}

/// Whether `this` line continues the unit that `prev` ended.
pub(crate) fn continues(prev: &[u8], this: &[u8]) -> bool {
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

pub(crate) fn trim_start(s: &[u8]) -> &[u8] {
    let n = s
        .iter()
        .take_while(|b| b.is_ascii_whitespace() || **b == b'>')
        .count();
    &s[n..]
}

//! Input stage, log mode: a log of any size (a file, `zcat … |`, `tail -f … |`) read in
//! chunks, in constant memory, and worked on in parallel.
//!
//! A chunk is about [`CHUNK`] bytes, cut at a line break where the next line starts a new
//! unit ([`super::unit::starts_unit`]), so that every chunk yields exactly the findings it yields
//! inside the whole input. Where no such line break comes within [`MAX_CHUNK`] bytes (a unit
//! or a line longer than that), the chunk is cut at the last line break, or, in a single
//! line longer than [`MAX_CHUNK`], after its last blank: such a line is read in pieces of at
//! most [`MAX_CHUNK`] bytes, never held whole. Batches of chunks are handed to rayon, and
//! their results to the caller in input order, while the next batch is being read.
//!
//! Messages (RFC 5322 headers, mbox) are another mode: they are read whole and parsed.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc;

/// The size a chunk is read to before it is cut: 1 MiB.
pub const CHUNK: usize = 1 << 20;
/// The most bytes held for one chunk (so for one unit or one piece of a line): 4 MiB.
pub const MAX_CHUNK: usize = 4 << 20;

/// A piece of the input that starts a unit.
#[derive(Debug, Default)]
pub struct Chunk {
    pub bytes: Vec<u8>,
    /// 1-based line number of the chunk's first byte (1 for every chunk where lines are
    /// not counted, [`Options::lines`]).
    pub first_line: usize,
    /// Bytes of input before the chunk.
    pub offset: usize,
}

/// How to read.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Hand on what has come as soon as a read returns (`tail -f`), instead of filling
    /// chunks; the work then runs on the calling thread.
    pub line_buffered: bool,
    /// The chunk size, [`CHUNK`]; at most four times as much is held for one chunk.
    pub chunk: usize,
    /// Count lines, so that each chunk knows the line it starts at; `--summary` needs no
    /// line numbers and spares the count (a pass over every byte).
    pub lines: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            line_buffered: false,
            chunk: CHUNK,
            lines: true,
        }
    }
}

/// The most one read takes in line-buffered mode.
const ARRIVAL: usize = 64 * 1024;

/// Why a stream stopped early.
#[derive(Debug)]
pub enum Failure {
    /// Reading the input failed.
    Read(io::Error),
    /// The sink failed (writing the output: a closed pipe).
    Sink(io::Error),
}

/// Cuts what a reader gives into chunks.
pub struct Chunker<R> {
    reader: R,
    chunk: usize,
    carry: Vec<u8>,
    line: usize,
    offset: usize,
    eof: bool,
    spare: Vec<Vec<u8>>,
    scratch: Vec<u8>,
    /// A read error, given once what was read before it has been handed out.
    failed: Option<io::Error>,
    /// Whether lines are counted ([`Options::lines`]); else every chunk starts at line 1.
    lines: bool,
}

impl<R: Read> Chunker<R> {
    /// A chunker of chunks of `chunk` bytes (at most four times as many for one).
    pub fn new(reader: R, chunk: usize) -> Self {
        Chunker {
            reader,
            chunk,
            carry: Vec::new(),
            line: 1,
            offset: 0,
            eof: false,
            spare: Vec::new(),
            scratch: Vec::new(),
            failed: None,
            lines: true,
        }
    }

    /// Bytes handed out in chunks so far.
    pub fn consumed(&self) -> usize {
        self.offset
    }

    /// Gives a chunk's buffer back for reuse.
    pub fn recycle(&mut self, chunk: Chunk) {
        if self.spare.len() < 16 {
            self.spare.push(chunk.bytes);
        }
    }

    /// The next chunk, filled to [`CHUNK`] bytes where the input has them; `None` at the end.
    pub fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        let mut buf = self.take_buffer();
        let max = self.chunk * (MAX_CHUNK / CHUNK);
        let mut want = self.chunk;
        loop {
            if buf.len() < want && !self.eof {
                let room = (want - buf.len()) as u64;
                // What was read before a failure (a damaged archive) is kept: the failure
                // ends the input, and is given once that has been handed out.
                match (&mut self.reader).take(room).read_to_end(&mut buf) {
                    Ok(got) => self.eof = (got as u64) < room,
                    Err(e) => {
                        self.failed = Some(e);
                        self.eof = true;
                    }
                }
            }
            if self.eof && buf.is_empty() {
                self.spare.push(buf);
                return match self.failed.take() {
                    Some(e) => Err(e),
                    None => Ok(None),
                };
            }
            let cut = if self.eof {
                Some(buf.len())
            } else {
                safe_cut(&buf, false)
            };
            match cut {
                Some(cut) => return Ok(Some(self.hand_out(buf, cut))),
                None if want < max => want = max,
                None => {
                    let cut = forced_cut(&buf);
                    return Ok(Some(self.hand_out(buf, cut)));
                }
            }
        }
    }

    /// What has come with the next read, cut where it is known to be safe (line-buffered
    /// mode: the last complete line goes too, unless it is a `550-` line that must go on).
    /// `Ok(None)` at the end of the input; a chunk may be empty.
    pub fn next_arrival(&mut self) -> io::Result<Option<Chunk>> {
        let mut buf = self.take_buffer();
        if self.eof {
            let cut = buf.len();
            if cut == 0 {
                if let Some(e) = self.failed.take() {
                    return Err(e);
                }
            }
            return Ok((cut > 0).then(|| self.hand_out(buf, cut)));
        }
        self.scratch.resize(ARRIVAL, 0);
        let n = loop {
            match self.reader.read(&mut self.scratch) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Ok(n) => break n,
                // Hand out what is held first; the failure comes after it.
                Err(e) => {
                    self.failed = Some(e);
                    break 0;
                }
            }
        };
        buf.extend_from_slice(&self.scratch[..n]);
        self.eof = n == 0;
        // A read that filled the buffer says more is waiting: then keep the last line.
        let short = n < ARRIVAL;
        let cut = if self.eof {
            Some(buf.len())
        } else {
            safe_cut(&buf, short)
        };
        let cut = match cut {
            Some(c) => c,
            None if buf.len() >= self.chunk * (MAX_CHUNK / CHUNK) => forced_cut(&buf),
            None => 0,
        };
        Ok(Some(self.hand_out(buf, cut)))
    }

    fn take_buffer(&mut self) -> Vec<u8> {
        let mut buf = self
            .spare
            .pop()
            .unwrap_or_else(|| Vec::with_capacity(self.chunk + ARRIVAL));
        buf.clear();
        buf.append(&mut self.carry);
        buf
    }

    /// Keeps `buf[cut..]` for the next chunk and hands `buf[..cut]` out.
    fn hand_out(&mut self, mut buf: Vec<u8>, cut: usize) -> Chunk {
        self.carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        let chunk = Chunk {
            first_line: self.line,
            offset: self.offset,
            bytes: buf,
        };
        if self.lines {
            self.line += count_lines(&chunk.bytes);
        }
        self.offset += cut;
        chunk
    }
}

/// Line breaks in `bytes`.
fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The end of the last whole line of `buf` after which a new unit starts, judged from the
/// line that follows it. With `at_end`, the end of `buf` counts when `buf` ends a line that
/// does not announce a continuation (`550-`).
fn safe_cut(buf: &[u8], at_end: bool) -> Option<usize> {
    let mut next_end = memchr::memrchr(b'\n', buf)?;
    let last_start = memchr::memrchr(b'\n', &buf[..next_end]).map_or(0, |i| i + 1);
    if at_end && next_end + 1 == buf.len() && !announces_more(&buf[last_start..next_end]) {
        return Some(buf.len());
    }
    // `next_end` ends a line; look for the line break before it that starts a unit.
    while let Some(nl) = memchr::memrchr(b'\n', &buf[..next_end]) {
        let prev_start = memchr::memrchr(b'\n', &buf[..nl]).map_or(0, |i| i + 1);
        if super::unit::starts_unit(&buf[prev_start..nl], &buf[nl + 1..next_end]) {
            return Some(nl + 1);
        }
        next_end = nl;
    }
    None
}

/// Whether a line is a `550-` line: a multi-line reply that goes on.
fn announces_more(line: &[u8]) -> bool {
    let t = line.trim_ascii_start();
    t.len() >= 4 && t[..3].iter().all(u8::is_ascii_digit) && t[3] == b'-'
}

/// Where to cut a full buffer without a safe cut: after its last line break, else after its
/// last blank (a single very long line), else at its end.
fn forced_cut(buf: &[u8]) -> usize {
    if let Some(nl) = memchr::memrchr(b'\n', buf) {
        return nl + 1;
    }
    let tail = buf.len().saturating_sub(64 * 1024);
    memchr::memrchr2(b' ', b'\t', &buf[tail..]).map_or(buf.len(), |i| tail + i + 1)
}

/// Reads `reader` in chunks, runs `work` on each (in parallel, unless line-buffered) and
/// hands the results to `sink` in input order. `seen` is told how many bytes have been read.
pub fn for_each_chunk<R, T, W, S>(
    reader: R,
    options: Options,
    work: W,
    mut sink: S,
    seen: &mut dyn FnMut(usize),
) -> Result<(), Failure>
where
    R: Read + Send,
    T: Send,
    W: Fn(&Chunk) -> T + Sync,
    S: FnMut(T) -> io::Result<()>,
{
    let mut chunker = Chunker::new(reader, options.chunk);
    chunker.lines = options.lines;
    if options.line_buffered {
        while let Some(chunk) = chunker.next_arrival().map_err(Failure::Read)? {
            if !chunk.bytes.is_empty() {
                sink(work(&chunk)).map_err(Failure::Sink)?;
            }
            chunker.recycle(chunk);
            seen(chunker.consumed());
        }
        return Ok(());
    }
    // Chunks flow: this thread reads them and hands each to the pool as soon as there is
    // room (four chunks a worker, read or done, at most: enough to keep all busy, few
    // enough to keep memory flat), and passes the results on in input order as they come
    // back. No batch waits for its slowest chunk.
    let room = 4 * rayon::current_num_threads();
    // A worker that panics (a bug) sends its panic, which goes on from this thread: else
    // this thread would wait for its result for ever.
    type Outcome<T> = std::thread::Result<T>;
    let (done, results) = mpsc::channel::<(usize, Outcome<T>, Chunk)>();
    let work = &work;
    rayon::in_place_scope(|scope| {
        let (mut sent, mut next, mut eof) = (0, 0, false);
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        // A read that fails ends the input; the chunks read before it still go to the sink.
        let mut failed = None;
        loop {
            while !eof && sent - next < room {
                let chunk = chunker.next_chunk().unwrap_or_else(|e| {
                    failed = Some(e);
                    None
                });
                match chunk {
                    Some(chunk) => {
                        let done = done.clone();
                        let seq = sent;
                        scope.spawn(move |_| {
                            let result = panic::catch_unwind(AssertUnwindSafe(|| work(&chunk)));
                            // The receiver only goes when the run stops early.
                            let _ = done.send((seq, result, chunk));
                        });
                        sent += 1;
                    }
                    None => eof = true,
                }
            }
            if next == sent {
                return failed.map_or(Ok(()), |e| Err(Failure::Read(e)));
            }
            let (seq, result, chunk) = results.recv().expect("a worker of this scope sends");
            let result = result.unwrap_or_else(|payload| panic::resume_unwind(payload));
            chunker.recycle(chunk);
            waiting.insert(seq, result);
            while let Some(result) = waiting.remove(&next) {
                sink(result).map_err(Failure::Sink)?;
                next += 1;
            }
            seen(chunker.consumed());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    // End to end: a stream gives the findings of the whole input.
    use crate::extract::{extract, log_findings};

    /// A bug that panics in a worker stops the run with that panic; it does not leave the
    /// reading thread waiting for ever.
    #[test]
    fn a_panic_in_a_worker_is_not_a_hang() {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let log = "Nov  1 00:00:00 mx postfix/smtp[1]: dsn=5.1.1\n".repeat(5_000);
            let work = |chunk: &Chunk| {
                assert!(chunk.bytes.len() < TEST_CHUNK / 2, "a bug in a worker");
            };
            let run = panic::catch_unwind(AssertUnwindSafe(|| {
                for_each_chunk(log.as_bytes(), TEST, work, |()| Ok(()), &mut |_| {})
            }));
            let _ = tx.send(run.is_err());
        });
        let panicked = rx.recv_timeout(std::time::Duration::from_secs(60));
        assert_eq!(
            panicked,
            Ok(true),
            "the run should stop with the worker's panic"
        );
    }

    /// A small chunk size, so that a small log makes many chunks.
    const TEST_CHUNK: usize = 16 * 1024;
    const TEST: Options = Options {
        line_buffered: false,
        chunk: TEST_CHUNK,
        lines: true,
    };

    /// A reader that gives the pieces of its input one a read, as a pipe does.
    struct Arrivals {
        pieces: std::collections::VecDeque<Vec<u8>>,
    }

    impl Read for Arrivals {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let Some(piece) = self.pieces.pop_front() else {
                return Ok(0);
            };
            let n = piece.len().min(buf.len());
            buf[..n].copy_from_slice(&piece[..n]);
            if n < piece.len() {
                self.pieces.push_front(piece[n..].to_vec());
            }
            Ok(n)
        }
    }

    /// A log of every shape the extractor knows, repeated past several chunks, as the
    /// records a mail server writes one at a time.
    fn sample_records() -> Vec<Vec<u8>> {
        let records: [&[u8]; 6] = [
            b"Nov 23 10:00:01 mx postfix/smtp[4242]: 4BC1: to=<bob@example.org>, relay=mx[192.0.2.10]:25, dsn=5.1.1, status=bounced (host mx said: 550 5.1.1 <bob@example.org>: User unknown (in reply to RCPT TO command))\n",
            b"550-5.1.1 The email account that you tried to reach does not exist.\n550-5.1.1 double-checking the recipient's email address\n550 5.1.1 https://support.google.com/mail/?p=NoSuchUser - gsmtp\n",
            b"<carla@example.net>: host x said:\n    452 4.2.2 Mailbox full\n\tfolded again 421\n",
            b"2024-11-01 00:00:00 abc-def-gh ** dave@example.com R=dnslookup: SMTP error from remote mail server after RCPT TO:<dave@example.com>: 550 5.7.1 relay denied\n",
            b"\n\nnothing here 10.4.7.200 version 5.2.1\n",
            b"Status: 4.4.1\r\nDiagnostic-Code: smtp; 451 4.4.1 try later\r\n",
        ];
        let (mut out, mut len, mut i) = (Vec::new(), 0, 0usize);
        while len < 3 * TEST_CHUNK + 12_345 {
            out.push(records[i % records.len()].to_vec());
            len += out.last().unwrap().len();
            i = i.wrapping_mul(7).wrapping_add(3) % 1000;
        }
        out
    }

    fn sample_log() -> Vec<u8> {
        sample_records().concat()
    }

    #[test]
    fn chunked_and_whole_reading_give_the_same_findings() {
        let log = sample_log();
        let whole = extract(&log);
        assert!(whole.len() > 200);
        let pieces =
            |step: usize| -> Vec<Vec<u8>> { log.chunks(step).map(<[u8]>::to_vec).collect() };
        let cases = [
            (false, pieces(log.len())),
            (false, pieces(4093)),
            (true, sample_records()),
        ];
        for (line_buffered, pieces) in cases {
            let mut chunked = Vec::new();
            let reader = Arrivals {
                pieces: pieces.into(),
            };
            let options = Options {
                line_buffered,
                ..TEST
            };
            log_findings(reader, options, |f| {
                chunked.extend(f);
                Ok(())
            })
            .unwrap();
            assert!(chunked == whole, "line_buffered {line_buffered}");
        }
    }

    #[test]
    fn line_buffered_reading_waits_for_the_end_of_a_multi_line_reply() {
        let lines = [
            "550-5.1.1 no such user\n",
            "550-5.1.1 try again\n",
            "550 5.1.1 - gsmtp\n",
        ];
        let reader = Arrivals {
            pieces: lines.iter().map(|l| l.as_bytes().to_vec()).collect(),
        };
        let mut batches = Vec::new();
        let options = Options {
            line_buffered: true,
            ..TEST
        };
        log_findings(reader, options, |f| {
            batches.push(f.len());
            Ok(())
        })
        .unwrap();
        assert_eq!(batches, [1]);
    }

    #[test]
    fn chunks_are_cut_where_a_unit_starts() {
        let log = sample_log();
        let mut chunker = Chunker::new(&log[..], TEST_CHUNK);
        let (mut total, mut count) = (0, 0);
        while let Some(chunk) = chunker.next_chunk().unwrap() {
            let next = &log[chunk.offset + chunk.bytes.len()..];
            assert!(chunk.bytes.ends_with(b"\n") || next.is_empty());
            assert!(!next.starts_with(b" ") && !next.starts_with(b"\t"));
            assert_eq!(chunk.first_line, 1 + count_lines(&log[..chunk.offset]));
            total += chunk.bytes.len();
            count += 1;
        }
        assert_eq!(total, log.len());
        assert!(count >= 3, "{count}");
    }

    #[test]
    fn a_line_longer_than_the_bound_is_read_in_pieces() {
        let mut log = b"first 550 5.1.1 user unknown\n".to_vec();
        log.extend(std::iter::repeat_n(b"word ".as_slice(), TEST_CHUNK * 2).flatten());
        log.extend_from_slice(b"451 4.7.1 try later\n421 closing\n");
        let mut chunker = Chunker::new(&log[..], TEST_CHUNK);
        let mut pieces = Vec::new();
        while let Some(chunk) = chunker.next_chunk().unwrap() {
            assert!(chunk.bytes.len() <= 4 * TEST_CHUNK);
            pieces.push((chunk.first_line, chunk.bytes.len()));
        }
        assert!(pieces.len() >= 3, "{pieces:?}");
        assert_eq!(pieces.last().unwrap().0, 2, "{pieces:?}");
        let mut found = Vec::new();
        log_findings(&log[..], TEST, |f| {
            found.extend(f);
            Ok(())
        })
        .unwrap();
        let lines: Vec<usize> = found.iter().map(|f| f.line).collect();
        assert_eq!(lines, [1, 2, 3]);
    }
}

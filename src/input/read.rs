//! Input stage, reading: files and stdin as bytes, with errors that name the source.

use super::sniff::{self, HEAD};
use std::fmt;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// A source that could not be read.
#[derive(Debug, Clone)]
pub struct InputError {
    pub name: String,
    pub reason: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.reason)
    }
}

impl std::error::Error for InputError {}

/// The name a source goes by in output: the path as given (lossily), `-` for stdin.
pub fn display_name(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// Opens a file to read, with its size.
pub fn open_file(path: &PathBuf) -> Result<(std::fs::File, u64), InputError> {
    let name = display_name(path);
    let fail = |reason: String| InputError {
        name: name.clone(),
        reason,
    };
    if path.is_dir() {
        return Err(fail("is a directory".into()));
    }
    let file = std::fs::File::open(path).map_err(|e| {
        let mut reason = describe(&e);
        if e.kind() == io::ErrorKind::NotFound && !name.contains(['/', '\\']) {
            reason.push_str(" (and not a code: codes look like 550, 5.1.1 or X.1.1)");
        }
        fail(reason)
    })?;
    let len = file.metadata().map_or(0, |m| m.len());
    Ok((file, len))
}

/// The largest email (or mbox) read whole; logs have no limit.
pub const MAX_MESSAGE: u64 = 256 * 1024 * 1024;

/// Reads the start of an input: up to [`HEAD`] bytes, fewer at its end or as soon as they
/// tell email from a log ([`sniff::sniff`]), so that a log that grows slowly (`tail -f`)
/// is not held back. A text that is neither may be a bounce pasted without its headers:
/// unless `stream` (the input is a live stream, `--line-buffered`), it is read on until a
/// bounce's opening shows, up to [`sniff::PASTED_HEAD`] bytes or its end.
pub fn read_head(reader: &mut dyn Read, stream: bool) -> io::Result<Vec<u8>> {
    // Read in small pieces: most emails tell at once, and a 64 KiB buffer zeroed for each
    // of many small files cost more than reading them.
    let (mut head, mut piece) = (Vec::new(), [0u8; 8192]);
    while head.len() < HEAD {
        let want = piece.len().min(HEAD - head.len());
        match reader.read(&mut piece[..want]) {
            Ok(0) => break,
            Ok(n) => head.extend_from_slice(&piece[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
        match sniff::sniff(&head, true) {
            Some(true) => break,
            // Not an email: a log tells at its first line; a text that may be a pasted
            // bounce is read on until its opening shows or [`sniff::PASTED_HEAD`].
            Some(false)
                if stream
                    || sniff::starts_like_log(&head)
                    || head.len() >= sniff::PASTED_HEAD
                    || sniff::reads_like_bounce(&head) =>
            {
                break
            }
            _ => {}
        }
    }
    Ok(head)
}

/// Reads the rest of an email after its head, up to [`MAX_MESSAGE`] in all.
pub fn read_rest(mut head: Vec<u8>, reader: impl Read) -> Result<Vec<u8>, String> {
    let room = MAX_MESSAGE.saturating_sub(head.len() as u64);
    reader
        .take(room + 1)
        .read_to_end(&mut head)
        .map_err(|e| describe(&e))?;
    if head.len() as u64 > MAX_MESSAGE {
        return Err(format!("email larger than {} MiB: split the mbox (for example with formail -s) or pass it as a log", MAX_MESSAGE >> 20));
    }
    Ok(head)
}

/// A reader that ends at its first error instead of failing: every stage after it reads an
/// input that stops there, keeps what came before, and the error is told at the end
/// ([`Failure::take`]). So a damaged archive costs only what follows the damage.
pub struct UntilError<R> {
    inner: R,
    failure: Failure,
}

/// Where an [`UntilError`] keeps its error.
#[derive(Clone, Default)]
pub struct Failure(std::sync::Arc<std::sync::Mutex<Option<io::Error>>>);

impl Failure {
    /// The error that ended the input, if one did, as a short phrase.
    pub fn take(&self) -> Option<String> {
        let mut slot = self.0.lock().unwrap_or_else(|e| e.into_inner());
        slot.take().map(|e| describe(&e))
    }
}

/// `reader`, ending at its first error, and where that error will be.
pub fn until_error<R: Read>(reader: R) -> (UntilError<R>, Failure) {
    let failure = Failure::default();
    let reader = UntilError {
        inner: reader,
        failure: failure.clone(),
    };
    (reader, failure)
}

impl<R: Read> Read for UntilError<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.inner.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let mut slot = self.failure.0.lock().unwrap_or_else(|e| e.into_inner());
                    slot.get_or_insert(e);
                    return Ok(0);
                }
                Ok(n) => return Ok(n),
            }
        }
    }
}

/// An I/O error as a short lower-case phrase, without Rust's "(os error 2)".
pub fn describe(e: &io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => "unreadable".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let err = open_file(&PathBuf::from("no-such-file.eml")).unwrap_err();
        assert_eq!(err.to_string(), "no-such-file.eml: no such file or directory (and not a code: codes look like 550, 5.1.1 or X.1.1)");
        let err = open_file(&PathBuf::from("src")).unwrap_err();
        assert_eq!(err.to_string(), "src: is a directory");
        let err = open_file(&PathBuf::from("./missing/file")).unwrap_err();
        assert_eq!(err.to_string(), "./missing/file: no such file or directory");
    }
}

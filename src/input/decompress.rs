//! Input stage, compressed input: gzip, bzip2, xz and zstd, told by their magic bytes (not
//! by the file's name, as `rg -z` and zgrep do), decoded as a stream.
//!
//! Nothing is held but the decoders' own windows, so memory stays flat however much a file
//! expands (a decompression bomb included: its bytes flow through the log reader like any
//! other). A file of several members or frames (`cat a.gz b.gz`, pigz, `zstd` of a stream)
//! is read to its end. A damaged or truncated archive gives an error naming the format, at
//! the point of the damage: what was decoded before it has been handed on already.

use std::fmt;
use std::io::{self, Read};

/// A compression format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Gzip => "gzip",
            Format::Bzip2 => "bzip2",
            Format::Xz => "xz",
            Format::Zstd => "zstd",
        })
    }
}

/// The magic bytes that open each format.
const MAGIC: [(&[u8], Format); 4] = [
    (&[0x1f, 0x8b], Format::Gzip),
    (b"BZh", Format::Bzip2),
    (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], Format::Xz),
    (&[0x28, 0xb5, 0x2f, 0xfd], Format::Zstd),
];

/// The format whose magic `head` starts with.
pub fn sniff(head: &[u8]) -> Option<Format> {
    MAGIC
        .iter()
        .find(|(magic, _)| head.starts_with(magic))
        .map(|&(_, format)| format)
}

/// Whether more bytes could still make `head` a magic: reading stops as soon as they cannot,
/// so that a log arriving a line at a time (`tail -f`) is not held back.
fn may_grow_into_magic(head: &[u8]) -> bool {
    MAGIC
        .iter()
        .any(|(magic, _)| head.len() < magic.len() && magic.starts_with(head))
}

/// A reader of what `reader` holds, decompressed where it is compressed, with the format
/// found (`None`: plain). Reads only the few bytes that tell, and gives them back.
pub fn open(reader: Box<dyn Read + Send>) -> io::Result<(Box<dyn Read + Send>, Option<Format>)> {
    // Buffered, so that peeking byte by byte costs no read of its own.
    let mut reader = io::BufReader::with_capacity(64 * 1024, reader);
    let mut head = Vec::with_capacity(6);
    let mut byte = [0u8; 1];
    while head.is_empty() || may_grow_into_magic(&head) {
        match reader.read(&mut byte) {
            Ok(0) => break,
            Ok(_) => head.push(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    let format = sniff(&head);
    let whole: Box<dyn Read + Send> = Box::new(io::Cursor::new(head).chain(reader));
    let Some(format) = format else {
        return Ok((whole, None));
    };
    let decoder: Box<dyn Read + Send> = match format {
        Format::Gzip => Box::new(flate2::read::MultiGzDecoder::new(whole)),
        Format::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(whole)),
        Format::Xz => Box::new(liblzma::read::XzDecoder::new_multi_decoder(whole)),
        Format::Zstd => Box::new(zstd::stream::read::Decoder::new(whole)?),
    };
    Ok((Box::new(Labelled { decoder, format }), Some(format)))
}

/// A decoder whose errors say which format was damaged and how.
struct Labelled {
    decoder: Box<dyn Read + Send>,
    format: Format,
}

impl Read for Labelled {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::Interrupted {
                return e;
            }
            let what = if e.kind() == io::ErrorKind::UnexpectedEof {
                "truncated".to_string()
            } else {
                let detail = super::read::describe(&e);
                format!("damaged ({detail})")
            };
            io::Error::new(
                e.kind(),
                format!(
                    "{} data {what}; the findings before it are kept",
                    self.format
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const TEXT: &[u8] = b"Nov  1 00:00:00 mx postfix/smtp[1]: to=<a@b.example>, dsn=5.1.1\n";

    fn compressed(format: Format, data: &[u8]) -> Vec<u8> {
        match format {
            Format::Gzip => {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Format::Bzip2 => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Format::Xz => {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Format::Zstd => zstd::encode_all(data, 1).unwrap(),
        }
    }

    fn read_all(bytes: Vec<u8>) -> (io::Result<Vec<u8>>, Option<Format>) {
        let (mut r, format) = open(Box::new(io::Cursor::new(bytes))).unwrap();
        let mut out = Vec::new();
        (r.read_to_end(&mut out).map(|_| out), format)
    }

    #[test]
    fn every_format_is_told_by_its_magic_and_decoded() {
        for format in [Format::Gzip, Format::Bzip2, Format::Xz, Format::Zstd] {
            let (out, found) = read_all(compressed(format, TEXT));
            assert_eq!(found, Some(format));
            assert_eq!(out.unwrap(), TEXT, "{format}");
        }
        let (out, found) = read_all(TEXT.to_vec());
        assert_eq!((out.unwrap(), found), (TEXT.to_vec(), None));
        let (out, found) = read_all(Vec::new());
        assert_eq!((out.unwrap(), found), (Vec::new(), None));
        // A plain text that starts like a magic is still plain.
        let (out, found) = read_all(b"BZ".to_vec());
        assert_eq!((out.unwrap(), found), (b"BZ".to_vec(), None));
    }

    #[test]
    fn members_and_frames_are_read_to_the_end() {
        for format in [Format::Gzip, Format::Bzip2, Format::Xz, Format::Zstd] {
            let mut two = compressed(format, TEXT);
            two.extend(compressed(format, TEXT));
            let (out, _) = read_all(two);
            assert_eq!(out.unwrap(), [TEXT, TEXT].concat(), "{format}");
        }
    }

    #[test]
    fn damage_is_an_error_that_names_the_format() {
        for format in [Format::Gzip, Format::Bzip2, Format::Xz, Format::Zstd] {
            let big = TEXT.repeat(2000);
            let mut bytes = compressed(format, &big);
            bytes.truncate(bytes.len() / 2);
            let (out, _) = read_all(bytes);
            let e = out.unwrap_err().to_string();
            assert!(e.contains(&format.to_string()), "{format}: {e}");
            assert!(e.contains("the findings before it are kept"), "{e}");
        }
    }
}

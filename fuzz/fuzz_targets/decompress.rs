//! The decompression path: any bytes behind each format's magic (gzip, bzip2, xz, zstd), as
//! a file, through the whole pipeline. A damaged archive may be reported; nothing panics,
//! output and errors stay terminal-safe, the JSON document is complete.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtpcode::cli::config::Input;

const MAGIC: [&[u8]; 4] = [
    &[0x1f, 0x8b],
    b"BZh",
    &[0xfd, b'7', b'z', b'X', b'Z', 0x00],
    &[0x28, 0xb5, 0x2f, 0xfd],
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let bytes = [MAGIC[usize::from(pick) % 4], rest].concat();
    smtpcode_fuzz::with_file("mail.log.z", &bytes, |path| {
        smtpcode_fuzz::check_run(vec![Input::File(path)], data.len(), true);
    });
});

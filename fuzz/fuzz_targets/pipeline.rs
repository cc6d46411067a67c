//! The whole pipeline (`smtpcode::run`) on any bytes as a log file, in text and JSON, in
//! every language, sometimes beside a file that does not exist (whose name holds an escape
//! sequence): no panic, terminal-safe output and errors, a complete JSON document; and
//! extraction's own checks on the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtpcode::cli::config::Input;

fuzz_target!(|data: &[u8]| {
    smtpcode_fuzz::check_extract(data);
    smtpcode_fuzz::with_file("mail.log", data, |path| {
        let mut inputs = vec![Input::File(path.clone())];
        if data.len() % 2 == 1 {
            inputs.push(Input::File(path.with_file_name("missing\u{1b}[2J.log")));
        }
        smtpcode_fuzz::check_run(inputs, data.len(), smtpcode_fuzz::starts_compressed(data));
    });
});

//! Any bytes as a saved bounce (`bounce.eml`) through `smtpcode::run`. Today the flat
//! scanner reads it; once MIME parsing lands in the input stage this target exercises it
//! (nesting, boundaries, transfer encodings, charsets) with the same checks as `pipeline`.
//! Run it with the MIME dictionary: `-dict=fuzz/mime.dict`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtpcode::cli::config::Input;

fuzz_target!(|data: &[u8]| {
    smtpcode_fuzz::with_file("bounce.eml", data, |path| {
        smtpcode_fuzz::check_run(vec![Input::File(path)], data.len(), smtpcode_fuzz::starts_compressed(data));
    });
});

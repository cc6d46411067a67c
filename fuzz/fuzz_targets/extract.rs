//! Extraction on any bytes: no panic, no hang, and every finding checks out
//! (`smtpcode_fuzz::check_extract`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    smtpcode_fuzz::check_extract(data);
});

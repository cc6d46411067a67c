//! What every fuzz target checks, whatever its input: the invariants of issue #5.

use smtpcode::cli::config::{Config, Input};
use smtpcode::internals::{extract, is_dangerous, Found};
use smtpcode::Lang;

use std::path::{Path, PathBuf};

/// Extracts and checks each finding: its spans slice back to its codes, its line is the
/// line of its first code, and its texts carry no control character.
pub fn check_extract(data: &[u8]) -> Vec<Found> {
    let found = extract(data);
    for f in &found {
        let mut first = None;
        if let Some((b, r)) = &f.basic {
            assert_eq!(&data[r.clone()], b.to_string().as_bytes(), "{f:?}");
            first = Some(r.start);
        }
        if let Some((e, r)) = &f.enhanced {
            assert_eq!(&data[r.clone()], e.to_string().as_bytes(), "{f:?}");
            first = first.or(Some(r.start));
        }
        let start = first.expect("a finding has a code");
        let breaks = data[..start].iter().filter(|&&b| b == b'\n').count();
        assert_eq!(f.line, 1 + breaks, "{f:?}");
        assert_safe_str(&f.text);
        f.recipient.as_deref().map(assert_safe_str);
    }
    found
}

/// Panics if `s` holds a character that acts on a terminal (see [`is_dangerous`]).
pub fn assert_safe_str(s: &str) {
    if let Some(c) = s.chars().find(|&c| is_dangerous(c) && c != '\n') {
        panic!("unsafe character {:?} in {s:?}", c);
    }
}

/// Panics unless `out` is terminal-safe text: UTF-8, no byte below 0x20 but `\n`, no DEL,
/// no C1 control, no bidirectional mark.
pub fn assert_safe_output(out: &[u8]) {
    let s = std::str::from_utf8(out).expect("output is UTF-8");
    assert!(
        !out.iter().any(|&b| (b < 0x20 && b != b'\n') || b == 0x7f),
        "control byte in {s:?}"
    );
    assert_safe_str(s);
}

/// Calls `f` with a file holding `data` (in memory where the system allows, one per
/// fuzzing process), removed afterwards.
pub fn with_file(name: &str, data: &[u8], f: impl FnOnce(PathBuf)) {
    let shm = Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let path = dir.join(format!("smtpcode-fuzz-{}-{name}", std::process::id()));
    std::fs::write(&path, data).expect("temporary file");
    f(path.clone());
    let _ = std::fs::remove_file(path);
}

/// Whether bytes open with a compression format's magic: read as an archive, they may be
/// reported damaged.
pub fn starts_compressed(data: &[u8]) -> bool {
    [&[0x1f, 0x8b][..], b"BZh", &[0xfd, b'7', b'z', b'X', b'Z', 0], &[0x28, 0xb5, 0x2f, 0xfd]]
        .iter()
        .any(|m| data.starts_with(m))
}

/// Runs the whole pipeline on `inputs`, as text (no colour) and as JSON, and checks both:
/// the text and every error message are terminal-safe, the JSON document is complete and
/// valid, and an input that cannot be read is reported while the others still are. With
/// `may_fail`, an input may also fail part way (a damaged archive). Then `--recipients`
/// (seven columns on every line) and `--summary`.
pub fn check_run(inputs: Vec<Input>, seed: usize, may_fail: bool) {
    let lang = [Lang::En, Lang::It, Lang::Fr][seed % 3];
    let width = 20 + seed % 100;
    let missing = inputs
        .iter()
        .any(|i| matches!(i, Input::File(p) if !p.exists()));
    let mut config = Config {
        inputs,
        json: false,
        color: false,
        lang,
        width,
        json_lines: false,
        summary: false,
        recipients: false,
        top: 1 + seed % 12,
        line_buffered: false,
        progress: false,
        why: false,
        ledger: None,
        suppressed: None,
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let text = smtpcode::run(&config, &mut out, &mut err).expect("writing to a Vec");
    assert_safe_output(&out);
    assert_safe_output(&err);
    if may_fail {
        assert!(text.errors || !missing);
    } else {
        assert_eq!(text.errors, missing);
    }
    config.json = true;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let json = smtpcode::run(&config, &mut out, &mut err).expect("writing to a Vec");
    assert_eq!(json, text, "text and JSON runs agree");
    assert_safe_output(&err);
    assert_safe_output(&out);
    let doc: serde_json::Value = serde_json::from_slice(&out).expect("a complete JSON document");
    assert_eq!(doc["schema"], 1);
    let findings = doc["findings"].as_array().expect("findings");
    assert_eq!(json.found, !findings.is_empty());

    config.json = false;
    config.recipients = true;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    smtpcode::run(&config, &mut out, &mut err).expect("writing to a Vec");
    // Tabs separate the columns; nothing else may be a control.
    let untabbed: Vec<u8> = out.iter().map(|&b| if b == b'\t' { b' ' } else { b }).collect();
    assert_safe_output(&untabbed);
    assert_safe_output(&err);
    let list = String::from_utf8(out).expect("UTF-8");
    assert!(list.starts_with("address\t"));
    for line in list.lines() {
        assert_eq!(line.split('\t').count(), 7, "{line:?}");
    }
    config.recipients = false;
    config.summary = true;
    let (mut out, mut err) = (Vec::new(), Vec::new());
    smtpcode::run(&config, &mut out, &mut err).expect("writing to a Vec");
    assert_safe_output(&out);
    assert_safe_output(&err);
}

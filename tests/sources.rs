//! Where bounces really are (#14), through the binary: folders walked (Maildir, folders of
//! emails and logs), compressed files and stdin told by their magic bytes, rotated logs
//! read as one.

mod common;

use common::smtpcode;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A directory of its own for one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("smtpcode-src-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, data).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .unwrap()
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn bzip2(data: &[u8]) -> Vec<u8> {
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

/// The sources of every line of `--json-lines` output, in order, without repeats.
fn sources(stdout: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let v: Value = serde_json::from_slice(line).unwrap();
        let s = v["source"].as_str().unwrap().to_string();
        if out.last() != Some(&s) {
            out.push(s);
        }
    }
    out
}

#[test]
fn a_maildir_is_walked_in_order_without_tmp_and_hidden_entries() {
    let s = Scratch::new("maildir");
    s.file("Maildir/cur/1700000002.M2:2,S", &fixture("rfc3464-dsn.eml"));
    s.file("Maildir/cur/1700000001.M1:2,S", &fixture("exchange-fr.eml"));
    s.file("Maildir/new/1700000003.M3", &fixture("two-messages.mbox"));
    s.file("Maildir/tmp/1700000004.M4", &fixture("office365-ndr.eml"));
    s.file("Maildir/.Trash/cur/1", &fixture("office365-ndr.eml"));
    s.file("Maildir/logs/mail.log", b"not a bounce\n");
    s.file("Maildir/.dovecot.lock", &fixture("office365-ndr.eml"));
    let out = smtpcode()
        .args(["--json-lines"])
        .arg(s.0.join("Maildir"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let root = s.0.join("Maildir");
    let name = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    assert_eq!(
        sources(&out.stdout),
        [
            // A Maildir++ folder, hidden but a Maildir.
            name(".Trash/cur/1"),
            name("cur/1700000001.M1:2,S"),
            name("cur/1700000002.M2:2,S"),
            name("new/1700000003.M3"),
        ]
    );
    // A file without a code found in a folder is passed over in silence.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A hidden Maildir++ folder given by name is walked.
    let out = smtpcode()
        .arg("--json-lines")
        .arg(root.join(".Trash"))
        .output()
        .unwrap();
    assert_eq!(sources(&out.stdout), [name(".Trash/cur/1")]);
    // Text output names the file of each finding, as for several files.
    let out = smtpcode().arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("1700000003.M3"), "{text}");
}

/// A Maildir++ as Courier and Dovecot keep it: the inbox in `cur/` and `new/`, the user's
/// folders as hidden Maildirs beside them, the server's own files, and mail still being
/// written in the `tmp/` of each.
fn maildir_plus_plus(s: &Scratch) -> PathBuf {
    let inbox =
        b"From: friend@example.org\nTo: me@example.com\nSubject: lunch\n\nSee you at noon.\n";
    s.file("Maildir/cur/1700000001.M1P1.mx:2,S", inbox);
    s.file("Maildir/new/1700000006.M6P6.mx", inbox);
    s.file(
        "Maildir/tmp/1700000007.M7P7.mx",
        &fixture("exchange-fr.eml"),
    );
    s.file("Maildir/.Bounces/maildirfolder", b"");
    s.file(
        "Maildir/.Bounces/cur/1700000002.M2P2.mx:2,S",
        &fixture("rfc3464-dsn.eml"),
    );
    s.file(
        "Maildir/.Bounces/new/1700000003.M3P3.mx",
        &fixture("dsn-multi-recipient.eml"),
    );
    s.file(
        "Maildir/.Bounces/tmp/1700000008.M8P8.mx",
        &fixture("exchange-it.eml"),
    );
    s.file("Maildir/.Trash/maildirfolder", b"");
    s.file(
        "Maildir/.Trash/cur/1700000004.M4P4.mx:2,ST",
        &fixture("office365-ndr.eml"),
    );
    // A stray hidden file, and a hidden folder that is no Maildir, both holding a bounce.
    s.file("Maildir/.bounce-copy.eml", &fixture("two-messages.mbox"));
    s.file("Maildir/.cache/1700000005", &fixture("two-messages.mbox"));
    s.file("Maildir/subscriptions", b"Bounces\nTrash\n");
    s.0.join("Maildir")
}

/// `~/Maildir` with its bounces in a Maildir++ folder gives their verdicts (#26): the
/// hidden folders that are Maildirs are read, other hidden entries and `tmp/` are not.
#[test]
fn a_maildir_plus_plus_folder_is_read_from_the_root() {
    let s = Scratch::new("maildirpp");
    let root = maildir_plus_plus(&s);
    let name = |rel: &str| root.join(rel).to_string_lossy().into_owned();
    let out = smtpcode().arg("--json").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(String, String)> = doc["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let field = |k: &str| v[k].as_str().unwrap().to_string();
            (field("address"), field("source"))
        })
        .collect();
    let bounces = name(".Bounces/cur/1700000002.M2P2.mx:2,S");
    let delays = name(".Bounces/new/1700000003.M3P3.mx");
    let trash = name(".Trash/cur/1700000004.M4P4.mx:2,ST");
    let expected = [
        ("ivan@example.net", &bounces),
        ("one@example.net", &delays),
        ("two@example.net", &delays),
        ("three@example.net", &delays),
        ("grace@contoso.example", &trash),
    ]
    .map(|(a, s)| (a.to_string(), s.clone()));
    assert_eq!(rows, expected);
    let mut sources: Vec<&str> = (doc["findings"].as_array().unwrap().iter())
        .map(|f| f["source"].as_str().unwrap())
        .collect();
    sources.dedup();
    assert_eq!(sources, [&bounces, &delays, &trash]);

    let out = smtpcode().arg("--recipients").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<(String, String)> = (text.lines().skip(1))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            (cols[0].to_string(), cols[6].to_string())
        })
        .collect();
    assert_eq!(rows, expected, "{text}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn compressed_files_and_stdin_are_told_by_their_bytes_not_their_name() {
    let s = Scratch::new("compressed");
    let log = fixture("reasons.log");
    let email = fixture("rfc3464-dsn.eml");
    let plain = |data: &[u8]| {
        let out = smtpcode()
            .arg("--json")
            .write_stdin(data.to_vec())
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (
            v["findings"].as_array().unwrap().len(),
            v["recipients"].clone(),
        )
    };
    let (log_findings, log_verdicts) = plain(&log);
    let (mail_findings, mail_verdicts) = plain(&email);
    assert!(log_findings > 10 && mail_findings > 0);
    type Compress = fn(&[u8]) -> Vec<u8>;
    let formats: [(&str, Compress); 4] =
        [("gzip", gzip), ("bzip2", bzip2), ("xz", xz), ("zstd", zstd)];
    for (format, compress) in formats {
        for (data, findings, verdicts) in [
            (&log, log_findings, &log_verdicts),
            (&email, mail_findings, &mail_verdicts),
        ] {
            // Named as if it were plain text: the bytes tell.
            let file = s.file(&format!("{format}.txt"), &compress(data));
            for stdin in [false, true] {
                let mut cmd = smtpcode();
                cmd.arg("--json");
                if stdin {
                    cmd.write_stdin(compress(data));
                } else {
                    cmd.arg(&file);
                }
                let out = cmd.output().unwrap();
                assert_eq!(out.status.code(), Some(0), "{format} {stdin}: {out:?}");
                let v: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(
                    v["findings"].as_array().unwrap().len(),
                    findings,
                    "{format}"
                );
                let mut got = v["recipients"].clone();
                for r in got.as_array_mut().unwrap() {
                    r["source"] = Value::from("-");
                }
                assert_eq!(&got, verdicts, "{format} {stdin}");
            }
        }
    }
}

#[test]
fn a_truncated_archive_keeps_the_findings_before_the_damage() {
    let s = Scratch::new("truncated");
    // Lines that do not compress to nothing, so that half the archive is many lines.
    let mut log = Vec::new();
    for i in 0..20_000 {
        writeln!(
            log,
            "Nov  1 00:{:02}:{:02} mx postfix/smtp[{i}]: Q{i:X}: to=<user{i}@example.org>, relay=mx{}.example.org[192.0.2.1]:25, dsn=5.1.1, status=bounced (host said: 550 5.1.1 unknown user {})",
            i / 60 % 60,
            i % 60,
            i % 7,
            i * 7919 % 10007
        )
        .unwrap();
    }
    let whole = gzip(&log);
    let cut = s.file("mail.log.2.gz", &whole[..whole.len() / 2]);
    let good = s.file("mail.log", b"said: 451 4.7.1 try later\n");
    let out = smtpcode()
        .arg("--json-lines")
        .args([&cut, &good])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        format!(
            "error: {}: gzip data truncated; the findings before it are kept",
            cut.display()
        )
    );
    let lines = out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty());
    let findings = lines.count();
    // Every line before the damage, and the file after it.
    assert!(findings > 5_000 && findings < 20_000, "{findings}");
    assert_eq!(
        sources(&out.stdout).last().unwrap(),
        &good.to_string_lossy()
    );
    // Garbage after a valid magic is damage too, named as such.
    let junk = s.file("junk.zst", b"\x28\xb5\x2f\xfd garbage that is no frame");
    let out = smtpcode().arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zstd data"));
}

#[test]
fn rotated_logs_given_together_are_one_summary() {
    let s = Scratch::new("rotated");
    let log = fixture("reasons.log");
    let one = |args: &[&Path]| -> u64 {
        let out = smtpcode()
            .args(["--summary", "--json"])
            .args(args)
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["summary"]["attempts"].as_u64().unwrap()
    };
    let plain = s.file("mail.log", &log);
    let each = one(&[&plain]);
    let first = s.file("mail.log.1", &log);
    let second = s.file("mail.log.2.gz", &gzip(&log));
    let third = s.file("mail.log.3.xz", &xz(&log));
    assert_eq!(one(&[&plain, &first, &second, &third]), 4 * each);
    // A folder of them too.
    assert_eq!(one(&[&s.0]), 4 * each);
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_in_a_folder_is_reported_and_the_walk_goes_on() {
    let s = Scratch::new("loop");
    s.file("bounces/a/x.eml", &fixture("rfc3464-dsn.eml"));
    s.file("bounces/b/y.log", b"said: 550 5.1.1 unknown\n");
    std::os::unix::fs::symlink(s.0.join("bounces"), s.0.join("bounces/a/up")).unwrap();
    let out = smtpcode()
        .arg("--json-lines")
        .arg(s.0.join("bounces"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "error: {}: symbolic link loop",
            s.0.join("bounces/a/up").display()
        )),
        "{err}"
    );
    assert_eq!(sources(&out.stdout).len(), 2);
}

//! The fleet set-up (#14) with the real rsyslogd: contrib/rsyslog/smtpcode.conf, as shipped
//! (only the binary's and the output's paths changed), runs smtpcode under omprog on a
//! private rsyslogd (its own config, socket, work folder and pid file: nothing of the
//! system's is touched); mail lines sent to it come out as NDJSON, other facilities do not,
//! and a line smtpcode cannot read does not stop the ones after it.
//!
//! Skips where rsyslogd is not installed (`apt-get install rsyslog`; `.ci/run` installs it).

#![cfg(unix)]

use serde_json::Value;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_smtpcode");

fn rsyslogd() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin".into(), "/sbin".into()])
        .map(|dir| dir.join("rsyslogd"))
        .find(|p| p.is_file())
}

/// rsyslogd in the foreground, stopped (SIGTERM) and reaped when dropped.
struct Daemon(Child, PathBuf);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
        let _ = std::fs::remove_dir_all(&self.1);
    }
}

fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn lines(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    // Only whole lines: the last one may still be being written.
    let whole = text.rfind('\n').map_or("", |i| &text[..i]);
    whole
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn rsyslog_runs_smtpcode_on_the_mail_facility_and_writes_ndjson() {
    let Some(rsyslogd) = rsyslogd() else {
        eprintln!("rsyslogd is not installed (apt-get install rsyslog): skipped");
        return;
    };
    let dir = std::env::temp_dir().join(format!("smtpcode-fleet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (socket, output) = (dir.join("log.sock"), dir.join("smtpcode.ndjson"));
    let shipped = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/rsyslog/smtpcode.conf"),
    )
    .unwrap();
    assert!(shipped.contains("/usr/local/bin/smtpcode --line-buffered --json-lines"));
    let snippet = shipped
        .replace("/usr/local/bin/smtpcode", BIN)
        .replace("/var/log/smtpcode.ndjson", output.to_str().unwrap());
    std::fs::write(dir.join("smtpcode.conf"), snippet).unwrap();
    let config = format!(
        "global(workDirectory=\"{dir}\")\n\
         module(load=\"imuxsock\" SysSock.Use=\"off\")\n\
         input(type=\"imuxsock\" Socket=\"{socket}\")\n\
         include(file=\"{dir}/smtpcode.conf\")\n",
        dir = dir.display(),
        socket = socket.display()
    );
    std::fs::write(dir.join("rsyslog.conf"), config).unwrap();
    let check = Command::new(&rsyslogd)
        .args(["-N1", "-f"])
        .arg(dir.join("rsyslog.conf"))
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "rsyslogd -N1: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let child = Command::new(&rsyslogd)
        .arg("-n")
        .arg("-f")
        .arg(dir.join("rsyslog.conf"))
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let daemon = Daemon(child, dir.clone());
    wait_for("rsyslogd's socket", Duration::from_secs(20), || {
        socket.exists()
    });

    // <22> is mail.info, <14> user.info.
    let messages: [&[u8]; 5] = [
        b"<22>Dec  3 01:00:00 mx postfix/smtp[4242]: 4BC1: to=<bob@example.org>, relay=mx.example.org[192.0.2.1]:25, dsn=5.1.1, status=bounced (host mx.example.org[192.0.2.1] said: 550 5.1.1 <bob@example.org>: User unknown (in reply to RCPT TO command))",
        b"<14>Dec  3 01:00:01 mx app[1]: not mail: said: 550 5.1.1 unknown",
        // A line smtpcode finds nothing in, with bytes that are not text.
        b"<22>Dec  3 01:00:02 mx postfix/smtpd[77]: \xff\xfe\x00\x1b[31m garbage 5.5",
        b"<22>Dec  3 01:00:03 mx postfix/smtp[4243]: 5CD2: to=<ann@example.net>, relay=mx.example.net[192.0.2.2]:25, dsn=4.7.1, status=deferred (host mx.example.net[192.0.2.2] said: 451 4.7.1 greylisted, try later (in reply to RCPT TO command))",
        b"<22>Dec  3 01:00:04 mx postfix/qmgr[88]: 5CD2: removed",
    ];
    let sender = UnixDatagram::unbound().unwrap();
    for m in messages {
        sender.send_to(m, &socket).unwrap();
    }
    wait_for("two NDJSON lines", Duration::from_secs(30), || {
        lines(&output).len() >= 2
    });
    // Give a wrong third line a moment to show.
    std::thread::sleep(Duration::from_millis(300));
    let found = lines(&output);
    let brief: Vec<(String, String, String)> = found
        .iter()
        .map(|f| {
            (
                f["basic"]["code"].as_str().unwrap_or("").to_string(),
                f["enhanced"]["code"].as_str().unwrap_or("").to_string(),
                f["recipient"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        [
            ("550".into(), "5.1.1".into(), "bob@example.org".into()),
            ("451".into(), "4.7.1".into(), "ann@example.net".into()),
        ]
    );
    // The lines are those rsyslog wrote: its own timestamp and host, the sender's tag.
    let text = found[0]["text"].as_str().unwrap();
    assert!(text.starts_with("550 5.1.1"), "{text}");
    assert_eq!(found[1]["enhanced"]["class"], "transient");
    // Stopping rsyslogd stops smtpcode: none is left running.
    drop(daemon);
    wait_for(
        "smtpcode to end with rsyslogd",
        Duration::from_secs(20),
        || running(BIN) == 0,
    );
}

/// Processes running `binary` (where /proc tells).
fn running(binary: &str) -> usize {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let binary = std::fs::canonicalize(binary).unwrap();
    procs
        .flatten()
        .filter(|p| std::fs::read_link(p.path().join("exe")).is_ok_and(|exe| exe == binary))
        .count()
}

/// As a filter, smtpcode writes each finding as its line arrives and ends with status 0 on
/// SIGTERM, however long its input stays open.
#[test]
fn a_line_buffered_run_answers_each_line_and_ends_cleanly_on_sigterm() {
    use std::io::{BufRead, BufReader, Write};
    let mut child = Command::new(BIN)
        .args(["--line-buffered", "--json-lines"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    for (sent, want) in [
        ("Dec  3 01:00:00 mx postfix/smtp[1]: Q1: to=<a@example.org>, dsn=5.1.1, status=bounced (host x said: 550 5.1.1 unknown)\n", "5.1.1"),
        ("\u{1b}[2J binary \u{0} junk without a code\nDec  3 01:00:01 mx postfix/smtp[2]: Q2: to=<b@example.org>, dsn=4.2.2, status=deferred (host x said: 452 4.2.2 full)\n", "4.2.2"),
    ] {
        stdin.write_all(sent.as_bytes()).unwrap();
        stdin.flush().unwrap();
        line.clear();
        stdout.read_line(&mut line).unwrap();
        let v: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["enhanced"]["code"], want);
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
    drop(stdin);
}

/// `--recipients --line-buffered` on a live log: each verdict is written as its line
/// arrives, and a later line about the address writes the newer verdict.
#[test]
fn recipients_of_a_live_log_come_as_their_lines_arrive() {
    use std::io::{BufRead, BufReader, Write};
    let log = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/postfix-retries.log"),
    )
    .unwrap();
    let lines: Vec<&str> = log.lines().collect();
    let mut child = Command::new(BIN)
        .args(["--recipients", "--line-buffered"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut row = String::new();
    stdout.read_line(&mut row).unwrap();
    assert!(row.starts_with("address\taction\t"), "{row}");
    // Deferred first, then sent a day later: two rows for the address, the newer last.
    for (line, want) in [(lines[0], "delayed"), (lines[3], "delivered")] {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        row.clear();
        stdout.read_line(&mut row).unwrap();
        let cols: Vec<&str> = row.trim_end().split('\t').collect();
        assert_eq!((cols[0], cols[1]), ("alice@example.net", want), "{row}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

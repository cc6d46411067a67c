//! The bounce ledger (#23): `--ledger` records every verdict once, `--suppressed` answers by
//! the policy at a moment (`--as-of`), each rule shown with dated logs and bounces written
//! here; a bad policy, a newer schema and a corrupt file are clear errors; two processes
//! writing one ledger lose nothing, and one killed mid-run leaves it consistent.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_smtpcode");

/// A fresh folder under the target dir, removed first if a former run left it.
fn dir(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("ledger-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("SMTPCODE_LEDGER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// A Postfix line at an ISO 8601 moment: a bounce with `code` or, with "2.0.0", a delivery.
fn line(at: &str, to: &str, dsn: &str, said: &str) -> String {
    let status = match dsn.as_bytes()[0] {
        b'2' => "sent",
        b'4' => "deferred",
        _ => "bounced",
    };
    let reply = if dsn.starts_with('2') {
        "250".to_string()
    } else {
        format!("{}50", &dsn[..1])
    };
    format!(
        "{at} mx postfix/smtp[7]: 4F9D1: to=<{to}>, relay=mx.example.org[192.0.2.1]:25, delay=1, dsn={dsn}, status={status} (host mx.example.org said: {reply} {dsn} {said})\n"
    )
}

fn write(d: &Path, name: &str, lines: &[String]) -> String {
    let p = d.join(name);
    std::fs::write(&p, lines.concat()).unwrap();
    p.to_str().unwrap().to_string()
}

/// The `--suppressed` rows at `as_of`: (address, reason, bounces, why).
fn suppressed(ledger: &str, as_of: &str, extra: &[&str]) -> Vec<Vec<String>> {
    let mut args = vec!["--ledger", ledger, "--suppressed", "--as-of", as_of];
    args.extend(extra);
    let out = run(&args);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("address\toriginal\tsince\treason\tbounces\tlast_status\twhy")
    );
    lines
        .map(|l| l.split('\t').map(String::from).collect())
        .collect()
}

fn addresses(rows: &[Vec<String>]) -> Vec<&str> {
    rows.iter().map(|r| r[0].as_str()).collect()
}

fn count(ledger: &str) -> i64 {
    let conn = rusqlite::Connection::open(ledger).unwrap();
    conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap()
}

const UNKNOWN: &str = "<x>: Recipient address rejected: User unknown in virtual mailbox table";
const FULL: &str = "Mailbox full, quota exceeded";

#[test]
fn a_hard_bounce_suppresses_at_once_and_counts_once_however_often_fed() {
    let d = dir("hard");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let log = write(
        &d,
        "mail.log",
        &[line(
            "2026-11-02T10:00:00Z",
            "bob@example.org",
            "5.1.1",
            UNKNOWN,
        )],
    );
    // The run prints what it prints without --ledger.
    let plain = run(&[&log]);
    let recorded = run(&["--ledger", &ledger, &log]);
    assert_eq!(plain.stdout, recorded.stdout);
    assert_eq!(recorded.status.code(), Some(0));
    // Fed again, under another name (a rotated copy): still one event.
    let copy = d.join("mail.log.1");
    std::fs::copy(&log, &copy).unwrap();
    run(&["--ledger", &ledger, &log, copy.to_str().unwrap()]);
    assert_eq!(count(&ledger), 1);
    assert!(suppressed(&ledger, "2026-11-01", &[]).is_empty());
    let rows = suppressed(&ledger, "2026-11-02", &[]);
    assert_eq!(addresses(&rows), ["bob@example.org"]);
    assert_eq!(rows[0][2], "2026-11-02T10:00:00Z");
    assert_eq!(
        (
            rows[0][3].as_str(),
            rows[0][4].as_str(),
            rows[0][5].as_str()
        ),
        ("userunknown", "1", "5.1.1")
    );
    assert!(rows[0][6].starts_with("hard"), "{:?}", rows[0]);
}

#[test]
fn soft_bounces_suppress_after_three_over_seven_days_and_a_delivery_resets_them() {
    let d = dir("soft");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let soft = |at: &str, to: &str| line(at, to, "4.4.1", "Connection timed out");
    let log = write(
        &d,
        "mail.log",
        &[
            // ann: three over eight days.
            soft("2026-10-01T08:00:00Z", "ann@example.org"),
            soft("2026-10-05T08:00:00Z", "ann@example.org"),
            soft("2026-10-09T08:00:00Z", "ann@example.org"),
            // cy: three within two days: not yet.
            soft("2026-10-01T08:00:00Z", "cy@example.org"),
            soft("2026-10-02T08:00:00Z", "cy@example.org"),
            soft("2026-10-03T08:00:00Z", "cy@example.org"),
            // eve: three over ten days, but delivered in between.
            soft("2026-10-01T08:00:00Z", "eve@example.org"),
            soft("2026-10-05T08:00:00Z", "eve@example.org"),
            line(
                "2026-10-06T08:00:00Z",
                "eve@example.org",
                "2.0.0",
                "Ok: queued as 1234",
            ),
            soft("2026-10-11T08:00:00Z", "eve@example.org"),
        ],
    );
    assert_eq!(
        run(&["--ledger", &ledger, "--summary", &log]).status.code(),
        Some(0)
    );
    assert_eq!(count(&ledger), 10);
    assert!(suppressed(&ledger, "2026-10-08", &[]).is_empty());
    let rows = suppressed(&ledger, "2026-10-09", &[]);
    assert_eq!(addresses(&rows), ["ann@example.org"]);
    assert_eq!(
        (rows[0][2].as_str(), rows[0][4].as_str()),
        ("2026-10-09T08:00:00Z", "3")
    );
    assert!(
        rows[0][6].starts_with("soft: 3 bounces over 8 days"),
        "{:?}",
        rows[0]
    );
    // Months later, cy still has three bounces within two days; eve's count restarted.
    assert_eq!(
        addresses(&suppressed(&ledger, "2027-06-01", &[])),
        ["ann@example.org"]
    );
    // A policy file: two bounces over a day are enough; eve has one since her delivery.
    let policy = d.join("policy.toml");
    std::fs::write(&policy, "[soft]\nbounces = 2\ndays = 1\n").unwrap();
    let p = policy.to_str().unwrap();
    assert_eq!(
        addresses(&suppressed(&ledger, "2027-06-01", &["--policy", p])),
        ["ann@example.org", "cy@example.org"]
    );
}

#[test]
fn an_exim_delivery_without_a_reply_resets_the_soft_count_too() {
    let d = dir("exim");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let defer = |at: &str| {
        format!("{at} 1tAbCd-000Xyz-7Q == ivy@example.org R=dnslookup T=remote_smtp defer (-44) H=mx.example.org [192.0.2.1]: SMTP error from remote mail server after RCPT TO:<ivy@example.org>: 451 4.4.1 Connection timed out\n")
    };
    let log = write(
        &d,
        "mainlog",
        &[
            defer("2026-10-01 08:00:00"),
            defer("2026-10-05 08:00:00"),
            "2026-10-07 08:00:00 1tAbCd-000Xyz-7Q => ivy@example.org R=dnslookup T=remote_smtp H=mx.example.org [192.0.2.1]\n".to_string(),
            defer("2026-10-12 08:00:00"),
        ],
    );
    run(&["--ledger", &ledger, &log]);
    assert_eq!(count(&ledger), 4);
    assert!(suppressed(&ledger, "2026-12-01", &[]).is_empty());
}

#[test]
fn a_full_mailbox_expires_thirty_days_after_its_last_bounce() {
    let d = dir("full");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let full = |at: &str| line(at, "dan@example.org", "4.2.2", FULL);
    let log = write(
        &d,
        "mail.log",
        &[
            full("2026-09-01T00:00:00Z"),
            full("2026-09-04T00:00:00Z"),
            full("2026-09-08T00:00:00Z"),
        ],
    );
    run(&["--ledger", &ledger, &log]);
    let rows = suppressed(&ledger, "2026-09-20", &[]);
    assert_eq!(addresses(&rows), ["dan@example.org"]);
    assert_eq!(rows[0][3], "mailboxfull");
    assert!(
        rows[0][6].contains("expires 2026-10-08T00:00:00Z"),
        "{:?}",
        rows[0]
    );
    assert_eq!(
        addresses(&suppressed(&ledger, "2026-10-07", &[])),
        ["dan@example.org"]
    );
    assert!(suppressed(&ledger, "2026-10-08", &[]).is_empty());
}

#[test]
fn the_senders_problems_and_auto_replies_never_count_and_complaints_suppress_at_once() {
    let d = dir("sender");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let spam = |at: &str| {
        line(
            at,
            "gus@example.org",
            "5.7.1",
            "Message rejected as spam by Content Filtering",
        )
    };
    let blocked = |at: &str| {
        line(
            at,
            "gus@example.org",
            "5.7.1",
            "Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org",
        )
    };
    let log = write(
        &d,
        "mail.log",
        &[
            spam("2026-08-01T00:00:00Z"),
            blocked("2026-08-05T00:00:00Z"),
            spam("2026-08-20T00:00:00Z"),
        ],
    );
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/");
    let arf = format!("{fixtures}complaint-arf.eml");
    let vacation = format!("{fixtures}auto-reply.eml");
    run(&["--ledger", &ledger, &log, &arf, &vacation]);
    assert_eq!(count(&ledger), 5);
    let rows = suppressed(&ledger, "2026-12-31", &[]);
    assert_eq!(addresses(&rows), ["dora@example.net"]);
    // The complaint's moment is its Date header.
    assert_eq!(
        (rows[0][2].as_str(), rows[0][3].as_str()),
        ("2026-11-24T12:30:00Z", "feedback")
    );
    assert!(rows[0][6].starts_with("complaint"), "{:?}", rows[0]);
    // --json: one document.
    let out = run(&[
        "--ledger",
        &ledger,
        "--suppressed",
        "--json",
        "--as-of",
        "2026-12-31T00:00:00Z",
    ]);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["suppressed"][0]["address"], "dora@example.net");
    assert_eq!(doc["as_of"], "2026-12-31T00:00:00Z");
}

#[test]
fn syslog_lines_take_their_year_from_the_files_modification_time() {
    let d = dir("syslog");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let log = write(
        &d,
        "mail.log",
        &[line("Dec  7 10:00:01", "hal@example.org", "5.1.1", UNKNOWN)],
    );
    // Modified on 2025-12-31: the line is of 2025.
    let f = std::fs::File::options().write(true).open(&log).unwrap();
    f.set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_767_139_200))
        .unwrap();
    drop(f);
    run(&["--ledger", &ledger, &log]);
    let rows = suppressed(&ledger, "2025-12-31", &[]);
    assert_eq!(rows[0][2], "2025-12-07T10:00:01Z");
}

#[test]
fn bad_policies_newer_schemas_and_broken_ledgers_are_one_clear_line() {
    let d = dir("errors");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let policy = d.join("policy.toml");
    std::fs::write(&policy, "[soft]\nbounces = 3\ndyas = 7\n").unwrap();
    let out = run(&[
        "--ledger",
        &ledger,
        "--suppressed",
        "--policy",
        policy.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("policy.toml") && err.contains("dyas") && err.contains("line 3"),
        "{err}"
    );

    // A ledger of a newer schema: refused, and left as it was.
    run(&["--ledger", &ledger, "--suppressed"]);
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema'", [])
        .unwrap();
    drop(conn);
    let out = run(&["--ledger", &ledger, "--suppressed"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("l.db") && err.contains("version 99"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    let v: String = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(v, "99");

    // Not a database, and a folder that does not exist.
    let corrupt = d.join("corrupt.db");
    std::fs::write(&corrupt, vec![b'x'; 8192]).unwrap();
    let missing = d.join("no/such/folder/l.db");
    for bad in [corrupt, missing] {
        let b = bad.to_str().unwrap();
        let out = run(&[
            "--ledger",
            b,
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/postfix-bounced.log"
            ),
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with(&format!("error: ledger {b}: ")) && err.lines().count() == 1,
            "{err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// A log of `n` hard bounces to distinct addresses, dated a second apart.
fn big_log(d: &Path, name: &str, n: usize) -> String {
    let lines: Vec<String> = (0..n)
        .map(|i| {
            line(
                &format!(
                    "2026-01-01T{:02}:{:02}:{:02}Z",
                    i / 3600 % 24,
                    i / 60 % 60,
                    i % 60
                ),
                &format!("u{i}@{name}.example"),
                "5.1.1",
                UNKNOWN,
            )
        })
        .collect();
    write(d, name, &lines)
}

#[test]
fn two_processes_recording_at_once_lose_nothing() {
    let d = dir("concurrent");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let (a, b) = (big_log(&d, "a", 20_000), big_log(&d, "b", 20_000));
    let spawn = |log: &str| {
        Command::new(BIN)
            .args(["--ledger", &ledger, "--summary", log])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (pa, pb) = (spawn(&a), spawn(&b));
    for p in [pa, pb] {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(count(&ledger), 40_000);
}

#[test]
fn a_process_killed_mid_run_leaves_a_consistent_ledger() {
    let d = dir("killed");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let log = big_log(&d, "big", 200_000);
    let mut child = Command::new(BIN)
        .args(["--ledger", &ledger, "--summary", &log])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once the ledger holds some batches, or after a while.
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(30) {
        let recorded = rusqlite::Connection::open(&ledger)
            .and_then(|c| c.query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0)));
        if recorded.is_ok_and(|n| n > 0) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let conn = rusqlite::Connection::open(&ledger).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let n = count(&ledger);
    assert!(n <= 200_000, "{n}");
    // What was recorded is a prefix of the log: the first n addresses, no others.
    let last: Option<i64> = conn
        .query_row(
            "SELECT max(CAST(substr(address, 2, instr(address, '@') - 2) AS INTEGER)) FROM events",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(last.map_or(0, |l| l + 1), n);
    drop(conn);
    // Run again: the rest is added, nothing twice.
    assert!(run(&["--ledger", &ledger, "--summary", &log])
        .status
        .success());
    assert_eq!(count(&ledger), 200_000);
}

#[test]
fn a_live_stream_on_stdin_is_recorded_line_by_line() {
    let d = dir("live");
    let ledger = d.join("l.db").to_str().unwrap().to_string();
    let log = write(
        &d,
        "mail.log",
        &[
            line("2026-11-02T10:00:00Z", "kim@example.org", "5.1.1", UNKNOWN),
            line("2026-11-02T10:00:05Z", "lou@example.org", "5.1.1", UNKNOWN),
        ],
    );
    let out = Command::new(BIN)
        .args(["--ledger", &ledger, "--line-buffered", "--json-lines"])
        .stdin(std::fs::File::open(&log).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(count(&ledger), 2);
    // SMTPCODE_LEDGER names the ledger too.
    let out = Command::new(BIN)
        .args(["--suppressed", "--as-of", "2026-11-03"])
        .env("SMTPCODE_LEDGER", &ledger)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
}

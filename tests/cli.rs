//! Integration tests: the real binary on fixtures written for these tests.

mod common;

use common::smtpcode;
use predicates::prelude::*;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let out = smtpcode().arg("--json").args(args).output().unwrap();
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)))
}

/// The rows of `smtpcode --recipients` on `source` (a fixture, or `-` with `stdin`), below
/// its header line, each split into its columns; and the whole output, for messages.
fn listed(source: &str, stdin: Option<&str>) -> (Vec<Vec<String>>, String) {
    let mut cmd = smtpcode();
    cmd.arg("--recipients").arg(source);
    if let Some(text) = stdin {
        cmd.write_stdin(text);
    }
    let text = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
    let rows = text
        .lines()
        .skip(1)
        .map(|l| l.split('\t').map(String::from).collect())
        .collect();
    (rows, text)
}

/// (basic, enhanced, recipient) of every finding.
fn codes(v: &Value) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    let s = |x: &Value| x.as_str().map(String::from);
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                s(&f["basic"]["code"]),
                s(&f["enhanced"]["code"]),
                s(&f["recipient"]),
            )
        })
        .collect()
}

fn some(a: &str) -> Option<String> {
    Some(a.to_string())
}

#[test]
fn looks_codes_up_by_hand() {
    smtpcode()
        .arg("5.1.1")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "5.1.1  permanent  Recipient address does not exist",
        ))
        .stdout(predicate::str::contains("  Sender (acts first): "));
    smtpcode()
        .args(["--lang", "it", "4.2.2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("temporaneo"))
        .stdout(predicate::str::contains("Casella piena"));
    smtpcode()
        .args(["--lang", "fr", "550"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Expéditeur"));
}

#[test]
fn lookup_pairs_codes_in_either_order_and_falls_back() {
    for args in [&["550", "5.1.1"][..], &["5.1.1", "550"], &["550 5.1.1"]] {
        let v = json(args);
        assert_eq!(
            codes(&v),
            vec![(some("550"), some("5.1.1"), None)],
            "{args:?}"
        );
        assert_eq!(v["findings"][0]["source"], "argument");
        assert_eq!(v["findings"][0]["line"], Value::Null);
    }
    let v = json(&["5.1.99", "4.7.650", "299", "x.1.1"]);
    let f = v["findings"].as_array().unwrap();
    assert_eq!(f.len(), 4);
    assert_eq!(
        (
            f[0]["enhanced"]["known"].as_bool(),
            f[0]["enhanced"]["class"].as_str()
        ),
        (Some(false), Some("permanent"))
    );
    assert_eq!(f[1]["enhanced"]["known"], false);
    assert_eq!(
        (
            f[2]["basic"]["known"].as_bool(),
            f[2]["basic"]["class"].as_str()
        ),
        (Some(false), Some("success"))
    );
    assert_eq!(
        (
            f[3]["enhanced"]["code"].as_str(),
            f[3]["enhanced"]["class"].is_null()
        ),
        (Some("X.1.1"), true)
    );
}

#[test]
fn bad_arguments_are_errors_naming_them_and_others_still_run() {
    smtpcode()
        .args(["5.1", "550"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: 5.1: no such file or directory",
        ))
        .stdout(predicate::str::contains("550"));
    smtpcode()
        .args(["--lang", "pt", "550"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown language 'pt' (available: en, it, fr, de, es)",
        ));
    smtpcode()
        .args(["tests/fixtures/missing.eml", "tests/fixtures/exim.log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "tests/fixtures/missing.eml: no such file",
        ))
        .stdout(predicate::str::contains("5.7.1"));
}

#[test]
fn postfix_lines_pair_dsn_and_reply() {
    let v = json(&["tests/fixtures/postfix-bounced.log"]);
    assert_eq!(
        codes(&v),
        vec![(some("550"), some("5.1.1"), some("bob@example.org"))]
    );
    assert_eq!(v["findings"][0]["line"], 1);
    assert!(v["findings"][0]["text"]
        .as_str()
        .unwrap()
        .starts_with("550 5.1.1 <bob@example.org>: Recipient address rejected"));
    assert_eq!(v["recipients"][0]["action"], "failed");
    let v = json(&["tests/fixtures/postfix-deferred.log"]);
    assert_eq!(
        codes(&v),
        vec![(some("452"), some("4.2.2"), some("carla@example.net"))]
    );
    assert_eq!(v["findings"][0]["enhanced"]["class"], "transient");
    assert_eq!(v["recipients"][0]["action"], "delayed");
}

#[test]
fn exim_and_sendmail_lines() {
    assert_eq!(
        codes(&json(&["tests/fixtures/exim.log"])),
        vec![(some("550"), some("5.7.1"), some("dave@example.com"))]
    );
    assert_eq!(
        codes(&json(&["tests/fixtures/sendmail.log"])),
        vec![(None, some("5.1.2"), some("erin@example.org"))]
    );
}

#[test]
fn gmail_multi_line_reply_is_one_finding() {
    let v = json(&["tests/fixtures/gmail-multiline.txt"]);
    let replies: Vec<_> = codes(&v).into_iter().filter(|c| c.0.is_some()).collect();
    // Amazon SES's report, read as a bounce from its opening: the reply is about its
    // recipient.
    assert_eq!(
        replies,
        vec![(
            some("550"),
            some("5.1.1"),
            some("frank.nobody@gmail.example")
        )]
    );
    let reply = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["basic"]["code"] == "550")
        .unwrap();
    assert_eq!(reply["line"], 5);
}

#[test]
fn office365_ndr_and_rfc3464_dsn() {
    let v = json(&["tests/fixtures/office365-ndr.eml"]);
    let c = codes(&v);
    assert_eq!(
        c[0],
        (some("550"), some("5.1.10"), some("grace@contoso.example"))
    );
    assert!(c.iter().all(|x| x.1.as_deref() == Some("5.1.10")), "{c:?}");
    assert_eq!(v["findings"][0]["enhanced"]["known"], true);
    let v = json(&["tests/fixtures/rfc3464-dsn.eml"]);
    let c = codes(&v);
    assert_eq!(c[0], (some("552"), some("5.2.2"), some("ivan@example.net")));
    assert!(c.iter().all(|x| x.1.as_deref() == Some("5.2.2")), "{c:?}");
}

#[test]
fn greylisting_is_temporary() {
    let v = json(&["tests/fixtures/greylisting.txt"]);
    assert_eq!(
        codes(&v),
        vec![(some("451"), some("4.7.1"), some("judy@example.com"))]
    );
    assert_eq!(v["findings"][0]["basic"]["class"], "transient");
}

#[test]
fn text_without_codes_yields_nothing_and_exit_1() {
    smtpcode()
        .arg("tests/fixtures/no-codes.txt")
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "no SMTP reply or enhanced status code found",
        ));
    let v = json(&["tests/fixtures/no-codes.txt"]);
    assert_eq!(v["findings"], Value::Array(vec![]));
}

#[test]
fn stdin_is_read_without_arguments_and_with_dash() {
    let log = std::fs::read("tests/fixtures/postfix-bounced.log").unwrap();
    smtpcode()
        .write_stdin(log.clone())
        .assert()
        .success()
        .stdout(predicate::str::contains("550 5.1.1  permanent"));
    let out = smtpcode()
        .args(["--json", "-"])
        .write_stdin(log)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["source"], "-");
}

#[test]
fn several_files_name_their_source() {
    smtpcode()
        .args(["tests/fixtures/exim.log", "tests/fixtures/greylisting.txt"])
        .assert()
        .success()
        .stdout(predicate::str::contains("tests/fixtures/exim.log, line 1"))
        .stdout(predicate::str::contains(
            "tests/fixtures/greylisting.txt, line 1",
        ));
}

#[test]
fn colour_follows_the_flag_and_json_never_has_it() {
    smtpcode()
        .args(["--color", "always", "550"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}[1;35mpermanent"));
    smtpcode()
        .args(["--color", "always", "250"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}[1;34msuccess"));
    smtpcode()
        .args(["--color", "always", "451"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}[1;33mtemporary"));
    smtpcode()
        .arg("550")
        .assert()
        .stdout(predicate::str::contains("\u{1b}").not());
    smtpcode()
        .args(["--color", "always", "--json", "550"])
        .assert()
        .stdout(predicate::str::contains("\u{1b}").not());
}

/// The advice labels are coloured by who makes the fix, as the seed tables colour it: red
/// for the sender, green for the recipient, bold alone for an administrator; no class
/// shares those colours.
#[test]
fn advice_labels_are_coloured_by_who_fixes_it() {
    let out = smtpcode()
        .args(["--color", "always", "--lang", "en", "5.1.1"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\u{1b}[1;31mSender"), "{text}");
    assert!(text.contains("\u{1b}[1;32mRecipient:"), "{text}");
    assert!(text.contains("\u{1b}[1mAdministrator:"), "{text}");
    for class in ["[1;31m", "[1;32m"] {
        let painted = text.lines().next().unwrap();
        assert!(!painted.contains(class), "class line {painted:?}");
    }
}

#[test]
fn language_comes_from_the_environment() {
    smtpcode()
        .env("LANG", "it_IT.UTF-8")
        .arg("550")
        .assert()
        .stdout(predicate::str::contains("Mittente"));
    smtpcode()
        .env("LANG", "it_IT.UTF-8")
        .env("SMTPCODE_LANG", "fr")
        .arg("550")
        .assert()
        .stdout(predicate::str::contains("Expéditeur"));
    let v = json(&["--lang", "fr", "550"]);
    assert_eq!(v["findings"][0]["lang"], "fr");
    assert!(
        v["findings"][0]["advice"].get("sender").is_some(),
        "JSON keys stay English"
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let hostile =
        b"550 5.1.1 <x@example.org> \x1b]0;pwned\x07\x1b[2J gone \xe2\x80\xae evil\n".to_vec();
    let out = smtpcode().arg("-").write_stdin(hostile).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
        "{text}"
    );
    assert!(text.contains("\\x1B]0;pwned"));
}

#[test]
fn latin1_and_binary_input_is_read() {
    let mut input =
        b"R\xe9ponse du serveur : 550 5.1.1 utilisateur inconnu\n\x00\x01\xff\xfe".to_vec();
    input.extend_from_slice(b"\n451 4.7.1 try later\n");
    let out = smtpcode()
        .args(["--json", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(codes(&v).len(), 2);
    assert!(v["findings"][0]["text"]
        .as_str()
        .unwrap()
        .contains("utilisateur"));
}

#[test]
fn generates_man_page_and_help_teaches() {
    smtpcode()
        .args(["--generate", "man"])
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH smtpcode"));
    smtpcode()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("Examples:"))
        .stdout(predicate::str::contains("Exit status"));
}

/// (address, status, reply, action, message) of a verdict.
type Row = (String, Option<String>, Option<String>, String, Option<u64>);

/// Every verdict of a document.
fn verdicts(v: &Value) -> Vec<Row> {
    let s = |x: &Value| x.as_str().map(String::from);
    v["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                s(&r["address"]).unwrap(),
                s(&r["status"]),
                s(&r["reply"]),
                s(&r["action"]).unwrap(),
                r["message"].as_u64(),
            )
        })
        .collect()
}

fn verdict(a: &str, s: &str, r: &str, action: &str, m: u64) -> Row {
    (a.into(), some(s), some(r), action.into(), Some(m))
}

#[test]
fn base64_report_is_decoded() {
    let v = json(&["tests/fixtures/dsn-base64.eml"]);
    assert_eq!(
        verdicts(&v),
        [verdict("luca@example.it", "5.1.1", "550", "failed", 1)]
    );
}

#[test]
fn quoted_printable_soft_break_inside_a_code() {
    let v = json(&["tests/fixtures/qp-split-code.eml"]);
    assert_eq!(
        verdicts(&v),
        [verdict("giulia@example.net", "5.2.2", "552", "failed", 1)]
    );
    assert!(
        v["findings"][0]["text"]
            .as_str()
            .unwrap()
            .contains("casella è piena"),
        "charset decoded"
    );
}

#[test]
fn each_recipient_of_a_report_keeps_its_status() {
    let v = json(&["tests/fixtures/dsn-multi-recipient.eml"]);
    assert_eq!(
        verdicts(&v),
        [
            verdict("one@example.net", "5.1.1", "550", "failed", 1),
            verdict("two@example.net", "4.2.2", "452", "delayed", 1),
            verdict("three@example.net", "5.7.1", "550", "failed", 1)
        ],
        "a generic 5.0.0 takes the specific code of its diagnostic"
    );
}

#[test]
fn mbox_messages_are_read_one_by_one() {
    let v = json(&["tests/fixtures/two-messages.mbox"]);
    assert_eq!(
        verdicts(&v),
        [
            verdict("paolo@example.net", "5.1.1", "550", "failed", 1),
            verdict("sara@example.com", "4.7.1", "451", "delayed", 2)
        ]
    );
    assert_eq!(v["findings"][1]["line"], 14);
}

#[test]
fn the_returned_message_gives_no_findings() {
    let v = json(&["tests/fixtures/returned-versions.eml"]);
    assert_eq!(
        verdicts(&v),
        [verdict("pietro@example.net", "5.7.1", "554", "failed", 1)]
    );
    let c = codes(&v);
    assert!(c.iter().all(|x| x.1.as_deref() == Some("5.7.1")), "{c:?}");
    assert!(v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["line"].as_u64().unwrap() < 25));
}

#[test]
fn human_output_leads_with_the_verdict() {
    let out = smtpcode()
        .arg("tests/fixtures/dsn-multi-recipient.eml")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let first: Vec<&str> = text.lines().take(3).collect();
    assert!(
        first[0].starts_with("one@example.net:")
            && first[0].contains("not delivered")
            && first[0].contains("550 5.1.1"),
        "{first:?}"
    );
    assert!(
        first[1].starts_with("two@example.net:") && first[1].contains("delayed"),
        "{first:?}"
    );
    assert!(first[0].ends_with("address does not exist; hard: remove this address"));
    assert!(first[1].ends_with("mailbox full; soft: keep the address"));
}

#[test]
fn json_lines_write_one_finding_a_line_with_the_json_fields() {
    let files = [
        "tests/fixtures/postfix-bounced.log",
        "tests/fixtures/exim.log",
    ];
    let out = smtpcode().arg("--json-lines").args(files).output().unwrap();
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let doc = json(&files);
    assert_eq!(lines, *doc["findings"].as_array().unwrap());
    assert_eq!(lines.len(), 2);
}

#[test]
fn summary_counts_attempts_as_table_and_json() {
    let files = [
        "tests/fixtures/postfix-bounced.log",
        "tests/fixtures/postfix-deferred.log",
        "tests/fixtures/exim.log",
    ];
    let v = json(&[&["--summary"][..], &files].concat());
    let s = &v["summary"];
    assert_eq!(s["attempts"], 3);
    assert_eq!(s["statuses"].as_array().unwrap().len(), 3);
    assert!(s["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["code"] == "5.1.1" && x["count"] == 1));
    assert_eq!(s["classes"]["permanent"], 2);
    smtpcode()
        .arg("--summary")
        .args(files)
        .assert()
        .success()
        .stdout(predicate::str::contains("Delivery attempts: 3"))
        .stdout(predicate::str::contains(
            "5.1.1    Recipient address does not exist",
        ));
    smtpcode()
        .args(["--summary", "--lang", "it"])
        .args(files)
        .assert()
        .stdout(predicate::str::contains("Tentativi di consegna: 3"));
}

#[test]
fn line_buffered_output_is_the_same_output() {
    let log = std::fs::read("tests/fixtures/gmail-multiline.txt").unwrap();
    let plain = smtpcode().write_stdin(log.clone()).output().unwrap();
    let buffered = smtpcode()
        .arg("--line-buffered")
        .write_stdin(log)
        .output()
        .unwrap();
    assert_eq!(plain.stdout, buffered.stdout);
    assert!(!plain.stdout.is_empty());
}

/// `tail -f log | smtpcode --line-buffered`: a finding is printed while the input is still
/// open, not when 64 KiB have gathered or the input ends.
#[test]
fn line_buffered_prints_a_log_line_before_the_input_ends() {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin!("smtpcode"));
    for var in common::HOST_VARS {
        cmd.env_remove(var);
    }
    let mut child = cmd
        .args(["--line-buffered", "--color", "never"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let line = "Nov 23 10:00:00 mx postfix/smtp[1]: 4F1: to=<a@b.example>, dsn=5.1.1, status=bounced (host mx.b.example said: 550 5.1.1 user unknown)\n";
    stdin.write_all(line.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        // The place ("line 1"), then the finding.
        let (mut reader, mut first) = (BufReader::new(stdout), String::new());
        for _ in 0..2 {
            let _ = reader.read_line(&mut first);
        }
        let _ = tx.send(first);
    });
    // Generous: this is no timing test, only a finding that does not wait for the end.
    let first = rx.recv_timeout(Duration::from_secs(30));
    drop(stdin);
    let _ = child.wait();
    let first = first.expect("no output while the input stayed open");
    assert!(first.contains("5.1.1"), "{first}");
}

/// The per-status counts of `--summary` on a log made by the shared generator equal its
/// truth file. Skipped where `../shared` (or Python) is absent.
#[test]
fn summary_status_counts_equal_the_generator_truth() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let generator = root.join("../shared/bench/gen_maillog.py");
    if !generator.exists() {
        eprintln!("skipped: {} is absent", generator.display());
        return;
    }
    let dir = std::env::temp_dir().join(format!("smtpcode-truth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("small.log");
    let made = std::process::Command::new("python3")
        .arg(&generator)
        .arg(&log)
        .args(["3000000", "4"])
        .output();
    if !made.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: python3 could not run the generator");
        return;
    }
    let truth: Value =
        serde_json::from_slice(&std::fs::read(dir.join("small.truth.json")).unwrap()).unwrap();
    let v = json(&["--summary", log.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    let have: serde_json::Map<String, Value> = v["summary"]["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["code"].as_str().unwrap().contains('.'))
        .map(|s| (s["code"].as_str().unwrap().to_string(), s["count"].clone()))
        .collect();
    assert_eq!(Value::Object(have), truth["status_counts"]);
}

#[test]
fn a_bounce_pasted_without_headers_is_read_as_a_bounce() {
    let failed = |a: &str, s: &str, r: Option<&str>| {
        (
            a.to_string(),
            some(s),
            r.map(String::from),
            "failed".to_string(),
            Some(1),
        )
    };
    let cases: [(&str, Vec<Row>); 5] = [
        (
            "pasted-postfix.txt",
            vec![
                failed("carol@example.org", "5.1.1", Some("550")),
                (
                    "dave@example.com".into(),
                    some("4.2.2"),
                    some("452"),
                    "delayed".into(),
                    Some(1),
                ),
            ],
        ),
        (
            "pasted-qmail.txt",
            vec![
                failed("erin@example.org", "5.1.1", Some("550")),
                failed("frank@example.com", "5.1.2", None),
            ],
        ),
        (
            "pasted-exim.txt",
            vec![failed("ines@example.org", "5.3.4", Some("552"))],
        ),
        (
            "pasted-sendmail.txt",
            vec![failed("lena@example.com", "5.2.2", Some("552"))],
        ),
        (
            "pasted-exchange-de.txt",
            vec![
                failed("greta@example.de", "5.1.10", Some("550")),
                failed("hans@example.at", "5.2.2", Some("554")),
            ],
        ),
    ];
    for (file, want) in cases {
        let v = json(&[&format!("tests/fixtures/{file}")]);
        assert_eq!(verdicts(&v), want, "{file}");
    }
    // The same text through stdin, as a paste into a terminal is read.
    let text = std::fs::read("tests/fixtures/pasted-qmail.txt").unwrap();
    let out = smtpcode().arg("--json").write_stdin(text).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(verdicts(&v).len(), 2);
}

#[test]
fn a_log_that_quotes_a_bounce_stays_a_log() {
    // Log lines quoting a bounce's words are still read line by line: a later line about
    // the same address replaces an earlier one, and no message number is given.
    let log = "Dec  2 10:00:00 mx postfix/smtp[1]: to=<ana@example.org>, status=deferred \
               (host x said: 451 4.7.1 Hi. This is the qmail-send program)\n\
               Dec  2 10:05:00 mx postfix/smtp[1]: to=<ana@example.org>, status=sent \
               (250 2.0.0 Ok)\n";
    let out = smtpcode().arg("--json").write_stdin(log).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = verdicts(&v);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].1.as_deref(), Some("2.0.0"));
    assert_eq!(rows[0].4, None, "a log has no message numbers");
}

/// (address, status, reason, inferred, inferred from) of a verdict.
type Inferred = (String, Option<String>, String, bool, Option<String>);

#[test]
fn a_bounce_without_codes_gets_a_status_inferred_from_its_words() {
    let v = json(&["tests/fixtures/codeless.mbox"]);
    let rows: Vec<Inferred> = v["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap().to_string(),
                r["status"].as_str().map(String::from),
                r["reason"].as_str().unwrap().to_string(),
                r["inferred"].as_bool().unwrap(),
                r["inferred_from"].as_str().map(String::from),
            )
        })
        .collect();
    let row = |a: &str, s: Option<&str>, r: &str, from: Option<&str>| {
        (
            a.to_string(),
            s.map(String::from),
            r.to_string(),
            from.is_some(),
            from.map(String::from),
        )
    };
    assert_eq!(
        rows,
        [
            // It failed, but the words give no cause: no status is made up.
            row("bruno@example.com", None, "onhold", None),
            row("carla@example.com", Some("5.1.1"), "userunknown", Some("User not known")),
            row(
                "dario@example.org",
                Some("4.4.2"),
                "expired",
                Some("conversation with mx.example.org[192.0.2.9] timed out while sending RCPT TO")
            ),
            row(
                "elena@examp1e.org",
                Some("5.1.2"),
                "hostunknown",
                Some("Host or domain name not found")
            ),
            row(
                "fabio@example.com",
                Some("5.7.1"),
                "rejected",
                Some("they are not accepting mail from anna@example.net")
            ),
            row(
                "gina@example.com",
                Some("5.1.1"),
                "userunknown",
                Some("The address gina@example.com did not exactly match an email address on this server")
            ),
            row("ivo@example.com", Some("5.2.2"), "mailboxfull", Some("Sorry, the mailbox is full")),
        ]
    );
    // Each inferred status is a finding too, marked, at the line of its words.
    let inferred: Vec<(u64, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["inferred"] == true)
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["enhanced"]["code"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(inferred[0], (17, "5.1.1"));
    assert_eq!(inferred.len(), 6);
    // People read it too.
    smtpcode()
        .args(["--color", "never", "tests/fixtures/codeless.mbox"])
        .assert()
        .stdout(predicate::str::contains(
            "5.1.2  Recipient domain not found or not handled — domain does not exist; hard: remove this address (no code given; inferred from 'Host or domain name not found')",
        ));
    // A code the server gave is never marked inferred.
    let coded = json(&["tests/fixtures/rfc3464-dsn.eml"]);
    assert!(coded["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["inferred"] == false && r["inferred_from"].is_null()));
}

#[test]
fn exchange_reports_are_read_by_their_structure_in_any_language() {
    // The recipient on its own line, `Remote Server returned '...'` below it: the report's
    // words are French, Dutch or Italian, its structure the same.
    let want = [
        verdict("marc.dupont@contoso.example", "5.1.10", "550", "failed", 1),
        verdict("sophie.martin@contoso.example", "5.2.2", "554", "failed", 1),
    ];
    for lang in ["fr", "nl", "it"] {
        let file = format!("tests/fixtures/exchange-{lang}.eml");
        assert_eq!(verdicts(&json(&[&file])), want, "{file}");
        // Pasted without its headers, the same.
        let text = std::fs::read_to_string(&file).unwrap();
        let body = text.split_once("\n\n").unwrap().1.to_string();
        let out = smtpcode().arg("--json").write_stdin(body).output().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(verdicts(&v), want, "{file} pasted");
    }
}

#[test]
fn a_bounce_wrapped_by_a_filter_is_read_inside_its_attachment() {
    // A mail filter relays the bounce as an attached message (not a multipart/report):
    // the attached text reads like a bounce, so it is the report, not a returned message.
    let v = json(&["tests/fixtures/wrapped-bounce.eml"]);
    assert_eq!(
        verdicts(&v),
        [verdict("nora@example.org", "5.1.1", "550", "failed", 1)]
    );
}

#[test]
fn a_quoted_original_message_is_not_the_report() {
    // A stray blank line before the header; an address in the reply's words that the
    // bounce does not list; the returned message quoted inline, with its own To.
    let v = json(&["tests/fixtures/quoted-original.eml"]);
    assert_eq!(
        verdicts(&v),
        [verdict("olga@example.org", "5.7.1", "550", "failed", 1)]
    );
    // Where the report names nobody, the quoted message's To is the one that failed.
    let v = json(&["tests/fixtures/mobile-gateway.eml"]);
    assert_eq!(
        verdicts(&v),
        [(
            "5550100@mms.example.com".to_string(),
            None,
            None,
            "failed".to_string(),
            Some(1)
        )]
    );
}

#[test]
fn german_and_spanish_reach_the_verdicts_labels_and_summary() {
    // German from the environment, as an Austrian or Swiss locale names it.
    for locale in ["de_DE.UTF-8", "de_AT", "de_CH.UTF-8"] {
        smtpcode()
            .env("LANG", locale)
            .args(["--color", "never", "tests/fixtures/dsn-multi-recipient.eml"])
            .assert()
            .stdout(predicate::str::contains(
                "one@example.net: nicht zugestellt  550 5.1.1  Empfängeradresse existiert nicht",
            ))
            .stdout(predicate::str::contains("Absender"));
    }
    // Spanish through --lang and LANGUAGE: a provider's entry, the labels, the verdict.
    smtpcode()
        .args([
            "--lang",
            "es",
            "--color",
            "never",
            "tests/fixtures/provider-apple-dsn.eml",
        ])
        .assert()
        .stdout(predicate::str::contains(
            "ann@icloud.example: no entregado  552 5.2.2  Almacenamiento de iCloud lleno",
        ))
        .stdout(predicate::str::contains(
            "\n  Destinatario (actúa primero):",
        ));
    smtpcode()
        .env("LANGUAGE", "es_MX:en")
        .arg("4.2.2")
        .assert()
        .stdout(predicate::str::contains("Buzón lleno"));
    // The summary's titles.
    smtpcode()
        .args([
            "--lang",
            "de",
            "--summary",
            "--color",
            "never",
            "tests/fixtures/postfix-bounced.log",
        ])
        .assert()
        .stdout(predicate::str::contains("Zustellversuche"));
    smtpcode()
        .args([
            "--lang",
            "es",
            "--summary",
            "--color",
            "never",
            "tests/fixtures/postfix-bounced.log",
        ])
        .assert()
        .stdout(predicate::str::contains("Intentos de entrega"));
}

/// `--recipients`: the verdicts alone, tab-separated under a header; for a log the last
/// verdict per address; the sixth column picks the addresses to remove.
#[test]
fn recipients_list_the_last_verdict_per_address_as_columns() {
    let out = smtpcode()
        .args([
            "--recipients",
            "tests/fixtures/postfix-retries.log",
            "tests/fixtures/dsn-multi-recipient.eml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows[0],
        ["address", "action", "status", "reply", "reason", "bounce", "source", "original"]
    );
    assert!(rows.iter().all(|r| r.len() == 8), "{text}");
    // The email's verdicts come as it is read; the log's, one per address, at the end.
    let brief: Vec<(&str, &str, &str)> = rows[1..].iter().map(|r| (r[0], r[1], r[5])).collect();
    assert_eq!(
        brief,
        [
            ("one@example.net", "failed", "hard"),
            ("two@example.net", "delayed", "soft"),
            ("three@example.net", "failed", "soft"),
            // Deferred, then sent a day later: the last verdict stands.
            ("alice@example.net", "delivered", "soft"),
            ("bob@example.org", "failed", "hard"),
            ("carol@example.com", "delayed", "soft"),
        ]
    );
    assert_eq!(rows[5][2..5], ["5.1.1", "550", "userunknown"]);
    assert_eq!(rows[6][3], "-");
    let hard: Vec<&str> = rows[1..]
        .iter()
        .filter(|r| r[5] == "hard")
        .map(|r| r[0])
        .collect();
    assert_eq!(hard, ["one@example.net", "bob@example.org"]);

    // JSON: the verdict objects, in one document or one a line.
    let doc = json(&["--recipients", "tests/fixtures/postfix-retries.log"]);
    assert_eq!(doc["schema"], 1);
    assert_eq!(doc["untracked"], 0);
    assert!(doc.get("findings").is_none());
    let list = doc["recipients"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[0]["status"], "2.0.0");
    let out = smtpcode()
        .args([
            "--recipients",
            "--json-lines",
            "tests/fixtures/postfix-retries.log",
        ])
        .output()
        .unwrap();
    let lines: Vec<Value> = out
        .stdout
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_slice(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1]["address"], "bob@example.org");
    assert_eq!(lines[1]["hard"], true);

    // A code looked up by hand has no recipient.
    smtpcode()
        .args(["--recipients", "550"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--recipients"));
}

/// `--summary` counts per day (syslog, ISO 8601, Exim and RFC 5424 timestamps) and per
/// remote host (Postfix's and Sendmail's relay=, Exim's H=), titles a status by the provider
/// that explains it, and keeps each table to `--top` rows in text.
#[test]
fn summary_counts_days_and_remote_hosts_with_provider_titles() {
    let doc = json(&[
        "--summary",
        "tests/fixtures/mixed-hosts.log",
        "tests/fixtures/postfix-retries.log",
    ]);
    let s = &doc["summary"];
    let days: Vec<(String, u64)> = s["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["day"].as_str().unwrap()[5..].to_string(),
                d["attempts"].as_u64().unwrap(),
            )
        })
        .collect();
    // Calendar order; syslog's `Nov 30` and `Dec  1` get a year (checked by the unit tests).
    assert_eq!(
        days,
        [
            ("11-28".to_string(), 2),
            ("11-29".into(), 2),
            ("11-30".into(), 4),
            ("12-01".into(), 1)
        ]
    );
    let relays: Vec<(&str, u64)> = s["relays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["host"].as_str().unwrap(), r["attempts"].as_u64().unwrap()))
        .collect();
    assert_eq!(relays[0], ("mx.example.net", 3));
    assert!(relays.contains(&("mx.example.org", 3)), "{relays:?}");
    assert!(relays.contains(&("fabrikam-example.mail.protection.outlook.com", 1)));
    // Postfix's relay=none names no host.
    assert_eq!(relays.iter().map(|r| r.1).sum::<u64>(), 8);
    let banned = s["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "5.7.606")
        .unwrap();
    assert_eq!(banned["provider"], "microsoft:5.7.606-649");
    assert_eq!(banned["title"], "Sending IP banned by Microsoft");

    let out = smtpcode()
        .args(["--summary", "--top", "1", "tests/fixtures/mixed-hosts.log"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("By day:"), "{text}");
    assert!(text.contains("2026-11-30"), "{text}");
    assert!(text.contains("and 2 earlier days"), "{text}");
    assert!(text.contains("By remote host:"), "{text}");
    assert!(
        text.contains("5.7.606  Sending IP banned by Microsoft"),
        "{text}"
    );
    assert!(text.contains("and 3 more rows"), "{text}");
    // --top belongs to the summary.
    smtpcode()
        .args(["--top", "3", "tests/fixtures/mixed-hosts.log"])
        .assert()
        .code(2);
}

/// A bounce forwarded inline, its returned message quoted below it: the recipient is the
/// bounce's, not the forwarder's, and the reason comes from the bounce's own words, which
/// every reader of the report now takes from the same place (Section::report).
#[test]
fn a_bounce_forwarded_inline_is_read_through_to_its_reason() {
    let (rows, text) = listed("tests/fixtures/forwarded-bounce.eml", None);
    assert_eq!(rows.len(), 1, "{text}");
    assert_eq!(
        rows[0][..6],
        [
            "bob@example.org",
            "failed",
            "5.2.2",
            "552",
            "mailboxfull",
            "soft"
        ]
    );
}

/// Pasted without headers, Gmail's and Yahoo's reports are read as bounces from their own
/// openings: the recipient stands in a sentence (Gmail) or alone on a line (Yahoo).
#[test]
fn pasted_gmail_and_yahoo_reports_name_their_recipients() {
    for (file, want) in [
        (
            "pasted-gmail.txt",
            ["bob.smith@example.org", "failed", "5.1.1", "550"],
        ),
        (
            "pasted-yahoo.txt",
            ["dan@example.net", "failed", "-", "552"],
        ),
    ] {
        let (rows, text) = listed(&format!("tests/fixtures/{file}"), None);
        assert_eq!(rows.len(), 1, "{file}: {text}");
        assert_eq!(rows[0][..4], want, "{file}");
        assert_eq!(rows[0][5], "hard", "{file}");
    }
}

/// Reports pasted without headers, in the forms more mail systems write (our own texts
/// after each system's wording): the failed recipient, and the status its words give.
#[test]
fn pasted_reports_of_more_mail_systems_name_their_recipients() {
    let cases: [(&str, &str, &str); 15] = [
        // Smail (notify.c's banners); the returned message's To is not a failed recipient
        ("|------------------------- Message log follows: -------------------------|\n no valid recipients were found for this message\n|------------------------- Failed addresses follow: ---------------------|\n oda@example.org ... unknown host\n|------------------------- Message text follows: ------------------------|\nReceived: from mx.example.net\nTo: pia@example.org\n", "oda@example.org", "5.1.2"),
        // amavis
        ("A message from <info@example.net> to:\n-> ida@example.org\nwas considered unsolicited bulk e-mail (UBE).\n", "ida@example.org", "5.7.1"),
        // Trend Micro InterScan
        ("****** Message from InterScan Messaging Security Suite ******\n\nThe following mail could not be delivered.\nReason:  Unable to deliver message to <jon@example.org> (and other recipients in the same domain).\n", "jon@example.org", "-"),
        // MailMarshal
        ("Your message:\n   From:    ann@example.net\n   Subject: hello\n\nCould not be delivered because of\n\n550 5.1.1 User unknown\n\nThe following recipients were affected:\n    kim@example.org\n", "kim@example.org", "5.1.1"),
        // Symantec Email Security.cloud
        ("This is the mail delivery agent at Symantec Email Security.cloud.\n\nI was unable to deliver your message to the following addresses:\n\nlea@example.org\n\nReason: 550 5.2.2 mailbox full\n", "lea@example.org", "5.2.2"),
        // IMail: only the returned message's announcement says it is a bounce
        ("Unknown user: max@example.org\n\nOriginal message follows.\n\nTo: max@example.org\nSubject: hello\n", "max@example.org", "5.1.1"),
        // Google Workspace
        ("** Message not delivered **\n\nThere was a problem delivering your message to ned@example.org. See the technical details below.\n\nThe response was:\n\nThe recipient server did not accept our requests to connect. [mx.example.org 192.0.2.7: timed out]\n", "ned@example.org", "4.4.1"),
        // Amazon SES
        ("The following message to <ana@example.org> was undeliverable.\nThe reason for the problem:\n5.1.0 - Unknown address error 550-'5.1.1 <ana@example.org>... User unknown'\n", "ana@example.org", "5.1.1"),
        // Barracuda
        ("Your message to: ben@example.org\nwas blocked by our Spam Firewall. The email you sent with the following subject has NOT BEEN DELIVERED:\n\nSubject: hello\n", "ben@example.org", "5.7.1"),
        // PowerMTA
        ("Hello, this is the mail server on mta1.example.net.\n\nI am sending you this message to inform you on the delivery status of a\nmessage you previously sent.\n\n  <cleo@example.org>  delivery failed; will not continue trying\n", "cleo@example.org", "-"),
        // Exim, a pipe delivery that failed
        ("This message was created automatically by mail delivery software.\n\nA message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent error. The following address(es) failed:\n\n  pipe to |/usr/local/bin/autoreply\n    generated by dora@example.org\n", "dora@example.org", "-"),
        // Lotus Domino
        ("Your message\n\n  Subject: hello\n\nwas not delivered to:\n\n  eli@example.org\n\nbecause:\n\n  User eli (eli@example.org) not listed in Domino Directory\n", "eli@example.org", "5.1.1"),
        // A qmail-based provider
        ("Your mail message to the following address(es) could not be delivered. This\nis a permanent error.\n\n<fay@example.org>:\nThe e-mail message could not be delivered because the user's mailfolder is full.\n", "fay@example.org", "5.2.2"),
        // SurfControl
        ("Your message could not be sent.\nA transcript of the attempts to send the message follows.\nAddressed To: gus@example.org\nFailed to send to identified host,\ngus@example.org: [192.0.2.5], 550 gus@example.org... No such user\n", "gus@example.org", "5.1.1"),
        // Microsoft 365, as its report shows in a mail client
        ("Your message to hal@contoso.example couldn't be delivered.\nhal wasn't found at contoso.example.\n\nDiagnostic information for administrators:\n\nhal@contoso.example\nRemote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n", "hal@contoso.example", "5.1.10"),
    ];
    for (text, address, status) in cases {
        let (rows, list) = listed("-", Some(text));
        assert_eq!(rows.len(), 1, "{address}: {list}");
        assert_eq!((&*rows[0][0], &*rows[0][2]), (address, status), "{list}");
        assert_ne!(rows[0][1], "delivered");
    }
}

/// With several inputs, each bounce's verdict lines are headed by its file.
#[test]
fn verdicts_of_several_bounces_name_their_file() {
    let out = smtpcode()
        .args([
            "--color",
            "never",
            "tests/fixtures/dsn-multi-recipient.eml",
            "tests/fixtures/exchange-fr.eml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("tests/fixtures/dsn-multi-recipient.eml\none@example.net: "),
        "{text}"
    );
    assert!(
        text.contains("\ntests/fixtures/exchange-fr.eml\nmarc.dupont@contoso.example: "),
        "{text}"
    );
    // One input: no heading.
    let out = smtpcode()
        .args(["tests/fixtures/dsn-multi-recipient.eml"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .starts_with("one@example.net: "));
}

/// Delay notices pasted without headers (no Subject to say "delayed"): each system's own
/// words say the message is still being retried, so the recipient is delayed, not failed,
/// and a status inferred from the words is temporary.
#[test]
fn pasted_delay_notices_are_delays() {
    for (file, address, status) in [
        ("pasted-delay-postfix.txt", "ann@example.org", "4.4.1"),
        ("pasted-delay-exchange.txt", "bob@contoso.example", "-"),
        ("pasted-delay-gmail.txt", "cara@example.org", "4.4.1"),
        ("pasted-delay-sendmail.txt", "dan@example.org", "4.4.1"),
    ] {
        let (rows, text) = listed(&format!("tests/fixtures/{file}"), None);
        assert_eq!(rows.len(), 1, "{file}: {text}");
        assert_eq!(rows[0][..3], [address, "delayed", status], "{file}");
        assert_eq!(rows[0][5], "soft", "{file}");
    }
}

/// The labels of a finding's block in `lang`, as `data/<lang>.txt` words them: the reply,
/// the address, each party (also as the one who acts first) and the note.
fn labels(lang: &str) -> Vec<String> {
    let path = format!("{}/data/{lang}.txt", env!("CARGO_MANIFEST_DIR"));
    let data = std::fs::read_to_string(path).unwrap();
    let ui = data.split_once("[ui]").unwrap().1;
    let word = |key: &str| {
        (ui.lines())
            .find_map(|l| l.split_once(" = ").filter(|(k, _)| *k == key))
            .map(|(_, v)| v.to_string())
            .unwrap()
    };
    let (template, acts) = (word("label"), word("acts"));
    let mut out = Vec::new();
    for key in ["reply", "for", "note"] {
        out.push(template.replace("{}", &word(key)));
    }
    for key in [
        "sender",
        "recipient",
        "administrator",
        "sender_admin",
        "recipient_admin",
    ] {
        out.push(template.replace("{}", &word(key)));
        out.push(template.replace("{}", &format!("{} ({acts})", word(key))));
    }
    // The longest first, so that a label is not taken for one it starts with.
    out.sort_by_key(|l| std::cmp::Reverse(l.chars().count()));
    out
}

/// Checks that in every finding of `text` the labelled lines' texts start in one column:
/// after the label and its padding, or, for a label too wide, on the line below it, and
/// every hanging line there too. Returns (labels beside their text, labels on their own
/// line).
fn check_aligned(text: &str, labels: &[String]) -> (usize, usize) {
    let indent = |l: &str| l.chars().take_while(|&c| c == ' ').count();
    let (mut beside, mut alone) = (0, 0);
    for block in text.split("\n\n") {
        let lines: Vec<&str> = block.lines().collect();
        let mut column = None;
        let mut widest_beside = 0;
        let mut agree = |at: usize, line: &str| {
            assert_eq!(*column.get_or_insert(at), at, "{line:?} in\n{block}");
        };
        let mut in_tagged = false;
        for (i, line) in lines.iter().enumerate() {
            let label = (line.strip_prefix("  ")).and_then(|rest| {
                labels.iter().find(|l| {
                    rest.strip_prefix(l.as_str())
                        .is_some_and(|after| after.is_empty() || after.starts_with(' '))
                })
            });
            if let Some(label) = label {
                in_tagged = true;
                let width = 2 + label.chars().count();
                let after = &line[2 + label.len()..];
                if after.is_empty() {
                    alone += 1;
                    let next = lines.get(i + 1).expect("a text below its label");
                    agree(indent(next), next);
                    assert!(width >= indent(next), "{label:?} fits in\n{block}");
                } else {
                    beside += 1;
                    let pad = indent(after);
                    agree(width + pad, line);
                    if pad == 1 {
                        widest_beside = widest_beside.max(width);
                    }
                }
            } else if in_tagged && indent(line) > 2 {
                agree(indent(line), line);
            }
        }
        // The column is one space after the widest label beside its text.
        if let Some(c) = column.filter(|_| widest_beside > 0) {
            assert_eq!(c, widest_beside + 1, "{block}");
        }
    }
    (beside, alone)
}

/// Labels are written with plain spaces (a user's search for "Sender (acts first)" finds
/// them), and the texts after them still start in one column, in every language.
#[test]
fn text_labels_use_plain_spaces_and_align_in_every_language() {
    for lang in ["en", "it", "fr", "de", "es"] {
        let labels = labels(lang);
        for columns in ["80", "60"] {
            let out = smtpcode()
                .args(["--color", "never", "--lang", lang])
                .args([
                    "tests/fixtures/rfc3464-dsn.eml",
                    "tests/fixtures/providers.log",
                    "tests/fixtures/pasted-delay-gmail.txt",
                    "tests/fixtures/dsn-multi-recipient.eml",
                ])
                .env("COLUMNS", columns)
                .output()
                .unwrap();
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(
                !text.contains('\u{a0}'),
                "{lang}: a no-break space in\n{text}"
            );
            let (beside, alone) = check_aligned(&text, &labels);
            assert!(beside >= 20, "{lang} {columns}: {beside} labels in\n{text}");
            // An administrator who acts first has a label too wide at either width.
            assert!(alone >= 1, "{lang} {columns}: no label alone in\n{text}");
            // Only a word longer than the room (a URL) overflows, on a line of its own.
            for line in text.lines().filter(|l| l.starts_with("  ")) {
                let words = line.trim().rsplit_once(' ').map(|(_, w)| w);
                let lone = line.trim().split(' ').count() == 1
                    || words.is_some_and(|w| {
                        line.chars().count() - w.chars().count() <= columns.parse().unwrap()
                            && w.chars().count() > columns.parse::<usize>().unwrap() / 2
                    });
                assert!(
                    line.chars().count() <= columns.parse().unwrap() || lone,
                    "{lang}: {line:?} is wider than {columns}"
                );
            }
        }
    }
}

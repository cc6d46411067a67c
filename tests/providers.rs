//! Integration tests for providers, reasons, hard or soft and who acts first: the real
//! binary on fixtures written for these tests (`tests/fixtures/providers.log`,
//! `reasons.log` and a few bounces).

mod common;

use common::smtpcode;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let out = smtpcode().arg("--json").args(args).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn text(args: &[&str]) -> String {
    let out = smtpcode().args(args).output().unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// One recipient's assessment: address, provider, reason, hard, who acts first.
type Row = (String, Option<String>, String, bool, String);

fn assessed(v: &Value) -> Vec<Row> {
    let s = |x: &Value| x.as_str().unwrap_or_default().to_string();
    v["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                s(&r["address"]),
                r["provider"].as_str().map(String::from),
                s(&r["reason"]),
                r["hard"].as_bool().unwrap(),
                s(&r["acts"]),
            )
        })
        .collect()
}

fn row(a: &str, p: &str, reason: &str, hard: bool, acts: &str) -> Row {
    let p = (!p.is_empty()).then(|| p.to_string());
    (a.into(), p, reason.into(), hard, acts.into())
}

#[test]
fn each_provider_is_recognised_with_its_reason() {
    let want = [
        row(
            "ms-banned@contoso.example",
            "microsoft:5.7.606-649",
            "blocked",
            false,
            "sender-admin",
        ),
        row(
            "ms-slow@contoso.example",
            "microsoft:4.7.650",
            "badreputation",
            false,
            "sender-admin",
        ),
        row(
            "ms-nobody@contoso.example",
            "microsoft:5.4.1/access-denied",
            "userunknown",
            true,
            "sender",
        ),
        row(
            "g-dmarc@gmail.example",
            "google:5.7.26/dmarc",
            "authfailure",
            false,
            "sender-admin",
        ),
        row(
            "g-rate@gmail.example",
            "google:4.7.28",
            "badreputation",
            false,
            "sender-admin",
        ),
        row(
            "g-disabled@gmail.example",
            "google:5.2.1",
            "suspend",
            false,
            "sender",
        ),
        row(
            "y-volume@yahoo.example",
            "yahoo:TSS04",
            "badreputation",
            false,
            "sender-admin",
        ),
        row(
            "y-nobody@yahoo.example",
            "yahoo:554/no-account",
            "userunknown",
            true,
            "sender",
        ),
        row(
            "a-moved@icloud.example",
            "apple:5.1.6",
            "hasmoved",
            true,
            "sender",
        ),
        row(
            "m-nobody@mimecast.example",
            "mimecast:550/invalid-recipient",
            "userunknown",
            true,
            "sender",
        ),
        row(
            "o-nobody@orange.example",
            "orange:OFR_416",
            "userunknown",
            true,
            "sender",
        ),
        row(
            "lp-blocked@laposte.example",
            "laposte:LPN_426",
            "suspend",
            false,
            "sender",
        ),
        row(
            "c-listed@cox.example",
            "cox:CXBL",
            "blocked",
            false,
            "sender-admin",
        ),
        row(
            "s-busy@spectrum.example",
            "spectrum:AUP1300-1340",
            "toomanyconn",
            false,
            "sender-admin",
        ),
        row(
            "pp-listed@proofpoint.example",
            "proofpoint:554",
            "blocked",
            false,
            "sender-admin",
        ),
        row(
            "b-listed@barracuda.example",
            "barracuda:554",
            "blocked",
            false,
            "sender-admin",
        ),
        row(
            "gmx-ptr@gmx.example",
            "gmx:554",
            "requireptr",
            false,
            "sender-admin",
        ),
        row(
            "ses-gone@ses.example",
            "amazonses:suppressed",
            "userunknown",
            true,
            "sender",
        ),
    ];
    assert_eq!(assessed(&json(&["tests/fixtures/providers.log"])), want);
}

#[test]
fn each_reason_from_the_words_of_any_server() {
    let want = [
        row("r-unknown@example.net", "", "userunknown", true, "sender"),
        row("r-full@example.net", "", "mailboxfull", false, "recipient"),
        row(
            "r-nodomain@nosuch.example",
            "",
            "hostunknown",
            true,
            "sender",
        ),
        row(
            "r-timeout@example.org",
            "",
            "expired",
            false,
            "sender-admin",
        ),
        row("r-filtered@example.net", "", "filtered", false, "recipient"),
        row(
            "r-blocked@example.net",
            "",
            "blocked",
            false,
            "sender-admin",
        ),
        row("r-spam@example.net", "", "spamdetected", false, "sender"),
        row(
            "r-policy@example.net",
            "",
            "policyviolation",
            false,
            "sender",
        ),
        row(
            "r-dmarc@example.net",
            "",
            "authfailure",
            false,
            "sender-admin",
        ),
        row(
            "r-conn@example.net",
            "",
            "toomanyconn",
            false,
            "sender-admin",
        ),
        row(
            "r-sender@example.net",
            "",
            "rejected",
            false,
            "sender-admin",
        ),
        row("r-disabled@example.net", "", "suspend", false, "sender"),
        row(
            "r-system@example.net",
            "",
            "systemerror",
            false,
            "recipient-admin",
        ),
        row(
            "r-lost@example.net",
            "",
            "networkerror",
            false,
            "recipient-admin",
        ),
        row("r-big@example.net", "", "mesgtoobig", false, "sender"),
        row(
            "r-relay@example.net",
            "",
            "norelaying",
            false,
            "sender-admin",
        ),
        row(
            "r-tls@example.net",
            "",
            "securityerror",
            false,
            "sender-admin",
        ),
        row("r-moved@example.net", "", "hasmoved", true, "sender"),
        row("r-nullmx@example.com", "", "notaccept", true, "sender"),
        row("r-virus@example.net", "", "virusdetected", false, "sender"),
        row("r-ptr@example.net", "", "requireptr", false, "sender-admin"),
        row("r-bare@example.net", "", "contenterror", false, "sender"),
        row(
            "r-syntax@example.net",
            "",
            "syntaxerror",
            false,
            "sender-admin",
        ),
    ];
    assert_eq!(assessed(&json(&["tests/fixtures/reasons.log"])), want);
}

#[test]
fn bounces_reports_complaints_and_auto_replies() {
    let cases = [
        (
            "provider-apple-dsn.eml",
            vec![
                // Apple is named only by the report's Remote-MTA.
                row(
                    "ann@icloud.example",
                    "apple:5.2.2",
                    "mailboxfull",
                    false,
                    "recipient",
                ),
                // Refused at the greeting: the sending host is blocked.
                row("bob@example.net", "", "blocked", false, "sender-admin"),
            ],
        ),
        (
            "google-groups.eml",
            vec![row(
                "club-soci@googlegroups.example",
                "google:groups",
                "rejected",
                false,
                "sender",
            )],
        ),
        (
            "complaint-arf.eml",
            vec![row("dora@example.net", "", "feedback", false, "sender")],
        ),
        (
            "complaint-jmrp.eml",
            vec![row("erin@outlook.example", "", "feedback", false, "sender")],
        ),
        (
            "auto-reply.eml",
            vec![row("frank@example.net", "", "vacation", false, "none")],
        ),
        (
            "office365-ndr.eml",
            vec![row(
                "grace@contoso.example",
                "microsoft:5.1.10",
                "userunknown",
                true,
                "sender",
            )],
        ),
    ];
    for (file, want) in cases {
        let v = json(&[&format!("tests/fixtures/{file}")]);
        assert_eq!(assessed(&v), want, "{file}");
    }
}

#[test]
fn findings_show_the_providers_meaning_beside_the_registrys() {
    let v = json(&[
        "tests/fixtures/providers.log",
        "tests/fixtures/provider-apple-dsn.eml",
    ]);
    let find = |rcpt: &str| {
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["recipient"] == rcpt)
            .unwrap()
            .clone()
    };
    // Microsoft's 5.7.606: not in the registry, delisting is the sender's administrator's.
    let f = find("ms-banned@contoso.example");
    assert_eq!(f["provider"]["key"], "microsoft:5.7.606-649");
    assert_eq!(f["provider"]["name"], "Microsoft 365 / Exchange Online");
    assert_eq!(f["acts_first"], "sender-admin");
    assert!(f["advice"]["administrator"]
        .as_str()
        .unwrap()
        .contains("sender.office.com"));
    // Microsoft's 5.4.1 means an unknown recipient; the registry's X.4.1 is kept, and noted.
    let f = find("ms-nobody@contoso.example");
    assert_eq!(
        f["enhanced"]["title"],
        "No answer from the receiving server"
    );
    assert!(f["provider"]["note"]
        .as_str()
        .unwrap()
        .starts_with("In the IANA registry X.4.1"));
    // A reply whose host only the report names takes the provider of its recipient.
    assert_eq!(find("ann@icloud.example")["provider"]["key"], "apple:5.2.2");
    // Looked up by hand, a code has no provider.
    let v = json(&["550", "5.7.26"]);
    assert!(v["findings"][0]["provider"].is_null());
    assert_eq!(v["findings"][0]["acts_first"], "sender-admin");
}

#[test]
fn the_human_output_says_it_in_each_language() {
    let en = text(&["tests/fixtures/provider-apple-dsn.eml"]);
    let first = en.lines().next().unwrap();
    assert!(first.starts_with("ann@icloud.example:"), "{en}");
    assert!(
        first.ends_with("mailbox full; soft: keep the address"),
        "{en}"
    );
    assert!(en.contains("Recipient (acts first):"), "{en}");
    let it = text(&["--lang", "it", "tests/fixtures/provider-apple-dsn.eml"]);
    assert!(it
        .lines()
        .next()
        .unwrap()
        .ends_with("casella piena; rimbalzo recuperabile: tieni l'indirizzo"));
    assert!(it.contains("Destinatario (agisce per primo):"), "{it}");
    let fr = text(&["--lang", "fr", "tests/fixtures/reasons.log"]);
    assert!(fr.contains("Expéditeur (agit en premier) :"), "{fr}");
    let fr = text(&["--lang", "fr", "tests/fixtures/providers.log"]);
    assert!(fr.contains("IP d'envoi bannie par Microsoft"), "{fr}");
    assert!(
        fr.contains("Administrateur de l'expéditeur (agit en premier) :"),
        "{fr}"
    );
    let hard = text(&["--lang", "fr", "tests/fixtures/office365-ndr.eml"]);
    assert!(
        hard.lines()
            .next()
            .unwrap()
            .ends_with("l'adresse n'existe pas ; rejet définitif : retirez cette adresse"),
        "{hard}"
    );
}

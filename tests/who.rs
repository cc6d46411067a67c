//! Who failed (#22): each kind of address a bounce names that did not fail stays out of
//! the verdicts, on fixtures of ours written after each mail system's layout; the
//! structured fields are taken as written; `--why` says what each verdict rests on.

mod common;

use common::smtpcode;
use serde_json::Value;

/// (address, action, original) of each verdict of `file`, through `--recipients`.
fn verdicts(file: &str) -> Vec<(String, String, String)> {
    let out = smtpcode()
        .args(["--recipients", &format!("tests/fixtures/who/{file}")])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().map(|h| h.ends_with("\toriginal")),
        Some(true),
        "{text}"
    );
    lines
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            assert_eq!(cols.len(), 8, "{l}");
            (cols[0].into(), cols[1].into(), cols[7].into())
        })
        .collect()
}

fn row(address: &str, action: &str, original: &str) -> (String, String, String) {
    (address.into(), action.into(), original.into())
}

/// The returned message's header fields quoted in a report (`To: list@...`), its
/// List-Post address, the reporting system's contacts, URLs and message ids are no
/// recipients; only the address the report says failed is.
#[test]
fn addresses_that_did_not_fail_are_not_named() {
    let cases = [
        // Exchange 5.5: the message's To (a list) above the failed X.400 recipient.
        ("exchange55-list.eml", "wren@example.edu"),
        // A contact line, a write-to line and an address inside a URL.
        ("contact-line.eml", "robin@example.com"),
        // A quoted returned header with a Message-Id; the failed address in quotes.
        ("quoted-id.eml", "finch@example.ch"),
        // A bounce that is itself returned inside a report: the outer report's recipient.
        ("double-bounce.eml", "lark@example.com"),
    ];
    for (file, address) in cases {
        assert_eq!(verdicts(file), [row(address, "failed", "-")], "{file}");
    }
}

/// A failure notice with no code and no address: the returned message's To is the list
/// itself (its List-Post names it), so no one is named.
#[test]
fn a_list_address_is_never_a_verdict() {
    assert_eq!(verdicts("list-returned-to.eml"), []);
}

/// An automatic reply whose signature holds an address: the reply, not a failure.
#[test]
fn an_auto_reply_signature_is_no_failed_recipient() {
    assert_eq!(
        verdicts("vacation-signature.eml"),
        [row("karl@example.de", "auto-replied", "-")]
    );
}

/// An address on a line of its own is a failed recipient only in a report on delivery (a
/// mailer daemon's, here under Sendmail's heading); in an ordinary message it is a quote.
#[test]
fn a_bare_address_fails_only_in_a_report_on_delivery() {
    assert_eq!(verdicts("ordinary-message.eml"), []);
    assert_eq!(
        verdicts("daemon-bare-line.eml"),
        [row("carol@example.com", "failed", "-")]
    );
    // Exchange's title in Spanish, from Exchange Online's system mailbox.
    assert_eq!(
        verdicts("exchange-es-list.eml"),
        [row("luis@example.org", "failed", "-")]
    );
    // A null Return-Path (RFC 5321 §4.5.5) marks a report whatever its sender's name.
    assert_eq!(
        verdicts("null-sender-list.eml"),
        [row("dora@example.com", "failed", "-")]
    );
}

/// An ordinary message that forwards another and quotes a code names no one: the attached
/// message's To is a returned recipient only in a report on delivery.
#[test]
fn a_forwarded_message_is_no_returned_one() {
    assert_eq!(verdicts("forwarded-message-code.eml"), []);
}

/// A product's version in a Received field (`Acme Mail SMTP 4.2.8`) is no status, and the
/// field's `for` address no recipient: an ordinary message (here one whose header a stray
/// line breaks, so that all of it is read as text) has no verdict.
#[test]
fn a_received_field_holds_no_reply() {
    assert_eq!(verdicts("received-version.eml"), []);
}

/// Final-Recipient and X-Failed-Recipients as written: a quoted local part with a space,
/// a single-label domain, an RFC 6533 UTF-8 address with its escapes undone.
#[test]
fn structured_recipient_fields_are_taken_as_written() {
    assert_eq!(
        verdicts("written-addresses.eml"),
        [
            row("\"tom thumb\"@example.org", "failed", "-"),
            row("root@localhost", "failed", "-"),
            row("jörg@bücher.example", "failed", "-"),
        ]
    );
}

/// The address the sender wrote: DSN Original-Recipient (and Postfix's `expanded from`).
#[test]
fn the_original_recipient_is_reported() {
    assert_eq!(
        verdicts("expanded-from.eml"),
        [row("kite@mail.example.com", "failed", "sales@example.net")]
    );
    let out = smtpcode()
        .args(["--json", "tests/fixtures/who/expanded-from.eml"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["recipients"][0]["original"], "sales@example.net");
}

/// Old and codeless forms: Exim's hidden child, `(Originally addressed to x)`, `was
/// automatically rejected`, `x - no such user here`, `undeliverable  to x`, `Local mailbox x
/// is unavailable`, a Subject that says delivery to x failed, and a sentence wrapped over
/// two lines (`message, addressed to 'x', was\nreturned`) beside an address it does not
/// say failed.
#[test]
fn old_and_codeless_forms_name_their_address() {
    assert_eq!(
        verdicts("exim-undisclosed.txt"),
        [row("swift@example.com", "failed", "-")]
    );
    let got: Vec<String> = verdicts("old-forms.mbox")
        .into_iter()
        .map(|(a, _, _)| a)
        .collect();
    assert_eq!(
        got,
        [
            "gull@example.it",
            "tern@example.com",
            "crow@example.net.py",
            "rook@example.com",
            "dove@example.ru",
            "stork@example.it",
            "wren@example.uk"
        ]
    );
}

/// A report naming one address and its text another: the report's, and `--why` (and the
/// JSON evidence) say so.
#[test]
fn a_report_outranks_its_text_and_says_so() {
    assert_eq!(
        verdicts("dsn-contradicts-text.eml"),
        [row("heron@example.org", "failed", "-")]
    );
    let out = smtpcode()
        .args([
            "--why",
            "--color",
            "never",
            "tests/fixtures/who/dsn-contradicts-text.eml",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("address from dsn:final-recipient: Final-Recipient: heron@example.org"),
        "{text}"
    );
    assert!(
        text.contains(
            "the bounce contradicts itself dsn-over-text: the text names heron@example.com"
        ),
        "{text}"
    );
    let out = smtpcode()
        .args(["--json", "tests/fixtures/who/dsn-contradicts-text.eml"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = (doc["recipients"][0]["evidence"].as_array().unwrap().iter())
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"dsn:final-recipient") && rules.contains(&"dsn-over-text"),
        "{rules:?}"
    );
}

/// `--why` in every language: its labels are the language's own.
#[test]
fn why_speaks_each_language() {
    for (lang, word) in [
        ("en", "address from"),
        ("it", "indirizzo da"),
        ("fr", "adresse tirée de"),
        ("de", "Adresse aus"),
        ("es", "dirección tomada de"),
    ] {
        let out = smtpcode()
            .args(["--why", "--color", "never", "--lang", lang])
            .arg("tests/fixtures/who/expanded-from.eml")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(&format!("    {word} dsn:final-recipient")),
            "{lang}: {text}"
        );
    }
}

//! The block lists a reply names (issue 25): one fixture of ours per list and provider
//! code in `tests/fixtures/blocklists/`, written from the formats MTAs use when a DNS list
//! refuses (Postfix `blocked using`, Exim `is in a black list at`, Sendmail `listed at`)
//! and from the providers' documented replies; JSON and text in every language; the
//! summary's count per list.

mod common;

use common::smtpcode;
use serde_json::Value;

const DIR: &str = "tests/fixtures/blocklists";

fn run(args: &[&str]) -> String {
    let out = smtpcode().args(args).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&run(&all)).unwrap()
}

/// The keys of `data/blocklists.tsv`, in order.
fn keys() -> Vec<String> {
    let table = std::fs::read_to_string("data/blocklists.tsv").unwrap();
    table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|l| l.split('\t').next().unwrap().to_string())
        .collect()
}

fn fixture(key: &str) -> String {
    format!("{DIR}/{}.log", key.replace(':', "-"))
}

/// What each fixture's replies say is listed (`None`: nothing, or not one item for all).
const LISTED: [(&str, Option<&str>); 29] = [
    ("spamhaus:refused", Some("192.0.2.10")),
    ("spamhaus:dbl", Some("offers.example")),
    ("spamhaus:zrd", Some("fresh-shop.example")),
    ("spamhaus:css", Some("198.51.100.7")),
    ("spamhaus:sbl", Some("192.0.2.20")),
    ("spamhaus:xbl", Some("192.0.2.30")),
    ("spamhaus:pbl", Some("192.0.2.40")),
    ("spamhaus:zen", Some("192.0.2.50")),
    ("barracuda:brbl", Some("192.0.2.60")),
    ("spamcop:bl", Some("192.0.2.70")),
    ("sorbs:dnsbl", Some("192.0.2.80")),
    ("uceprotect:3", Some("192.0.2.90")),
    ("uceprotect:2", Some("192.0.2.91")),
    ("uceprotect:1", Some("192.0.2.92")),
    ("mailspike:bl", Some("192.0.2.100")),
    ("psbl:bl", Some("192.0.2.110")),
    ("invaluement:sip", Some("192.0.2.120")),
    ("proofpoint:pdr", Some("192.0.2.130")),
    ("cloudmark:csi", Some("192.0.2.140")),
    ("abusix:mail", Some("192.0.2.150")),
    ("microsoft:network", None),
    ("microsoft:reputation", Some("192.0.2.170")),
    ("microsoft:banned-ip", Some("192.0.2.180")),
    ("microsoft:tenant", None),
    ("google:reputation", None),
    ("google:authentication", Some("news.example")),
    ("yahoo:tss", Some("192.0.2.200")),
    ("yahoo:ph", None),
    ("apple:cs", None),
];

#[test]
fn every_list_and_provider_code_has_a_fixture_that_names_it() {
    let keys = keys();
    assert_eq!(keys.len(), LISTED.len(), "a row without an expectation");
    for (key, listed) in LISTED {
        assert!(keys.iter().any(|k| k == key), "{key} is not in the table");
        let path = fixture(key);
        let v = json(&[&path]);
        let findings = v["findings"].as_array().unwrap();
        assert!(!findings.is_empty(), "{path}: no finding");
        for f in findings {
            let b = &f["blocklist"];
            assert_eq!(b["key"], key, "{path}: {}", f["text"]);
            let lookup = b["lookup"].as_str().unwrap();
            assert!(lookup.starts_with("https://"), "{path}: {lookup}");
            if let Some(item) = listed {
                assert_eq!(b["listed"], item, "{path}: {}", f["text"]);
            }
            if let (Some(item), true) = (b["listed"].as_str(), lookup.contains('?')) {
                assert!(lookup.ends_with(item), "{path}: {lookup}");
            }
        }
    }
}

#[test]
fn a_listing_is_told_in_json_and_text_in_every_language() {
    let path = fixture("spamhaus:sbl");
    let words = [
        ("en", "Block list:", "Look-up and removal:"),
        ("it", "Lista di blocco:", "Verifica e rimozione:"),
        ("fr", "Liste de blocage :", "Vérification et retrait :"),
        ("de", "Sperrliste:", "Abfrage und Austragung:"),
        ("es", "Lista de bloqueo:", "Consulta y retirada:"),
    ];
    let mut meanings = Vec::new();
    for (lang, label, lookup) in words {
        let v = json(&["--lang", lang, &path]);
        let f = &v["findings"][0];
        assert_eq!(f["lang"], lang);
        let b = &f["blocklist"];
        assert_eq!(
            (&b["name"], &b["zone"], &b["listed"], &b["lookup"]),
            (
                &Value::from("Spamhaus SBL"),
                &Value::from("sbl.spamhaus.org"),
                &Value::from("192.0.2.20"),
                &Value::from("https://check.spamhaus.org/query/ip/192.0.2.20")
            )
        );
        meanings.push(b["meaning"].as_str().unwrap().to_string());
        // The next step names the list, not the generic "check block lists".
        let sender = f["advice"]["sender"].as_str().unwrap();
        assert!(sender.contains("Spamhaus SBL"), "{lang}: {sender}");
        assert_eq!(f["acts_first"], "sender-admin");
        let text = run(&["--lang", lang, "--color", "never", &path]);
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("{lang}: no block list line in\n{text}"));
        assert!(
            line.contains("Spamhaus SBL (sbl.spamhaus.org), 192.0.2.20"),
            "{line}"
        );
        let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            joined.contains(&format!(
                "{lookup} https://check.spamhaus.org/query/ip/192.0.2.20"
            )),
            "{lang}: {joined}"
        );
    }
    meanings.sort();
    meanings.dedup();
    assert_eq!(meanings.len(), 5, "each language has its own words");
}

#[test]
fn a_refused_query_is_no_listing_and_the_recipient_side_acts() {
    let v = json(&[&fixture("spamhaus:refused")]);
    let f = &v["findings"][0];
    assert_eq!(f["acts_first"], "recipient-admin");
    let admin = f["advice"]["administrator"].as_str().unwrap();
    assert!(admin.starts_with("Receiving side"), "{admin}");
    assert!(f["blocklist"]["meaning"]
        .as_str()
        .unwrap()
        .starts_with("This is not a listing"));
}

#[test]
fn a_providers_code_keeps_its_meaning_and_gains_its_list() {
    let v = json(&[&fixture("microsoft:banned-ip")]);
    let f = &v["findings"][0];
    assert_eq!(f["provider"]["key"], "microsoft:5.7.606-649");
    assert_eq!(f["blocklist"]["lookup"], "https://sender.office.com/");
    assert_eq!(f["blocklist"]["listed"], "192.0.2.180");
}

#[test]
fn the_summary_counts_refusals_per_list_in_text_and_json() {
    let v = json(&["--summary", DIR]);
    let lists = v["summary"]["lists"].as_array().unwrap();
    let count = |key: &str| {
        lists
            .iter()
            .find(|l| l["key"] == key)
            .and_then(|l| l["count"].as_u64())
    };
    assert_eq!(count("spamhaus:sbl"), Some(2));
    assert_eq!(count("microsoft:network"), Some(2));
    assert_eq!(count("spamcop:bl"), Some(1));
    for key in keys() {
        assert!(count(&key).is_some(), "{key} not counted: {lists:?}");
    }
    for (lang, heading) in [
        ("en", "Refusals by block list:"),
        ("it", "Rifiuti per lista di blocco:"),
        ("fr", "Refus par liste de blocage :"),
        ("de", "Ablehnungen nach Sperrliste:"),
        ("es", "Rechazos por lista de bloqueo:"),
    ] {
        let text = run(&["--summary", "--top", "40", "--lang", lang, DIR]);
        let at = text
            .find(heading)
            .unwrap_or_else(|| panic!("{lang}:\n{text}"));
        let table: Vec<&str> = text[at..]
            .lines()
            .skip(1)
            .take_while(|l| !l.is_empty())
            .collect();
        assert!(
            table.iter().any(|l| l.trim() == "2  Spamhaus SBL"),
            "{table:?}"
        );
        assert_eq!(table.len(), keys().len(), "{table:?}");
    }
}

#[test]
fn a_named_item_that_is_no_ip_or_domain_never_reaches_the_page_or_the_screen() {
    let dir = std::env::temp_dir().join(format!("smtpcode-bl-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("hostile.log");
    let line = "Dec  1 10:00:01 mta postfix/smtp[1]: 4AB: to=<u@example.net>, relay=mx.example.net[203.0.113.25]:25, dsn=5.7.1, status=bounced (host mx.example.net[203.0.113.25] said: 554 5.7.1 Service unavailable; Sender address [evil\u{1b}[2J.example] blocked using dbl.spamhaus.org; see https://www.spamhaus.org/query/domain/x%0a<script> (in reply to RCPT TO command))\n";
    std::fs::write(&path, line).unwrap();
    let p = path.to_str().unwrap();
    let v = json(&[p]);
    let b = &v["findings"][0]["blocklist"];
    assert_eq!(b["key"], "spamhaus:dbl");
    // Whatever is kept is a plain host name: letters, digits, dots and hyphens.
    let listed = b["listed"].as_str().unwrap_or_default();
    assert!(
        listed
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-'),
        "{b}"
    );
    assert!(
        !listed.contains("script") && !listed.contains("evil"),
        "{b}"
    );
    assert_eq!(b["lookup"], "https://check.spamhaus.org/");
    let text = run(&["--color", "never", p]);
    assert!(!text.contains('\u{1b}'), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_emails_summary_counts_each_recipient_once_per_list() {
    let v = json(&["--summary", "tests/fixtures/blocklist-dsn.eml"]);
    let lists = &v["summary"]["lists"];
    assert_eq!(lists.as_array().map(Vec::len), Some(1), "{lists}");
    assert_eq!(
        (&lists[0]["key"], &lists[0]["count"]),
        (&Value::from("spamcop:bl"), &Value::from(2))
    );
}

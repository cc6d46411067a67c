//! Input stage, for Amazon SES notifications: the JSON that SES (often wrapped in an SNS
//! envelope whose `Message` is the JSON as a string) sends about bounces, complaints and
//! deliveries, read as a delivery-status report.

use crate::input::dsn::{Group, Report};
use crate::text::address;
use serde_json::Value;

/// The report in a text holding an SES notification, if it holds one.
pub fn parse(text: &[u8]) -> Option<Report> {
    let start = text.iter().position(|&b| b == b'{')?;
    let end = text.iter().rposition(|&b| b == b'}')?;
    let mut value: Value = serde_json::from_slice(text.get(start..=end)?).ok()?;
    if let Some(inner) = value.get("Message").and_then(Value::as_str) {
        value = serde_json::from_str(inner).ok()?;
    }
    let kind = value
        .get("notificationType")
        .or(value.get("eventType"))?
        .as_str()?
        .to_ascii_lowercase();
    let groups = match kind.as_str() {
        "bounce" => list(&value["bounce"]["bouncedRecipients"], |r| Group {
            recipient: email(&r["emailAddress"]),
            action: r["action"]
                .as_str()
                .map(str::to_string)
                .or(Some("failed".into())),
            status: r["status"].as_str().map(str::to_string),
            diagnostic: r["diagnosticCode"].as_str().map(strip_smtp),
            ..Group::default()
        }),
        "delivery" => list(&value["delivery"]["recipients"], |r| Group {
            recipient: email(r),
            action: Some("delivered".into()),
            diagnostic: value["delivery"]["smtpResponse"]
                .as_str()
                .map(str::to_string),
            ..Group::default()
        }),
        "complaint" => list(&value["complaint"]["complainedRecipients"], |r| Group {
            recipient: email(&r["emailAddress"]),
            action: Some("complained".into()),
            ..Group::default()
        }),
        _ => Vec::new(),
    };
    Some(Report {
        reporting_mta: value["bounce"]["reportingMTA"].as_str().map(strip_smtp),
        groups,
    })
}

fn list(v: &Value, f: impl Fn(&Value) -> Group) -> Vec<Group> {
    v.as_array()
        .map(|a| a.iter().map(f).filter(|g| g.recipient.is_some()).collect())
        .unwrap_or_default()
}

fn email(v: &Value) -> Option<String> {
    address::addresses(v.as_str()?.as_bytes())
        .into_iter()
        .next()
}

/// `smtp; 550 5.1.1 user unknown` → `550 5.1.1 user unknown`.
fn strip_smtp(s: &str) -> String {
    s.split_once(';')
        .filter(|(k, _)| !k.contains(' '))
        .map_or(s, |(_, r)| r)
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bounces_in_an_sns_envelope_and_deliveries() {
        let inner = r#"{"notificationType":"Bounce","bounce":{"bouncedRecipients":[{"emailAddress":"bob@example.org","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}]}}"#;
        let outer = serde_json::json!({ "Type": "Notification", "Message": inner }).to_string();
        let r = parse(format!("header\n\n{outer}\n--\nfooter").as_bytes()).unwrap();
        let g = &r.groups[0];
        assert_eq!(
            (
                g.recipient.as_deref(),
                g.status.as_deref(),
                g.diagnostic.as_deref()
            ),
            (
                Some("bob@example.org"),
                Some("5.1.1"),
                Some("550 5.1.1 user unknown")
            )
        );
        let r = parse(br#"{"notificationType":"Delivery","delivery":{"recipients":["ok@example.org"],"smtpResponse":"250 2.6.0 received"}}"#).unwrap();
        assert_eq!(
            (
                r.groups[0].recipient.as_deref(),
                r.groups[0].action.as_deref()
            ),
            (Some("ok@example.org"), Some("delivered"))
        );
        assert!(parse(b"no json { here").is_none());
    }
}

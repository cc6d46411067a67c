//! Record stage, the policy: which addresses to suppress at a moment, from their recorded
//! history. Every figure has a default (README, "Bounce ledger") and may be set in a TOML
//! file (`--policy FILE`):
//!
//! ```toml
//! [hard]        # suppressed at the first bounce (so is any verdict marked hard)
//! reasons = ["userunknown", "hostunknown", "hasmoved", "notaccept"]
//! [complaint]   # suppressed at the first report
//! reasons = ["feedback"]
//! [soft]        # any other reason: so many bounces over at least so many days,
//! bounces = 3   # none delivered since
//! days = 7
//! [expire]      # a soft suppression ends so many days after its last bounce
//! mailboxfull = 30
//! [ignore]      # never counted against the recipient (the sender's problem, auto-replies)
//! reasons = ["blocked", "spamdetected", "vacation", ...]
//! ```

use super::store::RowRef as Row;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The policy's figures.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub hard: Reasons,
    pub complaint: Reasons,
    pub soft: Soft,
    /// Days after the last bounce that a soft suppression of a reason ends.
    pub expire: BTreeMap<String, u32>,
    pub ignore: Reasons,
}

/// A list of reasons.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reasons {
    pub reasons: Vec<String>,
}

/// The soft rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Soft {
    pub bounces: u32,
    pub days: u32,
}

impl Default for Soft {
    fn default() -> Soft {
        Soft {
            bounces: 3,
            days: 7,
        }
    }
}

fn reasons(names: &[&str]) -> Reasons {
    Reasons {
        reasons: names.iter().map(|s| s.to_string()).collect(),
    }
}

/// Reasons that say the sender's mail, host or reputation was refused, or that an
/// auto-reply came back: nothing is wrong with the recipient's address.
pub const SENDER_SIDE: &[&str] = &[
    "authfailure",
    "badreputation",
    "blocked",
    "contenterror",
    "exceedlimit",
    "mesgtoobig",
    "norelaying",
    "notcompliantrfc",
    "policyviolation",
    "rejected",
    "requireptr",
    "securityerror",
    "spamdetected",
    "speeding",
    "syntaxerror",
    "toomanyconn",
    "virusdetected",
    "vacation",
];

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            hard: reasons(&["userunknown", "hostunknown", "hasmoved", "notaccept"]),
            complaint: reasons(&["feedback"]),
            soft: Soft::default(),
            expire: BTreeMap::from([("mailboxfull".to_string(), 30)]),
            ignore: reasons(SENDER_SIDE),
        }
    }
}

impl Policy {
    /// Reads a policy file: the figures it sets, the defaults for the rest. The error
    /// names the file and the key.
    pub fn load(path: &std::path::Path) -> Result<Policy, String> {
        let name = crate::text::escape(&path.display().to_string());
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("policy {name}: {}", crate::input::describe(&e)))?;
        Policy::parse(&text).map_err(|e| format!("policy {name}: {e}"))
    }

    /// A policy from TOML text.
    pub fn parse(text: &str) -> Result<Policy, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| {
            let flat: Vec<&str> = e.message().lines().collect();
            let key = e
                .span()
                .map(|s| {
                    let before = &text[..s.start.min(text.len())];
                    let line = before.matches('\n').count() + 1;
                    format!("line {line}{}: ", key_at(text, line))
                })
                .unwrap_or_default();
            crate::text::escape(&format!("{key}{}", flat.join(" ")))
        })?;
        let known = crate::decode::reason::vocabulary::is_known;
        let lists = [
            ("hard.reasons", &policy.hard.reasons),
            ("complaint.reasons", &policy.complaint.reasons),
            ("ignore.reasons", &policy.ignore.reasons),
        ];
        for (key, list) in lists {
            if let Some(r) = list.iter().find(|r| !known(r)) {
                return Err(crate::text::escape(&format!(
                    "{key}: `{r}` is not a reason smtpcode gives (see docs/ACCURACY.md)"
                )));
            }
        }
        if let Some(r) = policy.expire.keys().find(|r| !known(r)) {
            return Err(crate::text::escape(&format!(
                "expire.{r}: `{r}` is not a reason smtpcode gives (see docs/ACCURACY.md)"
            )));
        }
        if policy.soft.bounces == 0 {
            return Err("soft.bounces: must be at least 1".into());
        }
        Ok(policy)
    }

    /// Whether one address's history (its rows, oldest first, up to `as_of`) suppresses
    /// it at `as_of`.
    pub fn judge(&self, rows: &[Row<'_>], as_of: i64) -> Option<Suppression> {
        let has = |list: &Reasons, r: &str| list.reasons.iter().any(|x| x == r);
        let mut at_once: Option<(&Row<'_>, &'static str)> = None;
        let mut soft: Vec<&Row<'_>> = Vec::new();
        for row in rows {
            if row.delivered {
                soft.clear();
                continue;
            }
            if has(&self.ignore, row.reason) {
                continue;
            }
            if at_once.is_none() {
                if has(&self.complaint, row.reason) {
                    at_once = Some((row, "complaint"));
                } else if row.hard || has(&self.hard, row.reason) {
                    at_once = Some((row, "hard"));
                }
            }
            if at_once.is_none() {
                soft.push(row);
            }
        }
        let original = rows
            .iter()
            .rev()
            .find(|r| !r.original.is_empty())
            .map(|r| r.original.to_string());
        let last = rows.iter().rev().find(|r| !r.delivered)?;
        let counted = rows
            .iter()
            .filter(|r| !r.delivered && !has(&self.ignore, r.reason))
            .count();
        if let Some((row, kind)) = at_once {
            return Some(Suppression {
                address: row.address.to_string(),
                original,
                since: row.at,
                reason: row.reason.to_string(),
                bounces: counted,
                last_status: last.status.to_string(),
                why: format!("{kind}: {} suppresses at once", row.reason),
            });
        }
        let n = self.soft.bounces as usize;
        let span = i64::from(self.soft.days) * 86_400;
        let first = soft.first()?;
        let reached = soft
            .iter()
            .enumerate()
            .find(|(i, r)| i + 1 >= n && r.at - first.at >= span)?
            .1;
        let newest = soft.last()?;
        let mut why = format!(
            "soft: {} bounces over {} days, none delivered since",
            soft.len(),
            (newest.at - first.at) / 86_400
        );
        if let Some(&days) = self.expire.get(newest.reason) {
            let ends = newest.at + i64::from(days) * 86_400;
            if as_of >= ends {
                return None;
            }
            why.push_str(&format!("; {} expires {}", newest.reason, rfc3339(ends)));
        }
        Some(Suppression {
            address: newest.address.to_string(),
            original,
            since: reached.at,
            reason: newest.reason.to_string(),
            bounces: soft.len(),
            last_status: last.status.to_string(),
            why,
        })
    }
}

/// The key written on a line of a TOML text, with its table (` (soft.days)`), if any.
fn key_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().take(line).collect();
    let Some(key) = lines
        .last()
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim())
    else {
        return String::new();
    };
    let table = lines
        .iter()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[').and_then(|l| l.strip_suffix(']')))
        .map_or(String::new(), |t| format!("{}.", t.trim()));
    format!(" ({table}{key})")
}

/// An address to suppress, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suppression {
    pub address: String,
    /// The address the sender wrote, where the bounces name another.
    pub original: Option<String>,
    /// Unix seconds from which it is suppressed.
    #[serde(serialize_with = "as_rfc3339")]
    pub since: i64,
    pub reason: String,
    /// The bounces counted against it.
    pub bounces: usize,
    pub last_status: String,
    pub why: String,
}

fn as_rfc3339<S: serde::Serializer>(t: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&rfc3339(*t))
}

/// A moment in UTC, `2026-12-07T10:00:01Z`.
pub fn rfc3339(t: i64) -> String {
    let day = crate::extract::stamp::Day::of_unix(t);
    let s = t.rem_euclid(86_400);
    format!("{day}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60)
}

/// `--as-of`: `YYYY-MM-DD` (the end of that day, UTC) or an RFC 3339 moment.
pub fn parse_moment(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.len() == 10 {
        let day = crate::extract::stamp::day(format!("{t}T00:00:00").as_bytes())?;
        return Some(day.to_days() * 86_400 + 86_399);
    }
    let t = t.replacen(' ', "T", 1);
    let stamp = crate::extract::stamp::stamp(t.as_bytes())?;
    Some(stamp.unix(stamp.day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_policies_name_the_key() {
        let e = Policy::parse("[soft]\nbounce = 3\n").unwrap_err();
        assert!(e.contains("bounce") && e.contains("line 2"), "{e}");
        let e = Policy::parse("[ignore]\nreasons = [\"blokced\"]\n").unwrap_err();
        assert!(e.contains("ignore.reasons") && e.contains("blokced"), "{e}");
        let e = Policy::parse("[soft]\ndays = \"seven\"\n").unwrap_err();
        assert!(e.contains("days"), "{e}");
        let p = Policy::parse("[soft]\nbounces = 5\n").unwrap();
        assert_eq!((p.soft.bounces, p.soft.days), (5, 7));
        assert_eq!(p.expire.get("mailboxfull"), Some(&30));
    }

    #[test]
    fn moments_as_given() {
        assert_eq!(parse_moment("1970-01-02"), Some(86_400 + 86_399));
        assert_eq!(parse_moment("1970-01-01T00:00:10Z"), Some(10));
        assert_eq!(parse_moment("1970-01-01T01:00:10+01:00"), Some(10));
        assert_eq!(parse_moment("tomorrow"), None);
        assert_eq!(rfc3339(86_400 + 3_661), "1970-01-02T01:01:01Z");
    }
}

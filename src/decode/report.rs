//! Decode stage, per recipient: a delivery-status report's group made a verdict (its Status
//! made specific by its Diagnostic-Code), and the code that decided a delivery among
//! several about one address.

use super::verdict::Verdict;
use crate::extract::code::{Basic, Enhanced};
use crate::extract::{self, Found};
use crate::input::dsn;

/// A verdict from a report group: its Status, made specific by its Diagnostic-Code.
pub(crate) fn from_group(g: &dsn::Group, source: &str, number: Option<usize>) -> Option<Verdict> {
    let address = g.recipient.clone()?;
    let diag = g
        .diagnostic
        .as_deref()
        .map(|d| extract::extract(d.as_bytes()))
        .unwrap_or_default();
    let diag_refs: Vec<&Found> = diag.iter().collect();
    let (d_status, d_reply, _) = decisive(&diag_refs).unwrap_or((None, None, String::new()));
    let mut status = g
        .status
        .as_deref()
        .and_then(Enhanced::parse)
        .filter(|e| e.class.is_some());
    let generic = status.is_none_or(|s| s.subject == 0 && s.detail == 0);
    // The remote server's own full reply (`552 5.2.2`) outranks the reporting MTA's
    // translation of it into a Status of the same class.
    let remote = d_status.filter(|d| {
        let paired = diag
            .iter()
            .any(|f| f.basic.is_some() && f.enhanced.as_ref().map(|e| e.0) == Some(*d));
        paired && (d.subject != 0 || d.detail != 0) && status.is_some_and(|s| s.class == d.class)
    });
    // A status whose class contradicts the group's own Action ("failed" with 4.5.0), where
    // the remote server's reply agrees with the Action, gives way to the reply.
    let wanted = match g.action.as_deref() {
        Some("failed") => Some(5),
        Some("delayed") => Some(4),
        _ => None,
    };
    let contradicts = wanted.is_some()
        && status.is_some_and(|s| s.class != wanted)
        && d_status.is_some_and(|d| d.class == wanted);
    if contradicts || remote.is_some() {
        status = d_status;
    } else if generic {
        if let Some(d) = d_status.filter(|d| status.is_none_or(|s| s.class == d.class)) {
            status = Some(d);
        }
    }
    let class = status.and_then(|s| s.class);
    let reply = d_reply.filter(|b| class.is_none_or(|c| c == b.first_digit()));
    let action = match g.action.as_deref() {
        Some(a @ ("failed" | "delayed" | "delivered" | "relayed" | "expanded" | "complained")) => {
            Some(a)
        }
        _ => None,
    };
    let mut v = Verdict::stated(
        address.clone(),
        action,
        (status, reply),
        g.diagnostic.clone(),
        (source, number),
    );
    match &g.final_recipient {
        Some(f) if *f == address => v.because(
            "address",
            "dsn:final-recipient",
            &format!("Final-Recipient: {f}"),
        ),
        Some(f) => v.because(
            "address",
            "dsn:original-recipient",
            &format!(
                "Original-Recipient: {address} (the Final-Recipient, {f}, is no Internet address)"
            ),
        ),
        None => v.because(
            "address",
            "dsn:original-recipient",
            &format!("Original-Recipient: {address}"),
        ),
    }
    if let Some(o) = g.original_recipient.as_ref().filter(|o| **o != address) {
        v.original = Some(o.clone());
        v.because(
            "original",
            "dsn:original-recipient",
            &format!("Original-Recipient: {o}"),
        );
    }
    let stated = g.status.as_deref().and_then(Enhanced::parse);
    match (&g.diagnostic, status) {
        (Some(d), Some(s)) if Some(s) != stated => v.because("status", "dsn:diagnostic-code", d),
        (_, Some(_)) => v.because(
            "status",
            "dsn:status",
            &format!("Status: {}", g.status.as_deref().unwrap_or("")),
        ),
        (Some(d), None) => v.because("status", "dsn:diagnostic-code", d),
        (None, None) => {}
    }
    Some(v)
}

/// The code that decided a delivery among the findings about it (rule 3 above).
pub(crate) fn decisive(found: &[&Found]) -> Option<(Option<Enhanced>, Option<Basic>, String)> {
    let class = |f: &Found| {
        f.enhanced
            .as_ref()
            .and_then(|e| e.0.class)
            .or(f.basic.as_ref().map(|b| b.0.first_digit()))
    };
    let worst = found
        .iter()
        .filter_map(|f| class(f))
        .filter(|&c| c != 3)
        .max()?;
    let sequence = |f: &Found| {
        f.basic.as_ref().is_some_and(|b| b.0 .0 == 503)
            || f.enhanced
                .as_ref()
                .is_some_and(|e| e.0.subject == 5 && e.0.detail == 1)
    };
    let mut pool: Vec<&Found> = found
        .iter()
        .copied()
        .filter(|f| class(f) == Some(worst))
        .collect();
    if pool.iter().any(|f| !sequence(f)) {
        pool.retain(|f| !sequence(f));
    }
    // A full reply (`550 5.7.1`) is the remote server's word; a lone status may be the
    // reporting MTA's own summary of it.
    let specific = |f: &&&Found| {
        f.enhanced
            .as_ref()
            .is_some_and(|e| e.0.subject != 0 || e.0.detail != 0)
    };
    let pairs = pool
        .iter()
        .filter(|f| f.basic.is_some() && f.enhanced.is_some());
    let lone = pool.iter().filter(|f| f.enhanced.is_some());
    let main = (pairs.clone().find(specific))
        .or(lone.clone().find(specific))
        .or(pairs.clone().next())
        .or(lone.clone().next())
        .or(nested(&pool))
        .or(pool.first())?;
    let status = main.enhanced.as_ref().map(|e| e.0);
    let reply = main
        .basic
        .as_ref()
        .map(|b| b.0)
        .or_else(|| pool.iter().find_map(|f| f.basic.as_ref().map(|b| b.0)));
    Some((status, reply, main.text.clone()))
}

/// Of replies without a status on one line, the last: Sendmail writes its own code, then
/// the remote server's (`554 <bob@x>... 550 Host unknown`).
fn nested<'a, 'b>(pool: &'b [&'a Found]) -> Option<&'b &'a Found> {
    let first = pool.first()?;
    pool.iter()
        .rev()
        .find(|f| f.line == first.line && f.basic.is_some())
}

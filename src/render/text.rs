//! Render stage, for people: each finding as a short coloured block.
//!
//! ```text
//! bounce.eml, line 12
//! 550 5.1.1  permanent  Recipient address does not exist
//!   The receiving server does not know the mailbox ...
//!   Server said:         550 5.1.1 <bob@example.org>: User unknown
//!   Address:             bob@example.org
//!   Sender (acts first): Check the address character by character, ...
//!                        ... hanging in the column of the texts.
//! ```
//!
//! Labels hold plain spaces, so that what a user copies is what a user types; the column is
//! kept by padding computed from display width ([`tagged`]).

use crate::decode::blocklist::Listing;
use crate::decode::catalog::Catalog;
use crate::decode::finding::{Decoded, Finding};
use crate::decode::verdict::Verdict;
use crate::text::escape;
use colored::{ColoredString, Colorize};
use std::io::{self, Write};
use unicode_width::UnicodeWidthChar;

/// How a finding is placed in its input.
pub struct Place {
    /// Name the source (several inputs were given).
    pub name_source: bool,
    /// Write what each verdict rests on under it (`--why`).
    pub why: bool,
}

/// Writes one finding.
pub fn finding(
    out: &mut dyn Write,
    cat: &Catalog,
    f: &Finding,
    place: &Place,
    width: usize,
) -> io::Result<()> {
    if let Some(line) = location(cat, f, place) {
        writeln!(out, "{}", line.dimmed())?;
    }
    writeln!(out, "{}", headline(cat, f))?;
    let main = f
        .enhanced
        .as_ref()
        .or(f.basic.as_ref())
        .expect("a finding has a code");
    match &f.provider {
        // The provider's own meaning; where it differs from the registry's, a note says so.
        Some(p) => para_after(
            out,
            "  ",
            &label(cat, &escape(&p.name)),
            &p.explanation,
            width,
        )?,
        None => para(out, "  ", &main.explanation, width)?,
    }
    if let Some(l) = &f.blocklist {
        para(out, "  ", &blocklist(cat, l), width)?;
    }
    if !main.known {
        para(out, "  ", &format!("({})", cat.ui("not_registered")), width)?;
    }
    if let (Some(b), Some(_)) = (&f.basic, &f.enhanced) {
        let title = format!("{}: {}", b.code.bold(), b.title);
        para(out, "  ", &title, width)?;
    }
    for d in [&f.basic, &f.enhanced].into_iter().flatten() {
        if d.status == "legacy" {
            para(
                out,
                "  ",
                &format!("{} {}", label(cat, &d.code), cat.ui("not_standard")).dimmed(),
                width,
            )?;
        }
    }
    // The lines that name what they say (the reply, the address, each party's advice, the
    // notes): their texts start in one column, after the widest label that fits.
    let mut block = Vec::new();
    if let Some(text) = &f.text {
        block.push((label(cat, cat.ui("reply")), escape(text)));
    }
    if let Some(words) = &f.inferred_from {
        block.push((String::new(), inferred(cat, words).dimmed().to_string()));
    }
    if let Some(r) = &f.recipient {
        block.push((label(cat, cat.ui("for")), escape(r)));
    }
    advice(&mut block, cat, f);
    tagged(out, &block, width)?;
    writeln!(out)
}

/// The line that names the block list a reply names: the list, its zone, the listed IP or
/// domain, what the listing means and where to look it up (`Block list: Spamhaus SBL
/// (zen.spamhaus.org), 192.0.2.1 — IP listed on ... Look-up and removal: https://...`).
fn blocklist(cat: &Catalog, l: &Listing) -> String {
    let mut line = format!("{} {}", label(cat, cat.ui("blocklist")), escape(l.name));
    if let Some(zone) = l.zone {
        line.push_str(&format!(" ({})", escape(zone)));
    }
    if let Some(item) = &l.listed {
        line.push_str(&format!(", {}", escape(item)));
    }
    if let Some(t) = crate::decode::blocklist::texts(cat.lang, l.key) {
        line.push_str(&format!(" — {}.", escape(t.title)));
    }
    let lookup = cat.ui("bl_lookup").replacen("{}", &escape(&l.lookup), 1);
    format!("{line} {lookup}")
}

/// Writes the verdict per recipient, one line each, before the details: the action, the
/// codes, what they mean, the reason and whether to keep the address. The lines are not
/// wrapped at `_width`, so that each stays one line for grep.
pub fn verdicts(
    out: &mut dyn Write,
    cat: &Catalog,
    verdicts: &[Verdict],
    place: &Place,
) -> io::Result<()> {
    // With several inputs (a folder of bounces), the file the verdicts come from heads them.
    if let (true, Some(first)) = (place.name_source, verdicts.first()) {
        writeln!(out, "{}", escape(&first.source).bold())?;
    }
    for v in verdicts {
        let class = match v.action.as_str() {
            "failed" => "permanent",
            "delayed" => "transient",
            _ => "success",
        };
        let action = paint(class, cat.ui(&format!("action_{}", v.action)));
        let codes: Vec<&str> = [&v.reply, &v.status]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .collect();
        let title = match &v.provider {
            Some(key) => crate::decode::provider::texts(cat.lang, key).map(|t| t.title),
            None => v
                .status
                .as_deref()
                .and_then(crate::extract::code::Enhanced::parse)
                .and_then(|e| cat.texts(&e.detail_key()))
                .map(|t| t.title),
        };
        let mut line = format!("{} {action}", label(cat, &escape(&v.address)));
        if !codes.is_empty() {
            line.push_str(&format!("  {}", codes.join(" ").bold()));
        }
        let title = title.map(|t| format!("{t} — ")).unwrap_or_default();
        let inferred = v
            .inferred_from
            .as_deref()
            .map(|w| format!(" ({})", inferred(cat, w)))
            .unwrap_or_default();
        writeln!(out, "{line}  {title}{}{inferred}", why(cat, v))?;
        if place.why {
            evidence(out, cat, v)?;
        }
    }
    if !verdicts.is_empty() {
        writeln!(out)?;
    }
    Ok(())
}

/// What a verdict rests on, a line a piece, indented under it: what was decided, by which
/// rule, from which words (`--why`).
fn evidence(out: &mut dyn Write, cat: &Catalog, v: &Verdict) -> io::Result<()> {
    for e in &v.evidence {
        let about = cat.ui(match e.about {
            "address" => "why_address",
            "original" => "why_original",
            "status" => "why_status",
            "reason" => "why_reason",
            _ => "why_conflict",
        });
        let read = if e.span.is_empty() {
            String::new()
        } else {
            format!(": {}", escape(&e.span))
        };
        writeln!(out, "    {about} {}{read}", e.rule.dimmed())?;
    }
    Ok(())
}

/// Says that the bounce gave no code and which of its words the code was inferred from.
fn inferred(cat: &Catalog, words: &str) -> String {
    cat.ui("inferred").replacen("{}", &escape(words), 1)
}

/// The reason in words and, for a failure, whether to keep the address.
fn why(cat: &Catalog, v: &Verdict) -> String {
    let reason = cat.ui(&format!("reason_{}", v.reason)).to_string();
    match v.action.as_str() {
        "failed" | "delayed" => {
            let keep = cat.ui(if v.hard { "hard" } else { "soft" });
            cat.ui("why")
                .replacen("{}", &reason, 1)
                .replacen("{}", keep, 1)
        }
        _ => reason,
    }
}

fn location(cat: &Catalog, f: &Finding, place: &Place) -> Option<String> {
    let source = escape(&f.source);
    match (f.line, place.name_source) {
        (Some(n), true) => Some(format!("{source}, {} {n}", cat.ui("line"))),
        (Some(n), false) => Some(format!("{} {n}", cat.ui("line"))),
        (None, _) => None,
    }
}

fn headline(cat: &Catalog, f: &Finding) -> String {
    let codes: Vec<&str> = [&f.basic, &f.enhanced]
        .into_iter()
        .flatten()
        .map(|d| d.code.as_str())
        .collect();
    let main: &Decoded = f
        .enhanced
        .as_ref()
        .or(f.basic.as_ref())
        .expect("a finding has a code");
    let class = f
        .class()
        .map(|c| paint(c.name(), cat.ui(c.name())))
        .map(|c| format!("  {c}"))
        .unwrap_or_default();
    let title = f.provider.as_ref().map_or(&main.title, |p| &p.title);
    format!("{}{}  {}", codes.join(" ").bold(), class, title.bold())
}

/// A class name in the colour of its class: colours no advice label uses (red, green and
/// bold alone tell who fixes it; [`party_label`]).
fn paint(class: &str, word: &str) -> ColoredString {
    match class {
        "success" => word.blue(),
        "intermediate" => word.cyan(),
        "transient" => word.yellow(),
        _ => word.magenta(),
    }
    .bold()
}

/// Each party's advice, the one who acts first first, then the notes: (label, text).
fn advice(block: &mut Vec<(String, String)>, cat: &Catalog, f: &Finding) {
    let a = &f.advice;
    let mut parties = [
        ("sender", &a.sender),
        ("recipient", &a.recipient),
        ("administrator", &a.administrator),
    ];
    // The party that has to act first comes first; an administrator is named by side.
    let (first, admin) = match f.acts_first {
        "sender-admin" => ("administrator", "sender_admin"),
        "recipient-admin" => ("administrator", "recipient_admin"),
        other => (other, "administrator"),
    };
    parties.sort_by_key(|(p, _)| *p != first);
    for (party, text) in parties {
        let Some(text) = text else { continue };
        let name = cat.ui(if party == "administrator" {
            admin
        } else {
            party
        });
        let label = if party == first {
            format!("{name} ({})", cat.ui("acts"))
        } else {
            name.to_string()
        };
        block.push((party_label(cat, &label, party), text.clone()));
    }
    // A provider's note replaces the registry entry's, which may be about other vendors.
    let provider = f.provider.as_ref().and_then(|p| p.note.as_ref());
    let enhanced = f.enhanced.as_ref().filter(|_| f.provider.is_none());
    let codes = [enhanced, f.basic.as_ref()]
        .into_iter()
        .flatten()
        .filter_map(|d| d.note.as_ref());
    for note in provider.into_iter().chain(codes) {
        block.push((label(cat, cat.ui("note")), note.clone()));
    }
}

/// An advice label in the colour of the party who makes the fix, as the seed tables of this
/// project colour it: red for the sender, green for the recipient, bold (no colour) for the
/// administrator of a mail system. Classes use other colours ([`paint`]).
fn party_label(cat: &Catalog, word: &str, party: &str) -> String {
    let plain = cat.ui("label").replace("{}", word);
    match party {
        "sender" => plain.red().bold(),
        "recipient" => plain.green().bold(),
        _ => plain.bold(),
    }
    .to_string()
}

/// A bold label with the language's colon (`Note:`, `Remarque :`).
fn label(cat: &Catalog, word: &str) -> String {
    party_label(cat, word, "")
}

/// How much of a line a label may take before its text starts on the next line.
const LABEL_SHARE: (usize, usize) = (2, 5);

/// Writes `text` wrapped at `width` columns, every line indented.
fn para(out: &mut dyn Write, indent: &str, text: &str, width: usize) -> io::Result<()> {
    para_after(out, indent, "", text, width)
}

/// [`para`] for a text that starts with `lead`, a label kept whole on its first line.
fn para_after(
    out: &mut dyn Write,
    indent: &str,
    lead: &str,
    text: &str,
    width: usize,
) -> io::Result<()> {
    let room = width.saturating_sub(indent.len()).max(20);
    let words = std::iter::once(lead).chain(text.split(' '));
    for line in wrap(words, room) {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

/// Writes labelled lines as a man page writes tagged paragraphs: each text starts in one
/// column, one space after the widest label that fits in [`LABEL_SHARE`] of the line, and
/// its wrapped lines hang there. A label wider than that stands on a line of its own, its
/// text below it in the column. Widths are display widths: colour escapes take none, an
/// accented letter one column, a wide character two.
fn tagged(out: &mut dyn Write, block: &[(String, String)], width: usize) -> io::Result<()> {
    let indent = "  ";
    let room = width.saturating_sub(indent.len()).max(20);
    let most = room * LABEL_SHARE.0 / LABEL_SHARE.1;
    let widths: Vec<usize> = block.iter().map(|(l, _)| visible_len(l)).collect();
    let column = (widths.iter().copied())
        .filter(|&w| w <= most)
        .max()
        .unwrap_or(most);
    let hang = " ".repeat(indent.len() + column + 1);
    for ((label, text), &w) in block.iter().zip(&widths) {
        let mut lines = wrap(text.split(' '), room - column - 1).into_iter();
        if w > column {
            // Wrapped only where the line is narrower than the label itself.
            for part in wrap(label.split(' '), room) {
                writeln!(out, "{indent}{part}")?;
            }
        } else {
            let first = lines.next().unwrap_or_default();
            let pad = " ".repeat(column - w + 1);
            writeln!(out, "{}", format!("{indent}{label}{pad}{first}").trim_end())?;
        }
        for line in lines {
            writeln!(out, "{hang}{line}")?;
        }
    }
    Ok(())
}

/// `words` joined by spaces into lines of at most `room` columns (a longer word has a line
/// of its own).
fn wrap<'a>(words: impl Iterator<Item = &'a str>, room: usize) -> Vec<String> {
    let (mut lines, mut line, mut used) = (Vec::new(), String::new(), 0);
    for word in words.filter(|w| !w.is_empty()) {
        let len = visible_len(word);
        if used > 0 && used + 1 + len > room {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if used > 0 {
            line.push(' ');
            used += 1;
        }
        line.push_str(word);
        used += len;
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Columns a terminal gives `s`: ANSI SGR sequences (ours, from `colored`) take none, the
/// characters their display width.
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut in_escape = false;
    for c in s.chars() {
        match (in_escape, c) {
            (false, '\u{1b}') => in_escape = true,
            (true, 'm') => in_escape = false,
            (true, _) => {}
            (false, _) => n += UnicodeWidthChar::width(c).unwrap_or(0),
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_and_indents() {
        let mut out = Vec::new();
        para(&mut out, "  ", "aaaa bbbb cccc dddd eeee ffff gggg", 24).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines().all(|l| l.starts_with("  ") && l.len() <= 24),
            "{text}"
        );
        assert_eq!(text.split_whitespace().count(), 7);
    }

    #[test]
    fn escapes_take_no_room_and_characters_their_display_width() {
        assert_eq!(visible_len("\u{1b}[1mab\u{1b}[0m"), 2);
        assert_eq!(visible_len("Expéditeur"), 10);
        assert_eq!(visible_len("e\u{301}"), 1);
        assert_eq!(visible_len("宛先"), 4);
    }

    #[test]
    fn labelled_texts_start_in_one_column() {
        let block = [
            (
                "\u{1b}[1mNote:\u{1b}[0m".to_string(),
                "one two three four five six".to_string(),
            ),
            ("宛先:".to_string(), "four".to_string()),
            (
                "A label far too wide to fit:".to_string(),
                "five six".to_string(),
            ),
        ];
        let mut out = Vec::new();
        tagged(&mut out, &block, 30).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "  \u{1b}[1mNote:\u{1b}[0m one two three four\n        five six\n  宛先: four\n  A label far too wide to fit:\n        five six\n"
        );
        assert!(!text.contains('\u{a0}'));
    }
}

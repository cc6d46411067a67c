//! Render stage, `--summary`: the counts written as one table for people or one JSON
//! document, titles in the chosen language.

use super::count::{class_index, Status, Summary, CLASSES, JSON_DIAGNOSTICS, TEXT_ROWS};
use crate::decode::blocklist;
use crate::decode::catalog::Catalog;
use crate::decode::finding::{self, Origin};
use crate::decode::provider;
use crate::extract::code::Class;
use crate::extract::stamp::Day;
use crate::text::escape;
use colored::Colorize;
use serde::Serialize;
use std::io::{self, Write};

/// The `--json --summary` document.
#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    summary: Json<'a>,
}

#[derive(Serialize)]
struct Json<'a> {
    attempts: u64,
    statuses: Vec<StatusJson>,
    classes: ClassesJson,
    domains: Vec<DomainJson<'a>>,
    days: Vec<DayJson>,
    relays: Vec<RelayJson<'a>>,
    diagnostics: Vec<DiagnosticJson<'a>>,
    /// Refusals per block list, most first.
    lists: Vec<ListJson>,
    untracked: u64,
    lang: &'static str,
}

#[derive(Serialize)]
struct ClassesJson {
    success: u64,
    intermediate: u64,
    transient: u64,
    permanent: u64,
}

#[derive(Serialize)]
struct StatusJson {
    code: String,
    count: u64,
    class: Option<&'static str>,
    title: String,
    /// The key of the provider row whose title this is, where one explains the status.
    provider: Option<&'static str>,
}

#[derive(Serialize)]
struct DayJson {
    /// `2024-11-01`; a syslog line's year is inferred (see docs/PERFORMANCE.md).
    day: String,
    attempts: u64,
    success: u64,
    transient: u64,
    permanent: u64,
}

#[derive(Serialize)]
struct RelayJson<'a> {
    host: std::borrow::Cow<'a, str>,
    attempts: u64,
    success: u64,
    transient: u64,
    permanent: u64,
}

/// How much of the summary to show, and the day that dates syslog lines.
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// Rows per table in text (`--top`).
    pub top: usize,
    /// Syslog lines have no year: the one that keeps them out of the future of this day.
    pub today: Day,
}

impl Default for View {
    fn default() -> Self {
        View {
            top: TEXT_ROWS,
            today: Day::today(),
        }
    }
}

#[derive(Serialize)]
struct DomainJson<'a> {
    /// Empty for attempts that name no address.
    domain: &'a str,
    attempts: u64,
    success: u64,
    transient: u64,
    permanent: u64,
}

#[derive(Serialize)]
struct ListJson {
    /// The row's key in data/blocklists.tsv: `spamhaus:sbl`.
    key: &'static str,
    name: &'static str,
    count: u64,
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    code: String,
    count: u64,
    text: &'a str,
}

/// The title of a status in the catalogue's language: the provider's, where one provider's
/// row explains most of the attempts under it (judged from their diagnostics: `5.7.606`
/// is Microsoft's banned IP, not the registry's generic policy refusal), else the registry's.
fn title(cat: &Catalog, summary: &Summary, status: Status) -> (String, Option<&'static str>) {
    let (b, e) = match status {
        Status::Enhanced(e) => (None, Some(e)),
        Status::Basic(b) => (Some(b), None),
    };
    let mut rows: Vec<(&'static provider::Row, u64)> = Vec::new();
    for (text, n) in summary.diagnostics_of(status) {
        if let Some(row) = provider::detect(text, "", b, e) {
            match rows.iter_mut().find(|(r, _)| std::ptr::eq(*r, row)) {
                Some((_, count)) => *count += n,
                None => rows.push((row, n)),
            }
        }
    }
    let attempts = summary.statuses.get(&status).copied().unwrap_or(0);
    let best = rows
        .into_iter()
        .max_by_key(|&(r, n)| (n, std::cmp::Reverse(r.key)));
    if let Some((row, _)) = best.filter(|&(_, n)| n * 2 > attempts) {
        if let Some(t) = provider::texts(cat.lang, row.key) {
            return (t.title.to_string(), Some(row.key));
        }
    }
    let f = finding::decode(cat, b, e, Origin::default());
    (
        f.enhanced.or(f.basic).map(|d| d.title).unwrap_or_default(),
        None,
    )
}

impl Summary {
    /// Refusals per block list, most first: those counted from decoded findings, and those
    /// whose diagnostic names a list (by its words or its provider's code), read here from
    /// the diagnostics, so that counting a log costs nothing more.
    fn lists(&self) -> Vec<(&'static blocklist::Row, u64)> {
        let mut counts: Vec<(&'static blocklist::Row, u64)> = Vec::new();
        let mut add = |row: &'static blocklist::Row, n: u64| match counts
            .iter_mut()
            .find(|(r, _)| std::ptr::eq(*r, row))
        {
            Some((_, c)) => *c += n,
            None => counts.push((row, n)),
        };
        let rows = &blocklist::table().rows;
        for (key, &n) in &self.lists {
            if let Some(row) = rows.iter().find(|r| r.key == *key) {
                add(row, n);
            }
        }
        for (status, text, n) in self.diagnostics() {
            let named = self
                .named
                .get(text)
                .and_then(|k| rows.iter().find(|r| r.key == *k));
            let row = named.or_else(|| {
                let key = super::count::list_named(status, text, text.as_bytes())?;
                rows.iter().find(|r| r.key == key)
            });
            if let Some(row) = row {
                add(row, n);
            }
        }
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.key.cmp(b.0.key)));
        counts
    }

    /// Writes the summary as one JSON document: every row of every table but the
    /// diagnostics (the most frequent [`JSON_DIAGNOSTICS`], or `--top` if more).
    pub fn write_json(&self, out: &mut dyn Write, cat: &Catalog, view: View) -> io::Result<()> {
        let statuses = self
            .statuses()
            .into_iter()
            .map(|(s, count)| {
                let (title, provider) = title(cat, self, s);
                StatusJson {
                    code: s.code(),
                    count,
                    class: s.class().map(Class::name),
                    title,
                    provider,
                }
            })
            .collect();
        let days = self
            .days(view.today)
            .into_iter()
            .map(|(day, p)| DayJson {
                day: day.to_string(),
                attempts: p.iter().sum(),
                success: p[0],
                transient: p[2],
                permanent: p[3],
            })
            .collect();
        let relays = self
            .relays()
            .into_iter()
            .map(|(host, p)| RelayJson {
                host,
                attempts: p.iter().sum(),
                success: p[0],
                transient: p[2],
                permanent: p[3],
            })
            .collect();
        let domains = self
            .domains()
            .into_iter()
            .map(|(domain, p)| DomainJson {
                domain,
                attempts: p.iter().sum(),
                success: p[0],
                transient: p[2],
                permanent: p[3],
            })
            .collect();
        let diagnostics = self
            .diagnostics()
            .into_iter()
            .take(JSON_DIAGNOSTICS.max(view.top))
            .map(|(s, text, count)| DiagnosticJson {
                code: s.code(),
                count,
                text,
            })
            .collect();
        let lists = self
            .lists()
            .into_iter()
            .map(|(row, count)| ListJson {
                key: row.key,
                name: row.name,
                count,
            })
            .collect();
        let [success, intermediate, transient, permanent] = self.classes;
        let classes = ClassesJson {
            success,
            intermediate,
            transient,
            permanent,
        };
        let doc = Document {
            schema: 1,
            summary: Json {
                attempts: self.attempts,
                statuses,
                classes,
                domains,
                days,
                relays,
                diagnostics,
                lists,
                untracked: self.untracked,
                lang: cat.lang.code(),
            },
        };
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
        writeln!(out)
    }

    /// Writes the summary as tables for people, each cut to `view.top` rows.
    pub fn write_text(&self, out: &mut dyn Write, cat: &Catalog, view: View) -> io::Result<()> {
        let heading = |key: &str| cat.ui("label").replace("{}", cat.ui(key)).bold();
        let more = |n: usize, key: &str| {
            format!("{:>12}  {}", "", cat.ui(key).replace("{}", &n.to_string()))
        };
        writeln!(out, "{} {}", heading("sum_attempts"), self.attempts)?;
        writeln!(out, "\n{}", heading("sum_classes"))?;
        for c in CLASSES {
            let n = self.classes[class_index(c)];
            if n > 0 {
                let share = percent(n, self.attempts);
                writeln!(out, "{n:>12}  {share:>7}  {}", cat.ui(c.name()))?;
            }
        }
        writeln!(out, "\n{}", heading("sum_statuses"))?;
        let statuses = self.statuses();
        for &(s, n) in statuses.iter().take(view.top) {
            writeln!(out, "{n:>12}  {:<7}  {}", s.code(), title(cat, self, s).0)?;
        }
        if statuses.len() > view.top {
            writeln!(out, "{}", more(statuses.len() - view.top, "sum_rows_more"))?;
        }
        let domains: Vec<(String, [u64; 4])> = self
            .domains()
            .into_iter()
            .map(|(d, p)| match d.is_empty() {
                true => (cat.ui("sum_no_address").to_string(), p),
                false => (escape(d), p),
            })
            .collect();
        let shown = domains.len().min(view.top);
        self.write_table(out, cat, ("sum_domains", "sum_domain"), &domains[..shown])?;
        if domains.len() > shown {
            writeln!(out, "{}", more(domains.len() - shown, "sum_more"))?;
        }
        // The latest days, in calendar order.
        let days: Vec<(String, [u64; 4])> = self
            .days(view.today)
            .into_iter()
            .map(|(d, p)| (d.to_string(), p))
            .collect();
        if !days.is_empty() {
            let earlier = days.len().saturating_sub(view.top);
            self.write_table(out, cat, ("sum_days", "sum_day"), &days[earlier..])?;
            if earlier > 0 {
                writeln!(out, "{}", more(earlier, "sum_days_more"))?;
            }
        }
        let relays: Vec<(String, [u64; 4])> = self
            .relays()
            .into_iter()
            .map(|(h, p)| (escape(&h), p))
            .collect();
        if !relays.is_empty() {
            let shown = relays.len().min(view.top);
            self.write_table(out, cat, ("sum_relays", "sum_host"), &relays[..shown])?;
            if relays.len() > shown {
                writeln!(out, "{}", more(relays.len() - shown, "sum_rows_more"))?;
            }
        }
        let lists = self.lists();
        if !lists.is_empty() {
            writeln!(out, "\n{}", heading("sum_lists"))?;
            for &(row, n) in lists.iter().take(view.top) {
                writeln!(out, "{n:>12}  {}", escape(row.name))?;
            }
            if lists.len() > view.top {
                writeln!(out, "{}", more(lists.len() - view.top, "sum_rows_more"))?;
            }
        }
        writeln!(out, "\n{}", heading("sum_diagnostics"))?;
        for (s, text, n) in self.diagnostics().into_iter().take(view.top) {
            writeln!(out, "{n:>12}  {:<7}  {}", s.code(), escape(text))?;
        }
        if self.untracked > 0 {
            let note = cat
                .ui("sum_untracked")
                .replace("{}", &self.untracked.to_string());
            writeln!(out, "\n{note}")?;
        }
        Ok(())
    }

    /// A table of attempts per class under a heading: total, success, temporary,
    /// permanent, then the row's name (already escaped).
    fn write_table(
        &self,
        out: &mut dyn Write,
        cat: &Catalog,
        (title, column): (&str, &str),
        rows: &[(String, [u64; 4])],
    ) -> io::Result<()> {
        let heading = cat.ui("label").replace("{}", cat.ui(title));
        writeln!(out, "\n{}", heading.bold())?;
        let [ok, temp, perm] = [0, 2, 3].map(|i| cat.ui(CLASSES[i].name()));
        let (total, name) = (cat.ui("sum_total"), cat.ui(column));
        let head = format!("{total:>12}  {ok:>10}  {temp:>10}  {perm:>10}  {name}");
        writeln!(out, "{}", head.dimmed())?;
        for (name, p) in rows {
            let total: u64 = p.iter().sum();
            writeln!(
                out,
                "{total:>12}  {:>10}  {:>10}  {:>10}  {name}",
                p[0], p[2], p[3]
            )?;
        }
        Ok(())
    }
}

fn percent(n: u64, of: u64) -> String {
    format!("{:.1} %", n as f64 * 100.0 / of.max(1) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::render::summary::count::tests::LOG;

    #[test]
    fn renders_text_and_json_in_the_chosen_language() {
        let s = Summary::of_log(LOG.as_bytes());
        let mut out = Vec::new();
        s.write_json(&mut out, &Catalog::load(Lang::Fr), View::default())
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["summary"]["statuses"][0]["code"], "5.1.1");
        assert_eq!(v["summary"]["statuses"][0]["count"], 2);
        assert_eq!(v["summary"]["lang"], "fr");
        let mut out = Vec::new();
        s.write_text(&mut out, &Catalog::load(Lang::En), View::default())
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("5.1.1    Recipient address does not exist"),
            "{text}"
        );
    }
}

//! Render stage, `--summary`: the counts written as one table for people or one JSON
//! document, titles in the chosen language.

use super::count::{class_index, Status, Summary, CLASSES, JSON_DIAGNOSTICS, TEXT_ROWS};
use crate::decode::catalog::Catalog;
use crate::decode::finding::{self, Origin};
use crate::extract::code::Class;
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
    diagnostics: Vec<DiagnosticJson<'a>>,
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
struct DiagnosticJson<'a> {
    code: String,
    count: u64,
    text: &'a str,
}

/// The title of a status in the catalogue's language.
fn title(cat: &Catalog, status: Status) -> String {
    let (b, e) = match status {
        Status::Enhanced(e) => (None, Some(e)),
        Status::Basic(b) => (Some(b), None),
    };
    let f = finding::decode(cat, b, e, Origin::default());
    f.enhanced.or(f.basic).map(|d| d.title).unwrap_or_default()
}

impl Summary {
    /// Writes the summary as one JSON document.
    pub fn write_json(&self, out: &mut dyn Write, cat: &Catalog) -> io::Result<()> {
        let statuses = self
            .statuses()
            .into_iter()
            .map(|(s, count)| StatusJson {
                code: s.code(),
                count,
                class: s.class().map(Class::name),
                title: title(cat, s),
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
            .take(JSON_DIAGNOSTICS)
            .map(|(s, text, count)| DiagnosticJson {
                code: s.code(),
                count,
                text,
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
                diagnostics,
                untracked: self.untracked,
                lang: cat.lang.code(),
            },
        };
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::from)?;
        writeln!(out)
    }

    /// Writes the summary as tables for people.
    pub fn write_text(&self, out: &mut dyn Write, cat: &Catalog) -> io::Result<()> {
        let heading = |key: &str| cat.ui("label").replace("{}", cat.ui(key)).bold();
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
        for (s, n) in self.statuses() {
            writeln!(out, "{n:>12}  {:<7}  {}", s.code(), title(cat, s))?;
        }
        self.write_domains(out, cat)?;
        writeln!(out, "\n{}", heading("sum_diagnostics"))?;
        for (s, text, n) in self.diagnostics().into_iter().take(TEXT_ROWS) {
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

    fn write_domains(&self, out: &mut dyn Write, cat: &Catalog) -> io::Result<()> {
        let heading = cat.ui("label").replace("{}", cat.ui("sum_domains"));
        writeln!(out, "\n{}", heading.bold())?;
        let [ok, temp, perm] = [0, 2, 3].map(|i| cat.ui(CLASSES[i].name()));
        let (total, domain) = (cat.ui("sum_total"), cat.ui("sum_domain"));
        let head = format!("{total:>12}  {ok:>10}  {temp:>10}  {perm:>10}  {domain}");
        writeln!(out, "{}", head.dimmed())?;
        let domains = self.domains();
        for (d, p) in domains.iter().take(TEXT_ROWS) {
            let name = match d.is_empty() {
                true => cat.ui("sum_no_address").to_string(),
                false => escape(d),
            };
            let total: u64 = p.iter().sum();
            writeln!(
                out,
                "{total:>12}  {:>10}  {:>10}  {:>10}  {name}",
                p[0], p[2], p[3]
            )?;
        }
        if domains.len() > TEXT_ROWS {
            let more = (domains.len() - TEXT_ROWS).to_string();
            writeln!(
                out,
                "{:>12}  {}",
                "",
                cat.ui("sum_more").replace("{}", &more)
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
        s.write_json(&mut out, &Catalog::load(Lang::Fr)).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["summary"]["statuses"][0]["code"], "5.1.1");
        assert_eq!(v["summary"]["statuses"][0]["count"], 2);
        assert_eq!(v["summary"]["lang"], "fr");
        let mut out = Vec::new();
        s.write_text(&mut out, &Catalog::load(Lang::En)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("5.1.1    Recipient address does not exist"),
            "{text}"
        );
    }
}

//! Command line: the clap types, and nothing else. [`super::config`] resolves them.

use clap::{Parser, ValueEnum};
use std::ffi::OsString;

const AFTER_HELP: &str = "\
Examples:
  smtpcode 5.1.1                       look a code up by hand
  smtpcode 550 5.7.26 --lang it        several codes, explained in Italian
  smtpcode bounce.eml                  decode a saved bounce
  smtpcode ~/Maildir/.Bounces/         every bounce in a folder, recursively
  tail -n 1000 /var/log/mail.log | smtpcode
  smtpcode --json bounce.eml | jq .    for programs
  smtpcode --recipients bounces/ | awk -F'\\t' '$6 == \"hard\" {print $1}'    addresses to remove
  smtpcode --summary /var/log/mail.log*    attempts per status, class, domain, day, relay
  tail -f /var/log/mail.log | smtpcode --line-buffered --json-lines
  smtpcode --ledger bounces.db /var/log/mail.log ~/Maildir    record the verdicts
  smtpcode --ledger bounces.db --suppressed                   addresses to suppress now

Codes: basic reply codes (550), enhanced status codes (5.1.1), X.1.1 for a detail in any class.
Files: emails, mboxes and logs, told apart by their content; gzip, bzip2, xz and zstd files
are decompressed as read. A folder is walked recursively, hidden entries skipped; of a
Maildir, cur/, new/ and its Maildir++ folders (.Bounces/) are read, not tmp/.
Exit status: 0 a code was found, 1 none was found, 2 an error occurred.";

/// Explain SMTP bounce codes: what happened, whether it is temporary or permanent, and what
/// the sender, the recipient and the mail administrator should do.
#[derive(Debug, Parser)]
#[command(name = "smtpcode", version, after_help = AFTER_HELP, max_term_width = 100)]
pub struct Cli {
    /// Codes to look up (550, 5.1.1, X.1.1), or files and folders to scan (compressed or
    /// not); `-` is stdin. With none, reads stdin when it is not a terminal.
    #[arg(value_name = "CODE|FILE")]
    pub args: Vec<OsString>,

    /// Print one JSON document instead of text (never coloured, keys in English).
    #[arg(long = "json")]
    pub json: bool,

    /// Print one finding a line, as JSON, as it is found (NDJSON): the fields of a `--json`
    /// finding, in constant memory however long the log.
    #[arg(long = "json-lines", conflicts_with = "json")]
    pub json_lines: bool,

    /// Print tables at the end instead of every finding: delivery attempts per class,
    /// status, recipient domain, day and remote host, and the most frequent diagnostics,
    /// the top 10 of each (see --top). With --json, as JSON.
    #[arg(long = "summary", conflicts_with = "json_lines")]
    pub summary: bool,

    /// Rows per table of --summary (statuses, domains, days, hosts, diagnostics) [default:
    /// 10]. --json --summary has every row but the diagnostics.
    #[arg(long = "top", value_name = "N", requires = "summary", value_parser = clap::value_parser!(u16).range(1..))]
    pub top: Option<u16>,

    /// Print only the verdicts, one recipient a line: address, action, status, reply,
    /// reason, hard or soft, source, and the address the sender wrote where the bounce names
    /// another (original), tab-separated after a header line (for logs, the last
    /// verdict per address, at the end; with --line-buffered, each as its line arrives).
    /// With --json or --json-lines, the verdict objects.
    #[arg(long = "recipients", conflicts_with = "summary")]
    pub recipients: bool,

    /// Under each verdict, say what it rests on: which report field, header or sentence of
    /// the bounce gave the address, the status and the reason, the words it read, the
    /// address the sender wrote, and where the bounce contradicts itself. JSON always
    /// carries this as each verdict's "evidence".
    #[arg(long = "why", conflicts_with = "summary")]
    pub why: bool,

    /// Write each finding as soon as its input arrives (for `tail -f mail.log | smtpcode`, or
    /// as a filter under rsyslog or syslog-ng: see contrib/). Ends with status 0 on SIGTERM.
    #[arg(long = "line-buffered")]
    pub line_buffered: bool,

    /// When to colour the output: auto colours a terminal unless NO_COLOR is set or TERM=dumb.
    #[arg(long = "color", value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    /// Language of the explanations: en, it, fr, de or es. Default: SMTPCODE_LANG, LANGUAGE,
    /// LC_ALL, LC_MESSAGES, LANG (de_DE.UTF-8, es_MX ...), then English.
    #[arg(long = "lang", value_name = "LANG")]
    pub lang: Option<String>,

    /// Record every verdict of the inputs into a bounce ledger, and print what is printed
    /// without it: a SQLite file (created on first use), or a postgres:// URL for a fleet
    /// writing one ledger. The same record fed twice counts once. See --suppressed.
    #[arg(long = "ledger", value_name = "PATH|URL", env = "SMTPCODE_LEDGER")]
    pub ledger: Option<String>,

    /// Print the addresses the ledger's policy suppresses now (after recording the inputs,
    /// if any are given): address, original, since, reason, bounces, last status and why,
    /// tab-separated after a header line; with --json, one document.
    #[arg(long = "suppressed", requires = "ledger", conflicts_with_all = ["summary", "recipients", "json_lines"])]
    pub suppressed: bool,

    /// The moment --suppressed answers for, past or future: YYYY-MM-DD (the end of that
    /// day, UTC) or RFC 3339 (2026-12-07T10:00:00Z) [default: now].
    #[arg(long = "as-of", value_name = "DATE", requires = "suppressed")]
    pub as_of: Option<String>,

    /// A TOML file that sets the policy's figures (soft bounces and days, reasons that
    /// suppress at once, expiry days, reasons ignored); the rest keep their defaults.
    #[arg(long = "policy", value_name = "FILE", requires = "suppressed")]
    pub policy: Option<std::path::PathBuf>,

    /// Print a shell completion script or the man page, then exit.
    #[arg(long = "generate", value_name = "KIND", hide = true)]
    pub generate: Option<Generate>,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// `--generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Generate {
    CompleteBash,
    CompleteZsh,
    CompleteFish,
    CompletePowershell,
    CompleteElvish,
    Man,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_valid() {
        Cli::command().debug_assert();
    }
}

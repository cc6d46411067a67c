//! Configuration: the command line and the environment, resolved once into plain values
//! (colour, language, inputs) that the pipeline receives. No clap type goes further.

use super::args::{Cli, ColorChoice};
use crate::extract::code::{Basic, Enhanced};
use crate::lang::{self, Lang};
use std::ffi::OsString;
use std::path::PathBuf;

/// Looks an environment variable up.
pub type VarFn = Box<dyn Fn(&str) -> Option<String>>;

/// What the process sees of its surroundings; passed in so that tests can fake it.
pub struct Env {
    pub var: VarFn,
    pub stdout_is_tty: bool,
    pub stdin_is_tty: bool,
    pub stderr_is_tty: bool,
}

impl Env {
    /// The real environment of this process.
    pub fn from_process() -> Env {
        use std::io::IsTerminal;
        Env {
            var: Box::new(|name| std::env::var(name).ok()),
            stdout_is_tty: std::io::stdout().is_terminal(),
            stdin_is_tty: std::io::stdin().is_terminal(),
            stderr_is_tty: std::io::stderr().is_terminal(),
        }
    }
}

/// One thing to decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Codes given on the command line: one reply (`550 5.1.1` is a pair).
    Codes(Option<Basic>, Option<Enhanced>),
    /// Standard input.
    Stdin,
    /// A file (or an argument that is not a code: reading it reports the problem).
    File(PathBuf),
}

/// Everything the pipeline needs to know.
#[derive(Debug, Clone)]
pub struct Config {
    pub inputs: Vec<Input>,
    pub json: bool,
    pub color: bool,
    pub lang: Lang,
    /// Columns to wrap text output to.
    pub width: usize,
    /// `--json-lines`: one finding a line, as it is found.
    pub json_lines: bool,
    /// `--summary`: counts at the end instead of findings.
    pub summary: bool,
    /// `--recipients`: the verdicts alone, one recipient a line.
    pub recipients: bool,
    /// `--why`: what each verdict rests on, under it.
    pub why: bool,
    /// `--top`: rows per table of the summary.
    pub top: usize,
    /// `--line-buffered`: write what each read of the input gives at once.
    pub line_buffered: bool,
    /// Show a progress bar on stderr for long inputs.
    pub progress: bool,
    /// `--ledger`: the bounce ledger to record into (a SQLite path or a postgres:// URL).
    pub ledger: Option<String>,
    /// `--suppressed`: answer which addresses to suppress, and when (`--as-of`, Unix
    /// seconds), by which policy.
    pub suppressed: Option<Suppressed>,
}

/// What `--suppressed` asks.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub as_of: i64,
    pub policy: crate::record::policy::Policy,
}

impl Config {
    /// Resolves the command line against the environment.
    pub fn from_cli(cli: &Cli, env: &Env) -> Result<Config, String> {
        let lang = lang::resolve(cli.lang.as_deref(), &env.var).map_err(|e| e.to_string())?;
        let no_color = (env.var)("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = (env.var)("TERM").is_some_and(|t| t == "dumb");
        let color = !cli.json
            && !cli.json_lines
            && match cli.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => env.stdout_is_tty && !no_color && !dumb,
            };
        let suppressed = match cli.suppressed {
            false => None,
            true => Some(Suppressed {
                as_of: match &cli.as_of {
                    None => crate::record::event::now(),
                    Some(t) => crate::record::policy::parse_moment(t).ok_or_else(|| {
                        format!("--as-of {t}: not a date (YYYY-MM-DD) or an RFC 3339 moment (2026-12-07T10:00:00Z)")
                    })?,
                },
                policy: match &cli.policy {
                    None => crate::record::policy::Policy::default(),
                    Some(path) => crate::record::policy::Policy::load(path)?,
                },
            }),
        };
        let mut inputs = inputs(&cli.args);
        if inputs.is_empty() && suppressed.is_none() {
            if env.stdin_is_tty {
                return Err("no input: give codes (smtpcode 5.1.1), files, or a bounce on stdin (see --help)".into());
            }
            inputs.push(Input::Stdin);
        }
        if cli.recipients && inputs.iter().any(|i| matches!(i, Input::Codes(..))) {
            return Err("--recipients lists the recipients of bounces and logs: a code looked up by hand has none (drop --recipients, or give files)".into());
        }
        let width = (env.var)("COLUMNS")
            .and_then(|c| c.parse().ok())
            .filter(|w| (20..=1000).contains(w))
            .unwrap_or(80);
        // Progress only where a person watches stderr, and not over findings scrolling by.
        let progress = env.stderr_is_tty
            && (env.var)("CI").is_none()
            && !cli.line_buffered
            && (cli.summary || !env.stdout_is_tty);
        Ok(Config {
            inputs,
            json: cli.json,
            color,
            lang,
            width,
            json_lines: cli.json_lines,
            summary: cli.summary,
            recipients: cli.recipients,
            why: cli.why,
            top: cli
                .top
                .map_or(crate::render::summary::count::TEXT_ROWS, usize::from),
            line_buffered: cli.line_buffered,
            progress,
            ledger: cli.ledger.clone().filter(|l| !l.is_empty()),
            suppressed,
        })
    }

    /// Whether findings should name their file (more than one source of input, or a
    /// folder of them).
    pub fn several_sources(&self) -> bool {
        let mut sources = self
            .inputs
            .iter()
            .filter(|i| !matches!(i, Input::Codes(..)));
        match (sources.next(), sources.next()) {
            (Some(Input::File(path)), None) => path.is_dir(),
            (Some(_), Some(_)) => true,
            _ => false,
        }
    }
}

/// One code argument.
#[derive(Clone, Copy)]
enum Arg {
    Basic(Basic),
    Enhanced(Enhanced),
}

fn as_code(word: &str) -> Option<Arg> {
    Basic::parse(word)
        .map(Arg::Basic)
        .or_else(|| Enhanced::parse(word).map(Arg::Enhanced))
}

/// Classifies the arguments: codes (a basic code next to an enhanced code of the same class
/// is one reply, in either order; `"550 5.1.1"` in one argument too), `-`, files.
fn inputs(args: &[OsString]) -> Vec<Input> {
    let mut out = Vec::new();
    let mut codes: Vec<Arg> = Vec::new();
    for arg in args {
        let text = arg.to_str().unwrap_or("");
        let words: Vec<Option<Arg>> = text.split_whitespace().map(as_code).collect();
        if !words.is_empty() && words.iter().all(Option::is_some) {
            codes.extend(words.into_iter().flatten());
            continue;
        }
        flush(&mut codes, &mut out);
        out.push(if arg == "-" {
            Input::Stdin
        } else {
            Input::File(PathBuf::from(arg))
        });
    }
    flush(&mut codes, &mut out);
    out
}

/// Turns a run of code arguments into inputs, pairing neighbours that belong together.
fn flush(codes: &mut Vec<Arg>, out: &mut Vec<Input>) {
    let mut i = 0;
    while i < codes.len() {
        let pair = match (codes[i], codes.get(i + 1).copied()) {
            (Arg::Basic(b), Some(Arg::Enhanced(e))) | (Arg::Enhanced(e), Some(Arg::Basic(b)))
                if e.class == Some(b.first_digit()) =>
            {
                Some((b, e))
            }
            _ => None,
        };
        match (pair, codes[i]) {
            (Some((b, e)), _) => {
                out.push(Input::Codes(Some(b), Some(e)));
                i += 2;
                continue;
            }
            (None, Arg::Basic(b)) => out.push(Input::Codes(Some(b), None)),
            (None, Arg::Enhanced(e)) => out.push(Input::Codes(None, Some(e))),
        }
        i += 1;
    }
    codes.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn env(vars: &'static [(&'static str, &'static str)], tty: bool) -> Env {
        Env {
            var: Box::new(move |n| {
                vars.iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }),
            stdout_is_tty: tty,
            stdin_is_tty: tty,
            stderr_is_tty: tty,
        }
    }

    fn config(args: &[&str], env: &Env) -> Result<Config, String> {
        let cli =
            Cli::try_parse_from(std::iter::once("smtpcode").chain(args.iter().copied())).unwrap();
        Config::from_cli(&cli, env)
    }

    #[test]
    fn colour_auto_follows_tty_no_color_and_term() {
        type Case = (
            &'static [&'static str],
            &'static [(&'static str, &'static str)],
            bool,
            bool,
        );
        let cases: &[Case] = &[
            (&["550"], &[], true, true),
            (&["550"], &[], false, false),
            (&["550"], &[("NO_COLOR", "1")], true, false),
            (&["550"], &[("NO_COLOR", "")], true, true),
            (&["550"], &[("TERM", "dumb")], true, false),
            (
                &["--color", "always", "550"],
                &[("NO_COLOR", "1")],
                false,
                true,
            ),
            (&["--color", "never", "550"], &[], true, false),
            (&["--json", "--color", "always", "550"], &[], true, false),
        ];
        for (args, vars, tty, want) in cases {
            assert_eq!(
                config(args, &env(vars, *tty)).unwrap().color,
                *want,
                "{args:?} {vars:?} {tty}"
            );
        }
    }

    #[test]
    fn code_arguments_pair_and_files_stay_files() {
        let c = config(
            &[
                "550",
                "5.1.1",
                "4.2.2",
                "x.1.1",
                "bounce.eml",
                "-",
                "5.7.1 550",
                "421",
            ],
            &env(&[], true),
        )
        .unwrap();
        let code = |b: Option<&str>, e: Option<&str>| {
            Input::Codes(b.and_then(Basic::parse), e.and_then(Enhanced::parse))
        };
        assert_eq!(
            c.inputs,
            vec![
                code(Some("550"), Some("5.1.1")),
                code(None, Some("4.2.2")),
                code(None, Some("X.1.1")),
                Input::File("bounce.eml".into()),
                Input::Stdin,
                code(Some("550"), Some("5.7.1")),
                code(Some("421"), None),
            ]
        );
        assert!(c.several_sources());
    }

    #[test]
    fn no_argument_reads_stdin_unless_it_is_a_terminal() {
        assert_eq!(
            config(&[], &env(&[], false)).unwrap().inputs,
            vec![Input::Stdin]
        );
        assert!(config(&[], &env(&[], true)).is_err());
    }

    #[test]
    fn unknown_language_is_an_error() {
        assert!(config(&["--lang", "pt", "550"], &env(&[], false))
            .unwrap_err()
            .contains("available: en, it, fr, de, es"));
        assert_eq!(
            config(&["550"], &env(&[("LANG", "it_IT.UTF-8")], false))
                .unwrap()
                .lang,
            Lang::It
        );
    }
}

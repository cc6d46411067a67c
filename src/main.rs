//! The `smtpcode` binary: parse the command line, run the pipeline, map the outcome to an
//! exit status (0 a code found, 1 none found, 2 an error), as grep and ripgrep do.

use clap::Parser;
use smtpcode::cli::{config::Config, config::Env, Cli};
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let result = match cli.generate {
        Some(kind) => {
            smtpcode::cli::generate::generate(kind, &mut stdout).map(|()| smtpcode::Outcome {
                found: true,
                errors: false,
            })
        }
        None => match Config::from_cli(&cli, &Env::from_process()) {
            Ok(config) => {
                smtpcode::run(&config, &mut io::BufWriter::new(stdout), &mut io::stderr())
            }
            Err(e) => {
                // The message may quote an argument (`--lang`): never raw to the terminal.
                let _ = writeln!(io::stderr(), "error: {}", smtpcode::cli::escape(&e));
                return ExitCode::from(2);
            }
        },
    };
    match result {
        Ok(o) if o.errors => ExitCode::from(2),
        Ok(o) => ExitCode::from(if o.found { 0 } else { 1 }),
        // A closed pipe (`smtpcode big.log | head -1`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(io::stderr(), "error: {e}");
            ExitCode::from(2)
        }
    }
}

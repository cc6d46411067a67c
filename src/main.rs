//! The `smtpcode` binary: parse the command line, run the pipeline, map the outcome to an
//! exit status (0 a code found, 1 none found, 2 an error), as grep and ripgrep do.
//!
//! As a filter in a log pipeline (`--line-buffered`, under rsyslog's omprog or syslog-ng's
//! program()), it ends cleanly on SIGTERM: the line being written is finished, then exit 0.

use clap::Parser;
use smtpcode::cli::{config::Config, config::Env, Cli};
use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.generate {
        Some(kind) => smtpcode::cli::generate::generate(kind, &mut io::stdout().lock()).map(|()| {
            smtpcode::Outcome {
                found: true,
                errors: false,
            }
        }),
        None => match Config::from_cli(&cli, &Env::from_process()) {
            // Line by line: every write goes out whole, so SIGTERM may end the run between
            // two of them.
            Ok(config) if config.line_buffered => {
                exit_on_sigterm();
                smtpcode::run(&config, &mut io::stdout(), &mut io::stderr())
            }
            Ok(config) => smtpcode::run(
                &config,
                &mut io::BufWriter::with_capacity(64 * 1024, io::stdout().lock()),
                &mut io::stderr(),
            ),
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

/// On SIGTERM, waits for the write in progress on stdout (each one is whole lines) and exits
/// with status 0: a filter told to stop has done nothing wrong.
fn exit_on_sigterm() {
    #[cfg(unix)]
    {
        use signal_hook::{consts::SIGTERM, iterator::Signals};
        if let Ok(mut signals) = Signals::new([SIGTERM]) {
            std::thread::spawn(move || {
                if signals.forever().next().is_some() {
                    let _writing = io::stdout().lock();
                    std::process::exit(0);
                }
            });
        }
    }
}

//! Shell completions and the man page, generated from the clap definition (`--generate`).

use super::args::{Cli, Generate};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};

/// Writes the completion script or man page `kind` names.
pub fn generate(kind: Generate, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    let shell = match kind {
        Generate::CompleteBash => Shell::Bash,
        Generate::CompleteZsh => Shell::Zsh,
        Generate::CompleteFish => Shell::Fish,
        Generate::CompletePowershell => Shell::PowerShell,
        Generate::CompleteElvish => Shell::Elvish,
        Generate::Man => return clap_mangen::Man::new(cmd).render(out),
    };
    clap_complete::generate(shell, &mut cmd, "smtpcode", out);
    Ok(())
}

/// The file under `completions/` each generator writes.
pub const FILES: [(Generate, &str); 5] = [
    (Generate::CompleteBash, "smtpcode.bash"),
    (Generate::CompleteZsh, "_smtpcode"),
    (Generate::CompleteFish, "smtpcode.fish"),
    (Generate::CompletePowershell, "_smtpcode.ps1"),
    (Generate::CompleteElvish, "smtpcode.elv"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in completions must be what the clap definition generates. To update them
    /// after changing `cli.rs`: `SMTPCODE_BLESS=1 cargo test completions`.
    #[test]
    fn completions_are_up_to_date() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
        for (kind, file) in FILES {
            let mut want = Vec::new();
            generate(kind, &mut want).unwrap();
            let path = dir.join(file);
            if std::env::var_os("SMTPCODE_BLESS").is_some() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &want).unwrap();
            }
            let have = std::fs::read(&path).unwrap_or_default();
            assert!(
                have == want,
                "completions/{file} is stale: run SMTPCODE_BLESS=1 cargo test completions"
            );
        }
    }

    #[test]
    fn man_page_names_the_tool() {
        let mut out = Vec::new();
        generate(Generate::Man, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("smtpcode"));
    }
}

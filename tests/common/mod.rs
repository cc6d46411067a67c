//! What the integration tests share: running a program with none of the host's locale
//! or colour settings, so that the host does not leak into the results.

use assert_cmd::Command;

/// The variables that change what smtpcode prints.
pub const HOST_VARS: [&str; 10] = [
    "NO_COLOR",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_MESSAGES",
    "TERM",
    "SMTPCODE_LANG",
    "COLUMNS",
    "CLICOLOR",
    "CLICOLOR_FORCE",
];

/// `program` with the host's locale and colour settings removed.
pub fn clean(mut cmd: Command) -> Command {
    for var in HOST_VARS {
        cmd.env_remove(var);
    }
    cmd
}

/// The smtpcode binary with a clean environment, run from the project's root.
#[allow(dead_code)] // not every test file runs it this way
pub fn smtpcode() -> Command {
    let mut cmd = clean(Command::cargo_bin("smtpcode").unwrap());
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

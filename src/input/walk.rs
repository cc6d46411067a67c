//! Input stage, folders: a directory given as an argument is walked recursively, in an
//! order sorted by name so that two runs agree, and every regular file under it becomes an
//! input (an email, an mbox or a log, told apart as for any file).
//!
//! Skipped, as ripgrep and fd skip them: hidden entries (names that start with `.`), except
//! the folder given itself (`~/Maildir/.Bounces/`) and the folders of a Maildir++ (below);
//! FIFOs, sockets and devices found inside a folder (reading one could wait for ever).
//! Symbolic links are followed; a link that leads back into its own ancestry is reported as
//! a loop, not walked again. Anything that cannot be read is reported and the walk goes on.
//!
//! A Maildir (a folder holding `cur/` or `new/`) is read as a mail client reads it: its
//! `cur/` and `new/`, not its `tmp/`, where mail is still being written. In a Maildir++
//! (Courier, Dovecot) the user's other folders sit in the Maildir as hidden Maildirs
//! (`.Bounces/`, `.Trash/`, `.Lists.2024/`): those are read, other hidden entries are not.
use super::read::{display_name, InputError};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every file under `root`, in sorted order, or what stopped the walk at an entry.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<PathBuf, InputError>> {
    let root = root.to_path_buf();
    let mut maildirs = Maildirs::default();
    walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| e.depth() == 0 || !maildirs.skips(e))
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() => Some(Ok(e.into_path())),
            Ok(_) => None,
            Err(e) => Some(Err(walk_error(&root, &e))),
        })
}

/// Which folders of the walk are Maildirs, each looked up once.
#[derive(Default)]
struct Maildirs(HashMap<PathBuf, bool>);

impl Maildirs {
    /// Whether `dir` holds `cur/` or `new/`.
    fn is(&mut self, dir: &Path) -> bool {
        *(self.0.entry(dir.to_path_buf()))
            .or_insert_with(|| dir.join("cur").is_dir() || dir.join("new").is_dir())
    }

    /// A hidden entry that is no Maildir++ folder, or a Maildir's `tmp/`.
    fn skips(&mut self, e: &walkdir::DirEntry) -> bool {
        let name = e.file_name().as_encoded_bytes();
        let (hidden, tmp) = (name.first() == Some(&b'.'), name == b"tmp");
        if !hidden && !tmp {
            return false;
        }
        let in_maildir = e.path().parent().is_some_and(|p| self.is(p));
        let dir = e.file_type().is_dir();
        if tmp {
            return dir && in_maildir;
        }
        // A Maildir++ folder: a hidden Maildir inside a Maildir.
        !(dir && in_maildir && self.is(e.path()))
    }
}

/// An error of the walk, naming the entry (or the folder) it happened at.
fn walk_error(root: &Path, e: &walkdir::Error) -> InputError {
    let name = display_name(e.path().unwrap_or(root));
    let reason = if let Some(ancestor) = e.loop_ancestor() {
        format!(
            "symbolic link loop (leads back to {}); not followed",
            display_name(ancestor)
        )
    } else if let Some(io) = e.io_error() {
        super::read::describe(io)
    } else {
        e.to_string()
    };
    InputError { name, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn tree() -> PathBuf {
        let root = std::env::temp_dir().join(format!("smtpcode-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in [
            "Maildir/cur",
            "Maildir/new",
            "Maildir/tmp",
            "Maildir/.Spam/cur",
            "Maildir/.Spam/tmp",
            "Maildir/.Lists.2024/new",
            "Maildir/.cache",
            "Queue/new",
            "Queue/tmp",
            "logs/tmp",
            "logs/.old/cur",
        ] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "Maildir/cur/2:S",
            "Maildir/cur/1:S",
            "Maildir/new/3",
            "Maildir/tmp/4",
            "Maildir/.Spam/cur/5",
            "Maildir/.Spam/tmp/6",
            "Maildir/.Lists.2024/new/7",
            "Maildir/.cache/8",
            "Maildir/.hidden",
            "Queue/new/9",
            "Queue/tmp/10",
            "logs/tmp/mail.log",
            "logs/.old/cur/11",
            "logs/b.log",
        ] {
            fs::write(root.join(file), "x").unwrap();
        }
        root
    }

    #[test]
    fn walks_sorted_and_reads_a_maildir_as_a_mail_client_does() {
        let root = tree();
        let found: Vec<String> = walk(&root)
            .map(|p| {
                let p = p.unwrap();
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(
            found,
            [
                // Maildir++ folders: hidden Maildirs in a Maildir, without their `tmp/`.
                "Maildir/.Lists.2024/new/7",
                "Maildir/.Spam/cur/5",
                "Maildir/cur/1:S",
                "Maildir/cur/2:S",
                "Maildir/new/3",
                // A Maildir with no `cur/` yet.
                "Queue/new/9",
                "logs/b.log",
                // Outside a Maildir, a `tmp` is an ordinary folder and a hidden Maildir
                // (`logs/.old`) a hidden entry.
                "logs/tmp/mail.log",
            ]
        );
        // The hidden folder given itself is walked.
        let spam: Vec<_> = walk(&root.join("Maildir/.Spam")).collect();
        assert_eq!(spam.len(), 1);
        let old: Vec<_> = walk(&root.join("logs/.old")).collect();
        assert_eq!(old.len(), 1);
        fs::remove_dir_all(&root).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_reported_and_the_walk_goes_on() {
        let root = std::env::temp_dir().join(format!("smtpcode-loop-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/m.eml"), "x").unwrap();
        std::os::unix::fs::symlink(&root, root.join("a/back")).unwrap();
        let found: Vec<_> = walk(&root).collect();
        assert_eq!(found.len(), 2, "{found:?}");
        let e = found.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(e.to_string().contains("symbolic link loop"), "{e}");
        assert!(found
            .iter()
            .any(|r| r.as_ref().is_ok_and(|p| p.ends_with("a/m.eml"))));
        fs::remove_dir_all(&root).unwrap();
    }
}

//! Input stage, folders: a directory given as an argument is walked recursively, in an
//! order sorted by name so that two runs agree, and every regular file under it becomes an
//! input (an email, an mbox or a log, told apart as for any file).
//!
//! Skipped, as ripgrep and fd skip them: hidden entries (names that start with `.`), except
//! the folder given itself (`~/Maildir/.Bounces/`), and Maildir's `tmp/` (a folder named
//! `tmp` beside a `cur/`), where mail is still being written; FIFOs, sockets and devices
//! found inside a folder (reading one could wait for ever). Symbolic links are followed;
//! a link that leads back into its own ancestry is reported as a loop, not walked again.
//! Anything that cannot be read is reported and the walk goes on.

use super::read::{display_name, InputError};
use std::path::{Path, PathBuf};

/// Every file under `root`, in sorted order, or what stopped the walk at an entry.
pub fn walk(root: &Path) -> impl Iterator<Item = Result<PathBuf, InputError>> {
    let root = root.to_path_buf();
    walkdir::WalkDir::new(&root)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !skipped(e))
        .filter_map(move |entry| match entry {
            Ok(e) if e.file_type().is_file() => Some(Ok(e.into_path())),
            Ok(_) => None,
            Err(e) => Some(Err(walk_error(&root, &e))),
        })
}

/// A hidden entry, or Maildir's `tmp/`.
fn skipped(e: &walkdir::DirEntry) -> bool {
    let name = e.file_name().as_encoded_bytes();
    if name.first() == Some(&b'.') {
        return true;
    }
    name == b"tmp"
        && e.file_type().is_dir()
        && e.path().parent().is_some_and(|p| p.join("cur").is_dir())
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
            "logs/tmp",
        ] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "Maildir/cur/2:S",
            "Maildir/cur/1:S",
            "Maildir/new/3",
            "Maildir/tmp/4",
            "Maildir/.Spam/cur/5",
            "Maildir/.hidden",
            "logs/tmp/mail.log",
            "logs/b.log",
        ] {
            fs::write(root.join(file), "x").unwrap();
        }
        root
    }

    #[test]
    fn walks_sorted_and_skips_hidden_entries_and_maildir_tmp() {
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
                "Maildir/cur/1:S",
                "Maildir/cur/2:S",
                "Maildir/new/3",
                "logs/b.log",
                // A `tmp` that is not a Maildir's is an ordinary folder.
                "logs/tmp/mail.log",
            ]
        );
        // The hidden folder given itself is walked.
        let spam: Vec<_> = walk(&root.join("Maildir/.Spam")).collect();
        assert_eq!(spam.len(), 1);
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

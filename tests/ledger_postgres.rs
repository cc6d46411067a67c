//! The fleet ledger (#23) on a real PostgreSQL server: a throw-away cluster (the
//! distribution's initdb and pg_ctl, in a temporary folder, listening on a unix socket
//! only; run as `nobody` when the tests run as root, since the server refuses root) gives
//! the same answers as a SQLite ledger fed the same inputs, counts a record fed twice once,
//! and takes two writers at once. Skips, saying so, where no server can start (`apt-get
//! install postgresql`; `.ci/run` installs it).

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_smtpcode");

fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("SMTPCODE_LEDGER")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The newest installed server's bin folder.
fn pg_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").is_file() && b.join("pg_ctl").is_file())
        .collect();
    found.sort();
    found.pop()
}

/// A running cluster, stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    user: String,
    as_nobody: bool,
}

impl Cluster {
    fn command(&self, tool: &str) -> Command {
        let mut c = if self.as_nobody {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--"]).arg(self.bin.join(tool));
            c
        } else {
            Command::new(self.bin.join(tool))
        };
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        c
    }

    fn start() -> Result<Cluster, String> {
        let bin = pg_bin().ok_or("no PostgreSQL server installed")?;
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| e.to_string())?;
        let as_nobody = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        // A short path: a unix socket's name has at most 107 bytes.
        let dir = PathBuf::from(format!("/tmp/smtpcode-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let user = if as_nobody {
            std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).map_err(|e| e.to_string())?;
            "nobody".to_string()
        } else {
            std::env::var("USER").unwrap_or_else(|_| "postgres".into())
        };
        let cluster = Cluster {
            dir: dir.clone(),
            bin,
            user,
            as_nobody,
        };
        let data = dir.join("data");
        let ok = |out: std::io::Result<Output>, what: &str| -> Result<(), String> {
            let out = out.map_err(|e| format!("{what}: {e}"))?;
            match out.status.success() {
                true => Ok(()),
                false => Err(format!(
                    "{what}: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                )),
            }
        };
        ok(
            cluster
                .command("initdb")
                .args(["-A", "trust", "-U", &cluster.user, "-D"])
                .arg(&data)
                .output(),
            "initdb",
        )?;
        let options = format!("-c listen_addresses='' -k {} -c fsync=off", dir.display());
        ok(
            cluster
                .command("pg_ctl")
                .args(["-w", "-t", "30", "-D"])
                .arg(&data)
                .args(["-l"])
                .arg(dir.join("log"))
                .args(["-o", &options, "start"])
                .output(),
            "pg_ctl start",
        )?;
        Ok(cluster)
    }

    /// The URL of the cluster's `postgres` database.
    fn url(&self) -> String {
        let socket = self.dir.display().to_string().replace('/', "%2F");
        format!("postgres://{}@{socket}/postgres", self.user)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self
            .command("pg_ctl")
            .args(["-w", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .arg("stop")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn dated_log(dir: &Path) -> String {
    let mut lines = String::new();
    for (day, to, dsn, said) in [
        ("01", "ann@example.org", "4.4.1", "Connection timed out"),
        ("05", "ann@example.org", "4.4.1", "Connection timed out"),
        ("09", "ann@example.org", "4.4.1", "Connection timed out"),
        (
            "02",
            "bob@example.org",
            "5.1.1",
            "User unknown in virtual mailbox table",
        ),
        (
            "03",
            "cy@example.org",
            "5.7.1",
            "Message rejected as spam by Content Filtering",
        ),
        (
            "04",
            "dan@example.org",
            "4.2.2",
            "Mailbox full, quota exceeded",
        ),
        (
            "06",
            "dan@example.org",
            "4.2.2",
            "Mailbox full, quota exceeded",
        ),
        (
            "12",
            "dan@example.org",
            "4.2.2",
            "Mailbox full, quota exceeded",
        ),
        ("13", "eve@example.org", "2.0.0", "Ok: queued as 1234"),
    ] {
        let status = if dsn.starts_with('2') {
            "sent"
        } else {
            "bounced"
        };
        lines.push_str(&format!(
            "2026-10-{day}T08:00:00Z mx postfix/smtp[7]: 4F9D1: to=<{to}>, relay=mx.example.org[192.0.2.1]:25, delay=1, dsn={dsn}, status={status} (host mx.example.org said: {}50 {dsn} {said})\n",
            &dsn[..1]
        ));
    }
    let p = dir.join("mail.log");
    std::fs::write(&p, lines).unwrap();
    p.display().to_string()
}

#[test]
fn an_unreachable_server_is_one_clear_line() {
    // Port 1 on the loopback: nothing listens there.
    let out = run(&[
        "--ledger",
        "postgres://smtpcode:secret@127.0.0.1:1/ledger?connect_timeout=5",
        &fixture("postfix-bounced.log"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.starts_with("error: ledger postgres://127.0.0.1:1/ledger"),
        "{err}"
    );
    assert!(
        !err.contains("secret") && !err.contains("panicked") && err.lines().count() == 1,
        "{err}"
    );
}

#[test]
fn a_postgres_ledger_answers_as_a_sqlite_one() {
    let cluster = match Cluster::start() {
        Ok(c) => c,
        Err(why) => {
            println!("skipped: no PostgreSQL server could start here ({why})");
            return;
        }
    };
    let url = cluster.url();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("ledger-postgres");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let sqlite = dir.join("l.db").display().to_string();
    let log = dated_log(&dir);
    let (arf, mbox) = (fixture("complaint-arf.eml"), fixture("two-messages.mbox"));
    // Two writers at once into the server, then the same inputs again: nothing twice.
    let spawn = |args: Vec<String>| {
        Command::new(BIN)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let writers = [
        spawn(vec!["--ledger".into(), url.clone(), log.clone()]),
        spawn(vec![
            "--ledger".into(),
            url.clone(),
            arf.clone(),
            mbox.clone(),
        ]),
    ];
    for w in writers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.code() != Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for ledger in [&url, &sqlite] {
        let out = run(&["--ledger", ledger, &log, &arf, &mbox]);
        assert!(
            out.status.code() != Some(2),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let pg_count: i64 = client
        .query_one("SELECT count(*) FROM events", &[])
        .unwrap()
        .get(0);
    let conn = rusqlite::Connection::open(&sqlite).unwrap();
    let lite_count: i64 = conn
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(pg_count, lite_count);
    assert!(pg_count >= 10, "{pg_count}");
    for as_of in ["2026-10-10", "2026-11-01", "2026-11-20", "2027-01-01"] {
        for json in [false, true] {
            let ask = |ledger: &str| {
                let mut args = vec!["--ledger", ledger, "--suppressed", "--as-of", as_of];
                if json {
                    args.push("--json");
                }
                let out = run(&args);
                assert!(
                    out.status.code() != Some(2),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                out.stdout
            };
            let (pg, lite) = (ask(&url), ask(&sqlite));
            assert_eq!(
                String::from_utf8_lossy(&pg),
                String::from_utf8_lossy(&lite),
                "as of {as_of}"
            );
        }
    }
    let now =
        String::from_utf8(run(&["--ledger", &url, "--suppressed", "--as-of", "2026-10-20"]).stdout)
            .unwrap();
    let addresses: Vec<&str> = now
        .lines()
        .skip(1)
        .map(|l| l.split('\t').next().unwrap())
        .collect();
    assert!(
        addresses.contains(&"ann@example.org") && addresses.contains(&"bob@example.org"),
        "{now}"
    );
    assert!(!addresses.contains(&"cy@example.org"), "{now}");
    // A newer schema is refused on the server too.
    client
        .execute("UPDATE meta SET value = '2' WHERE key = 'schema'", &[])
        .unwrap();
    let out = run(&["--ledger", &url, "--suppressed"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("version 2, newer"), "{err}");
}

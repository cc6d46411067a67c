//! Record stage, storage: the ledger's tables in a SQLite file or a PostgreSQL database,
//! one schema for both.
//!
//! `meta(key, value)` holds `schema`, the version of the tables; a ledger of a newer
//! schema than this build knows is refused, never rewritten. `events` holds one row per
//! verdict, keyed by (at, ident, address): feeding the same record twice adds nothing.
//! Each batch is one transaction, so a killed process leaves whole batches behind; SQLite
//! runs in WAL mode with a busy timeout, so several processes may write one file at once.

use super::event::Event;

/// The version of the tables this build writes and reads.
pub const SCHEMA: i64 = 1;

const TABLES: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    address TEXT NOT NULL,
    at BIGINT NOT NULL,
    ident BIGINT NOT NULL,
    delivered INTEGER NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    hard INTEGER NOT NULL,
    original TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (at, ident, address)
)";

/// SQLite keeps the rows in the key's order itself (PostgreSQL has no such clause).
const SQLITE_TABLE_END: &str = " WITHOUT ROWID";

/// The rows of the history the policy reads, in time order. (Time first in the key: logs
/// come in time order, so recording appends to the table instead of writing all over it.)
const HISTORY: &str = "SELECT address, at, delivered, status, reason, hard, original \
    FROM events WHERE at <= $1 ORDER BY at, ident, address";

/// One recorded verdict as read (its texts borrowed from the store's row) and as the
/// policy judges it.
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    pub address: &'a str,
    pub at: i64,
    pub delivered: bool,
    pub status: &'a str,
    pub reason: &'a str,
    pub hard: bool,
    pub original: &'a str,
}

/// An open ledger.
pub enum Store {
    Sqlite(Box<rusqlite::Connection>),
    Postgres(Box<postgres::Client>),
}

/// How a ledger is named in messages: a PostgreSQL URL without its user and password.
pub fn display(spec: &str) -> String {
    let shown = match spec.split_once("://") {
        Some((scheme, rest)) if is_postgres(spec) => match rest.rsplit_once('@') {
            Some((_, host)) => format!("{scheme}://{host}"),
            None => spec.to_string(),
        },
        _ => spec.to_string(),
    };
    crate::text::escape(&shown)
}

fn is_postgres(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

impl Store {
    /// Opens (creating it where it is a new file) the ledger `spec` names: a
    /// `postgres://` URL, else a SQLite file's path. The error is one line.
    pub fn open(spec: &str) -> Result<Store, String> {
        // Two processes creating one SQLite file at once: switching it to WAL or creating
        // its tables may be refused at once (busy) rather than queued; try again a while.
        let mut tries = 0;
        loop {
            match Store::open_once(spec) {
                Err(e) if tries < 100 && (e.contains("locked") || e.contains("busy")) => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                done => return done,
            }
        }
    }

    fn open_once(spec: &str) -> Result<Store, String> {
        let mut store = if is_postgres(spec) {
            let client = postgres::Client::connect(spec, postgres::NoTls).map_err(pg)?;
            Store::Postgres(Box::new(client))
        } else {
            let conn = rusqlite::Connection::open(spec).map_err(lite)?;
            conn.busy_timeout(std::time::Duration::from_secs(60))
                .map_err(lite)?;
            // WAL: readers never wait for the writer, and writers of several processes
            // queue on the busy timeout.
            let _: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(lite)?;
            conn.execute_batch("PRAGMA synchronous=NORMAL")
                .map_err(lite)?;
            Store::Sqlite(Box::new(conn))
        };
        store.prepare()?;
        Ok(store)
    }

    /// Creates the tables where they are missing and checks the schema version.
    fn prepare(&mut self) -> Result<(), String> {
        let newer = |v: i64| {
            format!("its schema is version {v}, newer than this smtpcode knows ({SCHEMA}): use a newer smtpcode")
        };
        let version: Option<String> = match self {
            Store::Sqlite(conn) => {
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(lite)?;
                tx.execute_batch(&format!("{TABLES}{SQLITE_TABLE_END}"))
                    .map_err(lite)?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', $1) ON CONFLICT DO NOTHING",
                    [SCHEMA.to_string()],
                )
                .map_err(lite)?;
                let v = tx
                    .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                        r.get(0)
                    })
                    .map_err(lite)?;
                tx.commit().map_err(lite)?;
                Some(v)
            }
            Store::Postgres(client) => {
                let mut tx = client.transaction().map_err(pg)?;
                // Two hosts creating the tables at once: one waits for the other.
                tx.execute("SELECT pg_advisory_xact_lock(7423)", &[])
                    .map_err(pg)?;
                tx.batch_execute(TABLES).map_err(pg)?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', $1) ON CONFLICT DO NOTHING",
                    &[&SCHEMA.to_string()],
                )
                .map_err(pg)?;
                let v = tx
                    .query_opt("SELECT value FROM meta WHERE key = 'schema'", &[])
                    .map_err(pg)?
                    .map(|r| r.get(0));
                tx.commit().map_err(pg)?;
                v
            }
        };
        match version.as_deref().map(str::parse::<i64>) {
            Some(Ok(v)) if v == SCHEMA => Ok(()),
            Some(Ok(v)) if v > SCHEMA => Err(newer(v)),
            other => Err(format!(
                "its schema version is not one smtpcode wrote ({:?})",
                other.map(|r| r.ok())
            )),
        }
    }

    /// Records a batch in one transaction; returns how many events were new.
    pub fn record(&mut self, events: &[Event]) -> Result<usize, String> {
        if events.is_empty() {
            return Ok(0);
        }
        match self {
            Store::Sqlite(conn) => {
                let tx = conn
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(lite)?;
                let mut added = 0;
                {
                    let mut insert = tx
                        .prepare_cached(
                            "INSERT INTO events (address, at, ident, delivered, status, reason, hard, original, source) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                        )
                        .map_err(lite)?;
                    for e in events {
                        added += insert
                            .execute(rusqlite::params![
                                e.address,
                                e.at,
                                e.ident,
                                i32::from(e.delivered),
                                e.status,
                                e.reason,
                                i32::from(e.hard),
                                e.original,
                                &*e.source
                            ])
                            .map_err(lite)?;
                    }
                }
                tx.commit().map_err(lite)?;
                Ok(added)
            }
            Store::Postgres(client) => {
                // One statement per batch: the columns as arrays, unnested by the server.
                let col = |f: fn(&Event) -> String| events.iter().map(f).collect::<Vec<_>>();
                let num = |f: fn(&Event) -> i64| events.iter().map(f).collect::<Vec<_>>();
                let flag = |f: fn(&Event) -> bool| {
                    events.iter().map(|e| i32::from(f(e))).collect::<Vec<_>>()
                };
                let (address, status, reason) = (
                    col(|e| e.address.clone()),
                    col(|e| e.status.clone()),
                    col(|e| e.reason.to_string()),
                );
                let (original, source) =
                    (col(|e| e.original.clone()), col(|e| e.source.to_string()));
                let (at, ident) = (num(|e| e.at), num(|e| e.ident));
                let (delivered, hard) = (flag(|e| e.delivered), flag(|e| e.hard));
                let mut tx = client.transaction().map_err(pg)?;
                let added = tx
                    .execute(
                        "INSERT INTO events (address, at, ident, delivered, status, reason, hard, original, source) \
                         SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bigint[], $4::int[], $5::text[], \
                         $6::text[], $7::int[], $8::text[], $9::text[]) ON CONFLICT DO NOTHING",
                        &[&address, &at, &ident, &delivered, &status, &reason, &hard, &original, &source],
                    )
                    .map_err(pg)?;
                tx.commit().map_err(pg)?;
                Ok(added as usize)
            }
        }
    }

    /// Calls `f` with every recorded event up to `as_of`, in time order.
    pub fn history(&mut self, as_of: i64, f: &mut dyn FnMut(RowRef<'_>)) -> Result<(), String> {
        match self {
            Store::Sqlite(conn) => {
                let mut query = conn.prepare(HISTORY).map_err(lite)?;
                let mut rows = query.query([as_of]).map_err(lite)?;
                while let Some(r) = rows.next().map_err(lite)? {
                    let text = |i: usize| -> Result<&str, String> {
                        r.get_ref(i)
                            .map_err(lite)?
                            .as_str()
                            .map_err(|e| e.to_string())
                    };
                    f(RowRef {
                        address: text(0)?,
                        at: r.get(1).map_err(lite)?,
                        delivered: r.get::<_, i64>(2).map_err(lite)? != 0,
                        status: text(3)?,
                        reason: text(4)?,
                        hard: r.get::<_, i64>(5).map_err(lite)? != 0,
                        original: text(6)?,
                    });
                }
                Ok(())
            }
            Store::Postgres(client) => {
                use postgres::fallible_iterator::FallibleIterator;
                let mut rows = client.query_raw(HISTORY, [as_of]).map_err(pg)?;
                while let Some(r) = rows.next().map_err(pg)? {
                    f(RowRef {
                        address: r.try_get(0).map_err(pg)?,
                        at: r.try_get(1).map_err(pg)?,
                        delivered: r.try_get::<_, i32>(2).map_err(pg)? != 0,
                        status: r.try_get(3).map_err(pg)?,
                        reason: r.try_get(4).map_err(pg)?,
                        hard: r.try_get::<_, i32>(5).map_err(pg)? != 0,
                        original: r.try_get(6).map_err(pg)?,
                    });
                }
                Ok(())
            }
        }
    }
}

fn lite(e: rusqlite::Error) -> String {
    e.to_string()
}

fn pg(e: postgres::Error) -> String {
    // The server's own message where it gave one, else the client's (refused, timed out).
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => {
            let mut s = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(inner) = source {
                s = format!("{s}: {inner}");
                source = inner.source();
            }
            s
        }
    }
}

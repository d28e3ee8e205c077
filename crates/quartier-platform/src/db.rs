//! SQLite: opening, durability settings, migrations, and access from async handlers.
//!
//! One connection behind a mutex, used from `spawn_blocking`. SQLite serialises writers anyway,
//! and the platform's load (one town's residents) fits a single connection; when reads need to
//! run beside a write, a small pool of read-only connections can be added here without touching
//! the handlers, since they only see [`Db::call`].

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use anyhow::{Context, bail};
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use crate::error::AppError;

/// The database file inside `--data`.
pub const DB_FILE_NAME: &str = "quartier.db";

/// How long a statement waits for a lock held by another connection (the CLI, a backup) before
/// failing with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Append only: a migration that has shipped is never edited, a change is a new file.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_meta.sql")),
    M::up(include_str!("../migrations/0002_ngsi_ld.sql")),
    M::up(include_str!("../migrations/0003_open311.sql")),
    M::up(include_str!("../migrations/0004_resident.sql")),
    M::up(include_str!(
        "../migrations/0005_open311_idempotency_per_client.sql"
    )),
];

pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

/// A cheap-to-clone handle on the platform's database.
#[derive(Clone)]
pub struct Db {
    conn: Arc<Mutex<Connection>>,
    path: PathBuf,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens (creating if needed) `<data_dir>/quartier.db` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE_NAME);
        let mut conn = Connection::open(&path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        configure(&conn).with_context(|| format!("cannot configure {}", path.display()))?;
        migrations()
            .to_latest(&mut conn)
            .with_context(|| format!("cannot migrate {}", path.display()))?;
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on the connection in the blocking pool, so that SQLite I/O (and `fsync` with
    /// `synchronous=FULL`) never stalls the async runtime.
    pub async fn call<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut Connection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A panic in an earlier closure poisons the mutex but leaves the connection usable:
            // SQLite rolled back any transaction it had open when the `Transaction` dropped.
            let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
            f(&mut conn)
        })
        .await?
    }
}

impl Db {
    /// Runs `f` on the connection on the calling thread: for start-up work (demo seeding) in
    /// [`crate::AppState::new`], before any request. Handlers use [`Db::call`].
    pub fn call_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut conn = self.conn.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut conn)
    }
}

fn configure(conn: &Connection) -> anyhow::Result<()> {
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        bail!("the database refused WAL mode (journal_mode is {mode})");
    }
    // In WAL mode NORMAL survives a killed process but may lose the last commits on power loss;
    // FULL makes every acknowledged write durable, which a resident's report deserves.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().expect("migrations validate");
    }

    #[tokio::test]
    async fn open_sets_wal_full_foreign_keys_and_migrates() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open(&dir.path().join("nested/data")).expect("open");
        assert!(db.path().ends_with("nested/data/quartier.db"));
        let (mode, sync, fk, version, created): (String, i64, i64, i64, String) = db
            .call(|conn| {
                let mode = conn.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
                let sync = conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
                let fk = conn.pragma_query_value(None, "foreign_keys", |r| r.get(0))?;
                let version = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
                let created =
                    conn.query_row("SELECT value FROM meta WHERE key = 'created_at'", [], |r| {
                        r.get(0)
                    })?;
                Ok((mode, sync, fk, version, created))
            })
            .await
            .expect("query");
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "synchronous=FULL is 2");
        assert_eq!(fk, 1);
        assert_eq!(version, i64::try_from(MIGRATIONS.len()).expect("small"));
        assert!(created.ends_with('Z'), "{created}");
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_does_not_rerun_migrations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = Db::open(dir.path()).expect("open");
        db.call(|conn| {
            conn.execute("INSERT INTO meta (key, value) VALUES ('probe', 'kept')", [])?;
            Ok(())
        })
        .await
        .expect("insert");
        drop(db);
        let db = Db::open(dir.path()).expect("reopen");
        let value: String = db
            .call(|conn| {
                Ok(
                    conn.query_row("SELECT value FROM meta WHERE key = 'probe'", [], |r| {
                        r.get(0)
                    })?,
                )
            })
            .await
            .expect("select");
        assert_eq!(value, "kept");
    }
}

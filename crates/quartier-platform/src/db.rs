//! SQLite: opening, durability settings, migrations, and access from async handlers.
//!
//! One writer connection beside a small pool of read-only connections, all in WAL mode, used from
//! `spawn_blocking`. In WAL mode readers never wait for the writer (nor it for them), so the
//! anonymous areas, which only read, run on [`Db::read`] while resident calls and every write go
//! through [`Db::call`] on the writer, which no anonymous request ever holds.
//!
//! Every call has a deadline: the request's ([`with_deadline`], set by the API areas' layer) or
//! [`Db::default_timeout`] outside a request. Waiting for a connection stops at the deadline, and a
//! progress handler on each connection interrupts a statement that runs past it, so a request
//! that timed out gives its connection back instead of holding it until its query ends.

use std::{
    path::{Path, PathBuf},
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};
use tokio::{
    sync::{Mutex as AsyncMutex, OwnedSemaphorePermit, Semaphore},
    time::Instant,
};

use crate::error::AppError;

/// The database file inside `--data`.
pub const DB_FILE_NAME: &str = "quartier.db";

/// How long a statement waits for a lock held by another connection (the CLI, a backup) before
/// failing with `SQLITE_BUSY`. Capped by the call's deadline (see [`Handle::arm`]).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A call's deadline when no request set one (start-up work, tests calling the store directly).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// SQLite virtual-machine steps between two looks at the clock: about a few microseconds of work.
const PROGRESS_STEPS: i32 = 1_000;

/// Append only: a migration that has shipped is never edited, a change is a new file.
const MIGRATIONS: &[M<'static>] = &[
    M::up(include_str!("../migrations/0001_meta.sql")),
    M::up(include_str!("../migrations/0002_ngsi_ld.sql")),
    M::up(include_str!("../migrations/0003_open311.sql")),
    M::up(include_str!("../migrations/0004_resident.sql")),
    M::up(include_str!(
        "../migrations/0005_open311_idempotency_per_client.sql"
    )),
    M::up(include_str!(
        "../migrations/0006_ngsi_ld_attribute_values.sql"
    )),
    M::up(include_str!(
        "../migrations/0007_consent_receipts_and_notices.sql"
    )),
    M::up(include_str!("../migrations/0008_open311_followers.sql")),
    M::up(include_str!("../migrations/0009_open311_request_media.sql")),
    M::up(include_str!("../migrations/0010_access_log_filters.sql")),
    M::up(include_str!("../migrations/0011_ngsi_ld_subscriptions.sql")),
    M::up(include_str!("../migrations/0012_ngsi_ld_created_at.sql")),
    M::up(include_str!("../migrations/0013_ngsi_ld_entity_types.sql")),
];

pub fn migrations() -> Migrations<'static> {
    Migrations::from_slice(MIGRATIONS)
}

tokio::task_local! {
    /// The deadline of the request being served, set by [`with_deadline`].
    static DEADLINE: Instant;
}

/// Runs `future` with `deadline` as the deadline of every database call it makes.
pub async fn with_deadline<F: std::future::Future>(deadline: Instant, future: F) -> F::Output {
    DEADLINE.scope(deadline, future).await
}

/// The deadline of the current request, if a layer set one.
pub fn current_deadline() -> Option<Instant> {
    DEADLINE.try_with(|deadline| *deadline).ok()
}

/// A connection with its progress handler, which interrupts any statement once the deadline in
/// `deadline` (milliseconds since `epoch`, 0 for none) has passed.
struct Handle {
    conn: Connection,
    deadline: Arc<AtomicU64>,
    epoch: std::time::Instant,
}

impl Handle {
    fn new(conn: Connection) -> rusqlite::Result<Self> {
        let deadline = Arc::new(AtomicU64::new(0));
        let epoch = std::time::Instant::now();
        let watched = Arc::clone(&deadline);
        conn.progress_handler(
            PROGRESS_STEPS,
            Some(move || {
                let at = watched.load(Ordering::Relaxed);
                at != 0 && millis_since(epoch) >= at
            }),
        )?;
        Ok(Self {
            conn,
            deadline,
            epoch,
        })
    }

    /// Arms the handler for `deadline`; a lock held elsewhere is waited for no longer either.
    fn arm(&self, deadline: Instant) -> Result<(), AppError> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(AppError::Timeout);
        }
        let at = millis_since(self.epoch) + u64::try_from(left.as_millis()).unwrap_or(u64::MAX);
        self.deadline.store(at.max(1), Ordering::Relaxed);
        self.conn.busy_timeout(left.min(BUSY_TIMEOUT))?;
        Ok(())
    }

    fn disarm(&self) {
        self.deadline.store(0, Ordering::Relaxed);
    }

    /// Runs `f` under `deadline`; an interrupted statement becomes [`AppError::Timeout`].
    fn run<T>(
        &mut self,
        deadline: Instant,
        f: impl FnOnce(&mut Connection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        self.arm(deadline)?;
        let result = f(&mut self.conn);
        self.disarm();
        result
    }
}

fn millis_since(epoch: std::time::Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Read-only connections, each used by one call at a time.
struct ReadPool {
    slots: Arc<Semaphore>,
    idle: Mutex<Vec<Handle>>,
}

/// A reader taken from the pool, given back when dropped (after its call, in the blocking pool).
struct Reader {
    pool: Arc<ReadPool>,
    handle: Option<Handle>,
    _permit: OwnedSemaphorePermit,
}

impl Drop for Reader {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.pool
                .idle
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(handle);
        }
    }
}

/// A cheap-to-clone handle on the platform's database.
#[derive(Clone)]
pub struct Db {
    writer: Arc<AsyncMutex<Handle>>,
    readers: Arc<ReadPool>,
    path: PathBuf,
    default_timeout: Duration,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("path", &self.path).finish()
    }
}

impl Db {
    /// Opens (creating if needed) `<data_dir>/quartier.db`, brings its schema up to date, and
    /// opens `readers` read-only connections (at least one) beside the writer.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        Self::open_with(data_dir, default_readers())
    }

    /// [`Db::open`] with a given number of read-only connections.
    pub fn open_with(data_dir: &Path, readers: usize) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
        let path = data_dir.join(DB_FILE_NAME);
        let mut conn = Connection::open(&path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        configure(&conn).with_context(|| format!("cannot configure {}", path.display()))?;
        migrations()
            .to_latest(&mut conn)
            .with_context(|| format!("cannot migrate {}", path.display()))?;
        let readers = readers.max(1);
        let idle = (0..readers)
            .map(|_| open_reader(&path))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            writer: Arc::new(AsyncMutex::new(Handle::new(conn)?)),
            readers: Arc::new(ReadPool {
                slots: Arc::new(Semaphore::new(readers)),
                idle: Mutex::new(idle),
            }),
            path,
            default_timeout: DEFAULT_TIMEOUT,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The deadline of calls made outside a request.
    pub fn default_timeout(&self) -> Duration {
        self.default_timeout
    }

    fn deadline(&self) -> Instant {
        current_deadline().unwrap_or_else(|| Instant::now() + self.default_timeout)
    }

    /// Runs `f` on the writer connection in the blocking pool, so that SQLite I/O (and `fsync`
    /// with `synchronous=FULL`) never stalls the async runtime. For every write, and for the
    /// resident API's reads, which then never queue behind anonymous readers.
    pub async fn call<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut Connection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let deadline = self.deadline();
        let mut writer = tokio::time::timeout_at(deadline, Arc::clone(&self.writer).lock_owned())
            .await
            .map_err(|_| AppError::Timeout)?;
        tokio::task::spawn_blocking(move || writer.run(deadline, f)).await?
    }

    /// Runs `f` on a read-only connection of the pool: it sees the last committed state and
    /// never waits for the writer. Writing through it fails (`SQLITE_READONLY`).
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut Connection) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let deadline = self.deadline();
        let permit =
            tokio::time::timeout_at(deadline, Arc::clone(&self.readers.slots).acquire_owned())
                .await
                .map_err(|_| AppError::Timeout)?
                .map_err(|_| AppError::Unavailable("the database is closed".into()))?;
        let handle = self
            .readers
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .ok_or_else(|| AppError::Unavailable("no idle reader under a permit".into()))?;
        let mut reader = Reader {
            pool: Arc::clone(&self.readers),
            handle: Some(handle),
            _permit: permit,
        };
        tokio::task::spawn_blocking(move || match reader.handle.as_mut() {
            Some(handle) => handle.run(deadline, f),
            None => Err(AppError::Unavailable("reader already given back".into())),
        })
        .await?
    }

    /// Runs `f` on the writer on the calling thread: for start-up work (demo seeding) in
    /// [`crate::AppState::new`], before any request. Handlers use [`Db::call`].
    pub fn call_blocking<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let mut writer = self
            .writer
            .try_lock()
            .map_err(|_| AppError::Unavailable("the writer is busy".into()))?;
        // Seeding a large demo town takes longer than a request may.
        writer.run(Instant::now() + Duration::from_secs(3600), f)
    }
}

/// Two readers per core: SQLite reads are CPU-bound, and a few more than the cores keep the
/// cores busy while one reader waits on the disk.
pub fn default_readers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
}

fn open_reader(path: &Path) -> anyhow::Result<Handle> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("cannot open a reader on {}", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(Handle::new(conn)?)
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

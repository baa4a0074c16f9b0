//! Opening the database (SQLite file or PostgreSQL) and applying migrations.

use std::time::Duration;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, Statement, TransactionTrait};
use sea_orm_migration::MigratorTrait;

use crate::Error;
use crate::migration::Migrator;

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, Error> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(Error::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// Opens a pool. SQLite gets WAL (readers never wait for, nor see, an import in progress),
/// a busy timeout for the one writer at a time, and a few connections so the API can read
/// while an import writes.
pub async fn connect(url: &str) -> Result<DatabaseConnection, Error> {
    let backend = Backend::of_url(url)?;
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.sqlx_logging(false).connect_timeout(Duration::from_secs(10));
    match backend {
        Backend::Sqlite => {
            opts.max_connections(4).map_sqlx_sqlite_opts(|o| {
                o.journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(30))
                    .foreign_keys(true)
            });
        }
        Backend::Postgres => {
            opts.max_connections(16);
        }
    }
    Database::connect(opts).await.map_err(|source| Error::Connect { url: redact(url), source })
}

/// Applies pending migrations. On PostgreSQL an advisory lock makes replicas that start
/// together migrate once; the others wait and then find nothing to do.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), Error> {
    // An arbitrary constant that names "inclusion migrations" among advisory locks.
    const LOCK: i64 = 886_001;
    match db.get_database_backend() {
        DbBackend::Postgres => {
            // Session-level locks belong to one connection: hold one for the whole run.
            let conn = db.begin().await?;
            conn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [LOCK.into()],
            ))
            .await?;
            Migrator::up(&conn, None).await?;
            conn.commit().await?;
        }
        _ => Migrator::up(db, None).await?,
    }
    Ok(())
}

fn redact(url: &str) -> String {
    // Hide a password in `scheme://user:password@host`.
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Matches no row; an UPDATE takes SQLite's write lock all the same.
pub(crate) const TAKE_WRITE_LOCK: &str = "UPDATE import_run SET status = status WHERE id = -1";

/// A transaction for an import. On SQLite it takes the write lock first: a transaction that
/// reads and then writes cannot wait for the lock once another connection (a worker's queue, an
/// API token touch) wrote in between, and fails with "database is locked" at once; one that
/// writes first waits its busy timeout like any writer.
pub async fn begin_write(db: &sea_orm::DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let txn = db.begin().await?;
    if txn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        txn.execute_unprepared(TAKE_WRITE_LOCK).await?;
    }
    Ok(txn)
}

//! Backup and restore of the embedded SQLite database. PostgreSQL has its own tools
//! (`pg_dump -Fc`, `pg_restore`): the errors here say which line to run instead.

use std::path::{Path, PathBuf};

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup and restore of PostgreSQL use its own tools: `pg_dump -Fc -f inclusion.dump \"$DATABASE_URL\"`, then `pg_restore --no-owner -d \"$DATABASE_URL\" inclusion.dump` into an empty database"
    )]
    Postgres,
    #[error("{0} already exists: a backup never overwrites a file")]
    Exists(PathBuf),
    #[error("{0} is not there")]
    Missing(PathBuf),
    #[error("DATABASE_URL names no SQLite file (an in-memory database cannot be restored into)")]
    NoFile,
    #[error("the database at {0} is not empty ({1} tables): restore goes into an empty database only")]
    NotEmpty(PathBuf, i64),
    #[error("{path} is not an inclusion backup: {why}")]
    NotABackup { path: PathBuf, why: String },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::Error),
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// The file a `sqlite:` URL names, if any (`sqlite://x.db?mode=rwc` → `x.db`).
pub fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or(rest);
    (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
}

/// Writes a consistent copy of the live database to `to` with SQLite's `VACUUM INTO`: readers and
/// imports go on meanwhile, and the copy holds only committed data (an import in flight is
/// either wholly in it or not at all).
pub async fn backup(db: &DatabaseConnection, to: &Path) -> Result<(), BackupError> {
    if db.get_database_backend() != DatabaseBackend::Sqlite {
        return Err(BackupError::Postgres);
    }
    if to.exists() {
        return Err(BackupError::Exists(to.to_owned()));
    }
    vacuum_into(db, to).await
}

/// Restores the backup at `from` into the empty SQLite database `url` names. The backup is
/// checked first (SQLite's integrity check, the migrations table); the copy is written beside
/// the target and renamed into place, so a crash leaves no half-restored database. The caller
/// migrates afterwards, which brings a backup from an older version up to date.
pub async fn restore(url: &str, from: &Path) -> Result<(), BackupError> {
    if !url.starts_with("sqlite:") {
        return Err(BackupError::Postgres);
    }
    let target = sqlite_file(url).ok_or(BackupError::NoFile)?;
    if !from.is_file() {
        return Err(BackupError::Missing(from.to_owned()));
    }
    if target.exists() {
        let db = crate::connect(url).await?;
        let tables = count(&db, "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table'").await?;
        db.close().await?;
        if tables > 0 {
            return Err(BackupError::NotEmpty(target, tables));
        }
    }
    // A plain connection: no pragmas that would write to the backup file.
    let source_url = format!("sqlite://{}", from.display());
    let source = sea_orm::Database::connect(source_url).await.map_err(|e| not_a_backup(from, e.to_string()))?;
    check_backup(&source, from).await?;
    let partial = target.with_extension("restoring");
    remove(&partial)?;
    vacuum_into(&source, &partial).await?;
    source.close().await?;
    for stale in [target.clone(), sidecar(&target, "-wal"), sidecar(&target, "-shm")] {
        remove(&stale)?;
    }
    std::fs::rename(&partial, &target).map_err(|source| BackupError::Io { path: target.clone(), source })
}

async fn check_backup(db: &DatabaseConnection, path: &Path) -> Result<(), BackupError> {
    let sql = "PRAGMA integrity_check";
    let row = db
        .query_one_raw(Statement::from_string(DatabaseBackend::Sqlite, sql))
        .await
        .map_err(|e| not_a_backup(path, e.to_string()))?;
    let verdict: String = row.and_then(|r| r.try_get_by_index(0).ok()).unwrap_or_default();
    if verdict != "ok" {
        return Err(not_a_backup(path, format!("integrity check says {verdict:?}")));
    }
    let sql = "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'seaql_migrations'";
    if count(db, sql).await? == 0 {
        return Err(not_a_backup(path, "it has no migrations table".into()));
    }
    Ok(())
}

async fn vacuum_into(db: &DatabaseConnection, to: &Path) -> Result<(), BackupError> {
    let to_text = to.to_str().ok_or_else(|| BackupError::Io {
        path: to.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path is not UTF-8"),
    })?;
    let stmt = Statement::from_sql_and_values(DatabaseBackend::Sqlite, "VACUUM INTO ?", [to_text.into()]);
    db.execute_raw(stmt).await?;
    Ok(())
}

async fn count(db: &DatabaseConnection, sql: &str) -> Result<i64, BackupError> {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}

fn not_a_backup(path: &Path, why: String) -> BackupError {
    BackupError::NotABackup { path: path.to_owned(), why }
}

fn sidecar(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove(path: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(BackupError::Io { path: path.to_owned(), source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_of_a_sqlite_url() {
        assert_eq!(sqlite_file("sqlite://inclusion.db?mode=rwc"), Some(PathBuf::from("inclusion.db")));
        assert_eq!(sqlite_file("sqlite:///var/lib/x.db"), Some(PathBuf::from("/var/lib/x.db")));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://u@h/db"), None);
    }
}

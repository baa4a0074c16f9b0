//! A transaction below sea-orm, on a connection of the same pool, for writes that move a million
//! rows (DESIGN.md allows it where a benchmark needs it). Statements bind shared strings without
//! copying them and skip sea-orm's per-value conversions; smaller statements that sea-orm builds
//! run here too, so the whole import stays one transaction.

use sea_orm::sqlx::{self, AssertSqlSafe, Postgres, Sqlite, Transaction};
use sea_orm::{DatabaseConnection, DbBackend, Statement};
use sea_query_sqlx::SqlxValues;

use crate::Error;

/// One open transaction on SQLite or PostgreSQL; dropped without `commit`, it rolls back.
pub enum BulkTxn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl std::fmt::Debug for BulkTxn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BulkTxn({:?})", self.backend())
    }
}

impl BulkTxn {
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, Error> {
        Ok(match db.get_database_backend() {
            DbBackend::Sqlite => {
                let mut t = db.get_sqlite_connection_pool().begin().await?;
                // The write lock first, as `crate::begin_write` says why.
                sqlx::query(crate::connect::TAKE_WRITE_LOCK).execute(&mut *t).await?;
                Self::Sqlite(t)
            }
            DbBackend::Postgres => Self::Postgres(db.get_postgres_connection_pool().begin().await?),
            other => return Err(Error::UnsupportedUrl(format!("{other:?}"))),
        })
    }

    pub fn backend(&self) -> DbBackend {
        match self {
            Self::Sqlite(_) => DbBackend::Sqlite,
            Self::Postgres(_) => DbBackend::Postgres,
        }
    }

    /// Runs a statement sea-orm built for this backend; returns the rows it affected.
    pub async fn execute(&mut self, stmt: Statement) -> Result<u64, Error> {
        let values = SqlxValues(stmt.values.unwrap_or_else(|| sea_orm::Values(Vec::new())));
        let sql = AssertSqlSafe(stmt.sql);
        Ok(match self {
            Self::Sqlite(t) => sqlx::query_with(sql, values).execute(&mut **t).await?.rows_affected(),
            Self::Postgres(t) => sqlx::query_with(sql, values).execute(&mut **t).await?.rows_affected(),
        })
    }

    /// Figures run `run_id` replaced in this transaction, as `(all, own)`: the history trigger
    /// writes one row per real update (the index on `replaced_by_run` finds them without reading
    /// the table); `own` are the run's own figures written again (a key repeated in a later
    /// chunk of the same input), which are duplicates, not updates.
    pub async fn replaced_by(&mut self, run_id: i64) -> Result<(i64, i64), Error> {
        let sql = |m1: &str, m2: &str| {
            format!(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN run_id = {m1} THEN 1 ELSE 0 END), 0) \
                 FROM observation_history WHERE replaced_by_run = {m2}"
            )
        };
        Ok(match self {
            Self::Sqlite(t) => {
                sqlx::query_as(AssertSqlSafe(sql("?", "?"))).bind(run_id).bind(run_id).fetch_one(&mut **t).await?
            }
            Self::Postgres(t) => {
                sqlx::query_as(AssertSqlSafe(sql("$1", "$1"))).bind(run_id).fetch_one(&mut **t).await?
            }
        })
    }

    /// What run `run_id` wrote in this transaction, for a dry run to show before it rolls back:
    /// each figure it inserted or changed (an unchanged figure is not rewritten), with the value
    /// it replaced where there was one, in a stable order.
    pub async fn figure_changes(&mut self, run_id: i64) -> Result<Vec<crate::provenance::FigureChange>, Error> {
        use sqlx::Row;
        let mark = if self.backend() == DbBackend::Postgres { "$1" } else { "?" };
        let on: Vec<String> = crate::provenance::KEY_COLUMNS.iter().map(|c| format!("h.{c} = o.{c}")).collect();
        let keys: Vec<String> = crate::provenance::KEY_COLUMNS.iter().map(|c| format!("o.{c}")).collect();
        let sql = format!(
            "SELECT {}, o.value AS value, o.status AS status, h.value AS old_value, h.status AS old_status, \
             CASE WHEN h.id IS NULL THEN 0 ELSE 1 END AS replaced \
             FROM observation o LEFT JOIN observation_history h ON h.replaced_by_run = o.run_id \
             AND (h.run_id IS NULL OR h.run_id <> o.run_id) AND {} \
             WHERE o.run_id = {mark} ORDER BY o.measure_code, o.geographic_level, o.geography_code, o.time_period, \
             o.cohort, o.breakdown, h.id",
            keys.join(", "),
            on.join(" AND ")
        );
        fn change<R: Row>(r: &R) -> Result<crate::provenance::FigureChange, sqlx::Error>
        where
            for<'a> &'a str: sqlx::ColumnIndex<R>,
            for<'a> String: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<String>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> Option<f64>: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            for<'a> i32: sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        {
            let replaced: i32 = r.try_get("replaced")?;
            Ok(crate::provenance::FigureChange {
                key: crate::provenance::FigureKey {
                    geographic_level: r.try_get("geographic_level")?,
                    geography_code: r.try_get("geography_code")?,
                    measure_code: r.try_get("measure_code")?,
                    time_period: r.try_get("time_period")?,
                    time_identifier: r.try_get("time_identifier")?,
                    cohort: r.try_get("cohort")?,
                    breakdown: r.try_get("breakdown")?,
                },
                before: (replaced == 1)
                    .then(|| Ok::<_, sqlx::Error>((r.try_get("old_value")?, r.try_get("old_status")?)))
                    .transpose()?,
                value: r.try_get("value")?,
                status: r.try_get("status")?,
            })
        }
        let sql = AssertSqlSafe(sql);
        Ok(match self {
            Self::Sqlite(t) => {
                sqlx::query(sql).bind(run_id).fetch_all(&mut **t).await?.iter().map(change).collect::<Result<_, _>>()?
            }
            Self::Postgres(t) => {
                sqlx::query(sql).bind(run_id).fetch_all(&mut **t).await?.iter().map(change).collect::<Result<_, _>>()?
            }
        })
    }

    pub async fn commit(self) -> Result<(), Error> {
        match self {
            Self::Sqlite(t) => t.commit().await?,
            Self::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), Error> {
        match self {
            Self::Sqlite(t) => t.rollback().await?,
            Self::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

//! Alerts: each incident claimed once in `alert_sent` (the key refuses a second claim), and the
//! runs that call for one.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, Value};

use crate::Error;
use crate::ticks::marks;

/// Claims the alert for (`kind`, `subject`, `incident`): true for exactly one caller.
pub async fn claim(
    db: &impl ConnectionTrait,
    kind: &str,
    subject: &str,
    incident: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 5);
    let sql = format!(
        "INSERT INTO alert_sent (kind, subject, incident, claimed_by, claimed_at) VALUES ({}, {}, {}, {}, {}) \
         ON CONFLICT (kind, subject, incident) DO NOTHING",
        m[0], m[1], m[2], m[3], m[4]
    );
    let values: Vec<Value> = vec![kind.into(), subject.into(), incident.into(), worker.into(), now.into()];
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(r.rows_affected() == 1)
}

/// Gives a claim back (the alert could not be delivered), so a later look sends it.
pub async fn unclaim(db: &impl ConnectionTrait, kind: &str, subject: &str, incident: &str) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 3);
    let sql = format!("DELETE FROM alert_sent WHERE kind = {} AND subject = {} AND incident = {}", m[0], m[1], m[2]);
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [kind.into(), subject.into(), incident.into()]))
        .await?;
    Ok(())
}

/// A finished run that failed or rejected rows.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct TroubledRun {
    pub id: i64,
    pub job: String,
    pub status: String,
    pub source_name: Option<String>,
    pub error_summary: Option<String>,
    pub rows_rejected: i64,
    pub attempt: Option<i32>,
    pub schedule_name: Option<String>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Runs that finished since `since` failed or with rejected rows and have no alert yet, oldest
/// first, at most `limit`.
pub async fn troubled_runs(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<TroubledRun>, Error> {
    let backend = db.get_database_backend();
    let id_text = "CAST(r.id AS TEXT)";
    let sql = format!(
        "SELECT r.id, r.job, r.status, r.source_name, r.error_summary, r.rows_rejected, r.attempt, \
                r.schedule_name, r.finished_at \
         FROM import_run r \
         WHERE r.finished_at >= {} AND (r.status = 'failed' OR r.rows_rejected > 0) \
           AND NOT EXISTS (SELECT 1 FROM alert_sent a WHERE a.kind IN ('run_failed', 'rows_rejected') \
                           AND a.subject = r.job AND a.incident = {id_text}) \
         ORDER BY r.id LIMIT {}",
        marks(backend, 1)[0],
        limit.min(1000)
    );
    Ok(TroubledRun::find_by_statement(Statement::from_sql_and_values(backend, sql, [since.into()])).all(db).await?)
}

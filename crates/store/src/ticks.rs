//! Schedule ticks and the labels of queued runs.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::Error;

pub(crate) fn marks(backend: DbBackend, n: usize) -> Vec<String> {
    (1..=n).map(|i| if backend == DbBackend::Postgres { format!("${i}") } else { "?".to_owned() }).collect()
}

/// Claims the tick of `schedule` at `at` for `worker`: true for exactly one caller across every
/// worker on the database (the key refuses the others), so a tick runs once.
pub async fn claim(
    db: &impl ConnectionTrait,
    schedule: &str,
    at: DateTime<Utc>,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 4);
    let sql = format!(
        "INSERT INTO schedule_tick (schedule, scheduled_at, claimed_by, claimed_at) VALUES ({}, {}, {}, {}) \
         ON CONFLICT (schedule, scheduled_at) DO NOTHING",
        m[0], m[1], m[2], m[3]
    );
    let values: Vec<Value> = vec![schedule.into(), at.to_rfc3339().into(), worker.into(), now.into()];
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(r.rows_affected() == 1)
}

/// The latest tick of `schedule` any worker claimed.
pub async fn last_tick(db: &impl ConnectionTrait, schedule: &str) -> Result<Option<DateTime<Utc>>, Error> {
    let backend = db.get_database_backend();
    let sql = format!("SELECT MAX(scheduled_at) AS at FROM schedule_tick WHERE schedule = {}", marks(backend, 1)[0]);
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [schedule.into()])).await?;
    let at: Option<String> = match row {
        Some(r) => r.try_get("", "at")?,
        None => None,
    };
    Ok(at.and_then(|s| DateTime::parse_from_rfc3339(&s).ok()).map(|d| d.with_timezone(&Utc)))
}

/// What a run was as a queued job.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunLabels {
    pub schedule_name: Option<String>,
    pub scheduled_at: Option<DateTime<Utc>>,
    pub attempt: Option<i32>,
    pub payload: Option<String>,
    pub worker_id: Option<String>,
}

/// Labels run `run_id` with what its job was.
pub async fn label_run(db: &impl ConnectionTrait, run_id: i64, labels: &RunLabels) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 6);
    let sql = format!(
        "UPDATE import_run SET schedule_name = {}, scheduled_at = {}, attempt = {}, payload = {}, worker_id = {} \
         WHERE id = {}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
    let values: Vec<Value> = vec![
        labels.schedule_name.clone().into(),
        labels.scheduled_at.map(|t| t.to_rfc3339()).into(),
        labels.attempt.into(),
        labels.payload.clone().into(),
        labels.worker_id.clone().into(),
        run_id.into(),
    ];
    db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(())
}

/// The newest run of `job` with `trigger` started at or after `since`: the run a job that failed
/// before returning its summary wrote.
pub async fn latest_run(db: &impl ConnectionTrait, job: &str, since: DateTime<Utc>) -> Result<Option<i64>, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 2);
    let sql = format!(
        "SELECT MAX(id) AS id FROM import_run WHERE job = {} AND started_at >= {} AND worker_id IS NULL",
        m[0], m[1]
    );
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [job.into(), since.into()])).await?;
    Ok(match row {
        Some(r) => r.try_get::<Option<i64>>("", "id")?,
        None => None,
    })
}

/// Gives a claimed tick back (its job could not be queued), so a worker claims it again.
pub async fn unclaim(db: &impl ConnectionTrait, schedule: &str, at: DateTime<Utc>) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 2);
    let sql = format!("DELETE FROM schedule_tick WHERE schedule = {} AND scheduled_at = {}", m[0], m[1]);
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [schedule.into(), at.to_rfc3339().into()])).await?;
    Ok(())
}

/// Marks runs of an earlier attempt of the same job (same payload) that are still `running` as
/// `interrupted`: the job is being run again, so that attempt's worker stopped (killed, or its
/// heartbeat lapsed) and its transaction went with it. Returns how many.
pub async fn interrupt_earlier(
    db: &impl ConnectionTrait,
    payload: &str,
    worker: &str,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 3);
    let sql = format!(
        "UPDATE import_run SET status = 'interrupted', finished_at = {}, \
         error_summary = 'the worker stopped during the run (killed or its heartbeat lapsed); the job ran again' \
         WHERE status = 'running' AND payload = {} AND (worker_id IS NULL OR worker_id <> {})",
        m[0], m[1], m[2]
    );
    let r = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [now.into(), payload.into(), worker.into()]))
        .await?;
    Ok(r.rows_affected())
}

/// Marks this worker's still-`running` runs of the job with `payload` as `interrupted`, saying
/// why: its job passed the job timeout and was dropped before the run finished. Without
/// this a retry on the same worker (which [`interrupt_earlier`] leaves alone) would leave them
/// `running` for ever. Returns how many.
pub async fn interrupt_own(
    db: &impl ConnectionTrait,
    payload: &str,
    worker: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<u64, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 4);
    let sql = format!(
        "UPDATE import_run SET status = 'interrupted', finished_at = {}, error_summary = {} \
         WHERE status = 'running' AND payload = {} AND worker_id = {}",
        m[0], m[1], m[2], m[3]
    );
    let values: Vec<sea_orm::Value> = vec![now.into(), why.into(), payload.into(), worker.into()];
    Ok(db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?.rows_affected())
}

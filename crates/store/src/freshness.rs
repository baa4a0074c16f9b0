//! Freshness of scheduled sources: when each schedule's job last succeeded and last ran, against
//! the cadence its cron expects. One statement over the run history for every source.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

use crate::Error;

/// A source is stale once it has gone this many of its expected intervals without a success:
/// one missed tick is a late file, two is a source that stopped.
pub const STALE_AFTER_INTERVALS: i32 = 2;

/// One scheduled source as operators watch it.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceState {
    /// The schedule's name.
    pub name: String,
    /// When a run of it last committed (succeeded, with issues, or unchanged).
    pub last_success: Option<DateTime<Utc>>,
    /// When a run of it last started.
    pub last_attempt: Option<DateTime<Utc>>,
    /// How the latest started run ended (or `running`).
    pub last_status: Option<String>,
    /// The interval its schedule expects between runs.
    pub expected_every: Duration,
    /// When it went (or goes) stale: the last success (or, never having succeeded, the first
    /// attempt) plus [`STALE_AFTER_INTERVALS`] intervals. None when it has never been attempted:
    /// nothing was expected of it yet.
    pub stale_from: Option<DateTime<Utc>>,
    pub stale: bool,
}

#[derive(FromQueryResult)]
struct Row {
    schedule_name: String,
    last_success: Option<DateTime<Utc>>,
    last_attempt: Option<DateTime<Utc>>,
    first_attempt: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Latest {
    schedule_name: String,
    status: String,
}

/// The state of each `(schedule, expected interval)` at `now`.
pub async fn sources(
    db: &impl ConnectionTrait,
    schedules: &[(String, Duration)],
    now: DateTime<Utc>,
) -> Result<Vec<SourceState>, Error> {
    let backend = db.get_database_backend();
    let sql = "SELECT schedule_name, \
                      MAX(CASE WHEN status IN ('succeeded', 'succeeded_with_issues', 'unchanged') \
                               THEN finished_at END) AS last_success, \
                      MAX(started_at) AS last_attempt, MIN(started_at) AS first_attempt \
               FROM import_run WHERE schedule_name IS NOT NULL AND status <> 'queued' GROUP BY schedule_name";
    let rows = Row::find_by_statement(Statement::from_string(backend, sql)).all(db).await?;
    let latest_sql = "SELECT r.schedule_name, r.status FROM import_run r \
                      JOIN (SELECT schedule_name, MAX(id) AS id FROM import_run \
                            WHERE schedule_name IS NOT NULL AND status <> 'queued' GROUP BY schedule_name) l \
                        ON l.id = r.id";
    let latest = Latest::find_by_statement(Statement::from_string(backend, latest_sql)).all(db).await?;
    Ok(schedules
        .iter()
        .map(|(name, every)| {
            let row = rows.iter().find(|r| &r.schedule_name == name);
            let last_success = row.and_then(|r| r.last_success);
            let since = last_success.or(row.and_then(|r| r.first_attempt));
            let stale_from = since.map(|t| t + *every * STALE_AFTER_INTERVALS);
            SourceState {
                name: name.clone(),
                last_success,
                last_attempt: row.and_then(|r| r.last_attempt),
                last_status: latest.iter().find(|l| &l.schedule_name == name).map(|l| l.status.clone()),
                expected_every: *every,
                stale_from,
                stale: stale_from.is_some_and(|t| t <= now),
            }
        })
        .collect())
}

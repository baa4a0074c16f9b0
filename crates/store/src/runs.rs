//! Run history: `import_run`, `import_issue` and `source_file`, written outside or inside the
//! import's transaction as the caller chooses (a run row must survive a rolled-back import).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, Statement,
};

use crate::Error;
use crate::entity::{import_run, source_file};
use crate::ticks::marks;

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    Running,
    /// Committed, nothing rejected.
    Succeeded,
    /// Committed, but some rows were rejected: never reported as plain success.
    SucceededWithIssues,
    /// The same source was imported before; nothing to do.
    Unchanged,
    /// Nothing imported: the file was refused or the run failed.
    Failed,
}

impl RunStatus {
    /// How a committed import ends: with issues when it rejected rows, unchanged when it wrote
    /// nothing (and changed nothing else: `other_change`, e.g. closures or flags), else succeeded.
    pub fn committed(counts: RunCounts, other_change: bool) -> Self {
        if counts.rejected > 0 {
            RunStatus::SucceededWithIssues
        } else if counts.inserted == 0 && counts.updated == 0 && !other_change {
            RunStatus::Unchanged
        } else {
            RunStatus::Succeeded
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::SucceededWithIssues => "succeeded_with_issues",
            RunStatus::Unchanged => "unchanged",
            RunStatus::Failed => "failed",
        }
    }
}

/// Row counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunCounts {
    pub read: i64,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
}

/// An issue ready to store; mirrors `ingest::ImportIssue` without depending on it.
#[derive(Debug, Clone)]
pub struct IssueRow {
    pub file: String,
    pub sheet: Option<String>,
    pub row: Option<i64>,
    pub column: Option<String>,
    pub severity: String,
    pub code: String,
    pub message: String,
}

pub async fn start_run(
    db: &impl ConnectionTrait,
    job: &str,
    trigger: &str,
    source_name: Option<&str>,
    scope: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let run = import_run::ActiveModel {
        job: Set(job.to_owned()),
        source_sha256: Set(None),
        source_name: Set(source_name.map(str::to_owned)),
        trigger: Set(trigger.to_owned()),
        status: Set(RunStatus::Running.as_str().to_owned()),
        scope: Set(scope.map(str::to_owned)),
        started_at: Set(now),
        finished_at: Set(None),
        rows_read: Set(0),
        rows_inserted: Set(0),
        rows_updated: Set(0),
        rows_unchanged: Set(0),
        rows_rejected: Set(0),
        error_summary: Set(None),
        ..Default::default()
    };
    let labels = RUN_LABELS.try_with(Clone::clone).ok();
    // The run its job was queued as (`runImport`, `jobs run`, a tick) becomes this run, so the
    // id an operator was given follows the job to its end.
    if let Some(payload) = labels.as_ref().and_then(|l| l.payload.as_deref())
        && let Some(id) = adopt_queued(db, payload, job, trigger, source_name, scope, now).await?
    {
        if let Some(labels) = &labels {
            crate::ticks::label_run(db, id, labels).await?;
        }
        return Ok(id);
    }
    let id = import_run::Entity::insert(run).exec(db).await?.last_insert_id;
    // A queued job's run says what the job was from its start: a run a killed worker left is
    // then known by its payload and worker.
    if let Some(labels) = &labels {
        crate::ticks::label_run(db, id, labels).await?;
    }
    Ok(id)
}

/// The status of a run whose job is queued and not yet started by a worker.
pub const QUEUED: &str = "queued";

/// Records a job as queued: a run row with status `queued`, the job's `payload` and labels,
/// which the job's first run takes over when a worker starts it. Returns its id.
#[allow(clippy::too_many_arguments)]
pub async fn queue_run(
    db: &impl ConnectionTrait,
    job: &str,
    trigger: &str,
    source_name: Option<&str>,
    payload: &str,
    schedule_name: Option<&str>,
    scheduled_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<i64, Error> {
    let run = import_run::ActiveModel {
        job: Set(job.to_owned()),
        source_name: Set(source_name.map(str::to_owned)),
        trigger: Set(trigger.to_owned()),
        status: Set(QUEUED.to_owned()),
        started_at: Set(now),
        rows_read: Set(0),
        rows_inserted: Set(0),
        rows_updated: Set(0),
        rows_unchanged: Set(0),
        rows_rejected: Set(0),
        ..Default::default()
    };
    let id = import_run::Entity::insert(run).exec(db).await?.last_insert_id;
    let labels = crate::ticks::RunLabels {
        schedule_name: schedule_name.map(str::to_owned),
        scheduled_at,
        attempt: None,
        payload: Some(payload.to_owned()),
        worker_id: None,
    };
    crate::ticks::label_run(db, id, &labels).await?;
    Ok(id)
}

/// Forgets a queued run whose job could not be queued after all.
pub async fn unqueue_run(db: &impl ConnectionTrait, id: i64) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM import_run WHERE id = {} AND status = '{QUEUED}'", marks(backend, 1)[0]);
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await?;
    Ok(())
}

/// Removes a dry run's record and its issues: it changed nothing, so it is not history (and
/// must not count as a source's last success).
pub async fn discard_run(db: &impl ConnectionTrait, id: i64) -> Result<(), Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 1);
    for table in ["import_issue", "observation_source"] {
        let sql = format!("DELETE FROM {table} WHERE run_id = {}", m[0]);
        db.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await?;
    }
    let sql = format!("DELETE FROM import_run WHERE id = {}", m[0]);
    db.execute_raw(Statement::from_sql_and_values(backend, sql, [id.into()])).await?;
    Ok(())
}

/// Takes over the queued run of the job with `payload`, if one waits: it becomes `running`.
async fn adopt_queued(
    db: &impl ConnectionTrait,
    payload: &str,
    job: &str,
    trigger: &str,
    source_name: Option<&str>,
    scope: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 1);
    let find = format!("SELECT MIN(id) AS id FROM import_run WHERE status = '{QUEUED}' AND payload = {}", m[0]);
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, find, [payload.into()])).await?;
    let Some(id) = row.map(|r| r.try_get::<Option<i64>>("", "id")).transpose()?.flatten() else {
        return Ok(None);
    };
    let m = marks(backend, 7);
    // Guarded on the status: two workers cannot both take it.
    let sql = format!(
        "UPDATE import_run SET job = {}, trigger = {}, source_name = {}, scope = {}, status = 'running', \
         started_at = {} WHERE id = {} AND status = '{QUEUED}' AND payload = {}",
        m[0], m[1], m[2], m[3], m[4], m[5], m[6]
    );
    let values: Vec<sea_orm::Value> = vec![
        job.into(),
        trigger.into(),
        source_name.map(str::to_owned).into(),
        scope.map(str::to_owned).into(),
        now.into(),
        id.into(),
        payload.into(),
    ];
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok((r.rows_affected() == 1).then_some(id))
}

/// Ends the queued run of a job that finished without an import taking it over: `unchanged`
/// (a no-op, a drop folder with nothing new), or `failed` with `error` (the job failed before its
/// import started, or on its last attempt). Returns whether one was waiting.
pub async fn settle_queued(
    db: &impl ConnectionTrait,
    payload: &str,
    worker: (&str, i32),
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let backend = db.get_database_backend();
    let m = marks(backend, 6);
    let sql = format!(
        "UPDATE import_run SET status = {}, error_summary = {}, finished_at = {}, worker_id = {}, attempt = {} \
         WHERE status = '{QUEUED}' AND payload = {}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    );
    let status = if error.is_some() { RunStatus::Failed } else { RunStatus::Unchanged };
    let values: Vec<sea_orm::Value> = vec![
        status.as_str().into(),
        error.map(str::to_owned).into(),
        now.into(),
        worker.0.into(),
        worker.1.into(),
        payload.into(),
    ];
    let r = db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
    Ok(r.rows_affected() > 0)
}

tokio::task_local! {
    /// What the queued job running on this task is; runs it starts carry it.
    pub static RUN_LABELS: crate::ticks::RunLabels;
}

pub async fn finish_run(
    db: &impl ConnectionTrait,
    id: i64,
    status: RunStatus,
    sha256: Option<&str>,
    counts: RunCounts,
    error_summary: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let run = import_run::ActiveModel {
        id: Set(id),
        status: Set(status.as_str().to_owned()),
        source_sha256: Set(sha256.map(str::to_owned)),
        finished_at: Set(Some(now)),
        rows_read: Set(counts.read),
        rows_inserted: Set(counts.inserted),
        rows_updated: Set(counts.updated),
        rows_unchanged: Set(counts.unchanged),
        rows_rejected: Set(counts.rejected),
        error_summary: Set(error_summary),
        ..Default::default()
    };
    import_run::Entity::update(run).exec(db).await?;
    Ok(())
}

/// The latest committed run of a job over a scope, to compare row counts against.
pub async fn last_committed_run(
    db: &impl ConnectionTrait,
    job: &str,
    scope: Option<&str>,
) -> Result<Option<import_run::Model>, Error> {
    let mut q = import_run::Entity::find().filter(import_run::Column::Job.eq(job)).filter(
        import_run::Column::Status.is_in([RunStatus::Succeeded.as_str(), RunStatus::SucceededWithIssues.as_str()]),
    );
    q = match scope {
        Some(s) => q.filter(import_run::Column::Scope.eq(s)),
        None => q.filter(import_run::Column::Scope.is_null()),
    };
    Ok(q.order_by_desc(import_run::Column::Id).one(db).await?)
}

/// Whether a source with this hash was already imported by a committed run of the job.
pub async fn already_imported(
    db: &impl ConnectionTrait,
    job: &str,
    sha256: &str,
    scope: Option<&str>,
) -> Result<bool, Error> {
    let mut q = import_run::Entity::find()
        .filter(import_run::Column::Job.eq(job))
        .filter(import_run::Column::SourceSha256.eq(sha256))
        .filter(
            import_run::Column::Status.is_in([RunStatus::Succeeded.as_str(), RunStatus::SucceededWithIssues.as_str()]),
        );
    q = match scope {
        Some(s) => q.filter(import_run::Column::Scope.eq(s)),
        None => q.filter(import_run::Column::Scope.is_null()),
    };
    Ok(q.one(db).await?.is_some())
}

/// Records an input by its hash; a file seen before keeps its first record.
pub async fn record_source_file(
    db: &impl ConnectionTrait,
    sha256: &str,
    name: &str,
    bytes: i64,
    origin: Option<&str>,
    archive_path: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let row = source_file::ActiveModel {
        sha256: Set(sha256.to_owned()),
        name: Set(name.to_owned()),
        bytes: Set(bytes),
        origin: Set(origin.map(str::to_owned)),
        archive_path: Set(archive_path.map(str::to_owned)),
        fetched_at: Set(now),
    };
    source_file::Entity::insert(row).on_conflict_do_nothing_on([source_file::Column::Sha256]).exec(db).await?;
    Ok(())
}

/// Stores issues in chunks below every driver's bind-parameter limit.
pub async fn insert_issues(db: &impl ConnectionTrait, run_id: i64, issues: &[IssueRow]) -> Result<(), Error> {
    for stmt in insert_issues_statements(db.get_database_backend(), run_id, issues) {
        db.execute_raw(stmt).await?;
    }
    Ok(())
}

/// Issues one run stores at most: a file rejected row by row must not write millions of rows.
pub const MAX_STORED_ISSUES: usize = 10_000;

/// The issues' inserts, for a sea-orm connection or a bulk transaction. Past
/// [`MAX_STORED_ISSUES`] one more row says how many were left out.
pub fn insert_issues_statements(backend: DbBackend, run_id: i64, issues: &[IssueRow]) -> Vec<Statement> {
    const COLUMNS: [&str; 8] = ["run_id", "file", "sheet", "row", "column", "severity", "code", "message"];
    let omitted = issues.len().saturating_sub(MAX_STORED_ISSUES);
    let summary = (omitted > 0).then(|| IssueRow {
        file: issues[0].file.clone(),
        sheet: None,
        row: None,
        column: None,
        severity: issues[MAX_STORED_ISSUES].severity.clone(),
        code: "issues_omitted".to_owned(),
        message: format!("{omitted} more issues not stored (the first {MAX_STORED_ISSUES} are)"),
    });
    let rows = issues[..issues.len().min(MAX_STORED_ISSUES)]
        .iter()
        .chain(summary.as_ref())
        .map(|i| {
            vec![
                run_id.into(),
                i.file.as_str().into(),
                i.sheet.clone().into(),
                i.row.into(),
                i.column.clone().into(),
                i.severity.as_str().into(),
                i.code.as_str().into(),
                i.message.as_str().into(),
            ]
        })
        .collect();
    let table = crate::rows::Table { name: "import_issue", columns: &COLUMNS, constants: &[], tail: "" };
    crate::rows::insert_statements(backend, &table, rows)
}

/// What we last fetched from `url`.
pub async fn fetch_state(
    db: &impl ConnectionTrait,
    url: &str,
) -> Result<Option<crate::entity::fetch_state::Model>, Error> {
    Ok(crate::entity::fetch_state::Entity::find_by_id(url.to_owned()).one(db).await?)
}

/// The validators to send for `url`: only when the copy they describe was imported by a
/// committed run. The state is saved before the import (so a failed run knows what it fetched),
/// so without this check a retry after a failed import would get a 304 and import nothing.
pub async fn validators_for(
    db: &impl ConnectionTrait,
    url: &str,
) -> Result<Option<crate::entity::fetch_state::Model>, Error> {
    let Some(state) = fetch_state(db, url).await? else { return Ok(None) };
    let Some(sha) = state.sha256.clone() else { return Ok(None) };
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT COUNT(*) AS n FROM import_run WHERE source_sha256 = {} \
         AND status IN ('succeeded', 'succeeded_with_issues', 'unchanged')",
        marks(backend, 1)[0]
    );
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, sql, [sha.into()])).await?;
    let committed = row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0) > 0;
    Ok(committed.then_some(state))
}

/// Remembers a fetch's validators and hash; called before the import, so it survives a failure.
pub async fn save_fetch_state(
    db: &impl ConnectionTrait,
    url: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
    sha256: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    use crate::entity::fetch_state;
    use sea_orm::sea_query::OnConflict;
    let row = fetch_state::ActiveModel {
        url: Set(url.to_owned()),
        etag: Set(etag.map(str::to_owned)),
        last_modified: Set(last_modified.map(str::to_owned)),
        sha256: Set(sha256.map(str::to_owned)),
        checked_at: Set(now),
    };
    fetch_state::Entity::insert(row)
        .on_conflict(
            OnConflict::column(fetch_state::Column::Url)
                .update_columns([
                    fetch_state::Column::Etag,
                    fetch_state::Column::LastModified,
                    fetch_state::Column::Sha256,
                    fetch_state::Column::CheckedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The archived inputs pruning must keep: those of runs started since `since`, of failed runs,
/// and of the latest committed run of each job and scope (the data in the tables came from it).
pub async fn protected_inputs(
    db: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<std::collections::BTreeSet<String>, Error> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    let runs = import_run::Entity::find()
        .filter(import_run::Column::SourceSha256.is_not_null())
        .order_by_desc(import_run::Column::StartedAt)
        .all(db)
        .await?;
    let mut keep = std::collections::BTreeSet::new();
    let mut latest: std::collections::BTreeSet<(String, Option<String>)> = std::collections::BTreeSet::new();
    for r in runs {
        let Some(sha) = r.source_sha256.clone() else { continue };
        let committed = matches!(r.status.as_str(), "succeeded" | "succeeded_with_issues" | "unchanged");
        let newest_of_its_kind = committed && latest.insert((r.job.clone(), r.scope.clone()));
        if r.started_at >= since || r.status == "failed" || newest_of_its_kind {
            keep.insert(sha);
        }
    }
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(file: &str, sheet: Option<&str>) -> IssueRow {
        IssueRow {
            file: file.into(),
            sheet: sheet.map(Into::into),
            row: Some(2),
            column: None,
            severity: "warning".into(),
            code: "x".into(),
            message: "m".into(),
        }
    }

    #[test]
    fn what_issues_share_is_written_once_and_what_differs_is_bound() {
        let mut other = issue("a.xlsx", Some("SRPs"));
        other.message = "n".into();
        let same = [issue("a.xlsx", Some("SRPs")), other];
        let stmt = &insert_issues_statements(DbBackend::Sqlite, 9, &same)[0];
        assert!(stmt.sql.contains("(?,9,'a.xlsx','SRPs',2,NULL,'warning','x')"), "{}", stmt.sql);
        let mixed = [issue("a.csv", None), issue("b.csv", Some("S"))];
        let stmt = &insert_issues_statements(DbBackend::Sqlite, 9, &mixed)[0];
        assert!(stmt.sql.contains("(?,?,9,2,NULL,'warning','x','m')"), "{}", stmt.sql);
        assert_eq!(stmt.values.as_ref().map(|v| v.0.len()), Some(4));
    }
}

/// What the data is at: how many runs have finished and the latest finish. Every import writes
/// its data and then finishes its run, so a figure computed before that finish is computed
/// again after it; a cache keyed on this (and on a time to live, for a run a crash left
/// unfinished) never serves figures older than the last finished import. One read of the small
/// run table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataVersion {
    pub finished: i64,
    pub latest: Option<DateTime<Utc>>,
}

pub async fn data_version(db: &impl ConnectionTrait) -> Result<DataVersion, Error> {
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct Row {
        finished: i64,
        latest: Option<DateTime<Utc>>,
    }
    let sql = "SELECT COUNT(finished_at) AS finished, MAX(finished_at) AS latest FROM import_run";
    let row = Row::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await?
        .unwrap_or(Row { finished: 0, latest: None });
    Ok(DataVersion { finished: row.finished, latest: row.latest })
}

/// One run as the history lists it.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct HistoryRow {
    pub id: i64,
    pub job: String,
    pub status: String,
    pub trigger: String,
    pub attempt: Option<i32>,
    pub schedule_name: Option<String>,
    pub payload: Option<String>,
    pub started_at: DateTime<Utc>,
    pub source_name: Option<String>,
}

/// One run, with its job labels.
pub async fn run(db: &impl ConnectionTrait, id: i64) -> Result<Option<HistoryRow>, Error> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let sql = format!(
        "SELECT id, job, status, trigger, attempt, schedule_name, payload, started_at, source_name FROM import_run WHERE id = {}",
        if backend == DbBackend::Postgres { "$1" } else { "?" }
    );
    Ok(HistoryRow::find_by_statement(Statement::from_sql_and_values(backend, sql, [id.into()])).one(db).await?)
}

/// A run's issues in the order found, at most `limit`.
pub async fn issues_of(
    db: &impl ConnectionTrait,
    run_id: i64,
    limit: u64,
) -> Result<Vec<crate::entity::import_issue::Model>, Error> {
    use crate::entity::import_issue;
    use sea_orm::QuerySelect;
    Ok(import_issue::Entity::find()
        .filter(import_issue::Column::RunId.eq(run_id))
        .order_by_asc(import_issue::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Runs newest first: failed only, of one job only, at most `limit`.
pub async fn history(
    db: &impl ConnectionTrait,
    failed: bool,
    job: Option<&str>,
    limit: u64,
) -> Result<Vec<HistoryRow>, Error> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let mut sql =
        "SELECT id, job, status, trigger, attempt, schedule_name, payload, started_at, source_name FROM import_run WHERE 1 = 1"
            .to_owned();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if failed {
        sql.push_str(" AND status = 'failed'");
    }
    if let Some(j) = job {
        values.push(j.into());
        sql.push_str(if backend == DbBackend::Postgres { " AND job = $1" } else { " AND job = ?" });
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit.min(10_000)));
    Ok(HistoryRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?)
}

/// Run totals per job and status, for `/metrics`.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct RunTotals {
    pub job: String,
    pub status: String,
    pub runs: i64,
    pub rows_read: i64,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub rows_rejected: i64,
    /// Seconds from start to finish over the finished runs.
    pub seconds: f64,
    pub finished: i64,
    pub last_finished: Option<DateTime<Utc>>,
}

/// Every job and status with its run count, rows by outcome and durations. One statement.
pub async fn totals(db: &impl ConnectionTrait) -> Result<Vec<RunTotals>, Error> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let seconds = match backend {
        DbBackend::Postgres => "EXTRACT(EPOCH FROM (finished_at - started_at))",
        _ => "(julianday(finished_at) - julianday(started_at)) * 86400.0",
    };
    let sql = format!(
        "SELECT job, status, COUNT(*) AS runs, \
                CAST(COALESCE(SUM(rows_read), 0) AS BIGINT) AS rows_read, \
                CAST(COALESCE(SUM(rows_inserted), 0) AS BIGINT) AS rows_inserted, \
                CAST(COALESCE(SUM(rows_updated), 0) AS BIGINT) AS rows_updated, \
                CAST(COALESCE(SUM(rows_unchanged), 0) AS BIGINT) AS rows_unchanged, \
                CAST(COALESCE(SUM(rows_rejected), 0) AS BIGINT) AS rows_rejected, \
                CAST(COALESCE(SUM({seconds}), 0) AS DOUBLE PRECISION) AS seconds, \
                COUNT(finished_at) AS finished, MAX(finished_at) AS last_finished \
         FROM import_run GROUP BY job, status ORDER BY job, status"
    );
    Ok(RunTotals::find_by_statement(Statement::from_string(backend, sql)).all(db).await?)
}

/// One run as the operators' API shows it.
#[derive(Debug, Clone, PartialEq, sea_orm::FromQueryResult)]
pub struct RunRow {
    pub id: i64,
    pub job: String,
    pub status: String,
    pub trigger: String,
    pub source_name: Option<String>,
    pub scope: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rows_read: i64,
    pub rows_inserted: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub rows_rejected: i64,
    pub error_summary: Option<String>,
    pub attempt: Option<i32>,
    pub schedule_name: Option<String>,
    pub payload: Option<String>,
    pub worker_id: Option<String>,
}

/// Which runs: every field given narrows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunFilter {
    pub job: Option<String>,
    pub status: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Runs older than this id (the page before ended there).
    pub before_id: Option<i64>,
    /// This run only.
    pub id: Option<i64>,
    /// Runs of this schedule only.
    pub schedule: Option<String>,
}

/// Runs newest first, at most `limit`. One statement.
pub async fn page(db: &impl ConnectionTrait, filter: &RunFilter, limit: u64) -> Result<Vec<RunRow>, Error> {
    use sea_orm::FromQueryResult;
    let backend = db.get_database_backend();
    let mut values: Vec<sea_orm::Value> = Vec::new();
    let mark = |v: sea_orm::Value, values: &mut Vec<sea_orm::Value>| {
        values.push(v);
        if backend == DbBackend::Postgres { format!("${}", values.len()) } else { "?".to_owned() }
    };
    let mut sql = "SELECT id, job, status, trigger, source_name, scope, started_at, finished_at, rows_read, rows_inserted, \
                   rows_updated, rows_unchanged, rows_rejected, error_summary, attempt, schedule_name, payload, worker_id \
                   FROM import_run WHERE 1 = 1"
        .to_owned();
    if let Some(j) = &filter.job {
        sql.push_str(&format!(" AND job = {}", mark(j.clone().into(), &mut values)));
    }
    if let Some(s) = &filter.status {
        sql.push_str(&format!(" AND status = {}", mark(s.clone().into(), &mut values)));
    }
    if let Some(t) = filter.since {
        sql.push_str(&format!(" AND started_at >= {}", mark(t.into(), &mut values)));
    }
    if let Some(b) = filter.before_id {
        sql.push_str(&format!(" AND id < {}", mark(b.into(), &mut values)));
    }
    if let Some(i) = filter.id {
        sql.push_str(&format!(" AND id = {}", mark(i.into(), &mut values)));
    }
    if let Some(s) = &filter.schedule {
        sql.push_str(&format!(" AND schedule_name = {}", mark(s.clone().into(), &mut values)));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit.min(10_000)));
    Ok(RunRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?)
}

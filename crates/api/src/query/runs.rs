//! `importRuns` and `importRun`: the run history for job operators and analysts, refused with
//! `FORBIDDEN` for school and public viewers (a run's source names and issues describe the
//! LA's own files).

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use store::runs::{RunFilter, RunRow};

use crate::disclosure::gate;
use crate::error::{bad_input, forbidden, internal};
use crate::scalars::Date;
use crate::viewer::Role;

/// Runs one page may hold.
const PAGE_MAX: i32 = 500;

#[derive(Default)]
pub struct RunQuery;

/// Which runs; every field given narrows.
#[derive(InputObject, Default)]
pub struct ImportRunFilter {
    /// A job name: `import_ees`, `import_gias`, `import_register`, …
    pub job: Option<String>,
    /// `running`, `succeeded`, `succeeded_with_issues`, `unchanged`, `failed`, `interrupted`.
    pub status: Option<String>,
    /// Runs started on or after this day (UTC).
    pub since: Option<Date>,
}

/// One run of an import job.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ImportRun {
    /// The run's id (`inclusion jobs show ID`).
    pub id: ID,
    /// The job: `import_ees`, `import_gias`, `import_register`, …
    pub job: String,
    /// How it ended, or `running`.
    pub status: String,
    /// `schedule`, `cli`, `retry`, `demo`, …
    pub trigger: String,
    /// The input it read (a path or URL).
    pub source: Option<String>,
    /// What it covered, e.g. `la=886` or `mapping=exclusions_school`.
    pub scope: Option<String>,
    /// When it started (UTC).
    pub started_at: DateTime<Utc>,
    /// When it ended; null while running (or when a killed run was never marked).
    pub finished_at: Option<DateTime<Utc>>,
    /// Rows (or records) read from the input.
    pub rows_read: i64,
    /// Rows the run added.
    pub rows_inserted: i64,
    /// Rows the run changed.
    pub rows_updated: i64,
    /// Rows already as the input has them.
    pub rows_unchanged: i64,
    /// Rows refused, each with an issue.
    pub rows_rejected: i64,
    /// Why it failed, when it did.
    pub error: Option<String>,
    /// Which attempt of its job this was (queued jobs only).
    pub attempt: Option<i32>,
    /// The schedule that queued it.
    pub schedule: Option<String>,
    /// The queued job as JSON (its task, trigger and schedule).
    pub payload: Option<String>,
    /// The worker that ran it.
    pub worker: Option<String>,
}

/// A problem a run found, located in its file.
#[derive(SimpleObject)]
pub struct ImportIssue {
    /// `error` (the row was rejected) or `warning`.
    pub severity: String,
    /// Stable machine-readable code, e.g. `bad_urn`.
    pub code: String,
    /// What is wrong, as a reader would say it.
    pub message: String,
    /// The file it was found in.
    pub file: String,
    /// The sheet, for spreadsheets.
    pub sheet: Option<String>,
    /// Line (CSV) or row as Excel numbers it.
    pub row: Option<i64>,
    /// Column header or letter.
    pub column: Option<String>,
}

impl From<RunRow> for ImportRun {
    fn from(r: RunRow) -> Self {
        Self {
            id: ID(r.id.to_string()),
            job: r.job,
            status: r.status,
            trigger: r.trigger,
            source: r.source_name,
            scope: r.scope,
            started_at: r.started_at,
            finished_at: r.finished_at,
            rows_read: r.rows_read,
            rows_inserted: r.rows_inserted,
            rows_updated: r.rows_updated,
            rows_unchanged: r.rows_unchanged,
            rows_rejected: r.rows_rejected,
            error: r.error_summary,
            attempt: r.attempt,
            schedule: r.schedule_name,
            payload: r.payload,
            worker: r.worker_id,
        }
    }
}

#[ComplexObject]
impl ImportRun {
    /// The run's issues in the order found (at most 500).
    async fn issues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Issues at most (1 to 500).", default = 100)] first: i32,
    ) -> Result<Vec<ImportIssue>> {
        operations(ctx, "ImportRun.issues")?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let id: i64 = self.id.parse().map_err(|_| internal("run id"))?;
        let limit = first.clamp(1, PAGE_MAX) as u64;
        let found = store::runs::issues_of(db, id, limit).await.map_err(internal)?;
        Ok(found
            .into_iter()
            .map(|i| ImportIssue {
                severity: i.severity,
                code: i.code,
                message: i.message,
                file: i.file,
                sheet: i.sheet,
                row: i.row,
                column: i.column,
            })
            .collect())
    }
}

/// Where a page of runs ended: the last run's id (runs come newest first).
pub struct RunCursor(i64);

impl CursorType for RunCursor {
    type Error = String;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        if s.len() > 24 {
            return Err("invalid cursor".into());
        }
        s.strip_prefix("run:").and_then(|n| n.parse().ok()).map(Self).ok_or_else(|| "invalid cursor".into())
    }

    fn encode_cursor(&self) -> String {
        format!("run:{}", self.0)
    }
}

/// Operators and analysts read the run history; others are refused.
pub(crate) fn operations(ctx: &Context<'_>, field: &str) -> Result<()> {
    match gate(ctx)?.viewer().role {
        Role::Operator | Role::Analyst => Ok(()),
        _ => Err(forbidden(format!("{field}: the run history is for operators and analysts"))),
    }
}

#[Object]
impl RunQuery {
    /// Import runs, newest first (operators and analysts).
    async fn import_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which runs.")] filter: Option<ImportRunFilter>,
        #[graphql(desc = "Runs in the page (1 to 500).", default = 50)] first: i32,
        #[graphql(desc = "The `endCursor` of the page before.")] after: Option<String>,
    ) -> Result<Connection<RunCursor, ImportRun>> {
        operations(ctx, "Query.importRuns")?;
        if !(1..=PAGE_MAX).contains(&first) {
            return Err(bad_input(format!("first: 1 to {PAGE_MAX}")));
        }
        let filter = filter.unwrap_or_default();
        crate::input::opt("filter.job", filter.job.as_ref())?;
        crate::input::opt("filter.status", filter.status.as_ref())?;
        let before_id = match &after {
            Some(c) => Some(RunCursor::decode_cursor(c).map_err(|_| bad_input("after: not a cursor of importRuns"))?.0),
            None => None,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let since = filter.since.and_then(|d| d.0.and_hms_opt(0, 0, 0)).map(|t| t.and_utc());
        let query = RunFilter { job: filter.job, status: filter.status, since, before_id, ..RunFilter::default() };
        let mut rows = store::runs::page(db, &query, first as u64 + 1).await.map_err(internal)?;
        let has_next = rows.len() > first as usize;
        rows.truncate(first as usize);
        crate::budget::charge(ctx, rows.len())?;
        let mut page = Connection::new(after.is_some(), has_next);
        page.edges.extend(rows.into_iter().map(|r| Edge::new(RunCursor(r.id), ImportRun::from(r))));
        Ok(page)
    }

    /// One import run by id (operators and analysts).
    async fn import_run(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run's id.")] id: ID,
    ) -> Result<Option<ImportRun>> {
        operations(ctx, "Query.importRun")?;
        let id: i64 = id.parse().map_err(|_| bad_input(format!("id {:?} is not a run id", id.0)))?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        run_by_id(db, id).await
    }
}

/// One run as the API shows it.
pub(crate) async fn run_by_id(db: &DatabaseConnection, id: i64) -> Result<Option<ImportRun>> {
    let query = RunFilter { id: Some(id), ..RunFilter::default() };
    Ok(store::runs::page(db, &query, 1).await.map_err(internal)?.into_iter().next().map(ImportRun::from))
}

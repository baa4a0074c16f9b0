//! The frame every import shares: a run is started, a failure is recorded on it (with the
//! input's sha256 when it was read that far), and for the small lookup imports (GIAS links,
//! statistical neighbours, LA regions, population) a commit finishes it with its counts.

use std::future::Future;
use std::time::Instant;

use chrono::Utc;
use ingest::ImportIssue;
use sea_orm::DatabaseConnection;
use store::runs::{self, RunCounts, RunStatus};
use tracing::info;

use crate::failure::record_failure;
use crate::{Error, ImportSummary, SourceFile};

/// An import's error with the sha256 of its input, when it was read that far.
pub(crate) type Failed = (Error, Option<String>);

/// The run an import is recorded as.
pub(crate) struct RunOf {
    pub job: &'static str,
    pub trigger: String,
    /// The input as the history names it: a path, a URL, `ees:<data set>`.
    pub source: String,
    /// `la=886`, `mapping=…`, `kind=srp`.
    pub scope: Option<String>,
}

impl RunOf {
    pub(crate) fn new(job: &'static str, trigger: &str, source: impl std::fmt::Display, scope: Option<String>) -> Self {
        Self { job, trigger: trigger.to_owned(), source: source.to_string(), scope }
    }
}

/// Starts `run`, runs `import(run_id, started)`, and records a failure on the run: the one
/// skeleton of every import (what `import` does between is the job's own: scan, archive,
/// parse, one transaction, status, finish).
pub(crate) async fn recorded<F, Fut>(db: &DatabaseConnection, run: RunOf, import: F) -> Result<ImportSummary, Error>
where
    F: FnOnce(i64, Instant) -> Fut,
    Fut: Future<Output = Result<ImportSummary, Failed>>,
{
    let started = Instant::now();
    let RunOf { job, trigger, source, scope } = run;
    let run_id = runs::start_run(db, job, &trigger, Some(&source), scope.as_deref(), Utc::now()).await?;
    info!(run.id = run_id, source = %source, "{job} started");
    match import(run_id, started).await {
        Ok(summary) => Ok(summary),
        Err((err, sha)) => Err(record_failure(db, job, run_id, &source, err, sha.as_deref()).await),
    }
}

/// What a committed lookup import reports.
pub(crate) struct Committed {
    pub job: &'static str,
    pub noun: &'static str,
    pub counts: RunCounts,
    pub issues: Vec<ImportIssue>,
}

/// Finishes run `run_id` as committed (or unchanged) with its counts.
pub(crate) async fn finish(
    db: &DatabaseConnection,
    run_id: i64,
    source: SourceFile,
    started: Instant,
    c: Committed,
) -> Result<ImportSummary, Failed> {
    let status = RunStatus::committed(c.counts, false);
    runs::finish_run(db, run_id, status, Some(&source.sha256), c.counts, None, Utc::now())
        .await
        .map_err(|e| (e.into(), Some(source.sha256.clone())))?;
    info!(run.id = run_id, rows.read = c.counts.read, rows.inserted = c.counts.inserted, "{} committed", c.job);
    Ok(ImportSummary {
        run_id,
        job: c.job,
        file: source.name,
        sha256: source.sha256,
        status,
        counts: c.counts,
        noun: c.noun,
        skipped: 0,
        flagged_missing: Vec::new(),
        issues: c.issues,
        elapsed: started.elapsed(),
    })
}

/// Reads a workbook with `read` on a blocking thread (parsing is CPU work), then archives the
/// input: a file that does not read is not kept.
pub(crate) async fn read_workbook<T: Send + 'static>(
    db: &DatabaseConnection,
    source: &SourceFile,
    path: &std::path::Path,
    archive_dir: Option<&std::path::Path>,
    read: fn(&std::path::Path, u64) -> Result<T, ingest::Error>,
    max_bytes: u64,
) -> Result<T, Failed> {
    let fail = |e: Error| (e, Some(source.sha256.clone()));
    let path = path.to_owned();
    let got = tokio::task::spawn_blocking(move || read(&path, max_bytes))
        .await
        .map_err(|e| fail(Error::Io { path: source.name.clone(), source: std::io::Error::other(e) }))?
        .map_err(|e| fail(e.into()))?;
    source.keep(db, archive_dir, None).await.map_err(fail)?;
    Ok(got)
}

//! What every job does when an import fails: the run's record says why, and so does an issue.

use chrono::Utc;
use sea_orm::DatabaseConnection;
use store::runs::{self, IssueRow, RunCounts, RunStatus};
use tracing::warn;

use crate::Error;

/// Marks run `run_id` of `job` failed on `source` (nothing was imported) and hands the error back.
pub(crate) async fn record_failure(
    db: &DatabaseConnection,
    job: &str,
    run_id: i64,
    source: &str,
    err: Error,
    sha256: Option<&str>,
) -> Error {
    warn!(run.id = run_id, error = %err, "{job} failed; nothing imported");
    let issue = IssueRow {
        file: source.to_owned(),
        sheet: None,
        row: None,
        column: None,
        severity: "error".into(),
        code: "refused".into(),
        message: err.to_string(),
    };
    let recorded = async {
        runs::insert_issues(db, run_id, &[issue]).await?;
        let summary = Some(err.to_string());
        runs::finish_run(db, run_id, RunStatus::Failed, sha256, RunCounts::default(), summary, Utc::now()).await
    };
    match recorded.await {
        Ok(()) => err,
        // The import's own error says more than the failure to record it; log the latter.
        Err(e) => {
            warn!(run.id = run_id, error = %e, "could not record the failed run");
            err
        }
    }
}

//! Job `import_la_regions`: DfE's LA–region lookup (xlsx or ods) sets each LA's region, under the
//! import rules: checked first, archived, one transaction. LAs are matched by name; one the store
//! does not know is a warning (import GIAS or statistics first).

use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use ingest::report::ImportIssue;
use sea_orm::{DatabaseConnection, TransactionTrait};
use store::runs::{self, RunCounts, RunStatus};
use tracing::info;

use crate::failure::record_failure;
use crate::import_ees::issue_row;
use crate::{Error, ImportSummary, SourceFile};

pub const JOB: &str = "import_la_regions";

const MAX_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct LaRegionsImport {
    pub path: PathBuf,
    pub trigger: String,
    pub archive_dir: Option<PathBuf>,
}

pub async fn run(db: &DatabaseConnection, job: &LaRegionsImport) -> Result<ImportSummary, Error> {
    let started = Instant::now();
    let name = job.path.display().to_string();
    let run_id = runs::start_run(db, JOB, &job.trigger, Some(&name), None, Utc::now()).await?;
    match import(db, job, run_id, started).await {
        Ok(summary) => Ok(summary),
        Err((err, sha)) => Err(record_failure(db, JOB, run_id, &name, err, sha.as_deref()).await),
    }
}

async fn import(
    db: &DatabaseConnection,
    job: &LaRegionsImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, (Error, Option<String>)> {
    let source = SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let sha = Some(source.sha256.clone());
    let fail = |e: Error| (e, sha.clone());
    let path = job.path.clone();
    let rows = tokio::task::spawn_blocking(move || ingest::spreadsheet::read_la_regions(&path, MAX_BYTES))
        .await
        .map_err(|e| fail(Error::Io { path: source.name.clone(), source: std::io::Error::other(e) }))?
        .map_err(|e| fail(e.into()))?;
    source.keep(db, job.archive_dir.as_deref(), None).await.map_err(fail)?;
    let las: Vec<(String, &str)> = rows.iter().map(|r| (r.la_name.clone(), r.region_code)).collect();
    let txn = db.begin().await.map_err(|e| fail(e.into()))?;
    let written = async {
        let (totals, unknown) = store::regions::apply(&txn, &ingest::spreadsheet::REGIONS, &las).await?;
        let issues: Vec<ImportIssue> = unknown
            .iter()
            .map(|name| {
                let row = rows.iter().find(|r| &r.la_name == name).map_or(0, |r| r.row);
                ImportIssue::row_warning(
                    &source.name,
                    row,
                    "B",
                    "unknown_la",
                    format!("no local authority named {name:?} is known here; import GIAS or statistics first"),
                )
            })
            .collect();
        let stored: Vec<_> = issues.iter().map(issue_row).collect();
        runs::insert_issues(&txn, run_id, &stored).await?;
        Ok::<_, store::Error>((totals, issues))
    }
    .await;
    let (totals, issues) = match written {
        Ok(t) => t,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(fail(e.into()));
        }
    };
    txn.commit().await.map_err(|e| fail(e.into()))?;
    let counts = RunCounts {
        read: rows.len() as i64,
        inserted: 0,
        updated: totals.updated,
        unchanged: totals.unchanged,
        rejected: 0,
    };
    let status = RunStatus::committed(counts, false);
    runs::finish_run(db, run_id, status, Some(&source.sha256), counts, None, Utc::now())
        .await
        .map_err(|e| fail(e.into()))?;
    info!(run.id = run_id, rows.read = counts.read, "import_la_regions committed");
    Ok(ImportSummary {
        run_id,
        job: JOB,
        file: source.name,
        sha256: source.sha256,
        status,
        counts,
        noun: "local authorities",
        skipped: 0,
        flagged_missing: Vec::new(),
        issues,
        elapsed: started.elapsed(),
    })
}

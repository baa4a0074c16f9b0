//! Job `import_statistical_neighbours`: DfE's children's services statistical neighbours workbook
//! into the store, under the import rules: checked first, archived, one transaction.

use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use sea_orm::{DatabaseConnection, TransactionTrait};
use store::runs::{self, RunCounts, RunStatus};
use tracing::info;

use crate::failure::record_failure;
use crate::{Error, ImportSummary, SourceFile};

pub const JOB: &str = "import_statistical_neighbours";

/// DfE's workbook is tens of kB.
const MAX_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct NeighboursImport {
    pub path: PathBuf,
    /// The model's name (`May 2025`); default the file's stem.
    pub model: Option<String>,
    pub trigger: String,
    pub archive_dir: Option<PathBuf>,
}

pub async fn run(db: &DatabaseConnection, job: &NeighboursImport) -> Result<ImportSummary, Error> {
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
    job: &NeighboursImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, (Error, Option<String>)> {
    let source = SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let sha = Some(source.sha256.clone());
    let fail = |e: Error| (e, sha.clone());
    let path = job.path.clone();
    let read = tokio::task::spawn_blocking(move || ingest::spreadsheet::read_statistical_neighbours(&path, MAX_BYTES))
        .await
        .map_err(|e| fail(Error::Io { path: source.name.clone(), source: std::io::Error::other(e) }))?
        .map_err(|e| fail(e.into()))?;
    source.keep(db, job.archive_dir.as_deref(), None).await.map_err(fail)?;
    let model = job.model.clone().unwrap_or_else(|| {
        job.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "unnamed".into())
    });
    let rows: Vec<store::neighbours::NeighbourRow> = read
        .iter()
        .map(|n| store::neighbours::NeighbourRow {
            la_code: n.la_code.clone(),
            la_name: n.la_name.clone(),
            rank: i32::from(n.rank),
            neighbour_code: n.neighbour_code.clone(),
            closeness: n.closeness.clone(),
        })
        .collect();
    let txn = db.begin().await.map_err(|e| fail(e.into()))?;
    let totals = match store::neighbours::replace(&txn, run_id, &model, &rows).await {
        Ok(t) => t,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(fail(e.into()));
        }
    };
    txn.commit().await.map_err(|e| fail(e.into()))?;
    let counts = RunCounts {
        read: rows.len() as i64,
        inserted: totals.inserted,
        updated: totals.updated,
        unchanged: totals.unchanged,
        rejected: 0,
    };
    let status = RunStatus::committed(counts, false);
    runs::finish_run(db, run_id, status, Some(&source.sha256), counts, None, Utc::now())
        .await
        .map_err(|e| fail(e.into()))?;
    info!(run.id = run_id, rows.read = counts.read, "import_statistical_neighbours committed");
    Ok(ImportSummary {
        run_id,
        job: JOB,
        file: source.name,
        sha256: source.sha256,
        status,
        counts,
        noun: "neighbours",
        skipped: 0,
        flagged_missing: Vec::new(),
        issues: Vec::new(),
        elapsed: started.elapsed(),
    })
}

//! Job `import_statistical_neighbours`: DfE's children's services statistical neighbours workbook
//! into the store, under the import rules: checked first, archived, one transaction.

use std::path::PathBuf;
use std::time::Instant;

use sea_orm::DatabaseConnection;
use store::runs::RunCounts;

use crate::recorded::{Committed, Failed, RunOf, finish, read_workbook, recorded};
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
    recorded(db, RunOf::new(JOB, &job.trigger, job.path.display(), None), |run_id, started| {
        import(db, job, run_id, started)
    })
    .await
}

async fn import(
    db: &DatabaseConnection,
    job: &NeighboursImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, Failed> {
    let source = SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let fail = |e: Error| (e, Some(source.sha256.clone()));
    let read = read_workbook(
        db,
        &source,
        &job.path,
        job.archive_dir.as_deref(),
        ingest::spreadsheet::read_statistical_neighbours,
        MAX_BYTES,
    )
    .await?;
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
    let txn = store::begin_write(db).await.map_err(|e| fail(e.into()))?;
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
    finish(db, run_id, source, started, Committed { job: JOB, noun: "neighbours", counts, issues: Vec::new() }).await
}

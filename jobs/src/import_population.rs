//! Job `import_population`: ONS mid-year population estimates by area and single year of age
//! (CSV, xlsx or ods), the denominator of per-head indicators, under the import rules: checked
//! first, archived, one transaction. Each area and year the file gives replaces what was stored
//! for it; other areas and years stay.

use std::path::PathBuf;
use std::time::Instant;

use sea_orm::DatabaseConnection;
use store::population::PopulationRow;
use store::runs::RunCounts;

use crate::recorded::{Committed, Failed, RunOf, finish, read_workbook, recorded};
use crate::{Error, ImportSummary};

pub const JOB: &str = "import_population";

/// ONS's full single-year file for every area and twenty years is some 60 MB.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct PopulationImport {
    pub path: PathBuf,
    pub trigger: String,
    pub archive_dir: Option<PathBuf>,
}

pub async fn run(db: &DatabaseConnection, job: &PopulationImport) -> Result<ImportSummary, Error> {
    recorded(db, RunOf::new(JOB, &job.trigger, job.path.display(), None), |run_id, started| {
        import(db, job, run_id, started)
    })
    .await
}

async fn import(
    db: &DatabaseConnection,
    job: &PopulationImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, Failed> {
    let source = crate::SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let fail = |e: Error| (e, Some(source.sha256.clone()));
    let read = read_workbook(
        db,
        &source,
        &job.path,
        job.archive_dir.as_deref(),
        ingest::spreadsheet::read_population,
        MAX_BYTES,
    )
    .await?;
    let rows: Vec<PopulationRow> = read
        .into_iter()
        .map(|r| PopulationRow { code: r.code, name: r.name, year: r.year, age: i32::from(r.age), persons: r.persons })
        .collect();
    let txn = store::begin_write(db).await.map_err(|e| fail(e.into()))?;
    let totals = match store::population::replace(&txn, run_id, &rows).await {
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
    finish(db, run_id, source, started, Committed { job: JOB, noun: "population figures", counts, issues: Vec::new() })
        .await
}

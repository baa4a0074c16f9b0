//! Job `import_la_regions`: DfE's LA–region lookup (xlsx or ods) sets each LA's region, under the
//! import rules: checked first, archived, one transaction. LAs are matched by name; one the store
//! does not know is a warning (import GIAS or statistics first).

use std::path::PathBuf;
use std::time::Instant;

use ingest::report::ImportIssue;
use sea_orm::DatabaseConnection;
use store::runs::{self, RunCounts};

use crate::import_ees::issue_row;
use crate::recorded::{Committed, Failed, RunOf, finish, read_workbook, recorded};
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
    recorded(db, RunOf::new(JOB, &job.trigger, job.path.display(), None), |run_id, started| {
        import(db, job, run_id, started)
    })
    .await
}

async fn import(
    db: &DatabaseConnection,
    job: &LaRegionsImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, Failed> {
    let source = SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let fail = |e: Error| (e, Some(source.sha256.clone()));
    let rows = read_workbook(
        db,
        &source,
        &job.path,
        job.archive_dir.as_deref(),
        ingest::spreadsheet::read_la_regions,
        MAX_BYTES,
    )
    .await?;
    let las: Vec<(String, &str)> = rows.iter().map(|r| (r.la_name.clone(), r.region_code)).collect();
    let txn = store::begin_write(db).await.map_err(|e| fail(e.into()))?;
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
    finish(db, run_id, source, started, Committed { job: JOB, noun: "local authorities", counts, issues }).await
}

//! Job `import_register`: an LA spreadsheet (SRP register, designations, clusters, training) into
//! the store, under the import rules; `dry_run` validates against the store and writes nothing.

use std::path::PathBuf;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use ingest::spreadsheet::{self, Kind, Parsed, ReadOptions};
use ingest::{ImportIssue, Severity};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use store::registers::{self, Finding, RegisterTotals};
use store::runs::{self, RunCounts, RunStatus};
use tracing::info;

use crate::import_ees::issue_row;
use crate::recorded::{RunOf, recorded};
use crate::{Error, ImportSummary, SourceFile};

pub const JOB: &str = "import_register";

#[derive(Debug, Clone)]
pub struct RegisterImport {
    pub path: PathBuf,
    pub kind: Kind,
    pub sheet: Option<String>,
    /// Validate and report, write nothing (not even a run record).
    pub dry_run: bool,
    pub trigger: String,
    pub archive_dir: Option<PathBuf>,
    /// Cluster sizes outside this range are warnings.
    pub cluster_size: (u32, u32),
    /// The day closures and new memberships are dated.
    pub today: NaiveDate,
    /// Template files (`--template`) whose header overrides apply; each must be of this kind.
    pub templates: Vec<PathBuf>,
    /// Every template of this kind in this directory applies too (`INCLUSION_TEMPLATES_DIR`).
    pub templates_dir: Option<PathBuf>,
}

/// The records of whichever kind the file holds.
enum Records {
    Srp(Parsed<domain::SrpRegisterEntry>),
    Designations(Parsed<domain::DesignationEntry>),
    Clusters(Parsed<domain::ClusterMembership>),
    Training(Parsed<domain::TrainingEntry>),
}

impl Records {
    fn read(job: &RegisterImport) -> Result<Self, ingest::Error> {
        let columns = spreadsheet::templates_for(job.kind, &job.templates, job.templates_dir.as_deref())?;
        let opts =
            ReadOptions { sheet: job.sheet.clone(), cluster_size: job.cluster_size, columns, ..Default::default() };
        Ok(match job.kind {
            Kind::Srp => Records::Srp(spreadsheet::read_srp_register(&job.path, &opts)?),
            Kind::Designations => Records::Designations(spreadsheet::read_designations(&job.path, &opts)?),
            Kind::Clusters => Records::Clusters(spreadsheet::read_clusters(&job.path, &opts)?),
            Kind::Training => Records::Training(spreadsheet::read_training(&job.path, &opts)?),
        })
    }

    /// (file, sheet, rows read, rows rejected, the parser's issues)
    fn header(&self) -> (String, String, u64, u64, Vec<ImportIssue>) {
        macro_rules! h {
            ($p:expr) => {
                ($p.file.clone(), $p.sheet.clone(), $p.rows_read, $p.rows_rejected, $p.issues.clone())
            };
        }
        match self {
            Records::Srp(p) => h!(p),
            Records::Designations(p) => h!(p),
            Records::Clusters(p) => h!(p),
            Records::Training(p) => h!(p),
        }
    }

    async fn write(&self, txn: &DatabaseTransaction, run_id: i64, today: NaiveDate) -> Result<RegisterTotals, Error> {
        Ok(match self {
            Records::Srp(p) => registers::srps::write(txn, run_id, &p.records, today, p.rows_rejected == 0).await?,
            Records::Designations(p) => registers::designations::write(txn, run_id, &p.records).await?,
            Records::Clusters(p) => {
                registers::clusters::write(txn, run_id, &p.records, today, p.rows_rejected == 0).await?
            }
            Records::Training(p) => registers::training::write(txn, run_id, &p.records).await?,
        })
    }
}

pub async fn run(db: &DatabaseConnection, job: &RegisterImport) -> Result<ImportSummary, Error> {
    if job.dry_run {
        // A dry run records no run.
        return import(db, job, 0, Instant::now()).await.map_err(|(e, _)| e);
    }
    let run = RunOf::new(JOB, &job.trigger, job.path.display(), Some(format!("kind={}", job.kind.as_str())));
    recorded(db, run, |run_id, started| import(db, job, run_id, started)).await
}

async fn import(
    db: &DatabaseConnection,
    job: &RegisterImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, (Error, Option<String>)> {
    // Hashing, unzipping and parsing a workbook is CPU work: off the async threads, so a large
    // register does not stall the server or the other jobs sharing the runtime.
    let read_job = job.clone();
    let (source, records) = tokio::task::spawn_blocking(move || {
        let source = SourceFile::scan(&read_job.path)?;
        let records = Records::read(&read_job).map_err(Error::from);
        Ok::<_, Error>((source, records))
    })
    .await
    .map_err(|e| (Error::Io { path: job.path.display().to_string(), source: std::io::Error::other(e) }, None))?
    .map_err(|e| (e, None))?;
    let sha = Some(source.sha256.clone());
    let fail = |e: Error| (e, sha.clone());
    // Archived once the workbook opens and reads: a refused upload is not kept.
    let records = records.map_err(fail)?;
    if !job.dry_run {
        source.keep(db, job.archive_dir.as_deref(), None).await.map_err(fail)?;
    }
    let (file, sheet, read, rejected, mut issues) = records.header();
    // A file rejected row by row is the wrong file or kind, not data to half-import.
    let hint = format!("is this the right file for --kind {}?", format!("{:?}", job.kind).to_lowercase());
    if let Some(e) = crate::error::mostly_rejected(read, rejected, &issues, hint) {
        return Err(fail(e));
    }

    let txn = store::begin_write(db).await.map_err(|e| fail(e.into()))?;
    let totals = match records.write(&txn, run_id, job.today).await {
        Ok(t) => t,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(fail(e));
        }
    };
    issues.extend(totals.findings.iter().map(|f| finding_issue(&file, &sheet, f)));
    issues.sort_by_key(|i| (i.row.is_none(), i.row));
    let counts = RunCounts {
        read: read as i64,
        inserted: totals.inserted,
        updated: totals.updated,
        unchanged: totals.unchanged,
        rejected: rejected as i64 + totals.rejected,
    };
    if job.dry_run {
        // Validated against the store as it is, then rolled back: nothing written.
        txn.rollback().await.map_err(|e| fail(e.into()))?;
    } else {
        let stored: Vec<_> = issues.iter().map(issue_row).collect();
        let commit = async {
            runs::insert_issues(&txn, run_id, &stored).await?;
            txn.commit().await?;
            Ok::<_, store::Error>(())
        };
        commit.await.map_err(|e| fail(e.into()))?;
    }
    let status = RunStatus::committed(counts, totals.findings.iter().any(|f| f.code.ends_with("closed")));
    if !job.dry_run {
        runs::finish_run(db, run_id, status, Some(&source.sha256), counts, None, Utc::now())
            .await
            .map_err(|e| fail(e.into()))?;
        info!(run.id = run_id, kind = job.kind.as_str(), rows.read = counts.read, "import_register committed");
    }
    Ok(ImportSummary {
        run_id,
        job: JOB,
        file: if job.dry_run { format!("{file} (dry run: nothing written)") } else { file },
        sha256: source.sha256,
        status,
        counts,
        noun: noun(job.kind),
        skipped: 0,
        flagged_missing: Vec::new(),
        issues,
        elapsed: started.elapsed(),
    })
}

fn finding_issue(file: &str, sheet: &str, f: &Finding) -> ImportIssue {
    ImportIssue {
        file: file.to_owned(),
        sheet: (!sheet.is_empty()).then(|| sheet.to_owned()),
        row: f.row.map(u64::from),
        column: None,
        severity: if f.error { Severity::Error } else { Severity::Warning },
        code: f.code,
        message: f.message.clone(),
    }
}

/// What a register's counts count, for summaries.
fn noun(kind: Kind) -> &'static str {
    match kind {
        Kind::Srp => "SRPs",
        Kind::Designations => "designations",
        Kind::Clusters => "memberships",
        Kind::Training => "enrolments",
    }
}

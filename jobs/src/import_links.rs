//! Job `import_gias_links`: GIAS's links extract (academy conversions, mergers, splits) into the
//! store, under the import rules: checked first, archived, one transaction, re-runs unchanged.

use std::path::PathBuf;
use std::time::Instant;

use ingest::gias::links::{self, LinkDirection};
use sea_orm::DatabaseConnection;
use store::runs::{self, RunCounts};

use crate::import_ees::issue_row;
use crate::recorded::{Committed, Failed, RunOf, finish, recorded};
use crate::{Error, ImportSummary, SourceFile};

pub const JOB: &str = "import_gias_links";

/// The national links file is a few MB; anything far larger is not one.
const MAX_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct LinksImport {
    pub path: PathBuf,
    pub trigger: String,
    pub archive_dir: Option<PathBuf>,
}

pub async fn run(db: &DatabaseConnection, job: &LinksImport) -> Result<ImportSummary, Error> {
    recorded(db, RunOf::new(JOB, &job.trigger, job.path.display(), None), |run_id, started| {
        import(db, job, run_id, started)
    })
    .await
}

async fn import(
    db: &DatabaseConnection,
    job: &LinksImport,
    run_id: i64,
    started: Instant,
) -> Result<ImportSummary, Failed> {
    let source = SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let sha = Some(source.sha256.clone());
    let fail = |e: Error| (e, sha.clone());
    if source.bytes > MAX_BYTES {
        let e = ingest::Error::TooLarge { file: source.name.clone(), size: source.bytes, limit: MAX_BYTES };
        return Err(fail(e.into()));
    }
    let encoding = source.text_encoding().map_err(fail)?;
    let (path, file) = (job.path.clone(), source.name.clone());
    let parsed = tokio::task::spawn_blocking(move || {
        let bytes = std::fs::read(&path).map_err(|e| Error::Io { path: path.display().to_string(), source: e })?;
        links::read_links(&file, &bytes, encoding).map_err(Error::from)
    })
    .await
    .map_err(|e| fail(Error::Io { path: source.name.clone(), source: std::io::Error::other(e) }))?
    .map_err(fail)?;
    // Archived once the file reads: a refused upload is not kept.
    source.keep(db, job.archive_dir.as_deref(), None).await.map_err(fail)?;
    let hint = "is this GIAS's links file (links_edubasealldataYYYYMMDD.csv)?".to_owned();
    if let Some(e) = crate::error::mostly_rejected(parsed.rows_read, parsed.rows_rejected, &parsed.issues, hint) {
        return Err(fail(e));
    }
    let rows: Vec<store::links::Link> = parsed
        .links
        .iter()
        .map(|(_, l)| store::links::Link {
            urn: l.urn.get(),
            link_urn: l.link_urn.get(),
            link_type: l.link_type.clone(),
            direction: match l.direction() {
                LinkDirection::Predecessor => "predecessor",
                LinkDirection::Successor => "successor",
                LinkDirection::Other => "other",
            },
            link_name: l.link_name.clone(),
            established_on: l.established,
        })
        .collect();
    let txn = store::begin_write(db).await.map_err(|e| fail(e.into()))?;
    let written = async {
        let totals = store::links::write(&txn, run_id, &rows).await?;
        let stored: Vec<_> = parsed.issues.iter().map(issue_row).collect();
        runs::insert_issues(&txn, run_id, &stored).await?;
        Ok::<_, store::Error>(totals)
    }
    .await;
    let totals = match written {
        Ok(t) => t,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(fail(e.into()));
        }
    };
    txn.commit().await.map_err(|e| fail(e.into()))?;
    let counts = RunCounts {
        read: parsed.rows_read as i64,
        inserted: totals.inserted,
        updated: totals.updated,
        unchanged: totals.unchanged,
        rejected: parsed.rows_rejected as i64,
    };
    finish(db, run_id, source, started, Committed { job: JOB, noun: "links", counts, issues: parsed.issues }).await
}

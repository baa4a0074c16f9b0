//! Job `import_gias`: a GIAS establishment extract into the store, under the import rules.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::time::Instant;

use chrono::Utc;
use ingest::ImportIssue;
use ingest::gias::{GiasReader, GiasRow};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use store::gias::{GiasWriter, RowOutcome};
use store::runs::{self, IssueRow, RunCounts, RunStatus};
use tracing::info;

use crate::import_ees::issue_row;
use crate::progress::Counting;
use crate::recorded::{RunOf, recorded};
use crate::summary::Issues;
use crate::{Error, ImportProgress, ImportSummary, SourceFile};

pub const JOB: &str = "import_gias";

/// Parameters of one GIAS import.
#[derive(Debug, Clone)]
pub struct GiasImport {
    pub path: PathBuf,
    /// Import only this LA (e.g. `886`); its schools absent from the extract are flagged.
    pub la: Option<String>,
    /// Accept an extract far smaller than the last one.
    pub force: bool,
    /// Who started the run: `cli`, `demo`, `schedule`, …
    pub trigger: String,
    /// Where raw inputs are kept by sha256; `None` keeps no copy.
    pub archive_dir: Option<PathBuf>,
}

/// Runs the import. `Ok` means it committed (rows may still have been rejected: see the
/// summary); `Err` means nothing was written but the failed run's own record.
pub async fn run(
    db: &DatabaseConnection,
    job: &GiasImport,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, Error> {
    let scope = job.la.as_ref().map(|la| format!("la={la}"));
    let run = RunOf::new(JOB, &job.trigger, job.path.display(), scope.clone());
    recorded(db, run, |run_id, started| import(db, job, None, run_id, scope.as_deref(), progress, started)).await
}

/// The extract for `day` by URL: DfE publishes it daily as `edubasealldataYYYYMMDD.csv`, so the
/// URL is a template. `{date}` is `YYYYMMDD`; `{yyyy}`, `{mm}` and `{dd}` its parts. Any other
/// `{…}` is refused rather than sent.
pub fn expand_url(template: &str, day: chrono::NaiveDate) -> Result<String, Error> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let tail = &rest[open + 1..];
        let Some(close) = tail.find('}') else {
            return Err(Error::UrlTemplate(format!("{template:?}: a '{{' without its '}}'")));
        };
        let part = match &tail[..close] {
            "date" => day.format("%Y%m%d").to_string(),
            "yyyy" => day.format("%Y").to_string(),
            "mm" => day.format("%m").to_string(),
            "dd" => day.format("%d").to_string(),
            other => {
                return Err(Error::UrlTemplate(format!(
                    "{template:?}: unknown placeholder {{{}}} (known: {{date}}, {{yyyy}}, {{mm}}, {{dd}})",
                    other.chars().take(20).collect::<String>()
                )));
            }
        };
        out.push_str(&part);
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    if !(out.starts_with("https://") || out.starts_with("http://")) {
        return Err(Error::UrlTemplate(format!("{template:?}: give an http(s) URL")));
    }
    Ok(out)
}

/// Parameters of a GIAS import by URL.
#[derive(Debug, Clone)]
pub struct GiasUrlImport {
    /// A URL template (see [`expand_url`]).
    pub url: String,
    pub la: Option<String>,
    pub force: bool,
    pub trigger: String,
    /// Downloads wait in its `incoming/` and are archived there.
    pub archive_dir: PathBuf,
    pub client: sources::ClientConfig,
}

/// Downloads the extract for `day` and imports it, as one run named by the URL. The server's
/// 304 (its ETag or Last-Modified unchanged since the last fetch) ends the run `unchanged`.
pub async fn run_url(
    db: &DatabaseConnection,
    job: &GiasUrlImport,
    day: chrono::NaiveDate,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, Error> {
    let url = expand_url(&job.url, day)?;
    let scope = job.la.as_ref().map(|la| format!("la={la}"));
    let run = RunOf::new(JOB, &job.trigger, &url, scope.clone());
    recorded(db, run, |run_id, started| async move {
        let Some(download) = fetch(db, job, &url, run_id).await.map_err(|e| (e, None))? else {
            runs::finish_run(db, run_id, RunStatus::Unchanged, None, RunCounts::default(), None, Utc::now())
                .await
                .map_err(|e| (e.into(), None))?;
            info!(run.id = run_id, "import_gias: extract not modified (304); nothing to import");
            return Ok(ImportSummary {
                run_id,
                job: JOB,
                file: url.clone(),
                sha256: String::new(),
                status: RunStatus::Unchanged,
                counts: RunCounts::default(),
                noun: "establishments",
                skipped: 0,
                flagged_missing: Vec::new(),
                issues: Vec::new(),
                elapsed: started.elapsed(),
            });
        };
        let file = GiasImport {
            path: download.path.clone(),
            la: job.la.clone(),
            force: job.force,
            trigger: job.trigger.clone(),
            archive_dir: Some(job.archive_dir.clone()),
        };
        import(db, &file, Some(&url), run_id, scope.as_deref(), progress, started).await
    })
    .await
}

/// A downloaded extract at `path`, named as DfE names it, in a folder of its run's own that is
/// removed when dropped (the archive keeps its copy).
struct Downloaded {
    path: PathBuf,
    _folder: crate::fetched::RemoveOnDrop,
}

async fn fetch(
    db: &DatabaseConnection,
    job: &GiasUrlImport,
    url: &str,
    run_id: i64,
) -> Result<Option<Downloaded>, Error> {
    let http = sources::HttpClient::new(job.client.clone())?;
    let known = crate::fetched::known(db, url).await?;
    // A folder of this run's own: two runs fetching the same extract never share one. It goes
    // when the run ends, however it ends.
    let dir = job.archive_dir.join("incoming").join(format!("gias-run-{run_id}"));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io { path: dir.display().to_string(), source: e })?;
    let folder = crate::fetched::RemoveOnDrop(vec![dir.clone()]);
    let download = http.download(url, &dir, sources::Expect::Csv, known.as_ref()).await?;
    crate::fetched::record(db, url, &download).await?;
    let sources::Download::Fetched { path, .. } = download else { return Ok(None) };
    let name = url.split(['?', '#']).next().and_then(|u| u.rsplit('/').next()).unwrap_or_default();
    let name: String =
        name.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')).take(200).collect();
    let name = if name.is_empty() || name.starts_with('.') { "gias.csv".to_owned() } else { name };
    std::fs::rename(&path, dir.join(&name)).map_err(|e| Error::Io { path: dir.display().to_string(), source: e })?;
    Ok(Some(Downloaded { path: dir.join(name), _folder: folder }))
}

async fn import(
    db: &DatabaseConnection,
    job: &GiasImport,
    origin: Option<&str>,
    run_id: i64,
    scope: Option<&str>,
    progress: &dyn ImportProgress,
    started: Instant,
) -> Result<ImportSummary, (Error, Option<String>)> {
    let source = SourceFile::scan_off_thread(&job.path).await.map_err(|e| (e, None))?;
    let sha = Some(source.sha256.clone());
    let fail = |e: Error| (e, sha.clone());
    let encoding = source.text_encoding().map_err(fail)?;
    // Archived once the file-level checks pass: a refused upload is not kept.
    source.keep(db, job.archive_dir.as_deref(), origin).await.map_err(fail)?;

    let file = File::open(&job.path).map_err(|e| fail(Error::Io { path: source.name.clone(), source: e }))?;
    progress.start(source.bytes);
    let reader = Counting { inner: BufReader::with_capacity(256 * 1024, file), progress };
    let mut rows = GiasReader::new(&source.name, reader, encoding).map_err(|e| fail(e.into()))?;

    let txn = store::begin_write(db).await.map_err(|e| fail(e.into()))?;
    // Roll back explicitly on any error: the run's own record is written next, and on SQLite it
    // would otherwise wait for this transaction's write lock.
    let written = match write_rows(&txn, job, run_id, scope, &source, &mut rows).await {
        Ok(written) => written,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(fail(e));
        }
    };
    txn.commit().await.map_err(|e| fail(e.into()))?;
    progress.finish();
    let Written { counts, skipped, flagged_missing, issues } = written;

    let status = RunStatus::committed(counts, !flagged_missing.is_empty());
    runs::finish_run(db, run_id, status, Some(&source.sha256), counts, None, Utc::now())
        .await
        .map_err(|e| fail(e.into()))?;
    info!(
        run.id = run_id,
        rows.read = counts.read,
        rows.inserted = counts.inserted,
        rows.updated = counts.updated,
        rows.unchanged = counts.unchanged,
        rows.rejected = counts.rejected,
        duration_ms = started.elapsed().as_millis() as u64,
        "import_gias committed"
    );
    Ok(ImportSummary {
        run_id,
        job: JOB,
        file: source.name,
        sha256: source.sha256,
        status,
        counts,
        noun: "establishments",
        skipped,
        flagged_missing,
        issues,
        elapsed: started.elapsed(),
    })
}

/// What the transaction wrote.
struct Written {
    counts: RunCounts,
    skipped: i64,
    flagged_missing: Vec<i32>,
    issues: Vec<ImportIssue>,
}

async fn write_rows<R: std::io::Read>(
    txn: &DatabaseTransaction,
    job: &GiasImport,
    run_id: i64,
    scope: Option<&str>,
    source: &SourceFile,
    rows: &mut GiasReader<R>,
) -> Result<Written, Error> {
    let mut writer = GiasWriter::begin(txn, run_id, &source.sha256).await?;
    let mut issues = Issues::new(rows.header_issues());
    let mut counts = RunCounts::default();
    let mut skipped = 0i64;
    let in_scope = |la: Option<&str>| job.la.as_deref().is_none_or(|want| la == Some(want));
    while let Some(row) = rows.next_row()? {
        counts.read += 1;
        match row {
            GiasRow::Rejected { la, issues: row_issues, .. } => {
                if in_scope(la.as_deref()) {
                    counts.rejected += 1;
                    issues.extend(row_issues);
                } else {
                    skipped += 1;
                }
            }
            GiasRow::Establishment { line, establishment, warnings } => {
                if !in_scope(establishment.la.as_ref().map(|l| l.as_str())) {
                    skipped += 1;
                    continue;
                }
                let urn = establishment.urn;
                match writer.write(*establishment, line).await? {
                    RowOutcome::Duplicate { first_line } => {
                        counts.rejected += 1;
                        issues.push(ImportIssue::row_error(
                            &source.name,
                            line,
                            "URN",
                            "duplicate_urn",
                            format!("URN {urn} appears again (first on line {first_line})"),
                        ));
                    }
                    _ => issues.extend(warnings),
                }
            }
        }
    }
    let in_scope_rows = (counts.read - skipped).max(0) as u64;
    let hint = "is this a GIAS establishment extract (edubasealldata…csv)?".to_owned();
    if let Some(e) = crate::error::mostly_rejected(in_scope_rows, counts.rejected.max(0) as u64, issues.peek(), hint) {
        return Err(e);
    }
    let totals = writer.finish(job.la.as_deref()).await?;
    counts.inserted = totals.inserted;
    counts.updated = totals.updated;
    counts.unchanged = totals.unchanged;

    // A full extract that shrank sharply is more likely a partial download than closures.
    let accepted = counts.inserted + counts.updated + counts.unchanged;
    if !job.force
        && let Some(last) = runs::last_committed_run(txn, JOB, scope).await?
    {
        let previous = last.rows_inserted + last.rows_updated + last.rows_unchanged;
        if previous >= 20 && accepted * 2 < previous {
            let scope = job.la.as_ref().map_or_else(|| "all LAs".to_owned(), |la| format!("LA {la}"));
            return Err(Error::SharpDrop { scope, found: accepted, previous });
        }
    }
    let issues = issues.finish(&source.name);
    let stored: Vec<IssueRow> = issues.iter().map(issue_row).collect();
    runs::insert_issues(txn, run_id, &stored).await?;
    Ok(Written { counts, skipped, flagged_missing: totals.flagged_missing, issues })
}

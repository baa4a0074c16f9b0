//! Job `import_ees`: an Explore Education Statistics tidy CSV (a file, a URL, or a data set
//! through the EES API) into observations, through a mapping, under the import rules.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use chrono::Utc;
use ingest::ees::{EesReader, EesRow, Mapping, load_mappings};
use ingest::{ImportIssue, Severity};
use sea_orm::DatabaseConnection;
use sources::{ClientConfig, Download, EesApi, Expect, HttpClient};
use store::bulk::BulkTxn;
use store::runs::{self, IssueRow, RunCounts, RunStatus};
use store::stats::{MeasureRow, ObservationBatcher, ObservationWriter, PreparedChunk, upsert_measures_statement};
use tracing::info;

use crate::progress::SharedCount;
use crate::recorded::{RunOf, recorded};
use crate::summary::Issues;
use crate::{Error, ImportProgress, ImportSummary, SourceFile};

pub const JOB: &str = "import_ees";

/// Where the CSV comes from.
#[derive(Debug, Clone)]
pub enum EesSource {
    File(PathBuf),
    /// A CSV or ZIP ("underlying data") by URL.
    Url(String),
    /// A data set (and optionally a version) of the EES public API.
    Api {
        dataset: String,
        version: Option<String>,
    },
}

/// Parameters of one EES import.
#[derive(Debug, Clone)]
pub struct EesImport {
    pub source: EesSource,
    /// Mapping name; `None` looks it up by data set.
    pub mapping: Option<String>,
    /// Directory of mapping files overriding the built-in ones.
    pub mappings_dir: Option<PathBuf>,
    pub api_base: String,
    pub client: ClientConfig,
    pub trigger: String,
    /// Downloads and archived inputs, named by sha256.
    pub archive_dir: PathBuf,
    /// What the operator says of the release (`--release`, `--provisional`, `--revised`); the EES
    /// API's data set metadata fills in the version and publication date.
    pub release: ReleaseInfo,
}

/// The release an EES input belongs to, as far as anyone said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// e.g. `2023/24` or `Spring term 2023/24`.
    pub title: Option<String>,
    /// When DfE published it (ISO 8601).
    pub published: Option<String>,
    /// `Some(true)` provisional, `Some(false)` revised or final.
    pub provisional: Option<bool>,
}

pub async fn run(
    db: &DatabaseConnection,
    job: &EesImport,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, Error> {
    let mapping = resolve_mapping(job)?;
    let scope = format!("mapping={}", mapping.name());
    let source_name = match &job.source {
        EesSource::File(p) => p.display().to_string(),
        EesSource::Url(u) => u.clone(),
        EesSource::Api { dataset, version } => {
            format!("ees:{dataset}{}", version.as_ref().map(|v| format!("@{v}")).unwrap_or_default())
        }
    };
    let run = RunOf::new(JOB, &job.trigger, source_name, Some(scope));
    recorded(db, run, |run_id, started| import(db, job, &mapping, run_id, progress, started, None)).await
}

/// Imports as [`run`] does, then rolls back: the figures the import would insert or change,
/// with the values they would replace. Nothing is kept, not even the run's record.
pub async fn dry_run(db: &DatabaseConnection, job: &EesImport) -> Result<Vec<store::provenance::FigureChange>, Error> {
    let started = Instant::now();
    let mapping = resolve_mapping(job)?;
    let scope = format!("mapping={}", mapping.name());
    let run_id = runs::start_run(db, JOB, &job.trigger, Some("(dry run)"), Some(&scope), Utc::now()).await?;
    let mut changes = Vec::new();
    let outcome = import(db, job, &mapping, run_id, &crate::NoProgress, started, Some(&mut changes)).await;
    let discarded = runs::discard_run(db, run_id).await;
    // The import's own error is the one to report; a failure to discard only when it passed.
    let _ = outcome.map_err(|(e, _)| e)?;
    discarded?;
    Ok(changes)
}

fn resolve_mapping(job: &EesImport) -> Result<Mapping, Error> {
    let mappings = load_mappings(job.mappings_dir.as_deref())?;
    let wanted = match (&job.mapping, &job.source) {
        (Some(name), _) => mappings.iter().find(|m| m.name() == name),
        (None, EesSource::Api { dataset, .. }) => Mapping::for_dataset(&mappings, dataset),
        (None, EesSource::File(p)) => {
            let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Mapping::for_dataset(&mappings, &stem)
        }
        (None, EesSource::Url(u)) => {
            let stem = u.rsplit('/').next().unwrap_or(u).split(['.', '?']).next().unwrap_or_default().to_owned();
            Mapping::for_dataset(&mappings, &stem)
        }
    };
    wanted.cloned().ok_or_else(|| Error::NoMapping {
        dataset: job.mapping.clone().unwrap_or_else(|| format!("{:?}", job.source)),
        known: mappings.iter().map(|m| m.name().to_owned()).collect::<Vec<_>>().join(", "),
    })
}

type Failed = (Error, Option<String>);

/// Where downloads wait, inside the archive directory (one file system, so archiving one is a
/// link, not a copy), until the file-level checks pass; removed after the run either way.
fn incoming_dir(archive_dir: &Path) -> PathBuf {
    archive_dir.join("incoming")
}

/// Gets the CSV onto disk: `None` when the server says our copy is current (304).
async fn fetch(
    db: &DatabaseConnection,
    job: &EesImport,
    mapping: &Mapping,
) -> Result<Option<(PathBuf, Option<String>)>, Error> {
    let (url, download) = match &job.source {
        EesSource::File(path) => return Ok(Some((path.clone(), None))),
        EesSource::Url(url) => {
            let http = HttpClient::new(job.client.clone())?;
            let known = crate::fetched::known(db, url).await?;
            let expect = if url.to_ascii_lowercase().split('?').next().unwrap_or("").ends_with(".zip") {
                Expect::Zip
            } else {
                Expect::Csv
            };
            (url.clone(), http.download(url, &incoming_dir(&job.archive_dir), expect, known.as_ref()).await?)
        }
        EesSource::Api { dataset, version } => {
            let api = EesApi::new(HttpClient::new(job.client.clone())?, &job.api_base);
            let url = format!(
                "{}/v1/data-sets/{dataset}/csv{}",
                job.api_base.trim_end_matches('/'),
                version.as_ref().map(|v| format!("?dataSetVersion={v}")).unwrap_or_default()
            );
            let known = crate::fetched::known(db, &url).await?;
            (url, api.csv(dataset, version.as_deref(), &incoming_dir(&job.archive_dir), known.as_ref()).await?)
        }
    };
    // Kept before the import runs, so a failed import still knows what it fetched.
    crate::fetched::record(db, &url, &download).await?;
    match download {
        Download::NotModified => Ok(None),
        Download::Fetched { path, .. } => {
            let csv =
                if is_zip(&path) { pick_csv_from_zip(&path, &incoming_dir(&job.archive_dir), mapping)? } else { path };
            Ok(Some((csv, Some(url))))
        }
    }
}

fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    File::open(path).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut magic)).is_ok() && magic == *b"PK\x03\x04"
}

/// A release's "underlying data" ZIP holds several CSVs: take the one the mapping serves.
fn pick_csv_from_zip(zip: &Path, dir: &Path, mapping: &Mapping) -> Result<PathBuf, Error> {
    let out =
        dir.join(format!("{}.unzipped", zip.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
    let csvs = sources::unzip::csv_entries(zip, &out, sources::unzip::Limits::default())?;
    let by_name = csvs.iter().find(|p| p.file_stem().is_some_and(|s| mapping.serves(&s.to_string_lossy())));
    by_name.or(csvs.first()).cloned().ok_or_else(|| Error::EmptyZip { file: zip.display().to_string() })
}

async fn import(
    db: &DatabaseConnection,
    job: &EesImport,
    mapping: &Mapping,
    run_id: i64,
    progress: &dyn ImportProgress,
    started: Instant,
    dry: Option<&mut Vec<store::provenance::FigureChange>>,
) -> Result<ImportSummary, Failed> {
    let scope = format!("mapping={}", mapping.name());
    let fetched = fetch(db, job, mapping).await.map_err(|e| (e, None))?;
    // A download and what was unzipped from it go once the run ends; the archive keeps its copy.
    let incoming = incoming_dir(&job.archive_dir);
    let _cleanup = crate::fetched::RemoveOnDrop(match &fetched {
        Some((path, Some(_))) if path.starts_with(&incoming) => {
            let top = path.strip_prefix(&incoming).ok().and_then(|p| p.components().next()).map(|c| incoming.join(c));
            let download = top
                .as_ref()
                .and_then(|t| t.file_name()?.to_str()?.strip_suffix(".unzipped").map(|sha| incoming.join(sha)));
            top.into_iter().chain(download).collect()
        }
        _ => Vec::new(),
    });
    let Some((path, origin)) = fetched else {
        runs::finish_run(db, run_id, RunStatus::Unchanged, None, RunCounts::default(), None, Utc::now())
            .await
            .map_err(|e| (e.into(), None))?;
        info!(run.id = run_id, "import_ees: source not modified (304); nothing to import");
        return Ok(summary(
            run_id,
            "(not modified)".into(),
            String::new(),
            RunStatus::Unchanged,
            Written::default(),
            started,
        ));
    };
    let source = SourceFile::scan_off_thread(&path).await.map_err(|e| (e, None))?;
    let sha = Some(source.sha256.clone());
    let fail = |e: Error| (e, sha.clone());
    // A download is stored under its hash: report it by the name in its URL.
    let report_name = match &origin {
        Some(url) => url.split('?').next().and_then(|u| u.rsplit('/').next()).unwrap_or(url).to_owned(),
        None => source.name.clone(),
    };
    let display_name = origin.clone().unwrap_or_else(|| source.name.clone());
    if source.bytes == 0 {
        return Err(fail(ingest::Error::Empty { file: report_name.clone() }.into()));
    }
    if let Err(reason) = &source.encoding {
        return Err(fail(ingest::Error::NotText { file: report_name.clone(), reason: reason.clone() }.into()));
    }
    // Archived once the file-level checks pass: a refused download is not kept.
    source.keep(db, Some(&job.archive_dir), origin.as_deref()).await.map_err(fail)?;
    let file = File::open(&path).map_err(|e| fail(Error::Io { path: report_name.clone(), source: e }))?;
    progress.start(source.bytes);
    let read = Arc::new(AtomicU64::new(0));
    let reader = SharedCount { inner: BufReader::with_capacity(256 * 1024, file), read: read.clone() };
    let rows = EesReader::new(&report_name, reader, mapping).map_err(|e| fail(e.into()))?;

    let (provenance, mut notes) = provenance(job, mapping, run_id, &report_name).await;
    let mut txn = BulkTxn::begin(db).await.map_err(|e| fail(e.into()))?;
    let mut written = match write_rows(&mut txn, mapping, &provenance, rows, (progress, &read)).await {
        Ok(w) => w,
        Err(e) => {
            let _ = txn.rollback().await;
            return Err(fail(e));
        }
    };
    if let Some(out) = dry {
        let changes = txn.figure_changes(run_id).await;
        // Rolled back either way, explicitly: on SQLite the run's record is removed next, and
        // would otherwise wait for this transaction's write lock.
        txn.rollback().await.map_err(|e| fail(e.into()))?;
        *out = changes.map_err(|e| fail(e.into()))?;
        return Ok(summary(run_id, report_name, source.sha256.clone(), RunStatus::Unchanged, written, started));
    }
    txn.commit().await.map_err(|e| fail(e.into()))?;
    progress.finish();
    // A figure this run changed keeps its old value in the history (a trigger wrote it): say how
    // many, and how many were provisional, so a revised release is seen as one.
    let (replaced, from_provisional) = store::provenance::revised_by(db, run_id).await.map_err(|e| fail(e.into()))?;
    if replaced > 0 {
        let provisional =
            if from_provisional > 0 { format!(" ({from_provisional} of them provisional)") } else { String::new() };
        let message = format!(
            "{replaced} figures replace values from earlier imports{provisional}; the earlier values stay queryable (Observation.history)"
        );
        notes.push(ImportIssue::file_warning(&report_name, None, "figures_revised", message));
    }
    if !notes.is_empty() {
        let stored: Vec<IssueRow> = notes.iter().map(issue_row).collect();
        runs::insert_issues(db, run_id, &stored).await.map_err(|e| fail(e.into()))?;
        written.issues.extend(notes);
    }
    let status = RunStatus::committed(written.counts, false);
    runs::finish_run(db, run_id, status, Some(&source.sha256), written.counts, None, Utc::now())
        .await
        .map_err(|e| fail(e.into()))?;
    info!(
        run.id = run_id,
        scope,
        rows.read = written.counts.read,
        observations.inserted = written.counts.inserted,
        "import_ees committed"
    );
    Ok(summary(run_id, display_name, source.sha256, status, written, started))
}

/// Where this run's figures come from: the mapping's publication, the operator's word on the
/// release, and for an API data set its metadata. A data set DfE deprecated or withdrew is imported
/// with a warning naming its successor; metadata that cannot be read is a warning, not a failure.
async fn provenance(
    job: &EesImport,
    mapping: &Mapping,
    run_id: i64,
    file: &str,
) -> (store::provenance::Source, Vec<ImportIssue>) {
    let mut source = store::provenance::Source {
        run_id,
        publication: mapping.publication().to_owned(),
        release: job.release.title.clone(),
        published: job.release.published.clone(),
        provisional: job.release.provisional,
        ..Default::default()
    };
    let mut notes = Vec::new();
    match &job.source {
        EesSource::Api { dataset, version } => {
            source.dataset = Some(dataset.clone());
            source.version = version.clone();
            let meta = match HttpClient::new(job.client.clone()) {
                Ok(http) => EesApi::new(http, &job.api_base).data_set(dataset).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            match meta {
                Ok(set) => {
                    if let Some(latest) = &set.latest_version
                        && version.as_ref().is_none_or(|v| *v == latest.version)
                    {
                        source.version = Some(latest.version.clone());
                        source.published = source.published.take().or_else(|| Some(latest.published.clone()));
                    }
                    if !set.status.eq_ignore_ascii_case("published") {
                        let next = set
                            .superseding_data_set_id
                            .as_ref()
                            .map(|id| {
                                format!("; DfE names {id} as its successor: import that (and give the mapping its id)")
                            })
                            .unwrap_or_default();
                        let message =
                            format!("data set {dataset} ({}) is {} by DfE{next}", set.title, set.status.to_lowercase());
                        notes.push(ImportIssue::file_warning(file, None, "dataset_superseded", message));
                    }
                }
                Err(e) => notes.push(ImportIssue::file_warning(
                    file,
                    None,
                    "dataset_metadata",
                    format!("the data set's metadata could not be read ({e}); its version and date are not recorded"),
                )),
            }
        }
        EesSource::File(_) | EesSource::Url(_) => {
            source.dataset = mapping.datasets().first().cloned();
        }
    }
    (source, notes)
}

#[derive(Default)]
struct Written {
    counts: RunCounts,
    skipped: i64,
    issues: Vec<ImportIssue>,
}

fn summary(
    run_id: i64,
    file: String,
    sha256: String,
    status: RunStatus,
    w: Written,
    started: Instant,
) -> ImportSummary {
    ImportSummary {
        run_id,
        job: JOB,
        file,
        sha256,
        status,
        counts: w.counts,
        noun: "observations",
        skipped: w.skipped,
        flagged_missing: Vec::new(),
        issues: w.issues,
        elapsed: started.elapsed(),
    }
}

/// What the parser thread hands back once the file is read: the reader (for its counts and final
/// warnings), the row issues, and how many observations it passed on and how many repeated.
type Parsed<R> = (EesReader<R>, Vec<ImportIssue>, i64, i64);

/// Parses and binds on a blocking thread, a few chunks ahead, while this task runs statements: on
/// two cores the CSV is read while the database writes. The thread stops when the channel closes.
async fn write_rows<R: std::io::Read + Send + 'static>(
    txn: &mut BulkTxn,
    mapping: &Mapping,
    source: &store::provenance::Source,
    mut rows: EesReader<R>,
    (progress, read): (&dyn ImportProgress, &AtomicU64),
) -> Result<Written, Error> {
    let run_id = source.run_id;
    txn.execute(store::provenance::record_statement(txn.backend(), source)).await?;
    let measures: Vec<MeasureRow> = mapping
        .measures()
        .iter()
        .map(|m| MeasureRow {
            code: m.code.clone(),
            label: m.label.clone(),
            unit: m.unit.clone(),
            publication: Some(mapping.publication().to_owned()),
            disclosure: mapping.disclosure().as_str().to_owned(),
            aggregate: m.aggregate.as_ref().map(|a| a.kind().to_owned()),
            numerator: match &m.aggregate {
                Some(ingest::ees::Aggregate::Rate { numerator, .. }) => Some(numerator.clone()),
                _ => None,
            },
            denominator: match &m.aggregate {
                Some(ingest::ees::Aggregate::Rate { denominator, .. }) => Some(denominator.clone()),
                _ => None,
            },
            scale: match &m.aggregate {
                Some(ingest::ees::Aggregate::Rate { scale, .. }) => Some(*scale),
                _ => None,
            },
            weight: match &m.aggregate {
                Some(ingest::ees::Aggregate::Weighted { weight }) => Some(weight.clone()),
                _ => None,
            },
            better: m.better.map(|b| b.as_str().to_owned()),
        })
        .collect();
    if let Some(stmt) = upsert_measures_statement(txn.backend(), &measures) {
        txn.execute(stmt).await?;
    }
    let backend = txn.backend();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<PreparedChunk>(4);
    let parser = tokio::task::spawn_blocking(move || -> Result<Option<Parsed<R>>, Error> {
        let mut batcher = ObservationBatcher::new(backend);
        let mut issues = Issues::new(rows.header_issues());
        while let Some(row) = rows.next_row()? {
            match row {
                EesRow::Observations { observations, warnings, .. } => {
                    issues.extend(warnings);
                    for o in observations {
                        if let Some(chunk) = batcher.push(o)?
                            && tx.blocking_send(chunk).is_err()
                        {
                            return Ok(None);
                        }
                    }
                }
                EesRow::Rejected { issues: row_issues, .. } => issues.extend(row_issues),
                EesRow::Skipped { .. } => {}
            }
        }
        issues.extend(rows.final_issues());
        let issues = issues.finish(rows.file());
        let (last, written, duplicates) = batcher.finish()?;
        if let Some(chunk) = last
            && tx.blocking_send(chunk).is_err()
        {
            return Ok(None);
        }
        Ok(Some((rows, issues, written, duplicates)))
    });
    let mut writer = ObservationWriter::begin(txn, run_id).await?;
    let mut reported = 0;
    while let Some(chunk) = rx.recv().await {
        writer.execute(chunk).await?;
        let now = read.load(Ordering::Relaxed);
        progress.advance(now - reported);
        reported = now;
    }
    let parsed = parser.await.map_err(|e| Error::Io { path: "EES parser".into(), source: std::io::Error::other(e) })?;
    // `None` only when this side stopped listening, which it did not.
    let Some((rows, issues, written, duplicates)) = parsed? else {
        return Err(Error::Io { path: "EES parser".into(), source: std::io::Error::other("stopped early") });
    };
    let totals = writer.finish(written, duplicates).await?;
    let las: Vec<store::stats::NamedLa> = rows
        .local_authorities()
        .into_iter()
        .map(|la| store::stats::NamedLa {
            code: la.code,
            gss_code: la.gss_code,
            name: la.name,
            region_code: la.region_code,
            region_name: la.region_name,
        })
        .collect();
    for stmt in store::stats::register_las_statements(txn.backend(), &las) {
        txn.execute(stmt).await?;
    }
    let c = rows.counts();
    let counts = RunCounts {
        read: c.rows as i64,
        inserted: totals.inserted,
        updated: totals.updated,
        unchanged: totals.unchanged,
        rejected: c.rejected as i64,
    };
    let hint = format!("does mapping {:?} fit this file?", mapping.name());
    if let Some(e) = crate::error::mostly_rejected(c.rows, c.rejected, &issues, hint) {
        return Err(e);
    }
    let stored: Vec<IssueRow> = issues.iter().map(issue_row).collect();
    for stmt in runs::insert_issues_statements(txn.backend(), run_id, &stored) {
        txn.execute(stmt).await?;
    }
    Ok(Written { counts, skipped: c.skipped_total() as i64, issues })
}

pub(crate) fn issue_row(i: &ImportIssue) -> IssueRow {
    IssueRow {
        file: i.file.clone(),
        sheet: i.sheet.clone(),
        row: i.row.map(|r| r as i64),
        column: i.column.clone(),
        severity: match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
        .to_owned(),
        code: i.code.to_owned(),
        message: i.message.clone(),
    }
}

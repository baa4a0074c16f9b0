//! `jobs rerun RUN`: import a run's archived input again with today's mappings and templates
//! (after a mapping fix), or with `dry_run` show what that would change and keep nothing.

use std::path::PathBuf;

use sea_orm::{DatabaseConnection, EntityTrait};
use store::entity::{import_run, source_file};
use store::provenance::FigureChange;

use crate::{Error, ImportSummary, NoProgress};

/// What to re-import, and how.
#[derive(Debug, Clone)]
pub struct Rerun {
    pub run: i64,
    pub dry_run: bool,
    pub archive_dir: PathBuf,
    pub mappings_dir: Option<PathBuf>,
}

#[derive(Debug)]
pub enum Rerunning {
    /// The input was imported again, as a new run.
    Imported(ImportSummary),
    /// What a re-import would insert or change; nothing was written.
    WouldChange(Vec<FigureChange>),
    /// A register's dry run: what the import would do, as `import spreadsheet --dry-run` says it.
    Checked(ImportSummary),
}

#[derive(Debug, thiserror::Error)]
pub enum RerunError {
    #[error("no run {0}")]
    NoRun(i64),
    #[error("run {run} ({job}) cannot be re-run: {why}")]
    Cannot { run: i64, job: String, why: String },
    #[error(transparent)]
    Import(#[from] Error),
    #[error(transparent)]
    Store(#[from] store::Error),
}

impl From<sea_orm::DbErr> for RerunError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Store(store::Error::Db(e))
    }
}

/// The run's input as it was archived, under the name it was read by (so errors name the file
/// as the operator knows it), and the run's scope.
struct Input {
    run: import_run::Model,
    path: PathBuf,
    _dir: crate::fetched::RemoveOnDrop,
}

async fn input(db: &DatabaseConnection, r: &Rerun) -> Result<Input, RerunError> {
    let run = import_run::Entity::find_by_id(r.run).one(db).await?.ok_or(RerunError::NoRun(r.run))?;
    let cannot = |why: String| RerunError::Cannot { run: run.id, job: run.job.clone(), why };
    let Some(sha) = run.source_sha256.clone() else {
        return Err(cannot("it read no input (a 304, or it failed before reading)".into()));
    };
    let file = source_file::Entity::find_by_id(sha.clone()).one(db).await?;
    let archived = file
        .as_ref()
        .and_then(|f| f.archive_path.clone())
        .map(PathBuf::from)
        .unwrap_or_else(|| r.archive_dir.join(&sha));
    if !archived.is_file() {
        return Err(cannot(format!(
            "its input {sha} is not in the archive ({}): it was imported without one, or pruned",
            archived.display()
        )));
    }
    let file_name = file.as_ref().map(|f| f.name.clone()).unwrap_or_default();
    // A download is stored under its hash: name it as its URL does.
    let from_url =
        file.as_ref().and_then(|f| f.origin.as_deref()).and_then(|u| u.split(['?', '#']).next()?.rsplit('/').next());
    let name =
        from_url.map(str::to_owned).or_else(|| file.map(|f| f.name)).filter(|n| safe_name(n)).unwrap_or_else(|| {
            // Keep the kind of file (an xlsx is not read as CSV): its extension, if a plain one.
            let ext = archived_name_ext(&file_name);
            format!("{sha}.{ext}")
        });
    let dir = r.archive_dir.join("incoming").join(format!("rerun-{}-{}", run.id, std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io { path: dir.display().to_string(), source: e })?;
    let path = dir.join(&name);
    let dir = crate::fetched::RemoveOnDrop(vec![dir]);
    // A link where the file system allows it: the archive's copy is never written to.
    if std::fs::hard_link(&archived, &path).is_err() {
        std::fs::copy(&archived, &path).map_err(|e| Error::Io { path: archived.display().to_string(), source: e })?;
    }
    Ok(Input { run, path, _dir: dir })
}

/// `name`'s extension when it is a short plain one, else `csv`.
fn archived_name_ext(name: &str) -> String {
    name.rsplit_once('.')
        .map(|(_, e)| e)
        .filter(|e| !e.is_empty() && e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or("csv")
        .to_ascii_lowercase()
}

/// A bare file name: a stored name never places the copy outside its folder.
fn safe_name(name: &str) -> bool {
    !name.is_empty() && !name.starts_with('.') && !name.contains(['/', '\\']) && name.len() <= 200
}

/// The run's scope entry `key=value` (`mapping=exclusions_school`, `la=886`, `kind=srp`).
fn scope<'a>(run: &'a import_run::Model, key: &str) -> Option<&'a str> {
    run.scope.as_deref()?.split([',', ' ']).find_map(|p| p.strip_prefix(key)?.strip_prefix('='))
}

/// Re-imports (or dry-runs) the input of run `r.run`. EES statistics take today's mapping of the
/// same name; GIAS extracts and LA registers are read again by today's code and templates. A
/// statistics dry run lists the figures; a register's checks the file and counts what it would
/// write.
pub async fn rerun(db: &DatabaseConnection, r: &Rerun) -> Result<Rerunning, RerunError> {
    let input = input(db, r).await?;
    let run = &input.run;
    let cannot = |why: &str| RerunError::Cannot { run: run.id, job: run.job.clone(), why: why.to_owned() };
    match run.job.as_str() {
        crate::import_ees::JOB => {
            let mapping = scope(run, "mapping").ok_or_else(|| cannot("its record names no mapping"))?;
            let job = crate::import_ees::EesImport {
                release: Default::default(),
                source: crate::import_ees::EesSource::File(input.path.clone()),
                mapping: Some(mapping.to_owned()),
                mappings_dir: r.mappings_dir.clone(),
                api_base: String::new(),
                client: Default::default(),
                trigger: "cli".into(),
                archive_dir: r.archive_dir.clone(),
            };
            if r.dry_run {
                return Ok(Rerunning::WouldChange(crate::import_ees::dry_run(db, &job).await?));
            }
            Ok(Rerunning::Imported(crate::import_ees::run(db, &job, &NoProgress).await?))
        }
        crate::import_gias::JOB if !r.dry_run => {
            let job = crate::import_gias::GiasImport {
                path: input.path.clone(),
                la: scope(run, "la").map(str::to_owned),
                force: false,
                trigger: "cli".into(),
                archive_dir: Some(r.archive_dir.clone()),
            };
            Ok(Rerunning::Imported(crate::import_gias::run(db, &job, &NoProgress).await?))
        }
        crate::import_register::JOB => {
            let kind = scope(run, "kind").and_then(|k| k.parse::<ingest::spreadsheet::Kind>().ok());
            let kind = kind.ok_or_else(|| cannot("its record names no register kind"))?;
            let job = crate::import_register::RegisterImport {
                path: input.path.clone(),
                kind,
                sheet: None,
                dry_run: r.dry_run,
                trigger: "cli".into(),
                archive_dir: Some(r.archive_dir.clone()),
                cluster_size: (7, 14),
                today: chrono::Utc::now().date_naive(),
                templates: Vec::new(),
                templates_dir: None,
            };
            let summary = crate::import_register::run(db, &job).await?;
            Ok(if r.dry_run { Rerunning::Checked(summary) } else { Rerunning::Imported(summary) })
        }
        crate::import_gias::JOB => {
            Err(cannot("--dry-run reads statistics and register runs; a GIAS extract has none (re-run it without)"))
        }
        _ => Err(cannot("only statistics, GIAS and register imports keep an input to re-read")),
    }
}

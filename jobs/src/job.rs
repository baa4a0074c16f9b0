//! One job shape: each job has a stable `NAME`, a small serde payload (a URL, a data-set id, a
//! folder: never an open file or a callback) and `run(&JobContext, …)`. [`ImportTask`] is the
//! queued form, one variant per job; the `jobs!` list below is the one place jobs are registered,
//! and every name, payload check and dispatch comes from it.

use std::future::Future;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::import_ees::{EesImport, EesSource};
use crate::queue::JobContext;
use crate::{Error, NoProgress};

/// Why and when a job runs, as its runs record it.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// `schedule`, `cli`, `api` or `retry`.
    pub trigger: String,
    /// The tick it runs for, if a schedule queued it.
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// A job the worker runs.
pub trait Job {
    /// Stable: schedules, `runImport` and queued payloads name the job by it.
    const NAME: &'static str;
    /// The `import_run.job` its runs are recorded under.
    const IMPORT_JOB: &'static str;
    type Payload: Serialize + DeserializeOwned + Clone + std::fmt::Debug + PartialEq + Send + Sync;

    /// What it reads, as the run history names it before the import says more.
    fn source(payload: &Self::Payload) -> Option<String>;

    /// A payload that can never run is refused where it is read (a schedules file, a request).
    fn check(_payload: &Self::Payload) -> Result<(), String> {
        Ok(())
    }

    /// Runs it; returns the import runs it wrote.
    fn run(
        ctx: &JobContext,
        info: &RunInfo,
        payload: &Self::Payload,
    ) -> impl Future<Output = Result<Vec<i64>, Error>> + Send;
}

/// GIAS's establishment extract by URL template (see `import_gias::expand_url`).
pub struct GiasUrlJob;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GiasUrl {
    pub url: String,
    /// One LA only (`886`); default every LA in the extract.
    #[serde(default)]
    pub la: Option<String>,
}

impl Job for GiasUrlJob {
    const NAME: &'static str = "gias_url";
    const IMPORT_JOB: &'static str = crate::import_gias::JOB;
    type Payload = GiasUrl;

    fn source(p: &GiasUrl) -> Option<String> {
        Some(p.url.clone())
    }

    fn check(p: &GiasUrl) -> Result<(), String> {
        crate::import_gias::expand_url(&p.url, Utc::now().date_naive()).map(|_| ()).map_err(|e| e.to_string())
    }

    async fn run(ctx: &JobContext, info: &RunInfo, p: &GiasUrl) -> Result<Vec<i64>, Error> {
        // The extract of the tick's day as London counts days (an on-demand run: today).
        let day = info.scheduled_at.unwrap_or_else(Utc::now).with_timezone(&chrono_tz::Europe::London).date_naive();
        let job = crate::import_gias::GiasUrlImport {
            url: p.url.clone(),
            la: p.la.clone(),
            force: false,
            trigger: info.trigger.clone(),
            archive_dir: ctx.archive_dir.clone(),
            client: ctx.client.clone(),
        };
        Ok(vec![crate::import_gias::run_url(&ctx.db, &job, day, &NoProgress).await?.run_id])
    }
}

/// A data set of the EES public API (as `import ees`).
pub struct EesDatasetJob;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EesDataset {
    pub dataset: String,
    #[serde(default)]
    pub version: Option<String>,
}

impl Job for EesDatasetJob {
    const NAME: &'static str = "ees_dataset";
    const IMPORT_JOB: &'static str = crate::import_ees::JOB;
    type Payload = EesDataset;

    fn source(p: &EesDataset) -> Option<String> {
        Some(format!("EES data set {}", p.dataset))
    }

    async fn run(ctx: &JobContext, info: &RunInfo, p: &EesDataset) -> Result<Vec<i64>, Error> {
        let source = EesSource::Api { dataset: p.dataset.clone(), version: p.version.clone() };
        ees(ctx, source, None, &info.trigger).await
    }
}

/// An EES CSV or ZIP by URL, with its mapping.
pub struct EesUrlJob;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EesUrl {
    pub url: String,
    pub mapping: String,
}

impl Job for EesUrlJob {
    const NAME: &'static str = "ees_url";
    const IMPORT_JOB: &'static str = crate::import_ees::JOB;
    type Payload = EesUrl;

    fn source(p: &EesUrl) -> Option<String> {
        Some(p.url.clone())
    }

    async fn run(ctx: &JobContext, info: &RunInfo, p: &EesUrl) -> Result<Vec<i64>, Error> {
        ees(ctx, EesSource::Url(p.url.clone()), Some(p.mapping.clone()), &info.trigger).await
    }
}

async fn ees(ctx: &JobContext, source: EesSource, mapping: Option<String>, trigger: &str) -> Result<Vec<i64>, Error> {
    let job = EesImport {
        release: Default::default(),
        source,
        mapping,
        mappings_dir: ctx.mappings_dir.clone(),
        api_base: ctx.api_base.clone(),
        client: ctx.client.clone(),
        trigger: trigger.to_owned(),
        archive_dir: ctx.archive_dir.clone(),
    };
    Ok(vec![crate::import_ees::run(&ctx.db, &job, &NoProgress).await?.run_id])
}

/// New spreadsheets in a drop folder, imported by kind from their sub-folder (`srp/`,
/// `designations/`, `clusters/`, `training/`); a file imported before is unchanged.
pub struct DropFolderJob;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DropFolder {
    pub dir: PathBuf,
}

impl Job for DropFolderJob {
    const NAME: &'static str = "drop_folder";
    const IMPORT_JOB: &'static str = crate::import_register::JOB;
    type Payload = DropFolder;

    fn source(p: &DropFolder) -> Option<String> {
        Some(p.dir.display().to_string())
    }

    async fn run(ctx: &JobContext, info: &RunInfo, p: &DropFolder) -> Result<Vec<i64>, Error> {
        drop_folder(ctx, &p.dir, &info.trigger).await
    }
}

/// Spreadsheets under `dir/<kind>/`, oldest name first. A kind's folder that is missing is fine.
async fn drop_folder(ctx: &JobContext, dir: &Path, trigger: &str) -> Result<Vec<i64>, Error> {
    use ingest::spreadsheet::Kind;
    let mut runs = Vec::new();
    for kind in [Kind::Srp, Kind::Designations, Kind::Clusters, Kind::Training] {
        let folder = dir.join(kind.as_str());
        let Ok(entries) = std::fs::read_dir(&folder) else { continue };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                        matches!(x.to_lowercase().as_str(), "xlsx" | "xlsm" | "xls" | "ods" | "csv")
                    })
                    // Office's lock files (`~$register.xlsx`) are not registers.
                    && !p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("~$") || n.starts_with('.'))
            })
            .collect();
        files.sort();
        for path in files {
            let job = crate::import_register::RegisterImport {
                path,
                kind,
                sheet: None,
                dry_run: false,
                trigger: trigger.to_owned(),
                archive_dir: Some(ctx.archive_dir.clone()),
                cluster_size: (7, 14),
                today: Utc::now().date_naive(),
                templates: Vec::new(),
                templates_dir: None,
            };
            runs.push(crate::import_register::run(&ctx.db, &job).await?.run_id);
        }
    }
    Ok(runs)
}

/// Nothing: for measuring the queue itself.
pub struct NoopJob;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoPayload {}

impl Job for NoopJob {
    const NAME: &'static str = "noop";
    const IMPORT_JOB: &'static str = "noop";
    type Payload = NoPayload;

    fn source(_: &NoPayload) -> Option<String> {
        None
    }

    async fn run(_: &JobContext, _: &RunInfo, _: &NoPayload) -> Result<Vec<i64>, Error> {
        Ok(Vec::new())
    }
}

/// Registers every job: the queued task's variants, the job names, and dispatch by name.
macro_rules! jobs {
    ($($variant:ident => $job:ty),* $(,)?) => {
        /// What a job imports, as queued: the job's name (`job`) and its payload's fields.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "job", rename_all = "snake_case")]
        pub enum ImportTask {
            $($variant(<$job as Job>::Payload),)*
        }

        /// Job names as schedules and `jobs run` give them.
        pub const JOB_NAMES: &[&str] = &[$(<$job as Job>::NAME),*];

        impl ImportTask {
            pub fn name(&self) -> &'static str {
                match self { $(Self::$variant(_) => <$job as Job>::NAME,)* }
            }

            /// The import job its runs are recorded under (`import_run.job`).
            pub fn import_job(&self) -> &'static str {
                match self { $(Self::$variant(_) => <$job as Job>::IMPORT_JOB,)* }
            }

            /// What it reads, as the run history names it before the import says more.
            pub fn source(&self) -> Option<String> {
                match self { $(Self::$variant(p) => <$job as Job>::source(p),)* }
            }

            pub(crate) fn checked(self) -> Result<Self, String> {
                match &self { $(Self::$variant(p) => <$job as Job>::check(p)?,)* }
                Ok(self)
            }

            pub(crate) async fn run(&self, ctx: &JobContext, info: &RunInfo) -> Result<Vec<i64>, Error> {
                match self { $(Self::$variant(p) => <$job as Job>::run(ctx, info, p).await,)* }
            }
        }
    };
}

jobs! {
    GiasUrl => GiasUrlJob,
    EesDataset => EesDatasetJob,
    EesUrl => EesUrlJob,
    DropFolder => DropFolderJob,
    Noop => NoopJob,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_payloads_keep_their_shape() {
        let t = ImportTask::EesUrl(EesUrl { url: "https://x/a.csv".into(), mapping: "m".into() });
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json, serde_json::json!({"job": "ees_url", "url": "https://x/a.csv", "mapping": "m"}));
        assert_eq!(serde_json::from_value::<ImportTask>(json).unwrap(), t);
        let noop: ImportTask = serde_json::from_str(r#"{"job":"noop"}"#).unwrap();
        assert_eq!((noop.name(), noop.import_job(), noop.source()), ("noop", "noop", None));
    }

    #[test]
    fn every_registered_job_is_named_once_and_refuses_unknown_fields() {
        let mut names = JOB_NAMES.to_vec();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), JOB_NAMES.len());
        for name in JOB_NAMES {
            let e = ImportTask::from_json(name, serde_json::json!({"surprise": 1})).unwrap_err();
            assert!(e.contains("surprise") || e.contains("missing field"), "{name}: {e}");
        }
        assert!(ImportTask::from_json("rm_rf", serde_json::Value::Null).unwrap_err().contains("unknown job"));
    }
}

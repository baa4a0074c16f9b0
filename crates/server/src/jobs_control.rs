//! The job system as the API steers it (`runImport`, `retryRun`, `schedules`, `sources`): the
//! queue in the data's database and the schedules file this server was started with.

use chrono::{DateTime, Utc};
use jobs::queue::{Envelope, ImportTask, Queue, RetryError};
use jobs::schedule::Schedule;
use sea_orm::DatabaseConnection;

use api::{ControlError, ControlFuture, ScheduleInfo};

pub struct JobsControl {
    pub db: DatabaseConnection,
    pub queue: Queue,
    pub schedules: Vec<Schedule>,
}

/// An EES data-set id or version as a request may give it: the characters of a UUID or a
/// version number, short. It only ever goes into a path under the configured EES API.
fn checked(what: &str, value: &str, allowed: impl Fn(char) -> bool, max: usize) -> Result<(), ControlError> {
    if value.is_empty() || value.len() > max || !value.chars().all(allowed) {
        return Err(ControlError::BadInput(format!("payload.{what}: not an EES {what} ({value:.40?})")));
    }
    Ok(())
}

impl JobsControl {
    /// The task a request asks for. URLs and folders come only from the schedules file: a
    /// request that could name them would make the worker fetch any address or read any folder.
    fn task(
        &self,
        job: &str,
        payload: Option<serde_json::Value>,
    ) -> Result<(ImportTask, Option<String>), ControlError> {
        if let Some(s) = self.schedules.iter().find(|s| s.name == job) {
            if payload.as_ref().is_some_and(|p| !p.is_null()) {
                return Err(ControlError::BadInput(format!(
                    "{job} is a schedule: it runs with its own payload; leave payload out"
                )));
            }
            return Ok((s.task.clone(), Some(s.name.clone())));
        }
        match job {
            "ees_dataset" | "noop" => {}
            "gias_url" | "ees_url" | "drop_folder" => {
                return Err(ControlError::BadInput(format!(
                    "{job} runs only from a schedule (its URL or folder is set in the schedules file on the \
                     server, not in a request): give the schedule's name"
                )));
            }
            _ => {
                let names: Vec<&str> = self.schedules.iter().map(|s| s.name.as_str()).collect();
                return Err(ControlError::BadInput(format!(
                    "no schedule or job named {job:.64?} (schedules: {}; jobs: ees_dataset, noop)",
                    names.join(", ")
                )));
            }
        }
        let task = ImportTask::from_json(job, payload.unwrap_or_default()).map_err(ControlError::BadInput)?;
        if let ImportTask::EesDataset(jobs::job::EesDataset { dataset, version }) = &task {
            checked("dataset", dataset, |c| c.is_ascii_hexdigit() || c == '-', 64)?;
            if let Some(v) = version {
                checked("version", v, |c| c.is_ascii_digit() || c == '.', 16)?;
            }
        }
        Ok((task, None))
    }
}

impl api::JobControl for JobsControl {
    fn schedules(&self, now: DateTime<Utc>) -> Vec<ScheduleInfo> {
        self.schedules
            .iter()
            .map(|s| ScheduleInfo {
                name: s.name.clone(),
                job: s.task.name().to_owned(),
                cron: s.cron_text.clone(),
                timezone: s.timezone.name().to_owned(),
                enabled: s.enabled,
                payload: s.task.payload_json(),
                next_tick: if s.enabled { s.next(now) } else { None },
                expected_every: s.expected_every(now),
            })
            .collect()
    }

    fn run_import<'a>(&'a self, job: &'a str, payload: Option<serde_json::Value>) -> ControlFuture<'a> {
        Box::pin(async move {
            let (task, schedule) = self.task(job, payload)?;
            jobs::queue::enqueue(&self.db, &self.queue, Envelope::new(task, "api", schedule, None))
                .await
                .map_err(|e| ControlError::Unavailable(e.to_string()))
        })
    }

    fn retry_run(&self, run: i64) -> ControlFuture<'_> {
        Box::pin(async move {
            jobs::queue::retry(&self.db, &self.queue, run).await.map_err(|e| match e {
                RetryError::Queue(q) => ControlError::Unavailable(q.to_string()),
                other => ControlError::BadInput(other.to_string()),
            })
        })
    }
}

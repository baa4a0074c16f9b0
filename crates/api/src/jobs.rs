//! What the API needs of the job system, given by the server: the schedules, and queueing a job
//! or a retry. The API does not know the queue's storage; a server without one answers the
//! operators' mutations with a clear error.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Duration, Utc};

/// One schedule as operators see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleInfo {
    pub name: String,
    /// The job it queues (`gias_url`, `ees_dataset`, `ees_url`, `drop_folder`, `noop`).
    pub job: String,
    pub cron: String,
    pub timezone: String,
    pub enabled: bool,
    /// The job's payload.
    pub payload: serde_json::Value,
    /// Its next tick after now; none when disabled.
    pub next_tick: Option<DateTime<Utc>>,
    /// The longest interval between its ticks: how often a fresh run is expected.
    pub expected_every: Duration,
}

/// Why a job could not be queued.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ControlError {
    /// The request named something wrong: an unknown job or run, a payload refused.
    #[error("{0}")]
    BadInput(String),
    /// The queue could not take the job.
    #[error("{0}")]
    Unavailable(String),
}

pub type ControlFuture<'a> = Pin<Box<dyn Future<Output = Result<i64, ControlError>> + Send + 'a>>;

/// The job system as the API steers it.
pub trait JobControl: Send + Sync {
    /// The schedules in force, at `now`.
    fn schedules(&self, now: DateTime<Utc>) -> Vec<ScheduleInfo>;

    /// Queues `job` (a schedule's name, or a job name with its payload) with trigger `api`;
    /// returns the queued run's id.
    fn run_import<'a>(&'a self, job: &'a str, payload: Option<serde_json::Value>) -> ControlFuture<'a>;

    /// Queues run `run`'s job again; returns the new queued run's id.
    fn retry_run(&self, run: i64) -> ControlFuture<'_>;
}

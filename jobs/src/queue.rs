//! Imports as queued jobs: a small serialisable task (a data-set id, a URL, a folder), queued in
//! the data's own database through apalis's SQLite or PostgreSQL storage, run by `inclusion
//! worker` processes that share it. A task that fails for a reason a later try may not have
//! (network, 5xx, 429, a busy database) is left failed for apalis to run again; bad input fails
//! once, its issues recorded, and is not retried.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use sources::ClientConfig;
use store::ticks::RunLabels;
use tracing::{info, warn};

pub use crate::job::{ImportTask, JOB_NAMES};

impl ImportTask {
    /// A task from a schedule's `job` and `payload`.
    pub fn from_parts(job: &str, payload: toml::Value) -> Result<Self, String> {
        if !JOB_NAMES.contains(&job) {
            return Err(format!("unknown job {job:?} (known: {})", JOB_NAMES.join(", ")));
        }
        let mut table = match payload {
            toml::Value::Table(t) => t,
            _ => return Err("payload is a table, e.g. { dataset = \"…\" }".into()),
        };
        table.insert("job".into(), toml::Value::String(job.to_owned()));
        toml::Value::Table(table).try_into::<ImportTask>().map_err(|e| format!("payload for {job}: {e}"))?.checked()
    }

    /// A task from a job name and a JSON payload (`runImport`); `null` is an empty payload.
    pub fn from_json(job: &str, payload: serde_json::Value) -> Result<Self, String> {
        if !JOB_NAMES.contains(&job) {
            return Err(format!("unknown job {job:?} (known: {})", JOB_NAMES.join(", ")));
        }
        let mut object = match payload {
            serde_json::Value::Object(o) => o,
            serde_json::Value::Null => Default::default(),
            _ => return Err("payload is an object, e.g. {\"dataset\": \"…\"}".into()),
        };
        object.insert("job".into(), serde_json::Value::String(job.to_owned()));
        serde_json::from_value::<ImportTask>(serde_json::Value::Object(object))
            .map_err(|e| format!("payload for {job}: {e}"))?
            .checked()
    }

    /// The payload as JSON, without the job name.
    pub fn payload_json(&self) -> serde_json::Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        if let Some(o) = v.as_object_mut() {
            o.remove("job");
        }
        v
    }
}

/// A queued task with why it runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// Unique per queued job: its runs' `payload` names it, so a retry finds its earlier attempts.
    #[serde(default)]
    pub id: String,
    pub task: ImportTask,
    /// `schedule`, `cli`, `api` or `retry`.
    pub trigger: String,
    pub schedule: Option<String>,
    pub scheduled_at: Option<DateTime<Utc>>,
}

impl Envelope {
    /// A job to queue now, with a fresh id.
    pub fn new(task: ImportTask, trigger: &str, schedule: Option<String>, scheduled_at: Option<DateTime<Utc>>) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let nanos = Utc::now().timestamp_nanos_opt().unwrap_or_default();
        let id = format!("{nanos:x}-{:x}-{:x}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        Self { id, task, trigger: trigger.to_owned(), schedule, scheduled_at }
    }
}

/// What every job runs with.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub archive_dir: PathBuf,
    pub mappings_dir: Option<PathBuf>,
    pub api_base: String,
    /// The HTTP client makes one attempt per job attempt: apalis retries the job, so the two
    /// retry loops do not multiply.
    pub client: ClientConfig,
    pub worker_id: String,
    /// Longest a job may run before it is failed (and retried).
    pub timeout: Duration,
}

/// Whether a failed job may pass on a later try.
fn retryable(e: &crate::Error) -> bool {
    match e {
        crate::Error::Fetch(f) => f.is_retryable(),
        crate::Error::Store(s) => {
            let text = s.to_string().to_lowercase();
            text.contains("database is locked") || text.contains("busy") || text.contains("connection")
        }
        _ => false,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Transient(String);

/// Runs one task; the run it wrote is labelled with the task, the attempt and this worker.
pub async fn run_task(ctx: &JobContext, env: &Envelope, attempt: usize) -> Result<Vec<i64>, crate::Error> {
    let trigger = if attempt > 1 && env.trigger != "schedule" { "retry".to_owned() } else { env.trigger.clone() };
    let payload = serde_json::to_string(env).unwrap_or_default();
    if attempt > 1 {
        // An earlier attempt's worker stopped mid-run: say so on its run, not "running" for ever.
        match store::ticks::interrupt_earlier(&ctx.db, &payload, &ctx.worker_id, Utc::now()).await {
            Ok(n) if n > 0 => warn!(runs = n, job = env.task.name(), "earlier attempt interrupted"),
            Ok(_) => {}
            Err(e) => warn!(error = %e, "could not mark the earlier attempt interrupted"),
        }
    }
    let labels = RunLabels {
        schedule_name: env.schedule.clone(),
        scheduled_at: env.scheduled_at,
        attempt: Some(attempt as i32),
        payload: Some(payload),
        worker_id: Some(ctx.worker_id.clone()),
    };
    // Every run the job starts carries the labels from its first row.
    let info = crate::job::RunInfo { trigger, scheduled_at: env.scheduled_at };
    store::runs::RUN_LABELS.scope(labels, env.task.run(ctx, &info)).await
}

/// The apalis handler: retryable failures go back to apalis, the rest end here.
async fn handle(env: Envelope, ctx: Data<Arc<JobContext>>, attempt: Attempt) -> Result<(), BoxDynError> {
    // apalis counts this attempt in before the handler runs: 1 on the first.
    let attempt = attempt.current().max(1);
    let name = env.task.name();
    let last = attempt >= MAX_ATTEMPTS;
    let outcome = match tokio::time::timeout(ctx.timeout, run_task(&ctx, &env, attempt)).await {
        Ok(Ok(runs)) => {
            info!(job = name, attempt, runs = ?runs, worker = %ctx.worker_id, "job done");
            Ok(())
        }
        Ok(Err(e)) if retryable(&e) && !last => {
            warn!(job = name, attempt, error = %e, "job failed; it will be retried");
            Err(e.to_string())
        }
        Ok(Err(e)) => {
            warn!(job = name, attempt, error = %e, "job failed; not retried");
            settle(&ctx, &env, attempt, Some(e.to_string())).await;
            return Ok(());
        }
        Err(_) if !last => {
            warn!(job = name, attempt, timeout = ?ctx.timeout, "job timed out; it will be retried");
            timed_out(&ctx, &env).await;
            Err(format!("timed out after {:?}", ctx.timeout))
        }
        Err(_) => {
            warn!(job = name, attempt, timeout = ?ctx.timeout, "job timed out on its last attempt");
            timed_out(&ctx, &env).await;
            settle(&ctx, &env, attempt, Some(format!("timed out after {:?} on attempt {attempt}", ctx.timeout))).await;
            return Ok(());
        }
    };
    match outcome {
        Ok(()) => {
            settle(&ctx, &env, attempt, None).await;
            Ok(())
        }
        Err(e) => Err(Box::new(Transient(e))),
    }
}

/// The run a timed-out job had started ends `interrupted`: its future was dropped mid-import.
async fn timed_out(ctx: &JobContext, env: &Envelope) {
    let payload = serde_json::to_string(env).unwrap_or_default();
    let why = format!("the job passed its timeout ({:?}) and was stopped before its run finished", ctx.timeout);
    if let Err(e) = store::ticks::interrupt_own(&ctx.db, &payload, &ctx.worker_id, &why, Utc::now()).await {
        warn!(error = %e, "could not mark the timed-out run interrupted");
    }
}

/// Ends the job's queued run if no import took it over (a no-op, nothing new in a drop folder,
/// a failure before the import started).
async fn settle(ctx: &JobContext, env: &Envelope, attempt: usize, error: Option<String>) {
    let payload = serde_json::to_string(env).unwrap_or_default();
    let worker = (ctx.worker_id.as_str(), attempt as i32);
    if let Err(e) = store::runs::settle_queued(&ctx.db, &payload, worker, error.as_deref(), Utc::now()).await {
        warn!(error = %e, "could not close the job's queued run");
    }
}

/// Records `env` as a queued run and queues it; returns the run's id, which the job's import
/// takes over when a worker starts it.
pub async fn enqueue(db: &DatabaseConnection, queue: &Queue, env: Envelope) -> Result<i64, QueueError> {
    let payload = serde_json::to_string(&env).map_err(|e| QueueError::Push(e.to_string()))?;
    let source = env.task.source();
    let id = store::runs::queue_run(
        db,
        env.task.import_job(),
        &env.trigger,
        source.as_deref(),
        &payload,
        env.schedule.as_deref(),
        env.scheduled_at,
        Utc::now(),
    )
    .await
    .map_err(|e| QueueError::Push(e.to_string()))?;
    if let Err(e) = queue.push(env).await {
        let _ = store::runs::unqueue_run(db, id).await;
        return Err(e);
    }
    Ok(id)
}

#[derive(Debug, thiserror::Error)]
pub enum RetryError {
    #[error("no run {0}")]
    NoRun(i64),
    #[error("run {0} was not a queued job (it ran from the command line): run its import again")]
    NotAJob(i64),
    #[error("run {run}: its payload is not a job this version knows ({message})")]
    Unknown { run: i64, message: String },
    #[error("run {run} is {status}: wait for it to end")]
    NotEnded { run: i64, status: String },
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Queues run `run`'s job again (trigger `retry`, its schedule labels kept); returns the new
/// queued run's id. A run still queued or running is refused.
pub async fn retry(db: &DatabaseConnection, queue: &Queue, run: i64) -> Result<i64, RetryError> {
    let r =
        store::runs::run(db, run).await.map_err(|e| QueueError::Push(e.to_string()))?.ok_or(RetryError::NoRun(run))?;
    if matches!(r.status.as_str(), "queued" | "running") {
        return Err(RetryError::NotEnded { run, status: r.status });
    }
    let payload = r.payload.ok_or(RetryError::NotAJob(run))?;
    let env: Envelope =
        serde_json::from_str(&payload).map_err(|e| RetryError::Unknown { run, message: e.to_string() })?;
    Ok(enqueue(db, queue, Envelope::new(env.task, "retry", env.schedule, env.scheduled_at)).await?)
}

/// The queue in the data's database: apalis's own tables beside ours, on a pool of its own.
#[derive(Clone)]
pub enum Queue {
    Sqlite(SqliteStorage<Envelope>, apalis_sqlite::SqlitePool),
    Postgres(PostgresStorage<Envelope>, apalis_postgres::PgPool),
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite(..) => "Queue(SQLite)",
            Self::Postgres(..) => "Queue(PostgreSQL)",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("job queue: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("job queue: {0}")]
    Setup(String),
    #[error("job queue: cannot queue the job: {0}")]
    Push(String),
    #[error("job queue: the worker stopped: {0}")]
    Worker(String),
}

/// Attempts a queued job gets in all.
pub const MAX_ATTEMPTS: usize = 5;

/// The apalis queue (its `job_type`) imports go to.
const QUEUE: &str = "inclusion_imports";

/// Beats a worker may miss before its job is given to another.
pub const MISSED_HEARTBEATS: usize = 3;

impl Queue {
    /// Opens (and sets up) the queue of the database at `url`. A worker beats every `heartbeat`;
    /// a job whose worker missed [`MISSED_HEARTBEATS`] beats (killed, say) goes to another.
    pub async fn open(url: &str, heartbeat: Duration) -> Result<Self, QueueError> {
        if url.starts_with("postgres") {
            let pool = apalis_postgres::PgPool::connect(url).await?;
            PostgresStorage::<()>::setup(&pool).await.map_err(|e| QueueError::Setup(e.to_string()))?;
            let config = apalis_postgres::Config::default()
                .queue(QUEUE)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(MISSED_HEARTBEATS);
            Ok(Self::Postgres(PostgresStorage::new(&pool).with_config(config), pool))
        } else {
            use std::str::FromStr;
            let options = apalis_sqlite::SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(30));
            // apalis's setup switches `synchronous` off on the connection it runs on: run it on a
            // connection of its own, then queue on connections with the durability of the data's.
            let setup =
                apalis_sqlite::SqlitePoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            SqliteStorage::<()>::setup(&setup).await.map_err(|e| QueueError::Setup(e.to_string()))?;
            setup.close().await;
            let options = options.synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
            let pool = apalis_sqlite::SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
            let config = apalis_sqlite::Config::default()
                .queue(QUEUE)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(MISSED_HEARTBEATS);
            Ok(Self::Sqlite(SqliteStorage::new(&pool).with_config(config), pool))
        }
    }

    /// Queues `env` to run as soon as a worker is free.
    pub async fn push(&self, env: Envelope) -> Result<(), QueueError> {
        let task = TaskBuilder::new(env).max_attempts(MAX_ATTEMPTS).build();
        match self.clone() {
            Self::Sqlite(mut s, _) => s.push_task(task).await.map_err(|e| QueueError::Push(e.to_string())),
            Self::Postgres(mut s, _) => s.push_task(task).await.map_err(|e| QueueError::Push(e.to_string())),
        }
    }

    /// Runs a worker on this queue until `shutdown` resolves; the job in hand finishes (or is
    /// abandoned to another worker after the heartbeat lapses) first.
    pub async fn work(
        &self,
        ctx: Arc<JobContext>,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), QueueError> {
        let name = ctx.worker_id.clone();
        let stop = |r: Result<(), WorkerError>| r.map_err(|e| QueueError::Worker(e.to_string()));
        match self.clone() {
            Self::Sqlite(s, _) => {
                let worker = WorkerBuilder::new(name).backend(s).data(ctx).build(handle);
                stop(
                    worker
                        .run_until(async move {
                            shutdown.await;
                            Ok::<(), std::io::Error>(())
                        })
                        .await,
                )
            }
            Self::Postgres(s, _) => {
                let worker = WorkerBuilder::new(name).backend(s).data(ctx).build(handle);
                stop(
                    worker
                        .run_until(async move {
                            shutdown.await;
                            Ok::<(), std::io::Error>(())
                        })
                        .await,
                )
            }
        }
    }
}

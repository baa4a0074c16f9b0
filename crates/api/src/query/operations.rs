//! The operators' controls: `schedules` (with their last and next run), `sources` (freshness
//! against each schedule's cadence), and the mutations `runImport` and `retryRun`. Operators and
//! analysts only; `FORBIDDEN` for school and public viewers.

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::runs::{ImportRun, operations, run_by_id};
use crate::error::{bad_input, internal, unavailable};
use crate::jobs::{ControlError, JobControl, ScheduleInfo};
use crate::scalars::JsonValue;

#[derive(Default)]
pub struct OperationsQuery;

/// A schedule of import jobs (`jobs/schedules.toml`).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Schedule {
    /// Its name (`inclusion jobs run NAME`).
    pub name: String,
    /// The job it queues: `gias_url`, `ees_dataset`, `ees_url`, `drop_folder` or `noop`.
    pub job: String,
    /// When it ticks, as a cron expression in its timezone.
    pub cron: String,
    /// The timezone its cron is read in, e.g. `Europe/London`.
    pub timezone: String,
    /// Whether it ticks at all.
    pub enabled: bool,
    /// The job's payload.
    pub payload: JsonValue,
    /// Its next tick (UTC); null when disabled.
    pub next_run: Option<DateTime<Utc>>,
}

#[ComplexObject]
impl Schedule {
    /// Its latest run (queued, running or ended).
    async fn last_run(&self, ctx: &Context<'_>) -> Result<Option<ImportRun>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let query = store::runs::RunFilter { schedule: Some(self.name.clone()), ..Default::default() };
        Ok(store::runs::page(db, &query, 1).await.map_err(internal)?.into_iter().next().map(ImportRun::from))
    }
}

/// A scheduled source and how fresh its data is.
#[derive(SimpleObject)]
pub struct Source {
    /// The schedule that fetches it.
    pub name: String,
    /// When a run of it last committed (succeeded, with issues, or found nothing new).
    pub last_success: Option<DateTime<Utc>>,
    /// When a run of it last started.
    pub last_attempt: Option<DateTime<Utc>>,
    /// How its latest run ended, or `running`.
    pub last_status: Option<String>,
    /// The longest interval between its schedule's ticks, as an ISO 8601 duration (`P7D`, `PT15M`).
    pub expected_every: String,
    /// The same interval in seconds.
    pub expected_every_seconds: i64,
    /// When it is (or was) stale from: its last success, or its first attempt if none, plus two
    /// intervals. Null when it has never been attempted.
    pub stale_from: Option<DateTime<Utc>>,
    /// True once two intervals have passed without a success.
    pub stale: bool,
}

/// `P7D`, `PT15M`, `P1DT6H`: the ISO 8601 form of a number of seconds.
pub(crate) fn iso_duration(seconds: i64) -> String {
    let (d, rest) = (seconds / 86_400, seconds % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut out = String::from("P");
    if d > 0 {
        out.push_str(&format!("{d}D"));
    }
    if h > 0 || m > 0 || s > 0 || d == 0 {
        out.push('T');
        for (n, unit) in [(h, 'H'), (m, 'M'), (s, 'S')] {
            if n > 0 {
                out.push_str(&format!("{n}{unit}"));
            }
        }
        if out.ends_with('T') {
            out.push_str("0S");
        }
    }
    out
}

fn control<'a>(ctx: &'a Context<'_>) -> Option<&'a Arc<dyn JobControl>> {
    ctx.data_opt::<Arc<dyn JobControl>>()
}

/// The schedules in force; none on a server without the job system.
fn schedules_of(ctx: &Context<'_>) -> Vec<ScheduleInfo> {
    control(ctx).map(|c| c.schedules(Utc::now())).unwrap_or_default()
}

/// Every scheduled source's freshness at `now` (one statement).
pub async fn source_states(
    db: &DatabaseConnection,
    schedules: &[ScheduleInfo],
    now: DateTime<Utc>,
) -> std::result::Result<Vec<store::freshness::SourceState>, store::Error> {
    let expected: Vec<(String, chrono::Duration)> =
        schedules.iter().filter(|s| s.enabled).map(|s| (s.name.clone(), s.expected_every)).collect();
    if expected.is_empty() {
        return Ok(Vec::new());
    }
    store::freshness::sources(db, &expected, now).await
}

#[Object]
impl OperationsQuery {
    /// The import schedules with their last and next run (operators and analysts).
    async fn schedules(&self, ctx: &Context<'_>) -> Result<Vec<Schedule>> {
        operations(ctx, "Query.schedules")?;
        Ok(schedules_of(ctx)
            .into_iter()
            .map(|s| Schedule {
                name: s.name,
                job: s.job,
                cron: s.cron,
                timezone: s.timezone,
                enabled: s.enabled,
                payload: JsonValue(s.payload),
                next_run: s.next_tick,
            })
            .collect())
    }

    /// Each enabled schedule's source: its last success and attempt, the cadence expected of it,
    /// and whether it is stale (operators and analysts).
    async fn sources(&self, ctx: &Context<'_>) -> Result<Vec<Source>> {
        operations(ctx, "Query.sources")?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let states = source_states(db, &schedules_of(ctx), Utc::now()).await.map_err(internal)?;
        Ok(states
            .into_iter()
            .map(|s| Source {
                name: s.name,
                last_success: s.last_success,
                last_attempt: s.last_attempt,
                last_status: s.last_status,
                expected_every: iso_duration(s.expected_every.num_seconds()),
                expected_every_seconds: s.expected_every.num_seconds(),
                stale_from: s.stale_from,
                stale: s.stale,
            })
            .collect())
    }
}

/// What operators change: queueing imports.
#[derive(Default)]
pub struct Mutation;

fn refused(e: ControlError) -> async_graphql::Error {
    match e {
        ControlError::BadInput(m) => bad_input(m),
        ControlError::Unavailable(m) => unavailable(m),
    }
}

/// The queued run, as the queue recorded it.
async fn queued(ctx: &Context<'_>, id: i64) -> Result<ImportRun> {
    let db = ctx.data_unchecked::<DatabaseConnection>();
    run_by_id(db, id).await?.ok_or_else(|| internal(format!("queued run {id} is gone")))
}

fn audit(ctx: &Context<'_>, what: &str, run: i64) {
    if let Ok(gate) = crate::disclosure::gate(ctx) {
        let v = gate.viewer();
        tracing::info!(role = v.role.as_str(), token = ?v.label, run, "{what} through the API");
    }
}

/// What operators change: queueing imports and retries (operators and analysts).
#[Object]
impl Mutation {
    /// Queues an import now (trigger `api`): `job` is a schedule's name (its payload is used), or
    /// `ees_dataset` with `{"dataset": "…"}` (and optionally `"version"`), or `noop`. URLs and
    /// folders are read only from the schedules file on the server, never from a request.
    /// Returns the queued run; poll `importRun(id)` for how it ends (operators and analysts).
    async fn run_import(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A schedule's name, or a job name (`ees_dataset`, `noop`).")] job: String,
        #[graphql(desc = "The job's payload; leave out for a schedule.")] payload: Option<JsonValue>,
    ) -> Result<ImportRun> {
        operations(ctx, "Mutation.runImport")?;
        crate::input::opt("job", Some(&job))?;
        let control = control(ctx).ok_or_else(|| unavailable("this server has no job queue"))?;
        let id = control.run_import(&job, payload.map(|p| p.0)).await.map_err(refused)?;
        audit(ctx, "import queued", id);
        queued(ctx, id).await
    }

    /// Queues a run's job again (trigger `retry`); a run still queued or running is refused.
    /// Returns the new queued run (operators and analysts).
    async fn retry_run(&self, ctx: &Context<'_>, #[graphql(desc = "The run's id.")] id: ID) -> Result<ImportRun> {
        operations(ctx, "Mutation.retryRun")?;
        let run: i64 = id.parse().map_err(|_| bad_input(format!("id {:?} is not a run id", id.0)))?;
        let control = control(ctx).ok_or_else(|| unavailable("this server has no job queue"))?;
        let new = control.retry_run(run).await.map_err(refused)?;
        audit(ctx, "retry queued", new);
        queued(ctx, new).await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_as_iso_8601() {
        for (s, iso) in
            [(900, "PT15M"), (86_400, "P1D"), (604_800, "P7D"), (93_600, "P1DT2H"), (61, "PT1M1S"), (0, "PT0S")]
        {
            assert_eq!(super::iso_duration(s), iso);
        }
    }
}

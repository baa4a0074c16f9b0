//! The producer every worker runs beside its consumer: each second it looks for schedule ticks
//! that fell due, claims each in `schedule_tick` (one worker wins; the others see the key taken)
//! and queues its job. apalis's cron would start a tick once per worker (apalis issue #281).
//!
//! After a pause (every worker down, say) only the latest missed tick runs, as anacron would:
//! an import is of the latest data, so ten missed daily ticks are one import, not ten.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tracing::{info, warn};

use crate::queue::{Envelope, Queue, QueueError};
use crate::schedule::Schedule;

/// How often due ticks are looked for.
pub const POLL: Duration = Duration::from_secs(1);

/// Claims and queues the ticks of `schedules` that fell due after `since` up to `now`; returns
/// the ticks this worker queued.
pub async fn tick(
    db: &DatabaseConnection,
    queue: &Queue,
    schedules: &[Schedule],
    worker: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, QueueError> {
    let mut queued = Vec::new();
    for s in schedules.iter().filter(|s| s.enabled) {
        let Some(&at) = s.ticks(since, now).last() else { continue };
        let claimed = store::ticks::claim(db, &s.name, at, worker, Utc::now())
            .await
            .map_err(|e| QueueError::Setup(e.to_string()))?;
        if !claimed {
            continue; // another worker has it
        }
        let env = Envelope::new(s.task.clone(), "schedule", Some(s.name.clone()), Some(at));
        if let Err(e) = crate::queue::enqueue(db, queue, env).await {
            // Not queued: give the tick back so the next look (here or on another worker) takes it.
            let _ = store::ticks::unclaim(db, &s.name, at).await;
            return Err(e);
        }
        info!(schedule = %s.name, scheduled_at = %at, worker, "tick queued");
        queued.push((s.name.clone(), at));
    }
    Ok(queued)
}

/// Where a schedule's ticks are looked for from at start: its last claimed tick (a tick that fell
/// due while every worker was down is then caught up once), or now for one never run.
pub async fn start_points(db: &DatabaseConnection, schedules: &[Schedule], now: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for s in schedules {
        let last = store::ticks::last_tick(db, &s.name).await.ok().flatten();
        out.push(last.unwrap_or(now));
    }
    out
}

/// Runs the producer until `stop` is set.
pub async fn run(
    db: DatabaseConnection,
    queue: Queue,
    schedules: Vec<Schedule>,
    worker: String,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut since = start_points(&db, &schedules, Utc::now()).await;
    let mut every = tokio::time::interval(POLL);
    while !*stop.borrow() {
        every.tick().await;
        let now = Utc::now();
        for (i, s) in schedules.iter().enumerate() {
            match tick(&db, &queue, std::slice::from_ref(s), &worker, since[i], now).await {
                Ok(_) => since[i] = now,
                // `since` stays: the tick is looked for again next time.
                Err(e) => warn!(schedule = %s.name, error = %e, "could not queue the tick; trying again"),
            }
        }
    }
}

//! `inclusion worker` and `inclusion jobs`.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use jobs::queue::{Envelope, JobContext, Queue};
use sea_orm::DatabaseConnection;

use crate::cli::{AlertArgs, JobsCommand, WorkerArgs};

/// The monitor a worker runs: alerts to the webhook, if one is set, and the log.
pub(crate) fn monitor(
    alerts: &AlertArgs,
    schedules: &[jobs::schedule::Schedule],
    worker: &str,
) -> anyhow::Result<jobs::monitor::Monitor> {
    let webhook = alerts.alert_webhook.as_deref().filter(|u| !u.trim().is_empty()).map(jobs::monitor::Webhook::new);
    Ok(jobs::monitor::Monitor {
        webhook: webhook.transpose()?,
        schedules: schedules.to_vec(),
        worker: worker.to_owned(),
        every: Duration::from_secs(alerts.monitor_interval),
    })
}

/// Runs queued jobs (and, unless told not to, queues schedule ticks) until SIGTERM or Ctrl-C; the
/// job in hand finishes or, past the timeout, is left for another worker.
pub(crate) async fn worker(
    db: DatabaseConnection,
    url: &str,
    args: WorkerArgs,
    base: JobContext,
) -> anyhow::Result<ExitCode> {
    let schedules = if args.no_schedules { Vec::new() } else { jobs::schedule::load(args.schedules.as_deref())? };
    let queue = Queue::open(url, Duration::from_secs(args.heartbeat)).await?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut stopping = stop_rx.clone();
    let monitor = tokio::spawn(jobs::monitor::run(
        db.clone(),
        monitor(&args.alerts, &schedules, &base.worker_id)?,
        stop_rx.clone(),
    ));
    let producer =
        tokio::spawn(jobs::scheduler::run(db.clone(), queue.clone(), schedules, base.worker_id.clone(), stop_rx));
    tracing::info!(worker = %base.worker_id, "worker started");
    let ctx = Arc::new(JobContext { timeout: Duration::from_secs(args.job_timeout), ..base });
    let work = queue.work(ctx, async move {
        crate::app::shutdown_signal().await;
        let _ = stop_tx.send(true);
    });
    let grace = Duration::from_secs(args.shutdown_timeout);
    // An idle worker stops at once; a busy one gets `grace` for the job in hand. Past it, leaving
    // drops the job's connection, so its transaction rolls back and the data is as before the run.
    let outcome = tokio::select! {
        r = work => { r?; ExitCode::SUCCESS }
        () = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(grace).await;
        } => {
            tracing::warn!(
                timeout_seconds = grace.as_secs(),
                "the job in hand did not finish within the shutdown timeout; it is rolled back and left for another worker"
            );
            ExitCode::from(crate::cli::EXIT_IMPORT_FAILED)
        }
    };
    producer.abort();
    monitor.abort();
    Ok(outcome)
}

/// `(archive dir, mappings dir)`: where `jobs rerun` finds inputs and today's mappings.
type Dirs = (std::path::PathBuf, Option<std::path::PathBuf>);

pub(crate) async fn jobs(
    db: DatabaseConnection,
    url: &str,
    command: JobsCommand,
    dirs: Dirs,
) -> anyhow::Result<ExitCode> {
    match command {
        JobsCommand::List { schedules } => {
            let schedules = jobs::schedule::load(schedules.as_deref())?;
            let now = Utc::now();
            println!("{:<28} {:<12} {:<16} {:<8} {:<26} next", "schedule", "job", "cron", "enabled", "last tick");
            for s in &schedules {
                let last = store::ticks::last_tick(&db, &s.name).await?;
                let next = s.next(now).map(|t| t.to_rfc3339()).unwrap_or_default();
                println!(
                    "{:<28} {:<12} {:<16} {:<8} {:<26} {}",
                    s.name,
                    s.task.name(),
                    s.cron_text,
                    if s.enabled { "yes" } else { "no" },
                    last.map(|t| t.to_rfc3339()).unwrap_or_else(|| "never".into()),
                    if s.enabled { next } else { String::new() },
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Run { name, schedules } => {
            let schedules = jobs::schedule::load(schedules.as_deref())?;
            let Some(s) = schedules.iter().find(|s| s.name == name) else {
                let known: Vec<&str> = schedules.iter().map(|s| s.name.as_str()).collect();
                anyhow::bail!("no schedule named {name:?} (known: {})", known.join(", "));
            };
            let queue = Queue::open(url, Duration::from_secs(10)).await?;
            let run =
                jobs::queue::enqueue(&db, &queue, Envelope::new(s.task.clone(), "cli", Some(s.name.clone()), None))
                    .await?;
            println!("queued {} ({}) as run {run}; a worker runs it", s.name, s.task.name());
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Show { run, issues } => {
            let Some(r) = store::runs::run(&db, run).await? else {
                anyhow::bail!("no run {run}");
            };
            println!(
                "run {}: {} {} (trigger {}, attempt {})",
                r.id,
                r.job,
                r.status,
                r.trigger,
                r.attempt.map(|a| a.to_string()).unwrap_or_else(|| "-".into())
            );
            println!("source:   {}", r.source_name.clone().unwrap_or_default());
            println!("started:  {}", r.started_at.to_rfc3339());
            if let Some(s) = &r.schedule_name {
                println!("schedule: {s}");
            }
            if let Some(p) = &r.payload {
                println!("payload:  {p}");
            }
            let found = store::runs::issues_of(&db, run, issues).await?;
            println!("issues:   {}", if found.is_empty() { "none".to_owned() } else { found.len().to_string() });
            for i in found {
                let place = [i.sheet.clone(), i.row.map(|r| format!("row {r}")), i.column.clone()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", ");
                println!("  {} {} [{}] {}: {}", i.severity, i.file, place, i.code, i.message);
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Retry { run } => {
            let queue = Queue::open(url, Duration::from_secs(10)).await?;
            let queued = jobs::queue::retry(&db, &queue, run).await?;
            println!("queued run {run}'s job again as run {queued}; a worker runs it");
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::Rerun { run, dry_run } => {
            let (archive_dir, mappings_dir) = dirs;
            let r = jobs::rerun::Rerun { run, dry_run, archive_dir, mappings_dir };
            match jobs::rerun::rerun(&db, &r).await? {
                jobs::rerun::Rerunning::Imported(summary) => {
                    print!("{summary}");
                    println!("re-imported run {run}'s input as run {}", summary.run_id);
                }
                jobs::rerun::Rerunning::WouldChange(changes) => print!("{}", would_change(run, &changes)),
                jobs::rerun::Rerunning::Checked(summary) => {
                    print!("{summary}");
                    println!("dry run of run {run}: nothing was written");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        JobsCommand::History { failed, job, limit } => {
            let runs = store::runs::history(&db, failed, job.as_deref(), limit).await?;
            println!(
                "{:>6} {:<20} {:<22} {:<9} {:<8} {:<26} source",
                "run", "job", "status", "trigger", "attempt", "started"
            );
            for r in runs {
                println!(
                    "{:>6} {:<20} {:<22} {:<9} {:<8} {:<26} {}",
                    r.id,
                    r.job,
                    r.status,
                    r.trigger,
                    r.attempt.map(|a| a.to_string()).unwrap_or_default(),
                    r.started_at.to_rfc3339(),
                    r.source_name.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A dry run's report: one line per figure, then the count; nothing was written.
fn would_change(run: i64, changes: &[store::provenance::FigureChange]) -> String {
    use std::fmt::Write;
    let shown = |v: &Option<f64>, s: &Option<String>| match (v, s) {
        (Some(v), _) => v.to_string(),
        (None, Some(s)) => s.clone(),
        (None, None) => "(none)".to_owned(),
    };
    let mut out = String::new();
    let (mut new, mut changed) = (0, 0);
    for c in changes {
        let k = &c.key;
        let now = shown(&c.value, &c.status);
        let what = match &c.before {
            Some((v, s)) => {
                changed += 1;
                format!("changed {} -> {now}", shown(v, s))
            }
            None => {
                new += 1;
                format!("new {now}")
            }
        };
        let _ = writeln!(
            out,
            "{} {} {} {} {} {}: {what}",
            k.measure_code, k.geographic_level, k.geography_code, k.time_period, k.cohort, k.breakdown
        );
    }
    let _ =
        writeln!(out, "dry run of run {run}: {changed} figures would change, {new} would be new; nothing was written");
    out
}

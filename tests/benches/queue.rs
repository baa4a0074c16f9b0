//! Benchmark: the job queue's own overhead on SQLite and PostgreSQL. Queues N no-op jobs, runs
//! one worker until all are done (jobs/s), and claims and queues N schedule ticks through the
//! producer (ticks/s).
//!
//! `cargo bench -p inclusion-tests --bench queue [-- JOBS]` (default 2000)

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use jobs::queue::{Envelope, ImportTask, JobContext, Queue};
use sea_orm::{ConnectionTrait, Statement};
use test_support::{Backend, TestDb};

async fn done(t: &TestDb) -> i64 {
    let sql = match t.backend {
        Backend::Postgres => "SELECT COUNT(*) AS n FROM apalis.jobs WHERE status = 'Done'",
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM Jobs WHERE status = 'Done'",
    };
    let row = t.db.query_one_raw(Statement::from_string(t.db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn bench(backend: Backend, n: usize) {
    let Some(t) = TestDb::of(backend).await else {
        eprintln!("queue: {backend:?} is not available (TEST_POSTGRES_URL)");
        std::process::exit(1);
    };
    let queue = Queue::open(&t.url, Duration::from_secs(10)).await.unwrap();
    let started = Instant::now();
    for _ in 0..n {
        let env = Envelope::new(ImportTask::Noop(jobs::job::NoPayload {}), "bench", None, None);
        queue.push(env).await.unwrap();
    }
    let pushed = started.elapsed();
    let dir = tempfile::tempdir().unwrap();
    let ctx = JobContext {
        db: t.db.clone(),
        archive_dir: dir.path().to_owned(),
        mappings_dir: None,
        api_base: String::new(),
        client: Default::default(),
        worker_id: "bench".into(),
        timeout: Duration::from_secs(60),
    };
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let q = queue.clone();
    let started = Instant::now();
    let worker = tokio::spawn(async move {
        q.work(Arc::new(ctx), async move {
            let _ = rx.await;
        })
        .await
    });
    while done(&t).await < n as i64 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(started.elapsed() < Duration::from_secs(600), "the worker stalled");
    }
    let ran = started.elapsed();
    let _ = tx.send(());
    let _ = worker.await;
    // The producer: N one-second ticks claimed and queued, one at a time.
    let schedules =
        jobs::schedule::parse("bench", "[[schedule]]\nname = \"noop\"\ncron = \"* * * * * *\"\njob = \"noop\"\n")
            .unwrap();
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T06:00:00Z").unwrap().with_timezone(&Utc);
    let started = Instant::now();
    for i in 0..n as i64 {
        let (since, now) = (start + chrono::Duration::seconds(i), start + chrono::Duration::seconds(i + 1));
        jobs::scheduler::tick(&t.db, &queue, &schedules, "bench", since, now).await.unwrap();
    }
    let ticked = started.elapsed();
    println!(
        "{backend:?}: {n} no-op jobs queued at {:.0}/s, run by one worker at {:.0}/s; {n} ticks claimed and queued at {:.0}/s",
        n as f64 / pushed.as_secs_f64(),
        n as f64 / ran.as_secs_f64(),
        n as f64 / ticked.as_secs_f64(),
    );
}

fn main() {
    let n = std::env::args().skip(1).find_map(|a| a.parse::<usize>().ok()).unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        bench(Backend::Sqlite, n).await;
        bench(Backend::Postgres, n).await;
    });
}

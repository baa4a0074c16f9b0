//! Imports as queued jobs on the data's own database: a schedule that fires and records a
//! `schedule` run; a transient fault retried to success with its attempts recorded; bad input
//! failing once, not retried; each tick of a schedule run once across three workers.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jobs::queue::{Envelope, ImportTask, JobContext, Queue};
use sea_orm::{ConnectionTrait, Statement};
use test_support::TestDb;
use test_support::fake_dfe::{FakeDfe, Reply};

use crate::school_level::school_level;

pub(crate) fn context(t: &TestDb, archive: &std::path::Path, worker: &str) -> JobContext {
    JobContext {
        db: t.db.clone(),
        archive_dir: archive.to_owned(),
        mappings_dir: None,
        api_base: String::new(),
        client: sources::ClientConfig {
            max_attempts: 1,
            base_backoff: Duration::from_millis(10),
            ..Default::default()
        },
        worker_id: worker.to_owned(),
        timeout: Duration::from_secs(120),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Run {
    pub(crate) status: String,
    pub(crate) trigger: String,
    pub(crate) attempt: Option<i32>,
    pub(crate) schedule: Option<String>,
    pub(crate) worker: Option<String>,
    pub(crate) payload: Option<String>,
}

async fn runs(t: &TestDb) -> Vec<Run> {
    let rows =
        t.db.query_all_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT status, trigger, attempt, schedule_name, worker_id, payload FROM import_run ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| Run {
            status: r.try_get("", "status").unwrap(),
            trigger: r.try_get("", "trigger").unwrap(),
            attempt: r.try_get("", "attempt").unwrap(),
            schedule: r.try_get("", "schedule_name").unwrap(),
            worker: r.try_get("", "worker_id").unwrap(),
            payload: r.try_get("", "payload").unwrap(),
        })
        .collect()
}

/// Runs a worker until `done(runs)` holds (or 60 s pass, a failure), then stops it.
pub(crate) async fn work_until(t: &TestDb, queue: &Queue, ctx: JobContext, done: impl Fn(&[Run]) -> bool) -> Vec<Run> {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let q = queue.clone();
    let worker = tokio::spawn(async move {
        q.work(Arc::new(ctx), async move {
            let _ = rx.await;
        })
        .await
    });
    let mut seen = Vec::new();
    for _ in 0..600 {
        seen = runs(t).await;
        if done(&seen) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(30), worker).await;
    assert!(done(&seen), "the worker did not get there: {seen:?}");
    seen
}

/// A direct (unqueued) import of the exclusions fixture, archiving into `archive`.
fn exclusions_import(archive: &std::path::Path) -> jobs::import_ees::EesImport {
    jobs::import_ees::EesImport {
        release: Default::default(),
        source: jobs::import_ees::EesSource::File(school_level("exc_school.csv")),
        mapping: Some("exclusions_school".into()),
        mappings_dir: None,
        api_base: String::new(),
        client: Default::default(),
        trigger: "test".into(),
        archive_dir: archive.to_owned(),
    }
}

fn csv_route(dfe: &FakeDfe, replies: Vec<Reply>) -> String {
    dfe.route("/exc_school.csv", replies);
    dfe.url("/exc_school.csv")
}

async fn a_schedule_fires(t: TestDb) {
    let dfe = FakeDfe::start().await;
    let csv = std::fs::read(school_level("exc_school.csv")).unwrap();
    let url = csv_route(&dfe, vec![Reply::ok("text/csv", csv)]);
    let text = format!(
        "[[schedule]]\nname = \"exclusions\"\ncron = \"* * * * * *\"\njob = \"ees_url\"\n\
         payload = {{ url = \"{url}\", mapping = \"exclusions_school\" }}\n"
    );
    let schedules = jobs::schedule::parse("test.toml", &text).unwrap();
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let producer =
        tokio::spawn(jobs::scheduler::run(t.db.clone(), queue.clone(), schedules, "worker-a".into(), stop_rx));
    let archive = tempfile::tempdir().unwrap();
    let seen = work_until(&t, &queue, context(&t, archive.path(), "worker-a"), |r| {
        // Labelled: the worker labels a run once its job returns.
        r.iter().any(|r| r.trigger == "schedule" && r.status.starts_with("succeeded") && r.worker.is_some())
    })
    .await;
    let _ = stop_tx.send(true);
    producer.abort();
    let first = seen.iter().find(|r| r.trigger == "schedule" && r.worker.is_some()).unwrap();
    assert_eq!(first.schedule.as_deref(), Some("exclusions"));
    assert_eq!(first.attempt, Some(1));
    assert_eq!(first.worker.as_deref(), Some("worker-a"));
    assert!(first.payload.as_deref().unwrap().contains("\"job\":\"ees_url\""), "{first:?}");
}

async fn a_transient_fault_is_retried(t: TestDb) {
    let dfe = FakeDfe::start().await;
    let csv = std::fs::read(school_level("exc_school.csv")).unwrap();
    // DfE answers 503 once, then the file.
    let url = csv_route(&dfe, vec![Reply::status(503), Reply::ok("text/csv", csv)]);
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let task = ImportTask::EesUrl(jobs::job::EesUrl { url, mapping: "exclusions_school".into() });
    queue.push(Envelope::new(task, "cli", None, None)).await.unwrap();
    let archive = tempfile::tempdir().unwrap();
    let seen = work_until(&t, &queue, context(&t, archive.path(), "w"), |r| {
        r.iter().any(|r| r.status.starts_with("succeeded") && r.worker.is_some())
    })
    .await;
    let attempts: Vec<(String, Option<i32>, String)> =
        seen.iter().map(|r| (r.status.clone(), r.attempt, r.trigger.clone())).collect();
    assert_eq!(attempts[0], ("failed".to_owned(), Some(1), "cli".to_owned()), "{attempts:?}");
    let ok = seen.iter().find(|r| r.status.starts_with("succeeded")).unwrap();
    assert_eq!((ok.attempt, ok.trigger.as_str()), (Some(2), "retry"), "{attempts:?}");
    assert_eq!(dfe.hits("/exc_school.csv"), 2, "one HTTP attempt per job attempt");
}

/// A job past its timeout is stopped and retried on the same worker; the stopped attempt's run
/// ends `interrupted`, not `running` for ever, and the data is the retry's alone.
async fn a_timed_out_job_is_interrupted_and_retried(t: TestDb) {
    let dfe = FakeDfe::start().await;
    let csv = std::fs::read(school_level("exc_school.csv")).unwrap();
    let url = csv_route(
        &dfe,
        vec![Reply::ok("text/csv", csv.clone()).delayed(Duration::from_secs(4)), Reply::ok("text/csv", csv)],
    );
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let task = ImportTask::EesUrl(jobs::job::EesUrl { url, mapping: "exclusions_school".into() });
    queue.push(Envelope::new(task, "cli", None, None)).await.unwrap();
    let archive = tempfile::tempdir().unwrap();
    let ctx = JobContext { timeout: Duration::from_secs(1), ..context(&t, archive.path(), "w") };
    let seen = work_until(&t, &queue, ctx, |r| r.iter().any(|r| r.status.starts_with("succeeded"))).await;
    let states: Vec<(&str, Option<i32>)> = seen.iter().map(|r| (r.status.as_str(), r.attempt)).collect();
    assert_eq!(states, [("interrupted", Some(1)), ("succeeded", Some(2))], "{seen:?}");
    assert!(seen.iter().all(|r| r.worker.as_deref() == Some("w")));
}

async fn bad_input_fails_once(t: TestDb) {
    let dfe = FakeDfe::start().await;
    let url = csv_route(&dfe, vec![Reply::ok("text/csv", "<html><body>Service unavailable</body></html>")]);
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let task = ImportTask::EesUrl(jobs::job::EesUrl { url, mapping: "exclusions_school".into() });
    queue.push(Envelope::new(task, "cli", None, None)).await.unwrap();
    // The worker runs until the failure is recorded and then a while longer, in which a retry
    // would have come (a failed apalis task is fetched again at once).
    let archive = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    work_until(&t, &queue, context(&t, archive.path(), "w"), |r| {
        r.iter().any(|r| r.status == "failed" && r.worker.is_some()) && started.elapsed() > Duration::from_secs(4)
    })
    .await;
    let seen = runs(&t).await;
    assert_eq!(seen.len(), 1, "bad input is not retried: {seen:?}");
    assert_eq!(seen[0].attempt, Some(1));
    assert_eq!(dfe.hits("/exc_school.csv"), 1);
}

/// Three producers over fifty one-second ticks, all looking at once: each tick is claimed and
/// queued exactly once.
async fn each_tick_runs_once(t: TestDb) {
    let schedules =
        jobs::schedule::parse("t", "[[schedule]]\nname = \"noop\"\ncron = \"* * * * * *\"\njob = \"noop\"\n").unwrap();
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-01T06:00:00Z").unwrap().with_timezone(&Utc);
    let mut queued = Vec::new();
    for i in 0..50 {
        let (since, now) = (start + chrono::Duration::seconds(i), start + chrono::Duration::seconds(i + 1));
        let (a, b, c) = tokio::join!(
            jobs::scheduler::tick(&t.db, &queue, &schedules, "a", since, now),
            jobs::scheduler::tick(&t.db, &queue, &schedules, "b", since, now),
            jobs::scheduler::tick(&t.db, &queue, &schedules, "c", since, now),
        );
        for got in [a, b, c] {
            queued.extend(got.unwrap());
        }
    }
    queued.sort();
    let ticks: Vec<DateTime<Utc>> = queued.iter().map(|(_, at)| *at).collect();
    let mut unique = ticks.clone();
    unique.dedup();
    assert_eq!(ticks.len(), 50, "fifty ticks queued in all");
    assert_eq!(unique.len(), 50, "none twice");
    let claimed = t
        .db
        .query_one_raw(Statement::from_string(t.db.get_database_backend(), "SELECT COUNT(*) AS n FROM schedule_tick"))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(claimed, 50);
}

/// `jobs rerun RUN --dry-run` after a mapping fix lists exactly the figures the fix changes
/// (here `excl_one_plus_suspension`, first mapped to the suspensions column by mistake) and
/// writes nothing; `jobs rerun RUN` then imports them, after which a dry run lists none.
async fn rerun_after_a_mapping_fix(t: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let (archive, mappings) = (dir.path().join("archive"), dir.path().join("mappings"));
    std::fs::create_dir_all(&mappings).unwrap();
    let right =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../mappings/exclusions_school.toml")).unwrap();
    let fixed = "column = \"one_plus_susp\"\n";
    assert_eq!(right.matches(fixed).count(), 1);
    let wrong = right.replace(fixed, "column = \"suspension\"\n");
    std::fs::write(mappings.join("exclusions_school.toml"), &wrong).unwrap();
    let mut job = exclusions_import(&archive);
    job.mappings_dir = Some(mappings.clone());
    let first = jobs::import_ees::run(&t.db, &job, &jobs::NoProgress).await.unwrap();
    std::fs::write(mappings.join("exclusions_school.toml"), &right).unwrap();

    // The figures the fix changes, worked out here from the file.
    let mut expect = std::collections::BTreeSet::new();
    let mut reader = csv::Reader::from_path(school_level("exc_school.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for r in reader.records() {
        let r = r.unwrap();
        let (was, now) = (&r[col("suspension")], &r[col("one_plus_susp")]);
        if was != now {
            let num = |s: &str| s.parse::<f64>().map(|v| v.to_string()).unwrap_or_else(|_| s.to_owned());
            expect.insert(format!(
                "excl_one_plus_suspension school {} {}: changed {} -> {}",
                &r[col("school_urn")],
                &r[col("time_period")],
                num(was),
                num(now)
            ));
        }
    }
    assert!(expect.len() >= 3, "the fixture has schools whose two columns differ: {expect:?}");

    let before = snapshot(&t).await;
    let rerun = |dry: bool| jobs_rerun(&t, &archive, Some(&mappings), first.run_id, dry);
    let report = rerun(true);
    let listed: std::collections::BTreeSet<String> = report
        .lines()
        .filter(|l| l.contains(": "))
        .filter(|l| !l.starts_with("dry run"))
        .map(|l| {
            // measure level geography period cohort breakdown: what → the fields compared here.
            let (key, what) = l.split_once(": ").unwrap();
            let k: Vec<&str> = key.split(' ').collect();
            format!("{} {} {} {}: {what}", k[0], k[1], k[2], k[3])
        })
        .collect();
    assert_eq!(listed, expect, "{report}");
    assert!(report.contains(&format!("{} figures would change, 0 would be new", expect.len())), "{report}");
    assert_eq!(snapshot(&t).await, before, "a dry run writes nothing, not even its run");

    let done = rerun(false);
    assert!(done.contains("re-imported run"), "{done}");
    let after = snapshot(&t).await;
    assert_eq!(after.1, before.1 + 1, "one new run");
    let changed = after.0.iter().zip(&before.0).filter(|(a, b)| a != b).count();
    assert_eq!(changed, expect.len(), "exactly the listed figures changed");
    let again = rerun(true);
    assert!(again.contains("0 figures would change, 0 would be new"), "{again}");

    // A register's run: its dry run checks the file again and writes nothing; the rerun is a run.
    let srp = jobs::import_register::RegisterImport {
        archive_dir: Some(archive.clone()),
        ..crate::registers::job(ingest::spreadsheet::Kind::Srp, "srp_register.xlsx")
    };
    let srp_run = jobs::import_register::run(&t.db, &srp).await.unwrap().run_id;
    let before = snapshot(&t).await.1;
    let rerun_srp = |dry: bool| jobs_rerun(&t, &archive, None, srp_run, dry);
    let checked = rerun_srp(true);
    assert!(checked.contains("nothing was written") && checked.contains("srp_register.xlsx"), "{checked}");
    assert_eq!(snapshot(&t).await.1, before, "a register's dry run keeps no run");
    let again = rerun_srp(false);
    assert!(again.contains("re-imported run"), "{again}");
    assert_eq!(snapshot(&t).await.1, before + 1);

    // A run that is not there.
    let out = std::process::Command::new(binary())
        .args(["--archive-dir", archive.to_str().unwrap(), "jobs", "rerun", "999999", "--dry-run"])
        .env("DATABASE_URL", &t.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no run 999999"), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `inclusion jobs rerun RUN [--dry-run]` with the real binary; its standard output.
fn jobs_rerun(
    t: &TestDb,
    archive: &std::path::Path,
    mappings: Option<&std::path::Path>,
    run: i64,
    dry: bool,
) -> String {
    let mut c = std::process::Command::new(binary());
    c.args(["--archive-dir", archive.to_str().unwrap()]);
    if let Some(m) = mappings {
        c.args(["--mappings", m.to_str().unwrap()]);
    }
    c.args(["jobs", "rerun", &run.to_string()]).env("DATABASE_URL", &t.url).env("RUST_LOG", "warn");
    if dry {
        c.arg("--dry-run");
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Every figure (key, value, status) in order, and how many runs there are.
async fn snapshot(t: &TestDb) -> (Vec<(String, String, String, Option<f64>, Option<String>)>, i64) {
    let backend = t.db.get_database_backend();
    let rows =
        t.db.query_all_raw(Statement::from_string(
            backend,
            "SELECT measure_code, geography_code, time_period, value, status FROM observation \
             ORDER BY measure_code, geography_code, time_period, cohort, breakdown",
        ))
        .await
        .unwrap();
    let figures = rows
        .iter()
        .map(|r| {
            (
                r.try_get("", "measure_code").unwrap(),
                r.try_get("", "geography_code").unwrap(),
                r.try_get("", "time_period").unwrap(),
                r.try_get("", "value").unwrap(),
                r.try_get("", "status").unwrap(),
            )
        })
        .collect();
    let n =
        t.db.query_one_raw(Statement::from_string(backend, "SELECT COUNT(*) AS n FROM import_run"))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
    (figures, n)
}

/// A fetch's validators are sent only once its copy was imported: a retry after a failed import
/// must download again, not get a 304 and import nothing.
async fn validators_wait_for_a_committed_import(t: TestDb) {
    use store::runs::{RunCounts, RunStatus};
    let (url, sha) = ("https://example.test/edubasealldata20261203.csv", "ab".repeat(32));
    store::runs::save_fetch_state(&t.db, url, Some("\"v1\""), None, Some(&sha), Utc::now()).await.unwrap();
    assert!(store::runs::validators_for(&t.db, url).await.unwrap().is_none(), "no run imported it yet");
    let failed = store::runs::start_run(&t.db, "import_gias", "schedule", Some(url), None, Utc::now()).await.unwrap();
    store::runs::finish_run(
        &t.db,
        failed,
        RunStatus::Failed,
        Some(&sha),
        RunCounts::default(),
        Some("bad".to_owned()),
        Utc::now(),
    )
    .await
    .unwrap();
    assert!(store::runs::validators_for(&t.db, url).await.unwrap().is_none(), "a failed import is not a copy");
    let ok = store::runs::start_run(&t.db, "import_gias", "retry", Some(url), None, Utc::now()).await.unwrap();
    store::runs::finish_run(&t.db, ok, RunStatus::Succeeded, Some(&sha), RunCounts::default(), None, Utc::now())
        .await
        .unwrap();
    let state = store::runs::validators_for(&t.db, url).await.unwrap().expect("imported: its validators are sent");
    assert_eq!(state.etag.as_deref(), Some("\"v1\""));
}

/// GIAS's daily extract by URL template: the tick's London day picks the file (23:30 UTC on 30
/// June is 1 July in BST), the run is named by the URL, and a day DfE has not published (404)
/// fails once, not retried.
async fn gias_by_url_template(t: TestDb) {
    let dfe = FakeDfe::start().await;
    let csv = std::fs::read(test_support::fixture::sample_gias()).unwrap();
    dfe.route("/edubase/edubasealldata20260701.csv", vec![Reply::ok("text/csv", csv)]);
    let template = dfe.url("/edubase/edubasealldata{date}.csv");
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let at = |s: &str| Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc));
    let task = ImportTask::from_json("gias_url", serde_json::json!({"url": template, "la": "886"})).unwrap();
    let id = jobs::queue::enqueue(
        &t.db,
        &queue,
        Envelope::new(task.clone(), "schedule", Some("gias_daily".into()), at("2026-06-30T23:30:00Z")),
    )
    .await
    .unwrap();
    let archive = tempfile::tempdir().unwrap();
    work_until(&t, &queue, context(&t, archive.path(), "w"), |r| r.iter().any(|r| r.status.starts_with("succeeded")))
        .await;
    use sea_orm::EntityTrait;
    let run = store::entity::import_run::Entity::find_by_id(id).one(&t.db).await.unwrap().unwrap();
    assert_eq!(run.job, "import_gias");
    assert_eq!(run.source_name.as_deref(), Some(dfe.url("/edubase/edubasealldata20260701.csv").as_str()), "{run:?}");
    assert!(run.rows_inserted > 0, "{run:?}");
    let schools =
        t.db.query_one_raw(Statement::from_string(t.db.get_database_backend(), "SELECT COUNT(*) AS n FROM school"))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
    assert_eq!(schools, run.rows_inserted);
    assert_eq!(dfe.hits("/edubase/edubasealldata20260701.csv"), 1);
    // Nothing is left in incoming/: the archive holds the one copy.
    let incoming: Vec<_> = std::fs::read_dir(archive.path().join("incoming")).map(|d| d.collect()).unwrap_or_default();
    assert!(incoming.is_empty(), "{incoming:?}");

    // 2 July is not published: a 404 fails the run once.
    let missing = jobs::queue::enqueue(
        &t.db,
        &queue,
        Envelope::new(task, "schedule", Some("gias_daily".into()), at("2026-07-02T05:00:00Z")),
    )
    .await
    .unwrap();
    let started = std::time::Instant::now();
    work_until(&t, &queue, context(&t, archive.path(), "w2"), |r| {
        r.iter().filter(|r| r.status == "failed").count() == 1 && started.elapsed() > Duration::from_secs(3)
    })
    .await;
    let failed = store::entity::import_run::Entity::find_by_id(missing).one(&t.db).await.unwrap().unwrap();
    assert_eq!(failed.status, "failed");
    assert!(failed.error_summary.as_deref().unwrap_or_default().contains("404"), "{failed:?}");
    assert_eq!(runs(&t).await.len(), 2, "the 404 was not retried");

    // Templates that are not a day's URL are refused where they are read.
    for bad in ["https://x/edubasealldata{when}.csv", "https://x/{date", "file:///etc/passwd", "ftp://x/{date}.csv"] {
        let e = ImportTask::from_json("gias_url", serde_json::json!({"url": bad})).unwrap_err();
        assert!(e.contains("URL"), "{bad}: {e}");
    }
}

crate::on_both_backends! {
    rerun_dry => rerun_after_a_mapping_fix;
    validators => validators_wait_for_a_committed_import;
    gias_by_url => gias_by_url_template;
    schedule_fires => a_schedule_fires;
    transient_retried => a_transient_fault_is_retried;
    bad_input_once => bad_input_fails_once;
    timed_out => a_timed_out_job_is_interrupted_and_retried;
    tick_once => each_tick_runs_once;
}

/// The `inclusion` binary beside this test's. Cargo builds only the tested package's own binaries
/// for its tests, and `inclusion` lives in `inclusion-server`: scripts/test builds it first, and a
/// run that skipped that (`cargo test -p inclusion-tests`) builds it here, once.
fn binary() -> std::path::PathBuf {
    static BUILT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            let dir = exe.parent().and_then(|d| d.parent()).unwrap();
            let bin = dir.join(format!("inclusion{}", std::env::consts::EXE_SUFFIX));
            if !bin.exists() {
                let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
                let status = std::process::Command::new(cargo)
                    .args(["build", "--locked", "-p", "inclusion-server", "--bin", "inclusion"])
                    .status()
                    .expect("cargo runs");
                assert!(status.success(), "building the inclusion binary failed");
            }
            assert!(bin.exists(), "{} is not built: run the tests through scripts/test", bin.display());
            bin
        })
        .clone()
}

fn spawn_worker(t: &TestDb, archive: &std::path::Path, id: &str) -> std::process::Child {
    spawn_worker_with(t, archive, id, &["--no-schedules"])
}

fn spawn_worker_with(t: &TestDb, archive: &std::path::Path, id: &str, args: &[&str]) -> std::process::Child {
    std::process::Command::new(binary())
        .args(["--archive-dir", archive.to_str().unwrap(), "worker", "--heartbeat", "1"])
        .args(args)
        .args(["--shutdown-timeout", "1"])
        .args(["--worker-id", id])
        .env("DATABASE_URL", &t.url)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Sends SIGTERM and waits up to `within` for the process to exit.
async fn terminate(child: &mut std::process::Child, within: Duration) -> Option<std::process::ExitStatus> {
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let start = std::time::Instant::now();
    while start.elapsed() < within {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

async fn observations(t: &TestDb) -> i64 {
    let sql = "SELECT COUNT(*) AS n FROM observation";
    let row = t.db.query_one_raw(Statement::from_string(t.db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

/// How the first worker is stopped mid-job.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    /// SIGKILL: no chance to do anything.
    Kill,
    /// SIGTERM with a one-second shutdown timeout the job in hand (a 30 s download) overruns.
    Term,
}

async fn a_killed_worker_leaves_the_data_and_the_job_completes(t: TestDb) {
    a_stopped_worker_leaves_the_data_and_the_job_completes(t, Stop::Kill).await;
}

async fn a_terminated_worker_rolls_back_within_its_timeout(t: TestDb) {
    a_stopped_worker_leaves_the_data_and_the_job_completes(t, Stop::Term).await;
}

/// A worker stopped mid-job (SIGKILL, or SIGTERM past its shutdown timeout) leaves the data as
/// before; another worker takes the job once the first's heartbeat lapses and completes it, the
/// data then exactly as a direct import leaves it; the stopped attempt's run says `interrupted`.
async fn a_stopped_worker_leaves_the_data_and_the_job_completes(t: TestDb, stop: Stop) {
    let csv = std::fs::read(school_level("exc_school.csv")).unwrap();
    // What the import leaves, from a direct run on a database of its own.
    let reference = TestDb::sqlite().await;
    let archive = tempfile::tempdir().unwrap();
    let direct = exclusions_import(archive.path());
    jobs::import_ees::run(&reference.db, &direct, &jobs::NoProgress).await.unwrap();
    let expected = observations(&reference).await;
    assert!(expected > 0);

    let dfe = FakeDfe::start().await;
    // The first download hangs long enough for the kill; the second is prompt.
    let url = csv_route(
        &dfe,
        vec![Reply::ok("text/csv", csv.clone()).delayed(Duration::from_secs(30)), Reply::ok("text/csv", csv)],
    );
    let queue = Queue::open(&t.url, Duration::from_secs(1)).await.unwrap();
    let task = ImportTask::EesUrl(jobs::job::EesUrl { url, mapping: "exclusions_school".into() });
    queue.push(Envelope::new(task, "cli", None, None)).await.unwrap();
    let mut first = spawn_worker(&t, archive.path(), "doomed");
    let mut running = false;
    for _ in 0..300 {
        if runs(&t).await.iter().any(|r| r.status == "running" && r.worker.as_deref() == Some("doomed")) {
            running = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(running, "the first worker never started the job: {:?}", runs(&t).await);
    let killed = std::time::Instant::now();
    match stop {
        Stop::Kill => {
            first.kill().unwrap();
            first.wait().unwrap();
        }
        Stop::Term => {
            let Some(status) = terminate(&mut first, Duration::from_secs(30)).await else {
                first.kill().unwrap();
                panic!("SIGTERM did not stop the worker within 30 s (its shutdown timeout is 1 s)");
            };
            assert_eq!(status.code(), Some(2), "a job left unfinished at shutdown is said in the exit code");
        }
    }
    assert_eq!(observations(&t).await, 0, "the data is as before the run");

    let mut second = spawn_worker(&t, archive.path(), "survivor");
    let mut seen = Vec::new();
    for _ in 0..600 {
        seen = runs(&t).await;
        if seen.iter().any(|r| r.status.starts_with("succeeded")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = killed.elapsed();
    second.kill().unwrap();
    second.wait().unwrap();
    let done = seen.iter().find(|r| r.status.starts_with("succeeded")).unwrap_or_else(|| panic!("{seen:?}"));
    assert_eq!(done.worker.as_deref(), Some("survivor"));
    assert!(done.attempt.unwrap_or(0) >= 2, "{seen:?}");
    assert_eq!(observations(&t).await, expected, "the data is exactly as a direct import leaves it");
    let doomed = seen.iter().find(|r| r.worker.as_deref() == Some("doomed")).unwrap();
    assert_eq!(doomed.status, "interrupted", "{seen:?}");
    eprintln!("{:?}: {stop:?} to the job completed on another worker: {:.1} s", t.backend, took.as_secs_f64());
}

/// Three `inclusion worker` processes on one database, each producing the same one-second
/// schedule, over about twenty ticks, one of them killed with SIGKILL and restarted midway:
/// every tick is claimed once and run once.
async fn three_worker_processes_run_each_tick_once(t: TestDb) {
    let archive = tempfile::tempdir().unwrap();
    let file = archive.path().join("schedules.toml");
    std::fs::write(&file, "[[schedule]]\nname = \"every_second\"\ncron = \"* * * * * *\"\njob = \"noop\"\n").unwrap();
    let schedules = ["--schedules", file.to_str().unwrap()];
    // The queue's tables first, so three processes do not race to create them.
    Queue::open(&t.url, Duration::from_secs(1)).await.unwrap();
    let mut workers: Vec<std::process::Child> =
        ["p1", "p2", "p3"].iter().map(|id| spawn_worker_with(&t, archive.path(), id, &schedules)).collect();
    tokio::time::sleep(Duration::from_secs(10)).await;
    workers[0].kill().unwrap();
    workers[0].wait().unwrap();
    workers[0] = spawn_worker_with(&t, archive.path(), "p1-again", &schedules);
    tokio::time::sleep(Duration::from_secs(10)).await;
    for w in &mut workers {
        let _ = terminate(w, Duration::from_secs(10)).await;
        let _ = w.kill();
        let _ = w.wait();
    }
    let backend = t.db.get_database_backend();
    let claims =
        t.db.query_all_raw(Statement::from_string(backend, "SELECT scheduled_at, claimed_by FROM schedule_tick"))
            .await
            .unwrap();
    let mut ticks: Vec<String> = claims.iter().map(|r| r.try_get::<String>("", "scheduled_at").unwrap()).collect();
    assert!(ticks.len() >= 12, "about twenty ticks claimed: {ticks:?}");
    ticks.sort();
    let producers: std::collections::BTreeSet<String> =
        claims.iter().map(|r| r.try_get::<String>("", "claimed_by").unwrap()).collect();
    let runs =
        t.db.query_all_raw(Statement::from_string(
            backend,
            "SELECT status, worker_id, payload FROM import_run WHERE schedule_name = 'every_second'",
        ))
        .await
        .unwrap();
    // One run per claimed tick, none twice: the tick's time is in the run's payload.
    let mut per_tick: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in &runs {
        let payload: String = r.try_get("", "payload").unwrap();
        let env: Envelope = serde_json::from_str(&payload).unwrap();
        let at = env.scheduled_at.unwrap();
        per_tick.entry(at.to_rfc3339()).or_default().push(r.try_get::<String>("", "status").unwrap());
    }
    assert_eq!(per_tick.len(), ticks.len(), "a run for every claimed tick: {per_tick:?} {ticks:?}");
    for (at, statuses) in &per_tick {
        assert_eq!(statuses.len(), 1, "tick {at} ran {} times: {statuses:?}", statuses.len());
    }
    let done = per_tick.values().filter(|s| s[0] == "unchanged").count();
    assert!(done + 3 >= per_tick.len(), "all but the last few ticks ran to their end: {per_tick:?}");
    let ran_by: std::collections::BTreeSet<String> =
        runs.iter().filter_map(|r| r.try_get::<Option<String>>("", "worker_id").unwrap()).collect();
    assert!(!ran_by.is_empty() && ran_by.iter().all(|w| w.starts_with('p')), "each run names its worker: {ran_by:?}");
    eprintln!("{} ticks; claimed by {producers:?}; run by {ran_by:?}", ticks.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_worker_processes_on_postgres() {
    let Some(t) = TestDb::postgres().await else { return };
    three_worker_processes_run_each_tick_once(t).await;
}

crate::on_both_backends! {
    killed_worker => a_killed_worker_leaves_the_data_and_the_job_completes;
    terminated_worker => a_terminated_worker_rolls_back_within_its_timeout;
}

/// An idle worker told to stop exits at once, with success.
#[tokio::test]
async fn an_idle_worker_stops_at_once_on_sigterm() {
    let t = TestDb::sqlite().await;
    let archive = tempfile::tempdir().unwrap();
    // Queue set up first, so the worker is idle, not creating tables, when told to stop.
    Queue::open(&t.url, Duration::from_secs(1)).await.unwrap();
    let mut worker = spawn_worker(&t, archive.path(), "idle");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(worker.try_wait().unwrap().is_none(), "the worker runs until told to stop");
    let Some(status) = terminate(&mut worker, Duration::from_secs(10)).await else {
        worker.kill().unwrap();
        panic!("an idle worker did not stop within 10 s of SIGTERM");
    };
    assert!(status.success(), "{status:?}");
}

/// `/metrics` parsed by a Prometheus text parser holds the counts the runs just produced.
async fn metrics_count_the_runs(t: TestDb) {
    let archive = tempfile::tempdir().unwrap();
    let direct = exclusions_import(archive.path());
    let first = jobs::import_ees::run(&t.db, &direct, &jobs::NoProgress).await.unwrap();
    jobs::import_ees::run(&t.db, &direct, &jobs::NoProgress).await.unwrap(); // unchanged
    let empty = archive.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    let bad = jobs::import_ees::EesImport { source: jobs::import_ees::EesSource::File(empty), ..direct.clone() };
    assert!(jobs::import_ees::run(&t.db, &bad, &jobs::NoProgress).await.is_err());

    let app = test_support::TestApp::spawn(t.db.clone()).await;
    let response = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_owned()));
    let scrape = prometheus_parse::Scrape::parse(lines).unwrap();
    let value = |name: &str, labels: &[(&str, &str)]| -> Option<f64> {
        scrape.samples.iter().find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v))).map(
            |s| match s.value {
                prometheus_parse::Value::Counter(v)
                | prometheus_parse::Value::Gauge(v)
                | prometheus_parse::Value::Untyped(v) => v,
                _ => f64::NAN,
            },
        )
    };
    let runs = |status: &str| value("inclusion_import_runs_total", &[("job", "import_ees"), ("status", status)]);
    assert_eq!(runs("succeeded"), Some(1.0), "{text}");
    assert_eq!(runs("unchanged"), Some(1.0), "{text}");
    assert_eq!(runs("failed"), Some(1.0), "{text}");
    let inserted = value("inclusion_import_rows_total", &[("job", "import_ees"), ("outcome", "inserted")]);
    assert_eq!(inserted, Some(first.counts.inserted as f64), "{text}");
    let last = value("inclusion_import_last_success_timestamp_seconds", &[("job", "import_ees")]).unwrap();
    assert!((chrono::Utc::now().timestamp() as f64 - last).abs() < 600.0, "{text}");
    app.stop().await;
}

crate::on_both_backends! {
    metrics => metrics_count_the_runs;
}

/// `importRuns` and `importRun { issues }` for operators and analysts, paged newest first;
/// `FORBIDDEN` for a school token and for the public.
async fn run_history_in_graphql(t: TestDb) {
    let archive = tempfile::tempdir().unwrap();
    let ok = exclusions_import(archive.path());
    jobs::import_ees::run(&t.db, &ok, &jobs::NoProgress).await.unwrap();
    let bad_file = archive.path().join("cut.csv");
    std::fs::write(&bad_file, "time_period,time_identifier,geographic_level\n202223,Academic year").unwrap();
    let bad = jobs::import_ees::EesImport { source: jobs::import_ees::EesSource::File(bad_file), ..ok.clone() };
    let error = jobs::import_ees::run(&t.db, &bad, &jobs::NoProgress).await.unwrap_err().to_string();
    jobs::import_ees::run(&t.db, &ok, &jobs::NoProgress).await.unwrap(); // unchanged

    let app = test_support::TestApp::spawn(t.db.clone()).await;
    let operator = test_support::make_token(&t.db, api::Role::Operator, None, "ops").await;
    let school = test_support::make_token(&t.db, api::Role::School, Some(118049), "school").await;
    let q = r#"query($after: String, $status: String) {
        importRuns(first: 2, after: $after, filter: { status: $status }) {
            pageInfo { hasNextPage endCursor } edges { node { id job status trigger rowsInserted error } } } }"#;
    for token in [Some(app.analyst.as_str()), Some(operator.as_str())] {
        let (status, body) = app.graphql_as(token, q, serde_json::json!({})).await;
        assert_eq!(status, 200, "{body}");
        let page = &body["data"]["importRuns"];
        let statuses: Vec<&str> =
            page["edges"].as_array().unwrap().iter().map(|e| e["node"]["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["unchanged", "failed"], "newest first: {body}");
        assert_eq!(page["pageInfo"]["hasNextPage"], true);
        let after = page["pageInfo"]["endCursor"].clone();
        let (_, next) = app.graphql_as(token, q, serde_json::json!({ "after": after })).await;
        let rest = next["data"]["importRuns"]["edges"].as_array().unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(rest[0]["node"]["status"], "succeeded");
        assert!(rest[0]["node"]["rowsInserted"].as_i64().unwrap() > 0);
        let (_, failed) = app.graphql_as(token, q, serde_json::json!({ "status": "failed" })).await;
        let node = &failed["data"]["importRuns"]["edges"][0]["node"];
        assert_eq!(node["error"].as_str().unwrap(), error, "{failed}");
        let id = node["id"].as_str().unwrap().to_owned();
        let one = r#"query($id: ID!) { importRun(id: $id) { job status issues { severity code message } } }"#;
        let (_, run) = app.graphql_as(token, one, serde_json::json!({ "id": id })).await;
        assert_eq!(run["data"]["importRun"]["status"], "failed", "{run}");
        assert!(run["data"]["importRun"]["issues"].is_array(), "{run}");
    }
    for token in [Some(school.as_str()), None] {
        let (_, body) = app.graphql_as(token, q, serde_json::json!({})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        assert!(body["data"].is_null() || body["data"]["importRuns"].is_null(), "{body}");
    }
    // Hostile cursors and page sizes.
    for (vars, expect) in [
        (serde_json::json!({ "after": "run:abc" }), "after"),
        (serde_json::json!({ "after": "x".repeat(5000) }), "after"),
    ] {
        let (_, body) = app.graphql_as(Some(&operator), q, vars).await;
        assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains(expect), "{body}");
    }
    let (_, body) = app
        .graphql_as(Some(&operator), "{ importRuns(first: 100000) { edges { cursor } } }", serde_json::json!({}))
        .await;
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("first"), "{body}");
    app.stop().await;
}

crate::on_both_backends! {
    run_history => run_history_in_graphql;
}

/// `INCLUSION_LOG_FORMAT=json` writes one JSON object per log line; a value it does not know is
/// said, and text is used.
#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("logs.db").display());
    let run = |format: &str| {
        let out = std::process::Command::new(binary())
            .arg("migrate")
            .env("DATABASE_URL", &url)
            .env("INCLUSION_LOG_FORMAT", format)
            .env("RUST_LOG", "info")
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let json = run("json");
    let lines: Vec<&str> = json.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty(), "no log lines");
    for line in lines {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert!(v["level"].is_string() && v["timestamp"].is_string() && v["fields"].is_object(), "{line}");
    }
    let sloppy = run(" JSON ");
    assert!(sloppy.lines().all(|l| l.trim().is_empty() || l.starts_with('{')), "{sloppy}");
    let unknown = run("xml<script>");
    assert!(unknown.contains("is neither text nor json"), "{unknown}");
    assert!(!unknown.lines().any(|l| l.starts_with('{')), "{unknown}");
}

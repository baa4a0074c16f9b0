//! The operators' surface: `schedules`, `sources`, `runImport` and `retryRun` for operators and
//! analysts (refused for school and public, and refused URLs or folders from a request); a stale
//! source in `sources` and `/healthz`; alerts posted once per incident to a local webhook.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use jobs::queue::Queue;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;
use test_support::TestDb;
use test_support::fake_dfe::{FakeDfe, Reply};

const SCHEDULES: &str = "[[schedule]]\nname = \"nightly_noop\"\ncron = \"0 0 2 * * *\"\njob = \"noop\"\n\n\
    [[schedule]]\nname = \"drop\"\ncron = \"0 */15 * * * *\"\njob = \"drop_folder\"\npayload = { dir = \"drop\" }\n";

async fn app_with_jobs(t: &TestDb) -> (test_support::TestApp, Queue) {
    let queue = Queue::open(&t.url, Duration::from_secs(5)).await.unwrap();
    let schedules = jobs::schedule::parse("test.toml", SCHEDULES).unwrap();
    let control = server::jobs_control::JobsControl { db: t.db.clone(), queue: queue.clone(), schedules };
    let config = server::AppConfig { jobs: Some(Arc::new(control)), ..Default::default() };
    (test_support::TestApp::spawn_with(t.db.clone(), config).await, queue)
}

async fn status_of(t: &TestDb, id: &str) -> String {
    let sql = format!("SELECT status FROM import_run WHERE id = {id}");
    let row = t.db.query_one_raw(Statement::from_string(t.db.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get("", "status").unwrap()
}

async fn operator_controls(t: TestDb) {
    let (app, queue) = app_with_jobs(&t).await;
    let operator = test_support::make_token(&t.db, api::Role::Operator, None, "ops").await;
    let school = test_support::make_token(&t.db, api::Role::School, Some(118049), "school").await;
    let run = r#"mutation($job: String!, $payload: JSON) { runImport(job: $job, payload: $payload) {
        id job status trigger schedule payload } }"#;

    let (_, body) = app
        .graphql_as(Some(&operator), "{ schedules { name job cron timezone enabled payload nextRun } }", json!({}))
        .await;
    let schedules = body["data"]["schedules"].as_array().unwrap_or_else(|| panic!("{body}"));
    assert_eq!(schedules.len(), 2, "{body}");
    assert_eq!(schedules[1]["payload"], json!({"dir": "drop"}));
    assert_eq!(schedules[0]["timezone"], "Europe/London");
    assert!(schedules[0]["nextRun"].is_string());

    // A schedule by name: queued at once, with the id the worker's run keeps.
    let (_, body) = app.graphql_as(Some(&operator), run, json!({"job": "nightly_noop"})).await;
    let queued = &body["data"]["runImport"];
    assert_eq!(queued["status"], "queued", "{body}");
    assert_eq!(queued["trigger"], "api");
    assert_eq!(queued["schedule"], "nightly_noop");
    let id = queued["id"].as_str().unwrap().to_owned();

    // The worker runs it; the same run ends.
    let archive = tempfile::tempdir().unwrap();
    let ctx = crate::jobs_queue::context(&t, archive.path(), "w");
    crate::jobs_queue::work_until(&t, &queue, ctx, |runs| runs.iter().any(|r| r.status == "unchanged")).await;
    assert_eq!(status_of(&t, &id).await, "unchanged", "the no-op's queued run ends");

    let (_, body) = app
        .graphql_as(
            Some(&app.analyst),
            "{ sources { name lastSuccess lastStatus expectedEvery expectedEverySeconds stale staleFrom } }",
            json!({}),
        )
        .await;
    let sources = body["data"]["sources"].as_array().unwrap_or_else(|| panic!("{body}"));
    let nightly = sources.iter().find(|s| s["name"] == "nightly_noop").unwrap();
    assert_eq!(nightly["expectedEvery"], "P1D");
    assert_eq!(nightly["expectedEverySeconds"], 86_400);
    assert_eq!(nightly["stale"], false, "{body}");
    assert!(nightly["lastSuccess"].is_string(), "{body}");
    let drop = sources.iter().find(|s| s["name"] == "drop").unwrap();
    assert_eq!((drop["stale"].clone(), drop["staleFrom"].clone()), (json!(false), json!(null)), "never attempted");

    // A retry queues the job again as a new run.
    let retry = r#"mutation($id: ID!) { retryRun(id: $id) { id status trigger } }"#;
    let (_, body) = app.graphql_as(Some(&operator), retry, json!({"id": id})).await;
    assert_eq!(body["data"]["retryRun"]["trigger"], "retry", "{body}");
    assert_ne!(body["data"]["retryRun"]["id"].as_str().unwrap(), id);

    // Hostile and sloppy requests: named, not queued.
    for (vars, expect) in [
        (
            json!({"job": "ees_url", "payload": {"url": "http://169.254.169.254/latest/meta-data", "mapping": "x"}}),
            "schedule",
        ),
        (json!({"job": "drop_folder", "payload": {"dir": "/etc"}}), "schedule"),
        (json!({"job": "gias_url", "payload": {"url": "http://169.254.169.254/{date}"}}), "schedule"),
        (json!({"job": "ees_dataset", "payload": {"dataset": "../../admin"}}), "dataset"),
        (json!({"job": "ees_dataset", "payload": {"dataset": "x".repeat(500)}}), "dataset"),
        (json!({"job": "ees_dataset", "payload": "019afee4"}), "object"),
        (json!({"job": "nightly_noop", "payload": {"dir": "/"}}), "leave payload out"),
        (json!({"job": "format_disk"}), "no schedule or job"),
    ] {
        let (_, body) = app.graphql_as(Some(&operator), run, vars.clone()).await;
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(expect), "{vars}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{body}");
    }
    for (vars, expect) in [(json!({"id": "abc"}), "not a run id"), (json!({"id": "999999"}), "no run")] {
        let (_, body) = app.graphql_as(Some(&operator), retry, vars).await;
        assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains(expect), "{body}");
    }
    let queued_now =
        t.db.query_one_raw(Statement::from_string(
            t.db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM import_run WHERE trigger = 'api'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(queued_now, 1, "refused requests queue nothing");

    // School and public viewers are refused every control.
    for token in [Some(school.as_str()), None] {
        for q in ["{ schedules { name } }", "{ sources { name stale } }"] {
            let (_, body) = app.graphql_as(token, q, json!({})).await;
            assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{q}: {body}");
        }
        let (_, body) = app.graphql_as(token, run, json!({"job": "nightly_noop"})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
        let (_, body) = app.graphql_as(token, retry, json!({"id": id})).await;
        assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN", "{body}");
    }
    app.stop().await;
}

/// A run of `schedule` that ended `status` `days_ago`.
async fn past_run(t: &TestDb, schedule: &str, status: &str, days_ago: i64, error: Option<&str>) {
    let at = Utc::now() - chrono::Duration::days(days_ago);
    let backend = t.db.get_database_backend();
    let m: Vec<String> =
        (1..=5).map(|i| if backend == sea_orm::DbBackend::Postgres { format!("${i}") } else { "?".into() }).collect();
    let sql = format!(
        "INSERT INTO import_run (job, trigger, status, started_at, finished_at, rows_read, rows_inserted, rows_updated, \
         rows_unchanged, rows_rejected, schedule_name, error_summary) \
         VALUES ('noop', 'schedule', {}, {}, {}, 0, 0, 0, 0, 0, {}, {})",
        m[0], m[1], m[2], m[3], m[4]
    );
    let values: Vec<sea_orm::Value> =
        vec![status.into(), at.into(), at.into(), schedule.into(), error.map(str::to_owned).into()];
    t.db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await.unwrap();
}

async fn stale_sources_and_alerts(t: TestDb) {
    let (app, _queue) = app_with_jobs(&t).await;
    // Succeeded three days ago on a daily schedule: stale (two days without a success).
    past_run(&t, "nightly_noop", "succeeded", 3, None).await;
    let (_, body) = app.graphql_as(Some(&app.analyst), "{ sources { name stale staleFrom } }", json!({})).await;
    let nightly = body["data"]["sources"].as_array().unwrap().iter().find(|s| s["name"] == "nightly_noop").cloned();
    assert_eq!(nightly.as_ref().map(|s| s["stale"].clone()), Some(json!(true)), "{body}");
    let health: serde_json::Value = app.client.get(app.url("/healthz")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "degraded", "{health}");
    assert_eq!(health["sources"]["stale"][0]["name"], "nightly_noop", "{health}");

    // A failed run today; the monitor posts it and the stale source once each, however often it looks.
    past_run(&t, "drop", "failed", 0, Some("the drop folder is unreadable")).await;
    let hook = FakeDfe::start().await;
    hook.route("/hook", vec![Reply::ok("text/plain", "ok")]);
    let monitor = jobs::monitor::Monitor {
        webhook: Some(jobs::monitor::Webhook::new(&hook.url("/hook")).unwrap()),
        schedules: jobs::schedule::parse("test.toml", SCHEDULES).unwrap(),
        worker: "w".into(),
        every: Duration::from_secs(1),
    };
    let first = jobs::monitor::sweep(&t.db, &monitor, Utc::now()).await.unwrap();
    let kinds: Vec<&str> = first.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, ["run_failed", "source_stale"], "{first:?}");
    assert!(first[0].text.contains("the drop folder is unreadable"), "{first:?}");
    assert!(first[1].body()["text"].as_str().unwrap().contains("nightly_noop"));
    // A second worker looking at the same time sends nothing more.
    let other = jobs::monitor::Monitor { worker: "w2".into(), ..monitor.clone() };
    assert!(jobs::monitor::sweep(&t.db, &other, Utc::now()).await.unwrap().is_empty());
    assert!(jobs::monitor::sweep(&t.db, &monitor, Utc::now()).await.unwrap().is_empty());
    assert_eq!(hook.hits("/hook"), 2, "each incident posted once");

    // A webhook that is down: nothing is lost, the alert goes once it answers.
    past_run(&t, "drop", "failed", 0, Some("again")).await;
    hook.route("/down", vec![Reply::status(503), Reply::ok("text/plain", "ok")]);
    let monitor = jobs::monitor::Monitor {
        webhook: Some(jobs::monitor::Webhook::new(&hook.url("/down")).unwrap()),
        ..monitor.clone()
    };
    assert!(jobs::monitor::sweep(&t.db, &monitor, Utc::now()).await.unwrap().is_empty());
    let later = jobs::monitor::sweep(&t.db, &monitor, Utc::now()).await.unwrap();
    assert_eq!(later.len(), 1, "{later:?}");
    assert!(jobs::monitor::Webhook::new("file:///etc/passwd").is_err());
    assert!(jobs::monitor::Webhook::new("not a url").is_err());

    // This replica's requests by operation, in the Prometheus text format.
    let named = r#"query Freshness { sources { name } }"#;
    let _ = app.graphql_as(Some(&app.analyst), named, json!({})).await;
    let text = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_owned()))).unwrap();
    let count = |op: &str| {
        scrape
            .samples
            .iter()
            .filter(|s| s.metric == "inclusion_http_requests_total" && s.labels.get("operation") == Some(op))
            .map(|s| match s.value {
                prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Untyped(v) => v,
                _ => 0.0,
            })
            .sum::<f64>()
    };
    assert_eq!(count("Freshness"), 1.0, "{text}");
    assert_eq!(count("anonymous"), 1.0, "the one unnamed request: {text}");
    assert!(text.contains("inclusion_http_request_duration_seconds_bucket{operation=\"Freshness\",le=\"+Inf\"} 1"));
    app.stop().await;
}

crate::on_both_backends! {
    controls => operator_controls;
    stale_and_alerts => stale_sources_and_alerts;
}

//! The GraphQL-over-HTTP spec's audit suite (npm `graphql-http`, its `auditServer`) against the
//! real app: no MUST failure and no SHOULD warning. Needs node and `npm ci` in
//! scripts/http-audit (scripts/test does it); without them the test says so and, under CI,
//! fails.

use test_support::{TestApp, TestDb, fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_over_http_audit_passes_without_warnings() {
    let dir = fixture::root().join("scripts/http-audit");
    let ready = dir.join("node_modules/graphql-http").is_dir()
        && std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ready {
        let why = "node or scripts/http-audit/node_modules is missing (run `npm ci` in scripts/http-audit)";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{why}");
        }
        println!("SKIPPED: {why}");
        return;
    }
    let t = TestDb::sqlite().await;
    let app = TestApp::spawn(t.db.clone()).await;
    let url = app.url("/graphql");
    let script = dir.join("audit.mjs");
    let out = tokio::task::spawn_blocking(move || std::process::Command::new("node").arg(script).arg(url).output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "audit failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains(" 0 MUST failures, 0 SHOULD warnings"), "{stdout}");
    app.stop().await;
}

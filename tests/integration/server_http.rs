//! The HTTP surface besides GraphQL queries: GraphiQL, health, shutdown.

use test_support::{TestApp, TestDb};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_graphql_serves_graphiql_and_healthz_checks_the_database() {
    let t = TestDb::sqlite().await;
    let app = TestApp::spawn(t.db.clone()).await;
    let page = app.client.get(app.url("/graphql")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("graphiql"));

    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"status": "ok", "database": "ok", "sources": {"checked": 0, "stale": []}})
    );

    // With the database gone, health says so.
    t.db.clone().close().await.unwrap();
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 503);
    let addr = app.addr;
    app.stop().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "the server stopped listening");
}

/// GraphiQL renders in a real browser from the vendored assets, under the page's CSP, and asks
/// for the schema: the whole page works without internet. Needs Debian's `chromium` (`.ci/run`
/// installs it); without it the test says so and, under CI, fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_renders_in_a_real_browser() {
    let Some(browser) = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|b| std::process::Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("chromium is not installed (apt-get install chromium)");
        }
        println!("SKIPPED: chromium is not installed");
        return;
    };
    let t = TestDb::sqlite().await;
    let app = TestApp::spawn(t.db.clone()).await;
    let url = app.url("/graphql");
    let profile = tempfile::tempdir().unwrap();
    let dir = profile.path().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(browser)
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=10000", "--dump-dom"])
            .arg(format!("--user-data-dir={}", dir.display()))
            .arg(url)
            .output()
    })
    .await
    .unwrap()
    .expect("run chromium");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("graphiql-container"), "GraphiQL did not render: {}", &dom[..dom.len().min(2000)]);
    assert!(dom.contains("Welcome to GraphiQL"), "the editor is empty");
    app.stop().await;
}

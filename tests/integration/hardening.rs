//! Hostile and careless requests: each is refused or bounded within seconds, with a clear error,
//! and the server keeps serving (a normal query answers right after).

use std::time::{Duration, Instant};

use jobs::NoProgress;
use serde_json::{Value, json};
use server::{AppConfig, HttpLimits};
use test_support::{TestApp, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// GraphiQL's own introspection query (graphql-js `getIntrospectionQuery`, every option on).
const INTROSPECTION: &str = include_str!("introspection.graphql");

async fn with_schools(t: &TestDb, n: usize) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("national.csv");
    test_support::gias_synth::write(&mut std::fs::File::create(&path).unwrap(), n, 7).unwrap();
    jobs::import_gias::run(&t.db, &crate::gias_job(path, None), &NoProgress).await.unwrap();
}

/// A normal query still answers, quickly.
async fn still_serving(app: &TestApp) {
    let started = Instant::now();
    let data = app.data("{ schools(first: 1) { nodes { urn } } }", json!({})).await;
    assert_eq!(data["schools"]["nodes"].as_array().unwrap().len(), 1);
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(5), "the server is still responsive");
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"].as_str().unwrap_or("")
}

crate::on_both_backends! {
    nested_lists_and_fragment_bombs_are_refused => nested_lists_and_fragment_bombs_are_refused;
    bodies_content_types_and_time_are_bounded => bodies_content_types_and_time_are_bounded;
}

async fn nested_lists_and_fragment_bombs_are_refused(t: TestDb) {
    with_schools(&t, 600).await;
    let app = TestApp::spawn(t.db.clone()).await;

    // Seven levels of parent lists without `first`: inside the depth limit, refused by cost.
    let nest =
        "{ school(urn: 100000) { district { schools { district { schools { district { schools { name } } } } } } } }";
    let urn: i64 =
        app.data("{ schools(first: 1, orderBy: {field: URN}) { nodes { urn } } }", json!({})).await["schools"]["nodes"]
            [0]["urn"]
            .as_i64()
            .unwrap();
    let started = Instant::now();
    let body = app.graphql(&nest.replace("100000", &urn.to_string()), json!({})).await;
    assert_eq!(body["errors"][0]["message"], "Query is too complex.", "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    still_serving(&app).await;

    // Within the cost limit but past the row budget: the request fails, the server stays.
    let small = TestApp::spawn_with_limits(t.db.clone(), api::Limits { max_rows: 100, ..Default::default() }).await;
    let body = small
        .graphql(
            "{ schools(first: 80) { nodes { urn srps { kind } district { schools(first: 50) { urn } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&body), "ROW_BUDGET_EXCEEDED", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("this request returns more than 100 rows"));
    let district = small.data("{ schools(first: 1) { nodes { districtCode } } }", json!({})).await["schools"]["nodes"]
        [0]["districtCode"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = small
        .graphql(&format!("{{ district(code: \"{district}\") {{ schools(first: 501) {{ urn }} }} }}"), json!({}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    assert_eq!(body["errors"][0]["message"], "first must be between 0 and 500 (got 501)");
    still_serving(&small).await;
    small.stop().await;

    // A 1.5 KB query whose fragments double at each level: refused before validation.
    let mut bomb = String::from("query { ...F0 }\n");
    for i in 0..30 {
        bomb.push_str(&format!("fragment F{i} on Query {{ ...F{} ...F{} }}\n", i + 1, i + 1));
    }
    bomb.push_str("fragment F30 on Query { me { role } }\n");
    assert!(bomb.len() < 2000);
    let started = Instant::now();
    let body = app.graphql(&bomb, json!({})).await;
    assert_eq!(code(&body), "QUERY_TOO_LARGE", "{body}");
    assert!(started.elapsed() < Duration::from_secs(5));
    still_serving(&app).await;

    // A 1 MB filter string is bad input, not an internal error; wildcards match literally.
    let long = "a".repeat(1_000_000);
    let body = app
        .graphql("query($n: String) { schools(filter: {nameContains: $n}) { nodes { urn } } }", json!({"n": long}))
        .await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{}", &body.to_string()[..200.min(body.to_string().len())]);
    let body = app.data("{ schools(filter: {nameContains: \"%\"}) { nodes { urn } } }", json!({})).await;
    assert_eq!(body["schools"]["nodes"], json!([]), "% is a character, not a wildcard");

    // GraphiQL's introspection query works under the default limits.
    let (status, body) = app.graphql_as(None, INTROSPECTION, json!({})).await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
    app.stop().await;
}

/// Sends raw bytes and reads what comes back (or nothing, within `wait`).
async fn raw(app: &TestApp, bytes: &[u8], wait: Duration) -> String {
    let mut s = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    s.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(wait, s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

async fn bodies_content_types_and_time_are_bounded(t: TestDb) {
    with_schools(&t, 50).await;
    let config = AppConfig {
        http: HttpLimits { max_body_bytes: 64 * 1024, timeout: Duration::from_secs(2), ..Default::default() },
        ..Default::default()
    };
    let app = TestApp::spawn_with(t.db.clone(), config).await;
    let url = app.url("/graphql");
    let query = json!({"query": "{ me { role } }"}).to_string();

    // Content types: only JSON is executed.
    for (ct, want) in [
        (Some("text/plain"), 415),
        (Some("application/x-www-form-urlencoded"), 415),
        (None, 415),
        (Some("application/json; charset=utf-8"), 200),
    ] {
        let mut req = app.client.post(&url).body(query.clone());
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), want, "{ct:?}");
        assert!(r.headers().contains_key("x-request-id"));
        let body: Value = r.json().await.unwrap();
        if want == 415 {
            assert_eq!(code(&body), "UNSUPPORTED_MEDIA_TYPE");
        }
    }
    // application/graphql-response+json: request errors get 400 and no data.
    let r = app
        .client
        .post(&url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({"query": "{ nope }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/graphql-response+json"));
    let body: Value = r.json().await.unwrap();
    assert!(body.get("data").is_none(), "{body}");

    // A 50 MB body: 413 at once, declared or streamed without a length.
    let big = format!("{{\"query\": \"{{ me {{ role }} }}\", \"x\": \"{}\"}}", "a".repeat(50 * 1024 * 1024));
    let r = app.client.post(&url).header("content-type", "application/json").body(big).send().await;
    // The server answers 413 as soon as it sees the length; a client still sending may see the
    // connection close instead. Either way nothing was read past the limit.
    match r {
        Ok(r) => assert_eq!(r.status(), 413),
        Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
    }
    let chunked = format!(
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{}\r\n",
        70 * 1024,
        "a".repeat(70 * 1024)
    );
    let answer = raw(&app, chunked.as_bytes(), Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{}", &answer[..answer.len().min(200)]);
    still_serving(&app).await;

    // A half-sent body: the request is answered 503 when its time is up, not held for ever.
    let started = Instant::now();
    let half = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"query\":";
    let answer = raw(&app, half.as_bytes(), Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("TIMEOUT"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(8));
    still_serving(&app).await;

    // GraphiQL is served from the binary: no CDN, scripts from this server only.
    let page = app.client.get(&url).send().await.unwrap();
    assert!(page.headers()["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    let html = page.text().await.unwrap();
    assert!(!html.contains("http://") && !html.contains("https://"), "no external URL in the page");
    for asset in
        ["graphiql.min.js", "graphiql.min.css", "react.production.min.js", "react-dom.production.min.js", "init.js"]
    {
        assert!(html.contains(&format!("/graphiql/{asset}")), "{asset}");
        let r = app.client.get(app.url(&format!("/graphiql/{asset}"))).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asset}");
        assert!(r.bytes().await.unwrap().len() > 100, "{asset}");
    }
    assert_eq!(app.client.get(app.url("/graphiql/../Cargo.toml")).send().await.unwrap().status(), 404);
    app.stop().await;
}

/// Under 64 clients sending the largest list the limits allow, `/healthz` still answers within a
/// second: GraphQL waits its turn for database connections, health does not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_answers_under_a_flood_of_heavy_queries() {
    let t = TestDb::sqlite().await;
    with_schools(&t, 600).await;
    let app = TestApp::spawn(t.db.clone()).await;
    let heavy = "{ schools(first: 500) { nodes { urn name laestab phase status typeGroup district { code name } srps { kind capacity } } } }";
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for _ in 0..64 {
        let (client, url, token, stop) = (app.client.clone(), app.url("/graphql"), app.analyst.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = client.post(&url).bearer_auth(&token).json(&json!({"query": heavy})).send().await;
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        let r = tokio::time::timeout(Duration::from_secs(1), app.client.get(app.url("/healthz")).send()).await;
        slowest = slowest.max(started.elapsed());
        assert!(matches!(r, Ok(Ok(ref r)) if r.status() == 200), "healthz did not answer within a second: {r:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for c in clients {
        let _ = c.await;
    }
    println!("slowest /healthz under load: {slowest:?}");
    app.stop().await;
}

/// CORS is an allow-list: an origin on it may call the API from a browser, any other gets no
/// CORS headers (the browser then refuses); without a list no origin is allowed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_an_allow_list() {
    let t = TestDb::sqlite().await;
    let config = AppConfig { cors_origins: vec!["https://dash.kent.example".into()], ..Default::default() };
    let app = TestApp::spawn_with(t.db.clone(), config).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type, authorization")
            .send()
    };
    let ok = preflight("https://dash.kent.example").await.unwrap();
    assert_eq!(
        ok.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()),
        Some("https://dash.kent.example")
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none(), "{:?}", other.headers());
    app.stop().await;

    let closed = TestApp::spawn(t.db.clone()).await;
    let r = closed
        .client
        .post(closed.url("/graphql"))
        .header("origin", "https://dash.kent.example")
        .json(&json!({"query": "{ me { role } }"}))
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    closed.stop().await;
}

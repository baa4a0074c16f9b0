//! Benchmark: DESIGN.md's three list queries over HTTP against PostgreSQL with 50,000 schools,
//! 16 concurrent clients, as an anonymous (public) request, with a `school` token and with an
//! `analyst` token: what the disclosure layer costs. Prints requests/s and p99 per case.
//! The load generator runs in-process (a reqwest client per task), like wrk on the same machine;
//! the three cases alternate in rounds so drift falls on each alike.
//!
//! `cargo bench -p inclusion-tests --bench api_lists [-- SECONDS [SCHOOLS]]` (defaults 10, 50000)

use std::sync::Arc;
use std::time::{Duration, Instant};

use api::Role;
use jobs::NoProgress;
use jobs::import_gias::{GiasImport, run};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use test_support::{TestApp, TestDb, make_token};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 16;

struct Case {
    name: &'static str,
    query: String,
    /// Variables per request number (so a lookup is not one cached row).
    vars: Box<dyn Fn(usize) -> Value + Send + Sync>,
}

/// Latencies and errors of one run.
#[derive(Default)]
struct Tally {
    latencies: Vec<Duration>,
    errors: usize,
    secs: f64,
}

impl Tally {
    /// (requests/s, p99 ms)
    fn figures(&mut self) -> (f64, f64) {
        self.latencies.sort();
        let p99 = self.latencies.get(self.latencies.len().saturating_sub(1) * 99 / 100).copied().unwrap_or_default();
        (self.latencies.len() as f64 / self.secs, p99.as_secs_f64() * 1000.0)
    }
}

/// Runs `case` for `secs` with `token`, adding to `tally`.
async fn load(app: &TestApp, case: &Arc<Case>, token: Option<String>, secs: f64, tally: &mut Tally) {
    let url = app.url("/graphql");
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let (url, case, token) = (url.clone(), case.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut latencies, mut errors, mut i) = (Vec::new(), 0usize, c);
            while Instant::now() < until {
                let body = json!({"query": case.query, "variables": (case.vars)(i)});
                let mut req = client.post(&url).json(&body);
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                let started = Instant::now();
                let ok = match req.send().await {
                    Ok(r) if r.status() == 200 => {
                        r.bytes().await.is_ok_and(|b| !b.windows(9).any(|w| w == b"\"errors\":"))
                    }
                    _ => false,
                };
                latencies.push(started.elapsed());
                errors += usize::from(!ok);
                i += CLIENTS;
            }
            (latencies, errors)
        }));
    }
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        tally.latencies.extend(l);
        tally.errors += e;
    }
    tally.secs += secs;
}

/// Rounds the cases alternate in, so drift (autovacuum, caches warming) falls on all alike.
const ROUNDS: usize = 5;

fn main() {
    let mut args = std::env::args().skip(1).filter_map(|a| a.parse::<f64>().ok());
    let secs = args.next().unwrap_or(10.0);
    let schools = args.next().map_or(50_000, |n| n as usize);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        let Some(t) = TestDb::postgres().await else {
            eprintln!("api_lists needs PostgreSQL (TEST_POSTGRES_URL)");
            std::process::exit(1);
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("edubasealldata20261201.csv");
        test_support::gias_synth::write(&mut std::fs::File::create(&path).expect("extract"), schools, 42)
            .expect("write extract");
        let job = GiasImport { path, la: None, force: false, trigger: "bench".into(), archive_dir: None };
        run(&t.db, &job, &NoProgress).await.expect("import");
        let pick = |sql: &'static str| {
            let db = t.db.clone();
            async move {
                let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
                row.try_get_by_index::<i32>(0).map(|v| v.to_string()).or_else(|_| row.try_get_by_index::<String>(0)).unwrap()
            }
        };
        let district = pick("SELECT district_code FROM school GROUP BY district_code HAVING COUNT(*) >= 100 ORDER BY COUNT(*) DESC LIMIT 1").await;
        let urns: Arc<Vec<i64>> = Arc::new({
            let db = &t.db;
            db.query_all_raw(Statement::from_string(db.get_database_backend(), "SELECT urn FROM school ORDER BY urn"))
                .await
                .unwrap()
                .iter()
                .map(|r| i64::from(r.try_get_by_index::<i32>(0).unwrap()))
                .collect()
        });
        let own = urns[urns.len() / 2] as i32;
        println!("PostgreSQL, {} schools; {CLIENTS} clients, {secs} s per case; school token scoped to URN {own}", urns.len());

        let by_urn = urns.clone();
        let cases = [
            Arc::new(Case {
                name: "one school by URN with its district",
                query: "query($urn: Int!) { school(urn: $urn) { urn name phase district { code name } } }".into(),
                vars: Box::new(move |i| json!({"urn": by_urn[(i * 7919) % by_urn.len()]})),
            }),
            Arc::new(Case {
                name: "100 schools of a district with their SRPs",
                query: format!(r#"{{ schools(first: 100, filter: {{districtCode: "{district}"}}) {{ nodes {{ urn name srps {{ kind capacity onRoll }} }} }} }}"#),
                vars: Box::new(|_| json!({})),
            }),
            Arc::new(Case {
                name: "500 schools with district and SRPs",
                query: "{ schools(first: 500) { nodes { urn name district { code name } srps { kind capacity onRoll } } } }".into(),
                vars: Box::new(|_| json!({})),
            }),
        ];
        let app = TestApp::spawn(t.db.clone()).await;
        let school = make_token(&t.db, Role::School, Some(own), "bench school").await;
        let tokens = [("no token", None), ("school", Some(school)), ("analyst", Some(app.analyst.clone()))];
        for case in &cases {
            // Warm the pool, the plan cache and the tokens' last-use write.
            for (_, token) in &tokens {
                load(&app, case, token.clone(), 1.0, &mut Tally::default()).await;
            }
            let mut tallies: Vec<Tally> = tokens.iter().map(|_| Tally::default()).collect();
            for _ in 0..ROUNDS {
                for ((_, token), tally) in tokens.iter().zip(tallies.iter_mut()) {
                    load(&app, case, token.clone(), secs / ROUNDS as f64, tally).await;
                }
            }
            let mut base = None;
            for ((who, _), tally) in tokens.iter().zip(tallies.iter_mut()) {
                let (rps, p99) = tally.figures();
                let base_rps = *base.get_or_insert(rps);
                println!(
                    "{:<44} {who:<9} {rps:>8.0} req/s  p99 {p99:>7.1} ms  ({:+.1}% vs no token){}",
                    case.name,
                    (rps / base_rps - 1.0) * 100.0,
                    if tally.errors > 0 { format!("  {} ERRORS", tally.errors) } else { String::new() },
                );
            }
        }
        app.stop().await;
    });
}

//! Benchmark: `indicators` over HTTP at DISTRICT and SCHOOL level, on SQLite and PostgreSQL, with
//! 25,000 schools × 10 measures × 3 periods × 4 cohorts (3 million school figures), 16 clients on
//! loopback. Prints p50, p99, requests/s and SQL statements per request for each case.
//!
//! `cargo bench -p inclusion-tests --bench indicators [-- SECONDS [SCHOOLS]]` (defaults 10, 25000)

use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jobs::NoProgress;
use jobs::import_ees::{EesImport, EesSource};
use jobs::import_gias::GiasImport;
use serde_json::{Value, json};
use test_support::{Backend, TestApp, TestDb};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CLIENTS: usize = 16;
const PERIODS: [&str; 3] = ["202122", "202223", "202324"];
const COHORTS: [(&str, &str); 4] =
    [("Total", "all"), ("SEN support", "sen_support"), ("EHC plan", "ehcp"), ("No SEN", "no_sen")];

/// Ten measures, one of each aggregation rule and then some.
const MAPPING: &str = r#"
name = "bench_school"
publication = "Benchmark"
datasets = ["bench_school"]
levels = ["school"]

[cohort]
unmatched = "reject"

[[cohort.rules]]
cohort = "all"
when = { sen_status = "Total" }

[[cohort.rules]]
cohort = "sen_support"
when = { sen_status = "SEN support" }

[[cohort.rules]]
cohort = "ehcp"
when = { sen_status = "EHC plan" }

[[cohort.rules]]
cohort = "no_sen"
when = { sen_status = "No SEN" }

[[measures]]
code = "b_headcount"
label = "Headcount"
unit = "count"
column = "headcount"

[[measures]]
code = "b_susp"
label = "Suspensions"
unit = "count"
column = "susp"

[[measures]]
code = "b_perm"
label = "Permanent exclusions"
unit = "count"
column = "perm"

[[measures]]
code = "b_absent"
label = "Persistent absentees"
unit = "count"
column = "absent"

[[measures]]
code = "b_susp_rate"
label = "Suspension rate"
unit = "rate"
column = "susp_rate"
aggregate = { numerator = "b_susp", denominator = "b_headcount", per = 100 }
better = "lower"

[[measures]]
code = "b_perm_rate"
label = "Permanent exclusion rate"
unit = "rate"
column = "perm_rate"
aggregate = { numerator = "b_perm", denominator = "b_headcount", per = 100 }

[[measures]]
code = "b_absent_pct"
label = "Persistent absence"
unit = "percent"
column = "absent_pct"
aggregate = { numerator = "b_absent", denominator = "b_headcount" }

[[measures]]
code = "b_expected_pct"
label = "Expected standard"
unit = "percent"
column = "expected_pct"
aggregate = { weighted_by = "b_headcount" }

[[measures]]
code = "b_progress"
label = "Progress"
unit = "score"
column = "progress"
aggregate = { weighted_by = "b_headcount" }

[[measures]]
code = "b_att8"
label = "Attainment 8"
unit = "score"
column = "att8"
aggregate = { weighted_by = "b_headcount" }
"#;

fn write_figures(path: &std::path::Path, schools: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("figures"));
    writeln!(out, "time_period,time_identifier,geographic_level,country_code,country_name,school_urn,sen_status,headcount,susp,perm,absent,susp_rate,perm_rate,absent_pct,expected_pct,progress,att8").unwrap();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for i in 0..schools {
        for p in PERIODS {
            for (status, _) in COHORTS {
                let h = 20 + next(900);
                let (s, pe, a) = (next(h / 5 + 1), next(3), next(h / 4 + 1));
                let susp = if next(20) == 0 { "c".to_owned() } else { s.to_string() };
                writeln!(
                    out,
                    "{p},Academic year,School,E92000001,England,{},{status},{h},{susp},{pe},{a},{:.2},{:.2},{:.2},{},{:.2},{:.1}",
                    100_000 + i,
                    100.0 * s as f64 / h as f64,
                    100.0 * pe as f64 / h as f64,
                    100.0 * a as f64 / h as f64,
                    next(100),
                    next(600) as f64 / 100.0 - 3.0,
                    20.0 + next(500) as f64 / 10.0,
                )
                .unwrap();
            }
        }
    }
}

struct Case {
    name: &'static str,
    query: String,
}

async fn load(app: &TestApp, case: &Arc<Case>, secs: f64) -> (Vec<Duration>, usize) {
    let url = app.url("/graphql");
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let token = app.analyst.clone();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (url, case, token) = (url.clone(), case.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let (mut latencies, mut errors) = (Vec::new(), 0usize);
            while Instant::now() < until {
                let started = Instant::now();
                let ok = match client.post(&url).bearer_auth(&token).json(&json!({"query": case.query})).send().await {
                    Ok(r) if r.status() == 200 => {
                        r.bytes().await.is_ok_and(|b| !b.windows(9).any(|w| w == b"\"errors\":"))
                    }
                    _ => false,
                };
                latencies.push(started.elapsed());
                errors += usize::from(!ok);
            }
            (latencies, errors)
        }));
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    for t in tasks {
        let (l, e) = t.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    (all, errors)
}

async fn bench(backend: Backend, secs: f64, schools: usize) {
    let Some(t) = TestDb::of(backend).await else {
        eprintln!("indicators: {backend:?} is not available (TEST_POSTGRES_URL)");
        std::process::exit(1);
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let gias = dir.path().join("edubasealldata20261201.csv");
    test_support::gias_synth::write(&mut std::fs::File::create(&gias).expect("extract"), schools, 42).expect("extract");
    let job = GiasImport { path: gias, la: None, force: false, trigger: "bench".into(), archive_dir: None };
    jobs::import_gias::run(&t.db, &job, &NoProgress).await.expect("gias");
    let figures = dir.path().join("bench_school.csv");
    write_figures(&figures, schools);
    let mappings = dir.path().join("mappings");
    std::fs::create_dir_all(&mappings).unwrap();
    std::fs::write(mappings.join("bench_school.toml"), MAPPING).unwrap();
    let started = Instant::now();
    let s = jobs::import_ees::run(
        &t.db,
        &EesImport {
            release: Default::default(),
            source: EesSource::File(figures),
            mapping: Some("bench_school".into()),
            mappings_dir: Some(mappings),
            api_base: String::new(),
            client: Default::default(),
            trigger: "bench".into(),
            archive_dir: dir.path().to_owned(),
        },
        &NoProgress,
    )
    .await
    .expect("figures");
    println!(
        "{backend:?}: {schools} schools, {} school figures imported in {:.1} s; {CLIENTS} clients, {secs} s per case",
        s.counts.inserted,
        started.elapsed().as_secs_f64()
    );
    let all = r#"["b_headcount", "b_susp", "b_perm", "b_absent", "b_susp_rate", "b_perm_rate", "b_absent_pct", "b_expected_pct", "b_progress", "b_att8"]"#;
    let fields = "group { code } measure { code } cohort value schoolsContributing schoolsWithoutValue";
    let cases = [
        Arc::new(Case {
            name: "DISTRICT, one LA, 10 measures x 4 cohorts",
            query: format!(
                r#"{{ indicators(measures: {all}, periods: ["2022/23"], groupBy: [DISTRICT], filter: {{ laCode: "201" }}) {{ {fields} }} }}"#
            ),
        }),
        Arc::new(Case {
            name: "DISTRICT, all 150 districts, 2 measures",
            query: format!(
                r#"{{ indicators(measures: ["b_susp_rate", "b_progress"], periods: ["2022/23"], cohorts: ["all"], groupBy: [DISTRICT]) {{ {fields} }} }}"#
            ),
        }),
        Arc::new(Case {
            name: "SCHOOL, one LA's schools, 10 measures x 4 cohorts",
            query: format!(
                r#"{{ indicators(measures: {all}, periods: ["2022/23"], groupBy: [SCHOOL], filter: {{ laCode: "201" }}) {{ {fields} }} }}"#
            ),
        }),
    ];
    // Without the figure cache (every request computes), then with it (the dashboard case: the
    // same figures asked again while no import finishes).
    for (cache, ttl) in [("uncached", Duration::ZERO), ("cached", Duration::from_secs(600))] {
        let config = server::app::AppConfig {
            api: api::Settings { figure_cache: ttl, ..Default::default() },
            ..Default::default()
        };
        let app = TestApp::spawn_with(t.db.clone(), config).await;
        run_cases(&t, &app, backend, cache, &cases, secs).await;
        app.stop().await;
    }
}

async fn run_cases(t: &TestDb, app: &TestApp, backend: Backend, cache: &str, cases: &[Arc<Case>], secs: f64) {
    for case in cases {
        // One request alone, for its size and its statements.
        let before = t.statements();
        let one = app.data(&case.query, Value::Null).await;
        let statements = t.statements() - before;
        let rows = one["indicators"].as_array().map_or(0, Vec::len);
        load(app, case, 1.0).await; // warm up
        let (mut lat, errors) = load(app, case, secs).await;
        lat.sort();
        let pct = |p: usize| {
            lat.get(lat.len().saturating_sub(1) * p / 100).copied().unwrap_or_default().as_secs_f64() * 1000.0
        };
        println!(
            "{backend:?} {cache:<8} {:<50} {rows:>6} rows  {statements} statements  p50 {:>7.1} ms  p99 {:>7.1} ms  {:>7.1} req/s{}",
            case.name,
            pct(50),
            pct(99),
            lat.len() as f64 / secs,
            if errors > 0 { format!("  {errors} ERRORS") } else { String::new() },
        );
    }
}

fn main() {
    let mut args = std::env::args().skip(1).filter_map(|a| a.parse::<f64>().ok());
    let secs = args.next().unwrap_or(10.0);
    let schools = args.next().map_or(25_000, |n| n as usize);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    rt.block_on(async {
        bench(Backend::Sqlite, secs, schools).await;
        bench(Backend::Postgres, secs, schools).await;
    });
}

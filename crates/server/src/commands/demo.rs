//! `inclusion demo`: the quick start. Imports the bundled Kent sample (compiled into the binary,
//! so it works from any directory) and serves GraphQL.

use std::path::Path;
use std::process::ExitCode;

use ingest::spreadsheet::Kind;
use jobs::import_gias::{self, GiasImport};
use jobs::import_register::{self, RegisterImport};
use sea_orm::DatabaseConnection;

use crate::app::{self, App};
use crate::cli::{DemoArgs, Format};
use crate::commands::{import, serve};
use crate::progress::CliProgress;

/// A GIAS-format extract of Kent (886) establishments with some of Medway (887) around them.
const SAMPLE_GIAS: &[u8] = include_bytes!("../../../../data/sample/gias_kent_sample.csv");

/// The LA's own registers for those schools, as officers keep them (see docs/templates.md).
const SAMPLE_REGISTERS: [(Kind, &str, &[u8]); 4] = [
    (Kind::Srp, "srp_register.xlsx", include_bytes!("../../../../data/sample/srp_register.xlsx")),
    (Kind::Designations, "designations.xlsx", include_bytes!("../../../../data/sample/designations.xlsx")),
    (Kind::Clusters, "clusters.xlsx", include_bytes!("../../../../data/sample/clusters.xlsx")),
    (Kind::Training, "training.xlsx", include_bytes!("../../../../data/sample/training.xlsx")),
];

/// School-level statistics in DfE's published shapes for six of those schools (synthetic, see
/// `data/sample/statistics/README.md`), each found its mapping by file name.
const SAMPLE_STATISTICS: [(&str, &[u8]); 6] = [
    ("exc_school.csv", include_bytes!("../../../../data/sample/statistics/exc_school.csv")),
    ("1a_absence_3term_school.csv", include_bytes!("../../../../data/sample/statistics/1a_absence_3term_school.csv")),
    (
        "sen_school_level_underlying_data.csv",
        include_bytes!("../../../../data/sample/statistics/sen_school_level_underlying_data.csv"),
    ),
    ("ks2_institution.csv", include_bytes!("../../../../data/sample/statistics/ks2_institution.csv")),
    ("ks4_sen_provision.csv", include_bytes!("../../../../data/sample/statistics/ks4_sen_provision.csv")),
    ("s251_budget_la.csv", include_bytes!("../../../../data/sample/statistics/s251_budget_la.csv")),
];

/// Population by age for England, the South East, two of Kent's neighbours and Kent's twelve
/// districts (synthetic, in ONS's shapes): the denominators of `perPopulation`.
const SAMPLE_POPULATION: [(&str, &[u8]); 2] = [
    ("population_mye_synthetic.csv", include_bytes!("../../../../data/sample/statistics/population_mye_synthetic.csv")),
    (
        "population_kent_districts_synthetic.csv",
        include_bytes!("../../../../data/sample/statistics/population_kent_districts_synthetic.csv"),
    ),
];

/// A fresh analyst token for this demo run (labelled `demo`; revoke it with `inclusion token`).
async fn demo_analyst_token(db: &DatabaseConnection) -> anyhow::Result<String> {
    let token = api::auth::new_token().map_err(|e| anyhow::anyhow!("no randomness for a token: {e}"))?;
    let new = store::tokens::NewToken {
        hash: api::auth::hash_token(&token),
        role: api::Role::Analyst.as_str().to_owned(),
        school_urn: None,
        label: Some("demo".to_owned()),
        expires_at: Some(chrono::Utc::now() + chrono::Duration::days(1)),
    };
    store::tokens::insert(db, new, chrono::Utc::now()).await?;
    Ok(token)
}

pub(crate) async fn run(
    db: DatabaseConnection,
    demo: &DemoArgs,
    archive_dir: &Path,
    url: &str,
    jobs_ctx: jobs::queue::JobContext,
) -> anyhow::Result<ExitCode> {
    let args = &demo.serve;
    let sample_dir = archive_dir.join("sample");
    std::fs::create_dir_all(&sample_dir)?;
    let path = sample_dir.join("gias_kent_sample.csv");
    std::fs::write(&path, SAMPLE_GIAS)?;
    let job =
        GiasImport { path, la: None, force: false, trigger: "demo".into(), archive_dir: Some(archive_dir.to_owned()) };
    let code = import::report(import_gias::run(&db, &job, &CliProgress::new()).await, Format::Text);
    if code != ExitCode::SUCCESS {
        return Ok(code);
    }
    for (kind, name, bytes) in SAMPLE_REGISTERS {
        let path = sample_dir.join(name);
        std::fs::write(&path, bytes)?;
        let job = RegisterImport {
            path,
            kind,
            sheet: None,
            dry_run: false,
            trigger: "demo".into(),
            archive_dir: Some(archive_dir.to_owned()),
            cluster_size: (7, 14),
            today: chrono::Local::now().date_naive(),
            templates: Vec::new(),
            templates_dir: None,
        };
        let code = import::report(import_register::run(&db, &job).await, Format::Text);
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }
    for (name, bytes) in SAMPLE_STATISTICS {
        let path = sample_dir.join(name);
        std::fs::write(&path, bytes)?;
        let job = jobs::import_ees::EesImport {
            release: Default::default(),
            source: jobs::import_ees::EesSource::File(path),
            mapping: None,
            mappings_dir: None,
            api_base: String::new(),
            client: Default::default(),
            trigger: "demo".into(),
            archive_dir: archive_dir.to_owned(),
        };
        let code = import::report(jobs::import_ees::run(&db, &job, &CliProgress::new()).await, Format::Text);
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }
    for (name, bytes) in SAMPLE_POPULATION {
        let path = sample_dir.join(name);
        std::fs::write(&path, bytes)?;
        let job = jobs::import_population::PopulationImport {
            path,
            trigger: "demo".into(),
            archive_dir: Some(archive_dir.to_owned()),
        };
        let code = import::report(jobs::import_population::run(&db, &job).await, Format::Text);
        if code != ExitCode::SUCCESS {
            return Ok(code);
        }
    }
    let token = demo_analyst_token(&db).await?;
    let bound = app::bind(args.bind).await?;
    println!("GraphiQL: http://{}/graphql   (Ctrl-C to stop)", bound.local_addr);
    println!("Without a token you see what the public sees. To read as an analyst, add this header in");
    println!("GraphiQL's Headers tab:  {{\"Authorization\": \"Bearer {token}\"}}");
    serve::prune_access_log(db.clone(), args.audit_retention_days);
    // A worker in the same process: the queue and the schedules on the demo's SQLite.
    let queue = jobs::queue::Queue::open(url, std::time::Duration::from_secs(10)).await?;
    let schedules = jobs::schedule::load(args.schedules.as_deref())?;
    let (_stop, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(jobs::scheduler::run(
        db.clone(),
        queue.clone(),
        schedules.clone(),
        jobs_ctx.worker_id.clone(),
        stop_rx.clone(),
    ));
    tokio::spawn(jobs::monitor::run(
        db.clone(),
        crate::commands::worker::monitor(&demo.alerts, &schedules, &jobs_ctx.worker_id)?,
        stop_rx,
    ));
    let worker_ctx = std::sync::Arc::new(jobs_ctx);
    let worker_queue = queue.clone();
    tokio::spawn(async move {
        if let Err(e) = worker_queue.work(worker_ctx, app::shutdown_signal()).await {
            tracing::warn!(error = %e, "the demo's worker stopped");
        }
    });
    println!("A job worker runs beside it: `inclusion jobs list`, `inclusion jobs history`.");
    let control = std::sync::Arc::new(crate::jobs_control::JobsControl { db: db.clone(), queue, schedules });
    let config = app::AppConfig { jobs: Some(control), ..serve::config(args) };
    app::serve(bound, App::new(db, config), app::shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

//! `inclusion import …`: runs an import job and prints its report.

use std::path::Path;
use std::process::ExitCode;

use jobs::ImportSummary;
use jobs::import_gias::{self, GiasImport};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::cli::{EXIT_IMPORT_FAILED, Format, GiasArgs, RegisterKind, SpreadsheetArgs};
use crate::progress::CliProgress;

pub(crate) async fn gias(db: &DatabaseConnection, args: GiasArgs, archive_dir: &Path) -> anyhow::Result<ExitCode> {
    let job = GiasImport {
        path: args.path,
        la: args.la,
        force: args.force,
        trigger: "cli".into(),
        archive_dir: Some(archive_dir.to_owned()),
    };
    let result = import_gias::run(db, &job, &CliProgress::new()).await;
    Ok(report(result, args.format))
}

pub(crate) async fn spreadsheet(
    db: &DatabaseConnection,
    args: SpreadsheetArgs,
    archive_dir: &Path,
) -> anyhow::Result<ExitCode> {
    use ingest::spreadsheet::Kind;
    let cluster_size = args
        .cluster_size
        .split_once('-')
        .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
        .ok_or_else(|| anyhow::anyhow!("--cluster-size must be MIN-MAX, e.g. 7-14 (got {:?})", args.cluster_size))?;
    let job = jobs::import_register::RegisterImport {
        path: args.path,
        kind: match args.kind {
            RegisterKind::Srp => Kind::Srp,
            RegisterKind::Designations => Kind::Designations,
            RegisterKind::Clusters => Kind::Clusters,
            RegisterKind::Training => Kind::Training,
        },
        sheet: args.sheet,
        dry_run: args.dry_run,
        trigger: "cli".into(),
        archive_dir: Some(archive_dir.to_owned()),
        cluster_size,
        today: chrono::Local::now().date_naive(),
        templates: args.template,
        templates_dir: args.templates_dir,
    };
    Ok(report(jobs::import_register::run(db, &job).await, args.format))
}

pub(crate) async fn ees(
    db: &DatabaseConnection,
    job: jobs::import_ees::EesImport,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let result = jobs::import_ees::run(db, &job, &CliProgress::new()).await;
    Ok(report(result, format))
}

/// Prints the report (text or JSON) and returns 0 when the import committed.
pub(crate) fn report(result: Result<ImportSummary, jobs::Error>, format: Format) -> ExitCode {
    match (result, format) {
        (Ok(summary), Format::Text) => {
            print!("{summary}");
            ExitCode::SUCCESS
        }
        (Ok(s), Format::Json) => {
            let value = json!({
                "run": s.run_id,
                "job": s.job,
                "file": s.file,
                "sha256": s.sha256,
                "status": s.status.as_str(),
                "rows": {
                    "read": s.counts.read,
                    "inserted": s.counts.inserted,
                    "updated": s.counts.updated,
                    "unchanged": s.counts.unchanged,
                    "rejected": s.counts.rejected,
                    "outside_scope": s.skipped,
                },
                "counted": s.noun,
                "flagged_missing": s.flagged_missing,
                "issues": s.issues,
                "elapsed_ms": s.elapsed.as_millis() as u64,
            });
            println!("{value:#}");
            ExitCode::SUCCESS
        }
        (Err(e), Format::Text) => {
            eprintln!("error: {e}; nothing imported");
            ExitCode::from(EXIT_IMPORT_FAILED)
        }
        (Err(e), Format::Json) => {
            println!("{:#}", json!({"status": "failed", "error": e.to_string()}));
            ExitCode::from(EXIT_IMPORT_FAILED)
        }
    }
}

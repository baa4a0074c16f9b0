//! One function per subcommand.

mod audit;
mod demo;
mod import;
mod serve;
mod token;
mod worker;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use sea_orm::DatabaseConnection;

use crate::cli::{Cli, Command, ImportCommand};

pub(crate) async fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let archive_dir = cli.archive_dir.clone().unwrap_or_else(|| default_archive_dir(&cli.database_url));
    jobs::set_archive_cap(cli.archive_max_bytes);
    let ees = cli_ees(&cli);
    match cli.command {
        Command::Schema => {
            print!("{}", api::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            let db = open(&cli.database_url).await?;
            tracing::info!("migrations applied");
            drop(db);
            Ok(ExitCode::SUCCESS)
        }
        Command::Worker(args) => {
            let db = open(&cli.database_url).await?;
            let worker_id = args.worker_id.clone().unwrap_or_else(default_worker_id);
            let base = jobs::queue::JobContext {
                db: db.clone(),
                archive_dir: archive_dir.clone(),
                mappings_dir: ees.mappings_dir.clone(),
                api_base: ees.base_url.clone(),
                // One HTTP attempt per job attempt: apalis retries the job.
                client: sources::ClientConfig { max_attempts: 1, ..ees.client.clone() },
                worker_id,
                timeout: std::time::Duration::from_secs(args.job_timeout),
            };
            worker::worker(db, &cli.database_url, args, base).await
        }
        Command::Jobs(command) => {
            let db = open(&cli.database_url).await?;
            let dirs = (archive_dir.clone(), ees.mappings_dir.clone());
            worker::jobs(db, &cli.database_url, command, dirs).await
        }
        Command::Backup { path } => {
            let db = open(&cli.database_url).await?;
            store::backup::backup(&db, &path).await?;
            let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            eprintln!("backup written to {} ({:.1} MiB)", path.display(), bytes as f64 / 1_048_576.0);
            Ok(ExitCode::SUCCESS)
        }
        Command::Restore { path } => {
            store::backup::restore(&cli.database_url, &path).await?;
            // A backup from an older version comes up to date here.
            drop(open(&cli.database_url).await?);
            eprintln!("restored {} and applied pending migrations", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(command) => {
            let db = open(&cli.database_url).await?;
            token::run(&db, command).await
        }
        Command::Archive(crate::cli::ArchiveCommand::Prune { keep_days, dry_run }) => {
            let db = open(&cli.database_url).await?;
            let since = chrono::Utc::now() - chrono::Duration::days(i64::from(keep_days));
            let protected = store::runs::protected_inputs(&db, since).await?;
            let r = jobs::prune(&archive_dir, &protected, dry_run)?;
            for sha in &r.removed {
                println!("{} {sha}", if dry_run { "would remove" } else { "removed" });
            }
            eprintln!(
                "{}: {} inputs ({:.1} MiB) {}, {} kept ({:.1} MiB)",
                archive_dir.display(),
                r.removed.len(),
                r.removed_bytes as f64 / 1_048_576.0,
                if dry_run { "would be removed" } else { "removed" },
                r.kept,
                r.kept_bytes as f64 / 1_048_576.0
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit(args) => {
            let db = open(&cli.database_url).await?;
            audit::run(&db, args).await
        }
        Command::Serve(args) => {
            let db = open(&cli.database_url).await?;
            serve::run(db, &cli.database_url, &args).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => {
            let db = open(&cli.database_url).await?;
            let ctx = jobs::queue::JobContext {
                db: db.clone(),
                archive_dir: archive_dir.clone(),
                mappings_dir: ees.mappings_dir.clone(),
                api_base: ees.base_url.clone(),
                client: sources::ClientConfig { max_attempts: 1, ..ees.client.clone() },
                worker_id: default_worker_id(),
                timeout: std::time::Duration::from_secs(3600),
            };
            demo::run(db, &args, &archive_dir, &cli.database_url, ctx).await
        }
        Command::Import(ImportCommand::Gias(args)) => {
            let db = open(&cli.database_url).await?;
            import::gias(&db, args, &archive_dir).await
        }
        Command::Import(ImportCommand::GiasLinks(args)) => {
            let db = open(&cli.database_url).await?;
            let job = jobs::import_links::LinksImport {
                path: args.path,
                trigger: "cli".into(),
                archive_dir: Some(archive_dir.clone()),
            };
            Ok(import::report(jobs::import_links::run(&db, &job).await, args.format))
        }
        Command::Import(ImportCommand::StatisticalNeighbours(args)) => {
            let db = open(&cli.database_url).await?;
            let job = jobs::import_neighbours::NeighboursImport {
                path: args.path,
                model: args.model,
                trigger: "cli".into(),
                archive_dir: Some(archive_dir.clone()),
            };
            Ok(import::report(jobs::import_neighbours::run(&db, &job).await, args.format))
        }
        Command::Import(ImportCommand::LaRegions(args)) => {
            let db = open(&cli.database_url).await?;
            let job = jobs::import_la_regions::LaRegionsImport {
                path: args.path,
                trigger: "cli".into(),
                archive_dir: Some(archive_dir.clone()),
            };
            Ok(import::report(jobs::import_la_regions::run(&db, &job).await, args.format))
        }
        Command::Import(ImportCommand::Population(args)) => {
            let db = open(&cli.database_url).await?;
            let job = jobs::import_population::PopulationImport {
                path: args.path,
                trigger: "cli".into(),
                archive_dir: Some(archive_dir.clone()),
            };
            Ok(import::report(jobs::import_population::run(&db, &job).await, args.format))
        }
        Command::Import(ImportCommand::Spreadsheet(args)) => {
            let db = open(&cli.database_url).await?;
            import::spreadsheet(&db, args, &archive_dir).await
        }
        Command::Import(ImportCommand::Ees(args)) => {
            let db = open(&cli.database_url).await?;
            let source = jobs::import_ees::EesSource::Api { dataset: args.dataset, version: args.version };
            let job = jobs::import_ees::EesImport {
                release: args.release.info(),
                ..ees_job(&ees, source, args.mapping, &archive_dir)
            };
            import::ees(&db, job, args.format).await
        }
        Command::Import(ImportCommand::EesCsv(args)) => {
            let db = open(&cli.database_url).await?;
            let source = if args.source.starts_with("http://") || args.source.starts_with("https://") {
                jobs::import_ees::EesSource::Url(args.source)
            } else {
                jobs::import_ees::EesSource::File(PathBuf::from(args.source))
            };
            let job = jobs::import_ees::EesImport {
                release: args.release.info(),
                ..ees_job(&ees, source, Some(args.mapping), &archive_dir)
            };
            import::ees(&db, job, args.format).await
        }
    }
}

/// `host-pid`: which process ran a job, in the run history.
fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_owned()).unwrap_or_default();
    let host = if host.is_empty() { "worker".to_owned() } else { host };
    format!("{host}-{}", std::process::id())
}

/// The EES-related settings of the command line.
struct EesSettings {
    mappings_dir: Option<PathBuf>,
    base_url: String,
    client: sources::ClientConfig,
}

fn cli_ees(cli: &Cli) -> EesSettings {
    EesSettings {
        mappings_dir: cli.mappings_dir.clone(),
        base_url: cli.ees_base_url.clone(),
        client: sources::ClientConfig {
            read_timeout: std::time::Duration::from_secs(cli.http_read_timeout),
            max_attempts: cli.http_attempts.max(1),
            ..Default::default()
        },
    }
}

fn ees_job(
    s: &EesSettings,
    source: jobs::import_ees::EesSource,
    mapping: Option<String>,
    archive_dir: &std::path::Path,
) -> jobs::import_ees::EesImport {
    jobs::import_ees::EesImport {
        release: Default::default(),
        source,
        mapping,
        mappings_dir: s.mappings_dir.clone(),
        api_base: s.base_url.clone(),
        client: s.client.clone(),
        trigger: "cli".into(),
        archive_dir: archive_dir.to_owned(),
    }
}

/// Connects and applies pending migrations: every command that touches data starts here.
async fn open(url: &str) -> anyhow::Result<DatabaseConnection> {
    let db = store::connect(url).await?;
    store::migrate(&db).await.context("applying migrations")?;
    Ok(db)
}

/// `archive/` beside the SQLite file, else `./archive`.
fn default_archive_dir(database_url: &str) -> PathBuf {
    match store::backup::sqlite_file(database_url) {
        Some(f) => f.parent().map(PathBuf::from).unwrap_or_default().join("archive"),
        None => PathBuf::from("archive"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_sits_beside_the_sqlite_file() {
        assert_eq!(default_archive_dir("sqlite://inclusion.db?mode=rwc"), PathBuf::from("archive"));
        assert_eq!(
            default_archive_dir("sqlite:///var/lib/inclusion/x.db"),
            PathBuf::from("/var/lib/inclusion/archive")
        );
        assert_eq!(default_archive_dir("postgres://u@h/db"), PathBuf::from("archive"));
    }
}

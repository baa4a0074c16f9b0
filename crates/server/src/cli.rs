//! The command line: one typed struct, read once, documenting itself in `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands;

/// Imports DfE and local authority SEND inclusion data and serves it as one GraphQL schema.
#[derive(Debug, Parser)]
#[command(name = "inclusion", version, about)]
pub struct Cli {
    /// Database to use: `sqlite://FILE?mode=rwc` (embedded) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://inclusion.db?mode=rwc", global = true)]
    pub database_url: String,

    /// Directory where every imported input is kept, named by its sha256
    /// [default: `archive/` beside the SQLite file, or `./archive` for PostgreSQL].
    #[arg(long, env = "INCLUSION_ARCHIVE_DIR", global = true)]
    pub archive_dir: Option<PathBuf>,

    /// Bytes the archive may hold (0: no cap); past it, inputs no run needs are pruned, and an
    /// import that still does not fit is refused.
    #[arg(long, env = "INCLUSION_ARCHIVE_MAX_BYTES", default_value_t = 20 * 1024 * 1024 * 1024, global = true)]
    pub archive_max_bytes: u64,

    /// Directory of mapping files (TOML) that add to or override the built-in ones.
    #[arg(long = "mappings", env = "INCLUSION_MAPPINGS_DIR", global = true)]
    pub mappings_dir: Option<PathBuf>,

    /// Base URL of the Explore Education Statistics API.
    #[arg(long, env = "INCLUSION_EES_BASE_URL", default_value = sources::DEFAULT_BASE_URL, global = true)]
    pub ees_base_url: String,

    /// Seconds to wait for the next bytes of a DfE response before retrying.
    #[arg(long, env = "INCLUSION_HTTP_READ_TIMEOUT", default_value_t = 60, global = true)]
    pub http_read_timeout: u64,

    /// Attempts per DfE request (timeouts, 429 and 5xx are retried with backoff).
    #[arg(long, env = "INCLUSION_HTTP_ATTEMPTS", default_value_t = 5, global = true)]
    pub http_attempts: u32,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, import the bundled Kent sample data and serve GraphQL: the quick start.
    Demo(DemoArgs),
    /// Serve GraphQL at /graphql (GraphiQL on GET) and /healthz.
    Serve(ServeArgs),
    /// Import a data file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Apply pending database migrations.
    Migrate,
    /// Print the GraphQL schema (SDL).
    Schema,
    /// Make, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// List the access log: who read restricted data, when, and which schools.
    Audit(AuditArgs),
    /// Look after the archive of imported inputs.
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// Run queued import jobs and the schedules, beside other workers on the same database.
    Worker(WorkerArgs),
    /// Operators' view of the jobs: schedules, queueing, run history.
    #[command(subcommand)]
    Jobs(JobsCommand),
    /// Write a consistent copy of the SQLite database while it serves (PostgreSQL: pg_dump).
    Backup {
        /// The copy to write; never overwritten.
        path: PathBuf,
    },
    /// Restore a backup into an empty SQLite database, then migrate it (PostgreSQL: pg_restore).
    Restore {
        /// A file `inclusion backup` wrote.
        path: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct WorkerArgs {
    /// Schedules file (default: the shipped jobs/schedules.toml).
    #[arg(long, env = "INCLUSION_SCHEDULES")]
    pub schedules: Option<PathBuf>,
    /// Run queued jobs only; queue no schedule ticks.
    #[arg(long)]
    pub no_schedules: bool,
    /// This worker's name in the run history (default: host and process id).
    #[arg(long, env = "INCLUSION_WORKER_ID")]
    pub worker_id: Option<String>,
    /// Seconds one job may run before it is failed and retried.
    #[arg(long, env = "INCLUSION_JOB_TIMEOUT", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..))]
    pub job_timeout: u64,
    /// Seconds between a worker's heartbeats; a job whose worker misses three goes to another.
    #[arg(long, env = "INCLUSION_WORKER_HEARTBEAT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub heartbeat: u64,
    /// Seconds a worker told to stop (SIGTERM, Ctrl-C) gives the job in hand to finish; past it the
    /// worker exits, the job's transaction rolls back and its run is taken up again elsewhere.
    #[arg(long, env = "INCLUSION_SHUTDOWN_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub shutdown_timeout: u64,
    #[command(flatten)]
    pub alerts: AlertArgs,
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Every schedule with its job, cron, last and next tick.
    List {
        #[arg(long, env = "INCLUSION_SCHEDULES")]
        schedules: Option<PathBuf>,
    },
    /// Queue a schedule's job now (a worker runs it).
    Run {
        /// A schedule name from `jobs list`.
        name: String,
        #[arg(long, env = "INCLUSION_SCHEDULES")]
        schedules: Option<PathBuf>,
    },
    /// One run: what it read and wrote, its job, and its issues.
    Show {
        run: i64,
        /// Issues listed at most.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        issues: u64,
    },
    /// Queue a queued run's job again (after a fault outside it was fixed); a worker runs it.
    Retry { run: i64 },
    /// Import a run's archived input again, here and now, with today's mappings and templates
    /// (after a mapping fix). Statistics, GIAS and register runs.
    Rerun {
        run: i64,
        /// Change nothing: list the figures a re-import would insert or change, old and new.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import runs, newest first.
    History {
        /// Failed runs only.
        #[arg(long)]
        failed: bool,
        /// Runs of this job only (`import_ees`, `import_gias`, …).
        #[arg(long)]
        job: Option<String>,
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=10_000))]
        limit: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ArchiveCommand {
    /// Remove archived inputs no longer needed: those of runs started within --keep-days, of
    /// failed runs, and of the latest committed run of each job and scope are kept.
    Prune {
        #[arg(long, default_value_t = 90)]
        keep_days: u32,
        /// List what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it, once, on stdout (only its hash is stored).
    Create(TokenCreateArgs),
    /// Every token: id, role, URN, label, created, last used, expires, revoked.
    List,
    /// Revoke a token by id: requests carrying it get 401 from then on.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: i32,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TokenRole {
    Analyst,
    School,
    Operator,
    Public,
}

#[derive(Debug, clap::Args)]
pub struct TokenCreateArgs {
    #[arg(long, value_enum)]
    pub role: TokenRole,
    /// The school a `school` token is scoped to (its URN).
    #[arg(long)]
    pub urn: Option<i32>,
    /// Who or what the token is for, e.g. "Bearsted Primary SENCo".
    #[arg(long)]
    pub label: Option<String>,
    /// Last day the token works (YYYY-MM-DD, UTC) [default: never expires].
    #[arg(long)]
    pub expires: Option<chrono::NaiveDate>,
}

#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    /// Only reads made with this token id.
    #[arg(long)]
    pub token: Option<i32>,
    /// Only reads on or after this day (YYYY-MM-DD, UTC).
    #[arg(long)]
    pub since: Option<chrono::NaiveDate>,
    /// Only reads that showed this school's restricted figures.
    #[arg(long)]
    pub school: Option<i32>,
    /// At most this many entries, newest first.
    #[arg(long, default_value_t = 1000)]
    pub limit: u64,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "INCLUSION_BIND", default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Largest page (`first`) a connection accepts.
    #[arg(long, env = "INCLUSION_PAGE_MAX", default_value_t = 500)]
    pub page_max: usize,
    /// Deepest query nesting accepted.
    #[arg(long, env = "INCLUSION_MAX_DEPTH", default_value_t = 12)]
    pub max_depth: usize,
    /// Highest query complexity accepted (a list costs its page size times its fields).
    #[arg(long, env = "INCLUSION_MAX_COMPLEXITY", default_value_t = 50_000)]
    pub max_complexity: usize,
    /// Refuse requests without a bearer token (HTTP 401) instead of serving them as `public`.
    #[arg(long, env = "INCLUSION_REQUIRE_TOKEN")]
    pub require_token: bool,
    /// GraphQL introspection (GraphiQL's docs and autocomplete): `true` or `false`.
    #[arg(long, env = "INCLUSION_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set)]
    pub introspection: bool,
    /// Restricted group figures are shown only for groups of at least this many schools.
    #[arg(long, env = "INCLUSION_MIN_GROUP_SCHOOLS", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub min_group_schools: u32,
    /// Restricted counts from 1 to this less one are shown as `c` (as DfE suppresses).
    #[arg(long, env = "INCLUSION_SUPPRESS_BELOW", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    pub suppress_below: u32,
    /// Seconds a checked token is trusted before it is looked up again: a revocation reaches
    /// every replica within this time (0: look every request up).
    #[arg(long, env = "INCLUSION_TOKEN_CACHE_SECONDS", default_value_t = 10)]
    pub token_cache_seconds: u64,
    /// Seconds computed indicator figures are kept while no import finishes (a finished import
    /// empties the cache on every replica at its next request; 0: compute every request).
    #[arg(long, env = "INCLUSION_FIGURE_CACHE_SECONDS", default_value_t = 60)]
    pub figure_cache_seconds: u64,
    /// Seconds a request may take, from its body to its answer; a slower one gets 503.
    #[arg(long, env = "INCLUSION_REQUEST_TIMEOUT", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout: u64,
    /// Largest request body accepted, in bytes; a larger one gets 413.
    #[arg(long, env = "INCLUSION_MAX_BODY_BYTES", default_value_t = 1_048_576, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_body_bytes: u64,
    /// GraphQL requests executed at once; more wait their turn.
    #[arg(long, env = "INCLUSION_MAX_CONCURRENT_REQUESTS", default_value_t = 8, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_concurrent_requests: u64,
    /// Rows one request may return across all its lists.
    #[arg(long, env = "INCLUSION_MAX_ROWS", default_value_t = 50_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_rows: u64,
    /// Origins a browser may call the API from (CORS), comma-separated, e.g.
    /// `https://dashboards.kent.gov.uk`; none: only pages this server serves.
    #[arg(long, env = "INCLUSION_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Days the access log is kept.
    #[arg(long, env = "INCLUSION_AUDIT_RETENTION_DAYS", default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..))]
    pub audit_retention_days: u32,
    /// Schedules file the operators' API and `/healthz` report on (default: the shipped
    /// jobs/schedules.toml); give the workers the same file.
    #[arg(long, env = "INCLUSION_SCHEDULES")]
    pub schedules: Option<PathBuf>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub alerts: AlertArgs,
}

#[derive(Debug, Clone, clap::Args)]
pub struct AlertArgs {
    /// Incoming-webhook URL (Teams or Slack) that failed runs, runs that rejected rows and stale
    /// sources are posted to, once per incident; none: they are only logged.
    #[arg(long, env = "INCLUSION_ALERT_WEBHOOK")]
    pub alert_webhook: Option<String>,
    /// Seconds between the worker's looks for failed runs and stale sources.
    #[arg(long, env = "INCLUSION_MONITOR_INTERVAL", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub monitor_interval: u64,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// The GIAS establishment extract (edubasealldataYYYYMMDD.csv), Windows-1252 or UTF-8.
    Gias(GiasArgs),
    /// GIAS's links file (links_edubasealldataYYYYMMDD.csv): academy conversions, mergers, splits.
    #[command(name = "gias-links")]
    GiasLinks(FileArgs),
    /// DfE's children's services statistical neighbours workbook (sheet `LA SN Groups`): each
    /// LA's ten neighbours, replacing the model stored before.
    #[command(name = "statistical-neighbours")]
    StatisticalNeighbours(NeighboursArgs),
    /// DfE's LA–region lookup (xlsx or ods, as the EES table tool writes it): each LA's region,
    /// matched by LA name.
    #[command(name = "la-regions")]
    LaRegions(FileArgs),
    /// ONS mid-year population estimates by area and single year of age (CSV, xlsx or ods):
    /// the denominator of per-head indicators. Each area and year the file gives replaces
    /// what was stored for it.
    Population(FileArgs),
    /// A data set of the Explore Education Statistics API, downloaded as CSV.
    Ees(EesArgs),
    /// A local authority register: SRPs, special school designations, locality clusters or
    /// training engagement (xlsx, xlsm, xls, ods or csv).
    Spreadsheet(SpreadsheetArgs),
    /// An EES tidy CSV (open-data standard) from a file or URL (a ZIP of CSVs too).
    #[command(name = "ees-csv")]
    EesCsv(EesCsvArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegisterKind {
    Srp,
    Designations,
    Clusters,
    Training,
}

#[derive(Debug, clap::Args)]
pub struct FileArgs {
    /// Path of the file.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct NeighboursArgs {
    /// Path of the workbook (xlsx or ods).
    pub path: PathBuf,
    /// The model's name, e.g. `May 2025` [default: the file's name].
    #[arg(long)]
    pub model: Option<String>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct SpreadsheetArgs {
    /// What the register holds.
    #[arg(long, value_enum)]
    pub kind: RegisterKind,
    /// Path of the workbook or CSV.
    pub path: PathBuf,
    /// Sheet to read [default: the visible sheet whose headers fit the kind].
    #[arg(long)]
    pub sheet: Option<String>,
    /// Validate against the database and print the report; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Cluster sizes outside MIN-MAX are warnings.
    #[arg(long, env = "INCLUSION_CLUSTER_SIZE", default_value = "7-14")]
    pub cluster_size: String,
    /// A template file mapping this workbook's headers to the kind's fields (TOML; repeatable).
    #[arg(long, value_name = "FILE")]
    pub template: Vec<PathBuf>,
    /// A directory of template files; those of this kind apply to every import of it.
    #[arg(long, env = "INCLUSION_TEMPLATES_DIR", value_name = "DIR")]
    pub templates_dir: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct EesArgs {
    /// Data set id (a UUID, as the EES API lists it).
    #[arg(long)]
    pub dataset: String,
    /// Data set version, e.g. `2.0` [default: the latest].
    #[arg(long)]
    pub version: Option<String>,
    /// Mapping to read it with [default: the mapping that names this data set].
    #[arg(long)]
    pub mapping: Option<String>,
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, clap::Args)]
pub struct EesCsvArgs {
    /// A path, or an http(s) URL.
    pub source: String,
    /// Mapping to read it with (a file name in mappings/ without `.toml`).
    #[arg(long)]
    pub mapping: String,
    #[command(flatten)]
    pub release: ReleaseArgs,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// What the operator knows of the release an EES input belongs to (recorded as each figure's source).
#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// The release, e.g. `2023/24` or `Spring term 2023/24`.
    #[arg(long, value_name = "TITLE")]
    pub release: Option<String>,
    /// When DfE published it (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub published: Option<chrono::NaiveDate>,
    /// The release is provisional (a revised one will replace its figures).
    #[arg(long, conflicts_with = "revised")]
    pub provisional: bool,
    /// The release is revised (or final): it replaces a provisional one.
    #[arg(long)]
    pub revised: bool,
}

impl ReleaseArgs {
    pub fn info(&self) -> jobs::import_ees::ReleaseInfo {
        jobs::import_ees::ReleaseInfo {
            title: self.release.as_ref().map(|t| t.trim().chars().take(200).collect()),
            published: self.published.map(|d| d.to_string()),
            provisional: match (self.provisional, self.revised) {
                (true, _) => Some(true),
                (_, true) => Some(false),
                _ => None,
            },
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct GiasArgs {
    /// Path of the extract.
    pub path: PathBuf,
    /// Import only this local authority (old three-digit code, e.g. 886 for Kent).
    #[arg(long, env = "INCLUSION_LA")]
    pub la: Option<String>,
    /// Accept an extract that lists far fewer establishments than the last import.
    #[arg(long)]
    pub force: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

/// Exit code when an import wrote nothing (refused file, failed run).
pub const EXIT_IMPORT_FAILED: u8 = 2;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

/// Runs a parsed command line; the exit code says whether it worked.
pub async fn run(cli: Cli) -> ExitCode {
    match commands::dispatch(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs on stderr: text for people, or with `INCLUSION_LOG_FORMAT=json` one JSON object per line
/// for a log shipper. `RUST_LOG` sets the level (default `info`).
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let format = std::env::var("INCLUSION_LOG_FORMAT").unwrap_or_default();
    match format.trim().to_ascii_lowercase().as_str() {
        "json" => {
            tracing_subscriber::fmt().json().with_env_filter(filter).with_writer(std::io::stderr).init();
        }
        "" | "text" => tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init(),
        _ => {
            tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
            let shown: String = format.chars().take(40).collect();
            tracing::warn!("INCLUSION_LOG_FORMAT {shown:?} is neither text nor json; logging as text");
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn import_gias_takes_a_path_and_an_la() {
        let cli = Cli::try_parse_from(["inclusion", "import", "gias", "x.csv", "--la", "886"]).unwrap();
        let Command::Import(ImportCommand::Gias(args)) = cli.command else { panic!("not import gias") };
        assert_eq!((args.path, args.la), (PathBuf::from("x.csv"), Some("886".to_owned())));
    }

    #[test]
    fn serve_reads_the_access_settings() {
        let cli = Cli::try_parse_from(["inclusion", "serve", "--require-token", "--introspection", "false"]).unwrap();
        let Command::Serve(args) = cli.command else { panic!("not serve") };
        assert!(args.require_token && !args.introspection);
        assert_eq!((args.min_group_schools, args.suppress_below, args.audit_retention_days), (5, 5, 400));
        for bad in [["--min-group-schools", "0"], ["--suppress-below", "-1"], ["--introspection", "maybe"]] {
            assert!(Cli::try_parse_from(["inclusion", "serve", bad[0], bad[1]]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn token_create_takes_a_role_and_refuses_a_bad_date() {
        let cli = Cli::try_parse_from(["inclusion", "token", "create", "--role", "school", "--urn", "118265"]).unwrap();
        let Command::Token(TokenCommand::Create(args)) = cli.command else { panic!("not token create") };
        assert_eq!((args.role, args.urn), (TokenRole::School, Some(118265)));
        assert!(Cli::try_parse_from(["inclusion", "token", "create", "--role", "admin"]).is_err());
        assert!(
            Cli::try_parse_from(["inclusion", "token", "create", "--role", "analyst", "--expires", "31/12/2027"])
                .is_err()
        );
    }
}

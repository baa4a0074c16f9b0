//! End-to-end tests: real SQLite files and a real PostgreSQL server, the real HTTP app on
//! 127.0.0.1, GraphQL spoken as a client would. One module per feature.

mod access;
mod cli;
mod ees;
mod ees_bulk;
mod foreign_keys;
mod gias_import;
mod graphql_api;
mod hardening;
mod http_audit;
mod indicators;
mod jobs_queue;
mod links;
mod operators;
mod population;
mod registers;
mod schema_drift;
mod school_level;
mod server_http;

/// Runs an async test body once on SQLite and once on PostgreSQL (`sqlite` / `postgres` tests).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident => $body:ident;)*) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = test_support::TestDb::sqlite().await;
                super::$body(db).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = test_support::TestDb::postgres().await else { return };
                super::$body(db).await;
            }
        }
    )*};
}

use jobs::import_gias::GiasImport;

/// An import of a committed fixture with the given LA scope, archiving into a temp dir.
pub fn gias_job(path: std::path::PathBuf, la: Option<&str>) -> GiasImport {
    GiasImport { path, la: la.map(str::to_owned), force: false, trigger: "test".into(), archive_dir: None }
}

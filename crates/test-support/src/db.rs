//! A fresh, migrated database per test, with a statement counter.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection};

pub use store::Backend;

/// A database that exists for one test.
pub struct TestDb {
    pub backend: Backend,
    pub url: String,
    pub db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
    _dir: Option<tempfile::TempDir>,
    /// (admin URL, database name) of a PostgreSQL database to drop afterwards.
    pg: Option<(String, String)>,
}

fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

impl TestDb {
    /// A new SQLite file in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
        Self::open(Backend::Sqlite, url, Some(dir), None).await
    }

    /// A new PostgreSQL database, or `None` (with the reason printed) when no server answers
    /// outside CI. Under `CI=true` a missing server fails the test.
    pub async fn postgres() -> Option<Self> {
        let admin = admin_url();
        let conn = match Database::connect(&admin).await {
            Ok(c) => c,
            Err(e) => {
                if under_ci() {
                    panic!("PostgreSQL is required under CI=true but {admin} is unreachable: {e}");
                }
                eprintln!("SKIPPED: PostgreSQL test: {admin} is unreachable ({e}); set TEST_POSTGRES_URL");
                return None;
            }
        };
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "inclusion_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
        );
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
        let _ = conn.close().await;
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        Some(Self::open(Backend::Postgres, url, None, Some((admin, name))).await)
    }

    /// The backend a test asked for; `None` when PostgreSQL is skipped.
    pub async fn of(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => Some(Self::sqlite().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    async fn open(backend: Backend, url: String, dir: Option<tempfile::TempDir>, pg: Option<(String, String)>) -> Self {
        let mut db = store::connect(&url).await.expect("connect test database");
        store::migrate(&db).await.expect("migrate test database");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        Self { backend, url, db, statements, _dir: dir, pg }
    }

    /// SQL statements run on this database so far.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.pg.take() else { return };
        // Drop runs outside async: use a thread with its own runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let conn = Database::connect(&admin).await.ok()?;
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok()?;
                conn.close().await.ok()
            })
        })
        .join();
    }
}

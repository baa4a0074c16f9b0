//! `inclusion serve`.

use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::app::{self, App, AppConfig, HttpLimits};
use crate::cli::ServeArgs;

pub(crate) fn config(args: &ServeArgs) -> AppConfig {
    AppConfig {
        api: api::Settings {
            limits: api::Limits {
                depth: args.max_depth,
                complexity: args.max_complexity,
                page_max: args.page_max,
                max_rows: usize::try_from(args.max_rows).unwrap_or(usize::MAX),
            },
            policy: api::Policy {
                min_group_schools: args.min_group_schools as usize,
                suppress_below: i64::from(args.suppress_below),
            },
            introspection: args.introspection,
            figure_cache: Duration::from_secs(args.figure_cache_seconds),
        },
        require_token: args.require_token,
        token_cache: Duration::from_secs(args.token_cache_seconds),
        http: HttpLimits {
            max_body_bytes: usize::try_from(args.max_body_bytes).unwrap_or(usize::MAX),
            timeout: Duration::from_secs(args.request_timeout),
            max_concurrent: usize::try_from(args.max_concurrent_requests).unwrap_or(usize::MAX),
        },
        cors_origins: args.cors_origins.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
        jobs: None,
    }
}

/// The job system the operators' API steers: the queue in the database at `url` and the schedules.
pub(crate) async fn control(
    db: &DatabaseConnection,
    url: &str,
    schedules: Option<&std::path::Path>,
) -> anyhow::Result<std::sync::Arc<dyn api::JobControl>> {
    let schedules = jobs::schedule::load(schedules)?;
    let queue = jobs::queue::Queue::open(url, Duration::from_secs(10)).await?;
    Ok(std::sync::Arc::new(crate::jobs_control::JobsControl { db: db.clone(), queue, schedules }))
}

/// Deletes access-log entries past retention now and then every hour, while serving.
pub(crate) fn prune_access_log(db: DatabaseConnection, retention_days: u32) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            let before = chrono::Utc::now() - chrono::Duration::days(i64::from(retention_days));
            match store::audit::prune(&db, before).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(entries = n, retention_days, "pruned the access log"),
                Err(e) => tracing::warn!(error = %e, "cannot prune the access log"),
            }
        }
    });
}

pub(crate) async fn run(db: DatabaseConnection, url: &str, args: &ServeArgs) -> anyhow::Result<()> {
    let bound = app::bind(args.bind).await?;
    prune_access_log(db.clone(), args.audit_retention_days);
    let config = AppConfig { jobs: Some(control(&db, url, args.schedules.as_deref()).await?), ..config(args) };
    app::serve(bound, App::new(db, config), app::shutdown_signal()).await?;
    Ok(())
}

//! The HTTP application: `/graphql` (POST queries, GET GraphiQL), GraphiQL's vendored assets
//! and `/healthz`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Json};
use poem::{EndpointExt, IntoResponse, Route, Server, get, handler, http::StatusCode};

use crate::graphiql;
pub use crate::graphql_http::HttpLimits;
use crate::graphql_http::{self, GraphqlEndpoint};
use sea_orm::DatabaseConnection;
use serde_json::json;

/// How the app serves: the API's settings and whether anonymous requests are refused.
#[derive(Clone)]
pub struct AppConfig {
    pub api: api::Settings,
    /// Refuse requests without a token (401) instead of serving them as `PUBLIC`.
    pub require_token: bool,
    /// How long a checked token is trusted before it is looked up again (revocations reach a
    /// replica within it); zero looks every request up.
    pub token_cache: Duration,
    /// Body size and time limits of one request.
    pub http: HttpLimits,
    /// Origins a browser may call the API from (CORS); none: only pages this server serves.
    pub cors_origins: Vec<String>,
    /// The job system the operators' fields steer and `/healthz` reports the sources of; none:
    /// no schedules, and the mutations answer `UNAVAILABLE`.
    pub jobs: Option<Arc<dyn api::JobControl>>,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("api", &self.api)
            .field("require_token", &self.require_token)
            .field("token_cache", &self.token_cache)
            .field("http", &self.http)
            .field("cors_origins", &self.cors_origins)
            .field("jobs", &self.jobs.is_some())
            .finish()
    }
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            api: api::Settings::default(),
            require_token: false,
            token_cache: Duration::from_secs(10),
            http: HttpLimits::default(),
            cors_origins: Vec::new(),
            jobs: None,
        }
    }
}

/// The routes over one database pool.
pub struct App {
    pub route: poem::endpoint::BoxEndpoint<'static>,
}

impl App {
    pub fn new(db: DatabaseConnection, config: AppConfig) -> Self {
        let http_metrics = Arc::new(crate::http_metrics::HttpMetrics::default());
        let endpoint = Arc::new(GraphqlEndpoint {
            api: api::Api::new(db.clone(), config.api, config.jobs.clone()),
            auth: Arc::new(api::auth::Authenticator::new(db.clone(), config.require_token, config.token_cache)),
            limits: config.http,
            in_flight: tokio::sync::Semaphore::new(config.http.max_concurrent.max(1)),
            metrics: http_metrics.clone(),
        });
        let route = Route::new()
            .at("/graphql", get(graphiql::page).post(graphql_http::post))
            .at("/graphiql/:name", get(graphiql::asset))
            .at("/healthz", get(healthz))
            .at("/metrics", get(crate::metrics::metrics))
            .data(endpoint)
            .data(Sources(config.jobs.clone()))
            .data(http_metrics)
            .data(db);
        let route = if config.cors_origins.is_empty() {
            route.boxed()
        } else {
            let cors = poem::middleware::Cors::new()
                .allow_origins(config.cors_origins.iter().map(String::as_str))
                .allow_methods([poem::http::Method::GET, poem::http::Method::POST])
                .allow_headers(["authorization", "content-type", "accept"])
                .max_age(600);
            route.with(cors).boxed()
        };
        Self { route: route.with(poem::middleware::Tracing).boxed() }
    }
}

/// The schedules `/healthz` checks the freshness of.
#[derive(Clone)]
struct Sources(Option<Arc<dyn api::JobControl>>);

/// 200 when the database answers, 503 otherwise. The detail names the stale sources (status
/// `degraded`, still 200: a stale source is no reason to take a replica out of service).
#[handler]
async fn healthz(Data(db): Data<&DatabaseConnection>, Data(sources): Data<&Sources>) -> impl IntoResponse {
    if let Err(e) = db.ping().await {
        tracing::warn!(error = %e, "health check: database unreachable");
        return Json(json!({"status": "unavailable", "database": "unreachable"}))
            .with_status(StatusCode::SERVICE_UNAVAILABLE);
    }
    let now = chrono::Utc::now();
    let schedules = sources.0.as_ref().map(|c| c.schedules(now)).unwrap_or_default();
    match api::source_states(db, &schedules, now).await {
        Ok(states) => {
            let stale: Vec<serde_json::Value> = states
                .iter()
                .filter(|s| s.stale)
                .map(|s| {
                    json!({
                        "name": s.name,
                        "lastSuccess": s.last_success.map(|t| t.to_rfc3339()),
                        "staleFrom": s.stale_from.map(|t| t.to_rfc3339()),
                    })
                })
                .collect();
            let status = if stale.is_empty() { "ok" } else { "degraded" };
            Json(json!({
                "status": status,
                "database": "ok",
                "sources": {"checked": states.len(), "stale": stale},
            }))
            .with_status(StatusCode::OK)
        }
        Err(e) => {
            tracing::warn!(error = %e, "health check: cannot read the run history");
            Json(json!({"status": "ok", "database": "ok", "sources": "unknown"})).with_status(StatusCode::OK)
        }
    }
}

/// A bound listener, so callers (and tests using port 0) learn the real address before serving.
pub struct Bound {
    acceptor: poem::listener::TcpAcceptor,
    pub local_addr: SocketAddr,
}

pub async fn bind(addr: SocketAddr) -> std::io::Result<Bound> {
    let acceptor = TcpListener::bind(addr).into_acceptor().await?;
    let local_addr = acceptor.local_addr().into_iter().find_map(|a| a.as_socket_addr().copied()).unwrap_or(addr);
    Ok(Bound { acceptor, local_addr })
}

/// Serves until `shutdown` resolves, then lets requests in flight finish (up to 10 s).
pub async fn serve(
    bound: Bound,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = %bound.local_addr, "serving GraphQL at http://{}/graphql", bound.local_addr);
    // A connection that sends nothing for a while is closed (half-sent requests are not held).
    Server::new_with_acceptor(bound.acceptor)
        .idle_timeout(Duration::from_secs(30))
        .run_with_graceful_shutdown(app.route, shutdown, Some(Duration::from_secs(10)))
        .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received; finishing requests in flight");
}

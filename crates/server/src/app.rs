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
#[derive(Debug, Clone)]
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
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            api: api::Settings::default(),
            require_token: false,
            token_cache: Duration::from_secs(10),
            http: HttpLimits::default(),
            cors_origins: Vec::new(),
        }
    }
}

/// The routes over one database pool.
pub struct App {
    pub route: poem::endpoint::BoxEndpoint<'static>,
}

impl App {
    pub fn new(db: DatabaseConnection, config: AppConfig) -> Self {
        let endpoint = Arc::new(GraphqlEndpoint {
            api: api::Api::new(db.clone(), config.api),
            auth: Arc::new(api::auth::Authenticator::new(db.clone(), config.require_token, config.token_cache)),
            limits: config.http,
            in_flight: tokio::sync::Semaphore::new(config.http.max_concurrent.max(1)),
        });
        let route = Route::new()
            .at("/graphql", get(graphiql::page).post(graphql_http::post))
            .at("/graphiql/:name", get(graphiql::asset))
            .at("/healthz", get(healthz))
            .at("/metrics", get(crate::metrics::metrics))
            .data(endpoint)
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

/// 200 when the database answers, 503 otherwise.
#[handler]
async fn healthz(Data(db): Data<&DatabaseConnection>) -> impl IntoResponse {
    match db.ping().await {
        Ok(()) => Json(json!({"status": "ok", "database": "ok"})).with_status(StatusCode::OK),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            Json(json!({"status": "unavailable", "database": "unreachable"}))
                .with_status(StatusCode::SERVICE_UNAVAILABLE)
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

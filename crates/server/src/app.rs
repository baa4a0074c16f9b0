//! The HTTP application: `/graphql` (POST queries, GET GraphiQL) and `/healthz`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Html, Json};
use poem::{EndpointExt, IntoResponse, Route, Server, get, handler, http::StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::json;

/// How the app serves: the API's settings and whether anonymous requests are refused.
#[derive(Debug, Clone, Copy)]
pub struct AppConfig {
    pub api: api::Settings,
    /// Refuse requests without a token (401) instead of serving them as `PUBLIC`.
    pub require_token: bool,
    /// How long a checked token is trusted before it is looked up again (revocations reach a
    /// replica within it); zero looks every request up.
    pub token_cache: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self { api: api::Settings::default(), require_token: false, token_cache: Duration::from_secs(10) }
    }
}

/// The routes over one database pool.
pub struct App {
    pub route: poem::endpoint::BoxEndpoint<'static>,
}

impl App {
    pub fn new(db: DatabaseConnection, config: AppConfig) -> Self {
        let api = api::Api::new(db.clone(), config.api);
        let auth = Arc::new(api::auth::Authenticator::new(db.clone(), config.require_token, config.token_cache));
        let route = Route::new()
            .at("/graphql", get(graphiql).post(graphql))
            .at("/healthz", get(healthz))
            .data(api)
            .data(auth)
            .data(db)
            .with(poem::middleware::Tracing)
            .boxed();
        Self { route }
    }
}

/// Resolves the viewer from the bearer token, then executes the query as that viewer.
#[handler]
async fn graphql(
    Data(api): Data<&api::Api>,
    Data(auth): Data<&Arc<api::auth::Authenticator>>,
    http: &poem::Request,
    request: GraphQLRequest,
) -> poem::Response {
    let mut headers = http.headers().get_all(poem::http::header::AUTHORIZATION).iter();
    let header = headers.next().map(|v| v.as_bytes());
    let resolved = if headers.next().is_some() {
        Err(api::auth::AuthError::Unauthenticated("send one Authorization header"))
    } else {
        auth.resolve(header, chrono::Utc::now()).await
    };
    match resolved {
        Ok(viewer) => GraphQLResponse::from(api.execute(request.0, viewer).await).into_response(),
        Err(api::auth::AuthError::Unauthenticated(why)) => Json(api::unauthenticated_response(why))
            .with_status(StatusCode::UNAUTHORIZED)
            .with_header("WWW-Authenticate", "Bearer realm=\"inclusion\"")
            .into_response(),
        Err(api::auth::AuthError::Store(e)) => {
            Json(api::internal_response(&e)).with_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()
        }
    }
}

#[handler]
fn graphiql() -> impl IntoResponse {
    Html(GraphiQLSource::build().endpoint("/graphql").title("inclusion GraphiQL").finish())
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
    Server::new_with_acceptor(bound.acceptor)
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

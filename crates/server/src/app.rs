//! The HTTP application: `/graphql` (POST queries, GET GraphiQL) and `/healthz`.

use std::net::SocketAddr;
use std::time::Duration;

use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLRequest, GraphQLResponse};
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::web::{Data, Html, Json};
use poem::{EndpointExt, IntoResponse, Route, Server, get, handler, http::StatusCode};
use sea_orm::DatabaseConnection;
use serde_json::json;

/// Limits and address of a running server.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub bind: SocketAddr,
    pub limits: api::Limits,
}

/// The routes over one database pool.
pub struct App {
    pub route: poem::endpoint::BoxEndpoint<'static>,
}

impl App {
    pub fn new(db: DatabaseConnection, limits: api::Limits) -> Self {
        let schema = api::schema(db.clone(), limits);
        let route = Route::new()
            .at("/graphql", get(graphiql).post(graphql))
            .at("/healthz", get(healthz))
            .data(schema)
            .data(db)
            .with(poem::middleware::Tracing)
            .boxed();
        Self { route }
    }
}

/// Executes a query with the request's own batch loaders.
#[handler]
async fn graphql(
    Data(schema): Data<&api::AppSchema>,
    Data(db): Data<&DatabaseConnection>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    schema.execute(api::prepare(request.0, db)).await.into()
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

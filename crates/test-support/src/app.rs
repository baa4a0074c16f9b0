//! The real HTTP app on an ephemeral port, spoken to as a client would. `graphql` and `data`
//! speak as an analyst (a token made at spawn), so tests of what the data says read all of it;
//! `graphql_as` speaks with any token, or none.

use std::net::SocketAddr;

use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use server::{App, AppConfig};
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: DatabaseConnection,
    /// An analyst token, made at spawn.
    pub analyst: String,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

/// Makes a token the way `inclusion token create` does and returns it.
pub async fn make_token(db: &DatabaseConnection, role: api::Role, urn: Option<i32>, label: &str) -> String {
    let token = api::auth::new_token().expect("randomness");
    let new = store::tokens::NewToken {
        hash: api::auth::hash_token(&token),
        role: role.as_str().to_owned(),
        school_urn: urn,
        label: Some(label.to_owned()),
        expires_at: None,
    };
    store::tokens::insert(db, new, chrono::Utc::now()).await.expect("store a token");
    token
}

impl TestApp {
    pub async fn spawn(db: DatabaseConnection) -> Self {
        Self::spawn_with(db, AppConfig::default()).await
    }

    pub async fn spawn_with_limits(db: DatabaseConnection, limits: api::Limits) -> Self {
        Self::spawn_with(db, AppConfig { api: api::Settings { limits, ..Default::default() }, ..Default::default() })
            .await
    }

    pub async fn spawn_with(db: DatabaseConnection, config: AppConfig) -> Self {
        let analyst = make_token(&db, api::Role::Analyst, None, "test analyst").await;
        let bound = server::app::bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind 127.0.0.1:0");
        let addr = bound.local_addr;
        let (tx, rx) = oneshot::channel::<()>();
        let app_db = db.clone();
        let handle = tokio::spawn(async move {
            let _ = server::app::serve(bound, App::new(app_db, config), async {
                let _ = rx.await;
            })
            .await;
        });
        // reqwest is built without a default TLS provider (see Cargo.toml): install ring's.
        sources::ensure_crypto_provider();
        Self { addr, client: reqwest::Client::new(), db, analyst, shutdown: Some(tx), handle: Some(handle) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a query with `token` (or none) and returns the HTTP status and the whole body.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> (u16, Value) {
        let mut request =
            self.client.post(self.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            request = request.bearer_auth(t);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status().as_u16();
        (status, response.json().await.expect("GraphQL response is JSON"))
    }

    /// POSTs a query as the analyst and returns the whole response body (`data` and `errors`).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(Some(&self.analyst.clone()), query, variables).await.1
    }

    /// Like `graphql` but fails the test on any error and returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "GraphQL errors: {body:#}");
        body["data"].clone()
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

//! The real HTTP app on an ephemeral port, spoken to as a client would.

use std::net::SocketAddr;

use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use server::App;
use tokio::sync::oneshot;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl TestApp {
    pub async fn spawn(db: DatabaseConnection) -> Self {
        Self::spawn_with(db, api::Limits::default()).await
    }

    pub async fn spawn_with(db: DatabaseConnection, limits: api::Limits) -> Self {
        let bound = server::app::bind("127.0.0.1:0".parse().expect("addr")).await.expect("bind 127.0.0.1:0");
        let addr = bound.local_addr;
        let (tx, rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            let _ = server::app::serve(bound, App::new(db, limits), async {
                let _ = rx.await;
            })
            .await;
        });
        // reqwest is built without a default TLS provider (see Cargo.toml): install ring's.
        sources::ensure_crypto_provider();
        Self { addr, client: reqwest::Client::new(), shutdown: Some(tx), handle: Some(handle) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a query and returns the whole response body (`data` and `errors`).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("POST /graphql")
            .json()
            .await
            .expect("GraphQL response is JSON")
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

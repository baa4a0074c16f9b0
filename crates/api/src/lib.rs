#![doc = include_str!("../README.md")]

mod audit;
pub mod auth;
mod budget;
mod cursor;
pub mod disclosure;
mod error;
mod figure_cache;
mod input;
mod introspection;
pub mod jobs;
mod loaders;
mod query;
mod scalars;
pub mod shape;
mod types;
mod viewer;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

pub use disclosure::Policy;
pub use error::{internal_response, unauthenticated_response};
pub use jobs::{ControlError, ControlFuture, JobControl, ScheduleInfo};
pub use query::{Mutation, Query, source_states};
pub use viewer::{Role, Viewer};

/// The schema type the server mounts.
pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// Limits applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest selection nesting allowed.
    pub depth: usize,
    /// Highest total cost; a list field costs its page size times its children.
    pub complexity: usize,
    /// Largest `first` a connection or a list under a parent accepts.
    pub page_max: usize,
    /// Rows one request may return across all its lists.
    pub max_rows: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { depth: 12, complexity: 50_000, page_max: 500, max_rows: budget::DEFAULT_MAX_ROWS }
    }
}

/// How the API behaves: request limits, the disclosure policy, introspection.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub limits: Limits,
    pub policy: Policy,
    /// GraphQL introspection (GraphiQL's docs and autocomplete); on unless switched off.
    pub introspection: bool,
    /// How long computed indicator figures are kept while no import finishes; zero keeps none.
    pub figure_cache: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            policy: Policy::default(),
            introspection: true,
            figure_cache: std::time::Duration::from_secs(60),
        }
    }
}

/// The schema over a database pool, and what each request needs beside it.
#[derive(Clone)]
pub struct Api {
    schema: AppSchema,
    db: DatabaseConnection,
    policy: Policy,
    limits: Limits,
}

impl Api {
    /// The API over `db`; `jobs` is the job system the operators' fields steer (none: the
    /// schedules are empty and the mutations answer `UNAVAILABLE`).
    pub fn new(db: DatabaseConnection, settings: Settings, jobs: Option<Arc<dyn JobControl>>) -> Self {
        let mut builder = Schema::build(Query::default(), Mutation, EmptySubscription)
            .data(db.clone())
            .data(settings.limits)
            .data(figure_cache::FigureCache::new(settings.figure_cache))
            // Depth and expanded size are checked in `execute` (introspection's nesting aside);
            // complexity by async-graphql.
            .limit_complexity(settings.limits.complexity);
        if let Some(jobs) = jobs {
            builder = builder.data(jobs);
        }
        if !settings.introspection {
            // Off in the executor too: a `__schema` inside a fragment still answers nothing.
            builder = builder.disable_introspection().extension(introspection::NoIntrospection);
        }
        Self { schema: builder.finish(), db, policy: settings.policy, limits: settings.limits }
    }

    /// Runs one request as `viewer`, with its own batch loaders and disclosure gate, and writes
    /// the access log entry if it showed restricted data.
    pub async fn execute(&self, mut request: async_graphql::Request, viewer: Viewer) -> async_graphql::Response {
        // Parsed and measured here, before async-graphql's own checks, which expand fragments
        // (a doubling fragment chain would take minutes there).
        let measured = shape::check_text(&request.query)
            .and_then(|()| request.parsed_query().and_then(|doc| shape::check(doc, self.limits.depth)));
        if let Err(e) = measured {
            return async_graphql::Response::from_errors(vec![e]);
        }
        let gate = Arc::new(disclosure::Gate::new(viewer, self.policy));
        let query = request.query.clone();
        let operation = request.operation_name.clone();
        let request = request
            .data(loaders::Loaders::new(self.db.clone()))
            .data(gate.clone())
            .data(budget::RowBudget::new(self.limits.max_rows));
        let response = self.schema.execute(request).await;
        audit::log_access(&self.db, &gate, &query, operation.as_deref(), response).await
    }
}

/// The SDL as `inclusion schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation, EmptySubscription).finish().sdl()
}

#[cfg(test)]
mod documentation {
    use async_graphql::{EmptySubscription, Schema};

    use crate::query::{Mutation, Query};

    /// Types async-graphql generates for Relay connections: their fields are described by
    /// async-graphql, their type has no description hook.
    const GENERATED: &[&str] =
        &["SchoolConnection", "SrpConnection", "SchoolEdge", "SrpEdge", "ImportRunConnection", "ImportRunEdge"];

    /// Every type, field, argument, input field and enum value a client can see is described:
    /// a dashboard author reads the schema in GraphiQL, not the code.
    #[tokio::test]
    async fn every_type_field_and_argument_has_a_description() {
        let schema = Schema::build(Query::default(), Mutation, EmptySubscription).finish();
        let q = "{ __schema { types { name kind description
            fields(includeDeprecated: true) { name description args { name description } }
            inputFields { name description }
            enumValues(includeDeprecated: true) { name description } } } }";
        let data = schema.execute(q).await.into_result().expect("introspection").data.into_json().unwrap();
        let blank = |v: &serde_json::Value| v.as_str().is_none_or(|s| s.trim().is_empty());
        let mut missing = Vec::new();
        for t in data["__schema"]["types"].as_array().unwrap() {
            let name = t["name"].as_str().unwrap();
            if name.starts_with("__") || ["Boolean", "String", "Int", "Float", "ID"].contains(&name) {
                continue;
            }
            if blank(&t["description"]) && !GENERATED.contains(&name) {
                missing.push(name.to_owned());
            }
            for f in t["fields"].as_array().into_iter().flatten() {
                let field = f["name"].as_str().unwrap();
                if blank(&f["description"]) {
                    missing.push(format!("{name}.{field}"));
                }
                for a in f["args"].as_array().into_iter().flatten() {
                    if blank(&a["description"]) {
                        missing.push(format!("{name}.{field}({})", a["name"].as_str().unwrap()));
                    }
                }
            }
            for f in t["inputFields"]
                .as_array()
                .into_iter()
                .flatten()
                .chain(t["enumValues"].as_array().into_iter().flatten())
            {
                if blank(&f["description"]) {
                    missing.push(format!("{name}.{}", f["name"].as_str().unwrap()));
                }
            }
        }
        assert!(missing.is_empty(), "{} without a description:\n{}", missing.len(), missing.join("\n"));
    }
}

#![doc = include_str!("../README.md")]

mod cursor;
mod error;
mod loaders;
mod query;
mod scalars;
mod types;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

pub use query::Query;

/// The schema type the server mounts.
pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Limits applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest selection nesting allowed.
    pub depth: usize,
    /// Highest total cost; a list field costs its page size times its children.
    pub complexity: usize,
    /// Largest `first` a connection accepts.
    pub page_max: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { depth: 12, complexity: 50_000, page_max: 500 }
    }
}

/// Builds the schema over a database pool.
pub fn schema(db: DatabaseConnection, limits: Limits) -> AppSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .data(limits)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .finish()
}

/// Attaches what one request needs (its own batch loaders) before it is executed.
pub fn prepare(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request.data(loaders::Loaders::new(db.clone()))
}

/// The SDL as `inclusion schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription).finish().sdl()
}

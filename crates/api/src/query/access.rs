//! `me`: who the server takes the request to be.

use async_graphql::{Context, Object, Result};

use crate::disclosure::gate;
use crate::viewer::Viewer;

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    /// The viewer of this request: its role, school scope and token label (`PUBLIC` without a token).
    async fn me(&self, ctx: &Context<'_>) -> Result<Viewer> {
        Ok(gate(ctx)?.viewer().clone())
    }
}

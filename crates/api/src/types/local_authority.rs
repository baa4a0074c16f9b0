//! `LocalAuthority`.

use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use sea_orm::DatabaseConnection;
use store::entity::local_authority;

use super::observation::{ObservationQuery, observations_of};
use super::{District, Observation};
use crate::budget;
use crate::error::internal;

/// A local authority, e.g. Kent (`886`, `E10000016`).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct LocalAuthority {
    /// Old three-digit code, e.g. `886`.
    pub code: String,
    /// GSS code, e.g. `E10000016`.
    pub gss_code: Option<String>,
    /// e.g. `Kent`.
    pub name: String,
}

impl From<local_authority::Model> for LocalAuthority {
    fn from(m: local_authority::Model) -> Self {
        Self { code: m.code, gss_code: m.gss_code, name: m.name }
    }
}

#[ComplexObject]
impl LocalAuthority {
    /// LA-level figures, to read beside each school's and England's.
    async fn observations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Which figures: measures, periods, cohorts and breakdowns (each narrows; default every measure, the total breakdown)."
        )]
        query: Option<ObservationQuery>,
    ) -> Result<Vec<Observation>> {
        observations_of(ctx, "LocalAuthority.observations", "la", &self.code, query).await
    }

    /// The districts the LA's schools lie in, by name: all, or the first `first`.
    #[graphql(complexity = "first.map_or(20, |n| n.max(0) as usize) * child_complexity")]
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many districts (default and cap: the server's page maximum).")] first: Option<
            i32,
        >,
    ) -> Result<Vec<District>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows = store::query::places::districts(db, Some(&self.code)).await.map_err(internal)?;
        Ok(budget::list(ctx, rows, first)?.into_iter().map(District::from).collect())
    }
}

/// England as a whole: national figures to compare against.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct England {
    /// `E92000001`.
    pub code: String,
    /// `England`.
    pub name: String,
}

#[ComplexObject]
impl England {
    /// National figures.
    async fn observations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Which figures: measures, periods, cohorts and breakdowns (each narrows; default every measure, the total breakdown)."
        )]
        query: Option<ObservationQuery>,
    ) -> Result<Vec<Observation>> {
        observations_of(ctx, "England.observations", "national", &self.code, query).await
    }
}

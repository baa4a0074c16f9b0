//! `District`: a local authority district (GIAS `DistrictAdministrative`).

use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use store::entity::district;

use super::observation::{ObservationQuery, observations_of};
use super::{LocalAuthority, Observation, School};
use crate::budget;
use crate::error::internal;
use crate::loaders::loaders;

/// A local authority district, e.g. Ashford (`E07000105`).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct District {
    /// GSS code, e.g. `E07000105`.
    pub code: String,
    /// e.g. `Sevenoaks`.
    pub name: String,
    /// Old three-digit code of the LA whose schools lie in it.
    pub la_code: Option<String>,
}

impl From<district::Model> for District {
    fn from(m: district::Model) -> Self {
        Self { code: m.code, name: m.name, la_code: m.la_code }
    }
}

#[ComplexObject]
impl District {
    /// Establishments in the district, by name: all, or the first `first`.
    #[graphql(complexity = "first.map_or(100, |n| n.max(0) as usize) * child_complexity")]
    async fn schools(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many schools (default and cap: the server's page maximum).")] first: Option<i32>,
    ) -> Result<Vec<School>> {
        let loaders = loaders(ctx)?;
        let rows = loaders.district_schools.load_one(self.code.clone()).await.map_err(internal)?.unwrap_or_default();
        Ok(budget::list(ctx, rows, first)?.into_iter().map(School::from).collect())
    }

    /// District-level figures (EES level `Local authority district`).
    async fn observations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Which figures: measures, periods, cohorts and breakdowns (each narrows; default every measure, the total breakdown)."
        )]
        query: Option<ObservationQuery>,
    ) -> Result<Vec<Observation>> {
        observations_of(ctx, "District.observations", "lad", &self.code, query).await
    }

    /// The local authority the district belongs to.
    async fn local_authority(&self, ctx: &Context<'_>) -> Result<Option<LocalAuthority>> {
        let Some(code) = &self.la_code else { return Ok(None) };
        let loaders = loaders(ctx)?;
        Ok(loaders.las.load_one(code.clone()).await.map_err(internal)?.map(LocalAuthority::from))
    }
}

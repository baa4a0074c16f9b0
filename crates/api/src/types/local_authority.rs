//! `LocalAuthority`.

use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use sea_orm::DatabaseConnection;
use store::entity::{local_authority, region};

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
    #[graphql(skip)]
    pub region_code: Option<String>,
}

impl From<local_authority::Model> for LocalAuthority {
    fn from(m: local_authority::Model) -> Self {
        Self { code: m.code, gss_code: m.gss_code, name: m.name, region_code: m.region_code }
    }
}

/// An English region, e.g. the South East (`E12000008`).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Region {
    /// GSS code, e.g. `E12000008`.
    pub code: String,
    /// e.g. `South East`.
    pub name: String,
}

impl From<region::Model> for Region {
    fn from(m: region::Model) -> Self {
        Self { code: m.code, name: m.name }
    }
}

#[ComplexObject]
impl Region {
    /// The region's local authorities, by name.
    async fn local_authorities(&self, ctx: &Context<'_>) -> Result<Vec<LocalAuthority>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows =
            store::query::places::las_of_regions(db, std::slice::from_ref(&self.code)).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(LocalAuthority::from).collect())
    }

    /// Regional figures as DfE published them.
    async fn observations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Which figures: measures, periods, cohorts and breakdowns (each narrows; default every measure, the total breakdown)."
        )]
        query: Option<ObservationQuery>,
    ) -> Result<Vec<Observation>> {
        observations_of(ctx, "Region.observations", "regional", &self.code, query).await
    }
}

/// One of an LA's statistical neighbours (DfE's children's services benchmarking model).
#[derive(SimpleObject, Clone)]
pub struct StatisticalNeighbour {
    /// 1 is the closest.
    pub rank: i32,
    /// DfE's closeness label, e.g. `Extremely close`, as the workbook words it.
    pub closeness: Option<String>,
    /// The model, e.g. `May 2025`.
    pub model: String,
    /// The neighbour.
    pub local_authority: LocalAuthority,
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

    /// The LA's region, from DfE's statistics or its LA–region lookup.
    async fn region(&self, ctx: &Context<'_>) -> Result<Option<Region>> {
        let Some(code) = &self.region_code else { return Ok(None) };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(store::query::places::region(db, code).await.map_err(internal)?.map(Region::from))
    }

    /// The LA's ten statistical neighbours, closest first (DfE's children's services statistical
    /// neighbour benchmarking tool); empty until `inclusion import statistical-neighbours`.
    async fn statistical_neighbours(&self, ctx: &Context<'_>) -> Result<Vec<StatisticalNeighbour>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows = store::query::places::statistical_neighbours(db, &self.code).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows
            .into_iter()
            .map(|(n, la)| StatisticalNeighbour {
                rank: n.rank,
                closeness: n.closeness,
                model: n.model,
                local_authority: la.map(LocalAuthority::from).unwrap_or_else(|| LocalAuthority {
                    name: n.neighbour_code.clone(),
                    code: n.neighbour_code,
                    gss_code: None,
                    region_code: None,
                }),
            })
            .collect())
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

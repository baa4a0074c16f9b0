//! Districts and local authorities.

use async_graphql::{Context, Object, Result};
use sea_orm::DatabaseConnection;

use crate::budget;
use crate::error::internal;
use crate::input;
use crate::loaders::loaders;
use crate::types::{District, England, LocalAuthority, Measure, Region};

#[derive(Default)]
pub struct PlaceQuery;

#[Object]
impl PlaceQuery {
    /// Local authority districts by name, optionally of one LA (old code, e.g. `886`).
    async fn districts(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the districts of this LA (old code, e.g. `886`).")] la_code: Option<String>,
    ) -> Result<Vec<District>> {
        input::opt("laCode", la_code.as_ref())?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows = store::query::places::districts(db, la_code.as_deref()).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(District::from).collect())
    }

    /// One district by GSS code, e.g. `E07000105`.
    async fn district(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "GSS code, e.g. `E07000105`.")] code: String,
    ) -> Result<Option<District>> {
        input::text("code", &code)?;
        let loaders = loaders(ctx)?;
        Ok(loaders.districts.load_one(code).await.map_err(internal)?.map(District::from))
    }

    /// English regions, by name (from DfE's statistics and its LA–region lookup).
    async fn regions(&self, ctx: &Context<'_>) -> Result<Vec<Region>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows = store::query::places::regions(db).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(Region::from).collect())
    }

    /// One region by GSS code, e.g. `E12000008`.
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "GSS code, e.g. `E12000008`.")] code: String,
    ) -> Result<Option<Region>> {
        input::text("code", &code)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(store::query::places::region(db, &code).await.map_err(internal)?.map(Region::from))
    }

    /// England, for national figures.
    async fn england(&self) -> England {
        England { code: "E92000001".into(), name: "England".into() }
    }

    /// Every measure imported so far.
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<Measure>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows = store::query::stats::measures(db).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(Measure::from).collect())
    }

    /// One local authority by old code (`886`) or GSS code (`E10000016`).
    async fn local_authority(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Old three-digit code, e.g. `886`.")] code: String,
    ) -> Result<Option<LocalAuthority>> {
        input::text("code", &code)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(store::query::places::la(db, &code).await.map_err(internal)?.map(LocalAuthority::from))
    }
}

//! `school(urn)` and the `schools` connection.

use async_graphql::connection::{Connection, CursorType, Edge};
use async_graphql::{Context, Object, Result};
use sea_orm::DatabaseConnection;
use store::query::schools::{self as q, SchoolSort};

use crate::Limits;
use crate::budget;
use crate::cursor::SchoolCursor;
use crate::error::{bad_input, internal};
use crate::loaders::loaders;
use crate::types::{School, SchoolFilter, SchoolOrder, SchoolOrderField, SortDirection};
use store::entity::school;

/// Page size when `first` is not given.
const DEFAULT_PAGE: usize = 50;

#[derive(Default)]
pub struct SchoolQuery;

/// Fields of a school list beyond its page: computed only when asked for.
pub struct SchoolListInfo {
    filter: q::SchoolFilter,
}

#[Object]
impl SchoolListInfo {
    /// How many schools match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        q::count(db, &self.filter).await.map_err(internal)
    }
}

#[Object]
impl SchoolQuery {
    /// One establishment by URN.
    async fn school(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Unique Reference Number.")] urn: i32,
    ) -> Result<Option<School>> {
        let loaders = loaders(ctx)?;
        Ok(loaders.schools.load_one(urn).await.map_err(internal)?.map(School::from))
    }

    /// Establishments matching `filter`, a page at a time (Relay cursor pagination).
    #[graphql(complexity = "first.map_or(DEFAULT_PAGE, |n| n.max(0) as usize) * child_complexity")]
    async fn schools(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which schools; every field given narrows.")] filter: Option<SchoolFilter>,
        #[graphql(desc = "Sort order (default by name); ties by URN.")] order_by: Option<SchoolOrder>,
        #[graphql(desc = "Page size: at most the server's page maximum (500 by default).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last school of the previous page.")] after: Option<String>,
    ) -> Result<Connection<SchoolCursor, School, SchoolListInfo>> {
        let limits = ctx.data_unchecked::<Limits>();
        let first = match first {
            None => DEFAULT_PAGE.min(limits.page_max),
            Some(n) if n >= 0 && n as usize <= limits.page_max => n as usize,
            Some(n) => return Err(bad_input(format!("first must be between 0 and {} (got {n})", limits.page_max))),
        };
        let order = order_by.unwrap_or_default();
        let sort = match order.field {
            SchoolOrderField::Name => SchoolSort::Name,
            SchoolOrderField::Urn => SchoolSort::Urn,
        };
        let descending = order.direction == SortDirection::Desc;
        let after = match after {
            None => None,
            Some(s) => {
                let c = SchoolCursor::decode_cursor(&s).map_err(bad_input)?;
                if c.sort != sort || c.descending != descending {
                    return Err(bad_input("the cursor belongs to a different orderBy"));
                }
                Some(c.key)
            }
        };
        let filter = filter.unwrap_or_default();
        filter.check()?;
        let filter: q::SchoolFilter = filter.into();
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let mut rows =
            q::list(db, &filter, sort, descending, after.as_ref(), first as u64 + 1).await.map_err(internal)?;
        let has_next = rows.len() > first;
        rows.truncate(first);
        budget::charge(ctx, rows.len())?;
        prefetch_relations(ctx, &rows).await?;
        let mut connection = Connection::with_additional_fields(after.is_some(), has_next, SchoolListInfo { filter });
        connection.edges.extend(rows.into_iter().map(|m| {
            let cursor = SchoolCursor { sort, descending, key: q::SchoolKey { name: m.name.clone(), urn: m.urn } };
            Edge::new(cursor, School::from(m))
        }));
        Ok(connection)
    }
}

/// Loads the relations the selection asks for, one query each for the whole page, into the
/// request's loader cache: the per-school resolvers then find them there.
async fn prefetch_relations(ctx: &Context<'_>, rows: &[school::Model]) -> Result<()> {
    let look = ctx.look_ahead();
    let wants = |f: &str| look.field("nodes").field(f).exists() || look.field("edges").field("node").field(f).exists();
    let loaders = loaders(ctx)?;
    let urns = || rows.iter().map(|s| s.urn);
    if wants("district") {
        let codes: std::collections::BTreeSet<String> = rows.iter().filter_map(|s| s.district_code.clone()).collect();
        loaders.districts.load_many(codes).await.map_err(internal)?;
    }
    if wants("localAuthority") {
        let codes: std::collections::BTreeSet<String> = rows.iter().filter_map(|s| s.la_code.clone()).collect();
        loaders.las.load_many(codes).await.map_err(internal)?;
    }
    if wants("srps") {
        loaders.srps.load_many(urns()).await.map_err(internal)?;
    }
    if wants("senProvision") {
        loaders.sen.load_many(urns()).await.map_err(internal)?;
    }
    Ok(())
}

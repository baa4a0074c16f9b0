//! Local authorities and districts.

use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Error;
use crate::entity::{district, local_authority, region, statistical_neighbour};

pub async fn districts(db: &impl ConnectionTrait, la_code: Option<&str>) -> Result<Vec<district::Model>, Error> {
    let mut q = district::Entity::find().order_by_asc(district::Column::Name);
    if let Some(la) = la_code {
        q = q.filter(district::Column::LaCode.eq(la));
    }
    Ok(q.all(db).await?)
}

pub async fn districts_by_codes(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<district::Model>, Error> {
    Ok(district::Entity::find().filter(district::Column::Code.is_in(codes.iter().cloned())).all(db).await?)
}

pub async fn las_by_codes(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<local_authority::Model>, Error> {
    Ok(local_authority::Entity::find()
        .filter(local_authority::Column::Code.is_in(codes.iter().cloned()))
        .all(db)
        .await?)
}

/// By old code (`886`) or GSS code (`E10000016`).
pub async fn la(db: &impl ConnectionTrait, code: &str) -> Result<Option<local_authority::Model>, Error> {
    Ok(local_authority::Entity::find()
        .filter(local_authority::Column::Code.eq(code).or(local_authority::Column::GssCode.eq(code)))
        .one(db)
        .await?)
}

/// One region by GSS code (`E12000008`).
pub async fn region(db: &impl ConnectionTrait, code: &str) -> Result<Option<region::Model>, Error> {
    Ok(region::Entity::find_by_id(code.to_owned()).one(db).await?)
}

/// Every region known, by name.
pub async fn regions(db: &impl ConnectionTrait) -> Result<Vec<region::Model>, Error> {
    Ok(region::Entity::find().order_by_asc(region::Column::Name).all(db).await?)
}

/// The LAs of these regions, by name.
pub async fn las_of_regions(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<local_authority::Model>, Error> {
    Ok(local_authority::Entity::find()
        .filter(local_authority::Column::RegionCode.is_in(codes.iter().cloned()))
        .order_by_asc(local_authority::Column::Name)
        .all(db)
        .await?)
}

/// An LA's statistical neighbours, closest first, each with its LA where known.
pub async fn statistical_neighbours(
    db: &impl ConnectionTrait,
    la_code: &str,
) -> Result<Vec<(statistical_neighbour::Model, Option<local_authority::Model>)>, Error> {
    let rows = statistical_neighbour::Entity::find()
        .filter(statistical_neighbour::Column::LaCode.eq(la_code))
        .order_by_asc(statistical_neighbour::Column::Rank)
        .all(db)
        .await?;
    let codes: Vec<String> = rows.iter().map(|r| r.neighbour_code.clone()).collect();
    let las = las_by_codes(db, &codes).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let la = las.iter().find(|l| l.code == r.neighbour_code).cloned();
            (r, la)
        })
        .collect())
}

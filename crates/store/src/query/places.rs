//! Local authorities and districts.

use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Error;
use crate::entity::{district, local_authority};

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

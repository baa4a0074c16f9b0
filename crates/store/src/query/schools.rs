//! Schools: filtered, keyset-paginated lists and lookups by URN.

use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::Error;
use crate::entity::{school, school_sen_provision, srp};

/// Which schools a list holds. Every field narrows; `None` leaves it open.
#[derive(Debug, Clone, Default)]
pub struct SchoolFilter {
    pub la_code: Option<String>,
    pub district_code: Option<String>,
    pub phase: Option<String>,
    pub type_group: Option<String>,
    pub status: Option<String>,
    pub name_contains: Option<String>,
    pub has_srp: Option<bool>,
    pub is_special: Option<bool>,
}

/// Sort key of a list; ties are always broken by URN so pages never overlap or skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SchoolSort {
    #[default]
    Name,
    Urn,
}

/// Where the previous page ended, in the list's own sort order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolKey {
    pub name: String,
    pub urn: i32,
}

fn condition(f: &SchoolFilter) -> Condition {
    let mut c = Condition::all();
    if let Some(v) = &f.la_code {
        c = c.add(school::Column::LaCode.eq(v.clone()));
    }
    if let Some(v) = &f.district_code {
        c = c.add(school::Column::DistrictCode.eq(v.clone()));
    }
    if let Some(v) = &f.phase {
        c = c.add(school::Column::Phase.eq(v.clone()));
    }
    if let Some(v) = &f.type_group {
        c = c.add(school::Column::TypeGroup.eq(v.clone()));
    }
    if let Some(v) = &f.status {
        c = c.add(school::Column::Status.eq(v.clone()));
    }
    if let Some(v) = &f.name_contains {
        // LIKE is case-sensitive on PostgreSQL and not on SQLite: lower both sides for one answer.
        let escaped = v.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        c = c.add(
            Expr::expr(Func::lower(Expr::col((school::Entity, school::Column::Name))))
                .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    if let Some(v) = f.has_srp {
        let hosts = Query::select().column(srp::Column::HostUrn).from(srp::Entity).to_owned();
        c = c.add(if v { school::Column::Urn.in_subquery(hosts) } else { school::Column::Urn.not_in_subquery(hosts) });
    }
    if let Some(v) = f.is_special {
        c = c.add(school::Column::IsSpecial.eq(v));
    }
    c
}

/// One page: up to `limit` schools after `after`, in `sort` order.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &SchoolFilter,
    sort: SchoolSort,
    descending: bool,
    after: Option<&SchoolKey>,
    limit: u64,
) -> Result<Vec<school::Model>, Error> {
    let mut q = school::Entity::find().filter(condition(filter));
    if let Some(k) = after {
        let (name, urn) = (school::Column::Name, school::Column::Urn);
        q = q.filter(match (sort, descending) {
            (SchoolSort::Name, false) => {
                Condition::any().add(name.gt(k.name.clone())).add(name.eq(k.name.clone()).and(urn.gt(k.urn)))
            }
            (SchoolSort::Name, true) => {
                Condition::any().add(name.lt(k.name.clone())).add(name.eq(k.name.clone()).and(urn.lt(k.urn)))
            }
            (SchoolSort::Urn, false) => Condition::all().add(urn.gt(k.urn)),
            (SchoolSort::Urn, true) => Condition::all().add(urn.lt(k.urn)),
        });
    }
    let order = if descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    if sort == SchoolSort::Name {
        q = q.order_by(school::Column::Name, order.clone());
    }
    q = q.order_by(school::Column::Urn, order);
    Ok(q.limit(limit).all(db).await?)
}

pub async fn count(db: &impl ConnectionTrait, filter: &SchoolFilter) -> Result<u64, Error> {
    Ok(school::Entity::find().filter(condition(filter)).count(db).await?)
}

pub async fn by_urns(db: &impl ConnectionTrait, urns: &[i32]) -> Result<Vec<school::Model>, Error> {
    Ok(school::Entity::find().filter(school::Column::Urn.is_in(urns.iter().copied())).all(db).await?)
}

/// Schools of several districts at once, by name.
pub async fn by_districts(db: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<school::Model>, Error> {
    Ok(school::Entity::find()
        .filter(school::Column::DistrictCode.is_in(codes.iter().cloned()))
        .order_by_asc(school::Column::Name)
        .order_by_asc(school::Column::Urn)
        .all(db)
        .await?)
}

pub async fn sen_provision_by_urns(
    db: &impl ConnectionTrait,
    urns: &[i32],
) -> Result<Vec<school_sen_provision::Model>, Error> {
    Ok(school_sen_provision::Entity::find()
        .filter(school_sen_provision::Column::Urn.is_in(urns.iter().copied()))
        .order_by_asc(school_sen_provision::Column::Urn)
        .order_by_asc(school_sen_provision::Column::Rank)
        .all(db)
        .await?)
}

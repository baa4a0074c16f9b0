//! Reads of the LA registers: SRP lists, designations, clusters, training.

use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::Error;
use crate::entity::{cluster_member, designation, locality_cluster, school, srp, training_enrolment};

/// Which SRPs a list holds.
#[derive(Debug, Clone, Default)]
pub struct SrpFilter {
    pub host_urn: Option<i32>,
    pub la_code: Option<String>,
    pub district_code: Option<String>,
    /// A need type code (`ASD`); matches registers that list several (`ASD/SLCN`).
    pub need_type: Option<String>,
    /// `(in_gias, in_register)` wanted.
    pub source: Option<(bool, bool)>,
    pub sla_signed: Option<bool>,
}

fn srp_condition(f: &SrpFilter) -> Condition {
    let mut c = Condition::all();
    if let Some(u) = f.host_urn {
        c = c.add(srp::Column::HostUrn.eq(u));
    }
    let mut hosts = Query::select().column(school::Column::Urn).from(school::Entity).to_owned();
    let mut narrow_hosts = false;
    if let Some(la) = &f.la_code {
        hosts.and_where(school::Column::LaCode.eq(la.clone()));
        narrow_hosts = true;
    }
    if let Some(d) = &f.district_code {
        hosts.and_where(school::Column::DistrictCode.eq(d.clone()));
        narrow_hosts = true;
    }
    if narrow_hosts {
        c = c.add(srp::Column::HostUrn.in_subquery(hosts));
    }
    if let Some(n) = &f.need_type {
        c = c.add(
            Condition::any()
                .add(srp::Column::NeedType.eq(n.clone()))
                .add(srp::Column::NeedType.like(format!("{n}/%")))
                .add(srp::Column::NeedType.like(format!("%/{n}")))
                .add(srp::Column::NeedType.like(format!("%/{n}/%"))),
        );
    }
    if let Some((g, r)) = f.source {
        c = c.add(srp::Column::InGias.eq(g)).add(srp::Column::InRegister.eq(r));
    }
    if let Some(s) = f.sla_signed {
        c = c.add(srp::Column::SlaSigned.eq(s));
    }
    c
}

/// A page of SRPs by id, after `after`.
pub async fn srps(
    db: &impl ConnectionTrait,
    f: &SrpFilter,
    after: Option<i32>,
    limit: u64,
) -> Result<Vec<srp::Model>, Error> {
    let mut q = srp::Entity::find().filter(srp_condition(f));
    if let Some(a) = after {
        q = q.filter(srp::Column::Id.gt(a));
    }
    Ok(q.order_by_asc(srp::Column::Id).limit(limit).all(db).await?)
}

pub async fn count_srps(db: &impl ConnectionTrait, f: &SrpFilter) -> Result<u64, Error> {
    Ok(srp::Entity::find().filter(srp_condition(f)).count(db).await?)
}

pub async fn designations_by_urns(db: &impl ConnectionTrait, urns: &[i32]) -> Result<Vec<designation::Model>, Error> {
    Ok(designation::Entity::find()
        .filter(designation::Column::Urn.is_in(urns.iter().copied()))
        .order_by_asc(designation::Column::Urn)
        .order_by_asc(designation::Column::ValidFrom)
        .all(db)
        .await?)
}

pub async fn special_schools(db: &impl ConnectionTrait, la_code: Option<&str>) -> Result<Vec<school::Model>, Error> {
    let mut q = school::Entity::find().filter(school::Column::IsSpecial.eq(true));
    if let Some(la) = la_code {
        q = q.filter(school::Column::LaCode.eq(la));
    }
    Ok(q.order_by_asc(school::Column::Name).order_by_asc(school::Column::Urn).all(db).await?)
}

pub async fn clusters(db: &impl ConnectionTrait) -> Result<Vec<locality_cluster::Model>, Error> {
    Ok(locality_cluster::Entity::find().order_by_asc(locality_cluster::Column::Name).all(db).await?)
}

pub async fn clusters_by_ids(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<locality_cluster::Model>, Error> {
    Ok(locality_cluster::Entity::find().filter(locality_cluster::Column::Id.is_in(ids.iter().copied())).all(db).await?)
}

/// Current memberships (not closed) of the given clusters or schools.
pub async fn open_memberships(
    db: &impl ConnectionTrait,
    cluster_ids: Option<&[i32]>,
    urns: Option<&[i32]>,
) -> Result<Vec<cluster_member::Model>, Error> {
    let mut q = cluster_member::Entity::find().filter(cluster_member::Column::ValidTo.is_null());
    if let Some(ids) = cluster_ids {
        q = q.filter(cluster_member::Column::ClusterId.is_in(ids.iter().copied()));
    }
    if let Some(u) = urns {
        q = q.filter(cluster_member::Column::Urn.is_in(u.iter().copied()));
    }
    Ok(q.order_by_asc(cluster_member::Column::Urn).all(db).await?)
}

pub async fn training_by_urns(
    db: &impl ConnectionTrait,
    urns: &[i32],
) -> Result<Vec<training_enrolment::Model>, Error> {
    Ok(training_enrolment::Entity::find()
        .filter(training_enrolment::Column::Urn.is_in(urns.iter().copied()))
        .order_by_asc(training_enrolment::Column::Urn)
        .order_by_asc(training_enrolment::Column::Programme)
        .all(db)
        .await?)
}

//! Locality clusters and their members. A register is a full snapshot: a membership it no longer
//! lists is closed (`valid_to`), never deleted; a school moving cluster closes its old membership.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::ClusterMembership;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{Finding, RegisterTotals, Schools};
use crate::Error;
use crate::entity::{cluster_member, district, locality_cluster};

pub async fn write(
    txn: &DatabaseTransaction,
    run_id: i64,
    records: &[(u32, ClusterMembership)],
    today: NaiveDate,
    complete: bool,
) -> Result<RegisterTotals, Error> {
    let schools = Schools::load(txn, records.iter().map(|(_, r)| &r.school)).await?;
    let districts = district::Entity::find().all(txn).await?;
    let mut totals = RegisterTotals::default();
    let mut cluster_ids: HashMap<String, i32> = HashMap::new();
    let mut wanted: Vec<(u32, i32, i32)> = Vec::new();
    for (row, r) in records {
        let urn = match schools.resolve(*row, &r.school) {
            Ok(urn) => urn,
            Err(f) => {
                totals.rejected += 1;
                totals.findings.push(f);
                continue;
            }
        };
        let id = match cluster_ids.get(&r.cluster) {
            Some(id) => *id,
            None => {
                let district_code = r.district.as_deref().and_then(|d| {
                    let d = d.trim();
                    let found =
                        districts.iter().find(|x| x.code.eq_ignore_ascii_case(d) || x.name.eq_ignore_ascii_case(d));
                    if found.is_none() {
                        totals.findings.push(Finding::warning(
                            Some(*row),
                            "unknown_district",
                            format!("district {d:?} is not a known district; kept without one"),
                        ));
                    }
                    found.map(|x| x.code.clone())
                });
                let id = upsert_cluster(txn, &r.cluster, district_code, r.primary_care_network.clone()).await?;
                cluster_ids.insert(r.cluster.clone(), id);
                id
            }
        };
        wanted.push((*row, id, urn));
    }

    let open: Vec<cluster_member::Model> =
        cluster_member::Entity::find().filter(cluster_member::Column::ValidTo.is_null()).all(txn).await?;
    let names: HashMap<i32, String> =
        locality_cluster::Entity::find().all(txn).await?.into_iter().map(|c| (c.id, c.name)).collect();
    let mut kept = std::collections::HashSet::new();
    for (_, cluster_id, urn) in &wanted {
        match open.iter().find(|m| m.urn == *urn) {
            Some(m) if m.cluster_id == *cluster_id => {
                kept.insert(m.id);
                totals.unchanged += 1;
            }
            other => {
                if let Some(old) = other {
                    // Moving cluster: the old membership ends today, the new one starts today.
                    close(txn, old.id, today).await?;
                    kept.insert(old.id);
                    totals.updated += 1;
                } else {
                    totals.inserted += 1;
                }
                cluster_member::Entity::insert(cluster_member::ActiveModel {
                    cluster_id: Set(*cluster_id),
                    urn: Set(*urn),
                    valid_from: Set(Some(today)),
                    valid_to: Set(None),
                    run_id: Set(Some(run_id)),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
            }
        }
    }
    // A rejected row may be a membership the register still lists: close nothing on its account.
    if !complete || totals.rejected > 0 {
        totals.findings.push(Finding::warning(
            None,
            "closures_skipped",
            "some rows were rejected, so memberships missing from this register were not closed".to_owned(),
        ));
        return Ok(totals);
    }
    for m in open.iter().filter(|m| !kept.contains(&m.id)) {
        close(txn, m.id, today).await?;
        let cluster = names.get(&m.cluster_id).cloned().unwrap_or_default();
        totals.findings.push(Finding::warning(
            None,
            "membership_closed",
            format!("URN {} is no longer listed in cluster {cluster:?}: membership closed", m.urn),
        ));
    }
    Ok(totals)
}

async fn upsert_cluster(
    txn: &DatabaseTransaction,
    name: &str,
    district_code: Option<String>,
    pcn: Option<String>,
) -> Result<i32, Error> {
    locality_cluster::Entity::insert(locality_cluster::ActiveModel {
        name: Set(name.to_owned()),
        district_code: Set(district_code),
        primary_care_network: Set(pcn),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(locality_cluster::Column::Name)
            .update_columns([locality_cluster::Column::DistrictCode, locality_cluster::Column::PrimaryCareNetwork])
            .to_owned(),
    )
    .exec(txn)
    .await?;
    let cluster = locality_cluster::Entity::find()
        .filter(locality_cluster::Column::Name.eq(name))
        .one(txn)
        .await?
        .ok_or_else(|| Error::Db(sea_orm::DbErr::RecordNotFound(format!("cluster {name}"))))?;
    Ok(cluster.id)
}

async fn close(txn: &DatabaseTransaction, id: i32, today: NaiveDate) -> Result<(), Error> {
    cluster_member::Entity::update(cluster_member::ActiveModel {
        id: Set(id),
        valid_to: Set(Some(today)),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

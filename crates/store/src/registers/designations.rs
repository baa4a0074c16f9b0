//! Special school designations with history: a new designation closes the previous one.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::DesignationEntry;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};

use super::{RegisterTotals, Schools};
use crate::Error;
use crate::entity::designation;

pub async fn write(
    txn: &DatabaseTransaction,
    run_id: i64,
    records: &[(u32, DesignationEntry)],
) -> Result<RegisterTotals, Error> {
    let schools = Schools::load(txn, records.iter().map(|(_, r)| &r.school)).await?;
    let mut totals = RegisterTotals::default();
    let mut by_urn: BTreeMap<i32, Vec<(u32, &DesignationEntry)>> = BTreeMap::new();
    for (row, r) in records {
        match schools.resolve(*row, &r.school) {
            Ok(urn) => by_urn.entry(urn).or_default().push((*row, r)),
            Err(f) => {
                totals.rejected += 1;
                totals.findings.push(f);
            }
        }
    }
    for (urn, entries) in by_urn {
        let existing: Vec<designation::Model> =
            designation::Entity::find().filter(designation::Column::Urn.eq(urn)).all(txn).await?;
        for (_, e) in entries {
            match existing.iter().find(|d| d.valid_from == e.effective_from) {
                Some(d) if d.name == e.designation && d.admissions_guidance == e.admissions_guidance => {
                    totals.unchanged += 1
                }
                Some(d) => {
                    designation::Entity::update(designation::ActiveModel {
                        id: Set(d.id),
                        name: Set(e.designation.clone()),
                        admissions_guidance: Set(e.admissions_guidance.clone()),
                        run_id: Set(Some(run_id)),
                        ..Default::default()
                    })
                    .exec(txn)
                    .await?;
                    totals.updated += 1;
                }
                None => {
                    designation::Entity::insert(designation::ActiveModel {
                        urn: Set(urn),
                        name: Set(e.designation.clone()),
                        admissions_guidance: Set(e.admissions_guidance.clone()),
                        valid_from: Set(e.effective_from),
                        valid_to: Set(None),
                        run_id: Set(Some(run_id)),
                        ..Default::default()
                    })
                    .exec(txn)
                    .await?;
                    totals.inserted += 1;
                }
            }
        }
        close_history(txn, urn).await?;
    }
    Ok(totals)
}

/// Each designation holds until the next one's `valid_from`; the latest stays open.
async fn close_history(txn: &DatabaseTransaction, urn: i32) -> Result<(), Error> {
    let all = designation::Entity::find()
        .filter(designation::Column::Urn.eq(urn))
        .order_by_asc(designation::Column::ValidFrom)
        .all(txn)
        .await?;
    let next_from: Vec<Option<NaiveDate>> = all.iter().skip(1).map(|d| Some(d.valid_from)).chain([None]).collect();
    for (d, valid_to) in all.iter().zip(next_from) {
        if d.valid_to != valid_to {
            designation::Entity::update(designation::ActiveModel {
                id: Set(d.id),
                valid_to: Set(valid_to),
                ..Default::default()
            })
            .exec(txn)
            .await?;
        }
    }
    Ok(())
}

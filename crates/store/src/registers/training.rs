//! Training engagement: one row per school and programme, updated in place.

use std::collections::HashMap;

use domain::TrainingEntry;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter};

use super::{RegisterTotals, Schools};
use crate::Error;
use crate::entity::training_enrolment;

pub async fn write(
    txn: &DatabaseTransaction,
    run_id: i64,
    records: &[(u32, TrainingEntry)],
) -> Result<RegisterTotals, Error> {
    let schools = Schools::load(txn, records.iter().map(|(_, r)| &r.school)).await?;
    let mut totals = RegisterTotals::default();
    // What the store holds for these schools, in one query per thousand schools.
    let urns: Vec<i32> = records.iter().filter_map(|(row, r)| schools.resolve(*row, &r.school).ok()).collect();
    let mut known: HashMap<(i32, String), training_enrolment::Model> = HashMap::new();
    for chunk in urns.chunks(1_000) {
        let rows = training_enrolment::Entity::find()
            .filter(training_enrolment::Column::Urn.is_in(chunk.iter().copied()))
            .all(txn)
            .await?;
        known.extend(rows.into_iter().map(|e| ((e.urn, e.programme.clone()), e)));
    }
    let mut new_rows = Vec::new();
    for (row, r) in records {
        let urn = match schools.resolve(*row, &r.school) {
            Ok(urn) => urn,
            Err(f) => {
                totals.rejected += 1;
                totals.findings.push(f);
                continue;
            }
        };
        let status = r.status.as_ref().map(|s| s.label().to_owned());
        match known.get(&(urn, r.programme.clone())) {
            Some(e) if e.status == status && e.enrolled_on == r.date => totals.unchanged += 1,
            Some(e) => {
                training_enrolment::Entity::update(training_enrolment::ActiveModel {
                    id: Set(e.id),
                    status: Set(status),
                    enrolled_on: Set(r.date),
                    run_id: Set(Some(run_id)),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                totals.updated += 1;
            }
            None => {
                new_rows.push(training_enrolment::ActiveModel {
                    urn: Set(urn),
                    programme: Set(r.programme.clone()),
                    status: Set(status),
                    enrolled_on: Set(r.date),
                    run_id: Set(Some(run_id)),
                    ..Default::default()
                });
                totals.inserted += 1;
            }
        }
    }
    for chunk in new_rows.chunks(2_000) {
        training_enrolment::Entity::insert_many(chunk.to_vec()).exec(txn).await?;
    }
    Ok(totals)
}

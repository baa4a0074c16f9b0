//! Training engagement: one row per school and programme, updated in place.

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
        let existing = training_enrolment::Entity::find()
            .filter(training_enrolment::Column::Urn.eq(urn))
            .filter(training_enrolment::Column::Programme.eq(r.programme.clone()))
            .one(txn)
            .await?;
        match existing {
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
                training_enrolment::Entity::insert(training_enrolment::ActiveModel {
                    urn: Set(urn),
                    programme: Set(r.programme.clone()),
                    status: Set(status),
                    enrolled_on: Set(r.date),
                    run_id: Set(Some(run_id)),
                    ..Default::default()
                })
                .exec(txn)
                .await?;
                totals.inserted += 1;
            }
        }
    }
    Ok(totals)
}

//! Regions and which LA lies in which: from DfE's LA–region lookup (by LA name). An LA's region
//! from the lookup replaces what statistics rows said; an LA the store does not know by name is
//! reported, not invented (the lookup gives no code).

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseTransaction, EntityTrait, IntoActiveModel};

use crate::Error;
use crate::entity::{local_authority, region};
use crate::links::LinkTotals;

/// Normalised for matching: case, `&`/`and`, commas and spaces (`Bristol, City of`).
fn key(name: &str) -> String {
    name.to_lowercase().replace('&', "and").replace(',', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Writes the regions and sets each named LA's region. Returns the counts (LAs changed or not)
/// and the names no stored LA has.
pub async fn apply(
    txn: &DatabaseTransaction,
    regions: &[(&str, &str)],
    las: &[(String, &str)],
) -> Result<(LinkTotals, Vec<String>), Error> {
    let rows = regions
        .iter()
        .map(|(code, name)| region::ActiveModel { code: Set((*code).to_owned()), name: Set((*name).to_owned()) });
    region::Entity::insert_many(rows)
        .on_conflict(OnConflict::column(region::Column::Code).update_column(region::Column::Name).to_owned())
        .exec_without_returning(txn)
        .await?;
    let stored: HashMap<String, local_authority::Model> =
        local_authority::Entity::find().all(txn).await?.into_iter().map(|m| (key(&m.name), m)).collect();
    let mut totals = LinkTotals::default();
    let mut unknown = Vec::new();
    for (name, region_code) in las {
        let Some(la) = stored.get(&key(name)) else {
            unknown.push(name.clone());
            continue;
        };
        if la.region_code.as_deref() == Some(*region_code) {
            totals.unchanged += 1;
            continue;
        }
        totals.updated += 1;
        let mut active = la.clone().into_active_model();
        active.region_code = Set(Some((*region_code).to_owned()));
        active.update(txn).await?;
    }
    Ok((totals, unknown))
}

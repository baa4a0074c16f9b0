//! DfE's statistical neighbours: one model at a time. An import replaces the whole table (a
//! model's neighbours are a set; keeping some of an older model's would mix two models), and
//! registers the LAs it names so their figures can be read by code.

use std::collections::HashMap;

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseTransaction, EntityTrait};

use crate::Error;
use crate::entity::{local_authority, statistical_neighbour};
use crate::links::LinkTotals;

/// One LA's neighbour to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeighbourRow {
    pub la_code: String,
    pub la_name: String,
    pub rank: i32,
    pub neighbour_code: String,
    pub closeness: Option<String>,
}

/// Replaces the stored model with `rows`; counts compare with what was stored.
pub async fn replace(
    txn: &DatabaseTransaction,
    run_id: i64,
    model: &str,
    rows: &[NeighbourRow],
) -> Result<LinkTotals, Error> {
    let stored: HashMap<(String, i32), statistical_neighbour::Model> = statistical_neighbour::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|m| ((m.la_code.clone(), m.rank), m))
        .collect();
    let mut totals = LinkTotals::default();
    for r in rows {
        match stored.get(&(r.la_code.clone(), r.rank)) {
            Some(m) if m.neighbour_code == r.neighbour_code && m.closeness == r.closeness && m.model == model => {
                totals.unchanged += 1
            }
            Some(_) => totals.updated += 1,
            None => totals.inserted += 1,
        }
    }
    statistical_neighbour::Entity::delete_many().exec(txn).await?;
    let mut las: Vec<(&String, &String)> = rows.iter().map(|r| (&r.la_code, &r.la_name)).collect();
    las.sort();
    las.dedup_by(|a, b| a.0 == b.0);
    let la_rows = las.iter().map(|(code, name)| local_authority::ActiveModel {
        code: Set((*code).clone()),
        gss_code: Set(None),
        name: Set(if name.is_empty() { (*code).clone() } else { (*name).clone() }),
        region_code: Set(None),
    });
    for chunk in la_rows.collect::<Vec<_>>().chunks(500) {
        local_authority::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::column(local_authority::Column::Code).do_nothing().to_owned())
            .exec_without_returning(txn)
            .await?;
    }
    let models: Vec<statistical_neighbour::ActiveModel> = rows
        .iter()
        .map(|r| statistical_neighbour::ActiveModel {
            la_code: Set(r.la_code.clone()),
            rank: Set(r.rank),
            neighbour_code: Set(r.neighbour_code.clone()),
            closeness: Set(r.closeness.clone()),
            model: Set(model.to_owned()),
            run_id: Set(run_id),
        })
        .collect();
    for chunk in models.chunks(500) {
        statistical_neighbour::Entity::insert_many(chunk.to_vec()).exec_without_returning(txn).await?;
    }
    Ok(totals)
}

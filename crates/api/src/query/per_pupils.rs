//! Indicators set against a published pupil headcount (`perPupils`): a count per 1,000 pupils
//! (or per 100, per pupil) of the same place and period, the comparator DfE's LA tools show
//! beside a raw count. The headcount is a published measure (`excl_headcount` by default),
//! read at the same level and source as each row: DfE's own for an LA, region or England, the
//! schools' summed headcount for a computed group.

use std::collections::BTreeMap;

use async_graphql::{InputObject, Result, SimpleObject};

use super::indicators::{Ask, Figures, IndicatorRow, IndicatorSource, computed, published};
use crate::disclosure::Sensitivity;
use crate::error::bad_input;
use crate::input;
use crate::types::GroupBy;

/// Counts also per 1,000 (or `per`) pupils of a published headcount measure.
#[derive(InputObject, Clone, Debug)]
pub struct PerPupils {
    /// The headcount measure: a published count, e.g. `excl_headcount` (the exclusions
    /// statistics' pupil headcount, at school, LA, region and England level).
    #[graphql(default_with = "\"excl_headcount\".to_owned()")]
    pub measure: String,
    /// 1 for per pupil, 100 for per 100, 1000 for per 1,000 (1 to 100,000).
    #[graphql(default = 1000)]
    pub per: i32,
}

/// The headcount a row's figure is set against.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct IndicatorPupils {
    /// The headcount measure.
    pub measure: String,
    /// Its value for the same place, period and source (cohort `all`).
    pub pupils: f64,
}

/// (level, published, group, period): a headcount is found by it, with the schools it sums
/// (`None` when published).
type HeadKey = (u8, bool, String, String);

/// Sets each count row's headcount and value per pupils.
pub(super) async fn apply(db: &Figures<'_>, rows: &mut [IndicatorRow], ask: &Ask, per: &PerPupils) -> Result<()> {
    input::opt("perPupils.measure", Some(&per.measure))?;
    if !(1..=100_000).contains(&per.per) {
        return Err(bad_input("perPupils.per: 1 (per pupil) to 100000"));
    }
    let key = format!("measures {:?}", [&per.measure]);
    let found = db.get(key, store::query::stats::measures_by_codes(db.db, std::slice::from_ref(&per.measure))).await?;
    let Some(measure) = found.first().cloned() else {
        return Err(bad_input(format!("perPupils.measure: {:?} is not a measure imported here", per.measure)));
    };
    // Restricted headcounts would need the gate; a count that is not published cannot be one.
    if measure.unit != "count" || Sensitivity::of_measure(&measure.disclosure) != Sensitivity::Published {
        return Err(bad_input(format!("perPupils.measure: {:?} is not a published count", per.measure)));
    }
    let heads = Ask::of(ask, measure, "all");
    let levels: Vec<GroupBy> = {
        let mut l: Vec<GroupBy> = rows.iter().map(|r| r.group.level).collect();
        l.sort_by_key(|g| *g as u8);
        l.dedup();
        l
    };
    let mut found: BTreeMap<HeadKey, (f64, Option<i32>)> = BTreeMap::new();
    for level in levels.into_iter().filter(|l| *l != GroupBy::StatisticalNeighbours) {
        let mut got = computed(db, level, &heads).await?;
        got.extend(published(db, level, &heads).await?);
        for r in got {
            if let Some(v) = r.value {
                let key = (level as u8, r.source == IndicatorSource::Published, r.group.code, r.time_period);
                found.insert(key, (v, r.schools_contributing));
            }
        }
    }
    let scale = f64::from(per.per);
    for row in rows.iter_mut() {
        if row.measure.unit != "count" {
            row.note.get_or_insert_with(|| format!("a {} is not set against a headcount", row.measure.unit));
            continue;
        }
        if row.group.level == GroupBy::StatisticalNeighbours {
            row.note.get_or_insert_with(|| "the neighbours' mean is not set against a headcount".to_owned());
            continue;
        }
        let key = (
            row.group.level as u8,
            row.source == IndicatorSource::Published,
            row.group.code.clone(),
            row.time_period.clone(),
        );
        match found.get(&key) {
            // A computed count short of a school its headcount has would be set against pupils
            // it does not count: say so rather than understate it.
            Some(&(_, Some(heads)))
                if row.schools_without_value.unwrap_or(0) > 0 || row.schools_contributing != Some(heads) =>
            {
                row.note.get_or_insert_with(|| {
                    format!(
                        "the count covers {} of the {heads} schools with a headcount ({} without a number): not set against it",
                        row.schools_contributing.unwrap_or(0),
                        row.schools_without_value.unwrap_or(0)
                    )
                });
            }
            Some(&(pupils, _)) => {
                row.value_per_pupils = row.value.filter(|_| pupils > 0.0).map(|v| v * scale / pupils);
                row.pupils = Some(IndicatorPupils { measure: per.measure.clone(), pupils });
            }
            None => {
                row.note.get_or_insert_with(|| {
                    format!("no {} for this place and period to set the count against", per.measure)
                });
            }
        }
    }
    Ok(())
}

//! Indicators set against population (`perPopulation`): a count or a sum of money per head or
//! per 1,000 of an age band, for the places ONS estimates population for (district, LA, region,
//! England) and the mean of the LA's neighbours, each against its own population.

use std::collections::{BTreeMap, BTreeSet};

use async_graphql::{InputObject, Result, SimpleObject};
use store::population::{AgeBand, Areas, Persons, estimate_year};

use super::indicators::{Ask, Figures, IndicatorRow};
use crate::error::bad_input;
use crate::types::GroupBy;

/// Figures per head or per 1,000 of an age band, from the ONS mid-year estimates imported
/// (`inclusion import population`).
#[derive(InputObject, Clone, Debug)]
pub struct PerPopulation {
    /// Ages, inclusive: `2-18` (DfE's high-needs per-head base), `0-25`, `5`; 90 means 90 and over.
    #[graphql(default_with = "\"2-18\".to_owned()")]
    pub ages: String,
    /// 1 for per head, 1000 for per 1,000 (1 to 100,000).
    #[graphql(default = 1)]
    pub per: i32,
}

/// The population a row's figure is set against.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct IndicatorPopulation {
    /// The ONS mid-year used: the calendar year the period starts in (DfE's rule: 2022-23 uses
    /// mid-2022) or, when that estimate is not imported, the latest earlier one.
    pub year: i32,
    /// The age band, e.g. `2-18`.
    pub ages: String,
    /// Persons of those ages (for statistical neighbours: summed over the neighbours used).
    pub persons: f64,
    /// Areas summed: 1 where ONS gives the place itself, else how many districts, LAs or regions
    /// it was built from (or, for statistical neighbours, how many neighbours had both figures).
    pub areas: i32,
}

impl PerPopulation {
    /// The band and the multiplier, checked.
    pub(super) fn checked(&self) -> Result<(AgeBand, f64)> {
        let text = self.ages.trim().replace(['–', '—'], "-").replace(" to ", "-");
        let bad = || {
            bad_input(format!(
                "perPopulation.ages {:?}: give a band of single years such as \"2-18\" (0 to {})",
                self.ages.chars().take(40).collect::<String>(),
                store::population::OLDEST
            ))
        };
        let (from, to) = match text.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u8>().map_err(|_| bad())?, b.trim().parse::<u8>().map_err(|_| bad())?),
            None => {
                let a = text.parse::<u8>().map_err(|_| bad())?;
                (a, a)
            }
        };
        if from > to || to > store::population::OLDEST {
            return Err(bad());
        }
        if !(1..=100_000).contains(&self.per) {
            return Err(bad_input("perPopulation.per: 1 (per head) to 100000"));
        }
        Ok((AgeBand { from, to }, f64::from(self.per)))
    }
}

/// Where a row's population is stored: its place's GSS code.
fn area_of(row: &IndicatorRow, areas: &Areas) -> Option<String> {
    match row.group.level {
        GroupBy::La => Some(areas.la_area(&row.group.code)),
        GroupBy::Region | GroupBy::National | GroupBy::District => Some(row.group.code.clone()),
        _ => None,
    }
}

fn start_year(time_period: &str) -> Option<i32> {
    time_period.get(..4)?.parse().ok()
}

/// The estimate of `area` for a period starting in `start`.
fn estimate<'a>(
    persons: &'a BTreeMap<(String, i32), Persons>,
    years: &BTreeMap<&str, BTreeSet<i32>>,
    area: &str,
    start: i32,
) -> Option<&'a Persons> {
    let year = estimate_year(start, years.get(area)?)?;
    persons.get(&(area.to_owned(), year))
}

/// Sets each row's population and value per population. Rows of levels ONS has no population
/// for, and rates and scores (which do not divide by heads), say so in their note.
pub(super) async fn apply(db: &Figures<'_>, rows: &mut [IndicatorRow], ask: &Ask, per: &PerPopulation) -> Result<()> {
    let (band, scale) = per.checked()?;
    let areas = db.get("areas".to_owned(), store::population::areas(db.db)).await?;
    let neighbours = match (&ask.la_code, rows.iter().any(|r| r.group.level == GroupBy::StatisticalNeighbours)) {
        (Some(la), true) => {
            let measures: Vec<String> = ask.measures.keys().cloned().collect();
            let key = format!("neighbour values {la:?} {measures:?} {:?} {:?}", ask.scope.periods, ask.scope.cohorts);
            (*db.get(key, store::indicators::neighbour_values(db.db, la, &measures, &ask.scope)).await?).clone()
        }
        _ => Vec::new(),
    };
    let mut codes: BTreeSet<String> = rows.iter().filter_map(|r| area_of(r, &areas)).collect();
    codes.extend(neighbours.iter().map(|n| areas.la_area(&n.neighbour_code)));
    let codes: Vec<String> = codes.into_iter().collect();
    let key = format!("persons {codes:?} {band}");
    let persons = db.get(key, store::population::persons(db.db, &codes, &areas, band)).await?;
    let mut years: BTreeMap<&str, BTreeSet<i32>> = BTreeMap::new();
    for (code, year) in persons.keys() {
        years.entry(code.as_str()).or_default().insert(*year);
    }
    let ages = band.to_string();
    for row in rows.iter_mut() {
        let additive = matches!(row.measure.unit.as_str(), "count" | "gbp");
        let Some(start) = start_year(&row.time_period) else { continue };
        if !additive {
            row.note.get_or_insert_with(|| format!("a {} is not set against population", row.measure.unit));
            continue;
        }
        if row.group.level == GroupBy::StatisticalNeighbours {
            // Each neighbour against its own population, then the mean, as DfE's high-needs
            // benchmarking takes it.
            let mut rates = Vec::new();
            let (mut total, mut first_year) = (0.0, None::<i32>);
            for n in neighbours.iter().filter(|n| {
                n.measure_code == row.measure.code && n.time_period == row.time_period && n.cohort == row.cohort
            }) {
                let (Some(value), Some(p)) =
                    (n.value, estimate(&persons, &years, &areas.la_area(&n.neighbour_code), start))
                else {
                    continue;
                };
                if p.persons > 0.0 {
                    rates.push(value * scale / p.persons);
                    total += p.persons;
                    first_year = Some(first_year.map_or(p.year, |y| y.min(p.year)));
                }
            }
            if let Some(year) = first_year {
                row.value_per_population = Some(rates.iter().sum::<f64>() / rates.len() as f64);
                row.population =
                    Some(IndicatorPopulation { year, ages: ages.clone(), persons: total, areas: rates.len() as i32 });
            } else {
                row.note
                    .get_or_insert_with(|| format!("no neighbour has both a figure and an ONS population aged {ages}"));
            }
            continue;
        }
        let Some(area) = area_of(row, &areas) else {
            row.note.get_or_insert_with(|| "ONS estimates no population for this group".to_owned());
            continue;
        };
        match estimate(&persons, &years, &area, start) {
            Some(p) => {
                row.value_per_population = row.value.filter(|_| p.persons > 0.0).map(|v| v * scale / p.persons);
                row.population = Some(IndicatorPopulation {
                    year: p.year,
                    ages: ages.clone(),
                    persons: p.persons,
                    areas: p.areas as i32,
                });
            }
            None => {
                row.note.get_or_insert_with(|| {
                    format!("no ONS population aged {ages} for {area} at or before mid-{start} is imported")
                });
            }
        }
    }
    Ok(())
}

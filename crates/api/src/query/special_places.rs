//! Special-school places per 1,000 pupils (and per 1,000 of an age band) by district or LA,
//! and where pupils with an EHC plan are placed (mainstream, special, alternative provision):
//! the planning figures officers set beside the demand for specialist places. Both are sums of
//! open data (GIAS, DfE's published school-level SEN figures), so every role reads them.

use std::collections::BTreeSet;

use async_graphql::{Context, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;
use store::aggregate::GroupLevel;
use store::population::{Areas, Persons};

use super::indicators::IndicatorGroup;
use super::per_population::{IndicatorPopulation, PerPopulation};
use crate::budget;
use crate::disclosure::{Sensitivity, gate};
use crate::error::{bad_input, forbidden, internal};
use crate::input;
use crate::types::GroupBy;
use crate::viewer::Role;

#[derive(Default)]
pub struct SpecialPlacesQuery;

/// Special-school places in one group beside the pupils its schools hold.
#[derive(SimpleObject, Clone, Debug)]
pub struct SpecialSchoolPlaces {
    /// The district or LA.
    pub group: IndicatorGroup,
    /// Open state-funded special schools in it (maintained, academy, free, non-maintained).
    pub special_schools: i32,
    /// Their places: the sum of GIAS's school capacity.
    pub places: Option<i64>,
    /// Special schools GIAS gives no capacity for (left out of `places`).
    pub special_without_capacity: i32,
    /// Pupils on roll in every open state-funded school of the group (GIAS's last census).
    pub pupils: Option<i64>,
    /// Schools GIAS gives no pupil number for (left out of `pupils`).
    pub schools_without_pupils: i32,
    /// `places` per 1,000 `pupils`.
    pub places_per_thousand_pupils: Option<f64>,
    /// With `perPopulation`: the ONS estimate used (the latest imported).
    pub population: Option<IndicatorPopulation>,
    /// With `perPopulation`: `places` per head or per 1,000 of the age band.
    pub places_per_population: Option<f64>,
    /// Why a figure is missing, when one is.
    pub note: Option<String>,
}

/// Pupils with an EHC plan in one group and census, by where they are placed.
#[derive(SimpleObject, Clone, Debug)]
pub struct EhcpPlacement {
    /// The district or LA.
    pub group: IndicatorGroup,
    /// As DfE shows it: `2023/24`.
    pub period: String,
    /// In state-funded mainstream schools.
    pub mainstream: Option<f64>,
    /// In state-funded and non-maintained special schools.
    pub special: Option<f64>,
    /// In pupil referral units and alternative provision academies.
    pub alternative_provision: Option<f64>,
    /// `mainstream` over all three: the share of EHCP pupils placed in mainstream.
    pub mainstream_share: Option<f64>,
    /// Schools with a figure.
    pub schools: i32,
    /// Schools whose figure DfE published as a symbol (`c`, `x`): left out, never counted as 0.
    pub schools_without_value: i32,
}

fn placement_level(group_by: GroupBy, field: &str) -> Result<GroupLevel> {
    match group_by {
        GroupBy::District => Ok(GroupLevel::District),
        GroupBy::La => Ok(GroupLevel::La),
        _ => Err(bad_input(format!("{field}: group by DISTRICT or LA"))),
    }
}

#[Object]
impl SpecialPlacesQuery {
    /// Where pupils with an EHC plan are placed, per district (default) or LA and census: in
    /// state-funded mainstream schools, special schools or alternative provision, from DfE's
    /// school-level SEN figures (`sen_school_ehcp`) by GIAS's establishment type, and the share
    /// in mainstream. Independent schools are left out. A school DfE suppressed counts as
    /// without a value, never as 0.
    async fn ehcp_placements(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "DISTRICT (default) or LA.", default_with = "GroupBy::District")] group_by: GroupBy,
        #[graphql(desc = "Only this LA's schools (old code, e.g. `886`); default every LA.")] la_code: Option<String>,
    ) -> Result<Vec<EhcpPlacement>> {
        let level = placement_level(group_by, "ehcpPlacements")?;
        input::opt("laCode", la_code.as_ref())?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        // Open only while the counts are DfE's published ones: where the LA imports its own
        // census as `sen_school_ehcp` (restricted), a district's sum is the LA's data, and a
        // district of one school would give that school away.
        let codes = ["sen_school_ehcp".to_owned()];
        let measure = store::query::stats::measures_by_codes(db, &codes).await.map_err(internal)?;
        let restricted =
            measure.first().is_some_and(|m| Sensitivity::of_measure(&m.disclosure) == Sensitivity::Restricted);
        if restricted && gate(ctx)?.viewer().role != Role::Analyst {
            return Err(forbidden(
                "ehcpPlacements: the EHCP counts here are the LA's restricted census; analysts only",
            ));
        }
        let rows = store::aggregate::ehcp_placements(db, level, la_code.as_deref()).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let parts = [r.mainstream, r.special, r.alternative_provision];
                let total: f64 = parts.iter().flatten().sum();
                let share = r.mainstream.or(parts.iter().any(Option::is_some).then_some(0.0));
                EhcpPlacement {
                    group: IndicatorGroup { level: group_by, code: r.code, name: r.name },
                    period: super::indicators::period_display(&r.time_period, "Academic year"),
                    mainstream: r.mainstream,
                    special: r.special,
                    alternative_provision: r.alternative_provision,
                    mainstream_share: share.filter(|_| total > 0.0).map(|m| m / total),
                    schools: r.schools as i32,
                    schools_without_value: r.schools_without_value as i32,
                }
            })
            .collect())
    }

    /// Special-school places per 1,000 pupils on roll by district (default) or LA, from GIAS:
    /// open state-funded special schools' capacity over the pupils of every open state-funded
    /// school there. Independent schools are left out on both sides. With `perPopulation`,
    /// also per head or per 1,000 of an ONS age band (`{ ages: "2-18", per: 1000 }`).
    async fn special_school_places(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "DISTRICT (default) or LA.", default_with = "GroupBy::District")] group_by: GroupBy,
        #[graphql(desc = "Only this LA's schools (old code, e.g. `886`); default every LA.")] la_code: Option<String>,
        #[graphql(desc = "Also set places against an ONS age band (`inclusion import population`).")]
        per_population: Option<PerPopulation>,
    ) -> Result<Vec<SpecialSchoolPlaces>> {
        let level = placement_level(group_by, "specialSchoolPlaces")?;
        input::opt("laCode", la_code.as_ref())?;
        let band = per_population.as_ref().map(PerPopulation::checked).transpose()?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let rows = store::aggregate::special_school_places(db, level, la_code.as_deref()).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        let populations = match band {
            None => None,
            Some((band, scale)) => {
                let areas = store::population::areas(db).await.map_err(internal)?;
                let codes: Vec<String> = rows.iter().map(|r| area_code(level, &r.code, &areas)).collect();
                let persons = store::population::persons(db, &codes, &areas, band).await.map_err(internal)?;
                Some((areas, persons, band, scale))
            }
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let per_thousand = match (r.places, r.pupils) {
                    (Some(places), Some(pupils)) if pupils > 0 => Some(places as f64 * 1000.0 / pupils as f64),
                    _ => None,
                };
                let mut note = match (r.special_schools, r.places) {
                    (0, _) => Some("no open state-funded special school in this group".to_owned()),
                    (_, None) => Some("GIAS gives no capacity for this group's special schools".to_owned()),
                    _ => None,
                };
                let (mut population, mut per_population) = (None, None);
                if let Some((areas, persons, band, scale)) = &populations {
                    let area = area_code(level, &r.code, areas);
                    match latest(persons, &area) {
                        Some(p) => {
                            per_population = r.places.filter(|_| p.persons > 0.0).map(|v| v as f64 * scale / p.persons);
                            population = Some(IndicatorPopulation {
                                year: p.year,
                                ages: band.to_string(),
                                persons: p.persons,
                                areas: p.areas as i32,
                            });
                        }
                        None => {
                            note.get_or_insert_with(|| format!("no ONS population aged {band} for {area} is imported"));
                        }
                    }
                }
                SpecialSchoolPlaces {
                    group: IndicatorGroup { level: group_by, code: r.code, name: r.name },
                    special_schools: r.special_schools as i32,
                    places: r.places,
                    special_without_capacity: r.special_without_capacity as i32,
                    pupils: r.pupils,
                    schools_without_pupils: r.schools_without_pupils as i32,
                    places_per_thousand_pupils: per_thousand,
                    population,
                    places_per_population: per_population,
                    note,
                }
            })
            .collect())
    }
}

/// Where a group's population is stored: a district's GSS code, an LA's GSS code where known.
fn area_code(level: GroupLevel, code: &str, areas: &Areas) -> String {
    match level {
        GroupLevel::La => areas.la_area(code),
        _ => code.to_owned(),
    }
}

/// GIAS is today's picture: the latest estimate imported for the area.
fn latest<'a>(persons: &'a std::collections::BTreeMap<(String, i32), Persons>, area: &str) -> Option<&'a Persons> {
    let years: BTreeSet<i32> = persons.keys().filter(|(a, _)| a == area).map(|(_, y)| *y).collect();
    persons.get(&(area.to_owned(), *years.last()?))
}

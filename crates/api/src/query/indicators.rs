//! `indicators`: a measure for a school set beside its groups, its LA, region, statistical
//! neighbours and England, by cohort, computed from school figures by the measure's declared rule
//! and, where DfE publishes the same figure, DfE's own value side by side.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use domain::stats::TimePeriod;
use sea_orm::DatabaseConnection;
use store::entity::measure;
use store::indicators::{ComputedLevel, Rule, Scope};
use store::runs::DataVersion;

use super::per_population::{IndicatorPopulation, PerPopulation};
use crate::budget;
use crate::disclosure::{Sensitivity, Shown, gate};
use crate::error::{bad_input, internal};
use crate::figure_cache::FigureCache;
use crate::input;
use crate::types::{GroupBy, Measure};

const FIELD: &str = "Query.indicators";
/// Measures one request may ask for.
const MAX_MEASURES: usize = 50;

#[derive(Default)]
pub struct IndicatorQuery;

/// Which schools the figures cover; every field given narrows. With `laCode`, the `LA`,
/// `REGION`, `STATISTICAL_NEIGHBOURS` and `NATIONAL` levels return that LA, its region, its
/// neighbours' mean and England.
#[derive(InputObject, Default, Clone)]
pub struct IndicatorFilter {
    /// The LA (old code, e.g. `886`).
    pub la_code: Option<String>,
    /// A district (GSS code, e.g. `E07000105`).
    pub district_code: Option<String>,
    /// A locality cluster's id.
    pub cluster_id: Option<ID>,
    /// A phase of education as GIAS names it (`Primary`, `Secondary`, …).
    pub phase: Option<String>,
    /// Schools of one GIAS admissions policy (`Selective`, `Non-selective`, `Not applicable`;
    /// case aside): Attainment 8 for grammar and non-selective schools apart, as Kent reports it.
    pub admissions_policy: Option<String>,
    /// These schools only (URNs).
    pub urns: Option<Vec<i32>>,
}

/// Where an indicator row's figure comes from.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
pub enum IndicatorSource {
    /// Computed here from the school figures of the group, by the measure's rule.
    Computed,
    /// Published by DfE for that place (LA, region, England), or the mean of the neighbours'
    /// published figures.
    Published,
}

/// The group a row is for.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct IndicatorGroup {
    /// The level grouped at.
    pub level: GroupBy,
    /// The group's code: a URN, cluster id, district GSS code, phase, `district/phase`, LA code,
    /// region GSS code or `E92000001`; the LA's code for its neighbours.
    pub code: String,
    /// The group's name as a reader would say it.
    pub name: String,
}

/// One figure of one group for one measure, period and cohort.
#[derive(SimpleObject, Clone)]
pub struct IndicatorRow {
    /// The group the figure is for.
    pub group: IndicatorGroup,
    /// The measure.
    pub measure: Measure,
    /// As DfE shows it: `2022/23`.
    pub period: String,
    /// The raw EES time period, e.g. `202223`.
    pub time_period: String,
    /// `all`, `sen_support`, `ehcp`, `no_sen`, `cic`, … as the mapping names it.
    pub cohort: String,
    /// The figure; null when no school had a number, DfE published a symbol, or the disclosure
    /// rules hold it back (see `status`).
    pub value: Option<f64>,
    /// A DfE symbol in place of a published number, `c` when held back here, `z` where DfE
    /// publishes no figure for the period (see `note`); null with a value.
    pub status: Option<String>,
    /// Σ numerator (rate), Σ count, or Σ score × weight (weighted score) over the contributing
    /// schools. Computed rows only; null when held back.
    pub numerator: Option<f64>,
    /// Σ denominator or Σ weight over the same schools. Computed rows of rates and scores only.
    pub denominator: Option<f64>,
    /// Schools whose figure (and its parts) are numbers. Computed rows only.
    pub schools_contributing: Option<i32>,
    /// Schools with a row for the measure but a symbol (`c`, `x`, `low`, …) in place of a number,
    /// never counted as 0. Computed rows only.
    pub schools_without_value: Option<i32>,
    /// For `STATISTICAL_NEIGHBOURS`: how many of the LA's neighbours had a published number.
    pub neighbours_with_value: Option<i32>,
    /// For an LA's published figure: its rank among the LAs with a number (1 best, by the
    /// measure's declared direction); null when the measure declares none.
    pub rank: Option<i32>,
    /// How many LAs had a number for the rank.
    pub rank_of: Option<i32>,
    /// The quartile band of the rank, 1 (best quarter) to 4, as DfE's LA tools band them.
    pub quartile: Option<i32>,
    /// `COMPUTED` from school figures or `PUBLISHED` by DfE.
    pub source: IndicatorSource,
    /// Why a figure is missing where that is known, e.g. a progress measure DfE did not publish,
    /// or why it has no value per population.
    pub note: Option<String>,
    /// With `perPopulation`: the population the figure is set against.
    pub population: Option<IndicatorPopulation>,
    /// With `perPopulation`: the value per head (or per 1,000) of that population; for
    /// `STATISTICAL_NEIGHBOURS`, the mean of each neighbour's own.
    pub value_per_population: Option<f64>,
    /// With `perPupils`: the headcount the count is set against.
    pub pupils: Option<super::per_pupils::IndicatorPupils>,
    /// With `perPupils`: the count per 1,000 (or `per`) pupils of that headcount.
    pub value_per_pupils: Option<f64>,
}

/// Figures DfE does not publish, so a missing cell says why: progress measures need a prior
/// attainment baseline the pandemic years lack (DfE, KS2 and KS4 methodology).
fn not_published(measure: &str, time_period: &str) -> Option<&'static str> {
    let year: i32 = time_period.get(..4)?.parse().ok()?;
    if measure.starts_with("ks2_") && measure.ends_with("_progress") && year >= 2023 {
        return Some(
            "DfE publishes no KS2 progress scores for 2023/24 onward: there is no KS1 baseline for these pupils",
        );
    }
    if measure.starts_with("ks4_progress8") && (2024..=2025).contains(&year) {
        return Some("DfE publishes no Progress 8 for 2024/25 and 2025/26: there is no KS2 baseline for these pupils");
    }
    None
}

fn level_name(level: GroupBy) -> &'static str {
    match level {
        GroupBy::School => "SCHOOL",
        GroupBy::Cluster => "CLUSTER",
        GroupBy::District => "DISTRICT",
        GroupBy::Phase => "PHASE",
        GroupBy::PhaseInDistrict => "PHASE_IN_DISTRICT",
        GroupBy::La => "LA",
        GroupBy::Region => "REGION",
        GroupBy::StatisticalNeighbours => "STATISTICAL_NEIGHBOURS",
        GroupBy::National => "NATIONAL",
    }
}

/// The database with the figures already computed at its current data version.
pub(super) struct Figures<'a> {
    pub(super) db: &'a DatabaseConnection,
    cache: &'a FigureCache,
    version: DataVersion,
}

impl<'a> Figures<'a> {
    async fn new(ctx: &Context<'a>) -> Result<Self> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let cache = ctx.data_unchecked::<FigureCache>();
        let version = store::runs::data_version(db).await.map_err(internal)?;
        cache.observe(version);
        Ok(Self { db, cache, version })
    }

    /// What `compute` reads, from the cache while the data has not changed.
    pub(super) async fn get<T, F>(&self, key: String, compute: F) -> Result<Arc<T>>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, store::Error>>,
    {
        if let Some(hit) = self.cache.get::<T>(self.version, &key) {
            return Ok(hit);
        }
        let value = Arc::new(compute.await.map_err(internal)?);
        self.cache.put(self.version, key, value.clone());
        Ok(value)
    }
}

/// What one request asks for, checked.
pub(super) struct Ask {
    pub(super) measures: BTreeMap<String, measure::Model>,
    pub(super) scope: Scope,
    pub(super) la_code: Option<String>,
    /// The LA of `filter.laCode`, looked up once: its name and region serve every level.
    la: Option<store::entity::local_authority::Model>,
}

impl Ask {
    /// The same places and periods, for one other measure and cohort.
    pub(super) fn of(ask: &Ask, measure: measure::Model, cohort: &str) -> Ask {
        Ask {
            measures: [(measure.code.clone(), measure)].into(),
            scope: Scope { cohorts: Some(vec![cohort.to_owned()]), ..ask.scope.clone() },
            la_code: ask.la_code.clone(),
            la: ask.la.clone(),
        }
    }

    fn region_code(&self) -> Option<String> {
        self.la.as_ref().and_then(|l| l.region_code.clone())
    }
}

#[Object]
impl IndicatorQuery {
    /// Indicator figures for groups of schools, by measure, period and cohort: computed from the
    /// school figures by each measure's rule (counts sum; rates are recomputed from the summed
    /// numerators and denominators, never averaged; scores are weighted by their cohort size),
    /// with DfE's published figure for the LA, region and England beside them, the mean of the
    /// LA's statistical neighbours, and the LA's rank and quartile among LAs. Asking for a
    /// measure without a rule below LA level is an error naming it.
    // Each parameter is one GraphQL argument of the field.
    #[allow(clippy::too_many_arguments)]
    async fn indicators(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Measure codes, e.g. `[\"excl_suspension_rate\"]` (at most 50).")] measures: Vec<String>,
        #[graphql(desc = "Periods as DfE shows them (`2022/23`) or raw (`202223`); default every period.")]
        periods: Option<Vec<String>>,
        #[graphql(desc = "Cohorts, e.g. `[\"all\", \"ehcp\"]`; default every cohort.")] cohorts: Option<Vec<String>>,
        #[graphql(desc = "The levels to group at; each gives its own rows.")] group_by: Vec<GroupBy>,
        #[graphql(desc = "Which schools count.")] filter: Option<IndicatorFilter>,
        #[graphql(desc = "Counts and sums of money also per head (or per 1,000) of an age band's population, \
                          for districts, the LA, region, England and the neighbours' mean.")]
        per_population: Option<PerPopulation>,
        #[graphql(desc = "Counts also per 1,000 (or `per`) pupils of a published headcount of the same place and \
                          period (`excl_headcount` by default): DfE's own for the LA, region and England.")]
        per_pupils: Option<super::per_pupils::PerPupils>,
    ) -> Result<Vec<IndicatorRow>> {
        if let Some(p) = &per_population {
            p.checked()?;
        }
        let db = &Figures::new(ctx).await?;
        let ask = ask(db, measures, periods, cohorts, filter.unwrap_or_default()).await?;
        if group_by.is_empty() {
            return Err(bad_input("groupBy: name at least one level"));
        }
        let levels: BTreeSet<_> = group_by.iter().map(|g| level_name(*g)).collect();
        let mut rows = Vec::new();
        for level in group_by.iter().copied().filter(|g| levels.contains(level_name(*g))) {
            let mut got = match level {
                GroupBy::StatisticalNeighbours => neighbours(db, &ask).await?,
                _ => {
                    let mut r = computed(db, level, &ask).await?;
                    r.extend(published(db, level, &ask).await?);
                    r
                }
            };
            budget::charge(ctx, got.len())?;
            rows.append(&mut got);
        }
        let gate = gate(ctx)?;
        for row in &mut rows {
            let m = &ask.measures[&row.measure.code];
            let sensitivity = Sensitivity::of_measure(&m.disclosure);
            let contributing = row.schools_contributing.map(i64::from);
            let shown = gate.indicator_value(
                FIELD,
                level_name(row.group.level),
                &row.group.code,
                sensitivity,
                &m.unit,
                contributing,
                row.value,
            )?;
            if let Shown::Suppressed = shown {
                row.value = None;
                row.numerator = None;
                row.denominator = None;
                row.status = Some("c".into());
            }
            if row.value.is_none() && row.note.is_none() {
                row.note = not_published(&row.measure.code, &row.time_period).map(str::to_owned);
                if row.note.is_some() && row.status.is_none() {
                    row.status = Some("z".into());
                }
            }
        }
        // After the disclosure rules: a figure held back has no value per head either.
        if let Some(p) = &per_population {
            super::per_population::apply(db, &mut rows, &ask, p).await?;
        }
        if let Some(p) = &per_pupils {
            super::per_pupils::apply(db, &mut rows, &ask, p).await?;
        }
        Ok(rows)
    }
}

async fn ask(
    db: &Figures<'_>,
    measures: Vec<String>,
    periods: Option<Vec<String>>,
    cohorts: Option<Vec<String>>,
    filter: IndicatorFilter,
) -> Result<Ask> {
    if measures.is_empty() || measures.len() > MAX_MEASURES {
        return Err(bad_input(format!("measures: name 1 to {MAX_MEASURES} measure codes")));
    }
    input::list("measures", Some(&measures))?;
    input::list("periods", periods.as_ref())?;
    input::list("cohorts", cohorts.as_ref())?;
    input::opt("filter.laCode", filter.la_code.as_ref())?;
    input::opt("filter.districtCode", filter.district_code.as_ref())?;
    input::opt("filter.phase", filter.phase.as_ref())?;
    input::opt("filter.admissionsPolicy", filter.admissions_policy.as_ref())?;
    if filter.urns.as_ref().is_some_and(|u| u.len() > input::MAX_LIST) {
        return Err(bad_input(format!("filter.urns: at most {} URNs", input::MAX_LIST)));
    }
    let cluster_id = match &filter.cluster_id {
        None => None,
        Some(id) => {
            Some(id.parse::<i64>().map_err(|_| bad_input(format!("filter.clusterId {:?} is not a cluster id", id.0)))?)
        }
    };
    let periods = periods
        .map(|ps| {
            ps.iter()
                .map(|p| TimePeriod::parse_arg(p).map(|t| t.code().to_owned()).map_err(|e| bad_input(e.to_string())))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let mut codes = measures.clone();
    codes.sort();
    codes.dedup();
    let found = db.get(format!("measures {codes:?}"), store::query::stats::measures_by_codes(db.db, &codes)).await?;
    let found: BTreeMap<String, measure::Model> = found.iter().map(|m| (m.code.clone(), m.clone())).collect();
    if let Some(missing) = measures.iter().find(|m| !found.contains_key(*m)) {
        return Err(bad_input(format!("measures: {missing:?} is not a measure imported here (see `measures`)")));
    }
    // An LA named by its GSS code reads as its old code, the code figures are stored under.
    let la = match &filter.la_code {
        Some(code) => (*db.get(format!("la {code:?}"), store::query::places::la(db.db, code)).await?).clone(),
        None => None,
    };
    let la_code = filter.la_code.map(|code| la.as_ref().map_or(code, |l| l.code.clone()));
    Ok(Ask {
        measures: found,
        la,
        la_code: la_code.clone(),
        scope: Scope {
            la_code,
            district_code: filter.district_code,
            cluster_id,
            phase: filter.phase,
            admissions_policy: filter.admissions_policy,
            urns: filter.urns,
            periods,
            cohorts,
        },
    })
}

pub(super) fn period_display(time_period: &str, time_identifier: &str) -> String {
    TimePeriod::parse(time_period, time_identifier).map(|p| p.display()).unwrap_or_else(|_| time_period.to_owned())
}

/// Computed rows at `level`: school groupings below the LA need every measure's rule; the LA,
/// region and England compute the measures that have one (the others come published only).
pub(super) async fn computed(db: &Figures<'_>, level: GroupBy, ask: &Ask) -> Result<Vec<IndicatorRow>> {
    let (computed_level, scope) = match level {
        GroupBy::Region | GroupBy::National => {
            // A region or England is every school in it, not those of the LA filtered on.
            // Kinds of school (phase, admissions policy) still narrow it.
            let scope = Scope {
                periods: ask.scope.periods.clone(),
                cohorts: ask.scope.cohorts.clone(),
                phase: ask.scope.phase.clone(),
                admissions_policy: ask.scope.admissions_policy.clone(),
                ..Scope::default()
            };
            (if level == GroupBy::Region { ComputedLevel::Region } else { ComputedLevel::National }, scope)
        }
        _ => (ComputedLevel::Schools(level.school_level("indicators")?), ask.scope.clone()),
    };
    let needs_rule = !matches!(level, GroupBy::School | GroupBy::La | GroupBy::Region | GroupBy::National);
    let mut rules = Vec::new();
    for (code, m) in &ask.measures {
        match (Rule::of(m), level) {
            (Some(rule), _) => rules.push((code.clone(), rule)),
            // One school's figure is itself.
            (None, GroupBy::School) => rules.push((code.clone(), Rule::Sum)),
            (None, _) if needs_rule => {
                return Err(bad_input(format!(
                    "measure {code:?} ({}) has no aggregation rule in its mapping, so it has no {} figure; \
                     add `aggregate` to the mapping (mappings/README.md)",
                    m.unit,
                    level_name(level)
                )));
            }
            (None, _) => {}
        }
    }
    let by_code: BTreeMap<&str, &Rule> = rules.iter().map(|(c, r)| (c.as_str(), r)).collect();
    let key = format!("computed {computed_level:?} {rules:?} {scope:?}");
    let rows = db.get(key, store::indicators::computed(db.db, computed_level, &rules, &scope)).await?;
    let region = if level == GroupBy::Region { ask.region_code() } else { None };
    Ok(rows
        .iter()
        .filter(|r| region.as_ref().is_none_or(|code| &r.group_code == code))
        .map(|r| {
            let rule = by_code[r.measure_code.as_str()];
            IndicatorRow {
                group: IndicatorGroup { level, code: r.group_code.clone(), name: r.group_name.clone() },
                measure: Measure::from(ask.measures[&r.measure_code].clone()),
                period: period_display(&r.time_period, &r.time_identifier),
                time_period: r.time_period.clone(),
                cohort: r.cohort.clone(),
                value: rule.value(r.numerator, r.denominator),
                status: None,
                numerator: r.numerator,
                denominator: r.denominator,
                schools_contributing: Some(r.contributing as i32),
                schools_without_value: Some(r.without_value as i32),
                neighbours_with_value: None,
                rank: None,
                rank_of: None,
                quartile: None,
                source: IndicatorSource::Computed,
                note: None,
                population: None,
                value_per_population: None,
                pupils: None,
                value_per_pupils: None,
            }
        })
        .collect())
}

/// DfE's published figures for the LA, its region or England; with an LA's rank and quartile.
pub(super) async fn published(db: &Figures<'_>, level: GroupBy, ask: &Ask) -> Result<Vec<IndicatorRow>> {
    let (stored, codes): (&str, Vec<String>) = match level {
        GroupBy::La => ("la", ask.la_code.iter().cloned().collect()),
        GroupBy::Region => ("regional", ask.region_code().into_iter().collect()),
        GroupBy::National => ("national", vec!["E92000001".to_owned()]),
        _ => return Ok(Vec::new()),
    };
    let measures: Vec<String> = ask.measures.keys().cloned().collect();
    let key = format!("published {stored} {codes:?} {measures:?} {:?} {:?}", ask.scope.periods, ask.scope.cohorts);
    let rows = db.get(key, store::indicators::published(db.db, stored, &codes, &measures, &ask.scope)).await?;
    let name = place_name(db, ask, stored).await?;
    let narrowed = ask.scope.phase.is_some() || ask.scope.admissions_policy.is_some();
    Ok(rows
        .iter()
        .map(|r| {
            let m = &ask.measures[&r.measure_code];
            let rank = match m.better.as_deref() {
                Some("higher") => r.rank_high,
                Some("lower") => r.rank_low,
                _ => None,
            };
            let rank_of = rank.and(r.rank_of);
            // Rank k of n falls in band ⌊4(k−1)/n⌋ + 1: the first quarter of ranks is band 1.
            let quartile = rank.zip(rank_of).map(|(k, n)| ((4 * (k - 1)) / n + 1) as i32);
            IndicatorRow {
                group: IndicatorGroup {
                    level,
                    name: name.clone().unwrap_or_else(|| r.geography_code.clone()),
                    code: r.geography_code.clone(),
                },
                measure: Measure::from(m.clone()),
                period: period_display(&r.time_period, &r.time_identifier),
                time_period: r.time_period.clone(),
                cohort: r.cohort.clone(),
                value: r.value,
                status: r.status.clone(),
                numerator: None,
                denominator: None,
                schools_contributing: None,
                schools_without_value: None,
                neighbours_with_value: None,
                rank: rank.map(|k| k as i32),
                rank_of: rank_of.map(|n| n as i32),
                quartile,
                source: IndicatorSource::Published,
                note: narrowed.then(|| {
                    "DfE's figure for all schools there: phase and admissions policy do not narrow it".to_owned()
                }),
                population: None,
                value_per_population: None,
                pupils: None,
                value_per_pupils: None,
            }
        })
        .collect())
}

/// The name of the one place a published level returns (the LA, its region, England).
async fn place_name(db: &Figures<'_>, ask: &Ask, level: &str) -> Result<Option<String>> {
    Ok(match level {
        "la" => ask.la.as_ref().map(|l| l.name.clone()),
        "regional" => match ask.region_code() {
            Some(code) => db
                .get(format!("region {code:?}"), store::query::places::region(db.db, &code))
                .await?
                .as_ref()
                .clone()
                .map(|r| r.name),
            None => None,
        },
        _ => Some("England".to_owned()),
    })
}

/// The mean of the LA's neighbours' published figures, as DfE's LA benchmarking tools show it.
async fn neighbours(db: &Figures<'_>, ask: &Ask) -> Result<Vec<IndicatorRow>> {
    let Some(la) = &ask.la_code else {
        return Err(bad_input("STATISTICAL_NEIGHBOURS needs filter.laCode: whose neighbours?"));
    };
    let measures: Vec<String> = ask.measures.keys().cloned().collect();
    let key = format!("neighbours {la:?} {measures:?} {:?} {:?}", ask.scope.periods, ask.scope.cohorts);
    let rows = db.get(key, store::indicators::neighbour_means(db.db, la, &measures, &ask.scope)).await?;
    let name = format!("Statistical neighbours of {}", ask.la.as_ref().map_or(la.as_str(), |l| l.name.as_str()));
    Ok(rows
        .iter()
        .map(|r| IndicatorRow {
            group: IndicatorGroup { level: GroupBy::StatisticalNeighbours, code: la.clone(), name: name.clone() },
            measure: Measure::from(ask.measures[&r.measure_code].clone()),
            period: period_display(&r.time_period, &r.time_identifier),
            time_period: r.time_period.clone(),
            cohort: r.cohort.clone(),
            value: r.mean,
            status: None,
            numerator: None,
            denominator: None,
            schools_contributing: None,
            schools_without_value: None,
            neighbours_with_value: Some(r.with_value as i32),
            rank: None,
            rank_of: None,
            quartile: None,
            source: IndicatorSource::Published,
            note: None,
            population: None,
            value_per_population: None,
            pupils: None,
            value_per_pupils: None,
        })
        .collect())
}

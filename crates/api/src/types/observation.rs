//! `Observation`, `Measure` and the shared `observations(…)` argument handling.

use async_graphql::{ComplexObject, Context, ID, InputObject, Result, SimpleObject};
use domain::stats::TimePeriod;
use store::entity::{measure, observation};
use store::query::stats::ObservationFilter;

use crate::budget;
use crate::disclosure::{Sensitivity, gate};
use crate::error::{bad_input, forbidden, internal};
use crate::input;
use crate::loaders::{ObsKey, loaders};

/// A statistical measure, e.g. `ehc_plans_total` (count) or `pru_overall_absence_rate` (percent).
#[derive(SimpleObject, Clone)]
pub struct Measure {
    pub code: String,
    pub label: String,
    /// `count`, `percent`, `score` or `rate`.
    pub unit: String,
    /// The DfE publication it comes from.
    pub publication: Option<String>,
    /// `PUBLISHED` (DfE open data) or `RESTRICTED` (the LA's own figures: schools see their own,
    /// others see groups).
    pub disclosure: Sensitivity,
}

impl From<measure::Model> for Measure {
    fn from(m: measure::Model) -> Self {
        let disclosure = Sensitivity::of_measure(&m.disclosure);
        Self { code: m.code, label: m.label, unit: m.unit, publication: m.publication, disclosure }
    }
}

/// The import run that brought a figure.
#[derive(SimpleObject, Clone)]
pub struct RunRef {
    pub id: ID,
}

/// One figure: a measure for a period, a place and a cohort. When DfE published a symbol instead
/// of a number, `value` is null and `status` holds the symbol (`c` suppressed, `x` unavailable,
/// `z` not applicable, `low` rounds to zero, `u` low reliability, …).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Observation {
    #[graphql(skip)]
    pub measure_code: String,
    /// As DfE shows it: `2022/23`, `2022`, or `2022/23 Autumn and spring term`.
    pub period: String,
    /// The raw EES code, e.g. `202223`.
    pub time_period: String,
    pub time_identifier: String,
    /// `school`, `lad` (district), `la`, `regional` or `national`.
    pub geographic_level: String,
    /// URN, district GSS code, LA code (`886`), region or country code.
    pub geography_code: String,
    /// `all`, `sen_support`, `ehcp`, `no_sen`, `cic`, … as the mapping names it.
    pub cohort: String,
    /// Filter values not turned into the measure or cohort (`col=value;…`), or `total`.
    pub breakdown: String,
    pub value: Option<f64>,
    pub status: Option<String>,
    pub run: Option<RunRef>,
}

impl From<observation::Model> for Observation {
    fn from(m: observation::Model) -> Self {
        let period = TimePeriod::parse(&m.time_period, &m.time_identifier)
            .map(|p| p.display())
            .unwrap_or_else(|_| m.time_period.clone());
        Self {
            measure_code: m.measure_code,
            period,
            time_period: m.time_period,
            time_identifier: m.time_identifier,
            geographic_level: m.geographic_level,
            geography_code: m.geography_code,
            cohort: m.cohort,
            breakdown: m.breakdown,
            value: m.value,
            status: m.status,
            run: m.run_id.map(|id| RunRef { id: ID(id.to_string()) }),
        }
    }
}

#[ComplexObject]
impl Observation {
    /// What the figure measures.
    async fn measure(&self, ctx: &Context<'_>) -> Result<Option<Measure>> {
        let loaders = loaders(ctx)?;
        Ok(loaders.measures.load_one(self.measure_code.clone()).await.map_err(internal)?.map(Measure::from))
    }
}

/// Which observations to return; every field given narrows.
#[derive(InputObject, Default, Clone)]
pub struct ObservationQuery {
    /// Measure codes, e.g. `["ehc_plans_total"]`.
    pub measures: Option<Vec<String>>,
    /// Cohorts, e.g. `["all", "ehcp"]`.
    pub cohorts: Option<Vec<String>>,
    /// Periods as DfE shows them (`2022/23`, `2022`) or raw (`202223`).
    pub periods: Option<Vec<String>>,
    /// Breakdowns; default `["total"]`. Pass `[]` for every breakdown.
    pub breakdowns: Option<Vec<String>>,
}

impl ObservationQuery {
    pub(crate) fn into_filter(self) -> Result<ObservationFilter> {
        input::list("query.measures", self.measures.as_ref())?;
        input::list("query.cohorts", self.cohorts.as_ref())?;
        input::list("query.periods", self.periods.as_ref())?;
        input::list("query.breakdowns", self.breakdowns.as_ref())?;
        let periods = match self.periods {
            None => None,
            Some(ps) => Some(
                ps.iter()
                    .map(|p| {
                        TimePeriod::parse_arg(p).map(|t| t.code().to_owned()).map_err(|e| bad_input(e.to_string()))
                    })
                    .collect::<Result<Vec<_>>>()?,
            ),
        };
        let breakdowns = match self.breakdowns {
            None => Some(vec!["total".to_owned()]),
            Some(b) if b.is_empty() => None,
            Some(b) => Some(b),
        };
        Ok(ObservationFilter { measures: self.measures, cohorts: self.cohorts, periods, breakdowns })
    }
}

/// Observations of one place, through the request's batch loader and the disclosure gate:
/// restricted figures of a school the viewer may not read make the whole field `FORBIDDEN`
/// (never a shorter list that looks complete); above school level small counts become `c`.
pub(crate) async fn observations_of(
    ctx: &Context<'_>,
    field: &'static str,
    level: &str,
    code: &str,
    query: Option<ObservationQuery>,
) -> Result<Vec<Observation>> {
    let filter = query.unwrap_or_default().into_filter()?;
    let loaders = loaders(ctx)?;
    let gate = gate(ctx)?;
    if level == "school" {
        // Decided by what the question can select, before any row is read: whether a school
        // holds restricted figures is not to be learnt from FORBIDDEN coming or not.
        let urn = code.parse::<i32>().map_err(|_| bad_input(format!("{code:?} is not a URN")))?;
        let restricted = loaders.restricted_measures().await.map_err(internal)?;
        let asks = match &filter.measures {
            Some(codes) => codes.iter().any(|c| restricted.contains(c)),
            None => !restricted.is_empty(),
        };
        if asks {
            gate.school_value(field, urn, Sensitivity::Restricted, ()).map_err(|e| {
                if filter.measures.is_none() {
                    forbidden(format!(
                        "{field} of school {urn} without `measures` would include restricted figures: name published measures (see `measures {{ code disclosure }}`)"
                    ))
                } else {
                    e
                }
            })?;
        }
    }
    let key = ObsKey { level: level.to_owned(), code: code.to_owned(), filter };
    let rows = loaders.observations.load_one(key).await.map_err(internal)?.unwrap_or_default();
    let codes: std::collections::BTreeSet<String> = rows.iter().map(|r| r.measure_code.clone()).collect();
    let measures = loaders.measures.load_many(codes).await.map_err(internal)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        // A figure whose measure is gone is treated as restricted: fail closed.
        let (sensitivity, unit) = measures
            .get(&row.measure_code)
            .map_or((Sensitivity::Restricted, "count"), |m| (Sensitivity::of_measure(&m.disclosure), m.unit.as_str()));
        let mut o = Observation::from(row);
        if level == "school" {
            let urn = code.parse::<i32>().map_err(|_| bad_input(format!("{code:?} is not a URN")))?;
            gate.school_value(field, urn, sensitivity, ())?;
        } else {
            let shown = gate.place_value(field, level, code, sensitivity, unit, o.value)?;
            if shown.status().is_some() {
                (o.value, o.status) = (None, shown.status());
            }
        }
        out.push(o);
    }
    budget::charge(ctx, out.len())?;
    Ok(out)
}

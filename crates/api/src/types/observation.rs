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
    /// The measure's code, e.g. `ehc_plans_total`, as the mapping names it.
    pub code: String,
    /// What it counts, as a reader would say it.
    pub label: String,
    /// `count`, `percent`, `score`, `rate` or `gbp` (pounds).
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
    /// The run's id (`inclusion` run history).
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
    /// EES time identifier, e.g. `Academic year`, `Calendar year`.
    pub time_identifier: String,
    /// `school`, `lad` (district), `la`, `regional` or `national`.
    pub geographic_level: String,
    /// URN, district GSS code, LA code (`886`), region or country code.
    pub geography_code: String,
    /// `all`, `sen_support`, `ehcp`, `no_sen`, `cic`, … as the mapping names it.
    pub cohort: String,
    /// Filter values not turned into the measure or cohort (`col=value;…`), or `total`.
    pub breakdown: String,
    /// The figure; null when DfE published a symbol instead (see `status`) or the disclosure rules hold it back.
    pub value: Option<f64>,
    /// The DfE symbol in place of a number (`c`, `x`, `z`, `low`, `u`, …), or `c` when suppressed here; null with a value.
    pub status: Option<String>,
    /// The import run that wrote the figure.
    pub run: Option<RunRef>,
    #[graphql(skip)]
    pub run_id: Option<i64>,
    /// How the gate showed this figure's value, so its history is shown the same way: set for a
    /// restricted figure above school level (sensitivity, unit).
    #[graphql(skip)]
    pub gated: Option<(Sensitivity, String)>,
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
            run_id: m.run_id,
            gated: None,
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

    /// Where the figure came from, to cite it: the publication, the data set and its version, the
    /// release, when it was published and whether it was provisional. Null for figures imported
    /// before sources were recorded.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<ObservationSource>> {
        let Some(run) = self.run_id else { return Ok(None) };
        Ok(loaders(ctx)?.sources.load_one(run).await.map_err(internal)?.map(ObservationSource::from))
    }

    /// Values this figure had before later imports replaced them (a provisional figure a revised
    /// release corrected), oldest first, each with the source that published it.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<SupersededValue>> {
        let key = store::provenance::FigureKey {
            geographic_level: self.geographic_level.clone(),
            geography_code: self.geography_code.clone(),
            measure_code: self.measure_code.clone(),
            time_period: self.time_period.clone(),
            time_identifier: self.time_identifier.clone(),
            cohort: self.cohort.clone(),
            breakdown: self.breakdown.clone(),
        };
        let rows = loaders(ctx)?.history.load_one(key).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        let gate = gate(ctx)?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (mut value, mut status) = (r.value, r.status);
            // Shown as the figure itself is: a suppressed count stays suppressed in its history.
            if let Some((sensitivity, unit)) = &self.gated {
                let shown = gate.place_value(
                    "Observation.history",
                    &self.geographic_level,
                    &self.geography_code,
                    *sensitivity,
                    unit,
                    value,
                )?;
                if shown.status().is_some() {
                    (value, status) = (None, shown.status());
                }
            }
            out.push(SupersededValue {
                value,
                status,
                run_id: r.run_id,
                replaced_by: RunRef { id: ID(r.replaced_by_run.to_string()) },
            });
        }
        Ok(out)
    }
}

/// Where a figure came from.
#[derive(SimpleObject, Clone)]
pub struct ObservationSource {
    /// The DfE publication, e.g. `Special educational needs in England`.
    pub publication: String,
    /// The EES data set id (API imports) or the data set the mapping names.
    pub dataset: Option<String>,
    /// The data set version (`2.0`), when the EES API gave it.
    pub version: Option<String>,
    /// The release, e.g. `2023/24`, as the import was told.
    pub release: Option<String>,
    /// When DfE published it (ISO 8601).
    pub published: Option<String>,
    /// `true` provisional, `false` revised or final, null when not stated.
    pub provisional: Option<bool>,
    /// DfE's footnotes for the data set, where the file or API gave them.
    pub footnotes: Option<String>,
}

impl From<store::entity::observation_source::Model> for ObservationSource {
    fn from(m: store::entity::observation_source::Model) -> Self {
        Self {
            publication: m.publication,
            dataset: m.dataset,
            version: m.version,
            release: m.release,
            published: m.published,
            provisional: m.provisional,
            footnotes: m.footnotes,
        }
    }
}

/// A value a later import replaced.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct SupersededValue {
    /// The replaced figure; null when it was a symbol (see `status`) or is held back.
    pub value: Option<f64>,
    /// The DfE symbol it had instead of a number, if any.
    pub status: Option<String>,
    #[graphql(skip)]
    pub run_id: Option<i64>,
    /// The import that replaced it.
    pub replaced_by: RunRef,
}

#[ComplexObject]
impl SupersededValue {
    /// Where the replaced value came from.
    async fn source(&self, ctx: &Context<'_>) -> Result<Option<ObservationSource>> {
        let Some(run) = self.run_id else { return Ok(None) };
        Ok(loaders(ctx)?.sources.load_one(run).await.map_err(internal)?.map(ObservationSource::from))
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
            if sensitivity == Sensitivity::Restricted {
                o.gated = Some((sensitivity, unit.to_owned()));
            }
        }
        out.push(o);
    }
    budget::charge(ctx, out.len())?;
    Ok(out)
}

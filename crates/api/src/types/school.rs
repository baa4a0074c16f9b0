//! `School`, its list filter and sort order.

use async_graphql::{ComplexObject, Context, Enum, InputObject, Result, SimpleObject};
use store::entity::school;

use super::observation::{ObservationQuery, observations_of};
use super::{Cluster, Designation, District, LocalAuthority, Observation, Srp, TrainingEnrolment, designation_as_of};
use crate::budget;
use crate::disclosure::{Sensitivity, gate};
use crate::error::internal;
use crate::input;
use crate::loaders::loaders;
use crate::scalars::Date;

/// An establishment from the register of schools (GIAS): identity, type, phase, status and size.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct School {
    /// Unique Reference Number.
    pub urn: i32,
    /// LA code and establishment number, e.g. `8862001`.
    pub laestab: Option<String>,
    /// UK Provider Reference Number.
    pub ukprn: Option<String>,
    /// The establishment's name.
    pub name: String,
    /// Old three-digit LA code, e.g. `886`.
    pub la_code: Option<String>,
    /// GSS code of the local authority district.
    pub district_code: Option<String>,
    /// e.g. `Community school`, `Academy converter`, `Pupil referral unit`.
    pub type_of_establishment: String,
    /// e.g. `Local authority maintained schools`, `Academies`, `Special schools`.
    pub type_group: String,
    /// e.g. `Open`, `Closed`, `Open, but proposed to close`.
    pub status: String,
    /// e.g. `Primary`, `Secondary`, `All-through`, `Not applicable`.
    pub phase: String,
    /// A special school (maintained, academy, free, non-maintained or independent).
    pub is_special: bool,
    /// `Selective` for grammar schools: KS4 indicators are read apart for them.
    pub admissions_policy: Option<String>,
    /// Youngest statutory age the school takes.
    pub statutory_low_age: Option<i32>,
    /// Oldest statutory age the school takes.
    pub statutory_high_age: Option<i32>,
    /// When the establishment opened.
    pub open_date: Option<Date>,
    /// When it closed; null while open.
    pub close_date: Option<Date>,
    /// Places the school is built for.
    pub school_capacity: Option<i32>,
    /// Pupils on roll at the last census GIAS reports.
    pub number_of_pupils: Option<i32>,
    /// Academy trust, if any.
    pub trust: Option<String>,
    /// The latest Ofsted overall effectiveness, as GIAS records it.
    pub ofsted_rating: Option<String>,
    /// Postcode of the school.
    pub postcode: Option<String>,
    /// OS grid easting.
    pub easting: Option<i32>,
    /// OS grid northing.
    pub northing: Option<i32>,
    /// False when the latest full extract for the school's LA no longer lists it (kept, not deleted).
    pub in_latest_extract: bool,
}

impl From<school::Model> for School {
    fn from(m: school::Model) -> Self {
        Self {
            urn: m.urn,
            laestab: m.laestab,
            ukprn: m.ukprn,
            name: m.name,
            la_code: m.la_code,
            district_code: m.district_code,
            type_of_establishment: m.type_of_establishment,
            type_group: m.type_group,
            status: m.status,
            phase: m.phase,
            is_special: m.is_special,
            admissions_policy: m.admissions_policy,
            statutory_low_age: m.statutory_low_age,
            statutory_high_age: m.statutory_high_age,
            open_date: m.open_date.map(Date),
            close_date: m.close_date.map(Date),
            school_capacity: m.school_capacity,
            number_of_pupils: m.number_of_pupils,
            trust: m.trust,
            ofsted_rating: m.ofsted_rating,
            postcode: m.postcode,
            easting: m.easting,
            northing: m.northing,
            in_latest_extract: m.in_latest_extract,
        }
    }
}

#[ComplexObject]
impl School {
    /// The local authority district the school is in.
    async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        let Some(code) = &self.district_code else { return Ok(None) };
        let loaders = loaders(ctx)?;
        Ok(loaders.districts.load_one(code.clone()).await.map_err(internal)?.map(District::from))
    }

    /// The local authority that maintains or hosts the school.
    async fn local_authority(&self, ctx: &Context<'_>) -> Result<Option<LocalAuthority>> {
        let Some(code) = &self.la_code else { return Ok(None) };
        let loaders = loaders(ctx)?;
        Ok(loaders.las.load_one(code.clone()).await.map_err(internal)?.map(LocalAuthority::from))
    }

    /// Specialist Resource Provisions (resourced provisions and SEN units) the school hosts.
    async fn srps(&self, ctx: &Context<'_>) -> Result<Vec<Srp>> {
        let loaders = loaders(ctx)?;
        let rows = loaders.srps.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(Srp::from).collect())
    }

    /// The school's figures (school-level DfE statistics), narrowed by `query`. With
    /// `includePredecessors`, the figures of the establishments it replaced (an academy's
    /// converted predecessor, merged schools; GIAS links, up to ten steps back) come too, so a
    /// series continues across a new URN; each figure's `geographyCode` says whose it is.
    async fn observations(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Which figures: measures, periods, cohorts and breakdowns (each narrows; default every measure, the total breakdown)."
        )]
        query: Option<ObservationQuery>,
        #[graphql(
            default = false,
            desc = "Also the figures of the establishments this school replaced (GIAS links), so a converted school's series continues."
        )]
        include_predecessors: bool,
    ) -> Result<Vec<Observation>> {
        let urns = if include_predecessors { ancestry(ctx, self.urn).await? } else { vec![self.urn] };
        let mut out = Vec::new();
        for urn in urns {
            out.extend(observations_of(ctx, "School.observations", "school", &urn.to_string(), query.clone()).await?);
        }
        Ok(out)
    }

    /// Establishments this school replaced (GIAS links: `Predecessor`, `Predecessor - merged`, …),
    /// oldest link first.
    async fn predecessors(&self, ctx: &Context<'_>) -> Result<Vec<SchoolLink>> {
        let rows = loaders(ctx)?.predecessors.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(SchoolLink::from).collect())
    }

    /// Establishments that replaced this school (an academy it converted into, a merger).
    async fn successors(&self, ctx: &Context<'_>) -> Result<Vec<SchoolLink>> {
        let rows = loaders(ctx)?.successors.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(SchoolLink::from).collect())
    }

    /// Pupils on roll, on SEN support and with an EHC plan (school-level SEN statistics), for
    /// `period` (`2023/24`) or the latest period published.
    async fn pupils(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The census, e.g. `2023/24`; default the latest published.")] period: Option<String>,
    ) -> Result<Option<PupilCensus>> {
        input::opt("period", period.as_ref())?;
        let query = ObservationQuery {
            measures: Some(PUPIL_MEASURES.iter().map(|m| (*m).to_owned()).collect()),
            periods: period.map(|p| vec![p]),
            cohorts: None,
            breakdowns: None,
        };
        let rows = observations_of(ctx, "School.pupils", "school", &self.urn.to_string(), Some(query)).await?;
        Ok(PupilCensus::latest(&rows))
    }

    /// The locality cluster the school belongs to now.
    async fn cluster(&self, ctx: &Context<'_>) -> Result<Option<Cluster>> {
        Ok(loaders(ctx)?.school_cluster.load_one(self.urn).await.map_err(internal)?.map(Cluster::from))
    }

    /// The special school designation in force on `asOf` (default today).
    async fn designation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day to read it on (default today).")] as_of: Option<Date>,
    ) -> Result<Option<Designation>> {
        let history = loaders(ctx)?.designations.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        Ok(designation_as_of(&history, as_of.map_or_else(|| chrono::Local::now().date_naive(), |d| d.0)))
    }

    /// Every designation the school has had, oldest first.
    async fn designation_history(&self, ctx: &Context<'_>) -> Result<Vec<Designation>> {
        let history = loaders(ctx)?.designations.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, history.len())?;
        Ok(history.into_iter().map(Designation::from).collect())
    }

    /// The school's engagement in inclusion training programmes (restricted: the school itself
    /// and analysts).
    async fn training_enrolments(&self, ctx: &Context<'_>) -> Result<Vec<TrainingEnrolment>> {
        gate(ctx)?.school_value("School.trainingEnrolments", self.urn, Sensitivity::Restricted, ())?;
        let rows = loaders(ctx)?.training.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(TrainingEnrolment::from).collect())
    }

    /// Types of SEN the school provides for, in GIAS rank order (SEN1, SEN2, …).
    async fn sen_provision(&self, ctx: &Context<'_>) -> Result<Vec<SenProvision>> {
        let loaders = loaders(ctx)?;
        let rows = loaders.sen.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(|r| SenProvision { rank: r.rank, need: r.need }).collect())
    }
}

/// One type of SEN a school provides for, as GIAS ranks it.
#[derive(SimpleObject, Clone)]
pub struct SenProvision {
    /// 1 for GIAS `SEN1`, 2 for `SEN2`, …; gaps are kept.
    pub rank: i32,
    /// e.g. `ASD - Autistic Spectrum Disorder`.
    pub need: String,
}

/// Narrows a list of schools; every field given must match.
#[derive(InputObject, Default)]
pub struct SchoolFilter {
    /// Old three-digit LA code, e.g. `886`.
    pub la_code: Option<String>,
    /// District GSS code, e.g. `E07000105`.
    pub district_code: Option<String>,
    /// Phase of education exactly as GIAS names it, e.g. `Primary`.
    pub phase: Option<String>,
    /// Establishment type group exactly as GIAS names it, e.g. `Academies`.
    pub type_group: Option<String>,
    /// Status exactly as GIAS names it, e.g. `Open`.
    pub status: Option<String>,
    /// Part of the name, ignoring case.
    pub name_contains: Option<String>,
    /// Only schools that host (true) or do not host (false) an SRP.
    pub has_srp: Option<bool>,
    /// Only special schools (true) or only other schools (false).
    pub is_special: Option<bool>,
}

impl SchoolFilter {
    /// Refuses over-long strings (bad input, not a database error).
    pub(crate) fn check(&self) -> Result<()> {
        input::opt("filter.laCode", self.la_code.as_ref())?;
        input::opt("filter.districtCode", self.district_code.as_ref())?;
        input::opt("filter.phase", self.phase.as_ref())?;
        input::opt("filter.typeGroup", self.type_group.as_ref())?;
        input::opt("filter.status", self.status.as_ref())?;
        input::opt("filter.nameContains", self.name_contains.as_ref())
    }
}

impl From<SchoolFilter> for store::query::schools::SchoolFilter {
    fn from(f: SchoolFilter) -> Self {
        Self {
            la_code: f.la_code,
            district_code: f.district_code,
            phase: f.phase,
            type_group: f.type_group,
            status: f.status,
            name_contains: f.name_contains,
            has_srp: f.has_srp,
            is_special: f.is_special,
        }
    }
}

/// What a list of schools is sorted by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum SchoolOrderField {
    #[default]
    /// By school name.
    Name,
    /// By URN.
    Urn,
}

/// Ascending or descending.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum SortDirection {
    #[default]
    /// A to Z, smallest first.
    Asc,
    /// Z to A, largest first.
    Desc,
}

/// Sort order of a list of schools; ties are broken by URN.
#[derive(InputObject, Default)]
pub struct SchoolOrder {
    /// What to sort by (default `NAME`).
    #[graphql(default)]
    pub field: SchoolOrderField,
    /// Which way (default `ASC`).
    #[graphql(default)]
    pub direction: SortDirection,
}

/// Measures the school-level SEN mapping (`mappings/sen_school.toml`) produces.
const PUPIL_MEASURES: [&str; 3] = ["sen_school_pupils", "sen_school_sen_support", "sen_school_ehcp"];

/// A school's pupils by SEN status in one census.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct PupilCensus {
    /// As DfE shows it, e.g. `2023/24`.
    pub period: String,
    /// Pupils on roll.
    pub headcount: Option<f64>,
    /// Pupils on SEN support.
    pub sen_support: Option<f64>,
    /// Pupils with an education, health and care plan.
    pub ehc_plan: Option<f64>,
    /// SEN support ÷ headcount, 0–1; null without both figures.
    pub sen_support_share: Option<f64>,
    /// EHC plans ÷ headcount, 0–1; null without both figures.
    pub ehc_plan_share: Option<f64>,
}

impl PupilCensus {
    fn latest(rows: &[super::Observation]) -> Option<Self> {
        let latest = rows.iter().map(|o| (&o.time_period, &o.period)).max()?;
        let value = |code: &str| {
            rows.iter().find(|o| &o.time_period == latest.0 && o.measure_code == code).and_then(|o| o.value)
        };
        let headcount = value(PUPIL_MEASURES[0]);
        let share = |n: Option<f64>| match (n, headcount) {
            (Some(n), Some(d)) if d > 0.0 => Some(n / d),
            _ => None,
        };
        let (sen_support, ehc_plan) = (value(PUPIL_MEASURES[1]), value(PUPIL_MEASURES[2]));
        Some(Self {
            period: latest.1.clone(),
            headcount,
            sen_support,
            ehc_plan,
            sen_support_share: share(sen_support),
            ehc_plan_share: share(ehc_plan),
        })
    }
}

/// How far back `includePredecessors` walks: a chain of conversions and mergers is short; a loop
/// in the links must not run on.
const ANCESTRY_STEPS: usize = 10;

/// The school and every establishment its series continues from, nearest first.
async fn ancestry(ctx: &Context<'_>, urn: i32) -> Result<Vec<i32>> {
    let loaders = loaders(ctx)?;
    let mut seen = vec![urn];
    let mut frontier = vec![urn];
    for _ in 0..ANCESTRY_STEPS {
        let found = loaders.predecessors.load_many(frontier.iter().copied()).await.map_err(internal)?;
        let mut next: Vec<i32> = found.values().flatten().map(|l| l.other).filter(|u| !seen.contains(u)).collect();
        next.sort_unstable();
        next.dedup();
        if next.is_empty() {
            break;
        }
        seen.extend(&next);
        frontier = next;
    }
    Ok(seen)
}

/// A link between two establishments, seen from the school asked about.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct SchoolLink {
    /// The other establishment's URN.
    pub urn: i32,
    /// Its name as GIAS's links file gives it (null when only the other side lists the link).
    pub name: Option<String>,
    /// As GIAS writes it: `Predecessor`, `Successor - merged`, `Predecessor - Split School`, …
    pub link_type: String,
    /// When the link took effect (a conversion's date), when GIAS gives one.
    pub date: Option<Date>,
}

#[ComplexObject]
impl SchoolLink {
    /// The other establishment, when the register of schools holds it.
    async fn school(&self, ctx: &Context<'_>) -> Result<Option<School>> {
        Ok(loaders(ctx)?.schools.load_one(self.urn).await.map_err(internal)?.map(School::from))
    }
}

impl From<store::links::Linked> for SchoolLink {
    fn from(l: store::links::Linked) -> Self {
        Self { urn: l.other, name: l.other_name, link_type: l.link_type, date: l.established_on.map(Date) }
    }
}

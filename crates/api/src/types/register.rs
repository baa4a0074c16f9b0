//! Objects of the LA registers: designations, clusters, training engagement.

use async_graphql::{ComplexObject, Context, Result, SimpleObject};
use chrono::NaiveDate;
use store::entity::{designation, locality_cluster, training_enrolment};

use super::{District, GroupBy, School};
use crate::budget;
use crate::error::internal;
use crate::loaders::loaders;
use crate::scalars::Date;

/// A special school's designation, holding over `[validFrom, validTo)`; `validTo` is the next
/// designation's `validFrom`, null while current.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct Designation {
    /// e.g. `Profound, Severe and Complex Needs`, `Neurodivergent with Learning Difficulties`.
    pub name: String,
    /// The LA's guidance on which pupils the school admits under this designation.
    pub admissions_guidance: Option<String>,
    /// The day the designation took effect.
    pub valid_from: Date,
    /// The day the next designation replaced it; null while in force.
    pub valid_to: Option<Date>,
}

impl From<designation::Model> for Designation {
    fn from(d: designation::Model) -> Self {
        Self {
            name: d.name,
            admissions_guidance: d.admissions_guidance,
            valid_from: Date(d.valid_from),
            valid_to: d.valid_to.map(Date),
        }
    }
}

/// The designation in force on `as_of`, from a school's history (oldest first).
pub(crate) fn designation_as_of(history: &[designation::Model], as_of: NaiveDate) -> Option<Designation> {
    history
        .iter()
        .find(|d| d.valid_from <= as_of && d.valid_to.is_none_or(|to| as_of < to))
        .cloned()
        .map(Designation::from)
}

/// A special school with its designation as of the date asked for.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct SpecialSchool {
    /// The special school's URN.
    pub urn: i32,
    /// The school as GIAS records it.
    pub school: School,
    /// In force on the `asOf` date of the query (today by default).
    pub designation: Option<Designation>,
}

#[ComplexObject]
impl SpecialSchool {
    /// Every designation, oldest first.
    async fn designation_history(&self, ctx: &Context<'_>) -> Result<Vec<Designation>> {
        let rows = loaders(ctx)?.designations.load_one(self.urn).await.map_err(internal)?.unwrap_or_default();
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(Designation::from).collect())
    }
}

/// A locality cluster: 8–14 schools aligned to an NHS primary care network.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Cluster {
    #[graphql(skip)]
    pub id: i32,
    /// The cluster's name as the LA register writes it, e.g. `Folkestone`.
    pub name: String,
    #[graphql(skip)]
    pub district_code: Option<String>,
    /// The NHS primary care network the cluster aligns to.
    pub primary_care_network: Option<String>,
}

impl From<locality_cluster::Model> for Cluster {
    fn from(c: locality_cluster::Model) -> Self {
        Self { id: c.id, name: c.name, district_code: c.district_code, primary_care_network: c.primary_care_network }
    }
}

#[ComplexObject]
impl Cluster {
    /// The district the cluster lies in, as the register names it.
    pub async fn district(&self, ctx: &Context<'_>) -> Result<Option<District>> {
        let Some(code) = &self.district_code else { return Ok(None) };
        Ok(loaders(ctx)?.districts.load_one(code.clone()).await.map_err(internal)?.map(District::from))
    }

    /// Current member schools, by name: all, or the first `first`.
    #[graphql(complexity = "first.map_or(20, |n| n.max(0) as usize) * child_complexity")]
    async fn schools(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "At most this many schools (default and cap: the server's page maximum).")] first: Option<i32>,
    ) -> Result<Vec<School>> {
        let rows = loaders(ctx)?.cluster_schools.load_one(self.id).await.map_err(internal)?.unwrap_or_default();
        Ok(budget::list(ctx, rows, first)?.into_iter().map(School::from).collect())
    }
}

/// A school's engagement with one inclusion training programme.
#[derive(SimpleObject, Clone)]
pub struct TrainingEnrolment {
    /// e.g. `Whole School Nurture`, `Inclusion Leadership`, `Mainstream Core Standards`.
    pub programme: String,
    /// e.g. `Enrolled`, `In progress`, `Completed`.
    pub status: Option<String>,
    /// When the school enrolled (or the status was recorded).
    pub date: Option<Date>,
}

impl From<training_enrolment::Model> for TrainingEnrolment {
    fn from(t: training_enrolment::Model) -> Self {
        Self { programme: t.programme, status: t.status, date: t.enrolled_on.map(Date) }
    }
}

/// Engagement in one programme within a group of schools. `schools` and `share` are null with
/// `status = "c"` when the disclosure rules hold them back.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct ProgrammeEngagement {
    /// The training programme, as the LA register names it.
    pub programme: String,
    /// Schools of the group engaged in it.
    pub schools: Option<i32>,
    /// Those schools as a share of the group, 0–1.
    pub share: Option<f64>,
    /// `c` when suppressed, else null.
    pub status: Option<String>,
}

/// How many schools of a group are engaged in so many programmes.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct EngagementCount {
    /// Schools of the group, or null with `status = "c"` when held back.
    pub schools: Option<i32>,
    /// Of the group's schools, 0–1.
    pub share: Option<f64>,
    /// `c` when suppressed, else null.
    pub status: Option<String>,
}

/// Training engagement of one group of schools.
#[derive(SimpleObject, Clone, Debug, PartialEq)]
pub struct EngagementGroup {
    /// What the group is: a school, cluster, district, phase, phase within a district or the LA.
    pub level: GroupBy,
    /// URN, cluster id, district GSS code, phase, `district/phase` or LA code.
    pub code: String,
    /// The school, cluster, district, phase or LA name.
    pub group: String,
    /// Open schools in the group.
    pub schools: i32,
    /// Engagement in each programme, by programme name.
    pub programmes: Vec<ProgrammeEngagement>,
    /// Schools in no programme.
    pub in_none: EngagementCount,
    /// Schools in exactly one programme.
    pub in_exactly_one: EngagementCount,
    /// Schools in exactly two programmes.
    pub in_exactly_two: EngagementCount,
    /// Schools in three programmes or more.
    pub in_three_or_more: EngagementCount,
}

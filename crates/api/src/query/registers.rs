//! SRPs, special schools and designations, clusters, training engagement.

use std::collections::{BTreeMap, HashMap, HashSet};

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, InputObject, Object, Result};
use sea_orm::DatabaseConnection;
use store::query::registers as q;

use crate::Limits;
use crate::error::{bad_input, internal};
use crate::loaders::loaders;
use crate::scalars::Date;
use crate::types::{
    Cluster, EngagementGroup, ProgrammeEngagement, School, SpecialSchool, Srp, SrpSource, designation_as_of,
};

#[derive(Default)]
pub struct RegisterQuery;

/// Narrows a list of SRPs.
#[derive(InputObject, Default)]
pub struct SrpFilter {
    pub host_urn: Option<i32>,
    pub la_code: Option<String>,
    pub district_code: Option<String>,
    /// A need type code: `ASD`, `SLCN`, `SEMH`, `SpLD`, `MLD`, `SLD`, `PMLD`, `PD`, `HI`, `VI`, `MSI`, `OTH`.
    pub need_type: Option<String>,
    pub source: Option<SrpSource>,
    pub sla_signed: Option<bool>,
}

/// How schools are grouped in an engagement summary.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EngagementGroupBy {
    Phase,
    District,
    Cluster,
}

/// Fields of an SRP list beyond its page.
pub struct SrpListInfo {
    filter: q::SrpFilter,
}

#[Object]
impl SrpListInfo {
    /// How many SRPs match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> Result<u64> {
        q::count_srps(ctx.data_unchecked::<DatabaseConnection>(), &self.filter).await.map_err(internal)
    }
}

#[Object]
impl RegisterQuery {
    /// Specialist Resource Provisions, from GIAS, the LA's register or both, a page at a time.
    #[graphql(complexity = "first.map_or(50, |n| n.max(0) as usize) * child_complexity")]
    async fn srps(
        &self,
        ctx: &Context<'_>,
        filter: Option<SrpFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<i32, Srp, SrpListInfo>> {
        let limits = ctx.data_unchecked::<Limits>();
        let first = match first {
            None => 50.min(limits.page_max),
            Some(n) if n >= 0 && n as usize <= limits.page_max => n as usize,
            Some(n) => return Err(bad_input(format!("first must be between 0 and {} (got {n})", limits.page_max))),
        };
        let after = match after {
            None => None,
            Some(s) => Some(
                <i32 as async_graphql::connection::CursorType>::decode_cursor(&s)
                    .map_err(|_| bad_input("invalid cursor"))?,
            ),
        };
        let f = filter.unwrap_or_default();
        let filter = q::SrpFilter {
            host_urn: f.host_urn,
            la_code: f.la_code,
            district_code: f.district_code,
            need_type: f.need_type,
            source: f.source.map(|s| match s {
                SrpSource::Gias => (true, false),
                SrpSource::Register => (false, true),
                SrpSource::Both => (true, true),
            }),
            sla_signed: f.sla_signed,
        };
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let mut rows = q::srps(db, &filter, after, first as u64 + 1).await.map_err(internal)?;
        let has_next = rows.len() > first;
        rows.truncate(first);
        let mut conn = Connection::with_additional_fields(after.is_some(), has_next, SrpListInfo { filter });
        conn.edges.extend(rows.into_iter().map(|m| Edge::new(m.id, Srp::from(m))));
        Ok(conn)
    }

    /// Special schools with their designation as of `asOf` (default today), optionally only those
    /// whose designation contains `designation` (ignoring case).
    async fn special_schools(
        &self,
        ctx: &Context<'_>,
        as_of: Option<Date>,
        designation: Option<String>,
        la_code: Option<String>,
    ) -> Result<Vec<SpecialSchool>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let as_of = as_of.map_or_else(|| chrono::Local::now().date_naive(), |d| d.0);
        let schools = q::special_schools(db, la_code.as_deref()).await.map_err(internal)?;
        let loaders = loaders(ctx)?;
        let histories = loaders.designations.load_many(schools.iter().map(|s| s.urn)).await.map_err(internal)?;
        let wanted = designation.map(|d| d.to_lowercase());
        Ok(schools
            .into_iter()
            .filter_map(|s| {
                let current = histories.get(&s.urn).and_then(|h| designation_as_of(h, as_of));
                let keep = match (&wanted, &current) {
                    (None, _) => true,
                    (Some(w), Some(d)) => d.name.to_lowercase().contains(w),
                    (Some(_), None) => false,
                };
                keep.then(|| SpecialSchool { urn: s.urn, school: School::from(s), designation: current })
            })
            .collect())
    }

    /// Locality clusters, by name.
    async fn clusters(&self, ctx: &Context<'_>) -> Result<Vec<Cluster>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        Ok(q::clusters(db).await.map_err(internal)?.into_iter().map(Cluster::from).collect())
    }

    /// Inclusion training engagement of open schools, per group: schools and share enrolled in
    /// each programme, and schools in none, exactly one, two, or three or more.
    async fn training_engagement(
        &self,
        ctx: &Context<'_>,
        group_by: EngagementGroupBy,
        la_code: Option<String>,
    ) -> Result<Vec<EngagementGroup>> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let schools = q::open_schools(db, la_code.as_deref()).await.map_err(internal)?;
        let training = q::all_training(db).await.map_err(internal)?;
        let group_of: HashMap<i32, String> = match group_by {
            EngagementGroupBy::Phase => schools.iter().map(|s| (s.urn, s.phase.clone())).collect(),
            EngagementGroupBy::District => {
                let names: HashMap<String, String> = store::query::places::districts(db, la_code.as_deref())
                    .await
                    .map_err(internal)?
                    .into_iter()
                    .map(|d| (d.code, d.name))
                    .collect();
                schools
                    .iter()
                    .map(|s| {
                        let code = s.district_code.clone().unwrap_or_default();
                        (s.urn, names.get(&code).cloned().unwrap_or(code))
                    })
                    .collect()
            }
            EngagementGroupBy::Cluster => {
                let members = q::open_memberships(db, None, None).await.map_err(internal)?;
                let clusters: HashMap<i32, String> =
                    q::clusters(db).await.map_err(internal)?.into_iter().map(|c| (c.id, c.name)).collect();
                let cluster_of: HashMap<i32, String> = members
                    .into_iter()
                    .filter_map(|m| clusters.get(&m.cluster_id).map(|n| (m.urn, n.clone())))
                    .collect();
                schools
                    .iter()
                    .map(|s| (s.urn, cluster_of.get(&s.urn).cloned().unwrap_or_else(|| "(no cluster)".into())))
                    .collect()
            }
        };
        Ok(summarise(&group_of, &training))
    }
}

/// Counts per group in one pass; programmes per school are distinct names.
fn summarise(
    group_of: &HashMap<i32, String>,
    training: &[store::entity::training_enrolment::Model],
) -> Vec<EngagementGroup> {
    let mut programmes_of: HashMap<i32, HashSet<&str>> = HashMap::new();
    for t in training.iter().filter(|t| group_of.contains_key(&t.urn)) {
        // Withdrawn is not engagement.
        if t.status.as_deref() != Some("Withdrawn") {
            programmes_of.entry(t.urn).or_default().insert(&t.programme);
        }
    }
    let mut groups: BTreeMap<&str, Vec<i32>> = BTreeMap::new();
    for (urn, g) in group_of {
        groups.entry(g).or_default().push(*urn);
    }
    let all_programmes: std::collections::BTreeSet<&str> = programmes_of.values().flatten().copied().collect();
    groups
        .into_iter()
        .map(|(group, urns)| {
            let n = urns.len() as i32;
            let count_in =
                |k: usize| urns.iter().filter(|u| programmes_of.get(u).map_or(0, HashSet::len) == k).count() as i32;
            let programmes = all_programmes
                .iter()
                .map(|p| {
                    let schools =
                        urns.iter().filter(|u| programmes_of.get(u).is_some_and(|s| s.contains(p))).count() as i32;
                    ProgrammeEngagement {
                        programme: (*p).to_owned(),
                        schools,
                        share: f64::from(schools) / f64::from(n.max(1)),
                    }
                })
                .collect();
            EngagementGroup {
                group: group.to_owned(),
                schools: n,
                programmes,
                in_none: count_in(0),
                in_exactly_one: count_in(1),
                in_exactly_two: count_in(2),
                in_three_or_more: urns.iter().filter(|u| programmes_of.get(u).map_or(0, HashSet::len) >= 3).count()
                    as i32,
            }
        })
        .collect()
}

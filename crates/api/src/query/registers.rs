//! SRPs, special schools and designations, clusters, training engagement.

use std::collections::{BTreeSet, HashMap};

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, InputObject, Object, Result};
use sea_orm::DatabaseConnection;
use store::aggregate::GroupLevel;
use store::query::registers as q;

use crate::Limits;
use crate::budget;
use crate::disclosure::{GroupCounts, Shown, gate};
use crate::error::{bad_input, internal};
use crate::input;
use crate::loaders::loaders;
use crate::scalars::Date;
use crate::types::{
    Cluster, EngagementCount, EngagementGroup, GroupBy, ProgrammeEngagement, School, SpecialSchool, Srp, SrpSource,
    designation_as_of,
};
use crate::viewer::Role;

#[derive(Default)]
pub struct RegisterQuery;

/// Narrows a list of SRPs.
#[derive(InputObject, Default)]
pub struct SrpFilter {
    /// SRPs of this host school.
    pub host_urn: Option<i32>,
    /// SRPs of host schools in this LA (old code, e.g. `886`).
    pub la_code: Option<String>,
    /// SRPs of host schools in this district (GSS code).
    pub district_code: Option<String>,
    /// A need type code: `ASD`, `SLCN`, `SEMH`, `SpLD`, `MLD`, `SLD`, `PMLD`, `PD`, `HI`, `VI`, `MSI`, `OTH`.
    pub need_type: Option<String>,
    /// SRPs GIAS, the register or both list.
    pub source: Option<SrpSource>,
    /// Filters on the register's restricted SLA data: analysts only.
    pub sla_signed: Option<bool>,
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
        #[graphql(desc = "Which SRPs; every field given narrows.")] filter: Option<SrpFilter>,
        #[graphql(desc = "Page size: at most the server's page maximum (500 by default).")] first: Option<i32>,
        #[graphql(desc = "Cursor of the last SRP of the previous page.")] after: Option<String>,
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
        input::opt("filter.laCode", f.la_code.as_ref())?;
        input::opt("filter.districtCode", f.district_code.as_ref())?;
        input::opt("filter.needType", f.need_type.as_ref())?;
        if f.sla_signed.is_some() {
            gate(ctx)?.check_restricted_filter("Query.srps", "slaSigned")?;
        }
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
        if filter.sla_signed.is_some() {
            // The filter itself says each host's SLA status: the access log names them.
            gate(ctx)?.note_schools("Query.srps", rows.iter().map(|r| r.host_urn));
        }
        budget::charge(ctx, rows.len())?;
        let mut conn = Connection::with_additional_fields(after.is_some(), has_next, SrpListInfo { filter });
        conn.edges.extend(rows.into_iter().map(|m| Edge::new(m.id, Srp::from(m))));
        Ok(conn)
    }

    /// Special schools with their designation as of `asOf` (default today), optionally only those
    /// whose designation contains `designation` (ignoring case).
    async fn special_schools(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day designations are read on (default today).")] as_of: Option<Date>,
        #[graphql(desc = "Only schools whose designation contains this text (ignoring case).")] designation: Option<
            String,
        >,
        #[graphql(desc = "Only special schools of this LA (old code).")] la_code: Option<String>,
    ) -> Result<Vec<SpecialSchool>> {
        input::opt("designation", designation.as_ref())?;
        input::opt("laCode", la_code.as_ref())?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let as_of = as_of.map_or_else(|| chrono::Local::now().date_naive(), |d| d.0);
        let schools = q::special_schools(db, la_code.as_deref()).await.map_err(internal)?;
        let loaders = loaders(ctx)?;
        budget::charge(ctx, schools.len())?;
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
        let rows = q::clusters(db).await.map_err(internal)?;
        budget::charge(ctx, rows.len())?;
        Ok(rows.into_iter().map(Cluster::from).collect())
    }

    /// Inclusion training engagement of open schools, per group: schools and share enrolled in
    /// each programme, and schools in none, exactly one, two, or three or more. Restricted: per
    /// school for analysts; by cluster, district, phase and LA for school tokens (groups of at
    /// least the minimum size, small counts and whatever would give them away shown as `c`); by
    /// LA for everyone else. A school token's groups are those of its own LA unless it names one.
    async fn training_engagement(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The groups to count by.")] group_by: GroupBy,
        #[graphql(desc = "The LA whose schools are counted (old code); default every LA, or a school token's own.")]
        la_code: Option<String>,
    ) -> Result<Vec<EngagementGroup>> {
        const FIELD: &str = "Query.trainingEngagement";
        let level = group_by.school_level("training engagement")?;
        input::opt("laCode", la_code.as_ref())?;
        let gate = gate(ctx)?;
        gate.check_group_level(FIELD, level)?;
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let viewer = gate.viewer();
        let la = match (la_code, viewer.role, viewer.urn) {
            (Some(la), ..) => Some(la),
            // A school token's groups are always those of one LA, so no two requests see
            // differently bounded groups.
            (None, Role::School, Some(urn)) => {
                match loaders(ctx)?.schools.load_one(urn).await.map_err(internal)?.and_then(|s| s.la_code) {
                    Some(la) => Some(la),
                    None => return Err(bad_input("this token's school has no LA in GIAS: pass laCode")),
                }
            }
            (None, ..) => None,
        };
        let members = store::aggregate::memberships(db, la.as_deref()).await.map_err(internal)?;
        // Secondary suppression looks at every level the viewer may read; analysts need one.
        let levels: Vec<GroupLevel> =
            if viewer.role == Role::Analyst { vec![level] } else { gate.group_levels().to_vec() };
        let mut per_level = HashMap::new();
        for l in levels {
            per_level.insert(l, store::aggregate::training_engagement(db, l, la.as_deref()).await.map_err(internal)?);
        }
        let programmes: Vec<String> = per_level
            .values()
            .flatten()
            .filter_map(|r| r.programme.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // Figures 0-3: schools in none, one, two, three or more programmes; then one per programme.
        let mut counts =
            GroupCounts { figures: 4 + programmes.len(), values: HashMap::new(), partitions: vec![vec![0, 1, 2, 3]] };
        for (l, rows) in &per_level {
            for r in rows {
                let v = counts.values.entry((*l, r.code.clone())).or_insert_with(|| vec![0; 4 + programmes.len()]);
                match &r.programme {
                    None => v[..4].copy_from_slice(&[r.in_none, r.in_one, r.in_two, r.in_three_or_more]),
                    Some(p) => {
                        if let Ok(i) = programmes.binary_search(p) {
                            v[4 + i] = r.schools;
                        }
                    }
                }
            }
        }
        let shown = gate.group_counts(FIELD, level, &members, &counts);
        let mut rows = per_level.remove(&level).unwrap_or_default();
        // The same order on both backends (their collations differ).
        rows.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
        budget::charge(ctx, rows.len())?;
        Ok(rows
            .into_iter()
            .filter(|r| r.programme.is_none())
            .filter_map(|r| {
                let figures = shown.get(&r.code)?;
                let n = r.schools;
                let share = |s: Shown<i64>| s.value().map(|v| v as f64 / n.max(1) as f64);
                let count = |f: usize| {
                    let s = figures[f];
                    EngagementCount { schools: s.value().map(|v| v as i32), share: share(s), status: s.status() }
                };
                Some(EngagementGroup {
                    level: GroupBy::of_level(level),
                    programmes: programmes
                        .iter()
                        .enumerate()
                        .map(|(i, p)| {
                            let s = figures[4 + i];
                            ProgrammeEngagement {
                                programme: p.clone(),
                                schools: s.value().map(|v| v as i32),
                                share: share(s),
                                status: s.status(),
                            }
                        })
                        .collect(),
                    in_none: count(0),
                    in_exactly_one: count(1),
                    in_exactly_two: count(2),
                    in_three_or_more: count(3),
                    code: r.code,
                    group: r.name,
                    schools: n as i32,
                })
            })
            .collect())
    }
}

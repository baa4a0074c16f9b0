//! Group figures, one set-based statement per group level: the database groups and counts, the
//! API only decides what a viewer may see of the result. Group codes come from one expression
//! per level ([`GroupLevel::code_sql`]), shared by the figures and the memberships.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

use crate::Error;

/// A level schools are grouped at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GroupLevel {
    School,
    Cluster,
    District,
    Phase,
    PhaseInDistrict,
    La,
}

impl GroupLevel {
    pub const ALL: [GroupLevel; 6] = [
        GroupLevel::School,
        GroupLevel::Cluster,
        GroupLevel::District,
        GroupLevel::Phase,
        GroupLevel::PhaseInDistrict,
        GroupLevel::La,
    ];

    /// The group's code, over `school s` with `cm` (open cluster membership), `c` (cluster),
    /// `d` (district) and `l` (LA) joined.
    pub(crate) fn code_sql(self) -> &'static str {
        match self {
            Self::School => "CAST(s.urn AS TEXT)",
            Self::Cluster => "COALESCE(CAST(c.id AS TEXT), 'none')",
            Self::District => "COALESCE(s.district_code, 'none')",
            Self::Phase => "s.phase",
            Self::PhaseInDistrict => "COALESCE(s.district_code, 'none') || '/' || s.phase",
            Self::La => "COALESCE(s.la_code, 'none')",
        }
    }

    pub(crate) fn name_sql(self) -> &'static str {
        match self {
            Self::School => "s.name",
            Self::Cluster => "COALESCE(c.name, '(no cluster)')",
            Self::District => "COALESCE(d.name, s.district_code, '(no district)')",
            Self::Phase => "s.phase",
            Self::PhaseInDistrict => "COALESCE(d.name, s.district_code, '(no district)') || ' - ' || s.phase",
            Self::La => "COALESCE(l.name, s.la_code, '(no LA)')",
        }
    }
}

/// Open schools (as the engagement figures count them) with every group joined; `$LA` narrows.
const OPEN_SCHOOLS: &str = "FROM school s \
     LEFT JOIN cluster_member cm ON cm.urn = s.urn AND cm.valid_to IS NULL \
     LEFT JOIN locality_cluster c ON c.id = cm.cluster_id \
     LEFT JOIN district d ON d.code = s.district_code \
     LEFT JOIN local_authority l ON l.code = s.la_code \
     WHERE s.status <> 'Closed' AND s.in_latest_extract = TRUE";

/// Every school, closed ones too, with every group joined: a past census counts the schools of
/// its day (a converted academy's old URN among them), not today's.
const EVERY_SCHOOL: &str = "FROM school s \
     LEFT JOIN cluster_member cm ON cm.urn = s.urn AND cm.valid_to IS NULL \
     LEFT JOIN locality_cluster c ON c.id = cm.cluster_id \
     LEFT JOIN district d ON d.code = s.district_code \
     LEFT JOIN local_authority l ON l.code = s.la_code \
     WHERE 1 = 1";

/// State-funded establishments (and non-maintained special schools): not independent schools,
/// nor GIAS's "Other independent special school", whose type group is "Special schools".
const STATE_FUNDED: &str =
    "s.type_group <> 'Independent schools' AND LOWER(s.type_of_establishment) NOT LIKE '%independent%'";

fn la_clause(backend: DbBackend, la_code: Option<&str>) -> (&'static str, Vec<Value>) {
    match la_code {
        None => ("", Vec::new()),
        Some(la) => {
            (if backend == DbBackend::Postgres { " AND s.la_code = $1" } else { " AND s.la_code = ?" }, vec![la.into()])
        }
    }
}

/// One open school and the group it falls in at every level.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Membership {
    pub urn: i32,
    pub school: String,
    pub cluster: String,
    pub district: String,
    pub phase: String,
    pub phase_in_district: String,
    pub la: String,
}

impl Membership {
    pub fn code(&self, level: GroupLevel) -> &str {
        match level {
            GroupLevel::School => &self.school,
            GroupLevel::Cluster => &self.cluster,
            GroupLevel::District => &self.district,
            GroupLevel::Phase => &self.phase,
            GroupLevel::PhaseInDistrict => &self.phase_in_district,
            GroupLevel::La => &self.la,
        }
    }
}

/// Which groups every open school belongs to (open data: the groups' figures are not here).
pub async fn memberships(db: &impl ConnectionTrait, la_code: Option<&str>) -> Result<Vec<Membership>, Error> {
    let backend = db.get_database_backend();
    let (la, values) = la_clause(backend, la_code);
    let sql = format!(
        "SELECT s.urn AS urn, {} AS school, {} AS cluster, {} AS district, {} AS phase, {} AS phase_in_district, \
         {} AS la {OPEN_SCHOOLS}{la} ORDER BY s.urn",
        GroupLevel::School.code_sql(),
        GroupLevel::Cluster.code_sql(),
        GroupLevel::District.code_sql(),
        GroupLevel::Phase.code_sql(),
        GroupLevel::PhaseInDistrict.code_sql(),
        GroupLevel::La.code_sql(),
    );
    Ok(Membership::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?)
}

/// Training engagement of one group: a row with `programme = None` holds the group's size and
/// how many of its schools are in 0, 1, 2 or 3+ programmes; a row per programme holds how many
/// of its schools are in that programme.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct EngagementRow {
    pub code: String,
    pub name: String,
    pub programme: Option<String>,
    pub schools: i64,
    pub in_none: i64,
    pub in_one: i64,
    pub in_two: i64,
    pub in_three_or_more: i64,
}

/// Engagement per group at `level`, in one statement. A withdrawn enrolment is not engagement.
pub async fn training_engagement(
    db: &impl ConnectionTrait,
    level: GroupLevel,
    la_code: Option<&str>,
) -> Result<Vec<EngagementRow>, Error> {
    let backend = db.get_database_backend();
    let (la, values) = la_clause(backend, la_code);
    let (code, name) = (level.code_sql(), level.name_sql());
    let sql = format!(
        "WITH members AS (SELECT DISTINCT s.urn AS urn, {code} AS code, {name} AS name {OPEN_SCHOOLS}{la}), \
         engaged AS (SELECT DISTINCT t.urn AS urn, t.programme AS programme FROM training_enrolment t \
                     WHERE COALESCE(t.status, '') <> 'Withdrawn'), \
         per_school AS (SELECT m.code AS code, m.name AS name, m.urn AS urn, COUNT(e.programme) AS n \
                        FROM members m LEFT JOIN engaged e ON e.urn = m.urn GROUP BY m.code, m.name, m.urn) \
         SELECT code, name, CAST(NULL AS TEXT) AS programme, COUNT(*) AS schools, \
                SUM(CASE WHEN n = 0 THEN 1 ELSE 0 END) AS in_none, \
                SUM(CASE WHEN n = 1 THEN 1 ELSE 0 END) AS in_one, \
                SUM(CASE WHEN n = 2 THEN 1 ELSE 0 END) AS in_two, \
                SUM(CASE WHEN n >= 3 THEN 1 ELSE 0 END) AS in_three_or_more \
         FROM per_school GROUP BY code, name \
         UNION ALL \
         SELECT m.code, m.name, e.programme, COUNT(DISTINCT m.urn), 0, 0, 0, 0 \
         FROM members m JOIN engaged e ON e.urn = m.urn GROUP BY m.code, m.name, e.programme \
         ORDER BY name, code, programme"
    );
    Ok(EngagementRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?)
}

/// Special-school places of one group beside the pupils its schools hold (GIAS, open data).
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct SpecialPlacesRow {
    pub code: String,
    pub name: String,
    /// Open state-funded special schools (maintained, academy, free and non-maintained).
    pub special_schools: i64,
    /// The sum of their GIAS capacity.
    pub places: Option<i64>,
    /// Special schools GIAS gives no capacity for (their places are not in `places`).
    pub special_without_capacity: i64,
    /// Pupils on roll in every open state-funded school of the group (GIAS's last census).
    pub pupils: Option<i64>,
    /// Open state-funded schools GIAS gives no pupil number for.
    pub schools_without_pupils: i64,
}

/// Special-school places per group at `level`, in one statement. Independent schools are left
/// out on both sides: the LA commissions places there, it does not plan them.
pub async fn special_school_places(
    db: &impl ConnectionTrait,
    level: GroupLevel,
    la_code: Option<&str>,
) -> Result<Vec<SpecialPlacesRow>, Error> {
    let backend = db.get_database_backend();
    let (la, values) = la_clause(backend, la_code);
    let (code, name) = (level.code_sql(), level.name_sql());
    let sql = format!(
        "WITH members AS (SELECT DISTINCT s.urn AS urn, {code} AS code, {name} AS name, s.is_special AS special, \
                          s.school_capacity AS capacity, s.number_of_pupils AS pupils \
                          {OPEN_SCHOOLS}{la} AND {STATE_FUNDED}) \
         SELECT code, name, \
                SUM(CASE WHEN special THEN 1 ELSE 0 END) AS special_schools, \
                SUM(CASE WHEN special THEN capacity END) AS places, \
                SUM(CASE WHEN special AND capacity IS NULL THEN 1 ELSE 0 END) AS special_without_capacity, \
                SUM(pupils) AS pupils, \
                SUM(CASE WHEN pupils IS NULL THEN 1 ELSE 0 END) AS schools_without_pupils \
         FROM members GROUP BY code, name ORDER BY name, code"
    );
    Ok(SpecialPlacesRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?)
}

/// Pupils with an EHC plan by where they are placed, per group and period, from DfE's
/// school-level SEN figures (`sen_school_ehcp`) and GIAS's establishment types.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct EhcpPlacementRow {
    pub code: String,
    pub name: String,
    pub time_period: String,
    /// In state-funded mainstream schools (not special, not alternative provision).
    pub mainstream: Option<f64>,
    /// In state-funded and non-maintained special schools.
    pub special: Option<f64>,
    /// In pupil referral units and alternative provision academies.
    pub alternative_provision: Option<f64>,
    /// Schools with a figure.
    pub schools: i64,
    /// Schools whose figure DfE published as a symbol (`c`, `x`, …): left out, never 0.
    pub schools_without_value: i64,
}

/// EHCP pupils per group at `level` by placement, in one statement.
pub async fn ehcp_placements(
    db: &impl ConnectionTrait,
    level: GroupLevel,
    la_code: Option<&str>,
) -> Result<Vec<EhcpPlacementRow>, Error> {
    let backend = db.get_database_backend();
    let (la, values) = la_clause(backend, la_code);
    let (code, name) = (level.code_sql(), level.name_sql());
    let ap = "(LOWER(s.type_of_establishment) LIKE '%pupil referral%' \
              OR LOWER(s.type_of_establishment) LIKE '%alternative provision%')";
    let sql = format!(
        "WITH members AS (SELECT DISTINCT s.urn AS urn, {code} AS code, {name} AS name, \
                          CASE WHEN s.is_special THEN 'special' WHEN {ap} THEN 'ap' ELSE 'mainstream' END AS placement \
                          {EVERY_SCHOOL}{la} AND {STATE_FUNDED}) \
         SELECT m.code AS code, m.name AS name, o.time_period AS time_period, \
                SUM(CASE WHEN m.placement = 'mainstream' THEN o.value END) AS mainstream, \
                SUM(CASE WHEN m.placement = 'special' THEN o.value END) AS special, \
                SUM(CASE WHEN m.placement = 'ap' THEN o.value END) AS alternative_provision, \
                SUM(CASE WHEN o.value IS NOT NULL THEN 1 ELSE 0 END) AS schools, \
                SUM(CASE WHEN o.value IS NULL THEN 1 ELSE 0 END) AS schools_without_value \
         FROM members m JOIN observation o ON o.geography_code = CAST(m.urn AS TEXT) \
         WHERE o.geographic_level = 'school' AND o.measure_code = 'sen_school_ehcp' AND o.cohort = 'all' \
               AND o.breakdown = 'total' AND o.time_identifier = 'Academic year' \
         GROUP BY m.code, m.name, o.time_period ORDER BY m.name, m.code, o.time_period"
    );
    Ok(EhcpPlacementRow::find_by_statement(Statement::from_sql_and_values(backend, sql, values)).all(db).await?)
}

//! Indicators: figures for groups of schools computed from school figures by each measure's
//! declared rule, DfE's published figures for the same LA, region and England, the mean of the
//! LA's statistical neighbours, and an LA's rank among LAs. One set-based statement per group
//! level and request, whatever the number of schools; the API only decides what a viewer sees.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, Value};

use crate::Error;
use crate::aggregate::GroupLevel;
use crate::entity::measure;

/// A level figures are computed at from school rows: the school groupings, the LA's region and
/// England.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComputedLevel {
    Schools(GroupLevel),
    Region,
    National,
}

impl ComputedLevel {
    fn code_sql(self) -> &'static str {
        match self {
            Self::Schools(l) => l.code_sql(),
            Self::Region => "COALESCE(l.region_code, 'none')",
            Self::National => "'E92000001'",
        }
    }

    fn name_sql(self) -> &'static str {
        match self {
            Self::Schools(l) => l.name_sql(),
            Self::Region => "COALESCE(rg.name, l.region_code, '(no region)')",
            Self::National => "'England'",
        }
    }
}

/// Which schools count (every field given narrows) and which figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub la_code: Option<String>,
    pub district_code: Option<String>,
    pub cluster_id: Option<i64>,
    pub phase: Option<String>,
    pub urns: Option<Vec<i32>>,
    /// Raw EES time periods (`202223`); `None`: every period.
    pub periods: Option<Vec<String>>,
    /// `None`: every cohort.
    pub cohorts: Option<Vec<String>>,
}

/// How one measure aggregates, from its `measure` row.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Sum,
    Rate { numerator: String, denominator: String, scale: f64 },
    Weighted { weight: String },
}

impl Rule {
    /// The measure's rule; `None` when its mapping declares none (or declares it half).
    pub fn of(m: &measure::Model) -> Option<Self> {
        match m.aggregate.as_deref()? {
            "sum" => Some(Self::Sum),
            "rate" => Some(Self::Rate {
                numerator: m.numerator.clone()?,
                denominator: m.denominator.clone()?,
                scale: m.scale.unwrap_or(1.0),
            }),
            "weighted" => Some(Self::Weighted { weight: m.weight.clone()? }),
            _ => None,
        }
    }

    /// (the school measure summed, the measure paired with it), as the statement reads them.
    fn parts<'a>(&'a self, code: &'a str) -> (&'a str, Option<&'a str>) {
        match self {
            Self::Sum => (code, None),
            Self::Rate { numerator, denominator, .. } => (numerator, Some(denominator)),
            Self::Weighted { weight } => (code, Some(weight)),
        }
    }

    /// The group's figure from the sums.
    pub fn value(&self, numerator: Option<f64>, denominator: Option<f64>) -> Option<f64> {
        match self {
            Self::Sum => numerator,
            Self::Rate { scale, .. } => Some(numerator? * scale / denominator.filter(|d| *d != 0.0)?),
            Self::Weighted { .. } => Some(numerator? / denominator.filter(|d| *d != 0.0)?),
        }
    }
}

/// One group's sums for one measure, period and cohort.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ComputedRow {
    pub group_code: String,
    pub group_name: String,
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub cohort: String,
    /// Σ numerator (a rate), Σ value (a count) or Σ value × weight (a weighted score).
    pub numerator: Option<f64>,
    /// Σ denominator or Σ weight, over the same schools; none for a count.
    pub denominator: Option<f64>,
    /// Schools whose figure (and its pair) are numbers.
    pub contributing: i64,
    /// Schools with a row for it but a symbol (`c`, `x`, …) in place of a number, in it or its pair.
    pub without_value: i64,
}

/// Placeholders in the backend's style.
struct Args {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Args {
    fn push(&mut self, v: impl Into<Value>) -> String {
        self.values.push(v.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    fn list(&mut self, vs: &[String]) -> String {
        let ps: Vec<String> = vs.iter().map(|v| self.push(v.clone())).collect();
        ps.join(", ")
    }
}

/// Group figures at `level` for the measures whose rules are given, in one statement. Only the
/// `total` breakdown is aggregated: a school's other breakdowns would count it twice.
pub async fn computed(
    db: &impl ConnectionTrait,
    level: ComputedLevel,
    rules: &[(String, Rule)],
    scope: &Scope,
) -> Result<Vec<ComputedRow>, Error> {
    if rules.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut a = Args { backend, values: Vec::new() };
    // The rules as a derived table: (measure asked for, measure summed, measure paired, kind).
    let mut rule_rows = Vec::new();
    for (code, rule) in rules {
        let (part, pair) = rule.parts(code);
        let kind = match rule {
            Rule::Sum => "sum",
            Rule::Rate { .. } => "rate",
            Rule::Weighted { .. } => "weighted",
        };
        let (c, p) = (a.push(code.clone()), a.push(part.to_owned()));
        let pair = match pair {
            Some(pair) => a.push(pair.to_owned()),
            None => "CAST(NULL AS TEXT)".to_owned(),
        };
        let k = a.push(kind);
        rule_rows.push(format!(
            "SELECT CAST({c} AS TEXT) AS measure, CAST({p} AS TEXT) AS part, {pair} AS pair, CAST({k} AS TEXT) AS kind"
        ));
    }
    let mut filters = String::new();
    if let Some(periods) = scope.periods.as_deref() {
        filters.push_str(&format!(" AND n.time_period IN ({})", a.list(periods)));
    }
    if let Some(cohorts) = scope.cohorts.as_deref() {
        filters.push_str(&format!(" AND n.cohort IN ({})", a.list(cohorts)));
    }
    let mut school_filter = String::new();
    if let Some(la) = &scope.la_code {
        school_filter.push_str(&format!(" AND s.la_code = {}", a.push(la.clone())));
    }
    if let Some(d) = &scope.district_code {
        school_filter.push_str(&format!(" AND s.district_code = {}", a.push(d.clone())));
    }
    if let Some(p) = &scope.phase {
        school_filter.push_str(&format!(" AND s.phase = {}", a.push(p.clone())));
    }
    if let Some(urns) = &scope.urns {
        let ps: Vec<String> = urns.iter().map(|u| a.push(*u)).collect();
        school_filter
            .push_str(&format!(" AND s.urn IN ({})", if ps.is_empty() { "NULL".into() } else { ps.join(", ") }));
    }
    // Cluster tables only when asked for: a school in two clusters would count twice elsewhere.
    let by_cluster = level == ComputedLevel::Schools(GroupLevel::Cluster) || scope.cluster_id.is_some();
    let cluster_join = if by_cluster {
        "LEFT JOIN cluster_member cm ON cm.urn = s.urn AND cm.valid_to IS NULL \
         LEFT JOIN locality_cluster c ON c.id = cm.cluster_id "
    } else {
        ""
    };
    if let Some(id) = scope.cluster_id {
        school_filter.push_str(&format!(" AND c.id = {}", a.push(id)));
    }
    let (code, name) = (level.code_sql(), level.name_sql());
    // PostgreSQL refuses constants in GROUP BY (England's code and name are constants).
    let group_keys = if level == ComputedLevel::National { String::new() } else { format!("{code}, {name}, ") };
    let has = "n.value IS NOT NULL AND (r.pair IS NULL OR p.value IS NOT NULL)";
    let sql = format!(
        "WITH r AS ({rules}) \
         SELECT {code} AS group_code, {name} AS group_name, r.measure AS measure_code, \
                n.time_period AS time_period, n.time_identifier AS time_identifier, n.cohort AS cohort, \
                SUM(CASE WHEN {has} THEN CASE WHEN r.kind = 'weighted' THEN n.value * p.value ELSE n.value END END) AS numerator, \
                SUM(CASE WHEN {has} THEN p.value END) AS denominator, \
                COUNT(CASE WHEN {has} THEN 1 END) AS contributing, \
                COUNT(*) - COUNT(CASE WHEN {has} THEN 1 END) AS without_value \
         FROM r \
         JOIN observation n ON n.geographic_level = 'school' AND n.measure_code = r.part AND n.breakdown = 'total'{filters} \
         JOIN school s ON CAST(s.urn AS TEXT) = n.geography_code \
         LEFT JOIN observation p ON r.pair IS NOT NULL AND p.geographic_level = 'school' \
              AND p.geography_code = n.geography_code AND p.measure_code = r.pair \
              AND p.time_period = n.time_period AND p.time_identifier = n.time_identifier \
              AND p.cohort = n.cohort AND p.breakdown = n.breakdown \
         {cluster_join}\
         LEFT JOIN district d ON d.code = s.district_code \
         LEFT JOIN local_authority l ON l.code = s.la_code \
         LEFT JOIN region rg ON rg.code = l.region_code \
         WHERE 1 = 1{school_filter} \
         GROUP BY {group_keys}r.measure, n.time_period, n.time_identifier, n.cohort \
         ORDER BY r.measure, n.time_period, n.time_identifier, n.cohort, group_name, group_code",
        rules = rule_rows.join(" UNION ALL "),
    );
    Ok(ComputedRow::find_by_statement(Statement::from_sql_and_values(backend, sql, a.values)).all(db).await?)
}

/// A figure DfE published for a place (`la`, `regional`, `national`), total breakdown.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct PublishedRow {
    pub geographic_level: String,
    pub geography_code: String,
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub cohort: String,
    pub value: Option<f64>,
    pub status: Option<String>,
    /// Among the LAs with a number for it, ranked highest first and lowest first; how many.
    pub rank_high: Option<i64>,
    pub rank_low: Option<i64>,
    pub rank_of: Option<i64>,
}

fn period_filters(a: &mut Args, scope: &Scope, alias: &str) -> String {
    let mut f = String::new();
    if let Some(periods) = scope.periods.as_deref() {
        f.push_str(&format!(" AND {alias}.time_period IN ({})", a.list(periods)));
    }
    if let Some(cohorts) = scope.cohorts.as_deref() {
        f.push_str(&format!(" AND {alias}.cohort IN ({})", a.list(cohorts)));
    }
    f
}

/// DfE's own figures for places of one level, with each LA figure's rank among every LA's
/// (window functions, one statement).
pub async fn published(
    db: &impl ConnectionTrait,
    level: &str,
    codes: &[String],
    measures: &[String],
    scope: &Scope,
) -> Result<Vec<PublishedRow>, Error> {
    if codes.is_empty() || measures.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut a = Args { backend, values: Vec::new() };
    let lvl = a.push(level.to_owned());
    let ms = a.list(measures);
    let f = period_filters(&mut a, scope, "o");
    let cs = a.list(codes);
    let key = "o.measure_code, o.time_period, o.time_identifier, o.cohort";
    let sql = format!(
        "SELECT * FROM (SELECT o.geographic_level AS geographic_level, o.geography_code AS geography_code, \
                o.measure_code AS measure_code, o.time_period AS time_period, o.time_identifier AS time_identifier, \
                o.cohort AS cohort, o.value AS value, o.status AS status, \
                CASE WHEN o.value IS NOT NULL AND o.geographic_level = 'la' THEN RANK() OVER (PARTITION BY {key}, o.value IS NULL ORDER BY o.value DESC) END AS rank_high, \
                CASE WHEN o.value IS NOT NULL AND o.geographic_level = 'la' THEN RANK() OVER (PARTITION BY {key}, o.value IS NULL ORDER BY o.value ASC) END AS rank_low, \
                CASE WHEN o.value IS NOT NULL AND o.geographic_level = 'la' THEN COUNT(o.value) OVER (PARTITION BY {key}) END AS rank_of \
         FROM observation o WHERE o.geographic_level = {lvl} AND o.breakdown = 'total' AND o.measure_code IN ({ms}){f}) ranked \
         WHERE geography_code IN ({cs}) ORDER BY measure_code, time_period, time_identifier, cohort, geography_code"
    );
    Ok(PublishedRow::find_by_statement(Statement::from_sql_and_values(backend, sql, a.values)).all(db).await?)
}

/// The mean of an LA's statistical neighbours' published figures, as DfE's LA benchmarking
/// tools compute it, with how many neighbours had a number.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct NeighbourRow {
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub cohort: String,
    pub mean: Option<f64>,
    pub with_value: i64,
    pub neighbours: i64,
}

pub async fn neighbour_means(
    db: &impl ConnectionTrait,
    la_code: &str,
    measures: &[String],
    scope: &Scope,
) -> Result<Vec<NeighbourRow>, Error> {
    if measures.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut a = Args { backend, values: Vec::new() };
    let la = a.push(la_code.to_owned());
    let ms = a.list(measures);
    let f = period_filters(&mut a, scope, "o");
    let sql = format!(
        "SELECT o.measure_code AS measure_code, o.time_period AS time_period, o.time_identifier AS time_identifier, \
                o.cohort AS cohort, AVG(o.value) AS mean, COUNT(o.value) AS with_value, COUNT(*) AS neighbours \
         FROM statistical_neighbour sn \
         JOIN observation o ON o.geographic_level = 'la' AND o.geography_code = sn.neighbour_code AND o.breakdown = 'total' \
         WHERE sn.la_code = {la} AND o.measure_code IN ({ms}){f} \
         GROUP BY o.measure_code, o.time_period, o.time_identifier, o.cohort \
         ORDER BY o.measure_code, o.time_period, o.time_identifier, o.cohort"
    );
    Ok(NeighbourRow::find_by_statement(Statement::from_sql_and_values(backend, sql, a.values)).all(db).await?)
}

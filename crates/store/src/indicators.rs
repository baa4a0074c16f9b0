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
    /// GIAS admissions policy (`Selective`, `Non-selective`, …): grammar schools apart.
    pub admissions_policy: Option<String>,
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
#[derive(Debug, Clone, PartialEq)]
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
///
/// The statement reads each school's figures once (one pass over the observations of the
/// measures involved, pivoted to a row per school, period and cohort), then groups those rows:
/// no self-join per rule, so its cost grows with the figures read, not with the rules.
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
    // Every measure read (a rule's part and its pair), each a pivoted column `v{i}` with `h{i}`
    // saying the school has a row for it (a number or a symbol).
    fn index(code: &str, read: &mut Vec<String>) -> usize {
        match read.iter().position(|c| c == code) {
            Some(i) => i,
            None => {
                read.push(code.to_owned());
                read.len() - 1
            }
        }
    }
    let mut read: Vec<String> = Vec::new();
    let mut plan = Vec::new();
    for (code, rule) in rules {
        let (part, pair) = rule.parts(code);
        let p = index(part, &mut read);
        let q = pair.map(|c| index(c, &mut read));
        plan.push((code.as_str(), rule, p, q));
    }
    let mut pivot = Vec::new();
    for (i, code) in read.iter().enumerate() {
        // Each placeholder its own value: SQLite's `?` are positional.
        let (c, d) = (a.push(code.clone()), a.push(code.clone()));
        pivot.push(format!(
            "MAX(CASE WHEN n.measure_code = {c} THEN n.value END) AS v{i}, \
             MAX(CASE WHEN n.measure_code = {d} THEN 1 ELSE 0 END) AS h{i}"
        ));
    }
    let measures = a.list(&read);
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
    if let Some(p) = &scope.admissions_policy {
        school_filter.push_str(&format!(" AND LOWER(s.admissions_policy) = LOWER({})", a.push(p.trim().to_owned())));
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
    let mut sums = Vec::new();
    for (j, (_, rule, p, q)) in plan.iter().enumerate() {
        let has = match q {
            Some(q) => format!("ps.v{p} IS NOT NULL AND ps.v{q} IS NOT NULL"),
            None => format!("ps.v{p} IS NOT NULL"),
        };
        let present = match q {
            Some(q) => format!("(ps.h{p} = 1 OR ps.h{q} = 1)"),
            None => format!("ps.h{p} = 1"),
        };
        let numerator = match (rule, q) {
            (Rule::Weighted { .. }, Some(q)) => format!("ps.v{p} * ps.v{q}"),
            _ => format!("ps.v{p}"),
        };
        let denominator = match q {
            Some(q) => format!("SUM(CASE WHEN {has} THEN ps.v{q} END)"),
            None => "CAST(NULL AS DOUBLE PRECISION)".to_owned(),
        };
        sums.push(format!(
            "SUM(CASE WHEN {has} THEN {numerator} END) AS num{j}, {denominator} AS den{j}, \
             SUM(CASE WHEN {has} THEN 1 ELSE 0 END) AS with{j}, \
             SUM(CASE WHEN {present} AND NOT ({has}) THEN 1 ELSE 0 END) AS without{j}"
        ));
    }
    let (code, name) = (level.code_sql(), level.name_sql());
    // PostgreSQL refuses constants in GROUP BY (England's code and name are constants).
    let (inner_keys, outer_keys) = if level == ComputedLevel::National {
        (String::new(), String::new())
    } else {
        (format!("{code}, {name}, "), "ps.group_code, ps.group_name, ".to_owned())
    };
    // The schools are narrowed (and grouped) while their figures are read. A narrow scope (an LA,
    // a district, …) starts from its schools and reads their figures by place; a wide one starts
    // from the figures and looks each school up by URN. `CROSS JOIN` keeps that order on SQLite,
    // whose planner otherwise scans every figure once per school; PostgreSQL plans either freely.
    let (from, join) = if school_filter.is_empty() {
        ("observation n CROSS JOIN school s", "s.urn = CAST(n.geography_code AS INTEGER)")
    } else {
        ("school s CROSS JOIN observation n", "n.geography_code = CAST(s.urn AS TEXT)")
    };
    let sql = format!(
        "WITH ps AS (SELECT {code} AS group_code, {name} AS group_name, \
                     n.time_period AS tp, n.time_identifier AS ti, n.cohort AS co, {pivot} \
                     FROM {from} \
                     {cluster_join}\
                     LEFT JOIN district d ON d.code = s.district_code \
                     LEFT JOIN local_authority l ON l.code = s.la_code \
                     LEFT JOIN region rg ON rg.code = l.region_code \
                     WHERE {join} AND n.measure_code IN ({measures}) AND n.geographic_level = 'school' AND n.breakdown = 'total'{filters}{school_filter} \
                     GROUP BY {inner_keys}n.geography_code, n.time_period, n.time_identifier, n.cohort) \
         SELECT MAX(ps.group_code) AS group_code, MAX(ps.group_name) AS group_name, ps.tp AS time_period, \
                ps.ti AS time_identifier, ps.co AS cohort, {sums} \
         FROM ps GROUP BY {outer_keys}ps.tp, ps.ti, ps.co",
        pivot = pivot.join(", "),
        sums = sums.join(", "),
    );
    let rows = db.query_all_raw(Statement::from_sql_and_values(backend, sql, a.values)).await?;
    let mut out = Vec::new();
    for row in rows {
        let text = |c: &str| row.try_get::<String>("", c);
        let (group_code, group_name) = (text("group_code")?, text("group_name")?);
        let (time_period, time_identifier, cohort) = (text("time_period")?, text("time_identifier")?, text("cohort")?);
        for (j, (measure, ..)) in plan.iter().enumerate() {
            let count = |c: String| row.try_get::<Option<i64>>("", &c).map(Option::unwrap_or_default);
            let (contributing, without_value) = (count(format!("with{j}"))?, count(format!("without{j}"))?);
            if contributing + without_value == 0 {
                continue; // no school of the group has this measure for this period and cohort
            }
            out.push(ComputedRow {
                group_code: group_code.clone(),
                group_name: group_name.clone(),
                measure_code: (*measure).to_owned(),
                time_period: time_period.clone(),
                time_identifier: time_identifier.clone(),
                cohort: cohort.clone(),
                numerator: row.try_get::<Option<f64>>("", &format!("num{j}"))?,
                denominator: row.try_get::<Option<f64>>("", &format!("den{j}"))?,
                contributing,
                without_value,
            });
        }
    }
    out.sort_by(|x, y| {
        (&x.measure_code, &x.time_period, &x.time_identifier, &x.cohort, &x.group_name, &x.group_code).cmp(&(
            &y.measure_code,
            &y.time_period,
            &y.time_identifier,
            &y.cohort,
            &y.group_name,
            &y.group_code,
        ))
    });
    Ok(out)
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

/// The neighbours' published LA figures of the measures, as `FROM … WHERE …` over `sn` and `o`.
fn neighbours_from(a: &mut Args, la_code: &str, measures: &[String], scope: &Scope) -> String {
    let la = a.push(la_code.to_owned());
    let ms = a.list(measures);
    let f = period_filters(a, scope, "o");
    format!(
        "FROM statistical_neighbour sn \
         JOIN observation o ON o.geographic_level = 'la' AND o.geography_code = sn.neighbour_code AND o.breakdown = 'total' \
         WHERE sn.la_code = {la} AND o.measure_code IN ({ms}){f}"
    )
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
    let from = neighbours_from(&mut a, la_code, measures, scope);
    let sql = format!(
        "SELECT o.measure_code AS measure_code, o.time_period AS time_period, o.time_identifier AS time_identifier, \
                o.cohort AS cohort, AVG(o.value) AS mean, COUNT(o.value) AS with_value, COUNT(*) AS neighbours \
         {from} GROUP BY o.measure_code, o.time_period, o.time_identifier, o.cohort \
         ORDER BY o.measure_code, o.time_period, o.time_identifier, o.cohort"
    );
    Ok(NeighbourRow::find_by_statement(Statement::from_sql_and_values(backend, sql, a.values)).all(db).await?)
}

/// One neighbour's published figure, for means the database cannot take alone (per head of each
/// neighbour's own population).
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct NeighbourValue {
    pub neighbour_code: String,
    pub measure_code: String,
    pub time_period: String,
    pub time_identifier: String,
    pub cohort: String,
    pub value: Option<f64>,
}

pub async fn neighbour_values(
    db: &impl ConnectionTrait,
    la_code: &str,
    measures: &[String],
    scope: &Scope,
) -> Result<Vec<NeighbourValue>, Error> {
    if measures.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut a = Args { backend, values: Vec::new() };
    let from = neighbours_from(&mut a, la_code, measures, scope);
    let sql = format!(
        "SELECT sn.neighbour_code AS neighbour_code, o.measure_code AS measure_code, o.time_period AS time_period, \
                o.time_identifier AS time_identifier, o.cohort AS cohort, o.value AS value \
         {from} ORDER BY o.measure_code, o.time_period, o.time_identifier, o.cohort, sn.rank"
    );
    Ok(NeighbourValue::find_by_statement(Statement::from_sql_and_values(backend, sql, a.values)).all(db).await?)
}
